// GRE Interface options as OVS reads them: defaults, every option, overrides, and errors that
// name the option.
#include "tunnels/gre_config.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace vs::tunnels {
namespace {

using Options = std::map<std::string, std::string>;
using vs::testing::error_of;
using vs::testing::ok;

TEST(GreConfig, RemoteIpAloneGivesOvsDefaults) {
  const GreConfig config = ok(parse_gre_options({{"remote_ip", "198.18.0.2"}}));
  EXPECT_EQ(config.remote_ip, 0xc6120002u);
  EXPECT_EQ(config.local_ip, std::nullopt);  // the route chooses
  EXPECT_EQ(config.in_key, GreKey{});        // no key (or key 0)
  EXPECT_EQ(config.out_key, GreKey{});
  EXPECT_EQ(config.ttl, 64);
  EXPECT_EQ(config.tos, 0);
  EXPECT_FALSE(config.csum);
}

TEST(GreConfig, EveryOptionIsRead) {
  const GreConfig config = ok(parse_gre_options({{"remote_ip", "198.18.0.2"},
                                                 {"local_ip", "198.18.0.1"},
                                                 {"key", "100"},
                                                 {"ttl", "9"},
                                                 {"tos", "inherit"},
                                                 {"csum", "true"}}));
  EXPECT_EQ(config.local_ip, 0xc6120001u);
  EXPECT_EQ(config.in_key, (GreKey{false, 100}));
  EXPECT_EQ(config.out_key, (GreKey{false, 100}));
  EXPECT_EQ(config.ttl, 9);
  EXPECT_EQ(config.tos, std::nullopt);
  EXPECT_TRUE(config.csum);
}

TEST(GreConfig, InAndOutKeysOverrideKeyAndFlowIsAllowedEverywhere) {
  const GreConfig config = ok(parse_gre_options(
      {{"remote_ip", "flow"}, {"key", "0x10"}, {"out_key", "flow"}, {"ttl", "inherit"}}));
  EXPECT_EQ(config.remote_ip, std::nullopt);
  EXPECT_EQ(config.in_key, (GreKey{false, 16}));
  EXPECT_EQ(config.out_key, (GreKey{true, 0}));
  EXPECT_EQ(config.ttl, std::nullopt);
  const GreConfig in = ok(parse_gre_options({{"remote_ip", "198.18.0.2"}, {"in_key", "7"}}));
  EXPECT_EQ(in.in_key, (GreKey{false, 7}));
  EXPECT_EQ(in.out_key, GreKey{});
}

TEST(GreConfig, BadOptionsAreErrorsThatNameThem) {
  const struct {
    Options options;
    const char* message;
  } cases[] = {
      {{}, "needs options:remote_ip"},
      {{{"key", "5"}}, "needs options:remote_ip"},
      {{{"remote_ip", "198.18.0.300"}}, "remote_ip=198.18.0.300: not an IPv4 address"},
      {{{"remote_ip", "2001:db8::1"}}, "IPv6 tunnels are not supported"},
      {{{"remote_ip", "198.18.0.2"}, {"local_ip", "x"}}, "local_ip=x: not an IPv4 address"},
      {{{"remote_ip", "198.18.0.2"}, {"key", "4294967296"}}, "key=4294967296: not a 32-bit"},
      {{{"remote_ip", "198.18.0.2"}, {"in_key", "-1"}}, "in_key=-1: not a 32-bit"},
      {{{"remote_ip", "198.18.0.2"}, {"out_key", ""}}, "out_key=: not a 32-bit"},
      {{{"remote_ip", "198.18.0.2"}, {"ttl", "0"}}, "ttl=0: not a number from 1 to 255"},
      {{{"remote_ip", "198.18.0.2"}, {"ttl", "256"}}, "ttl=256: not a number from 1 to 255"},
      {{{"remote_ip", "198.18.0.2"}, {"tos", "0x100"}}, "tos=0x100: not a number from 0 to 255"},
      {{{"remote_ip", "198.18.0.2"}, {"csum", "yes"}}, "csum=yes"},
      {{{"remote_ip", "198.18.0.2"}, {"dst_port", "4789"}}, "unknown GRE option dst_port"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(parse_gre_options(c.options));
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace vs::tunnels
