// OXM match <-> flow-key rule (controller/flow_match.h): the key and mask each field gives, what
// the rules accept among frames parsed by the real parse_flow(), the fields refused, and round
// trips of every match Open vSwitch sent or answered in ofp_golden.h, in OVS's own OXM order.
#include "controller/flow_match.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <set>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "controller/ofp_message.h"
#include "tests/controller/ofp_golden.h"
#include "tests/support/hex.h"

namespace vs::controller {

// Failure messages show the key and mask as words (static: other tests may print FlowMatch too).
static void PrintTo(const FlowMatch& match, std::ostream* os) {
  *os << "key";
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    char word[20];
    std::snprintf(word, sizeof word, " %016llx",
                  static_cast<unsigned long long>(flow_internal::load_word(match.key, i)));
    *os << word;
  }
  *os << " mask";
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    char word[20];
    std::snprintf(word, sizeof word, " %016llx",
                  static_cast<unsigned long long>(flow_internal::load_word(match.mask, i)));
    *os << word;
  }
}

namespace ofp {
// Failure messages show an OXM as ovs-ofctl names it, value and mask in hex.
static void PrintTo(const Oxm& oxm, std::ostream* os) {
  *os << oxm_info(oxm.field).name << "=";
  char byte[4];
  for (size_t i = 0; i < oxm.length(); ++i) {
    std::snprintf(byte, sizeof byte, "%02x", oxm.value[i]);
    *os << byte;
  }
  if (!oxm.has_mask) return;
  *os << "/";
  for (size_t i = 0; i < oxm.length(); ++i) {
    std::snprintf(byte, sizeof byte, "%02x", oxm.mask[i]);
    *os << byte;
  }
}
}  // namespace ofp

namespace {

using ofp::Oxm;
using F = ofp::OxmField;
using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;
using Ip6 = std::array<uint8_t, 16>;

// --- Frames, byte by byte. ---

constexpr Mac kMacA = {0x02, 0, 0, 0, 0, 0x01};
constexpr Mac kMacB = {0x02, 0, 0, 0, 0, 0x02};
constexpr uint32_t kIpA = 0xc6120001;  // 198.18.0.1
constexpr uint32_t kIpB = 0xc6120101;  // 198.18.1.1
constexpr Ip6 kIp6A = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
constexpr Ip6 kIp6B = {0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}
Bytes be16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
Bytes be32(uint32_t v) { return cat({be16(static_cast<uint16_t>(v >> 16)), be16(v & 0xffff)}); }
Bytes bytes(const Mac& mac) { return Bytes(mac.begin(), mac.end()); }
Bytes bytes(const Ip6& ip) { return Bytes(ip.begin(), ip.end()); }

struct Eth {
  Mac dst = kMacB;
  Mac src = kMacA;
  std::optional<uint16_t> tci = std::nullopt;  // an 802.1Q tag
  uint16_t tpid = 0x8100;
};

Bytes ether(uint16_t type, const Bytes& payload, const Eth& eth = {}) {
  Bytes tag = eth.tci ? cat({be16(eth.tpid), be16(*eth.tci)}) : Bytes{};
  return cat({bytes(eth.dst), bytes(eth.src), tag, be16(type), payload});
}

struct Ip4 {
  uint32_t src = kIpA;
  uint32_t dst = kIpB;
  uint8_t tos = 0;
};

Bytes ipv4(uint8_t proto, const Bytes& l4, const Ip4& ip = {}) {
  return cat({{0x45, ip.tos},
              be16(static_cast<uint16_t>(20 + l4.size())),
              {0, 0, 0, 0},
              {64, proto, 0, 0},
              be32(ip.src),
              be32(ip.dst),
              l4});
}

struct Ip6Hdr {
  Ip6 src = kIp6A;
  Ip6 dst = kIp6B;
  uint32_t flabel = 0;
  uint8_t tclass = 0;
};

Bytes ipv6(uint8_t next, const Bytes& l4, const Ip6Hdr& ip = {}) {
  const uint32_t first = 6u << 28 | uint32_t{ip.tclass} << 20 | ip.flabel;
  return cat({be32(first),
              be16(static_cast<uint16_t>(l4.size())),
              {next, 64},
              bytes(ip.src),
              bytes(ip.dst),
              l4});
}

Bytes tcp(uint16_t src, uint16_t dst) {
  return cat({be16(src), be16(dst), be32(1), be32(0), {0x50, 0x02}, be16(1024), be32(0)});
}
Bytes udp(uint16_t src, uint16_t dst) { return cat({be16(src), be16(dst), be16(8), be16(0)}); }
Bytes icmp(uint8_t type, uint8_t code) { return {type, code, 0, 0, 0, 1, 0, 1}; }
Bytes arp(uint16_t op, const Mac& sha, uint32_t spa, const Mac& tha, uint32_t tpa) {
  return cat(
      {be16(1), be16(0x0800), {6, 4}, be16(op), bytes(sha), be32(spa), bytes(tha), be32(tpa)});
}

Bytes ipv4_frame(uint8_t proto, const Bytes& l4, const Ip4& ip = {}, const Eth& eth = {}) {
  return ether(0x0800, ipv4(proto, l4, ip), eth);
}
Bytes tcp_frame(uint16_t dst_port, const Eth& eth = {}) {
  return ipv4_frame(6, tcp(40000, dst_port), {}, eth);
}
Bytes ipv6_frame(uint8_t next, const Bytes& l4, const Ip6Hdr& ip = {}) {
  return ether(0x86dd, ipv6(next, l4, ip));
}

FlowKey parse(const Bytes& frame, uint32_t in_port = 1) {
  FlowKey key;
  const std::optional<DropReason> drop = parse_flow(frame, in_port, &key);
  EXPECT_FALSE(drop) << "the test frame itself is dropped";
  return key;
}

// --- Matches. ---

Oxm eth_type(uint16_t type) { return Oxm::exact(F::kEthType, type); }
Oxm ip_proto(uint8_t proto) { return Oxm::exact(F::kIpProto, proto); }
Oxm exact_mac(F field, const Mac& mac) { return Oxm::exact_bytes(field, mac); }
Oxm masked_bytes(F field, std::span<const uint8_t> value, std::span<const uint8_t> mask) {
  Oxm oxm{field};
  oxm.has_mask = true;
  for (size_t i = 0; i < oxm.length(); ++i) {
    oxm.value[i] = value[i] & mask[i];
    oxm.mask[i] = mask[i];
  }
  return oxm;
}

FlowMatch mapped(const ofp::Match& match) {
  ofp::OfpResult<FlowMatch> result = to_flow_match(match);
  EXPECT_TRUE(result) << "refused with " << result.error().type << "/" << result.error().code;
  return result ? result.value() : FlowMatch{};
}

bool accepts(const ofp::Match& match, const FlowKey& key) {
  const FlowMatch rule = mapped(match);
  return flow_equal_masked(key, rule.key, rule.mask);
}
bool accepts(const ofp::Match& match, const Bytes& frame, uint32_t in_port = 1) {
  return accepts(match, parse(frame, in_port));
}

// --- The key and mask of each field. ---

struct KeyCase {
  const char* what;
  ofp::Match match;
  std::function<void(FlowKey& key, FlowMask& mask)> expect;
};

FlowMatch expected(const KeyCase& c) {
  FlowMatch m;
  c.expect(m.key, m.mask);
  return m;
}

TEST(FlowMatch, EachOxmFieldLandsOnItsKeyFieldInTheParsersByteOrder) {
  const Mac multicast = {0x01, 0, 0, 0, 0, 0};
  const Mac oui = {0xff, 0xff, 0xff, 0, 0, 0};
  const Ip6 prefix32 = {0xff, 0xff, 0xff, 0xff};
  const std::vector<KeyCase> cases = {
      {"in_port=7",
       {Oxm::exact(F::kInPort, 7)},
       [](FlowKey& k, FlowMask& m) {
         k.in_port = 7;
         m.in_port = 0xffffffff;
       }},
      {"metadata=0x5/0xff (host order)",
       {Oxm::masked(F::kMetadata, 0x5, 0xff)},
       [](FlowKey& k, FlowMask& m) {
         k.metadata = 0x5;
         m.metadata = 0xff;
       }},
      {"tunnel_id=0x64 (host order)",
       {Oxm::exact(F::kTunnelId, 0x64)},
       [](FlowKey& k, FlowMask& m) {
         k.tunnel_id = 0x64;
         m.tunnel_id = ~uint64_t{0};
       }},
      {"eth_src=02:00:00:00:00:01/ff:ff:ff:00:00:00, eth_dst=01:00:00:00:00:00/01:...",
       {masked_bytes(F::kEthSrc, kMacA, oui), masked_bytes(F::kEthDst, multicast, multicast)},
       [&](FlowKey& k, FlowMask& m) {
         k.eth_src = {0x02, 0, 0, 0, 0, 0};
         m.eth_src = oui;
         k.eth_dst = multicast;
         m.eth_dst = multicast;
       }},
      {"eth_type=0x88cc",
       {eth_type(0x88cc)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x88cc);
         m.eth_type = 0xffff;
       }},
      {"vlan_vid=0x100a (VLAN 10)",
       {Oxm::exact(F::kVlanVid, 0x100a)},
       [](FlowKey& k, FlowMask& m) {
         k.vlan_tci = htons(0x100a);
         m.vlan_tci = htons(0x1fff);
       }},
      {"vlan_vid=0 (OFPVID_NONE: untagged)",
       {Oxm::exact(F::kVlanVid, 0)},
       [](FlowKey&, FlowMask& m) { m.vlan_tci = htons(0x1fff); }},
      {"vlan_vid=0x1000/0x1000 (any tag)",
       {Oxm::masked(F::kVlanVid, 0x1000, 0x1000)},
       [](FlowKey& k, FlowMask& m) {
         k.vlan_tci = htons(kVlanPresent);
         m.vlan_tci = htons(kVlanPresent);
       }},
      {"vlan_vid=0x100a, vlan_pcp=3",
       {Oxm::exact(F::kVlanVid, 0x100a), Oxm::exact(F::kVlanPcp, 3)},
       [](FlowKey& k, FlowMask& m) {
         k.vlan_tci = htons(3 << 13 | 0x100a);
         m.vlan_tci = 0xffff;
       }},
      {"ip, ip_dscp=8, ip_ecn=1, ip_proto=17",
       {eth_type(0x0800), Oxm::exact(F::kIpDscp, 8), Oxm::exact(F::kIpEcn, 1), ip_proto(17)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x0800);
         m.eth_type = 0xffff;
         k.nw_tos = 8 << 2 | 1;
         m.nw_tos = 0xff;
         k.nw_proto = 17;
         m.nw_proto = 0xff;
       }},
      {"ip, ip_dscp=46 alone",
       {eth_type(0x0800), Oxm::exact(F::kIpDscp, 46)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x0800);
         m.eth_type = 0xffff;
         k.nw_tos = 46 << 2;
         m.nw_tos = 0xfc;
       }},
      {"ip, ipv4_src=198.18.0.0/16, ipv4_dst=198.18.1.1",
       {eth_type(0x0800), Oxm::masked(F::kIpv4Src, 0xc6120000, 0xffff0000),
        Oxm::exact(F::kIpv4Dst, kIpB)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x0800);
         m.eth_type = 0xffff;
         k.nw_src = htonl(0xc6120000);
         m.nw_src = htonl(0xffff0000);
         k.nw_dst = htonl(kIpB);
         m.nw_dst = 0xffffffff;
       }},
      {"tcp, tcp_src=80, tcp_dst=0x1000/0xf000",
       {eth_type(0x0800), ip_proto(6), Oxm::exact(F::kTcpSrc, 80),
        Oxm::masked(F::kTcpDst, 0x1000, 0xf000)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x0800);
         m.eth_type = 0xffff;
         k.nw_proto = 6;
         m.nw_proto = 0xff;
         k.tp_src = htons(80);
         m.tp_src = 0xffff;
         k.tp_dst = htons(0x1000);
         m.tp_dst = htons(0xf000);
       }},
      {"udp6, udp_src=53, udp_dst=5353",
       {eth_type(0x86dd), ip_proto(17), Oxm::exact(F::kUdpSrc, 53), Oxm::exact(F::kUdpDst, 5353)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x86dd);
         m.eth_type = 0xffff;
         k.nw_proto = 17;
         m.nw_proto = 0xff;
         k.tp_src = htons(53);
         m.tp_src = 0xffff;
         k.tp_dst = htons(5353);
         m.tp_dst = 0xffff;
       }},
      {"sctp, sctp_src=2905, sctp_dst=2906",
       {eth_type(0x0800), ip_proto(132), Oxm::exact(F::kSctpSrc, 2905),
        Oxm::exact(F::kSctpDst, 2906)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x0800);
         m.eth_type = 0xffff;
         k.nw_proto = 132;
         m.nw_proto = 0xff;
         k.tp_src = htons(2905);
         m.tp_src = 0xffff;
         k.tp_dst = htons(2906);
         m.tp_dst = 0xffff;
       }},
      {"icmp, icmpv4_type=8, icmpv4_code=3 (widened to 16 bits)",
       {eth_type(0x0800), ip_proto(1), Oxm::exact(F::kIcmpv4Type, 8),
        Oxm::exact(F::kIcmpv4Code, 3)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x0800);
         m.eth_type = 0xffff;
         k.nw_proto = 1;
         m.nw_proto = 0xff;
         k.tp_src = htons(8);
         m.tp_src = 0xffff;
         k.tp_dst = htons(3);
         m.tp_dst = 0xffff;
       }},
      {"icmp6, icmpv6_type=128, icmpv6_code=0",
       {eth_type(0x86dd), ip_proto(58), Oxm::exact(F::kIcmpv6Type, 128),
        Oxm::exact(F::kIcmpv6Code, 0)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x86dd);
         m.eth_type = 0xffff;
         k.nw_proto = 58;
         m.nw_proto = 0xff;
         k.tp_src = htons(128);
         m.tp_src = 0xffff;
         m.tp_dst = 0xffff;
       }},
      {"arp, arp_op=2, arp_spa, arp_tpa/24, arp_sha, arp_tha",
       {eth_type(0x0806), Oxm::exact(F::kArpOp, 2), Oxm::exact(F::kArpSpa, kIpA),
        Oxm::masked(F::kArpTpa, kIpB, 0xffffff00), exact_mac(F::kArpSha, kMacA),
        exact_mac(F::kArpTha, kMacB)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x0806);
         m.eth_type = 0xffff;
         k.arp_op = htons(2);
         m.arp_op = 0xffff;
         k.nw_src = htonl(kIpA);
         m.nw_src = 0xffffffff;
         k.nw_dst = htonl(kIpB & 0xffffff00);
         m.nw_dst = htonl(0xffffff00);
         k.arp_sha = kMacA;
         m.arp_sha.fill(0xff);
         k.arp_tha = kMacB;
         m.arp_tha.fill(0xff);
       }},
      {"ipv6, ipv6_src=2001:db8::/32, ipv6_dst, ipv6_flabel=0x12345",
       {eth_type(0x86dd), masked_bytes(F::kIpv6Src, kIp6A, prefix32),
        Oxm::exact_bytes(F::kIpv6Dst, kIp6B), Oxm::exact(F::kIpv6Flabel, 0x12345)},
       [&](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x86dd);
         m.eth_type = 0xffff;
         k.ipv6_src = {0x20, 0x01, 0x0d, 0xb8};
         m.ipv6_src = prefix32;
         k.ipv6_dst = kIp6B;
         m.ipv6_dst.fill(0xff);
         k.ipv6_label = htonl(0x12345);
         m.ipv6_label = 0xffffffff;  // exact, as OVS keeps it
       }},
      {"ipv6, ipv6_flabel=0x12345/0xff",
       {eth_type(0x86dd), Oxm::masked(F::kIpv6Flabel, 0x12345, 0xff)},
       [](FlowKey& k, FlowMask& m) {
         k.eth_type = htons(0x86dd);
         m.eth_type = 0xffff;
         k.ipv6_label = htonl(0x45);
         m.ipv6_label = htonl(0xff);
       }},
  };
  for (const KeyCase& c : cases) {
    EXPECT_EQ(mapped(c.match), expected(c)) << c.what;
  }
}

TEST(FlowMatch, TheEmptyMatchIsAllWildcards) { EXPECT_EQ(mapped({}), FlowMatch{}); }

TEST(FlowMatch, ValueBitsOutsideTheMaskAreClearedFromTheKey) {
  Oxm sloppy{F::kIpv4Src};  // built by hand: the wire decoder would refuse it (BAD_WILDCARDS)
  sloppy.has_mask = true;
  sloppy.value = {0xc6, 0x12, 0x07, 0x09};
  sloppy.mask = {0xff, 0xff, 0x00, 0x00};
  const FlowMatch match = mapped({eth_type(0x0800), sloppy});
  EXPECT_EQ(match.key.nw_src, htonl(0xc6120000));
  EXPECT_EQ(match.mask.nw_src, htonl(0xffff0000));
}

TEST(FlowMatch, NeighborDiscoveryFieldsShareTheArpAddressesAndRoundTrip) {
  const ofp::Match solicitation = {eth_type(0x86dd), ip_proto(58),
                                   Oxm::exact(F::kIcmpv6Type, 135),
                                   Oxm::exact_bytes(F::kIpv6NdTarget, kIp6A),
                                   exact_mac(F::kIpv6NdSll, kMacA)};
  const FlowMatch ns = mapped(solicitation);
  EXPECT_EQ(ns.key.nd_target, kIp6A);
  EXPECT_EQ(ns.key.arp_sha, kMacA);
  EXPECT_EQ(to_oxm_match(ns), solicitation);
  const ofp::Match advertisement = {eth_type(0x86dd), ip_proto(58),
                                    Oxm::exact(F::kIcmpv6Type, 136),
                                    Oxm::exact_bytes(F::kIpv6NdTarget, kIp6A),
                                    exact_mac(F::kIpv6NdTll, kMacA)};
  const FlowMatch na = mapped(advertisement);
  EXPECT_EQ(na.key.arp_tha, kMacA);
  EXPECT_EQ(to_oxm_match(na), advertisement);
}

TEST(FlowMatch, FieldsTheKeyCannotHoldAreRefusedAsBadField) {
  const std::vector<ofp::Match> refused = {
      {Oxm::exact(F::kInPhyPort, 1)},
      {eth_type(0x8847), Oxm::exact(F::kMplsLabel, 16)},
      {eth_type(0x8847), Oxm::exact(F::kMplsTc, 1)},
      {eth_type(0x8847), Oxm::exact(F::kMplsBos, 1)},
      {eth_type(0x88e7), Oxm::exact(F::kPbbIsid, 5)},
      {eth_type(0x86dd), Oxm::exact(F::kIpv6Exthdr, 1)},
  };
  for (const ofp::Match& match : refused) {
    ofp::OfpResult<FlowMatch> result = to_flow_match(match);
    ASSERT_FALSE(result) << ::testing::PrintToString(match.back());
    EXPECT_EQ(result.error(), ofp::err::kBadField) << ::testing::PrintToString(match.back());
  }
}

TEST(FlowMatch, MatchesBuiltInCodeGetTheWireChecks) {
  const auto error_of = [](const ofp::Match& match) {
    ofp::OfpResult<FlowMatch> result = to_flow_match(match);
    return result ? ofp::OfpError{0xffff, 0xffff} : result.error();
  };
  EXPECT_EQ(error_of({Oxm::exact(F::kInPort, 1), Oxm::exact(F::kInPort, 2)}), ofp::err::kDupField);
  EXPECT_EQ(error_of({Oxm::exact(F::kTcpDst, 80)}), ofp::err::kBadPrereq);
  EXPECT_EQ(error_of({eth_type(0x0800), Oxm::exact(F::kTcpDst, 80)}), ofp::err::kBadPrereq);
  EXPECT_EQ(error_of({Oxm::exact(F::kVlanPcp, 3)}), ofp::err::kBadPrereq);
  EXPECT_EQ(error_of({Oxm::exact(F::kVlanVid, 0), Oxm::exact(F::kVlanPcp, 3)}),
            ofp::err::kBadPrereq);
  EXPECT_EQ(error_of({Oxm::masked(F::kEthType, 0x0800, 0xff00)}), ofp::err::kBadMask);
  EXPECT_EQ(error_of({Oxm::exact(F::kVlanVid, 0x200a)}), ofp::err::kBadValue);
  EXPECT_EQ(error_of({eth_type(0x0800), Oxm::exact(F::kIpDscp, 64)}), ofp::err::kBadValue);
}

// --- What the rules accept among parsed frames. ---

TEST(FlowMatch, TcpDstAcceptsOnlyTcpFramesToThatPort) {
  const ofp::Match match = {eth_type(0x0800), ip_proto(6), Oxm::exact(F::kTcpDst, 80)};
  EXPECT_TRUE(accepts(match, tcp_frame(80)));
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.tci = 0x100a})));  // eth_type is the inner one
  EXPECT_FALSE(accepts(match, ipv4_frame(17, udp(40000, 80))));
  EXPECT_FALSE(accepts(match, tcp_frame(81)));
  EXPECT_FALSE(accepts(match, tcp_frame(0x5000)));  // 80 in the other byte order
  EXPECT_FALSE(accepts(match, ipv6_frame(6, tcp(40000, 80))));
}

TEST(FlowMatch, MaskedTcpDstAcceptsThePortsUnderTheMask) {
  const ofp::Match match = {eth_type(0x0800), ip_proto(6), Oxm::masked(F::kTcpDst, 0x1000, 0xf000)};
  EXPECT_TRUE(accepts(match, tcp_frame(0x1000)));
  EXPECT_TRUE(accepts(match, tcp_frame(0x1abc)));
  EXPECT_FALSE(accepts(match, tcp_frame(0x2000)));
  EXPECT_FALSE(accepts(match, tcp_frame(0x0010)));
}

TEST(FlowMatch, UdpSrcAcceptsUdpOverIpv6) {
  const ofp::Match match = {eth_type(0x86dd), ip_proto(17), Oxm::exact(F::kUdpSrc, 53)};
  EXPECT_TRUE(accepts(match, ipv6_frame(17, udp(53, 1234))));
  EXPECT_FALSE(accepts(match, ipv6_frame(17, udp(54, 1234))));
  EXPECT_FALSE(accepts(match, ipv4_frame(17, udp(53, 1234))));
}

TEST(FlowMatch, VlanVidNoneMatchesOnlyUntaggedFrames) {
  const ofp::Match match = {Oxm::exact(F::kVlanVid, 0)};
  EXPECT_TRUE(accepts(match, tcp_frame(80)));
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.tci = 0xa000})));  // priority-tagged: VID 0
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.tci = 0x000a})));
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.tci = 0x000a, .tpid = 0x88a8})));
}

TEST(FlowMatch, VlanVidPresentMatchesAnyTaggedFrame) {
  const ofp::Match match = {Oxm::masked(F::kVlanVid, 0x1000, 0x1000)};
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.tci = 0x000a})));
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.tci = 0x0000})));
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.tci = 0xefff})));
  EXPECT_FALSE(accepts(match, tcp_frame(80)));
}

TEST(FlowMatch, VlanVidAndPcpMatchOneVlanAndPriority) {
  const ofp::Match match = {Oxm::exact(F::kVlanVid, 0x100a), Oxm::exact(F::kVlanPcp, 3)};
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.tci = 0x600a})));
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.tci = 0x700a})));  // the DEI bit is not kept
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.tci = 0x000a})));
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.tci = 0x600b})));
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.tci = 0x6a00})));  // VID 0xa00, the wrong byte
  EXPECT_FALSE(accepts(match, tcp_frame(80)));
}

TEST(FlowMatch, MaskedEthDstAcceptsMulticastOnly) {
  const Mac group = {0x01, 0, 0, 0, 0, 0};
  const ofp::Match match = {masked_bytes(F::kEthDst, group, group)};
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.dst = {0x01, 0x00, 0x5e, 0, 0, 0x01}})));
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.dst = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}})));
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.dst = kMacB})));
  // eth_src carries the group bit here; eth_dst must not be confused with it.
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.dst = kMacB, .src = group})));
}

TEST(FlowMatch, EthSrcOuiMatchesOnlyThatVendor) {
  const Mac oui = {0xff, 0xff, 0xff, 0, 0, 0};
  const ofp::Match match = {masked_bytes(F::kEthSrc, kMacA, oui)};
  EXPECT_TRUE(accepts(match, tcp_frame(80, {.src = {0x02, 0, 0, 0x12, 0x34, 0x56}})));
  EXPECT_FALSE(accepts(match, tcp_frame(80, {.src = {0x02, 0, 0x01, 0, 0, 0x01}})));
}

TEST(FlowMatch, EthTypeNoneMatches8023Frames) {
  const ofp::Match match = {eth_type(0x05ff)};  // OFP_DL_TYPE_NOT_ETH_TYPE
  EXPECT_TRUE(accepts(match, ether(0x002e, Bytes(46, 0xaa))));
  EXPECT_FALSE(accepts(match, tcp_frame(80)));
}

TEST(FlowMatch, Ipv4PrefixAcceptsAddressesInside) {
  const ofp::Match match = {eth_type(0x0800), Oxm::masked(F::kIpv4Src, 0xc6120000, 0xffff0000)};
  EXPECT_TRUE(accepts(match, ipv4_frame(6, tcp(1, 2), {.src = 0xc6120709})));
  EXPECT_TRUE(accepts(match, ipv4_frame(6, tcp(1, 2), {.src = 0xc612ffff})));
  EXPECT_FALSE(accepts(match, ipv4_frame(6, tcp(1, 2), {.src = 0xc6130001})));
  EXPECT_FALSE(accepts(match, ipv4_frame(6, tcp(1, 2), {.src = 0x0709c612})));
  EXPECT_FALSE(accepts(match, ipv4_frame(6, tcp(1, 2), {.src = 0x0a000001, .dst = 0xc6120709})));
  // The same address as an ARP sender shares nw_src, but not the eth_type.
  EXPECT_FALSE(accepts(match, ether(0x0806, arp(1, kMacA, 0xc6120709, Mac{}, kIpB))));
}

TEST(FlowMatch, DscpAndEcnMatchTheirHalvesOfTheTos) {
  const ofp::Match dscp = {eth_type(0x0800), Oxm::exact(F::kIpDscp, 8)};
  EXPECT_TRUE(accepts(dscp, ipv4_frame(6, tcp(1, 2), {.tos = 0x20})));
  EXPECT_TRUE(accepts(dscp, ipv4_frame(6, tcp(1, 2), {.tos = 0x23})));
  EXPECT_FALSE(accepts(dscp, ipv4_frame(6, tcp(1, 2), {.tos = 0x08})));
  EXPECT_FALSE(accepts(dscp, ipv4_frame(6, tcp(1, 2), {.tos = 0x24})));
  const ofp::Match ecn = {eth_type(0x86dd), Oxm::exact(F::kIpEcn, 3)};
  EXPECT_TRUE(accepts(ecn, ipv6_frame(17, udp(1, 2), {.tclass = 0xb3})));
  EXPECT_FALSE(accepts(ecn, ipv6_frame(17, udp(1, 2), {.tclass = 0xb2})));
}

TEST(FlowMatch, IcmpTypeAndCodeAcceptOnlyThatMessage) {
  const ofp::Match match = {eth_type(0x0800), ip_proto(1), Oxm::exact(F::kIcmpv4Type, 8),
                            Oxm::exact(F::kIcmpv4Code, 0)};
  EXPECT_TRUE(accepts(match, ipv4_frame(1, icmp(8, 0))));
  EXPECT_FALSE(accepts(match, ipv4_frame(1, icmp(0, 0))));
  EXPECT_FALSE(accepts(match, ipv4_frame(1, icmp(8, 1))));
  EXPECT_FALSE(accepts(match, ipv4_frame(1, icmp(0, 8))));
  // TCP from port 8 to port 0 fills tp_src/tp_dst with the same numbers.
  EXPECT_FALSE(accepts(match, ipv4_frame(6, tcp(8, 0))));
}

TEST(FlowMatch, Icmpv6TypeAcceptsOnlyIcmpv6) {
  const ofp::Match match = {eth_type(0x86dd), ip_proto(58), Oxm::exact(F::kIcmpv6Type, 128)};
  EXPECT_TRUE(accepts(match, ipv6_frame(58, icmp(128, 0))));
  EXPECT_TRUE(accepts(match, ipv6_frame(58, icmp(128, 7))));
  EXPECT_FALSE(accepts(match, ipv6_frame(58, icmp(129, 0))));
  EXPECT_FALSE(accepts(match, ipv4_frame(1, icmp(128, 0))));
}

TEST(FlowMatch, ArpSpaAcceptsThatSenderOnly) {
  const ofp::Match match = {eth_type(0x0806), Oxm::exact(F::kArpOp, 1),
                            Oxm::exact(F::kArpSpa, kIpA)};
  EXPECT_TRUE(accepts(match, ether(0x0806, arp(1, kMacA, kIpA, Mac{}, kIpB))));
  EXPECT_FALSE(accepts(match, ether(0x0806, arp(2, kMacA, kIpA, Mac{}, kIpB))));
  EXPECT_FALSE(accepts(match, ether(0x0806, arp(1, kMacA, kIpB, Mac{}, kIpA))));
  // An IPv4 packet from the same address fills nw_src alike; eth_type tells them apart.
  EXPECT_FALSE(accepts(match, ipv4_frame(6, tcp(1, 2), {.src = kIpA})));
}

TEST(FlowMatch, ArpTpaPrefixAndHardwareAddresses) {
  const ofp::Match match = {eth_type(0x0806), Oxm::masked(F::kArpTpa, kIpB, 0xffffff00),
                            exact_mac(F::kArpSha, kMacA), exact_mac(F::kArpTha, Mac{})};
  EXPECT_TRUE(accepts(match, ether(0x0806, arp(1, kMacA, kIpA, Mac{}, kIpB + 5))));
  EXPECT_FALSE(accepts(match, ether(0x0806, arp(1, kMacA, kIpA, Mac{}, kIpB + 0x100))));
  EXPECT_FALSE(accepts(match, ether(0x0806, arp(1, kMacB, kIpA, Mac{}, kIpB))));
  EXPECT_FALSE(accepts(match, ether(0x0806, arp(2, kMacA, kIpA, kMacB, kIpB))));
}

TEST(FlowMatch, Ipv6SrcPrefixAndFlowLabel) {
  const Ip6 prefix32 = {0xff, 0xff, 0xff, 0xff};
  const ofp::Match match = {eth_type(0x86dd), masked_bytes(F::kIpv6Src, kIp6A, prefix32),
                            Oxm::exact(F::kIpv6Flabel, 0x12345)};
  const Ip6 inside = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09};
  const Ip6 outside = {0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  EXPECT_TRUE(accepts(match, ipv6_frame(6, tcp(1, 2), {.src = inside, .flabel = 0x12345})));
  EXPECT_TRUE(accepts(match, ipv6_frame(17, udp(1, 2), {.flabel = 0x12345, .tclass = 0xff})));
  EXPECT_FALSE(accepts(match, ipv6_frame(6, tcp(1, 2), {.src = outside, .flabel = 0x12345})));
  EXPECT_FALSE(accepts(match, ipv6_frame(6, tcp(1, 2), {.src = inside, .flabel = 0x12346})));
  EXPECT_FALSE(
      accepts(match, ipv6_frame(6, tcp(1, 2), {.src = outside, .dst = inside, .flabel = 0x12345})));
}

TEST(FlowMatch, Ipv6DstExact) {
  const ofp::Match match = {eth_type(0x86dd), Oxm::exact_bytes(F::kIpv6Dst, kIp6B)};
  EXPECT_TRUE(accepts(match, ipv6_frame(6, tcp(1, 2), {.dst = kIp6B})));
  EXPECT_FALSE(accepts(match, ipv6_frame(6, tcp(1, 2), {.dst = kIp6A})));
}

TEST(FlowMatch, InPortAcceptsFramesFromThatPort) {
  const ofp::Match match = {Oxm::exact(F::kInPort, 2)};
  EXPECT_TRUE(accepts(match, tcp_frame(80), 2));
  EXPECT_FALSE(accepts(match, tcp_frame(80), 1));
  EXPECT_FALSE(accepts(match, tcp_frame(80), 0x02000000));
}

TEST(FlowMatch, MetadataAndTunnelIdMatchTheirMaskedBits) {
  FlowKey key = parse(tcp_frame(80));
  const ofp::Match metadata = {Oxm::masked(F::kMetadata, 0x5, 0xff)};
  key.metadata = 0x105;
  EXPECT_TRUE(accepts(metadata, key));
  key.metadata = 0x6;
  EXPECT_FALSE(accepts(metadata, key));
  key.metadata = 0x0500000000000000;
  EXPECT_FALSE(accepts(metadata, key));

  const ofp::Match tunnel = {Oxm::exact(F::kTunnelId, 0x64)};
  key.tunnel_id = 0x64;
  EXPECT_TRUE(accepts(tunnel, key));
  key.tunnel_id = 0x65;
  EXPECT_FALSE(accepts(tunnel, key));
}

// The parser leaves tp_* zero for SCTP (flow_key.h), so an SCTP port rule never matches yet.
TEST(FlowMatch, SctpPortsAcceptSctpFrames) {
  const ofp::Match match = {eth_type(0x0800), ip_proto(132), Oxm::exact(F::kSctpDst, 2906)};
  const Bytes sctp = cat({be16(2905), be16(2906), be32(0), be32(0)});
  EXPECT_TRUE(accepts(match, ipv4_frame(132, sctp)));
}

// --- Back to OXM, in OVS's order. ---

TEST(FlowMatch, OxmComeBackInOpenVswitchOrder) {
  const Mac oui = {0xff, 0xff, 0xff, 0, 0, 0};
  const ofp::Match ovs_order = {
      Oxm::exact(F::kInPort, 3),
      masked_bytes(F::kEthSrc, kMacA, oui),
      exact_mac(F::kEthDst, kMacB),
      eth_type(0x0800),
      Oxm::exact(F::kVlanVid, 0x100a),
      Oxm::exact(F::kVlanPcp, 5),
      Oxm::masked(F::kIpv4Src, 0xc6120000, 0xffff0000),
      Oxm::exact(F::kIpv4Dst, kIpB),
      Oxm::exact(F::kIpDscp, 46),
      Oxm::exact(F::kIpEcn, 2),
      ip_proto(6),
      Oxm::exact(F::kTcpSrc, 80),
      Oxm::masked(F::kTcpDst, 0x1000, 0xf000),
      Oxm::masked(F::kTunnelId, 0x64, 0xffff),
      Oxm::exact(F::kMetadata, 0x1234567890),
  };
  const ofp::Match reversed(ovs_order.rbegin(), ovs_order.rend());
  EXPECT_EQ(to_oxm_match(mapped(ovs_order)), ovs_order);
  EXPECT_EQ(to_oxm_match(mapped(reversed)), ovs_order);

  const Ip6 prefix32 = {0xff, 0xff, 0xff, 0xff};
  const ofp::Match ipv6 = {
      eth_type(0x86dd),
      masked_bytes(F::kIpv6Src, kIp6A, prefix32),
      Oxm::exact_bytes(F::kIpv6Dst, kIp6B),
      Oxm::exact(F::kIpDscp, 10),
      Oxm::masked(F::kIpv6Flabel, 0x12345, 0xfff),
      ip_proto(58),
      Oxm::exact(F::kIcmpv6Type, 128),
      Oxm::exact(F::kIcmpv6Code, 0),
  };
  EXPECT_EQ(to_oxm_match(mapped(ofp::Match(ipv6.rbegin(), ipv6.rend()))), ipv6);
}

TEST(FlowMatch, FullMasksComeBackExact) {
  const ofp::Match match = {Oxm::masked(F::kVlanVid, 0x100a, 0x1fff),
                            Oxm::masked(F::kMetadata, 7, ~uint64_t{0})};
  EXPECT_EQ(to_oxm_match(mapped(match)),
            (ofp::Match{Oxm::exact(F::kVlanVid, 0x100a), Oxm::exact(F::kMetadata, 7)}));
}

TEST(FlowMatch, KeyBitsWithoutTheirPrerequisitesAreLeftOut) {
  FlowMatch match;
  match.mask.tp_dst = 0xffff;  // no ip_proto: TCP, UDP, SCTP or ICMP?
  match.key.tp_dst = htons(80);
  match.mask.nw_src = 0xffffffff;       // no eth_type: IPv4 or ARP?
  match.mask.vlan_tci = htons(0xe000);  // a PCP, but not that the frame is tagged
  match.key.vlan_tci = htons(0x6000);
  match.mask.in_port = 0xffffffff;
  match.key.in_port = 4;
  EXPECT_EQ(to_oxm_match(match), ofp::Match{Oxm::exact(F::kInPort, 4)});

  FlowMatch icmp_over_ipv6;  // ICMPv4's protocol number inside IPv6: no icmpv4_* field
  icmp_over_ipv6.mask.eth_type = 0xffff;
  icmp_over_ipv6.key.eth_type = htons(0x86dd);
  icmp_over_ipv6.mask.nw_proto = 0xff;
  icmp_over_ipv6.key.nw_proto = 1;
  icmp_over_ipv6.mask.tp_src = 0xffff;
  icmp_over_ipv6.key.tp_src = htons(8);
  EXPECT_EQ(to_oxm_match(icmp_over_ipv6), (ofp::Match{eth_type(0x86dd), ip_proto(1)}));
}

TEST(FlowMatch, PartialMasksOnFieldsWithoutMasksComeBackExact) {
  FlowMatch match;
  match.mask.eth_type = 0xffff;
  match.key.eth_type = htons(0x0806);
  match.mask.arp_op = htons(0x00ff);
  match.key.arp_op = htons(0x0002);
  EXPECT_EQ(to_oxm_match(match), (ofp::Match{eth_type(0x0806), Oxm::exact(F::kArpOp, 2)}));
}

// --- Every match of the golden capture. ---

// The matches of every flow-mod, flow stats request and flow stats reply in ofp_golden.h.
std::vector<ofp::Match> golden_matches() {
  std::vector<ofp::Match> out;
  for (const golden::Case& c : golden::kCases) {
    for (const golden::Message& m : c.messages) {
      ofp::OfpResult<ofp::Message> message = ofp::decode(vs::testing::from_hex(m.hex));
      if (!message) continue;
      const ofp::Body& body = message.value().body;
      if (const auto* mod = std::get_if<ofp::FlowMod>(&body)) out.push_back(mod->match);
      if (const auto* request = std::get_if<ofp::MultipartRequest>(&body)) {
        if (const auto* flows = std::get_if<ofp::FlowStatsRequest>(&request->body)) {
          out.push_back(flows->match);
        }
      }
      if (const auto* reply = std::get_if<ofp::MultipartReply>(&body)) {
        if (const auto* flows = std::get_if<ofp::FlowStatsReply>(&reply->body)) {
          for (const ofp::FlowStats& stats : flows->flows) out.push_back(stats.match);
        }
      }
    }
  }
  return out;
}

TEST(FlowMatch, EveryGoldenMatchRoundTripsInOvsOrderOrIsRefusedAsBadField) {
  const std::set<F> refused = {F::kInPhyPort, F::kMplsLabel, F::kMplsTc,
                               F::kMplsBos,   F::kPbbIsid,    F::kIpv6Exthdr};
  size_t round_trips = 0;
  size_t refusals = 0;
  std::set<F> fields;
  for (const ofp::Match& match : golden_matches()) {
    const bool holdable = std::none_of(match.begin(), match.end(),
                                       [&](const Oxm& oxm) { return refused.count(oxm.field); });
    ofp::OfpResult<FlowMatch> result = to_flow_match(match);
    if (!holdable) {
      ASSERT_FALSE(result) << ::testing::PrintToString(match);
      EXPECT_EQ(result.error(), ofp::err::kBadField);
      ++refusals;
      continue;
    }
    ASSERT_TRUE(result) << ::testing::PrintToString(match);
    EXPECT_EQ(to_oxm_match(result.value()), match);
    ++round_trips;
    for (const Oxm& oxm : match) fields.insert(oxm.field);
  }
  EXPECT_GE(round_trips, 70u);
  EXPECT_EQ(refusals, 0u);  // the capture has no field the key cannot hold
  const std::set<F> covered = {
      F::kInPort,     F::kMetadata,   F::kEthDst,      F::kEthSrc,     F::kEthType,
      F::kVlanVid,    F::kVlanPcp,    F::kIpDscp,      F::kIpEcn,      F::kIpProto,
      F::kIpv4Src,    F::kIpv4Dst,    F::kTcpSrc,      F::kTcpDst,     F::kUdpSrc,
      F::kUdpDst,     F::kSctpSrc,    F::kSctpDst,     F::kIcmpv4Type, F::kIcmpv4Code,
      F::kArpOp,      F::kArpSpa,     F::kArpTpa,      F::kArpSha,     F::kArpTha,
      F::kIpv6Src,    F::kIpv6Dst,    F::kIpv6Flabel,  F::kIcmpv6Type, F::kIcmpv6Code,
      F::kIpv6NdTarget, F::kTunnelId};
  EXPECT_EQ(fields, covered);
}

// --- The tunnel's outer IPv4 addresses (Nicira's tun_src / tun_dst). ---

TEST(FlowMatch, TunnelAddressesAreHostOrderKeyFields) {
  const ofp::Match match = {Oxm::exact(F::kTunIpv4Src, 0xc6120001),
                            Oxm::masked(F::kTunIpv4Dst, 0xc6120000, 0xffffff00)};
  FlowMatch want;
  want.key.tun_src = 0xc6120001;  // 198.18.0.1 as a number, as the datapath fills it
  want.mask.tun_src = 0xffffffff;
  want.key.tun_dst = 0xc6120000;
  want.mask.tun_dst = 0xffffff00;
  EXPECT_EQ(mapped(match), want);

  Oxm sloppy{F::kTunIpv4Dst};  // value bits outside the mask: cleared, as for other fields
  sloppy.has_mask = true;
  sloppy.value = {0xc6, 0x12, 0x07, 0x09};
  sloppy.mask = {0xff, 0xff, 0x00, 0x00};
  const FlowMatch cleared = mapped({sloppy});
  EXPECT_EQ(cleared.key.tun_dst, 0xc6120000u);
  EXPECT_EQ(cleared.mask.tun_dst, 0xffff0000u);
}

TEST(FlowMatch, TunnelAddressesMatchWhatTheDatapathFills) {
  FlowKey key = parse(tcp_frame(80));
  key.tun_src = 0xc6120001;  // host order (lib/flow_key.h)
  key.tun_dst = 0xc6120063;
  const ofp::Match src = {Oxm::exact(F::kTunIpv4Src, 0xc6120001)};
  const ofp::Match dst_prefix = {Oxm::masked(F::kTunIpv4Dst, 0xc6120000, 0xffffff00)};
  EXPECT_TRUE(accepts(src, key));
  EXPECT_TRUE(accepts(dst_prefix, key));
  key.tun_src = 0x010012c6;  // the same bytes in the other order are another address
  EXPECT_FALSE(accepts(src, key));
  key.tun_dst = 0xc6120163;
  EXPECT_FALSE(accepts(dst_prefix, key));
  key.tun_dst = 0;  // not tunnelled
  EXPECT_FALSE(accepts(dst_prefix, key));
}

TEST(FlowMatch, TunnelAddressesComeBackAfterTunnelIdAsOvsWritesThem) {
  // OVS's nx_put_raw: ... L3/L4, tun_id, tun_src, tun_dst, metadata.
  const ofp::Match ovs_order = {eth_type(0x0800),
                                Oxm::masked(F::kIpv4Src, 0xc6120000, 0xffff0000),
                                Oxm::exact(F::kTunnelId, 0x64),
                                Oxm::masked(F::kTunIpv4Src, 0xc6120000, 0xffff0000),
                                Oxm::exact(F::kTunIpv4Dst, 0xc6120002),
                                Oxm::masked(F::kMetadata, 5, 0xff)};
  EXPECT_EQ(to_oxm_match(mapped(ofp::Match(ovs_order.rbegin(), ovs_order.rend()))), ovs_order);
  // A full mask comes back exact, a zero mask not at all.
  FlowMatch full;
  full.key.tun_dst = 0xc6120002;
  full.mask.tun_dst = 0xffffffff;
  EXPECT_EQ(to_oxm_match(full), ofp::Match{Oxm::exact(F::kTunIpv4Dst, 0xc6120002)});
}

TEST(FlowMatch, TunnelMatchesOvsOfctlSentRoundTrip) {
  // Flow-mods captured from ovs-ofctl 3.1 (-O OpenFlow13): "tun_src=198.18.0.1,
  // tun_dst=198.18.0.2", "tun_dst=198.18.0.0/255.255.255.0" and "priority=160,tun_id=0x64,
  // tun_src=198.18.0.1,metadata=0x5/0xff", each with actions=output:1.
  const char* const kFlowMods[] = {
      "040e006000000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
      "000000000001001400013e04c612000100014004c612000200000000000400180000000000000010000000"
      "010000000000000000",
      "040e005800000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
      "000000000001001000014108c6120000ffffff00000400180000000000000010000000010000000000000000",
      "040e0078000000020000000000000000000000000000000000000000000000a0ffffffffffffffffffffffff"
      "000000000001002c80004c08000000000000006400013e04c612000180000510000000000000000500000000"
      "000000ff00000000000400180000000000000010000000010000000000000000",
  };
  std::vector<FlowMatch> rules;
  for (const char* hex : kFlowMods) {
    ofp::OfpResult<ofp::Message> message = ofp::decode(vs::testing::from_hex(hex));
    ASSERT_TRUE(message) << hex;
    const ofp::Match& match = std::get<ofp::FlowMod>(message.value().body).match;
    const FlowMatch rule = mapped(match);
    EXPECT_EQ(to_oxm_match(rule), match) << hex;
    rules.push_back(rule);
  }
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].key.tun_src, 0xc6120001u);
  EXPECT_EQ(rules[0].key.tun_dst, 0xc6120002u);
  EXPECT_EQ(rules[1].key.tun_dst, 0xc6120000u);
  EXPECT_EQ(rules[1].mask.tun_dst, 0xffffff00u);
  EXPECT_EQ(rules[1].mask.tun_src, 0u);
  EXPECT_EQ(rules[2].key.tunnel_id, 0x64u);
  EXPECT_EQ(rules[2].key.tun_src, 0xc6120001u);
  EXPECT_EQ(rules[2].mask.metadata, 0xffu);
}

}  // namespace
}  // namespace vs::controller
