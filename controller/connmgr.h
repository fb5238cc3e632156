// A bridge's OpenFlow connections (OVS ofproto/connmgr.c and fail-open.c): the management
// socket, the controllers of its Controller rows (active tcp:/unix:, passive ptcp:/punix:), the
// role and asynchronous-message settings of every connection, which of them get packet-ins,
// flow-removed and port-status messages, and fail-open. Everything runs on the control thread;
// the switch behind the connections (of_switch.h) answers what they ask.
//
// Connections are "primary" (from a Controller row) or "service" (the management socket, for
// ovs-ofctl and vsofctl), as in OVS. Every connection starts with OpenFlow 1.3's default
// asynchronous configuration (packet-ins for table misses and actions, every port-status and
// flow-removed as master or equal; port-status only as slave), which OFPT_SET_ASYNC changes;
// but a service connection gets no asynchronous message at all until it sets a nonzero
// miss_send_len with OFPT_SET_CONFIG (ovs-ofctl monitor does). Each connection has its own
// miss_send_len (OFPT_GET_CONFIG answers with it): 128 for primary ones, 0 for service ones.
//
// Flows and controllers, as OVS: a bridge without controllers in fail_mode standalone (the
// default) holds `priority=0 actions=NORMAL`. When the bridge gains its first controller or
// loses its last one, every flow is deleted (and the NORMAL rule comes back if it is wanted);
// changing fail_mode while there are no controllers does the same. A standalone bridge whose
// controllers have all been unreachable for three inactivity probes fails open: NORMAL forwards
// every packet, the flows stay installed and take over again as soon as a controller connects.
// A secure bridge never forwards on its own. Flows survive a controller's reconnection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "controller/of_channel.h"
#include "controller/of_switch.h"
#include "controller/ofp_message.h"
#include "controller/xlate.h"
#include "lib/clock.h"
#include "lib/result.h"

namespace vs::controller {

enum class FailMode { kStandalone, kSecure };

// One Controller row's connection settings.
struct ControllerSettings {
  std::string target;
  std::chrono::milliseconds max_backoff{8000};       // Controller.max_backoff
  std::chrono::milliseconds inactivity_probe{5000};  // Controller.inactivity_probe; 0: none
  bool operator==(const ControllerSettings&) const = default;
};

// What vswitchd writes back to a Controller row.
struct ControllerStatus {
  bool is_connected = false;
  std::string role;                           // "other", "master" or "slave"
  std::map<std::string, std::string> status;  // state, sec_since_connect, ..., last_error
  bool operator==(const ControllerStatus&) const = default;
};

class ConnectionManager : public std::enable_shared_from_this<ConnectionManager> {
 public:
  static std::shared_ptr<ConnectionManager> create(boost::asio::io_context& io, const Clock& clock,
                                                   std::shared_ptr<OfSwitch> of_switch);
  ~ConnectionManager();  // close()

  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  OfSwitch& of_switch() { return *of_switch_; }

  // Serves punix:`path` as the bridge's management socket (service connections).
  Result<void> open_management(const std::string& path);

  // The bridge's Controller rows. Targets already present keep their connections (with new
  // backoff and probe settings); a target that does not parse is kept with its error as the
  // status's last_error. May delete every flow (see the top of this file).
  void set_controllers(const std::vector<ControllerSettings>& controllers);
  void set_fail_mode(FailMode mode);
  // Bridge.protocols as a version bitmap (bit 4: OpenFlow 1.3); new connections offer only
  // these versions, so a bridge whose protocols leave out OpenFlow13 negotiates with no one.
  // Connections already up are dropped when it changes (controllers reconnect at once).
  void set_allowed_versions(uint32_t versions);

  // Called whenever a controller's connection state changes (to write the rows back soon).
  void set_status_observer(std::function<void()> observer) { observer_ = std::move(observer); }
  // By target, for every Controller row.
  std::map<std::string, ControllerStatus> controller_status() const;
  bool has_controllers() const { return !controllers_.empty(); }
  bool fail_open() const { return fail_open_; }

  // Asynchronous messages to every connection whose role and settings want them.
  void send_packet_in(const PacketInEvent& event);
  void send_flow_removed(const ofp::FlowRemoved& removed);
  void send_port_status(const ofp::PortStatus& status);

  // Closes every connection and listener (shutdown).
  void close();

 private:
  struct Connection {
    bool primary = false;
    ofp::ControllerRole role = ofp::ControllerRole::kEqual;
    ofp::AsyncConfig async;
    uint16_t miss_send_len = 0;
    bool receives_async() const { return primary || miss_send_len != 0; }
  };
  struct Controller {
    ControllerSettings settings;
    std::shared_ptr<OfActiveConnection> active;  // tcp:, unix:
    std::shared_ptr<OfListener> passive;         // ptcp:, punix:
    std::string error;                           // the target does not parse, or cannot listen
  };

  ConnectionManager(boost::asio::io_context& io, const Clock& clock,
                    std::shared_ptr<OfSwitch> of_switch);

  void start();  // after construction, once a weak_ptr to this exists
  OfHandlers handlers(bool primary);
  void on_message(OfConnection& connection, const ofp::Message& message,
                  std::span<const uint8_t> raw);
  // Role request, asynchronous settings and miss_send_len: the connection's own state. Empty if
  // `message` is not one of those.
  std::optional<std::vector<uint8_t>> handle_connection_state(Connection& state,
                                                              OfConnection& connection,
                                                              const ofp::Message& message,
                                                              std::span<const uint8_t> raw);
  // Flow-mods wait here while more messages of the same read follow, and go to the switch
  // together (OfSwitch::flow_mods) before any other message and when the peer has nothing
  // more buffered: a controller's burst costs one trip to the forwarding thread, not one each.
  void hold_flow_mod(OfConnection& connection, const ofp::Message& message,
                     std::span<const uint8_t> raw);
  void apply_held_flow_mods();
  void open_controller(Controller& controller);
  // Sends `message` to every ready connection for which `wants(state)` holds.
  template <class Wants>
  void broadcast(const ofp::Message& message, Wants&& wants);
  // Deletes every flow and puts NORMAL back if a standalone bridge without controllers wants it.
  void reset_flows();
  // Re-evaluates fail-open now and then once a second.
  void update_fail_open();
  void schedule_fail_open_check();
  std::chrono::steady_clock::duration failure_duration() const;
  bool any_primary_ready() const;
  void notify() const {
    if (observer_) observer_();
  }

  boost::asio::io_context& io_;
  const Clock& clock_;
  std::shared_ptr<OfSwitch> of_switch_;
  // The held flow-mods (hold_flow_mod) and the connection they came from: one at a time, as a
  // connection's read is handled to its end (on_idle) before the next one's.
  OfConnection* held_from_ = nullptr;
  std::vector<OfSwitch::FlowModRequest> held_;
  std::shared_ptr<OfListener> management_;
  std::map<std::string, Controller> controllers_;  // by target
  std::map<OfConnection*, Connection> connections_;
  FailMode fail_mode_ = FailMode::kStandalone;
  uint32_t allowed_versions_ = 0;              // 0: the channel's default (OpenFlow 1.3)
  std::optional<uint64_t> master_generation_;  // the highest generation_id seen in a role request
  bool fail_open_ = false;
  Clock::TimePoint last_connected_{};  // a primary connection was last up (or controllers set)
  boost::asio::steady_timer fail_open_timer_;
  std::function<void()> observer_;
};

}  // namespace vs::controller
