// The port seam: every kind of port the datapath forwards through (a `system` netdev over
// AF_PACKET or AF_XDP, tap/internal, macvtap, an in-process memory port for tests, GRE tunnels
// from tunnels/) implements this one interface. PortFactory (port_factory.h) builds them from
// Interface.type.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "lib/drop_reason.h"
#include "lib/packet.h"

namespace vs::datapath {

// Counters since the port was opened. All only grow.
struct PortStats {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t rx_dropped = 0;  // frames the port saw but could not deliver (no buffer, truncated)
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_dropped = 0;  // frames not sent for lack of room (queue full, EAGAIN/ENOBUFS)
  uint64_t tx_errors = 0;   // frames the kernel or device rejected (ENETDOWN, EMSGSIZE, ...)
};

// A port is open from construction (the factory returns it open, or an Error) until destruction,
// which releases every kernel object it holds.
//
// Threads: one forwarding thread at a time calls rx_batch() and tx_batch() on a given port; a
// port is not thread-safe and does no locking. stats() and name() may be called by that thread;
// another thread must go through the owning thread. A port may move between threads only while
// no thread is using it.
//
// Ownership: rx_batch() allocates packets from the caller's pool and appends them to the
// caller's batch; they belong to the caller from then on. tx_batch() takes the batch by rvalue
// and consumes every packet in it, sent or not (OVS netdev_class::send, "regardless of
// success"): on return the caller's batch is empty and its buffers are back in their pools.
// Empty packet slots in the batch (left by PacketBatch::take) are skipped.
//
// Errors: nothing on the forwarding path returns an error or throws. A frame that cannot be
// received or sent is counted (rx_dropped, tx_dropped, tx_errors) and forgotten; a persistent
// failure (device gone) shows as counters growing and fd() reporting POLLERR/POLLHUP. Errors that
// a user should see happen when the port is created and come back as Result from the factory.
class Port {
 public:
  explicit Port(std::string name) : name_(std::move(name)) {}
  virtual ~Port() = default;
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  // Receives up to kMaxBurst - batch.size() frames into packets allocated from `pool`, appends
  // them to `batch` and returns how many it appended (0 when nothing is waiting or the pool is
  // exhausted). Never blocks. Received packets have in_port == 0: the caller sets it to this
  // port's number. A port that receives on behalf of others (tunnels/: the one GRE socket
  // behind every GRE port) sets in_port to the number of the port each frame belongs to
  // instead, and its tunnel metadata (key, outer addresses).
  virtual size_t rx_batch(PacketPool& pool, PacketBatch& batch) = 0;

  // Sends every non-empty packet in `batch` and consumes them all (see above). Never blocks:
  // frames the device cannot take now are dropped and counted.
  virtual void tx_batch(PacketBatch&& batch) = 0;

  virtual PortStats stats() const = 0;

  // A descriptor that becomes readable when rx_batch() has frames to return, for poll/epoll;
  // -1 if the port has none (a memory port: poll it by calling rx_batch()).
  virtual int fd() const = 0;

  // Called on the forwarding thread by Datapath::add_port with the number the port got, before
  // any rx_batch(): a GRE port tells the receiver its frames come through.
  virtual void attached(uint32_t /*number*/) {}

  // Adds the frames this port dropped by reason to `drops` (DatapathStats::drops): only a port
  // that parses what it receives (the GRE receiver) has any.
  virtual void add_drops(std::array<uint64_t, kDropReasonCount>& /*drops*/) const {}

  // For a port with no device of its own to read it from (a tunnel): the largest frame payload
  // it carries without fragmenting (what fits in the underlay), 0 if it cannot send now (no
  // route), or -1 if it can but has no single value (a tunnel whose flows choose the remote).
  // 0 for the rest, whose device tells.
  virtual int mtu() const { return 0; }

  // The Interface name, e.g. "eth1".
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace vs::datapath
