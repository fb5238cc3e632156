// GRE ports and the gre_sys receiver over loopback, each test in a network namespace of its own
// so that no other raw GRE socket sees its packets: round trips, the bytes on the wire (outer
// IPv4 header, golden GRE headers), the receiver's demultiplexing and its drops by reason,
// receive claims, open errors, the MTU and send errors. Root only (raw sockets, unshare).
#include "tunnels/gre_port.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "datapath/port_factory.h"
#include "lib/byte_order.h"
#include "tests/support/hex.h"
#include "tests/support/test_support.h"

namespace vs::tunnels {
namespace {

using Bytes = std::vector<uint8_t>;
using Options = std::map<std::string, std::string>;
using vs::testing::error_of;
using vs::testing::from_hex;
using vs::testing::ok;
using vs::testing::to_hex;

constexpr int kWaitMs = 2000;  // for a packet on loopback: only ever reached when one is lost
constexpr uint32_t kLocalhost = 0x7f000001;   // 127.0.0.1
constexpr uint32_t kLocalhost2 = 0x7f000002;  // 127.0.0.2, also on lo
constexpr uint32_t kLocalhost3 = 0x7f000003;  // 127.0.0.3
constexpr size_t kOuterIpLen = 20;

// RFC 1071 written out again here, rather than lib/checksum.h, which the code under test uses.
uint16_t internet_checksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    sum += uint32_t{bytes[i]} << 8;
    if (i + 1 < bytes.size()) sum += bytes[i + 1];
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

void append(Bytes& to, const Bytes& bytes) { to.insert(to.end(), bytes.begin(), bytes.end()); }

// `n` bytes of `bytes` from `at`, in hex.
std::string hex_at(const Bytes& bytes, size_t at, size_t n) {
  const std::span<const uint8_t> all(bytes);
  return to_hex(all.subspan(at, n));
}

// An Ethernet frame with an ICMP echo request from 192.0.2.1 to 192.0.2.2 in IPv4 with `tos`
// and `ttl`, behind `tags` (hex, TPID and TCI each) if any: 74 bytes untagged.
Bytes icmp_echo_frame(uint8_t tos = 0, uint8_t ttl = 64, const std::string& tags = "") {
  Bytes frame = from_hex("020000000002 020000000001" + tags + "0800");
  Bytes ip = from_hex("4500003c 12340000 40010000 c0000201 c0000202");
  ip[1] = tos;
  ip[8] = ttl;
  const uint16_t ip_sum = internet_checksum(ip);
  ip[10] = static_cast<uint8_t>(ip_sum >> 8);
  ip[11] = static_cast<uint8_t>(ip_sum);
  Bytes icmp = from_hex("08000000 00010001");
  for (int i = 0; i < 32; ++i) icmp.push_back(static_cast<uint8_t>('a' + i % 23));
  const uint16_t icmp_sum = internet_checksum(icmp);
  icmp[2] = static_cast<uint8_t>(icmp_sum >> 8);
  icmp[3] = static_cast<uint8_t>(icmp_sum);
  append(frame, ip);
  append(frame, icmp);
  return frame;
}

// An Ethernet frame with an ICMPv6 echo request in IPv6 with traffic class `tclass` and
// `hop_limit`.
Bytes icmpv6_echo_frame(uint8_t tclass, uint8_t hop_limit) {
  Bytes frame = from_hex("020000000002 020000000001 86dd");
  Bytes ip = from_hex(
      "60000000 0008 3a 00"
      "fe800000000000000000000000000001"
      "fe800000000000000000000000000002");
  ip[0] = static_cast<uint8_t>(0x60 | tclass >> 4);
  ip[1] = static_cast<uint8_t>(tclass << 4);
  ip[7] = hop_limit;
  append(frame, ip);
  append(frame, from_hex("80000000 00010001"));
  return frame;
}

// A broadcast ARP request, padded to 60 bytes: not IP.
Bytes arp_frame() {
  return from_hex(
      "ffffffffffff 020000000001 0806"
      "0001 0800 06 04 0001 020000000001 c0000201 000000000000 c0000202"
      "000000000000000000000000000000000000");
}

Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  append(out, b);
  return out;
}

sockaddr_in socket_address(uint32_t address) {
  sockaddr_in a;
  std::memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(address);
  return a;
}

// A raw GRE socket of the test's own, with no filter (it sees every GRE packet to this host),
// bound to `local` if that is not 0.
UniqueFd raw_gre_socket(uint32_t local = 0) {
  UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, kIpProtoGre));
  EXPECT_TRUE(fd) << "raw GRE socket: " << std::strerror(errno);
  if (fd && local != 0) {
    const sockaddr_in address = socket_address(local);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0)
        << std::strerror(errno);
  }
  return fd;
}

// Sends `gre` (a GRE header and what follows it) from `from` to `to` through the host's stack,
// with the IPv4 options `ip_options` if any.
void inject(uint32_t from, uint32_t to, const Bytes& gre, const Bytes& ip_options = Bytes()) {
  UniqueFd fd = raw_gre_socket(from);
  ASSERT_TRUE(fd);
  if (!ip_options.empty()) {
    ASSERT_EQ(::setsockopt(fd.get(), IPPROTO_IP, IP_OPTIONS, ip_options.data(),
                           static_cast<socklen_t>(ip_options.size())),
              0)
        << std::strerror(errno);
  }
  const sockaddr_in address = socket_address(to);
  ASSERT_EQ(::sendto(fd.get(), gre.data(), gre.size(), 0,
                     reinterpret_cast<const sockaddr*>(&address), sizeof address),
            static_cast<ssize_t>(gre.size()))
      << std::strerror(errno);
}

// The next packet `fd` (a raw GRE socket) receives, its IPv4 header first; empty if none comes
// within kWaitMs.
Bytes sniff(int fd) {
  pollfd pfd;
  pfd.fd = fd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  if (::poll(&pfd, 1, kWaitMs) != 1) return Bytes();
  Bytes buffer(65536);
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
  if (n < 0) return Bytes();
  buffer.resize(static_cast<size_t>(n));
  return buffer;
}

// Checks the outer IPv4 header of a packet a GRE port sent from 127.0.0.1 to `dst`: no options,
// no DF (the host may fragment it), GRE, the right total length, `tos` and `ttl`. Returns what
// follows the header: the GRE header and the frame.
Bytes outer_payload(const Bytes& packet, uint8_t tos, uint8_t ttl, uint32_t dst = kLocalhost) {
  EXPECT_GE(packet.size(), kOuterIpLen) << "no packet on the wire";
  if (packet.size() < kOuterIpLen) return Bytes();
  EXPECT_EQ(packet[0], 0x45);
  EXPECT_EQ(int{packet[1]}, int{tos}) << "TOS";
  EXPECT_EQ(size_t{load_be16(&packet[2])}, packet.size());
  EXPECT_EQ(load_be16(&packet[6]) & 0xe000, 0) << "DF or MF set";
  EXPECT_EQ(int{packet[8]}, int{ttl}) << "TTL";
  EXPECT_EQ(int{packet[9]}, int{kIpProtoGre});
  EXPECT_EQ(load_be32(&packet[12]), kLocalhost);
  EXPECT_EQ(load_be32(&packet[16]), dst);
  return Bytes(packet.begin() + kOuterIpLen, packet.end());
}

// What the receiver handed over for one packet.
struct Received {
  uint32_t in_port = 0;
  uint64_t tunnel_id = 0;
  uint32_t tunnel_src = 0;
  uint32_t tunnel_dst = 0;
  Bytes frame;
};

class GrePortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for raw sockets and a network namespace";
    // A namespace of this test's own (again for each test when the binary runs whole): only
    // its sockets see its GRE packets, and it has only lo, with no route elsewhere.
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET): " << std::strerror(errno);
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(fd) << std::strerror(errno);
    ifreq ifr;
    std::memset(&ifr, 0, sizeof ifr);
    std::memcpy(ifr.ifr_name, "lo", 3);
    ASSERT_EQ(::ioctl(fd.get(), SIOCGIFFLAGS, &ifr), 0) << std::strerror(errno);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    ASSERT_EQ(::ioctl(fd.get(), SIOCSIFFLAGS, &ifr), 0) << std::strerror(errno);
    tunnels_ = ok(GreTunnels::open());
    receiver_ = std::make_unique<GreReceiver>(tunnels_);
  }

  // A port open in tunnels_, attached as `number` unless that is 0.
  std::unique_ptr<GrePort> open_port(const std::string& name, const Options& options,
                                     uint32_t number) {
    std::unique_ptr<GrePort> port = ok(GrePort::open(name, options, tunnels_));
    if (number != 0) port->attached(number);
    return port;
  }

  // A packet holding `frame`, with the tunnel key and destination a flow would set.
  Packet packet_of(const Bytes& frame, uint64_t tunnel_id = 0, uint32_t tunnel_dst = 0) {
    Packet packet = pool_.allocate();
    EXPECT_TRUE(packet);
    if (!packet) return packet;
    std::copy(frame.begin(), frame.end(), packet.data());
    packet.set_size(frame.size());
    packet.tunnel.id = tunnel_id;
    packet.tunnel.dst = tunnel_dst;
    return packet;
  }

  void send(datapath::Port& port, const Bytes& frame, uint64_t tunnel_id = 0,
            uint32_t tunnel_dst = 0) {
    PacketBatch batch;
    batch.push_back(packet_of(frame, tunnel_id, tunnel_dst));
    port.tx_batch(std::move(batch));
  }

  // Lets the receiver take `count` more GRE packets, delivered or dropped (its rx_packets grows
  // by `count`), waiting for each with poll(); returns those it delivered.
  std::vector<Received> receive(uint64_t count) {
    std::vector<Received> delivered;
    const uint64_t target = receiver_->stats().rx_packets + count;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
    while (receiver_->stats().rx_packets < target) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) {
        ADD_FAILURE() << "the receiver saw " << receiver_->stats().rx_packets << " packets, not "
                      << target;
        break;
      }
      pollfd pfd;
      pfd.fd = receiver_->fd();
      pfd.events = POLLIN;
      pfd.revents = 0;
      if (::poll(&pfd, 1, static_cast<int>(left)) != 1) continue;
      PacketBatch batch;
      const size_t got = receiver_->rx_batch(pool_, batch);
      EXPECT_EQ(got, batch.size());
      for (const Packet& packet : batch) {
        Received received;
        received.in_port = packet.in_port;
        received.tunnel_id = packet.tunnel.id;
        received.tunnel_src = packet.tunnel.src;
        received.tunnel_dst = packet.tunnel.dst;
        received.frame.assign(packet.frame().begin(), packet.frame().end());
        delivered.push_back(std::move(received));
      }
    }
    return delivered;
  }

  // Receives one packet that must be delivered.
  Received receive_one() {
    std::vector<Received> delivered = receive(1);
    EXPECT_EQ(delivered.size(), 1u) << "not delivered";
    return delivered.empty() ? Received() : std::move(delivered.front());
  }

  uint64_t drops(DropReason reason) const {
    std::array<uint64_t, kDropReasonCount> all;
    all.fill(0);
    receiver_->add_drops(all);
    return all[static_cast<size_t>(reason)];
  }
  uint64_t all_drops() const {
    std::array<uint64_t, kDropReasonCount> all;
    all.fill(0);
    receiver_->add_drops(all);
    uint64_t sum = 0;
    for (uint64_t n : all) sum += n;
    return sum;
  }

  // Declared first: every packet goes back to it before it is destroyed.
  PacketPool pool_{64};
  std::shared_ptr<GreTunnels> tunnels_;
  std::unique_ptr<GreReceiver> receiver_;
};

TEST_F(GrePortTest, AFrameSentComesBackThroughTheReceiverOnTheAttachedPort) {
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "100"}}, 7);
  const Bytes frame = icmp_echo_frame();
  ASSERT_EQ(frame.size(), 74u);
  send(*port, frame);
  const Received received = receive_one();
  EXPECT_EQ(received.in_port, 7u);
  EXPECT_EQ(received.tunnel_id, 100u);
  EXPECT_EQ(received.tunnel_src, kLocalhost);
  EXPECT_EQ(received.tunnel_dst, kLocalhost);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));

  const datapath::PortStats stats = port->stats();
  EXPECT_EQ(stats.tx_packets, 1u);
  EXPECT_EQ(stats.tx_bytes, frame.size());  // the frame, not the GRE packet
  EXPECT_EQ(stats.tx_dropped, 0u);
  EXPECT_EQ(stats.tx_errors, 0u);
  EXPECT_EQ(stats.rx_packets, 1u);  // credited by the receiver
  EXPECT_EQ(stats.rx_bytes, frame.size());
  const datapath::PortStats gre_sys = receiver_->stats();
  EXPECT_EQ(gre_sys.rx_packets, 1u);
  EXPECT_EQ(gre_sys.rx_bytes, kOuterIpLen + 8 + frame.size());  // as received, outer headers too
  EXPECT_EQ(gre_sys.rx_dropped, 0u);
  EXPECT_EQ(all_drops(), 0u);
  EXPECT_EQ(receiver_->name(), "gre_sys");
  EXPECT_EQ(port->name(), "gre0");
  EXPECT_EQ(port->number(), 7u);

  // The port's own socket takes nothing: the receiver has the packet, the port never does.
  pollfd pfd;
  pfd.fd = port->fd();
  pfd.events = POLLIN;
  pfd.revents = 0;
  EXPECT_EQ(::poll(&pfd, 1, 0), 0);
  PacketBatch batch;
  EXPECT_EQ(port->rx_batch(pool_, batch), 0u);
  EXPECT_TRUE(batch.empty());
}

TEST_F(GrePortTest, SentPacketsHaveTtl64Tos0NoDfAndTheGoldenGreHeader) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  const Bytes frame = icmp_echo_frame(0xb8, 17);  // fixed ttl and tos ignore the inner ones
  const struct {
    Options options;
    const char* header;
  } cases[] = {
      {{{"remote_ip", "127.0.0.1"}}, "00006558"},
      {{{"remote_ip", "127.0.0.1"}, {"key", "0"}}, "00006558"},  // key 0: none
      {{{"remote_ip", "127.0.0.1"}, {"key", "100"}}, "20006558 00000064"},
      {{{"remote_ip", "127.0.0.1"}, {"key", "0xfffffffe"}}, "20006558 fffffffe"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    auto port = open_port("gre0", c.options, 0);
    send(*port, frame);
    const Bytes gre = outer_payload(sniff(sniffer.get()), 0, 64);
    EXPECT_EQ(to_hex(gre), to_hex(concat(from_hex(c.header), frame)));
    EXPECT_EQ(port->stats().tx_packets, 1u);
  }
}

TEST_F(GrePortTest, ConfiguredTtlAndTosAreSent) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"ttl", "9"}, {"tos", "0x20"}}, 0);
  const Bytes frame = icmp_echo_frame(0xb8, 17);
  send(*port, frame);
  EXPECT_EQ(to_hex(outer_payload(sniff(sniffer.get()), 0x20, 9)),
            to_hex(concat(from_hex("00006558"), frame)));
}

TEST_F(GrePortTest, ChecksumCoversTheGreHeaderAndTheFrame) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  const struct {
    Options options;
    const char* flags;  // the first two bytes
    const char* key;    // what follows the checksum and Reserved1
  } cases[] = {
      {{{"remote_ip", "127.0.0.1"}, {"csum", "true"}}, "8000", ""},
      {{{"remote_ip", "127.0.0.1"}, {"csum", "true"}, {"key", "100"}}, "a000", "00000064"},
  };
  uint32_t number = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.flags);
    auto port = open_port("gre0", c.options, ++number);
    Bytes frame = icmp_echo_frame();
    frame.push_back(0x5a);  // an odd length: the last byte is padded
    send(*port, frame);
    const Bytes gre = outer_payload(sniff(sniffer.get()), 0, 64);
    const size_t header_len = 8 + std::strlen(c.key) / 2;
    ASSERT_EQ(gre.size(), header_len + frame.size());
    EXPECT_EQ(hex_at(gre, 0, 2), c.flags);
    EXPECT_EQ(hex_at(gre, 2, 2), "6558");
    EXPECT_NE(load_be16(&gre[4]), 0) << "no checksum written";
    EXPECT_EQ(hex_at(gre, 6, 2), "0000");  // Reserved1
    EXPECT_EQ(hex_at(gre, 8, header_len - 8), c.key);
    EXPECT_EQ(internet_checksum(gre), 0) << "the checksum does not add up";
    EXPECT_EQ(hex_at(gre, header_len, frame.size()), to_hex(frame));
    // And the receiver checks it and takes the packet.
    const Received received = receive_one();
    EXPECT_EQ(received.in_port, number);
    EXPECT_EQ(to_hex(received.frame), to_hex(frame));
  }
  EXPECT_EQ(drops(DropReason::kGreBadChecksum), 0u);
}

TEST_F(GrePortTest, InheritTakesTheInnerTtlAndTosBehindTagsAndDefaultsForNonIp) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  auto port =
      open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"ttl", "inherit"}, {"tos", "inherit"}}, 0);
  const struct {
    const char* name;
    Bytes frame;
    uint8_t tos;
    uint8_t ttl;
  } cases[] = {
      {"ipv4", icmp_echo_frame(0xb8, 17), 0xb8, 17},
      {"802.1Q ipv4", icmp_echo_frame(0x28, 33, "8100 0064"), 0x28, 33},
      {"802.1ad 802.1Q ipv4", icmp_echo_frame(0x48, 5, "88a8 00c8 8100 0064"), 0x48, 5},
      {"ipv6", icmpv6_echo_frame(0x60, 3), 0x60, 3},
      {"arp", arp_frame(), 0, 64},
      {"ipv4 ttl 0 (the kernel refuses 0)", icmp_echo_frame(0x04, 0), 0x04, 64},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    send(*port, c.frame);
    EXPECT_EQ(to_hex(outer_payload(sniff(sniffer.get()), c.tos, c.ttl)),
              to_hex(concat(from_hex("00006558"), c.frame)));
  }
  EXPECT_EQ(port->stats().tx_packets, std::size(cases));
}

TEST_F(GrePortTest, InheritingOneOfTtlAndTosKeepsTheOtherFixed) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  const Bytes frame = icmp_echo_frame(0xb8, 17);
  {
    SCOPED_TRACE("ttl=inherit");
    auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"ttl", "inherit"}}, 0);
    send(*port, frame);
    outer_payload(sniff(sniffer.get()), 0, 17);
  }
  {
    SCOPED_TRACE("tos=inherit ttl=9");
    auto port =
        open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"tos", "inherit"}, {"ttl", "9"}}, 0);
    send(*port, frame);
    outer_payload(sniff(sniffer.get()), 0xb8, 9);
  }
}

TEST_F(GrePortTest, KeyFlowSendsEachPacketsTunnelId) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "flow"}}, 3);
  const Bytes frame = icmp_echo_frame();
  send(*port, frame, 0x1234);
  EXPECT_EQ(to_hex(outer_payload(sniff(sniffer.get()), 0, 64)),
            to_hex(concat(from_hex("20006558 00001234"), frame)));
  send(*port, frame, 0xcafe0001);
  EXPECT_EQ(to_hex(outer_payload(sniff(sniffer.get()), 0, 64)),
            to_hex(concat(from_hex("20006558 cafe0001"), frame)));
  // It receives any key, as the packet's tunnel_id.
  const std::vector<Received> received = receive(2);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].in_port, 3u);
  EXPECT_EQ(received[0].tunnel_id, 0x1234u);
  EXPECT_EQ(received[1].tunnel_id, 0xcafe0001u);
}

TEST_F(GrePortTest, OutKeyIsSentAndOnlyInKeyIsReceived) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"out_key", "5"}, {"in_key", "6"}}, 4);
  const Bytes frame = icmp_echo_frame();
  send(*port, frame, 99);  // a fixed key ignores the tunnel_id
  EXPECT_EQ(to_hex(outer_payload(sniff(sniffer.get()), 0, 64)),
            to_hex(concat(from_hex("20006558 00000005"), frame)));
  // Its own packet comes back with key 5, which is not its in_key.
  EXPECT_TRUE(receive(1).empty());
  EXPECT_EQ(drops(DropReason::kGreNoPort), 1u);
  inject(kLocalhost, kLocalhost, concat(from_hex("20006558 00000006"), frame));
  const Received received = receive_one();
  EXPECT_EQ(received.in_port, 4u);
  EXPECT_EQ(received.tunnel_id, 6u);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));
  EXPECT_EQ(port->stats().rx_packets, 1u);
}

TEST_F(GrePortTest, TheReceiverDemuxesByKeyAndAFixedKeyBeatsFlow) {
  auto key100 = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "100"}}, 1);
  auto key200 = open_port("gre1", {{"remote_ip", "127.0.0.1"}, {"key", "200"}}, 2);
  const Bytes frame = icmp_echo_frame();
  send(*key200, frame);
  Received received = receive_one();
  EXPECT_EQ(received.in_port, 2u);
  EXPECT_EQ(received.tunnel_id, 200u);
  send(*key100, frame);
  received = receive_one();
  EXPECT_EQ(received.in_port, 1u);
  EXPECT_EQ(received.tunnel_id, 100u);

  // Key 300, and no key at all: no port has them.
  inject(kLocalhost, kLocalhost, concat(from_hex("20006558 0000012c"), frame));
  EXPECT_TRUE(receive(1).empty());
  EXPECT_EQ(receiver_->stats().rx_dropped, 1u);
  EXPECT_EQ(drops(DropReason::kGreNoPort), 1u);
  inject(kLocalhost, kLocalhost, concat(from_hex("00006558"), frame));
  EXPECT_TRUE(receive(1).empty());
  EXPECT_EQ(receiver_->stats().rx_dropped, 2u);
  EXPECT_EQ(drops(DropReason::kGreNoPort), 2u);
  EXPECT_EQ(all_drops(), 2u);

  // A key=flow port takes them, but not the keys the fixed ports have.
  auto flow = open_port("gre2", {{"remote_ip", "127.0.0.1"}, {"key", "flow"}}, 3);
  inject(kLocalhost, kLocalhost, concat(from_hex("20006558 0000012c"), frame));
  received = receive_one();
  EXPECT_EQ(received.in_port, 3u);
  EXPECT_EQ(received.tunnel_id, 300u);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));
  inject(kLocalhost, kLocalhost, concat(from_hex("00006558"), frame));
  received = receive_one();
  EXPECT_EQ(received.in_port, 3u);
  EXPECT_EQ(received.tunnel_id, 0u);
  send(*key100, frame);
  received = receive_one();
  EXPECT_EQ(received.in_port, 1u);
  EXPECT_EQ(received.tunnel_id, 100u);
  send(*key200, frame);
  EXPECT_EQ(receive_one().in_port, 2u);

  EXPECT_EQ(key100->stats().rx_packets, 2u);
  EXPECT_EQ(key200->stats().rx_packets, 2u);
  EXPECT_EQ(flow->stats().rx_packets, 2u);
  EXPECT_EQ(drops(DropReason::kGreNoPort), 2u);
  // add_drops() adds to what is there.
  std::array<uint64_t, kDropReasonCount> all;
  all.fill(10);
  receiver_->add_drops(all);
  EXPECT_EQ(all[static_cast<size_t>(DropReason::kGreNoPort)], 12u);
  EXPECT_EQ(all[static_cast<size_t>(DropReason::kGreBadVersion)], 10u);
}

TEST_F(GrePortTest, APortBoundToLocalIpBeatsOneThatIsNot) {
  // Attached first, so that a first-match lookup would give it the packets to 127.0.0.2.
  auto any_local = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "100"}}, 1);
  auto bound =
      open_port("gre1", {{"remote_ip", "127.0.0.1"}, {"local_ip", "127.0.0.2"}, {"key", "100"}}, 2);
  const Bytes frame = icmp_echo_frame();
  const Bytes gre = concat(from_hex("20006558 00000064"), frame);
  inject(kLocalhost, kLocalhost2, gre);
  Received received = receive_one();
  EXPECT_EQ(received.in_port, 2u);
  EXPECT_EQ(received.tunnel_src, kLocalhost);
  EXPECT_EQ(received.tunnel_dst, kLocalhost2);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));
  inject(kLocalhost, kLocalhost, gre);
  received = receive_one();
  EXPECT_EQ(received.in_port, 1u);
  EXPECT_EQ(received.tunnel_dst, kLocalhost);
  // From another remote: neither.
  inject(kLocalhost3, kLocalhost2, gre);
  EXPECT_TRUE(receive(1).empty());
  EXPECT_EQ(drops(DropReason::kGreNoPort), 1u);
  EXPECT_EQ(any_local->stats().rx_packets, 1u);
  EXPECT_EQ(bound->stats().rx_packets, 1u);

  // The bound port sends from its local_ip.
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  send(*bound, frame);
  const Bytes packet = sniff(sniffer.get());
  ASSERT_GE(packet.size(), kOuterIpLen);
  EXPECT_EQ(load_be32(&packet[12]), kLocalhost2);
  EXPECT_EQ(load_be32(&packet[16]), kLocalhost);
}

TEST_F(GrePortTest, APortForAnotherRemoteGetsNothingFromThisOne) {
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.3"}}, 5);
  const Bytes gre = concat(from_hex("00006558"), icmp_echo_frame());
  inject(kLocalhost, kLocalhost, gre);
  EXPECT_TRUE(receive(1).empty());
  EXPECT_EQ(drops(DropReason::kGreNoPort), 1u);
  EXPECT_EQ(port->stats().rx_packets, 0u);
  // From 127.0.0.3 it does.
  inject(kLocalhost3, kLocalhost, gre);
  const Received received = receive_one();
  EXPECT_EQ(received.in_port, 5u);
  EXPECT_EQ(received.tunnel_src, kLocalhost3);
  EXPECT_EQ(received.tunnel_dst, kLocalhost);
  EXPECT_EQ(port->stats().rx_packets, 1u);
}

TEST_F(GrePortTest, ADestroyedPortLeavesTheDemux) {
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "100"}}, 1);
  auto other = open_port("gre1", {{"remote_ip", "127.0.0.1"}, {"key", "200"}}, 2);
  const Bytes gre = concat(from_hex("20006558 00000064"), icmp_echo_frame());
  inject(kLocalhost, kLocalhost, gre);
  EXPECT_EQ(receive_one().in_port, 1u);
  port.reset();
  inject(kLocalhost, kLocalhost, gre);
  EXPECT_TRUE(receive(1).empty());
  EXPECT_EQ(drops(DropReason::kGreNoPort), 1u);
  // The other port still receives.
  inject(kLocalhost, kLocalhost, concat(from_hex("20006558 000000c8"), icmp_echo_frame()));
  EXPECT_EQ(receive_one().in_port, 2u);
}

TEST_F(GrePortTest, MalformedGreIsDroppedByReason) {
  // A port without a key from 127.0.0.1 would take each of these if it were well formed.
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}}, 1);
  const Bytes frame = icmp_echo_frame();
  Bytes checksummed = concat(from_hex("80006558 00000000"), frame);
  const uint16_t right = internet_checksum(checksummed);
  store_be16(&checksummed[4], static_cast<uint16_t>(right ^ 0x0100));
  const struct {
    const char* name;
    Bytes gre;
    DropReason reason;
  } cases[] = {
      {"version 1", concat(from_hex("00016558"), frame), DropReason::kGreBadVersion},
      {"routing", concat(from_hex("40006558 00000000"), frame), DropReason::kGreBadFlags},
      {"ipv4 inside", concat(from_hex("00000800"), Bytes(frame.begin() + 14, frame.end())),
       DropReason::kGreBadProtocol},
      {"2 bytes", from_hex("0000"), DropReason::kGreTruncated},
      {"key flag without a key", from_hex("20006558"), DropReason::kGreTruncated},
      {"wrong checksum", checksummed, DropReason::kGreBadChecksum},
  };
  uint64_t dropped = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const uint64_t before = drops(c.reason);
    inject(kLocalhost, kLocalhost, c.gre);
    EXPECT_TRUE(receive(1).empty());
    EXPECT_EQ(drops(c.reason), before + 1);
    EXPECT_EQ(receiver_->stats().rx_dropped, ++dropped);
    EXPECT_EQ(all_drops(), dropped);
  }
  EXPECT_EQ(drops(DropReason::kGreNoPort), 0u);
  EXPECT_EQ(port->stats().rx_packets, 0u);
  // The same packet with the right checksum goes through.
  store_be16(&checksummed[4], right);
  inject(kLocalhost, kLocalhost, checksummed);
  const Received received = receive_one();
  EXPECT_EQ(received.in_port, 1u);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));
}

TEST_F(GrePortTest, AnOuterHeaderWithOptionsIsStrippedWhole) {
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "100"}}, 1);
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  const Bytes frame = icmp_echo_frame();
  // NOP, NOP, NOP, end of options: a 24-byte outer header.
  inject(kLocalhost, kLocalhost, concat(from_hex("20006558 00000064"), frame),
         from_hex("01010100"));
  ASSERT_EQ(sniff(sniffer.get()).at(0), 0x46);
  const Received received = receive_one();
  EXPECT_EQ(received.in_port, 1u);
  EXPECT_EQ(received.tunnel_id, 100u);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));
}

TEST_F(GrePortTest, AFrameOfTheLargestSizeCrossesTheTunnel) {
  // gre_port.h: frames up to the switch's 9,216 bytes cross (lo does not even fragment them).
  // The received GRE packet is 20 + 4 bytes longer than the frame.
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}}, 1);
  for (const size_t size : {size_t{kMaxFrameSize - kOuterIpLen - 4}, kMaxFrameSize}) {
    SCOPED_TRACE(size);
    Bytes frame = icmp_echo_frame();
    for (size_t i = frame.size(); i < size; ++i) frame.push_back(static_cast<uint8_t>(i));
    send(*port, frame);
    const std::vector<Received> received = receive(1);
    ASSERT_EQ(received.size(), 1u)
        << "dropped as gre_truncated: " << drops(DropReason::kGreTruncated);
    EXPECT_EQ(received[0].in_port, 1u);
    EXPECT_EQ(received[0].frame.size(), size);
    EXPECT_TRUE(received[0].frame == frame);
  }
  EXPECT_EQ(port->stats().tx_packets, 2u);
  EXPECT_EQ(drops(DropReason::kGreTruncated), 0u);
}

TEST_F(GrePortTest, TheReceiverLeavesPacketsQueuedWhenThePoolIsEmpty) {
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}}, 1);
  PacketPool one(1);
  Packet held = one.allocate();
  ASSERT_TRUE(held);
  PacketBatch batch;
  send(*port, icmp_echo_frame());
  pollfd pfd;
  pfd.fd = receiver_->fd();
  pfd.events = POLLIN;
  pfd.revents = 0;
  ASSERT_EQ(::poll(&pfd, 1, kWaitMs), 1);
  EXPECT_EQ(receiver_->rx_batch(one, batch), 0u);
  EXPECT_EQ(receiver_->stats().rx_packets, 0u);
  held.reset();
  EXPECT_EQ(receiver_->rx_batch(one, batch), 1u);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].in_port, 1u);
  EXPECT_EQ(one.allocation_failures(), 0u);
  batch.clear();
}

TEST_F(GrePortTest, RemoteIpFlowSendsEachPacketToItsTunDst) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  auto port = open_port("gre0", {{"remote_ip", "flow"}, {"key", "100"}}, 1);
  const Bytes frame = icmp_echo_frame();
  send(*port, frame, 0, kLocalhost2);
  EXPECT_EQ(to_hex(outer_payload(sniff(sniffer.get()), 0, 64, kLocalhost2)),
            to_hex(concat(from_hex("20006558 00000064"), frame)));
  send(*port, frame, 0, kLocalhost);
  EXPECT_EQ(to_hex(outer_payload(sniff(sniffer.get()), 0, 64, kLocalhost)),
            to_hex(concat(from_hex("20006558 00000064"), frame)));
  // A packet the flow gave no destination goes nowhere, counted; the rest of its batch goes.
  PacketBatch batch;
  batch.push_back(packet_of(frame));
  batch.push_back(packet_of(frame, 0, kLocalhost2));
  port->tx_batch(std::move(batch));
  EXPECT_EQ(pool_.available(), pool_.capacity());
  const Bytes sent = sniff(sniffer.get());
  ASSERT_GE(sent.size(), kOuterIpLen);
  EXPECT_EQ(load_be32(&sent[16]), kLocalhost2);
  const datapath::PortStats stats = port->stats();
  EXPECT_EQ(stats.tx_packets, 3u);
  EXPECT_EQ(stats.tx_bytes, 3 * frame.size());
  EXPECT_EQ(stats.tx_errors, 1u);
  EXPECT_EQ(stats.tx_dropped, 0u);
  // No single route to tell an MTU from.
  EXPECT_EQ(port->mtu(), -1);
  // Its own packets came back from 127.0.0.1 with key 100.
  const std::vector<Received> received = receive(3);
  ASSERT_EQ(received.size(), 3u);
  for (const Received& r : received) {
    EXPECT_EQ(r.in_port, 1u);
    EXPECT_EQ(r.tunnel_id, 100u);
    EXPECT_EQ(r.tunnel_src, kLocalhost);
  }
  EXPECT_EQ(received[0].tunnel_dst, kLocalhost2);
  EXPECT_EQ(received[1].tunnel_dst, kLocalhost);
}

TEST_F(GrePortTest, RemoteIpFlowReceivesFromAnywhereButAFixedRemoteIpWins) {
  // Attached first, so that a lookup that did not rank remote_ip would give it everything.
  auto any_remote = open_port("gre0", {{"remote_ip", "flow"}, {"key", "100"}}, 1);
  auto fixed = open_port("gre1", {{"remote_ip", "127.0.0.1"}, {"key", "100"}}, 2);
  const Bytes frame = icmp_echo_frame();
  const Bytes gre = concat(from_hex("20006558 00000064"), frame);
  inject(kLocalhost3, kLocalhost, gre);
  Received received = receive_one();
  EXPECT_EQ(received.in_port, 1u);
  EXPECT_EQ(received.tunnel_src, kLocalhost3);
  EXPECT_EQ(received.tunnel_id, 100u);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));
  inject(kLocalhost, kLocalhost, gre);
  EXPECT_EQ(receive_one().in_port, 2u);
  // Its key still has to match.
  inject(kLocalhost3, kLocalhost, concat(from_hex("20006558 00000065"), frame));
  EXPECT_TRUE(receive(1).empty());
  EXPECT_EQ(drops(DropReason::kGreNoPort), 1u);
  // A fixed remote_ip outranks a fixed key: with key=flow it still beats remote_ip=flow.
  fixed.reset();
  auto fixed_flow_key = open_port("gre2", {{"remote_ip", "127.0.0.1"}, {"key", "flow"}}, 3);
  inject(kLocalhost, kLocalhost, gre);
  EXPECT_EQ(receive_one().in_port, 3u);
  inject(kLocalhost3, kLocalhost, gre);
  EXPECT_EQ(receive_one().in_port, 1u);
  EXPECT_EQ(any_remote->stats().rx_packets, 2u);
  // remote_ip=flow with the same key is a receive match of its own, claimed like any other.
  EXPECT_EQ(error_of(GrePort::open("gre3", {{"remote_ip", "flow"}, {"key", "100"}}, tunnels_)),
            "interface gre3: gre0 already receives with the same remote_ip, local_ip and key");
}

TEST_F(GrePortTest, ASecondPortWithTheSameReceiveMatchFailsUntilTheFirstCloses) {
  const Options options = {{"remote_ip", "127.0.0.1"}, {"key", "100"}};
  auto first = open_port("gre0", options, 1);
  const std::string taken =
      "interface gre1: gre0 already receives with the same remote_ip, local_ip and key";
  EXPECT_EQ(error_of(GrePort::open("gre1", options, tunnels_)), taken);
  // The receive key is what counts, whatever it sends with.
  EXPECT_EQ(
      error_of(GrePort::open(
          "gre1", {{"remote_ip", "127.0.0.1"}, {"in_key", "100"}, {"out_key", "7"}}, tunnels_)),
      taken);
  // Another key, a local_ip, key=flow or another remote is another match.
  auto other_key = open_port("gre2", {{"remote_ip", "127.0.0.1"}, {"key", "101"}}, 2);
  auto bound =
      open_port("gre3", {{"remote_ip", "127.0.0.1"}, {"local_ip", "127.0.0.1"}, {"key", "100"}}, 3);
  auto flow = open_port("gre4", {{"remote_ip", "127.0.0.1"}, {"key", "flow"}}, 4);
  auto other_remote = open_port("gre5", {{"remote_ip", "127.0.0.3"}, {"key", "100"}}, 5);
  EXPECT_EQ(error_of(GrePort::open("gre6", {{"remote_ip", "127.0.0.1"}, {"key", "101"}}, tunnels_)),
            "interface gre6: gre2 already receives with the same remote_ip, local_ip and key");
  // Closing the holder frees the match; the new holder is named from then on.
  first.reset();
  auto second = open_port("gre1", options, 6);
  EXPECT_EQ(second->name(), "gre1");
  EXPECT_EQ(error_of(GrePort::open("gre7", options, tunnels_)),
            "interface gre7: gre1 already receives with the same remote_ip, local_ip and key");
  // An unattached port claims too: claims are made at open, not at attach.
  auto unattached = open_port("gre8", {{"remote_ip", "127.0.0.1"}, {"key", "102"}}, 0);
  EXPECT_EQ(error_of(GrePort::open("gre9", {{"remote_ip", "127.0.0.1"}, {"key", "102"}}, tunnels_)),
            "interface gre9: gre8 already receives with the same remote_ip, local_ip and key");
}

TEST_F(GrePortTest, OpenErrorsNameTheInterface) {
  EXPECT_EQ(error_of(GrePort::open(
                "gre0", {{"remote_ip", "127.0.0.1"}, {"local_ip", "198.18.0.77"}}, tunnels_)),
            "interface gre0: options:local_ip=198.18.0.77: not an address of this host");
  EXPECT_EQ(error_of(GrePort::open("gre0", {{"remote_ip", "127.0.0.1"}, {"ttl", "0"}}, tunnels_)),
            "interface gre0: ttl=0: not a number from 1 to 255 or \"inherit\"");
  EXPECT_EQ(error_of(GrePort::open("gre1", {}, tunnels_)),
            "interface gre1: a GRE port needs options:remote_ip (an address or flow)");
  // None of them claimed anything.
  open_port("gre2", {{"remote_ip", "127.0.0.1"}}, 0);
}

TEST_F(GrePortTest, MtuIsTheRoutesLessTheOuterHeadersAndTheInnerEthernetHeader) {
  UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(probe);
  ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, "lo", 3);
  ASSERT_EQ(::ioctl(probe.get(), SIOCGIFMTU, &ifr), 0);
  ASSERT_EQ(ifr.ifr_mtu, 65536);
  // lo's 65,536 bytes, but no IPv4 packet is longer than its 16-bit total length allows: the
  // route's MTU is 65,535 (the kernel's IP_MAX_MTU).
  constexpr int kRouteMtu = 65535;
  EXPECT_EQ(open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "100"}}, 0)->mtu(),
            kRouteMtu - 20 - 8 - 14);
  EXPECT_EQ(open_port("gre0", {{"remote_ip", "127.0.0.1"}}, 0)->mtu(), kRouteMtu - 20 - 4 - 14);
  EXPECT_EQ(
      open_port("gre0", {{"remote_ip", "127.0.0.1"}, {"key", "100"}, {"csum", "true"}}, 0)->mtu(),
      kRouteMtu - 20 - 12 - 14);
  // This namespace has no route beyond lo.
  EXPECT_EQ(open_port("gre0", {{"remote_ip", "198.18.200.1"}}, 0)->mtu(), 0);
}

TEST_F(GrePortTest, SendingWithoutARouteCountsATxError) {
  auto port = open_port("gre0", {{"remote_ip", "198.18.200.1"}}, 1);
  PacketBatch batch;
  batch.push_back(packet_of(icmp_echo_frame()));
  port->tx_batch(std::move(batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pool_.available(), pool_.capacity());
  const datapath::PortStats stats = port->stats();
  EXPECT_EQ(stats.tx_errors, 1u);
  EXPECT_EQ(stats.tx_packets, 0u);
  EXPECT_EQ(stats.tx_bytes, 0u);
  EXPECT_EQ(stats.tx_dropped, 0u);
}

TEST_F(GrePortTest, ABatchIsSentInOrderSkippingEmptySlotsAndDroppingWhatLacksHeadroom) {
  auto port = open_port("gre0", {{"remote_ip", "127.0.0.1"}}, 1);
  const Bytes first = icmp_echo_frame(0, 1);
  const Bytes second = arp_frame();
  const Bytes third = icmp_echo_frame(0, 3, "8100 0064");
  PacketBatch batch;
  batch.push_back(packet_of(first));
  batch.push_back(packet_of(icmp_echo_frame()));
  batch.push_back(packet_of(second));
  Packet no_headroom = packet_of(icmp_echo_frame());
  ASSERT_NE(no_headroom.push_front(no_headroom.headroom()), nullptr);
  batch.push_back(std::move(no_headroom));
  batch.push_back(packet_of(third));
  batch.take(1).reset();  // an empty slot
  port->tx_batch(std::move(batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pool_.available(), pool_.capacity());

  const datapath::PortStats stats = port->stats();
  EXPECT_EQ(stats.tx_packets, 3u);
  EXPECT_EQ(stats.tx_bytes, first.size() + second.size() + third.size());
  EXPECT_EQ(stats.tx_dropped, 1u);
  EXPECT_EQ(stats.tx_errors, 0u);
  const std::vector<Received> received = receive(3);
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(to_hex(received[0].frame), to_hex(first));
  EXPECT_EQ(to_hex(received[1].frame), to_hex(second));
  EXPECT_EQ(to_hex(received[2].frame), to_hex(third));
}

TEST_F(GrePortTest, TheReceiverDropsAndCountsWhatItIsGivenToSend) {
  UniqueFd sniffer = raw_gre_socket();
  ASSERT_TRUE(sniffer);
  PacketBatch batch;
  for (int i = 0; i < 3; ++i) batch.push_back(packet_of(icmp_echo_frame()));
  batch.take(0).reset();
  receiver_->tx_batch(std::move(batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pool_.available(), pool_.capacity());
  const datapath::PortStats stats = receiver_->stats();
  EXPECT_EQ(stats.tx_dropped, 2u);
  EXPECT_EQ(stats.tx_packets, 0u);
  EXPECT_EQ(stats.tx_errors, 0u);
  EXPECT_EQ(receiver_->mtu(), 0);
  // Nothing went out.
  pollfd pfd;
  pfd.fd = sniffer.get();
  pfd.events = POLLIN;
  pfd.revents = 0;
  EXPECT_EQ(::poll(&pfd, 1, 0), 0);
}

TEST_F(GrePortTest, RegisterGrePortBuildsGreInterfacesInTheSharedTunnels) {
  datapath::PortFactory factory;
  EXPECT_FALSE(factory.knows("gre"));
  register_gre_port(factory, tunnels_);
  EXPECT_TRUE(factory.knows("gre"));
  datapath::PortConfig config;
  config.name = "gre9";
  config.type = "gre";
  config.options["remote_ip"] = "127.0.0.1";
  std::unique_ptr<datapath::Port> port = ok(factory.create(config));
  ASSERT_TRUE(port);
  EXPECT_EQ(port->name(), "gre9");
  // It claimed its match in tunnels_, and once attached the receiver delivers its frames.
  EXPECT_EQ(error_of(GrePort::open("gre10", {{"remote_ip", "127.0.0.1"}}, tunnels_)),
            "interface gre10: gre9 already receives with the same remote_ip, local_ip and key");
  port->attached(8);
  const Bytes frame = icmp_echo_frame();
  send(*port, frame);
  const Received received = receive_one();
  EXPECT_EQ(received.in_port, 8u);
  EXPECT_EQ(to_hex(received.frame), to_hex(frame));
  // Errors come back through the factory.
  config.name = "gre11";
  config.options["csum"] = "yes";
  EXPECT_EQ(error_of(factory.create(config)), "interface gre11: csum=yes: \"true\" or \"false\"");
}

}  // namespace
}  // namespace vs::tunnels
