// AfPacketPort: socket set-up, recvmmsg with VLAN tag re-insertion, sendmmsg with per-frame
// error accounting.
#include "datapath/afpacket_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <unistd.h>

#include <cstring>
#include <utility>

namespace vs::datapath {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

Error device_error(const std::string& device, const std::string& what, int err) {
  return make_error("system port " + device + ": " + what + ": " + errno_text(err));
}

// Puts the tag from `aux` back between the source MAC and the EtherType, using 4 bytes of
// headroom: the frame grows at the front and the 12 MAC bytes move back over the new bytes.
bool reinsert_vlan_tag(Packet& p, const tpacket_auxdata& aux) {
  if (p.size() < 12) return false;
  uint8_t* data = p.push_front(4);
  if (data == nullptr) return false;
  std::memmove(data, data + 4, 12);
  uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
  uint16_t tpid_be = htons(tpid);
  uint16_t tci_be = htons(aux.tp_vlan_tci);
  std::memcpy(data + 12, &tpid_be, 2);
  std::memcpy(data + 14, &tci_be, 2);
  return true;
}

}  // namespace

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

  int one = 1;
  if (::setsockopt(fd.get(), SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) != 0) {
    return device_error(device, "enabling PACKET_AUXDATA", errno);
  }
#ifdef PACKET_IGNORE_OUTGOING
  // Best effort (Linux 4.20+); rx_batch() also filters PACKET_OUTGOING itself.
  (void)::setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#endif

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = static_cast<int>(ifindex);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return device_error(device, "binding the AF_PACKET socket", errno);
  }

  // The membership, and with it promiscuous mode, ends when the socket closes.
  packet_mreq mreq{};
  mreq.mr_ifindex = static_cast<int>(ifindex);
  mreq.mr_type = PACKET_MR_PROMISC;
  if (::setsockopt(fd.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
    return device_error(device, "setting promiscuous mode", errno);
  }

  return std::unique_ptr<AfPacketPort>(
      new AfPacketPort(device, static_cast<int>(ifindex), std::move(fd)));
}

AfPacketPort::AfPacketPort(std::string name, int ifindex, UniqueFd fd)
    : Port(std::move(name)), ifindex_(ifindex), fd_(std::move(fd)) {
  for (size_t i = 0; i < kMaxBurst; ++i) {
    msghdr& rx = rx_msgs_[i].msg_hdr;
    rx.msg_name = &rx_addrs_[i];
    rx.msg_iov = &rx_iovs_[i];
    rx.msg_iovlen = 1;
    rx.msg_control = rx_controls_[i].bytes;
    msghdr& tx = tx_msgs_[i].msg_hdr;
    tx.msg_iov = &tx_iovs_[i];
    tx.msg_iovlen = 1;  // no msg_name: the socket is bound to the device
  }
}

size_t AfPacketPort::rx_batch(PacketPool& pool, PacketBatch& batch) {
  // Buffers for this call; any not filled go back to the pool when `slots` ends.
  Packet slots[kMaxBurst];
  size_t want = kMaxBurst - batch.size();
  size_t n = 0;
  for (; n < want; ++n) {
    slots[n] = pool.allocate();
    if (slots[n].empty()) break;
    auto room = slots[n].tail_buffer();
    rx_iovs_[n].iov_base = room.data();
    rx_iovs_[n].iov_len = room.size();
    msghdr& h = rx_msgs_[n].msg_hdr;
    h.msg_namelen = sizeof(sockaddr_ll);
    h.msg_controllen = sizeof(Control);
    h.msg_flags = 0;
  }
  if (n == 0) return 0;

  int got = ::recvmmsg(fd_.get(), rx_msgs_, static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
  if (got <= 0) return 0;  // EAGAIN: nothing waiting; other errors show via fd() and stats

  size_t appended = 0;
  for (int i = 0; i < got; ++i) {
    const msghdr& h = rx_msgs_[i].msg_hdr;
    Packet& p = slots[i];
    if (rx_addrs_[i].sll_pkttype == PACKET_OUTGOING) continue;  // our own or the host's sends
    if ((h.msg_flags & MSG_TRUNC) || !p.set_size(rx_msgs_[i].msg_len)) {
      ++stats_.rx_dropped;
      continue;
    }
    for (const cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&h), const_cast<cmsghdr*>(c))) {
      if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
          c->cmsg_len < CMSG_LEN(sizeof(tpacket_auxdata))) {
        continue;
      }
      tpacket_auxdata aux;
      std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
      if ((aux.tp_status & TP_STATUS_VLAN_VALID) || aux.tp_vlan_tci != 0) {
        if (!reinsert_vlan_tag(p, aux)) p.reset();
      }
    }
    if (p.empty()) {
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
