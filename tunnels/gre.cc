// GRE headers (gre.h): the template a port sends with, and the receive-side checks.
#include "tunnels/gre.h"

#include <cstring>

#include "lib/byte_order.h"
#include "lib/checksum.h"

namespace vs::tunnels {
namespace {

// The first 16 bits (RFC 2784 2.1, RFC 2890 2): C, R, K, S, s, Recur (3), Flags (5), Ver (3).
constexpr uint16_t kFlagChecksum = 0x8000;
constexpr uint16_t kFlagKey = 0x2000;
constexpr uint16_t kFlagSequence = 0x1000;
constexpr uint16_t kVersionMask = 0x0007;
// Routing (R), strict source route (s), recursion control and the other flags: RFC 1701's,
// which RFC 2784 says a receiver must discard unless it implements them.
constexpr uint16_t kUndefinedFlags = 0x4000 | 0x0800 | 0x0700 | 0x00f8;

}  // namespace

GreHeaderTemplate::GreHeaderTemplate(const GreSendOptions& options) {
  uint16_t flags = 0;
  size_ = 4;
  if (options.checksum) {
    flags |= kFlagChecksum;
    checksum_ = true;
    size_ += 4;  // checksum and Reserved1, both zero in the template
  }
  if (options.key) {
    flags |= kFlagKey;
    key_at_ = size_;
    store_be32(&bytes_[key_at_], *options.key);
    size_ += 4;
  }
  if (options.sequence) {
    flags |= kFlagSequence;
    sequence_at_ = size_;
    size_ += 4;
  }
  store_be16(&bytes_[0], flags);
  store_be16(&bytes_[2], kGreProtocolEthernet);
}

bool GreHeaderTemplate::push(Packet& packet, uint32_t sequence, std::optional<uint32_t> key) const {
  uint8_t* header = packet.push_front(size_);
  if (header == nullptr) return false;
  std::memcpy(header, bytes_.data(), size_);
  if (key && key_at_ != 0) store_be32(header + key_at_, *key);
  if (sequence_at_ != 0) store_be32(header + sequence_at_, sequence);
  if (checksum_) store_be16(header + 4, checksum_finish(checksum_add(packet.frame())));
  return true;
}

std::optional<DropReason> parse_gre(std::span<const uint8_t> gre, GreReceived* received) {
  *received = {};
  if (gre.size() < 4) return DropReason::kGreTruncated;
  const uint16_t flags = load_be16(gre.data());
  if ((flags & kVersionMask) != 0) return DropReason::kGreBadVersion;
  if (flags & kUndefinedFlags) return DropReason::kGreBadFlags;
  if (load_be16(gre.data() + 2) != kGreProtocolEthernet) return DropReason::kGreBadProtocol;
  size_t at = 4;
  const bool checksum = flags & kFlagChecksum;
  if (checksum) at += 4;
  const size_t key_at = at;
  if (flags & kFlagKey) at += 4;
  const size_t sequence_at = at;
  if (flags & kFlagSequence) at += 4;
  if (gre.size() < at) return DropReason::kGreTruncated;
  // Summed over the field as received, a right checksum gives all ones.
  if (checksum && checksum_finish(checksum_add(gre)) != 0) return DropReason::kGreBadChecksum;
  received->header_len = at;
  received->checksum = checksum;
  if (flags & kFlagKey) received->key = load_be32(gre.data() + key_at);
  if (flags & kFlagSequence) received->sequence = load_be32(gre.data() + sequence_at);
  return std::nullopt;
}

}  // namespace vs::tunnels
