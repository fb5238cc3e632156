// ovs-ofctl's text for OpenFlow 1.3, over the codec's types (ofp_message.h): flows as add-flow,
// mod-flows, del-flows and dump-flows take them, parsed into a FlowMod or FlowStatsRequest whose
// encoding is the bytes ovs-ofctl sends; and messages printed as ovs-ofctl prints them
// (dump-flows, dump-ports, show, errors). vsofctl (tools/vsofctl) is the user; this file holds
// no I/O, so that tests compare it with ovs-ofctl directly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controller/ofp_message.h"
#include "lib/result.h"

namespace vs::controller::ofp {

// Port names, for ports given by name in input and printed by name with --names. The lookup
// is called only for a word that is neither a number nor a reserved port (LOCAL, ...), so a
// caller may fetch the switch's ports lazily.
using PortLookup = std::function<Result<std::optional<uint32_t>>(std::string_view name)>;
using PortNames = std::vector<std::pair<uint32_t, std::string>>;

// What the text is for: it decides which keywords are allowed (ovs-ofctl's rules: priority on
// add, modify and strict delete; out_port/out_group on delete and dump; actions and flags on add
// and modify; a cookie mask on all but add).
enum class FlowCommand { kAdd, kModify, kModifyStrict, kDelete, kDeleteStrict, kDump };

// A parsed flow, and notes on what was changed on the way (a field whose prerequisite the
// match lacks is dropped, as ovs-ofctl does): print them as warnings.
template <class T>
struct Parsed {
  T value;
  std::vector<std::string> warnings;
};

// A flow in ovs-ofctl syntax ("table=0,priority=100,tcp,tp_dst=80,actions=output:2") for a
// flow-mod. Errors name the bad token the way ovs-ofctl does ("unknown keyword foo",
// "zz: invalid Ethernet address", "must specify an action").
Result<Parsed<FlowMod>> parse_flow_mod(std::string_view text, FlowCommand command,
                                       const PortLookup& ports = {});

// The argument of dump-flows / dump-aggregate ("" for every flow).
Result<Parsed<FlowStatsRequest>> parse_flow_stats_request(std::string_view text, bool aggregate,
                                                          const PortLookup& ports = {});

// A port as in_port, out_port, dump-ports and packet-out take it: a number, a reserved name
// (LOCAL, CONTROLLER, ...; any case) or a port name.
Result<uint32_t> parse_port(std::string_view text, const PortLookup& ports = {});

// An action list without instructions (packet-out, group buckets).
Result<ActionList> parse_actions(std::string_view text, const PortLookup& ports = {});

// packet-out's arguments, in either of ovs-ofctl's forms: one "in_port=P,packet=HEX,actions=A"
// (in_port defaults to CONTROLLER), or IN_PORT ACTIONS PACKET... (one packet-out per packet).
Result<std::vector<PacketOut>> parse_packet_out(std::span<const std::string> args,
                                                const PortLookup& ports = {});

// add-group / mod-group / del-groups text: "group_id=1,type=all,bucket=output:1,bucket=...".
Result<GroupMod> parse_group_mod(std::string_view text, GroupModCommand command,
                                 const PortLookup& ports = {});

// Printing, as ovs-ofctl. `names` set: ports printed by name (--names).
struct FormatOptions {
  const PortNames* names = nullptr;
  bool stats = true;  // dump-flows prints counters and durations unless --no-stats
};

// "priority=100,tcp,tp_dst=80" (no priority when it is the default, 32768).
std::string format_match(const Match& match, uint16_t priority, const FormatOptions& options = {});
// "push_vlan:0x8100,output:2", "drop" when there is nothing.
std::string format_instructions(const Instructions& instructions,
                                const FormatOptions& options = {});
std::string format_actions(const ActionList& actions, const FormatOptions& options = {});
// One dump-flows line, with its leading space and no newline.
std::string format_flow_stats(const FlowStats& flow, const FormatOptions& options = {});
// A port number as ovs-ofctl prints it ("1", "LOCAL", a name with --names).
std::string format_port(uint32_t port, const FormatOptions& options = {});

// A whole message as `ovs-ofctl ofp-print` prints it, ending in a newline: the header line
// ("OFPST_FLOW reply (OF1.3) (xid=0x2):") and the body. Message kinds without a printer get
// the header line and a hex dump.
std::string format_message(const Message& message, const FormatOptions& options = {});
// The same for raw bytes, which may be cut short (an OFPT_ERROR's data): a message that does
// not decode is printed as its header line and a hex dump.
std::string format_raw_message(std::span<const uint8_t> bytes, const FormatOptions& options = {});

// "OFPBAC_BAD_OUT_GROUP" for (2, 9); "OFPET_ERROR(type,code)" style for unknown pairs.
std::string error_name(OfpError error);

// ovs-ofctl's hex dump: offset, 16 bytes with a '-' after the eighth, printable characters.
std::string hex_dump(std::span<const uint8_t> bytes, size_t offset = 0);

}  // namespace vs::controller::ofp
