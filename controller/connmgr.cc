// ConnectionManager (connmgr.h): connections, roles, asynchronous messages, fail-open.
#include "controller/connmgr.h"

#include <algorithm>
#include <utility>

#include "lib/log.h"
#include "lib/openflow_target.h"

namespace vs::controller {
namespace {

using ofp::ControllerRole;

auto logger() { return log::get("connmgr"); }

constexpr uint16_t kDefaultMissSendLen = 128;  // OFP_DEFAULT_MISS_SEND_LEN

// OpenFlow 1.3 (6.1.1): what a controller gets before it says otherwise, by role.
ofp::AsyncConfig default_async() {
  ofp::AsyncConfig config;
  constexpr uint32_t kNoMatchAndAction = 1u << 0 | 1u << 1;
  constexpr uint32_t kEveryPortReason = 1u << 0 | 1u << 1 | 1u << 2;
  constexpr uint32_t kEveryRemovedReason = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3;
  config.packet_in_mask = {kNoMatchAndAction, 0};
  config.port_status_mask = {kEveryPortReason, kEveryPortReason};
  config.flow_removed_mask = {kEveryRemovedReason, 0};
  return config;
}

// Index into an AsyncConfig mask pair: [0] master or equal, [1] slave.
size_t async_index(ControllerRole role) { return role == ControllerRole::kSlave ? 1 : 0; }

bool wants(const std::array<uint32_t, 2>& masks, ControllerRole role, uint8_t reason) {
  return reason < 32 && (masks[async_index(role)] >> reason & 1) != 0;
}

// Messages a slave may not send (OpenFlow 1.3, 6.3.5): they change the switch.
bool changes_switch(const ofp::Body& body) {
  return std::holds_alternative<ofp::FlowMod>(body) ||
         std::holds_alternative<ofp::PacketOut>(body) ||
         std::holds_alternative<ofp::GroupMod>(body) ||
         std::holds_alternative<ofp::PortMod>(body) || std::holds_alternative<ofp::TableMod>(body);
}

std::string role_name(ControllerRole role) {
  switch (role) {
    case ControllerRole::kMaster:
      return "master";
    case ControllerRole::kSlave:
      return "slave";
    default:
      return "other";  // equal, as OVS writes it
  }
}

ReconnectSettings reconnect_settings(const ControllerSettings& settings, bool passive) {
  ReconnectSettings out;
  out.max_backoff = settings.max_backoff;
  out.probe_interval = settings.inactivity_probe;
  out.passive = passive;
  return out;
}

}  // namespace

std::shared_ptr<ConnectionManager> ConnectionManager::create(boost::asio::io_context& io,
                                                             const Clock& clock,
                                                             std::shared_ptr<OfSwitch> of_switch) {
  std::shared_ptr<ConnectionManager> manager(
      new ConnectionManager(io, clock, std::move(of_switch)));
  manager->start();
  return manager;
}

ConnectionManager::ConnectionManager(boost::asio::io_context& io, const Clock& clock,
                                     std::shared_ptr<OfSwitch> of_switch)
    : io_(io), clock_(clock), of_switch_(std::move(of_switch)), fail_open_timer_(io) {}

void ConnectionManager::start() {
  std::weak_ptr<ConnectionManager> weak = weak_from_this();
  of_switch_->set_flow_removed_sink([weak](const ofp::FlowRemoved& removed) {
    if (auto self = weak.lock()) self->send_flow_removed(removed);
  });
}

ConnectionManager::~ConnectionManager() { close(); }

void ConnectionManager::close() {
  fail_open_timer_.cancel();
  if (management_) management_->close();
  management_.reset();
  for (auto& [target, controller] : controllers_) {
    if (controller.active) controller.active->stop();
    if (controller.passive) controller.passive->close();
  }
  controllers_.clear();
  connections_.clear();
}

OfHandlers ConnectionManager::handlers(bool primary) {
  std::weak_ptr<ConnectionManager> weak = weak_from_this();
  OfHandlers handlers;
  handlers.versions = allowed_versions_;
  handlers.on_ready = [weak, primary](OfConnection& connection) {
    auto self = weak.lock();
    if (!self) return;
    self->connections_[&connection] = {primary, ControllerRole::kEqual, default_async(),
                                       primary ? kDefaultMissSendLen : uint16_t{0}};
    if (primary) {
      self->last_connected_ = self->clock_.now();
      self->update_fail_open();
    }
  };
  handlers.on_message = [weak](OfConnection& connection, const ofp::Message& message,
                               std::span<const uint8_t> raw) {
    if (auto self = weak.lock()) self->on_message(connection, message, raw);
  };
  handlers.on_idle = [weak](OfConnection& connection) {
    auto self = weak.lock();
    if (self && self->held_from_ == &connection) self->apply_held_flow_mods();
  };
  handlers.on_close = [weak, primary](OfConnection& connection, std::string_view) {
    auto self = weak.lock();
    if (!self) return;
    // What it sent before closing is applied, as it would have been one by one.
    if (self->held_from_ == &connection) self->apply_held_flow_mods();
    self->connections_.erase(&connection);
    if (primary) {
      self->last_connected_ = self->clock_.now();  // it was up until now
      self->notify();
    }
  };
  return handlers;
}

Result<void> ConnectionManager::open_management(const std::string& path) {
  if (management_) return boost::outcome_v2::success();
  const OpenflowTarget target{OpenflowTarget::Kind::kPunix, "", 0, path};
  VS_ASSIGN(management_, OfListener::open(io_, target, handlers(false), clock_));
  return boost::outcome_v2::success();
}

void ConnectionManager::set_controllers(const std::vector<ControllerSettings>& controllers) {
  const bool had_controllers = has_controllers();
  std::map<std::string, const ControllerSettings*> wanted;
  for (const ControllerSettings& settings : controllers) wanted[settings.target] = &settings;

  for (auto it = controllers_.begin(); it != controllers_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    if (it->second.active) it->second.active->stop();
    if (it->second.passive) it->second.passive->close();
    it = controllers_.erase(it);
  }
  for (const auto& [target, settings] : wanted) {
    auto [it, added] = controllers_.try_emplace(target);
    Controller& controller = it->second;
    const bool changed = controller.settings != *settings;
    controller.settings = *settings;
    if (added) {
      open_controller(controller);
    } else if (changed && controller.active) {
      controller.active->set_backoff(std::chrono::milliseconds(1000), settings->max_backoff);
      controller.active->set_probe_interval(settings->inactivity_probe);
    }
  }
  if (had_controllers != has_controllers()) {
    last_connected_ = clock_.now();  // the failure duration counts from here
    reset_flows();
  }
  update_fail_open();
  notify();
}

void ConnectionManager::open_controller(Controller& controller) {
  Result<OpenflowTarget> target = parse_openflow_target(controller.settings.target);
  if (!target) {
    controller.error = target.error().message;
    logger()->warn("bridge {}: controller {}: {}", of_switch_->bridge(), controller.settings.target,
                   controller.error);
    return;
  }
  if (target.value().passive()) {
    auto listener = OfListener::open(io_, target.value(), handlers(true), clock_);
    if (!listener) {
      controller.error = listener.error().message;
      logger()->warn("bridge {}: {}", of_switch_->bridge(), controller.error);
      return;
    }
    controller.passive = std::move(listener).value();
    return;
  }
  auto active = OfActiveConnection::create(
      io_, target.value(), reconnect_settings(controller.settings, false), handlers(true), clock_);
  if (!active) {
    controller.error = active.error().message;
    logger()->warn("bridge {}: {}", of_switch_->bridge(), controller.error);
    return;
  }
  controller.active = std::move(active).value();
  std::weak_ptr<ConnectionManager> weak = weak_from_this();
  controller.active->set_status_observer([weak](const OfActiveConnection&) {
    if (auto self = weak.lock()) self->notify();
  });
  controller.active->start();
}

void ConnectionManager::set_fail_mode(FailMode mode) {
  if (mode == fail_mode_) return;
  fail_mode_ = mode;
  if (!has_controllers()) reset_flows();
  update_fail_open();
}

void ConnectionManager::set_allowed_versions(uint32_t versions) {
  if (versions == allowed_versions_) return;
  allowed_versions_ = versions;
  // Listeners and targets take their handlers when opened: open them again.
  for (auto& [target, controller] : controllers_) {
    if (controller.active) controller.active->stop();
    if (controller.passive) controller.passive->close();
    controller.active.reset();
    controller.passive.reset();
    controller.error.clear();
    open_controller(controller);
  }
  if (management_) {
    const std::string path = management_->name().substr(std::string_view("punix:").size());
    management_->close();
    management_.reset();
    if (auto opened = open_management(path); !opened) {
      logger()->error("bridge {}: {}", of_switch_->bridge(), opened.error().message);
    }
  }
}

std::map<std::string, ControllerStatus> ConnectionManager::controller_status() const {
  std::map<std::string, ControllerStatus> out;
  const Clock::TimePoint now = clock_.now();
  for (const auto& [target, controller] : controllers_) {
    ControllerStatus& status = out[target];
    // The role of the controller's connection: the best one, for a listener with several.
    std::optional<ControllerRole> role;
    auto consider = [&](const OfConnection* connection) {
      auto it = connections_.find(const_cast<OfConnection*>(connection));
      if (it == connections_.end()) return;
      if (!role || it->second.role == ControllerRole::kMaster) role = it->second.role;
    };
    if (controller.active) {
      const Reconnect& reconnect = controller.active->reconnect();
      status.is_connected = reconnect.is_connected();
      status.status["state"] = std::string(reconnect.state_name());
      if (auto since = reconnect.seconds_since_connect(now)) {
        status.status["sec_since_connect"] = std::to_string(since->count());
      }
      if (auto since = reconnect.seconds_since_disconnect(now)) {
        status.status["sec_since_disconnect"] = std::to_string(since->count());
      }
      if (!reconnect.last_error().empty()) status.status["last_error"] = reconnect.last_error();
      if (auto connection = controller.active->connection()) consider(connection.get());
    } else if (controller.passive) {
      for (const auto& connection : controller.passive->connections()) {
        if (connection->is_ready()) consider(connection.get());
      }
      status.is_connected = role.has_value();
      status.status["state"] = status.is_connected ? "ACTIVE" : "LISTENING";
    } else {
      status.status["state"] = "VOID";
      status.status["last_error"] = controller.error;
    }
    status.role = status.is_connected ? role_name(role.value_or(ControllerRole::kEqual)) : "";
  }
  return out;
}

void ConnectionManager::on_message(OfConnection& connection, const ofp::Message& message,
                                   std::span<const uint8_t> raw) {
  auto it = connections_.find(&connection);
  if (it == connections_.end()) return;  // closed meanwhile
  Connection& state = it->second;
  const bool flow_mod = std::holds_alternative<ofp::FlowMod>(message.body);
  if (flow_mod && state.role != ControllerRole::kSlave) {
    hold_flow_mod(connection, message, raw);
    return;
  }
  apply_held_flow_mods();  // everything before this message takes effect first
  if (auto reply = handle_connection_state(state, connection, message, raw)) {
    if (!reply->empty()) connection.send_raw(std::move(*reply));
    return;
  }
  if (state.role == ControllerRole::kSlave && changes_switch(message.body)) {
    connection.send_raw(ofp::encode_error_reply(ofp::err::kIsSlave, raw));
    return;
  }
  for (auto& reply : of_switch_->handle(message, raw)) connection.send_raw(std::move(reply));
}

void ConnectionManager::hold_flow_mod(OfConnection& connection, const ofp::Message& message,
                                      std::span<const uint8_t> raw) {
  // A bound on what waits: memory, and the time the forwarding thread spends in one trip.
  constexpr size_t kMaxHeld = 1024;
  if (held_from_ != &connection) apply_held_flow_mods();
  held_from_ = &connection;
  held_.push_back({std::get<ofp::FlowMod>(message.body), {raw.begin(), raw.end()}});
  if (held_.size() >= kMaxHeld) apply_held_flow_mods();
}

void ConnectionManager::apply_held_flow_mods() {
  if (held_.empty()) return;
  OfConnection* connection = held_from_;
  std::vector<OfSwitch::FlowModRequest> requests = std::exchange(held_, {});
  held_from_ = nullptr;
  const bool open = connections_.contains(connection);
  for (auto& reply : of_switch_->flow_mods(requests)) {
    if (open) connection->send_raw(std::move(reply));
  }
}

std::optional<std::vector<uint8_t>> ConnectionManager::handle_connection_state(
    Connection& state, OfConnection& connection, const ofp::Message& message,
    std::span<const uint8_t> raw) {
  if (const auto* request = std::get_if<ofp::RoleRequest>(&message.body)) {
    const ControllerRole role = request->role;
    if (role == ControllerRole::kMaster || role == ControllerRole::kSlave) {
      // A generation older than one seen before is stale (wrapping arithmetic, 6.3.5).
      if (master_generation_ &&
          static_cast<int64_t>(request->generation_id - *master_generation_) < 0) {
        return ofp::encode_error_reply(ofp::err::kRoleStale, raw);
      }
      master_generation_ = request->generation_id;
    }
    if (role == ControllerRole::kMaster) {
      for (auto& [other, other_state] : connections_) {
        if (other != &connection && other_state.role == ControllerRole::kMaster) {
          other_state.role = ControllerRole::kSlave;
        }
      }
    }
    if (role != ControllerRole::kNoChange) state.role = role;
    ofp::RoleReply reply;
    reply.role = state.role;
    reply.generation_id = master_generation_.value_or(0);
    notify();
    return ofp::encode({message.xid, reply});
  }
  if (std::holds_alternative<ofp::GetAsyncRequest>(message.body)) {
    return ofp::encode({message.xid, ofp::GetAsyncReply{state.async}});
  }
  if (const auto* set = std::get_if<ofp::SetAsync>(&message.body)) {
    state.async = *set;
    return std::vector<uint8_t>{};
  }
  if (const auto* set = std::get_if<ofp::SetConfig>(&message.body)) {
    // The switch checks and keeps the flags; the length is the connection's.
    auto replies = of_switch_->handle(message, raw);
    if (!replies.empty()) return std::move(replies.front());
    state.miss_send_len = set->miss_send_len;
    return std::vector<uint8_t>{};
  }
  if (std::holds_alternative<ofp::GetConfigRequest>(message.body)) {
    ofp::GetConfigReply reply;
    reply.flags = of_switch_->config().flags;
    reply.miss_send_len = state.miss_send_len;
    return ofp::encode({message.xid, reply});
  }
  return std::nullopt;
}

template <class Wants>
void ConnectionManager::broadcast(const ofp::Message& message, Wants&& wants) {
  std::optional<std::vector<uint8_t>> bytes;  // encoded once, for the first taker
  for (auto& [connection, state] : connections_) {
    if (!connection->is_ready() || !state.receives_async() || !wants(state)) continue;
    if (!bytes) bytes = ofp::encode(message);
    connection->send_raw(*bytes);
  }
}

void ConnectionManager::send_packet_in(const PacketInEvent& event) {
  ofp::PacketIn packet_in;
  packet_in.buffer_id = ofp::kNoBuffer;  // nothing is buffered: the data is the packet
  packet_in.total_len = static_cast<uint16_t>(std::min<uint32_t>(event.total_len, 0xffff));
  packet_in.reason = event.reason;
  packet_in.table_id = event.table_id;
  packet_in.cookie = event.cookie;
  packet_in.match.push_back(ofp::Oxm::exact(ofp::OxmField::kInPort, event.in_port));
  if (event.metadata != 0) {
    packet_in.match.push_back(ofp::Oxm::exact(ofp::OxmField::kMetadata, event.metadata));
  }
  packet_in.data = event.frame;
  const auto reason = static_cast<uint8_t>(event.reason);
  broadcast({0, std::move(packet_in)},
            [&](const Connection& c) { return wants(c.async.packet_in_mask, c.role, reason); });
}

void ConnectionManager::send_flow_removed(const ofp::FlowRemoved& removed) {
  const auto reason = static_cast<uint8_t>(removed.reason);
  broadcast({0, removed},
            [&](const Connection& c) { return wants(c.async.flow_removed_mask, c.role, reason); });
}

void ConnectionManager::send_port_status(const ofp::PortStatus& status) {
  const auto reason = static_cast<uint8_t>(status.reason);
  broadcast({0, status},
            [&](const Connection& c) { return wants(c.async.port_status_mask, c.role, reason); });
}

void ConnectionManager::reset_flows() {
  of_switch_->reset_flows(!has_controllers() && fail_mode_ == FailMode::kStandalone);
}

bool ConnectionManager::any_primary_ready() const {
  return std::any_of(connections_.begin(), connections_.end(), [](const auto& entry) {
    return entry.second.primary && entry.first->is_ready();
  });
}

std::chrono::steady_clock::duration ConnectionManager::failure_duration() const {
  if (any_primary_ready()) return std::chrono::steady_clock::duration::zero();
  return clock_.now() - last_connected_;
}

void ConnectionManager::update_fail_open() {
  bool open = false;
  if (has_controllers() && fail_mode_ == FailMode::kStandalone) {
    // As OVS: every controller gets the chance to probe and reconnect before failing open.
    std::chrono::milliseconds longest_probe{0};
    for (const auto& [target, controller] : controllers_) {
      longest_probe = std::max(longest_probe, controller.settings.inactivity_probe);
    }
    open = failure_duration() >= 3 * longest_probe;
  }
  if (open != fail_open_) {
    fail_open_ = open;
    logger()->info("bridge {}: {}", of_switch_->bridge(),
                   open ? "no controller for a while: failing open to NORMAL"
                        : "controller back: leaving fail-open");
    of_switch_->set_fail_open(open);
  }
  schedule_fail_open_check();
}

void ConnectionManager::schedule_fail_open_check() {
  if (!has_controllers() || fail_mode_ != FailMode::kStandalone) {
    fail_open_timer_.cancel();
    return;
  }
  fail_open_timer_.expires_after(std::chrono::seconds(1));
  std::weak_ptr<ConnectionManager> weak = weak_from_this();
  fail_open_timer_.async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->update_fail_open();
  });
}

}  // namespace vs::controller
