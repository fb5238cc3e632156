// The flow key: what the datapath extracts from a frame and what the exact-match cache, the
// megaflow classifier and upcalls look up. Its mask has the same layout, so compare, mask and
// hash are loops over 64-bit words (OVS include/openvswitch/flow.h). drop_reason.h lists why
// parse_flow() refuses a frame.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

#include "lib/drop_reason.h"

namespace vs {

// Layout. Fields are in wire order (metadata, L2, L3, L4), multi-byte fields hold network byte
// order, and there is no implicit padding (static_asserts below), so `FlowKey{}` is all zero
// bytes and a key can be compared, masked and hashed as raw 64-bit words. A field that does not
// apply to the frame is zero. sizeof(FlowKey) == 128 (16 words).
//
// Parsing rules (parse_flow):
// - Ethernet II. One VLAN tag with TPID 0x8100 (802.1Q) or 0x88a8 (802.1ad) is parsed:
//   vlan_tpid holds the TPID, vlan_tci the TCI with kVlanPresent (0x1000, the CFI/DEI bit) set,
//   as OVS does; the frame's own DEI bit is therefore not kept. A second tag is not parsed:
//   eth_type is its TPID and no L3 field is filled, so QinQ frames never share a flow with
//   single-tagged ones.
// - An EtherType below 0x600 is an 802.3 length: eth_type = kEthTypeNone (0x05ff, OVS's
//   FLOW_DL_TYPE_NONE) and parsing stops (LLC/SNAP is not decoded).
// - ARP: only Ethernet/IPv4 ARP fills arp_op, arp_sha, arp_tha, and nw_src/nw_dst (sender and
//   target protocol addresses, as OVS does); any other hardware/protocol pair leaves them zero.
// - IPv4: options are skipped by IHL. Bytes after the total length (Ethernet padding) are
//   ignored. A fragment has kNwFragAny; a non-first fragment also kNwFragLater, and its L4
//   fields stay zero.
// - IPv6: hop-by-hop, routing, destination-options and fragment headers are skipped, in any
//   order; nw_proto is the first other next header. Fragments as for IPv4. Bytes after the
//   payload length are ignored; jumbograms (payload length 0) have no L4 bytes.
// - L4: TCP (whole header incl. options, data offset >= 5), UDP (8 bytes), SCTP (the 12-byte
//   common header), ICMP over IPv4 and ICMPv6 over IPv6 (8 bytes, as OVS requires): tp_src/tp_dst
//   hold ports, or for ICMP the type and code (each widened to 16 bits, network order, as OVS
//   does). Other protocols leave tp_* zero. ICMPv6 neighbour solicitations and advertisements
//   also fill nd_target and the link-layer address options into arp_sha/arp_tha (OVS's nd_sll
//   and nd_tll), all three left zero if the options are malformed (parse_nd in flow_key.cc).
//
// Drop versus keep. Unlike OVS, which forwards whatever prefix it could parse, a frame whose
// Ethernet header, VLAN tag, ARP (fixed part, or the whole Ethernet/IPv4 body), IPv4/IPv6 header,
// extension header or L4 header (of an unfragmented packet or a first fragment) is cut short
// or malformed is dropped with a DropReason. A truncated frame whose IP header survives is
// reported as bad_ipv4_length / bad_ipv6_length, because the IP length names bytes the frame
// lacks. A first fragment too short for its L4 header (RFC 1858's tiny fragment) is dropped.
// What is never inspected (unknown EtherTypes and IP protocols, payloads) is never a drop.
struct alignas(8) FlowKey {
  uint32_t in_port;    // Datapath port number, host byte order.
  uint16_t vlan_tpid;  // 0x8100 or 0x88a8 if tagged, else 0.
  uint16_t vlan_tci;   // PCP | kVlanPresent | VID, or 0 if untagged.
  std::array<uint8_t, 6> eth_dst;
  std::array<uint8_t, 6> eth_src;
  uint16_t eth_type;  // After any VLAN tag; kEthTypeNone for 802.3 frames.
  uint16_t arp_op;
  uint32_t nw_src;  // IPv4 source, or ARP sender protocol address.
  uint32_t nw_dst;  // IPv4 destination, or ARP target protocol address.
  std::array<uint8_t, 16> ipv6_src;
  std::array<uint8_t, 16> ipv6_dst;
  uint32_t ipv6_label;  // Flow label, low 20 bits.
  uint8_t nw_proto;     // IP protocol / final IPv6 next header.
  uint8_t nw_tos;       // DSCP and ECN (IPv4 TOS, IPv6 traffic class).
  uint8_t nw_ttl;       // IPv4 TTL, IPv6 hop limit.
  uint8_t nw_frag;      // kNwFragAny | kNwFragLater bits.
  std::array<uint8_t, 6> arp_sha;  // ARP sender MAC, or an ICMPv6 ND source link-layer option.
  std::array<uint8_t, 6> arp_tha;  // ARP target MAC, or an ICMPv6 ND target link-layer option.
  uint16_t tp_src;  // TCP/UDP source port, or ICMP type.
  uint16_t tp_dst;  // TCP/UDP destination port, or ICMP code.
  std::array<uint8_t, 16> nd_target;  // ICMPv6 neighbour solicitation/advertisement target.
  // Not from the frame (the parser leaves them 0), host byte order:
  uint64_t metadata;   // OpenFlow metadata, written between tables (write_metadata).
  uint64_t tunnel_id;  // The tunnel key a frame arrived with (GRE), OpenFlow tunnel_id.
  uint32_t tun_src;    // The outer IPv4 source and destination a tunnelled frame arrived
  uint32_t tun_dst;    // with (OVS tun_src, tun_dst); tun_dst set: where a remote_ip=flow
                       // GRE port sends it.
};

// A mask has the key's layout: a 1 bit means "this bit matters".
using FlowMask = FlowKey;

inline constexpr size_t kFlowKeyWords = sizeof(FlowKey) / sizeof(uint64_t);
static_assert(sizeof(FlowKey) % sizeof(uint64_t) == 0);
static_assert(sizeof(FlowKey) == 128);
static_assert(std::is_trivially_copyable_v<FlowKey>);
static_assert(std::has_unique_object_representations_v<FlowKey>, "FlowKey must have no padding");

inline constexpr uint16_t kVlanPresent = 0x1000;  // Host order; stored as htons(kVlanPresent).
inline constexpr uint16_t kEthTypeNone = 0x05ff;  // Host order.
inline constexpr uint8_t kNwFragAny = 1 << 0;     // Any fragment, including the first.
inline constexpr uint8_t kNwFragLater = 1 << 1;   // Not the first fragment.

namespace flow_internal {

inline uint64_t load_word(const FlowKey& key, size_t i) {
  uint64_t word;
  std::memcpy(&word, reinterpret_cast<const uint8_t*>(&key) + i * sizeof word, sizeof word);
  return word;
}

}  // namespace flow_internal

// True if `a` and `b` agree on every bit that `mask` sets.
inline bool flow_equal_masked(const FlowKey& a, const FlowKey& b, const FlowMask& mask) {
  uint64_t diff = 0;
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    diff |= (flow_internal::load_word(a, i) ^ flow_internal::load_word(b, i)) &
            flow_internal::load_word(mask, i);
  }
  return diff == 0;
}

// Clears every bit of `key` that `mask` does not set.
inline void flow_apply_mask(FlowKey& key, const FlowMask& mask) {
  auto* bytes = reinterpret_cast<uint8_t*>(&key);
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    uint64_t word = flow_internal::load_word(key, i) & flow_internal::load_word(mask, i);
    std::memcpy(bytes + i * sizeof word, &word, sizeof word);
  }
}

// Hash of every word of `key` (mask it first to hash a masked key). Equal keys hash equal for
// the same basis; not stable across releases, never put it on the wire.
uint64_t flow_hash(const FlowKey& key, uint64_t basis);

// Fills `*key` from `frame` received on `in_port`. Returns std::nullopt if the key is usable,
// else why the frame must be dropped (then `*key` holds what was parsed so far; do not look it
// up). Never allocates, never throws, reads only inside `frame`.
[[nodiscard]] std::optional<DropReason> parse_flow(std::span<const uint8_t> frame, uint32_t in_port,
                                                   FlowKey* key);

}  // namespace vs
