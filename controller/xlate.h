// Translation: the controller layer's side of the datapath's upcall seam (datapath/upcall.h).
// A packet that missed the caches is run through its bridge's pipeline; the OpenFlow actions
// become datapath actions, and the key bits every step read become the megaflow's mask. NORMAL,
// the MAC-learning switch, is one of those steps (OVS ofproto/ofproto-dpif-xlate.c).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "controller/ofproto.h"
#include "datapath/upcall.h"
#include "lib/clock.h"

namespace vs::controller {

// Owns the bridges. Used only on the forwarding thread (datapath.h): the control thread adds and
// removes bridges and ports inside ForwardingThread::call(), then drops the datapath's caches.
class Xlate final : public datapath::Upcall {
 public:
  // `clock` ages MAC entries; it must outlive this object.
  explicit Xlate(const Clock& clock) : clock_(clock) {}

  // The bridge named `name`, created empty (with its NORMAL pipeline) if new.
  Ofproto& add_bridge(const std::string& name);
  // Forgets the bridge and its ports' mappings.
  void remove_bridge(const std::string& name);
  Ofproto* bridge(const std::string& name);
  const std::map<std::string, std::unique_ptr<Ofproto>>& bridges() const { return bridges_; }

  // Puts datapath port `dp_port` on `bridge` as OpenFlow port `ofport`, with its VLAN rules.
  void attach_port(Ofproto& bridge, uint32_t ofport, uint32_t dp_port, const std::string& name,
                   const vlan::PortVlans& vlans = {});
  // New VLAN rules for an attached port (live reconfiguration). What was learned on the port
  // is forgotten when they change, as its VLANs may have; false if `dp_port` is on no bridge.
  bool set_port_vlans(uint32_t dp_port, const vlan::PortVlans& vlans);
  // Takes the datapath port off its bridge and forgets what its MACs were learned on.
  void detach_port(uint32_t dp_port);

  // datapath::Upcall
  void translate(const FlowKey& key, FlowMask& wildcards, datapath::DpActions& actions) override;
  void flow_used(const FlowKey& match) override;
  void run_periodic() override;
  uint64_t generation() const override { return generation_; }

  // Call after any change the caches cannot know about (a MAC table flushed or resized, flows
  // changed).
  void bump_generation() { ++generation_; }

  // Whether translation can run everything in `instructions`; the OpenFlow error to refuse a
  // flow-mod with otherwise (header rewrites beyond the VLAN tag, TTL actions and groups are
  // not done yet).
  static ofp::OfpResult<void> check_supported(const ofp::Instructions& instructions);

 private:
  struct Attachment {
    Ofproto* bridge;
    uint32_t ofport;
  };
  struct Context;  // one translation's state (xlate.cc)

  void run_actions(Context& ctx, const ofp::ActionList& list);
  void output(Context& ctx, uint32_t out_ofport) const;
  void normal(Context& ctx);
  // Sends the packet out of `port` as NORMAL does: retagged for the port's VLAN rules.
  void normal_output(Context& ctx, const Ofproto::PortEntry& port, vlan::Tag tag) const;

  const Clock& clock_;
  std::map<std::string, std::unique_ptr<Ofproto>> bridges_;
  std::unordered_map<uint32_t, Attachment> by_dp_port_;
  uint64_t generation_ = 0;
};

}  // namespace vs::controller
