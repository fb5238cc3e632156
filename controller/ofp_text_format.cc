// ovs-ofctl's printing (ofp_text.h): whole messages as ofp-print shows them, flows, actions and
// ports, error names and hex dumps. Match printing and the other shared pieces are in
// ofp_text_fields.{h,cc}; parsing is in ofp_text.cc.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "controller/ofp_text.h"
#include "controller/ofp_text_fields.h"

namespace vs::controller::ofp {
using namespace text;  // the pieces shared with parsing (ofp_text_fields.h)
namespace {

// ---------------------------------------------------------------------------------------
// Printing whole messages.

std::string version_tag(uint8_t version) {
  if (version <= 1) return "";
  return " (OF1." + std::to_string(version - 1) + ")";
}

constexpr std::string_view kTypeNames[] = {
    "OFPT_HELLO",
    "OFPT_ERROR",
    "OFPT_ECHO_REQUEST",
    "OFPT_ECHO_REPLY",
    "OFPT_EXPERIMENTER",
    "OFPT_FEATURES_REQUEST",
    "OFPT_FEATURES_REPLY",
    "OFPT_GET_CONFIG_REQUEST",
    "OFPT_GET_CONFIG_REPLY",
    "OFPT_SET_CONFIG",
    "OFPT_PACKET_IN",
    "OFPT_FLOW_REMOVED",
    "OFPT_PORT_STATUS",
    "OFPT_PACKET_OUT",
    "OFPT_FLOW_MOD",
    "OFPT_GROUP_MOD",
    "OFPT_PORT_MOD",
    "OFPT_TABLE_MOD",
    "OFPT_MULTIPART_REQUEST",
    "OFPT_MULTIPART_REPLY",
    "OFPT_BARRIER_REQUEST",
    "OFPT_BARRIER_REPLY",
    "OFPT_QUEUE_GET_CONFIG_REQUEST",
    "OFPT_QUEUE_GET_CONFIG_REPLY",
    "OFPT_ROLE_REQUEST",
    "OFPT_ROLE_REPLY",
    "OFPT_GET_ASYNC_REQUEST",
    "OFPT_GET_ASYNC_REPLY",
    "OFPT_SET_ASYNC",
    "OFPT_METER_MOD",
};
constexpr std::string_view kMultipartNames[] = {
    "DESC",         "FLOW",           "AGGREGATE",      "TABLE",          "PORT",
    "QUEUE",        "GROUP",          "GROUP_DESC",     "GROUP_FEATURES", "METER",
    "METER_CONFIG", "METER_FEATURES", "TABLE_FEATURES", "PORT_DESC",
};

// "OFPST_FLOW reply (OF1.3) (xid=0x2):" and the like.
std::string header_line(std::span<const uint8_t> bytes) {
  const std::optional<HeaderView> h = peek_header(bytes);
  if (!h) return "";
  std::string name = h->type < std::size(kTypeNames)
                         ? std::string(kTypeNames[h->type])
                         : "OFPT_UNKNOWN(" + std::to_string(h->type) + ")";
  if ((h->type == 18 || h->type == 19) && bytes.size() >= 10) {
    const uint16_t mp = static_cast<uint16_t>(bytes[8] << 8 | bytes[9]);
    name =
        "OFPST_" +
        (mp < std::size(kMultipartNames) ? std::string(kMultipartNames[mp]) : std::to_string(mp)) +
        (h->type == 18 ? " request" : " reply");
  }
  char xid[32];
  std::snprintf(xid, sizeof xid, " (xid=0x%x):", h->xid);
  return name + version_tag(h->version) + xid;
}

std::string format_duration(uint32_t sec, uint32_t nsec) {
  std::string text = std::to_string(sec);
  if (nsec > 0) {
    char buffer[16];
    if (nsec % 1000000 == 0) {
      std::snprintf(buffer, sizeof buffer, ".%03u", nsec / 1000000);
    } else {
      std::snprintf(buffer, sizeof buffer, ".%09u", nsec);
      for (size_t n = std::strlen(buffer); buffer[n - 1] == '0'; --n) buffer[n - 1] = '\0';
    }
    text += buffer;
  }
  return text + "s";
}

std::string counter(uint64_t n) { return n == UINT64_MAX ? "?" : std::to_string(n); }

std::string flag_names(uint16_t flags) {
  constexpr std::string_view kNames[] = {"send_flow_rem", "check_overlap", "reset_counts",
                                         "no_packet_counts", "no_byte_counts"};
  std::string text;
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (flags & (1 << i)) text += (text.empty() ? "" : " ") + std::string(kNames[i]);
  }
  return text;
}

std::string bit_names(uint32_t bits, std::span<const std::pair<uint32_t, std::string_view>> names) {
  std::string text;
  for (const auto& [bit, name] : names) {
    if (bits & bit) text += (text.empty() ? "" : " ") + std::string(name);
  }
  return text.empty() ? "0" : text;
}

std::string format_port_desc(const PortDesc& port, const FormatOptions& options) {
  static constexpr std::pair<uint32_t, std::string_view> kConfig[] = {
      {1, "PORT_DOWN"}, {4, "NO_RECV"}, {0x20, "NO_FWD"}, {0x40, "NO_PACKET_IN"}};
  static constexpr std::pair<uint32_t, std::string_view> kState[] = {
      {1, "LINK_DOWN"}, {2, "BLOCKED"}, {4, "LIVE"}};
  static constexpr std::pair<uint32_t, std::string_view> kFeatures[] = {
      {1, "10MB-HD"},         {2, "10MB-FD"},
      {4, "100MB-HD"},        {8, "100MB-FD"},
      {0x10, "1GB-HD"},       {0x20, "1GB-FD"},
      {0x40, "10GB-FD"},      {0x80, "40GB-FD"},
      {0x100, "100GB-FD"},    {0x200, "1TB-FD"},
      {0x400, "OTHER"},       {0x800, "COPPER"},
      {0x1000, "FIBER"},      {0x2000, "AUTO_NEG"},
      {0x4000, "AUTO_PAUSE"}, {0x8000, "AUTO_PAUSE_ASYM"}};
  FormatOptions numbers = options;
  numbers.names = nullptr;
  std::string text = " " + format_port(port.port_no, numbers) + "(" + port.name +
                     "): addr:" + format_mac(port.hw_addr.data()) + "\n";
  text += "     config:     " + bit_names(port.config, kConfig) + "\n";
  text += "     state:      " + bit_names(port.state, kState) + "\n";
  const std::pair<const char*, uint32_t> features[] = {{"current:    ", port.curr},
                                                       {"advertised: ", port.advertised},
                                                       {"supported:  ", port.supported},
                                                       {"peer:       ", port.peer}};
  for (const auto& [label, bits] : features) {
    if (bits) text += "     " + std::string(label) + bit_names(bits, kFeatures) + "\n";
  }
  return text + "     speed: " + std::to_string(port.curr_speed / 1000) + " Mbps now, " +
         std::to_string(port.max_speed / 1000) + " Mbps max\n";
}

std::string format_buckets(const BucketList& buckets, const FormatOptions& options) {
  std::string text;
  for (const Bucket& bucket : buckets) {
    text += ",bucket=";
    if (bucket.weight) text += "weight:" + std::to_string(bucket.weight) + ",";
    if (bucket.watch_port != kPortAny)
      text += "watch_port:" + format_port(bucket.watch_port, options) + ",";
    if (bucket.watch_group != kGroupAny)
      text += "watch_group:" + std::to_string(bucket.watch_group) + ",";
    text += "actions=" + format_actions(bucket.actions, options);
  }
  return text;
}

constexpr std::string_view kGroupTypeNames[] = {"all", "select", "indirect", "ff"};

std::string format_group(GroupType type, uint32_t id, const BucketList& buckets,
                         const FormatOptions& options) {
  const auto t = static_cast<size_t>(type);
  return "group_id=" + std::to_string(id) + ",type=" +
         (t < std::size(kGroupTypeNames) ? std::string(kGroupTypeNames[t]) : std::to_string(t)) +
         format_buckets(buckets, options);
}

std::string format_flow_mod(const FlowMod& mod, const FormatOptions& options) {
  constexpr std::string_view kCommands[] = {"ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT"};
  std::string text = " " + std::string(kCommands[static_cast<size_t>(mod.command)]);
  if (mod.table_id != 0) text += " table:" + std::to_string(mod.table_id);
  const std::string match = format_match(mod.match, mod.priority, options);
  if (!match.empty()) text += " " + match;
  if (mod.cookie_mask != 0) {
    text += " cookie:" + hex(mod.cookie) + "/" + hex(mod.cookie_mask);
  } else if (mod.command == FlowModCommand::kAdd && mod.cookie != 0 && mod.cookie != UINT64_MAX) {
    text += " cookie:" + hex(mod.cookie);
  }
  if (mod.idle_timeout) text += " idle:" + std::to_string(mod.idle_timeout);
  if (mod.hard_timeout) text += " hard:" + std::to_string(mod.hard_timeout);
  if (mod.buffer_id != kNoBuffer) text += " buf:" + hex(mod.buffer_id);
  if (mod.out_port != kPortAny) text += " out_port:" + format_port(mod.out_port, options);
  if (mod.flags) text += " " + flag_names(mod.flags);
  return text + " actions=" + format_instructions(mod.instructions, options);
}

// One entry per table, blank lines between; a run of tables whose counters equal the previous
// one's is one "ditto" entry.
std::string format_table_stats(const TableStatsReply& reply) {
  std::vector<std::string> entries;
  const TableStats* previous = nullptr;
  size_t run = 0;
  auto end_run = [&] {
    if (run == 1) entries.push_back("  table " + std::to_string(previous->table_id) + ": ditto\n");
    if (run > 1) {
      entries.push_back("  tables " + std::to_string(previous->table_id + 1 - run) + "..." +
                        std::to_string(previous->table_id) + ": ditto\n");
    }
    run = 0;
  };
  for (const TableStats& table : reply.tables) {
    if (previous && table.active_count == previous->active_count &&
        table.lookup_count == previous->lookup_count &&
        table.matched_count == previous->matched_count) {
      ++run;
    } else {
      end_run();
      entries.push_back("  table " + std::to_string(table.table_id) +
                        ":\n    active=" + std::to_string(table.active_count) +
                        ", lookup=" + counter(table.lookup_count) +
                        ", matched=" + counter(table.matched_count) + "\n");
    }
    previous = &table;
  }
  end_run();
  std::string text;
  for (const std::string& entry : entries) text += (text.empty() ? "" : "\n") + entry;
  return text;
}

// The body of a multipart reply; `line` is the header line, to which some replies add.
std::string format_multipart_reply(const MultipartReply& reply, std::string line,
                                   const FormatOptions& options) {
  if (reply.flags & kMultipartMore) line += " flags=[more]";
  std::string text;
  if (const auto* flows = std::get_if<FlowStatsReply>(&reply.body)) {
    for (const FlowStats& flow : flows->flows) text += format_flow_stats(flow, options) + "\n";
  } else if (const auto* aggregate = std::get_if<AggregateReply>(&reply.body)) {
    line += " packet_count=" + counter(aggregate->packet_count) +
            " byte_count=" + counter(aggregate->byte_count) +
            " flow_count=" + std::to_string(aggregate->flow_count);
  } else if (const auto* ports = std::get_if<PortStatsReply>(&reply.body)) {
    line += " " + std::to_string(ports->ports.size()) + " ports";
    for (const PortStats& p : ports->ports) {
      // One space more for ports 0-9, so that single digits line up (also with --names).
      const std::string name = (p.port_no < 10 ? " " : "") + format_port(p.port_no, options);
      text += "  port " + name + ": rx pkts=" + counter(p.rx_packets) +
              ", bytes=" + counter(p.rx_bytes) + ", drop=" + counter(p.rx_dropped) +
              ", errs=" + counter(p.rx_errors) + ", frame=" + counter(p.rx_frame_err) +
              ", over=" + counter(p.rx_over_err) + ", crc=" + counter(p.rx_crc_err) + "\n";
      text += "           tx pkts=" + counter(p.tx_packets) + ", bytes=" + counter(p.tx_bytes) +
              ", drop=" + counter(p.tx_dropped) + ", errs=" + counter(p.tx_errors) +
              ", coll=" + counter(p.collisions) + "\n";
      if (p.duration_sec != UINT32_MAX) {
        text += "           duration=" + format_duration(p.duration_sec, p.duration_nsec) + "\n";
      }
    }
  } else if (const auto* descs = std::get_if<PortDescReply>(&reply.body)) {
    std::vector<PortDesc> sorted = descs->ports;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const PortDesc& a, const PortDesc& b) { return a.port_no < b.port_no; });
    for (const PortDesc& port : sorted) text += format_port_desc(port, options);
  } else if (const auto* desc = std::get_if<DescReply>(&reply.body)) {
    text = "Manufacturer: " + desc->manufacturer + "\nHardware: " + desc->hardware +
           "\nSoftware: " + desc->software + "\nSerial Num: " + desc->serial_number +
           "\nDP Description: " + desc->datapath + "\n";
  } else if (const auto* tables = std::get_if<TableStatsReply>(&reply.body)) {
    text = format_table_stats(*tables);
  } else if (const auto* groups = std::get_if<GroupDescReply>(&reply.body)) {
    for (const GroupDesc& g : groups->groups) {
      text += " " + format_group(g.type, g.group_id, g.buckets, options) + "\n";
    }
  } else if (const auto* stats = std::get_if<GroupStatsReply>(&reply.body)) {
    for (const GroupStats& g : stats->groups) {
      text += " group_id=" + std::to_string(g.group_id) +
              ",duration=" + format_duration(g.duration_sec, g.duration_nsec) +
              ",ref_count=" + std::to_string(g.ref_count) +
              ",packet_count=" + counter(g.packet_count) + ",byte_count=" + counter(g.byte_count);
      for (size_t i = 0; i < g.buckets.size(); ++i) {
        text += ",bucket" + std::to_string(i) +
                ":packet_count=" + counter(g.buckets[i].packet_count) +
                ",byte_count=" + counter(g.buckets[i].byte_count);
      }
      text += "\n";
    }
  }
  return line + "\n" + text;
}

// Message kinds this file prints; the rest fall back to a hex dump.
std::optional<std::string> format_body(const Message& message, const std::string& line,
                                       const FormatOptions& options) {
  const Body& body = message.body;
  if (const auto* reply = std::get_if<MultipartReply>(&body)) {
    return format_multipart_reply(*reply, line, options);
  }
  if (const auto* request = std::get_if<MultipartRequest>(&body)) {
    std::string text = line;
    if (const auto* flows = std::get_if<FlowStatsRequest>(&request->body)) {
      if (flows->table_id != kTableAll) text += " table=" + std::to_string(flows->table_id);
      if (flows->out_port != kPortAny) text += " out_port=" + format_port(flows->out_port, options);
      const std::string match = format_match(flows->match, kPriorityDefault, options);
      if (!match.empty()) text += " " + match;
    } else if (const auto* ports = std::get_if<PortStatsRequest>(&request->body)) {
      text += " port_no=" + format_port(ports->port_no, options);
    } else if (std::holds_alternative<PortDescRequest>(request->body)) {
      text += " port=ANY";
    } else if (const auto* groups = std::get_if<GroupStatsRequest>(&request->body)) {
      text +=
          " group_id=" + (groups->group_id == kGroupAll ? "ALL" : std::to_string(groups->group_id));
    } else if (std::holds_alternative<GroupDescRequest>(request->body)) {
      text += " group_id=ALL";
    }
    return text + "\n";
  }
  if (const auto* features = std::get_if<FeaturesReply>(&body)) {
    static constexpr std::pair<uint32_t, std::string_view> kCapabilities[] = {
        {1, "FLOW_STATS"},  {2, "TABLE_STATS"},    {4, "PORT_STATS"},      {8, "GROUP_STATS"},
        {0x20, "IP_REASM"}, {0x40, "QUEUE_STATS"}, {0x100, "PORT_BLOCKED"}};
    char dpid[32];
    std::snprintf(dpid, sizeof dpid, " dpid:%016llx\n",
                  static_cast<unsigned long long>(features->datapath_id));
    return line + dpid + "n_tables:" + std::to_string(features->n_tables) +
           ", n_buffers:" + std::to_string(features->n_buffers) +
           (features->auxiliary_id ? ", auxiliary_id:" + std::to_string(features->auxiliary_id)
                                   : "") +
           "\ncapabilities: " + bit_names(features->capabilities, kCapabilities) + "\n";
  }
  if (const auto* config = std::get_if<GetConfigReply>(&body)) {
    constexpr std::string_view kFrags[] = {"normal", "drop", "reassemble", "nx-match"};
    return line + " frags=" + std::string(kFrags[config->flags & 3]) +
           " miss_send_len=" + std::to_string(config->miss_send_len) + "\n";
  }
  if (const auto* mod = std::get_if<FlowMod>(&body))
    return line + format_flow_mod(*mod, options) + "\n";
  if (const auto* group = std::get_if<GroupMod>(&body)) {
    constexpr std::string_view kCommands[] = {"ADD", "MOD", "DEL"};
    const auto c = static_cast<size_t>(group->command);
    return line + "\n " + std::string(c < 3 ? kCommands[c] : "?") + " " +
           format_group(group->type, group->group_id, group->buckets, options) + "\n";
  }
  if (const auto* error = std::get_if<ErrorMsg>(&body)) {
    std::string text = line + " " + error_name(error->error) + "\n";
    if (error->error.type == 0) {  // HELLO_FAILED carries text
      for (uint8_t c : error->data) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "\\%03o", c);
        text += c >= 32 && c < 127 ? std::string(1, static_cast<char>(c)) : std::string(octal);
      }
      return text + "\n";
    }
    return text + format_raw_message(error->data, options);
  }
  if (std::holds_alternative<BarrierReply>(body) || std::holds_alternative<BarrierRequest>(body) ||
      std::holds_alternative<FeaturesRequest>(body) ||
      std::holds_alternative<GetConfigRequest>(body)) {
    return line + "\n";
  }
  return std::nullopt;
}

// OpenFlow 1.3 error names as Open vSwitch prints them, by type then code.
constexpr std::string_view kErrorNames[][17] = {
    {"OFPHFC_INCOMPATIBLE", "OFPHFC_EPERM"},
    {"OFPBRC_BAD_VERSION", "OFPBRC_BAD_TYPE", "OFPBRC_BAD_STAT", "OFPBRC_BAD_VENDOR",
     "OFPBRC_BAD_SUBTYPE", "OFPBRC_EPERM", "OFPBRC_BAD_LEN", "OFPBRC_BUFFER_EMPTY",
     "OFPBRC_BUFFER_UNKNOWN", "OFPBRC_BAD_TABLE_ID", "OFPBRC_IS_SECONDARY", "OFPBRC_BAD_PORT",
     "OFPBRC_BAD_PACKET", "OFPBRC_MULTIPART_BUFFER_OVERFLOW"},
    {"OFPBAC_BAD_TYPE", "OFPBAC_BAD_LEN", "OFPBAC_BAD_VENDOR", "OFPBAC_BAD_VENDOR_TYPE",
     "OFPBAC_BAD_OUT_PORT", "OFPBAC_BAD_ARGUMENT", "OFPBAC_EPERM", "OFPBAC_TOO_MANY",
     "OFPBAC_BAD_QUEUE", "OFPBAC_BAD_OUT_GROUP", "OFPBAC_MATCH_INCONSISTENT",
     "OFPBAC_UNSUPPORTED_ORDER", "OFPBAC_BAD_TAG", "OFPBAC_BAD_SET_TYPE", "OFPBAC_BAD_SET_LEN",
     "OFPBAC_BAD_SET_ARGUMENT"},
    {"OFPBIC_UNKNOWN_INST", "OFPBIC_UNSUP_INST", "OFPBIC_BAD_TABLE_ID", "OFPBIC_UNSUP_METADATA",
     "OFPBIC_UNSUP_METADATA_MASK", "OFPBIC_BAD_EXPERIMENTER", "OFPBIC_BAD_EXP_TYPE",
     "OFPBIC_BAD_LEN", "OFPBIC_EPERM"},
    {"OFPBMC_BAD_TYPE", "OFPBMC_BAD_LEN", "OFPBMC_BAD_TAG", "OFPBMC_BAD_DL_ADDR_MASK",
     "OFPBMC_BAD_NW_ADDR_MASK", "OFPBMC_BAD_WILDCARDS", "OFPBMC_BAD_FIELD", "OFPBMC_BAD_VALUE",
     "OFPBMC_BAD_MASK", "OFPBMC_BAD_PREREQ", "OFPBMC_DUP_FIELD", "OFPBMC_EPERM"},
    {"OFPFMFC_UNKNOWN", "OFPFMFC_TABLE_FULL", "OFPFMFC_BAD_TABLE_ID", "OFPFMFC_OVERLAP",
     "OFPFMFC_EPERM", "OFPFMFC_BAD_TIMEOUT", "OFPFMFC_BAD_COMMAND", "OFPFMFC_BAD_FLAGS"},
    {"OFPGMFC_GROUP_EXISTS", "OFPGMFC_INVALID_GROUP", "OFPGMFC_WEIGHT_UNSUPPORTED",
     "OFPGMFC_OUT_OF_GROUPS", "OFPGMFC_OUT_OF_BUCKETS", "OFPGMFC_CHAINING_UNSUPPORTED",
     "OFPGMFC_WATCH_UNSUPPORTED", "OFPGMFC_LOOP", "OFPGMFC_UNKNOWN_GROUP", "OFPGMFC_CHAINED_GROUP",
     "OFPGMFC_BAD_TYPE", "OFPGMFC_BAD_COMMAND", "OFPGMFC_BAD_BUCKET", "OFPGMFC_BAD_WATCH",
     "OFPGMFC_EPERM"},
    {"OFPPMFC_BAD_PORT", "OFPPMFC_BAD_HW_ADDR", "OFPPMFC_BAD_CONFIG", "OFPPMFC_BAD_ADVERTISE",
     "OFPPMFC_EPERM"},
    {"OFPTMFC_BAD_TABLE", "OFPTMFC_BAD_CONFIG", "OFPTMFC_EPERM"},
    {"OFPQOFC_BAD_PORT", "OFPQOFC_BAD_QUEUE", "OFPQOFC_EPERM"},
    {"OFPSCFC_BAD_FLAGS", "OFPSCFC_BAD_LEN", "OFPSCFC_EPERM"},
    {"OFPRRFC_STALE", "OFPRRFC_UNSUP", "OFPRRFC_BAD_ROLE"},
    {"OFPMMFC_UNKNOWN", "OFPMMFC_METER_EXISTS", "OFPMMFC_INVALID_METER", "OFPMMFC_UNKNOWN_METER",
     "OFPMMFC_BAD_COMMAND", "OFPMMFC_BAD_FLAGS", "OFPMMFC_BAD_RATE", "OFPMMFC_BAD_BURST",
     "OFPMMFC_BAD_BAND", "OFPMMFC_BAD_BAND_VALUE", "OFPMMFC_OUT_OF_METERS", "OFPMMFC_OUT_OF_BANDS"},
    {"OFPTFFC_BAD_TABLE", "OFPTFFC_BAD_METADATA", "OFPBPC_BAD_TYPE", "OFPBPC_BAD_LEN",
     "OFPBPC_BAD_VALUE", "OFPTFFC_EPERM"},
};

std::string_view find_error_name(OfpError error) {
  if (error.type >= std::size(kErrorNames) || error.code >= 17) return {};
  return kErrorNames[error.type][error.code];
}

}  // namespace

// ---------------------------------------------------------------------------------------

std::string format_port(uint32_t port, const FormatOptions& options) {
  for (const NamedPort& reserved : kReservedPorts) {
    if (reserved.number == port) return std::string(reserved.name);
  }
  if (options.names) {
    for (const auto& [number, name] : *options.names) {
      if (number == port) return name;
    }
  }
  // Numbers OpenFlow 1.0 reserved print as Open vSwitch numbers them, 16 bits wide.
  return std::to_string(port >= kPortMax ? port - 0xffff0000 : port);
}

std::string format_match(const Match& match, uint16_t priority, const FormatOptions& options) {
  std::vector<Oxm> rest;
  const Flow flow = from_oxm(match, &rest);
  return MatchPrinter(flow, options).print(priority, rest);
}

std::string format_actions(const ActionList& actions, const FormatOptions& options) {
  std::string text;
  for (const Action& action : actions) {
    if (!text.empty()) text += ",";
    switch (action.kind) {
      case Action::Kind::kOutput:
        if (action.port == kPortController) {
          text += "CONTROLLER:" + std::to_string(action.max_len);
        } else if (action.port < kPortMax) {
          text += "output:" + format_port(action.port, options);
        } else {
          text += format_port(action.port, options);
        }
        break;
      case Action::Kind::kGroup:
        text += "group:" + std::to_string(action.group_id);
        break;
      case Action::Kind::kPushVlan:
        text += "push_vlan:" + hex(action.ethertype, 4);
        break;
      case Action::Kind::kPopVlan:
        text += "pop_vlan";
        break;
      case Action::Kind::kDecNwTtl:
        text += "dec_ttl";
        break;
      case Action::Kind::kSetNwTtl:
        text += "mod_nw_ttl:" + std::to_string(action.ttl);
        break;
      case Action::Kind::kSetField: {
        Oxm field = action.field;
        if (field.field == OxmField::kVlanVid) {  // printed as sent, with OFPVID_PRESENT
          field = Oxm::exact(OxmField::kVlanVid, field.number() | kVidPresent);
        }
        text += "set_field:" + format_oxm_value(field, options) + "->" +
                std::string(settable(field.field).name);
        break;
      }
    }
  }
  return text;
}

std::string format_instructions(const Instructions& instructions, const FormatOptions& options) {
  std::string text;
  auto add = [&](const std::string& part) { text += (text.empty() ? "" : ",") + part; };
  if (instructions.apply_actions && !instructions.apply_actions->empty()) {
    add(format_actions(*instructions.apply_actions, options));
  }
  if (instructions.clear_actions) add("clear_actions");
  if (instructions.write_actions) {
    add("write_actions(" + format_actions(*instructions.write_actions, options) + ")");
  }
  if (instructions.write_metadata) {
    add("write_metadata:" + hex(instructions.write_metadata->value) +
        (instructions.write_metadata->mask == UINT64_MAX
             ? ""
             : "/" + hex(instructions.write_metadata->mask)));
  }
  if (instructions.goto_table) add("goto_table:" + std::to_string(*instructions.goto_table));
  return text.empty() ? "drop" : text;
}

std::string format_flow_stats(const FlowStats& flow, const FormatOptions& options) {
  std::string text = " ";
  if (options.stats) {
    text += "cookie=" + hex(flow.cookie) +
            ", duration=" + format_duration(flow.duration_sec, flow.duration_nsec) +
            ", table=" + std::to_string(flow.table_id) +
            ", n_packets=" + counter(flow.packet_count) + ", n_bytes=" + counter(flow.byte_count) +
            ", ";
  } else {
    if (flow.cookie) text += "cookie=" + hex(flow.cookie) + ", ";
    if (flow.table_id) text += "table=" + std::to_string(flow.table_id) + ", ";
  }
  if (flow.idle_timeout) text += "idle_timeout=" + std::to_string(flow.idle_timeout) + ", ";
  if (flow.hard_timeout) text += "hard_timeout=" + std::to_string(flow.hard_timeout) + ", ";
  if (flow.flags) text += flag_names(flow.flags) + " ";
  text += format_match(flow.match, flow.priority, options);
  if (text.back() != ' ') text += " ";
  return text + "actions=" + format_instructions(flow.instructions, options);
}

std::string format_message(const Message& message, const FormatOptions& options) {
  return format_raw_message(encode(message), options);
}

std::string format_raw_message(std::span<const uint8_t> bytes, const FormatOptions& options) {
  const std::optional<HeaderView> header = peek_header(bytes);
  if (!header)
    return "OpenFlow packet too short (only " + std::to_string(bytes.size()) + " bytes):\n" +
           hex_dump(bytes);
  const std::string line = header_line(bytes);
  if (header->length > bytes.size()) {
    return line + "\n(***truncated to " + std::to_string(bytes.size()) + " bytes from " +
           std::to_string(header->length) + "***)\n" + hex_dump(bytes);
  }
  const std::span<const uint8_t> framed = bytes.first(header->length);
  OfpResult<Message> message = decode(framed);
  if (!message) {
    return line + " ***decode error: " + error_name(message.error()) + "***\n" + hex_dump(framed);
  }
  if (std::optional<std::string> text = format_body(message.value(), line, options)) return *text;
  return line + "\n" + hex_dump(framed.subspan(sizeof(Header)), sizeof(Header));
}

std::string error_name(OfpError error) {
  const std::string_view name = find_error_name(error);
  if (!name.empty()) return std::string(name);
  return "OFPET(" + std::to_string(error.type) + "," + std::to_string(error.code) + ")";
}

std::string hex_dump(std::span<const uint8_t> bytes, size_t offset) {
  std::string text;
  for (size_t line = 0; line < bytes.size(); line += 16) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%08zx  ", offset + line);
    std::string hex_part = buffer, ascii;
    for (size_t i = 0; i < 16; ++i) {
      if (line + i < bytes.size()) {
        const uint8_t b = bytes[line + i];
        std::snprintf(buffer, sizeof buffer, "%02x%c", b, i == 7 ? '-' : ' ');
        hex_part += buffer;
        ascii += b >= 32 && b < 127 ? static_cast<char>(b) : '.';
      } else {
        hex_part += "   ";
        ascii += ' ';
      }
    }
    text += hex_part + "|" + ascii + "|\n";
  }
  return text;
}

}  // namespace vs::controller::ofp
