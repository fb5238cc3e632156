// Tests for the `macvtap` port (datapath/macvtap_port.h): option errors without privilege; as
// root, on a private veth pair: a macvtap the port creates on options:lower (type, mode, up,
// exact bytes both ways with no virtio-net header, gone after close), broadcast in bridge mode,
// attaching to a macvtap made by `ip link add` (survives the port), and the /dev/tapN node.
#include "datapath/macvtap_port.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "datapath/port_factory.h"
#include "tests/support/port_peer.h"

namespace vs::datapath {
namespace {

using vs::testing::becomes_operational;
using vs::testing::Bytes;
using vs::testing::kBroadcast;
using vs::testing::kMacA;
using vs::testing::kMacB;
using vs::testing::make_frame;
using vs::testing::port_receives;
using vs::testing::RawPeer;
using vs::testing::run;

bool device_exists(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string output_of(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen((command + " 2>&1").c_str(), "r")) {
    char buf[512];
    while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    ::pclose(pipe);
  }
  return out;
}

bool is_up(const std::string& device) {
  unsigned long flags = 0;
  std::ifstream("/sys/class/net/" + device + "/flags") >> std::hex >> flags;
  return flags & IFF_UP;
}

// No IPv6 chatter (router solicitations, MLD) on the device; best effort.
void quiet_ipv6(const std::string& device) {
  std::ofstream("/proc/sys/net/ipv6/conf/" + device + "/disable_ipv6") << "1";
}

void expect_error(const Result<std::unique_ptr<MacvtapPort>>& r,
                  const std::vector<std::string>& parts) {
  ASSERT_FALSE(r) << "opened, but should have failed";
  for (const std::string& part : parts) {
    EXPECT_NE(r.error().message.find(part), std::string::npos)
        << "\"" << part << "\" missing from: " << r.error().message;
  }
}

TEST(MacvtapPort, BadModeIsRefusedWithTheAllowedValues) {
  PortFactory factory;
  register_builtin_ports(factory);
  ASSERT_TRUE(factory.knows("macvtap"));
  auto r = factory.create({.name = "vsmvt0", .type = "macvtap", .options = {{"mode", "bridged"}}});
  ASSERT_FALSE(r);
  for (const char* part :
       {"macvtap port vsmvt0", "\"bridged\"", "bridge, vepa, private, passthru"}) {
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  }
}

TEST(MacvtapPort, UnknownOptionAndInvalidNamesAreRefused) {
  expect_error(MacvtapPort::open("vsmvt0", {{"lowr", "eth0"}}),
               {"vsmvt0", "unknown option \"lowr\""});
  expect_error(MacvtapPort::open("vsmvt0", {{"lower", "a/b"}}),
               {"vsmvt0", "options:lower \"a/b\"", "not a valid device name"});
  expect_error(MacvtapPort::open("vs-name-too-long0", {}),
               {"\"vs-name-too-long0\"", "not a valid device name"});
}

// ---- Real devices (root only) ----

// Deletes the devices and device nodes a test made, even when it fails half-way. Deleting a veth
// end deletes its peer and every macvtap on either end, so the order does not matter.
struct Cleanup {
  std::vector<std::string> devices;
  std::vector<std::string> nodes;
  ~Cleanup() {
    for (const std::string& node : nodes) ::unlink(node.c_str());
    for (const std::string& device : devices) {
      if (device_exists(device)) run("ip link del " + device);
    }
  }
};

class MacvtapPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create veth and macvtap devices";
    static int counter = 0;
    std::string suffix = std::to_string(::getpid()) + "x" + std::to_string(counter++);
    lower_ = "vml" + suffix;  // the veth end the macvtap sits on
    wire_ = "vmw" + suffix;   // its peer: where the test sends and captures frames
    name_ = "vmt" + suffix;   // the macvtap
    ASSERT_LE(name_.size(), 15u);
    cleanup_.devices = {name_, lower_};
    ASSERT_TRUE(run("ip link add " + lower_ + " type veth peer name " + wire_));
    quiet_ipv6(lower_);
    quiet_ipv6(wire_);
    ASSERT_TRUE(run("ip link set " + wire_ + " up"));
    ASSERT_TRUE(peer_.open(wire_));
  }

  // A macvtap made the way a hypervisor or an administrator would.
  void add_macvtap(const std::string& mode) {
    ASSERT_TRUE(
        run("ip link add link " + lower_ + " name " + name_ + " type macvtap mode " + mode));
    quiet_ipv6(name_);
    ASSERT_TRUE(run("ip link set " + lower_ + " up"));
    ASSERT_TRUE(run("ip link set " + name_ + " up"));
  }

  std::string node() const { return "/dev/tap" + std::to_string(::if_nametoindex(name_.c_str())); }

  // `in` from the wire must reach the port, and a frame the port sends must leave on the wire,
  // both byte for byte: a virtio-net header would add 10 or 12 bytes in front.
  void exchange_frames(Port& port, const Bytes& in) {
    for (const std::string& device : {wire_, lower_, name_}) {
      ASSERT_TRUE(becomes_operational(device));
    }
    PacketPool pool(256);
    size_t others = 0;
    ASSERT_TRUE(peer_.send(in));
    EXPECT_TRUE(port_receives(port, pool, in, others)) << "frame from the lower not received";
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
    port.tx_batch(std::move(batch));
    EXPECT_TRUE(peer_.receives(out)) << "transmitted frame did not leave the lower device";
    s = port.stats();
    EXPECT_EQ(s.tx_packets, 1u);
    EXPECT_EQ(s.tx_bytes, out.size());
    EXPECT_EQ(s.rx_dropped + s.tx_dropped + s.tx_errors, 0u);
    EXPECT_EQ(pool.available(), pool.capacity());
  }

  std::string lower_, wire_, name_;
  Cleanup cleanup_;
  RawPeer peer_;
};

TEST_F(MacvtapPortTest, MissingDeviceWithoutLowerIsAnErrorNamingIt) {
  expect_error(MacvtapPort::open(name_, {}), {"macvtap port " + name_, "no such device"});
  EXPECT_FALSE(device_exists(name_));
}

TEST_F(MacvtapPortTest, ExistingDeviceThatIsNotAMacvtapIsRefused) {
  expect_error(MacvtapPort::open(lower_, {}), {"macvtap port " + lower_, "not a macvtap", "veth"});
  expect_error(MacvtapPort::open(lower_, {{"lower", wire_}}), {lower_, "not a macvtap"});
  EXPECT_TRUE(device_exists(lower_));
}

TEST_F(MacvtapPortTest, MissingLowerIsAnErrorNamingIt) {
  std::string missing = "vmx" + std::to_string(::getpid());
  expect_error(MacvtapPort::open(name_, {{"lower", missing}}),
               {"macvtap port " + name_, "lower device " + missing + " does not exist"});
  EXPECT_FALSE(device_exists(name_));
}

TEST_F(MacvtapPortTest, CreatesPassthruMacvtapOnLowerAndDeletesItOnClose) {
  ASSERT_FALSE(is_up(lower_));
  PortFactory factory;
  register_builtin_ports(factory);
  auto made = factory.create(
      {.name = name_, .type = "macvtap", .options = {{"lower", lower_}, {"mode", "passthru"}}});
  ASSERT_TRUE(made) << made.error().message;
  std::unique_ptr<Port> port = std::move(made).value();
  quiet_ipv6(name_);
  auto& macvtap = static_cast<MacvtapPort&>(*port);
  EXPECT_TRUE(macvtap.created_device());
  EXPECT_FALSE(macvtap.created_node()) << "devtmpfs should have made " << node();
  EXPECT_EQ(macvtap.ifindex(), static_cast<int>(::if_nametoindex(name_.c_str())));
  EXPECT_NE(output_of("ip -d link show " + name_).find("macvtap mode passthru"), std::string::npos)
      << output_of("ip -d link show " + name_);
  EXPECT_TRUE(is_up(name_));
  EXPECT_TRUE(is_up(lower_)) << "the port should bring its lower device up";

  ifreq ifr{};
  ASSERT_EQ(::ioctl(port->fd(), TUNGETIFF, &ifr), 0) << std::strerror(errno);
  EXPECT_EQ(ifr.ifr_flags & IFF_VNET_HDR, 0) << "frames would carry a virtio-net header";
  EXPECT_EQ(::fcntl(port->fd(), F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  EXPECT_EQ(::fcntl(port->fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);

  // Passthru hands the port everything, unknown unicast included.
  exchange_frames(*port, make_frame(kMacA, kMacB, 0x10, 50));
  std::string tap_node = node();
  port.reset();
  EXPECT_FALSE(device_exists(name_)) << "the macvtap outlived the port that created it";
  EXPECT_FALSE(path_exists(tap_node));
  EXPECT_TRUE(device_exists(lower_));
}

TEST_F(MacvtapPortTest, BridgeModeIsTheDefaultAndDeliversBroadcast) {
  auto opened = MacvtapPort::open(name_, {{"lower", lower_}});
  ASSERT_TRUE(opened) << opened.error().message;
  quiet_ipv6(name_);
  EXPECT_NE(output_of("ip -d link show " + name_).find("macvtap mode bridge"), std::string::npos);
  exchange_frames(*opened.value(), make_frame(kBroadcast, kMacB, 0x20, 60));
  opened.value().reset();
  EXPECT_FALSE(device_exists(name_));
}

TEST_F(MacvtapPortTest, AttachesToExistingMacvtapAndLeavesItBehind) {
  add_macvtap("passthru");
  if (HasFatalFailure()) return;
  {
    auto opened = MacvtapPort::open(name_, {});
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_FALSE(opened.value()->created_device());
    exchange_frames(*opened.value(), make_frame(kMacA, kMacB, 0x40, 40));
  }
  EXPECT_TRUE(device_exists(name_)) << "closing the port deleted a macvtap it did not create";
  EXPECT_TRUE(path_exists(node()));

  // With options:lower the existing device is used as long as it matches them.
  {
    auto opened = MacvtapPort::open(name_, {{"lower", lower_}, {"mode", "passthru"}});
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_FALSE(opened.value()->created_device());
  }
  EXPECT_TRUE(device_exists(name_));
  expect_error(MacvtapPort::open(name_, {{"lower", lower_}, {"mode", "bridge"}}),
               {name_, "exists in mode passthru, not options:mode bridge"});
  expect_error(MacvtapPort::open(name_, {{"lower", wire_}}),
               {name_, "another lower device than options:lower " + wire_});
}

TEST_F(MacvtapPortTest, MakesAMissingDeviceNodeAndRemovesIt) {
  add_macvtap("passthru");
  if (HasFatalFailure()) return;
  std::string tap_node = node();
  ASSERT_EQ(::unlink(tap_node.c_str()), 0) << std::strerror(errno);  // as in a /dev without udev
  cleanup_.nodes.push_back(tap_node);
  {
    auto opened = MacvtapPort::open(name_, {});
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_TRUE(opened.value()->created_node());
    EXPECT_TRUE(path_exists(tap_node));
    exchange_frames(*opened.value(), make_frame(kMacA, kMacB, 0x50, 30));
  }
  EXPECT_FALSE(path_exists(tap_node)) << "the port left behind the node it made";
  EXPECT_TRUE(device_exists(name_));
}

TEST_F(MacvtapPortTest, StaleDeviceNodeIsRefused) {
  add_macvtap("bridge");
  if (HasFatalFailure()) return;
  std::string tap_node = node();
  ASSERT_EQ(::unlink(tap_node.c_str()), 0) << std::strerror(errno);
  cleanup_.nodes.push_back(tap_node);
  ASSERT_EQ(::mknod(tap_node.c_str(), S_IFCHR | 0600, makedev(1, 3)), 0);  // /dev/null's number
  expect_error(MacvtapPort::open(name_, {}), {name_, tap_node, "stale node"});
  EXPECT_TRUE(path_exists(tap_node)) << "a node the port did not make was removed";
}

}  // namespace
}  // namespace vs::datapath
