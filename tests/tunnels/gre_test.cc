// GRE headers against golden bytes (checksums computed once by a separate script and frozen
// here), every truncation length, malformed headers by reason, and the template's reuse
// without a per-packet allocation.
#include "tunnels/gre.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "tests/support/hex.h"

// Counts allocations while enabled, to show that push() makes none. The replacements pair
// malloc with free; GCC 12 cannot see that once they are inlined into library code.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<bool> counting{false};
std::atomic<size_t> allocations{0};
}  // namespace

void* operator new(size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace vs::tunnels {
namespace {

using Bytes = std::vector<uint8_t>;
using vs::testing::from_hex;

// The Ethernet frame every golden packet carries.
const std::string kFrame =
    "020000000002020000000001"
    "88b5"
    "0102030405060708090a";

struct Golden {
  const char* name;
  GreSendOptions options;
  uint32_t sequence;
  std::string header;  // hex
};

const Golden kGolden[] = {
    {"plain", {}, 0, "00006558"},
    {"key",
     {100, false, false},
     0,
     "20006558"
     "00000064"},
    {"checksum",
     {std::nullopt, true, false},
     0,
     "80006558"
     "74d00000"},
    {"sequence",
     {std::nullopt, false, true},
     7,
     "10006558"
     "00000007"},
    {"checksum_key_sequence",
     {100, true, true},
     7,
     "b0006558"
     "44650000"
     "00000064"
     "00000007"},
};

class GreTest : public ::testing::Test {
 protected:
  Packet packet_with(const Bytes& bytes) {
    Packet packet = pool_.allocate();
    EXPECT_TRUE(packet);
    std::copy(bytes.begin(), bytes.end(), packet.data());
    packet.set_size(bytes.size());
    return packet;
  }
  static Bytes bytes_of(const Packet& packet) {
    return {packet.frame().begin(), packet.frame().end()};
  }
  PacketPool pool_{8};
};

TEST_F(GreTest, PushWritesTheGoldenHeaderInFrontOfTheFrame) {
  for (const Golden& golden : kGolden) {
    SCOPED_TRACE(golden.name);
    const GreHeaderTemplate header(golden.options);
    EXPECT_EQ(header.size(), golden.header.size() / 2);
    Packet packet = packet_with(from_hex(kFrame));
    ASSERT_TRUE(header.push(packet, golden.sequence));
    EXPECT_EQ(bytes_of(packet), from_hex(golden.header + kFrame));
  }
}

TEST_F(GreTest, AFlowChosenKeyReplacesTheTemplatesKey) {
  const GreHeaderTemplate header({100, true, true});
  Packet packet = packet_with(from_hex(kFrame));
  ASSERT_TRUE(header.push(packet, 7, 0x12345678));
  GreReceived received;
  ASSERT_FALSE(parse_gre(packet.frame(), &received));
  EXPECT_EQ(received.key, 0x12345678u);
  EXPECT_EQ(received.sequence, 7u);
  EXPECT_TRUE(received.checksum);  // computed after the key was written
}

TEST_F(GreTest, ParseReadsTheGoldenHeaders) {
  for (const Golden& golden : kGolden) {
    SCOPED_TRACE(golden.name);
    const Bytes packet = from_hex(golden.header + kFrame);
    GreReceived received;
    ASSERT_FALSE(parse_gre(packet, &received));
    EXPECT_EQ(received.header_len, golden.header.size() / 2);
    EXPECT_EQ(received.key, golden.options.key);
    EXPECT_EQ(received.sequence,
              golden.options.sequence ? std::optional<uint32_t>(golden.sequence) : std::nullopt);
    EXPECT_EQ(received.checksum, golden.options.checksum);
  }
}

TEST_F(GreTest, EveryTruncationOfAHeaderIsGreTruncated) {
  for (const Golden& golden : kGolden) {
    const Bytes header = from_hex(golden.header);
    for (size_t n = 0; n < header.size(); ++n) {
      SCOPED_TRACE(std::string(golden.name) + " cut to " + std::to_string(n));
      // Exactly n bytes on the heap, so that a read past them is caught by ASan.
      std::unique_ptr<uint8_t[]> cut(new uint8_t[n == 0 ? 1 : n]);
      std::copy_n(header.begin(), n, cut.get());
      GreReceived received;
      EXPECT_EQ(parse_gre({cut.get(), n}, &received), DropReason::kGreTruncated);
    }
  }
}

TEST_F(GreTest, MalformedHeadersAreDroppedByReason) {
  const struct {
    const char* header;
    DropReason reason;
  } cases[] = {
      {"00016558", DropReason::kGreBadVersion},   // version 1 (PPTP's enhanced GRE)
      {"40006558", DropReason::kGreBadFlags},     // routing present (RFC 1701)
      {"08006558", DropReason::kGreBadFlags},     // strict source route
      {"01006558", DropReason::kGreBadFlags},     // recursion control
      {"00086558", DropReason::kGreBadFlags},     // a flag bit RFC 2784 reserves
      {"00000800", DropReason::kGreBadProtocol},  // IPv4 over GRE
      {"000088be", DropReason::kGreBadProtocol},  // ERSPAN
      {"80006558"
       "74d10000",
       DropReason::kGreBadChecksum},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    const Bytes packet = from_hex(std::string(c.header) + kFrame);
    GreReceived received;
    EXPECT_EQ(parse_gre(packet, &received), c.reason);
  }
  // A payload byte changed in transit fails the checksum too.
  Bytes damaged = from_hex(std::string("80006558"
                                       "74d00000") +
                           kFrame);
  damaged.back() ^= 0x01;
  GreReceived received;
  EXPECT_EQ(parse_gre(damaged, &received), DropReason::kGreBadChecksum);
}

TEST_F(GreTest, ChecksumsOfOddLengthPacketsVerify) {
  const GreHeaderTemplate header({std::nullopt, true, false});
  Packet packet = packet_with(from_hex(kFrame + "ff"));
  ASSERT_TRUE(header.push(packet, 0));
  GreReceived received;
  EXPECT_FALSE(parse_gre(packet.frame(), &received));
}

TEST_F(GreTest, PushFailsWithoutHeadroomAndLeavesThePacketAlone) {
  const GreHeaderTemplate header({100, true, true});
  Packet packet = packet_with(from_hex(kFrame));
  ASSERT_NE(packet.push_front(packet.headroom() - 8), nullptr);  // leave 8 of the 16 needed
  const Bytes before = bytes_of(packet);
  EXPECT_FALSE(header.push(packet, 1));
  EXPECT_EQ(bytes_of(packet), before);
}

TEST_F(GreTest, TheTemplateIsReusedWithoutAllocatingPerPacket) {
  const GreHeaderTemplate header({100, true, true});
  std::vector<Packet> packets;
  for (int i = 0; i < 4; ++i) packets.push_back(packet_with(from_hex(kFrame)));
  allocations = 0;
  counting = true;
  uint32_t sequence = 0;
  for (int round = 0; round < 1000; ++round) {
    for (Packet& packet : packets) {
      header.push(packet, ++sequence);
      packet.pull_front(header.size());
    }
  }
  counting = false;
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(header.bytes().size(), 16u);  // the template itself is unchanged
  EXPECT_EQ(Bytes(header.bytes().begin(), header.bytes().end()), from_hex("b0006558"
                                                                          "00000000"
                                                                          "00000064"
                                                                          "00000000"));
}

}  // namespace
}  // namespace vs::tunnels
