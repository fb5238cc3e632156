// GRE ports and the receiver behind them (gre_port.h).
#include "tunnels/gre_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "lib/byte_order.h"
#include "lib/protocols.h"

namespace vs::tunnels {
namespace {

constexpr int kDefaultTtl = 64;  // ttl=inherit for a frame that is not IP
constexpr int kReceiveBuffer = 8 << 20;  // the socket's receive buffer, bytes
// The largest outer IPv4 header (with options) and GRE header: 76 of the 128 bytes of headroom.
constexpr size_t kOuterHeadersRoom = 60 + kGreMaxHeaderLen;
static_assert(kOuterHeadersRoom <= kPacketHeadroom);

std::string ipv4_text(uint32_t address) {
  in_addr a{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

// The inner frame's IP TOS and TTL (hop limit), behind any VLAN tags; nullopt if it is not IP.
struct InnerIp {
  uint8_t tos;
  uint8_t ttl;
};
std::optional<InnerIp> inner_ip(std::span<const uint8_t> frame) {
  size_t at = 12;
  while (at + 2 <= frame.size()) {
    const uint16_t type = load_be16(frame.data() + at);
    at += 2;
    if (type == kEthTypeVlan || type == kEthTypeQinQ) {
      at += 2;  // the TCI
      continue;
    }
    if (type == kEthTypeIpv4 && frame.size() >= at + kIpv4MinHeaderLen) {
      return InnerIp{frame[at + 1], frame[at + 8]};
    }
    if (type == kEthTypeIpv6 && frame.size() >= at + kIpv6HeaderLen) {
      return InnerIp{static_cast<uint8_t>(load_be16(frame.data() + at) >> 4), frame[at + 7]};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

// --- GreTunnels ---------------------------------------------------------------------------

Result<std::shared_ptr<GreTunnels>> GreTunnels::open() {
  UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtoGre));
  if (!fd) return make_error(std::string("raw GRE socket: ") + std::strerror(errno));
  // No DF: the host fragments outer packets larger than the path MTU (gre_port.h).
  const int dont = IP_PMTUDISC_DONT;
  if (::setsockopt(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof dont) != 0) {
    return make_error(std::string("raw GRE socket: IP_MTU_DISCOVER: ") + std::strerror(errno));
  }
  // The default receive buffer (~200 KiB) holds a few milliseconds of a burst, less than the
  // forwarding thread may be away; AF_PACKET and AF_XDP ports have rings of this order. FORCE
  // goes past net.core.rmem_max (root); without it, what rmem_max allows.
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) !=
      0) {
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  }
  return std::shared_ptr<GreTunnels>(new GreTunnels(std::move(fd)));
}

GrePort* GreTunnels::find(uint32_t remote, uint32_t local, std::optional<uint32_t> key) const {
  GrePort* best = nullptr;
  int best_score = -1;
  for (GrePort* port : attached_) {
    const GreConfig& c = port->config();
    if (c.remote_ip && *c.remote_ip != remote) continue;
    if (c.local_ip && *c.local_ip != local) continue;
    if (!c.in_key.flow && key.value_or(0) != c.in_key.value) continue;
    const int score = (c.remote_ip ? 4 : 0) + (c.in_key.flow ? 0 : 2) + (c.local_ip ? 1 : 0);
    if (score > best_score) {
      best = port;
      best_score = score;
    }
  }
  return best;
}

bool GreTunnels::claim(const Match& match, const std::string& name, std::string* holder) {
  std::lock_guard lock(mutex_);
  auto [it, added] = claims_.try_emplace(match, name);
  if (!added) *holder = it->second;
  return added;
}

void GreTunnels::release(const Match& match) {
  std::lock_guard lock(mutex_);
  claims_.erase(match);
}

// --- GrePort ------------------------------------------------------------------------------

Result<std::unique_ptr<GrePort>> GrePort::open(const std::string& name,
                                               const std::map<std::string, std::string>& options,
                                               std::shared_ptr<GreTunnels> tunnels) {
  const std::string who = "interface " + name;
  auto config = parse_gre_options(options);
  if (!config) return make_error(who + ": " + config.error().message);
  const GreConfig& c = config.value();

  if (c.local_ip) {
    // The source of every packet this port sends (IP_PKTINFO): refused now if not this host's.
    UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(*c.local_ip);
    if (!probe ||
        ::bind(probe.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      return make_error(
          who + ": options:local_ip=" + ipv4_text(*c.local_ip) + ": " +
          (errno == EADDRNOTAVAIL ? "not an address of this host" : std::strerror(errno)));
    }
  }
  // The port's fd for the datapath's epoll: an eventfd nobody writes, since its frames come in
  // through the shared socket (gre_sys).
  UniqueFd idle(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!idle) return make_error(who + ": eventfd: " + std::strerror(errno));

  std::string holder;
  if (!tunnels->claim({c.remote_ip, c.local_ip, c.in_key}, name, &holder)) {
    return make_error(who + ": " + holder +
                      " already receives with the same remote_ip, local_ip and key");
  }
  return std::unique_ptr<GrePort>(new GrePort(name, c, std::move(idle), std::move(tunnels)));
}

GrePort::GrePort(const std::string& name, const GreConfig& config, UniqueFd idle,
                 std::shared_ptr<GreTunnels> tunnels)
    : Port(name),
      config_(config),
      // key=flow: the template has a key field, filled from each packet's tunnel_id.
      header_(GreSendOptions{config.out_key.flow || config.out_key.value != 0
                                 ? std::optional<uint32_t>(config.out_key.value)
                                 : std::nullopt,
                             config.csum, false}),
      idle_(std::move(idle)),
      tunnels_(std::move(tunnels)) {}

GrePort::~GrePort() {
  if (number_ != 0) tunnels_->remove(this);
  tunnels_->release({config_.remote_ip, config_.local_ip, config_.in_key});
}

void GrePort::attached(uint32_t number) {
  number_ = number;
  tunnels_->add(this);
}

size_t GrePort::rx_batch(PacketPool&, PacketBatch&) { return 0; }

void GrePort::tx_batch(PacketBatch&& batch) {
  mmsghdr msgs[kMaxBurst];
  iovec iovs[kMaxBurst];
  sockaddr_in remotes[kMaxBurst];
  // The outer header's TTL and TOS and, with local_ip, its source: per packet, since the socket
  // is every GRE port's.
  constexpr size_t kControlSpace = 2 * CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(in_pktinfo));
  alignas(cmsghdr) uint8_t controls[kMaxBurst][kControlSpace];
  size_t frame_bytes[kMaxBurst];
  unsigned n = 0;
  for (Packet& packet : batch) {
    if (!packet) continue;
    // remote_ip=flow: where the flow sent it (tun_dst); a packet it gave none goes nowhere.
    const uint32_t remote = config_.remote_ip.value_or(packet.tunnel.dst);
    if (remote == 0) {
      ++stats_.tx_errors;
      continue;
    }
    const size_t bytes = packet.size();
    std::optional<InnerIp> ip;
    if (!config_.ttl || !config_.tos) ip = inner_ip(packet.frame());
    const std::optional<uint32_t> key =
        config_.out_key.flow ? std::optional<uint32_t>(static_cast<uint32_t>(packet.tunnel.id))
                             : std::nullopt;
    if (!header_.push(packet, 0, key)) {
      ++stats_.tx_dropped;
      continue;
    }
    iovs[n] = {packet.data(), packet.size()};
    remotes[n] = {};
    remotes[n].sin_family = AF_INET;
    remotes[n].sin_addr.s_addr = htonl(remote);
    msghdr& msg = msgs[n].msg_hdr;
    msg = {};
    msg.msg_name = &remotes[n];
    msg.msg_namelen = sizeof remotes[n];
    msg.msg_iov = &iovs[n];
    msg.msg_iovlen = 1;
    msg.msg_control = controls[n];
    msg.msg_controllen = kControlSpace;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    size_t used = 0;
    auto add = [&](int type, const void* value, size_t size) {
      cmsg->cmsg_level = IPPROTO_IP;
      cmsg->cmsg_type = type;
      cmsg->cmsg_len = CMSG_LEN(size);
      std::memcpy(CMSG_DATA(cmsg), value, size);
      used += CMSG_SPACE(size);
      cmsg = CMSG_NXTHDR(&msg, cmsg);
    };
    // ttl=inherit from a frame that is not IP, or whose TTL is 0 (the kernel refuses 0): 64.
    const int ttl = config_.ttl ? *config_.ttl : ip && ip->ttl != 0 ? ip->ttl : kDefaultTtl;
    const int tos = config_.tos ? *config_.tos : ip ? ip->tos : 0;
    add(IP_TTL, &ttl, sizeof ttl);
    add(IP_TOS, &tos, sizeof tos);
    if (config_.local_ip) {
      in_pktinfo source{};
      source.ipi_spec_dst.s_addr = htonl(*config_.local_ip);
      add(IP_PKTINFO, &source, sizeof source);
    }
    msg.msg_controllen = used;
    frame_bytes[n] = bytes;
    ++n;
  }
  for (unsigned next = 0; next < n;) {
    const int sent = ::sendmmsg(tunnels_->fd(), msgs + next, n - next, MSG_DONTWAIT);
    if (sent > 0) {
      for (int i = 0; i < sent; ++i) {
        ++stats_.tx_packets;
        stats_.tx_bytes += frame_bytes[next + i];
      }
      next += static_cast<unsigned>(sent);
      continue;
    }
    // The packet at `next` failed: counted, and the rest still go.
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
      ++stats_.tx_dropped;
    } else {
      ++stats_.tx_errors;  // no route (ENETUNREACH), ...
    }
    ++next;
  }
  batch.clear();
}

int GrePort::mtu() const {
  if (!config_.remote_ip) return -1;  // each flow chooses its destination
  // A connected UDP socket asks the routing table for the path MTU without sending anything.
  UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_addr.s_addr = htonl(*config_.remote_ip);
  remote.sin_port = htons(9);  // any port: connect() on UDP only looks up the route
  if (!probe ||
      ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0) {
    return 0;
  }
  int path_mtu = 0;
  socklen_t len = sizeof path_mtu;
  if (::getsockopt(probe.get(), IPPROTO_IP, IP_MTU, &path_mtu, &len) != 0) return 0;
  const int inner = path_mtu - static_cast<int>(kIpv4MinHeaderLen + header_.size() + kEthHeaderLen);
  return inner > 0 ? inner : 0;
}

// --- GreReceiver --------------------------------------------------------------------------

GreReceiver::GreReceiver(std::shared_ptr<GreTunnels> tunnels)
    : Port(kName), tunnels_(std::move(tunnels)) {}

size_t GreReceiver::rx_batch(PacketPool& pool, PacketBatch& batch) {
  const size_t room = std::min(kMaxBurst - batch.size(), pool.available());
  if (room == 0) return 0;
  Packet packets[kMaxBurst];
  mmsghdr msgs[kMaxBurst];
  iovec iovs[kMaxBurst];
  for (size_t i = 0; i < room; ++i) {
    packets[i] = pool.allocate();
    // The outer headers go into the headroom, so that the frame behind them may be as large as
    // any other port's (kMaxFrameSize).
    packets[i].push_front(kOuterHeadersRoom);
    const std::span<uint8_t> space = packets[i].tail_buffer();
    iovs[i] = {space.data(), space.size()};
    msgs[i].msg_hdr = {};
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  const int got =
      ::recvmmsg(tunnels_->fd(), msgs, static_cast<unsigned>(room), MSG_DONTWAIT, nullptr);
  if (got <= 0) return 0;
  size_t delivered = 0;
  for (int i = 0; i < got; ++i) {
    Packet& packet = packets[i];
    const size_t len = msgs[i].msg_len;
    ++stats_.rx_packets;
    stats_.rx_bytes += len;
    std::optional<DropReason> reason;
    if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
      reason = DropReason::kGreTruncated;  // larger than a packet buffer: cannot be forwarded
    } else {
      packet.set_size(len);
      reason = deliver(packet);
    }
    if (reason) {
      ++stats_.rx_dropped;
      ++drops_[static_cast<size_t>(*reason)];
      continue;
    }
    batch.push_back(std::move(packet));
    ++delivered;
  }
  return delivered;
}

std::optional<DropReason> GreReceiver::deliver(Packet& packet) {
  // The kernel hands raw sockets whole (reassembled) datagrams with their IPv4 header.
  const std::span<const uint8_t> ip = packet.frame();
  if (ip.size() < kIpv4MinHeaderLen) return DropReason::kGreTruncated;
  const size_t header_len = size_t{ip[0] & 0x0fu} * 4;
  const size_t total_len = std::min<size_t>(load_be16(ip.data() + 2), ip.size());
  if (header_len < kIpv4MinHeaderLen || total_len < header_len) return DropReason::kGreTruncated;
  const uint32_t remote = load_be32(ip.data() + 12);
  const uint32_t local = load_be32(ip.data() + 16);
  GreReceived gre;
  if (auto reason = parse_gre(ip.subspan(header_len, total_len - header_len), &gre)) {
    return reason;
  }
  GrePort* port = tunnels_->find(remote, local, gre.key);
  if (port == nullptr) return DropReason::kGreNoPort;
  packet.set_size(total_len);
  packet.pull_front(header_len + gre.header_len);
  packet.in_port = port->number();
  packet.tunnel = {gre.key.value_or(0), remote, local};
  port->count_rx(packet.size());
  return std::nullopt;
}

void GreReceiver::tx_batch(PacketBatch&& batch) {
  for (const Packet& packet : batch) {
    if (packet) ++stats_.tx_dropped;
  }
  batch.clear();
}

void GreReceiver::add_drops(std::array<uint64_t, kDropReasonCount>& drops) const {
  for (size_t i = 0; i < kDropReasonCount; ++i) drops[i] += drops_[i];
}

void register_gre_port(datapath::PortFactory& factory, std::shared_ptr<GreTunnels> tunnels) {
  factory.register_kind(
      "gre",
      [tunnels](const datapath::PortConfig& config) -> Result<std::unique_ptr<datapath::Port>> {
        VS_ASSIGN(auto port, GrePort::open(config.name, config.options, tunnels));
        return std::unique_ptr<datapath::Port>(std::move(port));
      });
}

}  // namespace vs::tunnels
