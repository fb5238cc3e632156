// Xlate (xlate.h): pipeline walk, OpenFlow output ports to datapath ports, and NORMAL.
#include "controller/xlate.h"

#include <arpa/inet.h>

#include <cstring>

namespace vs::controller {
namespace {

void set_all_ones(auto& field) { std::memset(&field, 0xff, sizeof field); }

bool is_group_mac(const std::array<uint8_t, 6>& mac) { return (mac[0] & 1) != 0; }

// The VLAN NORMAL learns and floods on. Until ports have VLAN modes (vlan/), every port is a
// trunk for all VLANs, OVS's default for a port without `tag` or `trunks`: a tagged frame stays on
// its VID, an untagged one is VLAN 0.
uint16_t frame_vlan(const FlowKey& key) {
  uint16_t tci = ntohs(key.vlan_tci);
  return (tci & kVlanPresent) ? tci & 0x0fff : 0;
}

}  // namespace

Ofproto& Xlate::add_bridge(const std::string& name) {
  auto& slot = bridges_[name];
  if (!slot) {
    slot = std::make_unique<Ofproto>(name, clock_);
    ++generation_;
  }
  return *slot;
}

void Xlate::remove_bridge(const std::string& name) {
  auto it = bridges_.find(name);
  if (it == bridges_.end()) return;
  std::erase_if(by_dp_port_, [&](const auto& entry) { return entry.second.bridge == it->second.get(); });
  bridges_.erase(it);
  ++generation_;
}

Ofproto* Xlate::bridge(const std::string& name) {
  auto it = bridges_.find(name);
  return it == bridges_.end() ? nullptr : it->second.get();
}

void Xlate::attach_port(Ofproto& bridge, uint32_t ofport, uint32_t dp_port,
                        const std::string& name) {
  detach_port(dp_port);
  bridge.add_port(ofport, {dp_port, name});
  by_dp_port_[dp_port] = {&bridge, ofport};
  ++generation_;
}

void Xlate::detach_port(uint32_t dp_port) {
  auto it = by_dp_port_.find(dp_port);
  if (it == by_dp_port_.end()) return;
  auto [bridge, ofport] = it->second;
  bridge->remove_port(ofport);
  bridge->macs().flush_port(ofport);
  by_dp_port_.erase(it);
  ++generation_;
}

void Xlate::translate(const FlowKey& key, FlowMask& wildcards, datapath::DpActions& actions) {
  auto it = by_dp_port_.find(key.in_port);
  if (it == by_dp_port_.end()) return;  // a port on no bridge: drop
  auto [bridge, in_ofport] = it->second;

  // The pipeline sees OpenFlow port numbers; in_port is exact in every megaflow anyway.
  FlowKey of_key = key;
  of_key.in_port = in_ofport;
  const FlowRule* rule = bridge->pipeline().lookup(0, of_key, &wildcards);
  wildcards.in_port = ~uint32_t{0};
  if (rule == nullptr) return;  // table miss without a table-miss rule: drop
  for (const OfAction& action : rule->actions) {
    switch (action.kind) {
      case OfAction::Kind::kOutput:
        if (action.port == kOfppNormal) {
          normal(*bridge, key, in_ofport, wildcards, actions);
        } else {
          output(*bridge, action.port, in_ofport, actions);
        }
        break;
    }
  }
}

void Xlate::output(const Ofproto& bridge, uint32_t out_ofport, uint32_t in_ofport,
                   datapath::DpActions& actions) const {
  switch (out_ofport) {
    case kOfppInPort:
      if (auto dp = bridge.dp_port(in_ofport)) actions.push_back(datapath::output(*dp));
      return;
    case kOfppFlood:
    case kOfppAll:
      flood(bridge, in_ofport, actions);
      return;
    case kOfppController:
      return;  // the OpenFlow channel is not built yet
    default:
      // OpenFlow never sends a packet back where it came from unless told IN_PORT.
      if (out_ofport == in_ofport) return;
      if (auto dp = bridge.dp_port(out_ofport)) actions.push_back(datapath::output(*dp));
  }
}

void Xlate::flood(const Ofproto& bridge, uint32_t in_ofport, datapath::DpActions& actions) const {
  for (const auto& [ofport, port] : bridge.ports()) {
    if (ofport != in_ofport) actions.push_back(datapath::output(port.dp_port));
  }
}

void Xlate::normal(Ofproto& bridge, const FlowKey& key, uint32_t in_ofport, FlowMask& wildcards,
                   datapath::DpActions& actions) {
  // NORMAL reads the addresses and the VLAN, and learns from the source on the in_port.
  set_all_ones(wildcards.eth_src);
  set_all_ones(wildcards.eth_dst);
  set_all_ones(wildcards.vlan_tci);
  set_all_ones(wildcards.vlan_tpid);
  const uint16_t vlan = frame_vlan(key);
  using Learn = MacLearningTable::LearnResult;
  Learn learned = bridge.macs().learn(key.eth_src, vlan, in_ofport);
  if (learned == Learn::kNew || learned == Learn::kMoved) ++generation_;

  if (is_group_mac(key.eth_dst)) return flood(bridge, in_ofport, actions);
  auto out = bridge.macs().lookup(key.eth_dst, vlan);
  if (!out) return flood(bridge, in_ofport, actions);
  if (*out == in_ofport) return;  // no hairpin: the destination is behind the ingress port
  output(bridge, *out, in_ofport, actions);
}

void Xlate::flow_used(const FlowKey& match) {
  // The megaflow's match gives the same walk as the packets it stands for (the bits the walk
  // read are all in it), so translating it again refreshes exactly what they would have learned.
  FlowMask wildcards{};
  datapath::DpActions ignored;
  translate(match, wildcards, ignored);
}

void Xlate::run_periodic() {
  for (auto& [name, bridge] : bridges_) {
    if (bridge->macs().expire() > 0) ++generation_;
  }
}

}  // namespace vs::controller
