// TagStack: the fewest datapath pops and pushes between the tags a packet carries and the tags
// it should carry, and the received tag left untouched (so its DEI and TPID bytes survive).
#include "controller/tag_stack.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace vs::controller {
namespace {

using datapath::DpActions;

FlowKey tagged_key(uint16_t tpid, uint16_t tci) {
  FlowKey key{};
  key.vlan_tpid = htons(tpid);
  key.vlan_tci = htons(static_cast<uint16_t>(tci | kVlanPresent));
  return key;
}

DpActions sync(const TagStack& want, TagStack& sent) {
  DpActions actions;
  want.sync(sent, actions);
  return actions;
}

TEST(TagStack, ReplacingTheReceivedTagWithAnEqualOneEmitsNothing) {
  const FlowKey key = tagged_key(0x88a8, 5 << 13 | 20);
  TagStack sent(key), want(key);
  want.set_outer({0x88a8, 5 << 13 | 20});
  EXPECT_TRUE(sync(want, sent).empty());
  EXPECT_EQ(want.outer(), (vlan::WireTag{0x88a8, 5 << 13 | 20}));
}

TEST(TagStack, RetaggingPopsTheReceivedTagOnceAndPushesTheNewOne) {
  const FlowKey key = tagged_key(0x8100, 10);
  TagStack sent(key), want(key);
  want.set_outer({0x8100, 30});
  EXPECT_EQ(sync(want, sent), (DpActions{datapath::pop_vlan(), datapath::push_vlan({0x8100, 30})}));
  EXPECT_TRUE(sync(want, sent).empty()) << "the packet already carries it";
}

TEST(TagStack, PushOnATaggedFrameKeepsTheInnerTag) {
  const FlowKey key = tagged_key(0x8100, 10);
  TagStack sent(key), want(key);
  want.push({0x88a8, 100});
  EXPECT_EQ(sync(want, sent), (DpActions{datapath::push_vlan({0x88a8, 100})}));
  want.pop();
  EXPECT_EQ(sync(want, sent), (DpActions{datapath::pop_vlan()}));
}

TEST(TagStack, GoingBackToTheReceivedTagAfterAPopPushesItAgain) {
  const FlowKey key = tagged_key(0x8100, 3 << 13 | 10);
  TagStack sent(key), untagged(key);
  untagged.pop();
  EXPECT_FALSE(untagged.outer());
  EXPECT_EQ(sync(untagged, sent), (DpActions{datapath::pop_vlan()}));
  const TagStack received(key);
  EXPECT_EQ(sync(received, sent), (DpActions{datapath::push_vlan({0x8100, 3 << 13 | 10})}));
}

TEST(TagStack, AnUntaggedFrameGainsAndLosesATag) {
  const FlowKey key{};
  TagStack sent(key), want(key);
  EXPECT_FALSE(want.outer());
  want.pop();  // nothing to pop
  EXPECT_TRUE(sync(want, sent).empty());
  want.set_outer({0x8100, 7});
  EXPECT_EQ(sync(want, sent), (DpActions{datapath::push_vlan({0x8100, 7})}));
}

}  // namespace
}  // namespace vs::controller
