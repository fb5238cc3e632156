// OfSwitch through the whole in-process path: OpenFlow messages in, replies out, and frames on
// memory ports that follow the flows the messages installed (the forwarding thread runs).
#include "controller/of_switch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>

#include "datapath/datapath.h"
#include "datapath/forwarding_thread.h"
#include "datapath/memory_port.h"
#include "tests/support/port_peer.h"
#include "tests/support/test_support.h"

namespace vs::controller {
namespace {

using namespace ofp;
using datapath::MemoryPort;
using vs::testing::Bytes;
using vs::testing::kBroadcast;
using vs::testing::make_frame;
using vs::testing::ok;

const Bytes kMac1 = {0x02, 0, 0, 0, 0, 0x01};

class OfSwitchTest : public ::testing::Test {
 protected:
  OfSwitchTest()
      : xlate_(clock_),
        dp_(ok(datapath::Datapath::create(xlate_))),
        thread_(ok(datapath::ForwardingThread::start(*dp_))),
        switch_("br0", 0x00000000000000ab, *thread_, xlate_, clock_,
                {[] {
                   return std::vector<PortDesc>{{1, {2, 0, 0, 0, 0, 1}, "p1"}};
                 },
                 [] {
                   PortStats one{1, 10, 20, 1000, 2000};
                   PortStats two{2, 3, 4, 300, 400};
                   two.tx_dropped = 5;
                   return std::vector<PortStats>{one, two};
                 }}) {
    thread_->call([&](datapath::Datapath& dp) {
      Ofproto& bridge = xlate_.add_bridge("br0");
      for (uint32_t ofport : {1, 2, 3}) {
        auto port = std::make_unique<MemoryPort>("p" + std::to_string(ofport));
        ports_[ofport] = port.get();
        uint32_t dp_port = ok(dp.add_port(std::move(port)));
        xlate_.attach_port(bridge, ofport, dp_port, "p" + std::to_string(ofport));
      }
    });
  }

  // Sends one message to the switch; returns its replies, decoded.
  std::vector<Message> request(const Message& message) {
    const Bytes raw = encode(message);
    std::vector<Message> out;
    for (const auto& reply : switch_.handle(decode(raw).value(), raw)) {
      out.push_back(decode(reply).value());
    }
    return out;
  }

  // The OpenFlow error a message earns, or {0xffff, 0xffff} if none.
  OfpError error_for(const Message& message) {
    auto replies = request(message);
    if (replies.size() != 1 || !std::holds_alternative<ErrorMsg>(replies[0].body)) {
      return {0xffff, 0xffff};
    }
    return std::get<ErrorMsg>(replies[0].body).error;
  }

  // Injects `frame` on port `in` and returns which ports sent what, once forwarding is done.
  std::map<uint32_t, std::vector<Bytes>> send(uint32_t in, const Bytes& frame) {
    thread_->call([&](datapath::Datapath&) { ports_[in]->inject(frame); });
    std::map<uint32_t, std::vector<Bytes>> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    size_t quiet_polls = 0;
    while (quiet_polls < 20 && std::chrono::steady_clock::now() < deadline) {
      bool any = false;
      thread_->call([&](datapath::Datapath&) {
        for (auto& [number, port] : ports_) {
          for (auto& f : port->take_sent()) {
            out[number].push_back(std::move(f));
            any = true;
          }
        }
      });
      quiet_polls = any ? 0 : quiet_polls + 1;
    }
    return out;
  }

  static FlowMod flow(uint16_t priority, Match match, ActionList apply, uint8_t table = 0) {
    FlowMod mod;
    mod.priority = priority;
    mod.table_id = table;
    mod.match = std::move(match);
    mod.instructions.apply_actions = std::move(apply);
    return mod;
  }

  ManualClock clock_;
  Xlate xlate_;
  std::unique_ptr<datapath::Datapath> dp_;
  std::unique_ptr<datapath::ForwardingThread> thread_;
  OfSwitch switch_;
  std::map<uint32_t, MemoryPort*> ports_;
};

TEST_F(OfSwitchTest, FeaturesDescAndPortDescDescribeTheBridge) {
  auto features = request({1, FeaturesRequest{}});
  ASSERT_EQ(features.size(), 1u);
  EXPECT_EQ(std::get<FeaturesReply>(features[0].body).datapath_id, 0xabu);
  EXPECT_EQ(std::get<FeaturesReply>(features[0].body).n_tables, 254);
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
  Action set_mac{Action::Kind::kSetField};
  set_mac.field = Oxm::exact(OxmField::kEthDst, 0x020000000002);
  EXPECT_EQ(error_for({3, flow(10, {}, {set_mac})}), err::kBadSetType);
  Action group{Action::Kind::kGroup};
  group.group_id = 99;
  EXPECT_EQ(error_for({4, flow(10, {}, {group})}), err::kBadOutGroup);
  Oxm nd = Oxm::exact(OxmField::kIcmpv6Type, 135);
  EXPECT_EQ(error_for({5, flow(10,
                               {Oxm::exact(OxmField::kEthType, 0x86dd),
                                Oxm::exact(OxmField::kIpProto, 58), nd,
                                Oxm::exact_bytes(OxmField::kIpv6NdTarget, Bytes(16, 1))},
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
