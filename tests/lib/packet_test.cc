// Tests for lib/packet.h: pool reuse and exhaustion, headroom arithmetic for VLAN and GRE
// pushes, move semantics (run under ASan to catch double frees), and batch limits.
#include "lib/packet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

namespace vs {
namespace {

// A packet holding `bytes` received into its tail buffer, as the receive path would.
Packet received(PacketPool& pool, std::span<const uint8_t> bytes) {
  Packet p = pool.allocate();
  EXPECT_FALSE(p.empty());
  std::copy(bytes.begin(), bytes.end(), p.tail_buffer().begin());
  EXPECT_TRUE(p.set_size(bytes.size()));
  return p;
}

TEST(PacketPool, FreshPacketHasFullHeadroomAndNoFrame) {
  PacketPool pool(1);
  Packet p = pool.allocate();
  ASSERT_TRUE(p);
  EXPECT_EQ(p.headroom(), kPacketHeadroom);
  EXPECT_EQ(p.size(), 0u);
  EXPECT_EQ(p.tailroom(), kMaxFrameSize);
  EXPECT_EQ(p.tail_buffer().size(), kMaxFrameSize);
  EXPECT_EQ(p.in_port, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p.data() - p.headroom()) % kPacketBufferAlign, 0u);
}

TEST(PacketPool, BufferHoldsJumboFrame) {
  PacketPool pool(1);
  Packet p = pool.allocate();
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.set_size(kMaxFrameSize));
  std::memset(p.data(), 0xab, p.size());  // ASan: the whole frame is inside the buffer
  EXPECT_EQ(p.tailroom(), 0u);
  EXPECT_FALSE(p.set_size(kMaxFrameSize + 1));
  EXPECT_EQ(p.size(), kMaxFrameSize);
}

TEST(PacketPool, ReusesTheSameBuffersAfterRelease) {
  constexpr uint32_t kN = 8;
  PacketPool pool(kN);
  EXPECT_EQ(pool.capacity(), kN);
  EXPECT_EQ(pool.available(), kN);

  std::set<const uint8_t*> first;
  {
    std::vector<Packet> held;
    for (uint32_t i = 0; i < kN; ++i) {
      held.push_back(pool.allocate());
      ASSERT_TRUE(held.back());
      first.insert(held.back().data());
    }
    EXPECT_EQ(first.size(), kN);
    EXPECT_EQ(pool.available(), 0u);
  }
  EXPECT_EQ(pool.available(), kN);

  std::set<const uint8_t*> second;
  std::vector<Packet> held;
  for (uint32_t i = 0; i < kN; ++i) {
    held.push_back(pool.allocate());
    ASSERT_TRUE(held.back());
    second.insert(held.back().data());
  }
  EXPECT_EQ(first, second);
  EXPECT_EQ(pool.allocation_failures(), 0u);
}

TEST(PacketPool, ReallocatedPacketStartsFresh) {
  PacketPool pool(1);
  {
    Packet p = pool.allocate();
    ASSERT_TRUE(p.set_size(100));
    ASSERT_TRUE(p.pull_front(14));
    p.in_port = 7;
  }
  Packet p = pool.allocate();
  ASSERT_TRUE(p);
  EXPECT_EQ(p.headroom(), kPacketHeadroom);
  EXPECT_EQ(p.size(), 0u);
  EXPECT_EQ(p.in_port, 0u);
}

TEST(PacketPool, ExhaustionReturnsEmptyPacketAndCountsFailure) {
  PacketPool pool(2);
  Packet a = pool.allocate();
  Packet b = pool.allocate();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  Packet c = pool.allocate();
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.data(), nullptr);
  EXPECT_EQ(c.push_front(4), nullptr);
  EXPECT_TRUE(c.tail_buffer().empty());
  EXPECT_EQ(pool.allocation_failures(), 1u);
  EXPECT_TRUE(pool.allocate().empty());
  EXPECT_EQ(pool.allocation_failures(), 2u);
  EXPECT_EQ(pool.available(), 0u);

  a.reset();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(pool.available(), 1u);
  EXPECT_TRUE(pool.allocate());
  EXPECT_EQ(pool.allocation_failures(), 2u);
}

TEST(Packet, PushVlanTagUsesHeadroomWithoutMovingFrame) {
  PacketPool pool(1);
  const std::vector<uint8_t> frame(64, 0x5a);
  Packet p = received(pool, frame);
  uint8_t* old_data = p.data();

  uint8_t* tag = p.push_front(4);
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag, old_data - 4);
  EXPECT_EQ(p.data(), tag);
  EXPECT_EQ(p.size(), 68u);
  EXPECT_EQ(p.headroom(), kPacketHeadroom - 4);
  EXPECT_TRUE(std::equal(frame.begin(), frame.end(), old_data));
  EXPECT_TRUE(std::equal(frame.begin(), frame.end(), p.frame().subspan(4).begin()));
}

TEST(Packet, PushGreOuterHeaderUsesHeadroomWithoutMovingFrame) {
  PacketPool pool(1);
  const std::vector<uint8_t> frame(60, 0x11);
  Packet p = received(pool, frame);
  uint8_t* old_data = p.data();

  constexpr size_t kGreIpv4 = 20 + 4;  // IPv4 + basic GRE
  uint8_t* outer = p.push_front(kGreIpv4);
  ASSERT_NE(outer, nullptr);
  EXPECT_EQ(outer, old_data - kGreIpv4);
  std::memset(outer, 0xee, kGreIpv4);
  constexpr size_t kEth = 14;
  uint8_t* eth = p.push_front(kEth);
  ASSERT_NE(eth, nullptr);
  EXPECT_EQ(eth, outer - kEth);
  EXPECT_EQ(p.size(), frame.size() + kGreIpv4 + kEth);
  EXPECT_EQ(p.headroom(), kPacketHeadroom - kGreIpv4 - kEth);
  EXPECT_TRUE(std::equal(frame.begin(), frame.end(), old_data));
}

TEST(Packet, PushBeyondHeadroomFailsAndChangesNothing) {
  PacketPool pool(1);
  const std::vector<uint8_t> frame(60, 0x22);
  Packet p = received(pool, frame);
  uint8_t* old_data = p.data();

  EXPECT_EQ(p.push_front(kPacketHeadroom + 1), nullptr);
  EXPECT_EQ(p.data(), old_data);
  EXPECT_EQ(p.size(), frame.size());
  EXPECT_EQ(p.headroom(), kPacketHeadroom);

  // Exactly the headroom fits, then nothing more.
  EXPECT_EQ(p.push_front(kPacketHeadroom), old_data - kPacketHeadroom);
  EXPECT_EQ(p.headroom(), 0u);
  EXPECT_EQ(p.push_front(1), nullptr);
  EXPECT_EQ(p.size(), frame.size() + kPacketHeadroom);
}

TEST(Packet, PullFrontShrinksFromFrontAndRefusesMoreThanSize) {
  PacketPool pool(1);
  std::vector<uint8_t> frame(18);
  for (size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<uint8_t>(i);
  Packet p = received(pool, frame);
  uint8_t* old_data = p.data();

  // VLAN pop shape: drop 4 bytes from the front.
  ASSERT_TRUE(p.pull_front(4));
  EXPECT_EQ(p.data(), old_data + 4);
  EXPECT_EQ(p.size(), 14u);
  EXPECT_EQ(p.data()[0], 4);
  EXPECT_EQ(p.headroom(), kPacketHeadroom + 4);

  EXPECT_FALSE(p.pull_front(15));
  EXPECT_EQ(p.data(), old_data + 4);
  EXPECT_EQ(p.size(), 14u);

  ASSERT_TRUE(p.pull_front(14));
  EXPECT_EQ(p.size(), 0u);
  // The pulled bytes are headroom again.
  EXPECT_EQ(p.push_front(18), old_data);
}

TEST(Packet, MovedFromPacketIsEmptyAndBufferIsReturnedOnce) {
  PacketPool pool(2);
  {
    Packet a = pool.allocate();
    ASSERT_TRUE(a.set_size(10));
    a.in_port = 3;
    uint8_t* data = a.data();

    Packet b = std::move(a);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(a.in_port, 0u);
    EXPECT_EQ(b.data(), data);
    EXPECT_EQ(b.size(), 10u);
    EXPECT_EQ(b.in_port, 3u);
    EXPECT_EQ(pool.available(), 1u);

    Packet c = pool.allocate();
    c = std::move(b);        // c's own buffer goes back to the pool
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(c.data(), data);
    EXPECT_EQ(pool.available(), 1u);
  }
  EXPECT_EQ(pool.available(), 2u);
}

TEST(PacketBatch, HoldsExactlyMaxBurstAndRefusesMore) {
  PacketPool pool(kMaxBurst + 1);
  PacketBatch batch;
  EXPECT_TRUE(batch.empty());
  for (size_t i = 0; i < kMaxBurst; ++i) {
    Packet p = pool.allocate();
    p.in_port = static_cast<uint32_t>(i);
    EXPECT_TRUE(batch.push_back(std::move(p)));
  }
  EXPECT_EQ(batch.size(), kMaxBurst);
  EXPECT_TRUE(batch.full());

  Packet extra = pool.allocate();
  uint8_t* extra_data = extra.data();
  EXPECT_FALSE(batch.push_back(std::move(extra)));
  EXPECT_EQ(batch.size(), kMaxBurst);
  EXPECT_EQ(extra.data(), extra_data);  // refused packet stays with the caller

  uint32_t expected = 0;
  for (const Packet& p : batch) EXPECT_EQ(p.in_port, expected++);
  EXPECT_EQ(expected, kMaxBurst);
  EXPECT_EQ(batch[5].in_port, 5u);
}

TEST(PacketBatch, ClearReturnsBuffersToPool) {
  PacketPool pool(4);
  PacketBatch batch;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(batch.push_back(pool.allocate()));
  EXPECT_EQ(pool.available(), 0u);
  batch.clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pool.available(), 4u);
}

TEST(PacketBatch, TakeMovesPacketOutAndLeavesEmptySlot) {
  PacketPool pool(2);
  PacketBatch batch;
  ASSERT_TRUE(batch.push_back(pool.allocate()));
  ASSERT_TRUE(batch.push_back(pool.allocate()));
  const uint8_t* second = batch[1].data();

  Packet taken = batch.take(1);
  EXPECT_EQ(taken.data(), second);
  EXPECT_TRUE(batch[1].empty());
  EXPECT_EQ(batch.size(), 2u);

  batch.clear();
  EXPECT_EQ(pool.available(), 1u);  // the taken packet still holds its buffer
  taken.reset();
  EXPECT_EQ(pool.available(), 2u);
}

TEST(PacketBatch, MovedFromBatchIsEmpty) {
  PacketPool pool(2);
  PacketBatch a;
  ASSERT_TRUE(a.push_back(pool.allocate()));
  PacketBatch b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.size(), 1u);
  EXPECT_FALSE(b[0].empty());
  b.clear();
  EXPECT_EQ(pool.available(), 2u);
}

#ifndef NDEBUG
TEST(PacketPoolDeathTest, DestroyingPoolWithLivePacketAssertsInDebug) {
  EXPECT_DEATH(
      {
        auto pool = std::make_unique<PacketPool>(1);
        Packet p = pool->allocate();
        pool.reset();
      },
      "every Packet must be destroyed before its PacketPool");
}
#endif

}  // namespace
}  // namespace vs
