// OfSwitch (of_switch.h): one handler per message kind.
#include "controller/of_switch.h"

#include <array>
#include <optional>
#include <tuple>
#include <type_traits>

#include "controller/flow_match.h"

namespace vs::controller {
namespace {

// OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS | OFPC_GROUP_STATS: the counters this
// switch keeps.
constexpr uint32_t kCapabilities = 1 | 2 | 4 | 8;
constexpr uint16_t kFragmentMask = 3;  // OFPC_FRAG_MASK; only OFPC_FRAG_NORMAL is done
// Room for one multipart reply: the 16-bit length, less the header and multipart header.
constexpr size_t kMultipartRoom =
    ofp::kMaxMessage - sizeof(ofp::Header) - sizeof(ofp::MultipartHeader);

std::vector<uint8_t> error(ofp::OfpError e, std::span<const uint8_t> raw) {
  return ofp::encode_error_reply(e, raw);
}

// A multipart reply whose items (flows, tables) may not fit one message: as many per message as
// fit, every message but the last flagged "more follows".
template <class Reply, class Item>
std::vector<std::vector<uint8_t>> split_reply(uint32_t xid, std::vector<Item> items,
                                              std::vector<Item> Reply::*list) {
  std::vector<std::vector<uint8_t>> replies;
  Reply part;
  size_t used = 0;
  for (Item& item : items) {
    Reply one;
    (one.*list).push_back(item);
    const size_t size = ofp::encode({xid, ofp::MultipartReply{0, std::move(one)}}).size() -
                        sizeof(ofp::Header) - sizeof(ofp::MultipartHeader);
    if (used + size > kMultipartRoom && !(part.*list).empty()) {
      replies.push_back(
          ofp::encode({xid, ofp::MultipartReply{ofp::kMultipartMore, std::move(part)}}));
      part = {};
      used = 0;
    }
    (part.*list).push_back(std::move(item));
    used += size;
  }
  replies.push_back(ofp::encode({xid, ofp::MultipartReply{0, std::move(part)}}));
  return replies;
}

// The actions translation runs (Xlate::run_actions), in tables and in group buckets.
constexpr std::array kActionTypes = {
    ofp::ActionType::kOutput,   ofp::ActionType::kPushVlan, ofp::ActionType::kPopVlan,
    ofp::ActionType::kGroup,    ofp::ActionType::kSetNwTtl, ofp::ActionType::kDecNwTtl,
    ofp::ActionType::kSetField,
};

// What every table can do, as translation runs it (Xlate::check_supported, to_flow_match).
std::vector<ofp::TableFeatures> table_features() {
  using ofp::OxmField;
  std::vector<uint32_t> fields;
  for (size_t f = 0; f < ofp::kOxmFieldCount; ++f) {
    const auto field = static_cast<OxmField>(f);
    auto mapped = to_flow_match({ofp::Oxm::exact(field, 0)});
    if (!mapped && mapped.error() == ofp::err::kBadField) continue;
    // Each in its own class: ovs-vswitchd lists tun_src / tun_dst with their NXM_1 headers too.
    fields.push_back(ofp::oxm_type_header(field));
  }
  // The fields set_field takes: the codec's settable ones that translation can write.
  std::vector<uint32_t> setfields;
  for (size_t f = 0; f < ofp::kOxmFieldCount; ++f) {
    ofp::Instructions one;
    one.apply_actions = ofp::ActionList{{ofp::Action::Kind::kSetField}};
    one.apply_actions->front().field = ofp::Oxm::exact(static_cast<OxmField>(f), 0);
    std::vector<uint8_t> wire;
    ofp::encode_actions(*one.apply_actions, wire);
    if (ofp::decode_actions(wire) && Xlate::check_supported(one)) {
      setfields.push_back(ofp::oxm_type_header(static_cast<OxmField>(f)));
    }
  }
  std::vector<uint16_t> actions;
  for (ofp::ActionType type : kActionTypes) actions.push_back(static_cast<uint16_t>(type));
  std::vector<ofp::TableFeatures> tables;
  for (size_t id = 0; id < Pipeline::kTables; ++id) {
    ofp::TableFeatures& table = tables.emplace_back();
    table.table_id = static_cast<uint8_t>(id);
    table.metadata_match = table.metadata_write = ~uint64_t{0};
    table.max_entries = 1'000'000;
    using I = ofp::InstructionType;
    for (I i : {I::kApplyActions, I::kClearActions, I::kWriteActions, I::kWriteMetadata}) {
      table.instructions.push_back(static_cast<uint16_t>(i));
    }
    if (id + 1 < Pipeline::kTables) {
      table.instructions.push_back(static_cast<uint16_t>(I::kGotoTable));
    }
    for (size_t next = id + 1; next < Pipeline::kTables; ++next) {
      table.next_tables.push_back(static_cast<uint8_t>(next));
    }
    table.write_actions = table.apply_actions = actions;
    table.match = table.wildcards = fields;
    table.write_setfield = table.apply_setfield = setfields;
  }
  return tables;
}

}  // namespace

OfSwitch::OfSwitch(std::string bridge, uint64_t datapath_id, datapath::ForwardingThread& forwarding,
                   Xlate& xlate, const Clock& clock, PortSource ports)
    : bridge_(std::move(bridge)),
      datapath_id_(datapath_id),
      forwarding_(forwarding),
      xlate_(xlate),
      clock_(clock),
      ports_(std::move(ports)) {}

std::vector<std::vector<uint8_t>> OfSwitch::handle(const ofp::Message& message,
                                                   std::span<const uint8_t> raw) {
  using namespace ofp;
  const uint32_t xid = message.xid;
  return std::visit(
      [&](const auto& body) -> std::vector<std::vector<uint8_t>> {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, FeaturesRequest>) {
          return {
              encode({xid, FeaturesReply{datapath_id_, 0, Pipeline::kTables, 0, kCapabilities}})};
        } else if constexpr (std::is_same_v<T, GetConfigRequest>) {
          return {encode({xid, GetConfigReply{config_}})};
        } else if constexpr (std::is_same_v<T, SetConfig>) {
          if (body.flags & kFragmentMask) return {error(err::kConfigBadFlags, raw)};
          config_ = body;
          return {};
        } else if constexpr (std::is_same_v<T, BarrierRequest>) {
          // Every earlier message was applied before its handler returned.
          return {encode({xid, BarrierReply{}})};
        } else if constexpr (std::is_same_v<T, FlowMod>) {
          const FlowModRequest one{body, {raw.begin(), raw.end()}};
          return flow_mods({&one, 1});
        } else if constexpr (std::is_same_v<T, GroupMod>) {
          auto reply = group_mod(body, raw);
          if (reply.empty()) return {};
          return {std::move(reply)};
        } else if constexpr (std::is_same_v<T, PortMod>) {
          if (!ports_.modify) return {error(err::kBadType, raw)};
          if (auto modified = ports_.modify(body); !modified) {
            return {error(modified.error(), raw)};
          }
          return {};
        } else if constexpr (std::is_same_v<T, TableMod>) {
          // OpenFlow 1.3 leaves a table nothing to configure (its bits are deprecated).
          if (body.table_id != kTableAll && body.table_id >= Pipeline::kTables) {
            return {error(err::kTableModBadTable, raw)};
          }
          return {};
        } else if constexpr (std::is_same_v<T, PacketOut>) {
          auto reply = packet_out(body, raw);
          if (reply.empty()) return {};
          return {std::move(reply)};
        } else if constexpr (std::is_same_v<T, MultipartRequest>) {
          if (std::holds_alternative<DescRequest>(body.body)) {
            return {encode({xid, MultipartReply{0, DescReply{"vswitch", "userspace datapath",
                                                             VS_VERSION, "None", bridge_}}})};
          }
          if (std::holds_alternative<PortDescRequest>(body.body)) {
            return {encode({xid, MultipartReply{0, PortDescReply{ports_.descriptions()}}})};
          }
          if (const auto* stats = std::get_if<PortStatsRequest>(&body.body)) {
            std::vector<PortStats> ports = ports_.statistics();
            if (stats->port_no != kPortAny) {
              std::erase_if(ports, [&](const PortStats& p) { return p.port_no != stats->port_no; });
              if (ports.empty()) return {error(err::kBadPort, raw)};
            }
            return split_reply(xid, std::move(ports), &PortStatsReply::ports);
          }
          if (const auto* tables = std::get_if<TableFeaturesRequest>(&body.body)) {
            // The tables' features are fixed: a request that would change them is refused.
            if (tables->sets_features()) return {error(err::kTableFeaturesEperm, raw)};
            return split_reply(xid, table_features(), &TableFeaturesReply::tables);
          }
          if (std::holds_alternative<TableStatsRequest>(body.body)) {
            return split_reply(xid, table_stats(), &TableStatsReply::tables);
          }
          if (const auto* flows = std::get_if<FlowStatsRequest>(&body.body)) {
            return flow_stats(xid, *flows, raw);
          }
          if (const auto* groups = std::get_if<GroupStatsRequest>(&body.body)) {
            return split_reply(xid, group_stats(groups->group_id), &GroupStatsReply::groups);
          }
          if (std::holds_alternative<GroupDescRequest>(body.body)) {
            return split_reply(xid, group_descriptions(), &GroupDescReply::groups);
          }
          if (std::holds_alternative<GroupFeaturesRequest>(body.body)) {
            return {encode({xid, MultipartReply{0, group_features()}})};
          }
          return {error(err::kBadMultipart, raw)};
        } else if constexpr (std::is_same_v<T, Hello> || std::is_same_v<T, ErrorMsg> ||
                             std::is_same_v<T, EchoReply>) {
          return {};  // the channel's business, or nothing to answer
        } else if constexpr (std::is_same_v<T, EchoRequest>) {
          return {encode({xid, EchoReply{body.data}})};
        } else {
          return {error(err::kBadType, raw)};  // a reply sent to a switch
        }
      },
      message.body);
}

std::vector<std::vector<uint8_t>> OfSwitch::flow_mods(std::span<const FlowModRequest> requests) {
  // What can be checked without the pipeline is checked here, the rest on the forwarding thread.
  struct Checked {
    FlowMatch match;
    bool deleting = false;
    std::optional<ofp::OfpError> error;
  };
  std::vector<Checked> checked(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const ofp::FlowMod& mod = requests[i].mod;
    Checked& one = checked[i];
    ofp::OfpResult<FlowMatch> match = to_flow_match(mod.match);
    if (!match) {
      one.error = match.error();
      continue;
    }
    one.match = match.value();
    one.deleting = mod.command == ofp::FlowModCommand::kDelete ||
                   mod.command == ofp::FlowModCommand::kDeleteStrict;
    if (one.deleting) continue;
    if (auto supported = Xlate::check_supported(mod.instructions, &one.match); !supported) {
      one.error = supported.error();
    }
  }
  const Clock::TimePoint now = clock_.now();
  std::vector<ofp::FlowRemoved> removed;
  forwarding_.call([&](datapath::Datapath& dp) {
    Ofproto* ofproto = xlate_.bridge(bridge_);
    dp.report_flow_use();  // the rules about to change get what they forwarded until now
    bool changed = false;
    for (size_t i = 0; i < requests.size(); ++i) {
      const ofp::FlowMod& mod = requests[i].mod;
      Checked& one = checked[i];
      if (one.error) continue;
      if (ofproto == nullptr) {
        one.error = ofp::err::kFlowModUnknown;
        continue;
      }
      for (const auto* list : {&mod.instructions.apply_actions, &mod.instructions.write_actions}) {
        if (one.deleting || !*list || one.error) continue;
        if (auto known = ofproto->groups().check_actions(**list); !known) one.error = known.error();
      }
      if (one.error) continue;
      auto result = ofproto->pipeline().apply(mod, one.match, now, [&](const FlowRule& rule) {
        if (rule.flags & ofp::kFlowSendFlowRem) {
          removed.push_back(flow_removed(rule, ofp::FlowRemovedReason::kDelete, now));
        }
      });
      if (!result) {
        one.error = result.error();
        continue;
      }
      changed = true;
      // No packet is ever buffered here, so a flow-mod naming a buffer names one that is
      // unknown (the flow itself is in place, as OpenFlow asks).
      if (mod.buffer_id != ofp::kNoBuffer && !one.deleting) one.error = ofp::err::kBufferUnknown;
    }
    if (changed) {
      xlate_.bump_generation();
      dp.invalidate_caches();  // after the barrier reply, every packet follows the new flows
    }
  });
  if (flow_removed_sink_) {
    for (const ofp::FlowRemoved& message : removed) flow_removed_sink_(message);
  }
  std::vector<std::vector<uint8_t>> replies;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (checked[i].error) replies.push_back(error(*checked[i].error, requests[i].raw));
  }
  return replies;
}

std::vector<ofp::TableStats> OfSwitch::table_stats() {
  std::vector<ofp::TableStats> tables;
  on_bridge([&](Ofproto& ofproto, datapath::Datapath& dp) {
    dp.report_flow_use();
    tables = ofproto.pipeline().table_stats();
  });
  return tables;
}

template <class Fn>
void OfSwitch::on_bridge(Fn&& fn) {
  forwarding_.call([&](datapath::Datapath& dp) {
    if (Ofproto* ofproto = xlate_.bridge(bridge_)) fn(*ofproto, dp);
  });
}

void OfSwitch::reset_flows(bool normal_rule) {
  const Clock::TimePoint now = clock_.now();
  on_bridge([&](Ofproto& ofproto, datapath::Datapath& dp) {
    dp.report_flow_use();
    ofproto.pipeline().reset(now, normal_rule);
    ofproto.groups().clear();  // OVS flushes the groups with the flows
    xlate_.bump_generation();
    dp.invalidate_caches();
  });
}

void OfSwitch::set_fail_open(bool on) {
  on_bridge([&](Ofproto& ofproto, datapath::Datapath& dp) {
    xlate_.set_fail_open(ofproto, on);
    dp.invalidate_caches();
  });
}

std::vector<uint8_t> OfSwitch::packet_out(const ofp::PacketOut& out, std::span<const uint8_t> raw) {
  // Nothing is ever buffered (features say n_buffers 0): the packet must come with the message.
  if (out.buffer_id != ofp::kNoBuffer) return error(ofp::err::kBufferUnknown, raw);
  for (const ofp::Action& action : out.actions) {
    if (action.kind == ofp::Action::Kind::kOutput && action.port == ofp::kPortTable) continue;
    ofp::Instructions one;
    one.apply_actions = ofp::ActionList{action};
    if (auto supported = Xlate::check_supported(one); !supported) {
      return error(supported.error(), raw);
    }
  }
  std::optional<ofp::OfpError> refused;
  on_bridge([&](Ofproto& ofproto, datapath::Datapath& dp) {
    if (auto known = ofproto.groups().check_actions(out.actions); !known) {
      refused = known.error();
      return;
    }
    // The packet comes from its in_port's datapath port, or from none (CONTROLLER, LOCAL
    // without a device).
    const uint32_t dp_in_port = ofproto.dp_port(out.in_port).value_or(0);
    FlowKey key{};
    if (parse_flow(out.data, dp_in_port, &key)) {
      refused = ofp::err::kBadPacket;
      return;
    }
    const datapath::DpActions actions =
        xlate_.translate_packet_out(ofproto, out.in_port, key, out.actions);
    if (!dp.inject(out.data, dp_in_port, actions)) refused = ofp::err::kBadPacket;
  });
  if (refused) return error(*refused, raw);
  return {};
}

std::vector<uint8_t> OfSwitch::group_mod(const ofp::GroupMod& mod, std::span<const uint8_t> raw) {
  for (const ofp::Bucket& bucket : mod.buckets) {
    ofp::Instructions one;
    one.apply_actions = bucket.actions;
    if (auto supported = Xlate::check_supported(one); !supported) {
      return error(supported.error(), raw);
    }
  }
  const Clock::TimePoint now = clock_.now();
  std::vector<ofp::FlowRemoved> removed;
  ofp::OfpResult<void> applied =
      forwarding_.call([&](datapath::Datapath& dp) -> ofp::OfpResult<void> {
        Ofproto* ofproto = xlate_.bridge(bridge_);
        if (ofproto == nullptr) return ofp::err::kGroupModEperm;
        dp.report_flow_use();  // the groups and flows about to go get their last counts
        std::vector<uint32_t> deleted;
        if (auto result = ofproto->groups().apply(mod, now, deleted); !result) return result;
        // A deleted group takes the flows that send to it along (OpenFlow 1.3, 6.5).
        for (uint32_t id : deleted) {
          ofp::FlowMod users;
          users.command = ofp::FlowModCommand::kDelete;
          users.table_id = ofp::kTableAll;
          users.out_group = id;
          auto result =
              ofproto->pipeline().apply(users, FlowMatch{}, now, [&](const FlowRule& rule) {
                if (rule.flags & ofp::kFlowSendFlowRem) {
                  removed.push_back(flow_removed(rule, ofp::FlowRemovedReason::kGroupDelete, now));
                }
              });
          if (!result) return result;
        }
        xlate_.bump_generation();
        dp.invalidate_caches();
        return boost::outcome_v2::success();
      });
  if (!applied) return error(applied.error(), raw);
  if (flow_removed_sink_) {
    for (const ofp::FlowRemoved& message : removed) flow_removed_sink_(message);
  }
  return {};
}

std::vector<ofp::GroupStats> OfSwitch::group_stats(uint32_t group_id) {
  const Clock::TimePoint now = clock_.now();
  std::vector<ofp::GroupStats> stats;
  on_bridge([&](Ofproto& ofproto, datapath::Datapath& dp) {
    dp.report_flow_use();  // counters exact up to the last packet forwarded
    for (const auto& [id, group] : ofproto.groups().groups()) {
      if (group_id != ofp::kGroupAll && id != group_id) continue;
      ofp::GroupStats& out = stats.emplace_back();
      out.group_id = id;
      FlowSelector users;
      users.out_group = id;
      out.ref_count = static_cast<uint32_t>(ofproto.pipeline().select(users).size()) +
                      ofproto.groups().chained_references(id);
      out.packet_count = group.packet_count;
      out.byte_count = group.byte_count;
      const auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - group.created);
      std::tie(out.duration_sec, out.duration_nsec) = ofp::wire_duration(age);
      out.buckets = group.bucket_counts;
    }
  });
  return stats;
}

std::vector<ofp::GroupDesc> OfSwitch::group_descriptions() {
  std::vector<ofp::GroupDesc> groups;
  on_bridge([&](Ofproto& ofproto, datapath::Datapath&) {
    for (const auto& [id, group] : ofproto.groups().groups()) {
      groups.push_back({group.type, id, group.buckets});
    }
  });
  return groups;
}

ofp::GroupFeaturesReply OfSwitch::group_features() {
  // Every type; weights, liveness, chaining and its checks (OFPGFC_*); no limit but memory.
  ofp::GroupFeaturesReply features;
  features.types = (1u << ofp::kGroupTypes) - 1;
  features.capabilities = 1 | 2 | 4 | 8;
  features.max_groups.fill(ofp::kGroupMax);
  uint32_t actions = 0;
  for (ofp::ActionType type : kActionTypes) actions |= 1u << static_cast<uint16_t>(type);
  features.actions.fill(actions);
  return features;
}

std::vector<std::vector<uint8_t>> OfSwitch::flow_stats(uint32_t xid,
                                                       const ofp::FlowStatsRequest& request,
                                                       std::span<const uint8_t> raw) {
  ofp::OfpResult<FlowMatch> match = to_flow_match(request.match);
  if (!match) return {error(match.error(), raw)};
  if (request.table_id != ofp::kTableAll && request.table_id >= Pipeline::kTables) {
    return {error(ofp::err::kBadTableId, raw)};
  }
  FlowSelector selector{
      request.table_id, match.value(),    false, 0, request.cookie, request.cookie_mask,
      request.out_port, request.out_group};
  const Clock::TimePoint now = clock_.now();
  std::vector<ofp::FlowStats> flows = forwarding_.call([&](datapath::Datapath& dp) {
    dp.report_flow_use();  // counters exact up to the last packet forwarded
    std::vector<ofp::FlowStats> out;
    Ofproto* ofproto = xlate_.bridge(bridge_);
    if (ofproto == nullptr) return out;
    for (const FlowRule* rule : ofproto->pipeline().select(selector)) {
      const auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - rule->created);
      ofp::FlowStats& flow = out.emplace_back();
      flow.table_id = rule->table_id;
      std::tie(flow.duration_sec, flow.duration_nsec) = ofp::wire_duration(age);
      flow.priority = static_cast<uint16_t>(rule->priority);
      flow.idle_timeout = rule->idle_timeout;
      flow.hard_timeout = rule->hard_timeout;
      flow.flags = rule->flags;
      flow.cookie = rule->cookie;
      flow.packet_count = rule->packet_count;
      flow.byte_count = rule->byte_count;
      flow.match = to_oxm_match(rule->flow_match());
      flow.instructions = rule->instructions;
    }
    return out;
  });

  if (request.aggregate) {
    ofp::AggregateReply sum;
    for (const ofp::FlowStats& flow : flows) {
      sum.packet_count += flow.packet_count;
      sum.byte_count += flow.byte_count;
      ++sum.flow_count;
    }
    return {ofp::encode({xid, ofp::MultipartReply{0, sum}})};
  }
  return split_reply(xid, std::move(flows), &ofp::FlowStatsReply::flows);
}

}  // namespace vs::controller
