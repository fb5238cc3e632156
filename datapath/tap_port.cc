// TapPort: /dev/net/tun set-up (create or attach) and bringing an internal port up;
// CharDevicePort: per-frame read()/write() with the same accounting as AfPacketPort.
#include "datapath/tap_port.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "datapath/netdev_info.h"

namespace vs::datapath {

namespace {

std::string prefix(TapPort::Kind kind, const std::string& device) {
  return std::string(kind == TapPort::Kind::kTap ? "tap" : "internal") + " port " + device +
         ": ";
}

Error device_error(TapPort::Kind kind, const std::string& device, const std::string& what,
                   int err) {
  return make_error(prefix(kind, device) + what + ": " + std::strerror(err));
}

}  // namespace

bool valid_device_name(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c == '%' || c == ' ' || (c >= '\t' && c <= '\r')) return false;
  }
  return true;
}

Result<std::unique_ptr<TapPort>> TapPort::open(const std::string& device, Kind kind) {
  if (!valid_device_name(device)) {
    return make_error(prefix(kind, "\"" + device + "\"") + "not a valid device name (" +
                      kDeviceNameRule + ")");
  }
  bool existed = ::if_nametoindex(device.c_str()) != 0;

  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    if (err == ENOENT || err == ENODEV || err == ENXIO) {
      return device_error(kind, device, "opening /dev/net/tun (is the tun module loaded?)", err);
    }
    return device_error(kind, device, "opening /dev/net/tun", err);
  }

  ifreq ifr{};
  std::memcpy(ifr.ifr_name, device.data(), device.size());
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) {
    int err = errno;
    switch (err) {
      case EPERM:
        return device_error(kind, device,
                            existed ? "attaching to the TAP (not its owner or group, and no "
                                      "CAP_NET_ADMIN)"
                                    : "creating the TAP (needs CAP_NET_ADMIN)",
                            err);
      case EBUSY:
        return device_error(kind, device, "the TAP is busy (another process has it open)", err);
      case EINVAL:
        return device_error(kind, device,
                            existed ? "a device of this name exists and is not a single-queue TAP"
                                    : "TUNSETIFF rejected the request",
                            err);
      default:
        return device_error(kind, device, existed ? "attaching to the TAP" : "creating the TAP",
                            err);
    }
  }

  // On failure from here on, closing `fd` removes a device we created and leaves others alone.
  if (kind == Kind::kLocal) {
    if (auto up = set_netdev_up(device, true); !up) {
      return make_error("internal port " + up.error().message);  // "... br0: bringing ..."
    }
  }

  return std::unique_ptr<TapPort>(new TapPort(device, kind, !existed, std::move(fd)));
}

TapPort::TapPort(std::string name, Kind kind, bool created_device, UniqueFd fd)
    : CharDevicePort(std::move(name), std::move(fd)),
      kind_(kind),
      created_device_(created_device) {}

size_t CharDevicePort::rx_batch(PacketPool& pool, PacketBatch& batch) {
  size_t want = kMaxBurst - batch.size();
  size_t appended = 0;
  for (size_t i = 0; i < want; ++i) {
    Packet p = pool.allocate();
    if (p.empty()) break;
    auto room = p.tail_buffer();
    ssize_t n;
    do {
      n = ::read(fd_.get(), room.data(), room.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      // A frame larger than the buffer is discarded by the kernel with EFAULT/EMSGSIZE: count
      // it and go on. EAGAIN means nothing is waiting; anything else (device gone) shows
      // through fd() and stops this call.
      if (errno == EFAULT || errno == EMSGSIZE) {
        ++stats_.rx_dropped;
        continue;
      }
      break;
    }
    if (n == 0 || !p.set_size(static_cast<size_t>(n))) {
      ++stats_.rx_dropped;
      continue;
    }
    ++stats_.rx_packets;
    stats_.rx_bytes += p.size();
    batch.push_back(std::move(p));
    ++appended;
  }
  return appended;
}

void CharDevicePort::tx_batch(PacketBatch&& batch) {
  PacketBatch consumed = std::move(batch);  // every buffer goes back when this ends
  size_t left = 0;
  for (const Packet& p : consumed) left += !p.empty();
  for (const Packet& p : consumed) {
    if (p.empty()) continue;
    --left;
    ssize_t n;
    do {
      n = ::write(fd_.get(), p.data(), p.size());
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(p.size())) {
      ++stats_.tx_packets;
      stats_.tx_bytes += p.size();
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      stats_.tx_dropped += 1 + left;  // the device is full now: drop the rest, never block
      return;
    } else {
      ++stats_.tx_errors;  // refused (EIO when down, EINVAL, a short write); try the next
    }
  }
}

}  // namespace vs::datapath
