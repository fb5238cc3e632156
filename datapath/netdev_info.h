// What vswitchd reports about a port's Linux device in its Interface row (mac_in_use, mtu,
// admin_state, link_state, ifindex), read with ioctls in the daemon's own network namespace, and
// the one thing it sets (admin state: internal ports come up, OpenFlow port-mod takes one down).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "lib/result.h"

namespace vs::datapath {

struct NetdevInfo {
  int ifindex = 0;
  std::array<uint8_t, 6> mac{};
  int mtu = 0;
  bool up = false;       // IFF_UP: administratively up
  bool running = false;  // IFF_RUNNING: carrier, operationally up
};

// Errors: no such device (the message says so), or the ioctl's error.
Result<NetdevInfo> read_netdev_info(const std::string& device);

// Sets or clears IFF_UP (administrative state). Errors name the device and say why (EPERM:
// CAP_NET_ADMIN is needed).
Result<void> set_netdev_up(const std::string& device, bool up);

// "aa:bb:cc:dd:ee:ff"
std::string format_mac(const std::array<uint8_t, 6>& mac);

}  // namespace vs::datapath
