// OpenFlow 1.3 messages (ofp_message.h): decode by type with the length checks of the
// specification, encode by variant alternative.
#include "controller/ofp_message.h"

#include <algorithm>

namespace vs::controller::ofp {
namespace {

constexpr size_t kErrorDataMax = 64;  // the specification asks for "at least 64 bytes"

// A NUL-padded fixed-size string field.
std::string fixed_string(const char* field, size_t size) {
  return std::string(field, strnlen(field, size));
}
void set_fixed_string(char* field, size_t size, const std::string& value) {
  std::memset(field, 0, size);
  std::memcpy(field, value.data(), std::min(value.size(), size - 1));
}

OfpResult<Hello> decode_hello(uint8_t version, std::span<const uint8_t> body) {
  Hello hello{version, std::nullopt};
  // Elements are 8-byte aligned TLVs; unknown ones are skipped, as the specification asks.
  while (!body.empty()) {
    if (body.size() < sizeof(HelloElemHeader)) return err::kBadLen;
    const auto element = load<HelloElemHeader>(body.data());
    const size_t length = element.length.get();
    if (length < sizeof(HelloElemHeader) || length > body.size()) return err::kBadLen;
    if (element.type.get() == kHelloElemVersionBitmap && length >= 8) {
      hello.versions = load<Be32>(body.data() + sizeof(HelloElemHeader)).get();
    }
    body = body.subspan(std::min(body.size(), (length + 7) / 8 * 8));
  }
  return hello;
}

OfpResult<FlowMod> decode_flow_mod(std::span<const uint8_t> body) {
  if (body.size() < sizeof(FlowModBody) + sizeof(MatchHeader)) return err::kBadLen;
  const auto wire = load<FlowModBody>(body.data());
  FlowMod mod;
  mod.cookie = wire.cookie.get();
  mod.cookie_mask = wire.cookie_mask.get();
  mod.table_id = wire.table_id;
  if (wire.command > static_cast<uint8_t>(FlowModCommand::kDeleteStrict)) return err::kBadCommand;
  mod.command = static_cast<FlowModCommand>(wire.command);
  mod.idle_timeout = wire.idle_timeout.get();
  mod.hard_timeout = wire.hard_timeout.get();
  mod.priority = wire.priority.get();
  mod.buffer_id = wire.buffer_id.get();
  mod.out_port = wire.out_port.get();
  mod.out_group = wire.out_group.get();
  mod.flags = wire.flags.get();
  size_t match_size = 0;
  OfpResult<Match> match = decode_match(body.subspan(sizeof(FlowModBody)), &match_size);
  if (!match) return match.error();
  mod.match = std::move(match).value();
  OfpResult<Instructions> instructions =
      decode_instructions(body.subspan(sizeof(FlowModBody) + match_size));
  if (!instructions) return instructions.error();
  mod.instructions = std::move(instructions).value();
  return mod;
}

OfpResult<FlowStatsRequest> decode_flow_stats_request(std::span<const uint8_t> body,
                                                      bool aggregate) {
  if (body.size() < sizeof(FlowStatsRequestBody) + sizeof(MatchHeader)) return err::kBadLen;
  const auto wire = load<FlowStatsRequestBody>(body.data());
  FlowStatsRequest request;
  request.aggregate = aggregate;
  request.table_id = wire.table_id;
  request.out_port = wire.out_port.get();
  request.out_group = wire.out_group.get();
  request.cookie = wire.cookie.get();
  request.cookie_mask = wire.cookie_mask.get();
  size_t match_size = 0;
  OfpResult<Match> match = decode_match(body.subspan(sizeof wire), &match_size);
  if (!match) return match.error();
  if (sizeof wire + match_size != body.size()) return err::kBadLen;
  request.match = std::move(match).value();
  return request;
}

OfpResult<MultipartRequest> decode_multipart_request(std::span<const uint8_t> body) {
  if (body.size() < sizeof(MultipartHeader)) return err::kBadLen;
  const auto header = load<MultipartHeader>(body.data());
  MultipartRequest request;
  request.flags = header.flags.get();
  body = body.subspan(sizeof header);
  switch (static_cast<MultipartType>(header.type.get())) {
    case MultipartType::kDesc:
      if (!body.empty()) return err::kBadLen;
      request.body = DescRequest{};
      return request;
    case MultipartType::kPortDesc:
      if (!body.empty()) return err::kBadLen;
      request.body = PortDescRequest{};
      return request;
    case MultipartType::kFlow:
    case MultipartType::kAggregate: {
      const bool aggregate = header.type.get() == static_cast<uint16_t>(MultipartType::kAggregate);
      OfpResult<FlowStatsRequest> flows = decode_flow_stats_request(body, aggregate);
      if (!flows) return flows.error();
      request.body = std::move(flows).value();
      return request;
    }
    case MultipartType::kTableFeatures:
      request.body = TableFeaturesRequest{{body.begin(), body.end()}};
      return request;
    case MultipartType::kPortStats:
      if (body.size() != 8) return err::kBadLen;
      request.body = PortStatsRequest{load<Be32>(body.data()).get()};
      return request;
    case MultipartType::kTable:
      if (!body.empty()) return err::kBadLen;
      request.body = TableStatsRequest{};
      return request;
    case MultipartType::kGroup:
      if (body.size() != sizeof(GroupStatsRequestBody)) return err::kBadLen;
      request.body = GroupStatsRequest{load<GroupStatsRequestBody>(body.data()).group_id.get()};
      return request;
    case MultipartType::kGroupDesc:
      if (!body.empty()) return err::kBadLen;
      request.body = GroupDescRequest{};
      return request;
    case MultipartType::kGroupFeatures:
      if (!body.empty()) return err::kBadLen;
      request.body = GroupFeaturesRequest{};
      return request;
    case MultipartType::kExperimenter:
      return err::kBadExperimenter;
    default:
      return err::kBadMultipart;
  }
}

// The elements of one table feature property: `size`-byte big-endian numbers.
template <class T>
OfpResult<std::vector<T>> property_list(std::span<const uint8_t> data, size_t size) {
  if (data.size() % size != 0) return err::kBadLen;
  std::vector<T> out;
  for (size_t at = 0; at < data.size(); at += size) {
    T value = 0;
    for (size_t i = 0; i < sizeof(T) && i < size; ++i)
      value = static_cast<T>(value << 8 | data[at + i]);
    out.push_back(value);
  }
  return out;
}

OfpResult<TableFeaturesReply> decode_table_features(std::span<const uint8_t> body) {
  TableFeaturesReply reply;
  while (!body.empty()) {
    if (body.size() < sizeof(TableFeaturesEntry)) return err::kBadLen;
    const auto wire = load<TableFeaturesEntry>(body.data());
    const size_t length = wire.length.get();
    if (length < sizeof wire || length > body.size()) return err::kBadLen;
    std::span<const uint8_t> props = body.subspan(sizeof wire, length - sizeof wire);
    body = body.subspan(length);
    TableFeatures& table = reply.tables.emplace_back();
    table.table_id = wire.table_id;
    table.name = fixed_string(wire.name, kMaxTableNameLen);
    table.metadata_match = wire.metadata_match.get();
    table.metadata_write = wire.metadata_write.get();
    table.config = wire.config.get();
    table.max_entries = wire.max_entries.get();
    while (!props.empty()) {
      if (props.size() < 4) return err::kBadLen;
      const uint16_t type = load<Be16>(props.data()).get();
      const size_t prop_length = load<Be16>(props.data() + 2).get();
      const size_t padded = (prop_length + 7) / 8 * 8;
      if (prop_length < 4 || padded > props.size()) return err::kBadLen;
      std::span<const uint8_t> data = props.subspan(4, prop_length - 4);
      props = props.subspan(padded);
      // Instructions and actions are listed as 4-byte headers (type, length).
      auto headers = [&](std::vector<uint16_t>& out) -> OfpResult<void> {
        OfpResult<std::vector<uint32_t>> list = property_list<uint32_t>(data, 4);
        if (!list) return list.error();
        for (uint32_t header : list.value()) out.push_back(static_cast<uint16_t>(header >> 16));
        return boost::outcome_v2::success();
      };
      auto oxms = [&](std::vector<uint32_t>& out) -> OfpResult<void> {
        OfpResult<std::vector<uint32_t>> list = property_list<uint32_t>(data, 4);
        if (!list) return list.error();
        out = std::move(list).value();
        return boost::outcome_v2::success();
      };
      OfpResult<void> parsed = boost::outcome_v2::success();
      switch (static_cast<TableFeatureProp>(type)) {
        case TableFeatureProp::kInstructions:
          parsed = headers(table.instructions);
          break;
        case TableFeatureProp::kNextTables:
          table.next_tables.assign(data.begin(), data.end());
          break;
        case TableFeatureProp::kWriteActions:
          parsed = headers(table.write_actions);
          break;
        case TableFeatureProp::kApplyActions:
          parsed = headers(table.apply_actions);
          break;
        case TableFeatureProp::kMatch:
          parsed = oxms(table.match);
          break;
        case TableFeatureProp::kWildcards:
          parsed = oxms(table.wildcards);
          break;
        case TableFeatureProp::kWriteSetfield:
          parsed = oxms(table.write_setfield);
          break;
        case TableFeatureProp::kApplySetfield:
          parsed = oxms(table.apply_setfield);
          break;
        default:
          break;  // *_MISS and experimenter properties: not kept
      }
      if (!parsed) return parsed.error();
    }
  }
  return reply;
}

OfpResult<FlowStatsReply> decode_flow_stats_reply(std::span<const uint8_t> body) {
  FlowStatsReply reply;
  while (!body.empty()) {
    if (body.size() < sizeof(FlowStatsEntry)) return err::kBadLen;
    const auto wire = load<FlowStatsEntry>(body.data());
    const size_t length = wire.length.get();
    if (length < sizeof wire + sizeof(MatchHeader) || length > body.size()) return err::kBadLen;
    std::span<const uint8_t> entry = body.first(length);
    body = body.subspan(length);
    FlowStats& flow = reply.flows.emplace_back();
    flow.table_id = wire.table_id;
    flow.duration_sec = wire.duration_sec.get();
    flow.duration_nsec = wire.duration_nsec.get();
    flow.priority = wire.priority.get();
    flow.idle_timeout = wire.idle_timeout.get();
    flow.hard_timeout = wire.hard_timeout.get();
    flow.flags = wire.flags.get();
    flow.cookie = wire.cookie.get();
    flow.packet_count = wire.packet_count.get();
    flow.byte_count = wire.byte_count.get();
    size_t match_size = 0;
    OfpResult<Match> match = decode_match(entry.subspan(sizeof wire), &match_size);
    if (!match) return match.error();
    flow.match = std::move(match).value();
    OfpResult<Instructions> instructions =
        decode_instructions(entry.subspan(sizeof wire + match_size));
    if (!instructions) return instructions.error();
    flow.instructions = std::move(instructions).value();
  }
  return reply;
}

PortDesc decode_port(const uint8_t* at) {
  const auto wire = load<PortBody>(at);
  PortDesc port;
  port.port_no = wire.port_no.get();
  std::copy_n(wire.hw_addr, 6, port.hw_addr.begin());
  port.name = fixed_string(wire.name, kMaxPortNameLen);
  port.config = wire.config.get();
  port.state = wire.state.get();
  port.curr = wire.curr.get();
  port.advertised = wire.advertised.get();
  port.supported = wire.supported.get();
  port.peer = wire.peer.get();
  port.curr_speed = wire.curr_speed.get();
  port.max_speed = wire.max_speed.get();
  return port;
}

OfpResult<GroupStatsReply> decode_group_stats(std::span<const uint8_t> body) {
  GroupStatsReply reply;
  while (!body.empty()) {
    if (body.size() < sizeof(GroupStatsEntry)) return err::kBadLen;
    const auto wire = load<GroupStatsEntry>(body.data());
    const size_t length = wire.length.get();
    if (length < sizeof wire || length > body.size() ||
        (length - sizeof wire) % sizeof(BucketCounterEntry) != 0) {
      return err::kBadLen;
    }
    GroupStats& group = reply.groups.emplace_back();
    group.group_id = wire.group_id.get();
    group.ref_count = wire.ref_count.get();
    group.packet_count = wire.packet_count.get();
    group.byte_count = wire.byte_count.get();
    group.duration_sec = wire.duration_sec.get();
    group.duration_nsec = wire.duration_nsec.get();
    for (size_t at = sizeof wire; at < length; at += sizeof(BucketCounterEntry)) {
      const auto counter = load<BucketCounterEntry>(body.data() + at);
      group.buckets.push_back({counter.packet_count.get(), counter.byte_count.get()});
    }
    body = body.subspan(length);
  }
  return reply;
}

OfpResult<GroupDescReply> decode_group_desc(std::span<const uint8_t> body) {
  GroupDescReply reply;
  while (!body.empty()) {
    if (body.size() < sizeof(GroupDescEntry)) return err::kBadLen;
    const auto wire = load<GroupDescEntry>(body.data());
    const size_t length = wire.length.get();
    if (length < sizeof wire || length > body.size()) return err::kBadLen;
    if (wire.type > static_cast<uint8_t>(GroupType::kFastFailover)) return err::kBadGroupType;
    OfpResult<BucketList> buckets = decode_buckets(body.subspan(sizeof wire, length - sizeof wire));
    if (!buckets) return buckets.error();
    reply.groups.push_back(
        {static_cast<GroupType>(wire.type), wire.group_id.get(), std::move(buckets).value()});
    body = body.subspan(length);
  }
  return reply;
}

OfpResult<MultipartReply> decode_multipart_reply(std::span<const uint8_t> body) {
  if (body.size() < sizeof(MultipartHeader)) return err::kBadLen;
  const auto header = load<MultipartHeader>(body.data());
  MultipartReply reply;
  reply.flags = header.flags.get();
  body = body.subspan(sizeof header);
  switch (static_cast<MultipartType>(header.type.get())) {
    case MultipartType::kDesc: {
      if (body.size() != sizeof(DescBody)) return err::kBadLen;
      const auto wire = load<DescBody>(body.data());
      reply.body = DescReply{
          fixed_string(wire.mfr_desc, kDescStrLen), fixed_string(wire.hw_desc, kDescStrLen),
          fixed_string(wire.sw_desc, kDescStrLen), fixed_string(wire.serial_num, kSerialNumLen),
          fixed_string(wire.dp_desc, kDescStrLen)};
      return reply;
    }
    case MultipartType::kFlow: {
      OfpResult<FlowStatsReply> flows = decode_flow_stats_reply(body);
      if (!flows) return flows.error();
      reply.body = std::move(flows).value();
      return reply;
    }
    case MultipartType::kAggregate: {
      if (body.size() != 24) return err::kBadLen;
      reply.body = AggregateReply{load<Be64>(body.data()).get(), load<Be64>(body.data() + 8).get(),
                                  load<Be32>(body.data() + 16).get()};
      return reply;
    }
    case MultipartType::kPortStats: {
      if (body.size() % sizeof(PortStatsEntry) != 0) return err::kBadLen;
      PortStatsReply ports;
      for (size_t at = 0; at < body.size(); at += sizeof(PortStatsEntry)) {
        const auto wire = load<PortStatsEntry>(body.data() + at);
        PortStats& port = ports.ports.emplace_back();
        port.port_no = wire.port_no.get();
        uint64_t* counters[] = {&port.rx_packets,  &port.tx_packets, &port.rx_bytes,
                                &port.tx_bytes,    &port.rx_dropped, &port.tx_dropped,
                                &port.rx_errors,   &port.tx_errors,  &port.rx_frame_err,
                                &port.rx_over_err, &port.rx_crc_err, &port.collisions};
        for (size_t i = 0; i < 12; ++i) *counters[i] = wire.counters[i].get();
        port.duration_sec = wire.duration_sec.get();
        port.duration_nsec = wire.duration_nsec.get();
      }
      reply.body = std::move(ports);
      return reply;
    }
    case MultipartType::kTableFeatures: {
      OfpResult<TableFeaturesReply> tables = decode_table_features(body);
      if (!tables) return tables.error();
      reply.body = std::move(tables).value();
      return reply;
    }
    case MultipartType::kPortDesc: {
      if (body.size() % sizeof(PortBody) != 0) return err::kBadLen;
      PortDescReply ports;
      for (size_t at = 0; at < body.size(); at += sizeof(PortBody)) {
        ports.ports.push_back(decode_port(body.data() + at));
      }
      reply.body = std::move(ports);
      return reply;
    }
    case MultipartType::kTable: {
      if (body.size() % sizeof(TableStatsEntry) != 0) return err::kBadLen;
      TableStatsReply tables;
      for (size_t at = 0; at < body.size(); at += sizeof(TableStatsEntry)) {
        const auto wire = load<TableStatsEntry>(body.data() + at);
        tables.tables.push_back({wire.table_id, wire.active_count.get(), wire.lookup_count.get(),
                                 wire.matched_count.get()});
      }
      reply.body = std::move(tables);
      return reply;
    }
    case MultipartType::kGroup: {
      OfpResult<GroupStatsReply> groups = decode_group_stats(body);
      if (!groups) return groups.error();
      reply.body = std::move(groups).value();
      return reply;
    }
    case MultipartType::kGroupDesc: {
      OfpResult<GroupDescReply> groups = decode_group_desc(body);
      if (!groups) return groups.error();
      reply.body = std::move(groups).value();
      return reply;
    }
    case MultipartType::kGroupFeatures: {
      if (body.size() != sizeof(GroupFeaturesBody)) return err::kBadLen;
      const auto wire = load<GroupFeaturesBody>(body.data());
      GroupFeaturesReply features{wire.types.get(), wire.capabilities.get()};
      for (size_t i = 0; i < kGroupTypes; ++i) {
        features.max_groups[i] = wire.max_groups[i].get();
        features.actions[i] = wire.actions[i].get();
      }
      reply.body = features;
      return reply;
    }
    default:
      return err::kBadMultipart;
  }
}

OfpResult<PacketIn> decode_packet_in(std::span<const uint8_t> body) {
  if (body.size() < sizeof(PacketInBody) + sizeof(MatchHeader)) return err::kBadLen;
  const auto wire = load<PacketInBody>(body.data());
  PacketIn packet_in;
  packet_in.buffer_id = wire.buffer_id.get();
  packet_in.total_len = wire.total_len.get();
  packet_in.reason = static_cast<PacketInReason>(wire.reason);
  packet_in.table_id = wire.table_id;
  packet_in.cookie = wire.cookie.get();
  size_t match_size = 0;
  OfpResult<Match> match = decode_match(body.subspan(sizeof wire), &match_size);
  if (!match) return match.error();
  packet_in.match = std::move(match).value();
  const size_t data_at = sizeof wire + match_size + kPacketInPad;
  if (data_at > body.size()) return err::kBadLen;
  packet_in.data.assign(body.begin() + data_at, body.end());
  // The frame may be cut short (max_len, miss_send_len), never be longer than it was.
  if (packet_in.data.size() > packet_in.total_len) return err::kBadLen;
  return packet_in;
}

OfpResult<FlowRemoved> decode_flow_removed(std::span<const uint8_t> body) {
  if (body.size() < sizeof(FlowRemovedBody) + sizeof(MatchHeader)) return err::kBadLen;
  const auto wire = load<FlowRemovedBody>(body.data());
  FlowRemoved removed;
  removed.cookie = wire.cookie.get();
  removed.priority = wire.priority.get();
  removed.reason = static_cast<FlowRemovedReason>(wire.reason);
  removed.table_id = wire.table_id;
  removed.duration_sec = wire.duration_sec.get();
  removed.duration_nsec = wire.duration_nsec.get();
  removed.idle_timeout = wire.idle_timeout.get();
  removed.hard_timeout = wire.hard_timeout.get();
  removed.packet_count = wire.packet_count.get();
  removed.byte_count = wire.byte_count.get();
  size_t match_size = 0;
  OfpResult<Match> match = decode_match(body.subspan(sizeof wire), &match_size);
  if (!match) return match.error();
  if (sizeof wire + match_size != body.size()) return err::kBadLen;
  removed.match = std::move(match).value();
  return removed;
}

OfpResult<PortStatus> decode_port_status(std::span<const uint8_t> body) {
  if (body.size() != sizeof(PortStatusBody) + sizeof(PortBody)) return err::kBadLen;
  return PortStatus{static_cast<PortReason>(load<PortStatusBody>(body.data()).reason),
                    decode_port(body.data() + sizeof(PortStatusBody))};
}

// A packet-out's in_port: a standard port (physical, logical, LOCAL) or CONTROLLER, as the
// specification says, or ANY, which OVS also takes ("in_port=none").
bool valid_packet_out_in_port(uint32_t port) {
  return (port != 0 && port <= kPortMax) || port == kPortLocal || port == kPortController ||
         port == kPortAny;
}

OfpResult<PacketOut> decode_packet_out(std::span<const uint8_t> body) {
  if (body.size() < sizeof(PacketOutBody)) return err::kBadLen;
  const auto wire = load<PacketOutBody>(body.data());
  const size_t actions_len = wire.actions_len.get();
  if (actions_len % 8 != 0 || actions_len > body.size() - sizeof wire) return err::kBadLen;
  PacketOut out;
  out.buffer_id = wire.buffer_id.get();
  out.in_port = wire.in_port.get();
  if (!valid_packet_out_in_port(out.in_port)) return err::kBadPort;
  OfpResult<ActionList> actions = decode_actions(body.subspan(sizeof wire, actions_len));
  if (!actions) return actions.error();
  out.actions = std::move(actions).value();
  out.data.assign(body.begin() + sizeof wire + actions_len, body.end());
  return out;
}

OfpResult<PortMod> decode_port_mod(std::span<const uint8_t> body) {
  if (body.size() != sizeof(PortModBody)) return err::kBadLen;
  const auto wire = load<PortModBody>(body.data());
  PortMod mod;
  mod.port_no = wire.port_no.get();
  std::copy_n(wire.hw_addr, 6, mod.hw_addr.begin());
  mod.config = wire.config.get();
  mod.mask = wire.mask.get();
  mod.advertise = wire.advertise.get();
  // Only standard ports have a configuration; reserved ones other than LOCAL do not.
  if (mod.port_no == 0 || (mod.port_no > kPortMax && mod.port_no != kPortLocal)) {
    return err::kPortModBadPort;
  }
  if ((mod.config | mod.mask) & ~kPortConfigAll) return err::kPortModBadConfig;
  if (mod.advertise & ~kPortFeaturesAll) return err::kPortModBadAdvertise;
  return mod;
}

// GCC 12 at -O2 takes the unused value of an error result for uninitialized here (a false
// positive of Boost.Outcome's trivial storage with this small struct).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
OfpResult<TableMod> decode_table_mod(std::span<const uint8_t> body) {
  if (body.size() != sizeof(TableModBody)) return err::kBadLen;
  const auto wire = load<TableModBody>(body.data());
  TableMod mod{wire.table_id, wire.config.get()};
  if (mod.config & ~kTableConfigDeprecatedMask) return err::kTableModBadConfig;
  return mod;
}
#pragma GCC diagnostic pop

// What the specification (7.3.4.2) makes of a group's type, id and buckets, checked as OVS
// does: a field the type does not define, or an indirect group without exactly one bucket, is
// an invalid group; 1.3.5 asks for the same when a delete carries buckets.
OfpResult<void> check_group_mod(const GroupMod& mod) {
  if (mod.command == GroupModCommand::kDelete) {
    if (mod.group_id > kGroupMax && mod.group_id != kGroupAll) return err::kInvalidGroup;
    if (!mod.buckets.empty()) return err::kInvalidGroup;
    return boost::outcome_v2::success();
  }
  if (mod.group_id > kGroupMax) return err::kInvalidGroup;
  if (mod.type == GroupType::kIndirect && mod.buckets.size() != 1) return err::kInvalidGroup;
  for (const Bucket& bucket : mod.buckets) {
    if (bucket.weight != 0 && mod.type != GroupType::kSelect) return err::kInvalidGroup;
    if (mod.type == GroupType::kFastFailover && bucket.watch_port == kPortAny &&
        bucket.watch_group == kGroupAny) {
      return err::kInvalidGroup;  // a fast failover bucket needs something to watch
    }
  }
  return boost::outcome_v2::success();
}

OfpResult<GroupMod> decode_group_mod(std::span<const uint8_t> body) {
  if (body.size() < sizeof(GroupModBody)) return err::kBadLen;
  const auto wire = load<GroupModBody>(body.data());
  if (wire.command.get() > static_cast<uint16_t>(GroupModCommand::kDelete)) {
    return err::kBadGroupCommand;
  }
  if (wire.type > static_cast<uint8_t>(GroupType::kFastFailover)) return err::kBadGroupType;
  OfpResult<BucketList> buckets = decode_buckets(body.subspan(sizeof wire));
  if (!buckets) return buckets.error();
  GroupMod mod{static_cast<GroupModCommand>(wire.command.get()), static_cast<GroupType>(wire.type),
               wire.group_id.get(), std::move(buckets).value()};
  if (OfpResult<void> checked = check_group_mod(mod); !checked) return checked.error();
  return mod;
}

OfpResult<RoleMessage> decode_role(std::span<const uint8_t> body) {
  if (body.size() != sizeof(RoleRequestBody)) return err::kBadLen;
  const auto wire = load<RoleRequestBody>(body.data());
  if (wire.role.get() > static_cast<uint32_t>(ControllerRole::kSlave)) return err::kBadRole;
  return RoleMessage{static_cast<ControllerRole>(wire.role.get()), wire.generation_id.get()};
}

OfpResult<AsyncConfig> decode_async_config(std::span<const uint8_t> body) {
  if (body.size() != sizeof(AsyncConfigBody)) return err::kBadLen;
  const auto wire = load<AsyncConfigBody>(body.data());
  AsyncConfig config;
  for (size_t i = 0; i < 2; ++i) {
    config.packet_in_mask[i] = wire.packet_in_mask[i].get();
    config.port_status_mask[i] = wire.port_status_mask[i].get();
    config.flow_removed_mask[i] = wire.flow_removed_mask[i].get();
  }
  return config;
}

OfpResult<SwitchConfigBody> decode_switch_config(std::span<const uint8_t> body) {
  if (body.size() != sizeof(SwitchConfig)) return err::kBadLen;
  const auto wire = load<SwitchConfig>(body.data());
  return SwitchConfigBody{wire.flags.get(), wire.miss_send_len.get()};
}

template <class T>
OfpResult<Body> empty_body(std::span<const uint8_t> body) {
  if (!body.empty()) return err::kBadLen;
  return Body(T{});
}

template <class T, class U>
OfpResult<Body> wrap(OfpResult<U> decoded) {
  if (!decoded) return decoded.error();
  return Body(T{std::move(decoded).value()});
}

OfpResult<Body> decode_body(const HeaderView& header, std::span<const uint8_t> body) {
  switch (static_cast<Type>(header.type)) {
    case Type::kHello:
      return wrap<Hello>(decode_hello(header.version, body));
    case Type::kError: {
      if (body.size() < sizeof(ErrorBody)) return err::kBadLen;
      const auto wire = load<ErrorBody>(body.data());
      return Body(
          ErrorMsg{{wire.type.get(), wire.code.get()}, {body.begin() + sizeof wire, body.end()}});
    }
    case Type::kEchoRequest:
      return Body(EchoRequest{{body.begin(), body.end()}});
    case Type::kEchoReply:
      return Body(EchoReply{{body.begin(), body.end()}});
    case Type::kFeaturesRequest:
      return empty_body<FeaturesRequest>(body);
    case Type::kFeaturesReply: {
      if (body.size() != sizeof(SwitchFeatures)) return err::kBadLen;
      const auto wire = load<SwitchFeatures>(body.data());
      return Body(FeaturesReply{wire.datapath_id.get(), wire.n_buffers.get(), wire.n_tables,
                                wire.auxiliary_id, wire.capabilities.get()});
    }
    case Type::kGetConfigRequest:
      return empty_body<GetConfigRequest>(body);
    case Type::kGetConfigReply:
      return wrap<GetConfigReply>(decode_switch_config(body));
    case Type::kSetConfig:
      return wrap<SetConfig>(decode_switch_config(body));
    case Type::kFlowMod:
      return wrap<FlowMod>(decode_flow_mod(body));
    case Type::kBarrierRequest:
      return empty_body<BarrierRequest>(body);
    case Type::kBarrierReply:
      return empty_body<BarrierReply>(body);
    case Type::kMultipartRequest:
      return wrap<MultipartRequest>(decode_multipart_request(body));
    case Type::kMultipartReply:
      return wrap<MultipartReply>(decode_multipart_reply(body));
    case Type::kPacketIn:
      return wrap<PacketIn>(decode_packet_in(body));
    case Type::kFlowRemoved:
      return wrap<FlowRemoved>(decode_flow_removed(body));
    case Type::kPortStatus:
      return wrap<PortStatus>(decode_port_status(body));
    case Type::kPacketOut:
      return wrap<PacketOut>(decode_packet_out(body));
    case Type::kPortMod:
      return wrap<PortMod>(decode_port_mod(body));
    case Type::kTableMod:
      return wrap<TableMod>(decode_table_mod(body));
    case Type::kGroupMod:
      return wrap<GroupMod>(decode_group_mod(body));
    case Type::kRoleRequest:
      return wrap<RoleRequest>(decode_role(body));
    case Type::kRoleReply:
      return wrap<RoleReply>(decode_role(body));
    case Type::kGetAsyncRequest:
      return empty_body<GetAsyncRequest>(body);
    case Type::kGetAsyncReply:
      return wrap<GetAsyncReply>(decode_async_config(body));
    case Type::kSetAsync:
      return wrap<SetAsync>(decode_async_config(body));
    case Type::kExperimenter:
      return err::kBadExperimenter;
    default:
      return err::kBadType;
  }
}

// Encoding: each alternative appends its body after the header.
struct BodyEncoder {
  std::vector<uint8_t>& out;

  uint8_t operator()(const Hello& hello) {
    if (hello.versions) {
      HelloElemHeader element;
      element.type.set(kHelloElemVersionBitmap);
      element.length.set(8);
      append(out, element);
      Be32 bitmap;
      bitmap.set(*hello.versions);
      append(out, bitmap);
    }
    return static_cast<uint8_t>(Type::kHello);
  }
  uint8_t operator()(const ErrorMsg& error) {
    ErrorBody wire;
    wire.type.set(error.error.type);
    wire.code.set(error.error.code);
    append(out, wire);
    out.insert(out.end(), error.data.begin(), error.data.end());
    return static_cast<uint8_t>(Type::kError);
  }
  uint8_t operator()(const EchoRequest& echo) {
    out.insert(out.end(), echo.data.begin(), echo.data.end());
    return static_cast<uint8_t>(Type::kEchoRequest);
  }
  uint8_t operator()(const EchoReply& echo) {
    out.insert(out.end(), echo.data.begin(), echo.data.end());
    return static_cast<uint8_t>(Type::kEchoReply);
  }
  uint8_t operator()(const FeaturesRequest&) {
    return static_cast<uint8_t>(Type::kFeaturesRequest);
  }
  uint8_t operator()(const FeaturesReply& features) {
    SwitchFeatures wire{};
    wire.datapath_id.set(features.datapath_id);
    wire.n_buffers.set(features.n_buffers);
    wire.n_tables = features.n_tables;
    wire.auxiliary_id = features.auxiliary_id;
    wire.capabilities.set(features.capabilities);
    append(out, wire);
    return static_cast<uint8_t>(Type::kFeaturesReply);
  }
  uint8_t operator()(const GetConfigRequest&) {
    return static_cast<uint8_t>(Type::kGetConfigRequest);
  }
  uint8_t config(const SwitchConfigBody& config, Type type) {
    SwitchConfig wire;
    wire.flags.set(config.flags);
    wire.miss_send_len.set(config.miss_send_len);
    append(out, wire);
    return static_cast<uint8_t>(type);
  }
  uint8_t operator()(const GetConfigReply& reply) { return config(reply, Type::kGetConfigReply); }
  uint8_t operator()(const SetConfig& set) { return config(set, Type::kSetConfig); }
  uint8_t operator()(const FlowMod& mod) {
    FlowModBody wire{};
    wire.cookie.set(mod.cookie);
    wire.cookie_mask.set(mod.cookie_mask);
    wire.table_id = mod.table_id;
    wire.command = static_cast<uint8_t>(mod.command);
    wire.idle_timeout.set(mod.idle_timeout);
    wire.hard_timeout.set(mod.hard_timeout);
    wire.priority.set(mod.priority);
    wire.buffer_id.set(mod.buffer_id);
    wire.out_port.set(mod.out_port);
    wire.out_group.set(mod.out_group);
    wire.flags.set(mod.flags);
    append(out, wire);
    encode_match(mod.match, out);
    encode_instructions(mod.instructions, out);
    return static_cast<uint8_t>(Type::kFlowMod);
  }
  uint8_t operator()(const BarrierRequest&) { return static_cast<uint8_t>(Type::kBarrierRequest); }
  uint8_t operator()(const BarrierReply&) { return static_cast<uint8_t>(Type::kBarrierReply); }

  void multipart_header(MultipartType type, uint16_t flags) {
    MultipartHeader wire{};
    wire.type.set(static_cast<uint16_t>(type));
    wire.flags.set(flags);
    append(out, wire);
  }
  uint8_t operator()(const MultipartRequest& request) {
    std::visit([&](const auto& body) { request_body(body, request.flags); }, request.body);
    return static_cast<uint8_t>(Type::kMultipartRequest);
  }
  void request_body(const DescRequest&, uint16_t flags) {
    multipart_header(MultipartType::kDesc, flags);
  }
  void request_body(const PortDescRequest&, uint16_t flags) {
    multipart_header(MultipartType::kPortDesc, flags);
  }
  void request_body(const TableFeaturesRequest& tables, uint16_t flags) {
    multipart_header(MultipartType::kTableFeatures, flags);
    out.insert(out.end(), tables.tables.begin(), tables.tables.end());
  }
  void request_body(const PortStatsRequest& ports, uint16_t flags) {
    multipart_header(MultipartType::kPortStats, flags);
    Be32 port_no;
    port_no.set(ports.port_no);
    append(out, port_no);
    out.insert(out.end(), 4, 0);
  }
  void request_body(const FlowStatsRequest& flows, uint16_t flags) {
    multipart_header(flows.aggregate ? MultipartType::kAggregate : MultipartType::kFlow, flags);
    FlowStatsRequestBody wire{};
    wire.table_id = flows.table_id;
    wire.out_port.set(flows.out_port);
    wire.out_group.set(flows.out_group);
    wire.cookie.set(flows.cookie);
    wire.cookie_mask.set(flows.cookie_mask);
    append(out, wire);
    encode_match(flows.match, out);
  }
  void request_body(const TableStatsRequest&, uint16_t flags) {
    multipart_header(MultipartType::kTable, flags);
  }
  void request_body(const GroupStatsRequest& groups, uint16_t flags) {
    multipart_header(MultipartType::kGroup, flags);
    GroupStatsRequestBody wire{};
    wire.group_id.set(groups.group_id);
    append(out, wire);
  }
  void request_body(const GroupDescRequest&, uint16_t flags) {
    multipart_header(MultipartType::kGroupDesc, flags);
  }
  void request_body(const GroupFeaturesRequest&, uint16_t flags) {
    multipart_header(MultipartType::kGroupFeatures, flags);
  }

  uint8_t operator()(const MultipartReply& reply) {
    std::visit([&](const auto& body) { reply_body(body, reply.flags); }, reply.body);
    return static_cast<uint8_t>(Type::kMultipartReply);
  }
  void reply_body(const DescReply& desc, uint16_t flags) {
    multipart_header(MultipartType::kDesc, flags);
    DescBody wire;
    set_fixed_string(wire.mfr_desc, kDescStrLen, desc.manufacturer);
    set_fixed_string(wire.hw_desc, kDescStrLen, desc.hardware);
    set_fixed_string(wire.sw_desc, kDescStrLen, desc.software);
    set_fixed_string(wire.serial_num, kSerialNumLen, desc.serial_number);
    set_fixed_string(wire.dp_desc, kDescStrLen, desc.datapath);
    append(out, wire);
  }
  void reply_body(const FlowStatsReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kFlow, flags);
    for (const FlowStats& flow : reply.flows) {
      const size_t start = out.size();
      FlowStatsEntry wire{};
      wire.table_id = flow.table_id;
      wire.duration_sec.set(flow.duration_sec);
      wire.duration_nsec.set(flow.duration_nsec);
      wire.priority.set(flow.priority);
      wire.idle_timeout.set(flow.idle_timeout);
      wire.hard_timeout.set(flow.hard_timeout);
      wire.flags.set(flow.flags);
      wire.cookie.set(flow.cookie);
      wire.packet_count.set(flow.packet_count);
      wire.byte_count.set(flow.byte_count);
      append(out, wire);
      encode_match(flow.match, out);
      encode_instructions(flow.instructions, out);
      Be16 length;
      length.set(static_cast<uint16_t>(out.size() - start));
      std::memcpy(out.data() + start, &length, sizeof length);
    }
  }
  void reply_body(const AggregateReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kAggregate, flags);
    Be64 packets, bytes;
    Be32 count;
    packets.set(reply.packet_count);
    bytes.set(reply.byte_count);
    count.set(reply.flow_count);
    append(out, packets);
    append(out, bytes);
    append(out, count);
    out.insert(out.end(), 4, 0);
  }
  void property(TableFeatureProp type, const std::vector<uint8_t>& data) {
    Be16 wire_type, length;
    wire_type.set(static_cast<uint16_t>(type));
    length.set(static_cast<uint16_t>(4 + data.size()));
    append(out, wire_type);
    append(out, length);
    out.insert(out.end(), data.begin(), data.end());
    out.resize(out.size() + (8 - (4 + data.size()) % 8) % 8, 0);
  }
  static void put32(std::vector<uint8_t>& data, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
      data.push_back(static_cast<uint8_t>(value >> shift));
  }
  void header_property(TableFeatureProp type, const std::vector<uint16_t>& types) {
    std::vector<uint8_t> data;
    for (uint16_t t : types) put32(data, uint32_t{t} << 16 | 4);  // type, length 4
    property(type, data);
  }
  void oxm_property(TableFeatureProp type, const std::vector<uint32_t>& headers) {
    std::vector<uint8_t> data;
    for (uint32_t h : headers) put32(data, h);
    property(type, data);
  }
  void reply_body(const TableFeaturesReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kTableFeatures, flags);
    for (const TableFeatures& table : reply.tables) {
      const size_t start = out.size();
      TableFeaturesEntry wire{};
      wire.table_id = table.table_id;
      set_fixed_string(wire.name, kMaxTableNameLen, table.name);
      wire.metadata_match.set(table.metadata_match);
      wire.metadata_write.set(table.metadata_write);
      wire.config.set(table.config);
      wire.max_entries.set(table.max_entries);
      append(out, wire);
      header_property(TableFeatureProp::kInstructions, table.instructions);
      property(TableFeatureProp::kNextTables, table.next_tables);
      header_property(TableFeatureProp::kWriteActions, table.write_actions);
      header_property(TableFeatureProp::kApplyActions, table.apply_actions);
      oxm_property(TableFeatureProp::kMatch, table.match);
      oxm_property(TableFeatureProp::kWildcards, table.wildcards);
      oxm_property(TableFeatureProp::kWriteSetfield, table.write_setfield);
      oxm_property(TableFeatureProp::kApplySetfield, table.apply_setfield);
      Be16 length;
      length.set(static_cast<uint16_t>(out.size() - start));
      std::memcpy(out.data() + start, &length, sizeof length);
    }
  }
  void reply_body(const PortStatsReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kPortStats, flags);
    for (const PortStats& port : reply.ports) {
      PortStatsEntry wire{};
      wire.port_no.set(port.port_no);
      const uint64_t counters[] = {port.rx_packets,  port.tx_packets, port.rx_bytes,
                                   port.tx_bytes,    port.rx_dropped, port.tx_dropped,
                                   port.rx_errors,   port.tx_errors,  port.rx_frame_err,
                                   port.rx_over_err, port.rx_crc_err, port.collisions};
      for (size_t i = 0; i < 12; ++i) wire.counters[i].set(counters[i]);
      wire.duration_sec.set(port.duration_sec);
      wire.duration_nsec.set(port.duration_nsec);
      append(out, wire);
    }
  }
  void port(const PortDesc& port) {  // a port description, also a port status's
    PortBody wire{};
    wire.port_no.set(port.port_no);
    std::copy(port.hw_addr.begin(), port.hw_addr.end(), wire.hw_addr);
    set_fixed_string(wire.name, kMaxPortNameLen, port.name);
    wire.config.set(port.config);
    wire.state.set(port.state);
    wire.curr.set(port.curr);
    wire.advertised.set(port.advertised);
    wire.supported.set(port.supported);
    wire.peer.set(port.peer);
    wire.curr_speed.set(port.curr_speed);
    wire.max_speed.set(port.max_speed);
    append(out, wire);
  }
  void reply_body(const PortDescReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kPortDesc, flags);
    for (const PortDesc& desc : reply.ports) port(desc);
  }
  void reply_body(const TableStatsReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kTable, flags);
    for (const TableStats& table : reply.tables) {
      TableStatsEntry wire{};
      wire.table_id = table.table_id;
      wire.active_count.set(table.active_count);
      wire.lookup_count.set(table.lookup_count);
      wire.matched_count.set(table.matched_count);
      append(out, wire);
    }
  }
  void reply_body(const GroupStatsReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kGroup, flags);
    for (const GroupStats& group : reply.groups) {
      GroupStatsEntry wire{};
      wire.length.set(
          static_cast<uint16_t>(sizeof wire + group.buckets.size() * sizeof(BucketCounterEntry)));
      wire.group_id.set(group.group_id);
      wire.ref_count.set(group.ref_count);
      wire.packet_count.set(group.packet_count);
      wire.byte_count.set(group.byte_count);
      wire.duration_sec.set(group.duration_sec);
      wire.duration_nsec.set(group.duration_nsec);
      append(out, wire);
      for (const BucketStats& bucket : group.buckets) {
        BucketCounterEntry counter;
        counter.packet_count.set(bucket.packet_count);
        counter.byte_count.set(bucket.byte_count);
        append(out, counter);
      }
    }
  }
  void reply_body(const GroupDescReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kGroupDesc, flags);
    for (const GroupDesc& group : reply.groups) {
      const size_t start = out.size();
      GroupDescEntry wire{};
      wire.type = static_cast<uint8_t>(group.type);
      wire.group_id.set(group.group_id);
      append(out, wire);
      encode_buckets(group.buckets, out);
      Be16 length;
      length.set(static_cast<uint16_t>(out.size() - start));
      std::memcpy(out.data() + start, &length, sizeof length);
    }
  }
  void reply_body(const GroupFeaturesReply& reply, uint16_t flags) {
    multipart_header(MultipartType::kGroupFeatures, flags);
    GroupFeaturesBody wire;
    wire.types.set(reply.types);
    wire.capabilities.set(reply.capabilities);
    for (size_t i = 0; i < kGroupTypes; ++i) {
      wire.max_groups[i].set(reply.max_groups[i]);
      wire.actions[i].set(reply.actions[i]);
    }
    append(out, wire);
  }

  uint8_t operator()(const PacketIn& packet_in) {
    PacketInBody wire{};
    wire.buffer_id.set(packet_in.buffer_id);
    wire.total_len.set(packet_in.total_len);
    wire.reason = static_cast<uint8_t>(packet_in.reason);
    wire.table_id = packet_in.table_id;
    wire.cookie.set(packet_in.cookie);
    append(out, wire);
    encode_match(packet_in.match, out);
    out.insert(out.end(), kPacketInPad, 0);
    out.insert(out.end(), packet_in.data.begin(), packet_in.data.end());
    return static_cast<uint8_t>(Type::kPacketIn);
  }
  uint8_t operator()(const FlowRemoved& removed) {
    FlowRemovedBody wire{};
    wire.cookie.set(removed.cookie);
    wire.priority.set(removed.priority);
    wire.reason = static_cast<uint8_t>(removed.reason);
    wire.table_id = removed.table_id;
    wire.duration_sec.set(removed.duration_sec);
    wire.duration_nsec.set(removed.duration_nsec);
    wire.idle_timeout.set(removed.idle_timeout);
    wire.hard_timeout.set(removed.hard_timeout);
    wire.packet_count.set(removed.packet_count);
    wire.byte_count.set(removed.byte_count);
    append(out, wire);
    encode_match(removed.match, out);
    return static_cast<uint8_t>(Type::kFlowRemoved);
  }
  uint8_t operator()(const PortStatus& status) {
    PortStatusBody wire{};
    wire.reason = static_cast<uint8_t>(status.reason);
    append(out, wire);
    port(status.desc);
    return static_cast<uint8_t>(Type::kPortStatus);
  }
  uint8_t operator()(const PacketOut& packet_out) {
    const size_t start = out.size();
    PacketOutBody wire{};
    wire.buffer_id.set(packet_out.buffer_id);
    wire.in_port.set(packet_out.in_port);
    append(out, wire);
    encode_actions(packet_out.actions, out);
    wire.actions_len.set(static_cast<uint16_t>(out.size() - start - sizeof wire));
    std::memcpy(out.data() + start, &wire, sizeof wire);
    out.insert(out.end(), packet_out.data.begin(), packet_out.data.end());
    return static_cast<uint8_t>(Type::kPacketOut);
  }
  uint8_t operator()(const PortMod& mod) {
    PortModBody wire{};
    wire.port_no.set(mod.port_no);
    std::copy(mod.hw_addr.begin(), mod.hw_addr.end(), wire.hw_addr);
    wire.config.set(mod.config);
    wire.mask.set(mod.mask);
    wire.advertise.set(mod.advertise);
    append(out, wire);
    return static_cast<uint8_t>(Type::kPortMod);
  }
  uint8_t operator()(const TableMod& mod) {
    TableModBody wire{};
    wire.table_id = mod.table_id;
    wire.config.set(mod.config);
    append(out, wire);
    return static_cast<uint8_t>(Type::kTableMod);
  }
  uint8_t operator()(const GroupMod& mod) {
    GroupModBody wire{};
    wire.command.set(static_cast<uint16_t>(mod.command));
    wire.type = static_cast<uint8_t>(mod.type);
    wire.group_id.set(mod.group_id);
    append(out, wire);
    encode_buckets(mod.buckets, out);
    return static_cast<uint8_t>(Type::kGroupMod);
  }
  uint8_t role(const RoleMessage& message, Type type) {
    RoleRequestBody wire{};
    wire.role.set(static_cast<uint32_t>(message.role));
    wire.generation_id.set(message.generation_id);
    append(out, wire);
    return static_cast<uint8_t>(type);
  }
  uint8_t operator()(const RoleRequest& request) { return role(request, Type::kRoleRequest); }
  uint8_t operator()(const RoleReply& reply) { return role(reply, Type::kRoleReply); }
  uint8_t operator()(const GetAsyncRequest&) {
    return static_cast<uint8_t>(Type::kGetAsyncRequest);
  }
  uint8_t async_config(const AsyncConfig& config, Type type) {
    AsyncConfigBody wire;
    for (size_t i = 0; i < 2; ++i) {
      wire.packet_in_mask[i].set(config.packet_in_mask[i]);
      wire.port_status_mask[i].set(config.port_status_mask[i]);
      wire.flow_removed_mask[i].set(config.flow_removed_mask[i]);
    }
    append(out, wire);
    return static_cast<uint8_t>(type);
  }
  uint8_t operator()(const GetAsyncReply& reply) {
    return async_config(reply, Type::kGetAsyncReply);
  }
  uint8_t operator()(const SetAsync& set) { return async_config(set, Type::kSetAsync); }
};

void write_header(std::vector<uint8_t>& out, uint8_t version, uint8_t type, uint32_t xid) {
  Header header;
  header.version = version;
  header.type = type;
  header.length.set(static_cast<uint16_t>(out.size()));
  header.xid.set(xid);
  std::memcpy(out.data(), &header, sizeof header);
}

}  // namespace

std::optional<HeaderView> peek_header(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(Header)) return std::nullopt;
  const auto header = load<Header>(bytes.data());
  return HeaderView{header.version, header.type, header.length.get(), header.xid.get()};
}

OfpResult<Message> decode(std::span<const uint8_t> bytes) {
  const std::optional<HeaderView> header = peek_header(bytes);
  if (!header || header->length != bytes.size()) return err::kBadLen;
  if (header->type != static_cast<uint8_t>(Type::kHello) && header->version != kVersion13) {
    return err::kBadVersion;
  }
  OfpResult<Body> body = decode_body(*header, bytes.subspan(sizeof(Header)));
  if (!body) return body.error();
  return Message{header->xid, std::move(body).value()};
}

std::vector<uint8_t> encode(const Message& message) {
  std::vector<uint8_t> out(sizeof(Header));
  const uint8_t type = std::visit(BodyEncoder{out}, message.body);
  const auto* hello = std::get_if<Hello>(&message.body);
  write_header(out, hello ? hello->version : kVersion13, type, message.xid);
  return out;
}

std::vector<uint8_t> encode_error_reply(OfpError error, std::span<const uint8_t> request) {
  const uint32_t xid = peek_header(request) ? peek_header(request)->xid : 0;
  const size_t keep = std::min(request.size(), kErrorDataMax);
  return encode({xid, ErrorMsg{error, {request.begin(), request.begin() + keep}}});
}

}  // namespace vs::controller::ofp
