// An in-process port for tests (the role of OVS's dummy netdev): frames injected by the test are
// what rx_batch() returns, and every frame passed to tx_batch() is recorded byte for byte.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "datapath/port.h"

namespace vs::datapath {

class MemoryPort : public Port {
 public:
  explicit MemoryPort(std::string name) : Port(std::move(name)) {}

  // Queues a frame for rx_batch(). Frames larger than kMaxFrameSize are dropped at receive time
  // and counted in rx_dropped.
  void inject(std::vector<uint8_t> frame) { rx_queue_.push_back(std::move(frame)); }
  size_t pending_rx() const { return rx_queue_.size(); }

  // Every frame sent so far, oldest first; take_sent() also clears the record.
  const std::vector<std::vector<uint8_t>>& sent() const { return sent_; }
  std::vector<std::vector<uint8_t>> take_sent() { return std::exchange(sent_, {}); }

  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override;
  void tx_batch(PacketBatch&& batch) override;
  PortStats stats() const override { return stats_; }
  int fd() const override { return -1; }

 private:
  std::deque<std::vector<uint8_t>> rx_queue_;
  std::vector<std::vector<uint8_t>> sent_;
  PortStats stats_;
};

}  // namespace vs::datapath
