// MAC learning table for the NORMAL action: per-(MAC, VLAN) forwarding database with aging, a
// bounded size with least-recently-seen eviction, and per-port/VLAN flushes (OVS
// lib/mac-learning.c). The NORMAL translation in controller/ learns from and looks up here;
// vsappctl fdb/show reads entries(). The clock is injected so aging is testable.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

#include "lib/clock.h"

namespace vs::controller {

using MacAddress = std::array<uint8_t, 6>;  // Wire order, as in FlowKey::eth_src.

// One bridge's forwarding database. Not thread-safe: it is owned by the bridge and touched
// only by the thread that runs that bridge's NORMAL translation (the upcall/forwarding thread);
// vsappctl queries reach it through that thread. The clock is borrowed and must outlive the
// table.
//
// Semantics (following OVS):
// - An entry expires once it has been idle for at least the aging time. lookup() and entries()
//   never report an expired entry even before expire() has removed it; learning an expired
//   entry again counts as kNew.
// - Aging time is clamped to [15, 3600] s like OVS's normalize_idle_time(); default 300 s.
// - Size is bounded (default 8192, OVS's MAC_DEFAULT_MAX; minimum 1). Learning a new key in a
//   full table evicts the least recently seen entry. (OVS >= 2.6 evicts "fairly" from the port
//   with the most entries; global LRU is the simpler rule the issue asks for.)
// - Group (multicast/broadcast) source MACs are never learned.
// lookup() does not allocate; learn() may (one node per new entry; buckets are reserved for
// max_entries up front, so the hash table does not rehash while under its bound).
class MacLearningTable {
 public:
  static constexpr std::chrono::seconds kDefaultAgingTime{300};
  static constexpr std::chrono::seconds kMinAgingTime{15};
  static constexpr std::chrono::seconds kMaxAgingTime{3600};
  static constexpr size_t kDefaultMaxEntries = 8192;

  enum class LearnResult {
    kNew,        // No live entry existed; one was added (possibly evicting the LRU entry).
    kMoved,      // The MAC was known on another port; it now points to the new one.
    kRefreshed,  // Known on the same port; its idle time was reset.
    kIgnored,    // Group source MAC: not learned.
  };

  struct Entry {
    uint32_t port;
    uint16_t vlan;
    MacAddress mac;
    uint32_t age_seconds;  // Whole seconds since last seen.
  };

  explicit MacLearningTable(const Clock& clock);

  LearnResult learn(const MacAddress& mac, uint16_t vlan, uint32_t port);
  std::optional<uint32_t> lookup(const MacAddress& mac, uint16_t vlan) const;

  // Removes entries idle for at least the aging time; returns how many.
  size_t expire();
  void flush();
  // Forgets every entry on `port` (a port was removed or changed VLAN); returns how many.
  size_t flush_port(uint32_t port);
  size_t flush_vlan(uint16_t vlan);

  // other_config:mac-aging-time. Out-of-range values are clamped (see above).
  void set_aging_time(std::chrono::seconds aging);
  std::chrono::seconds aging_time() const { return aging_; }
  // other_config:mac-table-size. 0 is treated as 1; shrinking evicts LRU entries at once.
  void set_max_entries(size_t n);
  size_t max_entries() const { return max_entries_; }

  // Entries stored, including expired ones that expire() has not removed yet.
  size_t size() const { return index_.size(); }

  // Live entries for fdb/show, least recently seen first, the order OVS prints them in.
  std::vector<Entry> entries() const;

 private:
  struct Node {
    uint64_t key;
    uint32_t port;
    Clock::TimePoint last_seen;
  };
  using Lru = std::list<Node>;  // Front: least recently seen.

  struct KeyHash {
    size_t operator()(uint64_t k) const {
      k ^= k >> 33;  // 64-bit finaliser (MurmurHash3 fmix64).
      k *= 0xff51afd7ed558ccdULL;
      k ^= k >> 33;
      return static_cast<size_t>(k);
    }
  };

  static uint64_t make_key(const MacAddress& mac, uint16_t vlan);
  bool is_expired(const Node& node, Clock::TimePoint now) const;
  void erase(Lru::iterator it);

  const Clock& clock_;
  std::chrono::seconds aging_ = kDefaultAgingTime;
  size_t max_entries_ = kDefaultMaxEntries;
  Lru lru_;
  std::unordered_map<uint64_t, Lru::iterator, KeyHash> index_;
};

}  // namespace vs::controller
