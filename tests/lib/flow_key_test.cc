// Tests for lib/flow_key.h: golden frames built byte by byte (checksums are real), every
// truncation length of every header, a seeded mutation loop that must never crash, and the
// word-wise mask, compare and hash helpers.
#include "lib/flow_key.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace vs {
namespace {

using Bytes = std::vector<uint8_t>;

// Golden frames (generated once with a checksum script, then frozen here).
const Bytes kArpRequest = {
    // Ethernet
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
    // ARP
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02};  // 42 bytes
const Bytes kIpv4TcpSyn = {
    // Ethernet
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    // IPv4
    0x45, 0xb9, 0x00, 0x2c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x13, 0xdd, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02,
    // TCP (MSS option)
    0xa8, 0xca, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
    0xdc, 0x12, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};  // 58 bytes
const Bytes kIpv4Udp = {
    // Ethernet
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    // IPv4
    0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x01, 0x11, 0x53, 0x97, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02,
    // UDP
    0x14, 0xe9, 0x00, 0x35, 0x00, 0x0c, 0x29, 0xe8,
    // Payload
    0xab, 0xcd, 0x01, 0x00};  // 46 bytes
// kIpv4Udp's addresses with an SCTP common header (ports 2905 -> 2906) and 4 payload bytes.
const Bytes kIpv4Sctp = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x24, 0x12, 0x34, 0x40, 0x00, 0x01, 0x84, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02,
    // SCTP: source port, destination port, verification tag, checksum
    0x0b, 0x59, 0x0b, 0x5a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0xab, 0xcd, 0x01, 0x00};
const Bytes kIpv4IcmpEcho = {
    // Ethernet
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    // IPv4
    0x45, 0x00, 0x00, 0x24, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01, 0x14, 0xa3, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02,
    // ICMP echo request
    0x08, 0x00, 0x3f, 0xf4, 0x00, 0x77, 0x00, 0x01,
    // Payload
    0x70, 0x69, 0x6e, 0x67, 0x64, 0x61, 0x74, 0x61};  // 50 bytes
const Bytes kIpv4OptionsUdp = {
    // Ethernet
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    // IPv4 (IHL 6, Router Alert option)
    0x46, 0xc0, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x01, 0x11, 0xe7, 0xbd, 0x0a, 0x00, 0x00, 0x01,
    0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00,
    // UDP
    0x03, 0xe8, 0x07, 0xd0, 0x00, 0x08, 0x0a, 0x0f};  // 46 bytes
const Bytes kIpv4LaterFragment = {
    // Ethernet
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    // IPv4 (fragment offset 185, last)
    0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0xb9, 0x40, 0x11, 0x53, 0xe2, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02,
    // Payload (middle of a UDP datagram)
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};  // 42 bytes
const Bytes kIpv6TcpSyn = {
    // Ethernet
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
    // IPv6 (traffic class 0x20, flow label 0x12345)
    0x62, 0x01, 0x23, 0x45, 0x00, 0x18, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    // TCP (MSS option)
    0x9c, 0x40, 0x01, 0xbb, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
    0x06, 0x3c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0};  // 78 bytes
const Bytes kIpv6NeighborSolicitation = {
    // Ethernet
    0x33, 0x33, 0xff, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
    // IPv6
    0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02,
    // ICMPv6 neighbour solicitation
    0x87, 0x00, 0x7a, 0x97, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    // Source link-layer address option
    0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};  // 86 bytes
const Bytes kVlanIpv4Udp = {
    // Ethernet
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x81, 0x00,
    // 802.1Q tag (PCP 5, VID 10)
    0xa0, 0x0a, 0x08, 0x00,
    // IPv4
    0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x93, 0x45, 0xc0, 0xa8, 0x0a, 0x01,
    0xc0, 0xa8, 0x0a, 0x02,
    // UDP
    0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0c, 0x4b, 0x7c,
    // Payload
    0x01, 0x02, 0x03, 0x04};  // 50 bytes
const Bytes kLlcStp = {
    // Ethernet
    0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x25,
    // LLC (DSAP 0x42, SSAP 0x42, UI)
    0x42, 0x42, 0x03,
    // STP configuration BPDU
    0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x01, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00,
    0x0f, 0x00};  // 51 bytes

constexpr uint32_t kPort = 7;

FlowMask all_ones() {
  FlowMask mask;
  std::memset(&mask, 0xff, sizeof mask);
  return mask;
}

// Parses the first `len` bytes from a buffer of exactly that size, so that ASan reports any
// read past the end of the frame.
std::optional<DropReason> parse_prefix(const Bytes& frame, size_t len, FlowKey* key) {
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[len]);
  std::copy_n(frame.begin(), len, buffer.get());
  return parse_flow(std::span<const uint8_t>(buffer.get(), len), kPort, key);
}

std::optional<DropReason> parse(const Bytes& frame, FlowKey* key) {
  return parse_prefix(frame, frame.size(), key);
}

std::array<uint8_t, 6> mac(const std::string& text) {
  std::array<uint8_t, 6> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(std::stoul(text.substr(i * 3, 2), nullptr, 16));
  }
  return out;
}

uint32_t ipv4(const char* text) {
  uint32_t out = 0;
  EXPECT_EQ(inet_pton(AF_INET, text, &out), 1);
  return out;
}

std::array<uint8_t, 16> ipv6(const char* text) {
  std::array<uint8_t, 16> out{};
  EXPECT_EQ(inet_pton(AF_INET6, text, out.data()), 1);
  return out;
}

FlowKey base_key(const char* dst, const char* src, uint16_t eth_type) {
  FlowKey key{};
  key.in_port = kPort;
  key.eth_dst = mac(dst);
  key.eth_src = mac(src);
  key.eth_type = htons(eth_type);
  return key;
}

// Compares field by field (readable failures), then byte for byte (nothing forgotten).
void expect_key(const FlowKey& actual, const FlowKey& expected) {
  EXPECT_EQ(actual.in_port, expected.in_port);
  EXPECT_EQ(ntohs(actual.vlan_tpid), ntohs(expected.vlan_tpid));
  EXPECT_EQ(ntohs(actual.vlan_tci), ntohs(expected.vlan_tci));
  EXPECT_EQ(actual.eth_dst, expected.eth_dst);
  EXPECT_EQ(actual.eth_src, expected.eth_src);
  EXPECT_EQ(ntohs(actual.eth_type), ntohs(expected.eth_type));
  EXPECT_EQ(ntohs(actual.arp_op), ntohs(expected.arp_op));
  EXPECT_EQ(ntohl(actual.nw_src), ntohl(expected.nw_src));
  EXPECT_EQ(ntohl(actual.nw_dst), ntohl(expected.nw_dst));
  EXPECT_EQ(actual.ipv6_src, expected.ipv6_src);
  EXPECT_EQ(actual.ipv6_dst, expected.ipv6_dst);
  EXPECT_EQ(ntohl(actual.ipv6_label), ntohl(expected.ipv6_label));
  EXPECT_EQ(actual.nw_proto, expected.nw_proto);
  EXPECT_EQ(actual.nw_tos, expected.nw_tos);
  EXPECT_EQ(actual.nw_ttl, expected.nw_ttl);
  EXPECT_EQ(actual.nw_frag, expected.nw_frag);
  EXPECT_EQ(actual.arp_sha, expected.arp_sha);
  EXPECT_EQ(actual.arp_tha, expected.arp_tha);
  EXPECT_EQ(ntohs(actual.tp_src), ntohs(expected.tp_src));
  EXPECT_EQ(ntohs(actual.tp_dst), ntohs(expected.tp_dst));
  EXPECT_EQ(std::memcmp(&actual, &expected, sizeof(FlowKey)), 0);
}

void expect_parses_to(const Bytes& frame, const FlowKey& expected) {
  FlowKey key;
  std::optional<DropReason> drop = parse(frame, &key);
  ASSERT_FALSE(drop) << drop_reason_name(*drop);
  expect_key(key, expected);
}

void expect_drop(const Bytes& frame, DropReason reason) {
  FlowKey key;
  std::optional<DropReason> drop = parse(frame, &key);
  ASSERT_TRUE(drop);
  EXPECT_EQ(drop_reason_name(*drop), drop_reason_name(reason));
}

FlowKey ipv4_key(const char* dst, const char* src, const char* nw_src, const char* nw_dst,
                 uint8_t proto, uint8_t ttl) {
  FlowKey key = base_key(dst, src, 0x0800);
  key.nw_src = ipv4(nw_src);
  key.nw_dst = ipv4(nw_dst);
  key.nw_proto = proto;
  key.nw_ttl = ttl;
  return key;
}

FlowKey ipv6_key(const char* dst, const char* nw_src, const char* nw_dst, uint8_t proto,
                 uint8_t ttl) {
  FlowKey key = base_key(dst, "02:00:00:00:00:01", 0x86dd);
  key.ipv6_src = ipv6(nw_src);
  key.ipv6_dst = ipv6(nw_dst);
  key.nw_proto = proto;
  key.nw_ttl = ttl;
  return key;
}

constexpr char kA[] = "02:00:00:00:00:01";
constexpr char kB[] = "02:00:00:00:00:02";

FlowKey arp_request_key() {
  FlowKey key = base_key("ff:ff:ff:ff:ff:ff", kA, 0x0806);
  key.arp_op = htons(1);
  key.arp_sha = mac(kA);
  key.nw_src = ipv4("10.0.0.1");
  key.nw_dst = ipv4("10.0.0.2");
  return key;
}

FlowKey ipv4_udp_key() {
  FlowKey key = ipv4_key(kB, kA, "10.0.0.1", "10.0.0.2", 17, 1);
  key.tp_src = htons(5353);
  key.tp_dst = htons(53);
  return key;
}

FlowKey llc_key() { return base_key("01:80:c2:00:00:00", kA, kEthTypeNone); }

TEST(ParseFlow, ArpRequest) { expect_parses_to(kArpRequest, arp_request_key()); }

TEST(ParseFlow, Ipv4TcpSyn) {
  FlowKey key = ipv4_key(kB, kA, "10.0.0.1", "10.0.0.2", 6, 64);
  key.nw_tos = 0xb9;  // DSCP 46 (EF), ECN 1.
  key.tp_src = htons(43210);
  key.tp_dst = htons(80);
  expect_parses_to(kIpv4TcpSyn, key);
}

TEST(ParseFlow, Ipv4Udp) { expect_parses_to(kIpv4Udp, ipv4_udp_key()); }

TEST(ParseFlow, Ipv4SctpPutsItsPortsInTpSrcAndTpDst) {
  FlowKey key;
  ASSERT_FALSE(parse(kIpv4Sctp, &key));
  EXPECT_EQ(key.nw_proto, 132);
  EXPECT_EQ(ntohs(key.tp_src), 2905);
  EXPECT_EQ(ntohs(key.tp_dst), 2906);
}

TEST(ParseFlow, Ipv4IcmpEchoPutsTypeAndCodeInPorts) {
  FlowKey key = ipv4_key(kB, kA, "10.0.0.1", "10.0.0.2", 1, 64);
  key.tp_src = htons(8);
  key.tp_dst = htons(0);
  expect_parses_to(kIpv4IcmpEcho, key);
}

TEST(ParseFlow, Ipv4OptionsAreSkippedByIhl) {
  FlowKey key = ipv4_key("01:00:5e:00:00:16", kA, "10.0.0.1", "224.0.0.22", 17, 1);
  key.nw_tos = 0xc0;
  key.tp_src = htons(1000);
  key.tp_dst = htons(2000);
  expect_parses_to(kIpv4OptionsUdp, key);
}

TEST(ParseFlow, Ipv4LaterFragmentHasNoPorts) {
  FlowKey key = ipv4_key(kB, kA, "10.0.0.1", "10.0.0.2", 17, 64);
  key.nw_frag = kNwFragAny | kNwFragLater;
  expect_parses_to(kIpv4LaterFragment, key);
}

TEST(ParseFlow, Ipv4FirstFragmentKeepsPorts) {
  Bytes frame = kIpv4Udp;
  frame[20] = 0x20;  // MF set, offset 0.
  FlowKey key = ipv4_udp_key();
  key.nw_frag = kNwFragAny;
  expect_parses_to(frame, key);
}

TEST(ParseFlow, Ipv6TcpSyn) {
  FlowKey key = ipv6_key(kB, "2001:db8::1", "2001:db8::2", 6, 64);
  key.nw_tos = 0x20;
  key.ipv6_label = htonl(0x12345);
  key.tp_src = htons(40000);
  key.tp_dst = htons(443);
  expect_parses_to(kIpv6TcpSyn, key);
}

FlowKey neighbor_solicitation_key() {
  FlowKey key = ipv6_key("33:33:ff:00:00:02", "fe80::1", "ff02::1:ff00:2", 58, 255);
  key.tp_src = htons(135);
  key.tp_dst = htons(0);
  inet_pton(AF_INET6, "fe80::2", key.nd_target.data());
  key.arp_sha = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};  // the source link-layer option
  return key;
}

TEST(ParseFlow, Ipv6NeighborSolicitationFillsTargetAndSourceLinkAddress) {
  expect_parses_to(kIpv6NeighborSolicitation, neighbor_solicitation_key());
}

TEST(ParseFlow, Ipv6NeighborAdvertisementFillsTargetAndTargetLinkAddress) {
  Bytes frame = kIpv6NeighborSolicitation;
  frame[54] = 136;  // an advertisement: the option is a target link-layer address (type 2)
  frame[78] = 2;
  FlowKey key = neighbor_solicitation_key();
  key.tp_src = htons(136);
  key.arp_tha = key.arp_sha;
  key.arp_sha = {};
  expect_parses_to(frame, key);
  // An option of the other kind is skipped: nothing in the link-layer fields.
  frame[78] = 1;
  key.arp_tha = {};
  expect_parses_to(frame, key);
}

TEST(ParseFlow, MalformedNeighborDiscoveryOptionsLeaveTheNdFieldsEmptyAndAreKept) {
  FlowKey key = neighbor_solicitation_key();
  key.nd_target = {};
  key.arp_sha = {};
  Bytes zero_length = kIpv6NeighborSolicitation;
  zero_length[79] = 0;
  expect_parses_to(zero_length, key);
  Bytes past_the_end = kIpv6NeighborSolicitation;
  past_the_end[79] = 2;
  expect_parses_to(past_the_end, key);
  // Two source link-layer options.
  Bytes twice = kIpv6NeighborSolicitation;
  twice.insert(twice.end(), {0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x09});
  twice[19] = 0x28;  // payload length 40
  expect_parses_to(twice, key);
}

TEST(ParseFlow, VlanTaggedIpv4UdpSetsTciWithPresentBit) {
  FlowKey key = ipv4_key(kB, kA, "192.168.10.1", "192.168.10.2", 17, 64);
  key.vlan_tpid = htons(0x8100);
  key.vlan_tci = htons(5 << 13 | kVlanPresent | 10);
  key.tp_src = htons(1234);
  key.tp_dst = htons(5678);
  expect_parses_to(kVlanIpv4Udp, key);
}

TEST(ParseFlow, Llc8023FrameGetsEthTypeNone) { expect_parses_to(kLlcStp, llc_key()); }

TEST(ParseFlow, EthernetPaddingIsIgnored) {
  Bytes udp = kIpv4Udp;
  udp.resize(60, 0);
  expect_parses_to(udp, ipv4_udp_key());
  Bytes arp = kArpRequest;
  arp.resize(60, 0);
  expect_parses_to(arp, arp_request_key());
}

TEST(ParseFlow, QinQParsesOuterTagOnly) {
  Bytes frame = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02,
                 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xa8,  // 802.1ad
                 0x00, 0x64, 0x81, 0x00,                    // S-tag VID 100, then 802.1Q
                 0x00, 0x0a, 0x08, 0x00,                    // C-tag VID 10, then IPv4 (not parsed)
                 0x45, 0x00};
  FlowKey key = base_key(kB, kA, 0x8100);
  key.vlan_tpid = htons(0x88a8);
  key.vlan_tci = htons(kVlanPresent | 100);
  expect_parses_to(frame, key);
}

TEST(ParseFlow, NonEthernetArpIsKeptWithoutArpFields) {
  Bytes frame = kArpRequest;
  frame[15] = 6;  // Hardware type IEEE 802.
  expect_parses_to(frame, base_key("ff:ff:ff:ff:ff:ff", kA, 0x0806));
  frame.resize(14 + 8);  // Only the fixed part: still enough to know it is not ours.
  expect_parses_to(frame, base_key("ff:ff:ff:ff:ff:ff", kA, 0x0806));
}

TEST(ParseFlow, UnknownEthTypeAndIpProtocolAreKept) {
  Bytes lldp = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xcc};
  expect_parses_to(lldp, base_key("01:80:c2:00:00:0e", kA, 0x88cc));
  Bytes gre = kIpv4LaterFragment;
  gre[20] = 0x40;  // DF, not a fragment.
  gre[21] = 0x00;
  gre[23] = 47;  // GRE: no L4 fields.
  expect_parses_to(gre, ipv4_key(kB, kA, "10.0.0.1", "10.0.0.2", 47, 64));
}

TEST(ParseFlow, MalformedIpv4HeadersAreDropped) {
  Bytes frame = kIpv4Udp;
  frame[14] = 0x65;  // Version 6 inside an IPv4 EtherType.
  expect_drop(frame, DropReason::kBadIpv4Header);
  frame[14] = 0x44;  // IHL 4.
  expect_drop(frame, DropReason::kBadIpv4Header);
  frame = kIpv4Udp;
  frame[16] = 0;
  frame[17] = 19;  // Total length shorter than the header.
  expect_drop(frame, DropReason::kBadIpv4Length);
  frame = kIpv4TcpSyn;
  frame[14 + 20 + 12] = 0x40;  // TCP data offset 4.
  expect_drop(frame, DropReason::kBadTcpHeader);
}

TEST(ParseFlow, MalformedIpv6HeaderIsDropped) {
  Bytes frame = kIpv6TcpSyn;
  frame[14] = 0x40;
  expect_drop(frame, DropReason::kBadIpv6Header);
}

// IPv6 / hop-by-hop (PadN) / fragment / UDP 1000 -> 2000. `offset_flags` is the fragment
// header's offset-and-M-bit field.
Bytes ipv6_ext_frame(uint8_t offset_flags_hi, uint8_t offset_flags_lo) {
  Bytes frame = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02,
                 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd};
  Bytes ip = {0x60, 0x00, 0x00, 0x00, 0x00, 24, 0 /* hop-by-hop */, 64};
  std::array<uint8_t, 16> src = ipv6("2001:db8::1"), dst = ipv6("2001:db8::2");
  ip.insert(ip.end(), src.begin(), src.end());
  ip.insert(ip.end(), dst.begin(), dst.end());
  Bytes hop_by_hop = {44 /* fragment */, 0, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00};
  Bytes fragment = {17, 0, offset_flags_hi, offset_flags_lo, 0x00, 0x00, 0x12, 0x34};
  Bytes udp = {0x03, 0xe8, 0x07, 0xd0, 0x00, 0x08, 0x00, 0x00};
  for (const Bytes* part : {&ip, &hop_by_hop, &fragment, &udp}) {
    frame.insert(frame.end(), part->begin(), part->end());
  }
  return frame;
}

TEST(ParseFlow, Ipv6ExtensionHeadersAreSkipped) {
  FlowKey key = ipv6_key(kB, "2001:db8::1", "2001:db8::2", 17, 64);
  key.nw_frag = kNwFragAny;
  key.tp_src = htons(1000);
  key.tp_dst = htons(2000);
  expect_parses_to(ipv6_ext_frame(0x00, 0x01), key);  // First fragment (M set).

  key.nw_frag = kNwFragAny | kNwFragLater;
  key.tp_src = key.tp_dst = 0;
  expect_parses_to(ipv6_ext_frame(0x00, 0xb8), key);  // Offset 23, last fragment.

  key.nw_frag = 0;
  key.tp_src = htons(1000);
  key.tp_dst = htons(2000);
  expect_parses_to(ipv6_ext_frame(0x00, 0x00), key);  // Atomic fragment: not a fragment.
}

// One golden frame and the drop reason for each prefix length: bounds[i].second applies to
// lengths below bounds[i].first (and at or above the previous bound); longer prefixes parse.
struct Golden {
  const char* name;
  const Bytes* frame;
  std::vector<std::pair<size_t, DropReason>> bounds;
};

std::vector<Golden> goldens() {
  using R = DropReason;
  return {
      {"arp", &kArpRequest, {{14, R::kTruncatedEthernet}, {42, R::kTruncatedArp}}},
      {"ipv4_tcp",
       &kIpv4TcpSyn,
       {{14, R::kTruncatedEthernet}, {34, R::kTruncatedIpv4}, {58, R::kBadIpv4Length}}},
      {"ipv4_udp",
       &kIpv4Udp,
       {{14, R::kTruncatedEthernet}, {34, R::kTruncatedIpv4}, {46, R::kBadIpv4Length}}},
      {"ipv4_icmp",
       &kIpv4IcmpEcho,
       {{14, R::kTruncatedEthernet}, {34, R::kTruncatedIpv4}, {50, R::kBadIpv4Length}}},
      {"ipv4_options",
       &kIpv4OptionsUdp,
       {{14, R::kTruncatedEthernet}, {38, R::kTruncatedIpv4}, {46, R::kBadIpv4Length}}},
      {"ipv4_later_fragment",
       &kIpv4LaterFragment,
       {{14, R::kTruncatedEthernet}, {34, R::kTruncatedIpv4}, {42, R::kBadIpv4Length}}},
      {"ipv6_tcp",
       &kIpv6TcpSyn,
       {{14, R::kTruncatedEthernet}, {54, R::kTruncatedIpv6}, {78, R::kBadIpv6Length}}},
      {"ipv6_ns",
       &kIpv6NeighborSolicitation,
       {{14, R::kTruncatedEthernet}, {54, R::kTruncatedIpv6}, {86, R::kBadIpv6Length}}},
      {"vlan_ipv4_udp",
       &kVlanIpv4Udp,
       {{14, R::kTruncatedEthernet},
        {18, R::kTruncatedVlan},
        {38, R::kTruncatedIpv4},
        {50, R::kBadIpv4Length}}},
      {"llc", &kLlcStp, {{14, R::kTruncatedEthernet}}},
  };
}

TEST(ParseFlow, EveryTruncationOfEveryGoldenFrameHasItsReason) {
  for (const Golden& golden : goldens()) {
    SCOPED_TRACE(golden.name);
    ASSERT_EQ(golden.bounds.back().first,
              golden.name == std::string("llc") ? size_t{14} : golden.frame->size());
    FlowKey full;
    ASSERT_FALSE(parse(*golden.frame, &full));
    for (size_t len = 0; len < golden.frame->size(); ++len) {
      SCOPED_TRACE("length " + std::to_string(len));
      FlowKey key;
      std::optional<DropReason> drop = parse_prefix(*golden.frame, len, &key);
      auto bound = std::find_if(golden.bounds.begin(), golden.bounds.end(),
                                [&](const auto& b) { return len < b.first; });
      if (bound == golden.bounds.end()) {
        // Only the 802.3 frame has valid prefixes: its length field is not trusted.
        ASSERT_FALSE(drop) << drop_reason_name(*drop);
        expect_key(key, full);
      } else {
        ASSERT_TRUE(drop);
        EXPECT_EQ(drop_reason_name(*drop), drop_reason_name(bound->second));
      }
    }
  }
}

// Cuts `frame` to `len` bytes and shrinks the IP length field to match, so that the L4 header
// itself is what is cut short.
Bytes truncate_ip_payload(const Bytes& frame, size_t l3_offset, bool ipv6, size_t len) {
  Bytes out(frame.begin(), frame.begin() + static_cast<ptrdiff_t>(len));
  size_t ip_len = len - l3_offset - (ipv6 ? 40 : 0);
  out[l3_offset + (ipv6 ? 4 : 2)] = static_cast<uint8_t>(ip_len >> 8);
  out[l3_offset + (ipv6 ? 5 : 3)] = static_cast<uint8_t>(ip_len);
  return out;
}

TEST(ParseFlow, EveryTruncationOfEveryL4HeaderHasItsReason) {
  struct Case {
    const char* name;
    const Bytes* frame;
    size_t l3_offset;
    bool ipv6;
    size_t l4_offset;
    size_t l4_header_len;
    DropReason reason;
  };
  using R = DropReason;
  const Case cases[] = {
      {"ipv4_tcp", &kIpv4TcpSyn, 14, false, 34, 24, R::kTruncatedTcp},
      {"ipv4_udp", &kIpv4Udp, 14, false, 34, 8, R::kTruncatedUdp},
      {"ipv4_sctp", &kIpv4Sctp, 14, false, 34, 12, R::kTruncatedSctp},
      {"ipv4_icmp", &kIpv4IcmpEcho, 14, false, 34, 8, R::kTruncatedIcmp},
      {"ipv4_options", &kIpv4OptionsUdp, 14, false, 38, 8, R::kTruncatedUdp},
      {"ipv6_tcp", &kIpv6TcpSyn, 14, true, 54, 24, R::kTruncatedTcp},
      {"ipv6_ns", &kIpv6NeighborSolicitation, 14, true, 54, 8, R::kTruncatedIcmpv6},
      {"vlan_ipv4_udp", &kVlanIpv4Udp, 18, false, 38, 8, R::kTruncatedUdp},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (size_t len = c.l4_offset; len <= c.frame->size(); ++len) {
      SCOPED_TRACE("length " + std::to_string(len));
      FlowKey key;
      std::optional<DropReason> drop =
          parse(truncate_ip_payload(*c.frame, c.l3_offset, c.ipv6, len), &key);
      if (len < c.l4_offset + c.l4_header_len) {
        ASSERT_TRUE(drop);
        EXPECT_EQ(drop_reason_name(*drop), drop_reason_name(c.reason));
      } else {
        EXPECT_FALSE(drop) << drop_reason_name(*drop);
        EXPECT_NE(key.tp_src, 0);
      }
    }
  }
}

TEST(ParseFlow, EveryTruncationOfIpv6ExtensionHeadersHasItsReason) {
  const Bytes frame = ipv6_ext_frame(0x00, 0x01);
  constexpr size_t kExtOffset = 54, kUdpOffset = 70;
  for (size_t len = kExtOffset; len < kUdpOffset + 8; ++len) {
    SCOPED_TRACE("length " + std::to_string(len));
    expect_drop(truncate_ip_payload(frame, 14, true, len),
                len < kUdpOffset ? DropReason::kTruncatedIpv6Ext : DropReason::kTruncatedUdp);
  }
}

// Mutations of the golden frames (byte overwrites, truncation, extension) must give a key or
// a drop, never a crash or a read outside the frame (run under ASan/UBSan).
TEST(ParseFlow, RandomMutationsNeverCrash) {
  std::vector<Golden> all = goldens();
  all.push_back({"ipv6_ext", nullptr, {}});
  const Bytes ext = ipv6_ext_frame(0x00, 0x01);
  std::mt19937_64 rng(0x5eed);
  size_t parsed = 0, dropped = 0;
  for (int i = 0; i < 100000; ++i) {
    const Golden& golden = all[rng() % all.size()];
    Bytes frame = golden.frame ? *golden.frame : ext;
    for (int m = 1 + static_cast<int>(rng() % 4); m > 0; --m) {
      switch (rng() % 4) {
        case 0:  // Overwrite a byte, mostly in the headers.
        case 1:
          if (!frame.empty()) frame[rng() % std::min<size_t>(frame.size(), 80)] = rng() & 0xff;
          break;
        case 2:
          frame.resize(rng() % (frame.size() + 1));
          break;
        case 3:
          frame.resize(frame.size() + rng() % 16, static_cast<uint8_t>(rng()));
          break;
      }
    }
    FlowKey key;
    std::optional<DropReason> drop = parse(frame, &key);
    if (drop) {
      ASSERT_LT(static_cast<size_t>(*drop), kDropReasonCount);
      ++dropped;
    } else {
      ASSERT_EQ(key.in_port, kPort);
      FlowKey again;
      ASSERT_FALSE(parse(frame, &again));
      ASSERT_TRUE(flow_equal_masked(key, again, all_ones()));
      ++parsed;
    }
  }
  EXPECT_GT(parsed, 1000u);
  EXPECT_GT(dropped, 1000u);
}

TEST(DropReason, NamesAreUniqueSnakeCaseWithDescriptions) {
  EXPECT_EQ(kDropReasonCount, 24u);
  EXPECT_EQ(drop_reason_name(DropReason::kTruncatedEthernet), "truncated_ethernet");
  std::set<std::string_view> names;
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    auto reason = static_cast<DropReason>(i);
    std::string_view name = drop_reason_name(reason);
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
    })) << name;
    EXPECT_FALSE(drop_reason_description(reason).empty());
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(drop_reason_name(static_cast<DropReason>(kDropReasonCount)), "");
}

TEST(FlowKeyWords, EqualKeysHashEqualAndEveryBitChangesTheHash) {
  FlowKey a, b;
  ASSERT_FALSE(parse(kIpv4TcpSyn, &a));
  ASSERT_FALSE(parse(kIpv4TcpSyn, &b));
  EXPECT_EQ(flow_hash(a, 1), flow_hash(b, 1));
  EXPECT_NE(flow_hash(a, 1), flow_hash(a, 2));
  std::set<uint64_t> hashes = {flow_hash(a, 1)};
  for (size_t bit = 0; bit < sizeof(FlowKey) * 8; ++bit) {
    FlowKey flipped = a;
    reinterpret_cast<uint8_t*>(&flipped)[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_TRUE(hashes.insert(flow_hash(flipped, 1)).second) << "bit " << bit;
  }
}

TEST(FlowKeyWords, MaskedOutDifferencesCompareEqual) {
  FlowKey a, b;
  ASSERT_FALSE(parse(kIpv4TcpSyn, &a));
  b = a;
  b.tp_src = htons(1);  // Another connection to the same server.
  const FlowMask exact = all_ones();
  EXPECT_FALSE(flow_equal_masked(a, b, exact));
  EXPECT_TRUE(flow_equal_masked(a, b, FlowMask{}));

  FlowMask no_src_port = exact;
  no_src_port.tp_src = 0;
  EXPECT_TRUE(flow_equal_masked(a, b, no_src_port));
  no_src_port.tp_dst = htons(0xff00);  // Partial masks work per bit.
  b.tp_dst = htons(ntohs(a.tp_dst) ^ 0x00ff);
  EXPECT_TRUE(flow_equal_masked(a, b, no_src_port));
  b.tp_dst = htons(ntohs(a.tp_dst) ^ 0x0100);
  EXPECT_FALSE(flow_equal_masked(a, b, no_src_port));

  b.tp_dst = a.tp_dst;
  EXPECT_NE(flow_hash(a, 0), flow_hash(b, 0));
  flow_apply_mask(a, no_src_port);
  flow_apply_mask(b, no_src_port);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0);
  EXPECT_EQ(flow_hash(a, 0), flow_hash(b, 0));
  EXPECT_EQ(a.tp_src, 0);
  EXPECT_EQ(ntohs(a.tp_dst), 80 & 0xff00);
  EXPECT_EQ(ntohl(a.nw_src), ntohl(ipv4("10.0.0.1")));  // Unmasked fields survive.
}

}  // namespace
}  // namespace vs
