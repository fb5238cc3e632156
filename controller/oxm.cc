// OXM TLVs (oxm.h): the field table, decoding with the specification's checks, encoding.
#include "controller/oxm.h"

#include <algorithm>
#include <optional>

namespace vs::controller::ofp {
namespace {

constexpr size_t kTlvHeader = 4;

// Indexed by OxmField: name, class, number, length, maskable, value_bits (0: every bit).
constexpr OxmFieldInfo kFields[kOxmFieldCount] = {
    {"in_port", kOxmClassBasic, 0, 4, false, 0},
    {"in_phy_port", kOxmClassBasic, 1, 4, false, 0},
    {"metadata", kOxmClassBasic, 2, 8, true, 0},
    {"eth_dst", kOxmClassBasic, 3, 6, true, 0},
    {"eth_src", kOxmClassBasic, 4, 6, true, 0},
    {"eth_type", kOxmClassBasic, 5, 2, false, 0},
    {"vlan_vid", kOxmClassBasic, 6, 2, true, 0x1fff},
    {"vlan_pcp", kOxmClassBasic, 7, 1, false, 0x7},
    {"ip_dscp", kOxmClassBasic, 8, 1, false, 0x3f},
    {"ip_ecn", kOxmClassBasic, 9, 1, false, 0x3},
    {"ip_proto", kOxmClassBasic, 10, 1, false, 0},
    {"ipv4_src", kOxmClassBasic, 11, 4, true, 0},
    {"ipv4_dst", kOxmClassBasic, 12, 4, true, 0},
    // Transport ports take a mask as in Open vSwitch (ovs-ofctl sends tp_dst=0x1000/0xf000 so),
    // although OpenFlow 1.3 lists them as exact.
    {"tcp_src", kOxmClassBasic, 13, 2, true, 0},
    {"tcp_dst", kOxmClassBasic, 14, 2, true, 0},
    {"udp_src", kOxmClassBasic, 15, 2, true, 0},
    {"udp_dst", kOxmClassBasic, 16, 2, true, 0},
    {"sctp_src", kOxmClassBasic, 17, 2, true, 0},
    {"sctp_dst", kOxmClassBasic, 18, 2, true, 0},
    {"icmpv4_type", kOxmClassBasic, 19, 1, false, 0},
    {"icmpv4_code", kOxmClassBasic, 20, 1, false, 0},
    {"arp_op", kOxmClassBasic, 21, 2, false, 0},
    {"arp_spa", kOxmClassBasic, 22, 4, true, 0},
    {"arp_tpa", kOxmClassBasic, 23, 4, true, 0},
    {"arp_sha", kOxmClassBasic, 24, 6, true, 0},
    {"arp_tha", kOxmClassBasic, 25, 6, true, 0},
    {"ipv6_src", kOxmClassBasic, 26, 16, true, 0},
    {"ipv6_dst", kOxmClassBasic, 27, 16, true, 0},
    {"ipv6_flabel", kOxmClassBasic, 28, 4, true, 0xfffff},
    {"icmpv6_type", kOxmClassBasic, 29, 1, false, 0},
    {"icmpv6_code", kOxmClassBasic, 30, 1, false, 0},
    {"ipv6_nd_target", kOxmClassBasic, 31, 16, true, 0},
    {"ipv6_nd_sll", kOxmClassBasic, 32, 6, true, 0},
    {"ipv6_nd_tll", kOxmClassBasic, 33, 6, true, 0},
    {"mpls_label", kOxmClassBasic, 34, 4, false, 0xfffff},
    {"mpls_tc", kOxmClassBasic, 35, 1, false, 0x7},
    {"mpls_bos", kOxmClassBasic, 36, 1, false, 0x1},
    {"pbb_isid", kOxmClassBasic, 37, 3, true, 0xffffff},
    {"tunnel_id", kOxmClassBasic, 38, 8, true, 0},
    {"ipv6_exthdr", kOxmClassBasic, 39, 2, true, 0x1ff},
    // Nicira's, which Open vSwitch sends in OpenFlow 1.3 matches and set_field (its meta-flow.h:
    // NXM_NX_TUN_IPV4_SRC(31), NXM_NX_TUN_IPV4_DST(32), maskable, no prerequisites).
    {"tun_src", kOxmClassNxm1, 31, 4, true, 0},
    {"tun_dst", kOxmClassNxm1, 32, 4, true, 0},
};

// The basic class's fields sit at their own number (OxmField's value up to kIpv6Exthdr).
static_assert([] {
  for (size_t f = 0; f <= static_cast<size_t>(OxmField::kIpv6Exthdr); ++f) {
    if (kFields[f].oxm_class != kOxmClassBasic || kFields[f].number != f) return false;
  }
  return true;
}());

// A prerequisite: `field` matched exactly to `value` or `other` (OpenFlow 1.3, table 11).
struct Prerequisite {
  OxmField field;
  uint64_t value;
  uint64_t other;
  bool met_by(uint64_t v) const { return v == value || v == other; }
};

constexpr uint64_t kIpv4 = 0x0800, kIpv6 = 0x86dd, kArp = 0x0806;

std::optional<Prerequisite> prerequisite_of(OxmField field) {
  using F = OxmField;
  switch (field) {
    case F::kIpDscp:
    case F::kIpEcn:
    case F::kIpProto:
      return Prerequisite{F::kEthType, kIpv4, kIpv6};
    case F::kIpv4Src:
    case F::kIpv4Dst:
      return Prerequisite{F::kEthType, kIpv4, kIpv4};
    case F::kTcpSrc:
    case F::kTcpDst:
      return Prerequisite{F::kIpProto, 6, 6};
    case F::kUdpSrc:
    case F::kUdpDst:
      return Prerequisite{F::kIpProto, 17, 17};
    case F::kSctpSrc:
    case F::kSctpDst:
      return Prerequisite{F::kIpProto, 132, 132};
    case F::kIcmpv4Type:
    case F::kIcmpv4Code:
      return Prerequisite{F::kIpProto, 1, 1};
    case F::kArpOp:
    case F::kArpSpa:
    case F::kArpTpa:
    case F::kArpSha:
    case F::kArpTha:
      return Prerequisite{F::kEthType, kArp, kArp};
    case F::kIpv6Src:
    case F::kIpv6Dst:
    case F::kIpv6Flabel:
    case F::kIpv6Exthdr:
      return Prerequisite{F::kEthType, kIpv6, kIpv6};
    case F::kIcmpv6Type:
    case F::kIcmpv6Code:
      return Prerequisite{F::kIpProto, 58, 58};
    case F::kIpv6NdTarget:
      return Prerequisite{F::kIcmpv6Type, 135, 136};
    case F::kIpv6NdSll:
      return Prerequisite{F::kIcmpv6Type, 135, 135};
    case F::kIpv6NdTll:
      return Prerequisite{F::kIcmpv6Type, 136, 136};
    case F::kMplsLabel:
    case F::kMplsTc:
    case F::kMplsBos:
      return Prerequisite{F::kEthType, 0x8847, 0x8848};
    case F::kPbbIsid:
      return Prerequisite{F::kEthType, 0x88e7, 0x88e7};
    default:
      return std::nullopt;
  }
}

uint64_t load_number(const std::array<uint8_t, 16>& bytes, size_t length) {
  uint64_t n = 0;
  for (size_t i = 0; i < length && i < 8; ++i) n = n << 8 | bytes[i];
  return n;
}

void store_number(std::array<uint8_t, 16>& bytes, size_t length, uint64_t n) {
  for (size_t i = length; i-- > 0;) {
    bytes[i] = static_cast<uint8_t>(n);
    n >>= 8;
  }
}

// The OxmField that (class, number) on the wire is, if the codec knows it.
std::optional<OxmField> field_of(uint16_t oxm_class, uint8_t number) {
  for (size_t f = 0; f < kOxmFieldCount; ++f) {
    if (kFields[f].oxm_class == oxm_class && kFields[f].number == number) {
      return static_cast<OxmField>(f);
    }
  }
  return std::nullopt;
}

void all_ones(Oxm& oxm) { std::fill_n(oxm.mask.begin(), oxm.length(), uint8_t{0xff}); }

// Decodes one TLV at the start of `bytes`; `*size` = its size on the wire.
OfpResult<Oxm> decode_tlv(std::span<const uint8_t> bytes, size_t* size) {
  if (bytes.size() < kTlvHeader) return err::kBadMatchLen;
  const uint16_t oxm_class = static_cast<uint16_t>(bytes[0] << 8 | bytes[1]);
  const uint8_t field = bytes[2] >> 1;
  const bool has_mask = bytes[2] & 1;
  const uint8_t payload = bytes[3];
  if (bytes.size() < kTlvHeader + payload) return err::kBadMatchLen;
  const std::optional<OxmField> known = field_of(oxm_class, field);
  if (!known) return err::kBadField;
  Oxm oxm{*known};
  const OxmFieldInfo& info = oxm_info(*known);
  if (payload != (has_mask ? 2 : 1) * info.length) return err::kBadMatchLen;
  if (has_mask && !info.maskable) return err::kBadMask;
  oxm.has_mask = has_mask;
  std::copy_n(bytes.begin() + kTlvHeader, info.length, oxm.value.begin());
  if (has_mask) {
    std::copy_n(bytes.begin() + kTlvHeader + info.length, info.length, oxm.mask.begin());
  } else {
    all_ones(oxm);
  }
  for (size_t i = 0; i < info.length; ++i) {
    if (oxm.value[i] & ~oxm.mask[i]) return err::kBadWildcards;
  }
  if (info.value_bits != 0 && (oxm.number() & ~info.value_bits) != 0) return err::kBadValue;
  *size = kTlvHeader + payload;
  return oxm;
}

}  // namespace

const OxmFieldInfo& oxm_info(OxmField field) { return kFields[static_cast<size_t>(field)]; }

uint32_t oxm_type_header(OxmField field) {
  const OxmFieldInfo& info = oxm_info(field);
  return uint32_t{info.oxm_class} << 16 | uint32_t{info.number} << 9 | info.length;
}

uint64_t Oxm::number() const { return load_number(value, length()); }
uint64_t Oxm::mask_number() const { return load_number(mask, length()); }

Oxm Oxm::exact(OxmField field, uint64_t value) {
  Oxm oxm{field};
  store_number(oxm.value, oxm.length(), value);
  all_ones(oxm);
  return oxm;
}

Oxm Oxm::exact_bytes(OxmField field, std::span<const uint8_t> value) {
  Oxm oxm{field};
  std::copy_n(value.begin(), std::min<size_t>(value.size(), oxm.length()), oxm.value.begin());
  all_ones(oxm);
  return oxm;
}

Oxm Oxm::masked(OxmField field, uint64_t value, uint64_t mask) {
  Oxm oxm{field};
  oxm.has_mask = true;
  store_number(oxm.value, oxm.length(), value & mask);
  store_number(oxm.mask, oxm.length(), mask);
  return oxm;
}

OfpResult<void> check_prerequisites(const Match& match) {
  auto find = [&](OxmField field) -> const Oxm* {
    auto it =
        std::find_if(match.begin(), match.end(), [&](const Oxm& o) { return o.field == field; });
    return it == match.end() ? nullptr : &*it;
  };
  for (const Oxm& oxm : match) {
    if (oxm.field == OxmField::kVlanPcp) {
      // VLAN_VID != NONE: the match must say the frame is tagged.
      const Oxm* vid = find(OxmField::kVlanVid);
      if (!vid || !(vid->number() & kVidPresent) || !(vid->mask_number() & kVidPresent)) {
        return err::kBadPrereq;
      }
      continue;
    }
    auto prerequisite = prerequisite_of(oxm.field);
    if (!prerequisite) continue;
    const Oxm* needed = find(prerequisite->field);
    if (!needed || needed->has_mask) return err::kBadPrereq;
    if (!prerequisite->met_by(needed->number())) return err::kBadPrereq;
  }
  return boost::outcome_v2::success();
}

OfpResult<Match> decode_match(std::span<const uint8_t> bytes, size_t* consumed) {
  if (bytes.size() < sizeof(MatchHeader)) return err::kBadMatchLen;
  const auto header = load<MatchHeader>(bytes.data());
  if (header.type.get() != kMatchTypeOxm) return err::kBadMatchType;
  const size_t length = header.length.get();
  const size_t padded = (length + 7) / 8 * 8;
  if (length < sizeof(MatchHeader) || padded > bytes.size()) return err::kBadMatchLen;
  Match match;
  std::array<bool, kOxmFieldCount> seen{};
  for (size_t at = sizeof(MatchHeader); at < length;) {
    size_t size = 0;
    OfpResult<Oxm> oxm = decode_tlv(bytes.subspan(at, length - at), &size);
    if (!oxm) return oxm.error();
    const auto index = static_cast<size_t>(oxm.value().field);
    if (seen[index]) return err::kDupField;
    seen[index] = true;
    match.push_back(oxm.value());
    at += size;
  }
  if (auto checked = check_prerequisites(match); !checked) return checked.error();
  *consumed = padded;
  return match;
}

void encode_oxm(const Oxm& oxm, std::vector<uint8_t>& out) {
  const OxmFieldInfo& info = oxm_info(oxm.field);
  const uint8_t length = info.length;
  out.push_back(static_cast<uint8_t>(info.oxm_class >> 8));
  out.push_back(static_cast<uint8_t>(info.oxm_class));
  out.push_back(static_cast<uint8_t>(info.number << 1 | oxm.has_mask));
  out.push_back(static_cast<uint8_t>(oxm.has_mask ? 2 * length : length));
  out.insert(out.end(), oxm.value.begin(), oxm.value.begin() + length);
  if (oxm.has_mask) out.insert(out.end(), oxm.mask.begin(), oxm.mask.begin() + length);
}

void encode_match(const Match& match, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  out.resize(start + sizeof(MatchHeader));
  for (const Oxm& oxm : match) encode_oxm(oxm, out);
  MatchHeader header;
  header.type.set(kMatchTypeOxm);
  header.length.set(static_cast<uint16_t>(out.size() - start));
  std::memcpy(out.data() + start, &header, sizeof header);
  out.resize(start + (out.size() - start + 7) / 8 * 8, 0);
}

OfpResult<Oxm> decode_oxm(std::span<const uint8_t> bytes) {
  size_t size = 0;
  OfpResult<Oxm> oxm = decode_tlv(bytes, &size);
  if (!oxm) return oxm.error();
  if (size != bytes.size()) return err::kBadMatchLen;
  return oxm;
}

}  // namespace vs::controller::ofp
