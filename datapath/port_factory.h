// Builds ports by Interface.type. Kinds are registered explicitly (register_builtin_ports() from
// vswitchd's main, tests register their own), never by static initialisers, so the set of kinds
// is visible in one place and link order cannot change it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "datapath/port.h"
#include "lib/result.h"

namespace vs::datapath {

// What the database says about one Interface row.
struct PortConfig {
  std::string name;                            // Interface.name: the device name for "system"
  std::string type;                            // Interface.type; "" means "system"
  std::map<std::string, std::string> options;  // Interface.options
  bool bridge_local = false;  // the bridge's own internal port, named after the bridge
};

class PortFactory {
 public:
  using Maker = std::function<Result<std::unique_ptr<Port>>(const PortConfig&)>;

  // Adds or replaces the maker for `type`.
  void register_kind(std::string type, Maker maker);

  // An open port, or an Error naming the port and why (for an unknown type, the known types).
  Result<std::unique_ptr<Port>> create(const PortConfig& config) const;

  bool knows(const std::string& type) const { return makers_.contains(type); }

 private:
  std::map<std::string, Maker> makers_;
};

// Registers the kinds vswitchd ships:
//   "system", and "" as its alias: an existing netdev through AF_PACKET (AfPacketPort) by
//     default, or through AF_XDP (AfXdpPort) when Interface options:xdp-mode (named after OVS's
//     afxdp option) asks for it, falling back to AF_PACKET with a log line when AF_XDP cannot be
//     set up:
//       off (default)          AF_PACKET: correct for every frame, the kernel's VLAN offload
//                              included (the tag comes back from auxiliary data)
//       generic                AF_XDP with generic XDP: faster (measured in the README), but a
//                              tag the kernel carries beside the frame (a VLAN device on the
//                              peer, a NIC's VLAN strip) never reaches generic XDP: such frames
//                              arrive untagged, so trunks fed that way must stay on AF_PACKET
//       native, best-effort    AF_XDP with driver XDP (best-effort: else generic)
//   "afxdp": OVS's type for the same port, which is AF_XDP or an error, never AF_PACKET;
//     options:xdp-mode is generic, native or best-effort (the default, as in OVS).
//   "tap" and "internal" (TapPort), "macvtap" (MacvtapPort).
// "gre" is not built in: vswitchd registers it from tunnels/ (tunnels/gre_port.h), which builds on
// this layer.
void register_builtin_ports(PortFactory& factory);

}  // namespace vs::datapath
