// The upcall seam: what the datapath asks the layer above (the OpenFlow pipeline and NORMAL in
// controller/) when a packet misses both flow caches, and the hooks that layer needs to keep
// state the caches bypass (MAC learning) correct. The datapath owns this interface; the
// controller layer implements it, so datapath/ never includes controller/ (DESIGN.md).
#pragma once

#include <cstdint>

#include "datapath/actions.h"
#include "lib/flow_key.h"

namespace vs::datapath {

// Threads: every member is called on the forwarding thread that owns the caches, never
// concurrently; the implementation's state (flow tables, MAC tables) belongs to that thread, and
// other threads reach it through ForwardingThread::call().
class Upcall {
 public:
  virtual ~Upcall() = default;

  // Decides what happens to every packet whose flow key is `key` (in_port: datapath port).
  // Appends the actions (none: drop) and sets in `wildcards` every key bit the decision read,
  // so the datapath can cache the answer for all keys that agree on those bits (the megaflow).
  // `wildcards` arrives all zero except in_port, which is always exact. Must not fail: a packet
  // it cannot handle gets no actions.
  virtual void translate(const FlowKey& key, FlowMask& wildcards, DpActions& actions) = 0;

  // A cached flow whose match (key & mask) is `match` forwarded packets since the last sweep;
  // called once per such flow about every second (OVS revalidators), so that state the caches
  // bypass stays fresh: NORMAL refreshes the source MAC's learning entry here.
  virtual void flow_used(const FlowKey& match) = 0;

  // Housekeeping about once a second, after the flow_used() sweep: ages MAC entries and flows.
  virtual void run_periodic() = 0;

  // Increases whenever an earlier translate() answer may no longer hold (a MAC learned, moved
  // or aged out; a flow table changed). The datapath drops its caches when it moves.
  virtual uint64_t generation() const = 0;
};

}  // namespace vs::datapath
