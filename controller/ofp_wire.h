// OpenFlow 1.3 on the wire (OpenFlow Switch Specification 1.3.5, section 7): the protocol's
// numbers, and its fixed-size structures as byte-exact structs whose sizes are checked against
// the specification. Fields are big-endian byte arrays (Be16/Be32/Be64), so the structs need no
// packing pragmas and can be copied straight from and into a message. The typed messages and
// their checks live in ofp_message.h, oxm.h and ofp_actions.h.
#pragma once

#include <boost/outcome.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace vs::controller::ofp {

// A big-endian unsigned integer stored as bytes: alignment 1, no padding.
template <class T>
struct Be {
  uint8_t bytes[sizeof(T)];

  T get() const {
    T value = 0;
    for (uint8_t b : bytes) value = static_cast<T>(value << 8 | b);
    return value;
  }
  void set(T value) {
    for (size_t i = sizeof(T); i-- > 0;) {
      bytes[i] = static_cast<uint8_t>(value);
      value = static_cast<T>(sizeof(T) > 1 ? value >> 8 : 0);
    }
  }
};
using Be16 = Be<uint16_t>;
using Be32 = Be<uint32_t>;
using Be64 = Be<uint64_t>;

inline constexpr uint8_t kVersion13 = 0x04;
inline constexpr size_t kMaxMessage = 0xffff;  // the header's 16-bit length
inline constexpr uint32_t kNoBuffer = 0xffffffff;

// Message types (ofp_type).
enum class Type : uint8_t {
  kHello = 0,
  kError = 1,
  kEchoRequest = 2,
  kEchoReply = 3,
  kExperimenter = 4,
  kFeaturesRequest = 5,
  kFeaturesReply = 6,
  kGetConfigRequest = 7,
  kGetConfigReply = 8,
  kSetConfig = 9,
  kPacketIn = 10,
  kFlowRemoved = 11,
  kPortStatus = 12,
  kPacketOut = 13,
  kFlowMod = 14,
  kGroupMod = 15,
  kPortMod = 16,
  kTableMod = 17,
  kMultipartRequest = 18,
  kMultipartReply = 19,
  kBarrierRequest = 20,
  kBarrierReply = 21,
  kQueueGetConfigRequest = 22,
  kQueueGetConfigReply = 23,
  kRoleRequest = 24,
  kRoleReply = 25,
  kGetAsyncRequest = 26,
  kGetAsyncReply = 27,
  kSetAsync = 28,
  kMeterMod = 29,
};

// An OpenFlow error (ofp_error_msg's type and code): what decoding or applying a message
// answers with OFPT_ERROR.
struct OfpError {
  uint16_t type;
  uint16_t code;
  friend bool operator==(const OfpError&, const OfpError&) = default;
};

// A value or the OpenFlow error a message earns.
template <class T>
using OfpResult = boost::outcome_v2::result<T, OfpError, boost::outcome_v2::policy::terminate>;

// The (type, code) pairs this switch sends, named after the specification's OFP*_ constants.
namespace err {
inline constexpr OfpError kHelloIncompatible{0, 0};

inline constexpr OfpError kBadVersion{1, 0};
inline constexpr OfpError kBadType{1, 1};
inline constexpr OfpError kBadMultipart{1, 2};
inline constexpr OfpError kBadExperimenter{1, 3};
inline constexpr OfpError kBadLen{1, 6};
inline constexpr OfpError kBufferUnknown{1, 8};
inline constexpr OfpError kBadTableId{1, 9};
inline constexpr OfpError kIsSlave{1, 10};
inline constexpr OfpError kBadPort{1, 11};
inline constexpr OfpError kBadPacket{1, 12};

inline constexpr OfpError kBadActionType{2, 0};
inline constexpr OfpError kBadActionLen{2, 1};
inline constexpr OfpError kBadActionExperimenter{2, 2};
inline constexpr OfpError kBadOutPort{2, 4};
inline constexpr OfpError kBadActionArgument{2, 5};
inline constexpr OfpError kBadOutGroup{2, 9};
inline constexpr OfpError kMatchInconsistent{2, 10};
inline constexpr OfpError kBadSetType{2, 13};
inline constexpr OfpError kBadSetLen{2, 14};
inline constexpr OfpError kBadSetArgument{2, 15};

inline constexpr OfpError kUnknownInstruction{3, 0};
inline constexpr OfpError kUnsupportedInstruction{3, 1};
inline constexpr OfpError kInstructionBadTableId{3, 2};
inline constexpr OfpError kInstructionBadExperimenter{3, 5};
inline constexpr OfpError kInstructionBadLen{3, 7};

inline constexpr OfpError kBadMatchType{4, 0};
inline constexpr OfpError kBadMatchLen{4, 1};
inline constexpr OfpError kBadWildcards{4, 5};
inline constexpr OfpError kBadField{4, 6};
inline constexpr OfpError kBadValue{4, 7};
inline constexpr OfpError kBadMask{4, 8};
inline constexpr OfpError kBadPrereq{4, 9};
inline constexpr OfpError kDupField{4, 10};

inline constexpr OfpError kFlowModUnknown{5, 0};
inline constexpr OfpError kTableFull{5, 1};
inline constexpr OfpError kFlowModBadTableId{5, 2};
inline constexpr OfpError kOverlap{5, 3};
inline constexpr OfpError kBadTimeout{5, 5};
inline constexpr OfpError kBadCommand{5, 6};
inline constexpr OfpError kBadFlags{5, 7};

inline constexpr OfpError kGroupExists{6, 0};
inline constexpr OfpError kInvalidGroup{6, 1};
inline constexpr OfpError kWeightUnsupported{6, 2};
inline constexpr OfpError kOutOfGroups{6, 3};
inline constexpr OfpError kOutOfBuckets{6, 4};
inline constexpr OfpError kChainingUnsupported{6, 5};
inline constexpr OfpError kWatchUnsupported{6, 6};
inline constexpr OfpError kGroupLoop{6, 7};
inline constexpr OfpError kUnknownGroup{6, 8};
inline constexpr OfpError kChainedGroup{6, 9};
inline constexpr OfpError kBadGroupType{6, 10};
inline constexpr OfpError kBadGroupCommand{6, 11};
inline constexpr OfpError kBadBucket{6, 12};
inline constexpr OfpError kBadWatch{6, 13};
inline constexpr OfpError kGroupModEperm{6, 14};

inline constexpr OfpError kPortModBadPort{7, 0};
inline constexpr OfpError kPortModBadHwAddr{7, 1};
inline constexpr OfpError kPortModBadConfig{7, 2};
inline constexpr OfpError kPortModBadAdvertise{7, 3};
inline constexpr OfpError kPortModEperm{7, 4};

inline constexpr OfpError kTableModBadTable{8, 0};
inline constexpr OfpError kTableModBadConfig{8, 1};
inline constexpr OfpError kTableModEperm{8, 2};

inline constexpr OfpError kConfigBadFlags{10, 0};
inline constexpr OfpError kConfigBadLen{10, 1};

inline constexpr OfpError kRoleStale{11, 0};
inline constexpr OfpError kRoleUnsupported{11, 1};
inline constexpr OfpError kBadRole{11, 2};

inline constexpr OfpError kTableFeaturesEperm{13, 5};
}  // namespace err

// Flow-mod commands and flags (ofp_flow_mod_command, ofp_flow_mod_flags).
enum class FlowModCommand : uint8_t { kAdd = 0, kModify, kModifyStrict, kDelete, kDeleteStrict };
inline constexpr uint16_t kFlowSendFlowRem = 1 << 0;
inline constexpr uint16_t kFlowCheckOverlap = 1 << 1;
inline constexpr uint16_t kFlowResetCounts = 1 << 2;
inline constexpr uint16_t kFlowNoPktCounts = 1 << 3;
inline constexpr uint16_t kFlowNoBytCounts = 1 << 4;

inline constexpr uint8_t kTableAll = 0xff;         // OFPTT_ALL
inline constexpr uint8_t kTableMax = 0xfe;         // OFPTT_MAX: the highest table number
inline constexpr uint32_t kGroupMax = 0xffffff00;  // OFPG_MAX: the highest group number
inline constexpr uint32_t kGroupAll = 0xfffffffc;  // OFPG_ALL
inline constexpr uint32_t kGroupAny = 0xffffffff;  // OFPG_ANY
inline constexpr uint32_t kPortAny = 0xffffffff;   // OFPP_ANY

// Port config bits (ofp_port_config) and the feature bits' extent (ofp_port_features).
inline constexpr uint32_t kPortConfigDown = 1 << 0;
inline constexpr uint32_t kPortConfigNoRecv = 1 << 2;
inline constexpr uint32_t kPortConfigNoFwd = 1 << 5;
inline constexpr uint32_t kPortConfigNoPacketIn = 1 << 6;
inline constexpr uint32_t kPortStateLinkDown = 1 << 0;  // OFPPS_LINK_DOWN
inline constexpr uint32_t kPortStateLive = 1 << 2;      // OFPPS_LIVE
inline constexpr uint32_t kPortConfigAll =
    kPortConfigDown | kPortConfigNoRecv | kPortConfigNoFwd | kPortConfigNoPacketIn;
inline constexpr uint32_t kPortFeaturesAll = 0xffff;  // OFPPF_10MB_HD .. OFPPF_PAUSE_ASYM

// OFPTC_DEPRECATED_MASK: the only table config bits 1.3 has (1.1's miss behaviour).
inline constexpr uint32_t kTableConfigDeprecatedMask = 3;

// Reasons of the asynchronous messages (ofp_packet_in_reason, ofp_flow_removed_reason,
// ofp_port_reason).
enum class PacketInReason : uint8_t { kNoMatch = 0, kAction = 1, kInvalidTtl = 2 };
enum class FlowRemovedReason : uint8_t {
  kIdleTimeout = 0,
  kHardTimeout = 1,
  kDelete = 2,
  kGroupDelete = 3,
};
enum class PortReason : uint8_t { kAdd = 0, kDelete = 1, kModify = 2 };

// Groups (ofp_group_mod_command, ofp_group_type).
enum class GroupModCommand : uint16_t { kAdd = 0, kModify = 1, kDelete = 2 };
enum class GroupType : uint8_t { kAll = 0, kSelect = 1, kIndirect = 2, kFastFailover = 3 };

// Controller roles (ofp_controller_role).
enum class ControllerRole : uint32_t { kNoChange = 0, kEqual = 1, kMaster = 2, kSlave = 3 };

// Multipart types (ofp_multipart_type).
enum class MultipartType : uint16_t {
  kDesc = 0,
  kFlow = 1,
  kAggregate = 2,
  kTable = 3,
  kPortStats = 4,
  kQueue = 5,
  kGroup = 6,
  kGroupDesc = 7,
  kGroupFeatures = 8,
  kMeter = 9,
  kMeterConfig = 10,
  kMeterFeatures = 11,
  kTableFeatures = 12,
  kPortDesc = 13,
  kExperimenter = 0xffff,
};
inline constexpr uint16_t kMultipartMore = 1;  // OFPMPF_REQ_MORE / OFPMPF_REPLY_MORE

struct Header {
  uint8_t version;
  uint8_t type;
  Be16 length;
  Be32 xid;
};
static_assert(sizeof(Header) == 8);

struct HelloElemHeader {
  Be16 type;  // 1: OFPHET_VERSIONBITMAP
  Be16 length;
};
static_assert(sizeof(HelloElemHeader) == 4);
inline constexpr uint16_t kHelloElemVersionBitmap = 1;

struct ErrorBody {
  Be16 type;
  Be16 code;
};
static_assert(sizeof(ErrorBody) == 4);

struct SwitchFeatures {
  Be64 datapath_id;
  Be32 n_buffers;
  uint8_t n_tables;
  uint8_t auxiliary_id;
  uint8_t pad[2];
  Be32 capabilities;
  Be32 reserved;
};
static_assert(sizeof(SwitchFeatures) == 24);

struct SwitchConfig {
  Be16 flags;
  Be16 miss_send_len;
};
static_assert(sizeof(SwitchConfig) == 4);

struct FlowModBody {
  Be64 cookie;
  Be64 cookie_mask;
  uint8_t table_id;
  uint8_t command;
  Be16 idle_timeout;
  Be16 hard_timeout;
  Be16 priority;
  Be32 buffer_id;
  Be32 out_port;
  Be32 out_group;
  Be16 flags;
  uint8_t pad[2];
};
static_assert(sizeof(FlowModBody) == 40);

struct MatchHeader {
  Be16 type;    // 1: OFPMT_OXM
  Be16 length;  // header and OXMs, without the padding to 8 bytes
};
static_assert(sizeof(MatchHeader) == 4);
inline constexpr uint16_t kMatchTypeOxm = 1;

struct InstructionHeader {
  Be16 type;
  Be16 length;
};
static_assert(sizeof(InstructionHeader) == 4);

struct InstructionGotoTable {
  Be16 type;
  Be16 length;
  uint8_t table_id;
  uint8_t pad[3];
};
static_assert(sizeof(InstructionGotoTable) == 8);

struct InstructionWriteMetadata {
  Be16 type;
  Be16 length;
  uint8_t pad[4];
  Be64 metadata;
  Be64 metadata_mask;
};
static_assert(sizeof(InstructionWriteMetadata) == 24);

struct InstructionActions {  // write, apply and clear actions; the actions follow
  Be16 type;
  Be16 length;
  uint8_t pad[4];
};
static_assert(sizeof(InstructionActions) == 8);

enum class InstructionType : uint16_t {
  kGotoTable = 1,
  kWriteMetadata = 2,
  kWriteActions = 3,
  kApplyActions = 4,
  kClearActions = 5,
  kMeter = 6,
  kExperimenter = 0xffff,
};

struct ActionHeader {
  Be16 type;
  Be16 length;
};
static_assert(sizeof(ActionHeader) == 4);

struct ActionOutput {
  Be16 type;
  Be16 length;
  Be32 port;
  Be16 max_len;
  uint8_t pad[6];
};
static_assert(sizeof(ActionOutput) == 16);

struct ActionGroup {
  Be16 type;
  Be16 length;
  Be32 group_id;
};
static_assert(sizeof(ActionGroup) == 8);

struct ActionPush {
  Be16 type;
  Be16 length;
  Be16 ethertype;
  uint8_t pad[2];
};
static_assert(sizeof(ActionPush) == 8);

struct ActionNwTtl {
  Be16 type;
  Be16 length;
  uint8_t nw_ttl;
  uint8_t pad[3];
};
static_assert(sizeof(ActionNwTtl) == 8);

struct ActionNoArgument {  // pop_vlan, dec_nw_ttl, copy_ttl_*: header and padding
  Be16 type;
  Be16 length;
  uint8_t pad[4];
};
static_assert(sizeof(ActionNoArgument) == 8);

enum class ActionType : uint16_t {
  kOutput = 0,
  kCopyTtlOut = 11,
  kCopyTtlIn = 12,
  kSetMplsTtl = 15,
  kDecMplsTtl = 16,
  kPushVlan = 17,
  kPopVlan = 18,
  kPushMpls = 19,
  kPopMpls = 20,
  kSetQueue = 21,
  kGroup = 22,
  kSetNwTtl = 23,
  kDecNwTtl = 24,
  kSetField = 25,
  kPushPbb = 26,
  kPopPbb = 27,
  kExperimenter = 0xffff,
};

struct MultipartHeader {
  Be16 type;
  Be16 flags;
  uint8_t pad[4];
};
static_assert(sizeof(MultipartHeader) == 8);

struct FlowStatsRequestBody {  // also the aggregate request
  uint8_t table_id;
  uint8_t pad[3];
  Be32 out_port;
  Be32 out_group;
  uint8_t pad2[4];
  Be64 cookie;
  Be64 cookie_mask;
};
static_assert(sizeof(FlowStatsRequestBody) == 32);

struct FlowStatsEntry {  // then the match and the instructions
  Be16 length;
  uint8_t table_id;
  uint8_t pad;
  Be32 duration_sec;
  Be32 duration_nsec;
  Be16 priority;
  Be16 idle_timeout;
  Be16 hard_timeout;
  Be16 flags;
  uint8_t pad2[4];
  Be64 cookie;
  Be64 packet_count;
  Be64 byte_count;
};
static_assert(sizeof(FlowStatsEntry) == 48);

struct TableFeaturesEntry {  // then the properties
  Be16 length;
  uint8_t table_id;
  uint8_t pad[5];
  char name[32];
  Be64 metadata_match;
  Be64 metadata_write;
  Be32 config;
  Be32 max_entries;
};
static_assert(sizeof(TableFeaturesEntry) == 64);
inline constexpr size_t kMaxTableNameLen = 32;

// Table feature property types (ofp_table_feature_prop_type); the *_MISS ones are the odd
// numbers after each, skipped on decoding.
enum class TableFeatureProp : uint16_t {
  kInstructions = 0,
  kNextTables = 2,
  kWriteActions = 4,
  kApplyActions = 6,
  kMatch = 8,
  kWildcards = 10,
  kWriteSetfield = 12,
  kApplySetfield = 14,
};

inline constexpr size_t kDescStrLen = 256;
inline constexpr size_t kSerialNumLen = 32;
struct DescBody {
  char mfr_desc[kDescStrLen];
  char hw_desc[kDescStrLen];
  char sw_desc[kDescStrLen];
  char serial_num[kSerialNumLen];
  char dp_desc[kDescStrLen];
};
static_assert(sizeof(DescBody) == 1056);

struct PortStatsEntry {
  Be32 port_no;
  uint8_t pad[4];
  Be64 counters[12];  // rx/tx packets, rx/tx bytes, rx/tx dropped, rx/tx errors, frame, over, crc,
                      // collisions
  Be32 duration_sec;
  Be32 duration_nsec;
};
static_assert(sizeof(PortStatsEntry) == 112);

inline constexpr size_t kMaxPortNameLen = 16;
struct PortBody {
  Be32 port_no;
  uint8_t pad[4];
  uint8_t hw_addr[6];
  uint8_t pad2[2];
  char name[kMaxPortNameLen];
  Be32 config;
  Be32 state;
  Be32 curr;
  Be32 advertised;
  Be32 supported;
  Be32 peer;
  Be32 curr_speed;
  Be32 max_speed;
};
static_assert(sizeof(PortBody) == 64);

struct PacketInBody {  // then the match, 2 bytes of padding and the frame
  Be32 buffer_id;
  Be16 total_len;
  uint8_t reason;
  uint8_t table_id;
  Be64 cookie;
};
static_assert(sizeof(PacketInBody) == 16);
inline constexpr size_t kPacketInPad = 2;  // aligns the frame's IP header to 32 bits

struct FlowRemovedBody {  // then the match
  Be64 cookie;
  Be16 priority;
  uint8_t reason;
  uint8_t table_id;
  Be32 duration_sec;
  Be32 duration_nsec;
  Be16 idle_timeout;
  Be16 hard_timeout;
  Be64 packet_count;
  Be64 byte_count;
};
static_assert(sizeof(FlowRemovedBody) == 40);

struct PortStatusBody {  // then the PortBody
  uint8_t reason;
  uint8_t pad[7];
};
static_assert(sizeof(PortStatusBody) == 8);

struct PacketOutBody {  // then actions_len bytes of actions and the frame
  Be32 buffer_id;
  Be32 in_port;
  Be16 actions_len;
  uint8_t pad[6];
};
static_assert(sizeof(PacketOutBody) == 16);

struct PortModBody {
  Be32 port_no;
  uint8_t pad[4];
  uint8_t hw_addr[6];
  uint8_t pad2[2];
  Be32 config;
  Be32 mask;
  Be32 advertise;
  uint8_t pad3[4];
};
static_assert(sizeof(PortModBody) == 32);

struct TableModBody {
  uint8_t table_id;
  uint8_t pad[3];
  Be32 config;
};
static_assert(sizeof(TableModBody) == 8);

struct GroupModBody {  // then the buckets
  Be16 command;
  uint8_t type;
  uint8_t pad;
  Be32 group_id;
};
static_assert(sizeof(GroupModBody) == 8);

struct BucketHeader {  // then the actions
  Be16 length;
  Be16 weight;
  Be32 watch_port;
  Be32 watch_group;
  uint8_t pad[4];
};
static_assert(sizeof(BucketHeader) == 16);

struct RoleRequestBody {  // also the role reply
  Be32 role;
  uint8_t pad[4];
  Be64 generation_id;
};
static_assert(sizeof(RoleRequestBody) == 16);

struct AsyncConfigBody {  // [0]: master or equal role, [1]: slave
  Be32 packet_in_mask[2];
  Be32 port_status_mask[2];
  Be32 flow_removed_mask[2];
};
static_assert(sizeof(AsyncConfigBody) == 24);

struct TableStatsEntry {
  uint8_t table_id;
  uint8_t pad[3];
  Be32 active_count;
  Be64 lookup_count;
  Be64 matched_count;
};
static_assert(sizeof(TableStatsEntry) == 24);

struct GroupStatsRequestBody {
  Be32 group_id;
  uint8_t pad[4];
};
static_assert(sizeof(GroupStatsRequestBody) == 8);

struct GroupStatsEntry {  // then one BucketCounterEntry per bucket
  Be16 length;
  uint8_t pad[2];
  Be32 group_id;
  Be32 ref_count;
  uint8_t pad2[4];
  Be64 packet_count;
  Be64 byte_count;
  Be32 duration_sec;
  Be32 duration_nsec;
};
static_assert(sizeof(GroupStatsEntry) == 40);

struct BucketCounterEntry {
  Be64 packet_count;
  Be64 byte_count;
};
static_assert(sizeof(BucketCounterEntry) == 16);

struct GroupDescEntry {  // then the buckets
  Be16 length;
  uint8_t type;
  uint8_t pad;
  Be32 group_id;
};
static_assert(sizeof(GroupDescEntry) == 8);

inline constexpr size_t kGroupTypes = 4;
struct GroupFeaturesBody {
  Be32 types;         // bit n: GroupType n
  Be32 capabilities;  // OFPGFC_* bits
  Be32 max_groups[kGroupTypes];
  Be32 actions[kGroupTypes];  // bit n: ActionType n
};
static_assert(sizeof(GroupFeaturesBody) == 40);

// A duration as OpenFlow's duration_sec and duration_nsec fields hold it: {sec, nsec}.
inline std::pair<uint32_t, uint32_t> wire_duration(std::chrono::nanoseconds age) {
  return {static_cast<uint32_t>(age.count() / 1'000'000'000),
          static_cast<uint32_t>(age.count() % 1'000'000'000)};
}

// Copies a wire struct out of `at` (which must hold sizeof(T) bytes).
template <class T>
T load(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

// Appends a wire struct's bytes to `out`.
template <class T>
void append(std::vector<uint8_t>& out, const T& wire) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&wire);
  out.insert(out.end(), bytes, bytes + sizeof wire);
}

}  // namespace vs::controller::ofp
