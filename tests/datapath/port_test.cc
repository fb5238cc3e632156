// Tests for the port seam (datapath/port.h): the memory port's exact-byte round trip, the
// factory's error for an unknown type and a missing device. The `system` port's kinds on real
// devices are in system_port_test.cc and afxdp_port_test.cc.
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
#include <memory>
#include <string>
#include <vector>

#include "datapath/afpacket_port.h"
#include "datapath/memory_port.h"
#include "datapath/port_factory.h"
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

class AfPacketPortTest : public vs::testing::VethPairTest {};

TEST_F(AfPacketPortTest, OpenMissingDeviceNamesIt) {
  auto r = AfPacketPort::open(a_ + "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(a_ + "x"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("no such device"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace vs::datapath
