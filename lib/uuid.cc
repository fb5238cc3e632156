// UUID generation from the kernel's random pool and canonical text form.
#include "lib/uuid.h"

#include <sys/random.h>

#include <cstdio>

namespace vs {

Uuid Uuid::random() {
  Uuid uuid;
  size_t filled = 0;
  while (filled < uuid.bytes_.size()) {
    ssize_t n = getrandom(uuid.bytes_.data() + filled, uuid.bytes_.size() - filled, 0);
    if (n > 0) filled += static_cast<size_t>(n);
  }
  uuid.bytes_[6] = (uuid.bytes_[6] & 0x0f) | 0x40;  // version 4
  uuid.bytes_[8] = (uuid.bytes_[8] & 0x3f) | 0x80;  // RFC 4122 variant
  return uuid;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid uuid;
  size_t byte = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    uuid.bytes_[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return uuid;
}

std::string Uuid::to_string() const {
  char text[37];
  const auto& b = bytes_;
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return text;
}

bool Uuid::is_zero() const { return *this == Uuid(); }

}  // namespace vs
