#include "lib/uuid.h"

#include <gtest/gtest.h>

namespace vs {
namespace {

TEST(Uuid, RoundTripsThroughCanonicalText) {
  auto uuid = Uuid::parse("8F1B2C3D-0000-4abc-8def-0123456789ab");
  ASSERT_TRUE(uuid);
  EXPECT_EQ(uuid->to_string(), "8f1b2c3d-0000-4abc-8def-0123456789ab");
}

TEST(Uuid, RejectsMalformedText) {
  EXPECT_FALSE(Uuid::parse(""));
  EXPECT_FALSE(Uuid::parse("8f1b2c3d-0000-4abc-8def-0123456789a"));
  EXPECT_FALSE(Uuid::parse("8f1b2c3d00000-4abc-8def-0123456789ab"));
  EXPECT_FALSE(Uuid::parse("8f1b2c3d-0000-4abc-8def-0123456789ag"));
}

TEST(Uuid, RandomIsVersion4AndDistinct) {
  Uuid a = Uuid::random(), b = Uuid::random();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.to_string()[14], '4');
  EXPECT_FALSE(a.is_zero());
}

}  // namespace
}  // namespace vs
