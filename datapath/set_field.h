// Header rewrites for the datapath's set action (OVS's odp `set`): write one field of an
// Ethernet/ARP/IPv4/IPv6/TCP/UDP/SCTP/ICMP/neighbour-discovery header in place and keep every
// checksum that covers it right. actions.h carries a SetField in DpAction::Kind::kSetField; the
// controller translates OpenFlow set_field, set_nw_ttl and dec_nw_ttl into them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "lib/packet.h"

namespace vs::datapath {

enum class HeaderField : uint8_t {
  kEthSrc,
  kEthDst,
  kIpv4Src,
  kIpv4Dst,
  kIpDscp,  // IPv4 TOS or IPv6 traffic class, high 6 bits.
  kIpEcn,   // Same byte, low 2 bits.
  kIpTtl,   // IPv4 TTL or IPv6 hop limit.
  kIpv6Src,
  kIpv6Dst,
  kIpv6Label,
  kTpSrc,     // TCP/UDP/SCTP source port.
  kTpDst,     // TCP/UDP/SCTP destination port.
  kIcmpType,  // ICMP over IPv4 or ICMPv6 over IPv6.
  kIcmpCode,
  kArpOp,
  kArpSpa,
  kArpTpa,
  kArpSha,
  kArpTha,
  kNdTarget,  // Target address of a neighbour solicitation or advertisement (ICMPv6 135/136).
  kNdSll,     // MAC of a solicitation's source link-layer address option.
  kNdTll,     // MAC of an advertisement's target link-layer address option.
  // Not headers: the packet's tunnel metadata (lib/packet.h), the key a GRE port with key=flow
  // sends (8 bytes, big-endian) and where one with remote_ip=flow sends (an IPv4 address).
  kTunnelId,
  kTunnelDst,
};

// One field and its new value, in network byte order and left-aligned in `value`: MACs 6 bytes
// (nd_sll and nd_tll too), IPv4 addresses 4, IPv6 addresses 16 (nd_target too), ports and the ARP
// op 2, the IPv6 label 4 (a big-endian 32-bit word holding the 20-bit label), DSCP (0..63), ECN
// (0..3), TTL and ICMP type/code 1. Bits beyond the field's width (DSCP's top 2, the label's top
// 12) are ignored; bytes beyond header_field_size() are ignored and, as made by set_field(), zero.
struct SetField {
  HeaderField field = HeaderField::kEthSrc;
  std::array<uint8_t, 16> value{};
  bool operator==(const SetField&) const = default;
};

// Bytes of SetField::value that `field` uses (0 for a value outside the enum).
size_t header_field_size(HeaderField field);

// `bytes` copied into the value (at most 16; pass header_field_size(field) bytes).
SetField set_field(HeaderField field, std::span<const uint8_t> bytes);
// The low header_field_size(field) bytes of `value`, stored big-endian: set_field(kTpDst, 80),
// set_field(kIpTtl, 63), set_field(kEthDst, 0x020000000001); an IPv6 address gets ::value.
SetField set_field(HeaderField field, uint64_t value);

// Short names for traces and logs: "eth_src", "ipv4_dst", "ip_ttl", "tp_src", "arp_sha",
// "nd_target", ...
std::string_view header_field_name(HeaderField field);
// "set(ipv4_dst=198.18.0.9)", "set(eth_dst=02:00:00:00:00:01)", "set(ipv6_src=2001:db8::1)",
// "set(tp_dst=80)", "set(ipv6_label=0x12345)".
std::string format_set_field(const SetField& set);

// Writes `set` into the frame if it has that header, updating every checksum that covers the
// field (IPv4 header; TCP, UDP and ICMPv6 pseudo headers; TCP/UDP/ICMP/ICMPv6 checksums;
// SCTP's CRC32c). Returns false and leaves the frame untouched if it lacks the header: the
// wrong EtherType or IP protocol, an L4 field on a non-first fragment, SCTP ports on any
// fragment (the CRC covers bytes the fragment lacks), a frame cut short, or one whose IP or L4
// header parse_flow would refuse. The ND fields need a neighbour solicitation (nd_target,
// nd_sll) or advertisement (nd_target, nd_tll) with code 0 over IPv6, and nd_sll/nd_tll a
// link-layer address option of length 1 in a well-formed option list (every option's length
// non-zero and inside the message); the first such option is written. The frame is Ethernet with
// any number of 802.1Q/802.1ad tags. Reads and writes only inside `frame`; never allocates.
// kTunnelId and kTunnelDst are not in the frame: this returns false for them.
bool apply_set_field(std::span<uint8_t> frame, const SetField& set);
// As above, and kTunnelId / kTunnelDst set packet.tunnel.id / .dst.
bool apply_set_field(Packet& packet, const SetField& set);

}  // namespace vs::datapath
