// A bridge's OpenFlow tables (0-253): rules with priorities, masks, cookies, timeouts, flags and
// instructions on the one lib classifier per table, changed by flow-mods with OpenFlow 1.3's
// semantics (add, modify and delete, loose and strict, with cookie and out_port/out_group
// filters). A new pipeline holds the rule a bridge without a controller needs:
// `table=0, priority=0, actions=NORMAL`. xlate.h walks it; the OpenFlow channel edits it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "controller/flow_match.h"
#include "controller/ofp_actions.h"
#include "controller/ofp_message.h"
#include "lib/classifier.h"
#include "lib/clock.h"
#include "lib/flow_key.h"

namespace vs::controller {

struct FlowRule : ClassifierRule {
  uint8_t table_id = 0;
  uint64_t cookie = 0;
  uint16_t idle_timeout = 0;
  uint16_t hard_timeout = 0;
  uint16_t flags = 0;  // ofp::kFlow* (send_flow_rem, no counts, ...)
  ofp::Instructions instructions;
  Clock::TimePoint created{};
  // Credited by translation through const lookups (Xlate::flow_used), on the one thread that
  // owns the pipeline.
  mutable uint64_t packet_count = 0;
  mutable uint64_t byte_count = 0;
  mutable Clock::TimePoint last_used{};  // for the idle timeout; `created` until a packet

  FlowMatch flow_match() const { return {match, mask}; }
  // Whether an output to `port` (ofp::kPortAny: any) or to `group` is among its actions, for
  // the out_port/out_group filters of delete and stats requests.
  bool outputs_to(uint32_t port, uint32_t group) const;
};

// Which rules a flow-mod or stats request names (OpenFlow 1.3, 6.4): a loose request takes every
// rule whose match is at least as specific as `match`; a strict one the rule with exactly that
// match and priority.
struct FlowSelector {
  uint8_t table_id = ofp::kTableAll;
  FlowMatch match{};
  bool strict = false;
  uint16_t priority = 0;  // strict only
  uint64_t cookie = 0;
  uint64_t cookie_mask = 0;
  uint32_t out_port = ofp::kPortAny;
  uint32_t out_group = ofp::kGroupAny;
};

// The OFPT_FLOW_REMOVED that reports `rule`'s end at `now`.
ofp::FlowRemoved flow_removed(const FlowRule& rule, ofp::FlowRemovedReason reason,
                              Clock::TimePoint now);

// Owned and used by one thread (the forwarding thread; see datapath/datapath.h).
class Pipeline {
 public:
  static constexpr size_t kTables = 254;  // tables 0..253, as OpenFlow 1.3 allows

  // A pipeline with table 0's `priority=0 actions=NORMAL` rule, created at `now`.
  explicit Pipeline(Clock::TimePoint now);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The best rule of `table` for `key`, or nullptr (a table miss); ORs into `wildcards` the
  // key bits the lookup read.
  const FlowRule* lookup(uint8_t table, const FlowKey& key, FlowMask* wildcards) const;

  // Applies a flow-mod whose match is already mapped (flow_match.h). Errors, as OpenFlow
  // names them: BAD_TABLE_ID (OFPTT_ALL for add or modify, a table above 253), OVERLAP (add
  // with check_overlap), BAD_INSTRUCTION BAD_TABLE_ID (goto_table not to a later table). The
  // rules a delete removed are passed to `removed` (for flow-removed messages).
  ofp::OfpResult<void> apply(const ofp::FlowMod& mod, const FlowMatch& match, Clock::TimePoint now,
                             const std::function<void(const FlowRule&)>& removed = {});

  // Deletes every rule; then adds table 0's NORMAL rule if `normal_rule` (OVS's flush when a
  // bridge gains or loses its controllers).
  void reset(Clock::TimePoint now, bool normal_rule);

  // Adds (or replaces) one rule as an add flow-mod would, without checks; for code and tests.
  void add(std::unique_ptr<FlowRule> rule);

  // Removes the rules whose hard timeout (since created) or idle timeout (since last_used) has
  // passed at `now`, passing each to `removed` with its reason first.
  void expire(Clock::TimePoint now,
              const std::function<void(const FlowRule&, ofp::FlowRemovedReason)>& removed);

  // The rules `selector` names, in table order then insertion order.
  std::vector<const FlowRule*> select(const FlowSelector& selector) const;
  size_t rule_count() const { return rules_.size(); }

  // OFPMP_TABLE: rules per table, and the packets that looked a table up and that matched a
  // rule in it (credited with the rules' counters, see FlowRule).
  struct TableCounters {
    uint64_t lookups = 0;
    uint64_t matches = 0;
  };
  void credit_lookup(uint8_t table, uint64_t packets, bool matched) const {
    counters_[table].lookups += packets;
    if (matched) counters_[table].matches += packets;
  }
  std::vector<ofp::TableStats> table_stats() const;

 private:
  void insert(std::unique_ptr<FlowRule> rule);
  void erase(const FlowRule& rule);
  // Calls fn(FlowRule&) for the rules `selector` names.
  template <class Fn>
  void for_selected(const FlowSelector& selector, Fn&& fn) const;

  uint64_t next_id_ = 1;
  std::map<uint64_t, std::unique_ptr<FlowRule>> rules_;  // by id: insertion order
  std::vector<std::unique_ptr<Classifier>> tables_;      // created on first use
  mutable std::vector<TableCounters> counters_ = std::vector<TableCounters>(kTables);
};

}  // namespace vs::controller
