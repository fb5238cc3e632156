// The forwarding thread's loop: poll the datapath, run posted closures between batches, and the
// datapath's periodic work once a second.
#include "datapath/forwarding_thread.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace vs::datapath {

Result<std::unique_ptr<ForwardingThread>> ForwardingThread::start(Datapath& datapath) {
  UniqueFd wakeup(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wakeup) return make_error(std::string("eventfd: ") + std::strerror(errno));
  VS_TRY(datapath.set_wakeup_fd(wakeup.get()));
  return std::unique_ptr<ForwardingThread>(new ForwardingThread(datapath, std::move(wakeup)));
}

ForwardingThread::ForwardingThread(Datapath& datapath, UniqueFd wakeup)
    : datapath_(datapath), wakeup_(std::move(wakeup)), thread_([this] { run(); }) {}

ForwardingThread::~ForwardingThread() {
  stop_ = true;
  post([] {});
  thread_.join();
}

void ForwardingThread::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  has_jobs_ = true;
  uint64_t one = 1;
  (void)!::write(wakeup_.get(), &one, sizeof one);  // EAGAIN only if the counter is huge
}

void ForwardingThread::run_jobs() {
  if (!has_jobs_.exchange(false)) return;
  uint64_t count;
  (void)!::read(wakeup_.get(), &count, sizeof count);
  std::vector<std::function<void()>> jobs;
  {
    std::lock_guard lock(mutex_);
    jobs.swap(jobs_);
  }
  for (auto& job : jobs) job();
}

void ForwardingThread::run() {
  using Clock = std::chrono::steady_clock;
  constexpr auto kPeriod = std::chrono::seconds(1);
  auto next_periodic = Clock::now() + kPeriod;
  while (!stop_) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_periodic - Clock::now());
    datapath_.poll(std::max(wait, std::chrono::milliseconds(0)));
    run_jobs();
    if (Clock::now() >= next_periodic) {
      datapath_.run_periodic();
      next_periodic = Clock::now() + kPeriod;
    }
  }
  run_jobs();  // the destructor's wake-up, and anything posted before it
}

}  // namespace vs::datapath
