// ovs-ofctl's text (controller/ofp_text.h) against Open vSwitch itself. Every add-flow,
// mod-flows, del-flows, dump-flows and group command line captured in ofp_golden.h parses to
// exactly the bytes ovs-ofctl sent, and the captured flow stats print as ovs-ofctl printed them.
// When ovs-ofctl is installed, many more flows are compared with it at test time: its
// `parse-flow` against `ofp-print` of what this code encodes, and its `ofp-print` of encoded
// replies against this code's printing.
#include "controller/ofp_text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/controller/ofp_golden.h"
#include "tests/support/hex.h"

namespace vs::controller::ofp {
namespace {

// The words of a command line as Python's shlex.join wrote them (single quotes only).
std::vector<std::string> shell_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false, quoted = false;
  for (char c : line) {
    if (quoted) {
      if (c == '\'') {
        quoted = false;
      } else {
        word += c;
      }
    } else if (c == '\'') {
      quoted = in_word = true;
    } else if (c == ' ') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

// The message a golden command sent, encoded from this code's parse of the command line, or
// nullopt for commands this test does not cover (show, probe, ...).
struct Parsed {
  Body body;
  uint8_t type;
};
std::optional<Result<Parsed>> parse_golden_command(const std::vector<std::string>& words) {
  // ovs-ofctl -O OpenFlow13 --no-names [--strict] COMMAND BR [ARG]
  if (words.size() < 5 || words[2] != "OpenFlow13") return std::nullopt;
  size_t at = 4;
  const bool strict = words[at] == "--strict";
  if (strict) ++at;
  const std::string& command = words[at];
  const std::string arg = words.size() > at + 2 ? words[at + 2] : "";
  auto flow_mod = [&](FlowCommand c) -> Result<Parsed> {
    VS_ASSIGN(auto mod, parse_flow_mod(arg, c));
    return Parsed{std::move(mod.value), static_cast<uint8_t>(Type::kFlowMod)};
  };
  auto stats = [&](bool aggregate) -> Result<Parsed> {
    VS_ASSIGN(auto request, parse_flow_stats_request(arg, aggregate));
    return Parsed{MultipartRequest{0, std::move(request.value)},
                  static_cast<uint8_t>(Type::kMultipartRequest)};
  };
  auto group = [&](GroupModCommand c) -> Result<Parsed> {
    VS_ASSIGN(GroupMod mod, parse_group_mod(arg, c));
    return Parsed{std::move(mod), static_cast<uint8_t>(Type::kGroupMod)};
  };
  if (command == "add-flow") return flow_mod(FlowCommand::kAdd);
  if (command == "mod-flows")
    return flow_mod(strict ? FlowCommand::kModifyStrict : FlowCommand::kModify);
  if (command == "del-flows")
    return flow_mod(strict ? FlowCommand::kDeleteStrict : FlowCommand::kDelete);
  if (command == "dump-flows") return stats(false);
  if (command == "dump-aggregate") return stats(true);
  if (command == "add-group") return group(GroupModCommand::kAdd);
  if (command == "del-groups") return group(GroupModCommand::kDelete);
  if (command == "mod-group") return group(GroupModCommand::kModify);
  if (command == "packet-out") {
    auto outs = parse_packet_out(std::span(words).subspan(at + 2));
    if (!outs) return Result<Parsed>(outs.error());
    return Result<Parsed>(Parsed{outs.value().at(0), static_cast<uint8_t>(Type::kPacketOut)});
  }
  return std::nullopt;
}

TEST(OfpTextGolden, EveryFlowAndGroupCommandEncodesToTheBytesOvsOfctlSent) {
  size_t compared = 0;
  for (const golden::Case& c : golden::kCases) {
    const std::vector<std::string> words = shell_words(c.command);
    std::optional<Result<Parsed>> parsed = parse_golden_command(words);
    if (!parsed) continue;
    ASSERT_TRUE(parsed->has_value()) << c.command << ": " << parsed->error().message;
    const Parsed& ours = parsed->value();
    // The first message of that type the client sent.
    for (const golden::Message& m : c.messages) {
      const std::vector<uint8_t> sent = vs::testing::from_hex(m.hex);
      if (m.from_switch || sent[1] != ours.type) continue;
      const uint32_t xid = peek_header(sent)->xid;
      EXPECT_EQ(vs::testing::to_hex(encode({xid, ours.body})), m.hex) << c.command;
      ++compared;
      break;
    }
  }
  EXPECT_GE(compared, 45u);
}

// Replies Open vSwitch 3.1 sent to ofp_golden_capture.py's dump-flows and dump-groups, and
// `ovs-ofctl ofp-print` of each (kept here: the golden file is regenerated with new durations).
constexpr std::string_view kFlowStatsReply =
    "04130c28000000020001000000000000006800000000000006acfc0000bf000000000000000000000000000000"
    "0000000000000000000000000000000000000000010012800000040000000280000c02100a0000000000000004"
    "00200000000000120008000000000000001000000001000000000000000000700000000000000632ea0000c000"
    "000000000000000000000000000000000000000000000000000000000000000000000100128000000400000002"
    "80000c02101400000000000000040028000000000019001080000c02101e000000000000000000100000000100"
    "00000000000000008000000000000000f4240000c5000000000000000000000000000000000000000000000000"
    "0000000000000000000000010012800000040000000280000c0210050000000000000004001000000000001200"
    "080000000000050008000000000002001800000000000000000000000100000000000000ff0001000803000000"
    "00480000000000000b16228000ab012c0258000300000000000000000000000000000000000000000000000000"
    "00000000010012800000040000000280000a0288cc00000000000000780000000000000745928000be00000000"
    "00000000000000000000000000000000000000000000000000000000000000010012800000040000000180000a"
    "020806000000000000000400300000000000110008810000000019001080000c02100a00000000000000000010"
    "0000000200000000000000000080000000000000058b114000c100000000000000000000000000000000000000"
    "00000000000000000000000000000000010012800000040000000180000a020800000000000000000400380000"
    "0000001900108000060600000000000200000019001080001804c6120002000000000000001000000002000000"
    "000000000000700000000000000520418000c20000000000000000000000000000000000000000000000000000"
    "000000000000000000010012800000040000000280000a02080000000000000000040028000000000018000800"
    "000000001700080900000000000010000000010000000000000000006800000000000001ab3f0000c400000000"
    "00000000000000000000000000000000000000000000000000000000000000010012800000040000000180000a"
    "0286dd000000000000000300180000000000000010000000020000000000000000000100080100000000500000"
    "0000000002625a0000c30000000000000000000000000000000000000000000000000000000000000000000000"
    "01000f80000a0208008000140111000004001000000000001600080000000100580000000000000a8cce4000b4"
    "000000000000000000000000000000000000000000000000000000000000000000000001000a80000a02080000"
    "0000000000000400180000000000000010fffffffa0000000000000000005800000000000008f0d18000b70000"
    "00000000000000000000000000000000000000000000000000000000000000000001000a80000a0288b5000000"
    "000000000400180000000000000010fffffffd0080000000000000005800000000000008677d4000b800000000"
    "0000000000000000000000000000000000000000000000000000000000000001000a80000a0288b60000000000"
    "00000400180000000000000010fffffffe0000000000000000005800000000000007cee6c000b9000000000000"
    "000000000000000000000000000000000000000000000000000000000001000a80000a0288b700000000000000"
    "0400180000000000000010fffffff8000000000000000000580000000000000a037a0000b50000000000000000"
    "00000000000000000000000000000000000000000000000000000001000e80000606ffffffffffff0000000400"
    "180000000000000010fffffffb00000000000000000058000000000000097a25c000b600000000000000000000"
    "0000000000000000000000000000000000000000000000000001000e80000606fffffffffffe00000004001800"
    "00000000000010fffffffc00000000000000000058000000000000148106000064000000000000000000000000"
    "000000000000000000000000000000000000000000000001000c80000004000000010000000000040018000000"
    "000000001000000002000000000000000000580000000000000b9f76c000aa0000000000000000000000000000"
    "00001234000000000000000000000000000000000001000c800000040000000200000000000400180000000000"
    "00001000000001000000000000000000600000000000000ca2dd0000a100000000000000000000000000000000"
    "0000000000000000000000000000000000000001001880000510000000000000000500000000000000ff000400"
    "18000000000000001000000001000000000000000000580000000000000d59f80000a000000000000000000000"
    "0000000000000000000000000000000000000000000000000001001080004c0800000000000000640004001800"
    "0000000000001000000001000000000000000000780000000000000e4e1c000097000000000000000000000000"
    "000000000000000000000000000000000000000000000001002d80000a0286dd800014013a80003a018780003c"
    "010080003e1020010db80000000000000000000000010000000004001800000000000000100000000200000000"
    "0000000000a80000000000000ec82e000096000000000000000000000000000000000000000000000000000000"
    "000000000000000001005a80000a0286dd8000352020010db8000000000000000000000000ffffffff00000000"
    "00000000000000008000372020010db8000100000000000000000000ffffffffffffffff000000000000000080"
    "003804000123450000000000000004001800000000000000100000000200000000000000000080000000000000"
    "0f424000008c000000000000000000000000000000000000000000000000000000000000000000000001003880"
    "000a02080680002a02000180002c04c612000180002f08c6120000ffffff008000300600000000000180003206"
    "0000000000000004001800000000000000100000000200000000000000000068000000000000119557c0008300"
    "0000000000000000000000000000000000000000000000000000000000000000000001001b80000a0208008000"
    "14011180001e0200358000200214e9000000000000040018000000000000001000000002000000000000000000"
    "68000000000000111b45c000840000000000000000000000000000000000000000000000000000000000000000"
    "00000001001b80000a0208008000140184800022020b59800024020b5a00000000000004001800000000000000"
    "10000000020000000000000000006800000000000010642ac00085000000000000000000000000000000000000"
    "000000000000000000000000000000000001001980000a02080080001401018000260108800028010000000000"
    "0000000004001800000000000000100000000200000000000000000068000000000000121eac00008200000000"
    "0000000000000000000000000000000000000000000000000000000000000001001d80000a0208008000140106"
    "80001a02005080001d041000f00000000000040018000000000000001000000002000000000000000000780000"
    "0000000013038dc000780000000000000000000000000000000000000000000000000000000000000000000000"
    "01002d80000a02080080001708c6120000ffff000080001804c612010180001001088000120101800014011100"
    "00000004001800000000000000100000000100000000000000000058000000000000137d9fc0006f0000000000"
    "00000000000000000000000000000000000000000000000000000000000001000c80000d041000100000000000"
    "000400180000000000000010000000010000000000000000007800000000000013f7b1c0006e00000000000000"
    "0000000000000000000000000000000000000000000000000000000001002f8000090c000000000000ffffff00"
    "00008000070c01000000000001000000000080000c02100a80000e010300000400180000000000000010000000"
    "02000000000000000000580300000000000c28cb00000a00000000000000000000000000000000000000000000"
    "0000000000000000000000000001000c8000000400000002000000000004001800000000000000100000000100"
    "00000000000000";
constexpr std::string_view kFlowStatsText =
    "OFPST_FLOW reply (OF1.3) (xid=0x2):\n"
    " cookie=0x0, duration=0.112s, table=0, n_packets=0, n_bytes=0, priority=191,in_port=2,"
    "dl_vlan=10 actions=pop_vlan,output:1\n"
    " cookie=0x0, duration=0.104s, table=0, n_packets=0, n_bytes=0, priority=192,in_port=2,"
    "dl_vlan=20 actions=set_field:4126->vlan_vid,output:1\n"
    " cookie=0x0, duration=0.016s, table=0, n_packets=0, n_bytes=0, priority=197,in_port=2,"
    "dl_vlan=5 actions=pop_vlan,clear_actions,write_metadata:0x1/0xff,goto_table:3\n"
    " cookie=0x0, duration=0.186s, table=0, n_packets=0, n_bytes=0, idle_timeout=300,"
    " hard_timeout=600, send_flow_rem check_overlap priority=171,in_port=2,"
    "dl_type=0x88cc actions=drop\n"
    " cookie=0x0, duration=0.122s, table=0, n_packets=0, n_bytes=0, priority=190,arp,"
    "in_port=1 actions=push_vlan:0x8100,set_field:4106->vlan_vid,output:2\n"
    " cookie=0x0, duration=0.093s, table=0, n_packets=0, n_bytes=0, priority=193,ip,"
    "in_port=1 actions=set_field:00:00:00:00:00:02->eth_dst,set_field:198.18.0.2->ip_dst,"
    "output:2\n"
    " cookie=0x0, duration=0.086s, table=0, n_packets=0, n_bytes=0, priority=194,ip,"
    "in_port=2 actions=dec_ttl,mod_nw_ttl:9,output:1\n"
    " cookie=0x0, duration=0.028s, table=0, n_packets=0, n_bytes=0, priority=196,ipv6,"
    "in_port=1 actions=write_actions(output:2),goto_table:1\n"
    " cookie=0x0, duration=0.040s, table=0, n_packets=0, n_bytes=0, priority=195,"
    "udp actions=group:1\n"
    " cookie=0x0, duration=0.177s, table=0, n_packets=0, n_bytes=0, priority=180,"
    "ip actions=NORMAL\n"
    " cookie=0x0, duration=0.150s, table=0, n_packets=0, n_bytes=0, priority=183,"
    "dl_type=0x88b5 actions=CONTROLLER:128\n"
    " cookie=0x0, duration=0.141s, table=0, n_packets=0, n_bytes=0, priority=184,"
    "dl_type=0x88b6 actions=LOCAL\n"
    " cookie=0x0, duration=0.131s, table=0, n_packets=0, n_bytes=0, priority=185,"
    "dl_type=0x88b7 actions=IN_PORT\n"
    " cookie=0x0, duration=0.168s, table=0, n_packets=0, n_bytes=0, priority=181,"
    "dl_dst=ff:ff:ff:ff:ff:ff actions=FLOOD\n"
    " cookie=0x0, duration=0.159s, table=0, n_packets=0, n_bytes=0, priority=182,"
    "dl_dst=ff:ff:ff:ff:ff:fe actions=ALL\n"
    " cookie=0x0, duration=0.344s, table=0, n_packets=0, n_bytes=0, priority=100,"
    "in_port=1 actions=output:2\n"
    " cookie=0x1234, duration=0.195s, table=0, n_packets=0, n_bytes=0, priority=170,"
    "in_port=2 actions=output:1\n"
    " cookie=0x0, duration=0.212s, table=0, n_packets=0, n_bytes=0, priority=161,"
    "metadata=0x5/0xff actions=output:1\n"
    " cookie=0x0, duration=0.224s, table=0, n_packets=0, n_bytes=0, priority=160,"
    "tun_id=0x64 actions=output:1\n"
    " cookie=0x0, duration=0.240s, table=0, n_packets=0, n_bytes=0, priority=151,icmp6,"
    "icmp_type=135,icmp_code=0,nd_target=2001:db8::1 actions=output:2\n"
    " cookie=0x0, duration=0.248s, table=0, n_packets=0, n_bytes=0, priority=150,ipv6,"
    "ipv6_src=2001:db8::/32,ipv6_dst=2001:db8:1::/64,ipv6_label=0x12345 actions=output:2\n"
    " cookie=0x0, duration=0.256s, table=0, n_packets=0, n_bytes=0, priority=140,arp,"
    "arp_spa=198.18.0.1,arp_tpa=198.18.0.0/24,arp_op=1,arp_sha=00:00:00:00:00:01,"
    "arp_tha=00:00:00:00:00:00 actions=output:2\n"
    " cookie=0x0, duration=0.295s, table=0, n_packets=0, n_bytes=0, priority=131,udp,tp_src=53,"
    "tp_dst=5353 actions=output:2\n"
    " cookie=0x0, duration=0.287s, table=0, n_packets=0, n_bytes=0, priority=132,sctp,"
    "tp_src=2905,tp_dst=2906 actions=output:2\n"
    " cookie=0x0, duration=0.275s, table=0, n_packets=0, n_bytes=0, priority=133,icmp,"
    "icmp_type=8,icmp_code=0 actions=output:2\n"
    " cookie=0x0, duration=0.304s, table=0, n_packets=0, n_bytes=0, priority=130,tcp,tp_src=80,"
    "tp_dst=0x1000/0xf000 actions=output:2\n"
    " cookie=0x0, duration=0.319s, table=0, n_packets=0, n_bytes=0, priority=120,udp,"
    "nw_src=198.18.0.0/16,nw_dst=198.18.1.1,nw_tos=32,nw_ecn=1 actions=output:1\n"
    " cookie=0x0, duration=0.327s, table=0, n_packets=0, n_bytes=0, priority=111,"
    "vlan_tci=0x1000/0x1000 actions=output:1\n"
    " cookie=0x0, duration=0.335s, table=0, n_packets=0, n_bytes=0, priority=110,dl_vlan=10,"
    "dl_vlan_pcp=3,dl_src=00:00:00:00:00:00/ff:ff:ff:00:00:00,"
    "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=output:2\n"
    " cookie=0x0, duration=0.204s, table=3, n_packets=0, n_bytes=0, priority=10,"
    "in_port=2 actions=output:1\n";

constexpr std::string_view kGroupDescReply =
    "0413011000000002000700000000000000480300000000040020000000000001ffffffff000000000000001000"
    "00000100000000000000000020000000000002ffffffff00000000000000100000000200000000000000000048"
    "00000000000100200000ffffffffffffffff000000000000001000000001000000000000000000200000ffffff"
    "ffffffffff000000000000001000000002000000000000000000480100000000020020000affffffffffffffff"
    "00000000000000100000000200000000000000000020005affffffffffffffff00000000000000100000000100"
    "00000000000000002802000000000300200000ffffffffffffffff000000000000001000000002000000000000"
    "0000";
constexpr std::string_view kGroupDescText =
    "OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):\n"
    " group_id=4,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_port:2,"
    "actions=output:2\n"
    " group_id=1,type=all,bucket=actions=output:1,bucket=actions=output:2\n"
    " group_id=2,type=select,bucket=weight:10,actions=output:2,bucket=weight:90,"
    "actions=output:1\n"
    " group_id=3,type=indirect,bucket=actions=output:2\n";

TEST(OfpTextGolden, RepliesOfOpenVswitchPrintAsOvsOfctlPrintsThem) {
  EXPECT_EQ(format_raw_message(vs::testing::from_hex(kFlowStatsReply)), kFlowStatsText);
  EXPECT_EQ(format_raw_message(vs::testing::from_hex(kGroupDescReply)), kGroupDescText);
}

TEST(OfpText, TableStatsSayDittoForTablesLikeThePreviousOne) {
  TableStatsReply reply;
  for (uint8_t id = 0; id < 9; ++id) {
    TableStats table{id,
                     id == 0   ? 29u
                     : id == 3 ? 1u
                               : 0u,
                     id == 0   ? 1u
                     : id >= 7 ? 5u
                               : 0u,
                     id == 0   ? 1u
                     : id >= 7 ? 5u
                               : 0u};
    reply.tables.push_back(table);
  }
  // As `ovs-ofctl ofp-print` prints it.
  EXPECT_EQ(format_message({2, MultipartReply{0, reply}}),
            "OFPST_TABLE reply (OF1.3) (xid=0x2):\n"
            "  table 0:\n    active=29, lookup=1, matched=1\n\n"
            "  table 1:\n    active=0, lookup=0, matched=0\n\n"
            "  table 2: ditto\n\n"
            "  table 3:\n    active=1, lookup=0, matched=0\n\n"
            "  table 4:\n    active=0, lookup=0, matched=0\n\n"
            "  tables 5...6: ditto\n\n"
            "  table 7:\n    active=0, lookup=5, matched=5\n\n"
            "  table 8: ditto\n");
}

TEST(OfpText, PrintsAFlowAsDumpFlowsDoes) {
  FlowStats flow;
  flow.table_id = 3;
  flow.duration_sec = 2;
  flow.duration_nsec = 500000000;
  flow.priority = 100;
  flow.idle_timeout = 60;
  flow.flags = kFlowSendFlowRem | kFlowCheckOverlap;
  flow.cookie = 0x1234;
  flow.packet_count = UINT64_MAX;  // unknown
  flow.byte_count = 7;
  auto mod =
      parse_flow_mod("tcp,nw_src=198.18.0.0/16,tp_dst=80,actions=output:2", FlowCommand::kAdd);
  ASSERT_TRUE(mod) << mod.error().message;
  flow.match = mod.value().value.match;
  flow.instructions = mod.value().value.instructions;
  EXPECT_EQ(format_flow_stats(flow),
            " cookie=0x1234, duration=2.500s, table=3, n_packets=?, n_bytes=7, idle_timeout=60, "
            "send_flow_rem check_overlap priority=100,tcp,nw_src=198.18.0.0/16,tp_dst=80 "
            "actions=output:2");
  EXPECT_EQ(format_flow_stats(flow, {nullptr, false}),
            " cookie=0x1234, table=3, idle_timeout=60, send_flow_rem check_overlap "
            "priority=100,tcp,nw_src=198.18.0.0/16,tp_dst=80 actions=output:2");
  flow = FlowStats{};
  flow.priority = 0x8000;
  EXPECT_EQ(format_flow_stats(flow),
            " cookie=0x0, duration=0s, table=0, n_packets=0, n_bytes=0, actions=drop");
}

TEST(OfpText, PortNamesAreLookedUpOnlyForWordsThatAreNotPorts) {
  size_t lookups = 0;
  PortLookup ports = [&](std::string_view name) -> Result<std::optional<uint32_t>> {
    ++lookups;
    if (name == "vnet0") return std::optional<uint32_t>(7);
    return std::optional<uint32_t>();
  };
  auto mod =
      parse_flow_mod("in_port=vnet0,actions=output:LOCAL,2,normal", FlowCommand::kAdd, ports);
  ASSERT_TRUE(mod) << mod.error().message;
  EXPECT_EQ(lookups, 1u);
  EXPECT_EQ(mod.value().value.match, Match{Oxm::exact(OxmField::kInPort, 7)});
  EXPECT_EQ(
      mod.value().value.instructions.apply_actions,
      (ActionList{Action::output(kPortLocal), Action::output(2), Action::output(kPortNormal)}));
  auto unknown = parse_flow_mod("in_port=vnet9,actions=drop", FlowCommand::kAdd, ports);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "vnet9: invalid or unknown port for in_port");
  const PortNames names = {{7, "vnet0"}};
  FormatOptions options{&names};
  EXPECT_EQ(format_match(mod.value().value.match, 5, options), "priority=5,in_port=vnet0");
}

TEST(OfpText, AFieldWithoutItsPrerequisiteIsDroppedWithAWarning) {
  auto mod =
      parse_flow_mod("tp_dst=80,nw_src=198.18.0.1,in_port=1,actions=drop", FlowCommand::kAdd);
  ASSERT_TRUE(mod);
  EXPECT_EQ(mod.value().value.match, Match{Oxm::exact(OxmField::kInPort, 1)});
  ASSERT_EQ(mod.value().warnings.size(), 1u);
  EXPECT_NE(mod.value().warnings[0].find("nw_src=198.18.0.1,tp_dst=80"), std::string::npos)
      << mod.value().warnings[0];
}

TEST(OfpText, BadTokensAreRefusedByName) {
  struct Case {
    FlowCommand command;
    std::string_view text;
    std::string_view error;
  };
  const Case cases[] = {
      {FlowCommand::kAdd, "in_port=1", "must specify an action"},
      {FlowCommand::kAdd, "foo=1,actions=drop", "unknown keyword foo"},
      {FlowCommand::kAdd, "in_port=foo,actions=drop", "foo: invalid or unknown port for in_port"},
      {FlowCommand::kAdd, "priority=70000,actions=drop", "invalid priority \"70000\""},
      {FlowCommand::kAdd, "idle_timeout=x,actions=drop", "invalid idle_timeout \"x\""},
      {FlowCommand::kAdd, "table=300,actions=drop", "unknown table \"300\""},
      {FlowCommand::kAdd, "dl_src=zz,actions=drop", "zz: invalid Ethernet address"},
      {FlowCommand::kAdd, "ip,nw_src=1.2.3,actions=drop", "1.2.3: invalid IP address"},
      {FlowCommand::kAdd, "ip,nw_src=1.2.3.4/33,actions=drop",
       "1.2.3.4/33: IPv4 network prefix bits not between 0 and 32, inclusive"},
      {FlowCommand::kAdd, "ipv6,ipv6_src=zz,actions=drop", "zz: invalid IPv6 address"},
      {FlowCommand::kAdd, "tcp,tp_dst=70000,actions=drop",
       "70000: value too large for 2-byte field tcp_dst"},
      {FlowCommand::kAdd, "tcp,tp_dst=abc,actions=drop", "abc: bad syntax for tcp_dst value"},
      {FlowCommand::kAdd, "dl_type=0x800/0xff00,actions=drop",
       "0x800/0xff00: invalid mask for field eth_type"},
      {FlowCommand::kAdd, "priority,actions=drop", "field priority missing value"},
      {FlowCommand::kAdd, "cookie=0x1/0x1,actions=drop", "flow additions cannot use a cookie mask"},
      {FlowCommand::kAdd, "cookie=abc,actions=drop", "invalid numeric format abc"},
      {FlowCommand::kAdd, "nw_ttl=3,actions=drop", "field nw_ttl is not supported"},
      {FlowCommand::kAdd, "actions=bogus", "unknown action bogus"},
      {FlowCommand::kAdd, "actions=output:foo", "foo: output to unknown port"},
      {FlowCommand::kAdd, "actions=drop,2", "\"drop\" must not be accompanied by any other action"},
      {FlowCommand::kAdd, "actions=goto_table:1,output:2",
       "invalid instruction ordering: apply_actions must appear before goto_table"},
      {FlowCommand::kAdd, "actions=goto_table:1,goto_table:2", "duplicate goto_table instruction"},
      {FlowCommand::kAdd, "table=3,actions=goto_table:1", "(OFPBIC_BAD_TABLE_ID)"},
      {FlowCommand::kAdd, "actions=push_vlan:0x9100", "0x9100: not a valid VLAN ethertype"},
      {FlowCommand::kAdd, "actions=mod_vlan_vid:5000", "5000: not a valid VLAN VID"},
      {FlowCommand::kAdd, "actions=set_field:1->nosuch", "nosuch is not a valid OXM field name"},
      {FlowCommand::kAdd, "actions=set_field:1", "1: missing `->'"},
      {FlowCommand::kAdd, "actions=set_field:5->vlan_vid",
       "set_field vlan_vid lacks correct prerequisites"},
      {FlowCommand::kAdd, "actions=pop_vlan", "pop_vlan needs a VLAN in the match"},
      {FlowCommand::kAdd, "actions=dec_ttl", "dec_ttl needs an ip or ipv6 match"},
      {FlowCommand::kAdd, "actions=mod_tp_src:80", "mod_tp_src needs a tcp, udp or sctp match"},
      {FlowCommand::kAdd, "actions=output:ANY", "(OFPBAC_BAD_OUT_PORT)"},
      {FlowCommand::kAdd, "actions=mod_nw_ttl:300", "invalid TTL \"300\""},
      {FlowCommand::kAdd, "actions=controller(max_len=abc)", "invalid max_len \"abc\""},
      {FlowCommand::kAdd, "actions=set_queue:3", "set_queue: action not supported"},
      {FlowCommand::kDelete, "priority=5", "unknown keyword priority"},
      {FlowCommand::kDelete, "cookie=5", "cannot set cookie (to match on a cookie, specify a mask"},
      {FlowCommand::kDelete, "out_port=foo", "foo is not a valid OpenFlow port"},
      {FlowCommand::kDump, "out_group=foo", "foo is not a valid OpenFlow group"},
      {FlowCommand::kDump, "send_flow_rem", "field send_flow_rem missing value"},
      {FlowCommand::kDump, "send_flow_rem=1", "unknown keyword send_flow_rem"},
  };
  for (const Case& c : cases) {
    auto result = c.command == FlowCommand::kDump
                      ? parse_flow_stats_request(c.text, false).has_error()
                            ? Result<void>(parse_flow_stats_request(c.text, false).error())
                            : Result<void>(boost::outcome_v2::success())
                  : parse_flow_mod(c.text, c.command).has_error()
                      ? Result<void>(parse_flow_mod(c.text, c.command).error())
                      : Result<void>(boost::outcome_v2::success());
    ASSERT_FALSE(result) << c.text;
    EXPECT_NE(result.error().message.find(c.error), std::string::npos)
        << c.text << ": " << result.error().message;
  }
}

TEST(OfpText, ErrorRepliesPrintTheOffendingRequest) {
  auto mod = parse_flow_mod("priority=1,actions=group:99", FlowCommand::kAdd);
  ASSERT_TRUE(mod);
  const std::vector<uint8_t> request = encode({6, mod.value().value});
  // vswitchd quotes the first 64 bytes: cut short, printed as a hex dump.
  EXPECT_EQ(format_raw_message(encode_error_reply(err::kBadOutGroup, request)),
            "OFPT_ERROR (OF1.3) (xid=0x6): OFPBAC_BAD_OUT_GROUP\n"
            "OFPT_FLOW_MOD (OF1.3) (xid=0x6):\n"
            "(***truncated to 64 bytes from 72***)\n"
            "00000000  04 0e 00 48 00 00 00 06-00 00 00 00 00 00 00 00 |...H............|\n"
            "00000010  00 00 00 00 00 00 00 00-00 00 00 00 00 00 00 01 |................|\n"
            "00000020  ff ff ff ff ff ff ff ff-ff ff ff ff 00 00 00 00 |................|\n"
            "00000030  00 01 00 04 00 00 00 00-00 04 00 10 00 00 00 00 |................|\n");
  auto small = parse_flow_mod("table=254,priority=1,actions=drop", FlowCommand::kAdd);
  ASSERT_TRUE(small);
  EXPECT_EQ(format_raw_message(encode_error_reply({1, 5}, encode({2, small.value().value}))),
            "OFPT_ERROR (OF1.3) (xid=0x2): OFPBRC_EPERM\n"
            "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD table:254 priority=1 actions=drop\n");
}

// ---------------------------------------------------------------------------------------
// Against the installed ovs-ofctl.

struct Output {
  int status;
  std::string text;
};
Output run(const std::string& command) {
  Output out{-1, ""};
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.text.append(buffer, n);
  const int status = pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

bool have_ovs_ofctl() { return run("ovs-ofctl --version").status == 0; }

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  return trimmed.substr(trimmed.rfind('\n') == std::string::npos ? 0 : trimmed.rfind('\n') + 1);
}

// Flows in many shapes; each is parsed by both and must mean the same flow-mod.
constexpr std::string_view kFlows[] = {
    "priority=100,in_port=1,actions=output:2",
    "table=5,priority=7,cookie=0xfeed,idle_timeout=10,hard_timeout=20,send_flow_rem,"
    "reset_counts,no_packet_counts,no_byte_counts,in_port=LOCAL,actions=NORMAL",
    "dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=FLOOD",
    "eth_src=00:11:22:33:44:55/ff:ff:ff:00:00:00,eth_type=0x88cc,actions=ALL",
    "dl_vlan=10,dl_vlan_pcp=3,actions=strip_vlan,output:3",
    "dl_vlan=0xfff,actions=drop",
    "vlan_tci=0,actions=mod_vlan_vid:10,output:1",
    "vlan_tci=0x1000/0x1000,actions=mod_vlan_pcp:5",
    "vlan_tci=0x5000/0xf000,actions=drop",
    "vlan_tci=0x100a/0x0fff,actions=drop",
    "vlan_vid=0x1005,vlan_pcp=2,actions=pop_vlan,push_vlan:0x88a8,set_field:4097->vlan_vid",
    "vlan_vid=0x1000/0x1000,actions=set_field:7->vlan_pcp",
    "dl_vlan_pcp=6,actions=drop",
    "ip,nw_src=198.18.0.0/15,nw_dst=198.18.1.1,nw_tos=32,nw_ecn=3,actions=dec_ttl,"
    "mod_nw_ttl:9,mod_nw_tos:16,mod_nw_ecn:1,mod_nw_src:198.18.0.1,mod_nw_dst:198.18.0.2",
    "ip,nw_src=198.18.1.2/255.255.0.255,ip_dscp=46,actions=output:1",
    "ip,ip_proto=47,actions=output:1",
    "ip,nw_proto=2,actions=drop",
    "tcp,tp_src=80,tp_dst=0x1000/0xf000,actions=mod_tp_src:8080,mod_tp_dst:443",
    "tcp6,tcp_src=22,actions=set_field:2222->tcp_src",
    "udp,udp_dst=53,actions=mod_tp_dst:5353",
    "udp6,tp_dst=547,actions=drop",
    "sctp,sctp_src=2905,sctp_dst=0x0b00/0xff00,actions=mod_tp_src:1",
    "sctp6,tp_src=1,actions=drop",
    "icmp,icmp_type=8,icmp_code=0,actions=set_field:0->icmp_type",
    "icmp6,icmp_type=135,nd_target=2001:db8::1,nd_sll=00:00:00:00:00:01,actions=drop",
    "icmp6,icmpv6_type=136,icmpv6_code=0,nd_target=2001:db8::/32,"
    "nd_tll=00:00:00:00:00:02/ff:ff:ff:ff:ff:00,actions=set_field:2001:db8::2->nd_target",
    "icmp6,icmp_type=128,actions=set_field:129->icmpv6_type",
    "ipv6,ipv6_src=2001:db8::/32,ipv6_dst=2001:db8:1::1/ffff:ffff::ffff,ipv6_label=0x12345,"
    "actions=set_field:2001:db8::1->ipv6_src,set_field:0x54321->ipv6_label",
    "ipv6,ipv6_label=0x100/0xf00,nw_tos=8,actions=drop",
    "arp,arp_op=1,arp_spa=198.18.0.1,arp_tpa=198.18.0.0/24,arp_sha=00:00:00:00:00:01,"
    "arp_tha=00:00:00:00:00:00/ff:ff:ff:ff:ff:00,actions=set_field:2->arp_op,"
    "set_field:198.18.0.9->arp_spa,set_field:00:00:00:00:00:09->arp_sha",
    "rarp,actions=drop",
    "mpls,actions=drop",
    "mplsm,in_port=3,actions=drop",
    "tun_id=0x64/0xffff,metadata=0x5,actions=write_metadata:0x5/0xff,goto_table:2",
    "tunnel_id=100,actions=set_field:200->tun_id",
    "metadata=0x10/0xf0,actions=clear_actions,write_actions(output:2,group:3),goto_table:9",
    "actions=write_actions(push_vlan:0x8100,set_field:4097->vlan_vid)",
    "actions=CONTROLLER:128,controller,controller(max_len=64),output:controller",
    "actions=IN_PORT,TABLE,LOCAL,in_port,all,flood,normal",
    "actions=group:4294967040",
    "actions=mod_dl_src:00:00:00:00:00:01,mod_dl_dst:00:00:00:00:00:02",
    "actions=set_field:00:00:00:00:00:01->eth_src,set_field:02:00:00:00:00:02->dl_dst",
    "in_port=65534,actions=output:65533",
    "in_port=4294967294,actions=output:4294967292",
    "priority=0,actions=",
    "priority=65535,actions=drop",
    "cookie=-1,actions=drop",
    "table=254,actions=output:1",
    "  in_port = 1 , priority=5 actions = drop",
    "in_port(1),actions=output(2)",
    "duration=3.5s,n_packets=5,n_bytes=6,idle_age=4,priority=4,actions=drop",
    "tcp,tp_dst=010,priority=010,actions=group:010",
    "tp_dst=80,actions=drop",
    "nw_src=198.18.0.1,in_port=1,actions=drop",
    "icmp6,nd_target=::1,actions=drop",
    "ip,icmp_type=3,actions=drop",
    "ip,ip_proto=17,icmp_type=3,actions=drop",
    "dl_type=0x0800,dl_type=0x86dd,actions=drop",
    "tcp,udp,actions=drop",
    "ip,nw_tos=33,actions=drop",
    "ip,nw_src=198.18.0.1/0,actions=drop",
    "metadata=0x1/0x0,actions=drop",
    "tun_src=198.18.0.1,tun_dst=198.18.0.0/24,actions=set_field:198.18.0.2->tun_dst,output:1",
    "ip,tun_dst=198.18.1.2/255.255.0.255,tun_id=5,nw_dst=198.18.0.9,"
    "actions=set_field:198.18.0.1->tun_src,set_field:198.18.0.3->tun_dst",
    "tun_src=198.18.0.1/0,tun_dst=0.0.0.0,actions=drop",
    // Refused by both.
    "in_port=1",
    "bogus=1,actions=drop",
    "in_port=nosuchport,actions=drop",
    "priority=65536,actions=drop",
    "tcp,tp_dst=65536,actions=drop",
    "dl_dst=00:00:00:00:00,actions=drop",
    "ip,nw_dst=198.18.0.1/40,actions=drop",
    "actions=drop,output:1",
    "actions=output:1,drop",
    "actions=nosuchaction",
    "actions=push_vlan:0x0800",
    "actions=goto_table:2,goto_table:3",
    "actions=clear_actions,output:1",
    "table=2,actions=goto_table:2",
    "actions=set_field:1->eth_type",
    "actions=set_field:198.18.0.1->ip_src",
    "actions=output:ANY",
    "cookie=1/1,actions=drop",
    "table=256,actions=drop",
    "tun_src=198.18.0.1/33,actions=drop",
    "tun_dst=198.18.0,actions=drop",
    "actions=set_field:198.18.0->tun_dst",
};

TEST(OfpTextVsOvsOfctl, FlowsParseToTheFlowModOvsOfctlMakes) {
  if (!have_ovs_ofctl()) GTEST_SKIP() << "ovs-ofctl is not installed (openvswitch-common)";
  size_t accepted = 0, refused = 0;
  for (std::string_view flow : kFlows) {
    const Output theirs = run("ovs-ofctl -O OpenFlow13 parse-flow '" + std::string(flow) + "'");
    auto ours = parse_flow_mod(flow, FlowCommand::kAdd);
    ASSERT_EQ(theirs.status == 0, ours.has_value())
        << flow << "\n  ovs-ofctl: " << theirs.text
        << "\n  ours: " << (ours ? "accepted" : ours.error().message);
    if (!ours) {
      ++refused;
      continue;
    }
    const std::string hex = vs::testing::to_hex(encode({1, ours.value().value}));
    const Output printed = run("ovs-ofctl ofp-print " + hex);
    EXPECT_EQ(last_line(printed.text), last_line(theirs.text)) << flow;
    // And the same with this code's printer.
    EXPECT_EQ(last_line(format_raw_message(encode({1, ours.value().value}))),
              last_line(theirs.text))
        << flow;
    ++accepted;
  }
  EXPECT_GT(accepted, 50u);
  EXPECT_GT(refused, 15u);
}

TEST(OfpTextVsOvsOfctl, RepliesPrintAsOvsOfctlPrintsThem) {
  if (!have_ovs_ofctl()) GTEST_SKIP() << "ovs-ofctl is not installed (openvswitch-common)";
  // Flow stats of every accepted flow above, with varied counters and durations.
  FlowStatsReply reply;
  uint32_t n = 0;
  for (std::string_view text : kFlows) {
    auto mod = parse_flow_mod(text, FlowCommand::kAdd);
    if (!mod) continue;
    ++n;
    FlowStats flow;
    flow.table_id = mod.value().value.table_id;
    flow.duration_sec = n * 7;
    flow.duration_nsec = (n % 3 == 0) ? 0 : (n % 3 == 1) ? n * 1000000 : n * 1234567;
    flow.priority = mod.value().value.priority;
    flow.idle_timeout = mod.value().value.idle_timeout;
    flow.hard_timeout = mod.value().value.hard_timeout;
    flow.flags = mod.value().value.flags;
    flow.cookie = mod.value().value.cookie;
    flow.packet_count = n % 5 == 0 ? UINT64_MAX : n * 3;
    flow.byte_count = n * 300;
    flow.match = mod.value().value.match;
    flow.instructions = mod.value().value.instructions;
    reply.flows.push_back(flow);
  }
  std::vector<Message> messages = {{2, MultipartReply{kMultipartMore, reply}}};
  PortStatsReply ports;
  ports.ports.push_back({1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 5, 0});
  ports.ports.push_back({kPortLocal, UINT64_MAX, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, UINT32_MAX, 0});
  ports.ports.push_back({12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 500000000});
  messages.push_back({3, MultipartReply{0, ports}});
  PortDescReply descs;
  descs.ports.push_back({7, {2, 0, 0, 0, 0, 1}, "p7", 0x65, 7, 0xffff, 0, 1, 2, 0, 0});
  descs.ports.push_back(
      {kPortLocal, {2, 0, 0, 0, 0, 2}, "br0", 0, 4, 0x840, 0x840, 0, 0, 10000000, 10000000});
  descs.ports.push_back({3, {2, 0, 0, 0, 0, 3}, "p3", 0, 0, 0, 0, 0, 0, 0, 5000});
  messages.push_back({4, MultipartReply{0, descs}});
  messages.push_back({5, FeaturesReply{0x1234, 256, 254, 0, 0x14f}});
  messages.push_back({6, FeaturesReply{0x6a844a616247, 0, 10, 3, 0}});
  messages.push_back({7, GetConfigReply{{1, 0xffff}}});
  messages.push_back({8, MultipartReply{0, AggregateReply{5, 6, 7}}});
  messages.push_back({9, BarrierReply{}});
  messages.push_back(
      {10, MultipartReply{0, DescReply{"Nicira, Inc.", "vswitch", "0.1", "None", "br0"}}});
  messages.push_back({11, ErrorMsg{{0, 0}, {'n', 'o', 0x01}}});
  for (const Message& message : messages) {
    const std::vector<uint8_t> bytes = encode(message);
    const Output printed = run("ovs-ofctl ofp-print " + vs::testing::to_hex(bytes));
    EXPECT_EQ(format_raw_message(bytes), printed.text);
  }
}

// Tunnel outer addresses (Nicira's NXM_NX_TUN_IPV4_SRC / _DST): the bytes ovs-ofctl 3.1 sent
// for each text (captured with `ovs-ofctl -O OpenFlow13 --no-names COMMAND unix:SOCK TEXT`
// against a unix-socket listener; xid 2), and `ovs-ofctl ofp-print` of those bytes.
TEST(OfpText, TunnelAddressesParseToTheBytesOvsOfctlSentAndPrintAsItPrints) {
  struct Case {
    FlowCommand command;
    std::string_view text;
    std::string_view hex;
    std::string_view printed;
  };
  const Case cases[] = {
      {FlowCommand::kAdd, "tun_src=198.18.0.1,tun_dst=198.18.0.2,actions=output:1",
       "040e006000000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
       "000000000001001400013e04c612000100014004c612000200000000000400180000000000000010000000"
       "010000000000000000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD tun_src=198.18.0.1,tun_dst=198.18.0.2 "
       "actions=output:1\n"},
      {FlowCommand::kAdd, "tun_dst=198.18.0.0/255.255.255.0,actions=output:1",
       "040e005800000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
       "000000000001001000014108c6120000ffffff00000400180000000000000010000000010000000000000000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD tun_dst=198.18.0.0/24 actions=output:1\n"},
      {FlowCommand::kAdd, "tun_dst=198.18.0.0/24,actions=output:1",
       "040e005800000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
       "000000000001001000014108c6120000ffffff00000400180000000000000010000000010000000000000000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD tun_dst=198.18.0.0/24 actions=output:1\n"},
      {FlowCommand::kAdd, "actions=set_field:198.18.0.2->tun_dst,output:1",
       "040e006000000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
       "00000000000100040000000000040028000000000019001000014004c6120002000000000000001000000001"
       "0000000000000000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD actions=set_field:198.18.0.2->tun_dst,output:1\n"},
      {FlowCommand::kAdd, "actions=set_field:198.18.0.1->tun_src,output:1",
       "040e006000000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
       "00000000000100040000000000040028000000000019001000013e04c6120001000000000000001000000001"
       "0000000000000000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD actions=set_field:198.18.0.1->tun_src,output:1\n"},
      {FlowCommand::kAdd,
       "priority=160,tun_id=0x64,tun_src=198.18.0.1,metadata=0x5/0xff,actions=output:1",
       "040e0078000000020000000000000000000000000000000000000000000000a0ffffffffffffffffffffffff"
       "000000000001002c80004c08000000000000006400013e04c612000180000510000000000000000500000000"
       "000000ff00000000000400180000000000000010000000010000000000000000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD priority=160,tun_id=0x64,tun_src=198.18.0.1,"
       "metadata=0x5/0xff actions=output:1\n"},
      {FlowCommand::kAdd,
       "ip,nw_src=198.18.0.0/16,tun_dst=198.18.0.0/255.255.0.255,actions=output:1",
       "040e007000000002000000000000000000000000000000000000000000008000ffffffffffffffffffffffff"
       "000000000001002280000a02080080001708c6120000ffff000000014108c6120000ffff00ff000000000000"
       "000400180000000000000010000000010000000000000000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): ADD ip,tun_dst=198.18.0.0/255.255.0.255,"
       "nw_src=198.18.0.0/16 actions=output:1\n"},
      {FlowCommand::kDelete, "tun_src=198.18.0.1/255.255.0.0",
       "040e00400000000200000000000000000000000000000000ff03000000008000ffffffffffffffffffffffff"
       "000000000001001000013f08c6120000ffff0000",
       "OFPT_FLOW_MOD (OF1.3) (xid=0x2): DEL table:255 tun_src=198.18.0.0/16 actions=drop\n"},
      {FlowCommand::kDump, "tun_dst=198.18.0.2",
       "04120040000000020001000000000000ff000000ffffffffffffffff00000000000000000000000000000000"
       "000000000001000c00014004c612000200000000",
       "OFPST_FLOW request (OF1.3) (xid=0x2): tun_dst=198.18.0.2\n"},
  };
  for (const Case& c : cases) {
    Body body;
    if (c.command == FlowCommand::kDump) {
      auto request = parse_flow_stats_request(c.text, false);
      ASSERT_TRUE(request) << c.text << ": " << request.error().message;
      EXPECT_TRUE(request.value().warnings.empty()) << c.text;
      body = MultipartRequest{0, request.value().value};
    } else {
      auto mod = parse_flow_mod(c.text, c.command);
      ASSERT_TRUE(mod) << c.text << ": " << mod.error().message;
      EXPECT_TRUE(mod.value().warnings.empty()) << c.text;
      body = mod.value().value;
    }
    const std::vector<uint8_t> wire = encode({2, body});
    EXPECT_EQ(vs::testing::to_hex(wire), c.hex) << c.text;
    EXPECT_EQ(format_raw_message(vs::testing::from_hex(c.hex)), c.printed) << c.text;
  }
}

TEST(OfpText, TunnelAddressesPrintInFlowStatsAndAreRefusedWhenMalformed) {
  auto mod = parse_flow_mod(
      "priority=7,tun_dst=198.18.0.0/16,tun_src=198.18.0.1,in_port=1,"
      "actions=set_field:198.18.0.9->tun_dst,output:2",
      FlowCommand::kAdd);
  ASSERT_TRUE(mod) << mod.error().message;
  FlowStats flow;
  flow.priority = 7;
  flow.match = mod.value().value.match;
  flow.instructions = mod.value().value.instructions;
  EXPECT_EQ(format_flow_stats(flow, {nullptr, false}),
            " priority=7,tun_src=198.18.0.1,tun_dst=198.18.0.0/16,in_port=1 "
            "actions=set_field:198.18.0.9->tun_dst,output:2");
  struct Bad {
    std::string_view text;
    std::string_view error;
  };
  const Bad bad[] = {
      {"tun_src=1.2.3,actions=drop", "1.2.3: invalid IP address"},
      {"tun_dst=198.18.0.1/33,actions=drop",
       "198.18.0.1/33: IPv4 network prefix bits not between 0 and 32, inclusive"},
      {"actions=set_field:1.2.3->tun_dst", "1.2.3: invalid IP address"},
      {"tun_flags=+df,actions=drop", "field tun_flags is not supported"},
      {"tun_ipv6_src=::1,actions=drop", "field tun_ipv6_src is not supported"},
  };
  for (const Bad& b : bad) {
    auto result = parse_flow_mod(b.text, FlowCommand::kAdd);
    ASSERT_FALSE(result) << b.text;
    EXPECT_NE(result.error().message.find(b.error), std::string::npos)
        << b.text << ": " << result.error().message;
  }
}

}  // namespace
}  // namespace vs::controller::ofp
