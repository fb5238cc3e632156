// Tests for lib/classifier.h: hand cases for priorities, ties, removal and un-wildcarding, then
// a seeded differential test against a linear scan of random rules (OVS tests/test-classifier.c)
// that also checks every returned wildcard mask is safe for a megaflow.
#include "lib/classifier.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "tests/support/flow_samples.h"

namespace vs {
namespace {

using vs::testing::all_ones;
using vs::testing::eth_dst_mask;
using vs::testing::in_port_mask;
using vs::testing::kArp;
using vs::testing::kIpv4;
using vs::testing::make_rule;
using vs::testing::nw_dst24_mask;
using vs::testing::RandomTraffic;
using vs::testing::same_key;
using vs::testing::tcp_packet;
using vs::testing::tp_dst_mask;

TEST(Classifier, EmptyClassifierMatchesNothingAndLeavesWildcardsAlone) {
  Classifier cls;
  FlowMask wc{};
  EXPECT_EQ(cls.lookup(tcp_packet(1, 0x0a000002, 80), &wc), nullptr);
  EXPECT_TRUE(same_key(wc, FlowMask{}));
  EXPECT_EQ(cls.size(), 0u);
  EXPECT_TRUE(cls.empty());
  EXPECT_EQ(cls.find_exactly(FlowKey{}, FlowMask{}, 0), nullptr);
}

TEST(Classifier, HigherPriorityWildcardBeatsLowerPriorityExactMatch) {
  Classifier cls;
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  ClassifierRule exact = make_rule(pkt, all_ones(), 10, 1);
  ClassifierRule port = make_rule(pkt, in_port_mask(), 20, 2);
  ASSERT_EQ(cls.insert(exact), nullptr);
  ASSERT_EQ(cls.insert(port), nullptr);
  EXPECT_EQ(cls.lookup(pkt, nullptr), &port);

  FlowKey other = pkt;
  other.in_port = 2;
  EXPECT_EQ(cls.lookup(other, nullptr), nullptr);
  ASSERT_TRUE(cls.remove(port));
  EXPECT_EQ(cls.lookup(pkt, nullptr), &exact);
}

TEST(Classifier, ExactMatchBeatsLowerPriorityCatchAll) {
  Classifier cls;
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  ClassifierRule all = make_rule(FlowKey{}, FlowMask{}, 0, 1);
  ClassifierRule exact = make_rule(pkt, all_ones(), 100, 2);
  ASSERT_EQ(cls.insert(all), nullptr);
  ASSERT_EQ(cls.insert(exact), nullptr);
  EXPECT_EQ(cls.lookup(pkt, nullptr), &exact);
  FlowKey other = pkt;
  other.tp_src = htons(1);
  EXPECT_EQ(cls.lookup(other, nullptr), &all);
}

TEST(Classifier, MatchBitsOutsideTheMaskAreIgnored) {
  Classifier cls;
  FlowKey noisy = tcp_packet(7, 0x0a000002, 80);  // Only in_port is masked in.
  ClassifierRule rule = make_rule(noisy, in_port_mask(), 5, 1);
  ASSERT_EQ(cls.insert(rule), nullptr);
  FlowKey pkt{};
  pkt.in_port = 7;
  EXPECT_EQ(cls.lookup(pkt, nullptr), &rule);
  FlowKey clean{};
  clean.in_port = 7;
  EXPECT_EQ(cls.find_exactly(clean, in_port_mask(), 5), &rule);
}

TEST(Classifier, PrefixMaskMatchesTheWholeSubnet) {
  Classifier cls;
  ClassifierRule rule = make_rule(tcp_packet(0, 0x0a000100, 0), nw_dst24_mask(), 5, 1);
  ASSERT_EQ(cls.insert(rule), nullptr);
  EXPECT_EQ(cls.lookup(tcp_packet(3, 0x0a0001fe, 22), nullptr), &rule);
  EXPECT_EQ(cls.lookup(tcp_packet(3, 0x0a0002fe, 22), nullptr), nullptr);
  FlowKey arp = tcp_packet(3, 0x0a000101, 22);
  arp.eth_type = htons(kArp);
  EXPECT_EQ(cls.lookup(arp, nullptr), nullptr);
}

TEST(Classifier, EqualPriorityOverlapPicksLowestIdWhateverTheInsertOrder) {
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  for (bool low_first : {true, false}) {
    Classifier cls;
    ClassifierRule low = make_rule(pkt, tp_dst_mask(), 50, 3);
    ClassifierRule high = make_rule(pkt, in_port_mask(), 50, 9);
    if (low_first) {
      ASSERT_EQ(cls.insert(low), nullptr);
      ASSERT_EQ(cls.insert(high), nullptr);
    } else {
      ASSERT_EQ(cls.insert(high), nullptr);
      ASSERT_EQ(cls.insert(low), nullptr);
    }
    EXPECT_EQ(cls.lookup(pkt, nullptr), &low) << "low_first=" << low_first;
  }
}

TEST(Classifier, EqualPriorityAndIdFallBackToInsertionOrder) {
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  Classifier cls;
  ClassifierRule first = make_rule(pkt, eth_dst_mask(), 50, 4);
  ClassifierRule second = make_rule(pkt, in_port_mask(), 50, 4);
  ASSERT_EQ(cls.insert(first), nullptr);
  ASSERT_EQ(cls.insert(second), nullptr);
  EXPECT_EQ(cls.lookup(pkt, nullptr), &first);
}

TEST(Classifier, DuplicateMatchMaskAndPriorityIsRefused) {
  Classifier cls;
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  ClassifierRule a = make_rule(pkt, in_port_mask(), 7, 1);
  ClassifierRule b = make_rule(pkt, in_port_mask(), 7, 2);
  ClassifierRule c = make_rule(pkt, in_port_mask(), 8, 3);
  ASSERT_EQ(cls.insert(a), nullptr);
  EXPECT_EQ(cls.insert(b), &a);
  ASSERT_EQ(cls.insert(c), nullptr);
  EXPECT_EQ(cls.size(), 2u);
  EXPECT_EQ(cls.subtable_count(), 1u);
  EXPECT_EQ(cls.find_exactly(pkt, in_port_mask(), 7), &a);
  EXPECT_EQ(cls.find_exactly(pkt, in_port_mask(), 8), &c);
  EXPECT_EQ(cls.find_exactly(pkt, in_port_mask(), 9), nullptr);
  EXPECT_EQ(cls.find_exactly(pkt, eth_dst_mask(), 7), nullptr);
  EXPECT_FALSE(cls.remove(b));
  EXPECT_EQ(cls.lookup(pkt, nullptr), &c);
}

TEST(Classifier, RemovalRestoresLowerRulesAndDropsEmptySubtables) {
  Classifier cls;
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  ClassifierRule a = make_rule(pkt, in_port_mask(), 30, 1);
  ClassifierRule b = make_rule(pkt, in_port_mask(), 20, 2);
  ClassifierRule c = make_rule(pkt, eth_dst_mask(), 25, 3);
  for (auto* r : {&a, &b, &c}) ASSERT_EQ(cls.insert(*r), nullptr);
  EXPECT_EQ(cls.subtable_count(), 2u);
  EXPECT_EQ(cls.lookup(pkt, nullptr), &a);
  ASSERT_TRUE(cls.remove(a));
  EXPECT_FALSE(cls.remove(a));
  EXPECT_EQ(cls.lookup(pkt, nullptr), &c);  // in_port subtable's max dropped to 20.
  ASSERT_TRUE(cls.remove(c));
  EXPECT_EQ(cls.subtable_count(), 1u);
  EXPECT_EQ(cls.lookup(pkt, nullptr), &b);
  ASSERT_TRUE(cls.remove(b));
  EXPECT_EQ(cls.subtable_count(), 0u);
  EXPECT_TRUE(cls.empty());
  EXPECT_EQ(cls.lookup(pkt, nullptr), nullptr);
}

TEST(Classifier, ForEachVisitsEveryRuleOnce) {
  Classifier cls;
  std::vector<ClassifierRule> rules;
  for (uint32_t i = 0; i < 10; ++i) {
    rules.push_back(make_rule(tcp_packet(i, 0x0a000000 + i * 256, 80),
                              i % 2 ? in_port_mask() : nw_dst24_mask(), static_cast<int32_t>(i),
                              i));
  }
  for (auto& r : rules) ASSERT_EQ(cls.insert(r), nullptr);
  std::vector<uint64_t> seen;
  cls.for_each([&](const ClassifierRule& r) { seen.push_back(r.id); });
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), 10u);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(seen[i], i);
}

TEST(Classifier, HitInHighSubtableSkipsLowerSubtablesWildcards) {
  Classifier cls;
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  ClassifierRule port = make_rule(pkt, in_port_mask(), 100, 1);
  ClassifierRule l4 = make_rule(pkt, tp_dst_mask(), 10, 2);
  ASSERT_EQ(cls.insert(port), nullptr);
  ASSERT_EQ(cls.insert(l4), nullptr);

  FlowMask wc{};
  EXPECT_EQ(cls.lookup(pkt, &wc), &port);
  EXPECT_TRUE(same_key(wc, in_port_mask()));  // tp_dst subtable never probed.

  // A miss in the high subtable un-wildcards in_port as well as the L4 fields.
  FlowKey other = pkt;
  other.in_port = 2;
  wc = FlowMask{};
  EXPECT_EQ(cls.lookup(other, &wc), &l4);
  FlowMask expected = tp_dst_mask();
  expected.in_port = 0xffffffff;
  EXPECT_TRUE(same_key(wc, expected));
}

TEST(Classifier, EqualMaxPrioritySubtableIsStillProbed) {
  Classifier cls;
  FlowKey pkt = tcp_packet(1, 0x0a000002, 80);
  ClassifierRule a = make_rule(pkt, in_port_mask(), 10, 5);
  ClassifierRule b = make_rule(pkt, eth_dst_mask(), 10, 6);
  ASSERT_EQ(cls.insert(a), nullptr);
  ASSERT_EQ(cls.insert(b), nullptr);
  FlowMask wc{};
  EXPECT_EQ(cls.lookup(pkt, &wc), &a);
  FlowMask expected = in_port_mask();
  expected.eth_dst.fill(0xff);
  EXPECT_TRUE(same_key(wc, expected));
}

// Differential test against a linear scan.

// Highest priority, then lowest id; ids are unique here, so this is the classifier's rule.
const ClassifierRule* linear_lookup(const std::vector<const ClassifierRule*>& rules,
                                    const FlowKey& key) {
  const ClassifierRule* best = nullptr;
  for (const ClassifierRule* r : rules) {
    if (!flow_equal_masked(key, r->match, r->mask)) continue;
    if (best == nullptr || r->priority > best->priority ||
        (r->priority == best->priority && r->id < best->id)) {
      best = r;
    }
  }
  return best;
}

TEST(ClassifierDifferential, MatchesLinearScanAndWildcardsAreSafe) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    RandomTraffic gen(seed);
    Classifier cls;
    std::vector<std::unique_ptr<ClassifierRule>> owned;
    std::vector<const ClassifierRule*> live;
    uint64_t next_id = 0;
    size_t lookups = 0;
    size_t hits = 0;

    for (int round = 0; round < 120; ++round) {
      // Grow towards ~150 rules, then churn.
      int ops = 1 + static_cast<int>(gen.below(6));
      for (int op = 0; op < ops; ++op) {
        bool do_remove = !live.empty() && (live.size() > 150 || gen.below(3) == 0);
        if (do_remove) {
          size_t victim = gen.below(static_cast<uint32_t>(live.size()));
          ASSERT_TRUE(cls.remove(*live[victim]));
          ASSERT_FALSE(cls.remove(*live[victim]));
          live.erase(live.begin() + static_cast<ptrdiff_t>(victim));
          continue;
        }
        auto rule = std::make_unique<ClassifierRule>();
        rule->mask = gen.random_mask();
        rule->match = gen.random_packet();
        if (gen.below(4) != 0) flow_apply_mask(rule->match, rule->mask);  // Else left noisy.
        rule->priority = static_cast<int32_t>(gen.below(16));
        rule->id = next_id++;
        const ClassifierRule* clash = cls.insert(*rule);
        // The model: a clash iff a live rule has the same masked match, mask and priority.
        const ClassifierRule* expected_clash = nullptr;
        for (const ClassifierRule* r : live) {
          if (r->priority == rule->priority && same_key(r->mask, rule->mask) &&
              flow_equal_masked(r->match, rule->match, rule->mask)) {
            expected_clash = r;
          }
        }
        ASSERT_EQ(clash, expected_clash);
        if (clash == nullptr) {
          live.push_back(rule.get());
          owned.push_back(std::move(rule));
          EXPECT_EQ(cls.find_exactly(live.back()->match, live.back()->mask, live.back()->priority),
                    live.back());
        }
      }
      ASSERT_EQ(cls.size(), live.size());
      size_t visited = 0;
      cls.for_each([&](const ClassifierRule& r) {
        ++visited;
        EXPECT_NE(std::find(live.begin(), live.end(), &r), live.end());
      });
      ASSERT_EQ(visited, live.size());

      for (int i = 0; i < 30; ++i) {
        FlowKey pkt = gen.packet_near(live);
        FlowMask wc{};
        const ClassifierRule* got = cls.lookup(pkt, &wc);
        const ClassifierRule* want = linear_lookup(live, pkt);
        ++lookups;
        hits += got != nullptr;
        ASSERT_EQ(got, want) << "round " << round << " lookup " << i;
        ASSERT_EQ(cls.lookup(pkt, nullptr), got);
        if (got != nullptr) {
          // The winner's own mask must be un-wildcarded.
          FlowMask covered = got->mask;
          flow_apply_mask(covered, wc);
          ASSERT_TRUE(same_key(covered, got->mask));
        }
        // Any packet that agrees with pkt on wc must get the same answer.
        for (int s = 0; s < 4; ++s) {
          FlowKey other = gen.packet_near(live);
          FlowKey probe = pkt;
          RandomTraffic::blend(&probe, other, wc);
          ASSERT_EQ(linear_lookup(live, probe), want) << "round " << round << " lookup " << i;
          FlowMask wc2{};
          ASSERT_EQ(cls.lookup(probe, &wc2), want);
        }
      }
    }
    EXPECT_GE(lookups, 3600u);
    EXPECT_GT(hits, lookups / 2);  // The traffic really exercises matches.
    for (const ClassifierRule* r : live) ASSERT_TRUE(cls.remove(*r));
    EXPECT_TRUE(cls.empty());
    EXPECT_EQ(cls.subtable_count(), 0u);
  }
}

}  // namespace
}  // namespace vs
