// Netlink link monitor: tells vswitchd when network devices appear, change and disappear, so a
// port whose device does not exist yet is attached the moment it appears (DESIGN.md, Datapath).
// A libnl socket subscribed to RTNLGRP_LINK, driven by the caller's event loop through fd();
// snapshot() reads every current link through a libnl route link cache.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/result.h"

struct nl_msg;
struct nl_sock;

namespace vs::datapath {

struct LinkEvent {
  enum Kind { kAdded, kRemoved, kChanged };
  Kind kind;
  std::string name;
  int ifindex;
  bool up;       // IFF_UP: administratively up
  bool running;  // IFF_RUNNING: operationally up
};

// Owns its netlink socket. Not thread-safe: one thread (the one running the event loop) calls
// every member. Only links of the network namespace the monitor was opened in are seen.
class LinkMonitor {
 public:
  enum class ProcessStatus {
    kDrained,       // every pending message was read and reported
    kResyncNeeded,  // the kernel dropped events (ENOBUFS): call snapshot() and trust only it
  };

  // Subscribes to RTNLGRP_LINK on a non-blocking NETLINK_ROUTE socket with a large receive
  // buffer. Events are queued from this moment on, so a snapshot() taken after open() misses
  // nothing. Errors: socket creation, connect or subscription failed (message from libnl).
  static Result<std::unique_ptr<LinkMonitor>> open();

  // Readable when process() has something to do; for poll/epoll/Asio. Never read it directly.
  int fd() const;

  // Reads every pending message without blocking and calls `callback` once per link event, in
  // kernel order, after the reads (so the callback may throw or call snapshot()). RTM_NEWLINK
  // for an ifindex not seen before (by snapshot() or an earlier event) is kAdded, otherwise
  // kChanged; a rename is reported as kRemoved under the old name, then kAdded under the new
  // one, so callers can key ports by name. kRemoved may name a link that was never reported
  // (e.g. added and deleted before snapshot() ran): treat it as idempotent.
  //
  // Overflow: if the socket's receive buffer overflowed (ENOBUFS), events were lost. process()
  // then drains the socket, reports no events at all and returns kResyncNeeded; the caller must
  // call snapshot() and reconcile everything against it (a link it knows that is absent from
  // the snapshot is gone). Events read after that snapshot() apply on top of it.
  // Errors: any other netlink receive error (the monitor stays usable).
  Result<ProcessStatus> process(const std::function<void(const LinkEvent&)>& callback);

  // Every current link as a kAdded event, read through a separate short-lived socket into a
  // libnl link cache; also resets what process() counts as known. Errors: libnl's message.
  Result<std::vector<LinkEvent>> snapshot();

 private:
  struct SocketDeleter {
    void operator()(nl_sock* sock) const;
  };
  using SocketPtr = std::unique_ptr<nl_sock, SocketDeleter>;

  explicit LinkMonitor(SocketPtr sock) : sock_(std::move(sock)) {}
  static int on_message(nl_msg* msg, void* self);
  void handle(nl_msg* msg);

  SocketPtr sock_;
  std::unordered_map<int, std::string> known_;  // ifindex -> name, as last reported
  std::vector<LinkEvent> pending_;              // parsed during one process() call
};

}  // namespace vs::datapath
