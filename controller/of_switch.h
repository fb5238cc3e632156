// One bridge as an OpenFlow 1.3 switch: answers the messages its connections deliver (the
// management socket, and controllers later) from the bridge's pipeline, which it changes on the
// forwarding thread. Runs on the control thread; the channel (of_channel.h) frames, negotiates
// and answers echo; this class answers everything else, with an OFPT_ERROR where it must.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "controller/ofp_message.h"
#include "controller/xlate.h"
#include "datapath/forwarding_thread.h"
#include "lib/clock.h"

namespace vs::controller {

class OfSwitch {
 public:
  // The bridge's ports as OFPMP_PORT_DESC and OFPMP_PORT_STATS describe them, and OFPT_PORT_MOD
  // applied to them; vswitchd knows their devices and counters.
  struct PortSource {
    std::function<std::vector<ofp::PortDesc>()> descriptions;
    std::function<std::vector<ofp::PortStats>()> statistics;
    std::function<ofp::OfpResult<void>(const ofp::PortMod&)> modify;  // empty: refused
  };

  OfSwitch(std::string bridge, uint64_t datapath_id, datapath::ForwardingThread& forwarding,
           Xlate& xlate, const Clock& clock, PortSource ports);

  const std::string& bridge() const { return bridge_; }
  uint64_t datapath_id() const { return datapath_id_; }
  // The switch's configuration as the last OFPT_SET_CONFIG left it.
  const ofp::SwitchConfigBody& config() const { return config_; }
  void set_datapath_id(uint64_t id) { datapath_id_ = id; }

  // The replies to one message (`raw` is its bytes, for error data): none, one, or several
  // (a multipart reply split to fit 64 KiB messages).
  std::vector<std::vector<uint8_t>> handle(const ofp::Message& message,
                                           std::span<const uint8_t> raw);

  // Flow-mods applied together, in one trip to the forwarding thread, in order: what handle()
  // does with one at a time, for a controller that sends thousands before its barrier
  // (add-flows). Returns the replies (errors) in the requests' order.
  struct FlowModRequest {
    ofp::FlowMod mod;
    std::vector<uint8_t> raw;  // the message's bytes, for an error's data
  };
  std::vector<std::vector<uint8_t>> flow_mods(std::span<const FlowModRequest> requests);

  // Where a flow deleted by a flow-mod is reported if it asked (OFPFF_SEND_FLOW_REM): called
  // before handle() returns, so the message precedes any later reply (a barrier's).
  void set_flow_removed_sink(std::function<void(const ofp::FlowRemoved&)> sink) {
    flow_removed_sink_ = std::move(sink);
  }

  // Deletes every flow and group, then adds `priority=0 actions=NORMAL` if `normal_rule`
  // (connmgr.h).
  void reset_flows(bool normal_rule);
  // NORMAL alone forwards while set, the flows kept (connmgr.h, fail-open).
  void set_fail_open(bool on);

 private:
  std::vector<std::vector<uint8_t>> flow_stats(uint32_t xid, const ofp::FlowStatsRequest& request,
                                               std::span<const uint8_t> raw);
  std::vector<uint8_t> packet_out(const ofp::PacketOut& out, std::span<const uint8_t> raw);
  std::vector<uint8_t> group_mod(const ofp::GroupMod& mod, std::span<const uint8_t> raw);
  // OFPMP_GROUP for one group or ofp::kGroupAll (none if it does not exist, as OVS answers).
  std::vector<ofp::GroupStats> group_stats(uint32_t group_id);
  std::vector<ofp::GroupDesc> group_descriptions();
  static ofp::GroupFeaturesReply group_features();
  std::vector<ofp::TableStats> table_stats();
  // Runs `fn(ofproto, datapath)` on the forwarding thread for this bridge; nothing if it is gone.
  template <class Fn>
  void on_bridge(Fn&& fn);

  std::string bridge_;
  uint64_t datapath_id_;
  datapath::ForwardingThread& forwarding_;
  Xlate& xlate_;
  const Clock& clock_;
  PortSource ports_;
  ofp::SwitchConfigBody config_;
  std::function<void(const ofp::FlowRemoved&)> flow_removed_sink_;
};

}  // namespace vs::controller
