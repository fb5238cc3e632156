// 128-bit UUIDs as OVSDB uses them: random (version 4) for new rows, printed and parsed in
// the canonical 8-4-4-4-12 lowercase form.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vs {

class Uuid {
 public:
  Uuid() = default;
  static Uuid random();
  // Accepts exactly 36 characters, hex digits in either case, dashes at 8, 13, 18, 23.
  static std::optional<Uuid> parse(std::string_view text);
  std::string to_string() const;
  bool is_zero() const;

  auto operator<=>(const Uuid&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace vs
