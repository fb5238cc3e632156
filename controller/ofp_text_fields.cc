// The building blocks of ovs-ofctl's text syntax (declared in ofp_text_fields.h) that parsing
// (ofp_text.cc) and printing (ofp_text_format.cc) share. A match is gathered the way Open
// vSwitch holds it (one value and mask per packet field, aliases such as tp_dst/tcp_dst/icmp_code
// and vlan_tci/dl_vlan/vlan_vid sharing storage), then turned into OXMs in the order ovs-ofctl
// writes them, so that the bytes on the wire are the same; printing goes the other way.
#include "controller/ofp_text_fields.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace vs::controller::ofp::text {

std::string hex(uint64_t value, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%0*llx", width, static_cast<unsigned long long>(value));
  return buffer;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Result<void> ok() { return boost::outcome_v2::success(); }

namespace {

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

constexpr FieldDef kFields[] = {
    {"in_port", "in_port", kInPort, Syntax::kPort},
    {"metadata", "metadata", kMetadata, Syntax::kInt, 64, true},
    {"tun_id", "tun_id", kTunId, Syntax::kInt, 64, true},
    {"tunnel_id", "tun_id", kTunId, Syntax::kInt, 64, true},
    {"tun_src", "tun_src", kTunSrc, Syntax::kIpv4, 0, true},
    {"tun_dst", "tun_dst", kTunDst, Syntax::kIpv4, 0, true},
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

}  // namespace

const FieldDef* find_field(std::string_view name) {
  for (const FieldDef& field : kFields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

// Fields ovs-ofctl knows that OpenFlow 1.3's basic OXM class cannot carry (they need Nicira or
// later-version extensions): refused by name rather than as unknown keywords. tun_src and tun_dst,
// which Nicira's class carries, are in kFields and so found before this is asked.
bool is_extension_field(std::string_view name) {
  constexpr std::string_view kPrefixes[] = {
      "reg",      "xreg",      "xxreg",     "ct_",           "tun_",        "mpls_",
      "pkt_mark", "nw_ttl",    "tcp_flags", "nw_frag",       "ip_frag",     "skb_priority",
      "conj_id",  "recirc_id", "dp_hash",   "actset_output", "packet_type", "pbb_"};
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes),
                     [&](std::string_view p) { return name.starts_with(p); });
}

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
  put(OxmField::kTunIpv4Src, kTunSrc);
  put(OxmField::kTunIpv4Dst, kTunDst);
  put(OxmField::kMetadata, kMetadata);
  return match;
}

// The other way, for printing. OXMs with no place in the flow (MPLS, PBB, ...) go to `rest`.
Flow from_oxm(const Match& match, std::vector<Oxm>* rest) {
  // The slot of each OXM that fills one whole (kSlotCount: none, or a special case below).
  constexpr std::pair<OxmField, Slot> kSlots[] = {
      {OxmField::kInPort, kInPort},     {OxmField::kMetadata, kMetadata},
      {OxmField::kTunnelId, kTunId},    {OxmField::kEthSrc, kDlSrc},
      {OxmField::kEthDst, kDlDst},      {OxmField::kEthType, kDlType},
      {OxmField::kIpv4Src, kNwSrc},     {OxmField::kArpSpa, kNwSrc},
      {OxmField::kIpv4Dst, kNwDst},     {OxmField::kArpTpa, kNwDst},
      {OxmField::kIpv6Src, kIpv6Src},   {OxmField::kIpv6Dst, kIpv6Dst},
      {OxmField::kIpProto, kNwProto},   {OxmField::kTcpSrc, kTpSrc},
      {OxmField::kUdpSrc, kTpSrc},      {OxmField::kSctpSrc, kTpSrc},
      {OxmField::kTcpDst, kTpDst},      {OxmField::kUdpDst, kTpDst},
      {OxmField::kSctpDst, kTpDst},     {OxmField::kArpSha, kArpSha},
      {OxmField::kIpv6NdSll, kArpSha},  {OxmField::kArpTha, kArpTha},
      {OxmField::kIpv6NdTll, kArpTha},  {OxmField::kIpv6NdTarget, kNdTarget},
      {OxmField::kTunIpv4Src, kTunSrc}, {OxmField::kTunIpv4Dst, kTunDst}};
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

std::string MatchPrinter::print(uint16_t priority, const std::vector<Oxm>& rest) {
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
  address("tun_src", kTunSrc, AF_INET);  // OVS's format_flow_tunnel: right after tun_id
  address("tun_dst", kTunDst, AF_INET);
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

void MatchPrinter::put(std::string_view name, const std::string& value) {
  out_ += std::string(name) + "=" + value + ",";
}

void MatchPrinter::number(std::string_view name, Slot slot) {
  if (!f_.has(slot)) return;
  put(name, hex(f_.get(slot)) + (f_.exact(slot) ? "" : "/" + hex(f_.get_mask(slot))));
}

void MatchPrinter::port_number(std::string_view name, Slot slot) {
  if (!f_.has(slot)) return;
  put(name, f_.exact(slot) ? std::to_string(f_.get(slot))
                           : hex(f_.get(slot)) + "/" + hex(f_.get_mask(slot)));
}

void MatchPrinter::ethernet(std::string_view name, Slot slot) {
  if (!f_.has(slot)) return;
  put(name, format_mac(f_.value[slot].data()) +
                (f_.exact(slot) ? "" : "/" + format_mac(f_.mask[slot].data())));
}

void MatchPrinter::address(std::string_view name, Slot slot, int family) {
  if (!f_.has(slot)) return;
  std::string text = format_ip(f_.value[slot].data(), family);
  if (!f_.exact(slot)) {
    const int bits = prefix_length(f_.mask[slot].data(), kSlotSize[slot]);
    text += "/" + (bits >= 0 ? std::to_string(bits) : format_ip(f_.mask[slot].data(), family));
  }
  put(name, text);
}

void MatchPrinter::vlan() {
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

// ---------------------------------------------------------------------------------------
// set_field: which OXM each name sets, and how its value is written.

namespace {

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
    {"tun_src", OxmField::kTunIpv4Src, Syntax::kIpv4},
    {"tun_dst", OxmField::kTunIpv4Dst, Syntax::kIpv4},
    {"metadata", OxmField::kMetadata, Syntax::kInt, true},
    {"in_port", OxmField::kInPort, Syntax::kPort},
    {"eth_type", OxmField::kEthType, Syntax::kInt, true},
};

}  // namespace

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

}  // namespace vs::controller::ofp::text
