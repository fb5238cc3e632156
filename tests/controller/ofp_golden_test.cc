// The codec against Open vSwitch itself: every message ovs-ofctl and ovs-vswitchd exchanged in
// ofp_golden.h (captured by ofp_golden_capture.py) either decodes and encodes back byte for
// byte, or is a message kind this switch answers with OFPBRC_BAD_TYPE / BAD_MULTIPART for now.
#include "tests/controller/ofp_golden.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "controller/ofp_message.h"
#include "tests/support/hex.h"

namespace vs::controller::ofp {
namespace {

const golden::Case& find_case(std::string_view command) {
  for (const golden::Case& c : golden::kCases) {
    if (c.command.ends_with(command)) return c;
  }
  ADD_FAILURE() << "no golden case " << command;
  return golden::kCases[0];
}

// The first message of `type` in a case, decoded.
Message first_of(const golden::Case& c, Type type) {
  for (const golden::Message& m : c.messages) {
    auto bytes = vs::testing::from_hex(m.hex);
    if (bytes.size() > 1 && bytes[1] == static_cast<uint8_t>(type)) return decode(bytes).value();
  }
  ADD_FAILURE() << "no message of type " << int(type) << " in " << c.command;
  return {};
}

TEST(OfpGolden, EveryMessageDecodesAndEncodesBackByteForByteOrIsNotTakenYet) {
  size_t round_trips = 0;
  std::map<std::string, size_t> not_taken;  // message kinds answered with an error for now
  for (const golden::Case& c : golden::kCases) {
    for (const golden::Message& m : c.messages) {
      const std::vector<uint8_t> bytes = vs::testing::from_hex(m.hex);
      OfpResult<Message> message = decode(bytes);
      if (message) {
        EXPECT_EQ(encode(message.value()), bytes) << c.command << "\n  " << m.hex;
        ++round_trips;
        continue;
      }
      const OfpError e = message.error();
      const bool expected = e == err::kBadType || e == err::kBadMultipart ||
                            (e == err::kBadVersion && bytes[0] != kVersion13);
      EXPECT_TRUE(expected) << c.command << ": error " << e.type << "/" << e.code << "\n  "
                            << m.hex;
      ++not_taken["type " + std::to_string(bytes[1]) +
                  (bytes[1] >= 18 && bytes[1] <= 19 ? " multipart " + std::to_string(bytes[9])
                                                    : "")];
    }
  }
  EXPECT_GT(round_trips, 250u);
  for (const auto& [kind, count] : not_taken) {
    std::cout << "  not taken yet: " << kind << " (" << count << " messages)\n";
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

}  // namespace
}  // namespace vs::controller::ofp
