// The on-disk source index: round trips, append and replace, atomic publish,
// bounded segments and merging, and every kind of damaged file.
#include "unspin/source/index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "test_corpus.h"

namespace unspin::source {
namespace {

namespace fs = std::filesystem;
using testing::DefaultClasses;
using testing::Documents;

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("unspin_index_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Builds (or appends to) the index with the given documents.
  void Write(const std::vector<testing::Document>& documents, WriterOptions options = {}) {
    auto writer = IndexWriter::Create(dir_, DefaultClasses(), options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (const auto& document : documents) {
      ASSERT_TRUE((*writer)->Add({document.id, document.text, "{\"n\":1}"}).ok());
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }

  std::unique_ptr<Index> Open() {
    auto index = Index::Open(dir_, DefaultClasses().fingerprint());
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? std::move(*index) : nullptr;
  }

  std::set<std::string> Ids(const Index& index) {
    std::set<std::string> ids;
    EXPECT_TRUE(index
                    .ForEachDocument([&](DocumentRef, const StoredDocument& document) {
                      ids.emplace(document.id);
                    })
                    .ok());
    return ids;
  }

  std::set<std::string> Files() {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.insert(entry.path().filename().string());
    return names;
  }

  fs::path dir_;
};

TEST_F(IndexTest, StoresDocumentsAndFindsThemByShingles) {
  const auto documents = Documents(30);
  Write(documents);
  auto index = Open();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->document_count(), 30u);
  const IndexInfo info = index->Info();
  EXPECT_EQ(info.documents, 30u);
  EXPECT_EQ(info.segments, 1u);
  EXPECT_GT(info.postings, 1000u);
  EXPECT_GT(info.file_bytes, info.text_bytes + info.class_bytes + info.signature_bytes);
  EXPECT_GT(info.class_bytes, info.text_bytes / 10);  // 4 bytes per word
  // Every document comes back byte for byte, and is its own best candidate.
  std::map<std::string, std::string> texts;
  Status visited = index->ForEachDocument([&](DocumentRef ref, const StoredDocument& document) {
    EXPECT_EQ(index->FindId(document.id), std::optional<DocumentRef>(ref));
    texts[std::string(document.id)] = std::string(document.text);
    EXPECT_EQ(document.metadata, "{\"n\":1}");
    std::vector<uint64_t> keys;
    SampledShingles(DefaultClasses().Classify(document.text), index->sample_modulus(), &keys);
    std::vector<Candidate> candidates = index->Candidates(keys, 3);
    ASSERT_FALSE(candidates.empty());
    EXPECT_EQ(candidates[0].document, ref) << document.id;
  });
  EXPECT_TRUE(visited.ok()) << visited.ToString();
  EXPECT_TRUE(index->Verify().ok());
  EXPECT_FALSE(index->FindId("no-such-document").has_value());
  for (const auto& document : documents) EXPECT_EQ(texts[document.id], document.text);
}

TEST_F(IndexTest, AppendAddsAndRefusesDuplicateIds) {
  const auto documents = Documents(20);
  Write({documents.begin(), documents.begin() + 10});
  WriterOptions append;
  append.mode = WriterOptions::Mode::kAppend;
  auto writer = IndexWriter::Create(dir_, DefaultClasses(), append);
  ASSERT_TRUE(writer.ok());
  Status duplicate = (*writer)->Add({documents[3].id, "some other text", "{}"});
  EXPECT_EQ(duplicate.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(duplicate.message().find(documents[3].id), std::string::npos);
  for (size_t i = 10; i < 20; ++i)
    ASSERT_TRUE((*writer)->Add({documents[i].id, documents[i].text, ""}).ok());
  EXPECT_EQ((*writer)->Add({documents[15].id, "again", ""}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->Add({"", "no id", ""}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->Add({"blank", " \n\t ", ""}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->Add({"bad-utf8", std::string("caf\xC3", 4), ""}).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->Commit().ok());
  auto index = Open();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->document_count(), 20u);
  EXPECT_EQ(index->Info().segments, 2u);
  std::set<std::string> expected;
  for (const auto& document : documents) expected.insert(document.id);
  EXPECT_EQ(Ids(*index), expected);
}

TEST_F(IndexTest, ReplaceDropsTheOldIndexAndItsFiles) {
  const auto documents = Documents(12);
  Write({documents.begin(), documents.begin() + 6});
  const std::set<std::string> old_files = Files();
  Write({documents.begin() + 6, documents.end()});
  auto index = Open();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->document_count(), 6u);
  EXPECT_EQ(Ids(*index).count(documents[0].id), 0u);
  for (const std::string& name : old_files) {
    if (name.starts_with("seg-")) {
      EXPECT_FALSE(fs::exists(dir_ / name)) << name << " left behind";
    }
  }
}

TEST_F(IndexTest, AnUncommittedWriterLeavesThePreviousIndexIntact) {
  const auto documents = Documents(8);
  Write({documents.begin(), documents.begin() + 4});
  const std::set<std::string> before = Files();
  {
    WriterOptions options;
    options.memory_budget = 1;  // a segment per document: files are written before Commit
    auto writer = IndexWriter::Create(dir_, DefaultClasses(), options);
    ASSERT_TRUE(writer.ok());
    for (size_t i = 4; i < 8; ++i)
      ASSERT_TRUE((*writer)->Add({documents[i].id, documents[i].text, ""}).ok());
    EXPECT_GT(Files().size(), before.size());
  }  // destroyed without Commit, as when a build is interrupted
  EXPECT_EQ(Files(), before);
  auto index = Open();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->document_count(), 4u);
}

TEST_F(IndexTest, LeftoversOfAKilledWriterAreIgnoredThenRemoved) {
  const auto documents = Documents(6);
  Write({documents.begin(), documents.begin() + 3});
  // What a killed process leaves: a segment nobody published, a manifest draft.
  std::ofstream(dir_ / "seg-000777.usx") << "half a segment";
  std::ofstream(dir_ / "MANIFEST.tmp") << "half a manifest";
  auto index = Open();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->document_count(), 3u);
  WriterOptions append;
  append.mode = WriterOptions::Mode::kAppend;
  Write({documents.begin() + 3, documents.end()}, append);
  EXPECT_FALSE(fs::exists(dir_ / "seg-000777.usx"));
  EXPECT_EQ(Open()->document_count(), 6u);
}

TEST_F(IndexTest, SmallBudgetsMakeSegmentsThatMerge) {
  const auto documents = Documents(12);
  WriterOptions options;
  options.memory_budget = 1;
  options.max_segments = 100;
  Write(documents, options);
  EXPECT_EQ(Open()->Info().segments, 12u);
  // Appending past max_segments merges everything back into few segments.
  WriterOptions append;
  append.mode = WriterOptions::Mode::kAppend;
  append.max_segments = 4;
  Write(Documents(2, 12), append);
  auto index = Open();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->Info().segments, 1u);
  EXPECT_EQ(index->document_count(), 14u);
  EXPECT_EQ(Files().size(), 3u);  // MANIFEST, LOCK and the merged segment
}

TEST_F(IndexTest, OneWriterAtATime) {
  auto first = IndexWriter::Create(dir_, DefaultClasses(), {});
  ASSERT_TRUE(first.ok());
  auto second = IndexWriter::Create(dir_, DefaultClasses(), {});
  EXPECT_EQ(second.status().code(), StatusCode::kIOError);
  EXPECT_NE(second.status().message().find("another process"), std::string::npos);
  first->reset();
  EXPECT_TRUE(IndexWriter::Create(dir_, DefaultClasses(), {}).ok());
}

TEST_F(IndexTest, MissingIndexIsNotFound) {
  auto index = Index::Open(dir_, DefaultClasses().fingerprint());
  EXPECT_EQ(index.status().code(), StatusCode::kNotFound);
}

TEST_F(IndexTest, AnotherModelIsAVersionMismatch) {
  Write(Documents(2));
  auto index = Index::Open(dir_, DefaultClasses().fingerprint() ^ 1);
  EXPECT_EQ(index.status().code(), StatusCode::kVersionMismatch);
  EXPECT_NE(index.status().message().find("another model"), std::string::npos);
}

// An index written by an unspin of another index format (here: the MANIFEST
// of version 3, before postings were packed) is refused, saying what to do.
TEST_F(IndexTest, AnIndexOfAnotherFormatIsRefusedWithAClearMessage) {
  Write(Documents(2));
  const std::string manifest = (dir_ / "MANIFEST").string();
  std::string contents;
  {
    auto file = SectionFile::Open(manifest, kIndexMagic, kIndexVersion);
    ASSERT_TRUE(file.ok());
    auto section = file->Section(SectionTag("MANI"));
    ASSERT_TRUE(section.ok());
    contents = std::string(*section);
  }
  SectionFileWriter older(kIndexMagic, kIndexVersion - 1);
  older.Add(SectionTag("MANI"), contents);
  ASSERT_TRUE(older.Write(manifest).ok());
  auto index = Index::Open(dir_, DefaultClasses().fingerprint());
  EXPECT_EQ(index.status().code(), StatusCode::kVersionMismatch);
  EXPECT_NE(index.status().message().find("unspin index build"), std::string::npos)
      << index.status().message();
}

// Postings store each document in as few bytes as the segment needs: two up
// to 65,536 documents, three above. Both widths find every document by its
// shingles and pass verification.
TEST_F(IndexTest, PostingsOfLargeSegmentsRoundTrip) {
  constexpr uint32_t kDocuments = 65536 + 40;
  auto text = [](uint32_t k) {
    return "harbor " + std::to_string(k) + " bridge " + std::to_string(k * 7 + 3) + " council";
  };
  {
    auto writer = IndexWriter::Create(dir_, DefaultClasses(), {});
    ASSERT_TRUE(writer.ok());
    for (uint32_t k = 0; k < kDocuments; ++k) {
      ASSERT_TRUE((*writer)->Add({"doc-" + std::to_string(k), text(k), "{}"}).ok());
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  auto index = Open();
  ASSERT_NE(index, nullptr);
  ASSERT_EQ(index->Info().segments, 1u);
  EXPECT_TRUE(index->Verify().ok());
  for (uint32_t k : {0u, 1u, 65535u, 65536u, kDocuments - 1}) {
    std::vector<uint64_t> keys;
    SampledShingles(DefaultClasses().Classify(text(k)), index->sample_modulus(), &keys);
    const std::vector<Candidate> candidates = index->Candidates(keys, 1);
    ASSERT_EQ(candidates.size(), 1u) << k;
    EXPECT_EQ(index->Document(candidates[0].document).id, "doc-" + std::to_string(k));
    EXPECT_EQ(candidates[0].shared, keys.size()) << k;
  }
}

// Every kWordOffsetStride-th word of the stored codes has its byte offset
// recorded, counted across documents (docs/formats/index.md).
TEST_F(IndexTest, WordOffsetsPointAtTheirWords) {
  Write(Documents(6));
  std::unique_ptr<Index> index = Open();
  ASSERT_NE(index, nullptr);
  uint64_t words_before = 0;
  ASSERT_TRUE(index
                  ->ForEachDocument([&](DocumentRef, const StoredDocument& document) {
                    const ClassedText classed = DefaultClasses().Classify(document.text);
                    ASSERT_EQ(classed.words.size(), document.codes.size());
                    EXPECT_EQ((words_before + document.first_offset_word) % kWordOffsetStride, 0u);
                    size_t expected = 0;
                    for (size_t w = document.first_offset_word; w < classed.words.size();
                         w += kWordOffsetStride) {
                      ASSERT_LT(expected, document.word_offsets.size());
                      EXPECT_EQ(document.word_offsets[expected], classed.words[w].begin);
                      ++expected;
                    }
                    EXPECT_EQ(document.word_offsets.size(), expected);
                    words_before += document.codes.size();
                  })
                  .ok());
  EXPECT_GT(words_before, 10 * kWordOffsetStride);
}

TEST_F(IndexTest, DamagedFilesAreCorruption) {
  Write(Documents(5));
  std::string segment;
  for (const std::string& name : Files()) {
    if (name != "MANIFEST") segment = name;
  }
  ASSERT_FALSE(segment.empty());
  for (const std::string& victim : {segment, std::string("MANIFEST")}) {
    const fs::path path = dir_ / victim;
    std::string bytes;
    {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    for (size_t offset : {size_t{3}, size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
      std::string flipped = bytes;
      flipped[offset] = static_cast<char>(flipped[offset] ^ 0x20);
      std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
      // Open checks structure and the small sections; Verify reads the rest.
      auto index = Index::Open(dir_, DefaultClasses().fingerprint());
      const Status status = index.ok() ? (*index)->Verify() : index.status();
      EXPECT_FALSE(status.ok()) << victim << " flipped at " << offset;
      EXPECT_TRUE(status.code() == StatusCode::kCorruption ||
                  status.code() == StatusCode::kVersionMismatch)
          << status.ToString();
    }
    for (size_t length : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, length);
      auto index = Index::Open(dir_, DefaultClasses().fingerprint());
      const Status status = index.ok() ? (*index)->Verify() : index.status();
      EXPECT_EQ(status.code(), StatusCode::kCorruption) << victim << " cut to " << length;
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    EXPECT_NE(Open(), nullptr);
  }
}

}  // namespace
}  // namespace unspin::source
