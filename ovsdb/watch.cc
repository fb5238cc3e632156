// ChangeWatcher (watch.h): inotify on the directory, PRAGMA data_version for the verdict.
#include "ovsdb/watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vs::ovsdb {
namespace {

Result<int64_t> data_version(Database& db) {
  VS_ASSIGN(Statement * stmt, db.sql().prepare("PRAGMA data_version"));
  VS_ASSIGN(bool row, stmt->step());
  int64_t version = row ? stmt->column_int(0) : 0;
  VS_TRY(stmt->run());
  return version;
}

}  // namespace

Result<std::unique_ptr<ChangeWatcher>> ChangeWatcher::open(Database& db) {
  UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify) return make_error(std::string("inotify_init1: ") + std::strerror(errno));
  // The directory, not the file: SQLite creates and deletes the -wal and -journal files, and a
  // writer may replace the file itself.
  std::string dir = std::filesystem::absolute(db.path()).parent_path().string();
  if (::inotify_add_watch(inotify.get(), dir.c_str(),
                          IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO) < 0) {
    return make_error("cannot watch " + dir + ": " + std::strerror(errno));
  }
  VS_ASSIGN(int64_t version, data_version(db));
  return std::unique_ptr<ChangeWatcher>(new ChangeWatcher(db, std::move(inotify), version));
}

Result<bool> ChangeWatcher::changed() {
  alignas(inotify_event) char buffer[4096];
  while (::read(inotify_.get(), buffer, sizeof buffer) > 0) {
  }
  VS_ASSIGN(int64_t version, data_version(db_));
  db_.sql().reset_statements();
  if (version == version_) return false;
  version_ = version;
  return true;
}

}  // namespace vs::ovsdb
