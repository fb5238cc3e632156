// The codec against Open vSwitch itself: every message ovs-ofctl and ovs-vswitchd exchanged in
// ofp_golden.h (captured by ofp_golden_capture.py) of a kind this codec takes decodes and encodes
// back byte for byte, or is a malformed request that OVS refused with the very error decode()
// names; every other kind is answered with OFPBRC_BAD_TYPE / BAD_MULTIPART / BAD_EXPERIMENTER.
#include "tests/controller/ofp_golden.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/ofp_message.h"
#include "tests/support/hex.h"

namespace vs::controller::ofp {
namespace {

using Bytes = std::vector<uint8_t>;

const golden::Case& find_case(std::string_view command) {
  for (const golden::Case& c : golden::kCases) {
    if (c.command.ends_with(command)) return c;
  }
  ADD_FAILURE() << "no golden case " << command;
  return golden::kCases[0];
}

// The messages of `type` in a case, decoded.
std::vector<Message> all_of(const golden::Case& c, Type type) {
  std::vector<Message> out;
  for (const golden::Message& m : c.messages) {
    const Bytes bytes = vs::testing::from_hex(m.hex);
    if (bytes.size() > 1 && bytes[1] == static_cast<uint8_t>(type)) {
      OfpResult<Message> message = decode(bytes);
      if (message) out.push_back(message.value());
      if (!message) ADD_FAILURE() << "undecodable " << m.hex;
    }
  }
  return out;
}

// The first message of `type` in a case, decoded.
Message first_of(const golden::Case& c, Type type) {
  std::vector<Message> all = all_of(c, type);
  if (!all.empty()) return all[0];
  ADD_FAILURE() << "no message of type " << int(type) << " in " << c.command;
  return {};
}

// A message's kind as the specification names it, e.g. "MULTIPART_REPLY GROUP_DESC".
std::string kind_of(const Bytes& bytes) {
  static constexpr const char* kTypes[] = {"HELLO",
                                           "ERROR",
                                           "ECHO_REQUEST",
                                           "ECHO_REPLY",
                                           "EXPERIMENTER",
                                           "FEATURES_REQUEST",
                                           "FEATURES_REPLY",
                                           "GET_CONFIG_REQUEST",
                                           "GET_CONFIG_REPLY",
                                           "SET_CONFIG",
                                           "PACKET_IN",
                                           "FLOW_REMOVED",
                                           "PORT_STATUS",
                                           "PACKET_OUT",
                                           "FLOW_MOD",
                                           "GROUP_MOD",
                                           "PORT_MOD",
                                           "TABLE_MOD",
                                           "MULTIPART_REQUEST",
                                           "MULTIPART_REPLY",
                                           "BARRIER_REQUEST",
                                           "BARRIER_REPLY",
                                           "QUEUE_GET_CONFIG_REQUEST",
                                           "QUEUE_GET_CONFIG_REPLY",
                                           "ROLE_REQUEST",
                                           "ROLE_REPLY",
                                           "GET_ASYNC_REQUEST",
                                           "GET_ASYNC_REPLY",
                                           "SET_ASYNC",
                                           "METER_MOD"};
  static constexpr const char* kMultiparts[] = {
      "DESC",         "FLOW",           "AGGREGATE",      "TABLE",          "PORT_STATS",
      "QUEUE",        "GROUP",          "GROUP_DESC",     "GROUP_FEATURES", "METER",
      "METER_CONFIG", "METER_FEATURES", "TABLE_FEATURES", "PORT_DESC"};
  if (bytes.size() < sizeof(Header)) return "truncated";
  if (bytes[0] != kVersion13 && bytes[1] != 0) return "version " + std::to_string(bytes[0]);
  std::string kind = bytes[1] < std::size(kTypes) ? kTypes[bytes[1]] : std::to_string(bytes[1]);
  if ((bytes[1] == 18 || bytes[1] == 19) && bytes.size() >= 12) {
    const unsigned mp = bytes[8] << 8 | bytes[9];
    kind += " " + (mp < std::size(kMultiparts) ? std::string(kMultiparts[mp]) : std::to_string(mp));
  }
  return kind;
}

// Every kind this codec decodes (and this switch may therefore receive or send).
const std::set<std::string> kTaken = {
    "HELLO",
    "ERROR",
    "ECHO_REQUEST",
    "ECHO_REPLY",
    "FEATURES_REQUEST",
    "FEATURES_REPLY",
    "GET_CONFIG_REQUEST",
    "GET_CONFIG_REPLY",
    "SET_CONFIG",
    "PACKET_IN",
    "FLOW_REMOVED",
    "PORT_STATUS",
    "PACKET_OUT",
    "FLOW_MOD",
    "GROUP_MOD",
    "PORT_MOD",
    "TABLE_MOD",
    "BARRIER_REQUEST",
    "BARRIER_REPLY",
    "ROLE_REQUEST",
    "ROLE_REPLY",
    "GET_ASYNC_REQUEST",
    "GET_ASYNC_REPLY",
    "SET_ASYNC",
    "MULTIPART_REQUEST DESC",
    "MULTIPART_REPLY DESC",
    "MULTIPART_REQUEST FLOW",
    "MULTIPART_REPLY FLOW",
    "MULTIPART_REQUEST AGGREGATE",
    "MULTIPART_REPLY AGGREGATE",
    "MULTIPART_REQUEST TABLE",
    "MULTIPART_REPLY TABLE",
    "MULTIPART_REQUEST PORT_STATS",
    "MULTIPART_REPLY PORT_STATS",
    "MULTIPART_REQUEST GROUP",
    "MULTIPART_REPLY GROUP",
    "MULTIPART_REQUEST GROUP_DESC",
    "MULTIPART_REPLY GROUP_DESC",
    "MULTIPART_REQUEST GROUP_FEATURES",
    "MULTIPART_REPLY GROUP_FEATURES",
    "MULTIPART_REQUEST TABLE_FEATURES",
    "MULTIPART_REPLY TABLE_FEATURES",
    "MULTIPART_REQUEST PORT_DESC",
    "MULTIPART_REPLY PORT_DESC",
};

// The error OVS answered a client message of the same case with, if it did: an OFPT_ERROR from
// the switch with the message's xid whose data is (the start of) that message.
std::optional<OfpError> ovs_error_for(const golden::Case& c, const Bytes& request) {
  for (const golden::Message& m : c.messages) {
    const Bytes reply = vs::testing::from_hex(m.hex);
    if (!m.from_switch || reply.size() < 12 + sizeof(Header) || reply[1] != 1) continue;
    const Bytes data(reply.begin() + 12, reply.end());
    if (data.size() <= request.size() && std::equal(data.begin(), data.end(), request.begin())) {
      return OfpError{uint16_t(reply[8] << 8 | reply[9]), uint16_t(reply[10] << 8 | reply[11])};
    }
  }
  return std::nullopt;
}

TEST(OfpGolden, EveryMessageOfATakenKindRoundTripsOrEarnsTheErrorOvsGaveIt) {
  size_t round_trips = 0, same_errors = 0;
  std::set<std::string> round_tripped;
  std::map<std::string, size_t> not_taken;  // message kinds answered with an error for now
  for (const golden::Case& c : golden::kCases) {
    for (const golden::Message& m : c.messages) {
      const Bytes bytes = vs::testing::from_hex(m.hex);
      const std::string kind = kind_of(bytes);
      OfpResult<Message> message = decode(bytes);
      if (!kTaken.contains(kind)) {
        if (message) {
          ADD_FAILURE() << kind << " decodes: add it to kTaken\n  " << m.hex;
          continue;
        }
        const OfpError e = message.error();
        EXPECT_TRUE(e == err::kBadType || e == err::kBadMultipart || e == err::kBadExperimenter ||
                    e == err::kBadVersion)
            << c.command << ": " << kind << ": error " << e.type << "/" << e.code;
        ++not_taken[kind];
        continue;
      }
      const std::optional<OfpError> ovs = m.from_switch ? std::nullopt : ovs_error_for(c, bytes);
      if (!message) {
        // A malformed request: OVS refused it, and decode() names the same error.
        if (!ovs) {
          ADD_FAILURE() << c.command << ": " << kind << " refused with " << message.error().type
                        << "/" << message.error().code << "\n  " << m.hex;
          continue;
        }
        EXPECT_EQ(message.error(), *ovs) << c.command << "\n  " << m.hex;
        ++same_errors;
        continue;
      }
      EXPECT_EQ(vs::testing::to_hex(encode(message.value())), m.hex) << c.command;
      ++round_trips;
      round_tripped.insert(kind);
    }
  }
  EXPECT_GT(round_trips, 300u);
  EXPECT_GE(same_errors, 14u);  // the malformed requests of monitor_malformed
  // Each kind this codec takes appears in the capture, but for table features (the capture
  // skips them: over a megabyte).
  for (const std::string& kind : kTaken) {
    if (kind.ends_with("TABLE_FEATURES")) continue;
    EXPECT_TRUE(round_tripped.contains(kind)) << kind << " is not in the capture";
  }
  for (const auto& [kind, count] : not_taken) {
    std::cout << "  not taken: " << kind << " (" << count << " messages)\n";
  }
}

TEST(OfpGolden, AnAddFlowFromOvsOfctlIsTheFlowModItSays) {
  const Message message =
      first_of(find_case("add-flow BR priority=100,in_port=1,actions=output:2"), Type::kFlowMod);
  const auto& mod = std::get<FlowMod>(message.body);
  EXPECT_EQ(mod.command, FlowModCommand::kAdd);
  EXPECT_EQ(mod.priority, 100);
  EXPECT_EQ(mod.match, Match{Oxm::exact(OxmField::kInPort, 1)});
  EXPECT_EQ(mod.instructions.apply_actions, ActionList{Action::output(2)});
  EXPECT_FALSE(mod.instructions.goto_table);
}

TEST(OfpGolden, OvsAnswersFeaturesWithItsDatapathIdAndTables) {
  const Message message = first_of(find_case("show BR"), Type::kFeaturesReply);
  const auto& features = std::get<FeaturesReply>(message.body);
  EXPECT_EQ(features.datapath_id, 1u);
  EXPECT_EQ(features.n_tables, 254);
}

TEST(OfpGolden, OvsFlowStatsCarryTheMatchAndInstructionsThatWereAdded) {
  const Message message = first_of(find_case("dump-flows BR table=3"), Type::kMultipartReply);
  const auto& flows = std::get<FlowStatsReply>(std::get<MultipartReply>(message.body).body).flows;
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].table_id, 3);
  EXPECT_EQ(flows[0].priority, 10);
  EXPECT_EQ(flows[0].match, Match{Oxm::exact(OxmField::kInPort, 2)});
  EXPECT_EQ(flows[0].instructions.apply_actions, ActionList{Action::output(1)});
}

TEST(OfpGolden, AnAddGroupFromOvsOfctlIsTheGroupModItSays) {
  const Message message =
      first_of(find_case("add-group BR group_id=4,type=ff,bucket=watch_port:1,output:1,"
                         "bucket=watch_port:2,output:2"),
               Type::kGroupMod);
  EXPECT_EQ(
      std::get<GroupMod>(message.body),
      (GroupMod{GroupModCommand::kAdd,
                GroupType::kFastFailover,
                4,
                {{0, 1, kGroupAny, {Action::output(1)}}, {0, 2, kGroupAny, {Action::output(2)}}}}));
}

TEST(OfpGolden, OvsDescribesTheGroupsThatWereAdded) {
  const Message message = first_of(find_case("dump-groups BR"), Type::kMultipartReply);
  const auto& groups = std::get<GroupDescReply>(std::get<MultipartReply>(message.body).body);
  std::map<uint32_t, GroupDesc> by_id;
  for (const GroupDesc& group : groups.groups) by_id[group.group_id] = group;
  ASSERT_EQ(by_id.size(), 4u);
  EXPECT_EQ(by_id[1].type, GroupType::kAll);
  EXPECT_EQ(by_id[3],
            (GroupDesc{GroupType::kIndirect, 3, {{0, kPortAny, kGroupAny, {Action::output(2)}}}}));
  // mod-group changed the select group's weights.
  ASSERT_EQ(by_id[2].buckets.size(), 2u);
  EXPECT_EQ(by_id[2].buckets[0].weight, 10);
  EXPECT_EQ(by_id[2].buckets[1].weight, 90);
}

TEST(OfpGolden, AnOvsPacketInCarriesThePacketOutsFrameAndTheFlowsCookie) {
  const std::vector<Message> packet_ins =
      all_of(find_case("dl_type=0x88b5"), Type::kPacketIn);  // monitor_packet_in
  ASSERT_EQ(packet_ins.size(), 2u);
  const auto& out = std::get<PacketIn>(packet_ins[0].body);
  EXPECT_EQ(out.buffer_id, kNoBuffer);
  EXPECT_EQ(out.reason, PacketInReason::kAction);
  EXPECT_EQ(out.match, Match{Oxm::exact(OxmField::kInPort, 1)});
  EXPECT_EQ(out.total_len, 42);
  EXPECT_EQ(vs::testing::to_hex(out.data),
            "ffffffffffff00000000000108060001080006040001000000000001c6120001000000000000c6120002");
  const auto& by_flow = std::get<PacketIn>(packet_ins[1].body);
  EXPECT_EQ(by_flow.cookie, 0x5678u);
  EXPECT_EQ(by_flow.table_id, 0);
  EXPECT_EQ(by_flow.total_len, 100);
  EXPECT_EQ(by_flow.data.size(), 100u);  // max_len only applies to buffered packets
}

TEST(OfpGolden, OvsReportsADeletedAndAnExpiredFlowWithTheirMatches) {
  const std::vector<Message> removed =
      all_of(find_case("send_flow_rem,actions=drop; until 2 FLOW_REMOVED"), Type::kFlowRemoved);
  ASSERT_EQ(removed.size(), 2u);
  const auto& deleted = std::get<FlowRemoved>(removed[0].body);
  EXPECT_EQ(deleted.reason, FlowRemovedReason::kDelete);
  EXPECT_EQ(deleted.cookie, 0x77u);
  EXPECT_EQ(deleted.priority, 50);
  EXPECT_EQ(deleted.idle_timeout, 30);
  EXPECT_EQ(deleted.match,
            (Match{Oxm::exact(OxmField::kInPort, 2), Oxm::exact(OxmField::kEthType, 0x88b8)}));
  const auto& expired = std::get<FlowRemoved>(removed[1].body);
  EXPECT_EQ(expired.reason, FlowRemovedReason::kHardTimeout);
  EXPECT_EQ(expired.table_id, 3);
  EXPECT_EQ(expired.hard_timeout, 1);
}

TEST(OfpGolden, OvsSendsPortStatusWhenAPortGoesDown) {
  const std::vector<Message> status =
      all_of(find_case("mod-port BR 1 up; until 2 PORT_STATUS"), Type::kPortStatus);
  ASSERT_GE(status.size(), 2u);
  const auto& down = std::get<PortStatus>(status[0].body);
  EXPECT_EQ(down.reason, PortReason::kModify);
  EXPECT_EQ(down.desc.port_no, 1u);
  EXPECT_EQ(down.desc.name, golden::kPort1Name);
  EXPECT_EQ(down.desc.config, kPortConfigDown);
  EXPECT_EQ(std::get<PortStatus>(status.back().body).desc.config, 0u);
}

TEST(OfpGolden, OvsAnswersRoleRequestsWithTheRoleAndGeneration) {
  const std::vector<Message> replies = all_of(
      find_case("ofctl/send 041800180000010400000001000000000000000000000000"), Type::kRoleReply);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(std::get<RoleReply>(replies[0].body).role, ControllerRole::kEqual);
  EXPECT_EQ(std::get<RoleReply>(replies[1].body), (RoleReply{{ControllerRole::kMaster, 1}}));
  EXPECT_EQ(std::get<RoleReply>(replies[2].body), (RoleReply{{ControllerRole::kSlave, 2}}));
  EXPECT_EQ(std::get<RoleReply>(replies[3].body).role, ControllerRole::kEqual);
}

TEST(OfpGolden, OvsAsyncConfigIsTheDefaultThenWhatWasSet) {
  const golden::Case& c = find_case("ofctl/send 041a000800000203");
  const std::vector<Message> replies = all_of(c, Type::kGetAsyncReply);
  ASSERT_EQ(replies.size(), 2u);
  // OpenFlow 1.3's defaults (6.1.1): packet-ins and flow-removed for master or equal only.
  EXPECT_EQ(std::get<GetAsyncReply>(replies[0].body), (GetAsyncReply{{{3, 0}, {7, 7}, {15, 0}}}));
  const Message set_message = first_of(c, Type::kSetAsync);  // kept: `set` refers into it
  const auto& set = std::get<SetAsync>(set_message.body);
  EXPECT_EQ(std::get<GetAsyncReply>(replies[1].body), GetAsyncReply{set});
}

TEST(OfpGolden, OvsGroupFeaturesAndStatsDecode) {
  const Message features = first_of(find_case("dump-group-features BR"), Type::kMultipartReply);
  const auto& reply = std::get<GroupFeaturesReply>(std::get<MultipartReply>(features.body).body);
  EXPECT_EQ(reply.types, 0xfu);  // all four group types
  const Message stats =
      first_of(find_case("dump-group-stats BR group_id=4"), Type::kMultipartReply);
  const auto& groups = std::get<GroupStatsReply>(std::get<MultipartReply>(stats.body).body);
  ASSERT_EQ(groups.groups.size(), 1u);
  EXPECT_EQ(groups.groups[0].group_id, 4u);
  EXPECT_EQ(groups.groups[0].buckets.size(), 2u);
}

}  // namespace
}  // namespace vs::controller::ofp
