// The controller reconnect state machine (see reconnect.h): transitions, backoff choice and
// deadlines. Pure computation over the times the owner passes in.
#include "controller/reconnect.h"

#include <algorithm>

namespace vs::controller {
namespace {

using std::chrono::milliseconds;

// OVS never waits or probes more often than once a second, so a misconfigured row cannot make
// the switch spin on reconnects or flood the controller with echo requests.
constexpr milliseconds kMinInterval{1000};
constexpr milliseconds kDefaultMaxBackoff{8000};

std::optional<std::chrono::seconds> seconds_since(std::optional<Clock::TimePoint> then,
                                                  Clock::TimePoint now) {
  if (!then) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(
      std::max(now - *then, Clock::TimePoint::duration::zero()));
}

}  // namespace

Reconnect::Reconnect(ReconnectSettings settings) : passive_(settings.passive) {
  set_backoff(settings.min_backoff, settings.max_backoff);
  set_probe_interval(settings.probe_interval);
}

void Reconnect::set_backoff(Duration min_backoff, Duration max_backoff) {
  min_backoff_ = std::max(min_backoff, kMinInterval);
  max_backoff_ =
      max_backoff > Duration::zero() ? std::max(max_backoff, kMinInterval) : kDefaultMaxBackoff;
  max_backoff_ = std::max(max_backoff_, min_backoff_);
  if (state_ == State::kBackoff) backoff_ = std::min(backoff_, max_backoff_);
}

void Reconnect::set_probe_interval(Duration probe_interval) {
  probe_interval_ =
      probe_interval > Duration::zero() ? std::max(probe_interval, kMinInterval) : Duration::zero();
  // Idle waits for the answer to a probe; with probes off there is nothing left to wait for.
  if (probe_interval_ == Duration::zero() && state_ == State::kIdle) {
    transition(state_entered_, State::kActive);
  }
}

void Reconnect::enable(TimePoint now) {
  if (state_ != State::kVoid) return;
  backoff_ = Duration::zero();
  transition(now, State::kBackoff);
}

void Reconnect::disable(TimePoint now) {
  if (is_connected()) last_disconnect_time_ = now;
  transition(now, State::kVoid);
}

void Reconnect::connected(TimePoint now) {
  if (state_ != State::kConnecting) return;
  ++successful_connections_;
  last_connect_time_ = now;
  last_activity_ = now;
  transition(now, State::kActive);
}

void Reconnect::connect_failed(TimePoint now, std::string_view error) {
  if (state_ != State::kConnecting) return;
  back_off(now, error);
}

void Reconnect::disconnected(TimePoint now, std::string_view error) {
  if (state_ != State::kConnecting && !is_connected()) return;
  back_off(now, error);
}

void Reconnect::activity(TimePoint now) {
  if (!is_connected()) return;
  last_activity_ = now;
  if (state_ == State::kIdle) transition(now, State::kActive);
}

Reconnect::Action Reconnect::run(TimePoint now) {
  const std::optional<TimePoint> deadline = wakeup();
  if (!deadline || now < *deadline) return Action::kNone;
  switch (state_) {
    case State::kVoid:
      return Action::kNone;
    case State::kBackoff:
      ++connection_attempts_;
      transition(now, State::kConnecting);
      return Action::kConnect;
    case State::kConnecting:
    case State::kIdle:
      back_off(now, kTimedOutError);
      return Action::kDisconnect;
    case State::kActive:
      transition(now, State::kIdle);
      return Action::kProbe;
  }
  return Action::kNone;
}

std::optional<Reconnect::TimePoint> Reconnect::wakeup() const {
  switch (state_) {
    case State::kVoid:
      return std::nullopt;
    case State::kBackoff:
      return state_entered_ + backoff_;
    case State::kConnecting:
      // A listener may wait for a peer forever; an outgoing attempt may not.
      if (passive_) return std::nullopt;
      return state_entered_ + std::max(backoff_, kMinInterval);
    case State::kActive:
      if (probe_interval_ == Duration::zero()) return std::nullopt;
      return std::max(last_activity_, state_entered_) + probe_interval_;
    case State::kIdle:
      return state_entered_ + probe_interval_;
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> Reconnect::seconds_since_connect(TimePoint now) const {
  return seconds_since(last_connect_time_, now);
}

std::optional<std::chrono::seconds> Reconnect::seconds_since_disconnect(TimePoint now) const {
  return seconds_since(last_disconnect_time_, now);
}

std::string_view Reconnect::to_string(State state) {
  switch (state) {
    case State::kVoid:
      return "VOID";
    case State::kBackoff:
      return "BACKOFF";
    case State::kConnecting:
      return "CONNECTING";
    case State::kActive:
      return "ACTIVE";
    case State::kIdle:
      return "IDLE";
  }
  return "UNKNOWN";
}

void Reconnect::transition(TimePoint now, State next) {
  state_ = next;
  state_entered_ = now;
}

void Reconnect::back_off(TimePoint now, std::string_view error) {
  const bool was_connected = is_connected();
  last_error_ = error;
  if (was_connected) {
    last_disconnect_time_ = now;
  }
  if (was_connected && passive_) {
    backoff_ = Duration::zero();  // Listen again at once: it is up to the peer to come back.
  } else if (was_connected && last_activity_ - *last_connect_time_ >= backoff_) {
    // The connection did useful work for as long as we had waited for it, so the peer is
    // healthy and this drop says nothing about how long to wait next.
    backoff_ = min_backoff_;
  } else if (backoff_ < min_backoff_) {
    backoff_ = min_backoff_;
  } else {
    backoff_ = std::min(backoff_ * 2, max_backoff_);
  }
  transition(now, State::kBackoff);
}

}  // namespace vs::controller
