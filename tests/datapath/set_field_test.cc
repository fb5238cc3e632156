// Tests for header rewrites (datapath/set_field.h): every field on real frames with 0, 1 and 2
// VLAN tags, checked byte for byte and against checksums recomputed from scratch here
// (one's-complement sums and a bitwise CRC32c, independent of set_field.cc's incremental code).
#include "datapath/set_field.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "datapath/actions.h"
#include "tests/support/hex.h"
#include "vlan/tag.h"

namespace vs::datapath {
namespace {

using Bytes = std::vector<uint8_t>;
using vs::testing::from_hex;
using vs::testing::to_hex;

constexpr uint8_t kIcmp = 1, kTcp = 6, kUdp = 17, kGre = 47, kIcmpv6 = 58, kSctp = 132;

uint16_t be16(const Bytes& b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }
void put16(Bytes& b, size_t at, uint32_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

// --- From-scratch checksums ---

uint32_t word_sum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; i += 2) sum += uint32_t{p[i]} << 8 | (i + 1 < n ? p[i + 1] : 0u);
  return sum;
}
uint16_t finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}
uint32_t crc32c_bitwise(const uint8_t* p, size_t n) {
  uint32_t crc = 0xffffffff;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
  }
  return ~crc;
}

// A test frame and where the test put its headers (0: none).
struct Frame {
  Bytes bytes;
  size_t l3 = 0;
  size_t l4 = 0;  // only for an L4 header whose checksum the test recomputes
  bool ipv6 = false;
  uint8_t proto = 0;
};

// Rewrites every checksum of `f` from scratch. A UDP checksum of 0 ("none") is kept.
void fix_checksums(Frame& f) {
  Bytes& b = f.bytes;
  if (f.l3 == 0 || f.proto == 0) return;  // no IP (ARP has no checksum)
  size_t l4_end;
  Bytes pseudo;
  if (!f.ipv6) {
    size_t ihl = size_t{b[f.l3] & 15u} * 4;
    put16(b, f.l3 + 10, 0);
    put16(b, f.l3 + 10, finish(word_sum(&b[f.l3], ihl)));
    l4_end = f.l3 + be16(b, f.l3 + 2);
    pseudo = Bytes(&b[f.l3 + 12], &b[f.l3 + 20]);
    pseudo.push_back(0);
    pseudo.push_back(f.proto);
  } else {
    l4_end = f.l3 + 40 + be16(b, f.l3 + 4);
    pseudo = Bytes(&b[f.l3 + 8], &b[f.l3 + 40]);
    pseudo.insert(pseudo.end(), {0, 0, 0, 0, 0, 0, 0, f.proto});
  }
  if (f.l4 == 0) return;
  const size_t len = l4_end - f.l4;
  if (f.ipv6) {
    put16(pseudo, 34, static_cast<uint32_t>(len));
  } else {
    pseudo.insert(pseudo.end(), {static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)});
  }
  uint8_t* l4 = &b[f.l4];
  auto with_pseudo = [&] {
    return finish(word_sum(pseudo.data(), pseudo.size()) + word_sum(l4, len));
  };
  if (f.proto == kTcp) {
    put16(b, f.l4 + 16, 0);
    put16(b, f.l4 + 16, with_pseudo());
  } else if (f.proto == kUdp) {
    if (be16(b, f.l4 + 6) == 0) return;
    put16(b, f.l4 + 6, 0);
    uint16_t csum = with_pseudo();
    put16(b, f.l4 + 6, csum == 0 ? 0xffff : csum);
  } else if (f.proto == kIcmp || f.proto == kIcmpv6) {
    put16(b, f.l4 + 2, 0);
    put16(b, f.l4 + 2, f.ipv6 ? with_pseudo() : finish(word_sum(l4, len)));
  } else if (f.proto == kSctp) {
    std::fill(l4 + 8, l4 + 12, 0);
    uint32_t crc = crc32c_bitwise(l4, len);
    for (int i = 0; i < 4; ++i) l4[8 + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
}

// Byte ranges [begin, end) that hold a checksum of `f`.
std::vector<std::pair<size_t, size_t>> checksum_ranges(const Frame& f) {
  std::vector<std::pair<size_t, size_t>> out;
  if (f.l3 != 0 && !f.ipv6 && f.proto != 0) out.push_back({f.l3 + 10, f.l3 + 12});
  if (f.l4 == 0) return out;
  size_t at = f.proto == kTcp ? 16 : f.proto == kUdp ? 6 : f.proto == kSctp ? 8 : 2;
  out.push_back({f.l4 + at, f.l4 + at + (f.proto == kSctp ? 4 : 2)});
  return out;
}

void expect_checksums_valid(const Frame& f) {
  Frame fixed = f;
  fix_checksums(fixed);
  EXPECT_EQ(to_hex(fixed.bytes), to_hex(f.bytes)) << "checksums recomputed from scratch differ";
}

// --- Frames ---

enum class Kind {
  kTcp4,
  kTcp4Opts,
  kUdp4,
  kUdp4NoCsum,
  kSctp4,
  kIcmp4,
  kGre4,
  kTcp4LaterFrag,
  kSctp4FirstFrag,
  kTcp6,
  kTcp6Ext,
  kUdp6,
  kSctp6,
  kIcmp6,
  kIcmpOver6,
  kTcp6LaterFrag,
  kNdNs,  // solicitation with a source link-layer address option
  kNdNa,  // advertisement, options: source (ignored in an NA), 16-byte target, 8-byte target
  kNdNsNoOpts,
  kNdNsZeroLenOpt,  // a good source option, then one of length 0
  kNdNsOptPastEnd,  // a source option claiming 16 bytes of the 8 left
  kNdNsCode1,
  kNdNsLaterFrag,
  kArp,
  kLldp,
};

// Outer 802.1ad tag VID 100, inner 802.1Q tag VID 10: what two push_tag()s leave.
Bytes eth_header(int tags, uint16_t type) {
  Bytes b = from_hex("020000000002 020000000001");
  if (tags >= 2) b = cat(b, from_hex("88a8 0064"));
  if (tags >= 1) b = cat(b, from_hex("8100 000a"));
  return cat(b, {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type)});
}

Bytes l4_bytes(uint8_t proto) {
  switch (proto) {
    case kTcp:  // odd length: the checksum pads the last byte
      return cat(from_hex("3039 0050 01020304 00000000 5018 ffff 0000 0000"), text("hello world"));
    case kUdp: {
      // A non-zero checksum, so that fix_checksums() computes it rather than keep "none".
      Bytes udp = cat(from_hex("14e9 0035 0000 ffff"), text("query?!"));
      put16(udp, 4, static_cast<uint32_t>(udp.size()));
      return udp;
    }
    case kSctp:  // common header, INIT chunk
      return from_hex("0b59 0b59 deadbeef 00000000 01000014 01020304 0000ffff 00010001 00000000");
    case kIcmp:
      return cat(from_hex("0800 0000 0001 0001"), text("ping"));
    case kIcmpv6:
      return cat(from_hex("8000 0000 0001 0001"), text("ping6"));
    default:
      return text("opaque payload");
  }
}

// TOS 0x01 (ECN 1), TTL 64, 192.168.0.1 -> 192.168.0.2.
Frame ipv4_frame(int tags, uint8_t proto, uint16_t frag = 0, bool options = false) {
  Frame f{eth_header(tags, 0x0800)};
  f.l3 = f.bytes.size();
  f.proto = proto;
  Bytes ip = from_hex("4501 0000 1234 0000 4000 0000 c0a80001 c0a80002");
  ip[9] = proto;
  if (options) {
    ip[0] = 0x46;
    ip = cat(ip, from_hex("01010100"));  // NOP NOP NOP EOL
  }
  Bytes l4 = l4_bytes(proto);
  put16(ip, 2, static_cast<uint32_t>(ip.size() + l4.size()));
  put16(ip, 6, frag);
  bool known = proto == kTcp || proto == kUdp || proto == kSctp || proto == kIcmp;
  if (known && (frag & 0x1fff) == 0) f.l4 = f.l3 + ip.size();
  f.bytes = cat(cat(f.bytes, ip), l4);
  fix_checksums(f);
  return f;
}

// Traffic class 0x01, flow label 0x12345, hop limit 64, 2001:db8::1 -> 2001:db8::2.
Frame ipv6_frame(int tags, uint8_t proto, uint8_t first = 0, const Bytes& ext = {}, Bytes l4 = {}) {
  Frame f{eth_header(tags, 0x86dd)};
  f.l3 = f.bytes.size();
  f.ipv6 = true;
  f.proto = proto;
  Bytes ip = from_hex(
      "60112345 0000 0040 20010db8000000000000000000000001 20010db8000000000000000000000002");
  ip[6] = ext.empty() ? proto : first;
  if (l4.empty()) l4 = l4_bytes(proto);
  put16(ip, 4, static_cast<uint32_t>(ext.size() + l4.size()));
  if (proto == kTcp || proto == kUdp || proto == kSctp || proto == kIcmpv6) {
    f.l4 = f.l3 + ip.size() + ext.size();
  }
  f.bytes = cat(cat(cat(f.bytes, ip), ext), l4);
  fix_checksums(f);
  return f;
}

Bytes ext_options(uint8_t next) { return cat({next, 0}, from_hex("0104 00000000")); }  // PadN
Bytes ext_routing(uint8_t next, uint8_t segments_left) {
  return cat({next, 2, 0, segments_left}, from_hex("00000000 20010db8000000000000000000000099"));
}
Bytes ext_fragment(uint8_t next, uint16_t offset_flags) {
  Bytes b = cat({next, 0, 0, 0}, from_hex("0000abcd"));
  put16(b, 2, offset_flags);
  return b;
}

// Neighbour solicitation (135) or advertisement (136, flags S and O) for 2001:db8::2.
Bytes nd_message(uint8_t type, const char* options, uint8_t code = 0) {
  Bytes b = cat(from_hex("00000000 00000000 20010db8000000000000000000000002"), from_hex(options));
  b[0] = type;
  b[1] = code;
  b[4] = type == 136 ? 0x60 : 0;
  return b;
}
constexpr const char* kSllOpt = "0101 020000000001";

Frame build(Kind kind, int tags) {
  switch (kind) {
    case Kind::kTcp4:
      return ipv4_frame(tags, kTcp);
    case Kind::kTcp4Opts:
      return ipv4_frame(tags, kTcp, 0, true);
    case Kind::kUdp4:
      return ipv4_frame(tags, kUdp);
    case Kind::kUdp4NoCsum: {
      Frame f = ipv4_frame(tags, kUdp);
      put16(f.bytes, f.l4 + 6, 0);
      return f;
    }
    case Kind::kSctp4:
      return ipv4_frame(tags, kSctp);
    case Kind::kIcmp4:
      return ipv4_frame(tags, kIcmp);
    case Kind::kGre4:
      return ipv4_frame(tags, kGre);
    case Kind::kTcp4LaterFrag:
      return ipv4_frame(tags, kTcp, 0x00b9);
    case Kind::kSctp4FirstFrag:
      return ipv4_frame(tags, kSctp, 0x2000);  // MF
    case Kind::kTcp6:
      return ipv6_frame(tags, kTcp);
    case Kind::kTcp6Ext:
      return ipv6_frame(tags, kTcp, 0, cat(ext_options(60), ext_options(kTcp)));
    case Kind::kUdp6:
      return ipv6_frame(tags, kUdp);
    case Kind::kSctp6:
      return ipv6_frame(tags, kSctp);
    case Kind::kIcmp6:
      return ipv6_frame(tags, kIcmpv6);
    case Kind::kIcmpOver6:
      return ipv6_frame(tags, kIcmp);
    case Kind::kTcp6LaterFrag: {
      Frame f = ipv6_frame(tags, kTcp, 44, ext_fragment(kTcp, 0x0059));
      f.l4 = 0;  // the "TCP header" is the middle of a datagram
      return f;
    }
    case Kind::kNdNs:
      return ipv6_frame(tags, kIcmpv6, 0, {}, nd_message(135, kSllOpt));
    case Kind::kNdNa:
      return ipv6_frame(tags, kIcmpv6, 0, {},
                        nd_message(136,
                                   "0101 020000000001 0202 0200000000aa 0000000000000000 "
                                   "0201 0200000000aa"));
    case Kind::kNdNsNoOpts:
      return ipv6_frame(tags, kIcmpv6, 0, {}, nd_message(135, ""));
    case Kind::kNdNsZeroLenOpt:
      return ipv6_frame(tags, kIcmpv6, 0, {},
                        nd_message(135, "0101 020000000001 0e00 010203040506"));
    case Kind::kNdNsOptPastEnd:
      return ipv6_frame(tags, kIcmpv6, 0, {}, nd_message(135, "0102 020000000001"));
    case Kind::kNdNsCode1:
      return ipv6_frame(tags, kIcmpv6, 0, {}, nd_message(135, kSllOpt, 1));
    case Kind::kNdNsLaterFrag: {
      Frame f =
          ipv6_frame(tags, kIcmpv6, 44, ext_fragment(kIcmpv6, 0x0059), nd_message(135, kSllOpt));
      f.l4 = 0;  // the middle of a datagram
      return f;
    }
    case Kind::kArp: {
      Frame f{eth_header(tags, 0x0806)};
      f.l3 = f.bytes.size();
      f.bytes = cat(f.bytes, from_hex("0001 0800 06 04 0001 020000000001 c0a80001 000000000000 "
                                      "c0a80002"));
      return f;
    }
    case Kind::kLldp:
      return Frame{cat(eth_header(tags, 0x88cc), text("chassis and port"))};
  }
  return {};
}

// --- Every field on every frame that has it ---

enum class Base { kL2, kL3, kL4 };

struct WriteCase {
  const char* name;
  Kind kind;
  HeaderField field;
  const char* value;  // hex
  Base base;
  size_t offset;       // of the bytes that change, from `base`
  const char* expect;  // hex, what they become
};

constexpr const char* kMac = "0a0b0c0d0e0f";
constexpr const char* kV4 = "c6120009";
constexpr const char* kV6 = "20010db8ffff00000000000000000042";

const WriteCase kWriteCases[] = {
    {"eth_src", Kind::kTcp4, HeaderField::kEthSrc, kMac, Base::kL2, 6, kMac},
    {"eth_dst", Kind::kArp, HeaderField::kEthDst, kMac, Base::kL2, 0, kMac},
    {"eth_src_lldp", Kind::kLldp, HeaderField::kEthSrc, kMac, Base::kL2, 6, kMac},
    {"ipv4_src_tcp", Kind::kTcp4, HeaderField::kIpv4Src, kV4, Base::kL3, 12, kV4},
    {"ipv4_dst_tcp", Kind::kTcp4, HeaderField::kIpv4Dst, kV4, Base::kL3, 16, kV4},
    {"ipv4_dst_tcp_options", Kind::kTcp4Opts, HeaderField::kIpv4Dst, kV4, Base::kL3, 16, kV4},
    {"ipv4_src_udp", Kind::kUdp4, HeaderField::kIpv4Src, kV4, Base::kL3, 12, kV4},
    {"ipv4_dst_udp", Kind::kUdp4, HeaderField::kIpv4Dst, kV4, Base::kL3, 16, kV4},
    {"ipv4_src_icmp", Kind::kIcmp4, HeaderField::kIpv4Src, kV4, Base::kL3, 12, kV4},
    {"ipv4_dst_sctp", Kind::kSctp4, HeaderField::kIpv4Dst, kV4, Base::kL3, 16, kV4},
    {"ipv4_src_gre", Kind::kGre4, HeaderField::kIpv4Src, kV4, Base::kL3, 12, kV4},
    {"ipv4_src_later_fragment", Kind::kTcp4LaterFrag, HeaderField::kIpv4Src, kV4, Base::kL3, 12,
     kV4},
    {"ip_dscp_ipv4", Kind::kTcp4, HeaderField::kIpDscp, "2e", Base::kL3, 1, "b9"},
    {"ip_ecn_ipv4", Kind::kUdp4, HeaderField::kIpEcn, "02", Base::kL3, 1, "02"},
    {"ip_ttl_ipv4", Kind::kTcp4, HeaderField::kIpTtl, "3f", Base::kL3, 8, "3f"},
    {"ip_ttl_ipv4_udp", Kind::kUdp4, HeaderField::kIpTtl, "01", Base::kL3, 8, "01"},
    {"ip_dscp_ipv6", Kind::kTcp6, HeaderField::kIpDscp, "2e", Base::kL3, 0, "6b912345"},
    {"ip_ecn_ipv6", Kind::kUdp6, HeaderField::kIpEcn, "02", Base::kL3, 0, "60212345"},
    {"ipv6_label", Kind::kTcp6, HeaderField::kIpv6Label, "000abcde", Base::kL3, 0, "601abcde"},
    {"ip_ttl_ipv6", Kind::kTcp6, HeaderField::kIpTtl, "3f", Base::kL3, 7, "3f"},
    {"ipv6_src_tcp", Kind::kTcp6, HeaderField::kIpv6Src, kV6, Base::kL3, 8, kV6},
    {"ipv6_dst_tcp", Kind::kTcp6, HeaderField::kIpv6Dst, kV6, Base::kL3, 24, kV6},
    {"ipv6_src_udp", Kind::kUdp6, HeaderField::kIpv6Src, kV6, Base::kL3, 8, kV6},
    {"ipv6_dst_udp", Kind::kUdp6, HeaderField::kIpv6Dst, kV6, Base::kL3, 24, kV6},
    {"ipv6_src_icmp6", Kind::kIcmp6, HeaderField::kIpv6Src, kV6, Base::kL3, 8, kV6},
    {"ipv6_dst_icmp6", Kind::kIcmp6, HeaderField::kIpv6Dst, kV6, Base::kL3, 24, kV6},
    {"ipv6_dst_sctp", Kind::kSctp6, HeaderField::kIpv6Dst, kV6, Base::kL3, 24, kV6},
    {"ipv6_dst_ext_headers", Kind::kTcp6Ext, HeaderField::kIpv6Dst, kV6, Base::kL3, 24, kV6},
    {"ipv6_src_later_fragment", Kind::kTcp6LaterFrag, HeaderField::kIpv6Src, kV6, Base::kL3, 8,
     kV6},
    {"tp_src_tcp", Kind::kTcp4, HeaderField::kTpSrc, "01bb", Base::kL4, 0, "01bb"},
    {"tp_dst_tcp", Kind::kTcp4, HeaderField::kTpDst, "1f90", Base::kL4, 2, "1f90"},
    {"tp_dst_tcp_options", Kind::kTcp4Opts, HeaderField::kTpDst, "1f90", Base::kL4, 2, "1f90"},
    {"tp_src_tcp6_ext_headers", Kind::kTcp6Ext, HeaderField::kTpSrc, "01bb", Base::kL4, 0, "01bb"},
    {"tp_src_udp", Kind::kUdp4, HeaderField::kTpSrc, "0044", Base::kL4, 0, "0044"},
    {"tp_dst_udp", Kind::kUdp4, HeaderField::kTpDst, "0043", Base::kL4, 2, "0043"},
    {"tp_dst_udp6", Kind::kUdp6, HeaderField::kTpDst, "0222", Base::kL4, 2, "0222"},
    {"tp_src_sctp", Kind::kSctp4, HeaderField::kTpSrc, "0050", Base::kL4, 0, "0050"},
    {"tp_dst_sctp", Kind::kSctp4, HeaderField::kTpDst, "0050", Base::kL4, 2, "0050"},
    {"tp_dst_sctp6", Kind::kSctp6, HeaderField::kTpDst, "0050", Base::kL4, 2, "0050"},
    {"icmp_type", Kind::kIcmp4, HeaderField::kIcmpType, "00", Base::kL4, 0, "00"},
    {"icmp_code", Kind::kIcmp4, HeaderField::kIcmpCode, "05", Base::kL4, 1, "05"},
    {"icmp6_type", Kind::kIcmp6, HeaderField::kIcmpType, "81", Base::kL4, 0, "81"},
    {"icmp6_code", Kind::kIcmp6, HeaderField::kIcmpCode, "07", Base::kL4, 1, "07"},
    {"arp_op", Kind::kArp, HeaderField::kArpOp, "0002", Base::kL3, 6, "0002"},
    {"arp_sha", Kind::kArp, HeaderField::kArpSha, kMac, Base::kL3, 8, kMac},
    {"arp_spa", Kind::kArp, HeaderField::kArpSpa, kV4, Base::kL3, 14, kV4},
    {"arp_tha", Kind::kArp, HeaderField::kArpTha, kMac, Base::kL3, 18, kMac},
    {"arp_tpa", Kind::kArp, HeaderField::kArpTpa, kV4, Base::kL3, 24, kV4},
    {"nd_target_ns", Kind::kNdNs, HeaderField::kNdTarget, kV6, Base::kL4, 8, kV6},
    {"nd_target_na", Kind::kNdNa, HeaderField::kNdTarget, kV6, Base::kL4, 8, kV6},
    {"nd_target_ns_no_options", Kind::kNdNsNoOpts, HeaderField::kNdTarget, kV6, Base::kL4, 8, kV6},
    // As OVS: the target is written even where parse_flow gives up on the options.
    {"nd_target_bad_options", Kind::kNdNsZeroLenOpt, HeaderField::kNdTarget, kV6, Base::kL4, 8,
     kV6},
    {"nd_sll", Kind::kNdNs, HeaderField::kNdSll, kMac, Base::kL4, 26, kMac},
    {"nd_tll", Kind::kNdNa, HeaderField::kNdTll, kMac, Base::kL4, 50, kMac},
};

// "ipv4_src_tcp_tags2": the case and its VLAN tag count.
constexpr auto case_name = [](const auto& info) {
  return std::string(std::get<0>(info.param).name) + "_tags" +
         std::to_string(std::get<1>(info.param));
};

void PrintTo(const WriteCase& c, std::ostream* os) { *os << c.name; }

class SetFieldWrites : public ::testing::TestWithParam<std::tuple<WriteCase, int>> {};

TEST_P(SetFieldWrites, ChangesOnlyTheFieldAndKeepsChecksumsRight) {
  const auto& [c, tags] = GetParam();
  Frame f = build(c.kind, tags);
  const Bytes before = f.bytes;
  const size_t base = c.base == Base::kL2 ? 0 : c.base == Base::kL3 ? f.l3 : f.l4;
  ASSERT_TRUE(c.base == Base::kL2 || base != 0);
  const Bytes expect = from_hex(c.expect);
  const size_t end = base + c.offset + expect.size();
  ASSERT_NE(to_hex({&before[base + c.offset], expect.size()}), c.expect) << "a no-op case";

  ASSERT_TRUE(apply_set_field(f.bytes, set_field(c.field, from_hex(c.value))));
  EXPECT_EQ(to_hex({&f.bytes[base + c.offset], expect.size()}), c.expect);
  auto csums = checksum_ranges(f);
  for (size_t i = 0; i < before.size(); ++i) {
    bool in_csum = false;
    for (auto [lo, hi] : csums) in_csum = in_csum || (i >= lo && i < hi);
    if ((i < base + c.offset || i >= end) && !in_csum) {
      EXPECT_EQ(before[i], f.bytes[i]) << "byte " << i << " changed";
    }
  }
  expect_checksums_valid(f);
}

INSTANTIATE_TEST_SUITE_P(SetField, SetFieldWrites,
                         ::testing::Combine(::testing::ValuesIn(kWriteCases),
                                            ::testing::Values(0, 1, 2)),
                         case_name);

// --- Frames without the header: false, untouched ---

struct RefuseCase {
  const char* name;
  Kind kind;
  HeaderField field;
};

const RefuseCase kRefuseCases[] = {
    {"tp_src_arp", Kind::kArp, HeaderField::kTpSrc},
    {"ipv4_src_ipv6", Kind::kTcp6, HeaderField::kIpv4Src},
    {"ipv6_dst_ipv4", Kind::kTcp4, HeaderField::kIpv6Dst},
    {"ipv6_label_ipv4", Kind::kTcp4, HeaderField::kIpv6Label},
    {"tp_dst_later_fragment", Kind::kTcp4LaterFrag, HeaderField::kTpDst},
    {"tp_dst_later_fragment6", Kind::kTcp6LaterFrag, HeaderField::kTpDst},
    {"tp_src_icmp", Kind::kIcmp4, HeaderField::kTpSrc},
    {"tp_src_gre", Kind::kGre4, HeaderField::kTpSrc},
    {"tp_src_sctp_first_fragment", Kind::kSctp4FirstFrag, HeaderField::kTpSrc},
    {"icmp_type_tcp", Kind::kTcp4, HeaderField::kIcmpType},
    {"icmp_type_icmpv4_over_ipv6", Kind::kIcmpOver6, HeaderField::kIcmpType},
    {"ip_ttl_arp", Kind::kArp, HeaderField::kIpTtl},
    {"ip_dscp_lldp", Kind::kLldp, HeaderField::kIpDscp},
    {"arp_op_udp", Kind::kUdp4, HeaderField::kArpOp},
    {"arp_spa_ipv6", Kind::kTcp6, HeaderField::kArpSpa},
    {"nd_target_echo_request", Kind::kIcmp6, HeaderField::kNdTarget},
    {"nd_target_tcp6", Kind::kTcp6, HeaderField::kNdTarget},
    {"nd_target_code1", Kind::kNdNsCode1, HeaderField::kNdTarget},
    {"nd_target_later_fragment", Kind::kNdNsLaterFrag, HeaderField::kNdTarget},
    {"nd_sll_later_fragment", Kind::kNdNsLaterFrag, HeaderField::kNdSll},
    {"nd_sll_code1", Kind::kNdNsCode1, HeaderField::kNdSll},
    {"nd_sll_no_options", Kind::kNdNsNoOpts, HeaderField::kNdSll},
    {"nd_sll_na", Kind::kNdNa, HeaderField::kNdSll},
    {"nd_sll_zero_length_option", Kind::kNdNsZeroLenOpt, HeaderField::kNdSll},
    {"nd_sll_option_past_end", Kind::kNdNsOptPastEnd, HeaderField::kNdSll},
    {"nd_tll_ns", Kind::kNdNs, HeaderField::kNdTll},
    {"nd_tll_arp", Kind::kArp, HeaderField::kNdTll},
};

void PrintTo(const RefuseCase& c, std::ostream* os) { *os << c.name; }

class SetFieldRefuses : public ::testing::TestWithParam<std::tuple<RefuseCase, int>> {};

TEST_P(SetFieldRefuses, FrameWithoutTheHeader) {
  const auto& [c, tags] = GetParam();
  Frame f = build(c.kind, tags);
  const Bytes before = f.bytes;
  SetField set{c.field};
  set.value.fill(0x5a);
  EXPECT_FALSE(apply_set_field(f.bytes, set));
  EXPECT_EQ(to_hex(f.bytes), to_hex(before));
}

INSTANTIATE_TEST_SUITE_P(SetField, SetFieldRefuses,
                         ::testing::Combine(::testing::ValuesIn(kRefuseCases),
                                            ::testing::Values(0, 1, 2)),
                         case_name);

// --- Special cases ---

TEST(SetField, Crc32cOfTheCheckValue) {
  const Bytes check = text("123456789");
  EXPECT_EQ(crc32c_bitwise(check.data(), check.size()), 0xe3069283u);
}

TEST(SetField, UdpZeroChecksumStaysZero) {
  for (HeaderField field :
       {HeaderField::kIpv4Src, HeaderField::kIpv4Dst, HeaderField::kTpSrc, HeaderField::kTpDst}) {
    Frame f = build(Kind::kUdp4NoCsum, 1);
    ASSERT_TRUE(apply_set_field(f.bytes, set_field(field, 0x7b7b7b7b)));
    EXPECT_EQ(be16(f.bytes, f.l4 + 6), 0) << header_field_name(field);
  }
  Frame f6 = build(Kind::kUdp6, 0);
  put16(f6.bytes, f6.l4 + 6, 0);
  ASSERT_TRUE(apply_set_field(f6.bytes, set_field(HeaderField::kIpv6Src, from_hex(kV6))));
  EXPECT_EQ(be16(f6.bytes, f6.l4 + 6), 0);
}

TEST(SetField, UdpChecksumThatComputesToZeroIsSentAsAllOnes) {
  // Pick the destination port that makes the one's-complement sum 0xffff.
  Frame f = build(Kind::kUdp4, 0);
  ASSERT_NE(be16(f.bytes, f.l4 + 6), 0);
  Frame probe = f;
  put16(probe.bytes, probe.l4 + 2, 0);
  fix_checksums(probe);  // checksum ~S with port 0; with port X it is ~(S + X)
  uint16_t s = static_cast<uint16_t>(~be16(probe.bytes, probe.l4 + 6));
  uint16_t port = static_cast<uint16_t>(0xffff - s);
  ASSERT_TRUE(apply_set_field(f.bytes, set_field(HeaderField::kTpDst, port)));
  EXPECT_EQ(be16(f.bytes, f.l4 + 6), 0xffff);
  expect_checksums_valid(f);
}

TEST(SetField, FirstFragmentUpdatesChecksumOfTheWholeDatagram) {
  // A TCP datagram, then its first fragment: the TCP header and 4 payload bytes (a multiple of
  // 8), whose checksum covers bytes only later fragments carry.
  Frame whole = build(Kind::kTcp4, 1);
  const size_t cut = whole.l4 + 24;
  const Bytes tail(whole.bytes.begin() + static_cast<std::ptrdiff_t>(cut), whole.bytes.end());
  Frame frag = whole;
  frag.bytes.resize(cut);
  put16(frag.bytes, frag.l3 + 2, static_cast<uint32_t>(cut - frag.l3));
  put16(frag.bytes, frag.l3 + 6, 0x2000);  // MF
  frag.l4 = 0;                             // only the IPv4 header is checkable on its own
  fix_checksums(frag);

  ASSERT_TRUE(apply_set_field(frag.bytes, set_field(HeaderField::kIpv4Src, from_hex(kV4))));
  ASSERT_TRUE(apply_set_field(frag.bytes, set_field(HeaderField::kTpDst, 8080)));
  expect_checksums_valid(frag);
  Frame reassembled = frag;  // put the rest back: the TCP checksum must be right for it all
  reassembled.bytes = cat(frag.bytes, tail);
  put16(reassembled.bytes, reassembled.l3 + 2,
        static_cast<uint32_t>(whole.bytes.size() - whole.l3));
  put16(reassembled.bytes, reassembled.l3 + 6, 0);
  reassembled.l4 = whole.l4;
  Frame fixed = reassembled;
  fix_checksums(fixed);
  EXPECT_EQ(be16(reassembled.bytes, whole.l4 + 16), be16(fixed.bytes, whole.l4 + 16));
}

TEST(SetField, Ipv6DestinationWithSegmentsLeftKeepsL4Checksum) {
  // The pseudo header carries the routing header's final address, not the current one.
  Frame routed = ipv6_frame(1, kTcp, 43, ext_routing(kTcp, 1));
  const uint16_t csum = be16(routed.bytes, routed.l4 + 16);
  ASSERT_TRUE(apply_set_field(routed.bytes, set_field(HeaderField::kIpv6Dst, from_hex(kV6))));
  EXPECT_EQ(be16(routed.bytes, routed.l4 + 16), csum);
  ASSERT_TRUE(apply_set_field(routed.bytes, set_field(HeaderField::kIpv6Src, from_hex(kV6))));
  EXPECT_NE(be16(routed.bytes, routed.l4 + 16), csum);

  Frame done = ipv6_frame(1, kTcp, 43, ext_routing(kTcp, 0));
  ASSERT_TRUE(apply_set_field(done.bytes, set_field(HeaderField::kIpv6Dst, from_hex(kV6))));
  expect_checksums_valid(done);
}

TEST(SetField, EthernetPaddingIsNeitherCoveredNorTouched) {
  for (Kind kind : {Kind::kSctp4, Kind::kTcp4, Kind::kUdp6}) {
    Frame f = build(kind, 0);
    f.bytes.resize(f.bytes.size() + 9, 0xee);
    ASSERT_TRUE(apply_set_field(f.bytes, set_field(HeaderField::kTpDst, 1234)));
    expect_checksums_valid(f);
    EXPECT_EQ(to_hex({f.bytes.data() + f.bytes.size() - 9, 9}), "eeeeeeeeeeeeeeeeee");
  }
}

TEST(SetField, TruncatedFramesAreRefusedOrWrittenConsistently) {
  for (int tags : {0, 1, 2}) {
    const Frame whole = build(Kind::kTcp4, tags);
    for (HeaderField field : {HeaderField::kTpDst, HeaderField::kIpv4Src, HeaderField::kEthSrc}) {
      const SetField set = set_field(field, 0x0a0b0c0d);
      for (size_t len = 0; len < whole.bytes.size(); ++len) {
        // Exactly `len` bytes on the heap, so a sanitizer build sees any read past the end.
        const Bytes cut(whole.bytes.begin(),
                        whole.bytes.begin() + static_cast<std::ptrdiff_t>(len));
        Bytes frame = cut;
        if (!apply_set_field(frame, set)) {
          EXPECT_EQ(frame, cut) << "len " << len;
          continue;
        }
        // Only Ethernet fields survive a cut IP packet; they touch no checksum.
        EXPECT_EQ(field, HeaderField::kEthSrc) << "len " << len;
        EXPECT_GE(len, 14u);
        for (size_t i = 0; i < len; ++i) {
          if (i < 6 || i >= 12) {
            EXPECT_EQ(frame[i], cut[i]) << "len " << len << " byte " << i;
          }
        }
      }
      Bytes frame = whole.bytes;
      EXPECT_TRUE(apply_set_field(frame, set));
    }
  }
}

TEST(SetField, NdMessagesCutShortAreRefused) {
  for (int tags : {0, 1, 2}) {
    const Frame whole = build(Kind::kNdNa, tags);
    for (HeaderField field : {HeaderField::kNdTarget, HeaderField::kNdTll}) {
      const SetField set = set_field(field, from_hex(kV6));
      for (size_t len = 0; len <= whole.bytes.size(); ++len) {
        // Exactly `len` bytes on the heap. First the frame cut under the IPv6 payload length...
        const Bytes cut(whole.bytes.begin(),
                        whole.bytes.begin() + static_cast<std::ptrdiff_t>(len));
        Bytes frame = cut;
        if (len < whole.bytes.size()) {
          EXPECT_FALSE(apply_set_field(frame, set)) << "len " << len;
          EXPECT_EQ(frame, cut) << "len " << len;
        }
        if (len < whole.l4 + 8) continue;
        // ...then a whole IPv6 packet with the ICMPv6 message cut: the TLL option ends it.
        Frame f{cut, whole.l3, whole.l4, true, kIcmpv6};
        put16(f.bytes, f.l3 + 4, static_cast<uint32_t>(len - f.l3 - 40));
        fix_checksums(f);
        const Bytes before = f.bytes;
        const size_t need = field == HeaderField::kNdTarget ? whole.l4 + 24 : whole.bytes.size();
        ASSERT_EQ(apply_set_field(f.bytes, set), len >= need) << "len " << len;
        if (len < need) {
          EXPECT_EQ(f.bytes, before) << "len " << len;
        }
        expect_checksums_valid(f);
      }
    }
  }
}

TEST(SetField, MutatedFramesNeverCrash) {
  std::mt19937 rng(7);
  const Kind kinds[] = {Kind::kTcp4Opts, Kind::kUdp6, Kind::kTcp6Ext,
                        Kind::kSctp4,    Kind::kArp,  Kind::kTcp6LaterFrag,
                        Kind::kIcmp6,    Kind::kNdNs, Kind::kNdNa};
  for (int round = 0; round < 3000; ++round) {
    Bytes frame = build(kinds[round % std::size(kinds)], round % 3).bytes;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
      frame[rng() % frame.size()] = static_cast<uint8_t>(rng());
    }
    frame.resize(rng() % (frame.size() + 1));
    auto field = static_cast<HeaderField>(rng() % (static_cast<int>(HeaderField::kNdTll) + 1));
    SetField set{field};
    for (auto& b : set.value) b = static_cast<uint8_t>(rng());
    apply_set_field(frame, set);  // must stay inside the frame (checked under ASan)
  }
}

TEST(SetField, WorksOnPacketAfterTagsWerePushed) {
  PacketPool pool(2);
  Packet packet = pool.allocate();
  const Frame untagged = build(Kind::kTcp4, 0);
  std::copy(untagged.bytes.begin(), untagged.bytes.end(), packet.data());
  ASSERT_TRUE(packet.set_size(untagged.bytes.size()));
  ASSERT_TRUE(vlan::push_tag(packet, {vlan::kTpid8021Q, 10}));
  ASSERT_TRUE(vlan::push_tag(packet, {vlan::kTpid8021AD, 100}));

  const SetField set = set_field(HeaderField::kIpv4Dst, from_hex(kV4));
  ASSERT_TRUE(apply_set_field(packet, set));
  Frame expected = build(Kind::kTcp4, 2);
  ASSERT_TRUE(apply_set_field(expected.bytes, set));
  EXPECT_EQ(to_hex(packet.frame()), to_hex(expected.bytes));
}

TEST(SetField, FormatsLikeOvsTrace) {
  EXPECT_EQ(format_set_field(set_field(HeaderField::kEthDst, 0x020000000001)),
            "set(eth_dst=02:00:00:00:00:01)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kIpv4Src, from_hex("c6120001"))),
            "set(ipv4_src=198.18.0.1)");
  EXPECT_EQ(format_set_field(
                set_field(HeaderField::kIpv6Dst, from_hex("20010db8000000000000000000000001"))),
            "set(ipv6_dst=2001:db8::1)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kTpDst, 80)), "set(tp_dst=80)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kIpTtl, 63)), "set(ip_ttl=63)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kIpDscp, 46)), "set(ip_dscp=46)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kIpv6Label, 0x12345)),
            "set(ipv6_label=0x12345)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kArpTha, from_hex(kMac))),
            "set(arp_tha=0a:0b:0c:0d:0e:0f)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kArpOp, 2)), "set(arp_op=2)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kNdTarget, from_hex(kV6))),
            "set(nd_target=2001:db8:ffff::42)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kNdSll, from_hex(kMac))),
            "set(nd_sll=0a:0b:0c:0d:0e:0f)");
  EXPECT_EQ(format_set_field(set_field(HeaderField::kNdTll, 0x020000000001)),
            "set(nd_tll=02:00:00:00:00:01)");
}

TEST(SetField, NamesAndSizes) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(HeaderField::kNdTll); ++i) {
    auto field = static_cast<HeaderField>(i);
    EXPECT_NE(header_field_name(field), "unknown");
    EXPECT_TRUE(names.insert(header_field_name(field)).second);
    EXPECT_GT(header_field_size(field), 0u);
  }
  EXPECT_EQ(header_field_size(HeaderField::kIpv6Src), 16u);
  EXPECT_EQ(header_field_size(HeaderField::kNdTarget), 16u);
  EXPECT_EQ(header_field_size(HeaderField::kNdSll), 6u);
  EXPECT_EQ(header_field_size(HeaderField::kNdTll), 6u);
  EXPECT_EQ(header_field_name(HeaderField::kNdTarget), "nd_target");
  EXPECT_EQ(header_field_name(HeaderField::kNdSll), "nd_sll");
  EXPECT_EQ(header_field_name(HeaderField::kNdTll), "nd_tll");
  EXPECT_EQ(to_hex(set_field(HeaderField::kTpSrc, 443).value), "01bb0000000000000000000000000000");
  EXPECT_EQ(set_field(HeaderField::kTpSrc, from_hex("01bb")), set_field(HeaderField::kTpSrc, 443));
  EXPECT_EQ(to_hex(set_field(HeaderField::kIpv6Dst, 1).value), "00000000000000000000000000000001");
}

TEST(SetField, DpActionConstructsAndCompares) {
  const DpAction a = set_field(set_field(HeaderField::kIpTtl, 63));
  EXPECT_EQ(a.kind, DpAction::Kind::kSetField);
  EXPECT_EQ(a.set.field, HeaderField::kIpTtl);
  EXPECT_EQ(a, set_field(set_field(HeaderField::kIpTtl, 63)));
  EXPECT_NE(a, set_field(set_field(HeaderField::kIpTtl, 62)));
  EXPECT_NE(a, set_field(set_field(HeaderField::kIpEcn, 63)));
  EXPECT_NE(a, output(1));
}

}  // namespace
}  // namespace vs::datapath
