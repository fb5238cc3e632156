// The upcall seam: what the datapath asks the layer above (the OpenFlow pipeline and NORMAL in
// controller/) when a packet misses both flow caches, and the hooks that layer needs to keep
// state the caches bypass (MAC learning) correct. The datapath owns this interface; the
// controller layer implements it, so datapath/ never includes controller/ (DESIGN.md).
#pragma once

#include <cstdint>

#include "datapath/actions.h"
#include "lib/flow_key.h"
#include "lib/packet.h"

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

  // A userspace action ran on `packet` (its bytes as the actions before it left them; in_port
  // is the datapath port it came in on, 0 for an injected one). The packet is only lent: copy
  // what must outlive the call. Called for every packet, cached flow or not, so it must be
  // cheap when it has nowhere to send the packet.
  virtual void packet_up(const Packet& packet, const DpAction::Userdata& userdata) = 0;

  // A cached flow whose match (key & mask) is `match` forwarded `packets` packets of `bytes`
  // bytes since the last report, so that every packet is counted once: the OpenFlow rules the
  // flow went through are credited here. Reports come about every second for each such flow
  // (OVS revalidators) with `refresh` set: then state the caches bypass is kept fresh too
  // (NORMAL refreshes the source MAC's learning entry). Reports without it come before the
  // caches are dropped or counters read (Datapath::report_flow_use), when the state may just
  // have been changed on purpose (a MAC table flushed), and for a packet the caches could not
  // hold (with its own key).
  virtual void flow_used(const FlowKey& match, uint64_t packets, uint64_t bytes,
                         bool refresh) = 0;

  // Housekeeping about once a second, after the flow_used() sweep: ages MAC entries and flows.
  virtual void run_periodic() = 0;

  // Increases whenever an earlier translate() answer may no longer hold (a MAC learned, moved
  // or aged out; a flow table changed). The datapath drops its caches when it moves.
  virtual uint64_t generation() const = 0;
};

}  // namespace vs::datapath
