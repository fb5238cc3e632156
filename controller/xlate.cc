// Xlate (xlate.h): the walk through a bridge's tables (instructions, the action set) and groups,
// OpenFlow actions and output ports to datapath actions, header rewrites committed before each
// output, and NORMAL with its 802.1Q rules (vlan/port_vlans.h), each copy tagged for the port
// it leaves by (tag_stack.h).
#include "controller/xlate.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "controller/flow_match.h"
#include "controller/ofp_text.h"
#include "controller/tag_stack.h"
#include "datapath/set_field.h"
#include "lib/protocols.h"

namespace vs::controller {
namespace {

using datapath::DpAction;
using datapath::DpActions;
using ofp::Action;

void set_all_ones(auto& field) { std::memset(&field, 0xff, sizeof field); }

bool is_group_mac(const std::array<uint8_t, 6>& mac) { return (mac[0] & 1) != 0; }

constexpr int kMaxGroupDepth = 32;  // chains deeper than this are cut (loops are refused anyway)
constexpr uint8_t kTosDscp = 0xfc, kTosEcn = 0x03;

uint16_t eth_type(const FlowKey& key) { return ntohs(key.eth_type); }
bool is_ipv4(const FlowKey& key) { return eth_type(key) == kEthTypeIpv4; }
bool is_ipv6(const FlowKey& key) { return eth_type(key) == kEthTypeIpv6; }
bool is_icmp(const FlowKey& key) {
  return key.nw_proto == kIpProtoIcmp || key.nw_proto == kIpProtoIcmpv6;
}
bool is_nd(const FlowKey& key, uint8_t type) {
  return is_ipv6(key) && key.nw_proto == kIpProtoIcmpv6 && (key.nw_frag & kNwFragLater) == 0 &&
         ntohs(key.tp_src) == type && key.tp_dst == 0;
}

// Whether the packet `key` describes has the header `field` lives in (set_field writes nothing
// otherwise, as the datapath would find nothing to write).
bool has_field(const FlowKey& key, ofp::OxmField field) {
  using F = ofp::OxmField;
  const bool l4 = (key.nw_frag & kNwFragLater) == 0;
  switch (field) {
    case F::kEthDst:
    case F::kEthSrc:
    case F::kTunnelId:
    case F::kTunIpv4Src:
    case F::kTunIpv4Dst:
      return true;
    case F::kIpDscp:
    case F::kIpEcn:
      return is_ipv4(key) || is_ipv6(key);
    case F::kIpv4Src:
    case F::kIpv4Dst:
      return is_ipv4(key);
    case F::kIpv6Src:
    case F::kIpv6Dst:
    case F::kIpv6Flabel:
      return is_ipv6(key);
    case F::kTcpSrc:
    case F::kTcpDst:
      return l4 && key.nw_proto == kIpProtoTcp && (is_ipv4(key) || is_ipv6(key));
    case F::kUdpSrc:
    case F::kUdpDst:
      return l4 && key.nw_proto == kIpProtoUdp && (is_ipv4(key) || is_ipv6(key));
    case F::kSctpSrc:
    case F::kSctpDst:
      return l4 && key.nw_proto == kIpProtoSctp && (is_ipv4(key) || is_ipv6(key));
    case F::kIcmpv4Type:
    case F::kIcmpv4Code:
      return l4 && key.nw_proto == kIpProtoIcmp && is_ipv4(key);
    case F::kIcmpv6Type:
    case F::kIcmpv6Code:
      return l4 && key.nw_proto == kIpProtoIcmpv6 && is_ipv6(key);
    case F::kArpOp:
    case F::kArpSpa:
    case F::kArpTpa:
    case F::kArpSha:
    case F::kArpTha:
      return eth_type(key) == kEthTypeArp;
    case F::kIpv6NdTarget:
      return is_nd(key, kNdSolicitation) || is_nd(key, kNdAdvertisement);
    case F::kIpv6NdSll:
      return is_nd(key, kNdSolicitation);
    case F::kIpv6NdTll:
      return is_nd(key, kNdAdvertisement);
    default:
      return false;
  }
}

// set_field on fields the flow key holds and the datapath can write (datapath/set_field.h);
// the VLAN fields go through the tag stack instead.
bool rewritable(ofp::OxmField field) {
  using F = ofp::OxmField;
  switch (field) {
    case F::kMplsLabel:
    case F::kMplsTc:
    case F::kMplsBos:
    case F::kPbbIsid:
      return false;
    default:
      return true;  // the codec refused what cannot be set at all (ofp_actions.h)
  }
}

// A tag as VLAN rules see it: VID 0 for none or a priority tag.
vlan::Tag rules_tag(const std::optional<vlan::WireTag>& wire) {
  if (!wire) return {};
  return {static_cast<uint16_t>(wire->tci & 0x0fff), static_cast<uint8_t>(wire->tci >> 13)};
}

// The order OpenFlow 1.3 (5.10) runs an action set in; output last.
int action_set_rank(const Action& action) {
  switch (action.kind) {
    case Action::Kind::kPopVlan:
      return 0;
    case Action::Kind::kPushVlan:
      return 1;
    case Action::Kind::kDecNwTtl:
      return 2;
    case Action::Kind::kSetNwTtl:
    case Action::Kind::kSetField:
      return 3;
    case Action::Kind::kGroup:
      return 4;
    case Action::Kind::kOutput:
      return 5;
  }
  return 6;
}

// write_actions: one action of each kind (one set_field per field), the newest wins.
void merge_into_action_set(ofp::ActionList& set, const ofp::ActionList& written) {
  for (const Action& action : written) {
    auto same = std::find_if(set.begin(), set.end(), [&](const Action& old) {
      return old.kind == action.kind &&
             (action.kind != Action::Kind::kSetField || old.field.field == action.field.field);
    });
    if (same != set.end()) {
      *same = action;
    } else {
      set.push_back(action);
    }
  }
}

}  // namespace

struct Xlate::Context {
  Ofproto& bridge;
  const FlowKey& key;
  uint32_t in_ofport;
  FlowMask& wildcards;
  DpActions& actions;
  FlowKey of_key;    // what the tables see: OpenFlow in_port, metadata, the tags as changed
  TagStack logical;  // the tags the packet should carry now
  TagStack sent;     // the tags the datapath packet carries at this point of the action list
  std::optional<DropReason> drop = std::nullopt;  // why nothing was sent, if a rule refused it
  // Header rewrites: the fields the datapath packet carries at this point of the action list,
  // and every field an action has changed in of_key (committed before each output).
  FlowKey sent_key;
  FlowMask rewritten{};
  bool stopped = false;  // dec_nw_ttl ran out of TTL: nothing more runs
  int group_depth = 0;
  const FlowRule* rule = nullptr;  // the rule whose actions run now (none in a packet-out)
  // What the flow being walked forwarded, credited to every rule it meets (flow_used).
  uint64_t credit_packets = 0;
  uint64_t credit_bytes = 0;
  Clock::TimePoint now{};
  bool learn = true;  // NORMAL learns from the source (not when only crediting counters)
  std::vector<std::string>* trace = nullptr;  // ofproto/trace: a line per step
  uint8_t table = ofp::kTableAll;             // ... and its table

  Context(Ofproto& bridge, const FlowKey& key, uint32_t in_ofport, FlowMask& wildcards,
          DpActions& actions)
      : bridge(bridge),
        key(key),
        in_ofport(in_ofport),
        wildcards(wildcards),
        actions(actions),
        of_key(key),
        logical(key),
        sent(key),
        sent_key(key) {
    of_key.in_port = in_ofport;
  }

  // The tables see the logical outer tag from now on.
  void tags_changed() {
    const auto outer = logical.outer();
    of_key.vlan_tpid = outer ? htons(outer->tpid) : 0;
    of_key.vlan_tci = outer ? htons(static_cast<uint16_t>(outer->tci | kVlanPresent)) : 0;
  }
  // Sends the packet, carrying `tags`, out of `port` (unless a port-mod said NO_FWD).
  void emit(const TagStack& tags, const Ofproto::PortEntry& port) {
    if (port.config & ofp::kPortConfigNoFwd) return;
    commit_rewrites();
    tags.sync(sent, actions);
    actions.push_back(datapath::output(port.dp_port));
  }
  // Brings the datapath packet's fields up to of_key's, where actions changed them.
  void commit_rewrites();
};

void Xlate::Context::commit_rewrites() {
  using datapath::HeaderField;
  // Whether `member` was rewritten and now differs from the datapath packet. The comparison
  // reads the packet's own value, so the megaflow must match it.
  auto differs = [&](auto FlowKey::*member) {
    static const FlowKey kZero{};
    if (rewritten.*member == kZero.*member) return false;
    set_all_ones(wildcards.*member);
    if (of_key.*member == sent_key.*member) return false;
    sent_key.*member = of_key.*member;
    return true;
  };
  auto write = [&](HeaderField field, const void* value, size_t size) {
    datapath::SetField set{field};
    std::memcpy(set.value.data(), value, size);
    actions.push_back(datapath::set_field(set));
  };
  const bool arp = eth_type(of_key) == kEthTypeArp;
  if (differs(&FlowKey::eth_src)) write(HeaderField::kEthSrc, of_key.eth_src.data(), 6);
  if (differs(&FlowKey::eth_dst)) write(HeaderField::kEthDst, of_key.eth_dst.data(), 6);
  if (differs(&FlowKey::nw_src)) {
    write(arp ? HeaderField::kArpSpa : HeaderField::kIpv4Src, &of_key.nw_src, 4);
  }
  if (differs(&FlowKey::nw_dst)) {
    write(arp ? HeaderField::kArpTpa : HeaderField::kIpv4Dst, &of_key.nw_dst, 4);
  }
  if (differs(&FlowKey::ipv6_src)) write(HeaderField::kIpv6Src, of_key.ipv6_src.data(), 16);
  if (differs(&FlowKey::ipv6_dst)) write(HeaderField::kIpv6Dst, of_key.ipv6_dst.data(), 16);
  if (differs(&FlowKey::ipv6_label)) write(HeaderField::kIpv6Label, &of_key.ipv6_label, 4);
  const uint8_t old_tos = sent_key.nw_tos;
  if (differs(&FlowKey::nw_tos)) {
    const auto dscp = static_cast<uint8_t>(of_key.nw_tos >> 2);
    const auto ecn = static_cast<uint8_t>(of_key.nw_tos & kTosEcn);
    if ((old_tos ^ of_key.nw_tos) & kTosDscp) write(HeaderField::kIpDscp, &dscp, 1);
    if ((old_tos ^ of_key.nw_tos) & kTosEcn) write(HeaderField::kIpEcn, &ecn, 1);
  }
  if (differs(&FlowKey::nw_ttl)) write(HeaderField::kIpTtl, &of_key.nw_ttl, 1);
  // ICMP type and code live in tp_src and tp_dst, widened to 16 bits.
  if (differs(&FlowKey::tp_src)) {
    if (is_icmp(of_key)) {
      write(HeaderField::kIcmpType, reinterpret_cast<const uint8_t*>(&of_key.tp_src) + 1, 1);
    } else {
      write(HeaderField::kTpSrc, &of_key.tp_src, 2);
    }
  }
  if (differs(&FlowKey::tp_dst)) {
    if (is_icmp(of_key)) {
      write(HeaderField::kIcmpCode, reinterpret_cast<const uint8_t*>(&of_key.tp_dst) + 1, 1);
    } else {
      write(HeaderField::kTpDst, &of_key.tp_dst, 2);
    }
  }
  if (differs(&FlowKey::arp_op)) write(HeaderField::kArpOp, &of_key.arp_op, 2);
  // ND's link-layer address options live where ARP's addresses do (flow_key.h).
  if (differs(&FlowKey::arp_sha)) {
    write(arp ? HeaderField::kArpSha : HeaderField::kNdSll, of_key.arp_sha.data(), 6);
  }
  if (differs(&FlowKey::arp_tha)) {
    write(arp ? HeaderField::kArpTha : HeaderField::kNdTll, of_key.arp_tha.data(), 6);
  }
  if (differs(&FlowKey::nd_target)) write(HeaderField::kNdTarget, of_key.nd_target.data(), 16);
  // Tunnel metadata, for the GRE port the packet goes out of (key=flow, remote_ip=flow).
  if (differs(&FlowKey::tunnel_id)) {
    actions.push_back(
        datapath::set_field(datapath::set_field(HeaderField::kTunnelId, of_key.tunnel_id)));
  }
  if (differs(&FlowKey::tun_dst)) {
    actions.push_back(
        datapath::set_field(datapath::set_field(HeaderField::kTunnelDst, of_key.tun_dst)));
  }
}

ofp::OfpResult<void> Xlate::check_supported(const ofp::Instructions& instructions,
                                            const FlowMatch* match) {
  for (const auto* list : {&instructions.apply_actions, &instructions.write_actions}) {
    if (!*list) continue;
    for (const Action& action : **list) {
      if (action.kind == Action::Kind::kOutput && action.port == ofp::kPortTable) {
        return ofp::err::kBadOutPort;  // packet-out only
      }
      if (action.kind != Action::Kind::kSetField) continue;
      const ofp::OxmField field = action.field.field;
      if (!rewritable(field)) return ofp::err::kBadSetType;
      // OpenFlow 1.3 (7.2.5): the match must guarantee the header the field is in. The tag's
      // fields are left to the packet: a push_vlan earlier in the list may supply the tag.
      if (match == nullptr || field == ofp::OxmField::kVlanVid ||
          field == ofp::OxmField::kVlanPcp) {
        continue;
      }
      ofp::Match with_field = to_oxm_match(*match);
      with_field.push_back(action.field);
      if (!ofp::check_prerequisites(with_field)) return ofp::err::kMatchInconsistent;
    }
  }
  return boost::outcome_v2::success();
}

Ofproto& Xlate::add_bridge(const std::string& name) {
  auto& slot = bridges_[name];
  if (!slot) {
    slot = std::make_unique<Ofproto>(name, next_bridge_id_++, clock_);
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

bool Xlate::set_port_config(Ofproto& bridge, uint32_t ofport, uint32_t config) {
  Ofproto::PortEntry* port = bridge.port(ofport);
  if (port == nullptr) return false;
  config &= ofp::kPortConfigNoRecv | ofp::kPortConfigNoFwd | ofp::kPortConfigNoPacketIn;
  if (port->config != config) {
    port->config = config;
    ++generation_;
  }
  return true;
}

bool Xlate::set_port_live(Ofproto& bridge, uint32_t ofport, bool live) {
  Ofproto::PortEntry* port = bridge.port(ofport);
  if (port == nullptr) return false;
  if (port->live != live) {
    port->live = live;
    ++generation_;  // fast-failover groups may choose another bucket
  }
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

  // The tables see OpenFlow port numbers; in_port is exact in every megaflow anyway.
  Context ctx(*bridge, key, in_ofport, wildcards, actions);
  wildcards.in_port = ~uint32_t{0};
  if (bridge->port(in_ofport)->config & ofp::kPortConfigNoRecv) return;  // port-mod: dropped
  if (bridge->fail_open()) {
    normal(ctx);
  } else {
    run_pipeline(ctx);
  }
  // Tag changes after the last output change nothing anyone sees.
  while (!actions.empty() && actions.back().kind != DpAction::Kind::kOutput &&
         actions.back().kind != DpAction::Kind::kUserspace) {
    actions.pop_back();
  }
  if (actions.empty() && ctx.drop) actions.push_back(datapath::drop(*ctx.drop));
}

DpActions Xlate::translate_packet_out(Ofproto& bridge, uint32_t in_ofport, const FlowKey& key,
                                      const ofp::ActionList& list) {
  FlowMask wildcards{};  // nothing is cached: a packet-out runs once
  DpActions actions;
  Context ctx(bridge, key, in_ofport, wildcards, actions);
  run_actions(ctx, list);
  return actions;
}

void Xlate::run_pipeline(Context& ctx) {
  ofp::ActionList action_set;
  uint8_t table = 0;
  while (true) {  // goto_table only goes forward, so this ends
    const FlowRule* rule = ctx.bridge.pipeline().lookup(table, ctx.of_key, &ctx.wildcards);
    if (ctx.credit_packets != 0) {
      ctx.bridge.pipeline().credit_lookup(table, ctx.credit_packets, rule != nullptr);
    }
    if (ctx.trace) {
      if (rule == nullptr) {
        ctx.trace->push_back(fmt::format(" {}. no rule matches: the packet is dropped", table));
      } else {
        ctx.trace->push_back(fmt::format(" {}. {}, cookie {:#x}", table,
                                         ofp::format_match(to_oxm_match(rule->flow_match()),
                                                           static_cast<uint16_t>(rule->priority)),
                                         rule->cookie));
        ctx.trace->push_back("    " + ofp::format_instructions(rule->instructions));
      }
    }
    if (rule == nullptr) break;  // a miss without a table-miss rule: dropped, action set too
    if (ctx.credit_packets != 0) {
      rule->packet_count += ctx.credit_packets;
      rule->byte_count += ctx.credit_bytes;
      rule->last_used = ctx.now;
    }
    ctx.rule = rule;
    ctx.table = table;
    const ofp::Instructions& instructions = rule->instructions;
    if (instructions.apply_actions) run_actions(ctx, *instructions.apply_actions);
    if (ctx.stopped) return;  // the TTL ran out: the action set is dropped too
    if (instructions.clear_actions) action_set.clear();
    if (instructions.write_actions) merge_into_action_set(action_set, *instructions.write_actions);
    if (const auto& metadata = instructions.write_metadata) {
      ctx.of_key.metadata =
          (ctx.of_key.metadata & ~metadata->mask) | (metadata->value & metadata->mask);
    }
    if (!instructions.goto_table) {
      std::stable_sort(action_set.begin(), action_set.end(), [](const Action& a, const Action& b) {
        return action_set_rank(a) < action_set_rank(b);
      });
      run_actions(ctx, action_set);
      break;
    }
    table = *instructions.goto_table;
  }
}

void Xlate::run_actions(Context& ctx, const ofp::ActionList& list) {
  for (const Action& action : list) {
    if (ctx.stopped) return;
    switch (action.kind) {
      case Action::Kind::kOutput:
        if (action.port == ofp::kPortNormal) {
          normal(ctx);
        } else if (action.port == ofp::kPortController) {
          to_controller(ctx, action.max_len);
        } else if (action.port == ofp::kPortTable) {
          run_pipeline(ctx);  // packet-out only: flow-mods refuse it (check_supported)
        } else {
          output(ctx, action.port);
        }
        break;
      case Action::Kind::kPushVlan: {
        // The new tag takes the VID and PCP of the tag it covers, if any (OpenFlow 1.3, 7.2.5).
        const auto outer = ctx.logical.outer();
        ctx.logical.push({action.ethertype, outer ? outer->tci : uint16_t{0}});
        ctx.tags_changed();
        break;
      }
      case Action::Kind::kPopVlan:
        ctx.logical.pop();
        ctx.tags_changed();
        break;
      case Action::Kind::kSetField:
        set_field(ctx, action.field);
        break;
      case Action::Kind::kGroup:
        group(ctx, action.group_id);
        break;
      case Action::Kind::kDecNwTtl:
        if (!decrement_ttl(ctx)) ctx.stopped = true;
        break;
      case Action::Kind::kSetNwTtl:
        set_all_ones(ctx.wildcards.eth_type);
        if (!is_ipv4(ctx.of_key) && !is_ipv6(ctx.of_key)) break;  // not IP: nothing to set
        ctx.of_key.nw_ttl = action.ttl;
        ctx.rewritten.nw_ttl = 0xff;
        break;
    }
  }
}

void Xlate::set_field(Context& ctx, const ofp::Oxm& field) const {
  using F = ofp::OxmField;
  FlowKey& key = ctx.of_key;
  if (field.field == F::kVlanVid || field.field == F::kVlanPcp) {
    const auto outer = ctx.logical.outer();
    if (!outer) return;  // no tag to set a field of: nothing to do, as in OVS
    const auto value = static_cast<uint16_t>(field.number());
    const uint16_t tci = field.field == F::kVlanVid
                             ? static_cast<uint16_t>((outer->tci & 0xf000) | (value & 0x0fff))
                             : static_cast<uint16_t>((outer->tci & 0x1fff) | (value & 7) << 13);
    ctx.logical.set_outer({outer->tpid, tci});
    ctx.tags_changed();
    return;
  }
  // Whether the packet has the field's header depends on these.
  set_all_ones(ctx.wildcards.eth_type);
  set_all_ones(ctx.wildcards.nw_proto);
  set_all_ones(ctx.wildcards.nw_frag);
  if (field.field == F::kIpv6NdTarget || field.field == F::kIpv6NdSll ||
      field.field == F::kIpv6NdTll) {
    set_all_ones(ctx.wildcards.tp_src);  // the ICMPv6 type and code say which ND message
    set_all_ones(ctx.wildcards.tp_dst);
  }
  if (!has_field(key, field.field)) return;
  // Copies the OXM's bytes (network order, as the key holds them) into `member`, and marks it
  // rewritten for commit_rewrites().
  auto copy = [&](auto FlowKey::*member) {
    std::memcpy(&(key.*member), field.value.data(), sizeof(key.*member));
    set_all_ones(ctx.rewritten.*member);
  };
  // ICMP type and code are one byte, widened to 16 bits in tp_src / tp_dst.
  auto copy_icmp = [&](uint16_t FlowKey::*member) {
    key.*member = htons(field.value[0]);
    set_all_ones(ctx.rewritten.*member);
  };
  switch (field.field) {
    case F::kEthDst:
      copy(&FlowKey::eth_dst);
      break;
    case F::kEthSrc:
      copy(&FlowKey::eth_src);
      break;
    case F::kIpDscp:
      key.nw_tos = static_cast<uint8_t>((key.nw_tos & kTosEcn) | field.value[0] << 2);
      ctx.rewritten.nw_tos |= kTosDscp;
      break;
    case F::kIpEcn:
      key.nw_tos = static_cast<uint8_t>((key.nw_tos & kTosDscp) | (field.value[0] & kTosEcn));
      ctx.rewritten.nw_tos |= kTosEcn;
      break;
    case F::kIpv4Src:
    case F::kArpSpa:
      copy(&FlowKey::nw_src);
      break;
    case F::kIpv4Dst:
    case F::kArpTpa:
      copy(&FlowKey::nw_dst);
      break;
    case F::kTcpSrc:
    case F::kUdpSrc:
    case F::kSctpSrc:
      copy(&FlowKey::tp_src);
      break;
    case F::kTcpDst:
    case F::kUdpDst:
    case F::kSctpDst:
      copy(&FlowKey::tp_dst);
      break;
    case F::kIcmpv4Type:
    case F::kIcmpv6Type:
      copy_icmp(&FlowKey::tp_src);
      break;
    case F::kIcmpv4Code:
    case F::kIcmpv6Code:
      copy_icmp(&FlowKey::tp_dst);
      break;
    case F::kArpOp:
      copy(&FlowKey::arp_op);
      break;
    case F::kArpSha:
      copy(&FlowKey::arp_sha);
      break;
    case F::kArpTha:
      copy(&FlowKey::arp_tha);
      break;
    case F::kIpv6Src:
      copy(&FlowKey::ipv6_src);
      break;
    case F::kIpv6Dst:
      copy(&FlowKey::ipv6_dst);
      break;
    case F::kIpv6Flabel:
      copy(&FlowKey::ipv6_label);
      break;
    case F::kIpv6NdTarget:
      copy(&FlowKey::nd_target);
      break;
    case F::kIpv6NdSll:
      copy(&FlowKey::arp_sha);
      break;
    case F::kIpv6NdTll:
      copy(&FlowKey::arp_tha);
      break;
    case F::kTunnelId:
      key.tunnel_id = field.number();  // later tables match it; a key=flow GRE port sends it
      set_all_ones(ctx.rewritten.tunnel_id);
      break;
    case F::kTunIpv4Src:  // host order in the key, as the datapath fills them
      key.tun_src = static_cast<uint32_t>(field.number());
      set_all_ones(ctx.rewritten.tun_src);
      break;
    case F::kTunIpv4Dst:  // later tables match it; a remote_ip=flow GRE port sends to it
      key.tun_dst = static_cast<uint32_t>(field.number());
      set_all_ones(ctx.rewritten.tun_dst);
      break;
    default:
      break;  // refused at flow-mod time (check_supported)
  }
}

bool Xlate::decrement_ttl(Context& ctx) const {
  set_all_ones(ctx.wildcards.eth_type);
  if (!is_ipv4(ctx.of_key) && !is_ipv6(ctx.of_key)) return true;  // not IP: nothing to do
  set_all_ones(ctx.wildcards.nw_ttl);
  if (ctx.of_key.nw_ttl <= 1) {
    // OpenFlow 1.3 (5.12): the packet goes no further; controllers that asked for
    // OFPR_INVALID_TTL (set_async) get it whole.
    to_controller(ctx, ofp::kControllerMaxLenNoBuffer, ofp::PacketInReason::kInvalidTtl);
    return false;
  }
  --ctx.of_key.nw_ttl;
  ctx.rewritten.nw_ttl = 0xff;
  return true;
}

void Xlate::group(Context& ctx, uint32_t group_id) {
  const Group* group = ctx.bridge.groups().find(group_id);
  if (group == nullptr || ctx.group_depth >= kMaxGroupDepth) return;  // deleted since: dropped
  if (ctx.credit_packets != 0) {
    group->packet_count += ctx.credit_packets;
    group->byte_count += ctx.credit_bytes;
  }
  // Each bucket works on its own copy of the packet (OpenFlow 1.3, 5.6.1): what it changes is
  // undone for the buckets and actions after it.
  auto run_bucket = [&](const ofp::Bucket& bucket) {
    if (ctx.credit_packets != 0) {
      ofp::BucketStats& counts =
          group->bucket_counts[static_cast<size_t>(&bucket - group->buckets.data())];
      counts.packet_count += ctx.credit_packets;
      counts.byte_count += ctx.credit_bytes;
    }
    if (ctx.trace) {
      ctx.trace->push_back(fmt::format("    group:{} bucket {}: {}", group_id,
                                       &bucket - group->buckets.data(),
                                       ofp::format_actions(bucket.actions)));
    }
    const FlowKey saved_key = ctx.of_key;
    const TagStack saved_tags = ctx.logical;
    ++ctx.group_depth;
    run_actions(ctx, bucket.actions);
    --ctx.group_depth;
    ctx.of_key = saved_key;
    ctx.logical = saved_tags;
    ctx.stopped = false;  // a TTL that ran out ends its bucket only
  };
  if (group->type == ofp::GroupType::kAll) {
    for (const ofp::Bucket& bucket : group->buckets) run_bucket(bucket);
  } else if (const ofp::Bucket* bucket = choose_bucket(ctx, *group)) {
    run_bucket(*bucket);
  } else if (ctx.trace) {
    ctx.trace->push_back(fmt::format("    group:{}: no live bucket, dropped", group_id));
  }
}

const ofp::Bucket* Xlate::choose_bucket(Context& ctx, const Group& group) const {
  switch (group.type) {
    case ofp::GroupType::kAll:
      return nullptr;
    case ofp::GroupType::kIndirect:
      return group.buckets.empty() ? nullptr : &group.buckets.front();
    case ofp::GroupType::kFastFailover:
      for (const ofp::Bucket& bucket : group.buckets) {
        if (bucket_live(ctx.bridge, bucket, 0)) return &bucket;
      }
      return nullptr;
    case ofp::GroupType::kSelect:
      break;
  }
  // Select: a hash of the addresses, protocol and ports picks among the live buckets by
  // weight, so one connection always takes one bucket. The megaflow matches what was hashed.
  FlowMask hashed{};
  for (auto* mask : {&hashed, &ctx.wildcards}) {
    set_all_ones(mask->eth_src);
    set_all_ones(mask->eth_dst);
    set_all_ones(mask->eth_type);
    set_all_ones(mask->vlan_tci);
    set_all_ones(mask->nw_src);
    set_all_ones(mask->nw_dst);
    set_all_ones(mask->ipv6_src);
    set_all_ones(mask->ipv6_dst);
    set_all_ones(mask->nw_proto);
    set_all_ones(mask->tp_src);
    set_all_ones(mask->tp_dst);
  }
  FlowKey fields = ctx.of_key;
  flow_apply_mask(fields, hashed);
  uint64_t total = 0;
  for (const ofp::Bucket& bucket : group.buckets) {
    if (bucket_live(ctx.bridge, bucket, 0)) total += bucket.weight;
  }
  if (total == 0) return nullptr;
  uint64_t point = flow_hash(fields, group.id) % total;
  for (const ofp::Bucket& bucket : group.buckets) {
    if (!bucket_live(ctx.bridge, bucket, 0)) continue;
    if (point < bucket.weight) return &bucket;
    point -= bucket.weight;
  }
  return nullptr;
}

bool Xlate::bucket_live(const Ofproto& bridge, const ofp::Bucket& bucket, int depth) const {
  if (bucket.watch_port != ofp::kPortAny) {
    const auto& ports = bridge.ports();
    auto port = ports.find(bucket.watch_port);
    if (port == ports.end() || !port->second.live) return false;
  }
  if (bucket.watch_group != ofp::kGroupAny) {
    // A group is live while one of its buckets is (OpenFlow 1.3, 6.5).
    const Group* watched = bridge.groups().find(bucket.watch_group);
    if (watched == nullptr || depth >= kMaxGroupDepth) return false;
    return std::any_of(watched->buckets.begin(), watched->buckets.end(),
                       [&](const ofp::Bucket& b) { return bucket_live(bridge, b, depth + 1); });
  }
  return true;
}

void Xlate::output(Context& ctx, uint32_t out_ofport) const {
  switch (out_ofport) {
    case ofp::kPortInPort:
      if (const auto* port = ctx.bridge.port(ctx.in_ofport)) ctx.emit(ctx.logical, *port);
      return;
    case ofp::kPortFlood:
    case ofp::kPortAll:
      for (const auto& [ofport, port] : ctx.bridge.ports()) {
        if (ofport != ctx.in_ofport) ctx.emit(ctx.logical, port);
      }
      return;
    default:
      // OpenFlow never sends a packet back where it came from unless told IN_PORT.
      if (out_ofport == ctx.in_ofport) return;
      if (const auto* port = ctx.bridge.port(out_ofport)) ctx.emit(ctx.logical, *port);
  }
}

void Xlate::to_controller(Context& ctx, uint16_t max_len,
                          std::optional<ofp::PacketInReason> reason) const {
  const Ofproto::PortEntry* in = ctx.bridge.port(ctx.in_ofport);
  if (in != nullptr && (in->config & ofp::kPortConfigNoPacketIn)) return;  // port-mod said so
  // OpenFlow 1.3 (7.2.5): a table-miss rule's packet-ins say NO_MATCH, any other rule's ACTION.
  const FlowRule* rule = ctx.rule;
  static const FlowMask kMatchAll{};
  const bool table_miss = rule != nullptr && rule->priority == 0 &&
                          std::memcmp(&rule->mask, &kMatchAll, sizeof kMatchAll) == 0;
  if (!reason) reason = table_miss ? ofp::PacketInReason::kNoMatch : ofp::PacketInReason::kAction;
  // The controller sees the packet as the actions so far made it.
  ctx.commit_rewrites();
  ctx.logical.sync(ctx.sent, ctx.actions);
  // Everything below is the same for every packet of the megaflow: the walk's result.
  ctx.actions.push_back(datapath::userspace({
      rule != nullptr ? rule->cookie : ~uint64_t{0},
      ctx.of_key.metadata,
      uint64_t{ctx.in_ofport} | uint64_t{max_len} << 32 |
          uint64_t{static_cast<uint8_t>(*reason)} << 48 | uint64_t{ctx.table} << 56,
      ctx.bridge.id(),
  }));
}

void Xlate::packet_up(const Packet& packet, const DpAction::Userdata& userdata) {
  if (!packet_in_sink_) return;
  const auto found = std::find_if(bridges_.begin(), bridges_.end(), [&](const auto& entry) {
    return entry.second->id() == userdata[3];
  });
  if (found == bridges_.end()) return;  // removed since the flow was cached
  PacketInEvent event;
  event.bridge = found->first;
  event.cookie = userdata[0];
  event.metadata = userdata[1];
  event.in_port = static_cast<uint32_t>(userdata[2]);
  event.max_len = static_cast<uint16_t>(userdata[2] >> 32);
  event.reason = static_cast<ofp::PacketInReason>(userdata[2] >> 48 & 0xff);
  event.table_id = static_cast<uint8_t>(userdata[2] >> 56);
  const std::span<const uint8_t> frame = packet.frame();
  event.total_len = static_cast<uint32_t>(frame.size());
  const size_t keep = event.max_len == ofp::kControllerMaxLenNoBuffer
                          ? frame.size()
                          : std::min<size_t>(frame.size(), event.max_len);
  event.frame.assign(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(keep));
  packet_in_sink_(std::move(event));
}

namespace {

// A datapath action as trace prints it, with OpenFlow port numbers and names.
std::string describe(const DpAction& action, const Ofproto& bridge) {
  switch (action.kind) {
    case DpAction::Kind::kOutput:
      for (const auto& [ofport, port] : bridge.ports()) {
        if (port.dp_port == action.port) {
          return fmt::format("output:{}({})", ofp::format_port(ofport), port.name);
        }
      }
      return fmt::format("output:datapath port {}", action.port);
    case DpAction::Kind::kPushVlan:
      return fmt::format("push_vlan(tpid={:#06x},vid={},pcp={})", action.vlan.tpid,
                         action.vlan.tci & 0x0fff, action.vlan.tci >> 13);
    case DpAction::Kind::kPopVlan:
      return "pop_vlan";
    case DpAction::Kind::kDrop:
      return fmt::format("drop({})", drop_reason_name(action.reason));
    case DpAction::Kind::kUserspace:
      return "controller";
    case DpAction::Kind::kSetField:
      return datapath::format_set_field(action.set);
  }
  return "?";
}

}  // namespace

std::string Xlate::trace(Ofproto& bridge, const FlowKey& key) {
  std::vector<std::string> lines;
  FlowMask wildcards{};
  DpActions actions;
  FlowKey dp_key = key;  // NORMAL and the actions read the datapath view of in_port
  dp_key.in_port = bridge.dp_port(key.in_port).value_or(0);
  Context ctx(bridge, dp_key, key.in_port, wildcards, actions);
  ctx.learn = false;
  ctx.trace = &lines;
  std::string out = fmt::format("bridge(\"{}\")\n", bridge.name());
  if (bridge.fail_open()) {
    lines.push_back(" fail-open (no controller): NORMAL only, the flow tables are skipped");
    normal(ctx);
  } else {
    run_pipeline(ctx);
  }
  for (const std::string& line : lines) out += line + "\n";
  if (actions.empty() && ctx.drop) actions.push_back(datapath::drop(*ctx.drop));
  out += "\nDatapath actions: ";
  if (actions.empty()) out += "drop";
  for (size_t i = 0; i < actions.size(); ++i) {
    out += (i ? "," : "") + describe(actions[i], bridge);
  }
  return out + "\n";
}

void Xlate::set_fail_open(Ofproto& bridge, bool on) {
  if (bridge.fail_open() == on) return;
  bridge.set_fail_open(on);
  ++generation_;
}

void Xlate::normal(Context& ctx) {
  // NORMAL reads the addresses and the VLAN, and learns from the source on the in_port.
  set_all_ones(ctx.wildcards.eth_src);
  set_all_ones(ctx.wildcards.eth_dst);
  set_all_ones(ctx.wildcards.vlan_tci);
  set_all_ones(ctx.wildcards.vlan_tpid);
  const Ofproto::PortEntry* in = ctx.bridge.port(ctx.in_ofport);
  if (in == nullptr) return;  // a packet-out from CONTROLLER: NORMAL has no port to learn on
  const std::optional<vlan::Tag> tag = in->vlans.input(rules_tag(ctx.logical.outer()));
  if (!tag) {
    ctx.drop = DropReason::kVlanFiltered;
    return;
  }
  using Learn = MacLearningTable::LearnResult;
  if (ctx.learn) {
    Learn learned = ctx.bridge.macs().learn(ctx.of_key.eth_src, tag->vid, ctx.in_ofport);
    if (learned == Learn::kNew || learned == Learn::kMoved) ++generation_;
  }

  std::optional<uint32_t> out;
  // The addresses as the actions before NORMAL left them, as in OVS.
  if (!is_group_mac(ctx.of_key.eth_dst)) {
    out = ctx.bridge.macs().lookup(ctx.of_key.eth_dst, tag->vid);
  }
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
  // The VLAN travels as the outer tag, keeping its TPID where the frame had one.
  const auto outer = ctx.logical.outer();
  const uint16_t tpid = outer ? outer->tpid : vlan::kTpid8021Q;
  TagStack tags = ctx.logical;
  switch (port.vlans.output(tag.vid)) {
    case vlan::Egress::kNone:
      return;
    case vlan::Egress::kUntagged:
      if (port.vlans.keeps_priority_tag(tag.pcp)) {
        tags.set_outer({tpid, vlan::make_tci(0, tag.pcp)});
      } else {
        tags.pop();
      }
      break;
    case vlan::Egress::kTagged:
      tags.set_outer({tpid, vlan::make_tci(tag.vid, tag.pcp)});
      break;
  }
  ctx.emit(tags, port);
}

void Xlate::flow_used(const FlowKey& match, uint64_t packets, uint64_t bytes, bool refresh) {
  // The megaflow's match gives the same walk as the packets it stands for (the bits the walk
  // read are all in it), so translating it again refreshes exactly what they would have learned
  // and meets exactly the rules they went through.
  auto it = by_dp_port_.find(match.in_port);
  if (it == by_dp_port_.end()) return;
  auto [bridge, in_ofport] = it->second;
  FlowMask wildcards{};
  DpActions ignored;
  Context ctx(*bridge, match, in_ofport, wildcards, ignored);
  ctx.credit_packets = packets;
  ctx.credit_bytes = bytes;
  ctx.now = clock_.now();
  ctx.learn = refresh;
  if (bridge->port(in_ofport)->config & ofp::kPortConfigNoRecv) return;  // dropped on arrival
  if (bridge->fail_open()) {
    if (refresh) normal(ctx);
  } else {
    run_pipeline(ctx);
  }
}

void Xlate::run_periodic() {
  const Clock::TimePoint now = clock_.now();
  for (auto& [name, bridge] : bridges_) {
    if (bridge->macs().expire() > 0) ++generation_;
    bridge->pipeline().expire(now, [&](const FlowRule& rule, ofp::FlowRemovedReason reason) {
      ++generation_;
      if ((rule.flags & ofp::kFlowSendFlowRem) && flow_removed_sink_) {
        flow_removed_sink_(name, flow_removed(rule, reason, now));
      }
    });
  }
}

}  // namespace vs::controller
