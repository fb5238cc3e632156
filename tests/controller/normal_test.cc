// NORMAL through the whole in-process forwarding path (normal_harness.h): learning, flooding,
// aging, bridges apart. The VLAN rules have their own matrix in normal_vlan_test.cc.
#include "datapath/forwarding_thread.h"
#include "tests/controller/normal_harness.h"

namespace vs::controller {
namespace {

using std::chrono::seconds;

TEST_F(NormalTest, BroadcastAndUnknownUnicastFloodEverywhereButTheIngressPort) {
  for (uint32_t p : {1, 2, 3}) add_port("br0", p);
  Bytes broadcast = make_frame(kBroadcast, kMac1, 1, 46);
  EXPECT_EQ(send(1, broadcast), to({2, 3}, broadcast));
  Bytes unknown = make_frame(kMacUnknown, kMac2, 2, 46);
  EXPECT_EQ(send(2, unknown), to({1, 3}, unknown));
}

TEST_F(NormalTest, LearnedDestinationGetsTheFrameAloneAndTheCacheAnswersRepeats) {
  for (uint32_t p : {1, 2, 3}) add_port("br0", p);
  send(2, make_frame(kBroadcast, kMac2, 1, 46));  // learns kMac2 on port 2
  Bytes unicast = make_frame(kMac2, kMac1, 2, 46);
  EXPECT_EQ(send(1, unicast), to({2}, unicast));
  auto upcalls = dp_->stats().upcalls;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(send(1, unicast), to({2}, unicast));
  EXPECT_EQ(dp_->stats().upcalls, upcalls) << "repeats must be cache hits";
  EXPECT_GE(dp_->stats().emc_hits, 5u);
}

TEST_F(NormalTest, NeverSendsBackOutOfTheIngressPort) {
  for (uint32_t p : {1, 2}) add_port("br0", p);
  send(1, make_frame(kBroadcast, kMac3, 1, 46));  // kMac3 is behind port 1
  auto drops = dp_->stats().flow_drops;
  EXPECT_TRUE(send(1, make_frame(kMac3, kMac1, 2, 46)).empty());
  EXPECT_EQ(dp_->stats().flow_drops, drops + 1);
}

TEST_F(NormalTest, MacThatMovesIsRelearnedOnItsNewPort) {
  for (uint32_t p : {1, 2, 3}) add_port("br0", p);
  send(1, make_frame(kBroadcast, kMac1, 1, 46));
  Bytes to_mac1 = make_frame(kMac1, kMac3, 2, 46);
  EXPECT_EQ(send(3, to_mac1), to({1}, to_mac1));
  send(2, make_frame(kBroadcast, kMac1, 3, 46));  // kMac1 now speaks from port 2
  EXPECT_EQ(send(3, to_mac1), to({2}, to_mac1)) << "the cached flow to port 1 must be gone";
}

TEST_F(NormalTest, IdleEntriesAgeOutButCachedTrafficKeepsItsSourceAlive) {
  for (uint32_t p : {1, 2, 3}) add_port("br0", p);
  send(1, make_frame(kBroadcast, kMac1, 1, 46));
  send(2, make_frame(kBroadcast, kMac2, 1, 46));
  Bytes from2 = make_frame(kMac3, kMac2, 5, 46);
  send(2, from2);  // cached now; kMac2 keeps sending only through the caches
  for (int step = 0; step < 4; ++step) {
    clock_.advance(seconds(100));
    send(2, from2);
    dp_->run_periodic();
  }
  // 400 s: kMac1 (silent) is gone, kMac2 (cache hits only) is still known.
  Bytes to1 = make_frame(kMac1, kMac3, 6, 46);
  EXPECT_EQ(send(3, to1), to({1, 2}, to1));
  Bytes to2 = make_frame(kMac2, kMac3, 7, 46);
  EXPECT_EQ(send(3, to2), to({2}, to2));
  EXPECT_EQ(xlate_.bridge("br0")->macs().lookup({0x02, 0, 0, 0, 0, 0x01}, 0), std::nullopt);
}

TEST_F(NormalTest, LearningIsPerVlan) {
  for (uint32_t p : {1, 2, 3}) add_port("br0", p);
  send(2, make_frame(kBroadcast, kMac2, 1, 46, /*tci=*/10));  // kMac2 on VLAN 10, port 2
  Bytes vlan10 = make_frame(kMac2, kMac1, 2, 46, 10);
  EXPECT_EQ(send(1, vlan10), to({2}, vlan10));
  Bytes vlan20 = make_frame(kMac2, kMac1, 3, 46, 20);
  EXPECT_EQ(send(1, vlan20), to({2, 3}, vlan20)) << "kMac2 is unknown on VLAN 20";
}

TEST_F(NormalTest, TwoBridgesNeverSeeEachOthersFrames) {
  for (uint32_t p : {1, 2}) add_port("br0", p);
  for (uint32_t p : {3, 4}) add_port("br1", p);
  Bytes on0 = make_frame(kBroadcast, kMac1, 1, 46);
  EXPECT_EQ(send(1, on0), to({2}, on0));
  Bytes on1 = make_frame(kBroadcast, kMac3, 2, 46);
  EXPECT_EQ(send(4, on1), to({3}, on1));
}

TEST_F(NormalTest, MalformedFramesAreCountedByReasonAndGoNowhere) {
  for (uint32_t p : {1, 2}) add_port("br0", p);
  Bytes runt = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0};
  EXPECT_TRUE(send(1, runt).empty());
  EXPECT_EQ(dp_->stats().drops[size_t(DropReason::kTruncatedEthernet)], 1u);
}

TEST_F(NormalTest, DetachedPortGetsNothingAndItsMacsAreForgotten) {
  for (uint32_t p : {1, 2, 3}) add_port("br0", p);
  send(3, make_frame(kBroadcast, kMac3, 1, 46));
  Bytes to3 = make_frame(kMac3, kMac1, 2, 46);
  EXPECT_EQ(send(1, to3), to({3}, to3));
  uint32_t dp3 = *xlate_.bridge("br0")->dp_port(3);
  xlate_.detach_port(dp3);
  dp_->remove_port(dp3);
  ports_.erase(3);
  EXPECT_EQ(send(1, to3), to({2}, to3));
}

TEST(ForwardingThread, CallRunsOnTheThreadAndForwardsWhatItInjects) {
  ManualClock clock;
  Xlate xlate(clock);
  auto dp = ok(Datapath::create(xlate));
  auto thread = ok(datapath::ForwardingThread::start(*dp));
  auto add = [&](Datapath& d, const std::string& name) {
    auto port = std::make_unique<MemoryPort>(name);
    MemoryPort* raw = port.get();
    uint32_t n = ok(d.add_port(std::move(port)));
    xlate.attach_port(xlate.add_bridge("br0"), n, n, name);
    return raw;
  };
  MemoryPort* b = nullptr;
  thread->call([&](Datapath& d) {
    MemoryPort* a = add(d, "a");
    b = add(d, "b");
    a->inject(make_frame(kBroadcast, kMac1, 1, 46));
  });
  std::vector<Bytes> sent;
  auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (sent.empty() && std::chrono::steady_clock::now() < deadline) {
    sent = thread->call([&](Datapath&) { return b->take_sent(); });
  }
  EXPECT_EQ(sent, std::vector<Bytes>{make_frame(kBroadcast, kMac1, 1, 46)});
  EXPECT_THROW(thread->call([](Datapath&) -> int { throw std::runtime_error("x"); }),
               std::runtime_error);
}

}  // namespace
}  // namespace vs::controller
