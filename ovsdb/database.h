// The configuration database file: opening (created on first use), SQLite settings, the SQL
// layout derived from the schema, and forward migrations.
//
// Layout: each OVSDB table T is an SQL table "T" keyed by _uuid, holding its single-valued
// columns (scalars and optional values; NULL = absent). Each set or map column c lives in a
// child table "T.c" (_row, key[, value]) whose rows cascade with their parent. Columns that
// reference rows carry foreign keys (deferred to commit), so the file itself refuses dangling
// references, and exclusive references (a port in one bridge) carry unique indexes.
//
// The file's PRAGMA user_version is the storage version. Opening an older file upgrades it in
// one transaction: tables and columns the schema gained are added (with their defaults), then
// any hand-written steps run. A newer file is refused.
#pragma once

#include <memory>
#include <string>

#include "lib/result.h"
#include "ovsdb/schema.h"
#include "ovsdb/sqlite.h"

namespace vs::ovsdb {

// Where the database lives unless --db or VSWITCH_DB says otherwise.
inline constexpr const char* kDefaultDbPath = "/var/lib/vswitch/conf.db";

// --db if given, else $VSWITCH_DB, else the default path.
std::string resolve_db_path(const std::string& flag_value);

// SQL names derived from the schema.
std::string sql_table(const Table& table);
std::string sql_child_table(const Table& table, const Column& column);
std::string quote_identifier(std::string_view name);

class Database {
 public:
  // Opens (creating file, directories and schema when missing) and upgrades the file.
  static Result<std::unique_ptr<Database>> open(const std::string& path,
                                                const Schema& schema = vswitch_schema());

  const Schema& schema() const { return schema_; }
  Connection& sql() { return *connection_; }
  const std::string& path() const { return path_; }

 private:
  Database(std::string path, const Schema& schema, std::unique_ptr<Connection> connection)
      : path_(std::move(path)), schema_(schema), connection_(std::move(connection)) {}

  Result<void> upgrade();

  std::string path_;
  const Schema& schema_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace vs::ovsdb
