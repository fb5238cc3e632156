// read_netdev_info (netdev_info.h): SIOCGIF* ioctls on a throwaway datagram socket.
#include "datapath/netdev_info.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lib/unique_fd.h"

namespace vs::datapath {

Result<NetdevInfo> read_netdev_info(const std::string& device) {
  if (device.empty() || device.size() >= IFNAMSIZ) {
    return make_error("\"" + device + "\" is not a valid device name");
  }
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return make_error(std::string("socket: ") + std::strerror(errno));
  ifreq req{};
  std::memcpy(req.ifr_name, device.c_str(), device.size());
  auto ioctl_or_error = [&](unsigned long request, const char* what) -> Result<void> {
    if (::ioctl(sock.get(), request, &req) == 0) return boost::outcome_v2::success();
    if (errno == ENODEV) return make_error("no device named " + device);
    return make_error(device + ": " + what + ": " + std::strerror(errno));
  };
  NetdevInfo info;
  VS_TRY(ioctl_or_error(SIOCGIFINDEX, "ifindex"));
  info.ifindex = req.ifr_ifindex;
  VS_TRY(ioctl_or_error(SIOCGIFHWADDR, "hardware address"));
  std::memcpy(info.mac.data(), req.ifr_hwaddr.sa_data, info.mac.size());
  VS_TRY(ioctl_or_error(SIOCGIFMTU, "mtu"));
  info.mtu = req.ifr_mtu;
  VS_TRY(ioctl_or_error(SIOCGIFFLAGS, "flags"));
  info.up = (req.ifr_flags & IFF_UP) != 0;
  info.running = (req.ifr_flags & IFF_RUNNING) != 0;
  return info;
}

Result<void> set_netdev_up(const std::string& device, bool up) {
  if (device.empty() || device.size() >= IFNAMSIZ) {
    return make_error("\"" + device + "\" is not a valid device name");
  }
  // Any family reaches the netdev ioctls; AF_INET needs no privilege to open, AF_PACKET is the
  // fallback for kernels without IPv4.
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) sock = UniqueFd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return make_error(std::string("opening an ioctl socket: ") + std::strerror(errno));
  ifreq req{};
  std::memcpy(req.ifr_name, device.c_str(), device.size());
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) {
    return make_error(device + ": reading the device flags: " + std::strerror(errno));
  }
  if (((req.ifr_flags & IFF_UP) != 0) == up) return boost::outcome_v2::success();
  req.ifr_flags = static_cast<short>(up ? req.ifr_flags | IFF_UP : req.ifr_flags & ~IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) {
    const int err = errno;
    return make_error(device + (up ? ": bringing the device up" : ": taking the device down") +
                      (err == EPERM ? " (needs CAP_NET_ADMIN): " : ": ") + std::strerror(err));
  }
  return boost::outcome_v2::success();
}

std::string format_mac(const std::array<uint8_t, 6>& mac) {
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5]);
  return text;
}

}  // namespace vs::datapath
