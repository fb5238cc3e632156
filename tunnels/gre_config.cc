// GRE Interface options (gre_config.h).
#include "tunnels/gre_config.h"

#include <arpa/inet.h>

#include <charconv>
#include <string_view>

namespace vs::tunnels {
namespace {

// A number in decimal or 0x hex, at most `max`.
std::optional<uint64_t> parse_number(std::string_view text, uint64_t max) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > max) {
    return std::nullopt;
  }
  return value;
}

Result<uint32_t> parse_ipv4(const std::string& name, const std::string& text) {
  in_addr address{};
  if (inet_pton(AF_INET, text.c_str(), &address) == 1) return ntohl(address.s_addr);
  in6_addr ipv6{};
  if (inet_pton(AF_INET6, text.c_str(), &ipv6) == 1) {
    return make_error(name + "=" + text + ": IPv6 tunnels are not supported, only IPv4");
  }
  return make_error(name + "=" + text + ": not an IPv4 address or \"flow\"");
}

Result<GreKey> parse_key(const std::string& name, const std::string& text) {
  if (text == "flow") return GreKey{true, 0};
  const auto value = parse_number(text, UINT32_MAX);
  if (!value) {
    return make_error(name + "=" + text + ": not a 32-bit GRE key (0 to 4294967295) or \"flow\"");
  }
  return GreKey{false, static_cast<uint32_t>(*value)};
}

// A byte option that may also be "inherit" (nullopt).
Result<std::optional<uint8_t>> parse_inheritable(const std::string& name, const std::string& text,
                                                 uint64_t min) {
  if (text == "inherit") return std::optional<uint8_t>();
  const auto value = parse_number(text, 255);
  if (!value || *value < min) {
    return make_error(name + "=" + text + ": not a number from " + std::to_string(min) +
                      " to 255 or \"inherit\"");
  }
  return std::optional<uint8_t>(static_cast<uint8_t>(*value));
}

}  // namespace

Result<GreConfig> parse_gre_options(const std::map<std::string, std::string>& options) {
  GreConfig config;
  bool have_remote = false;
  std::optional<GreKey> key, in_key, out_key;
  for (const auto& [name, value] : options) {
    if (name == "remote_ip" || name == "local_ip") {
      std::optional<uint32_t> address;
      if (value != "flow") {
        VS_ASSIGN(uint32_t parsed, parse_ipv4(name, value));
        address = parsed;
      }
      if (name == "remote_ip") {
        config.remote_ip = address;
        have_remote = true;
      } else {
        config.local_ip = address;
      }
    } else if (name == "key" || name == "in_key" || name == "out_key") {
      VS_ASSIGN(GreKey parsed, parse_key(name, value));
      (name == "key" ? key : name == "in_key" ? in_key : out_key) = parsed;
    } else if (name == "ttl") {
      VS_ASSIGN(config.ttl, parse_inheritable(name, value, 1));
    } else if (name == "tos") {
      VS_ASSIGN(config.tos, parse_inheritable(name, value, 0));
    } else if (name == "csum") {
      if (value != "true" && value != "false") {
        return make_error("csum=" + value + ": \"true\" or \"false\"");
      }
      config.csum = value == "true";
    } else {
      return make_error("unknown GRE option " + name +
                        " (remote_ip, local_ip, key, in_key, "
                        "out_key, ttl, tos, csum)");
    }
  }
  if (!have_remote) return make_error("a GRE port needs options:remote_ip (an address or flow)");
  // key sets both directions; in_key and out_key override it.
  config.in_key = in_key.value_or(key.value_or(GreKey{}));
  config.out_key = out_key.value_or(key.value_or(GreKey{}));
  return config;
}

}  // namespace vs::tunnels
