// RAII for memory a port shares with the kernel through mmap(): an AF_PACKET ring
// (afpacket_port.h) or an AF_XDP UMEM (afxdp_port.h).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace vs::datapath {

// Owns one mapping and unmaps it on destruction; move-only. Empty after a failed map().
class Mapping {
 public:
  Mapping() = default;
  // Maps `bytes` of `fd` (shared), or anonymous private memory when fd is -1. Check with bool;
  // errno tells why it failed.
  static Mapping map(size_t bytes, int fd) {
    const int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED;
    void* base = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags, fd, 0);
    return base == MAP_FAILED ? Mapping() : Mapping(static_cast<uint8_t*>(base), bytes);
  }
  Mapping(Mapping&& other) noexcept
      : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Mapping& operator=(Mapping&& other) noexcept {
    if (this != &other) {
      reset();
      base_ = std::exchange(other.base_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { reset(); }

  uint8_t* data() const { return base_; }
  size_t size() const { return size_; }
  explicit operator bool() const { return base_ != nullptr; }

 private:
  Mapping(uint8_t* base, size_t size) : base_(base), size_(size) {}
  void reset() {
    if (base_ != nullptr) ::munmap(base_, size_);
    base_ = nullptr;
    size_ = 0;
  }

  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace vs::datapath
