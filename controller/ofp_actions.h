// OpenFlow 1.3 actions, instructions and group buckets (specification 7.2.4-7.2.5, 7.3.4.2) as
// typed values, decoded with the specification's checks and encoded back: what a flow-mod, flow
// stats, packet-out and group-mod carry. The pipeline (pipeline.h) stores them; translation
// (xlate.h) runs them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "controller/ofp_wire.h"
#include "controller/oxm.h"

namespace vs::controller::ofp {

// OpenFlow 1.3 reserved port numbers (OFPP_*).
inline constexpr uint32_t kPortMax = 0xffffff00;  // highest number of a physical port
inline constexpr uint32_t kPortInPort = 0xfffffff8;
inline constexpr uint32_t kPortTable = 0xfffffff9;
inline constexpr uint32_t kPortNormal = 0xfffffffa;
inline constexpr uint32_t kPortFlood = 0xfffffffb;
inline constexpr uint32_t kPortAll = 0xfffffffc;
inline constexpr uint32_t kPortController = 0xfffffffd;
inline constexpr uint32_t kPortLocal = 0xfffffffe;

inline constexpr uint16_t kControllerMaxLenNoBuffer = 0xffff;  // OFPCML_NO_BUFFER

struct Action {
  enum class Kind : uint8_t {
    kOutput,    // port, max_len
    kGroup,     // group_id
    kPushVlan,  // ethertype (0x8100 or 0x88a8)
    kPopVlan,
    kSetField,  // field: one exact OXM (vlan_vid holds the 12-bit VID)
    kDecNwTtl,
    kSetNwTtl,  // ttl
  };
  Kind kind;
  uint32_t port = 0;
  uint16_t max_len = 0;
  uint32_t group_id = 0;
  uint16_t ethertype = 0;
  uint8_t ttl = 0;
  Oxm field{};

  static Action output(uint32_t port, uint16_t max_len = 0) {
    return {Kind::kOutput, port, max_len};
  }
  friend bool operator==(const Action&, const Action&) = default;
};
using ActionList = std::vector<Action>;

// A flow's instructions; each kind at most once, run in the specification's order: apply,
// clear, write, write-metadata, goto.
struct Instructions {
  std::optional<ActionList> apply_actions;
  bool clear_actions = false;
  std::optional<ActionList> write_actions;
  struct Metadata {
    uint64_t value;
    uint64_t mask;
    friend bool operator==(const Metadata&, const Metadata&) = default;
  };
  std::optional<Metadata> write_metadata;
  std::optional<uint8_t> goto_table;

  friend bool operator==(const Instructions&, const Instructions&) = default;
};

// Decodes an action list that fills `bytes` exactly. Errors (OFPET_BAD_ACTION): BAD_LEN,
// BAD_TYPE for actions this switch does not have (MPLS, PBB, set_queue, TTL copies),
// BAD_EXPERIMENTER, BAD_OUT_PORT, BAD_ARGUMENT (a push_vlan TPID other than 802.1Q/802.1ad),
// BAD_SET_TYPE / BAD_SET_LEN / BAD_SET_ARGUMENT for set_field.
OfpResult<ActionList> decode_actions(std::span<const uint8_t> bytes);
void encode_actions(const ActionList& actions, std::vector<uint8_t>& out);

// One bucket of a group (ofp_bucket): its actions and what the group type makes of it.
struct Bucket {
  uint16_t weight = 0;               // select groups: the share of traffic
  uint32_t watch_port = kPortAny;    // fast failover: the port whose liveness counts
  uint32_t watch_group = kGroupAny;  // fast failover: or the group's
  ActionList actions;
  friend bool operator==(const Bucket&, const Bucket&) = default;
};
using BucketList = std::vector<Bucket>;

// Decodes the buckets that fill `bytes` exactly (a group-mod's or a group description's).
// Errors: OFPGMFC_BAD_BUCKET for a length under the header's, unaligned or past the end,
// OFPGMFC_BAD_WATCH for a watched port or group that cannot exist, and the action errors.
OfpResult<BucketList> decode_buckets(std::span<const uint8_t> bytes);
void encode_buckets(const BucketList& buckets, std::vector<uint8_t>& out);

// Decodes an instruction list that fills `bytes` exactly. Errors (OFPET_BAD_INSTRUCTION):
// UNKNOWN_INST, UNSUP_INST (meter, or a kind given twice), BAD_LEN, BAD_EXPERIMENTER, and the
// action errors of the lists inside.
OfpResult<Instructions> decode_instructions(std::span<const uint8_t> bytes);
void encode_instructions(const Instructions& instructions, std::vector<uint8_t>& out);

}  // namespace vs::controller::ofp
