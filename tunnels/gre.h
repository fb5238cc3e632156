// GRE (RFC 2784, with RFC 2890's key and sequence number) carrying Ethernet frames (protocol
// 0x6558, transparent Ethernet bridging): the header a GRE port puts in front of each frame,
// built once from the port's options as a template, and the checks a received GRE header
// passes before its frame is forwarded. The outer IPv4 header is not here: the GRE port hands
// the GRE packet to the host's IP stack, which routes it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "lib/drop_reason.h"
#include "lib/packet.h"

namespace vs::tunnels {

inline constexpr uint8_t kIpProtoGre = 47;
inline constexpr uint16_t kGreProtocolEthernet = 0x6558;
inline constexpr size_t kGreMaxHeaderLen = 16;  // base, checksum, key, sequence: 4 bytes each

// What a GRE port puts in the headers it sends (the Interface's options).
struct GreSendOptions {
  std::optional<uint32_t> key;  // K bit and the key (out_key, or key)
  bool checksum = false;        // C bit: a checksum over the GRE header and the frame (csum)
  bool sequence = false;        // S bit: a sequence number, one more per packet
};

// The header for one port's options, laid out once; push() copies it in front of each frame
// and fills in only what changes per packet (the sequence number, the checksum).
class GreHeaderTemplate {
 public:
  explicit GreHeaderTemplate(const GreSendOptions& options);

  size_t size() const { return size_; }
  // The header as it would be sent with sequence number 0 and no checksum computed yet.
  std::span<const uint8_t> bytes() const { return {bytes_.data(), size_}; }

  // Puts the header in front of the frame in `packet`; `key` overrides the template's key
  // (a flow-chosen key, key=flow), `sequence` is used if the template has the S bit. False,
  // and the packet unchanged, if it lacks the headroom. Allocates nothing.
  bool push(Packet& packet, uint32_t sequence, std::optional<uint32_t> key = std::nullopt) const;

 private:
  std::array<uint8_t, kGreMaxHeaderLen> bytes_{};
  size_t size_ = 4;
  size_t key_at_ = 0;       // 0: no key field
  size_t sequence_at_ = 0;  // 0: no sequence field
  bool checksum_ = false;
};

// What a received GRE header says.
struct GreReceived {
  size_t header_len = 0;  // where the Ethernet frame starts
  std::optional<uint32_t> key;
  std::optional<uint32_t> sequence;
  bool checksum = false;  // it carried a checksum (and the checksum was right)
};

// Checks the GRE header at the start of `gre` (an IPv4 packet's payload, up to its total
// length) and fills `*received`. Returns why the packet must be dropped, if it must: cut short
// (gre_truncated), a bit RFC 2784/2890 does not define or routing present (gre_bad_flags), a
// version other than 0 (gre_bad_version), a protocol other than Ethernet (gre_bad_protocol),
// a checksum that does not add up over the header and payload (gre_bad_checksum). Reads only
// inside `gre`; never allocates.
[[nodiscard]] std::optional<DropReason> parse_gre(std::span<const uint8_t> gre,
                                                  GreReceived* received);

}  // namespace vs::tunnels
