// Datapath actions: what the forwarding thread does with a packet once its flow is known. A
// list runs in order on the packet as it stands (OVS odp actions), so tag changes compose with
// outputs: [output 2, pop_vlan, output 3, push_vlan 10, output 4] sends the frame as received to
// port 2, untagged to port 3 and tagged for VLAN 10 to port 4. The upcall (upcall.h) produces
// them; the caches store them.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "datapath/set_field.h"
#include "lib/drop_reason.h"
#include "vlan/tag.h"

namespace vs::datapath {

struct DpAction {
  enum class Kind : uint8_t {
    kOutput,    // Send a copy of the packet, as it stands, out of datapath port `port`.
    kPushVlan,  // Insert `vlan` as the outermost tag.
    kPopVlan,   // Remove the outermost tag (nothing if the packet has none).
    kDrop,      // Drop the packet and count it under `reason`; ends the list.
    // Hand the packet, as it stands, to the upcall's packet_up() with `userdata` (OVS's
    // userspace action: how packets reach an OpenFlow controller). The list goes on.
    kUserspace,
    // Write one header field (set_field.h), checksums updated; nothing if the packet lacks the
    // header.
    kSetField,
  };
  // Opaque to the datapath: the upcall packs what it needs to know about the packet's way up.
  using Userdata = std::array<uint64_t, 4>;

  Kind kind;
  uint32_t port = 0;
  vlan::WireTag vlan{};
  DropReason reason{};
  Userdata userdata{};
  SetField set{};

  bool operator==(const DpAction&) const = default;
};

// An empty list drops the packet (counted as a flow drop).
using DpActions = std::vector<DpAction>;

inline DpAction output(uint32_t port) { return {DpAction::Kind::kOutput, port}; }
inline DpAction push_vlan(vlan::WireTag tag) { return {DpAction::Kind::kPushVlan, 0, tag}; }
inline DpAction pop_vlan() { return {DpAction::Kind::kPopVlan}; }
inline DpAction drop(DropReason reason) { return {DpAction::Kind::kDrop, 0, {}, reason}; }
inline DpAction userspace(const DpAction::Userdata& userdata) {
  return {DpAction::Kind::kUserspace, 0, {}, {}, userdata};
}
inline DpAction set_field(const SetField& set) {
  return {DpAction::Kind::kSetField, 0, {}, {}, {}, set};
}

}  // namespace vs::datapath
