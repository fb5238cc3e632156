// Translation: the controller layer's side of the datapath's upcall seam (datapath/upcall.h).
// A packet that missed the caches is run through its bridge's pipeline; the OpenFlow actions
// become datapath actions, and the key bits every step read become the megaflow's mask. NORMAL,
// the MAC-learning switch, is one of those steps (OVS ofproto/ofproto-dpif-xlate.c).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/ofproto.h"
#include "datapath/upcall.h"
#include "lib/clock.h"

namespace vs::controller {

// A packet on its way to the controllers (OpenFlow packet-in), as an output:CONTROLLER action
// in the pipeline (or a packet-out) sent it. The connection manager turns it into messages.
struct PacketInEvent {
  std::string bridge;
  // NO_MATCH when a table-miss rule sent it; ACTION for any other rule, or a packet-out.
  ofp::PacketInReason reason = ofp::PacketInReason::kAction;
  uint8_t table_id = 0;
  uint64_t cookie = 0;   // the rule's; all ones for a packet-out
  uint32_t in_port = 0;  // OpenFlow port
  uint64_t metadata = 0;
  uint16_t max_len = 0;  // the action's; ofp::kControllerMaxLenNoBuffer: the whole frame
  uint32_t total_len = 0;
  std::vector<uint8_t> frame;  // at most max_len bytes of it
};

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
  // A port-mod's NO_RECV / NO_FWD / NO_PACKET_IN bits for OpenFlow port `ofport` of `bridge`;
  // false if there is no such port.
  bool set_port_config(Ofproto& bridge, uint32_t ofport, uint32_t config);
  // Whether OpenFlow port `ofport` of `bridge` is live (link up, not administratively down),
  // which fast-failover groups watch; false if there is no such port.
  bool set_port_live(Ofproto& bridge, uint32_t ofport, bool live);
  // Takes the datapath port off its bridge and forgets what its MACs were learned on.
  void detach_port(uint32_t dp_port);

  // Where packet_up() delivers packet-ins. Called on the forwarding thread, once per packet that
  // reaches an output:CONTROLLER: it must hand the event over quickly (and may drop it).
  void set_packet_in_sink(std::function<void(PacketInEvent&&)> sink) {
    packet_in_sink_ = std::move(sink);
  }

  // Where flows that time out are reported (with the bridge's name) if they asked for it
  // (OFPFF_SEND_FLOW_REM). Called on the forwarding thread, like the packet-in sink.
  void set_flow_removed_sink(std::function<void(const std::string&, ofp::FlowRemoved&&)> sink) {
    flow_removed_sink_ = std::move(sink);
  }

  // A packet-out's actions on `bridge` for a packet whose key is `key` and that came from
  // OpenFlow port `in_ofport` (a port, LOCAL or CONTROLLER); output:TABLE runs the pipeline.
  datapath::DpActions translate_packet_out(Ofproto& bridge, uint32_t in_ofport, const FlowKey& key,
                                           const ofp::ActionList& actions);

  // `vsappctl ofproto/trace`: what the bridge would do with a packet whose fields are `key`
  // (key.in_port: an OpenFlow port of the bridge), table by table: which rule matched, its
  // instructions, then the datapath actions. Nothing is learned or counted.
  std::string trace(Ofproto& bridge, const FlowKey& key);

  // A standalone bridge whose controllers are lost forwards with NORMAL alone (ofproto.h).
  void set_fail_open(Ofproto& bridge, bool on);

  // datapath::Upcall
  void translate(const FlowKey& key, FlowMask& wildcards, datapath::DpActions& actions) override;
  void packet_up(const Packet& packet, const datapath::DpAction::Userdata& userdata) override;
  void flow_used(const FlowKey& match, uint64_t packets, uint64_t bytes, bool refresh) override;
  void run_periodic() override;
  uint64_t generation() const override { return generation_; }

  // Call after any change the caches cannot know about (a MAC table flushed or resized, flows
  // changed).
  void bump_generation() { ++generation_; }

  // Whether translation can run everything in `instructions`; the OpenFlow error to refuse a
  // flow-mod (or a packet-out, a group's bucket) with otherwise: set_field on a field the key
  // does not hold (BAD_SET_TYPE), or whose prerequisites `match` does not fix
  // (MATCH_INCONSISTENT; `match` null: not checked, the packet decides). Groups must exist too:
  // GroupTable::check_actions.
  static ofp::OfpResult<void> check_supported(const ofp::Instructions& instructions,
                                              const FlowMatch* match = nullptr);

 private:
  struct Attachment {
    Ofproto* bridge;
    uint32_t ofport;
  };
  struct Context;  // one translation's state (xlate.cc)

  // The tables from table 0 on, then the action set.
  void run_pipeline(Context& ctx);
  void run_actions(Context& ctx, const ofp::ActionList& list);
  void set_field(Context& ctx, const ofp::Oxm& field) const;
  // dec_nw_ttl; false if the TTL ran out, which ends the walk.
  bool decrement_ttl(Context& ctx) const;
  void group(Context& ctx, uint32_t group_id);
  // The bucket that a select or fast-failover group runs, if any.
  const ofp::Bucket* choose_bucket(Context& ctx, const Group& group) const;
  bool bucket_live(const Ofproto& bridge, const ofp::Bucket& bucket, int depth) const;
  // `reason`: NO_MATCH or ACTION as the rule decides, unless given (INVALID_TTL).
  void to_controller(Context& ctx, uint16_t max_len,
                     std::optional<ofp::PacketInReason> reason = std::nullopt) const;
  void output(Context& ctx, uint32_t out_ofport) const;
  void normal(Context& ctx);
  // Sends the packet out of `port` as NORMAL does: retagged for the port's VLAN rules.
  void normal_output(Context& ctx, const Ofproto::PortEntry& port, vlan::Tag tag) const;

  const Clock& clock_;
  std::map<std::string, std::unique_ptr<Ofproto>> bridges_;
  std::unordered_map<uint32_t, Attachment> by_dp_port_;
  uint64_t generation_ = 0;
  uint64_t next_bridge_id_ = 1;
  std::function<void(PacketInEvent&&)> packet_in_sink_;
  std::function<void(const std::string&, ofp::FlowRemoved&&)> flow_removed_sink_;
};

}  // namespace vs::controller
