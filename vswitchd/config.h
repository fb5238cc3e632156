// The database as vswitchd reads and writes it: the configuration in plain structs (one read
// transaction per reconfiguration), and the Interface columns vswitchd owns written back in one
// status transaction that leaves next_cfg alone (ovsdb/txn.h, NextCfg::kKeep).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/result.h"
#include "lib/uuid.h"
#include "ovsdb/database.h"
#include "ovsdb/datum.h"

namespace vs::vswitchd {

using StringMap = std::map<std::string, std::string>;

// The Interface columns vswitchd writes. Unset optionals are written as empty columns.
struct InterfaceStatus {
  std::optional<int64_t> ofport;
  std::optional<std::string> mac_in_use;
  std::optional<std::string> admin_state;  // "up" / "down"
  std::optional<std::string> link_state;
  std::optional<int64_t> mtu;
  std::optional<std::string> error;
  StringMap status;
  std::map<std::string, int64_t> statistics;

  bool operator==(const InterfaceStatus&) const = default;
};

struct InterfaceConfig {
  Uuid uuid;
  std::string name;
  std::string type;
  StringMap options;
  std::optional<int64_t> ofport_request;
  // Stored but not enforced yet (vswitchd says so in status:not_enforced).
  int64_t ingress_policing_rate = 0;
  int64_t ingress_policing_burst = 0;
  std::optional<int64_t> mtu_request;
  InterfaceStatus current;  // what the row holds now
};

struct PortConfig {
  Uuid uuid;
  std::string name;
  std::vector<InterfaceConfig> interfaces;
  std::optional<int64_t> tag;  // 802.1Q: tag, trunks and vlan_mode as the row holds them
  std::vector<int64_t> trunks;
  std::string vlan_mode;      // empty: the default
  std::string priority_tags;  // other_config:priority-tags
  // Stored but not enforced yet.
  bool has_qos = false;
  StringMap status;  // Port.status as the row holds it now
};

// A Controller row: its settings, and the columns vswitchd writes as the row holds them now.
struct ControllerConfig {
  Uuid uuid;
  std::string target;
  std::optional<int64_t> max_backoff;       // ms
  std::optional<int64_t> inactivity_probe;  // ms; 0 disables probes
  bool is_connected = false;
  std::optional<std::string> role;
  StringMap status;
};

struct BridgeConfig {
  Uuid uuid;
  std::string name;
  std::vector<PortConfig> ports;
  StringMap other_config;
  std::vector<ControllerConfig> controllers;
  std::optional<std::string> fail_mode;
  std::vector<std::string> protocols;
  std::optional<std::string> datapath_id;  // as the row holds it now
  // Stored but not enforced yet.
  bool stp_enable = false;
  StringMap status;  // Bridge.status as the row holds it now
};

// One column of one row, written with the status (Controller and Bridge columns vswitchd owns).
struct ColumnWrite {
  const char* table;
  Uuid uuid;
  const char* column;
  ovsdb::Datum value;
};

// A Bridge or Port row whose status column vswitchd writes.
struct RowStatus {
  const char* table;  // "Bridge" or "Port"
  Uuid uuid;
  StringMap current;
  StringMap wanted;
};

struct Config {
  int64_t next_cfg = 0;
  int64_t cur_cfg = 0;
  std::vector<BridgeConfig> bridges;  // by name
};

// Reads every bridge, port and interface in one read transaction.
Result<Config> read_config(ovsdb::Database& db);

// Writes `statuses` (Interface row -> status) and the `rows` whose wanted status differs from
// the current one, in one transaction without bumping next_cfg, and cur_cfg if given. Rows
// deleted meanwhile are skipped. Only changed columns are written.
Result<void> write_status(ovsdb::Database& db, const std::map<Uuid, InterfaceStatus>& statuses,
                          const std::map<Uuid, InterfaceStatus>& previous,
                          const std::vector<RowStatus>& rows, std::optional<int64_t> cur_cfg,
                          const std::vector<ColumnWrite>& columns = {});

}  // namespace vs::vswitchd
