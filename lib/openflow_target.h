// OpenFlow connection targets as Open vSwitch writes them: active tcp:HOST[:PORT],
// ssl:HOST[:PORT], unix:PATH; passive ptcp:[PORT][:IP], pssl:[PORT][:IP], punix:PATH. Parsed
// once here for the database checks and for the controller connections.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/result.h"

namespace vs {

struct OpenflowTarget {
  enum class Kind { kTcp, kSsl, kUnix, kPtcp, kPssl, kPunix };
  Kind kind;
  std::string host;   // tcp/ssl: host or address; ptcp/pssl: bind address ("" = any)
  uint16_t port = 0;  // tcp/ssl/ptcp/pssl
  std::string path;   // unix/punix

  bool passive() const {
    return kind == Kind::kPtcp || kind == Kind::kPssl || kind == Kind::kPunix;
  }
};

inline constexpr uint16_t kOpenflowPort = 6653;

Result<OpenflowTarget> parse_openflow_target(std::string_view text);

// The error message for an invalid target, or "" when it is valid (for schema checks).
std::string describe_target_error(std::string_view text);

}  // namespace vs
