// A GRE port's Interface options, read as Open vSwitch reads them (vswitchd.conf.db(5), "Tunnel
// Options": remote_ip, local_ip, key, in_key, out_key, ttl, tos, csum). An option that is not
// one of these, or a value that does not parse, makes the port an error, as in OVS.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "lib/result.h"

namespace vs::tunnels {

// A key setting: a fixed key (0 means none: packets go out without one, and come in without one
// or with key 0), or `flow` (sent: the flow's tunnel_id; received: any key, as tunnel_id).
struct GreKey {
  bool flow = false;
  uint32_t value = 0;
  auto operator<=>(const GreKey&) const = default;
};

struct GreConfig {
  // IPv4 addresses in host byte order. remote_ip nullopt: `flow` (each packet's tunnel
  // destination comes from the flow); local_ip nullopt: the route's source address.
  std::optional<uint32_t> remote_ip;
  std::optional<uint32_t> local_ip;
  GreKey in_key;
  GreKey out_key;
  std::optional<uint8_t> ttl = 64;  // nullopt: inherit the inner packet's
  std::optional<uint8_t> tos = 0;   // nullopt: inherit the inner packet's
  bool csum = false;
  bool operator==(const GreConfig&) const = default;
};

// The options of an Interface of type gre. Errors name the option and what it takes.
Result<GreConfig> parse_gre_options(const std::map<std::string, std::string>& options);

}  // namespace vs::tunnels
