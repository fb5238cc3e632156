// The outermost 802.1Q/802.1ad tag of a frame, read and changed in place: NORMAL's output (tag a
// frame for a trunk, untag it for an access port), OpenFlow's push_vlan/pop_vlan/set_field, and
// ports whose kernel hands the tag over beside the frame (AF_PACKET's auxiliary data). A push
// takes 4 bytes of the packet's headroom and moves only the 12 MAC bytes; a pop moves them back.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "lib/packet.h"

namespace vs::vlan {

inline constexpr uint16_t kTpid8021Q = 0x8100;
inline constexpr uint16_t kTpid8021AD = 0x88a8;

// A tag as it is on the wire, host order: TCI = PCP (3 bits) | DEI (1) | VID (12).
struct WireTag {
  uint16_t tpid = 0;
  uint16_t tci = 0;
  friend bool operator==(const WireTag&, const WireTag&) = default;
};

inline constexpr uint16_t make_tci(uint16_t vid, uint8_t pcp) {
  return static_cast<uint16_t>((pcp & 7) << 13 | (vid & 0x0fff));
}

// The outermost tag (TPID 0x8100 or 0x88a8 after the MACs), nullopt if the frame has none.
std::optional<WireTag> outer_tag(std::span<const uint8_t> frame);

// Inserts `tag` right after the source MAC. False, frame unchanged, if the frame is shorter than
// the two MACs or the headroom has no 4 bytes left.
bool push_tag(Packet& p, WireTag tag);
// Removes the outermost tag. False, frame unchanged, if there is none.
bool pop_tag(Packet& p);
// Rewrites the outermost tag's TCI. False, frame unchanged, if there is none.
bool set_tci(Packet& p, uint16_t tci);

}  // namespace vs::vlan
