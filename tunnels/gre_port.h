// GRE ports (Interface type gre) over the host's IPv4 stack.
//
// One raw IPPROTO_GRE socket per vswitchd (GreTunnels) sends and receives for every GRE port:
// the kernel hands a copy of every incoming GRE packet to every raw GRE socket of the namespace,
// so a socket per port would cost a copy per port of each packet.
//
// Sending. Each GRE port puts its header (gre.h, laid out once) in front of a frame and hands the
// GRE packet to the socket: the host routes it, picks the source address unless
// options:local_ip is set (given per packet, IP_PKTINFO), and writes the outer IPv4 header with
// the port's ttl and tos (per packet too, as the socket is shared; `inherit` copies the inner
// IPv4/IPv6 header's). The outer packet is sent without DF, so the host fragments one larger
// than the path MTU and the far host reassembles it before its GRE socket sees it: inner frames
// up to the switch's 9,216 bytes cross a 1,500-byte underlay, at the cost of fragmenting.
// Interface.mtu reports the inner MTU that avoids it (mtu()).
//
// Receiving. GreReceiver reads the socket for all GRE ports: a datapath port in no bridge named
// gre_sys, as in Open vSwitch. It checks the GRE header (drops counted by reason), finds the
// port whose remote_ip, local_ip and in_key match (GreTunnels), strips the outer headers and
// passes the frame on as received on that port, with the key and outer addresses as tunnel
// metadata (tunnel_id, tun_src, tun_dst). A packet no port matches is dropped and counted
// (gre_no_port).
//
// Threads: GreTunnels' table belongs to the forwarding thread (ports join it in attached() and
// leave it in their destructor, which the datapath runs there); its claim set, which keeps two
// ports from having the same receive match, is locked, since ports are opened on the control
// thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "datapath/port.h"
#include "datapath/port_factory.h"
#include "lib/result.h"
#include "lib/unique_fd.h"
#include "tunnels/gre.h"
#include "tunnels/gre_config.h"

namespace vs::tunnels {

class GrePort;

// The socket and the GRE ports a received packet may belong to; shared by the receiver and the
// ports.
class GreTunnels {
 public:
  // Errors: the raw socket (CAP_NET_RAW is needed).
  static Result<std::shared_ptr<GreTunnels>> open();

  int fd() const { return socket_.get(); }

  // The attached port for a packet from `remote` to `local` (host byte order) with `key`, or
  // nullptr. The most specific port wins: a fixed remote_ip over remote_ip=flow (which takes
  // packets from anywhere), then a fixed in_key over in_key=flow, then a port with local_ip
  // over one without; in_key 0 matches packets without a key (or with key 0).
  GrePort* find(uint32_t remote, uint32_t local, std::optional<uint32_t> key) const;

 private:
  friend class GrePort;
  using Match = std::tuple<std::optional<uint32_t>, std::optional<uint32_t>, GreKey>;

  explicit GreTunnels(UniqueFd socket) : socket_(std::move(socket)) {}

  // Control thread, at open and close: false (and `*holder` names the port) if another port
  // already receives with this remote_ip, local_ip and in_key.
  bool claim(const Match& match, const std::string& name, std::string* holder);
  void release(const Match& match);
  // Forwarding thread.
  void add(GrePort* port) { attached_.push_back(port); }
  void remove(GrePort* port) { std::erase(attached_, port); }

  UniqueFd socket_;
  std::vector<GrePort*> attached_;
  std::mutex mutex_;
  std::map<Match, std::string> claims_;  // guarded by mutex_: the port that holds each match
};

// One GRE Interface. Its received frames come from GreReceiver; rx_batch() returns nothing.
class GrePort : public datapath::Port {
 public:
  // Errors name the interface: bad options (gre_config.h), a local_ip that is not this host's,
  // the same receive match as another port, the socket. With remote_ip=flow each packet goes to
  // its tun_dst (Packet::tunnel.dst, set by the flow); one without is counted in tx_errors.
  static Result<std::unique_ptr<GrePort>> open(const std::string& name,
                                               const std::map<std::string, std::string>& options,
                                               std::shared_ptr<GreTunnels> tunnels);
  ~GrePort() override;

  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override;
  void tx_batch(PacketBatch&& batch) override;
  datapath::PortStats stats() const override { return stats_; }
  // Never readable (an eventfd nobody writes): frames come in through gre_sys.
  int fd() const override { return idle_.get(); }
  void attached(uint32_t number) override;
  // The route's MTU to remote_ip less the outer IPv4 and GRE headers and the inner Ethernet
  // header: the largest inner payload that crosses unfragmented. 0 without a route; -1 with
  // remote_ip=flow (no single route).
  int mtu() const override;

  const GreConfig& config() const { return config_; }
  uint32_t number() const { return number_; }
  void count_rx(size_t bytes) {
    ++stats_.rx_packets;
    stats_.rx_bytes += bytes;
  }

 private:
  GrePort(const std::string& name, const GreConfig& config, UniqueFd idle,
          std::shared_ptr<GreTunnels> tunnels);

  GreConfig config_;
  GreHeaderTemplate header_;
  UniqueFd idle_;
  std::shared_ptr<GreTunnels> tunnels_;
  uint32_t number_ = 0;  // the datapath's, once attached
  datapath::PortStats stats_;
};

// gre_sys: the socket every GRE packet to this host comes in through (see the top).
class GreReceiver : public datapath::Port {
 public:
  static constexpr const char* kName = "gre_sys";
  explicit GreReceiver(std::shared_ptr<GreTunnels> tunnels);

  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override;
  // Nothing sends through the receiver: frames are dropped and counted.
  void tx_batch(PacketBatch&& batch) override;
  // rx_*: every GRE packet received, outer headers included; rx_dropped: those dropped.
  datapath::PortStats stats() const override { return stats_; }
  int fd() const override { return tunnels_->fd(); }
  void add_drops(std::array<uint64_t, kDropReasonCount>& drops) const override;

 private:
  // Strips the outer headers and finds the packet's port; else why it must be dropped.
  std::optional<DropReason> deliver(Packet& packet);

  std::shared_ptr<GreTunnels> tunnels_;
  datapath::PortStats stats_;
  std::array<uint64_t, kDropReasonCount> drops_{};
};

// Registers Interface type "gre" with `factory`: GrePort::open with the shared `tunnels`.
void register_gre_port(datapath::PortFactory& factory, std::shared_ptr<GreTunnels> tunnels);

}  // namespace vs::tunnels
