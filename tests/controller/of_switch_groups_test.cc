// Groups and header rewrites through OfSwitch: group-mods and their errors, the four group types
// with frames on memory ports, group counters and descriptions, and set_field / dec_nw_ttl /
// set_nw_ttl rewriting real frames (checksums recomputed from scratch here to compare).
#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "tests/controller/of_switch_fixture.h"

// GCC 12 with the sanitizers reports MultipartRequest's variant members as maybe used
// uninitialized wherever a request is built in this file, however it is built (a braced
// temporary, step by step); every member has a default initializer, and the sanitizer runs of
// these tests pass.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace vs::controller {
namespace {

using Sent = std::map<uint32_t, std::vector<Bytes>>;

const Bytes kMacX = {0x02, 0, 0, 0, 0, 0x0e};

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}
uint32_t add_words(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t{p[i]} << 8 | p[i + 1];
  if (n % 2) sum += uint32_t{p[n - 1]} << 8;
  return sum;
}

struct Udp4 {
  Bytes dst = kMac1;
  Bytes src = vs::testing::kMacA;
  uint32_t ip_src = 0xc6120001;  // 198.18.0.1
  uint32_t ip_dst = 0xc6120002;  // 198.18.0.2
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t sport = 1000;
  uint16_t dport = 2000;

  // The frame, every checksum computed from scratch.
  Bytes frame() const {
    Bytes f = dst;
    f.insert(f.end(), src.begin(), src.end());
    f.insert(f.end(), {0x08, 0x00});
    const size_t ip = f.size();
    const Bytes payload = {'v', 's', 'w', 'i', 't', 'c', 'h', '!'};
    const auto total = static_cast<uint16_t>(20 + 8 + payload.size());
    f.insert(f.end(), {0x45, tos, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0,
                       1, 0, 0, ttl, 17, 0, 0});
    for (uint32_t a : {ip_src, ip_dst}) {
      for (int shift : {24, 16, 8, 0}) f.push_back(static_cast<uint8_t>(a >> shift));
    }
    const uint16_t ip_sum = fold(add_words(&f[ip], 20));
    f[ip + 10] = static_cast<uint8_t>(ip_sum >> 8);
    f[ip + 11] = static_cast<uint8_t>(ip_sum);
    const size_t udp = f.size();
    const auto udp_len = static_cast<uint16_t>(8 + payload.size());
    f.insert(f.end(), {static_cast<uint8_t>(sport >> 8), static_cast<uint8_t>(sport),
                       static_cast<uint8_t>(dport >> 8), static_cast<uint8_t>(dport),
                       static_cast<uint8_t>(udp_len >> 8), static_cast<uint8_t>(udp_len), 0, 0});
    f.insert(f.end(), payload.begin(), payload.end());
    uint32_t sum = add_words(&f[ip + 12], 8) + 17 + udp_len;
    uint16_t udp_sum = fold(add_words(&f[udp], udp_len, sum));
    if (udp_sum == 0) udp_sum = 0xffff;
    f[udp + 6] = static_cast<uint8_t>(udp_sum >> 8);
    f[udp + 7] = static_cast<uint8_t>(udp_sum);
    return f;
  }
};

// A neighbour solicitation for fe80::2 from fe80::1 with a source link-layer option, its
// ICMPv6 checksum computed from scratch.
Bytes neighbor_solicitation(uint8_t target_last, const Bytes& sll) {
  Bytes f = {0x33, 0x33, 0xff, 0,    0, 0x02, 0x02, 0, 0,  0,  0,
             0x01, 0x86, 0xdd, 0x60, 0, 0,    0,    0, 32, 58, 255};
  const Bytes src = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  const Bytes dst = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0x02};
  f.insert(f.end(), src.begin(), src.end());
  f.insert(f.end(), dst.begin(), dst.end());
  const size_t icmp = f.size();
  f.insert(f.end(), {135, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x80, 0,           0, 0,
                     0,   0, 0, 0, 0, 0, 0, 0, 0,    0,    target_last, 1, 1});
  f.insert(f.end(), sll.begin(), sll.end());
  const uint32_t pseudo = add_words(&f[22], 32) + 32 + 58;
  const uint16_t sum = fold(add_words(&f[icmp], 32, pseudo));
  f[icmp + 2] = static_cast<uint8_t>(sum >> 8);
  f[icmp + 3] = static_cast<uint8_t>(sum);
  return f;
}

Match udp_match(uint32_t in_port) {
  return {Oxm::exact(OxmField::kInPort, in_port), Oxm::exact(OxmField::kEthType, 0x0800),
          Oxm::exact(OxmField::kIpProto, 17)};
}

Action set(OxmField field, uint64_t value) {
  Action action{Action::Kind::kSetField};
  action.field = Oxm::exact(field, value);
  return action;
}
Action to_group(uint32_t id) {
  Action action{Action::Kind::kGroup};
  action.group_id = id;
  return action;
}
Bucket bucket(ActionList actions, uint16_t weight = 0, uint32_t watch_port = kPortAny,
              uint32_t watch_group = kGroupAny) {
  return {weight, watch_port, watch_group, std::move(actions)};
}
GroupMod add_group(uint32_t id, GroupType type, BucketList buckets,
                   GroupModCommand command = GroupModCommand::kAdd) {
  return {command, type, id, std::move(buckets)};
}

class OfGroupsTest : public OfSwitchTest {
 protected:
  // A multipart request with `body` (GCC 12: see the pragma at the top).
  template <class Body>
  std::vector<Message> multipart(uint32_t xid, Body body) {
    MultipartRequest message;
    message.body = std::move(body);
    return request({xid, std::move(message)});
  }
  std::vector<GroupStats> group_stats(uint32_t id = kGroupAll) {
    auto replies = multipart(90, GroupStatsRequest{id});
    return std::get<GroupStatsReply>(std::get<MultipartReply>(replies.at(0).body).body).groups;
  }
  std::vector<GroupDesc> group_desc() {
    auto replies = multipart(91, GroupDescRequest{});
    return std::get<GroupDescReply>(std::get<MultipartReply>(replies.at(0).body).body).groups;
  }
  // What the fast-failover tests need from vswitchd's port-status path (Bridges::announce_port).
  void set_live(uint32_t ofport, bool live) {
    thread_->call([&](datapath::Datapath& dp) {
      ASSERT_TRUE(xlate_.set_port_live(*xlate_.bridge("br0"), ofport, live));
      dp.invalidate_caches();
    });
  }
};

TEST_F(OfGroupsTest, GroupModsFollowTheSpecificationsSemantics) {
  const BucketList to_port2 = {bucket({Action::output(2)})};
  EXPECT_TRUE(request({1, add_group(1, GroupType::kIndirect, to_port2)}).empty());
  EXPECT_EQ(error_for({2, add_group(1, GroupType::kIndirect, to_port2)}), err::kGroupExists);
  EXPECT_EQ(error_for({3, add_group(7, GroupType::kAll, to_port2, GroupModCommand::kModify)}),
            err::kUnknownGroup);
  // Chaining: a bucket may send to an existing group, never to an unknown one nor in a loop.
  EXPECT_EQ(error_for({4, add_group(2, GroupType::kAll, {bucket({to_group(9)})})}),
            err::kBadOutGroup);
  EXPECT_TRUE(request({5, add_group(2, GroupType::kAll, {bucket({to_group(1)})})}).empty());
  EXPECT_EQ(error_for({6, add_group(1, GroupType::kIndirect, {bucket({to_group(2)})},
                                    GroupModCommand::kModify)}),
            err::kGroupLoop);
  EXPECT_EQ(error_for({7, add_group(3, GroupType::kFastFailover,
                                    {bucket({Action::output(2)}, 0, kPortAny, 8)})}),
            err::kBadWatch);
  // Group 1 is still what it was; group 2 sends to it, so it cannot go alone.
  EXPECT_EQ(group_desc(), (std::vector<GroupDesc>{{GroupType::kIndirect, 1, to_port2},
                                                  {GroupType::kAll, 2, {bucket({to_group(1)})}}}));
  EXPECT_EQ(error_for({8, GroupMod{GroupModCommand::kDelete, GroupType::kAll, 1, {}}}),
            err::kChainedGroup);
  // Deleting a group that does not exist is no error; OFPG_ALL deletes every group.
  EXPECT_TRUE(request({9, GroupMod{GroupModCommand::kDelete, GroupType::kAll, 5, {}}}).empty());
  EXPECT_TRUE(
      request({10, GroupMod{GroupModCommand::kDelete, GroupType::kAll, kGroupAll, {}}}).empty());
  EXPECT_TRUE(group_desc().empty());

  auto features = multipart(11, GroupFeaturesRequest{});
  const auto& reply =
      std::get<GroupFeaturesReply>(std::get<MultipartReply>(features.at(0).body).body);
  EXPECT_EQ(reply.types, 0xfu);               // all, select, indirect, fast failover
  EXPECT_EQ(reply.capabilities, 0xfu);        // weights, liveness, chaining, chaining checks
  EXPECT_EQ(reply.actions[0] >> 22 & 1, 1u);  // group actions inside buckets
}

TEST_F(OfGroupsTest, AllGroupSendsACopyPerBucketEachWithItsOwnRewrites) {
  ASSERT_TRUE(
      request({1, add_group(1, GroupType::kAll,
                            {bucket({set(OxmField::kEthDst, 0x02000000000e), Action::output(2)}),
                             bucket({Action::output(3)})})})
          .empty());
  FlowMod mod = flow(10, udp_match(1), {to_group(1), Action::output(2)});
  ASSERT_TRUE(request({2, mod}).empty());
  const Udp4 packet;
  Udp4 rewritten = packet;
  rewritten.dst = kMacX;
  // The first bucket's rewrite stays in its copy: the third output, after the group, sends
  // the frame as it came.
  EXPECT_EQ(send(1, packet.frame()),
            (Sent{{2, {rewritten.frame(), packet.frame()}}, {3, {packet.frame()}}}));
  send(1, packet.frame());  // from the cache now

  auto stats = group_stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].ref_count, 1u);
  EXPECT_EQ(stats[0].packet_count, 2u);
  EXPECT_EQ(stats[0].byte_count, 2 * packet.frame().size());
  EXPECT_EQ(stats[0].buckets, (std::vector<BucketStats>{{2, 2 * packet.frame().size()},
                                                        {2, 2 * packet.frame().size()}}));
  EXPECT_TRUE(group_stats(7).empty());
}

TEST_F(OfGroupsTest, IndirectGroupsChainToTheLastBucket) {
  ASSERT_TRUE(
      request({1, add_group(2, GroupType::kIndirect, {bucket({Action::output(3)})})}).empty());
  ASSERT_TRUE(request({2, add_group(1, GroupType::kIndirect, {bucket({to_group(2)})})}).empty());
  ASSERT_TRUE(request({3, flow(10, udp_match(1), {to_group(1)})}).empty());
  const Udp4 packet;
  EXPECT_EQ(send(1, packet.frame()), (Sent{{3, {packet.frame()}}}));
  auto stats = group_stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].ref_count, 1u);  // group 1: the flow
  EXPECT_EQ(stats[1].ref_count, 1u);  // group 2: group 1
  EXPECT_EQ(stats[1].packet_count, 1u);
}

TEST_F(OfGroupsTest, SelectGroupKeepsEachFlowOnOneBucketAndHonoursWeights) {
  ASSERT_TRUE(request({1, add_group(1, GroupType::kSelect,
                                    {bucket({Action::output(2)}, 1), bucket({Action::output(3)}, 1),
                                     bucket({Action::output(1)}, 0)})})
                  .empty());
  ASSERT_TRUE(request({2, flow(10, udp_match(1), {to_group(1)})}).empty());
  std::set<uint32_t> used;
  for (uint16_t port = 1; port <= 32; ++port) {
    Udp4 packet;
    packet.sport = port;
    const Sent first = send(1, packet.frame());
    ASSERT_EQ(first.size(), 1u) << "source port " << port;
    EXPECT_EQ(first.begin()->second.size(), 1u);
    EXPECT_NE(first.begin()->first, 1u);  // weight 0: never (and never back out of in_port)
    EXPECT_EQ(send(1, packet.frame()), first) << "the same flow, the same bucket";
    used.insert(first.begin()->first);
  }
  EXPECT_EQ(used, (std::set<uint32_t>{2, 3}));  // 32 flows take both buckets
}

TEST_F(OfGroupsTest, FastFailoverTakesTheFirstLiveBucket) {
  ASSERT_TRUE(request({1, add_group(1, GroupType::kFastFailover,
                                    {bucket({Action::output(2)}, 0, 2),
                                     bucket({Action::output(3)}, 0, 3)})})
                  .empty());
  ASSERT_TRUE(request({2, flow(10, udp_match(1), {to_group(1)})}).empty());
  const Udp4 packet;
  EXPECT_EQ(send(1, packet.frame()), (Sent{{2, {packet.frame()}}}));
  set_live(2, false);
  EXPECT_EQ(send(1, packet.frame()), (Sent{{3, {packet.frame()}}}));
  set_live(3, false);
  EXPECT_EQ(send(1, packet.frame()), Sent{});
  set_live(2, true);
  EXPECT_EQ(send(1, packet.frame()), (Sent{{2, {packet.frame()}}}));
}

TEST_F(OfGroupsTest, DeletingAGroupDeletesTheFlowsThatUseIt) {
  std::vector<FlowRemoved> removed;
  switch_.set_flow_removed_sink([&](const FlowRemoved& message) { removed.push_back(message); });
  ASSERT_TRUE(
      request({1, add_group(1, GroupType::kIndirect, {bucket({Action::output(2)})})}).empty());
  FlowMod applies = flow(10, udp_match(1), {to_group(1)});
  applies.flags = kFlowSendFlowRem;
  applies.cookie = 0x77;
  FlowMod writes = flow(20, {Oxm::exact(OxmField::kInPort, 2)}, {}, 1);
  writes.instructions.apply_actions.reset();
  writes.instructions.write_actions = ActionList{to_group(1)};
  ASSERT_TRUE(request({2, applies}).empty());
  ASSERT_TRUE(request({3, writes}).empty());
  const Udp4 packet;
  EXPECT_EQ(send(1, packet.frame()), (Sent{{2, {packet.frame()}}}));
  EXPECT_EQ(group_stats().at(0).ref_count, 2u);

  ASSERT_TRUE(request({4, GroupMod{GroupModCommand::kDelete, GroupType::kAll, 1, {}}}).empty());
  ASSERT_EQ(removed.size(), 1u);  // only the flow that asked
  EXPECT_EQ(removed[0].reason, FlowRemovedReason::kGroupDelete);
  EXPECT_EQ(removed[0].cookie, 0x77u);
  EXPECT_EQ(removed[0].packet_count, 1u);
  // Both flows went, from both tables; the NORMAL flow alone is left, and floods.
  auto flows = multipart(5, FlowStatsRequest{});
  const auto& left = std::get<FlowStatsReply>(std::get<MultipartReply>(flows.at(0).body).body);
  ASSERT_EQ(left.flows.size(), 1u);
  EXPECT_EQ(left.flows[0].instructions.apply_actions, ActionList{Action::output(kPortNormal)});
  EXPECT_EQ(send(1, packet.frame()), (Sent{{2, {packet.frame()}}, {3, {packet.frame()}}}));
}

TEST_F(OfGroupsTest, SetFieldAndTtlActionsRewriteTheFrameWithValidChecksums) {
  ASSERT_TRUE(request({1, flow(10, udp_match(1),
                               {set(OxmField::kIpv4Dst, 0xc6120063), set(OxmField::kUdpDst, 53),
                                set(OxmField::kEthSrc, 0x02000000000e), set(OxmField::kIpDscp, 46),
                                Action{Action::Kind::kDecNwTtl}, Action::output(2)})})
                  .empty());
  for (uint8_t ttl : {64, 10}) {  // the TTL is in the megaflow: each packet its own
    Udp4 packet;
    packet.ttl = ttl;
    Udp4 want = packet;
    want.ip_dst = 0xc6120063;
    want.dport = 53;
    want.src = kMacX;
    want.tos = 46 << 2;
    want.ttl = static_cast<uint8_t>(ttl - 1);
    EXPECT_EQ(send(1, packet.frame()), (Sent{{2, {want.frame()}}})) << int{ttl};
    EXPECT_EQ(send(1, packet.frame()), (Sent{{2, {want.frame()}}})) << int{ttl} << ", cached";
  }
  // set_nw_ttl, then the tables after see the rewritten packet.
  FlowMod first = flow(20, udp_match(3), {set(OxmField::kEthDst, 0x02000000000e)});
  first.instructions.goto_table = 1;
  Action ttl{Action::Kind::kSetNwTtl};
  ttl.ttl = 5;
  ASSERT_TRUE(request({2, first}).empty());
  ASSERT_TRUE(request({3, flow(10, {Oxm::exact_bytes(OxmField::kEthDst, kMacX)},
                               {ttl, Action::output(2)}, 1)})
                  .empty());
  Udp4 packet;
  Udp4 want = packet;
  want.dst = kMacX;
  want.ttl = 5;
  EXPECT_EQ(send(3, packet.frame()), (Sent{{2, {want.frame()}}}));
}

TEST_F(OfGroupsTest, NeighborDiscoveryTargetAndLinkAddressAreRewritten) {
  Action target{Action::Kind::kSetField};
  Bytes new_target = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09};
  target.field = Oxm::exact_bytes(OxmField::kIpv6NdTarget, new_target);
  ASSERT_TRUE(
      request({1, flow(10,
                       {Oxm::exact(OxmField::kInPort, 1), Oxm::exact(OxmField::kEthType, 0x86dd),
                        Oxm::exact(OxmField::kIpProto, 58), Oxm::exact(OxmField::kIcmpv6Type, 135)},
                       {target, set(OxmField::kIpv6NdSll, 0x02000000000e), Action::output(2)})})
          .empty());
  EXPECT_EQ(send(1, neighbor_solicitation(0x02, kMac1)),
            (Sent{{2, {neighbor_solicitation(0x09, kMacX)}}}));
}

TEST_F(OfGroupsTest, TraceShowsTheBucketsAndTheRewrites) {
  ASSERT_TRUE(
      request({1, add_group(4, GroupType::kIndirect,
                            {bucket({set(OxmField::kIpv4Dst, 0xc6120063),
                                     Action{Action::Kind::kDecNwTtl}, Action::output(2)})})})
          .empty());
  ASSERT_TRUE(request({2, flow(10, udp_match(1), {to_group(4)})}).empty());
  FlowKey key{};
  ASSERT_FALSE(parse_flow(Udp4{}.frame(), 1, &key));
  const std::string out =
      thread_->call([&](datapath::Datapath&) { return xlate_.trace(*xlate_.bridge("br0"), key); });
  EXPECT_NE(out.find("    group:4 bucket 0: set_field:198.18.0.99->ip_dst,dec_ttl,output:2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Datapath actions: set(ipv4_dst=198.18.0.99),set(ip_ttl=63),output:2(p2)\n"),
            std::string::npos)
      << out;
}

// A GRE port's received key is the flow's tunnel_id; a flow that sets it makes the datapath
// carry the new key to the output, where a key=flow GRE port sends it (tunnels/gre_port.h).
TEST_F(OfGroupsTest, TunnelIdIsMatchedAndSetForTheTunnelPorts) {
  Match keyed = udp_match(1);
  keyed.push_back(Oxm::exact(OxmField::kTunnelId, 100));
  ASSERT_TRUE(request({1, flow(20, keyed, {Action::output(3)})}).empty());
  ASSERT_TRUE(
      request({2, flow(10, udp_match(1), {set(OxmField::kTunnelId, 400), Action::output(2)})})
          .empty());
  auto trace = [&](uint64_t tunnel_id) {
    FlowKey key{};
    EXPECT_FALSE(parse_flow(Udp4{}.frame(), 1, &key));
    key.tunnel_id = tunnel_id;
    return thread_->call(
        [&](datapath::Datapath&) { return xlate_.trace(*xlate_.bridge("br0"), key); });
  };
  const std::string keyed_out = trace(100);
  EXPECT_NE(keyed_out.find("Datapath actions: output:3(p3)\n"), std::string::npos) << keyed_out;
  const std::string set_out = trace(0);
  EXPECT_NE(set_out.find("Datapath actions: set(tunnel_id=0x190),output:2(p2)\n"),
            std::string::npos)
      << set_out;
  const std::string same_out = trace(400);  // already 400: nothing to write
  EXPECT_NE(same_out.find("Datapath actions: output:2(p2)\n"), std::string::npos) << same_out;
}

TEST_F(OfGroupsTest, AnExpiringTtlStopsThePacketAndTellsTheController) {
  ASSERT_TRUE(
      request({1, flow(10, udp_match(1),
                       {Action::output(3), Action{Action::Kind::kDecNwTtl}, Action::output(2)})})
          .empty());
  Udp4 packet;
  packet.ttl = 1;
  EXPECT_EQ(send(1, packet.frame()), (Sent{{3, {packet.frame()}}}));  // before dec_nw_ttl only
  auto events = take_packet_ins();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, PacketInReason::kInvalidTtl);
  EXPECT_EQ(events[0].frame, packet.frame());
}

// The tunnel's outer addresses (Nicira's tun_src / tun_dst): the datapath fills them in host
// order for a tunnelled packet; a flow matches them, and one that sets tun_dst makes the datapath
// carry it to the output, where a remote_ip=flow GRE port sends to it.
TEST_F(OfGroupsTest, TunnelAddressesAreMatchedAndTunDstIsSetForTheTunnelPorts) {
  Match tunnelled = udp_match(1);
  tunnelled.push_back(Oxm::exact(OxmField::kTunIpv4Src, 0xc6120001));               // 198.18.0.1
  tunnelled.push_back(Oxm::masked(OxmField::kTunIpv4Dst, 0xc6120000, 0xffffff00));  // /24
  ASSERT_TRUE(request({1, flow(20, tunnelled, {Action::output(3)})}).empty());
  ASSERT_TRUE(request({2, flow(10, udp_match(1),
                               {set(OxmField::kTunIpv4Dst, 0xc6120002), Action::output(2)})})
                  .empty());
  auto trace = [&](uint32_t tun_src, uint32_t tun_dst) {
    FlowKey key{};
    EXPECT_FALSE(parse_flow(Udp4{}.frame(), 1, &key));
    key.tun_src = tun_src;
    key.tun_dst = tun_dst;
    return thread_->call(
        [&](datapath::Datapath&) { return xlate_.trace(*xlate_.bridge("br0"), key); });
  };
  const std::string matched = trace(0xc6120001, 0xc6120063);
  EXPECT_NE(matched.find("Datapath actions: output:3(p3)\n"), std::string::npos) << matched;
  const std::string other_source = trace(0xc6120005, 0xc6120063);
  EXPECT_NE(other_source.find("Datapath actions: set(tunnel_dst=198.18.0.2),output:2(p2)\n"),
            std::string::npos)
      << other_source;
  const std::string swapped = trace(0x010012c6, 0xc6120063);  // network order is not a match
  EXPECT_EQ(swapped.find("output:3(p3)"), std::string::npos) << swapped;
  const std::string same = trace(0, 0xc6120002);  // already 198.18.0.2: nothing to write
  EXPECT_NE(same.find("Datapath actions: output:2(p2)\n"), std::string::npos) << same;
}

// A set tun_dst (or tun_src) is what later tables match.
TEST_F(OfGroupsTest, ASetTunnelAddressIsWhatTheNextTableMatches) {
  FlowMod set_both =
      flow(10, udp_match(1),
           {set(OxmField::kTunIpv4Src, 0xc6120001), set(OxmField::kTunIpv4Dst, 0xc6120102)});
  set_both.instructions.goto_table = 1;
  ASSERT_TRUE(request({1, set_both}).empty());
  const Match both = {Oxm::exact(OxmField::kTunIpv4Src, 0xc6120001),
                      Oxm::exact(OxmField::kTunIpv4Dst, 0xc6120102)};
  ASSERT_TRUE(request({2, flow(10, both, {Action::output(3)}, 1)}).empty());
  ASSERT_TRUE(request({3, flow(1, {}, {Action::output(2)}, 1)}).empty());
  FlowKey key{};
  ASSERT_FALSE(parse_flow(Udp4{}.frame(), 1, &key));
  const std::string out =
      thread_->call([&](datapath::Datapath&) { return xlate_.trace(*xlate_.bridge("br0"), key); });
  EXPECT_NE(out.find("Datapath actions: set(tunnel_dst=198.18.1.2),output:3(p3)\n"),
            std::string::npos)
      << out;
}

// Table features list the two fields with their Nicira headers, as ovs-vswitchd does, among the
// match fields, the wildcards and the fields set_field takes.
TEST_F(OfGroupsTest, TableFeaturesListTheTunnelAddressesInTheirNiciraClass) {
  std::vector<TableFeatures> tables;
  for (const Message& reply : multipart(1, TableFeaturesRequest{})) {
    const auto& body = std::get<MultipartReply>(reply.body).body;
    for (const TableFeatures& t : std::get<TableFeaturesReply>(body).tables) tables.push_back(t);
  }
  ASSERT_FALSE(tables.empty());
  auto has = [](const std::vector<uint32_t>& list, uint32_t header) {
    return std::find(list.begin(), list.end(), header) != list.end();
  };
  for (const TableFeatures& table : tables) {
    for (const auto* list :
         {&table.match, &table.wildcards, &table.apply_setfield, &table.write_setfield}) {
      EXPECT_TRUE(has(*list, 0x00013e04)) << "tun_src, table " << int{table.table_id};
      EXPECT_TRUE(has(*list, 0x00014004)) << "tun_dst, table " << int{table.table_id};
      EXPECT_TRUE(has(*list, 0x80004c08)) << "tunnel_id, table " << int{table.table_id};
      // Not as basic fields 40 and 41, which OpenFlow 1.3 does not have.
      EXPECT_FALSE(has(*list, 0x80005004)) << int{table.table_id};
      EXPECT_FALSE(has(*list, 0x80005204)) << int{table.table_id};
    }
  }
}

}  // namespace
}  // namespace vs::controller
