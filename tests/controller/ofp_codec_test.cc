// The OpenFlow 1.3 codec (ofp_message.h, oxm.h, ofp_actions.h): bytes written by hand from the
// specification, round trips of every message kind, the error each malformed input earns,
// every truncation length, and a seeded mutation loop that must never crash.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "controller/ofp_message.h"
#include "tests/support/hex.h"

namespace vs::controller::ofp {
namespace {

using Bytes = std::vector<uint8_t>;

// Bytes from hex digits; spaces are for the reader.
Bytes hex(std::string_view text) { return vs::testing::from_hex(text); }

Message decoded(const Bytes& bytes) {
  OfpResult<Message> message = decode(bytes);
  EXPECT_TRUE(message) << "error " << (message ? 0 : message.error().type) << "/"
                       << (message ? 0 : message.error().code);
  return message ? message.value() : Message{};
}

OfpError error_of(const Bytes& bytes) {
  OfpResult<Message> message = decode(bytes);
  return message ? OfpError{0xffff, 0xffff} : message.error();
}

// A flow-mod with every part: a masked and prerequisite-laden match, all instruction kinds.
FlowMod full_flow_mod() {
  FlowMod mod;
  mod.cookie = 0x1234;
  mod.cookie_mask = 0;
  mod.table_id = 3;
  mod.idle_timeout = 10;
  mod.hard_timeout = 60;
  mod.priority = 100;
  mod.flags = kFlowSendFlowRem | kFlowCheckOverlap;
  mod.match = {Oxm::exact(OxmField::kInPort, 1),
               Oxm::masked(OxmField::kEthDst, 0x0200000000aa, 0xffffffffff00),
               Oxm::exact(OxmField::kEthType, 0x0800),
               Oxm::exact(OxmField::kVlanVid, kVidPresent | 10),
               Oxm::exact(OxmField::kVlanPcp, 5),
               Oxm::exact(OxmField::kIpProto, 6),
               Oxm::masked(OxmField::kIpv4Src, 0xc6120000, 0xffff0000),
               Oxm::exact(OxmField::kTcpDst, 80)};
  Action set_vid{Action::Kind::kSetField};
  set_vid.field = Oxm::exact(OxmField::kVlanVid, 20);
  Action push{Action::Kind::kPushVlan};
  push.ethertype = 0x8100;
  Action ttl{Action::Kind::kSetNwTtl};
  ttl.ttl = 9;
  Action group{Action::Kind::kGroup};
  group.group_id = 7;
  mod.instructions.apply_actions = ActionList{push,
                                              set_vid,
                                              Action{Action::Kind::kDecNwTtl},
                                              ttl,
                                              Action::output(kPortController, 128),
                                              Action{Action::Kind::kPopVlan}};
  mod.instructions.clear_actions = true;
  mod.instructions.write_actions = ActionList{group, Action::output(2)};
  mod.instructions.write_metadata = Instructions::Metadata{0x5, 0xff};
  mod.instructions.goto_table = 4;
  return mod;
}

// One of every message kind, for the round-trip, truncation and mutation tests.
std::vector<Message> samples() {
  FlowStats stats;
  stats.table_id = 3;
  stats.duration_sec = 12;
  stats.priority = 100;
  stats.packet_count = 5;
  stats.byte_count = 500;
  stats.match = full_flow_mod().match;
  stats.instructions = full_flow_mod().instructions;
  FlowStatsRequest flows;
  flows.out_port = 2;
  flows.match = {Oxm::exact(OxmField::kEthType, 0x0806)};
  FlowStatsRequest aggregate = flows;
  aggregate.aggregate = true;
  PortDesc port{1, {2, 0, 0, 0, 0, 1}, "vnet0", 0, 4, 0, 0, 0, 0, 10000000, 0};
  PortStats stats_of_port{3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  TableFeatures table;
  table.table_id = 7;
  table.name = "acl";
  table.metadata_match = table.metadata_write = ~uint64_t{0};
  table.max_entries = 1000;
  table.instructions = {1, 4};
  table.next_tables = {8, 9, 10};  // 3 bytes: the property is padded
  table.write_actions = {0};
  table.apply_actions = {0, 17, 18};
  table.match = table.wildcards = {oxm_header(OxmField::kInPort), oxm_header(OxmField::kEthDst)};
  table.apply_setfield = {oxm_header(OxmField::kVlanVid)};
  return {
      {1, Hello{kVersion13, 1u << kVersion13}},
      {2, ErrorMsg{err::kBadPrereq, {1, 2, 3}}},
      {3, EchoRequest{{'p', 'i', 'n', 'g'}}},
      {4, EchoReply{{}}},
      {5, FeaturesRequest{}},
      {6, FeaturesReply{0x1, 0, 254, 0, 0x4f}},
      {7, GetConfigRequest{}},
      {8, GetConfigReply{{0, 0xffff}}},
      {9, SetConfig{{0, 128}}},
      {10, full_flow_mod()},
      {11, BarrierRequest{}},
      {12, BarrierReply{}},
      {13, MultipartRequest{0, DescRequest{}}},
      {14, MultipartRequest{0, flows}},
      {15, MultipartRequest{0, aggregate}},
      {16, MultipartRequest{0, PortDescRequest{}}},
      {17, MultipartReply{0, DescReply{"vswitch", "userspace", "0.1.0", "None", "br0"}}},
      {18, MultipartReply{kMultipartMore, FlowStatsReply{{stats, stats}}}},
      {19, MultipartReply{0, AggregateReply{10, 1000, 2}}},
      {20, MultipartReply{0, PortDescReply{{port, port}}}},
      {21, MultipartRequest{0, TableFeaturesRequest{}}},
      {22, MultipartReply{kMultipartMore, TableFeaturesReply{{table, table}}}},
      {23, MultipartRequest{0, PortStatsRequest{3}}},
      {24, MultipartReply{0, PortStatsReply{{stats_of_port, stats_of_port}}}},
  };
}

TEST(OfpCodec, HelloWithVersionBitmapMatchesTheSpecification) {
  // Header (version 4, type 0, length 16, xid 1), one element: type 1, length 8, bitmap 0x10.
  const Bytes wire = hex("04000010 00000001 00010008 00000010");
  EXPECT_EQ(encode({1, Hello{kVersion13, 0x10}}), wire);
  EXPECT_EQ(decoded(wire), (Message{1, Hello{kVersion13, 0x10}}));
  // An OpenFlow 1.0 hello without elements is still a hello (negotiation decides).
  EXPECT_EQ(decoded(hex("01000008 00000009")), (Message{9, Hello{1, std::nullopt}}));
}

TEST(OfpCodec, FlowModBytesMatchTheSpecificationLayout) {
  FlowMod mod;
  mod.priority = 100;
  mod.match = {Oxm::exact(OxmField::kInPort, 1)};
  mod.instructions.apply_actions = ActionList{Action::output(2)};
  const Bytes wire = hex(
      "04 0e 0058 00000007"                                     // header: flow-mod, 88 bytes
      "0000000000000000 0000000000000000 00 00 0000 0000 0064"  // cookie, mask, table, add, prio
      "ffffffff ffffffff ffffffff 0000 0000"                    // buffer, out port/group, flags
      "0001 000c 80000004 00000001 00000000"                    // match: in_port=1, padded
      "0004 0018 00000000"                                      // apply-actions, 24 bytes
      "0000 0010 00000002 0000 000000000000");                  // output:2, max_len 0
  EXPECT_EQ(encode({7, mod}), wire);
  EXPECT_EQ(decoded(wire), (Message{7, mod}));
}

TEST(OfpCodec, SetFieldVlanVidCarriesOfpvidPresentOnTheWire) {
  Action set_vid{Action::Kind::kSetField};
  set_vid.field = Oxm::exact(OxmField::kVlanVid, 10);
  Bytes out;
  encode_actions({set_vid}, out);
  EXPECT_EQ(out, hex("0019 0010 80000c02 100a 000000000000"));
  // Without OFPVID_PRESENT (as some controllers send it) it decodes to the same action.
  EXPECT_EQ(decode_actions(hex("0019 0010 80000c02 000a 000000000000")).value(),
            ActionList{set_vid});
}

TEST(OfpCodec, EveryMessageKindSurvivesARoundTrip) {
  for (const Message& message : samples()) {
    const Bytes wire = encode(message);
    OfpResult<Message> back = decode(wire);
    ASSERT_TRUE(back) << "xid " << message.xid << ": error " << back.error().type << "/"
                      << back.error().code;
    EXPECT_EQ(back.value(), message) << "xid " << message.xid;
    EXPECT_EQ(encode(back.value()), wire) << "xid " << message.xid;
  }
}

struct BadCase {
  const char* what;
  std::string hex;
  OfpError error;
};

TEST(OfpCodec, MalformedInputEarnsTheErrorTheSpecificationNames) {
  // The flow-mod prefix: header (length patched below), body up to the match.
  const std::string fm =
      "040e0000 00000001 0000000000000000 0000000000000000 0000 0000 0000 8000"
      "ffffffff ffffffff ffffffff 0000 0000";
  const BadCase cases[] = {
      {"OpenFlow 1.0 features request", "01050008 00000001", err::kBadVersion},
      {"unknown message type", "04630008 00000001", err::kBadType},
      {"packet-out is not taken yet", "040d0008 00000001", err::kBadType},
      {"experimenter message", "0404000c 00000001 00002320", err::kBadExperimenter},
      {"features request with a body", "0405000c 00000001 00000000", err::kBadLen},
      {"set-config too short", "0409000a 00000001 0000", err::kBadLen},
      {"unknown multipart", "04120010 00000001 0063 0000 00000000", err::kBadMultipart},
      {"flow-mod command 9",
       "040e0000 00000001 0000000000000000 0000000000000000 0009 0000 0000"
       "8000 ffffffff ffffffff ffffffff 0000 0000 0001 0004 00000000",
       err::kBadCommand},
      {"OXM of an experimenter class", fm + "0001 000c ffff0004 00000001 00000000", err::kBadField},
      {"unknown OXM field 50", fm + "0001 000c 80006404 00000001 00000000", err::kBadField},
      {"in_port with 2 bytes", fm + "0001 000a 80000002 0001 000000000000", err::kBadMatchLen},
      {"in_port twice", fm + "0001 0014 80000004 00000001 80000004 00000002 00000000",
       err::kDupField},
      {"mask on eth_type", fm + "0001 000c 80000b04 0800ffff 00000000", err::kBadMask},
      {"ipv4_src without eth_type", fm + "0001 000c 80001604 c6120001 00000000", err::kBadPrereq},
      {"ipv4_src with eth_type=arp", fm + "0001 0012 80000a02 0806 80001604 c6120001 000000000000",
       err::kBadPrereq},
      {"vlan_pcp without vlan_vid", fm + "0001 0009 80000e01 03 00000000000000", err::kBadPrereq},
      {"value bits outside the mask", fm + "0001 0014 8000070c 0200000000ff ffffffffff00 00000000",
       err::kBadWildcards},
      {"vlan_pcp of 9", fm + "0001 000f 80000c02 1001 80000e01 09 00", err::kBadValue},
      {"match type 0 (OpenFlow 1.1 standard)", fm + "0000 0004 00000000", err::kBadMatchType},
      {"match longer than the message", fm + "0001 0040 80000004 00000001", err::kBadMatchLen},
      {"meter instruction", fm + "0001 0004 00000000 0006 0008 00000001",
       err::kUnsupportedInstruction},
      {"unknown instruction 9", fm + "0001 0004 00000000 0009 0008 00000000",
       err::kUnknownInstruction},
      {"instruction length 6", fm + "0001 0004 00000000 0001 0006 0100 0000",
       err::kInstructionBadLen},
      {"goto_table twice", fm + "0001 0004 00000000 0001 0008 01000000 0001 0008 02000000",
       err::kUnsupportedInstruction},
      {"output to port 0",
       fm + "0001 0004 00000000 0004 0018 00000000 0000 0010 00000000 0000"
            "000000000000",
       err::kBadOutPort},
      {"output to OFPP_ANY",
       fm + "0001 0004 00000000 0004 0018 00000000 0000 0010 ffffffff"
            "0000 000000000000",
       err::kBadOutPort},
      {"set_queue is not done", fm + "0001 0004 00000000 0004 0010 00000000 0015 0008 00000001",
       err::kBadActionType},
      {"action length 12",
       fm + "0001 0004 00000000 0004 0018 00000000 0000 000c 00000002 0000"
            "000000000000",
       err::kBadActionLen},
      {"push_vlan 0x0800", fm + "0001 0004 00000000 0004 0010 00000000 0011 0008 0800 0000",
       err::kBadActionArgument},
      {"set_field on in_port",
       fm + "0001 0004 00000000 0004 0018 00000000 0019 0010 80000004 00000001 00000000",
       err::kBadSetType},
      {"set_field with a mask",
       fm + "0001 0004 00000000 0004 0018 00000000 0019 0010 80000d04 0800ff00 00000000",
       err::kBadSetArgument},
  };
  for (const BadCase& bad : cases) {
    Bytes wire = hex(bad.hex);
    wire[2] = static_cast<uint8_t>(wire.size() >> 8);  // frame it as the connection would
    wire[3] = static_cast<uint8_t>(wire.size());
    EXPECT_EQ(error_of(wire), bad.error) << bad.what;
  }
}

TEST(OfpCodec, ALengthThatDisagreesWithTheFrameIsBadLen) {
  Bytes wire = encode({1, BarrierRequest{}});
  wire.push_back(0);
  EXPECT_EQ(error_of(wire), err::kBadLen);
  EXPECT_EQ(error_of(Bytes{0x04, 0x14, 0x00}), err::kBadLen);
}

TEST(OfpCodec, ErrorReplyCarriesTheXidAndTheFirst64BytesOfTheRequest) {
  Bytes request = encode({0x1234, full_flow_mod()});
  ASSERT_GT(request.size(), 64u);
  const Message reply = decoded(encode_error_reply(err::kBadPrereq, request));
  EXPECT_EQ(reply.xid, 0x1234u);
  EXPECT_EQ(std::get<ErrorMsg>(reply.body),
            (ErrorMsg{err::kBadPrereq, Bytes(request.begin(), request.begin() + 64)}));
}

// Every prefix of a message, framed as such, is refused, or is a shorter message in its own right
// (a flow-mod cut between instructions) that encodes to exactly those bytes: nothing half-read
// is ever accepted, and nothing crashes.
TEST(OfpCodec, EveryTruncationIsAnErrorOrAWholeShorterMessage) {
  size_t refused = 0;
  for (const Message& message : samples()) {
    const Bytes wire = encode(message);
    for (size_t length = 0; length < wire.size(); ++length) {
      Bytes cut(wire.begin(), wire.begin() + length);
      if (length >= 4) {
        cut[2] = static_cast<uint8_t>(length >> 8);
        cut[3] = static_cast<uint8_t>(length);
      }
      OfpResult<Message> result = decode(cut);
      if (!result) {
        ++refused;
        continue;
      }
      EXPECT_EQ(encode(result.value()), cut) << "xid " << message.xid << " cut to " << length;
    }
  }
  EXPECT_GT(refused, 1000u);
}

// Random byte changes give an error or a message that encodes and decodes to itself.
TEST(OfpCodec, SeededMutationsNeverCrashAndWhatDecodesIsCanonical) {
  std::mt19937 random(20261130);
  size_t decoded_count = 0, refused = 0;
  for (const Message& message : samples()) {
    const Bytes wire = encode(message);
    for (int round = 0; round < 2000; ++round) {
      Bytes mutated = wire;
      const int changes = 1 + static_cast<int>(random() % 4);
      for (int c = 0; c < changes; ++c) {
        mutated[random() % mutated.size()] = static_cast<uint8_t>(random());
      }
      OfpResult<Message> result = decode(mutated);
      if (!result) {
        ++refused;
        continue;
      }
      ++decoded_count;
      OfpResult<Message> again = decode(encode(result.value()));
      ASSERT_TRUE(again) << "xid " << message.xid << " round " << round;
      EXPECT_EQ(again.value(), result.value());
    }
  }
  EXPECT_GT(refused, 0u);
  EXPECT_GT(decoded_count, 0u);
}

}  // namespace
}  // namespace vs::controller::ofp
