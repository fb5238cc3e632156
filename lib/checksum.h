// The Internet checksum (RFC 1071): the one's-complement sum of 16-bit big-endian words, as
// IPv4, ICMP, TCP, UDP and GRE carry it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vs {

// Adds the words of `bytes` to `sum` (an odd last byte is padded with zero). Chain calls to sum
// discontiguous pieces whose lengths, but the last, are even.
inline uint32_t checksum_add(std::span<const uint8_t> bytes, uint32_t sum = 0) {
  uint64_t wide = sum;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) wide += uint32_t{bytes[i]} << 8 | bytes[i + 1];
  if (i < bytes.size()) wide += uint32_t{bytes[i]} << 8;
  while (wide >> 16) wide = (wide & 0xffff) + (wide >> 16);
  return static_cast<uint32_t>(wide);
}

// The checksum field's value for a sum taken with the field zero; 0 when the sum verifies
// (taken over the field as received).
inline uint16_t checksum_finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace vs
