// Helpers for tests that run a datapath Port against a real device: shell commands, and the
// kernel's side of the device as a raw AF_PACKET socket.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "datapath/port.h"
#include "lib/packet.h"
#include "lib/unique_fd.h"

namespace vs::testing {

using Bytes = std::vector<uint8_t>;

inline const Bytes kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
inline const Bytes kMacA = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};  // locally administered
inline const Bytes kMacB = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

inline bool run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// A test frame: dst, src, an 802.1Q tag (TPID 0x8100) when `tci` >= 0, EtherType 0x88b5 (local
// experimental), then `payload_size` bytes counting up from `seed`.
inline Bytes make_frame(const Bytes& dst, const Bytes& src, uint8_t seed, size_t payload_size,
                        int tci = -1) {
  Bytes f = dst;
  f.insert(f.end(), src.begin(), src.end());
  if (tci >= 0) f.insert(f.end(), {0x81, 0x00, uint8_t(tci >> 8), uint8_t(tci & 0xff)});
  f.insert(f.end(), {0x88, 0xb5});
  for (size_t i = 0; i < payload_size; ++i) f.push_back(uint8_t(seed + i));
  return f;
}

inline Bytes bytes_of(const Packet& p) { return Bytes(p.frame().begin(), p.frame().end()); }

// Polls until `device` is operationally up. A device whose carrier just came on gets its
// transmit queue back only later, from the kernel's link watcher, which also sets operstate;
// frames sent through it before that are dropped. A TAP's operstate stays "unknown", so for it
// the sign is the noop qdisc being replaced.
inline ::testing::AssertionResult becomes_operational(const std::string& device) {
  std::string state;
  for (int i = 0; i < 500; ++i) {
    std::ifstream("/sys/class/net/" + device + "/operstate") >> state;
    if (state == "up") return ::testing::AssertionSuccess();
    if (state == "unknown") {
      std::string link;
      if (FILE* f = ::popen(("ip -o link show dev " + device + " 2>/dev/null").c_str(), "r")) {
        char buf[512];
        while (::fgets(buf, sizeof buf, f)) link += buf;
        ::pclose(f);
      }
      if (link.find("LOWER_UP") != std::string::npos &&
          link.find("qdisc noop") == std::string::npos) {
        return ::testing::AssertionSuccess();
      }
    }
    ::usleep(10000);
  }
  return ::testing::AssertionFailure() << device << " is " << state << ", not up";
}

// A raw socket bound to a device: what the kernel sends out of it, and a way to inject frames.
class RawPeer {
 public:
  ::testing::AssertionResult open(const std::string& device) {
    fd_ = UniqueFd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    if (!fd_) return ::testing::AssertionFailure() << "socket: " << std::strerror(errno);
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = static_cast<int>(::if_nametoindex(device.c_str()));
    if (addr.sll_ifindex == 0) return ::testing::AssertionFailure() << "no device " << device;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return ::testing::AssertionFailure() << "bind: " << std::strerror(errno);
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult send(const Bytes& frame) {
    if (::send(fd_.get(), frame.data(), frame.size(), 0) == static_cast<ssize_t>(frame.size())) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "send: " << std::strerror(errno);
  }

  // True once a frame equal to `want` arrives, within a few seconds.
  bool receives(const Bytes& want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    Bytes buf(kMaxFrameSize);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{fd_.get(), POLLIN, 0};
      ::poll(&pfd, 1, 100);
      ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
      if (n > 0 && Bytes(buf.begin(), buf.begin() + n) == want) return true;
    }
    return false;
  }

 private:
  UniqueFd fd_;
};

// Polls `port` until a received frame equals `want` or a few seconds pass; other frames (stray
// traffic on the device) are counted in `others`. `inspect` sees every received packet.
inline bool port_receives(datapath::Port& port, PacketPool& pool, const Bytes& want, size_t& others,
                          const std::function<void(const Packet&)>& inspect = {}) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{port.fd(), POLLIN, 0};
    ::poll(&pfd, 1, 100);
    PacketBatch batch;
    port.rx_batch(pool, batch);
    bool found = false;
    for (const Packet& p : batch) {
      if (inspect) inspect(p);
      if (!found && bytes_of(p) == want) {
        found = true;
      } else {
        ++others;
      }
    }
    if (found) return true;
  }
  return false;
}

}  // namespace vs::testing
