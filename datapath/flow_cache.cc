// Exact-match and megaflow caches (flow_cache.h). The megaflow cache is a priority-0 lib
// Classifier over entries it owns; the EMC is a flat array validated by generation.
#include "datapath/flow_cache.h"

#include <bit>
#include <cassert>
#include <cstring>

namespace vs::datapath {

MegaflowCache::MegaflowCache(size_t max_entries)
    : max_entries_(max_entries), classifier_(std::make_unique<Classifier>()) {}

MegaflowCache::~MegaflowCache() = default;

const MegaflowCache::Entry* MegaflowCache::install(const FlowKey& key, const FlowMask& mask,
                                                   CachedActions actions) {
  FlowKey match = key;
  flow_apply_mask(match, mask);
  if (const ClassifierRule* existing = classifier_->find_exactly(match, mask, 0)) {
    return static_cast<const Entry*>(existing);
  }
  if (entries_.size() >= max_entries_) return nullptr;
  auto entry = std::make_unique<Entry>();
  entry->match = match;
  entry->mask = mask;
  entry->priority = 0;
  entry->id = entries_.size();
  entry->actions = actions;
  entry->generation = generation_;
  [[maybe_unused]] const ClassifierRule* clash = classifier_->insert(*entry);
  assert(clash == nullptr);
  entries_.push_back(std::move(entry));
  return entries_.back().get();
}

const MegaflowCache::Entry* MegaflowCache::lookup(const FlowKey& key) const {
  const auto* entry = static_cast<const Entry*>(classifier_->lookup(key, nullptr));
  if (entry != nullptr) ++entry->hits;
  return entry;
}

uint32_t MegaflowCache::lookup_batch(const FlowKey* keys, size_t n, const Entry** results,
                                     uint32_t todo) const {
  assert(n <= kMaxBurst);
  uint32_t hits = 0;
  for (uint32_t left = todo & batch_mask(n); left != 0; left &= left - 1) {
    int i = std::countr_zero(left);
    results[i] = lookup(keys[i]);
    if (results[i] != nullptr) hits |= uint32_t{1} << i;
  }
  return hits;
}

void MegaflowCache::invalidate_all() {
  classifier_ = std::make_unique<Classifier>();  // The old one goes before the entries it holds.
  entries_.clear();
  ++generation_;
}

ExactMatchCache::ExactMatchCache(const MegaflowCache& megaflows, size_t entries)
    : megaflows_(megaflows), slots_(entries), bucket_mask_((entries - 1) & ~size_t{1}) {
  assert(entries >= 2 && std::has_single_bit(entries));
}

const MegaflowCache::Entry* ExactMatchCache::lookup(const FlowKey& key, uint64_t hash) const {
  const uint64_t generation = megaflows_.generation();
  const Slot* bucket = &slots_[hash & bucket_mask_];
  for (int way = 0; way < 2; ++way) {
    const Slot& slot = bucket[way];
    // Generation first: a stale slot's megaflow pointer may dangle.
    if (slot.generation == generation && slot.hash == hash &&
        std::memcmp(&slot.key, &key, sizeof key) == 0) {
      ++slot.megaflow->hits;
      return slot.megaflow;
    }
  }
  return nullptr;
}

void ExactMatchCache::insert(const FlowKey& key, uint64_t hash,
                             const MegaflowCache::Entry* megaflow) {
  const uint64_t generation = megaflows_.generation();
  assert(megaflow != nullptr && megaflow->generation == generation);
  Slot* bucket = &slots_[hash & bucket_mask_];
  Slot* victim = &bucket[(hash >> 32) & 1];
  for (int way = 0; way < 2; ++way) {
    Slot& slot = bucket[way];
    if (slot.generation == generation && slot.hash == hash &&
        std::memcmp(&slot.key, &key, sizeof key) == 0) {
      victim = &slot;  // Refresh in place rather than holding the key twice.
      break;
    }
    if (slot.generation != generation) victim = &slot;
  }
  victim->key = key;
  victim->hash = hash;
  victim->generation = generation;
  victim->megaflow = megaflow;
}

uint32_t ExactMatchCache::lookup_batch(const FlowKey* keys, size_t n,
                                       const MegaflowCache::Entry** results,
                                       uint64_t* hashes) const {
  assert(n <= kMaxBurst);
  uint32_t hits = 0;
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = flow_hash(keys[i], 0);
    results[i] = lookup(keys[i], hashes[i]);
    if (results[i] != nullptr) hits |= uint32_t{1} << i;
  }
  return hits;
}

uint32_t FlowCaches::lookup_batch(const FlowKey* keys, size_t n,
                                  const MegaflowCache::Entry** results) {
  assert(n <= kMaxBurst);
  uint64_t hashes[kMaxBurst];
  const uint32_t all = batch_mask(n);
  const uint32_t emc_hits = emc_.lookup_batch(keys, n, results, hashes);
  const uint32_t mf_hits = megaflows_.lookup_batch(keys, n, results, all & ~emc_hits);
  for (uint32_t left = mf_hits; left != 0; left &= left - 1) {
    int i = std::countr_zero(left);
    emc_.insert(keys[i], hashes[i], results[i]);
  }
  const uint32_t misses = all & ~(emc_hits | mf_hits);
  stats_.emc_hits += static_cast<uint64_t>(std::popcount(emc_hits));
  stats_.megaflow_hits += static_cast<uint64_t>(std::popcount(mf_hits));
  stats_.misses += static_cast<uint64_t>(std::popcount(misses));
  return misses;
}

const MegaflowCache::Entry* FlowCaches::install(const FlowKey& key, const FlowMask& mask,
                                                CachedActions actions) {
  const MegaflowCache::Entry* entry = megaflows_.install(key, mask, actions);
  if (entry != nullptr) emc_.insert(key, entry);
  return entry;
}

}  // namespace vs::datapath
