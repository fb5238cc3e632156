// TagStack (tag_stack.h): the logical stack and the minimal ops between two stacks.
#include "controller/tag_stack.h"

#include <arpa/inet.h>

namespace vs::controller {

TagStack::TagStack(const FlowKey& key) {
  if (key.vlan_tpid != 0) {
    // The key marks presence with the DEI bit position (kVlanPresent); the TCI kept here has
    // DEI 0, as every tag this switch writes.
    received_ = vlan::WireTag{ntohs(key.vlan_tpid),
                              static_cast<uint16_t>(ntohs(key.vlan_tci) & ~kVlanPresent)};
  }
}

std::optional<vlan::WireTag> TagStack::outer() const {
  if (!pushed_.empty()) return pushed_.back();
  if (received_popped_) return std::nullopt;  // a QinQ inner tag is not in the key: untagged
  return received_;
}

void TagStack::push(vlan::WireTag tag) {
  pushed_.push_back(tag);
  normalize();
}

void TagStack::pop() {
  if (!pushed_.empty()) {
    pushed_.pop_back();
  } else if (received_) {
    received_popped_ = true;
  }
}

void TagStack::set_outer(vlan::WireTag tag) {
  if (outer()) pop();
  push(tag);
}

// Popping the received tag and pushing an equal one is the received tag left alone.
void TagStack::normalize() {
  if (received_popped_ && pushed_.size() == 1 && received_ && pushed_.front() == *received_) {
    received_popped_ = false;
    pushed_.clear();
  }
}

void TagStack::sync(TagStack& current, datapath::DpActions& actions) const {
  if (current == *this) return;
  size_t common = 0;
  if (current.received_popped_ == received_popped_) {
    while (common < current.pushed_.size() && common < pushed_.size() &&
           current.pushed_[common] == pushed_[common]) {
      ++common;
    }
  }
  for (size_t i = current.pushed_.size(); i > common; --i) actions.push_back(datapath::pop_vlan());
  if (current.received_popped_ != received_popped_ && received_) {
    if (received_popped_) {
      actions.push_back(datapath::pop_vlan());
    } else {
      actions.push_back(datapath::push_vlan(*received_));
    }
  }
  for (size_t i = common; i < pushed_.size(); ++i) {
    actions.push_back(datapath::push_vlan(pushed_[i]));
  }
  current = *this;
}

}  // namespace vs::controller
