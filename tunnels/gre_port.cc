// GRE ports and the receiver behind them (gre_port.h).
#include "tunnels/gre_port.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "lib/byte_order.h"
#include "lib/protocols.h"

namespace vs::tunnels {
namespace {

constexpr int kDefaultTtl = 64;  // ttl=inherit for a frame that is not IP

std::string ipv4_text(uint32_t address) {
  in_addr a{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

Result<UniqueFd> gre_socket(const std::string& who) {
  UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtoGre));
  if (!fd) return make_error(who + ": raw GRE socket: " + std::strerror(errno));
  return fd;
}

Result<void> set_int_option(int fd, int level, int option, int value, const std::string& what) {
  if (::setsockopt(fd, level, option, &value, sizeof value) != 0) {
    return make_error(what + ": " + std::strerror(errno));
  }
  return boost::outcome_v2::success();
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

GrePort* GreTunnels::find(uint32_t remote, uint32_t local, std::optional<uint32_t> key) const {
  GrePort* best = nullptr;
  int best_score = -1;
  for (GrePort* port : attached_) {
    const GreConfig& c = port->config();
    if (c.remote_ip && *c.remote_ip != remote) continue;
    if (c.local_ip && *c.local_ip != local) continue;
    if (!c.in_key.flow && key.value_or(0) != c.in_key.value) continue;
    const int score = (c.in_key.flow ? 0 : 2) + (c.local_ip ? 1 : 0);
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
  if (!c.remote_ip) return make_error(who + ": options:remote_ip=flow is not supported yet");

  VS_ASSIGN(UniqueFd fd, gre_socket(who));
  // Every GRE packet reaches every raw GRE socket; GreReceiver takes them, this one takes none.
  sock_filter drop_all{BPF_RET | BPF_K, 0, 0, 0};
  sock_fprog program{1, &drop_all};
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    return make_error(who + ": socket filter: " + std::strerror(errno));
  }
  if (c.local_ip) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(*c.local_ip);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      return make_error(
          who + ": options:local_ip=" + ipv4_text(*c.local_ip) + ": " +
          (errno == EADDRNOTAVAIL ? "not an address of this host" : std::strerror(errno)));
    }
  }
  // No DF: the host fragments outer packets larger than the path MTU (gre_port.h).
  VS_TRY(set_int_option(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT,
                        who + ": IP_MTU_DISCOVER"));
  if (c.ttl) VS_TRY(set_int_option(fd.get(), IPPROTO_IP, IP_TTL, *c.ttl, who + ": IP_TTL"));
  if (c.tos) VS_TRY(set_int_option(fd.get(), IPPROTO_IP, IP_TOS, *c.tos, who + ": IP_TOS"));

  std::string holder;
  if (!tunnels->claim({c.remote_ip, c.local_ip, c.in_key}, name, &holder)) {
    return make_error(who + ": " + holder +
                      " already receives with the same remote_ip, local_ip and key");
  }
  return std::unique_ptr<GrePort>(new GrePort(name, c, std::move(fd), std::move(tunnels)));
}

GrePort::GrePort(const std::string& name, const GreConfig& config, UniqueFd socket,
                 std::shared_ptr<GreTunnels> tunnels)
    : Port(name),
      config_(config),
      // key=flow: the template has a key field, filled from each packet's tunnel_id.
      header_(GreSendOptions{config.out_key.flow || config.out_key.value != 0
                                 ? std::optional<uint32_t>(config.out_key.value)
                                 : std::nullopt,
                             config.csum, false}),
      socket_(std::move(socket)),
      tunnels_(std::move(tunnels)) {
  remote_.sin_family = AF_INET;
  remote_.sin_addr.s_addr = htonl(*config.remote_ip);
}

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
  // Room for an IP_TTL and an IP_TOS message per packet, for ttl/tos=inherit.
  alignas(cmsghdr) uint8_t controls[kMaxBurst][2 * CMSG_SPACE(sizeof(int))];
  size_t frame_bytes[kMaxBurst];
  unsigned n = 0;
  const bool inherit = !config_.ttl || !config_.tos;
  for (Packet& packet : batch) {
    if (!packet) continue;
    const size_t bytes = packet.size();
    std::optional<InnerIp> ip;
    if (inherit) ip = inner_ip(packet.frame());
    const std::optional<uint32_t> key =
        config_.out_key.flow ? std::optional<uint32_t>(static_cast<uint32_t>(packet.tunnel_id))
                             : std::nullopt;
    if (!header_.push(packet, 0, key)) {
      ++stats_.tx_dropped;
      continue;
    }
    iovs[n] = {packet.data(), packet.size()};
    msghdr& msg = msgs[n].msg_hdr;
    msg = {};
    msg.msg_name = &remote_;
    msg.msg_namelen = sizeof remote_;
    msg.msg_iov = &iovs[n];
    msg.msg_iovlen = 1;
    if (inherit) {
      msg.msg_control = controls[n];
      msg.msg_controllen = sizeof controls[n];
      cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
      size_t used = 0;
      auto add = [&](int type, int value) {
        cmsg->cmsg_level = IPPROTO_IP;
        cmsg->cmsg_type = type;
        cmsg->cmsg_len = CMSG_LEN(sizeof value);
        std::memcpy(CMSG_DATA(cmsg), &value, sizeof value);
        used += CMSG_SPACE(sizeof value);
        cmsg = CMSG_NXTHDR(&msg, cmsg);
      };
      if (!config_.ttl) add(IP_TTL, ip ? ip->ttl : kDefaultTtl);
      if (!config_.tos) add(IP_TOS, ip ? ip->tos : 0);
      msg.msg_controllen = used;
    }
    frame_bytes[n] = bytes;
    ++n;
  }
  for (unsigned next = 0; next < n;) {
    const int sent = ::sendmmsg(socket_.get(), msgs + next, n - next, MSG_DONTWAIT);
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
  // A connected UDP socket asks the routing table for the path MTU without sending anything.
  UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in remote = remote_;
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

Result<std::unique_ptr<GreReceiver>> GreReceiver::open(std::shared_ptr<GreTunnels> tunnels) {
  VS_ASSIGN(UniqueFd fd, gre_socket(kName));
  return std::unique_ptr<GreReceiver>(new GreReceiver(std::move(fd), std::move(tunnels)));
}

GreReceiver::GreReceiver(UniqueFd socket, std::shared_ptr<GreTunnels> tunnels)
    : Port(kName), socket_(std::move(socket)), tunnels_(std::move(tunnels)) {}

size_t GreReceiver::rx_batch(PacketPool& pool, PacketBatch& batch) {
  const size_t room = std::min(kMaxBurst - batch.size(), pool.available());
  if (room == 0) return 0;
  Packet packets[kMaxBurst];
  mmsghdr msgs[kMaxBurst];
  iovec iovs[kMaxBurst];
  for (size_t i = 0; i < room; ++i) {
    packets[i] = pool.allocate();
    const std::span<uint8_t> space = packets[i].tail_buffer();
    iovs[i] = {space.data(), space.size()};
    msgs[i].msg_hdr = {};
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  const int got =
      ::recvmmsg(socket_.get(), msgs, static_cast<unsigned>(room), MSG_DONTWAIT, nullptr);
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
  packet.tunnel_id = gre.key.value_or(0);
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
