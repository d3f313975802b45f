#include "unspin/base/section_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace unspin {
namespace {

constexpr FileMagic kMagic = {'U', 'N', 'S', 'P', 'T', 'E', 'S', 'T'};

class SectionFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("unspin_section_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "file.bin").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteSample() {
    SectionFileWriter writer(kMagic, 3);
    writer.Add(SectionTag("AAAA"), "hello");
    writer.Add(SectionTag("BBBB"), std::string(1000, 'x'));
    ASSERT_TRUE(writer.Write(path_).ok());
  }

  std::string ReadRaw() {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteRaw(const std::string& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SectionFileTest, RoundTripsAlignedSections) {
  WriteSample();
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  Result<SectionFile> file = SectionFile::Open(path_, kMagic, 3);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(*file->Section(SectionTag("AAAA")), "hello");
  EXPECT_EQ(file->Section(SectionTag("BBBB"))->size(), 1000u);
  for (const SectionInfo& info : file->sections()) EXPECT_EQ(info.offset % 64, 0u);
  EXPECT_EQ(file->Section(SectionTag("CCCC")).status().code(), StatusCode::kNotFound);
}

// Streamed in pieces, the same sections make the same bytes as written whole.
TEST_F(SectionFileTest, StreamWriterMatchesTheWholeFileWriter) {
  WriteSample();
  const std::string whole = ReadRaw();
  SectionStreamWriter stream(kMagic, 3, 2);
  ASSERT_TRUE(stream.Open(path_).ok());
  ASSERT_TRUE(stream.BeginSection(SectionTag("AAAA")).ok());
  ASSERT_TRUE(stream.Append("hel").ok());
  ASSERT_TRUE(stream.Append("lo").ok());
  EXPECT_EQ(stream.section_size(), 5u);
  stream.StartWriteback();
  ASSERT_TRUE(stream.BeginSection(SectionTag("BBBB")).ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(stream.Append(std::string(100, 'x')).ok());
  EXPECT_TRUE(std::filesystem::exists(path_ + ".tmp"));
  ASSERT_TRUE(stream.Commit().ok());
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  EXPECT_EQ(ReadRaw(), whole);
}

TEST_F(SectionFileTest, AnUncommittedStreamLeavesNoFile) {
  {
    SectionStreamWriter stream(kMagic, 3, 1);
    ASSERT_TRUE(stream.Open(path_).ok());
    ASSERT_TRUE(stream.AddSection(SectionTag("AAAA"), "partial").ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(SectionFileTest, RejectsWrongMagicAndVersion) {
  WriteSample();
  FileMagic other = kMagic;
  other[7] = 'X';
  EXPECT_EQ(SectionFile::Open(path_, other, 3).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(SectionFile::Open(path_, kMagic, 4).status().code(), StatusCode::kVersionMismatch);
}

TEST_F(SectionFileTest, EveryTruncationIsCorruption) {
  WriteSample();
  std::string bytes = ReadRaw();
  for (size_t size = 0; size < bytes.size(); size += 7) {
    WriteRaw(bytes.substr(0, size));
    Result<SectionFile> file = SectionFile::Open(path_, kMagic, 3);
    ASSERT_FALSE(file.ok()) << "size " << size;
    EXPECT_EQ(file.status().code(), StatusCode::kCorruption) << file.status().ToString();
  }
}

TEST_F(SectionFileTest, EveryFlippedByteIsDetected) {
  WriteSample();
  std::string bytes = ReadRaw();
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    std::string damaged = bytes;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x10);
    WriteRaw(damaged);
    Result<SectionFile> file = SectionFile::Open(path_, kMagic, 3);
    // Padding bytes between sections carry no data; everything else must fail.
    if (file.ok()) {
      EXPECT_EQ(*file->Section(SectionTag("AAAA")), "hello") << pos;
      EXPECT_EQ(*file->Section(SectionTag("BBBB")), std::string(1000, 'x')) << pos;
    }
  }
}

TEST_F(SectionFileTest, ByteSourceReportsShortReads) {
  ByteSink sink;
  sink.Put(uint32_t{7});
  sink.Put(uint64_t{9});
  std::string bytes = sink.Take();
  ByteSource source(bytes, "test section");
  uint32_t a = 0;
  uint64_t b = 0;
  ASSERT_TRUE(source.Get(&a).ok());
  Status status = source.Get(&b);
  // 4 bytes of the u64 remain after the u32 at offset 0... and alignment is the caller's job.
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(b, 9u);
  EXPECT_EQ(source.Get(&a).code(), StatusCode::kCorruption);
}

TEST_F(SectionFileTest, UncommittedWriterLeavesOldFileIntact) {
  WriteSample();
  {
    AtomicFileWriter writer;
    ASSERT_TRUE(writer.Open(path_).ok());
    ASSERT_TRUE(writer.Append("partial").ok());
  }  // destroyed without Commit, as when a build is interrupted
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  EXPECT_TRUE(SectionFile::Open(path_, kMagic, 3).ok());
}

}  // namespace
}  // namespace unspin
