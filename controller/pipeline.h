// A bridge's OpenFlow tables: rules with priorities and masks on the one lib classifier, and the
// OpenFlow actions they carry. For now a new pipeline holds the single rule a bridge without a
// controller needs, `table=0, priority=0, actions=NORMAL`; the OpenFlow channel fills in the
// rest (more tables, instructions, counters) on the same shape. xlate.h walks it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "lib/classifier.h"
#include "lib/flow_key.h"

namespace vs::controller {

// OpenFlow 1.3 reserved port numbers (OFPP_*).
inline constexpr uint32_t kOfppInPort = 0xfffffff8;
inline constexpr uint32_t kOfppNormal = 0xfffffffa;
inline constexpr uint32_t kOfppFlood = 0xfffffffb;
inline constexpr uint32_t kOfppAll = 0xfffffffc;
inline constexpr uint32_t kOfppController = 0xfffffffd;
inline constexpr uint32_t kOfppLocal = 0xfffffffe;
inline constexpr uint32_t kOfppMax = 0xffffff00;  // highest number of a physical port

struct OfAction {
  enum class Kind : uint8_t {
    kOutput,  // `port`: a port number or one of the reserved ports above
  };
  Kind kind;
  uint32_t port = 0;
};

struct FlowRule : ClassifierRule {
  uint8_t table_id = 0;
  uint64_t cookie = 0;
  std::vector<OfAction> actions;  // empty: drop
};

// Owned and used by one thread (the forwarding thread; see datapath/datapath.h).
class Pipeline {
 public:
  static constexpr size_t kTables = 254;  // tables 0..253, as OpenFlow 1.3 allows

  // A pipeline with table 0's `priority=0 actions=NORMAL` rule.
  Pipeline();
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The best rule of `table` for `key`, or nullptr (a table miss); ORs into `wildcards` the
  // key bits the lookup read.
  const FlowRule* lookup(uint8_t table, const FlowKey& key, FlowMask* wildcards) const;

  // Adds a rule, replacing one with the same table, match, mask and priority.
  void add(std::unique_ptr<FlowRule> rule);
  size_t rule_count() const;

 private:
  std::vector<std::unique_ptr<FlowRule>> rules_;
  std::vector<std::unique_ptr<Classifier>> tables_;  // created on first use
};

}  // namespace vs::controller
