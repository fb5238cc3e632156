// Tests for both kinds of `system` port, AF_XDP (datapath/afxdp_port.h) and AF_PACKET with its
// receive ring (datapath/afpacket_port.h), on a private veth pair as root, one parameterised
// suite so that both keep the same promises: exact bytes both ways against a raw socket on the
// peer, a pollable fd, 802.1Q tags kept, what full rings drop counted, frames left in the ring
// when the pool is empty, and thousands of frames sent through a fixed number of buffers.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "datapath/afpacket_port.h"
#include "datapath/afxdp_port.h"
#include "tests/datapath/veth_pair.h"
#include "tests/support/port_peer.h"

namespace vs::datapath {
namespace {

using vs::testing::Bytes;
using vs::testing::bytes_of;
using vs::testing::kBroadcast;
using vs::testing::kMacA;
using vs::testing::kMacB;
using vs::testing::make_frame;
using vs::testing::port_receives;

enum class Kind { kAfXdp, kAfPacket };

std::string kind_name(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kAfXdp ? "AfXdp" : "AfPacket";
}

uint64_t rx_packets_of(const std::string& device) {
  uint64_t value = 0;
  std::ifstream("/sys/class/net/" + device + "/statistics/rx_packets") >> value;
  return value;
}

Result<std::unique_ptr<Port>> open_port(Kind kind, const std::string& device) {
  if (kind == Kind::kAfXdp) {
    VS_ASSIGN(auto port, AfXdpPort::open(device, AfXdpPort::Mode::kGeneric));
    return std::unique_ptr<Port>(std::move(port));
  }
  VS_ASSIGN(auto port, AfPacketPort::open(device));
  return std::unique_ptr<Port>(std::move(port));
}

Packet packet_of(PacketPool& pool, const Bytes& frame) {
  Packet p = pool.allocate();
  std::memcpy(p.data(), frame.data(), frame.size());
  p.set_size(frame.size());
  return p;
}

class SystemPortTest : public vs::testing::VethPairTest,
                       public ::testing::WithParamInterface<Kind> {
 protected:
  void SetUp() override {
    VethPairTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto opened = open_port(GetParam(), a_);
    ASSERT_TRUE(opened) << opened.error().message;
    port_ = std::move(opened).value();
  }

  void TearDown() override {
    port_.reset();
    VethPairTest::TearDown();
  }

  // Receives until the ring is empty; returns how many frames came.
  size_t drain(PacketPool& pool) {
    size_t received = 0;
    for (size_t got = 1; got > 0; received += got) {
      PacketBatch batch;
      got = port_->rx_batch(pool, batch);
    }
    return received;
  }

  PacketPool pool_{4096};
  std::unique_ptr<Port> port_;
};

TEST_P(SystemPortTest, ReceivesAndTransmitsExactBytes) {
  EXPECT_EQ(port_->name(), a_);
  // The fd is what the datapath polls: quiet before, readable once a frame waits.
  pollfd pfd{port_->fd(), POLLIN, 0};
  ASSERT_GE(pfd.fd, 0);
  EXPECT_EQ(::poll(&pfd, 1, 0), 0);
  const Bytes small = make_frame(kBroadcast, kMacB, 0x10, 46);
  const Bytes large = make_frame(kMacA, kMacB, 0x20, 1500);
  ASSERT_TRUE(peer_.send(small));
  EXPECT_EQ(::poll(&pfd, 1, 2000), 1);
  EXPECT_TRUE(pfd.revents & POLLIN);

  size_t others = 0;
  EXPECT_TRUE(port_receives(*port_, pool_, small, others)) << "small frame not received intact";
  ASSERT_TRUE(peer_.send(large));
  EXPECT_TRUE(port_receives(*port_, pool_, large, others)) << "full-size frame not received intact";
  PortStats s = port_->stats();
  EXPECT_EQ(s.rx_packets, 2 + others);
  if (others == 0) {
    EXPECT_EQ(s.rx_bytes, small.size() + large.size());
  }
  EXPECT_EQ(s.rx_dropped, 0u);

  // Unicast to a MAC that is not the peer's: only a promiscuous raw socket sees it.
  const Bytes out1 = make_frame(kMacB, kMacA, 0x30, 70);
  const Bytes out2 = make_frame(kMacB, kMacA, 0x40, 1500);
  PacketBatch batch;
  batch.push_back(packet_of(pool_, out1));
  batch.push_back(Packet{});  // an empty slot, as PacketBatch::take leaves: skipped
  batch.push_back(packet_of(pool_, out2));
  port_->tx_batch(std::move(batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(peer_.receives(out1)) << "peer did not receive the first frame";
  EXPECT_TRUE(peer_.receives(out2)) << "peer did not receive the second frame";
  s = port_->stats();
  EXPECT_EQ(s.tx_packets, 2u);
  EXPECT_EQ(s.tx_bytes, out1.size() + out2.size());
  EXPECT_EQ(s.tx_dropped + s.tx_errors, 0u);

  // The port never receives what it sent itself.
  ::usleep(50000);
  PacketBatch echo;
  port_->rx_batch(pool_, echo);
  for (const Packet& q : echo) EXPECT_NE(bytes_of(q), out1);
  echo.clear();
  EXPECT_EQ(pool_.available(), pool_.capacity());
}

TEST_P(SystemPortTest, KeepsAnInlineVlanTagBothWays) {
  const Bytes tagged = make_frame(kMacA, kMacB, 0x50, 60, (5 << 13) | 10);  // PCP 5, VID 10
  ASSERT_TRUE(peer_.send(tagged));
  size_t others = 0;
  EXPECT_TRUE(port_receives(*port_, pool_, tagged, others)) << "tagged frame not received intact";

  // The peer's kernel moves a received tag into metadata, which a raw socket does not show: an
  // AF_PACKET port on the peer, which puts it back, checks the bytes on the wire.
  auto wire = AfPacketPort::open(b_);
  ASSERT_TRUE(wire) << wire.error().message;
  PacketBatch batch;
  const Bytes out = make_frame(kMacB, kMacA, 0x60, 60, (3 << 13) | 20);
  batch.push_back(packet_of(pool_, out));
  port_->tx_batch(std::move(batch));
  EXPECT_TRUE(port_receives(*wire.value(), pool_, out, others)) << "tagged frame not sent intact";
}

// A VLAN device on a veth, or a NIC's receive VLAN offload, hands the tag over as skb metadata,
// outside the frame. Generic XDP never shows that tag (afxdp_port.h), so only AF_PACKET passes.
TEST_P(SystemPortTest, KeepsATagThatArrivesAsOffloadMetadata) {
  if (GetParam() == Kind::kAfXdp) GTEST_SKIP() << "generic XDP drops offloaded tags (afxdp_port.h)";
  ASSERT_TRUE(push_vlan_on_egress(b_, 7));
  const Bytes sent = make_frame(kMacA, kMacB, 0x70, 60);
  ASSERT_TRUE(peer_.send(sent));
  size_t others = 0;
  EXPECT_TRUE(port_receives(*port_, pool_, make_frame(kMacA, kMacB, 0x70, 60, 7), others))
      << "the frame lost its 802.1Q tag (VID 7)";
}

TEST_P(SystemPortTest, CountsWhatTheFullRingDrops) {
  // More than the ring holds, without receiving: the kernel drops the rest and counts it.
  constexpr size_t kSent = 2300;
  const Bytes frame = make_frame(kMacA, kMacB, 0x11, 46);
  for (size_t i = 0; i < kSent; ++i) ASSERT_TRUE(peer_.send(frame));
  ::usleep(100000);
  const size_t received = drain(pool_);
  PortStats s = port_->stats();
  EXPECT_EQ(s.rx_packets, received);
  EXPECT_LT(received, kSent);
  EXPECT_EQ(s.rx_packets + s.rx_dropped, kSent);

  // The ring has room again: nothing more is lost.
  ASSERT_TRUE(peer_.send(frame));
  size_t others = 0;
  EXPECT_TRUE(port_receives(*port_, pool_, frame, others));
  EXPECT_EQ(port_->stats().rx_dropped, s.rx_dropped);
}

TEST_P(SystemPortTest, LeavesFramesInTheRingWhileThePoolIsEmpty) {
  PacketPool tiny(2);
  for (uint8_t i = 0; i < 5; ++i) ASSERT_TRUE(peer_.send(make_frame(kMacA, kMacB, i, 46)));
  ::usleep(50000);
  PacketBatch batch;
  EXPECT_EQ(port_->rx_batch(tiny, batch), 2u);
  EXPECT_EQ(port_->rx_batch(tiny, batch), 0u);  // the pool is empty; the frames wait
  batch.clear();
  EXPECT_EQ(port_->rx_batch(tiny, batch), 2u);
  EXPECT_EQ(bytes_of(batch[0]), make_frame(kMacA, kMacB, 2, 46));
  batch.clear();
  EXPECT_EQ(drain(tiny), 1u);
  EXPECT_EQ(port_->stats().rx_dropped, 0u);
}

TEST_P(SystemPortTest, SendsThousandsOfFramesThroughItsBuffers) {
  const uint64_t before = rx_packets_of(b_);
  // Three times AF_XDP's 2,048 transmit frames: only completions can make room for the rest.
  constexpr size_t kBatches = 3 * 2048 / kMaxBurst;
  const Bytes frame = make_frame(kMacB, kMacA, 0x22, 46);
  for (size_t b = 0; b < kBatches; ++b) {
    PacketBatch batch;
    while (!batch.full()) batch.push_back(packet_of(pool_, frame));
    port_->tx_batch(std::move(batch));
  }
  PortStats s = port_->stats();
  EXPECT_EQ(s.tx_packets, kBatches * kMaxBurst);
  EXPECT_EQ(s.tx_dropped + s.tx_errors, 0u);
  EXPECT_EQ(rx_packets_of(b_) - before, kBatches * kMaxBurst);
}

INSTANTIATE_TEST_SUITE_P(BothKinds, SystemPortTest,
                         ::testing::Values(Kind::kAfXdp, Kind::kAfPacket), kind_name);

}  // namespace
}  // namespace vs::datapath
