// A bridge's OpenFlow group table (OpenFlow 1.3, 5.6 and 6.5): groups by number with their type,
// buckets and counters, changed by group-mods with the specification's semantics. Chaining is
// supported: a bucket may send to another group, never in a loop. The flows that use a group
// live in the pipeline (pipeline.h); OfSwitch deletes them with the group. Translation
// (xlate.h) runs the buckets and credits the counters.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "controller/ofp_actions.h"
#include "controller/ofp_message.h"
#include "lib/clock.h"

namespace vs::controller {

struct Group {
  uint32_t id = 0;
  ofp::GroupType type = ofp::GroupType::kAll;
  ofp::BucketList buckets;
  Clock::TimePoint created{};
  // Credited by translation through const lookups, as FlowRule's counters are.
  mutable uint64_t packet_count = 0;
  mutable uint64_t byte_count = 0;
  mutable std::vector<ofp::BucketStats> bucket_counts;  // one per bucket

  // Whether a bucket sends to `group` (ofp::kGroupAny: to any group).
  bool sends_to(uint32_t group) const;
};

// Owned and used by the thread that owns the pipeline (the forwarding thread).
class GroupTable {
 public:
  // Applies a group-mod the codec has checked (ofp_message.h check_group_mod). Errors:
  // GROUP_EXISTS (add), UNKNOWN_GROUP (modify), BAD_OUT_GROUP (a bucket names a group that
  // does not exist), LOOP (a bucket would lead back to the group), CHAINED_GROUP (delete of a
  // group another group sends to). A delete of a group that does not exist is no error, as
  // the specification says. The ids of the deleted groups are appended to `deleted`.
  ofp::OfpResult<void> apply(const ofp::GroupMod& mod, Clock::TimePoint now,
                             std::vector<uint32_t>& deleted);

  // BAD_OUT_GROUP if an action in `actions` sends to a group that does not exist.
  ofp::OfpResult<void> check_actions(const ofp::ActionList& actions) const;

  const Group* find(uint32_t id) const;
  // Every group, in number order.
  const std::map<uint32_t, Group>& groups() const { return groups_; }
  // The groups whose buckets send to `id`.
  uint32_t chained_references(uint32_t id) const;
  void clear() { groups_.clear(); }

 private:
  // Whether following the buckets' group actions from group `from` leads to group `target`.
  bool reaches(uint32_t from, uint32_t target) const;

  std::map<uint32_t, Group> groups_;
};

}  // namespace vs::controller
