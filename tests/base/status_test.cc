#include "unspin/base/status.h"

#include <gtest/gtest.h>

#include "unspin/base/crc32c.h"

namespace unspin {
namespace {

Result<int> Half(int value) {
  if (value % 2 != 0) return InvalidArgumentError(std::to_string(value) + " is odd");
  return value / 2;
}

Result<int> Quarter(int value) {
  UNSPIN_ASSIGN_OR_RETURN(int half, Half(value));
  return Half(half);
}

Status CheckEven(int value) {
  UNSPIN_RETURN_IF_ERROR(Half(value).status());
  return Status::Ok();
}

TEST(StatusTest, OkAndErrorCarryCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  Status error = CorruptionError("model.bin: bad CRC");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.code(), StatusCode::kCorruption);
  EXPECT_EQ(error.ToString(), "corruption: model.bin: bad CRC");
  EXPECT_EQ(error.WithContext("loading").message(), "loading: model.bin: bad CRC");
}

TEST(StatusTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(Crc32cTest, MatchesKnownVectors) {
  // RFC 3720 test vector and the common "123456789" check value.
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(""), 0u);
  // Extending in pieces equals one pass.
  std::string text = "the quick brown fox jumps over the lazy dog";
  uint32_t split =
      Crc32cExtend(Crc32cExtend(0, text.data(), 10), text.data() + 10, text.size() - 10);
  EXPECT_EQ(split, Crc32c(text));
}

}  // namespace
}  // namespace unspin
