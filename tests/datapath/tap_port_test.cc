// Tests for the `tap` and `internal` ports (datapath/tap_port.h): name errors without privilege;
// as root, an internal port on a device it creates (up, exact bytes both ways against an
// AF_PACKET socket on the device, gone after close) and a tap port attached to a persistent TAP
// made by `ip tuntap add` (works, and survives the port).
#include "datapath/tap_port.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

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

bool device_exists(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

TEST(TapPort, InvalidNamesAreRejectedWithTheName) {
  for (const std::string& name : {std::string("vs-name-too-long0"), std::string(""),
                                  std::string("vs%d"), std::string("a/b")}) {
    auto r = TapPort::open(name, TapPort::Kind::kTap);
    ASSERT_FALSE(r) << name;
    EXPECT_NE(r.error().message.find("\"" + name + "\""), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("not a valid device name"), std::string::npos)
        << r.error().message;
  }
}

TEST(TapPort, FactoryKnowsTapAndInternal) {
  PortFactory factory;
  register_builtin_ports(factory);
  EXPECT_TRUE(factory.knows("tap"));
  EXPECT_TRUE(factory.knows("internal"));
  auto r = factory.create({.name = "vs-name-too-long0", .type = "internal", .options = {}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("internal port"), std::string::npos) << r.error().message;
}

// ---- Real TAP devices (root only) ----

class TapPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create TAP devices";
    if (::access("/dev/net/tun", R_OK | W_OK) != 0) GTEST_SKIP() << "no usable /dev/net/tun";
    static int counter = 0;
    name_ = "vst" + std::to_string(::getpid()) + std::to_string(counter++);
    ASSERT_LE(name_.size(), 15u);
    ASSERT_FALSE(device_exists(name_)) << name_ << " already exists";
  }

  void TearDown() override {
    if (persistent_) run("ip tuntap del dev " + name_ + " mode tap");
  }

  // Makes a persistent TAP the way a hypervisor or an administrator would, and brings it up.
  void add_persistent_tap() {
    ASSERT_TRUE(run("ip tuntap add dev " + name_ + " mode tap")) << "ip tuntap add failed";
    persistent_ = true;
    quiet_ipv6();
    ASSERT_TRUE(run("ip link set " + name_ + " up"));
  }

  // No IPv6 chatter (router solicitations, MLD) on the device; best effort.
  void quiet_ipv6() { std::ofstream("/proc/sys/net/ipv6/conf/" + name_ + "/disable_ipv6") << "1"; }

  // Frames both ways between `port` and the peer socket, with the stats that follow.
  void exchange_frames(Port& port) {
    PacketPool pool(256);
    ASSERT_TRUE(peer_.open(name_));
    ASSERT_TRUE(vs::testing::becomes_operational(name_));

    Bytes in = make_frame(kBroadcast, kMacB, 0x10, 50);
    size_t others = 0;
    ASSERT_TRUE(peer_.send(in));
    EXPECT_TRUE(port_receives(port, pool, in, others, [](const Packet& p) {
      EXPECT_EQ(p.headroom(), kPacketHeadroom);  // a TAP frame needs no tag put back
    })) << "frame from the kernel not received";
    PortStats s = port.stats();
    EXPECT_EQ(s.rx_packets, 1 + others);
    if (others == 0) {
      EXPECT_EQ(s.rx_bytes, in.size());
    }

    Bytes out = make_frame(kMacB, kMacA, 0x30, 70);
    PacketBatch batch;
    Packet p = pool.allocate();
    ASSERT_FALSE(p.empty());
    std::memcpy(p.data(), out.data(), out.size());
    p.set_size(out.size());
    batch.push_back(std::move(p));
    batch.push_back(pool.allocate());
    batch.take(1);  // an empty slot, which tx_batch() must skip
    port.tx_batch(std::move(batch));
    EXPECT_TRUE(batch.empty());
    EXPECT_TRUE(peer_.receives(out)) << "kernel side did not receive the transmitted frame";
    s = port.stats();
    EXPECT_EQ(s.tx_packets, 1u);
    EXPECT_EQ(s.tx_bytes, out.size());
    EXPECT_EQ(s.rx_dropped + s.tx_dropped + s.tx_errors, 0u);
    EXPECT_EQ(pool.available(), pool.capacity());
  }

  std::string name_;
  bool persistent_ = false;
  RawPeer peer_;
};

TEST_F(TapPortTest, OtherInternalPortsStayDownAsInOvs) {
  auto opened = TapPort::open(name_, TapPort::Kind::kInternal);
  ASSERT_TRUE(opened) << opened.error().message;
  unsigned long flags = 0;
  std::ifstream("/sys/class/net/" + name_ + "/flags") >> std::hex >> flags;
  EXPECT_FALSE(flags & IFF_UP) << "flags 0x" << std::hex << flags;
}

TEST_F(TapPortTest, LocalPortCreatesDeviceUpAndRemovesItOnClose) {
  {
    auto opened = TapPort::open(name_, TapPort::Kind::kLocal);
    ASSERT_TRUE(opened) << opened.error().message;
    std::unique_ptr<TapPort> port = std::move(opened).value();
    EXPECT_EQ(port->name(), name_);
    EXPECT_TRUE(port->created_device());
    EXPECT_GE(port->fd(), 0);
    ASSERT_TRUE(device_exists(name_));
    quiet_ipv6();

    unsigned long flags = 0;
    std::ifstream("/sys/class/net/" + name_ + "/flags") >> std::hex >> flags;
    EXPECT_TRUE(flags & IFF_UP) << "flags 0x" << std::hex << flags;

    {
      PacketPool pool(64);
      PacketBatch batch;
      port->rx_batch(pool, batch);  // nothing (or only stray traffic) waiting: returns at once
    }
    auto second = TapPort::open(name_, TapPort::Kind::kTap);
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find(name_), std::string::npos) << second.error().message;
    EXPECT_NE(second.error().message.find("busy"), std::string::npos) << second.error().message;
  }
  EXPECT_FALSE(device_exists(name_)) << "the device outlived the port that created it";

  // Again through the factory, with fresh stats, for traffic both ways.
  PortFactory factory;
  register_builtin_ports(factory);
  auto made = factory.create({.name = name_, .type = "internal", .options = {}, .bridge_local = true});
  ASSERT_TRUE(made) << made.error().message;
  quiet_ipv6();
  exchange_frames(*made.value());
  made.value().reset();
  EXPECT_FALSE(device_exists(name_)) << "the device outlived the port that created it";
}

TEST_F(TapPortTest, AttachesToPersistentTapAndLeavesItBehind) {
  add_persistent_tap();
  if (HasFatalFailure()) return;
  {
    auto opened = TapPort::open(name_, TapPort::Kind::kTap);
    ASSERT_TRUE(opened) << opened.error().message;
    std::unique_ptr<TapPort> port = std::move(opened).value();
    EXPECT_FALSE(port->created_device());
    exchange_frames(*port);
  }
  EXPECT_TRUE(device_exists(name_)) << "closing the port destroyed a TAP it did not create";
}

TEST_F(TapPortTest, ExistingNonTapDeviceIsRefusedByName) {
  auto r = TapPort::open("lo", TapPort::Kind::kTap);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("lo"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("not a single-queue TAP"), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(device_exists("lo"));
}

}  // namespace
}  // namespace vs::datapath
