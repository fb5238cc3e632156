// AfXdpPort: UMEM and socket set-up, the redirect program written as raw BPF instructions (so
// nothing needs clang or BPF object files), and the copy-in/copy-out ring handling.
#include "datapath/afxdp_port.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include "datapath/afpacket_port.h"
#include "datapath/bpf_insn.h"
#include "datapath/netdev_info.h"

namespace vs::datapath {
namespace {

// Ring sizes (descriptors) and the UMEM behind them: the fill ring owns kRingSize receive frames
// and the transmit side as many again, so neither direction can starve the other. 2 KiB frames
// give 8 MiB of UMEM per port.
constexpr uint32_t kRingSize = 2048;
constexpr uint32_t kFrames = 2 * kRingSize;
// sendto() calls per tx_batch(): the kernel transmits at most 32 frames per call in copy mode.
constexpr int kMaxKicks = 4;
// Binding attempts 10 ms apart while a closed socket still holds the queue (see setup()).
constexpr int kBindAttempts = 20;
// Largest frame on the wire for an MTU: Ethernet header and two VLAN tags.
constexpr uint32_t kFrameOverhead = ETH_HLEN + 2 * 4;

Error xdp_error(const std::string& device, const std::string& what, int err) {
  return make_error("AF_XDP on " + device + ": " + what + ": " + std::strerror(err));
}

// Receive queues the device really uses: ethtool's channels, or for devices without them (tun)
// the rx-N entries in sysfs.
Result<uint32_t> rx_queue_count(const std::string& device) {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ethtool_channels channels{};
  channels.cmd = ETHTOOL_GCHANNELS;
  ifreq req{};
  std::memcpy(req.ifr_name, device.c_str(), std::min(device.size(), sizeof req.ifr_name - 1));
  req.ifr_data = reinterpret_cast<char*>(&channels);
  if (sock && ::ioctl(sock.get(), SIOCETHTOOL, &req) == 0) {
    return std::max(channels.rx_count + channels.combined_count, 1u);
  }
  uint32_t queues = 0;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/sys/class/net/" + device + "/queues", ec)) {
    queues += entry.path().filename().string().starts_with("rx-");
  }
  if (queues == 0) {
    return make_error("AF_XDP on " + device + ": cannot tell how many receive queues it has");
  }
  return queues;
}

// The XDP program: return bpf_redirect_map(&xskmap, ctx->rx_queue_index, XDP_PASS). A frame on a
// queue without a socket goes on to the kernel's stack (the low bits of the flags are the action
// when the lookup fails).
Result<UniqueFd> load_redirect_program(int xskmap, const std::string& device) {
  const bpf_insn program[] = {
      bpf::load32(BPF_REG_2, BPF_REG_1, offsetof(xdp_md, rx_queue_index)),
      bpf::load_map_fd(BPF_REG_1, xskmap),
      bpf::load_map_fd_high(),
      bpf::mov64_imm(BPF_REG_3, XDP_PASS),
      bpf::call(BPF_FUNC_redirect_map),
      bpf::exit(),
  };
  int fd = ::bpf_prog_load(BPF_PROG_TYPE_XDP, "vs_xsk_redirect", "GPL", program,
                           sizeof program / sizeof program[0], nullptr);
  if (fd < 0) return xdp_error(device, "loading the XDP program", -fd);
  return UniqueFd(fd);
}

}  // namespace

void AfXdpPort::XskDeleter::operator()(xsk_umem* umem) const { ::xsk_umem__delete(umem); }
void AfXdpPort::XskDeleter::operator()(xsk_socket* xsk) const { ::xsk_socket__delete(xsk); }

Result<std::unique_ptr<AfXdpPort>> AfXdpPort::open(const std::string& device, Mode mode) {
  auto info = read_netdev_info(device);
  if (!info) return make_error("AF_XDP on " + device + ": " + info.error().message);
  VS_ASSIGN(uint32_t queues, rx_queue_count(device));
  if (queues != 1) {
    return make_error("AF_XDP on " + device + ": it has " + std::to_string(queues) +
                      " receive queues; one socket serves only one");
  }
  // The kernel puts a received frame XDP_PACKET_HEADROOM bytes into its UMEM frame.
  const uint32_t largest = static_cast<uint32_t>(info.value().mtu) + kFrameOverhead;
  uint32_t frame_size = 2048;
  while (largest > frame_size - XDP_PACKET_HEADROOM && frame_size < 4096) frame_size *= 2;
  if (largest > frame_size - XDP_PACKET_HEADROOM) {
    return make_error("AF_XDP on " + device + ": MTU " + std::to_string(info.value().mtu) +
                      " does not fit a UMEM frame");
  }
  std::unique_ptr<AfXdpPort> port(new AfXdpPort(device, frame_size));
  VS_TRY(port->setup(info.value().ifindex, mode));
  return port;
}

AfXdpPort::AfXdpPort(std::string name, uint32_t frame_size)
    : Port(std::move(name)), frame_size_(frame_size) {}

AfXdpPort::~AfXdpPort() = default;

Result<void> AfXdpPort::setup(int ifindex, Mode mode) {
  const std::string& device = name();
  promiscuous_ = UniqueFd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!promiscuous_) return xdp_error(device, "opening an AF_PACKET socket", errno);
  if (int err = hold_promiscuous(promiscuous_.get(), ifindex)) {
    return xdp_error(device, "setting promiscuous mode", err);
  }

  umem_area_ = Mapping::map(size_t{kFrames} * frame_size_, -1);
  if (!umem_area_) return xdp_error(device, "mapping the UMEM", errno);
  xsk_umem_config umem_config{};
  umem_config.fill_size = kRingSize;
  umem_config.comp_size = kRingSize;
  umem_config.frame_size = frame_size_;
  // Copy mode works with every driver and with generic XDP; we copy each frame once anyway.
  xsk_socket_config config{};
  config.rx_size = kRingSize;
  config.tx_size = kRingSize;
  config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
  config.bind_flags = XDP_COPY;
  // A socket closed on this queue a moment ago releases it from a kernel work item: binding
  // fails with EBUSY until then, so a port closed and reopened (a reconfiguration) waits a bit.
  for (int attempt = 0;; ++attempt) {
    xsk_umem* umem = nullptr;
    if (int rc = ::xsk_umem__create(&umem, umem_area_.data(), umem_area_.size(), &fill_, &comp_,
                                    &umem_config)) {
      return xdp_error(device, "registering the UMEM", -rc);
    }
    umem_.reset(umem);
    xsk_socket* xsk = nullptr;
    int rc = ::xsk_socket__create(&xsk, device.c_str(), 0, umem_.get(), &rx_, &tx_, &config);
    if (rc == 0) {
      xsk_.reset(xsk);
      break;
    }
    umem_.reset();
    if (rc != -EBUSY || attempt == kBindAttempts) {
      return xdp_error(device,
                       rc == -EBUSY ? "binding to queue 0 (another AF_XDP socket holds it)"
                                    : "creating the socket",
                       -rc);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // In copy mode every frame in flight holds an skb charged to the send buffer: make room for all
  // of them so that sendto() does not stop early. Best effort (SO_SNDBUFFORCE needs
  // CAP_NET_ADMIN; SO_SNDBUF is capped by net.core.wmem_max).
  int sndbuf = static_cast<int>(kRingSize * 4096);
  if (::setsockopt(fd(), SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0) {
    (void)::setsockopt(fd(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  }

  // The first kRingSize frames receive, the rest transmit.
  uint32_t index = 0;
  if (::xsk_ring_prod__reserve(&fill_, kRingSize, &index) != kRingSize) {
    return xdp_error(device, "filling the fill ring", ENOSPC);
  }
  for (uint32_t i = 0; i < kRingSize; ++i) {
    *::xsk_ring_prod__fill_addr(&fill_, index + i) = uint64_t{i} * frame_size_;
  }
  ::xsk_ring_prod__submit(&fill_, kRingSize);
  free_tx_.reserve(kFrames - kRingSize);
  for (uint32_t i = kRingSize; i < kFrames; ++i) free_tx_.push_back(uint64_t{i} * frame_size_);

  int map =
      ::bpf_map_create(BPF_MAP_TYPE_XSKMAP, "vs_xsks", sizeof(uint32_t), sizeof(int), 1, nullptr);
  if (map < 0) {
    return xdp_error(device,
                     map == -EPERM ? "creating the XSKMAP (needs CAP_BPF)" : "creating the XSKMAP",
                     -map);
  }
  xskmap_ = UniqueFd(map);
  const uint32_t queue = 0;
  const int socket_fd = fd();
  if (int rc = ::bpf_map_update_elem(xskmap_.get(), &queue, &socket_fd, 0)) {
    return xdp_error(device, "adding the socket to the XSKMAP", -rc);
  }
  VS_ASSIGN(program_, load_redirect_program(xskmap_.get(), device));

  if (mode != Mode::kBestEffort) return attach(ifindex, mode);
  if (attach(ifindex, Mode::kNative)) return boost::outcome_v2::success();
  return attach(ifindex, Mode::kGeneric);
}

// A bpf_link rather than a plain attach: the program is detached when the link's fd closes, even
// if vswitchd is killed, and the kernel refuses it (EBUSY) if another program is attached.
Result<void> AfXdpPort::attach(int ifindex, Mode mode) {
  bpf_link_create_opts opts{};
  opts.sz = sizeof opts;
  opts.flags = mode == Mode::kNative ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
  int link = ::bpf_link_create(program_.get(), ifindex, BPF_XDP, &opts);
  if (link < 0) {
    const char* where = mode == Mode::kNative ? "native" : "generic";
    return xdp_error(name(),
                     std::string("attaching the ") + where + " XDP program" +
                         (link == -EBUSY ? " (another XDP program is attached)" : ""),
                     -link);
  }
  link_ = UniqueFd(link);
  mode_ = mode;
  return boost::outcome_v2::success();
}

int AfXdpPort::fd() const { return ::xsk_socket__fd(xsk_.get()); }

size_t AfXdpPort::rx_batch(PacketPool& pool, PacketBatch& batch) {
  if (tx_stalled_) kick_tx();
  const uint32_t want = static_cast<uint32_t>(std::min(kMaxBurst - batch.size(), pool.available()));
  uint32_t rx_index = 0;
  const uint32_t got = want == 0 ? 0 : ::xsk_ring_cons__peek(&rx_, want, &rx_index);
  if (got == 0) return 0;
  // Every received frame came from the fill ring, so it has room to take them all back.
  uint32_t fill_index = 0;
  (void)::xsk_ring_prod__reserve(&fill_, got, &fill_index);
  const uint64_t frame_mask = ~uint64_t{frame_size_ - 1};
  for (uint32_t i = 0; i < got; ++i) {
    const xdp_desc* desc = ::xsk_ring_cons__rx_desc(&rx_, rx_index + i);
    Packet p = pool.allocate();  // cannot fail: want <= available()
    std::memcpy(p.data(), umem_area_.data() + desc->addr, desc->len);
    p.set_size(desc->len);
    *::xsk_ring_prod__fill_addr(&fill_, fill_index + i) = desc->addr & frame_mask;
    stats_.rx_bytes += desc->len;
    batch.push_back(std::move(p));
  }
  ::xsk_ring_cons__release(&rx_, got);
  ::xsk_ring_prod__submit(&fill_, got);
  stats_.rx_packets += got;
  return got;
}

void AfXdpPort::tx_batch(PacketBatch&& batch) {
  PacketBatch consumed = std::move(batch);  // every buffer goes back when this ends
  reclaim_completions();
  uint32_t fit = 0;
  for (const Packet& p : consumed) {
    if (p.empty()) continue;
    if (p.size() > frame_size_) {
      ++stats_.tx_errors;  // larger than a UMEM frame, so than the MTU at open
    } else {
      ++fit;
    }
  }
  uint32_t n =
      std::min({fit, static_cast<uint32_t>(free_tx_.size()), ::xsk_prod_nb_free(&tx_, fit)});
  uint32_t index = 0;
  if (n > 0 && ::xsk_ring_prod__reserve(&tx_, n, &index) != n) n = 0;
  stats_.tx_dropped += fit - n;
  uint32_t placed = 0;
  for (const Packet& p : consumed) {
    if (placed == n) break;
    if (p.empty() || p.size() > frame_size_) continue;
    const uint64_t addr = free_tx_.back();
    free_tx_.pop_back();
    std::memcpy(umem_area_.data() + addr, p.data(), p.size());
    xdp_desc* desc = ::xsk_ring_prod__tx_desc(&tx_, index + placed++);
    desc->addr = addr;
    desc->len = static_cast<uint32_t>(p.size());
    desc->options = 0;
    stats_.tx_bytes += p.size();
  }
  if (n == 0) return;
  ::xsk_ring_prod__submit(&tx_, n);
  stats_.tx_packets += n;
  kick_tx();
}

// Copy mode transmits inside sendto(), at most 32 frames per call. EAGAIN means frames are left:
// the budget ran out, or the device or the send buffer is full; EBUSY means the device dropped
// one frame (e.g. no carrier) and the kernel stopped there.
void AfXdpPort::kick_tx() {
  for (int i = 0; i < kMaxKicks; ++i) {
    if (::sendto(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0) >= 0) {
      tx_stalled_ = false;
      return;
    }
    if (errno == EBUSY) {
      ++tx_refused_;
    } else if (errno != EAGAIN) {
      break;  // ENETDOWN, ENXIO: the frames wait in the ring until the device is back
    }
  }
  tx_stalled_ = true;
}

void AfXdpPort::reclaim_completions() {
  uint32_t index = 0;
  const uint32_t done = ::xsk_ring_cons__peek(&comp_, kRingSize, &index);
  if (done == 0) return;
  for (uint32_t i = 0; i < done; ++i) {
    free_tx_.push_back(*::xsk_ring_cons__comp_addr(&comp_, index + i));  // within reserve()
  }
  ::xsk_ring_cons__release(&comp_, done);
}

PortStats AfXdpPort::stats() const {
  PortStats s = stats_;
  xdp_statistics kernel{};
  socklen_t len = sizeof kernel;
  if (::getsockopt(fd(), SOL_XDP, XDP_STATISTICS, &kernel, &len) == 0) {
    // Frames the kernel could not place: no free frame, a full receive ring, or larger than a
    // frame (the MTU grew after open). Cumulative, unlike PACKET_STATISTICS.
    s.rx_dropped += kernel.rx_dropped + kernel.rx_ring_full;
  }
  s.tx_packets -= tx_refused_;
  s.tx_errors += tx_refused_;
  return s;
}

}  // namespace vs::datapath
