// Why the datapath dropped a frame: one named list (X-macro) that gives the enum, the counter
// index, and the names `vsappctl coverage/show` prints. The parser in lib/flow_key.h produces
// most of these; later stages (translation's drop action, the datapath's header pushes) append
// their own here rather than keeping private lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// X(enumerator, snake_case name, description). Append only: the order is the counter index.
#define VS_DROP_REASONS(X)                                                                      \
  X(kTruncatedEthernet, "truncated_ethernet", "frame shorter than the 14-byte Ethernet header") \
  X(kTruncatedVlan, "truncated_vlan", "802.1Q/802.1ad tag cut short")                           \
  X(kTruncatedArp, "truncated_arp", "ARP header cut short")                                     \
  X(kTruncatedIpv4, "truncated_ipv4", "IPv4 header (with options) cut short")                   \
  X(kBadIpv4Header, "bad_ipv4_header", "IPv4 version is not 4 or IHL is below 5")               \
  X(kBadIpv4Length, "bad_ipv4_length", "IPv4 total length below IHL*4 or beyond the frame")     \
  X(kTruncatedIpv6, "truncated_ipv6", "IPv6 fixed header cut short")                            \
  X(kBadIpv6Header, "bad_ipv6_header", "IPv6 version is not 6")                                 \
  X(kBadIpv6Length, "bad_ipv6_length", "IPv6 payload length beyond the frame")                  \
  X(kTruncatedIpv6Ext, "truncated_ipv6_ext", "IPv6 extension header cut short")                 \
  X(kTruncatedTcp, "truncated_tcp", "TCP header (with options) cut short")                      \
  X(kBadTcpHeader, "bad_tcp_header", "TCP data offset below 5")                                 \
  X(kTruncatedUdp, "truncated_udp", "UDP header cut short")                                     \
  X(kTruncatedIcmp, "truncated_icmp", "ICMP header cut short")                                  \
  X(kTruncatedIcmpv6, "truncated_icmpv6", "ICMPv6 header cut short")                            \
  X(kVlanFiltered, "vlan_filtered",                                                             \
    "refused by the ingress port's VLAN rules (tagged on an access port, VLAN not trunked)")    \
  X(kNoHeadroom, "no_headroom", "no room in front of the frame for a pushed header")            \
  X(kTruncatedSctp, "truncated_sctp", "SCTP common header cut short")                           \
  X(kGreTruncated, "gre_truncated", "GRE header cut short")                                     \
  X(kGreBadFlags, "gre_bad_flags",                                                              \
    "GRE routing, recursion or flag bits that RFC 2784/2890 do not define")                     \
  X(kGreBadVersion, "gre_bad_version", "GRE version other than 0")                              \
  X(kGreBadProtocol, "gre_bad_protocol", "GRE carrying something other than Ethernet (0x6558)") \
  X(kGreBadChecksum, "gre_bad_checksum", "GRE checksum does not match the packet")              \
  X(kGreNoPort, "gre_no_port", "GRE packet whose remote, local address and key match no GRE port")

namespace vs {

enum class DropReason : uint8_t {
#define VS_DROP_REASON_ENUM(name, text, description) name,
  VS_DROP_REASONS(VS_DROP_REASON_ENUM)
#undef VS_DROP_REASON_ENUM
};

#define VS_DROP_REASON_COUNT(name, text, description) +1
inline constexpr size_t kDropReasonCount = 0 VS_DROP_REASONS(VS_DROP_REASON_COUNT);
#undef VS_DROP_REASON_COUNT

// Returns "" for a value outside the list.
constexpr std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
#define VS_DROP_REASON_NAME(name, text, description) \
  case DropReason::name:                             \
    return text;
    VS_DROP_REASONS(VS_DROP_REASON_NAME)
#undef VS_DROP_REASON_NAME
  }
  return "";
}

constexpr std::string_view drop_reason_description(DropReason reason) {
  switch (reason) {
#define VS_DROP_REASON_DESCRIPTION(name, text, description) \
  case DropReason::name:                                    \
    return description;
    VS_DROP_REASONS(VS_DROP_REASON_DESCRIPTION)
#undef VS_DROP_REASON_DESCRIPTION
  }
  return "";
}

}  // namespace vs
