// Tests for the port seam (datapath/port.h): the memory port's exact-byte round trip, the
// factory's error for an unknown type, and, as root, the `system` port on a private veth pair
// with raw frames (untagged broadcast, 802.1Q tag put back from auxdata, transmit).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "datapath/afpacket_port.h"
#include "datapath/memory_port.h"
#include "datapath/port_factory.h"
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
using vs::testing::RawPeer;
using vs::testing::run;

TEST(MemoryPort, RoundTripKeepsExactBytes) {
  PacketPool pool(64);
  MemoryPort port("mem0");
  EXPECT_EQ(port.fd(), -1);
  EXPECT_EQ(port.name(), "mem0");

  Bytes f1 = make_frame(kBroadcast, kMacA, 1, 46);
  Bytes f2 = make_frame(kMacB, kMacA, 2, 100, (5 << 13) | 10);
  port.inject(f1);
  port.inject(f2);

  PacketBatch batch;
  ASSERT_EQ(port.rx_batch(pool, batch), 2u);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(bytes_of(batch[0]), f1);
  EXPECT_EQ(bytes_of(batch[1]), f2);
  EXPECT_EQ(batch[0].headroom(), kPacketHeadroom);
  EXPECT_EQ(port.rx_batch(pool, batch), 0u);

  port.tx_batch(std::move(batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pool.available(), pool.capacity());  // tx consumed every packet
  ASSERT_EQ(port.sent().size(), 2u);
  EXPECT_EQ(port.sent()[0], f1);
  EXPECT_EQ(port.sent()[1], f2);

  PortStats s = port.stats();
  EXPECT_EQ(s.rx_packets, 2u);
  EXPECT_EQ(s.rx_bytes, f1.size() + f2.size());
  EXPECT_EQ(s.tx_packets, 2u);
  EXPECT_EQ(s.tx_bytes, f1.size() + f2.size());
  EXPECT_EQ(s.rx_dropped + s.tx_dropped + s.tx_errors, 0u);
}

TEST(MemoryPort, RxFillsOnlyTheRoomLeftInTheBatch) {
  PacketPool pool(64);
  MemoryPort port("mem0");
  for (int i = 0; i < 40; ++i) port.inject(make_frame(kBroadcast, kMacA, uint8_t(i), 46));
  PacketBatch batch;
  batch.push_back(pool.allocate());
  EXPECT_EQ(port.rx_batch(pool, batch), kMaxBurst - 1);
  EXPECT_TRUE(batch.full());
  EXPECT_EQ(port.pending_rx(), 40 - (kMaxBurst - 1));
}

TEST(MemoryPort, TxSkipsEmptySlotsAndConsumesAll) {
  PacketPool pool(8);
  MemoryPort port("mem0");
  port.inject(make_frame(kBroadcast, kMacA, 1, 46));
  port.inject(make_frame(kBroadcast, kMacA, 2, 46));
  PacketBatch batch;
  ASSERT_EQ(port.rx_batch(pool, batch), 2u);
  Packet taken = batch.take(0);
  port.tx_batch(std::move(batch));
  EXPECT_EQ(port.sent().size(), 1u);
  taken.reset();
  EXPECT_EQ(pool.available(), pool.capacity());
}

TEST(PortFactory, UnknownTypeErrorListsKnownTypes) {
  PortFactory factory;
  register_builtin_ports(factory);
  factory.register_kind("memory", [](const PortConfig& c) -> Result<std::unique_ptr<Port>> {
    return std::unique_ptr<Port>(std::make_unique<MemoryPort>(c.name));
  });

  auto bad = factory.create({.name = "p1", .type = "vxlan", .options = {}});
  ASSERT_FALSE(bad);
  const std::string& msg = bad.error().message;
  EXPECT_NE(msg.find("p1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("vxlan"), std::string::npos) << msg;
  EXPECT_NE(msg.find("system"), std::string::npos) << msg;
  EXPECT_NE(msg.find("memory"), std::string::npos) << msg;

  auto good = factory.create({.name = "m1", .type = "memory", .options = {}});
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good.value()->name(), "m1");
}

TEST(PortFactory, SystemPortOnMissingDeviceNamesIt) {
  PortFactory factory;
  register_builtin_ports(factory);
  for (const char* type : {"system", ""}) {
    auto r = factory.create({.name = "vsnodev0", .type = type, .options = {}});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("vsnodev0"), std::string::npos) << r.error().message;
  }
}

// ---- AF_PACKET on a veth pair (root only) ----

class AfPacketPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a veth pair";
    static int counter = 0;
    std::string base = "vsp" + std::to_string(::getpid()) + std::to_string(counter++);
    a_ = base + "a";
    b_ = base + "b";
    ASSERT_LE(a_.size(), 15u);
    ASSERT_TRUE(run("ip link add " + a_ + " type veth peer name " + b_)) << "ip link add failed";
    created_ = true;
    // No IPv6 chatter (router solicitations, MLD) on the pair; best effort.
    for (const std::string& dev : {a_, b_}) {
      std::ofstream("/proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6") << "1";
    }
    ASSERT_TRUE(run("ip link set " + a_ + " up"));
    ASSERT_TRUE(run("ip link set " + b_ + " up"));

    ASSERT_TRUE(peer_.open(b_));
  }

  void TearDown() override {
    if (created_) run("ip link del " + a_);  // removes the peer too
  }

  std::string a_, b_;
  bool created_ = false;
  RawPeer peer_;
};

TEST_F(AfPacketPortTest, ReceivesExactBytesRestoresVlanTagAndTransmits) {
  PacketPool pool(256);
  auto opened = AfPacketPort::open(a_);
  ASSERT_TRUE(opened) << opened.error().message;
  std::unique_ptr<AfPacketPort> port = std::move(opened).value();
  EXPECT_EQ(port->name(), a_);
  EXPECT_GE(port->fd(), 0);

  // Nothing waiting yet (or only stray traffic): rx_batch must return at once.
  {
    PacketBatch batch;
    port->rx_batch(pool, batch);
  }
  PortStats before = port->stats();

  Bytes untagged = make_frame(kBroadcast, kMacB, 0x10, 50);
  Bytes tagged = make_frame(kMacA, kMacB, 0x20, 60, (5 << 13) | 10);  // PCP 5, VID 10
  size_t others = 0;
  ASSERT_TRUE(peer_.send(untagged));
  EXPECT_TRUE(port_receives(*port, pool, untagged, others)) << "untagged broadcast not received";
  ASSERT_TRUE(peer_.send(tagged));
  EXPECT_TRUE(port_receives(*port, pool, tagged, others)) << "tagged frame not received intact";

  PortStats s = port->stats();
  EXPECT_EQ(s.rx_packets - before.rx_packets, 2 + others);
  EXPECT_GE(s.rx_bytes - before.rx_bytes, untagged.size() + tagged.size());
  if (others == 0) {
    EXPECT_EQ(s.rx_bytes - before.rx_bytes, untagged.size() + tagged.size());
  }

  // Transmit: a unicast frame to a MAC that is not the peer's, so only promiscuous raw sockets
  // see it; also proves the port never re-receives what it sent.
  Bytes out = make_frame(kMacB, kMacA, 0x30, 70);
  PacketBatch batch;
  Packet p = pool.allocate();
  ASSERT_FALSE(p.empty());
  std::memcpy(p.data(), out.data(), out.size());
  p.set_size(out.size());
  batch.push_back(std::move(p));
  port->tx_batch(std::move(batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(peer_.receives(out)) << "peer did not receive the transmitted frame";
  s = port->stats();
  EXPECT_EQ(s.tx_packets, 1u);
  EXPECT_EQ(s.tx_bytes, out.size());
  EXPECT_EQ(s.tx_dropped + s.tx_errors, 0u);

  PacketBatch echo;
  size_t seen = 0;
  for (int i = 0; i < 5; ++i) {
    port->rx_batch(pool, echo);
    for (const Packet& q : echo) seen += bytes_of(q) == out;
    echo.clear();
    ::usleep(20000);
  }
  EXPECT_EQ(seen, 0u) << "the port re-received its own transmission";
  EXPECT_EQ(pool.available(), pool.capacity());
}

TEST_F(AfPacketPortTest, OpenMissingDeviceNamesIt) {
  auto r = AfPacketPort::open(a_ + "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(a_ + "x"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("no such device"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace vs::datapath
