// The `macvtap` port: frames through the /dev/tapN character device of a macvtap netdev (N is
// its ifindex), as plain Ethernet with the same read()/write() path as a TAP (CharDevicePort,
// tap_port.h). With options:lower the port creates the macvtap through netlink (libnl-route,
// like link_monitor.h) and deletes it on close. Registered with the factory in port_factory.cc.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "datapath/tap_port.h"
#include "lib/result.h"
#include "lib/unique_fd.h"

namespace vs::datapath {

class MacvtapPort : public CharDevicePort {
 public:
  // Opens the macvtap netdev `device`. `options` are Interface.options:
  //   lower=DEV  if `device` does not exist, create it as a macvtap on DEV: DEV is brought up
  //              if it is down (and left up on close), the macvtap is created up and deleted
  //              when the port closes. If `device` exists it must be a macvtap on DEV.
  //   mode=M     bridge (the default when creating), vepa, private or passthru; for an existing
  //              macvtap, the mode it must have.
  // Without lower, `device` must exist and be a macvtap (a hypervisor's); the port attaches,
  // leaves its admin state alone and never deletes it.
  //
  // The descriptor is /dev/tapN, non-blocking and close-on-exec, with IFF_VNET_HDR cleared so
  // frames carry no virtio-net header. If /dev/tapN is missing (a /dev without devtmpfs or
  // udev) the port creates it from /sys/class/net/<device>/macvtap/tapN/dev and removes it on
  // close; an existing node with another device number is refused rather than trusted.
  //
  // Errors name the port and why: an unknown option, a bad mode (listing the allowed ones), an
  // invalid name, no such device or not a macvtap, no such lower device or a macvtap on another
  // lower, a lower that cannot be brought up, no permission (CAP_NET_ADMIN, CAP_MKNOD).
  static Result<std::unique_ptr<MacvtapPort>> open(
      const std::string& device, const std::map<std::string, std::string>& options);

  int ifindex() const { return ifindex_; }
  // True if the port created the netdev (options:lower), which goes away with the port.
  bool created_device() const { return created_.ifindex != 0; }
  // True if the port created /dev/tapN, which goes away with the port.
  bool created_node() const { return !created_.node.empty(); }

 private:
  // What open() has created so far, removed on destruction: a failure half-way through open()
  // leaves nothing behind, and after success the port owns it.
  struct Created {
    int ifindex = 0;   // a macvtap, deleted through netlink
    std::string node;  // a /dev/tapN node, unlinked
    Created() = default;
    Created(Created&& other) noexcept;
    Created& operator=(Created&&) = delete;
    ~Created();
  };

  MacvtapPort(std::string name, int ifindex, Created created, UniqueFd fd);

  int ifindex_;
  Created created_;
};

}  // namespace vs::datapath
