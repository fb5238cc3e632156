// The fast kind of `system` port: an existing Linux netdev driven through an AF_XDP socket in copy
// mode (libxdp's xsk rings). A six-instruction XDP program, attached through a bpf_link so that it
// goes away with the port or the process, redirects every frame of the device's single receive
// queue to the socket. Frames are copied between the UMEM and the caller's PacketPool, so packets
// follow the Port ownership rules (port.h) like any other port's. port_factory.cc chooses between
// this and AfPacketPort, which has none of these limits:
// - XDP sees the frame as it is in the buffer: an 802.1Q tag that the kernel carries beside the
//   frame never reaches it, so such frames arrive untagged. That is the case for tags sent by a
//   VLAN device on a veth's peer, and for tags a NIC strips (rx-vlan-offload), though a NIC with
//   several receive queues gets AF_PACKET anyway. Tags inside the frame (raw sockets, QEMU, a
//   veth peer without tx-vlan-offload) are kept. Trunk ports fed by VLAN devices want
//   options:xdp-mode=off.
// - One receive queue (veth and tap devices have one unless made otherwise), MTU up to 3,818.
// - The device's XDP hook is taken while the port is open, and packet taps (tcpdump) on the
//   device see neither what the switch receives nor what it sends.
#pragma once

#include <xdp/xsk.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datapath/mapping.h"
#include "datapath/port.h"
#include "lib/result.h"
#include "lib/unique_fd.h"

namespace vs::datapath {

class AfXdpPort : public Port {
 public:
  // Where the XDP program runs; the names are OVS's options:xdp-mode values.
  enum class Mode {
    kGeneric,     // "generic": in the kernel's receive path on an skb (any device). Copies the
                  // frame once more than native, but runs in the device's receive softirq, for a
                  // veth on the receiver's CPU (native veth XDP runs on the sender's)
    kNative,      // "native": in the driver, if it supports XDP
    kBestEffort,  // "best-effort": native, else generic
  };

  // Opens `device` (which must exist and have one receive queue): creates the UMEM and socket,
  // attaches the redirect program in `mode`, and puts the device in promiscuous mode for as long
  // as the port lives. Errors say what failed on which device: no such device, several receive
  // queues, an MTU too large for a UMEM frame, another XDP program attached, no CAP_NET_ADMIN or
  // CAP_BPF, a kernel without AF_XDP or XDP links (5.9+), ...
  static Result<std::unique_ptr<AfXdpPort>> open(const std::string& device, Mode mode);
  ~AfXdpPort() override;

  // Frames received while the pool is empty stay in the receive ring, which is then not refilled;
  // the kernel drops what does not fit and stats() counts it in rx_dropped.
  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override;
  // Copies the frames into free UMEM frames of the transmit ring and kicks the kernel with
  // sendto(); a frame finds no room when every transmit frame is still in flight.
  void tx_batch(PacketBatch&& batch) override;
  PortStats stats() const override;
  int fd() const override;

  // The mode the program was attached in: kGeneric or kNative.
  Mode mode() const { return mode_; }

 private:
  struct XskDeleter {
    void operator()(xsk_umem* umem) const;
    void operator()(xsk_socket* xsk) const;
  };

  AfXdpPort(std::string name, uint32_t frame_size);
  Result<void> setup(int ifindex, Mode mode);
  Result<void> attach(int ifindex, Mode mode);
  void reclaim_completions();
  void kick_tx();

  uint32_t frame_size_;
  Mode mode_ = Mode::kGeneric;
  UniqueFd promiscuous_;  // an AF_PACKET socket that receives nothing; its membership sets PROMISC
  // Declared in the order they are created; destroyed in reverse, so the program is detached
  // before the socket closes and the UMEM is unmapped last.
  Mapping umem_area_;
  std::unique_ptr<xsk_umem, XskDeleter> umem_;
  std::unique_ptr<xsk_socket, XskDeleter> xsk_;
  UniqueFd xskmap_;
  UniqueFd program_;
  UniqueFd link_;

  xsk_ring_prod fill_{};
  xsk_ring_cons comp_{};
  xsk_ring_cons rx_{};
  xsk_ring_prod tx_{};
  std::vector<uint64_t> free_tx_;  // UMEM addresses of transmit frames not in flight
  bool tx_stalled_ = false;        // the kernel may have left descriptors in the transmit ring

  PortStats stats_;
  uint64_t tx_refused_ = 0;  // counted in stats_.tx_packets, then refused by the device
};

}  // namespace vs::datapath
