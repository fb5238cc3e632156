// ovs-ofctl's text into OpenFlow messages (ofp_text.h): actions and instructions, whole flows
// for flow-mods and flow stats requests, groups and packet-outs. The match storage, field table
// and other shared pieces are in ofp_text_fields.{h,cc}; printing is in ofp_text_format.cc.
#include "controller/ofp_text.h"

#include <arpa/inet.h>

#include <algorithm>

#include "controller/ofp_text_fields.h"

namespace vs::controller::ofp {
using namespace text;  // the pieces shared with printing (ofp_text_fields.h)
namespace {

// ---------------------------------------------------------------------------------------
// Actions and instructions. ovs-ofctl checks them against the match (its "consistency"
// check): set_field on a header the match does not say the packet has, pop_vlan of an
// untagged packet, goto_table backwards are refused. Context tracks what the match says,
// updated by the actions so far (push_vlan makes the packet tagged).

struct ActionContext {
  Flow flow;
  bool tagged = false;
  std::optional<uint8_t> table;  // the flow's table, when the text names one
  const PortLookup* ports = nullptr;

  uint64_t type() const { return flow.has(kDlType) ? flow.get(kDlType) : 0; }
  bool ip_any() const { return type() == kEthIp || type() == kEthIpv6; }
};

Error inconsistent(std::string_view why) {
  return make_error("actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT): " +
                    std::string(why));
}

// Whether the packet has the header that `field` lives in, as far as the match says.
bool set_field_prerequisites_met(OxmField field, const ActionContext& context) {
  using F = OxmField;
  const uint64_t type = context.type();
  // -1 when the match names no IP protocol (an int: GCC 12 -O2 misjudges optional<uint8_t> here).
  const std::optional<uint8_t> named = context.ip_any() ? context.flow.proto() : std::nullopt;
  const int proto = named ? int{*named} : -1;
  auto among = [&](std::initializer_list<F> fields) {
    return std::find(fields.begin(), fields.end(), field) != fields.end();
  };
  if (among({F::kVlanVid, F::kVlanPcp})) return context.tagged;
  if (among({F::kIpDscp, F::kIpEcn, F::kIpProto})) return context.ip_any();
  if (among({F::kIpv4Src, F::kIpv4Dst})) return type == kEthIp;
  if (among({F::kIpv6Src, F::kIpv6Dst, F::kIpv6Flabel})) return type == kEthIpv6;
  if (among({F::kTcpSrc, F::kTcpDst})) return proto == kProtoTcp;
  if (among({F::kUdpSrc, F::kUdpDst})) return proto == kProtoUdp;
  if (among({F::kSctpSrc, F::kSctpDst})) return proto == kProtoSctp;
  if (among({F::kIcmpv4Type, F::kIcmpv4Code})) return type == kEthIp && proto == kProtoIcmp;
  if (among({F::kIcmpv6Type, F::kIcmpv6Code, F::kIpv6NdTarget, F::kIpv6NdSll, F::kIpv6NdTll})) {
    return type == kEthIpv6 && proto == kProtoIcmpv6;
  }
  if (among({F::kArpOp, F::kArpSpa, F::kArpTpa, F::kArpSha, F::kArpTha})) {
    return context.flow.is_arp();
  }
  if (among({F::kMplsLabel, F::kMplsTc, F::kMplsBos})) return type == 0x8847 || type == 0x8848;
  return true;
}

// "VALUE->FIELD" into a set_field action.
Result<Action> parse_set_field(std::string_view text, ActionContext& context) {
  const size_t arrow = text.find("->");
  if (arrow == std::string_view::npos) return make_error(std::string(text) + ": missing `->'");
  const std::string_view value = text.substr(0, arrow), name = text.substr(arrow + 2);
  const std::optional<OxmField> field = set_field_target(name);
  if (!field) return make_error(std::string(name) + " is not a valid OXM field name");
  if (*field == OxmField::kEthType || *field == OxmField::kIpProto) {
    return make_error(std::string(name) + " is read-only");
  }
  if (*field == OxmField::kInPort || *field == OxmField::kMetadata) {
    return make_error("set_field:" + std::string(text) +
                      ": OpenFlow 1.3 cannot set this field (write_metadata sets metadata)");
  }
  if (value.find('/') != std::string_view::npos) {
    return make_error("set_field:" + std::string(text) +
                      ": a masked set_field needs OpenFlow 1.5 or a Nicira extension");
  }
  const SettableField& s = settable(*field);
  Action action{Action::Kind::kSetField};
  action.field.field = *field;
  const std::string value_text(value);
  switch (s.syntax) {
    case Syntax::kMac: {
      auto mac = parse_mac(value);
      if (!mac) return make_error(value_text + ": invalid Ethernet address");
      action.field = Oxm::exact_bytes(*field, *mac);
      break;
    }
    case Syntax::kIpv4:
    case Syntax::kIpv6: {
      const bool v6 = s.syntax == Syntax::kIpv6;
      Bytes16 address{};
      if (!parse_ip(value, v6 ? AF_INET6 : AF_INET, address.data())) {
        return make_error(value_text + (v6 ? ": invalid IPv6 address" : ": invalid IP address"));
      }
      action.field = Oxm::exact_bytes(*field, std::span(address.data(), v6 ? 16 : 4));
      break;
    }
    case Syntax::kInt:
    case Syntax::kPort: {
      std::optional<uint64_t> number = parse_u64(value);
      if (!number || value.starts_with("-")) {
        return make_error(value_text + ": bad syntax for " + std::string(name) + " value");
      }
      // nw_tos carries the DSCP in its upper six bits.
      if (name == "nw_tos") {
        if (*number > 0xff || (*number & 0x03)) {
          return make_error(value_text + " is not a valid value for field nw_tos");
        }
        *number >>= 2;
      }
      const OxmFieldInfo& info = oxm_info(*field);
      const uint64_t limit =
          info.value_bits ? info.value_bits
                          : (info.length >= 8 ? UINT64_MAX : (uint64_t{1} << 8 * info.length) - 1);
      if (*number > limit) {
        return make_error(value_text + " is not a valid value for field " + std::string(name));
      }
      // The codec keeps the 12-bit VID and always sends it with OFPVID_PRESENT.
      if (*field == OxmField::kVlanVid) *number &= 0x0fff;
      action.field = Oxm::exact(*field, *number);
      break;
    }
  }
  if (!set_field_prerequisites_met(*field, context)) {
    return inconsistent("set_field " + std::string(s.name) + " lacks correct prerequisites");
  }
  return action;
}

Result<uint32_t> parse_output_port(std::string_view text, const ActionContext& context) {
  VS_ASSIGN(std::optional<uint32_t> port, lookup_port(text, *context.ports));
  if (!port) return make_error(std::string(text) + ": output to unknown port");
  if (*port == kPortAny || *port == kPortUnset || (*port >= kPortMax && *port < kPortInPort)) {
    return make_error("actions are invalid with specified match (OFPBAC_BAD_OUT_PORT)");
  }
  return *port;
}

// controller, controller:N, controller(max_len=N): output to CONTROLLER. Only what OpenFlow
// 1.3's output action carries is taken; reasons, ids and userdata need Nicira's extension.
Result<Action> parse_controller(std::string_view value) {
  if (value.empty()) return Action::output(kPortController, kControllerMaxLenNoBuffer);
  if (std::optional<uint64_t> n = parse_bounded(value, UINT16_MAX)) {
    return Action::output(kPortController, static_cast<uint16_t>(*n));
  }
  uint16_t max_len = kControllerMaxLenNoBuffer;
  std::string_view rest = value;
  while (std::optional<KeyValue> pair = next_key_value(rest)) {
    if (pair->key == "max_len") {
      std::optional<uint64_t> n = parse_bounded(pair->value, UINT16_MAX);
      if (!n) return make_error("invalid max_len " + quoted(pair->value));
      max_len = static_cast<uint16_t>(*n);
    } else if ((pair->key == "reason" && pair->value == "action") ||
               (pair->key == "id" && pair->value == "0")) {
      // The defaults: nothing to send.
    } else if (pair->key == "reason" || pair->key == "id" || pair->key == "userdata" ||
               pair->key == "pause" || pair->key == "meter_id") {
      return make_error("controller(" + std::string(value) + "): " + std::string(pair->key) +
                        " needs a Nicira extension, which vsofctl does not send");
    } else {
      return make_error("unknown key " + quoted(pair->key) + " parsing controller action");
    }
  }
  return Action::output(kPortController, max_len);
}

bool one_of(std::string_view key, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return iequals(key, n); });
}

// One action (not an instruction) into `out`.
Result<void> parse_action(const KeyValue& pair, ActionContext& context, ActionList& out) {
  const std::string_view key = pair.key, value = pair.value;
  const std::string value_text(value);
  auto set_field = [&](OxmField field, uint64_t number) {
    Action action{Action::Kind::kSetField};
    action.field = Oxm::exact(field, number);
    out.push_back(action);
  };
  auto need_ip = [&](std::string_view what) -> Result<void> {
    if (!context.ip_any()) return inconsistent(std::string(what) + " needs an ip or ipv6 match");
    return ok();
  };
  if (iequals(key, "output")) {
    if (value.find('(') != std::string_view::npos || value.find('=') != std::string_view::npos) {
      return make_error("output(" + value_text + "): truncated output needs a Nicira extension");
    }
    VS_ASSIGN(uint32_t port, parse_output_port(value, context));
    out.push_back(Action::output(port, port == kPortController ? kControllerMaxLenNoBuffer : 0));
  } else if (iequals(key, "controller")) {
    VS_ASSIGN(Action action, parse_controller(value));
    out.push_back(action);
  } else if (iequals(key, "group")) {
    std::optional<uint64_t> group = parse_bounded(value, UINT32_MAX);
    if (value.empty()) return make_error("missing required numeric argument");
    if (!group) return make_error("invalid numeric format " + value_text);
    Action action{Action::Kind::kGroup};
    action.group_id = static_cast<uint32_t>(*group);
    out.push_back(action);
  } else if (iequals(key, "push_vlan")) {
    std::optional<uint64_t> type = parse_bounded(value, UINT16_MAX);
    if (!type) return make_error("invalid ethertype " + quoted(value));
    if (*type != 0x8100 && *type != 0x88a8) {
      return make_error(value_text + ": not a valid VLAN ethertype");
    }
    Action action{Action::Kind::kPushVlan};
    action.ethertype = static_cast<uint16_t>(*type);
    out.push_back(action);
    context.tagged = true;
  } else if (one_of(key, {"pop_vlan", "strip_vlan"})) {
    if (!context.tagged) return inconsistent(std::string(key) + " needs a VLAN in the match");
    out.push_back(Action{Action::Kind::kPopVlan});
    context.tagged = false;
  } else if (one_of(key, {"mod_vlan_vid", "mod_vlan_pcp"})) {
    const bool vid = iequals(key, "mod_vlan_vid");
    std::optional<uint64_t> n = parse_bounded(value, vid ? 4095 : 7);
    if (!n)
      return make_error(value_text + (vid ? ": not a valid VLAN VID" : ": not a valid VLAN PCP"));
    // As ovs-ofctl: an untagged packet gets a tag first.
    if (!context.tagged) {
      Action push{Action::Kind::kPushVlan};
      push.ethertype = 0x8100;
      out.push_back(push);
      context.tagged = true;
    }
    set_field(vid ? OxmField::kVlanVid : OxmField::kVlanPcp, *n);
  } else if (one_of(key, {"mod_dl_src", "mod_dl_dst"})) {
    auto mac = parse_mac(value);
    if (!mac) return make_error(value_text + ": invalid Ethernet address");
    Action action{Action::Kind::kSetField};
    action.field =
        Oxm::exact_bytes(iequals(key, "mod_dl_src") ? OxmField::kEthSrc : OxmField::kEthDst, *mac);
    out.push_back(action);
  } else if (one_of(key, {"mod_nw_src", "mod_nw_dst"})) {
    uint8_t address[4];
    if (!parse_ip(value, AF_INET, address)) return make_error(value_text + ": invalid IP address");
    if (context.type() != kEthIp) return inconsistent(std::string(key) + " needs an ip match");
    Action action{Action::Kind::kSetField};
    action.field = Oxm::exact_bytes(
        iequals(key, "mod_nw_src") ? OxmField::kIpv4Src : OxmField::kIpv4Dst, address);
    out.push_back(action);
  } else if (iequals(key, "mod_nw_tos")) {
    std::optional<uint64_t> tos = parse_bounded(value, 0xff);
    if (!tos || (*tos & 0x03)) return make_error(value_text + ": not a valid TOS");
    VS_TRY(need_ip(key));
    set_field(OxmField::kIpDscp, *tos >> 2);
  } else if (iequals(key, "mod_nw_ecn")) {
    std::optional<uint64_t> ecn = parse_bounded(value, 3);
    if (!ecn) return make_error(value_text + ": not a valid ECN");
    VS_TRY(need_ip(key));
    set_field(OxmField::kIpEcn, *ecn);
  } else if (one_of(key, {"mod_nw_ttl", "set_nw_ttl"})) {  // OVS takes both spellings
    std::optional<uint64_t> ttl = parse_bounded(value, 0xff);
    if (!ttl) return make_error("invalid TTL " + quoted(value));
    VS_TRY(need_ip(key));
    Action action{Action::Kind::kSetNwTtl};
    action.ttl = static_cast<uint8_t>(*ttl);
    out.push_back(action);
  } else if (iequals(key, "dec_ttl")) {
    if (!value.empty()) {
      return make_error("dec_ttl(" + value_text + "): controller ids need a Nicira extension");
    }
    VS_TRY(need_ip(key));
    out.push_back(Action{Action::Kind::kDecNwTtl});
  } else if (one_of(key, {"mod_tp_src", "mod_tp_dst"})) {
    std::optional<uint64_t> port = parse_bounded(value, UINT16_MAX);
    if (!port) return make_error(value_text + ": invalid transport port");
    const bool src = iequals(key, "mod_tp_src");
    // -1 when the match names no IP protocol (an int: GCC 12 -O2 misjudges optional<uint8_t> here).
    const std::optional<uint8_t> named = context.ip_any() ? context.flow.proto() : std::nullopt;
    const int proto = named ? int{*named} : -1;
    if (proto == kProtoTcp) {
      set_field(src ? OxmField::kTcpSrc : OxmField::kTcpDst, *port);
    } else if (proto == kProtoUdp) {
      set_field(src ? OxmField::kUdpSrc : OxmField::kUdpDst, *port);
    } else if (proto == kProtoSctp) {
      set_field(src ? OxmField::kSctpSrc : OxmField::kSctpDst, *port);
    } else {
      return inconsistent(std::string(key) + " needs a tcp, udp or sctp match");
    }
  } else if (iequals(key, "set_field")) {
    VS_ASSIGN(Action action, parse_set_field(value, context));
    out.push_back(action);
  } else if (one_of(key, {"set_queue",   "enqueue",      "resubmit",
                          "load",        "move",         "learn",
                          "note",        "ct",           "ct_clear",
                          "push_mpls",   "pop_mpls",     "set_mpls_label",
                          "set_mpls_tc", "set_mpls_ttl", "dec_mpls_ttl",
                          "set_tunnel",  "set_tunnel64", "multipath",
                          "bundle",      "bundle_load",  "exit",
                          "sample",      "clone",        "output_trunc",
                          "fin_timeout", "copy_ttl_in",  "copy_ttl_out",
                          "push_pbb",    "pop_pbb",      "check_pkt_larger",
                          "encap",       "decap",        "dec_nsh_ttl",
                          "meter",       "conjunction"})) {
    return make_error(std::string(key) + ": action not supported by vsofctl (OpenFlow 1.3 as " +
                      "vswitch implements it)");
  } else {
    // A bare port: "2", "LOCAL", "NORMAL", a port name.
    VS_ASSIGN(std::optional<uint32_t> port, lookup_port(key, *context.ports));
    if (!port || !value.empty()) return make_error("unknown action " + std::string(key));
    VS_ASSIGN(uint32_t checked, parse_output_port(key, context));
    out.push_back(
        Action::output(checked, checked == kPortController ? kControllerMaxLenNoBuffer : 0));
  }
  return ok();
}

// The order OpenFlow 1.1+ runs instructions in; ovs-ofctl insists they are written so.
enum InstructionKind : uint8_t { kApply, kClear, kWrite, kWriteMetadata, kGoto };
constexpr std::string_view kInstructionNames[] = {"apply_actions", "clear_actions", "write_actions",
                                                  "write_metadata", "goto_table"};

Result<ActionList> parse_action_list(std::string_view text, ActionContext& context,
                                     bool* saw_drop) {
  ActionList actions;
  while (std::optional<KeyValue> pair = next_key_value(text)) {
    if (iequals(pair->key, "drop")) {
      *saw_drop = true;
      continue;
    }
    VS_TRY(parse_action(*pair, context, actions));
  }
  return actions;
}

Result<Instructions> parse_instructions(std::string_view text, ActionContext& context) {
  Instructions instructions;
  std::optional<InstructionKind> last;
  bool drop = false, anything = false;
  auto order = [&](InstructionKind kind) -> Result<void> {
    anything = true;
    if (last && *last == kind && kind != kApply) {
      return make_error("duplicate " + std::string(kInstructionNames[kind]) +
                        " instruction not allowed, for OpenFlow 1.1+ compatibility");
    }
    if (last && *last > kind) {
      return make_error("invalid instruction ordering: " + std::string(kInstructionNames[kind]) +
                        " must appear before " + std::string(kInstructionNames[*last]) +
                        ", for OpenFlow 1.1+ compatibility");
    }
    last = kind;
    return ok();
  };
  ActionList apply;
  while (std::optional<KeyValue> pair = next_key_value(text)) {
    const std::string_view key = pair->key, value = pair->value;
    if (iequals(key, "drop")) {
      drop = true;
    } else if (iequals(key, "clear_actions")) {
      VS_TRY(order(kClear));
      instructions.clear_actions = true;
    } else if (iequals(key, "write_actions")) {
      VS_TRY(order(kWrite));
      bool ignored = false;  // write_actions(drop) is an empty action set
      VS_ASSIGN(ActionList written, parse_action_list(value, context, &ignored));
      if (!written.empty()) instructions.write_actions = std::move(written);
    } else if (iequals(key, "write_metadata")) {
      VS_TRY(order(kWriteMetadata));
      const size_t slash = value.find('/');
      std::optional<uint64_t> v = parse_u64(value.substr(0, slash));
      if (!v) return make_error("invalid numeric format " + std::string(value.substr(0, slash)));
      uint64_t mask = UINT64_MAX;
      if (slash != std::string_view::npos) {
        std::optional<uint64_t> m = parse_u64(value.substr(slash + 1));
        if (!m) return make_error("invalid numeric format " + std::string(value.substr(slash + 1)));
        mask = *m;
      }
      instructions.write_metadata = Instructions::Metadata{*v, mask};
    } else if (iequals(key, "goto_table")) {
      VS_TRY(order(kGoto));
      std::optional<uint64_t> table = parse_decimal(value, 255);
      if (!table) return make_error("unknown table " + quoted(value));
      if (*table > kTableMax || (context.table && *table <= *context.table)) {
        return make_error("actions are invalid with specified match (OFPBIC_BAD_TABLE_ID)");
      }
      instructions.goto_table = static_cast<uint8_t>(*table);
    } else if (iequals(key, "meter")) {
      return make_error("meter: meters are not supported by vswitch");
    } else {
      VS_TRY(order(kApply));
      VS_TRY(parse_action(*pair, context, apply));
    }
  }
  if (drop && (anything || !apply.empty())) {
    return make_error("\"drop\" must not be accompanied by any other action or instruction");
  }
  if (!apply.empty()) instructions.apply_actions = std::move(apply);
  return instructions;
}

// ---------------------------------------------------------------------------------------
// A whole flow: match, the flow-mod's own keywords, and the actions.

// Shorthands: "tcp" is dl_type=0x0800,nw_proto=6.
struct Shorthand {
  std::string_view name;
  uint16_t dl_type;
  uint8_t nw_proto;
};
constexpr Shorthand kShorthands[] = {{"ip", kEthIp, 0},
                                     {"ipv4", kEthIp, 0},
                                     {"ip4", kEthIp, 0},
                                     {"ipv6", kEthIpv6, 0},
                                     {"ip6", kEthIpv6, 0},
                                     {"icmp", kEthIp, kProtoIcmp},
                                     {"icmp6", kEthIpv6, kProtoIcmpv6},
                                     {"tcp", kEthIp, kProtoTcp},
                                     {"tcp6", kEthIpv6, kProtoTcp},
                                     {"udp", kEthIp, kProtoUdp},
                                     {"udp6", kEthIpv6, kProtoUdp},
                                     {"sctp", kEthIp, kProtoSctp},
                                     {"sctp6", kEthIpv6, kProtoSctp},
                                     {"arp", kEthArp, 0},
                                     {"rarp", kEthRarp, 0},
                                     {"mpls", 0x8847, 0},
                                     {"mplsm", 0x8848, 0}};

struct FlowText {
  Flow flow;
  std::optional<uint8_t> table;
  uint16_t priority = kPriorityDefault;
  uint64_t cookie = 0, cookie_mask = 0;
  uint16_t idle_timeout = 0, hard_timeout = 0, flags = 0;
  uint32_t out_port = kPortAny, out_group = kGroupAny;
  Instructions instructions;
  std::vector<std::string> warnings;
};

Result<uint16_t> parse_u16(std::string_view name, std::string_view value) {
  std::optional<uint64_t> n = parse_bounded(value, UINT16_MAX);
  if (!n) return make_error("invalid " + std::string(name) + " " + quoted(value));
  return static_cast<uint16_t>(*n);
}

Result<uint32_t> parse_group(std::string_view text) {
  if (iequals(text, "all")) return kGroupAll;
  if (iequals(text, "any")) return kGroupAny;
  std::optional<uint64_t> n = parse_bounded(text, kGroupMax);
  if (!n) return make_error(std::string(text) + " is not a valid OpenFlow group");
  return static_cast<uint32_t>(*n);
}

Result<FlowText> parse_flow_text(std::string_view text, FlowCommand command,
                                 const PortLookup& ports) {
  using C = FlowCommand;
  const bool add = command == C::kAdd;
  const bool modify = command == C::kModify || command == C::kModifyStrict;
  const bool remove = command == C::kDelete || command == C::kDeleteStrict;
  const bool has_actions = add || modify;
  const bool has_priority = add || modify || command == C::kDeleteStrict;
  const bool has_out_port = remove || command == C::kDump;
  FlowText flow;
  std::string_view actions;
  if (has_actions) {
    // As ovs-ofctl: everything after the first "action...=" is the actions.
    const size_t at = text.find("action");
    const size_t equals = at == std::string_view::npos ? at : text.find('=', at);
    if (equals == std::string_view::npos) return make_error("must specify an action");
    actions = text.substr(equals + 1);
    text = text.substr(0, at);
  }
  while (std::optional<KeyValue> pair = next_key_value(text)) {
    const std::string_view key = pair->key, value = pair->value;
    const std::string key_text(key);
    if (auto shorthand = std::find_if(std::begin(kShorthands), std::end(kShorthands),
                                      [&](const Shorthand& s) { return s.name == key; });
        shorthand != std::end(kShorthands)) {
      flow.flow.set(kDlType, shorthand->dl_type, UINT64_MAX);
      if (shorthand->nw_proto) flow.flow.set(kNwProto, shorthand->nw_proto, UINT64_MAX);
      continue;
    }
    constexpr std::pair<std::string_view, uint16_t> kFlags[] = {
        {"send_flow_rem", kFlowSendFlowRem},
        {"check_overlap", kFlowCheckOverlap},
        {"reset_counts", kFlowResetCounts},
        {"no_packet_counts", kFlowNoPktCounts},
        {"no_byte_counts", kFlowNoBytCounts}};
    if (auto flag = std::find_if(std::begin(kFlags), std::end(kFlags),
                                 [&](const auto& f) { return f.first == key; });
        has_actions && flag != std::end(kFlags)) {
      flow.flags |= flag->second;
      continue;
    }
    // Ignored as by ovs-ofctl: dump-flows output fed back, and keywords of other versions.
    if (key == "eth" || key == "no_readonly_table" || key == "allow_hidden_fields" ||
        key == "duration" || key == "n_packets" || key == "n_bytes" || key == "idle_age" ||
        key == "hard_age" || (add && key == "importance" && !value.empty())) {
      continue;
    }
    if (const FieldDef* field = find_field(key)) {
      if (value.empty()) return make_error("field " + key_text + " missing value");
      VS_TRY(parse_field(*field, value, ports, flow.flow));
      continue;
    }
    if (is_extension_field(key)) {
      return make_error("field " + key_text +
                        " is not supported (vsofctl sends OpenFlow 1.3 basic match fields only)");
    }
    if (value.empty()) return make_error("field " + key_text + " missing value");
    const bool known = key == "table" || key == "cookie" || (has_priority && key == "priority") ||
                       (has_actions && (key == "idle_timeout" || key == "hard_timeout")) ||
                       (has_out_port && (key == "out_port" || key == "out_group"));
    if (!known) return make_error("unknown keyword " + key_text);
    if (key == "table") {
      std::optional<uint64_t> table = parse_decimal(value, 255);
      if (!table) return make_error("unknown table " + quoted(value));
      flow.table = static_cast<uint8_t>(*table);
    } else if (key == "priority") {
      VS_ASSIGN(flow.priority, parse_u16("priority", value));
    } else if (key == "idle_timeout") {
      VS_ASSIGN(flow.idle_timeout, parse_u16("idle_timeout", value));
    } else if (key == "hard_timeout") {
      VS_ASSIGN(flow.hard_timeout, parse_u16("hard_timeout", value));
    } else if (key == "out_port") {
      VS_ASSIGN(std::optional<uint32_t> port, lookup_port(value, ports));
      if (!port) return make_error(std::string(value) + " is not a valid OpenFlow port");
      flow.out_port = *port;
    } else if (key == "out_group") {
      VS_ASSIGN(flow.out_group, parse_group(value));
    } else {  // cookie: a value to set (add), or a value and mask to match
      const size_t slash = value.find('/');
      if (slash != std::string_view::npos && add) {
        return make_error("flow additions cannot use a cookie mask");
      }
      if (slash == std::string_view::npos && !add && !modify) {
        return make_error("cannot set cookie (to match on a cookie, specify a mask, e.g. cookie=" +
                          std::string(value) + "/-1)");
      }
      std::optional<uint64_t> cookie = parse_u64(value.substr(0, slash));
      if (!cookie)
        return make_error("invalid numeric format " + std::string(value.substr(0, slash)));
      if (slash != std::string_view::npos) {
        std::optional<uint64_t> mask = parse_u64(value.substr(slash + 1));
        if (!mask)
          return make_error("invalid numeric format " + std::string(value.substr(slash + 1)));
        flow.cookie = *cookie & *mask;
        flow.cookie_mask = *mask;
      } else if (add) {
        flow.cookie = *cookie;  // a modify cannot change the cookie in OpenFlow 1.3
      }
    }
  }
  const Flow before = flow.flow;
  normalize(flow.flow);
  if (before.mask != flow.flow.mask) {
    flow.warnings.push_back("normalization changed the match from \"" +
                            MatchPrinter(before, {}).print(kPriorityDefault, {}) + "\" to \"" +
                            MatchPrinter(flow.flow, {}).print(kPriorityDefault, {}) +
                            "\": fields whose prerequisites are not matched are dropped");
  }
  if (has_actions) {
    ActionContext context{
        flow.flow, (flow.flow.get_mask(kVlanTci) & flow.flow.get(kVlanTci) & 0x1000) != 0,
        flow.table && *flow.table != kTableAll ? flow.table : std::nullopt, &ports};
    VS_ASSIGN(flow.instructions, parse_instructions(actions, context));
  }
  return flow;
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<Parsed<FlowMod>> parse_flow_mod(std::string_view text, FlowCommand command,
                                       const PortLookup& ports) {
  if (command == FlowCommand::kDump) return make_error("parse_flow_mod: not a flow-mod command");
  VS_ASSIGN(FlowText flow, parse_flow_text(text, command, ports));
  FlowMod mod;
  constexpr FlowModCommand kCommands[] = {FlowModCommand::kAdd, FlowModCommand::kModify,
                                          FlowModCommand::kModifyStrict, FlowModCommand::kDelete,
                                          FlowModCommand::kDeleteStrict};
  mod.command = kCommands[static_cast<size_t>(command)];
  const bool remove = command == FlowCommand::kDelete || command == FlowCommand::kDeleteStrict;
  // Adds and modifies go to table 0 unless told; deletes look at every table.
  const uint8_t table = flow.table.value_or(kTableAll);
  mod.table_id = remove ? table : (table == kTableAll ? 0 : table);
  mod.cookie = flow.cookie;
  mod.cookie_mask = flow.cookie_mask;
  mod.priority = flow.priority;
  mod.idle_timeout = flow.idle_timeout;
  mod.hard_timeout = flow.hard_timeout;
  mod.flags = flow.flags;
  mod.out_port = flow.out_port;
  mod.out_group = flow.out_group;
  mod.match = to_oxm(flow.flow);
  mod.instructions = std::move(flow.instructions);
  return Parsed<FlowMod>{std::move(mod), std::move(flow.warnings)};
}

Result<Parsed<FlowStatsRequest>> parse_flow_stats_request(std::string_view text, bool aggregate,
                                                          const PortLookup& ports) {
  VS_ASSIGN(FlowText flow, parse_flow_text(text, FlowCommand::kDump, ports));
  FlowStatsRequest request;
  request.aggregate = aggregate;
  request.table_id = flow.table.value_or(kTableAll);
  request.out_port = flow.out_port;
  request.out_group = flow.out_group;
  request.cookie = flow.cookie;
  request.cookie_mask = flow.cookie_mask;
  request.match = to_oxm(flow.flow);
  return Parsed<FlowStatsRequest>{std::move(request), std::move(flow.warnings)};
}

Result<uint32_t> parse_port(std::string_view text, const PortLookup& ports) {
  VS_ASSIGN(std::optional<uint32_t> port, lookup_port(text, ports));
  if (!port) return make_error(std::string(text) + ": invalid or unknown port");
  return *port;
}

Result<ActionList> parse_actions(std::string_view text, const PortLookup& ports) {
  ActionContext context{{}, false, std::nullopt, &ports};
  bool drop = false;
  VS_ASSIGN(ActionList actions, parse_action_list(text, context, &drop));
  if (drop && !actions.empty()) {
    return make_error("\"drop\" must not be accompanied by any other action or instruction");
  }
  return actions;
}

Result<std::vector<PacketOut>> parse_packet_out(std::span<const std::string> args,
                                                const PortLookup& ports) {
  auto packet = [](std::string_view hex_text,
                   std::string_view what) -> Result<std::vector<uint8_t>> {
    std::vector<uint8_t> bytes;
    std::string digits;
    for (char c : hex_text) {
      if (!std::isspace(static_cast<uint8_t>(c))) digits += c;
    }
    for (size_t i = 0; i < digits.size(); i += 2) {
      std::optional<uint64_t> byte =
          i + 1 < digits.size() && std::isxdigit(static_cast<uint8_t>(digits[i]))
              ? parse_u64("0x" + digits.substr(i, 2))
              : std::nullopt;
      if (!byte) return make_error(std::string(what) + "Trailing garbage in packet data");
      bytes.push_back(static_cast<uint8_t>(*byte));
    }
    if (bytes.size() < 14)
      return make_error(std::string(what) + "Packet data too short for Ethernet");
    return bytes;
  };
  std::vector<PacketOut> outs;
  if (args.size() == 1) {
    PacketOut out;
    std::string_view text = args[0];
    bool have_packet = false;
    const size_t at = text.find("actions=");
    std::string_view actions = at == std::string_view::npos ? "" : text.substr(at + 8);
    text = text.substr(0, at);
    while (std::optional<KeyValue> pair = next_key_value(text)) {
      if (pair->key == "in_port") {
        VS_ASSIGN(out.in_port, parse_port(pair->value, ports));
      } else if (pair->key == "packet") {
        VS_ASSIGN(out.data, packet(pair->value, "packet: "));
        have_packet = true;
      } else {
        return make_error("unknown keyword " + std::string(pair->key));
      }
    }
    if (!have_packet) return make_error("must specify packet");
    VS_ASSIGN(out.actions, parse_actions(actions, ports));
    outs.push_back(std::move(out));
    return outs;
  }
  if (args.size() < 3)
    return make_error("packet-out needs IN_PORT ACTIONS PACKET... or one key=value argument");
  VS_ASSIGN(uint32_t in_port, parse_port(args[0], ports));
  VS_ASSIGN(ActionList actions, parse_actions(args[1], ports));
  for (size_t i = 2; i < args.size(); ++i) {
    PacketOut out;
    out.in_port = in_port;
    out.actions = actions;
    VS_ASSIGN(out.data, packet(args[i], ""));
    outs.push_back(std::move(out));
  }
  return outs;
}

Result<GroupMod> parse_group_mod(std::string_view text, GroupModCommand command,
                                 const PortLookup& ports) {
  GroupMod mod;
  mod.command = command;
  mod.group_id = command == GroupModCommand::kDelete ? kGroupAll : 0;
  bool have_id = false, have_type = false;
  // Everything from the first "bucket" on describes buckets.
  const size_t first_bucket = text.find("bucket");
  std::string_view fields = text.substr(0, first_bucket);
  std::string_view buckets =
      first_bucket == std::string_view::npos ? std::string_view() : text.substr(first_bucket);
  while (std::optional<KeyValue> pair = next_key_value(fields)) {
    if (pair->key == "group_id") {
      VS_ASSIGN(mod.group_id, parse_group(pair->value));
      have_id = true;
    } else if (pair->key == "type") {
      constexpr std::pair<std::string_view, GroupType> kTypes[] = {
          {"all", GroupType::kAll},
          {"select", GroupType::kSelect},
          {"indirect", GroupType::kIndirect},
          {"ff", GroupType::kFastFailover},
          {"fast_failover", GroupType::kFastFailover}};
      auto type = std::find_if(std::begin(kTypes), std::end(kTypes),
                               [&](const auto& t) { return t.first == pair->value; });
      if (type == std::end(kTypes))
        return make_error("invalid group type " + std::string(pair->value));
      mod.type = type->second;
      have_type = true;
    } else {
      return make_error("unknown keyword " + std::string(pair->key));
    }
  }
  if (command != GroupModCommand::kDelete) {
    if (!have_id) return make_error("must specify a group_id");
    if (!have_type && command == GroupModCommand::kAdd) return make_error("must specify a type");
  }
  // "bucket=weight:10,watch_port:1,actions=output:1,bucket=..." (actions= is optional).
  while (!buckets.empty()) {
    if (command == GroupModCommand::kDelete)
      return make_error("buckets are not allowed in del-groups");
    buckets.remove_prefix(std::min(buckets.size(), buckets.find('=') + 1));
    size_t next = buckets.find("bucket=");
    while (next != std::string_view::npos && next > 0 && buckets[next - 1] != ',' &&
           !std::isspace(static_cast<uint8_t>(buckets[next - 1]))) {
      next = buckets.find("bucket=", next + 1);
    }
    std::string_view bucket_text = buckets.substr(0, next);
    buckets = next == std::string_view::npos ? std::string_view() : buckets.substr(next);
    Bucket bucket;
    std::string action_text;
    while (std::optional<KeyValue> pair = next_key_value(bucket_text)) {
      if (pair->key == "weight") {
        std::optional<uint64_t> weight = parse_bounded(pair->value, UINT16_MAX);
        if (!weight) return make_error("invalid weight " + quoted(pair->value));
        bucket.weight = static_cast<uint16_t>(*weight);
      } else if (pair->key == "watch_port") {
        VS_ASSIGN(bucket.watch_port, parse_port(pair->value, ports));
      } else if (pair->key == "watch_group") {
        VS_ASSIGN(bucket.watch_group, parse_group(pair->value));
      } else if (pair->key == "actions") {
        action_text += std::string(pair->value) + "," + std::string(bucket_text);
        bucket_text = {};
      } else {
        action_text += std::string(pair->key) +
                       (pair->value.empty() ? "" : "(" + std::string(pair->value) + ")") + ",";
      }
    }
    VS_ASSIGN(bucket.actions, parse_actions(action_text, ports));
    mod.buckets.push_back(std::move(bucket));
  }
  return mod;
}

}  // namespace vs::controller::ofp
