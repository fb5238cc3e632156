// Tag operations (tag.h) on the bytes after the two MAC addresses.
#include "vlan/tag.h"

#include <cstring>

#include "lib/byte_order.h"

namespace vs::vlan {
namespace {

constexpr size_t kMacsSize = 12;  // destination and source MAC: what moves on push and pop
constexpr size_t kTagSize = 4;

}  // namespace

std::optional<WireTag> outer_tag(std::span<const uint8_t> frame) {
  if (frame.size() < kMacsSize + kTagSize) return std::nullopt;
  const uint16_t tpid = load_be16(frame.data() + kMacsSize);
  if (tpid != kTpid8021Q && tpid != kTpid8021AD) return std::nullopt;
  return WireTag{tpid, load_be16(frame.data() + kMacsSize + 2)};
}

bool push_tag(Packet& p, WireTag tag) {
  if (p.size() < kMacsSize) return false;
  uint8_t* data = p.push_front(kTagSize);
  if (data == nullptr) return false;
  std::memmove(data, data + kTagSize, kMacsSize);
  store_be16(data + kMacsSize, tag.tpid);
  store_be16(data + kMacsSize + 2, tag.tci);
  return true;
}

bool pop_tag(Packet& p) {
  if (!outer_tag(p.frame())) return false;
  uint8_t* data = p.data();
  std::memmove(data + kTagSize, data, kMacsSize);
  return p.pull_front(kTagSize);
}

bool set_tci(Packet& p, uint16_t tci) {
  if (!outer_tag(p.frame())) return false;
  store_be16(p.data() + kMacsSize + 2, tci);
  return true;
}

}  // namespace vs::vlan
