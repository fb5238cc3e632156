// Frame parsing into a FlowKey and the flow hash. The parsing rules and the drop-versus-keep
// policy are documented in flow_key.h; each parse_* step below checks its own bounds.
#include "lib/flow_key.h"

#include <arpa/inet.h>

#include <bit>

#include "lib/byte_order.h"
#include "lib/protocols.h"

namespace vs {
namespace {

using Bytes = std::span<const uint8_t>;

// Copies wire bytes into a key field unchanged, so the field stays in network order.
template <class Field>
void copy_wire(Field* field, const uint8_t* p) {
  std::memcpy(field, p, sizeof *field);
}

// Neighbour solicitation (135) and advertisement (136): the target and the link-layer address
// options (source for a solicitation, target for an advertisement), into nd_target, arp_sha
// and arp_tha as OVS keeps them. A message too short for its target, an option of length 0 or
// past the end, or a second address option leaves all three zero; the packet is still
// forwarded, as OVS does (RFC 4861 7.1.1 makes the receiving node drop it, not a switch).
void parse_nd(Bytes icmp, FlowKey* key) {
  if ((icmp[0] != kNdSolicitation && icmp[0] != kNdAdvertisement) || icmp[1] != 0) return;
  if (icmp.size() < kNdOptionsAt) return;
  FlowKey found{};
  std::memcpy(found.nd_target.data(), &icmp[kNdTargetAt], found.nd_target.size());
  bool have_sll = false, have_tll = false;
  for (size_t at = kNdOptionsAt; at < icmp.size();) {
    if (icmp.size() - at < 2) return;
    const size_t len = size_t{icmp[at + 1]} * 8;
    if (len == 0 || len > icmp.size() - at) return;
    const uint8_t type = icmp[at];
    if (len == 8 && type == kNdOptionSourceLinkAddress && icmp[0] == kNdSolicitation) {
      if (have_sll) return;
      have_sll = true;
      std::memcpy(found.arp_sha.data(), &icmp[at + 2], found.arp_sha.size());
    } else if (len == 8 && type == kNdOptionTargetLinkAddress && icmp[0] == kNdAdvertisement) {
      if (have_tll) return;
      have_tll = true;
      std::memcpy(found.arp_tha.data(), &icmp[at + 2], found.arp_tha.size());
    }
    at += len;
  }
  key->nd_target = found.nd_target;
  key->arp_sha = found.arp_sha;
  key->arp_tha = found.arp_tha;
}

std::optional<DropReason> parse_l4(uint8_t proto, bool ipv6, Bytes l4, FlowKey* key) {
  if (proto == kIpProtoTcp) {
    if (l4.size() < kTcpMinHeaderLen) return DropReason::kTruncatedTcp;
    size_t header_len = (size_t{l4[12]} >> 4) * 4;
    if (header_len < kTcpMinHeaderLen) return DropReason::kBadTcpHeader;
    if (l4.size() < header_len) return DropReason::kTruncatedTcp;
    copy_wire(&key->tp_src, &l4[0]);
    copy_wire(&key->tp_dst, &l4[2]);
  } else if (proto == kIpProtoUdp) {
    if (l4.size() < kUdpHeaderLen) return DropReason::kTruncatedUdp;
    copy_wire(&key->tp_src, &l4[0]);
    copy_wire(&key->tp_dst, &l4[2]);
  } else if (proto == kIpProtoSctp) {
    if (l4.size() < kSctpHeaderLen) return DropReason::kTruncatedSctp;
    copy_wire(&key->tp_src, &l4[0]);
    copy_wire(&key->tp_dst, &l4[2]);
  } else if ((proto == kIpProtoIcmp && !ipv6) || (proto == kIpProtoIcmpv6 && ipv6)) {
    if (l4.size() < kIcmpHeaderLen) {
      return ipv6 ? DropReason::kTruncatedIcmpv6 : DropReason::kTruncatedIcmp;
    }
    key->tp_src = htons(l4[0]);
    key->tp_dst = htons(l4[1]);
    if (ipv6) parse_nd(l4, key);
  }
  return std::nullopt;
}

std::optional<DropReason> parse_arp(Bytes arp, FlowKey* key) {
  if (arp.size() < kArpFixedLen) return DropReason::kTruncatedArp;
  if (load_be16(&arp[0]) != 1 || load_be16(&arp[2]) != kEthTypeIpv4 || arp[4] != 6 || arp[5] != 4) {
    return std::nullopt;  // Not Ethernet/IPv4 ARP: kept, ARP fields stay zero.
  }
  if (arp.size() < kArpEthIpv4Len) return DropReason::kTruncatedArp;
  copy_wire(&key->arp_op, &arp[6]);
  copy_wire(&key->arp_sha, &arp[8]);
  copy_wire(&key->nw_src, &arp[14]);
  copy_wire(&key->arp_tha, &arp[18]);
  copy_wire(&key->nw_dst, &arp[24]);
  return std::nullopt;
}

std::optional<DropReason> parse_ipv4(Bytes ip, FlowKey* key) {
  if (ip.size() < kIpv4MinHeaderLen) return DropReason::kTruncatedIpv4;
  size_t header_len = size_t{ip[0] & 0x0fu} * 4;
  if (ip[0] >> 4 != 4 || header_len < kIpv4MinHeaderLen) return DropReason::kBadIpv4Header;
  if (ip.size() < header_len) return DropReason::kTruncatedIpv4;
  size_t total_len = load_be16(&ip[2]);
  if (total_len < header_len || total_len > ip.size()) return DropReason::kBadIpv4Length;

  key->nw_tos = ip[1];
  key->nw_ttl = ip[8];
  key->nw_proto = ip[9];
  copy_wire(&key->nw_src, &ip[12]);
  copy_wire(&key->nw_dst, &ip[16]);
  uint16_t frag = load_be16(&ip[6]);
  if (frag & 0x3fff) {  // MF or a fragment offset.
    key->nw_frag = kNwFragAny;
    if (frag & 0x1fff) {
      key->nw_frag |= kNwFragLater;
      return std::nullopt;
    }
  }
  return parse_l4(key->nw_proto, false, ip.subspan(header_len, total_len - header_len), key);
}

std::optional<DropReason> parse_ipv6(Bytes ip, FlowKey* key) {
  if (ip.size() < kIpv6HeaderLen) return DropReason::kTruncatedIpv6;
  uint32_t version_class_label = load_be32(&ip[0]);
  if (version_class_label >> 28 != 6) return DropReason::kBadIpv6Header;
  size_t payload_len = load_be16(&ip[4]);
  if (payload_len > ip.size() - kIpv6HeaderLen) return DropReason::kBadIpv6Length;

  key->nw_tos = static_cast<uint8_t>(version_class_label >> 20);
  key->ipv6_label = htonl(version_class_label & 0xfffff);
  key->nw_ttl = ip[7];
  copy_wire(&key->ipv6_src, &ip[8]);
  copy_wire(&key->ipv6_dst, &ip[24]);

  // Each extension header is at least 8 bytes, so this loop ends within the payload.
  uint8_t next = ip[6];
  Bytes rest = ip.subspan(kIpv6HeaderLen, payload_len);
  for (;;) {
    key->nw_proto = next;
    if (next == kIpProtoFragment) {
      if (rest.size() < kIpv6FragHeaderLen) return DropReason::kTruncatedIpv6Ext;
      uint16_t offset_flags = load_be16(&rest[2]);
      next = rest[0];
      rest = rest.subspan(kIpv6FragHeaderLen);
      if (offset_flags & 0xfff9) {  // Offset or M bit; the two reserved bits are ignored.
        key->nw_frag = kNwFragAny;
        if (offset_flags & 0xfff8) {
          key->nw_frag |= kNwFragLater;
          key->nw_proto = next;
          return std::nullopt;
        }
      }
    } else if (next == kIpProtoHopByHop || next == kIpProtoRouting || next == kIpProtoDstOpts) {
      if (rest.size() < 2) return DropReason::kTruncatedIpv6Ext;
      size_t len = (size_t{rest[1]} + 1) * 8;
      if (rest.size() < len) return DropReason::kTruncatedIpv6Ext;
      next = rest[0];
      rest = rest.subspan(len);
    } else {
      break;
    }
  }
  return parse_l4(next, true, rest, key);
}

}  // namespace

uint64_t flow_hash(const FlowKey& key, uint64_t basis) {
  // MurmurHash3 x64 block mixing, one 64-bit word at a time, then its finaliser.
  constexpr uint64_t kC1 = 0x87c37b91114253d5ull;
  constexpr uint64_t kC2 = 0x4cf5ad432745937full;
  uint64_t h = basis;
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    uint64_t k = flow_internal::load_word(key, i) * kC1;
    k = std::rotl(k, 31) * kC2;
    h ^= k;
    h = std::rotl(h, 27) * 5 + 0x52dce729;
  }
  h ^= sizeof(FlowKey);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

std::optional<DropReason> parse_flow(std::span<const uint8_t> frame, uint32_t in_port,
                                     FlowKey* key) {
  *key = FlowKey{};
  key->in_port = in_port;
  if (frame.size() < kEthHeaderLen) return DropReason::kTruncatedEthernet;
  copy_wire(&key->eth_dst, &frame[0]);
  copy_wire(&key->eth_src, &frame[6]);
  uint16_t type = load_be16(&frame[12]);
  Bytes rest = frame.subspan(kEthHeaderLen);

  if (type == kEthTypeVlan || type == kEthTypeQinQ) {
    if (rest.size() < kVlanTagLen) return DropReason::kTruncatedVlan;
    key->vlan_tpid = htons(type);
    key->vlan_tci = htons(load_be16(&rest[0]) | kVlanPresent);
    type = load_be16(&rest[2]);
    rest = rest.subspan(kVlanTagLen);
  }
  if (type < kEthTypeMin) {
    key->eth_type = htons(kEthTypeNone);
    return std::nullopt;
  }
  key->eth_type = htons(type);
  switch (type) {
    case kEthTypeArp:
      return parse_arp(rest, key);
    case kEthTypeIpv4:
      return parse_ipv4(rest, key);
    case kEthTypeIpv6:
      return parse_ipv6(rest, key);
    default:
      return std::nullopt;  // Includes a second VLAN tag, which is not parsed.
  }
}

}  // namespace vs
