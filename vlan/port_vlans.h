// 802.1Q rules of a port, as Open vSwitch applies them to NORMAL (ofproto-dpif-xlate.c's input
// and output VLAN translation): which VLAN a frame received on the port belongs to, and whether
// and how a frame on a VLAN leaves it. Pure values and functions on the Port row's tag, trunks
// and vlan_mode; NORMAL uses them, and OpenFlow's VLAN actions share the frame operations.
//
// A frame's tag is seen as (VID, PCP): VID 0 is an untagged frame or a priority-tagged one
// (802.1Q with VID 0), which every mode treats alike, keeping its PCP.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "lib/result.h"

namespace vs::vlan {

inline constexpr uint16_t kVidCount = 4096;

enum class Mode {
  kAccess,          // one VLAN (`tag`), untagged on the wire; tagged frames are dropped
  kTrunk,           // the VLANs in `trunks` (all if empty) tagged; VLAN 0 is the untagged frames
  kNativeTagged,    // a trunk whose untagged frames are on VLAN `tag`, sent back tagged
  kNativeUntagged,  // the same, but VLAN `tag` leaves untagged
};

// The Port.vlan_mode value for a mode ("access", "trunk", ...).
std::string_view mode_name(Mode mode);

// A frame's VLAN membership: VID 0 means untagged (or priority-tagged); PCP is the 802.1Q
// priority, kept end to end.
struct Tag {
  uint16_t vid = 0;
  uint8_t pcp = 0;
  friend bool operator==(const Tag&, const Tag&) = default;
};

// Whether a frame that leaves a port untagged keeps an 802.1Q header with VID 0 for its PCP
// (Port other_config:priority-tags): OVS omits it by default, as some devices drop any tagged
// frame.
enum class PriorityTags {
  kNever,      // no header (the default)
  kIfNonzero,  // a priority tag when the PCP is not 0
  kAlways,     // a priority tag, PCP 0 too
};

// How a frame on some VLAN leaves a port.
enum class Egress {
  kNone,      // the port is not on that VLAN
  kUntagged,  // without an 802.1Q header (the payload byte for byte)
  kTagged,    // with VID = the VLAN, PCP kept
};

class PortVlans {
 public:
  // A port without VLAN configuration: a trunk of every VLAN (OVS's default).
  PortVlans() = default;

  // The rules of a Port row. `tag` is Port.tag, `trunks` Port.trunks (empty: all VLANs), `mode`
  // Port.vlan_mode or empty, `priority_tags` other_config:priority-tags or empty (OVS's values,
  // and its older true/false; anything else is noted and means never). Defaults as OVS: empty mode
  // is access when a tag is set (trunks are then ignored, and notes() says so) and trunk otherwise;
  // access or a native mode without a tag is on VLAN 0; a native mode always carries its native
  // VLAN and never VLAN 0. Errors: a VID outside 0-4095, a mode that is not one of the four
  // (dot1q-tunnel is not done).
  static Result<PortVlans> configure(std::optional<int64_t> tag, std::span<const int64_t> trunks,
                                     std::string_view mode, std::string_view priority_tags = {});

  // A port on no VLAN at all: it neither receives nor sends anything through NORMAL. For a Port
  // whose configuration was refused: isolated rather than guessed at.
  static PortVlans none();

  Mode mode() const { return mode_; }
  // The access or native VLAN; 0 for a trunk.
  uint16_t vlan() const { return vlan_; }
  // Whether frames on `vid` are received and sent on this port (OVS's xbundle_includes_vlan).
  bool includes(uint16_t vid) const;

  // The VLAN a frame received with `frame` belongs to, or nullopt when the port drops it: a
  // tagged frame on an access port, a VLAN the trunk does not carry.
  std::optional<Tag> input(Tag frame) const;
  // How a frame on VLAN `vid` leaves this port.
  Egress output(uint16_t vid) const;
  // Whether a frame with priority `pcp` that output() sends untagged keeps a VID 0 tag.
  bool keeps_priority_tag(uint8_t pcp) const {
    return priority_tags_ == PriorityTags::kAlways ||
           (priority_tags_ == PriorityTags::kIfNonzero && pcp != 0);
  }

  // Configuration that was accepted but has no effect, for the Port's status; empty if none.
  const std::string& notes() const { return notes_; }

  friend bool operator==(const PortVlans&, const PortVlans&) = default;

 private:
  Mode mode_ = Mode::kTrunk;
  uint16_t vlan_ = 0;
  PriorityTags priority_tags_ = PriorityTags::kNever;
  std::bitset<kVidCount> trunks_ = std::bitset<kVidCount>().set();  // the VLANs a trunk carries
  std::string notes_;
};

}  // namespace vs::vlan
