// The one packet classifier: tuple-space search over FlowKey/FlowMask (lib/flow_key.h) that
// returns the highest-priority matching rule and the un-wildcarded mask a megaflow built from
// the lookup must use. The OpenFlow tables and the datapath's megaflow cache both sit on it.
// Design after the essay at the top of OVS lib/classifier.h; this is the small first version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "lib/flow_key.h"

namespace vs {

// A rule: match the bits of `match` that `mask` sets. Bits of `match` outside `mask` are
// ignored (the classifier works on the masked match). `id` is the caller's payload; to carry
// more, derive from ClassifierRule and static_cast the result of lookup() back.
struct ClassifierRule {
  FlowKey match{};
  FlowMask mask{};
  int32_t priority = 0;
  uint64_t id = 0;
};

// Tuple-space search. Rules are grouped into one subtable per distinct mask; a subtable is a
// hash map from the masked match (flow_hash of the masked key) to the rules with exactly that
// masked match, highest priority first. A lookup masks the packet with each subtable's mask and
// probes that subtable's map: one hash probe per subtable, whatever the number of rules.
//
// Priorities and ties. lookup() returns the matching rule with the highest priority. OpenFlow
// leaves overlapping equal-priority rules undefined; this classifier decides them by the lowest
// `id`, then by the earliest insertion, independently of subtable order and insert/remove
// history, so the linear-scan model in the tests can state the same rule. Two rules with the
// same masked match, mask and priority are refused (insert() returns the existing one): such a
// pair could never be told apart, and find_exactly() must name one rule.
//
// Early termination. Subtables are kept sorted by the highest priority they hold. Once the
// best rule found so far has a priority strictly greater than the next subtable's maximum, no
// later subtable can beat it, so the lookup stops. (Strictly: a later subtable of equal maximum
// priority may hold an equal-priority rule with a lower id.)
//
// Un-wildcarding. The datapath caches each lookup as a megaflow: (key & W, W) -> actions, and
// later packets that agree with the looked-up key on W reuse the answer without a lookup. W must
// therefore cover every bit the answer depended on. lookup() ORs into *wildcards the mask of
// every subtable it probed, hit or miss. That is enough: a packet agreeing with the key on W
// has the same masked key in each probed subtable, so it finds the same buckets (or the same
// misses) there and the same best rule among them; every subtable not probed was skipped because
// its maximum priority is below that best rule, so it cannot change the answer either. Leaving
// out a probed subtable's mask is the classic bug: if a higher- or equal-priority subtable
// missed because of, say, tp_dst, a megaflow that ignores tp_dst would also catch packets that
// the higher rule should have taken. The winning rule's own mask is always included. Skipping
// subtables is what keeps megaflows wide: a high-priority in_port rule that hits never
// un-wildcards the fields of the lower subtables behind it. (OVS narrows W further with staged
// lookup and prefix tries; not done yet.)
//
// Ownership. The caller owns every rule. insert() stores a pointer: the rule must stay alive
// and unchanged until remove() or the classifier's destruction. The classifier owns only its
// subtables and buckets.
//
// Threads. For now one thread does everything: inserts, removals and lookups are not
// synchronised and must not overlap. Forwarding threads will never lock. The plan, for the
// datapath issue and not built here, is OVS's: a single writer publishes versioned, RCU-style
// snapshots (rules visible from a version, subtable vectors swapped atomically, memory freed
// after a grace period) so readers run lock-free against a consistent view.
//
// Cost. lookup() never allocates and never throws. insert()/remove() allocate and re-sort the
// (short) subtable vector; they are control-plane operations.
class Classifier {
 public:
  Classifier() = default;
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;
  ~Classifier();

  // Adds `rule` (see Ownership). Returns nullptr if added, else the already inserted rule with
  // the same masked match, mask and priority; then nothing changed. Inserting a rule that is
  // already in is a caller bug.
  [[nodiscard]] const ClassifierRule* insert(const ClassifierRule& rule);

  // Removes `rule` (by address). Returns false if it was not in the classifier.
  bool remove(const ClassifierRule& rule);

  // The highest-priority rule matching `key` (ties as above), or nullptr. If `wildcards` is not
  // null, ORs into it the masks of every subtable probed (see Un-wildcarding); the caller
  // zeroes it before the first lookup of a packet.
  const ClassifierRule* lookup(const FlowKey& key, FlowMask* wildcards) const;

  // The rule with exactly this mask, masked match and priority, or nullptr (strict flow-mod).
  const ClassifierRule* find_exactly(const FlowKey& match, const FlowMask& mask,
                                     int32_t priority) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t subtable_count() const { return subtables_.size(); }

  // Calls fn(const ClassifierRule&) for every rule, in no particular order. `fn` must not
  // insert or remove.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const auto& subtable : subtables_) {
      for (const auto& [masked, bucket] : subtable->buckets) {
        for (const Entry& entry : bucket) fn(*entry.rule);
      }
    }
  }

 private:
  struct KeyHash {
    size_t operator()(const FlowKey& key) const { return flow_hash(key, 0); }
  };
  struct KeyEqual {
    // FlowKey has no padding, so byte equality is field equality.
    bool operator()(const FlowKey& a, const FlowKey& b) const {
      return std::memcmp(&a, &b, sizeof a) == 0;
    }
  };

  struct Entry {
    const ClassifierRule* rule;
    uint64_t seq;  // Insertion order, the last tie-break.
  };
  // Rules with one masked match, strictly decreasing priority (equal ones are refused).
  using Bucket = std::vector<Entry>;

  struct Subtable {
    FlowMask mask{};
    int32_t max_priority = 0;
    std::unordered_map<FlowKey, Bucket, KeyHash, KeyEqual> buckets;
    std::map<int32_t, size_t> priority_counts;  // For max_priority after removals.
  };

  // True if `a` wins over `b` (both match): higher priority, then lower id, then older.
  static bool better(const Entry& a, const Entry& b);
  Subtable* find_subtable(const FlowMask& mask) const;
  void sort_subtables();

  // Highest max_priority first; probed in this order.
  std::vector<std::unique_ptr<Subtable>> subtables_;
  std::unordered_map<FlowMask, Subtable*, KeyHash, KeyEqual> by_mask_;
  size_t size_ = 0;
  uint64_t next_seq_ = 0;
};

}  // namespace vs
