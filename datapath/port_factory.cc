// PortFactory and the list of built-in port kinds.
#include "datapath/port_factory.h"

#include <utility>

#include "datapath/afpacket_port.h"
#include "datapath/macvtap_port.h"
#include "datapath/tap_port.h"

namespace vs::datapath {

void PortFactory::register_kind(std::string type, Maker maker) {
  makers_[std::move(type)] = std::move(maker);
}

Result<std::unique_ptr<Port>> PortFactory::create(const PortConfig& config) const {
  auto it = makers_.find(config.type);
  if (it == makers_.end()) {
    std::string known;
    for (const auto& [type, maker] : makers_) {
      if (!known.empty()) known += ", ";
      known += type.empty() ? "\"\"" : type;
    }
    return make_error("interface " + config.name + ": unknown type \"" + config.type +
                      "\" (known types: " + (known.empty() ? "none" : known) + ")");
  }
  return it->second(config);
}

void register_builtin_ports(PortFactory& factory) {
  auto system = [](const PortConfig& config) -> Result<std::unique_ptr<Port>> {
    VS_ASSIGN(auto port, AfPacketPort::open(config.name));
    return std::unique_ptr<Port>(std::move(port));
  };
  factory.register_kind("system", system);
  factory.register_kind("", system);
  factory.register_kind("tap", [](const PortConfig& config) -> Result<std::unique_ptr<Port>> {
    VS_ASSIGN(auto port, TapPort::open(config.name, TapPort::Kind::kTap));
    return std::unique_ptr<Port>(std::move(port));
  });
  factory.register_kind("internal", [](const PortConfig& config) -> Result<std::unique_ptr<Port>> {
    auto kind = config.bridge_local ? TapPort::Kind::kLocal : TapPort::Kind::kInternal;
    VS_ASSIGN(auto port, TapPort::open(config.name, kind));
    return std::unique_ptr<Port>(std::move(port));
  });
  factory.register_kind("macvtap", [](const PortConfig& config) -> Result<std::unique_ptr<Port>> {
    VS_ASSIGN(auto port, MacvtapPort::open(config.name, config.options));
    return std::unique_ptr<Port>(std::move(port));
  });
}

}  // namespace vs::datapath
