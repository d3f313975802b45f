// ReadFileOrStdin's input limit (issue 17, item 9): a regular file over it is
// refused from its size, before a byte is read; a pipe is read up to the
// limit and one byte more, then refused.
#include "unspin/base/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace unspin {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("unspin_file_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileTest, ARegularFileOverTheLimitIsRefusedFromItsSize) {
  const fs::path path = dir_ / "big.txt";
  std::ofstream(path) << "";
  // Sparse: the size says 1 GiB and a byte, and nothing is there to read.
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(kMaxTextInputBytes + 1)), 0);
  Result<std::string> read = ReadFileOrStdin(path.string(), kMaxTextInputBytes);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(read.status().message().find(std::to_string(kMaxTextInputBytes + 1) + " bytes"),
            std::string::npos)
      << read.status().ToString();
  EXPECT_NE(read.status().message().find("1024 MiB"), std::string::npos);
}

TEST_F(FileTest, AFileAtTheLimitIsRead) {
  const fs::path path = dir_ / "small.txt";
  std::ofstream(path, std::ios::binary) << "twelve bytes";
  Result<std::string> read = ReadFileOrStdin(path.string(), 12);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "twelve bytes");
  EXPECT_EQ(ReadFileOrStdin(path.string(), 11).status().code(), StatusCode::kResourceExhausted);
}

// A pipe tells no size: it is read until it passes the limit, and the writer
// is left with the rest (it is never read whole).
TEST_F(FileTest, APipeIsReadUpToTheLimitAndOneByteMore) {
  // The writer learns that the reader is gone from EPIPE, not a signal.
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  constexpr uint64_t kLimit = 1000;
  std::thread writer([fd = fds[1]] {
    const std::string chunk(4096, 'x');
    // 4 MiB, more than the pipe holds: the writer blocks once the reader stops.
    for (int i = 0; i < 1024; ++i) {
      if (::write(fd, chunk.data(), chunk.size()) < 0) break;
    }
    ::close(fd);
  });
  Result<std::string> read = ReadFileOrStdin("/dev/fd/" + std::to_string(fds[0]), kLimit);
  ::close(fds[0]);  // the writer's next write fails (EPIPE): it stops
  writer.join();
  std::signal(SIGPIPE, previous);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(read.status().message().find("over the limit of 1000 bytes"), std::string::npos)
      << read.status().ToString();
}

// A device named as the output is written in place and stays a device: a
// file renamed over it replaced it (as root, /dev/full became a regular
// file). Reached through links here, so that a regression replaces a link.
TEST_F(FileTest, AnAtomicWriterWritesADeviceInPlace) {
  struct stat info {};
  if (::stat("/dev/full", &info) != 0 || !S_ISCHR(info.st_mode) ||
      ::stat("/dev/null", &info) != 0 || !S_ISCHR(info.st_mode)) {
    GTEST_SKIP() << "no /dev/full or /dev/null device";
  }
  const fs::path null = dir_ / "null", full = dir_ / "full";
  fs::create_symlink("/dev/null", null);
  fs::create_symlink("/dev/full", full);
  {
    AtomicFileWriter writer;
    ASSERT_TRUE(writer.Open(null.string()).ok());
    ASSERT_TRUE(writer.Append("some bytes").ok());
    Status committed = writer.Commit();
    EXPECT_TRUE(committed.ok()) << committed.ToString();
  }
  EXPECT_TRUE(fs::is_symlink(null));
  EXPECT_FALSE(fs::exists(dir_ / "null.tmp"));

  AtomicFileWriter writer;
  Status written = writer.Open(full.string());
  if (written.ok()) written = writer.Append(std::string(size_t{1} << 16, 'x'));
  if (written.ok()) written = writer.Commit();
  EXPECT_EQ(written.code(), StatusCode::kIOError) << written.ToString();
  EXPECT_NE(written.message().find("No space left on device"), std::string::npos)
      << written.ToString();
  EXPECT_TRUE(fs::is_symlink(full));
  EXPECT_FALSE(fs::exists(dir_ / "full.tmp"));
}

}  // namespace
}  // namespace unspin
