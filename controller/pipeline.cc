// Pipeline (pipeline.h): flow-mod semantics over one classifier per table.
#include "controller/pipeline.h"

#include <algorithm>
#include <cassert>
#include <tuple>
#include <utility>

namespace vs::controller {
namespace {

using ofp::FlowModCommand;

// True if every packet `narrow` matches is also matched by `wide`: `wide` constrains no bit
// that `narrow` leaves free, and both agree where `wide` looks.
bool covers(const FlowMatch& wide, const FlowMatch& narrow) {
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    const uint64_t wide_mask = flow_internal::load_word(wide.mask, i);
    const uint64_t narrow_mask = flow_internal::load_word(narrow.mask, i);
    if ((wide_mask & ~narrow_mask) != 0) return false;
    if ((flow_internal::load_word(wide.key, i) ^ flow_internal::load_word(narrow.key, i)) &
        wide_mask) {
      return false;
    }
  }
  return true;
}

// True if some packet matches both: they agree wherever both look.
bool overlaps(const FlowMatch& a, const FlowMatch& b) {
  for (size_t i = 0; i < kFlowKeyWords; ++i) {
    const uint64_t both = flow_internal::load_word(a.mask, i) & flow_internal::load_word(b.mask, i);
    if ((flow_internal::load_word(a.key, i) ^ flow_internal::load_word(b.key, i)) & both) {
      return false;
    }
  }
  return true;
}

bool list_outputs_to(const std::optional<ofp::ActionList>& actions, uint32_t port, uint32_t group) {
  if (!actions) return false;
  return std::any_of(actions->begin(), actions->end(), [&](const ofp::Action& a) {
    return (a.kind == ofp::Action::Kind::kOutput && port != ofp::kPortAny && a.port == port) ||
           (a.kind == ofp::Action::Kind::kGroup && group != ofp::kGroupAny && a.group_id == group);
  });
}

}  // namespace

bool FlowRule::outputs_to(uint32_t port, uint32_t group) const {
  if (port == ofp::kPortAny && group == ofp::kGroupAny) return true;
  return list_outputs_to(instructions.apply_actions, port, group) ||
         list_outputs_to(instructions.write_actions, port, group);
}

Pipeline::Pipeline(Clock::TimePoint now) : tables_(kTables) { reset(now, true); }

void Pipeline::reset(Clock::TimePoint now, bool normal_rule) {
  for (auto& table : tables_) table.reset();  // the classifiers point into rules_
  rules_.clear();
  if (!normal_rule) return;
  auto normal = std::make_unique<FlowRule>();
  normal->priority = 0;
  normal->created = now;
  normal->instructions.apply_actions = ofp::ActionList{ofp::Action::output(ofp::kPortNormal)};
  add(std::move(normal));
}

Pipeline::~Pipeline() {
  tables_.clear();  // the classifiers point into rules_
}

const FlowRule* Pipeline::lookup(uint8_t table, const FlowKey& key, FlowMask* wildcards) const {
  if (table >= tables_.size() || !tables_[table]) return nullptr;
  return static_cast<const FlowRule*>(tables_[table]->lookup(key, wildcards));
}

void Pipeline::insert(std::unique_ptr<FlowRule> rule) {
  assert(rule->table_id < kTables);
  auto& table = tables_[rule->table_id];
  if (!table) table = std::make_unique<Classifier>();
  flow_apply_mask(rule->match, rule->mask);
  if (const ClassifierRule* old = table->find_exactly(rule->match, rule->mask, rule->priority)) {
    erase(*static_cast<const FlowRule*>(old));
  }
  rule->id = next_id_++;
  [[maybe_unused]] const ClassifierRule* clash = table->insert(*rule);
  assert(clash == nullptr);
  rules_.emplace(rule->id, std::move(rule));
}

void Pipeline::erase(const FlowRule& rule) {
  tables_[rule.table_id]->remove(rule);
  rules_.erase(rule.id);
}

void Pipeline::add(std::unique_ptr<FlowRule> rule) { insert(std::move(rule)); }

template <class Fn>
void Pipeline::for_selected(const FlowSelector& selector, Fn&& fn) const {
  auto chosen = [&](const FlowRule& rule) {
    if (selector.table_id != ofp::kTableAll && rule.table_id != selector.table_id) return false;
    if (((rule.cookie ^ selector.cookie) & selector.cookie_mask) != 0) return false;
    if (!rule.outputs_to(selector.out_port, selector.out_group)) return false;
    if (selector.strict) {
      return rule.priority == selector.priority &&
             std::memcmp(&rule.mask, &selector.match.mask, sizeof rule.mask) == 0 &&
             std::memcmp(&rule.match, &selector.match.key, sizeof rule.match) == 0;
    }
    return covers(selector.match, rule.flow_match());
  };
  std::vector<FlowRule*> rules;
  for (const auto& [id, rule] : rules_) {
    if (chosen(*rule)) rules.push_back(rule.get());
  }
  std::stable_sort(rules.begin(), rules.end(),
                   [](const FlowRule* a, const FlowRule* b) { return a->table_id < b->table_id; });
  for (FlowRule* rule : rules) fn(*rule);
}

void Pipeline::expire(Clock::TimePoint now,
                      const std::function<void(const FlowRule&, ofp::FlowRemovedReason)>& removed) {
  using std::chrono::seconds;
  std::vector<std::pair<FlowRule*, ofp::FlowRemovedReason>> doomed;
  for (const auto& [id, rule] : rules_) {
    if (rule->hard_timeout != 0 && now >= rule->created + seconds(rule->hard_timeout)) {
      doomed.emplace_back(rule.get(), ofp::FlowRemovedReason::kHardTimeout);
    } else if (rule->idle_timeout != 0 && now >= rule->last_used + seconds(rule->idle_timeout)) {
      doomed.emplace_back(rule.get(), ofp::FlowRemovedReason::kIdleTimeout);
    }
  }
  for (auto [rule, reason] : doomed) {
    if (removed) removed(*rule, reason);
    erase(*rule);
  }
}

std::vector<ofp::TableStats> Pipeline::table_stats() const {
  std::vector<ofp::TableStats> out(kTables);
  for (size_t id = 0; id < kTables; ++id) {
    out[id].table_id = static_cast<uint8_t>(id);
    out[id].lookup_count = counters_[id].lookups;
    out[id].matched_count = counters_[id].matches;
  }
  for (const auto& [id, rule] : rules_) ++out[rule->table_id].active_count;
  return out;
}

ofp::FlowRemoved flow_removed(const FlowRule& rule, ofp::FlowRemovedReason reason,
                              Clock::TimePoint now) {
  const auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - rule.created);
  ofp::FlowRemoved out;
  out.cookie = rule.cookie;
  out.priority = static_cast<uint16_t>(rule.priority);
  out.reason = reason;
  out.table_id = rule.table_id;
  std::tie(out.duration_sec, out.duration_nsec) = ofp::wire_duration(age);
  out.idle_timeout = rule.idle_timeout;
  out.hard_timeout = rule.hard_timeout;
  out.packet_count = rule.packet_count;
  out.byte_count = rule.byte_count;
  out.match = to_oxm_match(rule.flow_match());
  return out;
}

std::vector<const FlowRule*> Pipeline::select(const FlowSelector& selector) const {
  std::vector<const FlowRule*> out;
  for_selected(selector, [&](const FlowRule& rule) { out.push_back(&rule); });
  return out;
}

ofp::OfpResult<void> Pipeline::apply(const ofp::FlowMod& mod, const FlowMatch& match,
                                     Clock::TimePoint now,
                                     const std::function<void(const FlowRule&)>& removed) {
  const bool deleting =
      mod.command == FlowModCommand::kDelete || mod.command == FlowModCommand::kDeleteStrict;
  if (mod.table_id == ofp::kTableAll ? !deleting : mod.table_id >= kTables) {
    return ofp::err::kFlowModBadTableId;
  }
  if (auto next = mod.instructions.goto_table;
      !deleting && next && (*next <= mod.table_id || *next >= kTables)) {
    return ofp::err::kInstructionBadTableId;
  }
  FlowSelector selector{mod.table_id, match, false, mod.priority, mod.cookie, mod.cookie_mask};
  switch (mod.command) {
    case FlowModCommand::kAdd: {
      if (mod.flags & ofp::kFlowCheckOverlap) {
        for (const auto& [id, rule] : rules_) {
          const bool same = rule->priority == mod.priority && rule->table_id == mod.table_id;
          const bool identical = std::memcmp(&rule->mask, &match.mask, sizeof match.mask) == 0 &&
                                 std::memcmp(&rule->match, &match.key, sizeof match.key) == 0;
          if (same && !identical && overlaps(rule->flow_match(), match)) {
            return ofp::err::kOverlap;
          }
        }
      }
      auto rule = std::make_unique<FlowRule>();
      rule->match = match.key;
      rule->mask = match.mask;
      rule->priority = mod.priority;
      rule->table_id = mod.table_id;
      rule->cookie = mod.cookie;
      rule->idle_timeout = mod.idle_timeout;
      rule->hard_timeout = mod.hard_timeout;
      rule->flags = mod.flags;
      rule->instructions = mod.instructions;
      rule->created = rule->last_used = now;
      insert(std::move(rule));
      return boost::outcome_v2::success();
    }
    case FlowModCommand::kModify:
    case FlowModCommand::kModifyStrict:
      // OpenFlow 1.2 and later: a modify that names no rule adds nothing.
      selector.strict = mod.command == FlowModCommand::kModifyStrict;
      for_selected(selector, [&](FlowRule& rule) {
        rule.instructions = mod.instructions;
        if (mod.flags & ofp::kFlowResetCounts) rule.packet_count = rule.byte_count = 0;
      });
      return boost::outcome_v2::success();
    case FlowModCommand::kDelete:
    case FlowModCommand::kDeleteStrict: {
      selector.strict = mod.command == FlowModCommand::kDeleteStrict;
      selector.out_port = mod.out_port;
      selector.out_group = mod.out_group;
      std::vector<FlowRule*> doomed;
      for_selected(selector, [&](FlowRule& rule) { doomed.push_back(&rule); });
      for (FlowRule* rule : doomed) {
        if (removed) removed(*rule);
        erase(*rule);
      }
      return boost::outcome_v2::success();
    }
  }
  return ofp::err::kBadCommand;
}

}  // namespace vs::controller
