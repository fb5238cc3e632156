// Reconnect, backoff and keep-alive for one OpenFlow controller target, as a pure state machine
// fed the current time (the shape of OVS lib/reconnect.h). It owns no socket and reads no clock:
// the Boost.Asio controller connection reports events to it and carries out what run() asks.
// Its observers feed the Controller row's is_connected and status columns.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/clock.h"

namespace vs::controller {

// Per-target settings, as found in the Controller row. Reconnect normalises them like OVS:
// min_backoff is at least 1 s; max_backoff is at least 1 s and at least min_backoff, and 0 (or
// less) means the 8 s default; a probe_interval of 0 (or less) disables keep-alive probes, and
// any other value below 1 s becomes 1 s.
struct ReconnectSettings {
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{8000};     // Controller.max_backoff.
  std::chrono::milliseconds probe_interval{5000};  // Controller.inactivity_probe.
  bool passive = false;                            // ptcp:/punix: rather than tcp:/unix:.
};

// The life of one controller target:
//
//   Void --enable--> Backoff --run: kConnect--> Connecting --connected--> Active <--> Idle
//                       ^                          |                        |          |
//                       +---- connect_failed, disconnected, or run: kDisconnect -------+
//
// Contract with the owner (one thread; not thread-safe):
// - Every call takes `now` from the same monotonic clock, never going backwards.
// - run() performs the transition that goes with the action it returns, and assumes the owner
//   carries the action out: kConnect means start one attempt, kDisconnect means drop the
//   attempt or connection (the machine is already in Backoff, so a later connect_failed() or
//   disconnected() for it is ignored), kProbe means send an OpenFlow echo request.
// - Events that do not fit the current state (a stale completion handler, say) are ignored.
//   After disable() or a kDisconnect, the owner must not report events of the old attempt
//   against a new one; tag them with a generation number if they can arrive late.
// - Call run() again no later than wakeup(), and after any event.
//
// Backoff: the first attempt after enable() is immediate. Each failure waits min_backoff, then
// twice the previous wait, up to max_backoff. A connection that proved useful for at least the
// wait before it (last message received at least `backoff` after connecting) starts the
// sequence again at min_backoff. A connection attempt times out after the current backoff, but
// never sooner than 1 s.
//
// Keep-alive: once connected, probe_interval without any received message makes run() return
// kProbe (state Idle); a further probe_interval without one makes it return kDisconnect.
//
// Passive mode (a listener that serves one peer at a time): kConnect means "listen and accept"
// (keep the listening socket if it is already open); Connecting means waiting for a peer and
// never times out; connected() reports an accepted peer, which is then probed like an active
// connection; connect_failed() reports a listen/accept error and backs off as above. When the
// peer goes away the machine returns to listening at once, because it is the peer's job to
// come back.
class Reconnect {
 public:
  using TimePoint = Clock::TimePoint;
  using Duration = std::chrono::milliseconds;

  enum class State { kVoid, kBackoff, kConnecting, kActive, kIdle };
  enum class Action { kNone, kConnect, kDisconnect, kProbe };

  // The error recorded when run() gives up on a connection or an attempt (strerror(ETIMEDOUT),
  // which is what OVS writes in Controller.status:last_error in that case).
  static constexpr std::string_view kTimedOutError = "Connection timed out";

  // Starts disabled (Void).
  explicit Reconnect(ReconnectSettings settings = {});

  // Settings. Changing the backoff range while in Backoff shortens the current wait to the new
  // maximum; turning probes off while Idle makes the connection Active again.
  void set_backoff(Duration min_backoff, Duration max_backoff);
  void set_probe_interval(Duration probe_interval);
  Duration min_backoff() const { return min_backoff_; }
  Duration max_backoff() const { return max_backoff_; }
  Duration probe_interval() const { return probe_interval_; }
  bool passive() const { return passive_; }

  // Void -> Backoff with no wait, so run(now) asks to connect at once. No effect unless Void.
  void enable(TimePoint now);
  // Any state -> Void; run() then returns kNone. The owner drops any attempt or connection.
  void disable(TimePoint now);
  bool is_enabled() const { return state_ != State::kVoid; }

  // Events reported by the owner.
  void connected(TimePoint now);                               // Connecting -> Active.
  void connect_failed(TimePoint now, std::string_view error);  // Connecting -> Backoff.
  void disconnected(TimePoint now, std::string_view error);    // Connecting/Active/Idle -> Backoff.
  void activity(TimePoint now);  // A message was received: keeps Active, or Idle -> Active.

  // What the owner must do now; see the class comment.
  Action run(TimePoint now);
  // When run() must next be called if no event arrives; nullopt if only an event can change
  // anything (Void, a passive listener, or Active with probes off). May be in the past.
  std::optional<TimePoint> wakeup() const;

  // Observers.
  State state() const { return state_; }
  // The name OVS writes in Controller.status:state ("VOID", "BACKOFF", ...).
  std::string_view state_name() const { return to_string(state_); }
  bool is_connected() const { return state_ == State::kActive || state_ == State::kIdle; }
  // The wait used by the current or next Backoff.
  Duration backoff() const { return backoff_; }
  // The last error reported by the owner or recorded by run(); empty if none yet.
  const std::string& last_error() const { return last_error_; }
  // Controller.status:sec_since_connect: time since the last successful connection, even if it
  // has since dropped; nullopt if never connected.
  std::optional<std::chrono::seconds> seconds_since_connect(TimePoint now) const;
  // Controller.status:sec_since_disconnect: time since a connection last ended; nullopt if none
  // has. A failed attempt is not a disconnection.
  std::optional<std::chrono::seconds> seconds_since_disconnect(TimePoint now) const;
  // Attempts started (each kConnect) and attempts that connected.
  uint64_t connection_attempts() const { return connection_attempts_; }
  uint64_t successful_connections() const { return successful_connections_; }

  static std::string_view to_string(State state);

 private:
  void transition(TimePoint now, State next);
  // Moves to Backoff after an attempt or a connection ended, choosing the next wait.
  void back_off(TimePoint now, std::string_view error);

  Duration min_backoff_{0};
  Duration max_backoff_{0};
  Duration probe_interval_{0};
  bool passive_ = false;

  State state_ = State::kVoid;
  TimePoint state_entered_{};
  Duration backoff_{0};
  TimePoint last_activity_{};  // Meaningful while connected; connecting counts as activity.
  std::optional<TimePoint> last_connect_time_;     // For sec_since_connect.
  std::optional<TimePoint> last_disconnect_time_;  // For sec_since_disconnect.
  std::string last_error_;
  uint64_t connection_attempts_ = 0;
  uint64_t successful_connections_ = 0;
};

}  // namespace vs::controller
