// OpenFlow 1.3 messages as typed values: decode() checks one framed message and returns it or
// the OpenFlow error to answer with; encode() writes one back. Both directions are covered, so
// that the switch and vsofctl share one codec. Messages not listed in Body are answered with
// OFPBRC_BAD_TYPE (or BAD_MULTIPART) by decode().
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "controller/ofp_actions.h"
#include "controller/ofp_wire.h"
#include "controller/oxm.h"

namespace vs::controller::ofp {

struct Hello {
  uint8_t version = kVersion13;      // the header's version
  std::optional<uint32_t> versions;  // OFPHET_VERSIONBITMAP: bit n = version n
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct ErrorMsg {
  OfpError error;
  std::vector<uint8_t> data;  // the offending request (at least its first 64 bytes), or text
  friend bool operator==(const ErrorMsg&, const ErrorMsg&) = default;
};

struct EchoRequest {
  std::vector<uint8_t> data;
  friend bool operator==(const EchoRequest&, const EchoRequest&) = default;
};
struct EchoReply {
  std::vector<uint8_t> data;
  friend bool operator==(const EchoReply&, const EchoReply&) = default;
};

struct FeaturesRequest {
  friend bool operator==(const FeaturesRequest&, const FeaturesRequest&) = default;
};
struct FeaturesReply {
  uint64_t datapath_id = 0;
  uint32_t n_buffers = 0;
  uint8_t n_tables = 0;
  uint8_t auxiliary_id = 0;
  uint32_t capabilities = 0;  // OFPC_* bits
  friend bool operator==(const FeaturesReply&, const FeaturesReply&) = default;
};

struct GetConfigRequest {
  friend bool operator==(const GetConfigRequest&, const GetConfigRequest&) = default;
};
struct SwitchConfigBody {
  uint16_t flags = 0;  // OFPC_FRAG_* (only NORMAL is done)
  uint16_t miss_send_len = 128;
  friend bool operator==(const SwitchConfigBody&, const SwitchConfigBody&) = default;
};
struct GetConfigReply : SwitchConfigBody {};
struct SetConfig : SwitchConfigBody {};

struct BarrierRequest {
  friend bool operator==(const BarrierRequest&, const BarrierRequest&) = default;
};
struct BarrierReply {
  friend bool operator==(const BarrierReply&, const BarrierReply&) = default;
};

struct FlowMod {
  uint64_t cookie = 0;
  uint64_t cookie_mask = 0;
  uint8_t table_id = 0;
  FlowModCommand command = FlowModCommand::kAdd;
  uint16_t idle_timeout = 0;
  uint16_t hard_timeout = 0;
  uint16_t priority = 0x8000;  // OFP_DEFAULT_PRIORITY
  uint32_t buffer_id = kNoBuffer;
  uint32_t out_port = kPortAny;
  uint32_t out_group = kGroupAny;
  uint16_t flags = 0;
  Match match;
  Instructions instructions;
  friend bool operator==(const FlowMod&, const FlowMod&) = default;
};

// Multipart bodies.
struct DescRequest {
  friend bool operator==(const DescRequest&, const DescRequest&) = default;
};
struct DescReply {
  std::string manufacturer, hardware, software, serial_number, datapath;
  friend bool operator==(const DescReply&, const DescReply&) = default;
};

struct FlowStatsRequest {  // OFPMP_FLOW, and OFPMP_AGGREGATE when `aggregate`
  bool aggregate = false;
  uint8_t table_id = kTableAll;
  uint32_t out_port = kPortAny;
  uint32_t out_group = kGroupAny;
  uint64_t cookie = 0;
  uint64_t cookie_mask = 0;
  Match match;
  friend bool operator==(const FlowStatsRequest&, const FlowStatsRequest&) = default;
};

struct FlowStats {
  uint8_t table_id = 0;
  uint32_t duration_sec = 0;
  uint32_t duration_nsec = 0;
  uint16_t priority = 0;
  uint16_t idle_timeout = 0;
  uint16_t hard_timeout = 0;
  uint16_t flags = 0;
  uint64_t cookie = 0;
  uint64_t packet_count = 0;
  uint64_t byte_count = 0;
  Match match;
  Instructions instructions;
  friend bool operator==(const FlowStats&, const FlowStats&) = default;
};
struct FlowStatsReply {
  std::vector<FlowStats> flows;
  friend bool operator==(const FlowStatsReply&, const FlowStatsReply&) = default;
};
struct AggregateReply {
  uint64_t packet_count = 0;
  uint64_t byte_count = 0;
  uint32_t flow_count = 0;
  friend bool operator==(const AggregateReply&, const AggregateReply&) = default;
};

struct PortDescRequest {
  friend bool operator==(const PortDescRequest&, const PortDescRequest&) = default;
};
struct PortDesc {
  uint32_t port_no = 0;
  std::array<uint8_t, 6> hw_addr{};
  std::string name;
  uint32_t config = 0;  // OFPPC_* bits
  uint32_t state = 0;   // OFPPS_* bits
  uint32_t curr = 0, advertised = 0, supported = 0, peer = 0;
  uint32_t curr_speed = 0, max_speed = 0;  // kbps
  friend bool operator==(const PortDesc&, const PortDesc&) = default;
};
struct PortDescReply {
  std::vector<PortDesc> ports;
  friend bool operator==(const PortDescReply&, const PortDescReply&) = default;
};

// OFPMP_TABLE_FEATURES: a request without a body asks; one with tables would set them.
struct TableFeaturesRequest {
  std::vector<uint8_t> tables;  // the features to set, kept raw: this switch refuses to set them
  bool sets_features() const { return !tables.empty(); }
  friend bool operator==(const TableFeaturesRequest&, const TableFeaturesRequest&) = default;
};
struct TableFeatures {
  uint8_t table_id = 0;
  std::string name;
  uint64_t metadata_match = 0;
  uint64_t metadata_write = 0;
  uint32_t config = 0;
  uint32_t max_entries = 0;
  std::vector<uint16_t> instructions;  // instruction types
  std::vector<uint8_t> next_tables;
  std::vector<uint16_t> write_actions, apply_actions;                      // action types
  std::vector<uint32_t> match, wildcards, write_setfield, apply_setfield;  // OXM headers
  friend bool operator==(const TableFeatures&, const TableFeatures&) = default;
};
struct TableFeaturesReply {
  std::vector<TableFeatures> tables;
  friend bool operator==(const TableFeaturesReply&, const TableFeaturesReply&) = default;
};

struct PortStatsRequest {
  uint32_t port_no = kPortAny;  // one port, or every port
  friend bool operator==(const PortStatsRequest&, const PortStatsRequest&) = default;
};
struct PortStats {
  uint32_t port_no = 0;
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t rx_dropped = 0, tx_dropped = 0, rx_errors = 0, tx_errors = 0;
  uint64_t rx_frame_err = 0, rx_over_err = 0, rx_crc_err = 0, collisions = 0;
  uint32_t duration_sec = 0, duration_nsec = 0;
  friend bool operator==(const PortStats&, const PortStats&) = default;
};
struct PortStatsReply {
  std::vector<PortStats> ports;
  friend bool operator==(const PortStatsReply&, const PortStatsReply&) = default;
};

struct MultipartRequest {
  uint16_t flags = 0;
  std::variant<DescRequest, FlowStatsRequest, PortDescRequest, TableFeaturesRequest,
               PortStatsRequest>
      body;
  friend bool operator==(const MultipartRequest&, const MultipartRequest&) = default;
};
struct MultipartReply {
  uint16_t flags = 0;  // kMultipartMore on every part but the last
  std::variant<DescReply, FlowStatsReply, AggregateReply, PortDescReply, TableFeaturesReply,
               PortStatsReply>
      body;
  friend bool operator==(const MultipartReply&, const MultipartReply&) = default;
};

using Body = std::variant<Hello, ErrorMsg, EchoRequest, EchoReply, FeaturesRequest, FeaturesReply,
                          GetConfigRequest, GetConfigReply, SetConfig, FlowMod, BarrierRequest,
                          BarrierReply, MultipartRequest, MultipartReply>;

struct Message {
  uint32_t xid = 0;
  Body body;
  friend bool operator==(const Message&, const Message&) = default;
};

// Decodes exactly one message (`bytes` is what the header's length framed). Every message but
// HELLO must be OpenFlow 1.3 (else OFPBRC_BAD_VERSION). Errors name what the specification asks
// the switch to answer: OFPBRC_BAD_LEN for a size that does not fit the type, BAD_TYPE for
// messages this switch does not take, BAD_MULTIPART, and the match, instruction and action
// errors of a flow-mod or flow stats request.
OfpResult<Message> decode(std::span<const uint8_t> bytes);

// The message on the wire, version 1.3.
std::vector<uint8_t> encode(const Message& message);

// The OFPT_ERROR that answers `request` (its header's xid, and its first 64 bytes as data).
std::vector<uint8_t> encode_error_reply(OfpError error, std::span<const uint8_t> request);

// One OXM header (class, field, no mask, length) as table features list it.
uint32_t oxm_header(OxmField field);

// The header fields of a framed message, or nullopt if it is shorter than a header.
struct HeaderView {
  uint8_t version;
  uint8_t type;
  uint16_t length;
  uint32_t xid;
};
std::optional<HeaderView> peek_header(std::span<const uint8_t> bytes);

}  // namespace vs::controller::ofp
