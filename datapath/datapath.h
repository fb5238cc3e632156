// The datapath: the ports of every bridge under one set of datapath port numbers, and the
// forwarding loop over them (receive a batch, parse, exact-match cache, megaflow cache, upcall
// on a miss, run the actions, send per-port batches). ForwardingThread runs it on its own
// thread and is how every other thread reaches it.
//
// Threads and state. A Datapath, its ports, its caches, its packet pool and the Upcall's state
// (flow tables, MAC tables) all belong to ONE thread: the forwarding thread, or a test calling
// poll()/process() directly. Nothing here locks. The control thread changes any of it only by
// ForwardingThread::call(), which runs a closure on the forwarding thread between two batches
// and waits for it; so a port added, a flow table changed or a counter read is always seen at a
// batch boundary, and no packet is ever half-processed across a configuration change.
//
// Ports are numbered 1..N (0 is never used), the lowest free number first; the numbers are
// the in_port of FlowKey and the argument of DpAction output. They are datapath numbers, not
// OpenFlow ones: controller/ maps between the two per bridge.
//
// Allocation. The packet pool and the per-port send batches are made when a port is added;
// process() allocates only on a cache miss (the upcall's answer and its cache entry).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "datapath/actions.h"
#include "datapath/flow_cache.h"
#include "datapath/port.h"
#include "datapath/upcall.h"
#include "lib/drop_reason.h"
#include "lib/packet.h"
#include "lib/result.h"
#include "lib/unique_fd.h"

namespace vs::datapath {

struct DatapathStats {
  uint64_t rx_packets = 0;     // frames received from every port
  uint64_t emc_hits = 0;       // forwarded by the exact-match cache
  uint64_t megaflow_hits = 0;  // by the megaflow cache
  uint64_t upcalls = 0;        // cache misses sent to the upcall
  uint64_t flow_drops = 0;     // frames whose flow says drop (no output), on purpose
  uint64_t no_buffer = 0;      // copies lost because the packet pool was empty
  uint64_t invalidations = 0;  // times every cache was dropped
  size_t megaflows = 0;        // megaflows cached now
  size_t busy_ports = 0;       // ports read at every poll() now (see poll())
  std::array<uint64_t, kDropReasonCount> drops{};  // frames dropped with a reason (DropReason)
};

struct DatapathPortInfo {
  uint32_t number;
  std::string name;
  PortStats stats;
  int mtu = 0;  // Port::mtu(): 0 unless the port has no device to read it from
};

class Datapath {
 public:
  struct Options {
    uint32_t pool_buffers = 4096;  // 9 KiB each; only the buffers in use are resident
    size_t emc_entries = ExactMatchCache::kDefaultEntries;
    size_t max_megaflows = 65536;
  };

  // `upcall` must outlive the datapath. Errors: epoll could not be created.
  static Result<std::unique_ptr<Datapath>> create(Upcall& upcall, Options options);
  static Result<std::unique_ptr<Datapath>> create(Upcall& upcall) { return create(upcall, {}); }
  ~Datapath();
  Datapath(const Datapath&) = delete;
  Datapath& operator=(const Datapath&) = delete;

  // Takes an open port and returns its number. Errors: the port's fd cannot be watched.
  Result<uint32_t> add_port(std::unique_ptr<Port> port);
  // Closes the port (its kernel objects go with it). Unknown numbers are ignored. Drops the
  // caches, since cached flows may name it.
  void remove_port(uint32_t number);
  // The port, or nullptr.
  Port* port(uint32_t number) const;

  // Waits up to `timeout` for a port to have frames (or for the wake-up fd, see below), then
  // receives and forwards a few batches from each ready port. Ports without an fd are polled
  // every call (and cap the wait at 1 ms). Returns how many frames it received.
  //
  // Busy polling: a port that received or sent frames is busy until kBusyPoll passes without
  // either. A busy port is read at every call without asking epoll, and leaves the epoll set
  // meanwhile, so the kernel wakes no one for each frame it queues or each sent frame it frees
  // (a wait-queue callback per frame, under a lock, on the switch's CPU); and while any port is
  // busy, poll() does not sleep, so traffic costs no sleep and wake-up per handful of frames
  // either. A port that goes idle rejoins the epoll set, which reports at once anything that
  // arrived in between.
  size_t poll(std::chrono::milliseconds timeout);
  static constexpr std::chrono::microseconds kBusyPoll{200};

  // Forwards one received batch as if it came in on port `in_port` (a packet whose in_port is
  // already set keeps it: a receiver for several ports, port.h); empties `batch`. poll() calls
  // this; tests may too.
  void process(uint32_t in_port, PacketBatch& batch);

  // Runs `actions` on a copy of `frame` as if it had come in on datapath port `in_port` (0:
  // from no port), and sends what they output (OpenFlow packet-out). False if the frame does
  // not fit a pool buffer or the pool is empty.
  bool inject(std::span<const uint8_t> frame, uint32_t in_port, const DpActions& actions);

  // Once a second or so: tells the upcall which cached flows were used, lets it age its state,
  // and drops the caches if its answers changed.
  void run_periodic();

  // Drops every cached flow (after a flow table or port change made by a call()).
  void invalidate_caches();

  // Reports what every cached flow forwarded since the last report to the upcall's
  // flow_used() (with `refresh`, only from run_periodic()). Call before reading flow counters
  // and before changing flow tables, so that counters are exact and credited to the rules that
  // forwarded the packets.
  void report_flow_use(bool refresh = false);

  // poll() also returns when this fd becomes readable (ForwardingThread's wake-up eventfd);
  // poll() never reads it.
  Result<void> set_wakeup_fd(int fd);

  DatapathStats stats() const;
  std::vector<DatapathPortInfo> ports() const;
  PacketPool& pool() { return pool_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Slot {
    std::unique_ptr<Port> port;
    PacketBatch pending;            // frames waiting to be sent out of this port
    bool busy = false;              // in busy_, out of epoll (see poll())
    Clock::time_point last_active;  // when it last received or sent frames
  };

  Datapath(Upcall& upcall, Options options, UniqueFd epoll);
  void drop_cached_flows();  // megaflows and EMC, not action_store_
  void execute(Packet&& packet, const DpActions& actions);
  void count_drop(DropReason reason) { ++stats_.drops[static_cast<size_t>(reason)]; }
  void enqueue(uint32_t port, Packet&& packet);
  void flush(uint32_t port);
  void flush_all();
  Packet copy_of(const Packet& packet);
  bool receive(uint32_t number);         // one batch; true if it was full (more may wait)
  size_t receive_some(uint32_t number);  // up to kBatchesPerPoll batches; frames received
  bool watch(uint32_t number, const Port& port, bool on);  // adds its fd to epoll or removes it
  void mark_active(uint32_t number);

  Upcall& upcall_;
  Options options_;
  UniqueFd epoll_;
  PacketPool pool_;
  FlowCaches caches_;
  // The actions of cached flows: CachedActions indexes this. A deque, so that references stay
  // valid while process() appends; cleared with the caches.
  std::deque<DpActions> action_store_;
  uint64_t upcall_generation_;
  std::vector<Slot> slots_;       // index = port number; slots_[0] is never used
  std::vector<uint32_t> dirty_;   // ports with pending frames
  std::vector<uint32_t> fdless_;  // ports with fd() == -1, polled every time
  std::vector<uint32_t> busy_;    // ports read at every poll(), out of epoll (see poll())
  Clock::time_point now_;         // when the current poll() started its work
  DatapathStats stats_;
  FlowKey keys_[kMaxBurst];  // process()'s scratch: parse_flow fills the first n
};

}  // namespace vs::datapath
