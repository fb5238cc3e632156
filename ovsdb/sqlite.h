// Thin RAII wrappers over the SQLite C API: a connection and prepared statements, with errors
// returned as Result. Only ovsdb/ talks SQL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lib/result.h"

namespace vs::ovsdb {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }
  // Parameters are numbered from 1, as in SQLite.
  Statement& bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& bind(int index, double value) {
    sqlite3_bind_double(stmt_, index, value);
    return *this;
  }
  Statement& bind(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Result<void> run();

  int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string_view column_text(int i) const {
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return text ? std::string_view(text, sqlite3_column_bytes(stmt_, i)) : std::string_view();
  }

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results.
  Result<void> exec(std::string_view sql);
  // A prepared statement from this connection's cache, reset and ready to bind.
  Result<Statement*> prepare(const std::string& sql);
  // The most recent error message of this connection.
  std::string last_error() const { return sqlite3_errmsg(db_); }
  // Resets every cached statement. A statement left on a row keeps its read snapshot open
  // (WAL), so later reads on this connection would not see other processes' commits: call
  // this whenever a transaction ends.
  void reset_statements();
  int64_t total_changes() const { return sqlite3_total_changes64(db_); }
  sqlite3* get() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, Statement> cache_;
};

}  // namespace vs::ovsdb
