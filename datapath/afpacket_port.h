// The `system` port: an existing Linux netdev driven through an AF_PACKET SOCK_RAW socket with
// batched recvmmsg/sendmmsg. The 802.1Q tag that the kernel strips into auxiliary data is put
// back into the frame before anyone parses it (OVS lib/netdev-linux.c), so trunks keep tags.
#pragma once

#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <memory>
#include <string>

#include "datapath/port.h"
#include "lib/result.h"
#include "lib/unique_fd.h"

namespace vs::datapath {

class AfPacketPort : public Port {
 public:
  // Opens `device` (which must exist): binds a non-blocking ETH_P_ALL socket to its ifindex,
  // enables PACKET_AUXDATA and puts the device in promiscuous mode for as long as the port lives.
  // Errors name the device: no such device, no CAP_NET_RAW, ...
  static Result<std::unique_ptr<AfPacketPort>> open(const std::string& device);

  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override;
  void tx_batch(PacketBatch&& batch) override;
  PortStats stats() const override;
  int fd() const override { return fd_.get(); }

  int ifindex() const { return ifindex_; }

 private:
  AfPacketPort(std::string name, int ifindex, UniqueFd fd);

  // Room for one PACKET_AUXDATA control message, aligned for cmsghdr.
  struct alignas(cmsghdr) Control {
    uint8_t bytes[CMSG_SPACE(sizeof(tpacket_auxdata))];
  };

  int ifindex_;
  UniqueFd fd_;
  PortStats stats_;
  mutable uint64_t kernel_drops_ = 0;  // PACKET_STATISTICS reads and resets, so accumulate

  // Built once per port and re-pointed at packet buffers on each call: no allocation per frame.
  mmsghdr rx_msgs_[kMaxBurst] = {};
  iovec rx_iovs_[kMaxBurst] = {};
  sockaddr_ll rx_addrs_[kMaxBurst] = {};
  Control rx_controls_[kMaxBurst] = {};
  mmsghdr tx_msgs_[kMaxBurst] = {};
  iovec tx_iovs_[kMaxBurst] = {};
};

}  // namespace vs::datapath
