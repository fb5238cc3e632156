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

// Asynchronous messages from the switch. Their reasons are kept as sent (the specification
// names no error for a reason the controller does not know).
struct PacketIn {
  uint32_t buffer_id = kNoBuffer;
  uint16_t total_len = 0;  // the whole frame's length; `data` may be cut short
  PacketInReason reason = PacketInReason::kNoMatch;
  uint8_t table_id = 0;
  uint64_t cookie = 0;
  Match match;  // the pipeline fields (in_port, metadata, tunnel_id)
  std::vector<uint8_t> data;
  friend bool operator==(const PacketIn&, const PacketIn&) = default;
};

struct FlowRemoved {
  uint64_t cookie = 0;
  uint16_t priority = 0;
  FlowRemovedReason reason = FlowRemovedReason::kIdleTimeout;
  uint8_t table_id = 0;
  uint32_t duration_sec = 0;
  uint32_t duration_nsec = 0;
  uint16_t idle_timeout = 0;
  uint16_t hard_timeout = 0;
  uint64_t packet_count = 0;
  uint64_t byte_count = 0;
  Match match;
  friend bool operator==(const FlowRemoved&, const FlowRemoved&) = default;
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

struct PortStatus {
  PortReason reason = PortReason::kAdd;
  PortDesc desc;
  friend bool operator==(const PortStatus&, const PortStatus&) = default;
};

// Controller commands.
struct PacketOut {
  uint32_t buffer_id = kNoBuffer;
  uint32_t in_port = kPortController;  // a standard port, CONTROLLER, or ANY as OVS allows
  ActionList actions;
  std::vector<uint8_t> data;  // the frame, when not buffered
  friend bool operator==(const PacketOut&, const PacketOut&) = default;
};

struct PortMod {
  uint32_t port_no = 0;
  std::array<uint8_t, 6> hw_addr{};  // must be the port's: guards against a renumbered port
  uint32_t config = 0;               // OFPPC_* bits: the new values of those in `mask`
  uint32_t mask = 0;
  uint32_t advertise = 0;  // OFPPF_* bits; 0 leaves them alone
  friend bool operator==(const PortMod&, const PortMod&) = default;
};

struct TableMod {
  uint8_t table_id = 0;  // or kTableAll
  uint32_t config = 0;   // only the deprecated OFPTC_* bits exist in 1.3
  friend bool operator==(const TableMod&, const TableMod&) = default;
};

struct GroupMod {
  GroupModCommand command = GroupModCommand::kAdd;
  GroupType type = GroupType::kAll;
  uint32_t group_id = 0;
  BucketList buckets;
  friend bool operator==(const GroupMod&, const GroupMod&) = default;
};

struct RoleMessage {
  ControllerRole role = ControllerRole::kNoChange;
  uint64_t generation_id = 0;  // orders master elections; ignored for EQUAL and NOCHANGE
  friend bool operator==(const RoleMessage&, const RoleMessage&) = default;
};
struct RoleRequest : RoleMessage {};
struct RoleReply : RoleMessage {};

struct GetAsyncRequest {
  friend bool operator==(const GetAsyncRequest&, const GetAsyncRequest&) = default;
};
// Which asynchronous messages a connection gets, by reason bit: [0] as master or equal, [1] as
// slave.
struct AsyncConfig {
  std::array<uint32_t, 2> packet_in_mask{};
  std::array<uint32_t, 2> port_status_mask{};
  std::array<uint32_t, 2> flow_removed_mask{};
  friend bool operator==(const AsyncConfig&, const AsyncConfig&) = default;
};
struct GetAsyncReply : AsyncConfig {};
struct SetAsync : AsyncConfig {};

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

struct TableStatsRequest {
  friend bool operator==(const TableStatsRequest&, const TableStatsRequest&) = default;
};
struct TableStats {
  uint8_t table_id = 0;
  uint32_t active_count = 0;  // flows in the table
  uint64_t lookup_count = 0;
  uint64_t matched_count = 0;
  friend bool operator==(const TableStats&, const TableStats&) = default;
};
struct TableStatsReply {
  std::vector<TableStats> tables;
  friend bool operator==(const TableStatsReply&, const TableStatsReply&) = default;
};

struct GroupStatsRequest {
  uint32_t group_id = kGroupAll;  // one group, or every group
  friend bool operator==(const GroupStatsRequest&, const GroupStatsRequest&) = default;
};
struct BucketStats {
  uint64_t packet_count = 0;
  uint64_t byte_count = 0;
  friend bool operator==(const BucketStats&, const BucketStats&) = default;
};
struct GroupStats {
  uint32_t group_id = 0;
  uint32_t ref_count = 0;  // flows and groups that point at it
  uint64_t packet_count = 0;
  uint64_t byte_count = 0;
  uint32_t duration_sec = 0;
  uint32_t duration_nsec = 0;
  std::vector<BucketStats> buckets;  // in the group's bucket order
  friend bool operator==(const GroupStats&, const GroupStats&) = default;
};
struct GroupStatsReply {
  std::vector<GroupStats> groups;
  friend bool operator==(const GroupStatsReply&, const GroupStatsReply&) = default;
};

struct GroupDescRequest {
  friend bool operator==(const GroupDescRequest&, const GroupDescRequest&) = default;
};
struct GroupDesc {
  GroupType type = GroupType::kAll;
  uint32_t group_id = 0;
  BucketList buckets;
  friend bool operator==(const GroupDesc&, const GroupDesc&) = default;
};
struct GroupDescReply {
  std::vector<GroupDesc> groups;
  friend bool operator==(const GroupDescReply&, const GroupDescReply&) = default;
};

struct GroupFeaturesRequest {
  friend bool operator==(const GroupFeaturesRequest&, const GroupFeaturesRequest&) = default;
};
struct GroupFeaturesReply {
  uint32_t types = 0;         // bit n: GroupType n is supported
  uint32_t capabilities = 0;  // OFPGFC_* bits
  std::array<uint32_t, kGroupTypes> max_groups{};
  std::array<uint32_t, kGroupTypes> actions{};  // bit n: ActionType n, per group type
  friend bool operator==(const GroupFeaturesReply&, const GroupFeaturesReply&) = default;
};

struct MultipartRequest {
  uint16_t flags = 0;
  std::variant<DescRequest, FlowStatsRequest, PortDescRequest, TableFeaturesRequest,
               PortStatsRequest, TableStatsRequest, GroupStatsRequest, GroupDescRequest,
               GroupFeaturesRequest>
      body;
  friend bool operator==(const MultipartRequest&, const MultipartRequest&) = default;
};
struct MultipartReply {
  uint16_t flags = 0;  // kMultipartMore on every part but the last
  std::variant<DescReply, FlowStatsReply, AggregateReply, PortDescReply, TableFeaturesReply,
               PortStatsReply, TableStatsReply, GroupStatsReply, GroupDescReply, GroupFeaturesReply>
      body;
  friend bool operator==(const MultipartReply&, const MultipartReply&) = default;
};

using Body = std::variant<Hello, ErrorMsg, EchoRequest, EchoReply, FeaturesRequest, FeaturesReply,
                          GetConfigRequest, GetConfigReply, SetConfig, FlowMod, BarrierRequest,
                          BarrierReply, MultipartRequest, MultipartReply, PacketIn, FlowRemoved,
                          PortStatus, PacketOut, PortMod, TableMod, GroupMod, RoleRequest,
                          RoleReply, GetAsyncRequest, GetAsyncReply, SetAsync>;

struct Message {
  uint32_t xid = 0;
  Body body;
  friend bool operator==(const Message&, const Message&) = default;
};

// Decodes exactly one message (`bytes` is what the header's length framed). Every message but
// HELLO must be OpenFlow 1.3 (else OFPBRC_BAD_VERSION). Errors name what the specification asks
// the switch to answer: OFPBRC_BAD_LEN for a size that does not fit the type, BAD_TYPE for
// messages this switch does not take, BAD_MULTIPART, the match, instruction and action errors
// of a flow-mod, flow stats request, packet-out or bucket, BAD_PORT for a packet-out's in_port,
// OFPGMFC_* for a group-mod, OFPPMFC_* for a port-mod, OFPTMFC_BAD_CONFIG for a table-mod and
// OFPRRFC_BAD_ROLE for a role request.
OfpResult<Message> decode(std::span<const uint8_t> bytes);

// The message on the wire, version 1.3.
std::vector<uint8_t> encode(const Message& message);

// The OFPT_ERROR that answers `request` (its header's xid, and its first 64 bytes as data).
std::vector<uint8_t> encode_error_reply(OfpError error, std::span<const uint8_t> request);

// The header fields of a framed message, or nullopt if it is shorter than a header.
struct HeaderView {
  uint8_t version;
  uint8_t type;
  uint16_t length;
  uint32_t xid;
};
std::optional<HeaderView> peek_header(std::span<const uint8_t> bytes);

}  // namespace vs::controller::ofp
