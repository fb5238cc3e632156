// Pipeline (pipeline.h): one lib Classifier per table, over rules the pipeline owns.
#include "controller/pipeline.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace vs::controller {

Pipeline::Pipeline() : tables_(kTables) {
  auto normal = std::make_unique<FlowRule>();
  normal->match = FlowKey{};
  normal->mask = FlowMask{};
  normal->priority = 0;
  normal->actions = {{OfAction::Kind::kOutput, kOfppNormal}};
  add(std::move(normal));
}

Pipeline::~Pipeline() {
  tables_.clear();  // the classifiers point into rules_
}

const FlowRule* Pipeline::lookup(uint8_t table, const FlowKey& key, FlowMask* wildcards) const {
  if (table >= tables_.size() || !tables_[table]) return nullptr;
  return static_cast<const FlowRule*>(tables_[table]->lookup(key, wildcards));
}

void Pipeline::add(std::unique_ptr<FlowRule> rule) {
  assert(rule->table_id < kTables);
  auto& table = tables_[rule->table_id];
  if (!table) table = std::make_unique<Classifier>();
  FlowKey match = rule->match;
  flow_apply_mask(match, rule->mask);
  rule->match = match;
  if (const ClassifierRule* old = table->find_exactly(match, rule->mask, rule->priority)) {
    table->remove(*old);
    std::erase_if(rules_, [&](const auto& r) { return r.get() == old; });
  }
  [[maybe_unused]] const ClassifierRule* clash = table->insert(*rule);
  assert(clash == nullptr);
  rules_.push_back(std::move(rule));
}

size_t Pipeline::rule_count() const { return rules_.size(); }

}  // namespace vs::controller
