// Xlate (xlate.h): pipeline walk, OpenFlow output ports to datapath ports, and NORMAL with its
// 802.1Q rules (vlan/port_vlans.h), tagging each copy for the port it leaves by.
#include "controller/xlate.h"

#include <arpa/inet.h>

#include <cstring>

namespace vs::controller {
namespace {

using datapath::DpAction;
using datapath::DpActions;

void set_all_ones(auto& field) { std::memset(&field, 0xff, sizeof field); }

bool is_group_mac(const std::array<uint8_t, 6>& mac) { return (mac[0] & 1) != 0; }

// The frame's outer tag as VLAN rules see it: VID 0 for untagged and priority-tagged frames.
vlan::Tag frame_tag(const FlowKey& key) {
  const uint16_t tci = ntohs(key.vlan_tci);
  if (!(tci & kVlanPresent)) return {};
  return {static_cast<uint16_t>(tci & 0x0fff), static_cast<uint8_t>(tci >> 13)};
}

// The outer tag the packet carries at the current point of the action list. Outputs that need
// another one get the pops and pushes that make it so; the received tag is kept byte for byte
// (its DEI bit included) while nothing has changed it.
class TagState {
 public:
  explicit TagState(const FlowKey& key)
      : tpid_(ntohs(key.vlan_tpid)), received_(frame_tag(key)), tagged_(key.vlan_tpid != 0) {}

  // Makes the packet leave untagged (nullopt) or with `tag`, whose TPID is the received one if
  // the frame had a tag (as OVS keeps it) and 802.1Q otherwise.
  void want(std::optional<vlan::Tag> tag, DpActions& actions) {
    if (!tag) {
      if (has_tag()) actions.push_back(datapath::pop_vlan());
      now_ = vlan::WireTag{};
      return;
    }
    const vlan::WireTag wire{tagged_ ? tpid_ : vlan::kTpid8021Q,
                             vlan::make_tci(tag->vid, tag->pcp)};
    if (now_ ? *now_ == wire : tagged_ && received_ == *tag) return;
    if (has_tag()) actions.push_back(datapath::pop_vlan());
    actions.push_back(datapath::push_vlan(wire));
    now_ = wire;
  }

  // Back to the frame as received, for the actions after NORMAL.
  void restore(DpActions& actions) {
    if (!now_) return;
    want(tagged_ ? std::optional(received_) : std::nullopt, actions);
    now_.reset();
  }

 private:
  bool has_tag() const { return now_ ? now_->tpid != 0 : tagged_; }

  uint16_t tpid_;
  vlan::Tag received_;
  bool tagged_;
  std::optional<vlan::WireTag> now_;  // nullopt: as received; TPID 0: untagged
};

}  // namespace

struct Xlate::Context {
  Ofproto& bridge;
  const FlowKey& key;
  uint32_t in_ofport;
  FlowMask& wildcards;
  DpActions& actions;
  TagState tags;
  std::optional<DropReason> drop;  // why NORMAL sent nothing, if it refused the frame
};

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
  std::erase_if(by_dp_port_,
                [&](const auto& entry) { return entry.second.bridge == it->second.get(); });
  bridges_.erase(it);
  ++generation_;
}

Ofproto* Xlate::bridge(const std::string& name) {
  auto it = bridges_.find(name);
  return it == bridges_.end() ? nullptr : it->second.get();
}

void Xlate::attach_port(Ofproto& bridge, uint32_t ofport, uint32_t dp_port, const std::string& name,
                        const vlan::PortVlans& vlans) {
  detach_port(dp_port);
  bridge.add_port(ofport, {dp_port, name, vlans});
  by_dp_port_[dp_port] = {&bridge, ofport};
  ++generation_;
}

bool Xlate::set_port_vlans(uint32_t dp_port, const vlan::PortVlans& vlans) {
  auto it = by_dp_port_.find(dp_port);
  if (it == by_dp_port_.end()) return false;
  auto [bridge, ofport] = it->second;
  Ofproto::PortEntry* port = bridge->port(ofport);
  if (port->vlans == vlans) return true;
  port->vlans = vlans;
  bridge->macs().flush_port(ofport);
  ++generation_;
  return true;
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

void Xlate::translate(const FlowKey& key, FlowMask& wildcards, DpActions& actions) {
  auto it = by_dp_port_.find(key.in_port);
  if (it == by_dp_port_.end()) return;  // a port on no bridge: drop
  auto [bridge, in_ofport] = it->second;

  // The pipeline sees OpenFlow port numbers; in_port is exact in every megaflow anyway.
  FlowKey of_key = key;
  of_key.in_port = in_ofport;
  const FlowRule* rule = bridge->pipeline().lookup(0, of_key, &wildcards);
  wildcards.in_port = ~uint32_t{0};
  if (rule == nullptr) return;  // table miss without a table-miss rule: drop
  Context ctx{*bridge, key, in_ofport, wildcards, actions, TagState(key), std::nullopt};
  for (const OfAction& action : rule->actions) {
    switch (action.kind) {
      case OfAction::Kind::kOutput:
        if (action.port == kOfppNormal) {
          normal(ctx);
          ctx.tags.restore(actions);
        } else {
          output(ctx, action.port);
        }
        break;
    }
  }
  // Tag changes after the last output change nothing anyone sees.
  while (!actions.empty() && actions.back().kind != DpAction::Kind::kOutput) actions.pop_back();
  if (actions.empty() && ctx.drop) actions.push_back(datapath::drop(*ctx.drop));
}

void Xlate::output(Context& ctx, uint32_t out_ofport) const {
  switch (out_ofport) {
    case kOfppInPort:
      if (auto dp = ctx.bridge.dp_port(ctx.in_ofport)) ctx.actions.push_back(datapath::output(*dp));
      return;
    case kOfppFlood:
    case kOfppAll:
      flood(ctx);
      return;
    case kOfppController:
      return;  // the OpenFlow channel is not built yet
    default:
      // OpenFlow never sends a packet back where it came from unless told IN_PORT.
      if (out_ofport == ctx.in_ofport) return;
      if (auto dp = ctx.bridge.dp_port(out_ofport)) ctx.actions.push_back(datapath::output(*dp));
  }
}

void Xlate::flood(Context& ctx) const {
  for (const auto& [ofport, port] : ctx.bridge.ports()) {
    if (ofport != ctx.in_ofport) ctx.actions.push_back(datapath::output(port.dp_port));
  }
}

void Xlate::normal(Context& ctx) {
  // NORMAL reads the addresses and the VLAN, and learns from the source on the in_port.
  set_all_ones(ctx.wildcards.eth_src);
  set_all_ones(ctx.wildcards.eth_dst);
  set_all_ones(ctx.wildcards.vlan_tci);
  set_all_ones(ctx.wildcards.vlan_tpid);
  const Ofproto::PortEntry* in = ctx.bridge.port(ctx.in_ofport);
  const std::optional<vlan::Tag> tag = in->vlans.input(frame_tag(ctx.key));
  if (!tag) {
    ctx.drop = DropReason::kVlanFiltered;
    return;
  }
  using Learn = MacLearningTable::LearnResult;
  Learn learned = ctx.bridge.macs().learn(ctx.key.eth_src, tag->vid, ctx.in_ofport);
  if (learned == Learn::kNew || learned == Learn::kMoved) ++generation_;

  std::optional<uint32_t> out;
  if (!is_group_mac(ctx.key.eth_dst)) out = ctx.bridge.macs().lookup(ctx.key.eth_dst, tag->vid);
  if (!out) {  // broadcast, multicast or unknown: every other port on the VLAN
    for (const auto& [ofport, port] : ctx.bridge.ports()) {
      if (ofport != ctx.in_ofport) normal_output(ctx, port, *tag);
    }
    return;
  }
  if (*out == ctx.in_ofport) return;  // no hairpin: the destination is behind the ingress port
  if (const Ofproto::PortEntry* port = ctx.bridge.port(*out)) normal_output(ctx, *port, *tag);
}

void Xlate::normal_output(Context& ctx, const Ofproto::PortEntry& port, vlan::Tag tag) const {
  switch (port.vlans.output(tag.vid)) {
    case vlan::Egress::kNone:
      return;
    case vlan::Egress::kUntagged:
      if (port.vlans.keeps_priority_tag(tag.pcp)) {
        ctx.tags.want(vlan::Tag{0, tag.pcp}, ctx.actions);
      } else {
        ctx.tags.want(std::nullopt, ctx.actions);
      }
      break;
    case vlan::Egress::kTagged:
      ctx.tags.want(tag, ctx.actions);
      break;
  }
  ctx.actions.push_back(datapath::output(port.dp_port));
}

void Xlate::flow_used(const FlowKey& match) {
  // The megaflow's match gives the same walk as the packets it stands for (the bits the walk
  // read are all in it), so translating it again refreshes exactly what they would have learned.
  FlowMask wildcards{};
  DpActions ignored;
  translate(match, wildcards, ignored);
}

void Xlate::run_periodic() {
  for (auto& [name, bridge] : bridges_) {
    if (bridge->macs().expire() > 0) ++generation_;
  }
}

}  // namespace vs::controller
