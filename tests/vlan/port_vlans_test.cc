// PortVlans against OVS's NORMAL VLAN rules, as tables: one port configuration per row group,
// every kind of frame (untagged, priority-tagged, on the port's VLAN, on another VLAN), and
// what leaves for every VLAN.
#include "vlan/port_vlans.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace vs::vlan {
namespace {

struct Config {
  std::optional<int64_t> tag;
  std::vector<int64_t> trunks;
  std::string mode;
};

PortVlans make(const Config& c) {
  auto port = PortVlans::configure(c.tag, c.trunks, c.mode);
  EXPECT_TRUE(port) << (port ? "" : port.error().message);
  return port ? port.value() : PortVlans();
}

std::string describe(const Config& c) {
  std::string s = "tag=" + (c.tag ? std::to_string(*c.tag) : std::string("[]")) + " trunks=[";
  for (size_t i = 0; i < c.trunks.size(); ++i) s += (i ? "," : "") + std::to_string(c.trunks[i]);
  return s + "] vlan_mode=" + (c.mode.empty() ? "[]" : c.mode);
}

constexpr std::optional<Tag> kDrop = std::nullopt;

struct InputCase {
  Config config;
  Tag frame;                // as received: vid 0 = untagged or priority-tagged
  std::optional<Tag> vlan;  // the VLAN it is switched on, or kDrop
};

TEST(PortVlans, InputMatrix) {
  const Config access10{10, {}, ""};
  const Config access10_explicit{10, {}, "access"};
  const Config trunk_all{{}, {}, ""};
  const Config trunk_10_20{{}, {10, 20}, "trunk"};
  const Config trunk_with_0{{}, {0, 10}, ""};
  const Config native_tagged{10, {20}, "native-tagged"};
  const Config native_untagged{10, {20}, "native-untagged"};
  const Config native_all{10, {}, "native-untagged"};
  const InputCase cases[] = {
      {access10, {0, 0}, Tag{10, 0}},  // untagged: onto the access VLAN
      {access10, {0, 5}, Tag{10, 5}},  // priority-tagged: accepted, PCP kept
      {access10, {10, 3}, kDrop},      // tagged, even with its own VLAN
      {access10, {20, 0}, kDrop},
      {access10_explicit, {0, 0}, Tag{10, 0}},
      {access10_explicit, {10, 0}, kDrop},
      {trunk_all, {0, 0}, Tag{0, 0}},  // untagged stays VLAN 0
      {trunk_all, {0, 6}, Tag{0, 6}},
      {trunk_all, {4095, 7}, Tag{4095, 7}},
      {trunk_10_20, {10, 2}, Tag{10, 2}},
      {trunk_10_20, {20, 0}, Tag{20, 0}},
      {trunk_10_20, {30, 0}, kDrop},  // not in trunks
      {trunk_10_20, {0, 0}, kDrop},   // untagged is VLAN 0, not in trunks
      {trunk_with_0, {0, 0}, Tag{0, 0}},
      {trunk_with_0, {11, 0}, kDrop},
      {native_tagged, {0, 0}, Tag{10, 0}},   // untagged: the native VLAN
      {native_tagged, {0, 4}, Tag{10, 4}},   // priority-tagged: the native VLAN, PCP kept
      {native_tagged, {10, 1}, Tag{10, 1}},  // the native VLAN tagged
      {native_tagged, {20, 1}, Tag{20, 1}},
      {native_tagged, {30, 0}, kDrop},
      {native_untagged, {0, 0}, Tag{10, 0}},
      {native_untagged, {20, 0}, Tag{20, 0}},
      {native_untagged, {21, 0}, kDrop},
      {native_all, {0, 0}, Tag{10, 0}},
      {native_all, {4000, 3}, Tag{4000, 3}},
  };
  for (const InputCase& c : cases) {
    EXPECT_EQ(make(c.config).input(c.frame), c.vlan)
        << describe(c.config) << " frame vid " << c.frame.vid << " pcp " << int(c.frame.pcp);
  }
}

struct OutputCase {
  Config config;
  uint16_t vlan;
  Egress egress;
};

TEST(PortVlans, OutputMatrix) {
  const Config access10{10, {}, ""};
  const Config trunk_all{{}, {}, ""};
  const Config trunk_10_20{{}, {10, 20}, "trunk"};
  const Config native_tagged{10, {20}, "native-tagged"};
  const Config native_untagged{10, {20}, "native-untagged"};
  const OutputCase cases[] = {
      {access10, 10, Egress::kUntagged},
      {access10, 0, Egress::kNone},
      {access10, 20, Egress::kNone},
      {trunk_all, 0, Egress::kUntagged},
      {trunk_all, 10, Egress::kTagged},
      {trunk_all, 4095, Egress::kTagged},
      {trunk_10_20, 10, Egress::kTagged},
      {trunk_10_20, 20, Egress::kTagged},
      {trunk_10_20, 30, Egress::kNone},
      {trunk_10_20, 0, Egress::kNone},
      {native_tagged, 10, Egress::kTagged},
      {native_tagged, 20, Egress::kTagged},
      {native_tagged, 0, Egress::kNone},
      {native_tagged, 30, Egress::kNone},
      {native_untagged, 10, Egress::kUntagged},
      {native_untagged, 20, Egress::kTagged},
      {native_untagged, 0, Egress::kNone},
      {native_untagged, 30, Egress::kNone},
  };
  for (const OutputCase& c : cases) {
    EXPECT_EQ(make(c.config).output(c.vlan), c.egress) << describe(c.config) << " vlan " << c.vlan;
  }
}

TEST(PortVlans, DefaultsFollowOvs) {
  EXPECT_EQ(PortVlans().mode(), Mode::kTrunk);
  EXPECT_TRUE(PortVlans().includes(0));
  EXPECT_TRUE(PortVlans().includes(4095));

  PortVlans access = make({10, {20, 30}, ""});  // OVS: an implicit VLAN wins over trunks
  EXPECT_EQ(access.mode(), Mode::kAccess);
  EXPECT_FALSE(access.includes(20));
  EXPECT_EQ(access.notes(), "trunks ignored: tag makes the port an access port");

  PortVlans trunk = make({10, {}, "trunk"});
  EXPECT_EQ(trunk.vlan(), 0);
  EXPECT_TRUE(trunk.includes(0));
  EXPECT_EQ(trunk.notes(), "tag ignored on a trunk port");

  PortVlans access0 = make({{}, {}, "access"});  // no tag: VLAN 0, untagged frames only
  EXPECT_EQ(access0.input({0, 0}), (Tag{0, 0}));
  EXPECT_EQ(access0.input({5, 0}), kDrop);
  EXPECT_EQ(make({10, {}, ""}).notes(), "");
}

TEST(PortVlans, PriorityTagsAsOvsSpellsThem) {
  const std::vector<int64_t> none;
  auto with = [&](std::string_view value) {
    auto port = PortVlans::configure(10, none, "", value);
    EXPECT_TRUE(port);
    return port.value();
  };
  for (std::string_view never : {"", "never", "false"}) {
    EXPECT_FALSE(with(never).keeps_priority_tag(0)) << never;
    EXPECT_FALSE(with(never).keeps_priority_tag(5)) << never;
  }
  for (std::string_view if_nonzero : {"if-nonzero", "true"}) {  // "true": OVS before 2.13
    EXPECT_FALSE(with(if_nonzero).keeps_priority_tag(0)) << if_nonzero;
    EXPECT_TRUE(with(if_nonzero).keeps_priority_tag(5)) << if_nonzero;
  }
  EXPECT_TRUE(with("always").keeps_priority_tag(0));
  EXPECT_TRUE(with("always").keeps_priority_tag(7));

  PortVlans typo = with("alwyas");  // a cosmetic option: noted, never, the port still works
  EXPECT_FALSE(typo.keeps_priority_tag(5));
  EXPECT_EQ(typo.notes(), "priority-tags \"alwyas\" is not never, if-nonzero or always: never");
  EXPECT_EQ(typo.input({0, 0}), (Tag{10, 0}));
  auto both = PortVlans::configure(10, std::vector<int64_t>{20}, "", "x");
  EXPECT_EQ(both.value().notes(),
            "trunks ignored: tag makes the port an access port; priority-tags \"x\" is not "
            "never, if-nonzero or always: never");
}

TEST(PortVlans, BadConfigurationIsRefusedWithTheReason) {
  const std::vector<int64_t> none;
  const std::vector<int64_t> bad_trunk{10, 4096};
  auto tag = PortVlans::configure(4096, none, "");
  ASSERT_FALSE(tag);
  EXPECT_EQ(tag.error().message, "tag 4096 is not a VLAN ID (0 to 4095)");
  auto trunks = PortVlans::configure(std::nullopt, bad_trunk, "trunk");
  ASSERT_FALSE(trunks);
  EXPECT_EQ(trunks.error().message, "trunks 4096 is not a VLAN ID (0 to 4095)");
  auto mode = PortVlans::configure(10, none, "dot1q-tunnel");
  ASSERT_FALSE(mode);
  EXPECT_EQ(mode.error().message,
            "vlan_mode \"dot1q-tunnel\" is not supported (access, trunk, native-tagged, "
            "native-untagged)");
}

}  // namespace
}  // namespace vs::vlan
