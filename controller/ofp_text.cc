// ovs-ofctl's flow syntax and output (ofp_text.h). A match is first gathered the way Open vSwitch
// holds it (one value and mask per packet field, aliases such as tp_dst/tcp_dst/icmp_code and
// vlan_tci/dl_vlan/vlan_vid sharing storage), then turned into OXMs in the order ovs-ofctl
// writes them, so that the bytes on the wire are the same; printing goes the other way.
#include "controller/ofp_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace vs::controller::ofp {
namespace {

using Bytes16 = std::array<uint8_t, 16>;

constexpr uint16_t kEthIp = 0x0800, kEthIpv6 = 0x86dd, kEthArp = 0x0806, kEthRarp = 0x8035;
constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmpv6 = 58,
                  kProtoSctp = 132;
constexpr uint16_t kPriorityDefault = 0x8000;
constexpr uint32_t kPortUnset = 0xfffffff7;

std::string hex(uint64_t value, int width = 0) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%0*llx", width, static_cast<unsigned long long>(value));
  return buffer;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Result<void> ok() { return boost::outcome_v2::success(); }

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// A decimal number (ports and tables are read so; leading zeros do not make octal).
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max) {
  if (!is_digits(text)) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    const unsigned digit = c - '0';
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A number as ovs-ofctl reads most of them (strtoull with base 0): decimal, 0x hex or 0-led
// octal; a leading '-' wraps around, so that "cookie=-1" means all ones.
std::optional<uint64_t> parse_u64(std::string_view text) {
  const bool negative = text.starts_with("-");
  if (negative) text.remove_prefix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return negative ? 0 - value : value;
}

// A number no larger than `max`.
std::optional<uint64_t> parse_bounded(std::string_view text, uint64_t max) {
  std::optional<uint64_t> value = parse_u64(text);
  if (!value || *value > max || (!text.empty() && text[0] == '-')) return std::nullopt;
  return value;
}

// xx:xx:xx:xx:xx:xx, one or two hex digits each.
std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view text) {
  std::array<uint8_t, 6> mac{};
  int length = 0;
  const std::string copy(text);
  if (copy.find_first_not_of("0123456789abcdefABCDEF:") != std::string::npos ||
      std::sscanf(copy.c_str(), "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0], &mac[1], &mac[2],
                  &mac[3], &mac[4], &mac[5], &length) != 6 ||
      static_cast<size_t>(length) != copy.size()) {
    return std::nullopt;
  }
  return mac;
}

std::string format_mac(const uint8_t* mac) {
  char buffer[18];
  std::snprintf(buffer, sizeof buffer, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
  return buffer;
}

bool parse_ip(std::string_view text, int family, uint8_t* out) {
  return text.size() < INET6_ADDRSTRLEN && inet_pton(family, std::string(text).c_str(), out) == 1;
}

std::string format_ip(const uint8_t* address, int family) {
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(family, address, buffer, sizeof buffer);
  return buffer;
}

// The length of a prefix mask, or -1 if `mask` is not one.
int prefix_length(const uint8_t* mask, size_t size) {
  int bits = 0;
  size_t i = 0;
  for (; i < size && mask[i] == 0xff; ++i) bits += 8;
  if (i < size) {
    const uint8_t last = mask[i];
    if (static_cast<uint8_t>(last | (last - 1)) != 0xff && last != 0) return -1;
    for (uint8_t b = last; b & 0x80; b = static_cast<uint8_t>(b << 1)) ++bits;
    for (++i; i < size; ++i) {
      if (mask[i] != 0) return -1;
    }
  }
  return bits;
}

bool all_ones(const uint8_t* bytes, size_t size) {
  return std::all_of(bytes, bytes + size, [](uint8_t b) { return b == 0xff; });
}
bool all_zero(const uint8_t* bytes, size_t size) {
  return std::all_of(bytes, bytes + size, [](uint8_t b) { return b == 0; });
}

// ---------------------------------------------------------------------------------------
// The key=value reader ovs-ofctl uses for flows, actions and their arguments: pairs are
// separated by commas or white space; "key=value", "key:value" and "key(value)" are the same
// pair; parentheses nest inside a value.

struct KeyValue {
  std::string_view key;
  std::string_view value;
};

size_t value_length(std::string_view text, std::string_view delimiters) {
  size_t n = 0;
  while (n < text.size() && delimiters.find(text[n]) == std::string_view::npos) {
    if (text[n] == '(') {
      int level = 0;
      do {
        if (text[n] == '(') ++level;
        if (text[n] == ')') --level;
        ++n;
      } while (level > 0 && n < text.size());
    } else {
      ++n;
    }
  }
  return n;
}

std::optional<KeyValue> next_key_value(std::string_view& text) {
  constexpr std::string_view kSpace = ", \t\r\n";
  const size_t start = text.find_first_not_of(kSpace);
  if (start == std::string_view::npos) {
    text = {};
    return std::nullopt;
  }
  text.remove_prefix(start);
  const size_t key_length = std::min(text.find_first_of(":=(, \t\r\n"), text.size());
  KeyValue pair{text.substr(0, key_length), {}};
  const char delimiter = key_length < text.size() ? text[key_length] : '\0';
  text.remove_prefix(std::min(text.size(), key_length + 1));
  if (delimiter != ':' && delimiter != '=' && delimiter != '(') return pair;
  const size_t length = value_length(text, delimiter == '(' ? ")" : kSpace);
  pair.value = text.substr(0, length);
  text.remove_prefix(std::min(text.size(), length + 1));
  return pair;
}

// ---------------------------------------------------------------------------------------
// Ports.

struct NamedPort {
  std::string_view name;
  uint32_t number;
};
constexpr NamedPort kReservedPorts[] = {
    {"IN_PORT", kPortInPort}, {"TABLE", kPortTable}, {"NORMAL", kPortNormal},
    {"FLOOD", kPortFlood},    {"ALL", kPortAll},     {"CONTROLLER", kPortController},
    {"LOCAL", kPortLocal},    {"ANY", kPortAny},     {"NONE", kPortAny},
    {"UNSET", kPortUnset},
};

// A port number or name; nullopt when it names no port. Errors come only from `ports`.
Result<std::optional<uint32_t>> lookup_port(std::string_view text, const PortLookup& ports) {
  if (is_digits(text)) {
    const std::optional<uint64_t> n = parse_decimal(text, UINT32_MAX);
    if (!n) return std::optional<uint32_t>();
    // OpenFlow 1.0's 16-bit reserved numbers (65534 = LOCAL) still mean those ports.
    if (*n < 0xff00) return std::optional<uint32_t>(static_cast<uint32_t>(*n));
    if (*n <= 0xffff) return std::optional<uint32_t>(static_cast<uint32_t>(*n + 0xffff0000));
    if (*n >= kPortMax) return std::optional<uint32_t>(static_cast<uint32_t>(*n));
    return std::optional<uint32_t>();
  }
  for (const NamedPort& port : kReservedPorts) {
    if (iequals(text, port.name)) return std::optional<uint32_t>(port.number);
  }
  if (!ports || text.empty()) return std::optional<uint32_t>();
  return ports(text);
}

// ---------------------------------------------------------------------------------------
// The match as Open vSwitch holds it: storage slots with a value and a mask each. Several
// names write one slot (tp_dst, tcp_dst, udp_dst and icmp_code all write kTpDst).

enum Slot : uint8_t {
  kInPort,
  kMetadata,
  kTunId,
  kDlSrc,
  kDlDst,
  kDlType,
  kVlanTci,
  kNwSrc,  // also arp_spa
  kNwDst,  // also arp_tpa
  kIpv6Src,
  kIpv6Dst,
  kIpv6Label,
  kNwProto,  // also arp_op
  kNwTos,    // DSCP in the upper six bits, ECN in the lower two
  kTpSrc,    // also icmp_type
  kTpDst,    // also icmp_code
  kArpSha,   // also nd_sll
  kArpTha,   // also nd_tll
  kNdTarget,
  kSlotCount,
};
constexpr uint8_t kSlotSize[kSlotCount] = {4,  8, 8, 6, 6, 2, 2, 4, 4, 16,
                                           16, 4, 1, 1, 2, 2, 6, 6, 16};

struct Flow {
  std::array<Bytes16, kSlotCount> value{};
  std::array<Bytes16, kSlotCount> mask{};

  bool has(Slot s) const { return !all_zero(mask[s].data(), kSlotSize[s]); }
  bool exact(Slot s) const {
    // The IPv6 flow label has 20 bits in its four bytes.
    return s == kIpv6Label ? get_mask(s) == 0xfffff : all_ones(mask[s].data(), kSlotSize[s]);
  }
  uint64_t get(Slot s) const { return load(value[s], kSlotSize[s]); }
  uint64_t get_mask(Slot s) const { return load(mask[s], kSlotSize[s]); }
  // Replaces the bits of `bits` (all bits by default) with `v` under `m`.
  void set(Slot s, uint64_t v, uint64_t m, uint64_t bits = UINT64_MAX) {
    const uint64_t old_v = get(s), old_m = get_mask(s);
    store(value[s], kSlotSize[s], (old_v & ~bits) | (v & m & bits));
    store(mask[s], kSlotSize[s], (old_m & ~bits) | (m & bits));
  }
  void set_bytes(Slot s, const uint8_t* v, const uint8_t* m) {
    for (size_t i = 0; i < kSlotSize[s]; ++i) {
      value[s][i] = v[i] & m[i];
      mask[s][i] = m[i];
    }
  }
  void clear(Slot s) {
    value[s] = {};
    mask[s] = {};
  }
  bool is_ip() const {
    return has(kDlType) && (get(kDlType) == kEthIp || get(kDlType) == kEthIpv6);
  }
  bool is_arp() const {
    return has(kDlType) && (get(kDlType) == kEthArp || get(kDlType) == kEthRarp);
  }
  std::optional<uint8_t> proto() const {
    return has(kNwProto) ? std::optional<uint8_t>(static_cast<uint8_t>(get(kNwProto)))
                         : std::nullopt;
  }

  static uint64_t load(const Bytes16& bytes, size_t size) {
    uint64_t n = 0;
    for (size_t i = 0; i < size && i < 8; ++i) n = n << 8 | bytes[i];
    return n;
  }
  static void store(Bytes16& bytes, size_t size, uint64_t n) {
    for (size_t i = std::min<size_t>(size, 8); i-- > 0;) {
      bytes[i] = static_cast<uint8_t>(n);
      n >>= 8;
    }
  }
};

enum class Syntax : uint8_t { kInt, kMac, kIpv4, kIpv6, kPort };

// A match field as ovs-ofctl names it. kInt fields may own only some bits of their slot
// (`bits`, the value shifted left by `shift`), and may set `also` (the 802.1Q CFI bit that
// says "tagged") with them.
struct FieldDef {
  std::string_view name;
  std::string_view canonical;  // the name ovs-ofctl's messages use
  Slot slot;
  Syntax syntax;
  uint8_t width = 0;  // kInt: bits of the value
  bool maskable = false;
  uint64_t bits = UINT64_MAX;
  uint8_t shift = 0;
  uint64_t also = 0;
};

constexpr FieldDef kFields[] = {
    {"in_port", "in_port", kInPort, Syntax::kPort},
    {"metadata", "metadata", kMetadata, Syntax::kInt, 64, true},
    {"tun_id", "tun_id", kTunId, Syntax::kInt, 64, true},
    {"tunnel_id", "tun_id", kTunId, Syntax::kInt, 64, true},
    {"dl_src", "eth_src", kDlSrc, Syntax::kMac, 0, true},
    {"eth_src", "eth_src", kDlSrc, Syntax::kMac, 0, true},
    {"dl_dst", "eth_dst", kDlDst, Syntax::kMac, 0, true},
    {"eth_dst", "eth_dst", kDlDst, Syntax::kMac, 0, true},
    {"dl_type", "eth_type", kDlType, Syntax::kInt, 16},
    {"eth_type", "eth_type", kDlType, Syntax::kInt, 16},
    {"vlan_tci", "vlan_tci", kVlanTci, Syntax::kInt, 16, true},
    {"dl_vlan", "dl_vlan", kVlanTci, Syntax::kInt, 12, false, 0x0fff, 0, 0x1000},
    {"dl_vlan_pcp", "dl_vlan_pcp", kVlanTci, Syntax::kInt, 3, false, 0xe000, 13, 0x1000},
    {"vlan_vid", "vlan_vid", kVlanTci, Syntax::kInt, 13, true, 0x1fff},
    {"vlan_pcp", "vlan_pcp", kVlanTci, Syntax::kInt, 3, false, 0xe000, 13, 0x1000},
    {"nw_src", "ip_src", kNwSrc, Syntax::kIpv4, 0, true},
    {"ip_src", "ip_src", kNwSrc, Syntax::kIpv4, 0, true},
    {"nw_dst", "ip_dst", kNwDst, Syntax::kIpv4, 0, true},
    {"ip_dst", "ip_dst", kNwDst, Syntax::kIpv4, 0, true},
    {"arp_spa", "arp_spa", kNwSrc, Syntax::kIpv4, 0, true},
    {"arp_tpa", "arp_tpa", kNwDst, Syntax::kIpv4, 0, true},
    {"ipv6_src", "ipv6_src", kIpv6Src, Syntax::kIpv6, 0, true},
    {"ipv6_dst", "ipv6_dst", kIpv6Dst, Syntax::kIpv6, 0, true},
    {"ipv6_label", "ipv6_label", kIpv6Label, Syntax::kInt, 20, true},
    {"nw_proto", "nw_proto", kNwProto, Syntax::kInt, 8},
    {"ip_proto", "nw_proto", kNwProto, Syntax::kInt, 8},
    {"arp_op", "arp_op", kNwProto, Syntax::kInt, 8},
    {"nw_tos", "nw_tos", kNwTos, Syntax::kInt, 8, false, 0xfc},  // ECN bits are dropped
    {"ip_dscp", "ip_dscp", kNwTos, Syntax::kInt, 6, false, 0xfc, 2},
    {"nw_ecn", "nw_ecn", kNwTos, Syntax::kInt, 2, false, 0x03},
    {"ip_ecn", "nw_ecn", kNwTos, Syntax::kInt, 2, false, 0x03},
    {"tp_src", "tcp_src", kTpSrc, Syntax::kInt, 16, true},
    {"tcp_src", "tcp_src", kTpSrc, Syntax::kInt, 16, true},
    {"udp_src", "udp_src", kTpSrc, Syntax::kInt, 16, true},
    {"sctp_src", "sctp_src", kTpSrc, Syntax::kInt, 16, true},
    {"tp_dst", "tcp_dst", kTpDst, Syntax::kInt, 16, true},
    {"tcp_dst", "tcp_dst", kTpDst, Syntax::kInt, 16, true},
    {"udp_dst", "udp_dst", kTpDst, Syntax::kInt, 16, true},
    {"sctp_dst", "sctp_dst", kTpDst, Syntax::kInt, 16, true},
    {"icmp_type", "icmp_type", kTpSrc, Syntax::kInt, 8},
    {"icmp_code", "icmp_code", kTpDst, Syntax::kInt, 8},
    {"icmpv6_type", "icmpv6_type", kTpSrc, Syntax::kInt, 8},
    {"icmpv6_code", "icmpv6_code", kTpDst, Syntax::kInt, 8},
    {"arp_sha", "arp_sha", kArpSha, Syntax::kMac, 0, true},
    {"arp_tha", "arp_tha", kArpTha, Syntax::kMac, 0, true},
    {"nd_sll", "nd_sll", kArpSha, Syntax::kMac, 0, true},
    {"nd_tll", "nd_tll", kArpTha, Syntax::kMac, 0, true},
    {"nd_target", "nd_target", kNdTarget, Syntax::kIpv6, 0, true},
};

const FieldDef* find_field(std::string_view name) {
  for (const FieldDef& field : kFields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

// Fields ovs-ofctl knows that OpenFlow 1.3's basic OXM class cannot carry (they need Nicira or
// later-version extensions): refused by name rather than as unknown keywords.
bool is_extension_field(std::string_view name) {
  constexpr std::string_view kPrefixes[] = {
      "reg",      "xreg",      "xxreg",     "ct_",           "tun_",        "mpls_",
      "pkt_mark", "nw_ttl",    "tcp_flags", "nw_frag",       "ip_frag",     "skb_priority",
      "conj_id",  "recirc_id", "dp_hash",   "actset_output", "packet_type", "pbb_"};
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes),
                     [&](std::string_view p) { return name.starts_with(p); });
}

// Shorthands: "tcp" is dl_type=0x0800,nw_proto=6.
struct Shorthand {
  std::string_view name;
  uint16_t dl_type;
  uint8_t nw_proto;
};
constexpr Shorthand kShorthands[] = {{"ip", kEthIp, 0},
                                     {"ipv4", kEthIp, 0},
                                     {"ip4", kEthIp, 0},
                                     {"ipv6", kEthIpv6, 0},
                                     {"ip6", kEthIpv6, 0},
                                     {"icmp", kEthIp, kProtoIcmp},
                                     {"icmp6", kEthIpv6, kProtoIcmpv6},
                                     {"tcp", kEthIp, kProtoTcp},
                                     {"tcp6", kEthIpv6, kProtoTcp},
                                     {"udp", kEthIp, kProtoUdp},
                                     {"udp6", kEthIpv6, kProtoUdp},
                                     {"sctp", kEthIp, kProtoSctp},
                                     {"sctp6", kEthIpv6, kProtoSctp},
                                     {"arp", kEthArp, 0},
                                     {"rarp", kEthRarp, 0},
                                     {"mpls", 0x8847, 0},
                                     {"mplsm", 0x8848, 0}};

// Parses "VALUE[/MASK]" for `field` into `flow`.
Result<void> parse_field(const FieldDef& field, std::string_view text, const PortLookup& ports,
                         Flow& flow) {
  const std::string value_text(text);
  const size_t slash = text.find('/');
  const std::string_view value = text.substr(0, slash);
  const std::optional<std::string_view> mask =
      slash == std::string_view::npos ? std::nullopt
                                      : std::optional<std::string_view>(text.substr(slash + 1));
  const std::string name(field.canonical);
  switch (field.syntax) {
    case Syntax::kPort: {
      VS_ASSIGN(std::optional<uint32_t> port, lookup_port(text, ports));
      if (!port) return make_error(value_text + ": invalid or unknown port for " + name);
      flow.set(kInPort, *port, UINT32_MAX);
      return ok();
    }
    case Syntax::kMac: {
      auto v = parse_mac(value);
      auto m = mask ? parse_mac(*mask)
                    : std::optional<std::array<uint8_t, 6>>({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
      if (!v || !m) return make_error(value_text + ": invalid Ethernet address");
      flow.set_bytes(field.slot, v->data(), m->data());
      return ok();
    }
    case Syntax::kIpv4:
    case Syntax::kIpv6: {
      const bool v6 = field.syntax == Syntax::kIpv6;
      const size_t size = v6 ? 16 : 4;
      const int family = v6 ? AF_INET6 : AF_INET;
      const std::string what = v6 ? "IPv6" : "IPv4";
      Bytes16 v{}, m{};
      if (!parse_ip(value, family, v.data())) {
        return make_error(value_text + (v6 ? ": invalid IPv6 address" : ": invalid IP address"));
      }
      if (!mask) {
        std::fill_n(m.begin(), size, 0xff);
      } else if (is_digits(*mask)) {
        const std::optional<uint64_t> bits = parse_decimal(*mask, size * 8);
        if (!bits) {
          return make_error(value_text + ": " + what + " network prefix bits not between 0 and " +
                            std::to_string(size * 8) + ", inclusive");
        }
        for (size_t i = 0; i < *bits; ++i) m[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
      } else if (!parse_ip(*mask, family, m.data())) {
        return make_error(value_text + (v6 ? ": invalid IPv6 address" : ": invalid IP address"));
      }
      flow.set_bytes(field.slot, v.data(), m.data());
      return ok();
    }
    case Syntax::kInt:
      break;
  }
  const uint64_t limit = field.width >= 64 ? UINT64_MAX : (uint64_t{1} << field.width) - 1;
  std::optional<uint64_t> v = parse_u64(value);
  if (!v) return make_error(value_text + ": bad syntax for " + name + " value");
  if ((*v > limit || value.starts_with("-"))) {
    return make_error(value_text + ": value too large for " +
                      (field.width % 8 == 0 ? std::to_string(field.width / 8) + "-byte field "
                                            : std::to_string(field.width) + "-bit field ") +
                      name);
  }
  uint64_t m = limit;
  if (mask) {
    std::optional<uint64_t> parsed = parse_u64(*mask);
    if (!parsed) return make_error(value_text + ": bad syntax for " + name + " mask");
    if (*parsed > limit) {
      return make_error(value_text + ": mask too large for " + name);
    }
    if (!field.maskable && *parsed != limit) {
      return make_error(value_text + ": invalid mask for field " + name);
    }
    m = *parsed;
  }
  if (field.bits == UINT64_MAX) {
    // An exact field fills its slot's mask: icmp_type=3 is tp_src=3 exactly.
    flow.set(field.slot, *v, field.maskable ? m : UINT64_MAX);
  } else {
    flow.set(field.slot, (*v << field.shift) | field.also, (m << field.shift) | field.also,
             field.bits | field.also);
  }
  return ok();
}

// Drops what ovs-ofctl's normalization drops: fields whose prerequisites (dl_type, nw_proto,
// the ICMPv6 type of neighbour discovery) the match does not have.
void normalize(Flow& flow) {
  const uint64_t type = flow.has(kDlType) ? flow.get(kDlType) : 0;
  const bool ip = type == kEthIp, ipv6 = type == kEthIpv6, arp = flow.is_arp();
  const std::optional<uint8_t> proto = flow.proto();
  if (!ip && !arp) {
    flow.clear(kNwSrc);
    flow.clear(kNwDst);
  }
  if (!ipv6) {
    flow.clear(kIpv6Src);
    flow.clear(kIpv6Dst);
    flow.clear(kIpv6Label);
  }
  if (!ip && !ipv6 && !arp) flow.clear(kNwProto);
  if (!ip && !ipv6) flow.clear(kNwTos);
  const bool l4 = (ip || ipv6) && proto &&
                  (*proto == kProtoTcp || *proto == kProtoUdp || *proto == kProtoSctp ||
                   *proto == kProtoIcmp || *proto == kProtoIcmpv6);
  if (!l4) {
    flow.clear(kTpSrc);
    flow.clear(kTpDst);
  }
  const uint64_t icmp_type = flow.has(kTpSrc) ? flow.get(kTpSrc) : 0;
  const bool nd = ipv6 && proto == kProtoIcmpv6 && (icmp_type == 135 || icmp_type == 136);
  if (!nd) flow.clear(kNdTarget);
  if (!arp && !(nd && icmp_type == 135)) flow.clear(kArpSha);
  if (!arp && !(nd && icmp_type == 136)) flow.clear(kArpTha);
}

// The OXMs ovs-ofctl sends for `flow`, in its order.
Match to_oxm(const Flow& flow) {
  Match match;
  auto put = [&](OxmField field, Slot slot) {
    if (!flow.has(slot)) return;
    Oxm oxm{field};
    const size_t size = kSlotSize[slot];
    std::copy_n(flow.value[slot].begin(), size, oxm.value.begin());
    std::copy_n(flow.mask[slot].begin(), size, oxm.mask.begin());
    oxm.has_mask = !flow.exact(slot);
    match.push_back(oxm);
  };
  auto put_exact = [&](OxmField field, uint64_t value) {
    match.push_back(Oxm::exact(field, value));
  };
  put(OxmField::kInPort, kInPort);
  put(OxmField::kEthSrc, kDlSrc);
  put(OxmField::kEthDst, kDlDst);
  put(OxmField::kEthType, kDlType);
  const uint64_t tci = flow.get(kVlanTci), tci_mask = flow.get_mask(kVlanTci);
  const uint64_t vid = tci & 0x1fff, vid_mask = tci_mask & 0x1fff;
  if (vid_mask == 0x1fff) {
    put_exact(OxmField::kVlanVid, vid);
  } else if (vid_mask != 0) {
    match.push_back(Oxm::masked(OxmField::kVlanVid, vid, vid_mask));
  }
  if (vid != 0 && (tci_mask & 0xe000)) put_exact(OxmField::kVlanPcp, tci >> 13);

  const uint64_t type = flow.has(kDlType) ? flow.get(kDlType) : 0;
  const std::optional<uint8_t> proto = flow.proto();
  if (type == kEthIp || type == kEthIpv6) {
    if (type == kEthIp) {
      put(OxmField::kIpv4Src, kNwSrc);
      put(OxmField::kIpv4Dst, kNwDst);
    } else {
      put(OxmField::kIpv6Src, kIpv6Src);
      put(OxmField::kIpv6Dst, kIpv6Dst);
      put(OxmField::kIpv6Flabel, kIpv6Label);
    }
    const uint64_t tos = flow.get(kNwTos), tos_mask = flow.get_mask(kNwTos);
    if (tos_mask & 0xfc) put_exact(OxmField::kIpDscp, tos >> 2);
    if (tos_mask & 0x03) put_exact(OxmField::kIpEcn, tos & 0x03);
    if (proto) {
      put_exact(OxmField::kIpProto, *proto);
      const uint64_t icmp_type = flow.get(kTpSrc);
      auto icmp = [&](OxmField type_field, OxmField code_field) {
        if (flow.has(kTpSrc)) put_exact(type_field, icmp_type & 0xff);
        if (flow.has(kTpDst)) put_exact(code_field, flow.get(kTpDst) & 0xff);
      };
      if (*proto == kProtoTcp) {
        put(OxmField::kTcpSrc, kTpSrc);
        put(OxmField::kTcpDst, kTpDst);
      } else if (*proto == kProtoUdp) {
        put(OxmField::kUdpSrc, kTpSrc);
        put(OxmField::kUdpDst, kTpDst);
      } else if (*proto == kProtoSctp) {
        put(OxmField::kSctpSrc, kTpSrc);
        put(OxmField::kSctpDst, kTpDst);
      } else if (*proto == kProtoIcmp && type == kEthIp) {
        icmp(OxmField::kIcmpv4Type, OxmField::kIcmpv4Code);
      } else if (*proto == kProtoIcmpv6 && type == kEthIpv6) {
        icmp(OxmField::kIcmpv6Type, OxmField::kIcmpv6Code);
        if (flow.has(kTpSrc) && (icmp_type == 135 || icmp_type == 136)) {
          put(OxmField::kIpv6NdTarget, kNdTarget);
          if (icmp_type == 135) put(OxmField::kIpv6NdSll, kArpSha);
          if (icmp_type == 136) put(OxmField::kIpv6NdTll, kArpTha);
        }
      }
    }
  } else if (type == kEthArp || type == kEthRarp) {
    if (proto) put_exact(OxmField::kArpOp, *proto);
    put(OxmField::kArpSpa, kNwSrc);
    put(OxmField::kArpTpa, kNwDst);
    put(OxmField::kArpSha, kArpSha);
    put(OxmField::kArpTha, kArpTha);
  }
  put(OxmField::kTunnelId, kTunId);
  put(OxmField::kMetadata, kMetadata);
  return match;
}

// The other way, for printing. OXMs with no place in the flow (MPLS, PBB, ...) go to `rest`.
Flow from_oxm(const Match& match, std::vector<Oxm>* rest) {
  // The slot of each OXM that fills one whole (kSlotCount: none, or a special case below).
  constexpr std::pair<OxmField, Slot> kSlots[] = {
      {OxmField::kInPort, kInPort},    {OxmField::kMetadata, kMetadata},
      {OxmField::kTunnelId, kTunId},   {OxmField::kEthSrc, kDlSrc},
      {OxmField::kEthDst, kDlDst},     {OxmField::kEthType, kDlType},
      {OxmField::kIpv4Src, kNwSrc},    {OxmField::kArpSpa, kNwSrc},
      {OxmField::kIpv4Dst, kNwDst},    {OxmField::kArpTpa, kNwDst},
      {OxmField::kIpv6Src, kIpv6Src},  {OxmField::kIpv6Dst, kIpv6Dst},
      {OxmField::kIpProto, kNwProto},  {OxmField::kTcpSrc, kTpSrc},
      {OxmField::kUdpSrc, kTpSrc},     {OxmField::kSctpSrc, kTpSrc},
      {OxmField::kTcpDst, kTpDst},     {OxmField::kUdpDst, kTpDst},
      {OxmField::kSctpDst, kTpDst},    {OxmField::kArpSha, kArpSha},
      {OxmField::kIpv6NdSll, kArpSha}, {OxmField::kArpTha, kArpTha},
      {OxmField::kIpv6NdTll, kArpTha}, {OxmField::kIpv6NdTarget, kNdTarget}};
  Flow flow;
  for (const Oxm& oxm : match) {
    const uint64_t value = oxm.number(), mask = oxm.mask_number();
    switch (oxm.field) {
      case OxmField::kVlanVid:
        flow.set(kVlanTci, value, mask, 0x1fff);
        continue;
      case OxmField::kVlanPcp:
        flow.set(kVlanTci, value << 13, 0xe000, 0xe000);
        continue;
      case OxmField::kIpDscp:
        flow.set(kNwTos, value << 2, 0xfc, 0xfc);
        continue;
      case OxmField::kIpEcn:
        flow.set(kNwTos, value, 0x03, 0x03);
        continue;
      case OxmField::kArpOp:
        flow.set(kNwProto, value, UINT64_MAX);
        continue;
      case OxmField::kIcmpv4Type:
      case OxmField::kIcmpv6Type:
        flow.set(kTpSrc, value, UINT64_MAX);
        continue;
      case OxmField::kIcmpv4Code:
      case OxmField::kIcmpv6Code:
        flow.set(kTpDst, value, UINT64_MAX);
        continue;
      case OxmField::kIpv6Flabel:
        flow.set(kIpv6Label, value, mask & 0xfffff);
        continue;
      default:
        break;
    }
    auto slot = std::find_if(std::begin(kSlots), std::end(kSlots),
                             [&](const auto& s) { return s.first == oxm.field; });
    if (slot == std::end(kSlots)) {
      if (rest) rest->push_back(oxm);
      continue;
    }
    flow.set_bytes(slot->second, oxm.value.data(), oxm.mask.data());
  }
  return flow;
}

// ---------------------------------------------------------------------------------------
// Printing a match as ovs-ofctl does.

class MatchPrinter {
 public:
  MatchPrinter(const Flow& flow, const FormatOptions& options) : f_(flow), options_(options) {}

  std::string print(uint16_t priority, const std::vector<Oxm>& rest) {
    if (priority != kPriorityDefault) put("priority", std::to_string(priority));
    bool skip_type = false, skip_proto = false;
    const uint64_t type = f_.has(kDlType) ? f_.get(kDlType) : 0;
    const std::optional<uint8_t> proto = f_.proto();
    if (f_.has(kDlType)) {
      skip_type = true;
      if (type == kEthIp || type == kEthIpv6) {
        const bool v6 = type == kEthIpv6;
        std::string name = v6 ? "ipv6" : "ip";
        if (proto) {
          skip_proto = true;
          if (*proto == (v6 ? kProtoIcmpv6 : kProtoIcmp)) {
            name = v6 ? "icmp6" : "icmp";
          } else if (*proto == kProtoTcp || *proto == kProtoUdp || *proto == kProtoSctp) {
            name = std::string(*proto == kProtoTcp   ? "tcp"
                               : *proto == kProtoUdp ? "udp"
                                                     : "sctp") +
                   (v6 ? "6" : "");
          } else {
            skip_proto = false;
          }
        }
        out_ += name + ",";
      } else if (type == kEthArp || type == kEthRarp || type == 0x8847 || type == 0x8848) {
        out_ += std::string(type == kEthArp    ? "arp"
                            : type == kEthRarp ? "rarp"
                            : type == 0x8847   ? "mpls"
                                               : "mplsm") +
                ",";
      } else {
        skip_type = false;
      }
    }
    number("tun_id", kTunId);
    number("metadata", kMetadata);
    if (f_.has(kInPort))
      put("in_port", format_port(static_cast<uint32_t>(f_.get(kInPort)), options_));
    vlan();
    ethernet("dl_src", kDlSrc);
    ethernet("dl_dst", kDlDst);
    if (!skip_type && f_.has(kDlType)) put("dl_type", hex(type, 4));
    if (type == kEthIpv6) {
      address("ipv6_src", kIpv6Src, AF_INET6);
      address("ipv6_dst", kIpv6Dst, AF_INET6);
      if (f_.has(kIpv6Label)) {
        put("ipv6_label", hex(f_.get(kIpv6Label), 5) +
                              (f_.exact(kIpv6Label) ? "" : "/" + hex(f_.get_mask(kIpv6Label), 5)));
      }
    } else {
      const bool arp = f_.is_arp();
      address(arp ? "arp_spa" : "nw_src", kNwSrc, AF_INET);
      address(arp ? "arp_tpa" : "nw_dst", kNwDst, AF_INET);
    }
    if (!skip_proto && proto) put(f_.is_arp() ? "arp_op" : "nw_proto", std::to_string(*proto));
    if (f_.is_arp()) {
      ethernet("arp_sha", kArpSha);
      ethernet("arp_tha", kArpTha);
    }
    const uint64_t tos = f_.get(kNwTos), tos_mask = f_.get_mask(kNwTos);
    if (tos_mask & 0xfc) put("nw_tos", std::to_string(tos & 0xfc));
    if (tos_mask & 0x03) put("nw_ecn", std::to_string(tos & 0x03));
    if (f_.is_ip() && proto == kProtoIcmp) {
      port_number("icmp_type", kTpSrc);
      port_number("icmp_code", kTpDst);
    } else if (f_.is_ip() && proto == kProtoIcmpv6) {
      port_number("icmp_type", kTpSrc);
      port_number("icmp_code", kTpDst);
      address("nd_target", kNdTarget, AF_INET6);
      ethernet("nd_sll", kArpSha);
      ethernet("nd_tll", kArpTha);
    } else {
      port_number("tp_src", kTpSrc);
      port_number("tp_dst", kTpDst);
    }
    for (const Oxm& oxm : rest) {
      put(oxm_info(oxm.field).name,
          hex(oxm.number()) + (oxm.has_mask ? "/" + hex(oxm.mask_number()) : ""));
    }
    if (!out_.empty()) out_.pop_back();  // the last ','
    return out_;
  }

 private:
  void put(std::string_view name, const std::string& value) {
    out_ += std::string(name) + "=" + value + ",";
  }
  void number(std::string_view name, Slot slot) {
    if (!f_.has(slot)) return;
    put(name, hex(f_.get(slot)) + (f_.exact(slot) ? "" : "/" + hex(f_.get_mask(slot))));
  }
  void port_number(std::string_view name, Slot slot) {
    if (!f_.has(slot)) return;
    put(name, f_.exact(slot) ? std::to_string(f_.get(slot))
                             : hex(f_.get(slot)) + "/" + hex(f_.get_mask(slot)));
  }
  void ethernet(std::string_view name, Slot slot) {
    if (!f_.has(slot)) return;
    put(name, format_mac(f_.value[slot].data()) +
                  (f_.exact(slot) ? "" : "/" + format_mac(f_.mask[slot].data())));
  }
  void address(std::string_view name, Slot slot, int family) {
    if (!f_.has(slot)) return;
    std::string text = format_ip(f_.value[slot].data(), family);
    if (!f_.exact(slot)) {
      const int bits = prefix_length(f_.mask[slot].data(), kSlotSize[slot]);
      text += "/" + (bits >= 0 ? std::to_string(bits) : format_ip(f_.mask[slot].data(), family));
    }
    put(name, text);
  }
  void vlan() {
    const uint64_t tci = f_.get(kVlanTci), mask = f_.get_mask(kVlanTci);
    if (!mask) return;
    const uint64_t vid_mask = mask & 0x0fff, pcp_mask = mask & 0xe000;
    if ((mask & 0x1000) && (tci & 0x1000) && (vid_mask == 0 || vid_mask == 0x0fff) &&
        (pcp_mask == 0 || pcp_mask == 0xe000) && (vid_mask || pcp_mask)) {
      if (vid_mask) put("dl_vlan", std::to_string(tci & 0x0fff));
      if (pcp_mask) put("dl_vlan_pcp", std::to_string(tci >> 13));
    } else {
      put("vlan_tci", hex(tci, 4) + (mask == 0xffff ? "" : "/" + hex(mask, 4)));
    }
  }

  const Flow& f_;
  const FormatOptions& options_;
  std::string out_;
};

// ---------------------------------------------------------------------------------------
// set_field: which OXM each name sets, and how its value is written.

struct SettableField {
  std::string_view name;  // ovs-ofctl's name, which set_field prints
  OxmField field;
  Syntax syntax;
  bool hex = false;  // printed in hex
};
constexpr SettableField kSettable[] = {
    {"eth_src", OxmField::kEthSrc, Syntax::kMac},
    {"eth_dst", OxmField::kEthDst, Syntax::kMac},
    {"vlan_vid", OxmField::kVlanVid, Syntax::kInt},
    {"vlan_pcp", OxmField::kVlanPcp, Syntax::kInt},
    {"ip_dscp", OxmField::kIpDscp, Syntax::kInt},
    {"nw_ecn", OxmField::kIpEcn, Syntax::kInt},
    {"nw_proto", OxmField::kIpProto, Syntax::kInt},
    {"ip_src", OxmField::kIpv4Src, Syntax::kIpv4},
    {"ip_dst", OxmField::kIpv4Dst, Syntax::kIpv4},
    {"tcp_src", OxmField::kTcpSrc, Syntax::kInt},
    {"tcp_dst", OxmField::kTcpDst, Syntax::kInt},
    {"udp_src", OxmField::kUdpSrc, Syntax::kInt},
    {"udp_dst", OxmField::kUdpDst, Syntax::kInt},
    {"sctp_src", OxmField::kSctpSrc, Syntax::kInt},
    {"sctp_dst", OxmField::kSctpDst, Syntax::kInt},
    {"icmp_type", OxmField::kIcmpv4Type, Syntax::kInt},
    {"icmp_code", OxmField::kIcmpv4Code, Syntax::kInt},
    {"arp_op", OxmField::kArpOp, Syntax::kInt},
    {"arp_spa", OxmField::kArpSpa, Syntax::kIpv4},
    {"arp_tpa", OxmField::kArpTpa, Syntax::kIpv4},
    {"arp_sha", OxmField::kArpSha, Syntax::kMac},
    {"arp_tha", OxmField::kArpTha, Syntax::kMac},
    {"ipv6_src", OxmField::kIpv6Src, Syntax::kIpv6},
    {"ipv6_dst", OxmField::kIpv6Dst, Syntax::kIpv6},
    {"ipv6_label", OxmField::kIpv6Flabel, Syntax::kInt, true},
    {"icmpv6_type", OxmField::kIcmpv6Type, Syntax::kInt},
    {"icmpv6_code", OxmField::kIcmpv6Code, Syntax::kInt},
    {"nd_target", OxmField::kIpv6NdTarget, Syntax::kIpv6},
    {"nd_sll", OxmField::kIpv6NdSll, Syntax::kMac},
    {"nd_tll", OxmField::kIpv6NdTll, Syntax::kMac},
    {"mpls_label", OxmField::kMplsLabel, Syntax::kInt},
    {"mpls_tc", OxmField::kMplsTc, Syntax::kInt},
    {"mpls_bos", OxmField::kMplsBos, Syntax::kInt},
    {"pbb_isid", OxmField::kPbbIsid, Syntax::kInt},
    {"tun_id", OxmField::kTunnelId, Syntax::kInt, true},
    {"metadata", OxmField::kMetadata, Syntax::kInt, true},
    {"in_port", OxmField::kInPort, Syntax::kPort},
    {"eth_type", OxmField::kEthType, Syntax::kInt, true},
};

const SettableField& settable(OxmField field) {
  for (const SettableField& s : kSettable) {
    if (s.field == field) return s;
  }
  return kSettable[0];
}

// The names set_field takes for each OXM, aliases included.
std::optional<OxmField> set_field_target(std::string_view name) {
  constexpr std::pair<std::string_view, OxmField> kAliases[] = {
      {"dl_src", OxmField::kEthSrc},      {"dl_dst", OxmField::kEthDst},
      {"dl_vlan", OxmField::kVlanVid},    {"dl_vlan_pcp", OxmField::kVlanPcp},
      {"nw_src", OxmField::kIpv4Src},     {"nw_dst", OxmField::kIpv4Dst},
      {"ip_ecn", OxmField::kIpEcn},       {"ip_proto", OxmField::kIpProto},
      {"tp_src", OxmField::kTcpSrc},      {"tp_dst", OxmField::kTcpDst},
      {"tunnel_id", OxmField::kTunnelId}, {"dl_type", OxmField::kEthType},
      {"nw_tos", OxmField::kIpDscp},      {"ipv6_flabel", OxmField::kIpv6Flabel},
  };
  for (const SettableField& s : kSettable) {
    if (s.name == name || oxm_info(s.field).name == name) return s.field;
  }
  for (const auto& [alias, field] : kAliases) {
    if (alias == name) return field;
  }
  return std::nullopt;
}

std::string format_oxm_value(const Oxm& oxm, const FormatOptions& options) {
  const SettableField& s = settable(oxm.field);
  switch (s.syntax) {
    case Syntax::kMac:
      return format_mac(oxm.value.data());
    case Syntax::kIpv4:
      return format_ip(oxm.value.data(), AF_INET);
    case Syntax::kIpv6:
      return format_ip(oxm.value.data(), AF_INET6);
    case Syntax::kPort:
      return format_port(static_cast<uint32_t>(oxm.number()), options);
    case Syntax::kInt:
      break;
  }
  return s.hex ? hex(oxm.number()) : std::to_string(oxm.number());
}

// ---------------------------------------------------------------------------------------
// Actions and instructions. ovs-ofctl checks them against the match (its "consistency"
// check): set_field on a header the match does not say the packet has, pop_vlan of an
// untagged packet, goto_table backwards are refused. Context tracks what the match says,
// updated by the actions so far (push_vlan makes the packet tagged).

struct ActionContext {
  Flow flow;
  bool tagged = false;
  std::optional<uint8_t> table;  // the flow's table, when the text names one
  const PortLookup* ports = nullptr;

  uint64_t type() const { return flow.has(kDlType) ? flow.get(kDlType) : 0; }
  bool ip_any() const { return type() == kEthIp || type() == kEthIpv6; }
};

Error inconsistent(std::string_view why) {
  return make_error("actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT): " +
                    std::string(why));
}

// Whether the packet has the header that `field` lives in, as far as the match says.
bool set_field_prerequisites_met(OxmField field, const ActionContext& context) {
  using F = OxmField;
  const uint64_t type = context.type();
  // -1 when the match names no IP protocol (an int: GCC 12 -O2 misjudges optional<uint8_t> here).
  const std::optional<uint8_t> named = context.ip_any() ? context.flow.proto() : std::nullopt;
  const int proto = named ? int{*named} : -1;
  auto among = [&](std::initializer_list<F> fields) {
    return std::find(fields.begin(), fields.end(), field) != fields.end();
  };
  if (among({F::kVlanVid, F::kVlanPcp})) return context.tagged;
  if (among({F::kIpDscp, F::kIpEcn, F::kIpProto})) return context.ip_any();
  if (among({F::kIpv4Src, F::kIpv4Dst})) return type == kEthIp;
  if (among({F::kIpv6Src, F::kIpv6Dst, F::kIpv6Flabel})) return type == kEthIpv6;
  if (among({F::kTcpSrc, F::kTcpDst})) return proto == kProtoTcp;
  if (among({F::kUdpSrc, F::kUdpDst})) return proto == kProtoUdp;
  if (among({F::kSctpSrc, F::kSctpDst})) return proto == kProtoSctp;
  if (among({F::kIcmpv4Type, F::kIcmpv4Code})) return type == kEthIp && proto == kProtoIcmp;
  if (among({F::kIcmpv6Type, F::kIcmpv6Code, F::kIpv6NdTarget, F::kIpv6NdSll, F::kIpv6NdTll})) {
    return type == kEthIpv6 && proto == kProtoIcmpv6;
  }
  if (among({F::kArpOp, F::kArpSpa, F::kArpTpa, F::kArpSha, F::kArpTha})) {
    return context.flow.is_arp();
  }
  if (among({F::kMplsLabel, F::kMplsTc, F::kMplsBos})) return type == 0x8847 || type == 0x8848;
  return true;
}

// "VALUE->FIELD" into a set_field action.
Result<Action> parse_set_field(std::string_view text, ActionContext& context) {
  const size_t arrow = text.find("->");
  if (arrow == std::string_view::npos) return make_error(std::string(text) + ": missing `->'");
  const std::string_view value = text.substr(0, arrow), name = text.substr(arrow + 2);
  const std::optional<OxmField> field = set_field_target(name);
  if (!field) return make_error(std::string(name) + " is not a valid OXM field name");
  if (*field == OxmField::kEthType || *field == OxmField::kIpProto) {
    return make_error(std::string(name) + " is read-only");
  }
  if (*field == OxmField::kInPort || *field == OxmField::kMetadata) {
    return make_error("set_field:" + std::string(text) +
                      ": OpenFlow 1.3 cannot set this field (write_metadata sets metadata)");
  }
  if (value.find('/') != std::string_view::npos) {
    return make_error("set_field:" + std::string(text) +
                      ": a masked set_field needs OpenFlow 1.5 or a Nicira extension");
  }
  const SettableField& s = settable(*field);
  Action action{Action::Kind::kSetField};
  action.field.field = *field;
  const std::string value_text(value);
  switch (s.syntax) {
    case Syntax::kMac: {
      auto mac = parse_mac(value);
      if (!mac) return make_error(value_text + ": invalid Ethernet address");
      action.field = Oxm::exact_bytes(*field, *mac);
      break;
    }
    case Syntax::kIpv4:
    case Syntax::kIpv6: {
      const bool v6 = s.syntax == Syntax::kIpv6;
      Bytes16 address{};
      if (!parse_ip(value, v6 ? AF_INET6 : AF_INET, address.data())) {
        return make_error(value_text + (v6 ? ": invalid IPv6 address" : ": invalid IP address"));
      }
      action.field = Oxm::exact_bytes(*field, std::span(address.data(), v6 ? 16 : 4));
      break;
    }
    case Syntax::kInt:
    case Syntax::kPort: {
      std::optional<uint64_t> number = parse_u64(value);
      if (!number || value.starts_with("-")) {
        return make_error(value_text + ": bad syntax for " + std::string(name) + " value");
      }
      // nw_tos carries the DSCP in its upper six bits.
      if (name == "nw_tos") {
        if (*number > 0xff || (*number & 0x03)) {
          return make_error(value_text + " is not a valid value for field nw_tos");
        }
        *number >>= 2;
      }
      const OxmFieldInfo& info = oxm_info(*field);
      const uint64_t limit =
          info.value_bits ? info.value_bits
                          : (info.length >= 8 ? UINT64_MAX : (uint64_t{1} << 8 * info.length) - 1);
      if (*number > limit) {
        return make_error(value_text + " is not a valid value for field " + std::string(name));
      }
      // The codec keeps the 12-bit VID and always sends it with OFPVID_PRESENT.
      if (*field == OxmField::kVlanVid) *number &= 0x0fff;
      action.field = Oxm::exact(*field, *number);
      break;
    }
  }
  if (!set_field_prerequisites_met(*field, context)) {
    return inconsistent("set_field " + std::string(s.name) + " lacks correct prerequisites");
  }
  return action;
}

Result<uint32_t> parse_output_port(std::string_view text, const ActionContext& context) {
  VS_ASSIGN(std::optional<uint32_t> port, lookup_port(text, *context.ports));
  if (!port) return make_error(std::string(text) + ": output to unknown port");
  if (*port == kPortAny || *port == kPortUnset || (*port >= kPortMax && *port < kPortInPort)) {
    return make_error("actions are invalid with specified match (OFPBAC_BAD_OUT_PORT)");
  }
  return *port;
}

// controller, controller:N, controller(max_len=N): output to CONTROLLER. Only what OpenFlow
// 1.3's output action carries is taken; reasons, ids and userdata need Nicira's extension.
Result<Action> parse_controller(std::string_view value) {
  if (value.empty()) return Action::output(kPortController, kControllerMaxLenNoBuffer);
  if (std::optional<uint64_t> n = parse_bounded(value, UINT16_MAX)) {
    return Action::output(kPortController, static_cast<uint16_t>(*n));
  }
  uint16_t max_len = kControllerMaxLenNoBuffer;
  std::string_view rest = value;
  while (std::optional<KeyValue> pair = next_key_value(rest)) {
    if (pair->key == "max_len") {
      std::optional<uint64_t> n = parse_bounded(pair->value, UINT16_MAX);
      if (!n) return make_error("invalid max_len " + quoted(pair->value));
      max_len = static_cast<uint16_t>(*n);
    } else if ((pair->key == "reason" && pair->value == "action") ||
               (pair->key == "id" && pair->value == "0")) {
      // The defaults: nothing to send.
    } else if (pair->key == "reason" || pair->key == "id" || pair->key == "userdata" ||
               pair->key == "pause" || pair->key == "meter_id") {
      return make_error("controller(" + std::string(value) + "): " + std::string(pair->key) +
                        " needs a Nicira extension, which vsofctl does not send");
    } else {
      return make_error("unknown key " + quoted(pair->key) + " parsing controller action");
    }
  }
  return Action::output(kPortController, max_len);
}

bool one_of(std::string_view key, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return iequals(key, n); });
}

// One action (not an instruction) into `out`.
Result<void> parse_action(const KeyValue& pair, ActionContext& context, ActionList& out) {
  const std::string_view key = pair.key, value = pair.value;
  const std::string value_text(value);
  auto set_field = [&](OxmField field, uint64_t number) {
    Action action{Action::Kind::kSetField};
    action.field = Oxm::exact(field, number);
    out.push_back(action);
  };
  auto need_ip = [&](std::string_view what) -> Result<void> {
    if (!context.ip_any()) return inconsistent(std::string(what) + " needs an ip or ipv6 match");
    return ok();
  };
  if (iequals(key, "output")) {
    if (value.find('(') != std::string_view::npos || value.find('=') != std::string_view::npos) {
      return make_error("output(" + value_text + "): truncated output needs a Nicira extension");
    }
    VS_ASSIGN(uint32_t port, parse_output_port(value, context));
    out.push_back(Action::output(port, port == kPortController ? kControllerMaxLenNoBuffer : 0));
  } else if (iequals(key, "controller")) {
    VS_ASSIGN(Action action, parse_controller(value));
    out.push_back(action);
  } else if (iequals(key, "group")) {
    std::optional<uint64_t> group = parse_bounded(value, UINT32_MAX);
    if (value.empty()) return make_error("missing required numeric argument");
    if (!group) return make_error("invalid numeric format " + value_text);
    Action action{Action::Kind::kGroup};
    action.group_id = static_cast<uint32_t>(*group);
    out.push_back(action);
  } else if (iequals(key, "push_vlan")) {
    std::optional<uint64_t> type = parse_bounded(value, UINT16_MAX);
    if (!type) return make_error("invalid ethertype " + quoted(value));
    if (*type != 0x8100 && *type != 0x88a8) {
      return make_error(value_text + ": not a valid VLAN ethertype");
    }
    Action action{Action::Kind::kPushVlan};
    action.ethertype = static_cast<uint16_t>(*type);
    out.push_back(action);
    context.tagged = true;
  } else if (one_of(key, {"pop_vlan", "strip_vlan"})) {
    if (!context.tagged) return inconsistent(std::string(key) + " needs a VLAN in the match");
    out.push_back(Action{Action::Kind::kPopVlan});
    context.tagged = false;
  } else if (one_of(key, {"mod_vlan_vid", "mod_vlan_pcp"})) {
    const bool vid = iequals(key, "mod_vlan_vid");
    std::optional<uint64_t> n = parse_bounded(value, vid ? 4095 : 7);
    if (!n)
      return make_error(value_text + (vid ? ": not a valid VLAN VID" : ": not a valid VLAN PCP"));
    // As ovs-ofctl: an untagged packet gets a tag first.
    if (!context.tagged) {
      Action push{Action::Kind::kPushVlan};
      push.ethertype = 0x8100;
      out.push_back(push);
      context.tagged = true;
    }
    set_field(vid ? OxmField::kVlanVid : OxmField::kVlanPcp, *n);
  } else if (one_of(key, {"mod_dl_src", "mod_dl_dst"})) {
    auto mac = parse_mac(value);
    if (!mac) return make_error(value_text + ": invalid Ethernet address");
    Action action{Action::Kind::kSetField};
    action.field =
        Oxm::exact_bytes(iequals(key, "mod_dl_src") ? OxmField::kEthSrc : OxmField::kEthDst, *mac);
    out.push_back(action);
  } else if (one_of(key, {"mod_nw_src", "mod_nw_dst"})) {
    uint8_t address[4];
    if (!parse_ip(value, AF_INET, address)) return make_error(value_text + ": invalid IP address");
    if (context.type() != kEthIp) return inconsistent(std::string(key) + " needs an ip match");
    Action action{Action::Kind::kSetField};
    action.field = Oxm::exact_bytes(
        iequals(key, "mod_nw_src") ? OxmField::kIpv4Src : OxmField::kIpv4Dst, address);
    out.push_back(action);
  } else if (iequals(key, "mod_nw_tos")) {
    std::optional<uint64_t> tos = parse_bounded(value, 0xff);
    if (!tos || (*tos & 0x03)) return make_error(value_text + ": not a valid TOS");
    VS_TRY(need_ip(key));
    set_field(OxmField::kIpDscp, *tos >> 2);
  } else if (iequals(key, "mod_nw_ecn")) {
    std::optional<uint64_t> ecn = parse_bounded(value, 3);
    if (!ecn) return make_error(value_text + ": not a valid ECN");
    VS_TRY(need_ip(key));
    set_field(OxmField::kIpEcn, *ecn);
  } else if (iequals(key, "mod_nw_ttl")) {
    std::optional<uint64_t> ttl = parse_bounded(value, 0xff);
    if (!ttl) return make_error("invalid TTL " + quoted(value));
    VS_TRY(need_ip(key));
    Action action{Action::Kind::kSetNwTtl};
    action.ttl = static_cast<uint8_t>(*ttl);
    out.push_back(action);
  } else if (iequals(key, "dec_ttl")) {
    if (!value.empty()) {
      return make_error("dec_ttl(" + value_text + "): controller ids need a Nicira extension");
    }
    VS_TRY(need_ip(key));
    out.push_back(Action{Action::Kind::kDecNwTtl});
  } else if (one_of(key, {"mod_tp_src", "mod_tp_dst"})) {
    std::optional<uint64_t> port = parse_bounded(value, UINT16_MAX);
    if (!port) return make_error(value_text + ": invalid transport port");
    const bool src = iequals(key, "mod_tp_src");
    // -1 when the match names no IP protocol (an int: GCC 12 -O2 misjudges optional<uint8_t> here).
  const std::optional<uint8_t> named = context.ip_any() ? context.flow.proto() : std::nullopt;
  const int proto = named ? int{*named} : -1;
    if (proto == kProtoTcp) {
      set_field(src ? OxmField::kTcpSrc : OxmField::kTcpDst, *port);
    } else if (proto == kProtoUdp) {
      set_field(src ? OxmField::kUdpSrc : OxmField::kUdpDst, *port);
    } else if (proto == kProtoSctp) {
      set_field(src ? OxmField::kSctpSrc : OxmField::kSctpDst, *port);
    } else {
      return inconsistent(std::string(key) + " needs a tcp, udp or sctp match");
    }
  } else if (iequals(key, "set_field")) {
    VS_ASSIGN(Action action, parse_set_field(value, context));
    out.push_back(action);
  } else if (one_of(key, {"set_queue",   "enqueue",      "resubmit",
                          "load",        "move",         "learn",
                          "note",        "ct",           "ct_clear",
                          "push_mpls",   "pop_mpls",     "set_mpls_label",
                          "set_mpls_tc", "set_mpls_ttl", "dec_mpls_ttl",
                          "set_tunnel",  "set_tunnel64", "multipath",
                          "bundle",      "bundle_load",  "exit",
                          "sample",      "clone",        "output_trunc",
                          "fin_timeout", "copy_ttl_in",  "copy_ttl_out",
                          "push_pbb",    "pop_pbb",      "check_pkt_larger",
                          "encap",       "decap",        "dec_nsh_ttl",
                          "meter",       "conjunction"})) {
    return make_error(std::string(key) + ": action not supported by vsofctl (OpenFlow 1.3 as " +
                      "vswitch implements it)");
  } else {
    // A bare port: "2", "LOCAL", "NORMAL", a port name.
    VS_ASSIGN(std::optional<uint32_t> port, lookup_port(key, *context.ports));
    if (!port || !value.empty()) return make_error("unknown action " + std::string(key));
    VS_ASSIGN(uint32_t checked, parse_output_port(key, context));
    out.push_back(
        Action::output(checked, checked == kPortController ? kControllerMaxLenNoBuffer : 0));
  }
  return ok();
}

// The order OpenFlow 1.1+ runs instructions in; ovs-ofctl insists they are written so.
enum InstructionKind : uint8_t { kApply, kClear, kWrite, kWriteMetadata, kGoto };
constexpr std::string_view kInstructionNames[] = {"apply_actions", "clear_actions", "write_actions",
                                                  "write_metadata", "goto_table"};

Result<ActionList> parse_action_list(std::string_view text, ActionContext& context,
                                     bool* saw_drop) {
  ActionList actions;
  while (std::optional<KeyValue> pair = next_key_value(text)) {
    if (iequals(pair->key, "drop")) {
      *saw_drop = true;
      continue;
    }
    VS_TRY(parse_action(*pair, context, actions));
  }
  return actions;
}

Result<Instructions> parse_instructions(std::string_view text, ActionContext& context) {
  Instructions instructions;
  std::optional<InstructionKind> last;
  bool drop = false, anything = false;
  auto order = [&](InstructionKind kind) -> Result<void> {
    anything = true;
    if (last && *last == kind && kind != kApply) {
      return make_error("duplicate " + std::string(kInstructionNames[kind]) +
                        " instruction not allowed, for OpenFlow 1.1+ compatibility");
    }
    if (last && *last > kind) {
      return make_error("invalid instruction ordering: " + std::string(kInstructionNames[kind]) +
                        " must appear before " + std::string(kInstructionNames[*last]) +
                        ", for OpenFlow 1.1+ compatibility");
    }
    last = kind;
    return ok();
  };
  ActionList apply;
  while (std::optional<KeyValue> pair = next_key_value(text)) {
    const std::string_view key = pair->key, value = pair->value;
    if (iequals(key, "drop")) {
      drop = true;
    } else if (iequals(key, "clear_actions")) {
      VS_TRY(order(kClear));
      instructions.clear_actions = true;
    } else if (iequals(key, "write_actions")) {
      VS_TRY(order(kWrite));
      bool ignored = false;  // write_actions(drop) is an empty action set
      VS_ASSIGN(ActionList written, parse_action_list(value, context, &ignored));
      if (!written.empty()) instructions.write_actions = std::move(written);
    } else if (iequals(key, "write_metadata")) {
      VS_TRY(order(kWriteMetadata));
      const size_t slash = value.find('/');
      std::optional<uint64_t> v = parse_u64(value.substr(0, slash));
      if (!v) return make_error("invalid numeric format " + std::string(value.substr(0, slash)));
      uint64_t mask = UINT64_MAX;
      if (slash != std::string_view::npos) {
        std::optional<uint64_t> m = parse_u64(value.substr(slash + 1));
        if (!m) return make_error("invalid numeric format " + std::string(value.substr(slash + 1)));
        mask = *m;
      }
      instructions.write_metadata = Instructions::Metadata{*v, mask};
    } else if (iequals(key, "goto_table")) {
      VS_TRY(order(kGoto));
      std::optional<uint64_t> table = parse_decimal(value, 255);
      if (!table) return make_error("unknown table " + quoted(value));
      if (*table > kTableMax || (context.table && *table <= *context.table)) {
        return make_error("actions are invalid with specified match (OFPBIC_BAD_TABLE_ID)");
      }
      instructions.goto_table = static_cast<uint8_t>(*table);
    } else if (iequals(key, "meter")) {
      return make_error("meter: meters are not supported by vswitch");
    } else {
      VS_TRY(order(kApply));
      VS_TRY(parse_action(*pair, context, apply));
    }
  }
  if (drop && (anything || !apply.empty())) {
    return make_error("\"drop\" must not be accompanied by any other action or instruction");
  }
  if (!apply.empty()) instructions.apply_actions = std::move(apply);
  return instructions;
}

// ---------------------------------------------------------------------------------------
// A whole flow: match, the flow-mod's own keywords, and the actions.

struct FlowText {
  Flow flow;
  std::optional<uint8_t> table;
  uint16_t priority = kPriorityDefault;
  uint64_t cookie = 0, cookie_mask = 0;
  uint16_t idle_timeout = 0, hard_timeout = 0, flags = 0;
  uint32_t out_port = kPortAny, out_group = kGroupAny;
  Instructions instructions;
  std::vector<std::string> warnings;
};

Result<uint16_t> parse_u16(std::string_view name, std::string_view value) {
  std::optional<uint64_t> n = parse_bounded(value, UINT16_MAX);
  if (!n) return make_error("invalid " + std::string(name) + " " + quoted(value));
  return static_cast<uint16_t>(*n);
}

Result<uint32_t> parse_group(std::string_view text) {
  if (iequals(text, "all")) return kGroupAll;
  if (iequals(text, "any")) return kGroupAny;
  std::optional<uint64_t> n = parse_bounded(text, kGroupMax);
  if (!n) return make_error(std::string(text) + " is not a valid OpenFlow group");
  return static_cast<uint32_t>(*n);
}

Result<FlowText> parse_flow_text(std::string_view text, FlowCommand command,
                                 const PortLookup& ports) {
  using C = FlowCommand;
  const bool add = command == C::kAdd;
  const bool modify = command == C::kModify || command == C::kModifyStrict;
  const bool remove = command == C::kDelete || command == C::kDeleteStrict;
  const bool has_actions = add || modify;
  const bool has_priority = add || modify || command == C::kDeleteStrict;
  const bool has_out_port = remove || command == C::kDump;
  FlowText flow;
  std::string_view actions;
  if (has_actions) {
    // As ovs-ofctl: everything after the first "action...=" is the actions.
    const size_t at = text.find("action");
    const size_t equals = at == std::string_view::npos ? at : text.find('=', at);
    if (equals == std::string_view::npos) return make_error("must specify an action");
    actions = text.substr(equals + 1);
    text = text.substr(0, at);
  }
  while (std::optional<KeyValue> pair = next_key_value(text)) {
    const std::string_view key = pair->key, value = pair->value;
    const std::string key_text(key);
    if (auto shorthand = std::find_if(std::begin(kShorthands), std::end(kShorthands),
                                      [&](const Shorthand& s) { return s.name == key; });
        shorthand != std::end(kShorthands)) {
      flow.flow.set(kDlType, shorthand->dl_type, UINT64_MAX);
      if (shorthand->nw_proto) flow.flow.set(kNwProto, shorthand->nw_proto, UINT64_MAX);
      continue;
    }
    constexpr std::pair<std::string_view, uint16_t> kFlags[] = {
        {"send_flow_rem", kFlowSendFlowRem},
        {"check_overlap", kFlowCheckOverlap},
        {"reset_counts", kFlowResetCounts},
        {"no_packet_counts", kFlowNoPktCounts},
        {"no_byte_counts", kFlowNoBytCounts}};
    if (auto flag = std::find_if(std::begin(kFlags), std::end(kFlags),
                                 [&](const auto& f) { return f.first == key; });
        has_actions && flag != std::end(kFlags)) {
      flow.flags |= flag->second;
      continue;
    }
    // Ignored as by ovs-ofctl: dump-flows output fed back, and keywords of other versions.
    if (key == "eth" || key == "no_readonly_table" || key == "allow_hidden_fields" ||
        key == "duration" || key == "n_packets" || key == "n_bytes" || key == "idle_age" ||
        key == "hard_age" || (add && key == "importance" && !value.empty())) {
      continue;
    }
    if (const FieldDef* field = find_field(key)) {
      if (value.empty()) return make_error("field " + key_text + " missing value");
      VS_TRY(parse_field(*field, value, ports, flow.flow));
      continue;
    }
    if (is_extension_field(key)) {
      return make_error("field " + key_text +
                        " is not supported (vsofctl sends OpenFlow 1.3 basic match fields only)");
    }
    if (value.empty()) return make_error("field " + key_text + " missing value");
    const bool known = key == "table" || key == "cookie" || (has_priority && key == "priority") ||
                       (has_actions && (key == "idle_timeout" || key == "hard_timeout")) ||
                       (has_out_port && (key == "out_port" || key == "out_group"));
    if (!known) return make_error("unknown keyword " + key_text);
    if (key == "table") {
      std::optional<uint64_t> table = parse_decimal(value, 255);
      if (!table) return make_error("unknown table " + quoted(value));
      flow.table = static_cast<uint8_t>(*table);
    } else if (key == "priority") {
      VS_ASSIGN(flow.priority, parse_u16("priority", value));
    } else if (key == "idle_timeout") {
      VS_ASSIGN(flow.idle_timeout, parse_u16("idle_timeout", value));
    } else if (key == "hard_timeout") {
      VS_ASSIGN(flow.hard_timeout, parse_u16("hard_timeout", value));
    } else if (key == "out_port") {
      VS_ASSIGN(std::optional<uint32_t> port, lookup_port(value, ports));
      if (!port) return make_error(std::string(value) + " is not a valid OpenFlow port");
      flow.out_port = *port;
    } else if (key == "out_group") {
      VS_ASSIGN(flow.out_group, parse_group(value));
    } else {  // cookie: a value to set (add), or a value and mask to match
      const size_t slash = value.find('/');
      if (slash != std::string_view::npos && add) {
        return make_error("flow additions cannot use a cookie mask");
      }
      if (slash == std::string_view::npos && !add && !modify) {
        return make_error("cannot set cookie (to match on a cookie, specify a mask, e.g. cookie=" +
                          std::string(value) + "/-1)");
      }
      std::optional<uint64_t> cookie = parse_u64(value.substr(0, slash));
      if (!cookie)
        return make_error("invalid numeric format " + std::string(value.substr(0, slash)));
      if (slash != std::string_view::npos) {
        std::optional<uint64_t> mask = parse_u64(value.substr(slash + 1));
        if (!mask)
          return make_error("invalid numeric format " + std::string(value.substr(slash + 1)));
        flow.cookie = *cookie & *mask;
        flow.cookie_mask = *mask;
      } else if (add) {
        flow.cookie = *cookie;  // a modify cannot change the cookie in OpenFlow 1.3
      }
    }
  }
  const Flow before = flow.flow;
  normalize(flow.flow);
  if (before.mask != flow.flow.mask) {
    flow.warnings.push_back("normalization changed the match from \"" +
                            MatchPrinter(before, {}).print(kPriorityDefault, {}) + "\" to \"" +
                            MatchPrinter(flow.flow, {}).print(kPriorityDefault, {}) +
                            "\": fields whose prerequisites are not matched are dropped");
  }
  if (has_actions) {
    ActionContext context{
        flow.flow, (flow.flow.get_mask(kVlanTci) & flow.flow.get(kVlanTci) & 0x1000) != 0,
        flow.table && *flow.table != kTableAll ? flow.table : std::nullopt, &ports};
    VS_ASSIGN(flow.instructions, parse_instructions(actions, context));
  }
  return flow;
}

// ---------------------------------------------------------------------------------------
// Printing whole messages.

std::string version_tag(uint8_t version) {
  if (version <= 1) return "";
  return " (OF1." + std::to_string(version - 1) + ")";
}

constexpr std::string_view kTypeNames[] = {
    "OFPT_HELLO",
    "OFPT_ERROR",
    "OFPT_ECHO_REQUEST",
    "OFPT_ECHO_REPLY",
    "OFPT_EXPERIMENTER",
    "OFPT_FEATURES_REQUEST",
    "OFPT_FEATURES_REPLY",
    "OFPT_GET_CONFIG_REQUEST",
    "OFPT_GET_CONFIG_REPLY",
    "OFPT_SET_CONFIG",
    "OFPT_PACKET_IN",
    "OFPT_FLOW_REMOVED",
    "OFPT_PORT_STATUS",
    "OFPT_PACKET_OUT",
    "OFPT_FLOW_MOD",
    "OFPT_GROUP_MOD",
    "OFPT_PORT_MOD",
    "OFPT_TABLE_MOD",
    "OFPT_MULTIPART_REQUEST",
    "OFPT_MULTIPART_REPLY",
    "OFPT_BARRIER_REQUEST",
    "OFPT_BARRIER_REPLY",
    "OFPT_QUEUE_GET_CONFIG_REQUEST",
    "OFPT_QUEUE_GET_CONFIG_REPLY",
    "OFPT_ROLE_REQUEST",
    "OFPT_ROLE_REPLY",
    "OFPT_GET_ASYNC_REQUEST",
    "OFPT_GET_ASYNC_REPLY",
    "OFPT_SET_ASYNC",
    "OFPT_METER_MOD",
};
constexpr std::string_view kMultipartNames[] = {
    "DESC",         "FLOW",           "AGGREGATE",      "TABLE",          "PORT",
    "QUEUE",        "GROUP",          "GROUP_DESC",     "GROUP_FEATURES", "METER",
    "METER_CONFIG", "METER_FEATURES", "TABLE_FEATURES", "PORT_DESC",
};

// "OFPST_FLOW reply (OF1.3) (xid=0x2):" and the like.
std::string header_line(std::span<const uint8_t> bytes) {
  const std::optional<HeaderView> h = peek_header(bytes);
  if (!h) return "";
  std::string name = h->type < std::size(kTypeNames)
                         ? std::string(kTypeNames[h->type])
                         : "OFPT_UNKNOWN(" + std::to_string(h->type) + ")";
  if ((h->type == 18 || h->type == 19) && bytes.size() >= 10) {
    const uint16_t mp = static_cast<uint16_t>(bytes[8] << 8 | bytes[9]);
    name =
        "OFPST_" +
        (mp < std::size(kMultipartNames) ? std::string(kMultipartNames[mp]) : std::to_string(mp)) +
        (h->type == 18 ? " request" : " reply");
  }
  char xid[32];
  std::snprintf(xid, sizeof xid, " (xid=0x%x):", h->xid);
  return name + version_tag(h->version) + xid;
}

std::string format_duration(uint32_t sec, uint32_t nsec) {
  std::string text = std::to_string(sec);
  if (nsec > 0) {
    char buffer[16];
    if (nsec % 1000000 == 0) {
      std::snprintf(buffer, sizeof buffer, ".%03u", nsec / 1000000);
    } else {
      std::snprintf(buffer, sizeof buffer, ".%09u", nsec);
      for (size_t n = std::strlen(buffer); buffer[n - 1] == '0'; --n) buffer[n - 1] = '\0';
    }
    text += buffer;
  }
  return text + "s";
}

std::string counter(uint64_t n) { return n == UINT64_MAX ? "?" : std::to_string(n); }

std::string flag_names(uint16_t flags) {
  constexpr std::string_view kNames[] = {"send_flow_rem", "check_overlap", "reset_counts",
                                         "no_packet_counts", "no_byte_counts"};
  std::string text;
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (flags & (1 << i)) text += (text.empty() ? "" : " ") + std::string(kNames[i]);
  }
  return text;
}

std::string bit_names(uint32_t bits, std::span<const std::pair<uint32_t, std::string_view>> names) {
  std::string text;
  for (const auto& [bit, name] : names) {
    if (bits & bit) text += (text.empty() ? "" : " ") + std::string(name);
  }
  return text.empty() ? "0" : text;
}

std::string format_port_desc(const PortDesc& port, const FormatOptions& options) {
  static constexpr std::pair<uint32_t, std::string_view> kConfig[] = {
      {1, "PORT_DOWN"}, {4, "NO_RECV"}, {0x20, "NO_FWD"}, {0x40, "NO_PACKET_IN"}};
  static constexpr std::pair<uint32_t, std::string_view> kState[] = {
      {1, "LINK_DOWN"}, {2, "BLOCKED"}, {4, "LIVE"}};
  static constexpr std::pair<uint32_t, std::string_view> kFeatures[] = {
      {1, "10MB-HD"},         {2, "10MB-FD"},
      {4, "100MB-HD"},        {8, "100MB-FD"},
      {0x10, "1GB-HD"},       {0x20, "1GB-FD"},
      {0x40, "10GB-FD"},      {0x80, "40GB-FD"},
      {0x100, "100GB-FD"},    {0x200, "1TB-FD"},
      {0x400, "OTHER"},       {0x800, "COPPER"},
      {0x1000, "FIBER"},      {0x2000, "AUTO_NEG"},
      {0x4000, "AUTO_PAUSE"}, {0x8000, "AUTO_PAUSE_ASYM"}};
  FormatOptions numbers = options;
  numbers.names = nullptr;
  std::string text = " " + format_port(port.port_no, numbers) + "(" + port.name +
                     "): addr:" + format_mac(port.hw_addr.data()) + "\n";
  text += "     config:     " + bit_names(port.config, kConfig) + "\n";
  text += "     state:      " + bit_names(port.state, kState) + "\n";
  const std::pair<const char*, uint32_t> features[] = {{"current:    ", port.curr},
                                                       {"advertised: ", port.advertised},
                                                       {"supported:  ", port.supported},
                                                       {"peer:       ", port.peer}};
  for (const auto& [label, bits] : features) {
    if (bits) text += "     " + std::string(label) + bit_names(bits, kFeatures) + "\n";
  }
  return text + "     speed: " + std::to_string(port.curr_speed / 1000) + " Mbps now, " +
         std::to_string(port.max_speed / 1000) + " Mbps max\n";
}

std::string format_buckets(const BucketList& buckets, const FormatOptions& options) {
  std::string text;
  for (const Bucket& bucket : buckets) {
    text += ",bucket=";
    if (bucket.weight) text += "weight:" + std::to_string(bucket.weight) + ",";
    if (bucket.watch_port != kPortAny)
      text += "watch_port:" + format_port(bucket.watch_port, options) + ",";
    if (bucket.watch_group != kGroupAny)
      text += "watch_group:" + std::to_string(bucket.watch_group) + ",";
    text += "actions=" + format_actions(bucket.actions, options);
  }
  return text;
}

constexpr std::string_view kGroupTypeNames[] = {"all", "select", "indirect", "ff"};

std::string format_group(GroupType type, uint32_t id, const BucketList& buckets,
                         const FormatOptions& options) {
  const auto t = static_cast<size_t>(type);
  return "group_id=" + std::to_string(id) + ",type=" +
         (t < std::size(kGroupTypeNames) ? std::string(kGroupTypeNames[t]) : std::to_string(t)) +
         format_buckets(buckets, options);
}

std::string format_flow_mod(const FlowMod& mod, const FormatOptions& options) {
  constexpr std::string_view kCommands[] = {"ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT"};
  std::string text = " " + std::string(kCommands[static_cast<size_t>(mod.command)]);
  if (mod.table_id != 0) text += " table:" + std::to_string(mod.table_id);
  const std::string match = format_match(mod.match, mod.priority, options);
  if (!match.empty()) text += " " + match;
  if (mod.cookie_mask != 0) {
    text += " cookie:" + hex(mod.cookie) + "/" + hex(mod.cookie_mask);
  } else if (mod.command == FlowModCommand::kAdd && mod.cookie != 0 && mod.cookie != UINT64_MAX) {
    text += " cookie:" + hex(mod.cookie);
  }
  if (mod.idle_timeout) text += " idle:" + std::to_string(mod.idle_timeout);
  if (mod.hard_timeout) text += " hard:" + std::to_string(mod.hard_timeout);
  if (mod.buffer_id != kNoBuffer) text += " buf:" + hex(mod.buffer_id);
  if (mod.out_port != kPortAny) text += " out_port:" + format_port(mod.out_port, options);
  if (mod.flags) text += " " + flag_names(mod.flags);
  return text + " actions=" + format_instructions(mod.instructions, options);
}

// One entry per table, blank lines between; a run of tables whose counters equal the previous
// one's is one "ditto" entry.
std::string format_table_stats(const TableStatsReply& reply) {
  std::vector<std::string> entries;
  const TableStats* previous = nullptr;
  size_t run = 0;
  auto end_run = [&] {
    if (run == 1) entries.push_back("  table " + std::to_string(previous->table_id) + ": ditto\n");
    if (run > 1) {
      entries.push_back("  tables " + std::to_string(previous->table_id + 1 - run) + "..." +
                        std::to_string(previous->table_id) + ": ditto\n");
    }
    run = 0;
  };
  for (const TableStats& table : reply.tables) {
    if (previous && table.active_count == previous->active_count &&
        table.lookup_count == previous->lookup_count &&
        table.matched_count == previous->matched_count) {
      ++run;
    } else {
      end_run();
      entries.push_back("  table " + std::to_string(table.table_id) +
                        ":\n    active=" + std::to_string(table.active_count) +
                        ", lookup=" + counter(table.lookup_count) +
                        ", matched=" + counter(table.matched_count) + "\n");
    }
    previous = &table;
  }
  end_run();
  std::string text;
  for (const std::string& entry : entries) text += (text.empty() ? "" : "\n") + entry;
  return text;
}

// The body of a multipart reply; `line` is the header line, to which some replies add.
std::string format_multipart_reply(const MultipartReply& reply, std::string line,
                                   const FormatOptions& options) {
  if (reply.flags & kMultipartMore) line += " flags=[more]";
  std::string text;
  if (const auto* flows = std::get_if<FlowStatsReply>(&reply.body)) {
    for (const FlowStats& flow : flows->flows) text += format_flow_stats(flow, options) + "\n";
  } else if (const auto* aggregate = std::get_if<AggregateReply>(&reply.body)) {
    line += " packet_count=" + counter(aggregate->packet_count) +
            " byte_count=" + counter(aggregate->byte_count) +
            " flow_count=" + std::to_string(aggregate->flow_count);
  } else if (const auto* ports = std::get_if<PortStatsReply>(&reply.body)) {
    line += " " + std::to_string(ports->ports.size()) + " ports";
    for (const PortStats& p : ports->ports) {
      // One space more for ports 0-9, so that single digits line up (also with --names).
      const std::string name = (p.port_no < 10 ? " " : "") + format_port(p.port_no, options);
      text += "  port " + name + ": rx pkts=" + counter(p.rx_packets) +
              ", bytes=" + counter(p.rx_bytes) + ", drop=" + counter(p.rx_dropped) +
              ", errs=" + counter(p.rx_errors) + ", frame=" + counter(p.rx_frame_err) +
              ", over=" + counter(p.rx_over_err) + ", crc=" + counter(p.rx_crc_err) + "\n";
      text += "           tx pkts=" + counter(p.tx_packets) + ", bytes=" + counter(p.tx_bytes) +
              ", drop=" + counter(p.tx_dropped) + ", errs=" + counter(p.tx_errors) +
              ", coll=" + counter(p.collisions) + "\n";
      if (p.duration_sec != UINT32_MAX) {
        text += "           duration=" + format_duration(p.duration_sec, p.duration_nsec) + "\n";
      }
    }
  } else if (const auto* descs = std::get_if<PortDescReply>(&reply.body)) {
    std::vector<PortDesc> sorted = descs->ports;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const PortDesc& a, const PortDesc& b) { return a.port_no < b.port_no; });
    for (const PortDesc& port : sorted) text += format_port_desc(port, options);
  } else if (const auto* desc = std::get_if<DescReply>(&reply.body)) {
    text = "Manufacturer: " + desc->manufacturer + "\nHardware: " + desc->hardware +
           "\nSoftware: " + desc->software + "\nSerial Num: " + desc->serial_number +
           "\nDP Description: " + desc->datapath + "\n";
  } else if (const auto* tables = std::get_if<TableStatsReply>(&reply.body)) {
    text = format_table_stats(*tables);
  } else if (const auto* groups = std::get_if<GroupDescReply>(&reply.body)) {
    for (const GroupDesc& g : groups->groups) {
      text += " " + format_group(g.type, g.group_id, g.buckets, options) + "\n";
    }
  } else if (const auto* stats = std::get_if<GroupStatsReply>(&reply.body)) {
    for (const GroupStats& g : stats->groups) {
      text += " group_id=" + std::to_string(g.group_id) +
              ",duration=" + format_duration(g.duration_sec, g.duration_nsec) +
              ",ref_count=" + std::to_string(g.ref_count) +
              ",packet_count=" + counter(g.packet_count) + ",byte_count=" + counter(g.byte_count);
      for (size_t i = 0; i < g.buckets.size(); ++i) {
        text += ",bucket" + std::to_string(i) +
                ":packet_count=" + counter(g.buckets[i].packet_count) +
                ",byte_count=" + counter(g.buckets[i].byte_count);
      }
      text += "\n";
    }
  }
  return line + "\n" + text;
}

// Message kinds this file prints; the rest fall back to a hex dump.
std::optional<std::string> format_body(const Message& message, const std::string& line,
                                       const FormatOptions& options) {
  const Body& body = message.body;
  if (const auto* reply = std::get_if<MultipartReply>(&body)) {
    return format_multipart_reply(*reply, line, options);
  }
  if (const auto* request = std::get_if<MultipartRequest>(&body)) {
    std::string text = line;
    if (const auto* flows = std::get_if<FlowStatsRequest>(&request->body)) {
      if (flows->table_id != kTableAll) text += " table=" + std::to_string(flows->table_id);
      if (flows->out_port != kPortAny) text += " out_port=" + format_port(flows->out_port, options);
      const std::string match = format_match(flows->match, kPriorityDefault, options);
      if (!match.empty()) text += " " + match;
    } else if (const auto* ports = std::get_if<PortStatsRequest>(&request->body)) {
      text += " port_no=" + format_port(ports->port_no, options);
    } else if (std::holds_alternative<PortDescRequest>(request->body)) {
      text += " port=ANY";
    } else if (const auto* groups = std::get_if<GroupStatsRequest>(&request->body)) {
      text +=
          " group_id=" + (groups->group_id == kGroupAll ? "ALL" : std::to_string(groups->group_id));
    } else if (std::holds_alternative<GroupDescRequest>(request->body)) {
      text += " group_id=ALL";
    }
    return text + "\n";
  }
  if (const auto* features = std::get_if<FeaturesReply>(&body)) {
    static constexpr std::pair<uint32_t, std::string_view> kCapabilities[] = {
        {1, "FLOW_STATS"},  {2, "TABLE_STATS"},    {4, "PORT_STATS"},      {8, "GROUP_STATS"},
        {0x20, "IP_REASM"}, {0x40, "QUEUE_STATS"}, {0x100, "PORT_BLOCKED"}};
    char dpid[32];
    std::snprintf(dpid, sizeof dpid, " dpid:%016llx\n",
                  static_cast<unsigned long long>(features->datapath_id));
    return line + dpid + "n_tables:" + std::to_string(features->n_tables) +
           ", n_buffers:" + std::to_string(features->n_buffers) +
           (features->auxiliary_id ? ", auxiliary_id:" + std::to_string(features->auxiliary_id)
                                   : "") +
           "\ncapabilities: " + bit_names(features->capabilities, kCapabilities) + "\n";
  }
  if (const auto* config = std::get_if<GetConfigReply>(&body)) {
    constexpr std::string_view kFrags[] = {"normal", "drop", "reassemble", "nx-match"};
    return line + " frags=" + std::string(kFrags[config->flags & 3]) +
           " miss_send_len=" + std::to_string(config->miss_send_len) + "\n";
  }
  if (const auto* mod = std::get_if<FlowMod>(&body))
    return line + format_flow_mod(*mod, options) + "\n";
  if (const auto* group = std::get_if<GroupMod>(&body)) {
    constexpr std::string_view kCommands[] = {"ADD", "MOD", "DEL"};
    const auto c = static_cast<size_t>(group->command);
    return line + "\n " + std::string(c < 3 ? kCommands[c] : "?") + " " +
           format_group(group->type, group->group_id, group->buckets, options) + "\n";
  }
  if (const auto* error = std::get_if<ErrorMsg>(&body)) {
    std::string text = line + " " + error_name(error->error) + "\n";
    if (error->error.type == 0) {  // HELLO_FAILED carries text
      for (uint8_t c : error->data) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "\\%03o", c);
        text += c >= 32 && c < 127 ? std::string(1, static_cast<char>(c)) : std::string(octal);
      }
      return text + "\n";
    }
    return text + format_raw_message(error->data, options);
  }
  if (std::holds_alternative<BarrierReply>(body) || std::holds_alternative<BarrierRequest>(body) ||
      std::holds_alternative<FeaturesRequest>(body) ||
      std::holds_alternative<GetConfigRequest>(body)) {
    return line + "\n";
  }
  return std::nullopt;
}

// OpenFlow 1.3 error names as Open vSwitch prints them, by type then code.
constexpr std::string_view kErrorNames[][17] = {
    {"OFPHFC_INCOMPATIBLE", "OFPHFC_EPERM"},
    {"OFPBRC_BAD_VERSION", "OFPBRC_BAD_TYPE", "OFPBRC_BAD_STAT", "OFPBRC_BAD_VENDOR",
     "OFPBRC_BAD_SUBTYPE", "OFPBRC_EPERM", "OFPBRC_BAD_LEN", "OFPBRC_BUFFER_EMPTY",
     "OFPBRC_BUFFER_UNKNOWN", "OFPBRC_BAD_TABLE_ID", "OFPBRC_IS_SECONDARY", "OFPBRC_BAD_PORT",
     "OFPBRC_BAD_PACKET", "OFPBRC_MULTIPART_BUFFER_OVERFLOW"},
    {"OFPBAC_BAD_TYPE", "OFPBAC_BAD_LEN", "OFPBAC_BAD_VENDOR", "OFPBAC_BAD_VENDOR_TYPE",
     "OFPBAC_BAD_OUT_PORT", "OFPBAC_BAD_ARGUMENT", "OFPBAC_EPERM", "OFPBAC_TOO_MANY",
     "OFPBAC_BAD_QUEUE", "OFPBAC_BAD_OUT_GROUP", "OFPBAC_MATCH_INCONSISTENT",
     "OFPBAC_UNSUPPORTED_ORDER", "OFPBAC_BAD_TAG", "OFPBAC_BAD_SET_TYPE", "OFPBAC_BAD_SET_LEN",
     "OFPBAC_BAD_SET_ARGUMENT"},
    {"OFPBIC_UNKNOWN_INST", "OFPBIC_UNSUP_INST", "OFPBIC_BAD_TABLE_ID", "OFPBIC_UNSUP_METADATA",
     "OFPBIC_UNSUP_METADATA_MASK", "OFPBIC_BAD_EXPERIMENTER", "OFPBIC_BAD_EXP_TYPE",
     "OFPBIC_BAD_LEN", "OFPBIC_EPERM"},
    {"OFPBMC_BAD_TYPE", "OFPBMC_BAD_LEN", "OFPBMC_BAD_TAG", "OFPBMC_BAD_DL_ADDR_MASK",
     "OFPBMC_BAD_NW_ADDR_MASK", "OFPBMC_BAD_WILDCARDS", "OFPBMC_BAD_FIELD", "OFPBMC_BAD_VALUE",
     "OFPBMC_BAD_MASK", "OFPBMC_BAD_PREREQ", "OFPBMC_DUP_FIELD", "OFPBMC_EPERM"},
    {"OFPFMFC_UNKNOWN", "OFPFMFC_TABLE_FULL", "OFPFMFC_BAD_TABLE_ID", "OFPFMFC_OVERLAP",
     "OFPFMFC_EPERM", "OFPFMFC_BAD_TIMEOUT", "OFPFMFC_BAD_COMMAND", "OFPFMFC_BAD_FLAGS"},
    {"OFPGMFC_GROUP_EXISTS", "OFPGMFC_INVALID_GROUP", "OFPGMFC_WEIGHT_UNSUPPORTED",
     "OFPGMFC_OUT_OF_GROUPS", "OFPGMFC_OUT_OF_BUCKETS", "OFPGMFC_CHAINING_UNSUPPORTED",
     "OFPGMFC_WATCH_UNSUPPORTED", "OFPGMFC_LOOP", "OFPGMFC_UNKNOWN_GROUP", "OFPGMFC_CHAINED_GROUP",
     "OFPGMFC_BAD_TYPE", "OFPGMFC_BAD_COMMAND", "OFPGMFC_BAD_BUCKET", "OFPGMFC_BAD_WATCH",
     "OFPGMFC_EPERM"},
    {"OFPPMFC_BAD_PORT", "OFPPMFC_BAD_HW_ADDR", "OFPPMFC_BAD_CONFIG", "OFPPMFC_BAD_ADVERTISE",
     "OFPPMFC_EPERM"},
    {"OFPTMFC_BAD_TABLE", "OFPTMFC_BAD_CONFIG", "OFPTMFC_EPERM"},
    {"OFPQOFC_BAD_PORT", "OFPQOFC_BAD_QUEUE", "OFPQOFC_EPERM"},
    {"OFPSCFC_BAD_FLAGS", "OFPSCFC_BAD_LEN", "OFPSCFC_EPERM"},
    {"OFPRRFC_STALE", "OFPRRFC_UNSUP", "OFPRRFC_BAD_ROLE"},
    {"OFPMMFC_UNKNOWN", "OFPMMFC_METER_EXISTS", "OFPMMFC_INVALID_METER", "OFPMMFC_UNKNOWN_METER",
     "OFPMMFC_BAD_COMMAND", "OFPMMFC_BAD_FLAGS", "OFPMMFC_BAD_RATE", "OFPMMFC_BAD_BURST",
     "OFPMMFC_BAD_BAND", "OFPMMFC_BAD_BAND_VALUE", "OFPMMFC_OUT_OF_METERS", "OFPMMFC_OUT_OF_BANDS"},
    {"OFPTFFC_BAD_TABLE", "OFPTFFC_BAD_METADATA", "OFPBPC_BAD_TYPE", "OFPBPC_BAD_LEN",
     "OFPBPC_BAD_VALUE", "OFPTFFC_EPERM"},
};

std::string_view find_error_name(OfpError error) {
  if (error.type >= std::size(kErrorNames) || error.code >= 17) return {};
  return kErrorNames[error.type][error.code];
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<Parsed<FlowMod>> parse_flow_mod(std::string_view text, FlowCommand command,
                                       const PortLookup& ports) {
  if (command == FlowCommand::kDump) return make_error("parse_flow_mod: not a flow-mod command");
  VS_ASSIGN(FlowText flow, parse_flow_text(text, command, ports));
  FlowMod mod;
  constexpr FlowModCommand kCommands[] = {FlowModCommand::kAdd, FlowModCommand::kModify,
                                          FlowModCommand::kModifyStrict, FlowModCommand::kDelete,
                                          FlowModCommand::kDeleteStrict};
  mod.command = kCommands[static_cast<size_t>(command)];
  const bool remove = command == FlowCommand::kDelete || command == FlowCommand::kDeleteStrict;
  // Adds and modifies go to table 0 unless told; deletes look at every table.
  const uint8_t table = flow.table.value_or(kTableAll);
  mod.table_id = remove ? table : (table == kTableAll ? 0 : table);
  mod.cookie = flow.cookie;
  mod.cookie_mask = flow.cookie_mask;
  mod.priority = flow.priority;
  mod.idle_timeout = flow.idle_timeout;
  mod.hard_timeout = flow.hard_timeout;
  mod.flags = flow.flags;
  mod.out_port = flow.out_port;
  mod.out_group = flow.out_group;
  mod.match = to_oxm(flow.flow);
  mod.instructions = std::move(flow.instructions);
  return Parsed<FlowMod>{std::move(mod), std::move(flow.warnings)};
}

Result<Parsed<FlowStatsRequest>> parse_flow_stats_request(std::string_view text, bool aggregate,
                                                          const PortLookup& ports) {
  VS_ASSIGN(FlowText flow, parse_flow_text(text, FlowCommand::kDump, ports));
  FlowStatsRequest request;
  request.aggregate = aggregate;
  request.table_id = flow.table.value_or(kTableAll);
  request.out_port = flow.out_port;
  request.out_group = flow.out_group;
  request.cookie = flow.cookie;
  request.cookie_mask = flow.cookie_mask;
  request.match = to_oxm(flow.flow);
  return Parsed<FlowStatsRequest>{std::move(request), std::move(flow.warnings)};
}

Result<uint32_t> parse_port(std::string_view text, const PortLookup& ports) {
  VS_ASSIGN(std::optional<uint32_t> port, lookup_port(text, ports));
  if (!port) return make_error(std::string(text) + ": invalid or unknown port");
  return *port;
}

Result<ActionList> parse_actions(std::string_view text, const PortLookup& ports) {
  ActionContext context{{}, false, std::nullopt, &ports};
  bool drop = false;
  VS_ASSIGN(ActionList actions, parse_action_list(text, context, &drop));
  if (drop && !actions.empty()) {
    return make_error("\"drop\" must not be accompanied by any other action or instruction");
  }
  return actions;
}

Result<std::vector<PacketOut>> parse_packet_out(std::span<const std::string> args,
                                                const PortLookup& ports) {
  auto packet = [](std::string_view hex_text,
                   std::string_view what) -> Result<std::vector<uint8_t>> {
    std::vector<uint8_t> bytes;
    std::string digits;
    for (char c : hex_text) {
      if (!std::isspace(static_cast<uint8_t>(c))) digits += c;
    }
    for (size_t i = 0; i < digits.size(); i += 2) {
      std::optional<uint64_t> byte =
          i + 1 < digits.size() && std::isxdigit(static_cast<uint8_t>(digits[i]))
              ? parse_u64("0x" + digits.substr(i, 2))
              : std::nullopt;
      if (!byte) return make_error(std::string(what) + "Trailing garbage in packet data");
      bytes.push_back(static_cast<uint8_t>(*byte));
    }
    if (bytes.size() < 14)
      return make_error(std::string(what) + "Packet data too short for Ethernet");
    return bytes;
  };
  std::vector<PacketOut> outs;
  if (args.size() == 1) {
    PacketOut out;
    std::string_view text = args[0];
    bool have_packet = false;
    const size_t at = text.find("actions=");
    std::string_view actions = at == std::string_view::npos ? "" : text.substr(at + 8);
    text = text.substr(0, at);
    while (std::optional<KeyValue> pair = next_key_value(text)) {
      if (pair->key == "in_port") {
        VS_ASSIGN(out.in_port, parse_port(pair->value, ports));
      } else if (pair->key == "packet") {
        VS_ASSIGN(out.data, packet(pair->value, "packet: "));
        have_packet = true;
      } else {
        return make_error("unknown keyword " + std::string(pair->key));
      }
    }
    if (!have_packet) return make_error("must specify packet");
    VS_ASSIGN(out.actions, parse_actions(actions, ports));
    outs.push_back(std::move(out));
    return outs;
  }
  if (args.size() < 3)
    return make_error("packet-out needs IN_PORT ACTIONS PACKET... or one key=value argument");
  VS_ASSIGN(uint32_t in_port, parse_port(args[0], ports));
  VS_ASSIGN(ActionList actions, parse_actions(args[1], ports));
  for (size_t i = 2; i < args.size(); ++i) {
    PacketOut out;
    out.in_port = in_port;
    out.actions = actions;
    VS_ASSIGN(out.data, packet(args[i], ""));
    outs.push_back(std::move(out));
  }
  return outs;
}

Result<GroupMod> parse_group_mod(std::string_view text, GroupModCommand command,
                                 const PortLookup& ports) {
  GroupMod mod;
  mod.command = command;
  mod.group_id = command == GroupModCommand::kDelete ? kGroupAll : 0;
  bool have_id = false, have_type = false;
  // Everything from the first "bucket" on describes buckets.
  const size_t first_bucket = text.find("bucket");
  std::string_view fields = text.substr(0, first_bucket);
  std::string_view buckets =
      first_bucket == std::string_view::npos ? std::string_view() : text.substr(first_bucket);
  while (std::optional<KeyValue> pair = next_key_value(fields)) {
    if (pair->key == "group_id") {
      VS_ASSIGN(mod.group_id, parse_group(pair->value));
      have_id = true;
    } else if (pair->key == "type") {
      constexpr std::pair<std::string_view, GroupType> kTypes[] = {
          {"all", GroupType::kAll},
          {"select", GroupType::kSelect},
          {"indirect", GroupType::kIndirect},
          {"ff", GroupType::kFastFailover},
          {"fast_failover", GroupType::kFastFailover}};
      auto type = std::find_if(std::begin(kTypes), std::end(kTypes),
                               [&](const auto& t) { return t.first == pair->value; });
      if (type == std::end(kTypes))
        return make_error("invalid group type " + std::string(pair->value));
      mod.type = type->second;
      have_type = true;
    } else {
      return make_error("unknown keyword " + std::string(pair->key));
    }
  }
  if (command != GroupModCommand::kDelete) {
    if (!have_id) return make_error("must specify a group_id");
    if (!have_type && command == GroupModCommand::kAdd) return make_error("must specify a type");
  }
  // "bucket=weight:10,watch_port:1,actions=output:1,bucket=..." (actions= is optional).
  while (!buckets.empty()) {
    if (command == GroupModCommand::kDelete)
      return make_error("buckets are not allowed in del-groups");
    buckets.remove_prefix(std::min(buckets.size(), buckets.find('=') + 1));
    size_t next = buckets.find("bucket=");
    while (next != std::string_view::npos && next > 0 && buckets[next - 1] != ',' &&
           !std::isspace(static_cast<uint8_t>(buckets[next - 1]))) {
      next = buckets.find("bucket=", next + 1);
    }
    std::string_view bucket_text = buckets.substr(0, next);
    buckets = next == std::string_view::npos ? std::string_view() : buckets.substr(next);
    Bucket bucket;
    std::string action_text;
    while (std::optional<KeyValue> pair = next_key_value(bucket_text)) {
      if (pair->key == "weight") {
        std::optional<uint64_t> weight = parse_bounded(pair->value, UINT16_MAX);
        if (!weight) return make_error("invalid weight " + quoted(pair->value));
        bucket.weight = static_cast<uint16_t>(*weight);
      } else if (pair->key == "watch_port") {
        VS_ASSIGN(bucket.watch_port, parse_port(pair->value, ports));
      } else if (pair->key == "watch_group") {
        VS_ASSIGN(bucket.watch_group, parse_group(pair->value));
      } else if (pair->key == "actions") {
        action_text += std::string(pair->value) + "," + std::string(bucket_text);
        bucket_text = {};
      } else {
        action_text += std::string(pair->key) +
                       (pair->value.empty() ? "" : "(" + std::string(pair->value) + ")") + ",";
      }
    }
    VS_ASSIGN(bucket.actions, parse_actions(action_text, ports));
    mod.buckets.push_back(std::move(bucket));
  }
  return mod;
}

std::string format_port(uint32_t port, const FormatOptions& options) {
  for (const NamedPort& reserved : kReservedPorts) {
    if (reserved.number == port) return std::string(reserved.name);
  }
  if (options.names) {
    for (const auto& [number, name] : *options.names) {
      if (number == port) return name;
    }
  }
  // Numbers OpenFlow 1.0 reserved print as Open vSwitch numbers them, 16 bits wide.
  return std::to_string(port >= kPortMax ? port - 0xffff0000 : port);
}

std::string format_match(const Match& match, uint16_t priority, const FormatOptions& options) {
  std::vector<Oxm> rest;
  const Flow flow = from_oxm(match, &rest);
  return MatchPrinter(flow, options).print(priority, rest);
}

std::string format_actions(const ActionList& actions, const FormatOptions& options) {
  std::string text;
  for (const Action& action : actions) {
    if (!text.empty()) text += ",";
    switch (action.kind) {
      case Action::Kind::kOutput:
        if (action.port == kPortController) {
          text += "CONTROLLER:" + std::to_string(action.max_len);
        } else if (action.port < kPortMax) {
          text += "output:" + format_port(action.port, options);
        } else {
          text += format_port(action.port, options);
        }
        break;
      case Action::Kind::kGroup:
        text += "group:" + std::to_string(action.group_id);
        break;
      case Action::Kind::kPushVlan:
        text += "push_vlan:" + hex(action.ethertype, 4);
        break;
      case Action::Kind::kPopVlan:
        text += "pop_vlan";
        break;
      case Action::Kind::kDecNwTtl:
        text += "dec_ttl";
        break;
      case Action::Kind::kSetNwTtl:
        text += "mod_nw_ttl:" + std::to_string(action.ttl);
        break;
      case Action::Kind::kSetField: {
        Oxm field = action.field;
        if (field.field == OxmField::kVlanVid) {  // printed as sent, with OFPVID_PRESENT
          field = Oxm::exact(OxmField::kVlanVid, field.number() | kVidPresent);
        }
        text += "set_field:" + format_oxm_value(field, options) + "->" +
                std::string(settable(field.field).name);
        break;
      }
    }
  }
  return text;
}

std::string format_instructions(const Instructions& instructions, const FormatOptions& options) {
  std::string text;
  auto add = [&](const std::string& part) { text += (text.empty() ? "" : ",") + part; };
  if (instructions.apply_actions && !instructions.apply_actions->empty()) {
    add(format_actions(*instructions.apply_actions, options));
  }
  if (instructions.clear_actions) add("clear_actions");
  if (instructions.write_actions) {
    add("write_actions(" + format_actions(*instructions.write_actions, options) + ")");
  }
  if (instructions.write_metadata) {
    add("write_metadata:" + hex(instructions.write_metadata->value) +
        (instructions.write_metadata->mask == UINT64_MAX
             ? ""
             : "/" + hex(instructions.write_metadata->mask)));
  }
  if (instructions.goto_table) add("goto_table:" + std::to_string(*instructions.goto_table));
  return text.empty() ? "drop" : text;
}

std::string format_flow_stats(const FlowStats& flow, const FormatOptions& options) {
  std::string text = " ";
  if (options.stats) {
    text += "cookie=" + hex(flow.cookie) +
            ", duration=" + format_duration(flow.duration_sec, flow.duration_nsec) +
            ", table=" + std::to_string(flow.table_id) +
            ", n_packets=" + counter(flow.packet_count) + ", n_bytes=" + counter(flow.byte_count) +
            ", ";
  } else {
    if (flow.cookie) text += "cookie=" + hex(flow.cookie) + ", ";
    if (flow.table_id) text += "table=" + std::to_string(flow.table_id) + ", ";
  }
  if (flow.idle_timeout) text += "idle_timeout=" + std::to_string(flow.idle_timeout) + ", ";
  if (flow.hard_timeout) text += "hard_timeout=" + std::to_string(flow.hard_timeout) + ", ";
  if (flow.flags) text += flag_names(flow.flags) + " ";
  text += format_match(flow.match, flow.priority, options);
  if (text.back() != ' ') text += " ";
  return text + "actions=" + format_instructions(flow.instructions, options);
}

std::string format_message(const Message& message, const FormatOptions& options) {
  return format_raw_message(encode(message), options);
}

std::string format_raw_message(std::span<const uint8_t> bytes, const FormatOptions& options) {
  const std::optional<HeaderView> header = peek_header(bytes);
  if (!header)
    return "OpenFlow packet too short (only " + std::to_string(bytes.size()) + " bytes):\n" +
           hex_dump(bytes);
  const std::string line = header_line(bytes);
  if (header->length > bytes.size()) {
    return line + "\n(***truncated to " + std::to_string(bytes.size()) + " bytes from " +
           std::to_string(header->length) + "***)\n" + hex_dump(bytes);
  }
  const std::span<const uint8_t> framed = bytes.first(header->length);
  OfpResult<Message> message = decode(framed);
  if (!message) {
    return line + " ***decode error: " + error_name(message.error()) + "***\n" + hex_dump(framed);
  }
  if (std::optional<std::string> text = format_body(message.value(), line, options)) return *text;
  return line + "\n" + hex_dump(framed.subspan(sizeof(Header)), sizeof(Header));
}

std::string error_name(OfpError error) {
  const std::string_view name = find_error_name(error);
  if (!name.empty()) return std::string(name);
  return "OFPET(" + std::to_string(error.type) + "," + std::to_string(error.code) + ")";
}

std::string hex_dump(std::span<const uint8_t> bytes, size_t offset) {
  std::string text;
  for (size_t line = 0; line < bytes.size(); line += 16) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%08zx  ", offset + line);
    std::string hex_part = buffer, ascii;
    for (size_t i = 0; i < 16; ++i) {
      if (line + i < bytes.size()) {
        const uint8_t b = bytes[line + i];
        std::snprintf(buffer, sizeof buffer, "%02x%c", b, i == 7 ? '-' : ' ');
        hex_part += buffer;
        ascii += b >= 32 && b < 127 ? static_cast<char>(b) : '.';
      } else {
        hex_part += "   ";
        ascii += ' ';
      }
    }
    text += hex_part + "|" + ascii + "|\n";
  }
  return text;
}

}  // namespace vs::controller::ofp
