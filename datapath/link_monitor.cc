// Netlink link monitor (link_monitor.h): RTM_NEWLINK / RTM_DELLINK parsed by hand with libnl's
// message API (only AF_UNSPEC link messages: AF_BRIDGE ones on the same group describe bridge
// ports, not devices), and snapshots through rtnl_link_alloc_cache.
#include "datapath/link_monitor.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <utility>

namespace vs::datapath {
namespace {

// Room for a burst of hotplug events (a VM start, a bulk `ip -batch`) before ENOBUFS. Without
// CAP_NET_ADMIN the kernel caps it at net.core.rmem_max; overflow is handled either way.
constexpr int kReceiveBufferBytes = 8 << 20;

struct CacheDeleter {
  void operator()(nl_cache* cache) const { nl_cache_free(cache); }
};
using CachePtr = std::unique_ptr<nl_cache, CacheDeleter>;

Error libnl_error(const std::string& what, int err) {
  return make_error("link monitor: " + what + ": " + nl_geterror(err));
}

}  // namespace

void LinkMonitor::SocketDeleter::operator()(nl_sock* sock) const { nl_socket_free(sock); }

Result<std::unique_ptr<LinkMonitor>> LinkMonitor::open() {
  SocketPtr sock(nl_socket_alloc());
  if (!sock) return make_error("link monitor: cannot allocate a netlink socket");
  // Multicast events carry no sequence numbers of ours.
  nl_socket_disable_seq_check(sock.get());
  nl_socket_enable_msg_peek(sock.get());  // messages larger than a page are read whole
  if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) {
    return libnl_error("cannot connect to NETLINK_ROUTE", err);
  }
  if (int err = nl_socket_set_nonblocking(sock.get()); err < 0) {
    return libnl_error("cannot make the netlink socket non-blocking", err);
  }
  if (int err = nl_socket_set_buffer_size(sock.get(), kReceiveBufferBytes, 0); err < 0) {
    return libnl_error("cannot set the receive buffer", err);
  }
  // Beyond rmem_max when privileged; failure just leaves the capped size.
  int size = kReceiveBufferBytes;
  (void)::setsockopt(nl_socket_get_fd(sock.get()), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
  if (int err = nl_socket_add_membership(sock.get(), RTNLGRP_LINK); err < 0) {
    return libnl_error("cannot subscribe to link events", err);
  }
  std::unique_ptr<LinkMonitor> monitor(new LinkMonitor(std::move(sock)));
  // The callback captures the monitor's address: stable, since it lives on the heap.
  if (int err = nl_socket_modify_cb(monitor->sock_.get(), NL_CB_VALID, NL_CB_CUSTOM,
                                    &LinkMonitor::on_message, monitor.get());
      err < 0) {
    return libnl_error("cannot install the message callback", err);
  }
  return monitor;
}

int LinkMonitor::fd() const { return nl_socket_get_fd(sock_.get()); }

int LinkMonitor::on_message(nl_msg* msg, void* self) {
  static_cast<LinkMonitor*>(self)->handle(msg);
  return NL_OK;
}

void LinkMonitor::handle(nl_msg* msg) {
  nlmsghdr* nlh = nlmsg_hdr(msg);
  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return;
  if (!nlmsg_valid_hdr(nlh, sizeof(ifinfomsg))) return;
  const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(nlh));
  if (ifi->ifi_family != AF_UNSPEC) return;

  nla_policy policy[IFLA_MAX + 1] = {};
  policy[IFLA_IFNAME].type = NLA_STRING;  // validated as NUL-terminated
  nlattr* attrs[IFLA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(ifinfomsg), attrs, IFLA_MAX, policy) < 0) return;

  LinkEvent event{.kind = LinkEvent::kChanged,
                  .name = attrs[IFLA_IFNAME] ? nla_get_string(attrs[IFLA_IFNAME]) : "",
                  .ifindex = ifi->ifi_index,
                  .up = (ifi->ifi_flags & IFF_UP) != 0,
                  .running = (ifi->ifi_flags & IFF_RUNNING) != 0};
  auto known = known_.find(event.ifindex);

  if (nlh->nlmsg_type == RTM_DELLINK) {
    event.kind = LinkEvent::kRemoved;
    if (known != known_.end()) {
      if (event.name.empty()) event.name = known->second;
      known_.erase(known);
    }
    pending_.push_back(std::move(event));
    return;
  }
  if (event.name.empty()) return;  // the kernel always sends IFLA_IFNAME; ignore anything else
  if (known == known_.end()) {
    event.kind = LinkEvent::kAdded;
    known_.emplace(event.ifindex, event.name);
  } else if (known->second != event.name) {
    LinkEvent removed = event;
    removed.kind = LinkEvent::kRemoved;
    removed.name = std::exchange(known->second, event.name);
    pending_.push_back(std::move(removed));
    event.kind = LinkEvent::kAdded;
  }
  pending_.push_back(std::move(event));
}

Result<LinkMonitor::ProcessStatus> LinkMonitor::process(
    const std::function<void(const LinkEvent&)>& callback) {
  pending_.clear();
  bool overflowed = false;
  for (;;) {
    int err = nl_recvmsgs_default(sock_.get());
    if (err >= 0) continue;
    if (err == -NLE_AGAIN) break;  // drained
    if (err == -NLE_NOMEM) {       // ENOBUFS (or malloc failure): events were lost
      overflowed = true;
      continue;
    }
    pending_.clear();
    return libnl_error("cannot receive link events", err);
  }
  if (overflowed) {
    pending_.clear();
    return ProcessStatus::kResyncNeeded;
  }
  // Swap out first, so a callback that calls snapshot() or process() sees a clean state.
  std::vector<LinkEvent> events = std::exchange(pending_, {});
  for (const LinkEvent& event : events) callback(event);
  return ProcessStatus::kDrained;
}

Result<std::vector<LinkEvent>> LinkMonitor::snapshot() {
  // A separate socket: a dump on the subscribed one would interleave with events.
  SocketPtr sock(nl_socket_alloc());
  if (!sock) return make_error("link monitor: cannot allocate a netlink socket");
  if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) {
    return libnl_error("cannot connect to NETLINK_ROUTE", err);
  }
  nl_cache* raw = nullptr;
  if (int err = rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &raw); err < 0) {
    return libnl_error("cannot dump links", err);
  }
  CachePtr cache(raw);

  std::vector<LinkEvent> links;
  std::unordered_map<int, std::string> known;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
    auto* link = reinterpret_cast<rtnl_link*>(obj);
    const char* name = rtnl_link_get_name(link);
    if (!name) continue;
    unsigned flags = rtnl_link_get_flags(link);
    links.push_back({.kind = LinkEvent::kAdded,
                     .name = name,
                     .ifindex = rtnl_link_get_ifindex(link),
                     .up = (flags & IFF_UP) != 0,
                     .running = (flags & IFF_RUNNING) != 0});
    known.emplace(links.back().ifindex, links.back().name);
  }
  known_ = std::move(known);
  return links;
}

}  // namespace vs::datapath
