// Noticing that someone else changed the database file: vswitchd must pick up every commit by
// any writer (vsctl, another tool, the sqlite3 shell) within a fraction of a second without
// polling. inotify on the file's directory says that the file or its WAL was written;
// PRAGMA data_version then says whether another connection committed (our own commits do not
// count), so vswitchd's own status write-backs never wake it up.
#pragma once

#include <cstdint>
#include <memory>

#include "lib/result.h"
#include "lib/unique_fd.h"
#include "ovsdb/database.h"

namespace vs::ovsdb {

class ChangeWatcher {
 public:
  // Watches `db`'s file. Errors: inotify could not be set up on the directory.
  static Result<std::unique_ptr<ChangeWatcher>> open(Database& db);

  // Readable when the directory saw a write; for the caller's event loop.
  int fd() const { return inotify_.get(); }

  // Drains the inotify events (without blocking) and returns true if another connection has
  // committed since the previous call (or since open()). Must be called outside a transaction.
  Result<bool> changed();

 private:
  ChangeWatcher(Database& db, UniqueFd inotify, int64_t version)
      : db_(db), inotify_(std::move(inotify)), version_(version) {}

  Database& db_;
  UniqueFd inotify_;
  int64_t version_;
};

}  // namespace vs::ovsdb
