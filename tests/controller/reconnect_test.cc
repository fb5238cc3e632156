// Unit tests for controller/reconnect: backoff, connect timeout, keep-alive probes, passive
// listeners and the Controller.status observers. Time is a plain time point moved by hand, so
// nothing sleeps and no socket is opened.
#include "controller/reconnect.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <vector>

namespace vs::controller {

// Readable failure messages for the enums (found by ADL).
void PrintTo(Reconnect::Action action, std::ostream* os) {
  static constexpr const char* kNames[] = {"kNone", "kConnect", "kDisconnect", "kProbe"};
  *os << kNames[static_cast<int>(action)];
}
void PrintTo(Reconnect::State state, std::ostream* os) { *os << Reconnect::to_string(state); }

namespace {

using namespace std::chrono_literals;
using Action = Reconnect::Action;
using State = Reconnect::State;
using TimePoint = Reconnect::TimePoint;

const TimePoint kStart = TimePoint{} + 1000s;

ReconnectSettings Settings(std::chrono::milliseconds probe_interval,
                           std::chrono::milliseconds max_backoff = 8s) {
  ReconnectSettings settings;
  settings.probe_interval = probe_interval;
  settings.max_backoff = max_backoff;
  return settings;
}

ReconnectSettings PassiveSettings() {
  ReconnectSettings settings;
  settings.passive = true;
  return settings;
}

// Enables `r` at `now` and takes it to Active; returns the time of connection.
TimePoint Connect(Reconnect& r, TimePoint now) {
  r.enable(now);
  EXPECT_EQ(r.run(now), Action::kConnect);
  r.connected(now);
  EXPECT_EQ(r.state(), State::kActive);
  return now;
}

// Runs `r` (which must be in Backoff) at its wakeup time, fails the attempt and returns when.
TimePoint FailNextAttempt(Reconnect& r) {
  const TimePoint when = r.wakeup().value();
  EXPECT_EQ(r.run(when), Action::kConnect);
  r.connect_failed(when, "Connection refused");
  return when;
}

TEST(Reconnect, StartsDisabledAndAsksForNothing) {
  Reconnect r;
  EXPECT_EQ(r.state(), State::kVoid);
  EXPECT_FALSE(r.is_enabled());
  EXPECT_EQ(r.wakeup(), std::nullopt);
  EXPECT_EQ(r.run(kStart + 1h), Action::kNone);
  EXPECT_EQ(r.connection_attempts(), 0u);
}

TEST(Reconnect, EnableConnectsImmediately) {
  Reconnect r;
  r.enable(kStart);
  EXPECT_EQ(r.state(), State::kBackoff);
  EXPECT_EQ(r.wakeup(), kStart);
  EXPECT_EQ(r.run(kStart), Action::kConnect);
  EXPECT_EQ(r.state(), State::kConnecting);
  EXPECT_EQ(r.connection_attempts(), 1u);
  // The attempt is under way: asking again must not start a second one.
  EXPECT_EQ(r.run(kStart), Action::kNone);
}

TEST(Reconnect, BackoffDoublesUpToMaxBackoff) {
  Reconnect r(Settings(5s, 8s));
  r.enable(kStart);
  EXPECT_EQ(r.run(kStart), Action::kConnect);
  TimePoint failed_at = kStart;
  r.connect_failed(failed_at, "Connection refused");

  const std::vector<std::chrono::milliseconds> expected_waits = {1s, 2s, 4s, 8s, 8s};
  for (const auto wait : expected_waits) {
    SCOPED_TRACE(wait.count());
    EXPECT_EQ(r.state(), State::kBackoff);
    EXPECT_EQ(r.backoff(), wait);
    EXPECT_EQ(r.wakeup(), failed_at + wait);
    EXPECT_EQ(r.run(failed_at + wait - 1ms), Action::kNone);
    EXPECT_EQ(r.run(failed_at + wait), Action::kConnect);
    failed_at += wait;
    r.connect_failed(failed_at, "Connection refused");
  }
  EXPECT_EQ(r.connection_attempts(), 6u);
  EXPECT_EQ(r.successful_connections(), 0u);
}

TEST(Reconnect, ConnectionUpLongEnoughResetsBackoffToMin) {
  Reconnect r(Settings(0s));
  r.enable(kStart);
  r.run(kStart);
  r.connect_failed(kStart, "Connection refused");  // Next wait 1 s.
  FailNextAttempt(r);                              // Next wait 2 s.
  FailNextAttempt(r);                              // Next wait 4 s.
  ASSERT_EQ(r.backoff(), 4s);

  const TimePoint up = r.wakeup().value();
  ASSERT_EQ(r.run(up), Action::kConnect);
  r.connected(up);
  r.activity(up + 4s);  // Useful for as long as the 4 s we waited for it.
  r.disconnected(up + 4s, "End of file");
  EXPECT_EQ(r.backoff(), 1s);
  EXPECT_EQ(r.wakeup(), up + 4s + 1s);
}

TEST(Reconnect, ShortConnectionKeepsBackingOff) {
  Reconnect r(Settings(0s));
  r.enable(kStart);
  r.run(kStart);
  r.connect_failed(kStart, "Connection refused");
  FailNextAttempt(r);
  FailNextAttempt(r);
  ASSERT_EQ(r.backoff(), 4s);

  const TimePoint up = r.wakeup().value();
  ASSERT_EQ(r.run(up), Action::kConnect);
  r.connected(up);
  r.activity(up + 3s);
  r.disconnected(up + 3s, "End of file");
  EXPECT_EQ(r.backoff(), 8s);
}

TEST(Reconnect, SilentConnectionDoesNotResetBackoff) {
  // As in OVS, "up long enough" is measured to the last message received: a peer that accepts
  // and then says nothing is not a healthy controller.
  Reconnect r(Settings(0s));
  r.enable(kStart);
  r.run(kStart);
  r.connect_failed(kStart, "Connection refused");
  FailNextAttempt(r);
  ASSERT_EQ(r.backoff(), 2s);

  const TimePoint up = r.wakeup().value();
  ASSERT_EQ(r.run(up), Action::kConnect);
  r.connected(up);
  r.disconnected(up + 1min, "End of file");
  EXPECT_EQ(r.backoff(), 4s);
}

TEST(Reconnect, ProbesAfterInactivityThenDisconnects) {
  Reconnect r(Settings(5s));
  const TimePoint up = Connect(r, kStart);
  EXPECT_EQ(r.wakeup(), up + 5s);
  EXPECT_EQ(r.run(up + 5s - 1ms), Action::kNone);

  EXPECT_EQ(r.run(up + 5s), Action::kProbe);
  EXPECT_EQ(r.state(), State::kIdle);
  EXPECT_TRUE(r.is_connected());
  EXPECT_EQ(r.wakeup(), up + 10s);
  EXPECT_EQ(r.run(up + 10s - 1ms), Action::kNone);

  EXPECT_EQ(r.run(up + 10s), Action::kDisconnect);
  EXPECT_EQ(r.state(), State::kBackoff);
  EXPECT_FALSE(r.is_connected());
  EXPECT_EQ(r.last_error(), Reconnect::kTimedOutError);
  EXPECT_EQ(r.seconds_since_disconnect(up + 12s), 2s);
  // The owner's own report of the drop it just made changes nothing.
  const auto backoff = r.backoff();
  r.disconnected(up + 10s, "Operation canceled");
  EXPECT_EQ(r.last_error(), Reconnect::kTimedOutError);
  EXPECT_EQ(r.backoff(), backoff);
}

TEST(Reconnect, ActivityCancelsPendingProbe) {
  Reconnect r(Settings(5s));
  const TimePoint up = Connect(r, kStart);
  r.activity(up + 3s);
  EXPECT_EQ(r.run(up + 5s), Action::kNone);
  EXPECT_EQ(r.state(), State::kActive);
  EXPECT_EQ(r.wakeup(), up + 8s);
  EXPECT_EQ(r.run(up + 8s), Action::kProbe);
}

TEST(Reconnect, ActivityWhileIdleReturnsToActive) {
  Reconnect r(Settings(5s));
  const TimePoint up = Connect(r, kStart);
  ASSERT_EQ(r.run(up + 5s), Action::kProbe);
  r.activity(up + 6s);  // The echo reply.
  EXPECT_EQ(r.state(), State::kActive);
  EXPECT_EQ(r.run(up + 10s), Action::kNone);
  EXPECT_EQ(r.run(up + 11s), Action::kProbe);
}

TEST(Reconnect, ZeroProbeIntervalNeverProbes) {
  Reconnect r(Settings(0s));
  const TimePoint up = Connect(r, kStart);
  EXPECT_EQ(r.probe_interval(), 0s);
  EXPECT_EQ(r.wakeup(), std::nullopt);
  EXPECT_EQ(r.run(up + 24h), Action::kNone);
  EXPECT_EQ(r.state(), State::kActive);
}

TEST(Reconnect, ProbeIntervalBelowOneSecondBecomesOneSecond) {
  Reconnect r(Settings(200ms));
  EXPECT_EQ(r.probe_interval(), 1s);
  const TimePoint up = Connect(r, kStart);
  EXPECT_EQ(r.run(up + 999ms), Action::kNone);
  EXPECT_EQ(r.run(up + 1s), Action::kProbe);
}

TEST(Reconnect, TurningProbesOffWhileIdleKeepsConnection) {
  Reconnect r(Settings(5s));
  const TimePoint up = Connect(r, kStart);
  ASSERT_EQ(r.run(up + 5s), Action::kProbe);
  r.set_probe_interval(0s);
  EXPECT_EQ(r.state(), State::kActive);
  EXPECT_EQ(r.run(up + 1h), Action::kNone);
}

TEST(Reconnect, FirstConnectAttemptTimesOutAfterOneSecond) {
  Reconnect r;
  r.enable(kStart);
  ASSERT_EQ(r.run(kStart), Action::kConnect);
  EXPECT_EQ(r.wakeup(), kStart + 1s);
  EXPECT_EQ(r.run(kStart + 999ms), Action::kNone);
  EXPECT_EQ(r.run(kStart + 1s), Action::kDisconnect);
  EXPECT_EQ(r.state(), State::kBackoff);
  EXPECT_EQ(r.backoff(), 1s);
  EXPECT_EQ(r.last_error(), Reconnect::kTimedOutError);
  // A timed-out attempt was never a connection.
  EXPECT_EQ(r.seconds_since_disconnect(kStart + 2s), std::nullopt);
}

TEST(Reconnect, ConnectAttemptTimesOutAfterCurrentBackoff) {
  Reconnect r;
  r.enable(kStart);
  r.run(kStart);
  r.connect_failed(kStart, "Connection refused");
  FailNextAttempt(r);
  FailNextAttempt(r);
  ASSERT_EQ(r.backoff(), 4s);

  const TimePoint attempt = r.wakeup().value();
  ASSERT_EQ(r.run(attempt), Action::kConnect);
  EXPECT_EQ(r.run(attempt + 4s - 1ms), Action::kNone);
  EXPECT_EQ(r.run(attempt + 4s), Action::kDisconnect);
  EXPECT_EQ(r.backoff(), 8s);
  // The attempt's late completion is stale and ignored.
  r.connected(attempt + 5s);
  EXPECT_EQ(r.state(), State::kBackoff);
  EXPECT_EQ(r.successful_connections(), 0u);
}

TEST(Reconnect, StatusReportsStateNamesAndCounters) {
  Reconnect r(Settings(5s));
  EXPECT_EQ(r.state_name(), "VOID");
  EXPECT_EQ(r.last_error(), "");
  EXPECT_EQ(r.seconds_since_connect(kStart), std::nullopt);
  EXPECT_EQ(r.seconds_since_disconnect(kStart), std::nullopt);

  r.enable(kStart);
  EXPECT_EQ(r.state_name(), "BACKOFF");
  r.run(kStart);
  EXPECT_EQ(r.state_name(), "CONNECTING");
  r.connect_failed(kStart, "Connection refused");
  EXPECT_EQ(r.last_error(), "Connection refused");

  const TimePoint up = r.wakeup().value();
  r.run(up);
  r.connected(up);
  EXPECT_EQ(r.state_name(), "ACTIVE");
  EXPECT_TRUE(r.is_connected());
  EXPECT_EQ(r.connection_attempts(), 2u);
  EXPECT_EQ(r.successful_connections(), 1u);
  EXPECT_EQ(r.seconds_since_connect(up + 3500ms), 3s);

  r.run(up + 5s);
  EXPECT_EQ(r.state_name(), "IDLE");
  EXPECT_TRUE(r.is_connected());

  r.disconnected(up + 7s, "End of file");
  EXPECT_FALSE(r.is_connected());
  EXPECT_EQ(r.last_error(), "End of file");
  // sec_since_connect keeps counting after the drop, as in OVS.
  EXPECT_EQ(r.seconds_since_connect(up + 10s), 10s);
  EXPECT_EQ(r.seconds_since_disconnect(up + 10s), 3s);
}

TEST(Reconnect, DisableGoesVoidAndRunHasNothingToDo) {
  Reconnect r(Settings(5s));
  const TimePoint up = Connect(r, kStart);
  r.disable(up + 2s);
  EXPECT_EQ(r.state(), State::kVoid);
  EXPECT_EQ(r.state_name(), "VOID");
  EXPECT_FALSE(r.is_connected());
  EXPECT_EQ(r.wakeup(), std::nullopt);
  EXPECT_EQ(r.run(up + 1h), Action::kNone);
  EXPECT_EQ(r.seconds_since_disconnect(up + 5s), 3s);
  // Events from the dropped connection are stale.
  r.activity(up + 3s);
  r.disconnected(up + 3s, "Operation canceled");
  EXPECT_EQ(r.state(), State::kVoid);
  EXPECT_EQ(r.last_error(), "");

  // Enabling again starts over without a wait.
  r.enable(up + 1h);
  EXPECT_EQ(r.run(up + 1h), Action::kConnect);
}

TEST(Reconnect, BackoffSettingsAreNormalisedLikeOvs) {
  ReconnectSettings settings;
  settings.min_backoff = 500ms;
  settings.max_backoff = 0ms;
  Reconnect defaults(settings);
  EXPECT_EQ(defaults.min_backoff(), 1s);
  EXPECT_EQ(defaults.max_backoff(), 8s);

  Reconnect r;
  r.set_backoff(5s, 2s);
  EXPECT_EQ(r.min_backoff(), 5s);
  EXPECT_EQ(r.max_backoff(), 5s);
}

TEST(Reconnect, LoweringMaxBackoffShortensCurrentWait) {
  Reconnect r(Settings(5s, 60s));
  r.enable(kStart);
  r.run(kStart);
  r.connect_failed(kStart, "Connection refused");
  TimePoint failed_at = kStart;
  while (r.backoff() < 16s) failed_at = FailNextAttempt(r);
  r.set_backoff(1s, 3s);
  EXPECT_EQ(r.backoff(), 3s);
  EXPECT_EQ(r.run(failed_at + 3s), Action::kConnect);
}

TEST(Reconnect, PassiveListenerNeverTimesOut) {
  Reconnect r(PassiveSettings());
  r.enable(kStart);
  ASSERT_EQ(r.run(kStart), Action::kConnect);  // Listen.
  EXPECT_EQ(r.wakeup(), std::nullopt);
  EXPECT_EQ(r.run(kStart + 24h), Action::kNone);
  EXPECT_EQ(r.state(), State::kConnecting);
}

TEST(Reconnect, PassiveListensAgainAtOnceWhenPeerLeaves) {
  Reconnect r(PassiveSettings());
  const TimePoint up = Connect(r, kStart);
  r.disconnected(up + 1s, "End of file");
  EXPECT_EQ(r.backoff(), 0s);
  EXPECT_EQ(r.run(up + 1s), Action::kConnect);
}

TEST(Reconnect, PassivePeerIsProbedLikeActiveConnection) {
  Reconnect r(PassiveSettings());
  const TimePoint up = Connect(r, kStart);
  EXPECT_EQ(r.run(up + 5s), Action::kProbe);
  EXPECT_EQ(r.run(up + 10s), Action::kDisconnect);
  EXPECT_EQ(r.run(up + 10s), Action::kConnect);  // Back to listening without a wait.
}

TEST(Reconnect, PassiveListenErrorsBackOff) {
  Reconnect r(PassiveSettings());
  r.enable(kStart);
  r.run(kStart);
  r.connect_failed(kStart, "Address already in use");
  EXPECT_EQ(r.backoff(), 1s);
  FailNextAttempt(r);
  EXPECT_EQ(r.backoff(), 2s);
}

}  // namespace
}  // namespace vs::controller
