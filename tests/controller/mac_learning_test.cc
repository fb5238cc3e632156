// Unit tests for controller/mac_learning: learning, moves, aging and eviction, driven by a
// ManualClock so no test sleeps or asserts a timing.
#include "controller/mac_learning.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <utility>

namespace vs::controller {
namespace {

using std::chrono::seconds;
using Result = MacLearningTable::LearnResult;

constexpr MacAddress kMacA = {0x00, 0x00, 0x00, 0x00, 0x00, 0x0a};
constexpr MacAddress kMacB = {0x00, 0x00, 0x00, 0x00, 0x00, 0x0b};
constexpr MacAddress kMacC = {0x02, 0x11, 0x22, 0x33, 0x44, 0x0c};
constexpr MacAddress kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr MacAddress kMulticast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

class MacLearningTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  MacLearningTable table_{clock_};
};

TEST_F(MacLearningTest, LearnedMacIsFoundOnItsPort) {
  EXPECT_EQ(table_.learn(kMacA, 10, 3), Result::kNew);
  EXPECT_EQ(table_.lookup(kMacA, 10), 3u);
  EXPECT_EQ(table_.lookup(kMacB, 10), std::nullopt);
  EXPECT_EQ(table_.size(), 1u);
}

TEST_F(MacLearningTest, SameMacOnTwoVlansIsTwoEntries) {
  EXPECT_EQ(table_.learn(kMacA, 10, 1), Result::kNew);
  EXPECT_EQ(table_.learn(kMacA, 20, 2), Result::kNew);
  EXPECT_EQ(table_.size(), 2u);
  EXPECT_EQ(table_.lookup(kMacA, 10), 1u);
  EXPECT_EQ(table_.lookup(kMacA, 20), 2u);
  EXPECT_EQ(table_.lookup(kMacA, 30), std::nullopt);
}

TEST_F(MacLearningTest, RelearningOnSamePortRefreshes) {
  table_.learn(kMacA, 0, 1);
  EXPECT_EQ(table_.learn(kMacA, 0, 1), Result::kRefreshed);
  EXPECT_EQ(table_.size(), 1u);
}

TEST_F(MacLearningTest, MacThatMovesIsRelearnedOnNewPort) {
  table_.learn(kMacA, 0, 1);
  EXPECT_EQ(table_.learn(kMacA, 0, 2), Result::kMoved);
  EXPECT_EQ(table_.lookup(kMacA, 0), 2u);
  EXPECT_EQ(table_.size(), 1u);
}

TEST_F(MacLearningTest, RefreshedEntrySurvivesExpireAndIdleOneIsRemoved) {
  table_.learn(kMacA, 0, 1);
  table_.learn(kMacB, 0, 2);
  clock_.advance(seconds(200));
  table_.learn(kMacA, 0, 1);     // Refresh A only.
  clock_.advance(seconds(150));  // B idle 350 s, A idle 150 s.
  EXPECT_EQ(table_.expire(), 1u);
  EXPECT_EQ(table_.lookup(kMacA, 0), 1u);
  EXPECT_EQ(table_.lookup(kMacB, 0), std::nullopt);
  EXPECT_EQ(table_.size(), 1u);
}

TEST_F(MacLearningTest, EntryExpiresExactlyAtAgingTime) {
  table_.learn(kMacA, 0, 1);
  clock_.advance(seconds(299));
  EXPECT_EQ(table_.expire(), 0u);
  EXPECT_EQ(table_.lookup(kMacA, 0), 1u);
  clock_.advance(seconds(1));
  EXPECT_EQ(table_.expire(), 1u);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(MacLearningTest, AgedEntryIsNotReturnedBeforeExpireRuns) {
  table_.learn(kMacA, 0, 1);
  clock_.advance(seconds(301));
  EXPECT_EQ(table_.lookup(kMacA, 0), std::nullopt);
  EXPECT_TRUE(table_.entries().empty());
  EXPECT_EQ(table_.size(), 1u);  // Still stored until expire().
  EXPECT_EQ(table_.learn(kMacA, 0, 1), Result::kNew);
  EXPECT_EQ(table_.lookup(kMacA, 0), 1u);
}

TEST_F(MacLearningTest, FullTableEvictsLeastRecentlySeenEntry) {
  table_.set_max_entries(2);
  table_.learn(kMacA, 0, 1);
  clock_.advance(seconds(1));
  table_.learn(kMacB, 0, 2);
  clock_.advance(seconds(1));
  table_.learn(kMacA, 0, 1);  // A is now more recent than B.
  EXPECT_EQ(table_.learn(kMacC, 0, 3), Result::kNew);
  EXPECT_EQ(table_.size(), 2u);
  EXPECT_EQ(table_.lookup(kMacA, 0), 1u);
  EXPECT_EQ(table_.lookup(kMacB, 0), std::nullopt);
  EXPECT_EQ(table_.lookup(kMacC, 0), 3u);
}

TEST_F(MacLearningTest, ShrinkingTableEvictsOldestEntries) {
  table_.learn(kMacA, 0, 1);
  table_.learn(kMacB, 0, 2);
  table_.learn(kMacC, 0, 3);
  table_.set_max_entries(1);
  EXPECT_EQ(table_.size(), 1u);
  EXPECT_EQ(table_.lookup(kMacC, 0), 3u);
  table_.set_max_entries(0);  // Treated as 1.
  EXPECT_EQ(table_.max_entries(), 1u);
}

TEST_F(MacLearningTest, FlushPortForgetsOnlyThatPort) {
  table_.learn(kMacA, 0, 1);
  table_.learn(kMacB, 0, 2);
  table_.learn(kMacC, 5, 1);
  EXPECT_EQ(table_.flush_port(1), 2u);
  EXPECT_EQ(table_.lookup(kMacA, 0), std::nullopt);
  EXPECT_EQ(table_.lookup(kMacC, 5), std::nullopt);
  EXPECT_EQ(table_.lookup(kMacB, 0), 2u);
  EXPECT_EQ(table_.size(), 1u);
}

TEST_F(MacLearningTest, FlushVlanForgetsOnlyThatVlan) {
  table_.learn(kMacA, 10, 1);
  table_.learn(kMacA, 20, 1);
  EXPECT_EQ(table_.flush_vlan(10), 1u);
  EXPECT_EQ(table_.lookup(kMacA, 10), std::nullopt);
  EXPECT_EQ(table_.lookup(kMacA, 20), 1u);
}

TEST_F(MacLearningTest, FlushForgetsEverything) {
  table_.learn(kMacA, 0, 1);
  table_.learn(kMacB, 0, 2);
  table_.flush();
  EXPECT_EQ(table_.size(), 0u);
  EXPECT_EQ(table_.lookup(kMacA, 0), std::nullopt);
  EXPECT_EQ(table_.learn(kMacA, 0, 1), Result::kNew);
}

TEST_F(MacLearningTest, GroupSourceMacsAreNeverLearned) {
  EXPECT_EQ(table_.learn(kBroadcast, 0, 1), Result::kIgnored);
  EXPECT_EQ(table_.learn(kMulticast, 0, 1), Result::kIgnored);
  EXPECT_EQ(table_.size(), 0u);
  EXPECT_EQ(table_.lookup(kBroadcast, 0), std::nullopt);
}

TEST_F(MacLearningTest, ChangingAgingTimeTakesEffect) {
  table_.set_aging_time(seconds(60));
  table_.learn(kMacA, 0, 1);
  clock_.advance(seconds(59));
  EXPECT_EQ(table_.lookup(kMacA, 0), 1u);
  clock_.advance(seconds(1));
  EXPECT_EQ(table_.lookup(kMacA, 0), std::nullopt);
  EXPECT_EQ(table_.expire(), 1u);

  // Lengthening the aging time revives an entry that has not been removed yet.
  table_.learn(kMacB, 0, 2);
  clock_.advance(seconds(100));
  EXPECT_EQ(table_.lookup(kMacB, 0), std::nullopt);
  table_.set_aging_time(seconds(600));
  EXPECT_EQ(table_.lookup(kMacB, 0), 2u);
}

TEST_F(MacLearningTest, AgingTimeIsClampedToOvsRange) {
  table_.set_aging_time(seconds(1));
  EXPECT_EQ(table_.aging_time(), seconds(15));
  table_.set_aging_time(seconds(100000));
  EXPECT_EQ(table_.aging_time(), seconds(3600));
  EXPECT_EQ(MacLearningTable(clock_).aging_time(), seconds(300));
}

TEST_F(MacLearningTest, EntriesListLeastRecentlySeenFirstWithAge) {
  table_.learn(kMacA, 10, 1);
  clock_.advance(seconds(5));
  table_.learn(kMacC, 20, 7);
  clock_.advance(std::chrono::milliseconds(2500));
  auto entries = table_.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].port, 1u);
  EXPECT_EQ(entries[0].vlan, 10);
  EXPECT_EQ(entries[0].mac, kMacA);
  EXPECT_EQ(entries[0].age_seconds, 7u);
  EXPECT_EQ(entries[1].port, 7u);
  EXPECT_EQ(entries[1].vlan, 20);
  EXPECT_EQ(entries[1].mac, kMacC);
  EXPECT_EQ(entries[1].age_seconds, 2u);
}

// Differential test: a seeded random mix of operations against a naive model that stores a
// touch counter per entry and finds the LRU entry by linear scan.
TEST(MacLearningDifferential, MatchesNaiveModelOnRandomOperations) {
  struct ModelEntry {
    uint32_t port;
    Clock::TimePoint last_seen;
    uint64_t touch;
  };
  using Key = std::pair<MacAddress, uint16_t>;
  ManualClock clock;
  MacLearningTable table(clock);
  table.set_max_entries(8);
  std::map<Key, ModelEntry> model;
  uint64_t touches = 0;
  const auto aging = seconds(20);
  table.set_aging_time(aging);
  auto expired = [&](const ModelEntry& e) { return clock.now() - e.last_seen >= aging; };

  std::mt19937 rng(4);
  for (int step = 0; step < 20000; ++step) {
    MacAddress mac = {static_cast<uint8_t>(rng() % 3 == 0 ? 0x01 : 0x00),
                      0,
                      0,
                      0,
                      0,
                      static_cast<uint8_t>(rng() % 12)};
    const uint16_t vlan = rng() % 2;
    const uint32_t port = rng() % 4;
    const Key key{mac, vlan};
    switch (rng() % 8) {
      case 0:
        clock.advance(seconds(rng() % 4));
        break;
      case 1: {
        size_t n = 0;
        for (auto it = model.begin(); it != model.end();) {
          it = expired(it->second) ? (++n, model.erase(it)) : std::next(it);
        }
        ASSERT_EQ(table.expire(), n);
        break;
      }
      case 2: {
        size_t n = 0;
        for (auto it = model.begin(); it != model.end();) {
          it = it->second.port == port ? (++n, model.erase(it)) : std::next(it);
        }
        ASSERT_EQ(table.flush_port(port), n);
        break;
      }
      default: {
        Result want;
        auto it = model.find(key);
        if (mac[0] & 1) {
          want = Result::kIgnored;
        } else if (it != model.end()) {
          want = expired(it->second)       ? Result::kNew
                 : it->second.port != port ? Result::kMoved
                                           : Result::kRefreshed;
          it->second = {port, clock.now(), ++touches};
        } else {
          want = Result::kNew;
          if (model.size() >= table.max_entries()) {
            auto lru = model.begin();
            for (auto m = model.begin(); m != model.end(); ++m) {
              if (m->second.touch < lru->second.touch) lru = m;
            }
            model.erase(lru);
          }
          model[key] = {port, clock.now(), ++touches};
        }
        ASSERT_EQ(table.learn(mac, vlan, port), want) << "step " << step;
      }
    }
    ASSERT_EQ(table.size(), model.size()) << "step " << step;
    auto it = model.find(key);
    std::optional<uint32_t> want;
    if (it != model.end() && !expired(it->second)) want = it->second.port;
    ASSERT_EQ(table.lookup(mac, vlan), want) << "step " << step;
  }
}

}  // namespace
}  // namespace vs::controller
