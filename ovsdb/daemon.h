// Where vswitchd records that it serves a database file, so that vsctl (and any other
// client) can find it from the file alone, and the configuration sequence numbers it
// acknowledges (Open_vSwitch.next_cfg requested by writers, cur_cfg applied by vswitchd).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lib/result.h"
#include "ovsdb/database.h"

namespace vs::ovsdb {

struct DaemonRecord {
  int64_t pid = 0;
  std::string control_socket;  // path of vswitchd.ctl
};

Result<std::optional<DaemonRecord>> read_daemon_record(Database& db);
// Each in its own transaction.
Result<void> write_daemon_record(Database& db, const DaemonRecord& record);
Result<void> clear_daemon_record(Database& db);

struct ConfigSequence {
  int64_t next_cfg = 0;
  int64_t cur_cfg = 0;
};
Result<ConfigSequence> read_config_sequence(Database& db);
// Records that the configuration up to `cur_cfg` is applied (vswitchd, and tests standing in
// for it).
Result<void> write_cur_cfg(Database& db, int64_t cur_cfg);

}  // namespace vs::ovsdb
