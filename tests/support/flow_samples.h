// Flow keys, masks and seeded random traffic shared by the classifier and flow cache tests.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "lib/classifier.h"
#include "lib/flow_key.h"

namespace vs::testing {

constexpr uint16_t kIpv4 = 0x0800;
constexpr uint16_t kArp = 0x0806;

FlowMask all_ones() {
  FlowMask mask;
  std::memset(&mask, 0xff, sizeof mask);
  return mask;
}

bool same_key(const FlowKey& a, const FlowKey& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The realistic masks the random rules draw from.
FlowMask in_port_mask() {
  FlowMask m{};
  m.in_port = 0xffffffff;
  return m;
}
FlowMask eth_dst_mask() {
  FlowMask m{};
  m.eth_dst.fill(0xff);
  return m;
}
FlowMask nw_dst24_mask() {
  FlowMask m{};
  m.eth_type = 0xffff;
  m.nw_dst = htonl(0xffffff00);
  return m;
}
FlowMask tp_dst_mask() {
  FlowMask m{};
  m.eth_type = 0xffff;
  m.nw_proto = 0xff;
  m.tp_dst = 0xffff;
  return m;
}

ClassifierRule make_rule(const FlowKey& match, const FlowMask& mask, int32_t priority,
                         uint64_t id) {
  ClassifierRule rule;
  rule.match = match;
  rule.mask = mask;
  rule.priority = priority;
  rule.id = id;
  return rule;
}

FlowKey tcp_packet(uint32_t in_port, uint32_t nw_dst, uint16_t tp_dst) {
  FlowKey key{};
  key.in_port = in_port;
  key.eth_dst = {0x02, 0, 0, 0, 0, 0x02};
  key.eth_src = {0x02, 0, 0, 0, 0, 0x01};
  key.eth_type = htons(kIpv4);
  key.nw_src = htonl(0x0a000001);
  key.nw_dst = htonl(nw_dst);
  key.nw_proto = 6;
  key.nw_ttl = 64;
  key.tp_src = htons(40000);
  key.tp_dst = htons(tp_dst);
  return key;
}

class RandomTraffic {
 public:
  explicit RandomTraffic(uint32_t seed) : rng_(seed) {}

  uint32_t below(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }

  // Every field from a small pool, so rules and packets overlap often.
  FlowKey random_packet() {
    FlowKey key{};
    key.in_port = 1 + below(4);
    key.eth_dst = {0x02, 0, 0, 0, 0, static_cast<uint8_t>(below(4))};
    key.eth_src = {0x02, 0, 0, 0, 1, static_cast<uint8_t>(below(4))};
    key.eth_type = htons(below(4) ? kIpv4 : kArp);
    key.nw_src = htonl(0x0a000000 | below(4));
    key.nw_dst = htonl(0x0a000000 | below(3) << 8 | below(4));
    key.nw_proto = below(2) ? 6 : 17;
    key.nw_ttl = static_cast<uint8_t>(below(2) + 63);
    static constexpr uint16_t kPorts[] = {22, 80, 443};
    key.tp_src = htons(static_cast<uint16_t>(40000 + below(3)));
    key.tp_dst = htons(kPorts[below(3)]);
    return key;
  }

  FlowMask random_mask() {
    switch (below(7)) {
      case 0:
        return in_port_mask();
      case 1:
        return eth_dst_mask();
      case 2:
        return nw_dst24_mask();
      case 3:
        return tp_dst_mask();
      case 4:
        return FlowMask{};
      case 5: {
        FlowMask m = in_port_mask();  // A combination: in_port + eth_dst.
        m.eth_dst.fill(0xff);
        return m;
      }
      default:
        return all_ones();
    }
  }

  // A packet that starts as a rule's match (or a fresh one) and gets noise in a few fields.
  FlowKey packet_near(const std::vector<const ClassifierRule*>& rules) {
    if (rules.empty() || below(4) == 0) return random_packet();
    FlowKey key = rules[below(static_cast<uint32_t>(rules.size()))]->match;
    FlowKey noise = random_packet();
    FlowMask keep{};
    auto* k = reinterpret_cast<uint8_t*>(&keep);
    for (size_t i = 0; i < sizeof keep; ++i) k[i] = below(8) ? 0xff : 0x00;
    blend(&key, noise, keep);
    return key;
  }

  // key = (key & keep) | (other & ~keep).
  static void blend(FlowKey* key, const FlowKey& other, const FlowMask& keep) {
    auto* out = reinterpret_cast<uint8_t*>(key);
    const auto* in = reinterpret_cast<const uint8_t*>(&other);
    const auto* m = reinterpret_cast<const uint8_t*>(&keep);
    for (size_t i = 0; i < sizeof *key; ++i) {
      out[i] = static_cast<uint8_t>((out[i] & m[i]) | (in[i] & ~m[i]));
    }
  }

 private:
  std::mt19937 rng_;
};

}  // namespace vs::testing
