// One bridge as the OpenFlow layer sees it (OVS's ofproto): its ports under OpenFlow numbers
// mapped to datapath ports with their VLAN rules, its pipeline and group table, and the MAC
// learning table NORMAL uses. Xlate (xlate.h) owns every Ofproto and, like them, lives on the
// forwarding thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "controller/group_table.h"
#include "controller/mac_learning.h"
#include "controller/pipeline.h"
#include "lib/clock.h"
#include "vlan/port_vlans.h"

namespace vs::controller {

class Ofproto {
 public:
  struct PortEntry {
    uint32_t dp_port;
    std::string name;
    vlan::PortVlans vlans;  // the Port row's 802.1Q rules, as NORMAL applies them
    // OpenFlow port-mod's NO_RECV, NO_FWD and NO_PACKET_IN bits (ofp::kPortConfig*): drop what
    // it receives, send nothing out of it, send no packet-in for what it receives.
    uint32_t config = 0;
    // Link up and not administratively down: what fast-failover groups watch (OFPPS_LIVE).
    bool live = true;
  };

  Ofproto(std::string name, uint64_t id, const Clock& clock)
      : name_(std::move(name)), id_(id), pipeline_(clock.now()), macs_(clock) {}

  const std::string& name() const { return name_; }
  // Unique among the bridges of one Xlate, never reused: names the bridge in datapath actions.
  uint64_t id() const { return id_; }
  Pipeline& pipeline() { return pipeline_; }
  const Pipeline& pipeline() const { return pipeline_; }
  GroupTable& groups() { return groups_; }
  const GroupTable& groups() const { return groups_; }
  MacLearningTable& macs() { return macs_; }
  const MacLearningTable& macs() const { return macs_; }

  // Ports by OpenFlow number (ofp::kPortLocal for the bridge's own port), in number order: the
  // order NORMAL floods in.
  const std::map<uint32_t, PortEntry>& ports() const { return ports_; }
  void add_port(uint32_t ofport, PortEntry entry) { ports_[ofport] = std::move(entry); }
  void remove_port(uint32_t ofport) { ports_.erase(ofport); }
  PortEntry* port(uint32_t ofport) {
    auto it = ports_.find(ofport);
    return it == ports_.end() ? nullptr : &it->second;
  }
  std::optional<uint32_t> dp_port(uint32_t ofport) const {
    auto it = ports_.find(ofport);
    return it == ports_.end() ? std::nullopt : std::optional(it->second.dp_port);
  }

  // Fail-open (OVS fail_open.c): while set, every packet goes to NORMAL and the flow tables,
  // kept as they are, are not consulted. Set while a standalone bridge's controllers are lost.
  bool fail_open() const { return fail_open_; }
  void set_fail_open(bool on) { fail_open_ = on; }

 private:
  std::string name_;
  uint64_t id_;
  bool fail_open_ = false;
  Pipeline pipeline_;
  GroupTable groups_;
  MacLearningTable macs_;
  std::map<uint32_t, PortEntry> ports_;
};

}  // namespace vs::controller
