// MAC learning table (see mac_learning.h). The LRU list is ordered by last_seen because the
// clock is monotonic and a refreshed entry moves to the back, so expire() and eviction only
// ever look at the front.
#include "controller/mac_learning.h"

#include <algorithm>

namespace vs::controller {

MacLearningTable::MacLearningTable(const Clock& clock) : clock_(clock) {
  index_.reserve(max_entries_);
}

uint64_t MacLearningTable::make_key(const MacAddress& mac, uint16_t vlan) {
  uint64_t key = vlan;
  for (uint8_t byte : mac) key = (key << 8) | byte;
  return key;
}

bool MacLearningTable::is_expired(const Node& node, Clock::TimePoint now) const {
  return now - node.last_seen >= aging_;
}

void MacLearningTable::erase(Lru::iterator it) {
  index_.erase(it->key);
  lru_.erase(it);
}

MacLearningTable::LearnResult MacLearningTable::learn(const MacAddress& mac, uint16_t vlan,
                                                      uint32_t port) {
  if (mac[0] & 0x01) return LearnResult::kIgnored;  // Group bit: multicast or broadcast.

  const Clock::TimePoint now = clock_.now();
  const uint64_t key = make_key(mac, vlan);
  if (auto found = index_.find(key); found != index_.end()) {
    Lru::iterator it = found->second;
    LearnResult result = is_expired(*it, now) ? LearnResult::kNew
                         : it->port != port   ? LearnResult::kMoved
                                              : LearnResult::kRefreshed;
    it->port = port;
    it->last_seen = now;
    lru_.splice(lru_.end(), lru_, it);
    return result;
  }

  if (index_.size() >= max_entries_) erase(lru_.begin());
  lru_.push_back(Node{key, port, now});
  index_.emplace(key, std::prev(lru_.end()));
  return LearnResult::kNew;
}

std::optional<uint32_t> MacLearningTable::lookup(const MacAddress& mac, uint16_t vlan) const {
  auto found = index_.find(make_key(mac, vlan));
  if (found == index_.end() || is_expired(*found->second, clock_.now())) return std::nullopt;
  return found->second->port;
}

size_t MacLearningTable::expire() {
  const Clock::TimePoint now = clock_.now();
  size_t removed = 0;
  while (!lru_.empty() && is_expired(lru_.front(), now)) {
    erase(lru_.begin());
    ++removed;
  }
  return removed;
}

void MacLearningTable::flush() {
  index_.clear();
  lru_.clear();
}

size_t MacLearningTable::flush_port(uint32_t port) {
  size_t removed = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->port == port) {
      erase(it);
      ++removed;
    }
    it = next;
  }
  return removed;
}

size_t MacLearningTable::flush_vlan(uint16_t vlan) {
  size_t removed = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (static_cast<uint16_t>(it->key >> 48) == vlan) {
      erase(it);
      ++removed;
    }
    it = next;
  }
  return removed;
}

void MacLearningTable::set_aging_time(std::chrono::seconds aging) {
  aging_ = std::clamp(aging, kMinAgingTime, kMaxAgingTime);
}

void MacLearningTable::set_max_entries(size_t n) {
  max_entries_ = std::max<size_t>(n, 1);
  while (index_.size() > max_entries_) erase(lru_.begin());
  index_.reserve(max_entries_);
}

std::vector<MacLearningTable::Entry> MacLearningTable::entries() const {
  const Clock::TimePoint now = clock_.now();
  std::vector<Entry> out;
  out.reserve(lru_.size());
  for (const Node& node : lru_) {
    if (is_expired(node, now)) continue;
    Entry e;
    e.port = node.port;
    e.vlan = static_cast<uint16_t>(node.key >> 48);
    for (int i = 5; i >= 0; --i) e.mac[i] = static_cast<uint8_t>(node.key >> (8 * (5 - i)));
    e.age_seconds = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now - node.last_seen).count());
    out.push_back(e);
  }
  return out;
}

}  // namespace vs::controller
