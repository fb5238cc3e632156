// Parsing of OpenFlow connection targets (see openflow_target.h).
#include "lib/openflow_target.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace vs {
namespace {

bool parse_port(std::string_view text, bool allow_zero, uint16_t* port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return false;
  if (value == 0 && !allow_zero) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

bool valid_ipv4(std::string_view text) {
  in_addr addr;
  return inet_pton(AF_INET, std::string(text).c_str(), &addr) == 1;
}

bool valid_ipv6(std::string_view text) {
  in6_addr addr;
  return inet_pton(AF_INET6, std::string(text).c_str(), &addr) == 1;
}

// A host name: dot-separated labels of letters, digits and dashes.
bool valid_hostname(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      ++label;
    } else {
      return false;
    }
  }
  return label > 0;
}

// Splits "HOST[:PORT]" or "[V6][:PORT]"; returns false on bad brackets.
bool split_host_port(std::string_view text, std::string_view* host, std::string_view* port,
                     bool* bracketed) {
  *bracketed = !text.empty() && text[0] == '[';
  if (*bracketed) {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    *host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return false;
    *port = rest.empty() ? std::string_view() : rest.substr(1);
    return true;
  }
  size_t colon = text.find(':');
  *host = text.substr(0, colon);
  *port = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  return true;
}

Result<OpenflowTarget> parse_active_inet(OpenflowTarget target, std::string_view rest,
                                         std::string_view text) {
  std::string_view host, port;
  bool bracketed;
  if (!split_host_port(rest, &host, &port, &bracketed) || host.empty()) {
    return make_error("\"" + std::string(text) + "\": missing host (expected " +
                      (target.kind == OpenflowTarget::Kind::kTcp ? "tcp" : "ssl") +
                      ":HOST[:PORT])");
  }
  if (bracketed ? !valid_ipv6(host) : !(valid_ipv4(host) || valid_hostname(host))) {
    return make_error("\"" + std::string(text) + "\": \"" + std::string(host) +
                      "\" is not a valid IP address or host name");
  }
  target.host = host;
  target.port = kOpenflowPort;
  if (!port.empty() && !parse_port(port, false, &target.port)) {
    return make_error("\"" + std::string(text) + "\": \"" + std::string(port) +
                      "\" is not a valid port number (1-65535)");
  }
  return target;
}

Result<OpenflowTarget> parse_passive_inet(OpenflowTarget target, std::string_view rest,
                                          std::string_view text) {
  // ptcp:[PORT][:IP], where IP may be a bracketed IPv6 address.
  size_t colon = rest.find(':');
  std::string_view port = rest.substr(0, colon);
  std::string_view ip =
      colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  target.port = kOpenflowPort;
  if (!port.empty() && !parse_port(port, true, &target.port)) {
    return make_error("\"" + std::string(text) + "\": \"" + std::string(port) +
                      "\" is not a valid port number (0-65535)");
  }
  if (!ip.empty()) {
    bool ok = ip.front() == '[' ? ip.back() == ']' && valid_ipv6(ip.substr(1, ip.size() - 2))
                                : valid_ipv4(ip) || valid_ipv6(ip);
    if (!ok) {
      return make_error("\"" + std::string(text) + "\": \"" + std::string(ip) +
                        "\" is not a valid IP address");
    }
    target.host = ip.front() == '[' ? ip.substr(1, ip.size() - 2) : ip;
  }
  return target;
}

}  // namespace

Result<OpenflowTarget> parse_openflow_target(std::string_view text) {
  using Kind = OpenflowTarget::Kind;
  size_t colon = text.find(':');
  std::string_view method = text.substr(0, colon);
  std::string_view rest =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  OpenflowTarget target{};
  if (colon != std::string_view::npos) {
    if (method == "tcp" || method == "ssl") {
      target.kind = method == "tcp" ? Kind::kTcp : Kind::kSsl;
      return parse_active_inet(target, rest, text);
    }
    if (method == "ptcp" || method == "pssl") {
      target.kind = method == "ptcp" ? Kind::kPtcp : Kind::kPssl;
      return parse_passive_inet(target, rest, text);
    }
    if (method == "unix" || method == "punix") {
      if (rest.empty()) {
        return make_error("\"" + std::string(text) + "\": missing socket path");
      }
      target.kind = method == "unix" ? Kind::kUnix : Kind::kPunix;
      target.path = rest;
      return target;
    }
  }
  return make_error("\"" + std::string(text) +
                    "\" is not a valid OpenFlow target (expected tcp:HOST[:PORT], "
                    "ssl:HOST[:PORT], unix:PATH, ptcp:[PORT][:IP], pssl:[PORT][:IP] or "
                    "punix:PATH)");
}

std::string describe_target_error(std::string_view text) {
  auto result = parse_openflow_target(text);
  return result ? std::string() : result.error().message;
}

}  // namespace vs
