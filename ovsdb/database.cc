// Opening, creating and migrating the SQLite file (layout described in database.h).
#include "ovsdb/database.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "lib/uuid.h"

namespace vs::ovsdb {
namespace {

// Long enough for 50 concurrent writers to queue up; each holds the lock for milliseconds.
constexpr int kBusyTimeoutMs = 60'000;

std::string sql_type(AtomicType type) {
  switch (type) {
    case AtomicType::kInteger:
    case AtomicType::kBoolean:
      return "INTEGER";
    case AtomicType::kReal:
      return "REAL";
    case AtomicType::kString:
    case AtomicType::kUuid:
      return "TEXT";
  }
  return "BLOB";
}

std::string sql_default(const BaseType& base) {
  switch (base.type) {
    case AtomicType::kInteger:
    case AtomicType::kBoolean:
      return "0";
    case AtomicType::kReal:
      return "0.0";
    case AtomicType::kString:
      return "''";
    case AtomicType::kUuid:
      return "'00000000-0000-0000-0000-000000000000'";
  }
  return "NULL";
}

std::string references(const BaseType& base, const Schema& schema) {
  if (base.ref_table.empty()) return "";
  return " REFERENCES " + quote_identifier(sql_table(schema.table(base.ref_table))) +
         "(_uuid) DEFERRABLE INITIALLY DEFERRED";
}

// The definition of an inline column, valid both in CREATE TABLE and ALTER TABLE ADD COLUMN.
std::string inline_column_definition(const Column& column, const Schema& schema) {
  const BaseType& key = column.type.key;
  std::string def = quote_identifier(column.name) + " " + sql_type(key.type);
  if (column.type.is_scalar()) def += " NOT NULL DEFAULT " + sql_default(key);
  return def + references(key, schema);
}

// The index for reverse lookups on an inline reference column ("" if the column has none).
std::string inline_column_index_ddl(const Table& table, const Column& column) {
  if (column.type.key.ref_table.empty()) return "";
  return "CREATE INDEX " + quote_identifier(table.name + "." + column.name) + " ON " +
         quote_identifier(sql_table(table)) + "(" + quote_identifier(column.name) + ")";
}

std::vector<std::string> child_table_ddl(const Table& table, const Column& column,
                                         const Schema& schema) {
  const ColumnType& type = column.type;
  std::string name = sql_child_table(table, column);
  std::string ddl = "CREATE TABLE " + quote_identifier(name) + " (_row TEXT NOT NULL REFERENCES " +
                    quote_identifier(sql_table(table)) + "(_uuid) ON DELETE CASCADE, key " +
                    sql_type(type.key.type) + " NOT NULL" + references(type.key, schema);
  if (type.value) {
    ddl += ", value " + sql_type(type.value->type) + " NOT NULL" + references(*type.value, schema);
  }
  ddl += ", PRIMARY KEY (_row, key)) WITHOUT ROWID";
  std::vector<std::string> statements{ddl};
  // Reverse lookups ("who references this row?") and foreign-key checks need these indexes.
  if (!type.key.ref_table.empty()) {
    statements.push_back(std::string("CREATE ") + (column.exclusive_refs ? "UNIQUE " : "") +
                         "INDEX " + quote_identifier(name + ".key") + " ON " +
                         quote_identifier(name) + "(key)");
  }
  if (type.value && !type.value->ref_table.empty()) {
    statements.push_back("CREATE INDEX " + quote_identifier(name + ".value") + " ON " +
                         quote_identifier(name) + "(value)");
  }
  return statements;
}

std::vector<std::string> table_ddl(const Table& table, const Schema& schema) {
  std::string ddl =
      "CREATE TABLE " + quote_identifier(sql_table(table)) + " (_uuid TEXT PRIMARY KEY";
  for (const Column& column : table.columns) {
    if (!column.type.is_inline()) continue;
    ddl += ", " + inline_column_definition(column, schema);
    if (column.name == table.name_column) ddl += " UNIQUE";
  }
  ddl += ")";
  std::vector<std::string> statements{ddl};
  for (const Column& column : table.columns) {
    if (column.type.is_inline()) {
      std::string index = inline_column_index_ddl(table, column);
      if (!index.empty()) statements.push_back(index);
      continue;
    }
    auto child = child_table_ddl(table, column, schema);
    statements.insert(statements.end(), child.begin(), child.end());
  }
  return statements;
}

Result<std::set<std::string>> existing_tables(Connection& sql) {
  VS_ASSIGN(Statement * stmt, sql.prepare("SELECT name FROM sqlite_master WHERE type = 'table'"));
  std::set<std::string> names;
  for (;;) {
    VS_ASSIGN(bool row, stmt->step());
    if (!row) break;
    names.emplace(stmt->column_text(0));
  }
  return names;
}

Result<std::set<std::string>> existing_columns(Connection& sql, const std::string& table) {
  VS_ASSIGN(Statement * stmt, sql.prepare("SELECT name FROM pragma_table_info(?)"));
  stmt->bind(1, table);
  std::set<std::string> names;
  for (;;) {
    VS_ASSIGN(bool row, stmt->step());
    if (!row) break;
    names.emplace(stmt->column_text(0));
  }
  return names;
}

Result<int64_t> user_version(Connection& sql) {
  VS_ASSIGN(Statement * stmt, sql.prepare("PRAGMA user_version"));
  VS_ASSIGN(bool row, stmt->step());
  int64_t version = row ? stmt->column_int(0) : 0;
  VS_TRY(stmt->run());
  return version;
}

// Steps that adding tables and columns cannot express (renames, data rewrites), applied in
// order to files older than `to_version`. None yet: storage version 1 is the first.
struct Migration {
  int to_version;
  const char* sql;
};
constexpr Migration kMigrations[] = {{0, ""}};

}  // namespace

std::string resolve_db_path(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("VSWITCH_DB"); env && *env) return env;
  return kDefaultDbPath;
}

std::string quote_identifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string sql_table(const Table& table) { return table.name; }

std::string sql_child_table(const Table& table, const Column& column) {
  return table.name + "." + column.name;
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, const Schema& schema) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  VS_ASSIGN(auto connection, Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                        SQLITE_OPEN_NOMUTEX));
  sqlite3_busy_timeout(connection->get(), kBusyTimeoutMs);
  // WAL: readers never block the writer; synchronous=NORMAL: a commit survives a crash of any
  // process (kill -9), and is durable against power loss from the next checkpoint.
  // Turning a new file to WAL needs an exclusive lock, and when several processes create the
  // file at once SQLite may answer SQLITE_BUSY without waiting (to avoid a deadlock): retry.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    auto r = connection->exec("PRAGMA journal_mode=WAL");
    if (r) break;
    if ((sqlite3_errcode(connection->get()) & 0xff) != SQLITE_BUSY ||
        std::chrono::steady_clock::now() > deadline) {
      return make_error(path + ": " + r.error().message);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (auto r = connection->exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"); !r) {
    return make_error(path + ": " + r.error().message);
  }
  std::unique_ptr<Database> db(new Database(path, schema, std::move(connection)));
  VS_ASSIGN(int64_t version, user_version(db->sql()));
  if (version != schema.storage_version) {
    if (auto r = db->upgrade(); !r) return make_error(path + ": " + r.error().message);
  }
  return db;
}

Result<void> Database::upgrade() {
  Connection& sql = *connection_;
  VS_TRY(sql.exec("BEGIN IMMEDIATE"));
  auto result = [&]() -> Result<void> {
    VS_ASSIGN(int64_t version, user_version(sql));  // another process may have done it meanwhile
    if (version == schema_.storage_version) return boost::outcome_v2::success();
    if (version > schema_.storage_version) {
      return make_error("database storage version " + std::to_string(version) +
                        " is newer than this program supports (" +
                        std::to_string(schema_.storage_version) + ")");
    }
    VS_TRY(sql.exec("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT)"));
    VS_ASSIGN(auto tables, existing_tables(sql));
    for (const Table& table : schema_.tables) {
      if (!tables.count(sql_table(table))) {
        for (const std::string& ddl : table_ddl(table, schema_)) VS_TRY(sql.exec(ddl));
        continue;
      }
      VS_ASSIGN(auto columns, existing_columns(sql, sql_table(table)));
      for (const Column& column : table.columns) {
        if (column.type.is_inline()) {
          if (!columns.count(column.name)) {
            VS_TRY(sql.exec("ALTER TABLE " + quote_identifier(sql_table(table)) + " ADD COLUMN " +
                            inline_column_definition(column, schema_)));
            std::string index = inline_column_index_ddl(table, column);
            if (!index.empty()) VS_TRY(sql.exec(index));
          }
        } else if (!tables.count(sql_child_table(table, column))) {
          for (const std::string& ddl : child_table_ddl(table, column, schema_)) {
            VS_TRY(sql.exec(ddl));
          }
        }
      }
    }
    for (const Migration& step : kMigrations) {
      if (step.to_version > version && step.to_version <= schema_.storage_version) {
        VS_TRY(sql.exec(step.sql));
      }
    }
    // The single Open_vSwitch row exists from the start, as after `ovs-vsctl init`.
    for (const Table& table : schema_.tables) {
      if (!table.single_row) continue;
      VS_ASSIGN(Statement * count,
                sql.prepare("SELECT count(*) FROM " + quote_identifier(sql_table(table))));
      VS_TRY(count->step());
      bool empty = count->column_int(0) == 0;
      VS_TRY(count->run());
      if (empty) {
        VS_ASSIGN(Statement * insert,
                  sql.prepare("INSERT INTO " + quote_identifier(sql_table(table)) +
                              "(_uuid) VALUES (?)"));
        insert->bind(1, Uuid::random().to_string());
        VS_TRY(insert->run());
      }
    }
    VS_TRY(sql.exec("PRAGMA user_version = " + std::to_string(schema_.storage_version)));
    return sql.exec("COMMIT");
  }();
  if (!result) (void)sql.exec("ROLLBACK");
  return result;
}

}  // namespace vs::ovsdb
