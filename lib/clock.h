// The injected clock: code that ages or times out (MAC learning, flow timeouts, reconnect
// backoff) asks a Clock for the time, so tests move time by hand instead of sleeping.
#pragma once

#include <chrono>

namespace vs {

// Source of the current time. Implementations must be monotonic.
class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  void advance(std::chrono::steady_clock::duration d) { now_ += d; }

 private:
  TimePoint now_{};
};

}  // namespace vs
