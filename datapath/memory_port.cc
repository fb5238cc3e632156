// MemoryPort: copies between std::vector frames and pool packets.
#include "datapath/memory_port.h"

#include <cstring>
#include <utility>

namespace vs::datapath {

size_t MemoryPort::rx_batch(PacketPool& pool, PacketBatch& batch) {
  size_t received = 0;
  while (!batch.full() && !rx_queue_.empty()) {
    const std::vector<uint8_t>& frame = rx_queue_.front();
    Packet p = frame.size() <= kMaxFrameSize ? pool.allocate() : Packet{};
    if (p.empty()) {
      if (frame.size() <= kMaxFrameSize) break;  // pool exhausted: leave the frame queued
      ++stats_.rx_dropped;
      rx_queue_.pop_front();
      continue;
    }
    if (!frame.empty()) std::memcpy(p.data(), frame.data(), frame.size());
    p.set_size(frame.size());
    ++stats_.rx_packets;
    stats_.rx_bytes += frame.size();
    rx_queue_.pop_front();
    batch.push_back(std::move(p));
    ++received;
  }
  return received;
}

void MemoryPort::tx_batch(PacketBatch&& batch) {
  PacketBatch consumed = std::move(batch);  // buffers go back to their pools when this ends
  for (const Packet& p : consumed) {
    if (p.empty()) continue;
    auto frame = p.frame();
    sent_.emplace_back(frame.begin(), frame.end());
    ++stats_.tx_packets;
    stats_.tx_bytes += frame.size();
  }
}

}  // namespace vs::datapath
