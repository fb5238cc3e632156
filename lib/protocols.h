// Wire constants of the protocols the switch parses (flow_key.h) and rewrites
// (datapath/set_field.h): header lengths, EtherTypes, IP protocol numbers and the ICMPv6
// neighbour-discovery types. Host byte order.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vs {

inline constexpr size_t kEthHeaderLen = 14;
inline constexpr size_t kVlanTagLen = 4;
inline constexpr size_t kArpFixedLen = 8;     // hardware/protocol types and sizes, op
inline constexpr size_t kArpEthIpv4Len = 28;  // ... with Ethernet and IPv4 addresses
inline constexpr size_t kIpv4MinHeaderLen = 20;
inline constexpr size_t kIpv6HeaderLen = 40;
inline constexpr size_t kIpv6FragHeaderLen = 8;
inline constexpr size_t kTcpMinHeaderLen = 20;
inline constexpr size_t kUdpHeaderLen = 8;
inline constexpr size_t kSctpHeaderLen = 12;  // ports, verification tag, checksum
inline constexpr size_t kIcmpHeaderLen = 8;

inline constexpr uint16_t kEthTypeMin = 0x0600;  // below: an 802.3 length
inline constexpr uint16_t kEthTypeIpv4 = 0x0800;
inline constexpr uint16_t kEthTypeArp = 0x0806;
inline constexpr uint16_t kEthTypeVlan = 0x8100;  // 802.1Q
inline constexpr uint16_t kEthTypeQinQ = 0x88a8;  // 802.1ad
inline constexpr uint16_t kEthTypeIpv6 = 0x86dd;

inline constexpr uint8_t kIpProtoHopByHop = 0;
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoRouting = 43;
inline constexpr uint8_t kIpProtoFragment = 44;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint8_t kIpProtoDstOpts = 60;
inline constexpr uint8_t kIpProtoSctp = 132;

// ICMPv6 neighbour discovery (RFC 4861): the message types, where the target address and the
// options start, and the link-layer address options.
inline constexpr uint8_t kNdSolicitation = 135;
inline constexpr uint8_t kNdAdvertisement = 136;
inline constexpr size_t kNdTargetAt = 8;
inline constexpr size_t kNdOptionsAt = 24;
inline constexpr uint8_t kNdOptionSourceLinkAddress = 1;
inline constexpr uint8_t kNdOptionTargetLinkAddress = 2;

}  // namespace vs
