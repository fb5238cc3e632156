// Tests for the forwarding loop (datapath/datapath.h). Polling, as root: a `system` port on a
// private veth pair becomes busy-polled once frames arrive, cools down back into the epoll set
// when they stop, and is woken by epoll again afterwards; removing a busy port forgets it.
// Receiving for other ports (port.h, the GRE receiver's contract): frames keep the in_port and
// tunnel metadata their port gave them, ports learn their numbers, port drops reach the stats.
#include "datapath/datapath.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "datapath/afpacket_port.h"
#include "datapath/memory_port.h"
#include "tests/datapath/veth_pair.h"
#include "tests/support/port_peer.h"

namespace vs::datapath {
namespace {

using std::chrono::milliseconds;
using vs::testing::kMacA;
using vs::testing::kMacB;
using vs::testing::make_frame;

// Drops everything: these tests only count what poll() receives.
class DropAll : public Upcall {
 public:
  void translate(const FlowKey&, FlowMask&, DpActions&) override {}
  void packet_up(const Packet&, const DpAction::Userdata&) override {}
  void flow_used(const FlowKey&, uint64_t, uint64_t, bool) override {}
  void run_periodic() override {}
  uint64_t generation() const override { return 0; }
};

class DatapathPollTest : public vs::testing::VethPairTest {
 protected:
  void SetUp() override {
    VethPairTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto dp = Datapath::create(upcall_);
    ASSERT_TRUE(dp) << dp.error().message;
    dp_ = std::move(dp).value();
    auto port = AfPacketPort::open(a_);
    ASSERT_TRUE(port) << port.error().message;
    auto number = dp_->add_port(std::move(port).value());
    ASSERT_TRUE(number) << number.error().message;
    number_ = number.value();
  }

  void TearDown() override {
    dp_.reset();
    VethPairTest::TearDown();
  }

  // Polls without waiting until `frames` frames came or a few seconds passed.
  size_t poll_for(size_t frames) {
    size_t got = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (got < frames && std::chrono::steady_clock::now() < deadline)
      got += dp_->poll(milliseconds(0));
    return got;
  }

  DropAll upcall_;
  std::unique_ptr<Datapath> dp_;
  uint32_t number_ = 0;
  const vs::testing::Bytes frame_ = make_frame(kMacA, kMacB, 1, 46);
};

TEST_F(DatapathPollTest, BusyPortCoolsDownAndEpollWakesThePollAgain) {
  EXPECT_EQ(dp_->stats().busy_ports, 0u);
  ASSERT_TRUE(peer_.send(frame_));
  EXPECT_EQ(dp_->poll(milliseconds(3000)), 1u);  // woken by epoll
  EXPECT_EQ(dp_->stats().busy_ports, 1u);

  ASSERT_TRUE(peer_.send(frame_));
  EXPECT_EQ(poll_for(1), 1u);  // read directly while busy
  EXPECT_EQ(dp_->stats().busy_ports, 1u);

  std::this_thread::sleep_for(2 * Datapath::kBusyPoll);
  EXPECT_EQ(dp_->poll(milliseconds(0)), 0u);
  EXPECT_EQ(dp_->stats().busy_ports, 0u);

  // Back in the epoll set: a frame wakes a long poll. If the port were lost to both the busy
  // list and epoll, this would wait out the timeout and receive nothing.
  std::thread sender([this] {
    std::this_thread::sleep_for(milliseconds(100));
    (void)peer_.send(frame_);
  });
  const size_t woke = dp_->poll(milliseconds(3000));
  sender.join();
  EXPECT_EQ(woke, 1u);
}

TEST_F(DatapathPollTest, RemovingABusyPortForgetsIt) {
  ASSERT_TRUE(peer_.send(frame_));
  ASSERT_EQ(poll_for(1), 1u);
  ASSERT_EQ(dp_->stats().busy_ports, 1u);
  dp_->remove_port(number_);
  EXPECT_EQ(dp_->stats().busy_ports, 0u);
  EXPECT_EQ(dp_->poll(milliseconds(0)), 0u);

  // The number is free again and the new port is polled like the first.
  auto port = AfPacketPort::open(a_);
  ASSERT_TRUE(port) << port.error().message;
  auto number = dp_->add_port(std::move(port).value());
  ASSERT_TRUE(number) << number.error().message;
  EXPECT_EQ(number.value(), number_);
  ASSERT_TRUE(peer_.send(frame_));
  EXPECT_EQ(dp_->poll(milliseconds(3000)), 1u);
}

// Receives for other ports, as the GRE receiver does: each frame carries the number of the port
// it belongs to and a tunnel key.
class RelayPort : public MemoryPort {
 public:
  RelayPort() : MemoryPort("relay") {}
  void relay(std::vector<uint8_t> frame, uint32_t to, TunnelMetadata tunnel) {
    inject(std::move(frame));
    targets_.push_back({to, tunnel});
  }
  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override {
    const size_t before = batch.size();
    const size_t got = MemoryPort::rx_batch(pool, batch);
    for (size_t i = 0; i < got; ++i) {
      batch[before + i].in_port = targets_.front().first;
      batch[before + i].tunnel = targets_.front().second;
      targets_.pop_front();
    }
    return got;
  }
  void attached(uint32_t number) override { number_ = number; }
  void add_drops(std::array<uint64_t, kDropReasonCount>& drops) const override {
    drops[static_cast<size_t>(DropReason::kGreNoPort)] += 3;
  }
  uint32_t number_ = 0;

 private:
  std::deque<std::pair<uint32_t, TunnelMetadata>> targets_;
};

// Remembers every key it is asked about and sends everything out of `out`.
class RecordKeys : public DropAll {
 public:
  void translate(const FlowKey& key, FlowMask&, DpActions& actions) override {
    keys.push_back(key);
    actions.push_back(output(out));
  }
  std::vector<FlowKey> keys;
  uint32_t out = 0;
};

TEST(DatapathRelayTest, FramesKeepThePortAndTunnelKeyTheirReceiverGaveThem) {
  RecordKeys upcall;
  auto dp = Datapath::create(upcall);
  ASSERT_TRUE(dp) << dp.error().message;
  auto tunnel = std::make_unique<MemoryPort>("gre0");
  auto sink = std::make_unique<MemoryPort>("sink");
  auto relay = std::make_unique<RelayPort>();
  MemoryPort* sink_port = sink.get();
  RelayPort* relay_port = relay.get();
  const uint32_t tunnel_number = dp.value()->add_port(std::move(tunnel)).value();
  upcall.out = dp.value()->add_port(std::move(sink)).value();
  const uint32_t relay_number = dp.value()->add_port(std::move(relay)).value();
  EXPECT_EQ(relay_port->number_, relay_number);

  relay_port->relay(make_frame(kMacA, kMacB, 1, 46), tunnel_number, {100, 0xc6120002, 0xc6120001});
  relay_port->relay(make_frame(kMacA, kMacB, 2, 46), 0, {});  // 0: the relay's own frame
  dp.value()->poll(milliseconds(0));

  ASSERT_EQ(upcall.keys.size(), 2u);
  EXPECT_EQ(upcall.keys[0].in_port, tunnel_number);
  EXPECT_EQ(upcall.keys[0].tunnel_id, 100u);
  EXPECT_EQ(upcall.keys[0].tun_src, 0xc6120002u);
  EXPECT_EQ(upcall.keys[0].tun_dst, 0xc6120001u);
  EXPECT_EQ(upcall.keys[1].in_port, relay_number);
  EXPECT_EQ(upcall.keys[1].tunnel_id, 0u);
  EXPECT_EQ(upcall.keys[1].tun_src, 0u);
  EXPECT_EQ(sink_port->sent().size(), 2u);
  EXPECT_EQ(dp.value()->stats().drops[static_cast<size_t>(DropReason::kGreNoPort)], 3u);
}

}  // namespace
}  // namespace vs::datapath
