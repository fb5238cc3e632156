// Tests for the forwarding loop's polling (datapath/datapath.h, poll()): as root, a `system` port
// on a private veth pair becomes busy-polled once frames arrive, cools down back into the epoll
// set when they stop, and is woken by epoll again afterwards; removing a busy port forgets it.
#include "datapath/datapath.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "datapath/afpacket_port.h"
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

}  // namespace
}  // namespace vs::datapath
