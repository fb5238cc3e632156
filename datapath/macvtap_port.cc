// MacvtapPort (macvtap_port.h): options, the netlink side (find, check, create, delete the
// macvtap, bring its lower device up) through libnl-route, and the /dev/tapN side (find or make
// the node, open it, turn the virtio-net header off). Frames go through CharDevicePort.
#include "datapath/macvtap_port.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvtap.h>
#include <netlink/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <utility>

namespace vs::datapath {
namespace {

struct Mode {
  const char* name;
  uint32_t value;
};
// MACVLAN_MODE_SOURCE is left out: it receives only from a list of source MACs that these
// options have no way to give.
constexpr Mode kModes[] = {{"bridge", MACVLAN_MODE_BRIDGE},
                           {"vepa", MACVLAN_MODE_VEPA},
                           {"private", MACVLAN_MODE_PRIVATE},
                           {"passthru", MACVLAN_MODE_PASSTHRU}};

std::string mode_name(uint32_t value) {
  for (const Mode& mode : kModes) {
    if (mode.value == value) return mode.name;
  }
  return "mode " + std::to_string(value);
}

struct Options {
  std::string lower;  // empty: attach only
  std::optional<uint32_t> mode;
};

struct SocketDeleter {
  void operator()(nl_sock* sock) const { nl_socket_free(sock); }
};
using SocketPtr = std::unique_ptr<nl_sock, SocketDeleter>;
struct LinkDeleter {
  void operator()(rtnl_link* link) const { rtnl_link_put(link); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;

Error port_error(const std::string& device, const std::string& what) {
  return make_error("macvtap port " + device + ": " + what);
}
Error errno_error(const std::string& device, const std::string& what, int err) {
  return port_error(device, what + ": " + std::strerror(err));
}
Error netlink_error(const std::string& device, const std::string& what, int err,
                    std::string hint = {}) {
  if (err == -NLE_PERM) hint = "needs CAP_NET_ADMIN";
  return port_error(device,
                    what + ": " + nl_geterror(err) + (hint.empty() ? "" : " (" + hint + ")"));
}

Result<Options> parse_options(const std::string& device,
                              const std::map<std::string, std::string>& options) {
  Options parsed;
  for (const auto& [key, value] : options) {
    if (key == "lower") {
      if (!valid_device_name(value)) {
        return port_error(device, "options:lower \"" + value + "\" is not a valid device name (" +
                                      kDeviceNameRule + ")");
      }
      parsed.lower = value;
    } else if (key == "mode") {
      std::string allowed;
      for (const Mode& mode : kModes) {
        if (value == mode.name) parsed.mode = mode.value;
        allowed += allowed.empty() ? mode.name : std::string(", ") + mode.name;
      }
      if (!parsed.mode) {
        return port_error(device, "options:mode \"" + value + "\" is not one of " + allowed);
      }
    } else {
      return port_error(device, "unknown option \"" + key + "\" (known: lower, mode)");
    }
  }
  return parsed;
}

Result<SocketPtr> connect_route(const std::string& device) {
  SocketPtr sock(nl_socket_alloc());
  if (!sock) return port_error(device, "cannot allocate a netlink socket");
  if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) {
    return netlink_error(device, "cannot connect to NETLINK_ROUTE", err);
  }
  return sock;
}

// The link named `name`, or null if there is none.
Result<LinkPtr> find_link(const std::string& device, nl_sock* sock, const std::string& name) {
  rtnl_link* raw = nullptr;
  int err = rtnl_link_get_kernel(sock, 0, name.c_str(), &raw);
  if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return LinkPtr();
  if (err < 0) return netlink_error(device, "cannot look up " + name, err);
  return LinkPtr(raw);
}

// An existing device must be what the options say it is; attaching to anything else would
// send the port's frames somewhere the configuration does not name.
Result<bool> check_existing(const std::string& device, nl_sock* sock, rtnl_link* link,
                            const Options& options) {
  const char* type = rtnl_link_get_type(link);
  if (!type || std::strcmp(type, "macvtap") != 0) {
    return port_error(device,
                      "the device exists and is not a macvtap (" +
                          (type ? "type " + std::string(type) : "no link type, e.g. a NIC") + ")");
  }
  if (!options.lower.empty()) {
    VS_ASSIGN(LinkPtr lower, find_link(device, sock, options.lower));
    if (!lower || rtnl_link_get_ifindex(lower.get()) != rtnl_link_get_link(link)) {
      return port_error(
          device, "the macvtap exists on another lower device than options:lower " + options.lower);
    }
  }
  uint32_t mode = rtnl_link_macvtap_get_mode(link);
  if (options.mode && *options.mode != mode) {
    return port_error(device, "the macvtap exists in mode " + mode_name(mode) +
                                  ", not options:mode " + mode_name(*options.mode));
  }
  return true;
}

// Creates `device` as a macvtap on options.lower, up, and returns it as the kernel sees it.
// The lower device is brought up first: a macvtap on a down lower carries nothing.
Result<LinkPtr> create_macvtap(const std::string& device, nl_sock* sock, const Options& options) {
  VS_ASSIGN(LinkPtr lower, find_link(device, sock, options.lower));
  if (!lower) return port_error(device, "lower device " + options.lower + " does not exist");
  if (!(rtnl_link_get_flags(lower.get()) & IFF_UP)) {
    LinkPtr change(rtnl_link_alloc());
    if (!change) return port_error(device, "out of memory");
    rtnl_link_set_flags(change.get(), IFF_UP);
    if (int err = rtnl_link_change(sock, lower.get(), change.get(), 0); err < 0) {
      return netlink_error(device, "cannot bring lower device " + options.lower + " up", err);
    }
  }

  LinkPtr request(rtnl_link_macvtap_alloc());
  if (!request) return port_error(device, "out of memory");
  uint32_t mode = options.mode.value_or(MACVLAN_MODE_BRIDGE);
  rtnl_link_set_name(request.get(), device.c_str());
  rtnl_link_set_link(request.get(), rtnl_link_get_ifindex(lower.get()));
  rtnl_link_macvtap_set_mode(request.get(), mode);
  // Up in the same request: the kernel creates the device up or not at all.
  rtnl_link_set_flags(request.get(), IFF_UP);
  if (int err = rtnl_link_add(sock, request.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0) {
    return netlink_error(device,
                         "cannot create a " + mode_name(mode) + " macvtap on " + options.lower, err,
                         err == -NLE_INVAL ? "the lower must be Ethernet, not loopback; a passthru "
                                             "macvtap must be the only macvlan or macvtap on it"
                                           : "");
  }
  VS_ASSIGN(LinkPtr created, find_link(device, sock, device));
  if (!created) return port_error(device, "the new macvtap vanished as soon as it was created");
  return created;
}

void delete_link(int ifindex) {
  auto sock = connect_route("");
  LinkPtr link(rtnl_link_alloc());
  if (!sock || !link) return;
  rtnl_link_set_ifindex(link.get(), ifindex);
  (void)rtnl_link_delete(sock.value().get(), link.get());
}

// The "major:minor" of the macvtap's character device, from sysfs.
Result<dev_t> tap_device_number(const std::string& device, const std::string& tap) {
  std::string path = "/sys/class/net/" + device + "/macvtap/" + tap + "/dev";
  std::ifstream in(path);
  unsigned major_number = 0, minor_number = 0;
  char colon = 0;
  if (!(in >> major_number >> colon >> minor_number) || colon != ':') {
    return port_error(device, "cannot read " + path + " (is /sys mounted in this namespace?)");
  }
  return makedev(major_number, minor_number);
}

// Opens /dev/tapN, creating the node when no devtmpfs or udev did (recorded in `created_node`).
// The descriptor, not the path, is checked against sysfs, so a stale node cannot slip through.
Result<UniqueFd> open_tap_device(const std::string& device, int ifindex,
                                 std::string& created_node) {
  std::string tap = "tap" + std::to_string(ifindex);
  VS_ASSIGN(dev_t number, tap_device_number(device, tap));
  std::string node = "/dev/" + tap;
  constexpr int kFlags = O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
  UniqueFd fd(::open(node.c_str(), kFlags));
  if (!fd && errno == ENOENT) {
    if (::mknod(node.c_str(), S_IFCHR | 0600, number) == 0) {
      created_node = node;
    } else if (errno != EEXIST) {  // EEXIST: udev was quicker, fine
      int err = errno;
      return errno_error(device, "creating " + node + (err == EPERM ? " (needs CAP_MKNOD)" : ""),
                         err);
    }
    fd = UniqueFd(::open(node.c_str(), kFlags));
  }
  if (!fd) {
    int err = errno;
    return errno_error(
        device, "opening " + node + (err == EACCES ? " (not root, nor allowed by its mode)" : ""),
        err);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != number) {
    return port_error(device, node + " is not device " + std::to_string(major(number)) + ":" +
                                  std::to_string(minor(number)) +
                                  " of this macvtap (a stale node? remove it)");
  }
  return fd;
}

// macvtap turns IFF_VNET_HDR on at open, which would put a virtio-net header in front of every
// frame; TUNSETIFF with exactly IFF_TAP | IFF_NO_PI turns it off (and the kernel then segments
// and checksums before handing frames over).
Result<bool> use_plain_frames(const std::string& device, int fd) {
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int err = errno;
    return errno_error(device, "turning the virtio-net header off (TUNSETIFF)", err);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<MacvtapPort>> MacvtapPort::open(
    const std::string& device, const std::map<std::string, std::string>& options) {
  if (!valid_device_name(device)) {
    return port_error("\"" + device + "\"",
                      std::string("not a valid device name (") + kDeviceNameRule + ")");
  }
  VS_ASSIGN(Options parsed, parse_options(device, options));
  VS_ASSIGN(SocketPtr sock, connect_route(device));
  VS_ASSIGN(LinkPtr link, find_link(device, sock.get(), device));

  Created created;
  if (link) {
    VS_TRY(check_existing(device, sock.get(), link.get(), parsed));
  } else if (parsed.lower.empty()) {
    return port_error(device,
                      "no such device (create the macvtap first, or set options:lower to a "
                      "device for the switch to create it on)");
  } else {
    VS_ASSIGN(link, create_macvtap(device, sock.get(), parsed));
    created.ifindex = rtnl_link_get_ifindex(link.get());
  }
  int ifindex = rtnl_link_get_ifindex(link.get());
  VS_ASSIGN(UniqueFd fd, open_tap_device(device, ifindex, created.node));
  VS_TRY(use_plain_frames(device, fd.get()));
  return std::unique_ptr<MacvtapPort>(
      new MacvtapPort(device, ifindex, std::move(created), std::move(fd)));
}

MacvtapPort::MacvtapPort(std::string name, int ifindex, Created created, UniqueFd fd)
    : CharDevicePort(std::move(name), std::move(fd)),
      ifindex_(ifindex),
      created_(std::move(created)) {}

MacvtapPort::Created::Created(Created&& other) noexcept
    : ifindex(std::exchange(other.ifindex, 0)), node(std::exchange(other.node, {})) {}

// Best effort: a destructor has no one to report to. Whatever is left (the kernel refused, the
// device was renamed) shows in `ip link` or /dev, and a later open() attaches to it.
MacvtapPort::Created::~Created() {
  if (!node.empty()) ::unlink(node.c_str());
  if (ifindex != 0) delete_link(ifindex);
}

}  // namespace vs::datapath
