// The 802.1Q tags a packet carries at one point of its translation, relative to the frame as
// received: whether the received outer tag was popped, and the tags pushed on top. OpenFlow's
// push_vlan/pop_vlan/set_field and NORMAL's retagging change the logical stack; before each
// output, sync() emits the fewest datapath pops and pushes that make the packet carry it. A
// received tag that stays is never rewritten, so it keeps its bytes (DEI, TPID) exactly.
#pragma once

#include <optional>
#include <vector>

#include "datapath/actions.h"
#include "lib/flow_key.h"
#include "vlan/tag.h"

namespace vs::controller {

class TagStack {
 public:
  // The stack of a frame parsed into `key` (its outer tag, if any).
  explicit TagStack(const FlowKey& key);

  // The outermost tag (host order, TCI without DEI), nullopt if untagged.
  std::optional<vlan::WireTag> outer() const;
  void push(vlan::WireTag tag);
  void pop();  // no-op when untagged
  // Replaces the outer tag, or pushes one when untagged.
  void set_outer(vlan::WireTag tag);

  // Emits into `actions` what turns the packet from `current` into this stack; `current`
  // becomes this stack.
  void sync(TagStack& current, datapath::DpActions& actions) const;

  friend bool operator==(const TagStack&, const TagStack&) = default;

 private:
  void normalize();

  std::optional<vlan::WireTag> received_;  // the frame's outer tag as parsed
  bool received_popped_ = false;
  std::vector<vlan::WireTag> pushed_;  // bottom first; back() is the outermost
};

}  // namespace vs::controller
