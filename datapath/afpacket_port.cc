// AfPacketPort: socket and ring set-up, ring receive with VLAN tag re-insertion, sendmmsg with
// per-frame error accounting.
#include "datapath/afpacket_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "datapath/netdev_info.h"
#include "vlan/tag.h"

namespace vs::datapath {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

Error device_error(const std::string& device, const std::string& what, int err) {
  return make_error("system port " + device + ": " + what + ": " + errno_text(err));
}

// The receive ring: about 4 MiB of frames (2,048 of 2 KiB for a 1,500-byte MTU), each frame a
// power of two from 2 KiB up, never fewer than 256 frames.
constexpr size_t kRingBytes = size_t{4} << 20;
constexpr uint32_t kMinRingFrames = 256;
constexpr uint32_t kPageSize = 4096;
// Where the kernel puts a frame's first byte in a ring frame (net/packet/af_packet.c: the header,
// then room for a 16-byte MAC header so the network header lands aligned).
constexpr uint32_t kRingFrameOffset = TPACKET_ALIGN(TPACKET2_HDRLEN + 16) - ETH_HLEN;
// Largest frame on the wire for an MTU: Ethernet header and an inline 802.1Q tag (a second one
// arrives in the ring header).
constexpr uint32_t kFrameOverhead = ETH_HLEN + 4;

// Copies a ring frame into `p` with its VLAN tag back in place. False if the frame was larger
// than a ring frame (the MTU grew after open) or there is no headroom for the tag.
bool copy_ring_frame(const uint8_t* frame, const tpacket2_hdr& header, uint32_t status, Packet& p) {
  if (header.tp_snaplen < header.tp_len || !p.set_size(header.tp_snaplen)) return false;
  std::memcpy(p.data(), frame + header.tp_mac, header.tp_snaplen);
  if (!(status & TP_STATUS_VLAN_VALID) && header.tp_vlan_tci == 0) return true;
  const uint16_t tpid = (status & TP_STATUS_VLAN_TPID_VALID) ? header.tp_vlan_tpid : ETH_P_8021Q;
  return vlan::push_tag(p, {tpid, header.tp_vlan_tci});
}

}  // namespace

int hold_promiscuous(int fd, int ifindex) {
  packet_mreq mreq{};
  mreq.mr_ifindex = ifindex;
  mreq.mr_type = PACKET_MR_PROMISC;
  return ::setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) == 0 ? 0 : errno;
}

Result<std::unique_ptr<AfPacketPort>> AfPacketPort::open(const std::string& device) {
  if (device.empty() || device.size() >= IFNAMSIZ) {
    return make_error("system port \"" + device + "\": not a valid device name");
  }
  unsigned ifindex = ::if_nametoindex(device.c_str());
  if (ifindex == 0) {
    if (errno == ENODEV || errno == ENXIO) {
      return make_error("system port " + device + ": no such device");
    }
    return device_error(device, "looking up the device", errno);
  }

  // Protocol 0 receives nothing until bind() names the protocol and device, so no frame from
  // another device can slip in between.
  UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    int err = errno;
    return device_error(device,
                        err == EPERM ? "opening an AF_PACKET socket (needs CAP_NET_RAW)"
                                     : "opening an AF_PACKET socket",
                        err);
  }

  auto info = read_netdev_info(device);
  if (!info) return make_error("system port " + device + ": " + info.error().message);
  const uint32_t largest = static_cast<uint32_t>(info.value().mtu) + kFrameOverhead;
  uint32_t frame_size = 2048;
  while (kRingFrameOffset + largest > frame_size) frame_size *= 2;
  const uint32_t frames = std::max(kMinRingFrames, static_cast<uint32_t>(kRingBytes / frame_size));
  const uint32_t block_size = std::max(frame_size, kPageSize);
  int version = TPACKET_V2;
  if (::setsockopt(fd.get(), SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    return device_error(device, "selecting TPACKET_V2", errno);
  }
  tpacket_req req{};
  req.tp_block_size = block_size;
  req.tp_block_nr = frames * frame_size / block_size;
  req.tp_frame_size = frame_size;
  req.tp_frame_nr = frames;
  if (::setsockopt(fd.get(), SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
    return device_error(device, "creating the receive ring", errno);
  }
  Mapping ring = Mapping::map(size_t{frames} * frame_size, fd.get());
  if (!ring) return device_error(device, "mapping the receive ring", errno);
#ifdef PACKET_IGNORE_OUTGOING
  // Best effort (Linux 4.20+); rx_batch() also filters PACKET_OUTGOING itself.
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#endif

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = static_cast<int>(ifindex);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return device_error(device, "binding the AF_PACKET socket", errno);
  }

  if (int err = hold_promiscuous(fd.get(), static_cast<int>(ifindex))) {
    return device_error(device, "setting promiscuous mode", err);
  }

  return std::unique_ptr<AfPacketPort>(new AfPacketPort(
      device, static_cast<int>(ifindex), std::move(fd), std::move(ring), frame_size));
}

AfPacketPort::AfPacketPort(std::string name, int ifindex, UniqueFd fd, Mapping ring,
                           uint32_t frame_size)
    : Port(std::move(name)),
      ifindex_(ifindex),
      fd_(std::move(fd)),
      ring_(std::move(ring)),
      frame_size_(frame_size),
      frame_count_(static_cast<uint32_t>(ring_.size() / frame_size)) {
  for (size_t i = 0; i < kMaxBurst; ++i) {
    msghdr& tx = tx_msgs_[i].msg_hdr;
    tx.msg_iov = &tx_iovs_[i];
    tx.msg_iovlen = 1;  // no msg_name: the socket is bound to the device
  }
}

size_t AfPacketPort::rx_batch(PacketPool& pool, PacketBatch& batch) {
  size_t appended = 0;
  // At most one batch worth of ring frames per call, kept or not, so the caller's loop stays fair.
  for (size_t looked = batch.size(); looked < kMaxBurst; ++looked) {
    uint8_t* frame = ring_.data() + size_t{rx_next_} * frame_size_;
    auto* header = reinterpret_cast<tpacket2_hdr*>(frame);
    const uint32_t status = __atomic_load_n(&header->tp_status, __ATOMIC_ACQUIRE);
    if (!(status & TP_STATUS_USER)) break;
    Packet p = pool.allocate();
    if (p.empty()) break;  // the frame waits in the ring
    const auto* from =
        reinterpret_cast<const sockaddr_ll*>(frame + TPACKET_ALIGN(sizeof(tpacket2_hdr)));
    const bool outgoing = from->sll_pkttype == PACKET_OUTGOING;  // our own or the host's sends
    const bool kept = !outgoing && copy_ring_frame(frame, *header, status, p);
    __atomic_store_n(&header->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    rx_next_ = rx_next_ + 1 == frame_count_ ? 0 : rx_next_ + 1;
    if (!kept) {
      stats_.rx_dropped += !outgoing;
      continue;
    }
    ++stats_.rx_packets;
    stats_.rx_bytes += p.size();
    batch.push_back(std::move(p));
    ++appended;
  }
  return appended;
}

void AfPacketPort::tx_batch(PacketBatch&& batch) {
  PacketBatch consumed = std::move(batch);  // every buffer goes back when this ends
  size_t n = 0;
  for (Packet& p : consumed) {
    if (p.empty()) continue;
    tx_iovs_[n].iov_base = p.data();
    tx_iovs_[n].iov_len = p.size();
    ++n;
  }

  size_t next = 0;
  while (next < n) {
    int sent =
        ::sendmmsg(fd_.get(), tx_msgs_ + next, static_cast<unsigned>(n - next), MSG_DONTWAIT);
    if (sent > 0) {
      for (size_t i = next; i < next + static_cast<size_t>(sent); ++i) {
        ++stats_.tx_packets;
        stats_.tx_bytes += tx_iovs_[i].iov_len;
      }
      next += static_cast<size_t>(sent);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
      stats_.tx_dropped += n - next;  // the device is full now: drop the rest, never block
      break;
    }
    ++stats_.tx_errors;  // this frame was refused (EMSGSIZE, ENETDOWN, ...); try the next
    ++next;
  }
}

PortStats AfPacketPort::stats() const {
  tpacket_stats kernel{};
  socklen_t len = sizeof kernel;
  if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &kernel, &len) == 0) {
    kernel_drops_ += kernel.tp_drops;
  }
  PortStats s = stats_;
  s.rx_dropped += kernel_drops_;
  return s;
}

}  // namespace vs::datapath
