// The forwarding thread: runs a Datapath's poll loop on its own thread and is the only door into
// it from other threads (datapath.h, "Threads and state").
#pragma once

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "datapath/datapath.h"
#include "lib/result.h"
#include "lib/unique_fd.h"

namespace vs::datapath {

class ForwardingThread {
 public:
  // Starts the thread on `datapath`, which must outlive this object and must not be touched
  // by anyone else while the thread runs. Errors: eventfd or epoll registration failed.
  static Result<std::unique_ptr<ForwardingThread>> start(Datapath& datapath);
  // Stops and joins the thread.
  ~ForwardingThread();
  ForwardingThread(const ForwardingThread&) = delete;
  ForwardingThread& operator=(const ForwardingThread&) = delete;

  // Runs `fn(datapath)` on the forwarding thread between two batches and returns its result
  // once it has run (an exception it throws is rethrown here). Called from the forwarding
  // thread itself (from inside another call), it runs `fn` at once.
  template <class F>
  auto call(F&& fn) -> std::invoke_result_t<F, Datapath&> {
    using R = std::invoke_result_t<F, Datapath&>;
    if (std::this_thread::get_id() == thread_.get_id()) return fn(datapath_);
    std::packaged_task<R()> task([&] { return fn(datapath_); });
    auto done = task.get_future();
    post([&task] { task(); });
    return done.get();
  }

 private:
  ForwardingThread(Datapath& datapath, UniqueFd wakeup);
  void post(std::function<void()> job);
  void run();
  void run_jobs();

  Datapath& datapath_;
  UniqueFd wakeup_;  // eventfd: written by post(), watched by the datapath's epoll
  std::mutex mutex_;
  std::vector<std::function<void()>> jobs_;  // guarded by mutex_
  std::atomic<bool> has_jobs_ = false;  // spares the loop a read() when nothing was posted
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

}  // namespace vs::datapath
