// An OpenFlow 1.3 OXM match as a flow-key rule (key, mask) and back, for flow-mods and flow stats.
// Network-order key fields take the OXM bytes unchanged; in_port, metadata, tunnel_id and the
// Nicira tun_src / tun_dst (the tunnel's outer IPv4 addresses) are host numbers; vlan_vid/pcp share
// vlan_tci, ip_dscp/ecn nw_tos; arp_spa/tpa are nw_src/dst, ICMP type/code tp_src/dst and
// ipv6_nd_sll/tll arp_sha/tha, as parse_flow() stores them. Refused with BAD_FIELD, as the key has
// no room for them: in_phy_port, mpls_*, pbb_isid, ipv6_exthdr.
#pragma once

#include <cstring>

#include "controller/ofp_wire.h"
#include "controller/oxm.h"
#include "lib/flow_key.h"

namespace vs::controller {

// A classifier rule's match: `key` is already masked (flow_apply_mask).
struct FlowMatch {
  FlowKey key{};
  FlowMask mask{};

  friend bool operator==(const FlowMatch& a, const FlowMatch& b) {
    return std::memcmp(&a.key, &b.key, sizeof a.key) == 0 &&
           std::memcmp(&a.mask, &b.mask, sizeof a.mask) == 0;
  }
};

// Errors: BAD_FIELD for a field the key cannot hold, DUP_FIELD, BAD_MASK (a mask on a field that
// has none), BAD_VALUE (bits the field does not have), BAD_PREREQ (check_prerequisites), so that
// matches built in code get the checks decode_match() gives matches from the wire. Value bits
// outside a mask are cleared, not refused.
ofp::OfpResult<FlowMatch> to_flow_match(const ofp::Match& match);

// One OXM per field the mask names, has_mask only for a partial mask, in the order Open vSwitch
// writes them (lib/nx-match.c nx_put_raw): in_port, eth_src, eth_dst, eth_type, vlan_vid,
// vlan_pcp, then for IP ipv4_src/dst or ipv6_src/dst, ip_dscp, ip_ecn, ipv6_flabel, ip_proto and
// the L4 pair; for ARP arp_op, spa, tpa, sha, tha; then tunnel_id, tun_src, tun_dst, metadata. Like
// OVS, key bits whose prerequisites the match does not fix (tp_dst without ip_proto) are left out,
// so this inverts to_flow_match() but not every hand-made mask.
ofp::Match to_oxm_match(const FlowMatch& match);

}  // namespace vs::controller
