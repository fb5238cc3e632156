// OXM match <-> flow-key rule (flow_match.h). The byte orders follow lib/flow_key.cc's parser:
// network-order fields take the OXM bytes as they are, so a rule matches what parse_flow() fills.
#include "controller/flow_match.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cassert>

#include "lib/protocols.h"

namespace vs::controller {
namespace {

using ofp::Oxm;
using F = ofp::OxmField;


constexpr uint16_t kTciVidBits = 0x1fff;  // OFPVID_PRESENT (kVlanPresent) and the VID
constexpr uint16_t kTciPcpBits = 0xe000;
constexpr int kTciPcpShift = 13;
constexpr uint8_t kTosDscpBits = 0xfc;
constexpr uint8_t kTosEcnBits = 0x03;

bool key_holds(F field) {
  switch (field) {
    case F::kInPhyPort:
    case F::kMplsLabel:
    case F::kMplsTc:
    case F::kMplsBos:
    case F::kPbbIsid:
    case F::kIpv6Exthdr:
      return false;
    default:
      return true;
  }
}

// The checks decode_match() makes on the wire, for matches built in code.
ofp::OfpResult<void> check(const ofp::Match& match) {
  std::array<bool, ofp::kOxmFieldCount> seen{};
  for (const Oxm& oxm : match) {
    if (!key_holds(oxm.field)) return ofp::err::kBadField;
    const auto index = static_cast<size_t>(oxm.field);
    if (seen[index]) return ofp::err::kDupField;
    seen[index] = true;
    const ofp::OxmFieldInfo& info = ofp::oxm_info(oxm.field);
    if (oxm.has_mask && !info.maskable) return ofp::err::kBadMask;
    if (info.value_bits != 0 && (oxm.number() & ~info.value_bits) != 0) {
      return ofp::err::kBadValue;
    }
  }
  return ofp::check_prerequisites(match);
}

// A network-order key field from the OXM's bytes, unchanged (the parser copies wire bytes too).
template <class Field>
void set_wire(Field& key, Field& mask, const Oxm& oxm) {
  assert(oxm.length() == sizeof(Field));
  std::memcpy(&key, oxm.value.data(), sizeof(Field));
  std::memcpy(&mask, oxm.mask.data(), sizeof(Field));
}

void set_field(const Oxm& oxm, FlowKey& key, FlowMask& mask) {
  const uint64_t value = oxm.number();
  switch (oxm.field) {
    case F::kInPort:
      key.in_port = static_cast<uint32_t>(value);
      mask.in_port = UINT32_MAX;
      break;
    case F::kMetadata:
      key.metadata = value;
      mask.metadata = oxm.mask_number();
      break;
    case F::kTunnelId:
      key.tunnel_id = value;
      mask.tunnel_id = oxm.mask_number();
      break;
    case F::kTunIpv4Src:  // host order, as the datapath fills it from the outer header
      key.tun_src = static_cast<uint32_t>(value);
      mask.tun_src = static_cast<uint32_t>(oxm.mask_number());
      break;
    case F::kTunIpv4Dst:
      key.tun_dst = static_cast<uint32_t>(value);
      mask.tun_dst = static_cast<uint32_t>(oxm.mask_number());
      break;
    case F::kEthDst:
      set_wire(key.eth_dst, mask.eth_dst, oxm);
      break;
    case F::kEthSrc:
      set_wire(key.eth_src, mask.eth_src, oxm);
      break;
    case F::kEthType:
      set_wire(key.eth_type, mask.eth_type, oxm);
      break;
    case F::kVlanVid:  // 13 bits that are the TCI's CFI (kVlanPresent) and VID bits
      key.vlan_tci |= htons(static_cast<uint16_t>(value));
      mask.vlan_tci |= htons(static_cast<uint16_t>(oxm.mask_number() & kTciVidBits));
      break;
    case F::kVlanPcp:
      key.vlan_tci |= htons(static_cast<uint16_t>(value << kTciPcpShift));
      mask.vlan_tci |= htons(kTciPcpBits);
      break;
    case F::kIpDscp:
      key.nw_tos |= static_cast<uint8_t>(value << 2);
      mask.nw_tos |= kTosDscpBits;
      break;
    case F::kIpEcn:
      key.nw_tos |= static_cast<uint8_t>(value);
      mask.nw_tos |= kTosEcnBits;
      break;
    case F::kIpProto:
      key.nw_proto = static_cast<uint8_t>(value);
      mask.nw_proto = UINT8_MAX;
      break;
    case F::kIpv4Src:
    case F::kArpSpa:
      set_wire(key.nw_src, mask.nw_src, oxm);
      break;
    case F::kIpv4Dst:
    case F::kArpTpa:
      set_wire(key.nw_dst, mask.nw_dst, oxm);
      break;
    case F::kTcpSrc:
    case F::kUdpSrc:
    case F::kSctpSrc:
      set_wire(key.tp_src, mask.tp_src, oxm);
      break;
    case F::kTcpDst:
    case F::kUdpDst:
    case F::kSctpDst:
      set_wire(key.tp_dst, mask.tp_dst, oxm);
      break;
    case F::kIcmpv4Type:
    case F::kIcmpv6Type:  // widened to 16 bits, as the parser stores them
      key.tp_src = htons(static_cast<uint16_t>(value));
      mask.tp_src = UINT16_MAX;
      break;
    case F::kIcmpv4Code:
    case F::kIcmpv6Code:
      key.tp_dst = htons(static_cast<uint16_t>(value));
      mask.tp_dst = UINT16_MAX;
      break;
    case F::kArpOp:
      set_wire(key.arp_op, mask.arp_op, oxm);
      break;
    case F::kArpSha:
      set_wire(key.arp_sha, mask.arp_sha, oxm);
      break;
    case F::kArpTha:
      set_wire(key.arp_tha, mask.arp_tha, oxm);
      break;
    case F::kIpv6Src:
      set_wire(key.ipv6_src, mask.ipv6_src, oxm);
      break;
    case F::kIpv6Dst:
      set_wire(key.ipv6_dst, mask.ipv6_dst, oxm);
      break;
    case F::kIpv6Flabel:  // an exact label keeps its all-ones mask, as in OVS
      set_wire(key.ipv6_label, mask.ipv6_label, oxm);
      break;
    case F::kIpv6NdTarget:
      set_wire(key.nd_target, mask.nd_target, oxm);
      break;
    case F::kIpv6NdSll:  // ND's link-layer options share the ARP addresses, as in OVS
      set_wire(key.arp_sha, mask.arp_sha, oxm);
      break;
    case F::kIpv6NdTll:
      set_wire(key.arp_tha, mask.arp_tha, oxm);
      break;
    default:  // refused by check()
      assert(false);
      break;
  }
}

// Appends OXMs in order: nothing for a zero mask, an exact OXM for a full mask (or a field
// that takes no mask), else a masked one.
class OxmWriter {
 public:
  explicit OxmWriter(ofp::Match& out) : out_(out) {}

  template <class Field>
  void wire(F field, const Field& value, const Field& mask) {
    assert(ofp::oxm_info(field).length == sizeof(Field));
    std::array<uint8_t, sizeof(Field)> mask_bytes;
    std::memcpy(mask_bytes.data(), &mask, sizeof(Field));
    if (std::all_of(mask_bytes.begin(), mask_bytes.end(), [](uint8_t b) { return b == 0; })) {
      return;
    }
    Oxm oxm =
        Oxm::exact_bytes(field, std::span(reinterpret_cast<const uint8_t*>(&value), sizeof(Field)));
    const bool full =
        std::all_of(mask_bytes.begin(), mask_bytes.end(), [](uint8_t b) { return b == 0xff; });
    if (!full && ofp::oxm_info(field).maskable) {
      oxm.has_mask = true;
      std::copy(mask_bytes.begin(), mask_bytes.end(), oxm.mask.begin());
    }
    out_.push_back(oxm);
  }

  // `full` is the mask that makes the field exact.
  void number(F field, uint64_t value, uint64_t mask, uint64_t full) {
    if (mask == 0) return;
    if ((mask & full) == full || !ofp::oxm_info(field).maskable) {
      out_.push_back(Oxm::exact(field, value));
    } else {
      out_.push_back(Oxm::masked(field, value, mask));
    }
  }

 private:
  ofp::Match& out_;
};

}  // namespace

ofp::OfpResult<FlowMatch> to_flow_match(const ofp::Match& match) {
  if (auto checked = check(match); !checked) return checked.error();
  FlowMatch out;
  for (const Oxm& oxm : match) set_field(oxm, out.key, out.mask);
  flow_apply_mask(out.key, out.mask);
  return out;
}

ofp::Match to_oxm_match(const FlowMatch& match) {
  const FlowKey& key = match.key;
  const FlowMask& mask = match.mask;
  ofp::Match out;
  OxmWriter put(out);

  put.number(F::kInPort, key.in_port, mask.in_port, UINT32_MAX);
  put.wire(F::kEthSrc, key.eth_src, mask.eth_src);
  put.wire(F::kEthDst, key.eth_dst, mask.eth_dst);
  put.wire(F::kEthType, key.eth_type, mask.eth_type);

  const uint16_t tci = ntohs(key.vlan_tci);
  const uint16_t tci_mask = ntohs(mask.vlan_tci);
  put.number(F::kVlanVid, tci & kTciVidBits, tci_mask & kTciVidBits, kTciVidBits);
  if ((tci & kVlanPresent) && (tci_mask & kTciPcpBits)) {
    put.number(F::kVlanPcp, tci >> kTciPcpShift, 1, 1);
  }

  // The L3 and L4 fields an exact eth_type and ip_proto give a meaning to.
  const uint16_t eth_type = mask.eth_type == UINT16_MAX ? ntohs(key.eth_type) : 0;
  if (eth_type == kEthTypeIpv4 || eth_type == kEthTypeIpv6) {
    const bool ipv4 = eth_type == kEthTypeIpv4;
    if (ipv4) {
      put.wire(F::kIpv4Src, key.nw_src, mask.nw_src);
      put.wire(F::kIpv4Dst, key.nw_dst, mask.nw_dst);
    } else {
      put.wire(F::kIpv6Src, key.ipv6_src, mask.ipv6_src);
      put.wire(F::kIpv6Dst, key.ipv6_dst, mask.ipv6_dst);
    }
    put.number(F::kIpDscp, key.nw_tos >> 2, mask.nw_tos & kTosDscpBits, 1);
    put.number(F::kIpEcn, key.nw_tos & kTosEcnBits, mask.nw_tos & kTosEcnBits, 1);
    if (!ipv4) put.wire(F::kIpv6Flabel, key.ipv6_label, mask.ipv6_label);
    if (mask.nw_proto != 0) {
      put.number(F::kIpProto, key.nw_proto, 1, 1);
      const uint8_t proto = mask.nw_proto == UINT8_MAX ? key.nw_proto : 0;
      if (proto == kIpProtoTcp) {
        put.wire(F::kTcpSrc, key.tp_src, mask.tp_src);
        put.wire(F::kTcpDst, key.tp_dst, mask.tp_dst);
      } else if (proto == kIpProtoUdp) {
        put.wire(F::kUdpSrc, key.tp_src, mask.tp_src);
        put.wire(F::kUdpDst, key.tp_dst, mask.tp_dst);
      } else if (proto == kIpProtoSctp) {
        put.wire(F::kSctpSrc, key.tp_src, mask.tp_src);
        put.wire(F::kSctpDst, key.tp_dst, mask.tp_dst);
      } else if ((proto == kIpProtoIcmp && ipv4) || (proto == kIpProtoIcmpv6 && !ipv4)) {
        put.number(ipv4 ? F::kIcmpv4Type : F::kIcmpv6Type, ntohs(key.tp_src), mask.tp_src, 1);
        put.number(ipv4 ? F::kIcmpv4Code : F::kIcmpv6Code, ntohs(key.tp_dst), mask.tp_dst, 1);
        // Neighbour discovery: the target, and the option a solicitation or advertisement has.
        const uint16_t type = mask.tp_src == UINT16_MAX ? ntohs(key.tp_src) : 0;
        if (!ipv4 && (type == kNdSolicitation || type == kNdAdvertisement)) {
          put.wire(F::kIpv6NdTarget, key.nd_target, mask.nd_target);
          if (type == kNdSolicitation) put.wire(F::kIpv6NdSll, key.arp_sha, mask.arp_sha);
          if (type == kNdAdvertisement) put.wire(F::kIpv6NdTll, key.arp_tha, mask.arp_tha);
        }
      }
    }
  } else if (eth_type == kEthTypeArp) {
    put.wire(F::kArpOp, key.arp_op, mask.arp_op);
    put.wire(F::kArpSpa, key.nw_src, mask.nw_src);
    put.wire(F::kArpTpa, key.nw_dst, mask.nw_dst);
    put.wire(F::kArpSha, key.arp_sha, mask.arp_sha);
    put.wire(F::kArpTha, key.arp_tha, mask.arp_tha);
  }

  put.number(F::kTunnelId, key.tunnel_id, mask.tunnel_id, UINT64_MAX);
  put.number(F::kTunIpv4Src, key.tun_src, mask.tun_src, UINT32_MAX);
  put.number(F::kTunIpv4Dst, key.tun_dst, mask.tun_dst, UINT32_MAX);
  put.number(F::kMetadata, key.metadata, mask.metadata, UINT64_MAX);
  return out;
}

}  // namespace vs::controller
