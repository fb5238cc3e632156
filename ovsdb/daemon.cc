// The daemon record lives in the private _meta table; cur_cfg/next_cfg in Open_vSwitch.
#include "ovsdb/daemon.h"

namespace vs::ovsdb {
namespace {

using boost::outcome_v2::success;

// Runs `body` in one write transaction.
template <class F>
Result<void> in_write_transaction(Database& db, F body) {
  VS_TRY(db.sql().exec("BEGIN IMMEDIATE"));
  auto result = body();
  db.sql().reset_statements();
  if (!result) {
    (void)db.sql().exec("ROLLBACK");
    return result;
  }
  return db.sql().exec("COMMIT");
}

}  // namespace

Result<std::optional<DaemonRecord>> read_daemon_record(Database& db) {
  VS_ASSIGN(Statement * stmt,
            db.sql().prepare("SELECT (SELECT value FROM _meta WHERE key = 'daemon.pid'), "
                             "(SELECT value FROM _meta WHERE key = 'daemon.control_socket')"));
  VS_ASSIGN(bool row, stmt->step());
  std::optional<DaemonRecord> record;
  if (row && !stmt->column_is_null(0)) {
    record = DaemonRecord{std::stoll(std::string(stmt->column_text(0))),
                          std::string(stmt->column_text(1))};
  }
  VS_TRY(stmt->run());
  return record;
}

Result<void> write_daemon_record(Database& db, const DaemonRecord& record) {
  return in_write_transaction(db, [&]() -> Result<void> {
    VS_ASSIGN(Statement * stmt,
              db.sql().prepare("INSERT OR REPLACE INTO _meta(key, value) VALUES (?, ?)"));
    VS_TRY(stmt->bind(1, "daemon.pid").bind(2, std::to_string(record.pid)).run());
    stmt->reset();
    return stmt->bind(1, "daemon.control_socket").bind(2, record.control_socket).run();
  });
}

Result<void> clear_daemon_record(Database& db) {
  return in_write_transaction(
      db, [&]() { return db.sql().exec("DELETE FROM _meta WHERE key LIKE 'daemon.%'"); });
}

Result<ConfigSequence> read_config_sequence(Database& db) {
  VS_ASSIGN(Statement * stmt, db.sql().prepare("SELECT next_cfg, cur_cfg FROM \"Open_vSwitch\""));
  VS_ASSIGN(bool row, stmt->step());
  ConfigSequence seq;
  if (row) seq = ConfigSequence{stmt->column_int(0), stmt->column_int(1)};
  VS_TRY(stmt->run());
  return seq;
}

Result<void> write_cur_cfg(Database& db, int64_t cur_cfg) {
  return in_write_transaction(db, [&]() -> Result<void> {
    VS_ASSIGN(Statement * stmt, db.sql().prepare("UPDATE \"Open_vSwitch\" SET cur_cfg = ?"));
    return stmt->bind(1, cur_cfg).run();
  });
}

}  // namespace vs::ovsdb
