// OfSwitch through the whole in-process path: OpenFlow messages in, replies out, and frames on
// memory ports that follow the flows the messages installed (the forwarding thread runs).
#include "tests/controller/of_switch_fixture.h"

namespace vs::controller {
namespace {

TEST_F(OfSwitchTest, FeaturesDescAndPortDescDescribeTheBridge) {
  auto features = request({1, FeaturesRequest{}});
  ASSERT_EQ(features.size(), 1u);
  EXPECT_EQ(std::get<FeaturesReply>(features[0].body).datapath_id, 0xabu);
  EXPECT_EQ(std::get<FeaturesReply>(features[0].body).n_tables, 254);
  EXPECT_EQ(std::get<FeaturesReply>(features[0].body).capabilities, 15u);  // flow, table, port, group
  auto desc = request({2, MultipartRequest{0, DescRequest{}}});
  EXPECT_EQ(std::get<DescReply>(std::get<MultipartReply>(desc.at(0).body).body).datapath, "br0");
  auto ports = request({3, MultipartRequest{0, PortDescRequest{}}});
  EXPECT_EQ(
      std::get<PortDescReply>(std::get<MultipartReply>(ports.at(0).body).body).ports.at(0).name,
      "p1");
}

TEST_F(OfSwitchTest, PortStatsForEveryPortOrOneAndAnUnknownPortIsRefused) {
  auto all = request({1, MultipartRequest{0, PortStatsRequest{}}});
  const auto& ports = std::get<PortStatsReply>(std::get<MultipartReply>(all.at(0).body).body).ports;
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[1].tx_dropped, 5u);
  auto one = request({2, MultipartRequest{0, PortStatsRequest{1}}});
  const auto& only = std::get<PortStatsReply>(std::get<MultipartReply>(one.at(0).body).body).ports;
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].rx_bytes, 1000u);
  EXPECT_EQ(error_for({3, MultipartRequest{0, PortStatsRequest{9}}}), err::kBadPort);
}

TEST_F(OfSwitchTest, AFlowTakesEffectBeforeTheBarrierReplyAndDeletingItRestoresNormal) {
  const Bytes frame = make_frame(kBroadcast, kMac1, 1, 46);
  EXPECT_EQ(send(1, frame).size(), 2u) << "NORMAL floods to ports 2 and 3";
  EXPECT_TRUE(
      request({10, flow(100, {Oxm::exact(OxmField::kInPort, 1)}, {Action::output(3)})}).empty());
  EXPECT_EQ(request({11, BarrierRequest{}}), (std::vector<Message>{{11, BarrierReply{}}}));
  EXPECT_EQ(send(1, frame), (std::map<uint32_t, std::vector<Bytes>>{{3, {frame}}}));

  FlowMod del = flow(100, {Oxm::exact(OxmField::kInPort, 1)}, {});
  del.command = FlowModCommand::kDeleteStrict;
  EXPECT_TRUE(request({12, del}).empty());
  EXPECT_EQ(send(1, frame).size(), 2u);
}

TEST_F(OfSwitchTest, FlowStatsListTheRulesWithTheirMatchAndInstructions) {
  FlowMod mod =
      flow(100, {Oxm::exact(OxmField::kInPort, 2), Oxm::exact(OxmField::kEthType, 0x0800)},
           {Action::output(1)}, 3);
  mod.cookie = 0x1234;
  mod.idle_timeout = 30;
  request({1, mod});
  thread_->call([&](datapath::Datapath&) { clock_.advance(std::chrono::milliseconds(2500)); });
  FlowStatsRequest all;
  auto replies = request({2, MultipartRequest{0, all}});
  ASSERT_EQ(replies.size(), 1u);
  const auto& flows =
      std::get<FlowStatsReply>(std::get<MultipartReply>(replies[0].body).body).flows;
  ASSERT_EQ(flows.size(), 2u);  // the default NORMAL rule in table 0, then table 3
  EXPECT_EQ(flows[0].instructions.apply_actions, ActionList{Action::output(kPortNormal)});
  EXPECT_EQ(flows[1].table_id, 3);
  EXPECT_EQ(flows[1].cookie, 0x1234u);
  EXPECT_EQ(flows[1].idle_timeout, 30);
  EXPECT_EQ(flows[1].duration_sec, 2u);
  EXPECT_EQ(flows[1].duration_nsec, 500'000'000u);
  EXPECT_EQ(flows[1].match, mod.match);
  EXPECT_EQ(flows[1].instructions, mod.instructions);

  FlowStatsRequest by_cookie;
  by_cookie.cookie = 0x1234;
  by_cookie.cookie_mask = ~uint64_t{0};
  by_cookie.aggregate = true;
  auto sum = request({3, MultipartRequest{0, by_cookie}});
  EXPECT_EQ(std::get<AggregateReply>(std::get<MultipartReply>(sum.at(0).body).body).flow_count, 1u);
}

TEST_F(OfSwitchTest, ManyFlowsAreSplitIntoMultipartRepliesThatSayMore) {
  for (uint32_t i = 0; i < 1500; ++i) {
    request({i, flow(200,
                     {Oxm::exact(OxmField::kEthType, 0x0800),
                      Oxm::exact(OxmField::kIpv4Dst, 0xc6120000 + i)},
                     {Action::output(2)})});
  }
  auto replies = request({9, MultipartRequest{0, FlowStatsRequest{}}});
  ASSERT_GT(replies.size(), 1u);
  size_t total = 0;
  for (size_t i = 0; i < replies.size(); ++i) {
    const auto& reply = std::get<MultipartReply>(replies[i].body);
    EXPECT_EQ(reply.flags, i + 1 < replies.size() ? kMultipartMore : 0);
    total += std::get<FlowStatsReply>(reply.body).flows.size();
  }
  EXPECT_EQ(total, 1501u);
}

TEST_F(OfSwitchTest, GotoTableAndMetadataReachALaterTable) {
  FlowMod first = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {});
  first.instructions.apply_actions.reset();
  first.instructions.write_metadata = Instructions::Metadata{0x5, 0xff};
  first.instructions.goto_table = 2;
  request({1, first});
  request({2, flow(10, {Oxm::masked(OxmField::kMetadata, 0x5, 0xff)}, {Action::output(2)}, 2)});
  const Bytes frame = make_frame(kBroadcast, kMac1, 2, 46);
  EXPECT_EQ(send(1, frame), (std::map<uint32_t, std::vector<Bytes>>{{2, {frame}}}));
  EXPECT_EQ(send(2, frame).size(), 2u) << "port 2 still meets NORMAL in table 0";
}

TEST_F(OfSwitchTest, PushVlanAndSetFieldTagTheFrameOnTheWire) {
  Action push{Action::Kind::kPushVlan};
  push.ethertype = 0x8100;
  Action vid{Action::Kind::kSetField};
  vid.field = Oxm::exact(OxmField::kVlanVid, 10);
  Action pcp{Action::Kind::kSetField};
  pcp.field = Oxm::exact(OxmField::kVlanPcp, 5);
  request({1, flow(10, {Oxm::exact(OxmField::kInPort, 1)},
                   {Action::output(2), push, vid, pcp, Action::output(3)})});
  const Bytes untagged = make_frame(kBroadcast, kMac1, 3, 46);
  EXPECT_EQ(send(1, untagged),
            (std::map<uint32_t, std::vector<Bytes>>{
                {2, {untagged}}, {3, {make_frame(kBroadcast, kMac1, 3, 46, 5 << 13 | 10)}}}));
  // pop_vlan on a tagged frame: the payload byte for byte.
  request({2, flow(10, {Oxm::exact(OxmField::kInPort, 2)},
                   {Action{Action::Kind::kPopVlan}, Action::output(3)})});
  EXPECT_EQ(send(2, make_frame(kBroadcast, kMac1, 4, 46, 20)),
            (std::map<uint32_t, std::vector<Bytes>>{{3, {make_frame(kBroadcast, kMac1, 4, 46)}}}));
}

TEST_F(OfSwitchTest, RefusedFlowModsGetTheRightErrorAndChangeNothing) {
  FlowMod back = flow(10, {}, {}, 3);
  back.instructions.goto_table = 1;
  EXPECT_EQ(error_for({1, back}), err::kInstructionBadTableId);
  EXPECT_EQ(error_for({2, flow(10, {}, {}, 254)}), err::kFlowModBadTableId);
  // set_field on a header the match does not guarantee, or on a field the key cannot hold.
  Action set_ip{Action::Kind::kSetField};
  set_ip.field = Oxm::exact(OxmField::kIpv4Dst, 0xc6120009);
  EXPECT_EQ(error_for({3, flow(10, {}, {set_ip})}), err::kMatchInconsistent);
  Action set_mpls{Action::Kind::kSetField};
  set_mpls.field = Oxm::exact(OxmField::kMplsLabel, 16);
  EXPECT_EQ(error_for({3, flow(10, {}, {set_mpls})}), err::kBadSetType);
  Action group{Action::Kind::kGroup};
  group.group_id = 99;
  EXPECT_EQ(error_for({4, flow(10, {}, {group})}), err::kBadOutGroup);
  EXPECT_EQ(error_for({5, flow(10,
                               {Oxm::exact(OxmField::kEthType, 0x8847),
                                Oxm::exact(OxmField::kMplsLabel, 16)},
                               {})}),
            err::kBadField);
  FlowMod overlap = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {});
  request({6, overlap});
  FlowMod other = flow(10, {Oxm::exact(OxmField::kEthType, 0x0800)}, {});
  other.flags = kFlowCheckOverlap;
  EXPECT_EQ(error_for({7, other}), err::kOverlap);
  EXPECT_EQ(request({8, MultipartRequest{0, FlowStatsRequest{}}}).size(), 1u);
  auto flows = std::get<FlowStatsReply>(
      std::get<MultipartReply>(request({9, MultipartRequest{0, FlowStatsRequest{}}})[0].body).body);
  EXPECT_EQ(flows.flows.size(), 2u) << "the default rule and the one accepted flow";
  EXPECT_EQ(error_for({10, SetConfig{{1, 128}}}), err::kConfigBadFlags);
  EXPECT_EQ(error_for({11, FeaturesReply{}}), err::kBadType);
}

}  // namespace
}  // namespace vs::controller

namespace vs::controller {
namespace {

using Sent = std::map<uint32_t, std::vector<Bytes>>;

TEST_F(OfSwitchTest, ATableMissRuleSendsTheFramePrefixToTheControllerAsNoMatch) {
  FlowMod miss = flow(0, {}, {Action::output(kPortController, 64)});
  miss.cookie = 0x77;
  ASSERT_TRUE(request({1, miss}).empty());
  const Bytes frame = make_frame(kBroadcast, kMac1, 1, 100);
  EXPECT_EQ(send(2, frame), Sent{});  // nothing forwarded
  // A second frame of the same flow comes from the cache and must reach the controller too.
  EXPECT_EQ(send(2, frame), Sent{});
  auto events = take_packet_ins();
  ASSERT_EQ(events.size(), 2u);
  const PacketInEvent& event = events[0];
  EXPECT_EQ(event.bridge, "br0");
  EXPECT_EQ(event.reason, PacketInReason::kNoMatch);
  EXPECT_EQ(event.table_id, 0);
  EXPECT_EQ(event.cookie, 0x77u);
  EXPECT_EQ(event.in_port, 2u);
  EXPECT_EQ(event.total_len, frame.size());
  EXPECT_EQ(event.frame, Bytes(frame.begin(), frame.begin() + 64));
  EXPECT_EQ(events[1].frame, event.frame);
}

TEST_F(OfSwitchTest, AControllerActionInAnotherRuleSaysActionAndSeesTheTagPushedBeforeIt) {
  ASSERT_TRUE(request({1, flow(0, {}, {})}).empty());  // no NORMAL: only in_port 1 goes on
  FlowMod mod = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {}, 0);
  mod.instructions.goto_table = 1;
  mod.instructions.write_metadata = Instructions::Metadata{0xabc, ~uint64_t{0}};
  ASSERT_TRUE(request({2, mod}).empty());
  FlowMod second = flow(
      5, {},
      {Action{Action::Kind::kPushVlan, 0, 0, 0, 0x8100},
       Action{Action::Kind::kSetField, 0, 0, 0, 0, 0, Oxm::exact(OxmField::kVlanVid, 0x1000 | 7)},
       Action::output(kPortController, kControllerMaxLenNoBuffer), Action::output(3)},
      1);
  second.cookie = 0x99;
  ASSERT_TRUE(request({3, second}).empty());
  const Bytes frame = make_frame(kBroadcast, kMac1, 2, 46);
  const Bytes tagged = make_frame(kBroadcast, kMac1, 2, 46, 7);
  EXPECT_EQ(send(1, frame), (Sent{{3, {tagged}}}));
  auto events = take_packet_ins();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, PacketInReason::kAction);
  EXPECT_EQ(events[0].table_id, 1);
  EXPECT_EQ(events[0].cookie, 0x99u);
  EXPECT_EQ(events[0].metadata, 0xabcu);
  EXPECT_EQ(events[0].frame, tagged);  // NO_BUFFER: the whole frame
  EXPECT_EQ(events[0].total_len, tagged.size());
}

TEST_F(OfSwitchTest, PacketOutSendsTheFrameOutOfAPortOrThroughTheTables) {
  const Bytes frame = make_frame(kBroadcast, kMac1, 3, 46);
  PacketOut out;
  out.in_port = kPortController;
  out.actions = {Action::output(2)};
  out.data = frame;
  EXPECT_TRUE(request({1, out}).empty());
  EXPECT_EQ(sent(), (Sent{{2, {frame}}}));

  // output:TABLE runs the pipeline as if the frame came in on in_port 1.
  ASSERT_TRUE(
      request({2, flow(100, {Oxm::exact(OxmField::kInPort, 1)}, {Action::output(3)})}).empty());
  out.in_port = 1;
  out.actions = {Action::output(kPortTable)};
  EXPECT_TRUE(request({3, out}).empty());
  EXPECT_EQ(sent(), (Sent{{3, {frame}}}));

  // ... and to the controller from a packet-out: reason ACTION, no rule's cookie.
  out.actions = {Action::output(kPortController, kControllerMaxLenNoBuffer)};
  EXPECT_TRUE(request({4, out}).empty());
  auto events = take_packet_ins();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, PacketInReason::kAction);
  EXPECT_EQ(events[0].cookie, ~uint64_t{0});
  EXPECT_EQ(events[0].in_port, 1u);
  EXPECT_EQ(events[0].frame, frame);
}

TEST_F(OfSwitchTest, PacketOutNamingABufferOrCarryingNoFrameIsRefused) {
  PacketOut out;
  out.buffer_id = 7;
  out.actions = {Action::output(2)};
  EXPECT_EQ(error_for({1, out}), err::kBufferUnknown);
  out.buffer_id = kNoBuffer;
  out.data = {1, 2, 3};  // shorter than an Ethernet header
  EXPECT_EQ(error_for({2, out}), err::kBadPacket);
  EXPECT_EQ(sent(), Sent{});
}

TEST_F(OfSwitchTest, FailOpenForwardsWithNormalAndTheFlowsComeBackAfterIt) {
  switch_.reset_flows(false);  // a bridge with controllers: no NORMAL rule
  ASSERT_TRUE(request({1, flow(10, {}, {Action::output(3)})}).empty());
  const Bytes frame = make_frame(kBroadcast, kMac1, 4, 46);
  EXPECT_EQ(send(1, frame), (Sent{{3, {frame}}}));
  switch_.set_fail_open(true);
  EXPECT_EQ(send(1, frame), (Sent{{2, {frame}}, {3, {frame}}}));  // NORMAL floods
  switch_.set_fail_open(false);
  EXPECT_EQ(send(1, frame), (Sent{{3, {frame}}}));
}

TEST_F(OfSwitchTest, ResetFlowsDeletesEveryFlowAndPutsNormalBackOnlyIfAsked) {
  ASSERT_TRUE(request({1, flow(10, {}, {Action::output(3)})}).empty());
  const Bytes frame = make_frame(kBroadcast, kMac1, 5, 46);
  switch_.reset_flows(false);
  EXPECT_EQ(send(1, frame), Sent{});
  auto stats = request({2, MultipartRequest{0, FlowStatsRequest{}}});
  EXPECT_TRUE(
      std::get<FlowStatsReply>(std::get<MultipartReply>(stats.at(0).body).body).flows.empty());
  switch_.reset_flows(true);
  EXPECT_EQ(send(1, frame), (Sent{{2, {frame}}, {3, {frame}}}));
}

}  // namespace
}  // namespace vs::controller

namespace vs::controller {
namespace {

using Sent = std::map<uint32_t, std::vector<Bytes>>;

FlowStats only_flow(const std::vector<Message>& replies) {
  const auto& flows =
      std::get<FlowStatsReply>(std::get<MultipartReply>(replies.at(0).body).body).flows;
  EXPECT_EQ(flows.size(), 1u);
  return flows.empty() ? FlowStats{} : flows[0];
}

TEST_F(OfSwitchTest, FlowCountersCountEveryPacketAndByteTheFlowForwarded) {
  switch_.reset_flows(false);
  ASSERT_TRUE(
      request({1, flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {Action::output(2)})}).empty());
  const Bytes small = make_frame(kBroadcast, kMac1, 6, 46);
  const Bytes large = make_frame(kBroadcast, kMac1, 7, 500);
  send(1, small);  // upcalled
  send(1, small);  // from the caches
  send(1, large);  // another megaflow? no: the same one, the match reads only in_port
  send(2, small);  // no flow: not counted
  FlowStats stats = only_flow(request({2, MultipartRequest{0, FlowStatsRequest{}}}));
  EXPECT_EQ(stats.packet_count, 3u);
  EXPECT_EQ(stats.byte_count, 2 * small.size() + large.size());

  // A modify keeps them unless it says RESET_COUNTS; the counts keep adding up meanwhile.
  FlowMod modify = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {Action::output(3)});
  modify.command = FlowModCommand::kModifyStrict;
  ASSERT_TRUE(request({3, modify}).empty());
  send(1, small);
  stats = only_flow(request({4, MultipartRequest{0, FlowStatsRequest{}}}));
  EXPECT_EQ(stats.packet_count, 4u);
  modify.flags = kFlowResetCounts;
  ASSERT_TRUE(request({5, modify}).empty());
  stats = only_flow(request({6, MultipartRequest{0, FlowStatsRequest{}}}));
  EXPECT_EQ(stats.packet_count, 0u);
  EXPECT_EQ(stats.byte_count, 0u);
}

TEST_F(OfSwitchTest, TableStatsCountFlowsLookupsAndMatchesPerTable) {
  switch_.reset_flows(false);
  FlowMod first = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {});
  first.instructions.goto_table = 2;
  ASSERT_TRUE(request({1, first}).empty());
  ASSERT_TRUE(request({2, flow(5, {}, {Action::output(3)}, 2)}).empty());
  ASSERT_TRUE(request({3, flow(6, {Oxm::exact(OxmField::kInPort, 3)}, {}, 2)}).empty());
  const Bytes frame = make_frame(kBroadcast, kMac1, 10, 46);
  send(1, frame);
  send(1, frame);
  send(2, frame);  // table 0 misses
  auto replies = request({4, MultipartRequest{0, TableStatsRequest{}}});
  std::vector<TableStats> tables;
  for (const Message& reply : replies) {
    const auto& part = std::get<TableStatsReply>(std::get<MultipartReply>(reply.body).body);
    tables.insert(tables.end(), part.tables.begin(), part.tables.end());
  }
  ASSERT_EQ(tables.size(), 254u);
  EXPECT_EQ(tables[0], (TableStats{0, 1, 3, 2}));
  EXPECT_EQ(tables[1], (TableStats{1, 0, 0, 0}));
  EXPECT_EQ(tables[2], (TableStats{2, 2, 2, 2}));

  // Table-mod has nothing to configure in 1.3, but a table that does not exist is an error.
  EXPECT_TRUE(request({5, TableMod{3, 0}}).empty());
  EXPECT_EQ(error_for({6, TableMod{254, 0}}), err::kTableModBadTable);
}

TEST_F(OfSwitchTest, ADeletedFlowThatAskedIsReportedWithItsCountersBeforeTheReply) {
  std::vector<FlowRemoved> removed;
  switch_.set_flow_removed_sink([&](const FlowRemoved& message) { removed.push_back(message); });
  FlowMod mod = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {Action::output(2)});
  mod.flags = kFlowSendFlowRem;
  mod.cookie = 0x42;
  mod.idle_timeout = 60;
  ASSERT_TRUE(request({1, mod}).empty());
  ASSERT_TRUE(request({2, flow(11, {Oxm::exact(OxmField::kInPort, 2)}, {Action::output(1)})})
                  .empty());  // no SEND_FLOW_REM: deleted silently
  const Bytes frame = make_frame(kBroadcast, kMac1, 8, 46);
  send(1, frame);
  thread_->call([&](datapath::Datapath&) { clock_.advance(std::chrono::milliseconds(2500)); });
  FlowMod del;
  del.command = FlowModCommand::kDelete;
  del.table_id = kTableAll;
  ASSERT_TRUE(request({3, del}).empty());
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].reason, FlowRemovedReason::kDelete);
  EXPECT_EQ(removed[0].cookie, 0x42u);
  EXPECT_EQ(removed[0].priority, 10);
  EXPECT_EQ(removed[0].idle_timeout, 60);
  EXPECT_EQ(removed[0].duration_sec, 2u);
  EXPECT_EQ(removed[0].duration_nsec, 500'000'000u);
  EXPECT_EQ(removed[0].packet_count, 1u);
  EXPECT_EQ(removed[0].byte_count, frame.size());
  EXPECT_EQ(removed[0].match, (Match{Oxm::exact(OxmField::kInPort, 1)}));
}

TEST_F(OfSwitchTest, IdleAndHardTimeoutsRemoveFlowsAndReportThemToTheSink) {
  std::vector<std::pair<std::string, FlowRemoved>> removed;
  thread_->call([&](datapath::Datapath&) {
    xlate_.set_flow_removed_sink([&](const std::string& bridge, FlowRemoved&& message) {
      removed.emplace_back(bridge, std::move(message));
    });
  });
  switch_.reset_flows(false);
  FlowMod idle = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {Action::output(2)});
  idle.idle_timeout = 10;
  idle.flags = kFlowSendFlowRem;
  FlowMod hard = flow(10, {Oxm::exact(OxmField::kInPort, 2)}, {Action::output(1)});
  hard.hard_timeout = 15;
  hard.flags = kFlowSendFlowRem;
  ASSERT_TRUE(request({1, idle}).empty());
  ASSERT_TRUE(request({2, hard}).empty());
  // The clock moves on the forwarding thread, which reads it.
  auto tick = [&](std::chrono::seconds by) {
    thread_->call([&](datapath::Datapath& dp) {
      clock_.advance(by);
      dp.run_periodic();
    });
  };
  const Bytes frame = make_frame(kBroadcast, kMac1, 9, 46);
  tick(std::chrono::seconds(8));
  send(1, frame);                 // used at 8 s: the idle flow lives until 18 s
  send(2, frame);                 // traffic does not extend a hard timeout
  tick(std::chrono::seconds(0));  // the caches report the use now, at 8 s
  tick(std::chrono::seconds(7));  // 15 s
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].first, "br0");
  EXPECT_EQ(removed[0].second.reason, FlowRemovedReason::kHardTimeout);
  EXPECT_EQ(removed[0].second.packet_count, 1u);
  EXPECT_EQ(send(2, frame), Sent{});  // gone from the tables and the caches
  tick(std::chrono::seconds(2));      // 17 s
  EXPECT_EQ(removed.size(), 1u);
  tick(std::chrono::seconds(1));  // 18 s
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[1].second.reason, FlowRemovedReason::kIdleTimeout);
  EXPECT_EQ(removed[1].second.duration_sec, 18u);
  EXPECT_EQ(send(1, frame), Sent{});
  thread_->call([&](datapath::Datapath&) { xlate_.set_flow_removed_sink(nullptr); });
}

}  // namespace
}  // namespace vs::controller

namespace vs::controller {
namespace {

TEST_F(OfSwitchTest, TraceShowsEachTablesRuleAndTheDatapathActionsWithoutLearning) {
  switch_.reset_flows(false);
  FlowMod first = flow(10, {Oxm::exact(OxmField::kInPort, 1)}, {});
  first.instructions.goto_table = 2;
  first.cookie = 0x2a;
  ASSERT_TRUE(request({1, first}).empty());
  ASSERT_TRUE(request({2, flow(5, {},
                               {Action{Action::Kind::kPushVlan, 0, 0, 0, 0x8100},
                                Action{Action::Kind::kSetField, 0, 0, 0, 0, 0,
                                       Oxm::exact(OxmField::kVlanVid, 0x1000 | 7)},
                                Action::output(3)},
                               2)})
                  .empty());
  auto trace = [&](uint32_t in_port) {
    FlowKey key{};
    EXPECT_FALSE(parse_flow(make_frame(kBroadcast, kMac1, 11, 46), in_port, &key));
    return thread_->call(
        [&](datapath::Datapath&) { return xlate_.trace(*xlate_.bridge("br0"), key); });
  };
  const std::string out = trace(1);
  EXPECT_NE(out.find(" 0. priority=10,in_port=1, cookie 0x2a\n    goto_table:2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(" 2. priority=5, cookie 0x0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Datapath actions: push_vlan(tpid=0x8100,vid=7,pcp=0),output:3(p3)\n"),
            std::string::npos)
      << out;

  const std::string miss = trace(2);
  EXPECT_NE(miss.find(" 0. no rule matches: the packet is dropped"), std::string::npos) << miss;
  EXPECT_NE(miss.find("Datapath actions: drop\n"), std::string::npos) << miss;

  // Through NORMAL, nothing is learned.
  switch_.reset_flows(true);
  EXPECT_NE(trace(1).find("Datapath actions: output:2(p2),output:3(p3)"), std::string::npos);
  EXPECT_EQ(thread_->call([&](datapath::Datapath&) { return xlate_.bridge("br0")->macs().size(); }),
            0u);
}

}  // namespace
}  // namespace vs::controller

namespace vs::controller {
namespace {

using Sent = std::map<uint32_t, std::vector<Bytes>>;

TEST_F(OfSwitchTest, PortModGoesToThePortSourceAndItsErrorBackToTheController) {
  PortMod mod{1, {2, 0, 0, 0, 0, 1}, kPortConfigNoFwd, kPortConfigNoFwd, 0};
  EXPECT_TRUE(request({1, mod}).empty());
  mod.port_no = 7;
  EXPECT_EQ(error_for({2, mod}), err::kPortModBadPort);
  ASSERT_EQ(port_mods_.size(), 2u);
  EXPECT_EQ(port_mods_[0], (PortMod{1, {2, 0, 0, 0, 0, 1}, kPortConfigNoFwd, kPortConfigNoFwd, 0}));
}

TEST_F(OfSwitchTest, PortConfigBitsStopReceivingForwardingAndPacketIns) {
  ASSERT_TRUE(request({1, flow(10, {Oxm::exact(OxmField::kInPort, 1)},
                               {Action::output(kPortController, 64), Action::output(kPortFlood)})})
                  .empty());
  const Bytes frame = make_frame(kBroadcast, kMac1, 12, 46);
  auto set_config = [&](uint32_t ofport, uint32_t config) {
    thread_->call([&](datapath::Datapath& dp) {
      EXPECT_TRUE(xlate_.set_port_config(*xlate_.bridge("br0"), ofport, config));
      dp.invalidate_caches();
    });
  };
  EXPECT_EQ(send(1, frame), (Sent{{2, {frame}}, {3, {frame}}}));
  EXPECT_EQ(take_packet_ins().size(), 1u);

  set_config(3, kPortConfigNoFwd);  // not flooded to any more
  EXPECT_EQ(send(1, frame), (Sent{{2, {frame}}}));
  set_config(1, kPortConfigNoPacketIn);  // forwarded, but the controller hears nothing
  take_packet_ins();
  EXPECT_EQ(send(1, frame), (Sent{{2, {frame}}}));
  EXPECT_TRUE(take_packet_ins().empty());
  set_config(1, kPortConfigNoRecv);  // dropped on arrival
  EXPECT_EQ(send(1, frame), Sent{});
  EXPECT_TRUE(take_packet_ins().empty());
  set_config(1, 0);
  set_config(3, 0);
  EXPECT_EQ(send(1, frame), (Sent{{2, {frame}}, {3, {frame}}}));
  EXPECT_FALSE(thread_->call(
      [&](datapath::Datapath&) { return xlate_.set_port_config(*xlate_.bridge("br0"), 9, 0); }));
}

}  // namespace
}  // namespace vs::controller
