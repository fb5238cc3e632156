// The datapath's flow caches: an exact-match cache (EMC) in front of a megaflow cache, looked up a
// batch at a time; what both miss goes to the upcall (the OpenFlow tables on lib/classifier.h),
// whose answer is installed here. Design notes are at the top of each class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lib/classifier.h"
#include "lib/flow_key.h"
#include "lib/packet.h"

namespace vs::datapath {

// What a megaflow caches: an opaque 64-bit handle chosen by the upcall (an index into an actions
// table, or an OpenFlow rule id in tests). A POD keeps the hot path free of reference counting;
// the owner of whatever the handle names must keep it alive until the next invalidate_all().
using CachedActions = uint64_t;

// Batches are at most kMaxBurst packets, so a hit mask fits in 32 bits (bit i = keys[i]).
static_assert(kMaxBurst <= 32);
inline constexpr uint32_t batch_mask(size_t n) {
  return n >= 32 ? 0xffffffffu : (uint32_t{1} << n) - 1;
}

// The megaflow (wildcard) cache: entries (key & mask, mask) -> actions, looked up by the lib
// Classifier with every entry at priority 0, so one subtable per distinct megaflow mask (OVS
// dpcls). Priorities are not needed because megaflows never overlap when each is installed as
// (key & W, W) with W the un-wildcarded mask of a classifier lookup, after a cache miss, with
// the rules unchanged since the last invalidate_all(): a packet matching two megaflows would
// get the same classifier walk as both installing keys, hence the same W, hence the same
// megaflow. install() of an already present (masked key, mask) returns the existing entry
// (two misses of one flow in one batch).
//
// Invalidation is by generation: invalidate_all() drops every entry and bumps generation(),
// which also invalidates every EMC slot without touching it. This is the simplest correct
// response to any table change; revalidating entries one by one (OVS revalidators) and
// evicting idle ones are future work. The cache is bounded: install() refuses once
// max_entries are present (the packet still gets its upcall answer, uncached).
//
// Threads: one forwarding thread owns its caches (OVS keeps one dpcls per PMD thread). Lookups
// never allocate; install() and invalidate_all() allocate and belong to the upcall path.
class MegaflowCache {
 public:
  struct Entry : ClassifierRule {  // match = key & mask, mask, priority 0, id unused.
    CachedActions actions = 0;
    uint64_t generation = 0;    // generation() at install.
    mutable uint64_t hits = 0;  // Megaflow and EMC hits (single-threaded, see above).
    // What the entry forwarded (the datapath counts every packet, the upcalled one too), and
    // how much of it sweep_used() has reported already.
    mutable uint64_t packets = 0;
    mutable uint64_t bytes = 0;
    mutable uint64_t packets_at_sweep = 0;
    mutable uint64_t bytes_at_sweep = 0;

    void count(size_t frame_bytes) const {
      ++packets;
      bytes += frame_bytes;
    }
  };

  explicit MegaflowCache(size_t max_entries = 65536);
  MegaflowCache(const MegaflowCache&) = delete;
  MegaflowCache& operator=(const MegaflowCache&) = delete;
  ~MegaflowCache();

  // Caches (key & mask, mask) -> actions. Returns the new or already present entry, or nullptr
  // if the cache is full. Valid until invalidate_all().
  const Entry* install(const FlowKey& key, const FlowMask& mask, CachedActions actions);

  // The megaflow matching `key`, or nullptr. Counts a hit.
  const Entry* lookup(const FlowKey& key) const;

  // Looks up keys[i] for each bit i of `todo` (default: all n <= kMaxBurst keys). Sets
  // results[i] for those (nullptr on a miss) and returns the hit mask. For now one classifier
  // walk per key; a subtable-major batch walk (OVS dpcls_lookup) is future work.
  uint32_t lookup_batch(const FlowKey* keys, size_t n, const Entry** results,
                        uint32_t todo = 0xffffffffu) const;

  // Drops every entry and bumps generation(); every Entry* and EMC slot becomes stale.
  void invalidate_all();

  // Calls used(entry, packets, bytes) for every entry that forwarded packets since the previous
  // sweep, with what it forwarded since (the revalidator's view of which flows are alive, and
  // the counters it credits to the OpenFlow rules).
  template <class F>
  void sweep_used(F&& used) const {
    for (const auto& entry : entries_) {
      if (entry->packets == entry->packets_at_sweep) continue;
      const uint64_t packets = entry->packets - entry->packets_at_sweep;
      const uint64_t bytes = entry->bytes - entry->bytes_at_sweep;
      entry->packets_at_sweep = entry->packets;
      entry->bytes_at_sweep = entry->bytes;
      used(*entry, packets, bytes);
    }
  }

  uint64_t generation() const { return generation_; }
  size_t size() const { return entries_.size(); }
  size_t mask_count() const { return classifier_->subtable_count(); }

 private:
  size_t max_entries_;
  uint64_t generation_ = 1;  // EMC slots start at 0, so they are never current.
  std::vector<std::unique_ptr<Entry>> entries_;
  // Declared after entries_ so it is destroyed first (it points into them).
  std::unique_ptr<Classifier> classifier_;
};

// The exact-match cache: a fixed, power-of-two array of 2-way buckets indexed by flow_hash of
// the full key. A slot holds the key, its hash, the megaflow entry and the megaflow generation
// it was filled at. A hit needs an equal key AND the current generation, and the generation is
// checked before the entry pointer is used, so invalidate_all() on the megaflow cache empties
// the EMC for free (no walk) and a stale pointer is never followed. Never allocates after
// construction. Insertion replaces the stale or, failing that, a hash-chosen way; always
// inserting (no OVS emc-insert-inv-prob) is a tuning left for later.
class ExactMatchCache {
 public:
  static constexpr size_t kDefaultEntries = 8192;

  // `entries` must be a power of two >= 2. `megaflows` must outlive this cache.
  explicit ExactMatchCache(const MegaflowCache& megaflows, size_t entries = kDefaultEntries);

  // Remembers key -> megaflow (which must come from `megaflows` in its current generation).
  void insert(const FlowKey& key, const MegaflowCache::Entry* megaflow) {
    insert(key, flow_hash(key, 0), megaflow);
  }
  void insert(const FlowKey& key, uint64_t hash, const MegaflowCache::Entry* megaflow);

  const MegaflowCache::Entry* lookup(const FlowKey& key) const {
    return lookup(key, flow_hash(key, 0));
  }
  const MegaflowCache::Entry* lookup(const FlowKey& key, uint64_t hash) const;

  // Looks up n <= kMaxBurst keys: results[i] (nullptr on a miss), hashes[i] = flow_hash of
  // keys[i] (for a later insert), returns the hit mask.
  uint32_t lookup_batch(const FlowKey* keys, size_t n, const MegaflowCache::Entry** results,
                        uint64_t* hashes) const;

  size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    FlowKey key{};
    uint64_t hash = 0;
    uint64_t generation = 0;
    const MegaflowCache::Entry* megaflow = nullptr;
  };

  const MegaflowCache& megaflows_;
  std::vector<Slot> slots_;
  size_t bucket_mask_;  // slots_.size() - 1 with the way bit cleared.
};

// EMC then megaflow cache over one batch; megaflow hits are promoted into the EMC. The caller
// upcalls the returned misses and install()s the answers.
class FlowCaches {
 public:
  explicit FlowCaches(size_t emc_entries = ExactMatchCache::kDefaultEntries,
                      size_t max_megaflows = 65536)
      : megaflows_(max_megaflows), emc_(megaflows_, emc_entries) {}

  struct Stats {
    uint64_t emc_hits = 0;
    uint64_t megaflow_hits = 0;
    uint64_t misses = 0;
  };

  // Fills results[i] for each of n <= kMaxBurst keys; returns the MISS mask (bit i: results[i]
  // is nullptr and keys[i] needs an upcall).
  uint32_t lookup_batch(const FlowKey* keys, size_t n, const MegaflowCache::Entry** results);

  // Installs an upcall's answer for `key` (mask = its un-wildcarded mask) in both caches.
  const MegaflowCache::Entry* install(const FlowKey& key, const FlowMask& mask,
                                      CachedActions actions);

  // Call on every table change.
  void invalidate_all() { megaflows_.invalidate_all(); }

  const MegaflowCache& megaflows() const { return megaflows_; }
  const ExactMatchCache& emc() const { return emc_; }
  const Stats& stats() const { return stats_; }

 private:
  MegaflowCache megaflows_;
  ExactMatchCache emc_;
  Stats stats_;
};

}  // namespace vs::datapath
