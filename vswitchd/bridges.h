// The composition root's heart (OVS vswitchd/bridge.c): diffs the database's bridges, ports and
// interfaces against the live ones, opens and closes ports, keeps every interface's life cycle
// visible in its row, and acknowledges cur_cfg once a configuration is applied.
//
// Interface life cycle (Interface.status:state, with Interface.error saying why):
//   pending   configured, its device does not exist yet: attached the moment it appears
//   attached  forwarding; ofport, mac_in_use, mtu, admin_state, link_state filled in
//   missing   its device went away underneath: re-attached when it comes back
//   error     could not be opened for another reason (Interface.error); retried at the next
//             reconfiguration
// Every state but attached has ofport -1, as OVS writes for an interface it could not open.
//
// Threads: everything here runs on the control thread; the datapath and the OpenFlow state are
// reached through ForwardingThread::call().
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/connmgr.h"
#include "controller/of_switch.h"
#include "controller/xlate.h"
#include "datapath/forwarding_thread.h"
#include "datapath/link_monitor.h"
#include "datapath/port_factory.h"
#include "lib/result.h"
#include "ovsdb/database.h"
#include "vswitchd/config.h"

namespace vs::vswitchd {

class Bridges {
 public:
  // Each bridge's OpenFlow connections (its management socket `rundir`/BRIDGE.mgmt and its
  // controllers) are served on `io`; packet-ins come from `xlate` through it.
  Bridges(ovsdb::Database& db, datapath::ForwardingThread& forwarding, controller::Xlate& xlate,
          const datapath::PortFactory& factory, boost::asio::io_context& io, std::string rundir,
          const Clock& clock);
  ~Bridges();  // close_all(), unless done already

  // Reads the database, makes the live bridges and ports match it, writes their status back
  // and sets cur_cfg to the next_cfg it read. Errors: only database errors; a port that cannot
  // be opened is an Interface.error, not a failure.
  Result<void> reconfigure();

  // Netlink: devices appeared, changed or went away. Writes the resulting status once.
  Result<void> on_link_events(const std::vector<datapath::LinkEvent>& events);
  // Netlink lost events: `links` is every device that exists now.
  Result<void> on_link_resync(const std::vector<datapath::LinkEvent>& links);

  // Reads the ports' counters and writes statistics, link states and controller states that
  // changed.
  Result<void> refresh_status();

  // Closes every port and OpenFlow connection (shutdown): internal and created devices
  // disappear. Call it while the forwarding thread runs; later calls do nothing.
  void close_all();

  // vsappctl commands; an Error is reported to the caller as the command's failure.
  std::string dpif_show();
  Result<std::string> fdb_show(const std::string& bridge);
  Result<std::string> fdb_flush(const std::optional<std::string>& bridge);
  std::string coverage_show();
  // ofproto/trace BRIDGE FLOW: FLOW in ovs-ofctl's match syntax, with in_port (a number or a
  // port name); the walk through the tables and the datapath actions (Xlate::trace).
  Result<std::string> trace(const std::string& bridge, const std::string& flow);

 private:
  enum class State { kPending, kAttached, kMissing, kError };

  struct Iface {
    InterfaceConfig config;
    std::string bridge;
    State state = State::kPending;
    std::string error;
    std::optional<uint32_t> dp_port;
    int64_t ofport = -1;  // as written to the database: 65534 for the bridge's local port
    int ifindex = 0;      // of the device the port is attached to
    datapath::PortStats stats;
    int port_mtu = 0;  // Port::mtu(): a tunnel's inner MTU (0: no route, -1: flow-chosen)
    vlan::PortVlans vlans;                // its Port's 802.1Q rules, as NORMAL applies them
    Clock::TimePoint attached_at{};       // for OpenFlow port stats' duration
    controller::ofp::PortDesc announced;  // in the last port-status sent to controllers
    uint32_t port_config = 0;             // port-mod's NO_RECV / NO_FWD / NO_PACKET_IN bits
  };

  static bool is_bridge_local(const Iface& iface) {
    return iface.config.type == "internal" && iface.config.name == iface.bridge;
  }
  void attach(Iface& iface);
  void detach(Iface& iface);
  // Live reconfiguration of the interface's VLAN rules (its Port's tag, trunks, vlan_mode).
  void set_vlans(Iface& iface, const vlan::PortVlans& vlans);
  int64_t allocate_ofport(const Iface& iface) const;
  // The datapath's port counters (and tunnels' MTUs) into ifaces_; returns every datapath port,
  // those in no bridge (gre_sys) too.
  std::vector<datapath::DatapathPortInfo> pull_stats();
  InterfaceStatus status_of(const Iface& iface) const;
  // True if the event concerned one of our interfaces.
  bool handle_link_event(const datapath::LinkEvent& event);
  // Writes the status of every interface, or only of those named in `only`, `rows`, and the
  // OpenFlow columns (Controller rows, Bridge.datapath_id) that changed.
  Result<void> write_status(std::optional<int64_t> cur_cfg,
                            const std::set<std::string>* only = nullptr,
                            const std::vector<RowStatus>& rows = {});
  void apply_bridge_config(const BridgeConfig& bridge);
  // The bridge's OpenFlow side: its switch and connections, opened once, then configured from
  // the row (controllers, fail_mode, protocols, datapath id).
  void open_openflow(const std::string& bridge);
  void configure_openflow(const BridgeConfig& bridge);
  // The Controller and Bridge columns whose live value differs from what the rows hold.
  std::vector<ColumnWrite> openflow_columns();
  // A controller's state changed: write the rows soon, once for a burst of changes.
  void schedule_openflow_status();
  std::vector<controller::ofp::PortDesc> port_descriptions(const std::string& bridge) const;
  controller::ofp::PortDesc describe_port(const std::string& name, const Iface& iface) const;
  // OFPT_PORT_MOD: PORT_DOWN sets the device's admin state; the other bits go to translation.
  controller::ofp::OfpResult<void> modify_port(const std::string& bridge,
                                               const controller::ofp::PortMod& mod);
  // Tells the bridge's controllers (OFPT_PORT_STATUS) that the port was added, deleted, or
  // changed; a modification only if its description did change since the last message.
  void announce_port(Iface& iface, controller::ofp::PortReason reason);
  std::vector<controller::ofp::PortStats> port_statistics(const std::string& bridge);
  uint64_t datapath_id(const std::string& bridge) const;

  struct Openflow {
    std::shared_ptr<controller::ConnectionManager> connections;
    Uuid bridge_row;
    std::optional<std::string> datapath_id;     // as the row holds it
    std::vector<ControllerConfig> controllers;  // the rows, as they hold them
  };

  ovsdb::Database& db_;
  datapath::ForwardingThread& forwarding_;
  controller::Xlate& xlate_;
  const datapath::PortFactory& factory_;
  std::map<std::string, Iface> ifaces_;       // by name: names are unique in the database
  std::map<std::string, StringMap> bridges_;  // live bridges and the other_config applied
  std::map<Uuid, InterfaceStatus> written_;   // what the rows hold, as last read or written
  boost::asio::io_context& io_;
  std::string rundir_;
  const Clock& clock_;
  std::map<std::string, Openflow> openflow_;  // by bridge name
  bool openflow_status_pending_ = false;
  bool closed_ = false;
  // Packet-ins posted to the control thread and not yet sent: bounded, so that a flood to a
  // slow controller cannot eat memory (the excess is dropped and counted).
  std::atomic<int> packet_ins_queued_ = 0;
  std::atomic<uint64_t> packet_ins_dropped_ = 0;
};

}  // namespace vs::vswitchd
