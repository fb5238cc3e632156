// GroupTable (group_table.h): group-mod semantics.
#include "controller/group_table.h"

#include <algorithm>

namespace vs::controller {
namespace {

// Calls fn(group id) for every group action in `buckets`.
template <class Fn>
void for_each_group_action(const ofp::BucketList& buckets, Fn&& fn) {
  for (const ofp::Bucket& bucket : buckets) {
    for (const ofp::Action& action : bucket.actions) {
      if (action.kind == ofp::Action::Kind::kGroup) fn(action.group_id);
    }
  }
}

}  // namespace

bool Group::sends_to(uint32_t group) const {
  bool found = false;
  for_each_group_action(buckets,
                        [&](uint32_t id) { found |= group == ofp::kGroupAny || id == group; });
  return found;
}

const Group* GroupTable::find(uint32_t id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

ofp::OfpResult<void> GroupTable::check_actions(const ofp::ActionList& actions) const {
  for (const ofp::Action& action : actions) {
    if (action.kind == ofp::Action::Kind::kGroup && !groups_.contains(action.group_id)) {
      return ofp::err::kBadOutGroup;
    }
  }
  return boost::outcome_v2::success();
}

uint32_t GroupTable::chained_references(uint32_t id) const {
  return static_cast<uint32_t>(
      std::count_if(groups_.begin(), groups_.end(),
                    [&](const auto& entry) { return entry.second.sends_to(id); }));
}

bool GroupTable::reaches(uint32_t from, uint32_t target) const {
  // The table has no loop (every change is checked), so this walk ends.
  if (from == target) return true;
  const Group* group = find(from);
  if (group == nullptr) return false;
  bool found = false;
  for_each_group_action(group->buckets,
                        [&](uint32_t next) { found = found || reaches(next, target); });
  return found;
}

ofp::OfpResult<void> GroupTable::apply(const ofp::GroupMod& mod, Clock::TimePoint now,
                                       std::vector<uint32_t>& deleted) {
  using ofp::GroupModCommand;
  if (mod.command == GroupModCommand::kDelete) {
    std::vector<uint32_t> ids;
    if (mod.group_id == ofp::kGroupAll) {
      for (const auto& [id, group] : groups_) ids.push_back(id);
    } else if (groups_.contains(mod.group_id)) {
      // A group another one sends to stays (OpenFlow 1.3, 6.5): the chain would break.
      if (chained_references(mod.group_id) > 0) return ofp::err::kChainedGroup;
      ids.push_back(mod.group_id);
    }
    for (uint32_t id : ids) groups_.erase(id);
    deleted.insert(deleted.end(), ids.begin(), ids.end());
    return boost::outcome_v2::success();
  }

  const bool exists = groups_.contains(mod.group_id);
  if (mod.command == GroupModCommand::kAdd && exists) return ofp::err::kGroupExists;
  if (mod.command == GroupModCommand::kModify && !exists) return ofp::err::kUnknownGroup;
  for (const ofp::Bucket& bucket : mod.buckets) {
    if (auto known = check_actions(bucket.actions); !known) return known;
    if (bucket.watch_group != ofp::kGroupAny &&
        (bucket.watch_group == mod.group_id || !groups_.contains(bucket.watch_group))) {
      return ofp::err::kBadWatch;
    }
  }
  bool loops = false;
  for_each_group_action(mod.buckets,
                        [&](uint32_t next) { loops = loops || reaches(next, mod.group_id); });
  if (loops) return ofp::err::kGroupLoop;

  Group& group = groups_[mod.group_id];
  if (!exists) {
    group.id = mod.group_id;
    group.created = now;
  }
  // A modified group keeps its own counters; its buckets are new, and so are theirs.
  group.type = mod.type;
  group.buckets = mod.buckets;
  group.bucket_counts.assign(mod.buckets.size(), {});
  return boost::outcome_v2::success();
}

}  // namespace vs::controller
