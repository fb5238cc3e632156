// Packet buffers for the forwarding path: a per-thread PacketPool of fixed-size buffers carved
// out of one allocation, move-only Packet handles with headroom so a VLAN push or a GRE header
// never moves the frame (OVS dp_packet_new_with_headroom, DPDK mbuf), and PacketBatch, the
// kMaxBurst-sized unit that ports receive and send (datapath/). Header-only; nothing here
// allocates or throws after PacketPool's constructor.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <utility>
#include <vector>

namespace vs {

// Bytes reserved in front of every frame for encapsulation: room for a 4-byte 802.1Q tag, an
// outer Ethernet + IPv4 + GRE header (14 + 20 + 4..16), with plenty to spare.
inline constexpr size_t kPacketHeadroom = 128;
// Largest frame a buffer holds: a 9,216-byte jumbo frame (the common switch MTU ceiling).
inline constexpr size_t kMaxFrameSize = 9216;
// Bytes per pool buffer: 128 + 9216 = 9344 = 146 * 64, so every buffer in a pool starts on a
// cache line.
inline constexpr size_t kPacketBufferSize = kPacketHeadroom + kMaxFrameSize;
// Packets per receive/send batch (OVS NETDEV_MAX_BURST, BESS kMaxBurst).
inline constexpr size_t kMaxBurst = 32;

inline constexpr size_t kPacketBufferAlign = 64;
static_assert(kPacketBufferSize % kPacketBufferAlign == 0);

class PacketPool;

// What a tunnel port received a frame with, or what a flow set for the tunnel port it goes out
// of (FlowKey's tunnel_id, tun_src, tun_dst; IPv4 addresses in host byte order; 0: none).
struct TunnelMetadata {
  uint64_t id = 0;   // the key: sent by a key=flow GRE port
  uint32_t src = 0;  // the outer source
  uint32_t dst = 0;  // the outer destination: where a remote_ip=flow GRE port sends
  bool operator==(const TunnelMetadata&) const = default;
};

// A move-only handle on one pool buffer. A Packet is either empty (default-constructed,
// moved-from, reset(), or a failed PacketPool::allocate()) or owns exactly one buffer, which it
// gives back to the pool it came from when destroyed or reset. Accessors on an empty Packet
// return nullptr / zero / empty spans, and push_front() on it returns nullptr.
//
// Layout of the buffer: [ headroom | frame (data(), size()) | tailroom ]. A fresh packet has
// kPacketHeadroom bytes of headroom, size() == 0, in_port == 0, no tunnel metadata.
class Packet {
 public:
  Packet() = default;
  Packet(Packet&& other) noexcept
      : in_port(other.in_port),
        tunnel(other.tunnel),
        pool_(std::exchange(other.pool_, nullptr)),
        buffer_(std::exchange(other.buffer_, nullptr)),
        offset_(std::exchange(other.offset_, 0)),
        size_(std::exchange(other.size_, 0)) {
    other.in_port = 0;
    other.tunnel = {};
  }
  Packet& operator=(Packet&& other) noexcept {
    if (this != &other) {
      reset();
      in_port = std::exchange(other.in_port, 0);
      tunnel = std::exchange(other.tunnel, {});
      pool_ = std::exchange(other.pool_, nullptr);
      buffer_ = std::exchange(other.buffer_, nullptr);
      offset_ = std::exchange(other.offset_, 0);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  Packet(const Packet&) = delete;
  Packet& operator=(const Packet&) = delete;
  ~Packet() { reset(); }

  // Gives the buffer back to its pool now; the packet becomes empty.
  void reset();

  bool empty() const { return buffer_ == nullptr; }
  explicit operator bool() const { return !empty(); }

  uint8_t* data() { return empty() ? nullptr : buffer_ + offset_; }
  const uint8_t* data() const { return empty() ? nullptr : buffer_ + offset_; }
  size_t size() const { return size_; }
  std::span<uint8_t> frame() { return {data(), size_}; }
  std::span<const uint8_t> frame() const { return {data(), size_}; }

  size_t headroom() const { return offset_; }
  size_t tailroom() const { return empty() ? 0 : kPacketBufferSize - offset_ - size_; }

  // Every byte from data() to the end of the buffer: the receive path writes the frame here and
  // then calls set_size() with the length it got.
  std::span<uint8_t> tail_buffer() {
    return empty() ? std::span<uint8_t>{} : std::span<uint8_t>{data(), kPacketBufferSize - offset_};
  }
  // Sets the frame length. Returns false and changes nothing if n exceeds tail_buffer().size().
  bool set_size(size_t n) {
    if (n > tail_buffer().size()) return false;
    size_ = n;
    return true;
  }

  // Grows the frame by n bytes at the front, into the headroom, and returns the new data()
  // for the caller to fill. The existing bytes stay where they are. Returns nullptr and changes
  // nothing if n > headroom() (or the packet is empty).
  uint8_t* push_front(size_t n) {
    if (empty() || n > offset_) return nullptr;
    offset_ -= n;
    size_ += n;
    return data();
  }
  // Drops n bytes from the front of the frame (decapsulation, VLAN pop); they become headroom.
  // Returns false and changes nothing if n > size().
  bool pull_front(size_t n) {
    if (n > size_) return false;
    offset_ += n;
    size_ -= n;
    return true;
  }

  // Metadata: the datapath port number the frame arrived on, and its tunnel metadata.
  uint32_t in_port = 0;
  TunnelMetadata tunnel;

 private:
  friend class PacketPool;
  Packet(PacketPool* pool, uint8_t* buffer)
      : pool_(pool), buffer_(buffer), offset_(kPacketHeadroom), size_(0) {}

  PacketPool* pool_ = nullptr;
  uint8_t* buffer_ = nullptr;
  size_t offset_ = 0;  // data() - buffer_
  size_t size_ = 0;
};

// A fixed set of kPacketBufferSize-byte buffers allocated once, in the constructor (which may
// throw std::bad_alloc: construct pools at start-up). allocate() and buffer return are O(1)
// over a LIFO free list of indices, so the most recently freed, cache-warm buffer is reused
// first.
//
// Ownership and threads: one pool per forwarding thread. It is not thread-safe, and a Packet
// returns its buffer to its own pool on destruction, so a Packet must be destroyed (or reset)
// on the pool's thread; handing packets to another thread is not supported yet. Every Packet
// must be destroyed before its pool; debug builds assert this in ~PacketPool. The pool neither
// copies nor moves, since packets point at it.
class PacketPool {
 public:
  explicit PacketPool(uint32_t capacity)
      : storage_(static_cast<uint8_t*>(::operator new[](size_t{capacity} * kPacketBufferSize,
                                                        std::align_val_t{kPacketBufferAlign}))),
        capacity_(capacity) {
    free_.reserve(capacity);
    // Reverse order so that the first allocations hand out buffers 0, 1, 2, ...
    for (uint32_t i = capacity; i > 0; --i) free_.push_back(i - 1);
  }
  ~PacketPool() {
    assert(free_.size() == capacity_ && "every Packet must be destroyed before its PacketPool");
  }
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;

  // A fresh packet (headroom kPacketHeadroom, size 0, in_port 0), or an empty Packet when every
  // buffer is in use; failures are counted in allocation_failures().
  [[nodiscard]] Packet allocate() {
    if (free_.empty()) {
      ++allocation_failures_;
      return Packet{};
    }
    uint32_t index = free_.back();
    free_.pop_back();
    return Packet{this, storage_.get() + size_t{index} * kPacketBufferSize};
  }

  size_t available() const { return free_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t allocation_failures() const { return allocation_failures_; }

 private:
  friend class Packet;
  void release(uint8_t* buffer) {
    size_t offset = static_cast<size_t>(buffer - storage_.get());
    assert(offset % kPacketBufferSize == 0 && offset / kPacketBufferSize < capacity_);
    assert(free_.size() < capacity_);
    free_.push_back(static_cast<uint32_t>(offset / kPacketBufferSize));  // within reserve()
  }

  struct AlignedDelete {
    void operator()(uint8_t* p) const {
      ::operator delete[](p, std::align_val_t{kPacketBufferAlign});
    }
  };
  std::unique_ptr<uint8_t, AlignedDelete> storage_;
  uint32_t capacity_;
  std::vector<uint32_t> free_;  // indices of free buffers; never grows past capacity_
  uint64_t allocation_failures_ = 0;
};

inline void Packet::reset() {
  if (buffer_ != nullptr) pool_->release(buffer_);
  pool_ = nullptr;
  buffer_ = nullptr;
  offset_ = 0;
  size_ = 0;
  in_port = 0;
  tunnel = {};
}

// Up to kMaxBurst packets in a fixed array (no heap). Packets in a batch may come from different
// pools of the same thread. take(i) moves a packet out and leaves slot i empty (size() does not
// change) until clear(); code that iterates after take() must skip empty packets.
class PacketBatch {
 public:
  PacketBatch() = default;
  // A moved-from batch is empty.
  PacketBatch(PacketBatch&& other) noexcept { *this = std::move(other); }
  PacketBatch& operator=(PacketBatch&& other) noexcept {
    if (this != &other) {
      clear();
      for (size_t i = 0; i < other.size_; ++i) packets_[i] = std::move(other.packets_[i]);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  PacketBatch(const PacketBatch&) = delete;
  PacketBatch& operator=(const PacketBatch&) = delete;

  // Appends p. Returns false when the batch is full, in which case p is left untouched with the
  // caller.
  bool push_back(Packet&& p) {
    if (size_ == kMaxBurst) return false;
    packets_[size_++] = std::move(p);
    return true;
  }

  // Moves packet i out of the batch; slot i becomes an empty Packet.
  Packet take(size_t i) {
    assert(i < size_);
    return std::move(packets_[i]);
  }

  // Destroys every packet, returning the buffers to their pools.
  void clear() {
    for (size_t i = 0; i < size_; ++i) packets_[i].reset();
    size_ = 0;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == kMaxBurst; }

  Packet& operator[](size_t i) {
    assert(i < size_);
    return packets_[i];
  }
  const Packet& operator[](size_t i) const {
    assert(i < size_);
    return packets_[i];
  }
  Packet* begin() { return packets_; }
  Packet* end() { return packets_ + size_; }
  const Packet* begin() const { return packets_; }
  const Packet* end() const { return packets_ + size_; }

 private:
  Packet packets_[kMaxBurst];
  size_t size_ = 0;
};

}  // namespace vs
