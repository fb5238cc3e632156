// Tuple-space search classifier; the design (ties, early termination, un-wildcarding,
// ownership, threads) is documented in classifier.h.
#include "lib/classifier.h"

#include <algorithm>
#include <cassert>

namespace vs {
namespace {

FlowKey masked_key(const FlowKey& key, const FlowMask& mask) {
  FlowKey masked = key;
  flow_apply_mask(masked, mask);
  return masked;
}

void or_into(FlowMask* dst, const FlowMask& src) {
  auto* out = reinterpret_cast<uint8_t*>(dst);
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    uint64_t word = flow_internal::load_word(*dst, i) | flow_internal::load_word(src, i);
    std::memcpy(out + i * sizeof word, &word, sizeof word);
  }
}

}  // namespace

Classifier::~Classifier() = default;

bool Classifier::better(const Entry& a, const Entry& b) {
  if (a.rule->priority != b.rule->priority) return a.rule->priority > b.rule->priority;
  if (a.rule->id != b.rule->id) return a.rule->id < b.rule->id;
  return a.seq < b.seq;
}

Classifier::Subtable* Classifier::find_subtable(const FlowMask& mask) const {
  auto it = by_mask_.find(mask);
  return it == by_mask_.end() ? nullptr : it->second;
}

void Classifier::sort_subtables() {
  std::stable_sort(subtables_.begin(), subtables_.end(),
                   [](const auto& a, const auto& b) { return a->max_priority > b->max_priority; });
}

const ClassifierRule* Classifier::insert(const ClassifierRule& rule) {
  Subtable* subtable = find_subtable(rule.mask);
  if (subtable == nullptr) {
    auto owned = std::make_unique<Subtable>();
    owned->mask = rule.mask;
    owned->max_priority = rule.priority;
    subtable = owned.get();
    subtables_.push_back(std::move(owned));
    by_mask_.emplace(rule.mask, subtable);
  }

  Bucket& bucket = subtable->buckets[masked_key(rule.match, rule.mask)];
  auto pos = std::find_if(bucket.begin(), bucket.end(), [&](const Entry& entry) {
    return entry.rule->priority <= rule.priority;
  });
  if (pos != bucket.end() && pos->rule->priority == rule.priority) {
    assert(pos->rule != &rule);
    return pos->rule;  // The subtable and bucket already existed: nothing to undo.
  }
  bucket.insert(pos, Entry{&rule, next_seq_++});
  ++subtable->priority_counts[rule.priority];
  ++size_;

  if (subtable->priority_counts.size() == 1 || rule.priority > subtable->max_priority) {
    subtable->max_priority = rule.priority;
  }
  sort_subtables();
  return nullptr;
}

bool Classifier::remove(const ClassifierRule& rule) {
  Subtable* subtable = find_subtable(rule.mask);
  if (subtable == nullptr) return false;
  auto bucket_it = subtable->buckets.find(masked_key(rule.match, rule.mask));
  if (bucket_it == subtable->buckets.end()) return false;
  Bucket& bucket = bucket_it->second;
  auto pos = std::find_if(bucket.begin(), bucket.end(),
                          [&](const Entry& entry) { return entry.rule == &rule; });
  if (pos == bucket.end()) return false;

  bucket.erase(pos);
  if (bucket.empty()) subtable->buckets.erase(bucket_it);
  auto count = subtable->priority_counts.find(rule.priority);
  if (--count->second == 0) subtable->priority_counts.erase(count);
  --size_;

  if (subtable->buckets.empty()) {
    by_mask_.erase(subtable->mask);
    subtables_.erase(std::find_if(subtables_.begin(), subtables_.end(),
                                  [&](const auto& owned) { return owned.get() == subtable; }));
  } else {
    subtable->max_priority = subtable->priority_counts.rbegin()->first;
    sort_subtables();
  }
  return true;
}

const ClassifierRule* Classifier::lookup(const FlowKey& key, FlowMask* wildcards) const {
  const Entry* best = nullptr;
  for (const auto& subtable : subtables_) {
    if (best != nullptr && best->rule->priority > subtable->max_priority) break;
    if (wildcards != nullptr) or_into(wildcards, subtable->mask);
    auto it = subtable->buckets.find(masked_key(key, subtable->mask));
    if (it == subtable->buckets.end()) continue;
    const Entry& candidate = it->second.front();  // Highest priority of the bucket.
    if (best == nullptr || better(candidate, *best)) best = &candidate;
  }
  return best == nullptr ? nullptr : best->rule;
}

const ClassifierRule* Classifier::find_exactly(const FlowKey& match, const FlowMask& mask,
                                               int32_t priority) const {
  const Subtable* subtable = find_subtable(mask);
  if (subtable == nullptr) return nullptr;
  auto it = subtable->buckets.find(masked_key(match, mask));
  if (it == subtable->buckets.end()) return nullptr;
  for (const Entry& entry : it->second) {
    if (entry.rule->priority == priority) return entry.rule;
  }
  return nullptr;
}

}  // namespace vs
