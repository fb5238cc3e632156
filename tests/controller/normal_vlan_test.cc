// NORMAL's 802.1Q rules on the wire: one bridge with a port of every kind, and a table of
// (ingress port, frame tag) -> the exact frame each port sends. Every expected frame is the
// received payload byte for byte, untagged or with the tag the egress port calls for.
#include "tests/controller/normal_harness.h"
#include "vlan/tag.h"

namespace vs::controller {
namespace {

using vlan::PortVlans;

constexpr int kUntagged = -1;

uint16_t tci(uint16_t vid, uint8_t pcp) { return vlan::make_tci(vid, pcp); }

PortVlans rules(std::optional<int64_t> tag, std::vector<int64_t> trunks, std::string_view mode) {
  return ok(PortVlans::configure(tag, trunks, mode));
}

// A broadcast from kMac1 with the same payload in every row, untagged (-1) or with `tci`.
Bytes broadcast(int tag_tci) { return make_frame(kBroadcast, kMac1, 7, 46, tag_tci); }

class NormalVlanTest : public NormalTest {
 protected:
  // The ports of the matrix, in the notation of the Port rows they stand for.
  void add_matrix_ports() {
    add_port("br0", 1, rules(10, {}, ""));                   // tag=10
    add_port("br0", 2, rules(20, {}, ""));                   // tag=20
    add_port("br0", 3, rules({}, {}, ""));                   // (nothing): trunk, all VLANs
    add_port("br0", 4, rules({}, {10, 30}, ""));             // trunks=10,30
    add_port("br0", 5, rules(10, {20}, "native-tagged"));    // native VLAN 10, trunks 20
    add_port("br0", 6, rules(20, {10}, "native-untagged"));  // native VLAN 20, trunks 10
    add_port("br0", 7, rules(10, {}, "access"));             // a second access port on 10
    add_port("br0", 8, rules({}, {}, "trunk"));              // a second all-VLAN trunk
  }

  uint64_t vlan_drops() const {
    return dp_->stats().drops[static_cast<size_t>(DropReason::kVlanFiltered)];
  }
};

struct MatrixRow {
  const char* name;
  const char* what;
  uint32_t in_port;
  int in_tci;                   // kUntagged or the TCI of the received 802.1Q tag
  std::map<uint32_t, int> out;  // egress port -> kUntagged or the TCI it sends
  bool refused = false;         // dropped by the ingress port's rules (and counted)
};

void PrintTo(const MatrixRow& row, std::ostream* os) { *os << row.what; }

const MatrixRow kMatrix[] = {
    {"AccessUntagged",
     "access, untagged: VLAN 10, tagged on every trunk that has 10",
     1,
     kUntagged,
     {{7, kUntagged},
      {3, tci(10, 0)},
      {4, tci(10, 0)},
      {5, tci(10, 0)},
      {6, tci(10, 0)},
      {8, tci(10, 0)}}},
    {"AccessPriorityTagged",
     "access, priority-tagged PCP 5: VLAN 10 with PCP 5, untagged on access",
     1,
     tci(0, 5),
     {{7, kUntagged},
      {3, tci(10, 5)},
      {4, tci(10, 5)},
      {5, tci(10, 5)},
      {6, tci(10, 5)},
      {8, tci(10, 5)}}},
    {"AccessTaggedOwnVlan", "access, tagged VID 10: dropped", 1, tci(10, 0), {}, true},
    {"AccessTaggedOtherVlan", "access, tagged VID 20: dropped", 2, tci(20, 3), {}, true},
    {"TrunkVid20",
     "trunk, VID 20 PCP 3: untagged on access 20 and native-untagged 20",
     3,
     tci(20, 3),
     {{2, kUntagged}, {5, tci(20, 3)}, {6, kUntagged}, {8, tci(20, 3)}}},
    {"TrunkDeiKept",
     "trunk, DEI set: kept byte for byte between trunks",
     3,
     0x1000 | tci(30, 6),
     {{4, 0x1000 | tci(30, 6)}, {8, 0x1000 | tci(30, 6)}}},
    {"TrunkUntagged",
     "trunk, untagged: VLAN 0 reaches only the other all-VLAN trunk",
     3,
     kUntagged,
     {{8, kUntagged}}},
    {"LimitedTrunkOtherVlan", "trunks=10,30, VID 20: dropped", 4, tci(20, 0), {}, true},
    {"LimitedTrunkVid30",
     "trunks=10,30, VID 30",
     4,
     tci(30, 1),
     {{3, tci(30, 1)}, {8, tci(30, 1)}}},
    {"LimitedTrunkUntagged",
     "trunks=10,30, untagged: VLAN 0 is not trunked",
     4,
     kUntagged,
     {},
     true},
    {"NativeTaggedUntagged",
     "native-tagged 10, untagged: VLAN 10, and tagged on trunks",
     5,
     kUntagged,
     {{1, kUntagged},
      {7, kUntagged},
      {3, tci(10, 0)},
      {4, tci(10, 0)},
      {6, tci(10, 0)},
      {8, tci(10, 0)}}},
    {"NativeTaggedOwnVlanTagged",
     "native-tagged 10, VID 10 tagged: the same VLAN",
     5,
     tci(10, 2),
     {{1, kUntagged},
      {7, kUntagged},
      {3, tci(10, 2)},
      {4, tci(10, 2)},
      {6, tci(10, 2)},
      {8, tci(10, 2)}}},
    {"NativeTaggedOtherVlan", "native-tagged 10, VID 30: not trunked", 5, tci(30, 0), {}, true},
    {"NativeUntaggedUntagged",
     "native-untagged 20, untagged: VLAN 20",
     6,
     kUntagged,
     {{2, kUntagged}, {3, tci(20, 0)}, {5, tci(20, 0)}, {8, tci(20, 0)}}},
    {"NativeUntaggedOwnVlanTagged",
     "native-untagged 20, VID 20 tagged PCP 4: accepted, PCP kept",
     6,
     tci(20, 4),
     {{2, kUntagged}, {3, tci(20, 4)}, {5, tci(20, 4)}, {8, tci(20, 4)}}},
    {"NativeUntaggedTrunkedVlan",
     "native-untagged 20, VID 10: its trunked VLAN",
     6,
     tci(10, 0),
     {{1, kUntagged},
      {7, kUntagged},
      {3, tci(10, 0)},
      {4, tci(10, 0)},
      {5, tci(10, 0)},
      {8, tci(10, 0)}}},
};

class NormalVlanMatrix : public NormalVlanTest, public ::testing::WithParamInterface<MatrixRow> {};

TEST_P(NormalVlanMatrix, EachEgressPortGetsThePayloadWithItsTag) {
  const MatrixRow& row = GetParam();
  add_matrix_ports();
  std::map<uint32_t, std::vector<Bytes>> want;
  for (auto [port, out_tci] : row.out) want[port] = {broadcast(out_tci)};
  EXPECT_EQ(send(row.in_port, broadcast(row.in_tci)), want);
  EXPECT_EQ(vlan_drops(), row.refused ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(PortModesFrameTagsVids, NormalVlanMatrix, ::testing::ValuesIn(kMatrix),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(NormalVlanTest, LearningIsPerVlanAndUnicastLeavesWithTheEgressPortsTag) {
  add_matrix_ports();
  send(2, make_frame(kBroadcast, kMac2, 1, 46));              // kMac2 on VLAN 20, port 2
  send(3, make_frame(kBroadcast, kMac2, 1, 46, tci(10, 0)));  // and on VLAN 10, port 3
  EXPECT_EQ(xlate_.bridge("br0")->macs().lookup({2, 0, 0, 0, 0, 2}, 20), 2u);
  EXPECT_EQ(xlate_.bridge("br0")->macs().lookup({2, 0, 0, 0, 0, 2}, 10), 3u);

  // VLAN 20 from a trunk: to port 2 alone, untagged.
  EXPECT_EQ(send(8, make_frame(kMac2, kMac1, 2, 46, tci(20, 5))),
            to({2}, make_frame(kMac2, kMac1, 2, 46)));
  // VLAN 10 from an access port: to the trunk it was learned on, tagged with its PCP 0.
  EXPECT_EQ(send(1, make_frame(kMac2, kMac1, 3, 46)),
            to({3}, make_frame(kMac2, kMac1, 3, 46, tci(10, 0))));
  // VLAN 30 has not seen kMac2: flooded on VLAN 30 only.
  Bytes on30 = make_frame(kMac2, kMac1, 4, 46, tci(30, 0));
  EXPECT_EQ(send(4, on30), (std::map<uint32_t, std::vector<Bytes>>{{3, {on30}}, {8, {on30}}}));
}

TEST_F(NormalVlanTest, NewRulesTakeEffectOnCachedTrafficAndForgetThePortsMacs) {
  add_matrix_ports();
  send(2, make_frame(kBroadcast, kMac2, 1, 46));
  Bytes to2 = make_frame(kMac2, kMac1, 2, 46, tci(20, 0));
  EXPECT_EQ(send(3, to2), to({2}, make_frame(kMac2, kMac1, 2, 46)));  // cached from now on

  // tag=30 on port 2, as vswitchd applies it: new rules, then the caches go.
  ASSERT_TRUE(xlate_.set_port_vlans(*xlate_.bridge("br0")->dp_port(2), rules(30, {}, "")));
  dp_->invalidate_caches();
  EXPECT_EQ(xlate_.bridge("br0")->macs().lookup({2, 0, 0, 0, 0, 2}, 20), std::nullopt);
  EXPECT_EQ(send(3, to2), (std::map<uint32_t, std::vector<Bytes>>{
                              {5, {to2}}, {6, {make_frame(kMac2, kMac1, 2, 46)}}, {8, {to2}}}))
      << "VLAN 20 floods without port 2";
  Bytes on30 = make_frame(kBroadcast, kMac1, 3, 46, tci(30, 0));
  EXPECT_EQ(send(3, on30),
            (std::map<uint32_t, std::vector<Bytes>>{
                {2, {make_frame(kBroadcast, kMac1, 3, 46)}}, {4, {on30}}, {8, {on30}}}));
}

TEST_F(NormalVlanTest, An8021adOuterTagIsAVlanTagKeptBetweenTrunksAndRemovedForAccess) {
  add_matrix_ports();
  Bytes qinq = make_frame(kBroadcast, kMac1, 5, 46, tci(20, 1));
  qinq[12] = 0x88, qinq[13] = 0xa8;  // 802.1ad TPID, VID 20
  EXPECT_EQ(send(3, qinq),
            (std::map<uint32_t, std::vector<Bytes>>{{2, {make_frame(kBroadcast, kMac1, 5, 46)}},
                                                    {5, {qinq}},
                                                    {6, {make_frame(kBroadcast, kMac1, 5, 46)}},
                                                    {8, {qinq}}}));
}

TEST_F(NormalVlanTest, ActionsAfterNormalSeeTheFrameAsReceived) {
  add_matrix_ports();
  auto rule = std::make_unique<FlowRule>();
  rule->priority = 10;
  rule->instructions.apply_actions =
      ofp::ActionList{ofp::Action::output(ofp::kPortNormal), ofp::Action::output(8)};
  xlate_.bridge("br0")->pipeline().add(std::move(rule));
  // NORMAL sends VLAN 10 tagged to port 8; the output:8 after it sends the untagged original.
  EXPECT_EQ(
      send(1, broadcast(kUntagged)),
      (std::map<uint32_t, std::vector<Bytes>>{{3, {broadcast(tci(10, 0))}},
                                              {4, {broadcast(tci(10, 0))}},
                                              {5, {broadcast(tci(10, 0))}},
                                              {6, {broadcast(tci(10, 0))}},
                                              {7, {broadcast(kUntagged)}},
                                              {8, {broadcast(tci(10, 0)), broadcast(kUntagged)}}}));
}

TEST_F(NormalVlanTest, PriorityTagsKeepThePcpOnFramesThatLeaveUntagged) {
  const std::vector<int64_t> none;
  add_port("br0", 1, rules({}, {}, ""));
  add_port("br0", 2, rules(10, {}, ""));  // priority-tags unset: never
  add_port("br0", 3, ok(PortVlans::configure(10, none, "", "if-nonzero")));
  add_port("br0", 4, ok(PortVlans::configure(10, none, "", "always")));
  EXPECT_EQ(
      send(1, broadcast(tci(10, 5))),
      (std::map<uint32_t, std::vector<Bytes>>{
          {2, {broadcast(kUntagged)}}, {3, {broadcast(tci(0, 5))}}, {4, {broadcast(tci(0, 5))}}}));
  EXPECT_EQ(
      send(1, broadcast(tci(10, 0))),
      (std::map<uint32_t, std::vector<Bytes>>{
          {2, {broadcast(kUntagged)}}, {3, {broadcast(kUntagged)}}, {4, {broadcast(tci(0, 0))}}}));
}

TEST_F(NormalVlanTest, APortWhoseConfigurationWasRefusedIsIsolated) {
  add_matrix_ports();
  add_port("br0", 9, PortVlans::none());
  EXPECT_TRUE(send(9, broadcast(kUntagged)).empty());
  EXPECT_TRUE(send(9, broadcast(tci(10, 0))).empty());
  EXPECT_EQ(vlan_drops(), 2u);
  auto out = send(3, broadcast(tci(10, 0)));
  EXPECT_FALSE(out.contains(9)) << "nothing is sent to it either";
}

}  // namespace
}  // namespace vs::controller
