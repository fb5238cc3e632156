// Tests for what only the AF_XDP port (datapath/afxdp_port.h) does, on a private veth pair as
// root: its XDP program and promiscuous mode go with it, one socket per queue, native mode; and
// the factory's choice between AF_XDP and AF_PACKET for `system` and `afxdp` interfaces
// (options:xdp-mode, devices AF_XDP cannot serve). What both kinds of `system` port promise is
// in system_port_test.cc.
#include "datapath/afxdp_port.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "datapath/afpacket_port.h"
#include "datapath/port_factory.h"
#include "tests/datapath/veth_pair.h"
#include "tests/support/port_peer.h"

namespace vs::datapath {
namespace {

using vs::testing::Bytes;
using vs::testing::kMacA;
using vs::testing::kMacB;
using vs::testing::make_frame;
using vs::testing::port_receives;
using vs::testing::run;

uint64_t sysfs_number(const std::string& path) {
  uint64_t value = 0;
  std::ifstream(path) >> std::hex >> value;
  return value;
}

bool has_xdp_program(const std::string& device) {
  std::string out;
  if (FILE* f = ::popen(("ip -d link show dev " + device).c_str(), "r")) {
    char buf[512];
    while (::fgets(buf, sizeof buf, f)) out += buf;
    ::pclose(f);
  }
  return out.find("prog/xdp") != std::string::npos;
}

class AfXdpPortTest : public vs::testing::VethPairTest {
 protected:
  std::unique_ptr<AfXdpPort> open_port(AfXdpPort::Mode mode = AfXdpPort::Mode::kGeneric) {
    auto opened = AfXdpPort::open(a_, mode);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(opened).value() : nullptr;
  }

  PacketPool pool_{4096};
};

TEST_F(AfXdpPortTest, ClosingDetachesTheProgramAndEndsPromiscuousMode) {
  const uint64_t kPromisc = 0x100;
  ASSERT_FALSE(sysfs_number("/sys/class/net/" + a_ + "/flags") & kPromisc);
  {
    auto port = open_port();
    ASSERT_TRUE(port);
    EXPECT_TRUE(has_xdp_program(a_));
    EXPECT_TRUE(sysfs_number("/sys/class/net/" + a_ + "/flags") & kPromisc);
    // The queue is taken: a second AF_XDP port on the device is refused, saying why.
    auto second = AfXdpPort::open(a_, AfXdpPort::Mode::kGeneric);
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("another AF_XDP socket"), std::string::npos)
        << second.error().message;
  }
  EXPECT_FALSE(has_xdp_program(a_));
  EXPECT_FALSE(sysfs_number("/sys/class/net/" + a_ + "/flags") & kPromisc);
  EXPECT_TRUE(open_port());
}

TEST_F(AfXdpPortTest, NativeModeOnVeth) {
  auto port = open_port(AfXdpPort::Mode::kNative);
  ASSERT_TRUE(port);
  EXPECT_EQ(port->mode(), AfXdpPort::Mode::kNative);
  const Bytes frame = make_frame(kMacA, kMacB, 0x33, 46);
  ASSERT_TRUE(peer_.send(frame));
  size_t others = 0;
  EXPECT_TRUE(port_receives(*port, pool_, frame, others));
}

// ---- The factory's choice ----

class SystemPortChoiceTest : public vs::testing::VethPairTest {
 protected:
  Result<std::unique_ptr<Port>> create(const std::string& type, const std::string& xdp_mode) {
    PortFactory factory;
    register_builtin_ports(factory);
    PortConfig config{.name = a_, .type = type, .options = {}};
    if (!xdp_mode.empty()) config.options["xdp-mode"] = xdp_mode;
    return factory.create(config);
  }
};

TEST_F(SystemPortChoiceTest, SystemIsAfPacketUnlessXdpModeAsksForAfXdp) {
  for (const char* type : {"system", ""}) {
    auto port = create(type, "");
    ASSERT_TRUE(port) << port.error().message;
    EXPECT_NE(dynamic_cast<AfPacketPort*>(port.value().get()), nullptr)
        << "type \"" << type << "\" did not give an AF_PACKET port";
  }
  auto generic = create("system", "generic");
  ASSERT_TRUE(generic) << generic.error().message;
  auto* xdp = dynamic_cast<AfXdpPort*>(generic.value().get());
  ASSERT_NE(xdp, nullptr) << "xdp-mode=generic did not give an AF_XDP port";
  EXPECT_EQ(xdp->mode(), AfXdpPort::Mode::kGeneric);
  auto off = create("system", "off");
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_NE(dynamic_cast<AfPacketPort*>(off.value().get()), nullptr);
}

TEST_F(SystemPortChoiceTest, SystemFallsBackToAfPacketWhenTheHookIsTaken) {
  auto holder = AfXdpPort::open(a_, AfXdpPort::Mode::kGeneric);
  ASSERT_TRUE(holder) << holder.error().message;
  auto port = create("system", "generic");
  ASSERT_TRUE(port) << port.error().message;
  EXPECT_NE(dynamic_cast<AfPacketPort*>(port.value().get()), nullptr);

  // type=afxdp never falls back.
  auto forced = create("afxdp", "generic");
  ASSERT_FALSE(forced);
  EXPECT_NE(forced.error().message.find(a_), std::string::npos) << forced.error().message;
}

TEST_F(SystemPortChoiceTest, SystemFallsBackToAfPacketForJumboMtu) {
  ASSERT_TRUE(run("ip link set " + a_ + " mtu 9000"));
  auto port = create("system", "generic");
  ASSERT_TRUE(port) << port.error().message;
  EXPECT_NE(dynamic_cast<AfPacketPort*>(port.value().get()), nullptr);
  auto forced = create("afxdp", "");
  ASSERT_FALSE(forced);
  EXPECT_NE(forced.error().message.find("MTU 9000"), std::string::npos) << forced.error().message;
}

TEST_F(SystemPortChoiceTest, AfxdpTypeHonoursXdpMode) {
  auto best = create("afxdp", "");  // OVS's default, best-effort: native works on a veth
  ASSERT_TRUE(best) << best.error().message;
  auto* xdp = dynamic_cast<AfXdpPort*>(best.value().get());
  ASSERT_NE(xdp, nullptr);
  EXPECT_EQ(xdp->mode(), AfXdpPort::Mode::kNative);
  best.value().reset();

  auto generic = create("afxdp", "generic");
  ASSERT_TRUE(generic) << generic.error().message;
  EXPECT_EQ(dynamic_cast<AfXdpPort&>(*generic.value()).mode(), AfXdpPort::Mode::kGeneric);
}

TEST_F(SystemPortChoiceTest, BadXdpModeIsAnError) {
  auto bad = create("system", "fast");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("\"fast\""), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("off"), std::string::npos) << bad.error().message;
  auto off = create("afxdp", "off");  // AF_PACKET is not an afxdp port
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().message.find(", off"), std::string::npos) << off.error().message;
}

class MultiQueueChoiceTest : public SystemPortChoiceTest {
  std::string a_options() const override { return "numrxqueues 2"; }
};

TEST_F(MultiQueueChoiceTest, SystemFallsBackToAfPacketForSeveralReceiveQueues) {
  auto port = create("system", "generic");
  ASSERT_TRUE(port) << port.error().message;
  EXPECT_NE(dynamic_cast<AfPacketPort*>(port.value().get()), nullptr);
  auto forced = create("afxdp", "generic");
  ASSERT_FALSE(forced);
  EXPECT_NE(forced.error().message.find("2 receive queues"), std::string::npos)
      << forced.error().message;
}

}  // namespace
}  // namespace vs::datapath
