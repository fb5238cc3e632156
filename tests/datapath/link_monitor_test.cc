// Tests for the netlink link monitor (datapath/link_monitor.h). As root: the snapshot has "lo";
// a veth pair made with `ip link` is reported added, up, removed; a receive buffer shrunk to the
// minimum overflows on a burst, process() asks for a resync and the snapshot then has the truth.
#include "datapath/link_monitor.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace vs::datapath {
namespace {

bool run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

bool has_name(const std::vector<LinkEvent>& links, const std::string& name) {
  return std::any_of(links.begin(), links.end(),
                     [&](const LinkEvent& e) { return e.name == name; });
}

class LinkMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create veth devices";
    auto monitor = LinkMonitor::open();
    ASSERT_TRUE(monitor) << monitor.error().message;
    monitor_ = std::move(monitor).value();
    static int counter = 0;
    std::string base = "vsm" + std::to_string(::getpid()) + std::to_string(counter++);
    a_ = base + "a";
    b_ = base + "b";
    ASSERT_LE(a_.size(), 15u);
  }

  void TearDown() override {
    for (const std::string& name : created_) run("ip link del " + name);
  }

  bool add_veth(const std::string& a, const std::string& b) {
    created_.push_back(a);  // deleting one end deletes both
    return run("ip link add " + a + " type veth peer name " + b);
  }

  // Collects events into events_ until `done` holds for them, waiting on fd() for at most 5 s.
  bool wait_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd pfd{.fd = monitor_->fd(), .events = POLLIN, .revents = 0};
      if (::poll(&pfd, 1, int(left.count())) <= 0) continue;
      auto status = monitor_->process([&](const LinkEvent& e) { events_.push_back(e); });
      EXPECT_TRUE(status) << status.error().message;
      if (!status) return false;
      EXPECT_EQ(status.value(), LinkMonitor::ProcessStatus::kDrained);
    }
    return true;
  }

  bool saw(LinkEvent::Kind kind, const std::string& name) const {
    return std::any_of(events_.begin(), events_.end(),
                       [&](const LinkEvent& e) { return e.kind == kind && e.name == name; });
  }

  std::unique_ptr<LinkMonitor> monitor_;
  std::string a_, b_;
  std::vector<std::string> created_;
  std::vector<LinkEvent> events_;
};

TEST_F(LinkMonitorTest, SnapshotHasLoopback) {
  auto links = monitor_->snapshot();
  ASSERT_TRUE(links) << links.error().message;
  auto lo = std::find_if(links.value().begin(), links.value().end(),
                         [](const LinkEvent& e) { return e.name == "lo"; });
  ASSERT_NE(lo, links.value().end());
  EXPECT_EQ(lo->kind, LinkEvent::kAdded);
  EXPECT_GT(lo->ifindex, 0);
}

TEST_F(LinkMonitorTest, ProcessWithNothingPendingReturnsAtOnce) {
  ASSERT_TRUE(monitor_->snapshot());
  std::vector<LinkEvent> events;
  auto status = monitor_->process([&](const LinkEvent& e) { events.push_back(e); });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status.value(), LinkMonitor::ProcessStatus::kDrained);
}

TEST_F(LinkMonitorTest, VethPairIsReportedAddedUpAndRemoved) {
  ASSERT_TRUE(monitor_->snapshot());
  ASSERT_TRUE(add_veth(a_, b_)) << "ip link add " << a_ << " failed";
  ASSERT_TRUE(wait_until([&] { return saw(LinkEvent::kAdded, a_) && saw(LinkEvent::kAdded, b_); }))
      << "no kAdded for " << a_ << " and " << b_;
  EXPECT_FALSE(saw(LinkEvent::kRemoved, a_));

  events_.clear();
  ASSERT_TRUE(run("ip link set " + a_ + " up"));
  ASSERT_TRUE(wait_until([&] {
    return std::any_of(events_.begin(), events_.end(), [&](const LinkEvent& e) {
      return e.kind == LinkEvent::kChanged && e.name == a_ && e.up;
    });
  })) << "no kChanged with up=true for "
      << a_;
  EXPECT_FALSE(saw(LinkEvent::kAdded, a_));  // already known: a change, not a second add

  events_.clear();
  ASSERT_TRUE(run("ip link del " + a_));
  ASSERT_TRUE(wait_until([&] {
    return saw(LinkEvent::kRemoved, a_) && saw(LinkEvent::kRemoved, b_);
  })) << "no kRemoved for "
      << a_ << " and " << b_;
}

TEST_F(LinkMonitorTest, RenameIsRemovedThenAdded) {
  ASSERT_TRUE(monitor_->snapshot());
  ASSERT_TRUE(add_veth(a_, b_));
  ASSERT_TRUE(wait_until([&] { return saw(LinkEvent::kAdded, b_); }));
  std::string renamed = a_ + "r";
  events_.clear();
  ASSERT_TRUE(run("ip link set " + b_ + " name " + renamed));
  ASSERT_TRUE(wait_until([&] { return saw(LinkEvent::kAdded, renamed); }));
  EXPECT_TRUE(saw(LinkEvent::kRemoved, b_));
}

TEST_F(LinkMonitorTest, OverflowAsksForResyncAndSnapshotHasTheTruth) {
  ASSERT_TRUE(monitor_->snapshot());
  // The kernel's minimum receive buffer holds about one link message: a veth pair overflows it.
  int tiny = 0;
  ASSERT_EQ(::setsockopt(monitor_->fd(), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny)), 0);
  ASSERT_TRUE(add_veth(a_, b_));
  std::string c = a_ + "c", d = a_ + "d";
  ASSERT_TRUE(add_veth(c, d));

  std::vector<LinkEvent> events;
  auto status = monitor_->process([&](const LinkEvent& e) { events.push_back(e); });
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_EQ(status.value(), LinkMonitor::ProcessStatus::kResyncNeeded);
  EXPECT_TRUE(events.empty());  // nothing half-reported: the snapshot supersedes it

  auto links = monitor_->snapshot();
  ASSERT_TRUE(links) << links.error().message;
  for (const std::string& name : {a_, b_, c, d}) EXPECT_TRUE(has_name(links.value(), name));

  // The socket still works after the overflow, and the snapshot made the pair known.
  int big = 1 << 20;
  ASSERT_EQ(::setsockopt(monitor_->fd(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)), 0);
  ASSERT_TRUE(run("ip link set " + a_ + " up"));
  ASSERT_TRUE(wait_until([&] { return saw(LinkEvent::kChanged, a_); }));
  EXPECT_FALSE(saw(LinkEvent::kAdded, a_));
}

}  // namespace
}  // namespace vs::datapath
