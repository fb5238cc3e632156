// The `system` port over AF_PACKET: a SOCK_RAW socket whose receive side is a TPACKET_V2 ring
// shared with the kernel (no system call per receive batch) and whose send side is batched
// sendmmsg(). (A TPACKET transmit ring was tried: the kernel makes its frames page fragments and
// then copies them into new pages on the way through a veth, which cost more than sendmmsg.)
// The 802.1Q tag that the kernel strips into the ring's frame header is put back into the frame
// before anyone parses it (OVS lib/netdev-linux.c), so trunks keep tags.
#pragma once

#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <memory>
#include <string>

#include "datapath/mapping.h"
#include "datapath/port.h"
#include "lib/result.h"
#include "lib/unique_fd.h"

namespace vs::datapath {

// Puts `ifindex` in promiscuous mode for as long as the AF_PACKET socket `fd` stays open: a packet
// membership, so that not even a crash leaves the device promiscuous. Returns 0 or an errno.
int hold_promiscuous(int fd, int ifindex);

class AfPacketPort : public Port {
 public:
  // Opens `device` (which must exist): binds a non-blocking ETH_P_ALL socket with a receive ring
  // to its ifindex and puts the device in promiscuous mode for as long as the port lives. The
  // ring's frames are sized for the device's MTU at open; a larger frame received later is
  // dropped and counted. Errors name the device: no such device, no CAP_NET_RAW, ...
  static Result<std::unique_ptr<AfPacketPort>> open(const std::string& device);

  // A frame waiting while the pool is empty stays in the ring; when the ring is full the kernel
  // drops what arrives, counted in rx_dropped.
  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override;
  void tx_batch(PacketBatch&& batch) override;
  PortStats stats() const override;
  int fd() const override { return fd_.get(); }

  int ifindex() const { return ifindex_; }

 private:
  AfPacketPort(std::string name, int ifindex, UniqueFd fd, Mapping ring, uint32_t frame_size);

  int ifindex_;
  UniqueFd fd_;
  Mapping ring_;  // the receive ring: frame_count_ frames of frame_size_ bytes, back to back
  uint32_t frame_size_;
  uint32_t frame_count_;
  uint32_t rx_next_ = 0;  // the ring frame the kernel fills after the last one we took
  PortStats stats_;
  mutable uint64_t kernel_drops_ = 0;  // PACKET_STATISTICS reads and resets, so accumulate

  // Built once per port and re-pointed at packet buffers on each call: no allocation per frame.
  mmsghdr tx_msgs_[kMaxBurst] = {};
  iovec tx_iovs_[kMaxBurst] = {};
};

}  // namespace vs::datapath
