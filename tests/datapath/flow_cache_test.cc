// Tests for datapath/flow_cache.h: hand cases for megaflow mask semantics, EMC promotion and
// generation invalidation, then a seeded differential test of the caches (with upcalls into a
// lib Classifier) against fresh classifier lookups on random rules and repeating traffic.
#include "datapath/flow_cache.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "tests/support/flow_samples.h"

namespace vs::datapath {
namespace {

using vs::testing::all_ones;
using vs::testing::eth_dst_mask;
using vs::testing::in_port_mask;
using vs::testing::kArp;
using vs::testing::kIpv4;
using vs::testing::nw_dst24_mask;
using vs::testing::RandomTraffic;
using vs::testing::same_key;
using vs::testing::tcp_packet;
using vs::testing::tp_dst_mask;

constexpr CachedActions kNoMatch = std::numeric_limits<CachedActions>::max();

TEST(MegaflowCache, InstallStoresMaskedKeyAndMatchesOnMaskOnly) {
  MegaflowCache cache;
  FlowMask mask = in_port_mask();
  mask.tp_dst = 0xffff;
  FlowKey key = tcp_packet(1, 0x0a000002, 80);
  const MegaflowCache::Entry* entry = cache.install(key, mask, 7);
  ASSERT_NE(entry, nullptr);
  FlowKey masked = key;
  flow_apply_mask(masked, mask);
  EXPECT_TRUE(same_key(entry->match, masked));
  EXPECT_EQ(entry->actions, 7u);
  EXPECT_EQ(entry->generation, cache.generation());

  EXPECT_EQ(cache.lookup(key), entry);
  EXPECT_EQ(cache.lookup(tcp_packet(1, 0x0b000009, 80)), entry);  // nw_dst is wildcarded.
  EXPECT_EQ(cache.lookup(tcp_packet(1, 0x0a000002, 443)), nullptr);
  EXPECT_EQ(cache.lookup(tcp_packet(2, 0x0a000002, 80)), nullptr);
  EXPECT_EQ(entry->hits, 2u);

  // A second megaflow with another mask: a second subtable.
  const MegaflowCache::Entry* other = cache.install(tcp_packet(2, 0, 0), in_port_mask(), 9);
  EXPECT_EQ(cache.lookup(tcp_packet(2, 0x0a000002, 80)), other);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.mask_count(), 2u);
}

TEST(MegaflowCache, DuplicateInstallReturnsExistingEntryAndFullCacheRefuses) {
  MegaflowCache cache(2);
  const MegaflowCache::Entry* a = cache.install(tcp_packet(1, 1, 80), in_port_mask(), 1);
  EXPECT_EQ(cache.install(tcp_packet(1, 2, 22), in_port_mask(), 1), a);  // Same megaflow.
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.install(tcp_packet(2, 1, 80), in_port_mask(), 2), nullptr);
  EXPECT_EQ(cache.install(tcp_packet(3, 1, 80), in_port_mask(), 3), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(MegaflowCache, LookupBatchReturnsHitMaskOverAllThirtyTwoKeys) {
  MegaflowCache cache;
  cache.install(tcp_packet(1, 0, 0), in_port_mask(), 1);
  FlowKey keys[kMaxBurst];
  const MegaflowCache::Entry* results[kMaxBurst];
  uint32_t want = 0;
  for (uint32_t i = 0; i < kMaxBurst; ++i) {
    keys[i] = tcp_packet(i % 3 == 0 ? 1 : 2, i, 80);
    if (i % 3 == 0) want |= uint32_t{1} << i;
  }
  keys[31].in_port = 1;
  want |= uint32_t{1} << 31;
  EXPECT_EQ(cache.lookup_batch(keys, kMaxBurst, results), want);
  for (uint32_t i = 0; i < kMaxBurst; ++i) EXPECT_EQ(results[i] != nullptr, (want >> i) & 1);
  // `todo` restricts the keys looked up; others' results are left alone.
  results[3] = nullptr;
  EXPECT_EQ(cache.lookup_batch(keys, 4, results, 0b0001), 0b0001u);
  EXPECT_EQ(results[3], nullptr);
}

TEST(FlowCaches, MegaflowHitIsPromotedToTheEmc) {
  FlowCaches caches;
  FlowKey first = tcp_packet(1, 0x0a000001, 80);
  FlowKey second = tcp_packet(1, 0x0a000002, 22);  // Same megaflow (in_port), different key.
  const MegaflowCache::Entry* results[1];

  EXPECT_EQ(caches.lookup_batch(&first, 1, results), 0b1u);  // Cold: miss.
  EXPECT_EQ(results[0], nullptr);
  const MegaflowCache::Entry* entry = caches.install(first, in_port_mask(), 5);
  EXPECT_EQ(caches.emc().lookup(first), entry);  // install() fills the EMC too.

  EXPECT_EQ(caches.emc().lookup(second), nullptr);
  EXPECT_EQ(caches.lookup_batch(&second, 1, results), 0u);
  EXPECT_EQ(results[0], entry);
  EXPECT_EQ(caches.stats().megaflow_hits, 1u);
  EXPECT_EQ(caches.emc().lookup(second), entry);
  EXPECT_EQ(caches.lookup_batch(&second, 1, results), 0u);
  EXPECT_EQ(results[0], entry);
  EXPECT_EQ(caches.stats().emc_hits, 1u);
  EXPECT_EQ(caches.stats().misses, 1u);
}

TEST(FlowCaches, GenerationBumpInvalidatesMegaflowsAndEmc) {
  FlowCaches caches;
  FlowKey key = tcp_packet(1, 0x0a000001, 80);
  const MegaflowCache::Entry* results[1];
  caches.install(key, all_ones(), 5);
  ASSERT_EQ(caches.lookup_batch(&key, 1, results), 0u);
  uint64_t generation = caches.megaflows().generation();

  caches.invalidate_all();
  EXPECT_EQ(caches.megaflows().generation(), generation + 1);
  EXPECT_EQ(caches.megaflows().size(), 0u);
  EXPECT_EQ(caches.emc().lookup(key), nullptr);  // Stale slot, never dereferenced.
  EXPECT_EQ(caches.megaflows().lookup(key), nullptr);
  EXPECT_EQ(caches.lookup_batch(&key, 1, results), 0b1u);

  // Refilled in the new generation, the new answer is returned.
  const MegaflowCache::Entry* entry = caches.install(key, all_ones(), 6);
  ASSERT_EQ(caches.lookup_batch(&key, 1, results), 0u);
  EXPECT_EQ(results[0], entry);
  EXPECT_EQ(results[0]->actions, 6u);
}

TEST(ExactMatchCache, CollidingKeysShareABucketWithoutWrongHits) {
  MegaflowCache megaflows;
  ExactMatchCache emc(megaflows, 2);  // One bucket: every key collides.
  std::vector<FlowKey> keys;
  std::vector<const MegaflowCache::Entry*> entries;
  for (uint32_t i = 0; i < 5; ++i) {
    keys.push_back(tcp_packet(i, 0, 0));
    entries.push_back(megaflows.install(keys.back(), in_port_mask(), i));
    emc.insert(keys.back(), entries.back());
  }
  size_t hits = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const MegaflowCache::Entry* got = emc.lookup(keys[i]);
    if (got != nullptr) {
      ++hits;
      EXPECT_EQ(got, entries[i]);
    }
  }
  EXPECT_GE(hits, 1u);
  EXPECT_LE(hits, 2u);
}

// Differential test: caches + upcall against fresh classifier lookups.

CachedActions answer(const ClassifierRule* rule) { return rule ? rule->id : kNoMatch; }

TEST(FlowCachesDifferential, CachedAnswersAlwaysEqualFreshClassifierLookups) {
  struct Config {
    uint32_t seed;
    size_t emc_entries;
  };
  for (Config config : {Config{1, 8192}, Config{2, 8192}, Config{3, 64}}) {
    SCOPED_TRACE(config.seed);
    RandomTraffic gen(config.seed);
    Classifier cls;
    std::vector<std::unique_ptr<ClassifierRule>> owned;
    std::vector<const ClassifierRule*> live;
    std::vector<FlowKey> recent;  // Repeats, so the caches have something to hit.
    FlowCaches caches(config.emc_entries);
    uint64_t next_id = 0;
    uint64_t lookups = 0;
    uint64_t first_lookups = 0;  // Lookups of fresh batches, before their upcalls.
    uint64_t first_hits = 0;
    uint64_t generation = caches.megaflows().generation();

    for (int round = 0; round < 60; ++round) {
      // Change the tables (grow to ~60 rules, then churn), then invalidate.
      int ops = 1 + static_cast<int>(gen.below(4));
      for (int op = 0; op < ops; ++op) {
        if (!live.empty() && (live.size() > 60 || gen.below(3) == 0)) {
          size_t victim = gen.below(static_cast<uint32_t>(live.size()));
          ASSERT_TRUE(cls.remove(*live[victim]));
          live.erase(live.begin() + static_cast<ptrdiff_t>(victim));
          continue;
        }
        auto rule = std::make_unique<ClassifierRule>();
        rule->mask = gen.random_mask();
        rule->match = gen.random_packet();
        flow_apply_mask(rule->match, rule->mask);
        rule->priority = static_cast<int32_t>(gen.below(16));
        rule->id = next_id++;
        if (cls.insert(*rule) == nullptr) {
          live.push_back(rule.get());
          owned.push_back(std::move(rule));
        }
      }
      caches.invalidate_all();
      ASSERT_EQ(caches.megaflows().generation(), ++generation);

      for (int batch = 0; batch < 30; ++batch) {
        size_t n = 1 + gen.below(kMaxBurst);
        FlowKey keys[kMaxBurst];
        for (size_t i = 0; i < n; ++i) {
          if (!recent.empty() && gen.below(10) < 8) {
            keys[i] = recent[gen.below(static_cast<uint32_t>(recent.size()))];
          } else {
            keys[i] = gen.packet_near(live);
            if (recent.size() < 200) {
              recent.push_back(keys[i]);
            } else {
              recent[gen.below(200)] = keys[i];
            }
          }
        }
        const MegaflowCache::Entry* results[kMaxBurst];
        uint32_t misses = caches.lookup_batch(keys, n, results);
        lookups += n;
        first_lookups += n;
        first_hits += n - static_cast<uint64_t>(std::popcount(misses));
        ASSERT_EQ(misses & ~batch_mask(n), 0u);
        for (size_t i = 0; i < n; ++i) {
          CachedActions want = answer(cls.lookup(keys[i], nullptr));
          if ((misses >> i) & 1) {
            ASSERT_EQ(results[i], nullptr);
            // The upcall: classifier lookup with un-wildcarding, then install.
            FlowMask wildcards{};
            CachedActions got = answer(cls.lookup(keys[i], &wildcards));
            ASSERT_EQ(got, want);
            const MegaflowCache::Entry* entry = caches.install(keys[i], wildcards, got);
            ASSERT_NE(entry, nullptr);
            // A duplicate install (same flow twice in a batch) must carry the same answer.
            ASSERT_EQ(entry->actions, want) << "round " << round << " key " << i;
          } else {
            ASSERT_NE(results[i], nullptr);
            ASSERT_EQ(results[i]->generation, generation);
            ASSERT_EQ(results[i]->actions, want) << "round " << round << " key " << i;
          }
        }
        // Every key of the batch is now cached, with the same answer.
        ASSERT_EQ(caches.lookup_batch(keys, n, results), 0u);
        lookups += n;
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(results[i]->actions, answer(cls.lookup(keys[i], nullptr)));
        }
      }
    }
    const FlowCaches::Stats& stats = caches.stats();
    ASSERT_EQ(stats.emc_hits + stats.megaflow_hits + stats.misses, lookups);
    // The caches must really be exercised: most lookups hit, both levels contribute.
    EXPECT_GT(first_hits, first_lookups / 2);
    EXPECT_GT(stats.emc_hits, lookups / 10);
    EXPECT_GT(stats.megaflow_hits, lookups / 50);
    EXPECT_GT(stats.misses, 0u);
    std::printf(
        "seed %u: %llu lookups (%llu of %llu fresh hit), emc %llu, megaflow %llu, miss %llu\n",
        config.seed, static_cast<unsigned long long>(lookups),
        static_cast<unsigned long long>(first_hits), static_cast<unsigned long long>(first_lookups),
        static_cast<unsigned long long>(stats.emc_hits),
        static_cast<unsigned long long>(stats.megaflow_hits),
        static_cast<unsigned long long>(stats.misses));
  }
}

}  // namespace
}  // namespace vs::datapath
