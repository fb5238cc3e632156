// PortFactory and the list of built-in port kinds.
#include "datapath/port_factory.h"

#include <optional>
#include <utility>

#include "datapath/afpacket_port.h"
#include "datapath/afxdp_port.h"
#include "datapath/macvtap_port.h"
#include "datapath/tap_port.h"
#include "lib/log.h"

namespace vs::datapath {
namespace {

// options:xdp-mode (port_factory.h). nullopt means AF_PACKET.
Result<std::optional<AfXdpPort::Mode>> xdp_mode(const PortConfig& config, const char* fallback) {
  auto it = config.options.find("xdp-mode");
  const std::string mode = it == config.options.end() ? fallback : it->second;
  if (mode == "generic") return AfXdpPort::Mode::kGeneric;
  if (mode == "native") return AfXdpPort::Mode::kNative;
  if (mode == "best-effort") return AfXdpPort::Mode::kBestEffort;
  const bool system = config.type != "afxdp";
  if (mode == "off" && system) return std::optional<AfXdpPort::Mode>();
  return make_error("interface " + config.name + ": options:xdp-mode \"" + mode +
                    "\" is not one of generic, native, best-effort" + (system ? ", off" : ""));
}

Result<std::unique_ptr<Port>> open_system(const PortConfig& config) {
  VS_ASSIGN(auto mode, xdp_mode(config, "off"));
  std::string why;
  if (mode) {
    auto xdp = AfXdpPort::open(config.name, *mode);
    if (xdp) return std::unique_ptr<Port>(std::move(xdp).value());
    why = xdp.error().message;
  }
  VS_ASSIGN(auto port, AfPacketPort::open(config.name));
  if (!why.empty()) log::get("netdev")->info("{}; using AF_PACKET", why);
  return std::unique_ptr<Port>(std::move(port));
}

Result<std::unique_ptr<Port>> open_afxdp(const PortConfig& config) {
  VS_ASSIGN(auto mode, xdp_mode(config, "best-effort"));
  VS_ASSIGN(auto port, AfXdpPort::open(config.name, *mode));
  return std::unique_ptr<Port>(std::move(port));
}

}  // namespace

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
  factory.register_kind("system", open_system);
  factory.register_kind("", open_system);
  factory.register_kind("afxdp", open_afxdp);
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
