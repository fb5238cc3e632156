// Header rewrites (set_field.h): a locator that walks the frame as it stands (tags may have been
// pushed or popped by earlier actions), then one write per field with RFC 1624 incremental
// checksum updates (the idea of OVS lib/csum.c), and a table-driven CRC32c for SCTP.
#include "datapath/set_field.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstring>

#include "lib/byte_order.h"
#include "lib/checksum.h"
#include "lib/protocols.h"

namespace vs::datapath {
namespace {

// Checksum offsets inside their headers.
constexpr size_t kIpv4CsumAt = 10;
constexpr size_t kTcpCsumAt = 16;
constexpr size_t kUdpCsumAt = 6;
constexpr size_t kIcmpCsumAt = 2;
constexpr size_t kSctpCsumAt = 8;

// Where the headers of a frame are. Offsets are from the frame start; 0 means "absent" (no
// header can start at 0). Every offset is even (14 + 4 * tags, IHL * 4, IPv6 headers in 8s), so
// 16-bit words aligned on the frame are aligned on every checksummed region too.
struct Layers {
  size_t l3 = 0;      // A valid ARP (Ethernet/IPv4), IPv4 or IPv6 header.
  size_t l4 = 0;      // A whole TCP/UDP/SCTP/ICMP header of an unfragmented or first fragment.
  size_t l4_len = 0;  // IP payload bytes from l4 on (Ethernet padding excluded).
  uint16_t eth_type = 0;
  uint8_t proto = 0;      // IPv4 protocol or the final IPv6 next header.
  bool fragment = false;  // Any fragment, first included.
  bool routed = false;    // IPv6 routing header with segments left: L4 uses its final address.
};

// Header length of a known L4 protocol if `len` bytes hold it, 0 if too short or malformed;
// SIZE_MAX for protocols whose header is not touched (no L4 for us, but not malformed).
size_t l4_header_len(uint8_t proto, bool ipv6, const uint8_t* l4, size_t len) {
  size_t need;
  if (proto == kIpProtoTcp) {
    if (len < kTcpMinHeaderLen) return 0;
    need = static_cast<size_t>(l4[12] >> 4) * 4;
    if (need < kTcpMinHeaderLen) return 0;
  } else if (proto == kIpProtoUdp) {
    need = kUdpHeaderLen;
  } else if (proto == kIpProtoSctp) {
    need = kSctpHeaderLen;
  } else if ((proto == kIpProtoIcmp && !ipv6) || (proto == kIpProtoIcmpv6 && ipv6)) {
    need = kIcmpHeaderLen;
  } else {
    return SIZE_MAX;
  }
  return len < need ? 0 : need;
}

// Fills in the L4 part of `out` for the IP payload at [l4, l4 + len). False if the L4 header
// is malformed, which makes the whole IP packet one we leave alone (as parse_flow drops it).
bool locate_l4(std::span<const uint8_t> frame, size_t l4, size_t len, bool later, bool ipv6,
               Layers& out) {
  if (later) return true;  // A non-first fragment has no L4 header.
  size_t need = l4_header_len(out.proto, ipv6, frame.data() + l4, len);
  if (need == 0) return false;
  if (need != SIZE_MAX) {
    out.l4 = l4;
    out.l4_len = len;
  }
  return true;
}

void locate_ipv4(std::span<const uint8_t> frame, size_t l3, Layers& out) {
  const size_t avail = frame.size() - l3;
  const uint8_t* ip = frame.data() + l3;
  if (avail < kIpv4MinHeaderLen) return;
  size_t header_len = size_t{ip[0] & 0x0fu} * 4;
  if (ip[0] >> 4 != 4 || header_len < kIpv4MinHeaderLen || header_len > avail) return;
  size_t total_len = load_be16(ip + 2);
  if (total_len < header_len || total_len > avail) return;
  uint16_t frag = load_be16(ip + 6);
  out.proto = ip[9];
  out.fragment = (frag & 0x3fff) != 0;  // MF or an offset
  if (!locate_l4(frame, l3 + header_len, total_len - header_len, (frag & 0x1fff) != 0, false,
                 out)) {
    return;
  }
  out.l3 = l3;
}

void locate_ipv6(std::span<const uint8_t> frame, size_t l3, Layers& out) {
  const uint8_t* ip = frame.data() + l3;
  if (frame.size() - l3 < kIpv6HeaderLen || ip[0] >> 4 != 6) return;
  size_t payload_len = load_be16(ip + 4);
  if (payload_len > frame.size() - l3 - kIpv6HeaderLen) return;
  size_t at = l3 + kIpv6HeaderLen;
  const size_t end = at + payload_len;
  uint8_t next = ip[6];
  bool later = false;
  // Extension headers as parse_flow skips them; each is at least 8 bytes, so this ends.
  for (;;) {
    const uint8_t* ext = frame.data() + at;
    if (next == kIpProtoFragment) {
      if (end - at < kIpv6FragHeaderLen) return;
      uint16_t offset_flags = load_be16(ext + 2);
      out.fragment = out.fragment || (offset_flags & 0xfff9) != 0;
      later = (offset_flags & 0xfff8) != 0;
      next = ext[0];
      at += kIpv6FragHeaderLen;
      if (later) break;
    } else if (next == kIpProtoHopByHop || next == kIpProtoRouting || next == kIpProtoDstOpts) {
      if (end - at < 2) return;
      size_t len = (size_t{ext[1]} + 1) * 8;
      if (end - at < len) return;
      if (next == kIpProtoRouting && ext[3] != 0) out.routed = true;
      next = ext[0];
      at += len;
    } else {
      break;
    }
  }
  out.proto = next;
  if (!locate_l4(frame, at, end - at, later, true, out)) return;
  out.l3 = l3;
}

Layers locate(std::span<const uint8_t> frame) {
  Layers out;
  if (frame.size() < kEthHeaderLen) return out;
  size_t type_at = 12;
  uint16_t type = load_be16(frame.data() + type_at);
  while (type == kEthTypeVlan || type == kEthTypeQinQ) {
    type_at += kVlanTagLen;
    if (frame.size() < type_at + 2) return out;
    type = load_be16(frame.data() + type_at);
  }
  out.eth_type = type;
  const size_t l3 = type_at + 2;
  if (type == kEthTypeIpv4) {
    locate_ipv4(frame, l3, out);
  } else if (type == kEthTypeIpv6) {
    locate_ipv6(frame, l3, out);
  } else if (type == kEthTypeArp && frame.size() - l3 >= kArpEthIpv4Len) {
    const uint8_t* arp = frame.data() + l3;
    if (load_be16(arp) == 1 && load_be16(arp + 2) == kEthTypeIpv4 && arp[4] == 6 && arp[5] == 4) {
      out.l3 = l3;
    }
  }
  return out;
}

// --- Checksums ---

uint16_t fold(uint32_t sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// One's-complement sum of the big-endian 16-bit words at [p, p + n), n even and <= 32.
uint16_t word_sum(const uint8_t* p, size_t n) {
  return static_cast<uint16_t>(checksum_add({p, n}));  // already folded to 16 bits
}

// The words a field covers, summed before and after it is written.
struct Change {
  uint16_t before;
  uint16_t after;
};

// Writes the n bytes at `value` to frame offset `at`; the caller has checked that the 16-bit
// words covering them are inside the frame.
Change write_field(std::span<uint8_t> frame, size_t at, const uint8_t* value, size_t n) {
  const size_t lo = at & ~size_t{1};
  const size_t hi = (at + n + 1) & ~size_t{1};
  assert(hi <= frame.size() && hi - lo <= 32);
  Change change;
  change.before = word_sum(frame.data() + lo, hi - lo);
  std::memcpy(frame.data() + at, value, n);
  change.after = word_sum(frame.data() + lo, hi - lo);
  return change;
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Like a checksum computed from scratch, the result
// is never 0xffff (unless HC was), so both agree bit for bit.
void update_csum(std::span<uint8_t> frame, size_t csum_at, Change change) {
  uint8_t* p = frame.data() + csum_at;
  uint32_t sum = uint32_t{static_cast<uint16_t>(~load_be16(p))} +
                 static_cast<uint16_t>(~change.before) + change.after;
  store_be16(p, static_cast<uint16_t>(~fold(sum)));
}

// UDP: 0 means "no checksum" and stays so; a computed 0 goes on the wire as 0xffff.
void update_udp_csum(std::span<uint8_t> frame, size_t csum_at, Change change) {
  if (load_be16(frame.data() + csum_at) == 0) return;
  update_csum(frame, csum_at, change);
  if (load_be16(frame.data() + csum_at) == 0) store_be16(frame.data() + csum_at, 0xffff);
}

// An IPv4 or IPv6 address changed: the L4 checksums with a pseudo header follow.
void update_pseudo_header(std::span<uint8_t> frame, const Layers& at, Change change) {
  if (at.l4 == 0) return;
  if (at.proto == kIpProtoTcp) {
    update_csum(frame, at.l4 + kTcpCsumAt, change);
  } else if (at.proto == kIpProtoUdp) {
    update_udp_csum(frame, at.l4 + kUdpCsumAt, change);
  } else if (at.proto == kIpProtoIcmpv6 && at.eth_type == kEthTypeIpv6) {
    update_csum(frame, at.l4 + kIcmpCsumAt, change);
  }
}

constexpr std::array<uint32_t, 256> kCrc32cTable = [] {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
    table[i] = crc;
  }
  return table;
}();

uint32_t crc32c_update(uint32_t crc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) crc = kCrc32cTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

// RFC 4960 appendix B: CRC32c over the SCTP packet with the checksum field as zero, stored
// least significant byte first (as Linux and OVS put it on the wire).
void update_sctp_crc(std::span<uint8_t> frame, const Layers& at) {
  uint8_t* sctp = frame.data() + at.l4;
  static constexpr uint8_t kZeros[4] = {};
  uint32_t crc = crc32c_update(0xffffffff, sctp, kSctpCsumAt);
  crc = crc32c_update(crc, kZeros, sizeof kZeros);
  crc = crc32c_update(crc, sctp + kSctpCsumAt + 4, at.l4_len - kSctpCsumAt - 4);
  crc = ~crc;
  for (size_t i = 0; i < 4; ++i) sctp[kSctpCsumAt + i] = static_cast<uint8_t>(crc >> (8 * i));
}

// --- Fields ---

bool is_ipv4(const Layers& at) { return at.l3 != 0 && at.eth_type == kEthTypeIpv4; }
bool is_ipv6(const Layers& at) { return at.l3 != 0 && at.eth_type == kEthTypeIpv6; }

// IPv4 header fields: its own checksum, and the pseudo header for the addresses.
bool set_ipv4(std::span<uint8_t> frame, const Layers& at, size_t offset, const uint8_t* value,
              size_t n, bool in_pseudo_header) {
  if (!is_ipv4(at)) return false;
  Change change = write_field(frame, at.l3 + offset, value, n);
  update_csum(frame, at.l3 + kIpv4CsumAt, change);
  if (in_pseudo_header) update_pseudo_header(frame, at, change);
  return true;
}

// Traffic class and flow label: IPv6 has no header checksum and its pseudo header has neither.
void set_ipv6_first_word(std::span<uint8_t> frame, const Layers& at, uint32_t mask, uint32_t bits) {
  uint8_t* ip = frame.data() + at.l3;
  uint32_t word = (load_be32(ip) & ~mask) | (bits & mask);
  for (size_t i = 0; i < 4; ++i) ip[i] = static_cast<uint8_t>(word >> (24 - 8 * i));
}

bool set_tos_bits(std::span<uint8_t> frame, const Layers& at, uint8_t mask, uint8_t bits) {
  if (is_ipv6(at)) {
    set_ipv6_first_word(frame, at, uint32_t{mask} << 20, uint32_t{bits} << 20);
    return true;
  }
  if (!is_ipv4(at)) return false;
  uint8_t tos = static_cast<uint8_t>((frame[at.l3 + 1] & ~mask) | (bits & mask));
  return set_ipv4(frame, at, 1, &tos, 1, false);
}

bool set_port(std::span<uint8_t> frame, const Layers& at, size_t offset, const uint8_t* value) {
  if (at.l4 == 0) return false;
  if (at.proto == kIpProtoTcp) {
    update_csum(frame, at.l4 + kTcpCsumAt, write_field(frame, at.l4 + offset, value, 2));
  } else if (at.proto == kIpProtoUdp) {
    update_udp_csum(frame, at.l4 + kUdpCsumAt, write_field(frame, at.l4 + offset, value, 2));
  } else if (at.proto == kIpProtoSctp && !at.fragment) {
    write_field(frame, at.l4 + offset, value, 2);
    update_sctp_crc(frame, at);
  } else {
    return false;
  }
  return true;
}

bool set_icmp(std::span<uint8_t> frame, const Layers& at, size_t offset, const uint8_t* value) {
  // l4 is set for ICMP only over IPv4 and ICMPv6 only over IPv6.
  if (at.l4 == 0 || (at.proto != kIpProtoIcmp && at.proto != kIpProtoIcmpv6)) return false;
  update_csum(frame, at.l4 + kIcmpCsumAt, write_field(frame, at.l4 + offset, value, 1));
  return true;
}

// The target (`option` 0) or the MAC of the first link-layer address option of type `option`
// with length 1. The option list is checked to its end as parse_flow reads it: with an option of
// length 0 or past the message it sees no ND fields, so neither is an option written.
bool set_nd(std::span<uint8_t> frame, const Layers& at, uint8_t option, const uint8_t* value) {
  // l4 is set for ICMPv6 only over IPv6 and never on a later fragment.
  if (at.l4 == 0 || at.proto != kIpProtoIcmpv6 || at.l4_len < kNdOptionsAt) return false;
  const uint8_t* icmp = frame.data() + at.l4;
  if (icmp[1] != 0) return false;
  size_t field_at = kNdTargetAt;
  size_t n = 16;
  if (option == 0) {
    if (icmp[0] != kNdSolicitation && icmp[0] != kNdAdvertisement) return false;
  } else {
    const uint8_t type = option == kNdOptionSourceLinkAddress ? kNdSolicitation : kNdAdvertisement;
    if (icmp[0] != type) return false;
    field_at = 0;
    n = 6;
    for (size_t off = kNdOptionsAt; off < at.l4_len;) {
      if (at.l4_len - off < 2) return false;
      const size_t len = size_t{icmp[off + 1]} * 8;
      if (len == 0 || len > at.l4_len - off) return false;
      if (field_at == 0 && icmp[off] == option && len == 8) field_at = off + 2;
      off += len;
    }
    if (field_at == 0) return false;
  }
  update_csum(frame, at.l4 + kIcmpCsumAt, write_field(frame, at.l4 + field_at, value, n));
  return true;
}

bool set_arp(std::span<uint8_t> frame, const Layers& at, size_t offset, const uint8_t* value,
             size_t n) {
  if (at.l3 == 0 || at.eth_type != kEthTypeArp) return false;
  std::memcpy(frame.data() + at.l3 + offset, value, n);
  return true;
}

std::string format_mac(const uint8_t* m) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4],
                     m[5]);
}

std::string format_ipv4(const uint8_t* a) {
  return fmt::format("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
}

std::string format_ipv6(const uint8_t* a) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, a, text, sizeof text);
  return text;
}

}  // namespace

size_t header_field_size(HeaderField field) {
  switch (field) {
    case HeaderField::kEthSrc:
    case HeaderField::kEthDst:
    case HeaderField::kArpSha:
    case HeaderField::kArpTha:
    case HeaderField::kNdSll:
    case HeaderField::kNdTll:
      return 6;
    case HeaderField::kIpv4Src:
    case HeaderField::kIpv4Dst:
    case HeaderField::kArpSpa:
    case HeaderField::kArpTpa:
    case HeaderField::kIpv6Label:
    case HeaderField::kTunnelDst:
      return 4;
    case HeaderField::kIpv6Src:
    case HeaderField::kIpv6Dst:
    case HeaderField::kNdTarget:
      return 16;
    case HeaderField::kTunnelId:
      return 8;
    case HeaderField::kTpSrc:
    case HeaderField::kTpDst:
    case HeaderField::kArpOp:
      return 2;
    case HeaderField::kIpDscp:
    case HeaderField::kIpEcn:
    case HeaderField::kIpTtl:
    case HeaderField::kIcmpType:
    case HeaderField::kIcmpCode:
      return 1;
  }
  return 0;
}

SetField set_field(HeaderField field, std::span<const uint8_t> bytes) {
  SetField set{field};
  std::memcpy(set.value.data(), bytes.data(), std::min(bytes.size(), set.value.size()));
  return set;
}

SetField set_field(HeaderField field, uint64_t value) {
  const size_t n = header_field_size(field);
  SetField set{field};
  for (size_t i = 0; i < n; ++i) {
    const size_t shift = 8 * (n - 1 - i);  // big-endian; bytes above the low 8 stay zero
    if (shift < 64) set.value[i] = static_cast<uint8_t>(value >> shift);
  }
  return set;
}

std::string_view header_field_name(HeaderField field) {
  switch (field) {
    case HeaderField::kEthSrc:
      return "eth_src";
    case HeaderField::kEthDst:
      return "eth_dst";
    case HeaderField::kIpv4Src:
      return "ipv4_src";
    case HeaderField::kIpv4Dst:
      return "ipv4_dst";
    case HeaderField::kIpDscp:
      return "ip_dscp";
    case HeaderField::kIpEcn:
      return "ip_ecn";
    case HeaderField::kIpTtl:
      return "ip_ttl";
    case HeaderField::kIpv6Src:
      return "ipv6_src";
    case HeaderField::kIpv6Dst:
      return "ipv6_dst";
    case HeaderField::kIpv6Label:
      return "ipv6_label";
    case HeaderField::kTpSrc:
      return "tp_src";
    case HeaderField::kTpDst:
      return "tp_dst";
    case HeaderField::kIcmpType:
      return "icmp_type";
    case HeaderField::kIcmpCode:
      return "icmp_code";
    case HeaderField::kArpOp:
      return "arp_op";
    case HeaderField::kArpSpa:
      return "arp_spa";
    case HeaderField::kArpTpa:
      return "arp_tpa";
    case HeaderField::kArpSha:
      return "arp_sha";
    case HeaderField::kArpTha:
      return "arp_tha";
    case HeaderField::kNdTarget:
      return "nd_target";
    case HeaderField::kNdSll:
      return "nd_sll";
    case HeaderField::kNdTll:
      return "nd_tll";
    case HeaderField::kTunnelId:
      return "tunnel_id";
    case HeaderField::kTunnelDst:
      return "tunnel_dst";
  }
  return "unknown";
}

std::string format_set_field(const SetField& set) {
  const uint8_t* v = set.value.data();
  std::string value;
  switch (set.field) {
    case HeaderField::kEthSrc:
    case HeaderField::kEthDst:
    case HeaderField::kArpSha:
    case HeaderField::kArpTha:
    case HeaderField::kNdSll:
    case HeaderField::kNdTll:
      value = format_mac(v);
      break;
    case HeaderField::kIpv4Src:
    case HeaderField::kIpv4Dst:
    case HeaderField::kArpSpa:
    case HeaderField::kArpTpa:
    case HeaderField::kTunnelDst:
      value = format_ipv4(v);
      break;
    case HeaderField::kIpv6Src:
    case HeaderField::kIpv6Dst:
    case HeaderField::kNdTarget:
      value = format_ipv6(v);
      break;
    case HeaderField::kIpv6Label:
      value = fmt::format("{:#x}", load_be32(v) & 0xfffff);
      break;
    case HeaderField::kTpSrc:
    case HeaderField::kTpDst:
    case HeaderField::kArpOp:
      value = fmt::format("{}", load_be16(v));
      break;
    case HeaderField::kIpDscp:
      value = fmt::format("{}", v[0] & 0x3f);
      break;
    case HeaderField::kIpEcn:
      value = fmt::format("{}", v[0] & 0x03);
      break;
    case HeaderField::kIpTtl:
    case HeaderField::kIcmpType:
    case HeaderField::kIcmpCode:
      value = fmt::format("{}", v[0]);
      break;
    case HeaderField::kTunnelId:
      value = fmt::format("{:#x}", load_be64(v));
      break;
  }
  return fmt::format("set({}={})", header_field_name(set.field), value);
}

bool apply_set_field(std::span<uint8_t> frame, const SetField& set) {
  const Layers at = locate(frame);
  const uint8_t* v = set.value.data();
  switch (set.field) {
    case HeaderField::kEthDst:
    case HeaderField::kEthSrc:
      if (frame.size() < kEthHeaderLen) return false;
      std::memcpy(frame.data() + (set.field == HeaderField::kEthDst ? 0 : 6), v, 6);
      return true;
    case HeaderField::kIpv4Src:
      return set_ipv4(frame, at, 12, v, 4, true);
    case HeaderField::kIpv4Dst:
      return set_ipv4(frame, at, 16, v, 4, true);
    case HeaderField::kIpDscp:
      return set_tos_bits(frame, at, 0xfc, static_cast<uint8_t>(v[0] << 2));
    case HeaderField::kIpEcn:
      return set_tos_bits(frame, at, 0x03, v[0]);
    case HeaderField::kIpTtl:
      if (is_ipv6(at)) {
        frame[at.l3 + 7] = v[0];  // hop limit: in no checksum
        return true;
      }
      return set_ipv4(frame, at, 8, v, 1, false);
    case HeaderField::kIpv6Src:
    case HeaderField::kIpv6Dst: {
      if (!is_ipv6(at)) return false;
      const bool dst = set.field == HeaderField::kIpv6Dst;
      Change change = write_field(frame, at.l3 + (dst ? 24 : 8), v, 16);
      // With segments left, the pseudo header holds the routing header's final address.
      if (!(dst && at.routed)) update_pseudo_header(frame, at, change);
      return true;
    }
    case HeaderField::kIpv6Label:
      if (!is_ipv6(at)) return false;
      set_ipv6_first_word(frame, at, 0xfffff, load_be32(v));
      return true;
    case HeaderField::kTpSrc:
      return set_port(frame, at, 0, v);
    case HeaderField::kTpDst:
      return set_port(frame, at, 2, v);
    case HeaderField::kIcmpType:
      return set_icmp(frame, at, 0, v);
    case HeaderField::kIcmpCode:
      return set_icmp(frame, at, 1, v);
    case HeaderField::kArpOp:
      return set_arp(frame, at, 6, v, 2);
    case HeaderField::kArpSha:
      return set_arp(frame, at, 8, v, 6);
    case HeaderField::kArpSpa:
      return set_arp(frame, at, 14, v, 4);
    case HeaderField::kArpTha:
      return set_arp(frame, at, 18, v, 6);
    case HeaderField::kArpTpa:
      return set_arp(frame, at, 24, v, 4);
    case HeaderField::kNdTarget:
      return set_nd(frame, at, 0, v);
    case HeaderField::kNdSll:
      return set_nd(frame, at, kNdOptionSourceLinkAddress, v);
    case HeaderField::kNdTll:
      return set_nd(frame, at, kNdOptionTargetLinkAddress, v);
    case HeaderField::kTunnelId:
    case HeaderField::kTunnelDst:
      return false;
  }
  return false;
}

bool apply_set_field(Packet& packet, const SetField& set) {
  switch (set.field) {
    case HeaderField::kTunnelId:
      packet.tunnel.id = load_be64(set.value.data());
      return true;
    case HeaderField::kTunnelDst:
      packet.tunnel.dst = load_be32(set.value.data());
      return true;
    default:
      return apply_set_field(packet.frame(), set);
  }
}

}  // namespace vs::datapath
