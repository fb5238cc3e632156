// Tag push, pop and rewrite against hand-written frames, byte for byte.
#include "vlan/tag.h"

#include <gtest/gtest.h>

#include <vector>

namespace vs::vlan {
namespace {

// One header field per line.
// clang-format off
const std::vector<uint8_t> kUntagged = {
    0x02, 0, 0, 0, 0, 0x02,  // destination
    0x02, 0, 0, 0, 0, 0x01,  // source
    0x08, 0x00,              // IPv4
    0x45, 0x00, 0xde, 0xad,  // payload
};
const std::vector<uint8_t> kTagged = {
    0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,
    0x81, 0x00, 0xa0, 0x0a,  // 802.1Q, PCP 5, VID 10
    0x08, 0x00, 0x45, 0x00, 0xde, 0xad,
};
// clang-format on

class Tags : public ::testing::Test {
 protected:
  Packet packet(const std::vector<uint8_t>& bytes) {
    Packet p = pool_.allocate();
    EXPECT_TRUE(p.set_size(bytes.size()));
    std::copy(bytes.begin(), bytes.end(), p.data());
    return p;
  }
  static std::vector<uint8_t> bytes(const Packet& p) { return {p.data(), p.data() + p.size()}; }

  PacketPool pool_{4};
};

TEST_F(Tags, PushInsertsTheTagAfterTheMacsUsingHeadroom) {
  Packet p = packet(kUntagged);
  const size_t headroom = p.headroom();
  ASSERT_TRUE(push_tag(p, {kTpid8021Q, make_tci(10, 5)}));
  EXPECT_EQ(bytes(p), kTagged);
  EXPECT_EQ(p.headroom(), headroom - 4);
}

TEST_F(Tags, PopRemovesTheOuterTagAndKeepsThePayloadByteForByte) {
  Packet p = packet(kTagged);
  ASSERT_TRUE(pop_tag(p));
  EXPECT_EQ(bytes(p), kUntagged);
  EXPECT_FALSE(pop_tag(p));  // untagged now: nothing to pop, nothing changed
  EXPECT_EQ(bytes(p), kUntagged);
}

TEST_F(Tags, OuterTagReadsQinQOuterFirst) {
  Packet p = packet(kTagged);
  ASSERT_TRUE(push_tag(p, {kTpid8021AD, make_tci(100, 0)}));
  EXPECT_EQ(outer_tag(p.frame()), (WireTag{kTpid8021AD, 100}));
  ASSERT_TRUE(pop_tag(p));
  EXPECT_EQ(outer_tag(p.frame()), (WireTag{kTpid8021Q, make_tci(10, 5)}));
  EXPECT_EQ(bytes(p), kTagged);
  EXPECT_EQ(outer_tag(kUntagged), std::nullopt);
}

TEST_F(Tags, SetTciRewritesOnlyTheTci) {
  Packet p = packet(kTagged);
  ASSERT_TRUE(set_tci(p, make_tci(20, 5)));
  std::vector<uint8_t> expected = kTagged;
  expected[15] = 0x14;
  EXPECT_EQ(bytes(p), expected);
  Packet untagged = packet(kUntagged);
  EXPECT_FALSE(set_tci(untagged, make_tci(20, 0)));
  EXPECT_EQ(bytes(untagged), kUntagged);
}

TEST_F(Tags, ShortFramesAndFullHeadroomAreRefusedUnchanged) {
  for (size_t n = 0; n < kTagged.size(); ++n) {
    std::vector<uint8_t> cut(kTagged.begin(), kTagged.begin() + static_cast<long>(n));
    Packet p = packet(cut);
    EXPECT_EQ(push_tag(p, {kTpid8021Q, 1}), n >= 12) << n;
    Packet q = packet(cut);
    EXPECT_EQ(pop_tag(q), n >= 16) << n;
    if (n < 16) {
      EXPECT_EQ(bytes(q), cut) << n;
    }
  }
  Packet p = packet(kUntagged);
  ASSERT_TRUE(p.push_front(p.headroom()) != nullptr);  // headroom used up
  const std::vector<uint8_t> before = bytes(p);
  EXPECT_FALSE(push_tag(p, {kTpid8021Q, 1}));
  EXPECT_EQ(bytes(p), before);
}

}  // namespace
}  // namespace vs::vlan
