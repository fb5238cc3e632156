// Bridges (bridges.h): reconfiguration, hotplug and status write-back.
#include "vswitchd/bridges.h"

#include <net/if.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <set>
#include <sstream>
#include <tuple>

#include "controller/flow_match.h"
#include "controller/ofp_text.h"
#include "controller/pipeline.h"
#include "datapath/netdev_info.h"
#include "lib/drop_reason.h"
#include "lib/log.h"
#include "lib/openflow_target.h"

namespace vs::vswitchd {
namespace {

using controller::ofp::kPortLocal;
using datapath::Datapath;

constexpr int64_t kLocalOfport = 65534;    // OFPP_LOCAL as OVS writes it in Interface.ofport
constexpr int64_t kMaxOfport = 65279;      // highest ofport_request the schema allows
constexpr int kMaxQueuedPacketIns = 1024;  // per vswitchd, waiting for the control thread

// Interface.ofport as OpenFlow numbers it: 65534 in the database is OFPP_LOCAL on the wire.
uint32_t openflow_port(int64_t ofport) {
  return ofport == kLocalOfport ? kPortLocal : static_cast<uint32_t>(ofport);
}

const char* state_name(int state) {
  static const char* const kNames[] = {"pending", "attached", "missing", "error"};
  return kNames[state];
}

// Kinds whose device someone else creates: the port waits for it rather than failing.
bool waits_for_device(const InterfaceConfig& config) {
  return config.type.empty() || config.type == "system" || config.type == "afxdp" ||
         (config.type == "macvtap" && !config.options.contains("lower"));
}

bool device_exists(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

// Kinds with no Linux device of their own: a GRE port is a socket (tunnels/gre_port.h).
bool has_device(const InterfaceConfig& config) { return config.type != "gre"; }

// ": key=100, remote_ip=198.18.0.2" for dpif/show, as OVS shows a port's options.
std::string options_text(const StringMap& options) {
  std::string text;
  for (const auto& [key, value] : options) text += (text.empty() ? ": " : ", ") + key + "=" + value;
  return text;
}

std::optional<int64_t> parse_integer(const StringMap& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  try {
    size_t used = 0;
    int64_t value = std::stoll(it->second, &used);
    if (used == it->second.size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Columns that are stored and read back but whose feature vswitchd does not enforce yet: the
// row's status says so (DESIGN.md) rather than the switch ignoring them silently.
std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

StringMap not_enforced_status(const std::vector<std::string>& columns) {
  return columns.empty() ? StringMap{} : StringMap{{"not_enforced", join(columns)}};
}

// The Port row's 802.1Q rules. A configuration vlan/ refuses (a VID out of range written around
// vsctl, vlan_mode=dot1q-tunnel) isolates the port rather than guessing.
Result<vlan::PortVlans> port_vlans(const PortConfig& port) {
  return vlan::PortVlans::configure(port.tag, port.trunks, port.vlan_mode, port.priority_tags);
}

// Bridge.protocols as the version bitmap the channel offers: OpenFlow 1.3 when the column is
// empty or names it; nullopt when it leaves it out (then nothing can be negotiated).
std::optional<uint32_t> openflow_versions(const std::vector<std::string>& protocols) {
  if (protocols.empty()) return 0;  // the channel's default
  if (std::find(protocols.begin(), protocols.end(), "OpenFlow13") != protocols.end()) return 0;
  return std::nullopt;
}

std::string hex_datapath_id(uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

std::vector<RowStatus> row_statuses(const Config& config) {
  std::vector<RowStatus> rows;
  for (const BridgeConfig& bridge : config.bridges) {
    std::vector<std::string> columns;
    if (bridge.stp_enable) columns.push_back("stp_enable");
    StringMap wanted = not_enforced_status(columns);
    if (!openflow_versions(bridge.protocols)) {
      wanted["openflow"] =
          "error: protocols leaves out OpenFlow13, the only version vswitch speaks; no "
          "OpenFlow connection can be made";
    }
    rows.push_back({"Bridge", bridge.uuid, bridge.status, std::move(wanted)});
    for (const PortConfig& port : bridge.ports) {
      columns.clear();
      if (port.has_qos) columns.push_back("qos");
      StringMap wanted = not_enforced_status(columns);
      auto vlans = port_vlans(port);
      if (!vlans) {
        wanted["vlan"] = "error: " + vlans.error().message + "; the port forwards nothing";
      } else if (!vlans.value().notes().empty()) {
        wanted["vlan"] = vlans.value().notes();
      }
      rows.push_back({"Port", port.uuid, port.status, std::move(wanted)});
    }
  }
  return rows;
}

}  // namespace

Result<void> Bridges::reconfigure() {
  VS_ASSIGN(Config config, read_config(db_));

  std::map<std::string, std::pair<const InterfaceConfig*, std::string>> wanted;
  std::map<std::string, vlan::PortVlans> vlans;  // by interface name
  written_.clear();
  for (const BridgeConfig& bridge : config.bridges) {
    for (const PortConfig& port : bridge.ports) {
      const auto rules = port_vlans(port);
      for (const InterfaceConfig& iface : port.interfaces) {
        wanted[iface.name] = {&iface, bridge.name};
        vlans[iface.name] = rules ? rules.value() : vlan::PortVlans::none();
        written_[iface.uuid] = iface.current;
      }
    }
  }

  // Interfaces that went away or changed what they are: close them first, so that a device
  // name moving between bridges or kinds is free again.
  for (auto it = ifaces_.begin(); it != ifaces_.end();) {
    auto want = wanted.find(it->first);
    const Iface& live = it->second;
    bool same = want != wanted.end() && want->second.second == live.bridge &&
                want->second.first->type == live.config.type &&
                want->second.first->options == live.config.options &&
                want->second.first->ofport_request == live.config.ofport_request;
    if (same) {
      it->second.config = *want->second.first;  // new uuid or status; same port
      ++it;
      continue;
    }
    detach(it->second);
    it = ifaces_.erase(it);
  }

  std::set<std::string> bridge_names;
  for (const BridgeConfig& bridge : config.bridges) bridge_names.insert(bridge.name);
  for (auto it = bridges_.begin(); it != bridges_.end();) {
    if (bridge_names.contains(it->first)) {
      ++it;
      continue;
    }
    if (auto of = openflow_.find(it->first); of != openflow_.end()) {
      of->second.connections->close();
      openflow_.erase(of);
    }
    forwarding_.call([&](Datapath& dp) {
      xlate_.remove_bridge(it->first);
      dp.invalidate_caches();
    });
    it = bridges_.erase(it);
  }
  for (const BridgeConfig& bridge : config.bridges) apply_bridge_config(bridge);

  for (const auto& [name, want] : wanted) {
    auto [it, added] = ifaces_.try_emplace(name);
    Iface& iface = it->second;
    if (added) {
      iface.config = *want.first;
      iface.bridge = want.second;
    }
    set_vlans(iface, vlans[name]);
    if (iface.state != State::kAttached) attach(iface);
  }
  for (const BridgeConfig& bridge : config.bridges) {
    open_openflow(bridge.name);
    configure_openflow(bridge);
  }
  return write_status(config.next_cfg, nullptr, row_statuses(config));
}

void Bridges::apply_bridge_config(const BridgeConfig& bridge) {
  auto [it, added] = bridges_.try_emplace(bridge.name);
  if (!added && it->second == bridge.other_config) return;
  it->second = bridge.other_config;
  auto aging = parse_integer(bridge.other_config, "mac-aging-time");
  auto size = parse_integer(bridge.other_config, "mac-table-size");
  forwarding_.call([&](Datapath& dp) {
    controller::Ofproto& ofproto = xlate_.add_bridge(bridge.name);
    auto& macs = ofproto.macs();
    macs.set_aging_time(std::chrono::seconds(
        aging.value_or(controller::MacLearningTable::kDefaultAgingTime.count())));
    macs.set_max_entries(static_cast<size_t>(
        std::max<int64_t>(size.value_or(controller::MacLearningTable::kDefaultMaxEntries), 0)));
    xlate_.bump_generation();  // entries may have been evicted or now age differently
    dp.invalidate_caches();
  });
}

Bridges::Bridges(ovsdb::Database& db, datapath::ForwardingThread& forwarding,
                 controller::Xlate& xlate, const datapath::PortFactory& factory,
                 boost::asio::io_context& io, std::string rundir, const Clock& clock)
    : db_(db),
      forwarding_(forwarding),
      xlate_(xlate),
      factory_(factory),
      io_(io),
      rundir_(std::move(rundir)),
      clock_(clock) {
  // Runs on the forwarding thread: hands the packet to the control thread, never waits.
  auto sink = [this](controller::PacketInEvent&& event) {
    if (packet_ins_queued_.fetch_add(1) >= kMaxQueuedPacketIns) {
      packet_ins_queued_.fetch_sub(1);
      packet_ins_dropped_.fetch_add(1);
      return;
    }
    boost::asio::post(io_, [this, event = std::move(event)] {
      packet_ins_queued_.fetch_sub(1);
      if (auto of = openflow_.find(event.bridge); of != openflow_.end()) {
        of->second.connections->send_packet_in(event);
      }
    });
  };
  // Flows that timed out, for the controllers that asked to hear of it.
  auto removed = [this](const std::string& bridge, controller::ofp::FlowRemoved&& message) {
    boost::asio::post(io_, [this, bridge, message = std::move(message)] {
      if (auto of = openflow_.find(bridge); of != openflow_.end()) {
        of->second.connections->send_flow_removed(message);
      }
    });
  };
  forwarding_.call([&](Datapath&) {
    xlate_.set_packet_in_sink(sink);
    xlate_.set_flow_removed_sink(removed);
  });
}

Bridges::~Bridges() { close_all(); }

void Bridges::open_openflow(const std::string& bridge) {
  if (openflow_.contains(bridge)) return;
  auto of_switch = std::make_shared<controller::OfSwitch>(
      bridge, datapath_id(bridge), forwarding_, xlate_, clock_,
      controller::OfSwitch::PortSource{[this, bridge] { return port_descriptions(bridge); },
                                       [this, bridge] { return port_statistics(bridge); },
                                       [this, bridge](const controller::ofp::PortMod& mod) {
                                         return modify_port(bridge, mod);
                                       }});
  auto connections = controller::ConnectionManager::create(io_, clock_, std::move(of_switch));
  if (auto opened = connections->open_management(rundir_ + "/" + bridge + ".mgmt"); !opened) {
    log::get("openflow")->error("bridge {}: {}", bridge, opened.error().message);
    return;  // retried at the next reconfiguration
  }
  connections->set_status_observer([this] { schedule_openflow_status(); });
  openflow_[bridge].connections = std::move(connections);
}

void Bridges::configure_openflow(const BridgeConfig& bridge) {
  auto it = openflow_.find(bridge.name);
  if (it == openflow_.end()) return;
  Openflow& openflow = it->second;
  openflow.bridge_row = bridge.uuid;
  openflow.datapath_id = bridge.datapath_id;
  openflow.controllers = bridge.controllers;
  controller::ConnectionManager& connections = *openflow.connections;
  connections.of_switch().set_datapath_id(datapath_id(bridge.name));
  // An unusable protocols column refuses every version (row_statuses says so).
  connections.set_allowed_versions(openflow_versions(bridge.protocols).value_or(1));
  // fail_mode first: with controllers it changes no flows, without them it is what decides.
  connections.set_fail_mode(bridge.fail_mode == "secure" ? controller::FailMode::kSecure
                                                         : controller::FailMode::kStandalone);
  std::vector<controller::ControllerSettings> controllers;
  for (const ControllerConfig& row : bridge.controllers) {
    controller::ControllerSettings& settings = controllers.emplace_back();
    settings.target = row.target;
    if (row.max_backoff) settings.max_backoff = std::chrono::milliseconds(*row.max_backoff);
    if (row.inactivity_probe) {
      settings.inactivity_probe = std::chrono::milliseconds(*row.inactivity_probe);
    }
  }
  connections.set_controllers(controllers);
}

std::vector<ColumnWrite> Bridges::openflow_columns() {
  std::vector<ColumnWrite> writes;
  for (auto& [name, openflow] : openflow_) {
    const std::string id = hex_datapath_id(openflow.connections->of_switch().datapath_id());
    if (openflow.datapath_id != id) {
      writes.push_back({"Bridge", openflow.bridge_row, "datapath_id", ovsdb::Datum::scalar(id)});
      openflow.datapath_id = id;
    }
    const auto live = openflow.connections->controller_status();
    for (ControllerConfig& row : openflow.controllers) {
      auto status = live.find(row.target);
      if (status == live.end()) continue;
      const controller::ControllerStatus& now = status->second;
      if (row.is_connected != now.is_connected) {
        writes.push_back({"Controller", row.uuid, "is_connected",
                          ovsdb::Datum::scalar(ovsdb::Atom(now.is_connected))});
        row.is_connected = now.is_connected;
      }
      const std::optional<std::string> role =
          now.role.empty() ? std::nullopt : std::optional(now.role);
      if (row.role != role) {
        writes.push_back({"Controller", row.uuid, "role",
                          role ? ovsdb::Datum::scalar(ovsdb::Atom(*role)) : ovsdb::Datum{}});
        row.role = role;
      }
      if (row.status != now.status) {
        ovsdb::Datum map;
        for (const auto& [key, value] : now.status) {
          map.keys.emplace_back(key);
          map.values.emplace_back(value);
        }
        writes.push_back({"Controller", row.uuid, "status", std::move(map)});
        row.status = now.status;
      }
    }
  }
  return writes;
}

void Bridges::schedule_openflow_status() {
  if (openflow_status_pending_) return;
  openflow_status_pending_ = true;
  boost::asio::post(io_, [this] {
    openflow_status_pending_ = false;
    const std::set<std::string> no_interfaces;
    if (auto written = write_status(std::nullopt, &no_interfaces); !written) {
      log::get("openflow")->error("writing controller status: {}", written.error().message);
    }
  });
}

uint64_t Bridges::datapath_id(const std::string& bridge) const {
  // other_config:datapath-id (16 hex digits) first, as OVS; else the local port's MAC.
  if (auto it = bridges_.find(bridge); it != bridges_.end()) {
    if (auto id = it->second.find("datapath-id"); id != it->second.end()) {
      const std::string& text = id->second;
      if (text.size() == 16 &&
          text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
        return std::stoull(text, nullptr, 16);
      }
    }
  }
  uint64_t id = 0;
  if (auto info = datapath::read_netdev_info(bridge)) {
    for (uint8_t byte : info.value().mac) id = id << 8 | byte;
  }
  return id;
}

std::vector<controller::ofp::PortDesc> Bridges::port_descriptions(const std::string& bridge) const {
  std::vector<controller::ofp::PortDesc> ports;
  for (const auto& [name, iface] : ifaces_) {
    if (iface.bridge == bridge && iface.state == State::kAttached) {
      ports.push_back(describe_port(name, iface));
    }
  }
  std::sort(ports.begin(), ports.end(),
            [](const auto& a, const auto& b) { return a.port_no < b.port_no; });
  return ports;
}

controller::ofp::PortDesc Bridges::describe_port(const std::string& name,
                                                 const Iface& iface) const {
  // A virtual port reports what OVS reports for one: 10 Gb/s full duplex, copper.
  namespace ofp = controller::ofp;
  constexpr uint32_t k10GbFdCopper = 0x840;
  ofp::PortDesc port;
  port.port_no = openflow_port(iface.ofport);
  port.name = name;
  if (!has_device(iface.config)) {
    // A tunnel is live while a route leads to its remote end (status_of).
    port.config = iface.port_config;
    port.state = iface.port_mtu != 0 ? ofp::kPortStateLive : ofp::kPortStateLinkDown;
  } else if (auto info = datapath::read_netdev_info(name)) {
    port.hw_addr = info.value().mac;
    port.config = (info.value().up ? 0 : ofp::kPortConfigDown) | iface.port_config;
    port.state = info.value().running ? ofp::kPortStateLive : ofp::kPortStateLinkDown;
  }
  port.curr = port.advertised = port.supported = k10GbFdCopper;
  port.curr_speed = port.max_speed = 10'000'000;
  return port;
}

controller::ofp::OfpResult<void> Bridges::modify_port(const std::string& bridge,
                                                      const controller::ofp::PortMod& mod) {
  namespace ofp = controller::ofp;
  auto it = std::find_if(ifaces_.begin(), ifaces_.end(), [&](const auto& entry) {
    const Iface& iface = entry.second;
    const uint32_t number = openflow_port(iface.ofport);
    return iface.bridge == bridge && iface.state == State::kAttached && number == mod.port_no;
  });
  if (it == ifaces_.end()) return ofp::err::kPortModBadPort;
  Iface& iface = it->second;
  // The address guards against a port renumbered since the controller looked (6.4, 7.3.3).
  auto info = datapath::read_netdev_info(iface.config.name);
  if (!info || info.value().mac != mod.hw_addr) return ofp::err::kPortModBadHwAddr;
  if (mod.mask & ofp::kPortConfigDown) {
    const bool up = !(mod.config & ofp::kPortConfigDown);
    if (auto set = datapath::set_netdev_up(iface.config.name, up); !set) {
      log::get("openflow")->warn("port-mod: {}", set.error().message);
      return ofp::err::kPortModEperm;
    }
  }
  const uint32_t bits = mod.mask & ~ofp::kPortConfigDown;
  iface.port_config = (iface.port_config & ~bits) | (mod.config & bits);
  forwarding_.call([&](Datapath& dp) {
    if (controller::Ofproto* ofproto = xlate_.bridge(bridge)) {
      xlate_.set_port_config(*ofproto, mod.port_no, iface.port_config);
    }
    dp.invalidate_caches();
  });
  // OpenFlow asks for no port-status after a port-mod, but OVS sends one, and the link may
  // have gone down with it: announce what changed.
  announce_port(iface, ofp::PortReason::kModify);
  return boost::outcome_v2::success();
}

void Bridges::announce_port(Iface& iface, controller::ofp::PortReason reason) {
  namespace ofp = controller::ofp;
  ofp::PortDesc desc = describe_port(iface.config.name, iface);
  if (reason == ofp::PortReason::kModify && desc == iface.announced) return;
  iface.announced = desc;
  if (reason != ofp::PortReason::kDelete) {
    // Fast-failover groups watch the same liveness the controllers are told about.
    const bool live = (desc.state & ofp::kPortStateLive) && !(desc.config & ofp::kPortConfigDown);
    forwarding_.call([&](Datapath& dp) {
      controller::Ofproto* ofproto = xlate_.bridge(iface.bridge);
      if (ofproto && xlate_.set_port_live(*ofproto, desc.port_no, live)) dp.invalidate_caches();
    });
  }
  if (auto of = openflow_.find(iface.bridge); of != openflow_.end()) {
    of->second.connections->send_port_status({reason, std::move(desc)});
  }
}

std::vector<controller::ofp::PortStats> Bridges::port_statistics(const std::string& bridge) {
  pull_stats();
  const auto now = clock_.now();
  std::vector<controller::ofp::PortStats> ports;
  for (const auto& [name, iface] : ifaces_) {
    if (iface.bridge != bridge || iface.state != State::kAttached) continue;
    const datapath::PortStats& s = iface.stats;
    controller::ofp::PortStats& port = ports.emplace_back();
    port.port_no = openflow_port(iface.ofport);
    port.rx_packets = s.rx_packets;
    port.tx_packets = s.tx_packets;
    port.rx_bytes = s.rx_bytes;
    port.tx_bytes = s.tx_bytes;
    port.rx_dropped = s.rx_dropped;
    port.tx_dropped = s.tx_dropped;
    port.tx_errors = s.tx_errors;
    const auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - iface.attached_at);
    std::tie(port.duration_sec, port.duration_nsec) = controller::ofp::wire_duration(age);
  }
  std::sort(ports.begin(), ports.end(),
            [](const auto& a, const auto& b) { return a.port_no < b.port_no; });
  return ports;
}

int64_t Bridges::allocate_ofport(const Iface& iface) const {
  if (is_bridge_local(iface)) return kLocalOfport;
  std::set<int64_t> used;
  for (const auto& [name, other] : ifaces_) {
    if (&other != &iface && other.bridge == iface.bridge && other.ofport > 0) {
      used.insert(other.ofport);
    }
  }
  auto usable = [&](std::optional<int64_t> n) {
    return n && *n >= 1 && *n <= kMaxOfport && !used.contains(*n);
  };
  // ofport_request first; then the number the row had, so that a restart keeps every number.
  if (usable(iface.config.ofport_request)) return *iface.config.ofport_request;
  if (usable(iface.config.current.ofport)) return *iface.config.current.ofport;
  int64_t n = 1;
  while (used.contains(n)) ++n;
  return n;
}

void Bridges::attach(Iface& iface) {
  const InterfaceConfig& config = iface.config;
  if (waits_for_device(config) && !device_exists(config.name)) {
    if (iface.state != State::kMissing) iface.state = State::kPending;
    iface.error = "no device named " + config.name + " (attached when it appears)";
    return;
  }
  auto port = factory_.create({config.name, config.type, config.options, is_bridge_local(iface)});
  if (!port) {
    iface.state = State::kError;
    iface.error = port.error().message;
    return;
  }
  auto info = datapath::read_netdev_info(config.name);
  int64_t ofport = allocate_ofport(iface);
  uint32_t of_number = openflow_port(ofport);
  int port_mtu = 0;
  auto added = forwarding_.call([&](Datapath& dp) -> Result<uint32_t> {
    VS_ASSIGN(uint32_t dp_port, dp.add_port(std::move(port).value()));
    port_mtu = dp.port(dp_port)->mtu();
    controller::Ofproto& bridge = xlate_.add_bridge(iface.bridge);
    xlate_.attach_port(bridge, of_number, dp_port, config.name, iface.vlans);
    xlate_.set_port_config(bridge, of_number, iface.port_config);
    dp.invalidate_caches();
    return dp_port;
  });
  if (!added) {
    iface.state = State::kError;
    iface.error = added.error().message;
    return;
  }
  iface.state = State::kAttached;
  iface.error.clear();
  iface.dp_port = added.value();
  iface.ofport = ofport;
  iface.ifindex = info ? info.value().ifindex : 0;
  iface.stats = {};
  iface.port_mtu = port_mtu;
  iface.attached_at = clock_.now();
  announce_port(iface, controller::ofp::PortReason::kAdd);
}

void Bridges::set_vlans(Iface& iface, const vlan::PortVlans& vlans) {
  if (iface.vlans == vlans) return;
  iface.vlans = vlans;
  if (!iface.dp_port) return;  // attach() hands them over
  forwarding_.call([&](Datapath& dp) {
    xlate_.set_port_vlans(*iface.dp_port, vlans);
    dp.invalidate_caches();  // cached flows carry the old rules' tagging
  });
}

void Bridges::detach(Iface& iface) {
  if (!iface.dp_port) return;
  announce_port(iface, controller::ofp::PortReason::kDelete);
  uint32_t dp_port = *iface.dp_port;
  forwarding_.call([&](Datapath& dp) {
    xlate_.detach_port(dp_port);
    dp.remove_port(dp_port);
  });
  iface.dp_port.reset();
  iface.ofport = -1;
  iface.ifindex = 0;
}

Result<void> Bridges::on_link_events(const std::vector<datapath::LinkEvent>& events) {
  std::set<std::string> touched;
  for (const auto& event : events) {
    if (handle_link_event(event)) touched.insert(event.name);
  }
  return write_status(std::nullopt, &touched);
}

bool Bridges::handle_link_event(const datapath::LinkEvent& event) {
  auto it = ifaces_.find(event.name);
  if (it == ifaces_.end()) return false;
  Iface& iface = it->second;
  switch (event.kind) {
    case datapath::LinkEvent::kAdded:
    case datapath::LinkEvent::kChanged:
      if (iface.state == State::kPending || iface.state == State::kMissing) {
        attach(iface);
      } else if (iface.state == State::kAttached) {
        announce_port(iface, controller::ofp::PortReason::kModify);  // up, down, carrier
      }
      break;
    case datapath::LinkEvent::kRemoved:
      // Only the device this port holds: closing or re-creating a port reports the old
      // device's removal after the new one exists. A kind that made its own device (tap,
      // internal, macvtap on a lower) keeps forwarding through its descriptor when the device
      // leaves our namespace (a TAP handed to a container): only a netdev reached by name,
      // through AF_PACKET, is really gone.
      if (iface.state != State::kAttached || event.ifindex != iface.ifindex ||
          !waits_for_device(iface.config)) {
        break;
      }
      detach(iface);
      iface.state = State::kMissing;
      iface.error = "device " + iface.config.name + " went away (re-attached when it returns)";
      break;
  }
  return true;  // link and admin state may have changed whatever the kind
}

Result<void> Bridges::on_link_resync(const std::vector<datapath::LinkEvent>& links) {
  std::map<std::string, int> present;
  for (const auto& link : links) present[link.name] = link.ifindex;
  std::vector<datapath::LinkEvent> events;
  for (auto& [name, iface] : ifaces_) {
    auto it = present.find(name);
    if (iface.state == State::kAttached && (it == present.end() || it->second != iface.ifindex)) {
      events.push_back({datapath::LinkEvent::kRemoved, name, iface.ifindex, false, false});
    }
    if (it != present.end()) {
      events.push_back({datapath::LinkEvent::kAdded, name, it->second, false, false});
    }
  }
  return on_link_events(events);
}

Result<void> Bridges::refresh_status() {
  pull_stats();
  return write_status(std::nullopt);
}

std::vector<datapath::DatapathPortInfo> Bridges::pull_stats() {
  auto ports = forwarding_.call([](Datapath& dp) { return dp.ports(); });
  std::map<uint32_t, const datapath::DatapathPortInfo*> by_number;
  for (const auto& p : ports) by_number[p.number] = &p;
  for (auto& [name, iface] : ifaces_) {
    if (!iface.dp_port) continue;
    if (auto it = by_number.find(*iface.dp_port); it != by_number.end()) {
      iface.stats = it->second->stats;
      iface.port_mtu = it->second->mtu;
    }
  }
  return ports;
}

InterfaceStatus Bridges::status_of(const Iface& iface) const {
  InterfaceStatus s;
  s.status["state"] = state_name(static_cast<int>(iface.state));
  std::vector<std::string> columns;
  if (iface.config.ingress_policing_rate > 0 || iface.config.ingress_policing_burst > 0) {
    columns.push_back("ingress_policing_rate");
  }
  if (iface.config.mtu_request) columns.push_back("mtu_request");
  s.status.merge(not_enforced_status(columns));
  if (iface.state != State::kAttached) {
    s.ofport = -1;
    s.error = iface.error;
    return s;
  }
  s.ofport = iface.ofport;
  if (!has_device(iface.config)) {
    // A tunnel: its MTU is what fits in the underlay; its link is up while a route leads to
    // the remote end (no route: mtu 0), or always with remote_ip=flow (mtu -1: datapath/port.h).
    if (iface.port_mtu > 0) s.mtu = iface.port_mtu;
    s.admin_state = "up";
    s.link_state = iface.port_mtu != 0 ? "up" : "down";
  } else if (auto info = datapath::read_netdev_info(iface.config.name)) {
    s.mac_in_use = datapath::format_mac(info.value().mac);
    s.mtu = info.value().mtu;
    s.admin_state = info.value().up ? "up" : "down";
    s.link_state = info.value().running ? "up" : "down";
  }
  const datapath::PortStats& st = iface.stats;
  s.statistics = {{"rx_packets", st.rx_packets}, {"rx_bytes", st.rx_bytes},
                  {"rx_dropped", st.rx_dropped}, {"tx_packets", st.tx_packets},
                  {"tx_bytes", st.tx_bytes},     {"tx_dropped", st.tx_dropped},
                  {"tx_errors", st.tx_errors}};
  return s;
}

Result<void> Bridges::write_status(std::optional<int64_t> cur_cfg,
                                   const std::set<std::string>* only,
                                   const std::vector<RowStatus>& rows) {
  std::map<Uuid, InterfaceStatus> statuses;
  for (const auto& [name, iface] : ifaces_) {
    if (!only || only->contains(name)) statuses[iface.config.uuid] = status_of(iface);
  }
  VS_TRY(vswitchd::write_status(db_, statuses, written_, rows, cur_cfg, openflow_columns()));
  for (auto& [uuid, status] : statuses) written_[uuid] = std::move(status);
  return boost::outcome_v2::success();
}

void Bridges::close_all() {
  if (closed_) return;  // the forwarding thread may be gone by the destructor's call
  closed_ = true;
  forwarding_.call([&](Datapath&) {
    xlate_.set_packet_in_sink(nullptr);
    xlate_.set_flow_removed_sink(nullptr);
  });
  for (auto& [name, openflow] : openflow_) openflow.connections->close();
  openflow_.clear();
  for (auto& [name, iface] : ifaces_) detach(iface);
  ifaces_.clear();
}

std::string Bridges::dpif_show() {
  const auto ports = pull_stats();
  auto stats = forwarding_.call([](Datapath& dp) { return dp.stats(); });
  std::ostringstream out;
  out << "netdev@vswitch: hit:" << stats.emc_hits + stats.megaflow_hits
      << " missed:" << stats.upcalls << "\n";
  out << "  flows: " << stats.megaflows << " megaflows, " << stats.invalidations
      << " invalidations; " << stats.busy_ports << " ports busy-polled\n";
  std::map<std::string, std::vector<const Iface*>> by_bridge;
  for (const auto& [name, iface] : ifaces_) by_bridge[iface.bridge].push_back(&iface);
  for (const auto& [bridge, ifaces] : by_bridge) {
    out << "  " << bridge << ":\n";
    for (const Iface* iface : ifaces) {
      const std::string type = iface->config.type.empty() ? "system" : iface->config.type;
      if (iface->state != State::kAttached) {
        out << "    " << iface->config.name << " -/-: (" << type << ": "
            << state_name(static_cast<int>(iface->state)) << ": " << iface->error << ")\n";
        continue;
      }
      const datapath::PortStats& s = iface->stats;
      out << "    " << iface->config.name << " " << iface->ofport << "/" << *iface->dp_port << ": ("
          << type << (has_device(iface->config) ? "" : options_text(iface->config.options))
          << ") rx:" << s.rx_packets << " pkts " << s.rx_bytes << " bytes " << s.rx_dropped
          << " dropped, tx:" << s.tx_packets << " pkts " << s.tx_bytes << " bytes " << s.tx_dropped
          << " dropped " << s.tx_errors << " errors\n";
    }
  }
  // Datapath ports in no bridge: the receiver of every GRE port (gre_sys); coverage/show says
  // why it dropped what it dropped.
  std::set<uint32_t> bridged;
  for (const auto& [name, iface] : ifaces_) {
    if (iface.dp_port) bridged.insert(*iface.dp_port);
  }
  for (const auto& p : ports) {
    if (bridged.contains(p.number)) continue;
    out << "  " << p.name << " -/" << p.number << ": rx:" << p.stats.rx_packets << " pkts "
        << p.stats.rx_bytes << " bytes " << p.stats.rx_dropped << " dropped\n";
  }
  return out.str();
}

Result<std::string> Bridges::fdb_show(const std::string& bridge) {
  if (!bridges_.contains(bridge)) return make_error("no such bridge");
  auto entries = forwarding_.call([&](Datapath&) {
    controller::Ofproto* ofproto = xlate_.bridge(bridge);
    return ofproto ? ofproto->macs().entries() : std::vector<controller::MacLearningTable::Entry>{};
  });
  std::ostringstream out;
  out << " port  VLAN  MAC                Age\n";
  for (const auto& e : entries) {
    char line[80];
    std::string port = e.port == kPortLocal ? "LOCAL" : std::to_string(e.port);
    std::snprintf(line, sizeof line, "%5s  %4u  %s  %3u\n", port.c_str(), e.vlan,
                  datapath::format_mac(e.mac).c_str(), e.age_seconds);
    out << line;
  }
  return out.str();
}

Result<std::string> Bridges::fdb_flush(const std::optional<std::string>& bridge) {
  if (bridge && !bridges_.contains(*bridge)) return make_error("no such bridge");
  forwarding_.call([&](Datapath& dp) {
    for (const auto& [name, ofproto] : xlate_.bridges()) {
      if (!bridge || name == *bridge) ofproto->macs().flush();
    }
    xlate_.bump_generation();
    dp.invalidate_caches();
  });
  return std::string("table successfully flushed\n");
}

Result<std::string> Bridges::trace(const std::string& bridge, const std::string& flow) {
  const controller::ofp::PortLookup by_name =
      [&](std::string_view name) -> Result<std::optional<uint32_t>> {
    auto it = ifaces_.find(std::string(name));
    if (it == ifaces_.end() || it->second.bridge != bridge || it->second.ofport < 0) {
      return std::optional<uint32_t>{};
    }
    const int64_t ofport = it->second.ofport;
    return std::optional(openflow_port(ofport));
  };
  VS_ASSIGN(auto parsed, controller::ofp::parse_flow_stats_request(flow, false, by_name));
  const controller::ofp::Match& match = parsed.value.match;
  const bool has_in_port = std::any_of(match.begin(), match.end(), [](const auto& oxm) {
    return oxm.field == controller::ofp::OxmField::kInPort;
  });
  if (!has_in_port) return make_error("the flow needs an in_port (a number or a port name)");
  auto fields = controller::to_flow_match(match);
  if (!fields) return make_error("the flow's fields are not all usable in a flow key");
  std::optional<std::string> out = forwarding_.call([&](Datapath&) -> std::optional<std::string> {
    controller::Ofproto* ofproto = xlate_.bridge(bridge);
    if (ofproto == nullptr) return std::nullopt;
    return xlate_.trace(*ofproto, fields.value().key);
  });
  if (!out) return make_error("no bridge named " + bridge);
  std::string text = "Flow: " + controller::ofp::format_match(match, 0x8000) + "\n\n";
  for (const std::string& warning : parsed.warnings) text += "warning: " + warning + "\n";
  return text + *out;
}

std::string Bridges::coverage_show() {
  auto stats = forwarding_.call([](Datapath& dp) { return dp.stats(); });
  std::ostringstream out;
  out << "Datapath counters:\n";
  out << "  rx_packets " << stats.rx_packets << "\n  emc_hits " << stats.emc_hits
      << "\n  megaflow_hits " << stats.megaflow_hits << "\n  upcalls " << stats.upcalls
      << "\n  flow_drops " << stats.flow_drops << "  (a flow said drop, e.g. no hairpin)"
      << "\n  no_buffer " << stats.no_buffer << "\n  cache_invalidations " << stats.invalidations
      << "\n  packet_in_dropped " << packet_ins_dropped_.load() << "  (more than "
      << kMaxQueuedPacketIns << " waited for the controllers)\n";
  out << "Dropped frames by reason:\n";
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    auto reason = static_cast<DropReason>(i);
    out << "  " << drop_reason_name(reason) << " " << stats.drops[i] << "  ("
        << drop_reason_description(reason) << ")\n";
  }
  return out.str();
}

}  // namespace vs::vswitchd
