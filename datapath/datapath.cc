// The forwarding loop (datapath.h): epoll over the ports' fds, busy ports read without it, batches
// through the caches and the upcall, per-port send batches flushed at the end of every received
// batch.
#include "datapath/datapath.h"

#include <sys/epoll.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <utility>

namespace vs::datapath {
namespace {

// Batches taken from one ready port per poll() before the next port gets its turn: enough to
// amortise epoll_wait, few enough that one busy port does not starve the others.
constexpr int kBatchesPerPoll = 4;
constexpr int kMaxEvents = 64;
constexpr uint32_t kWakeupTag = 0;  // epoll data for the wake-up fd; port numbers start at 1

}  // namespace

Result<std::unique_ptr<Datapath>> Datapath::create(Upcall& upcall, Options options) {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return make_error(std::string("epoll_create1: ") + std::strerror(errno));
  return std::unique_ptr<Datapath>(new Datapath(upcall, options, std::move(epoll)));
}

Datapath::Datapath(Upcall& upcall, Options options, UniqueFd epoll)
    : upcall_(upcall),
      options_(options),
      epoll_(std::move(epoll)),
      pool_(options.pool_buffers),
      caches_(options.emc_entries, options.max_megaflows),
      upcall_generation_(upcall.generation()),
      slots_(1) {}

Datapath::~Datapath() {
  // Pending packets and ports go before the pool their buffers belong to (member order).
  slots_.clear();
}

Result<uint32_t> Datapath::add_port(std::unique_ptr<Port> port) {
  uint32_t number = 1;
  while (number < slots_.size() && slots_[number].port) ++number;
  if (port->fd() < 0) {
    fdless_.push_back(number);
  } else if (!watch(number, *port, true)) {
    return make_error("port " + port->name() + ": epoll: " + std::strerror(errno));
  }
  if (number == slots_.size()) slots_.emplace_back();
  slots_[number].port = std::move(port);
  slots_[number].port->attached(number);
  return number;
}

void Datapath::remove_port(uint32_t number) {
  Port* gone = port(number);
  if (gone == nullptr) return;
  if (std::exchange(slots_[number].busy, false)) {
    std::erase(busy_, number);
  } else if (gone->fd() >= 0) {
    watch(number, *gone, false);
  }
  std::erase(fdless_, number);
  slots_[number].pending.clear();
  slots_[number].port.reset();
  while (slots_.size() > 1 && !slots_.back().port) slots_.pop_back();
  invalidate_caches();
}

Port* Datapath::port(uint32_t number) const {
  return number > 0 && number < slots_.size() ? slots_[number].port.get() : nullptr;
}

Result<void> Datapath::set_wakeup_fd(int fd) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u32 = kWakeupTag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
    return make_error(std::string("epoll wake-up fd: ") + std::strerror(errno));
  }
  return boost::outcome_v2::success();
}

size_t Datapath::poll(std::chrono::milliseconds timeout) {
  int wait_ms = busy_.empty() ? static_cast<int>(timeout.count()) : 0;
  if (!fdless_.empty()) wait_ms = std::min(wait_ms, 1);
  epoll_event events[kMaxEvents];
  int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, wait_ms);
  now_ = Clock::now();
  const uint64_t before = stats_.rx_packets;
  for (int i = 0; i < n; ++i) {
    uint32_t number = events[i].data.u32;
    if (number != kWakeupTag && receive_some(number) > 0) mark_active(number);
  }
  // Ports that became busy just above are read once more: they had frames a moment ago.
  for (size_t i = 0; i < busy_.size();) {
    const uint32_t number = busy_[i];
    Slot& slot = slots_[number];
    if (receive_some(number) > 0) {
      slot.last_active = now_;
    } else if (now_ - slot.last_active > kBusyPoll && watch(number, *slot.port, true)) {
      slot.busy = false;  // idle: back to epoll
      busy_[i] = busy_.back();
      busy_.pop_back();
      continue;
    }
    ++i;
  }
  for (size_t i = 0; i < fdless_.size(); ++i) receive_some(fdless_[i]);
  return stats_.rx_packets - before;
}

size_t Datapath::receive_some(uint32_t number) {
  const uint64_t before = stats_.rx_packets;
  for (int b = 0; b < kBatchesPerPoll && receive(number); ++b) {
  }
  return stats_.rx_packets - before;
}

bool Datapath::watch(uint32_t number, const Port& port, bool on) {
  if (!on) return ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, port.fd(), nullptr) == 0;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u32 = number;
  return ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, port.fd(), &event) == 0;
}

void Datapath::mark_active(uint32_t number) {
  Slot& slot = slots_[number];
  slot.last_active = now_;
  if (slot.busy || slot.port->fd() < 0) return;
  if (watch(number, *slot.port, false)) {  // else it just stays in epoll
    slot.busy = true;
    busy_.push_back(number);
  }
}

bool Datapath::receive(uint32_t number) {
  Port* in = port(number);
  if (in == nullptr) return false;  // removed by an earlier batch's closure: stale event
  PacketBatch batch;
  size_t got = in->rx_batch(pool_, batch);
  if (got == 0) return false;
  process(number, batch);
  return got == kMaxBurst;
}

void Datapath::process(uint32_t in_port, PacketBatch& batch) {
  FlowKey* keys = keys_;
  Packet* packets[kMaxBurst];
  size_t n = 0;
  for (Packet& packet : batch) {
    if (!packet) continue;
    ++stats_.rx_packets;
    if (packet.in_port == 0) packet.in_port = in_port;
    if (auto reason = parse_flow(packet.frame(), packet.in_port, &keys[n])) {
      count_drop(*reason);
      packet.reset();
      continue;
    }
    keys[n].tunnel_id = packet.tunnel.id;
    keys[n].tun_src = packet.tunnel.src;
    keys[n].tun_dst = packet.tunnel.dst;
    packets[n++] = &packet;
  }

  // Actions are resolved to references into action_store_ at once: a megaflow dropped later in
  // this batch frees its Entry, never the action list.
  const MegaflowCache::Entry* hits[kMaxBurst];
  const DpActions* actions[kMaxBurst];
  const uint32_t misses = caches_.lookup_batch(keys, n, hits);
  for (uint32_t left = batch_mask(n) & ~misses; left != 0; left &= left - 1) {
    int i = std::countr_zero(left);
    actions[i] = &action_store_[hits[i]->actions];
    hits[i]->count(packets[i]->size());  // before any upcall below may drop the entry
  }
  for (uint32_t left = misses; left != 0; left &= left - 1) {
    int i = std::countr_zero(left);
    ++stats_.upcalls;
    FlowMask wildcards{};
    wildcards.in_port = ~uint32_t{0};
    DpActions& answer = action_store_.emplace_back();
    upcall_.translate(keys[i], wildcards, answer);
    actions[i] = &answer;
    // An answer that changed the upcall's state (a MAC learned) may make other cached flows
    // wrong; this one is right for the new state, so it is cached after the others go.
    if (upcall_.generation() != upcall_generation_) drop_cached_flows();
    if (const auto* entry = caches_.install(keys[i], wildcards, action_store_.size() - 1)) {
      entry->count(packets[i]->size());
    } else {
      upcall_.flow_used(keys[i], 1, packets[i]->size(), false);  // cache full: count it now
    }
  }

  for (size_t i = 0; i < n; ++i) {
    if (actions[i]->empty()) {
      ++stats_.flow_drops;
      packets[i]->reset();
    } else {
      execute(std::move(*packets[i]), *actions[i]);
    }
  }
  batch.clear();
  flush_all();
  // drop_cached_flows() keeps the action lists (packets of this batch may point at them), so
  // lists of dropped flows pile up until this bound clears them all.
  if (action_store_.size() > 2 * options_.max_megaflows) invalidate_caches();
}

void Datapath::execute(Packet&& packet, const DpActions& actions) {
  for (size_t a = 0; a < actions.size(); ++a) {
    const DpAction& action = actions[a];
    switch (action.kind) {
      case DpAction::Kind::kOutput: {
        Packet out = a + 1 == actions.size() ? std::move(packet) : copy_of(packet);
        if (out) enqueue(action.port, std::move(out));
        break;
      }
      case DpAction::Kind::kPushVlan:
        if (!vlan::push_tag(packet, action.vlan)) return count_drop(DropReason::kNoHeadroom);
        break;
      case DpAction::Kind::kPopVlan:
        vlan::pop_tag(packet);
        break;
      case DpAction::Kind::kDrop:
        return count_drop(action.reason);
      case DpAction::Kind::kUserspace:
        upcall_.packet_up(packet, action.userdata);
        break;
      case DpAction::Kind::kSetField:
        apply_set_field(packet, action.set);  // a packet without the header goes on unchanged
        break;
    }
  }
}

bool Datapath::inject(std::span<const uint8_t> frame, uint32_t in_port, const DpActions& actions) {
  Packet packet = pool_.allocate();
  if (!packet) {
    ++stats_.no_buffer;
    return false;
  }
  if (frame.size() > packet.tail_buffer().size()) return false;
  std::memcpy(packet.data(), frame.data(), frame.size());
  packet.set_size(frame.size());
  packet.in_port = in_port;
  execute(std::move(packet), actions);
  flush_all();
  return true;
}

void Datapath::enqueue(uint32_t number, Packet&& packet) {
  if (port(number) == nullptr) return;  // the port went away since the flow was translated
  PacketBatch& pending = slots_[number].pending;
  if (pending.empty()) dirty_.push_back(number);
  pending.push_back(std::move(packet));
  if (pending.full()) flush(number);
}

void Datapath::flush(uint32_t number) {
  PacketBatch& pending = slots_[number].pending;
  if (pending.empty()) return;
  slots_[number].port->tx_batch(std::move(pending));
  mark_active(number);
}

void Datapath::flush_all() {
  for (uint32_t number : dirty_) flush(number);
  dirty_.clear();
}

Packet Datapath::copy_of(const Packet& packet) {
  Packet copy = pool_.allocate();
  if (!copy) {
    flush_all();  // a flood to many ports can hold every buffer in send batches
    copy = pool_.allocate();
    if (!copy) {
      ++stats_.no_buffer;
      return copy;
    }
  }
  std::memcpy(copy.data(), packet.data(), packet.size());
  copy.set_size(packet.size());
  copy.in_port = packet.in_port;
  copy.tunnel = packet.tunnel;
  return copy;
}

void Datapath::run_periodic() {
  report_flow_use(true);
  upcall_.run_periodic();
  if (upcall_.generation() != upcall_generation_) invalidate_caches();
}

void Datapath::invalidate_caches() {
  drop_cached_flows();
  action_store_.clear();
}

void Datapath::report_flow_use(bool refresh) {
  caches_.megaflows().sweep_used(
      [&](const MegaflowCache::Entry& entry, uint64_t packets, uint64_t bytes) {
        upcall_.flow_used(entry.match, packets, bytes, refresh);
      });
}

void Datapath::drop_cached_flows() {
  report_flow_use();  // what the dropped flows forwarded still counts
  caches_.invalidate_all();
  upcall_generation_ = upcall_.generation();
  ++stats_.invalidations;
}

DatapathStats Datapath::stats() const {
  DatapathStats stats = stats_;
  stats.emc_hits = caches_.stats().emc_hits;
  stats.megaflow_hits = caches_.stats().megaflow_hits;
  stats.megaflows = caches_.megaflows().size();
  stats.busy_ports = busy_.size();
  for (const Slot& slot : slots_) {
    if (slot.port) slot.port->add_drops(stats.drops);
  }
  return stats;
}

std::vector<DatapathPortInfo> Datapath::ports() const {
  std::vector<DatapathPortInfo> out;
  for (uint32_t number = 1; number < slots_.size(); ++number) {
    if (const Port* p = slots_[number].port.get()) {
      out.push_back({number, p->name(), p->stats(), p->mtu()});
    }
  }
  return out;
}

}  // namespace vs::datapath
