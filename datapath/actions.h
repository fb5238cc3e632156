// Datapath actions: what the forwarding thread does with a packet once its flow is known. A
// list runs in order on the packet as it stands (OVS odp actions), so later kinds (VLAN
// push/pop, tunnel push) compose with outputs: [pop_vlan, output 3, push_vlan 10, output 4].
// The upcall (upcall.h) produces them; the caches store them.
#pragma once

#include <cstdint>
#include <vector>

namespace vs::datapath {

struct DpAction {
  enum class Kind : uint8_t {
    kOutput,  // Send a copy of the packet, as it stands, out of datapath port `port`.
  };
  Kind kind;
  uint32_t port = 0;

  bool operator==(const DpAction&) const = default;
};

// An empty list drops the packet.
using DpActions = std::vector<DpAction>;

inline DpAction output(uint32_t port) { return {DpAction::Kind::kOutput, port}; }

}  // namespace vs::datapath
