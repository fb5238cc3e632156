// OXM, the OpenFlow Extensible Match of OpenFlow 1.3 (specification 7.2.3): the TLVs of the
// OFPXMC_OPENFLOW_BASIC class that make up a flow-mod's, flow stats' and packet-in's match and
// set_field's argument, and the two Nicira (NXM_1 class) fields Open vSwitch sends in them for
// the tunnel's outer IPv4 addresses. This file is the wire form only, checked as the
// specification asks (lengths, masks, duplicates, prerequisites); flow_match.h maps it onto the
// flow key.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "controller/ofp_wire.h"

namespace vs::controller::ofp {

inline constexpr uint16_t kOxmClassBasic = 0x8000;
// OFPXMC_NXM_1: Nicira's extension fields, which Open vSwitch also sends in OpenFlow 1.3 OXMs
// for fields the basic class lacks (NXM_NX_TUN_IPV4_SRC is class 0x0001, field 31).
inline constexpr uint16_t kOxmClassNxm1 = 0x0001;
inline constexpr uint16_t kVidPresent = 0x1000;  // OFPVID_PRESENT in vlan_vid

// The fields the codec knows. Up to kIpv6Exthdr the value is the basic class's field number;
// after it come fields of other classes, whose class and number are in OxmFieldInfo.
enum class OxmField : uint8_t {
  kInPort = 0,
  kInPhyPort = 1,
  kMetadata = 2,
  kEthDst = 3,
  kEthSrc = 4,
  kEthType = 5,
  kVlanVid = 6,
  kVlanPcp = 7,
  kIpDscp = 8,
  kIpEcn = 9,
  kIpProto = 10,
  kIpv4Src = 11,
  kIpv4Dst = 12,
  kTcpSrc = 13,
  kTcpDst = 14,
  kUdpSrc = 15,
  kUdpDst = 16,
  kSctpSrc = 17,
  kSctpDst = 18,
  kIcmpv4Type = 19,
  kIcmpv4Code = 20,
  kArpOp = 21,
  kArpSpa = 22,
  kArpTpa = 23,
  kArpSha = 24,
  kArpTha = 25,
  kIpv6Src = 26,
  kIpv6Dst = 27,
  kIpv6Flabel = 28,
  kIcmpv6Type = 29,
  kIcmpv6Code = 30,
  kIpv6NdTarget = 31,
  kIpv6NdSll = 32,
  kIpv6NdTll = 33,
  kMplsLabel = 34,
  kMplsTc = 35,
  kMplsBos = 36,
  kPbbIsid = 37,
  kTunnelId = 38,
  kIpv6Exthdr = 39,
  kTunIpv4Src = 40,  // NXM_NX_TUN_IPV4_SRC (class 0x0001, field 31): the outer IPv4 source
  kTunIpv4Dst = 41,  // NXM_NX_TUN_IPV4_DST (class 0x0001, field 32): the outer IPv4 destination
};
inline constexpr size_t kOxmFieldCount = 42;

// What the specification says about a field: its class and number on the wire, its size,
// whether it may carry a mask, and the bits a value may use (vlan_vid has 13, ip_dscp 6, ...).
struct OxmFieldInfo {
  std::string_view name;  // as ovs-ofctl spells the OXM ("vlan_vid", "ipv4_src", "tun_src")
  uint16_t oxm_class;     // kOxmClassBasic or kOxmClassNxm1
  uint8_t number;         // the field's number within its class (7 bits on the wire)
  uint8_t length;         // bytes of the value
  bool maskable;
  uint64_t value_bits;  // for fields of at most 8 bytes; 0 = every bit
};
const OxmFieldInfo& oxm_info(OxmField field);
// The field's TLV header without a mask (class, field, hasmask 0, length), as table features
// list it: 0x80000004 for in_port, 0x00013e04 for tun_src.
uint32_t oxm_type_header(OxmField field);

// One TLV. The value and mask are the field's bytes in network order; without has_mask the mask
// is all ones over the field's length.
struct Oxm {
  OxmField field;
  bool has_mask = false;
  std::array<uint8_t, 16> value{};
  std::array<uint8_t, 16> mask{};

  uint8_t length() const { return oxm_info(field).length; }
  // The value (or mask) as a number, for fields of at most 8 bytes.
  uint64_t number() const;
  uint64_t mask_number() const;

  // An exact (unmasked) field from a number of at most 8 bytes, or from bytes.
  static Oxm exact(OxmField field, uint64_t value);
  static Oxm exact_bytes(OxmField field, std::span<const uint8_t> value);
  static Oxm masked(OxmField field, uint64_t value, uint64_t mask);

  friend bool operator==(const Oxm&, const Oxm&) = default;
};

using Match = std::vector<Oxm>;

// Decodes the ofp_match at the start of `bytes` (header, TLVs, padding to 8 bytes) and sets
// `*consumed` to its padded size. Errors: OFPBMC_BAD_TYPE for a non-OXM match, BAD_LEN, BAD_FIELD
// for another class or an unknown field (of NXM_1 only tun_src and tun_dst are known), BAD_MASK for
// a mask on a field that has none, BAD_WILDCARDS for value bits outside the mask, BAD_VALUE for
// bits a field does not have, DUP_FIELD, and BAD_PREREQ when a field's prerequisite (e.g.
// eth_type=0x0800 for ipv4_src) is not matched exactly.
OfpResult<Match> decode_match(std::span<const uint8_t> bytes, size_t* consumed);

// Appends the ofp_match for `match`, padded to 8 bytes.
void encode_match(const Match& match, std::vector<uint8_t>& out);

// One TLV alone (set_field): decodes exactly `bytes`, which must hold one unmasked TLV.
OfpResult<Oxm> decode_oxm(std::span<const uint8_t> bytes);
// Appends one TLV (4-byte header in the field's own class, value, and the mask if it has one).
void encode_oxm(const Oxm& oxm, std::vector<uint8_t>& out);

// The prerequisite check alone, for matches built in code.
OfpResult<void> check_prerequisites(const Match& match);

}  // namespace vs::controller::ofp
