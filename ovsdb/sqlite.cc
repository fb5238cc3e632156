// SQLite connection and statement wrappers (see sqlite.h).
#include "ovsdb/sqlite.h"

namespace vs::ovsdb {

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error(sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

Result<void> Statement::run() {
  for (;;) {
    VS_ASSIGN(bool row, step());
    if (!row) return boost::outcome_v2::success();
  }
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(path + ": " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

void Connection::reset_statements() {
  for (auto& [sql, stmt] : cache_) stmt.reset();
}

Result<void> Connection::exec(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : last_error();
    sqlite3_free(message);
    return make_error(text);
  }
  return boost::outcome_v2::success();
}

Result<Statement*> Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return &it->second.reset();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return make_error(last_error() + " in: " + sql);
  }
  return &cache_.emplace(sql, Statement(stmt)).first->second;
}

}  // namespace vs::ovsdb
