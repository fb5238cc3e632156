// Internal to ovs-ofctl's text syntax, not part of ofp_text.h's API: the building blocks that
// parsing (ofp_text.cc) and printing (ofp_text_format.cc) share, defined in ofp_text_fields.cc:
// number, MAC and IP helpers, the key=value reader, ports, the match as Open vSwitch holds it
// (Flow, normalize, to_oxm/from_oxm), match printing and the set_field table.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/ofp_text.h"

namespace vs::controller::ofp::text {

using Bytes16 = std::array<uint8_t, 16>;

inline constexpr uint16_t kEthIp = 0x0800, kEthIpv6 = 0x86dd, kEthArp = 0x0806, kEthRarp = 0x8035;
inline constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmpv6 = 58,
                         kProtoSctp = 132;
inline constexpr uint16_t kPriorityDefault = 0x8000;
inline constexpr uint32_t kPortUnset = 0xfffffff7;

std::string hex(uint64_t value, int width = 0);
std::string quoted(std::string_view text);
Result<void> ok();
// A decimal number (ports and tables are read so; leading zeros do not make octal).
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max);
bool iequals(std::string_view a, std::string_view b);
// A number as ovs-ofctl reads most of them (strtoull with base 0): decimal, 0x hex or 0-led
// octal; a leading '-' wraps around, so that "cookie=-1" means all ones.
std::optional<uint64_t> parse_u64(std::string_view text);
// A number no larger than `max`.
std::optional<uint64_t> parse_bounded(std::string_view text, uint64_t max);
// xx:xx:xx:xx:xx:xx, one or two hex digits each.
std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view text);
std::string format_mac(const uint8_t* mac);
bool parse_ip(std::string_view text, int family, uint8_t* out);
bool all_ones(const uint8_t* bytes, size_t size);
bool all_zero(const uint8_t* bytes, size_t size);

// The key=value reader ovs-ofctl uses for flows, actions and their arguments: pairs are
// separated by commas or white space; "key=value", "key:value" and "key(value)" are the same
// pair; parentheses nest inside a value.
struct KeyValue {
  std::string_view key;
  std::string_view value;
};
std::optional<KeyValue> next_key_value(std::string_view& text);

// Ports.
struct NamedPort {
  std::string_view name;
  uint32_t number;
};
inline constexpr NamedPort kReservedPorts[] = {
    {"IN_PORT", kPortInPort}, {"TABLE", kPortTable}, {"NORMAL", kPortNormal},
    {"FLOOD", kPortFlood},    {"ALL", kPortAll},     {"CONTROLLER", kPortController},
    {"LOCAL", kPortLocal},    {"ANY", kPortAny},     {"NONE", kPortAny},
    {"UNSET", kPortUnset},
};

// A port number or name; nullopt when it names no port. Errors come only from `ports`.
Result<std::optional<uint32_t>> lookup_port(std::string_view text, const PortLookup& ports);

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
  kTunSrc,  // the tunnel's outer IPv4 addresses (Nicira's NXM_NX_TUN_IPV4_SRC / _DST)
  kTunDst,
  kSlotCount,
};
inline constexpr uint8_t kSlotSize[kSlotCount] = {4, 8, 8, 6, 6, 2, 2, 4,  4, 16, 16,
                                                  4, 1, 1, 2, 2, 6, 6, 16, 4, 4};

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

// A match field as ovs-ofctl names it (the table is in ofp_text_fields.cc).
struct FieldDef;
const FieldDef* find_field(std::string_view name);
// Fields ovs-ofctl knows that OpenFlow 1.3's basic OXM class cannot carry (they need Nicira or
// later-version extensions): refused by name rather than as unknown keywords.
bool is_extension_field(std::string_view name);
// Parses "VALUE[/MASK]" for `field` into `flow`.
Result<void> parse_field(const FieldDef& field, std::string_view text, const PortLookup& ports,
                         Flow& flow);
// Drops what ovs-ofctl's normalization drops: fields whose prerequisites (dl_type, nw_proto,
// the ICMPv6 type of neighbour discovery) the match does not have.
void normalize(Flow& flow);
// The OXMs ovs-ofctl sends for `flow`, in its order.
Match to_oxm(const Flow& flow);
// The other way, for printing. OXMs with no place in the flow (MPLS, PBB, ...) go to `rest`.
Flow from_oxm(const Match& match, std::vector<Oxm>* rest);

// Printing a match as ovs-ofctl does.
class MatchPrinter {
 public:
  MatchPrinter(const Flow& flow, const FormatOptions& options) : f_(flow), options_(options) {}

  std::string print(uint16_t priority, const std::vector<Oxm>& rest);

 private:
  void put(std::string_view name, const std::string& value);
  void number(std::string_view name, Slot slot);
  void port_number(std::string_view name, Slot slot);
  void ethernet(std::string_view name, Slot slot);
  void address(std::string_view name, Slot slot, int family);
  void vlan();

  const Flow& f_;
  const FormatOptions& options_;
  std::string out_;
};

// set_field: which OXM each name sets, and how its value is written.
struct SettableField {
  std::string_view name;  // ovs-ofctl's name, which set_field prints
  OxmField field;
  Syntax syntax;
  bool hex = false;  // printed in hex
};
const SettableField& settable(OxmField field);
// The names set_field takes for each OXM, aliases included.
std::optional<OxmField> set_field_target(std::string_view name);
std::string format_oxm_value(const Oxm& oxm, const FormatOptions& options);

}  // namespace vs::controller::ofp::text
