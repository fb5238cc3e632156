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

// Registers the kinds vswitchd ships: "system" (AfPacketPort, with "" as its alias), "tap" and
// "internal" (TapPort), "macvtap" (MacvtapPort).
void register_builtin_ports(PortFactory& factory);

}  // namespace vs::datapath
