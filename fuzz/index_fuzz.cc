// libFuzzer target for source::Index::Open: the input becomes the sections of
// one index segment (META, DOCS, STRS, PKEY, PDOC, BUCK, CLSS, IDHS, WOFF as docs/formats/index.md
// specifies them), wrapped with valid checksums and named by a valid MANIFEST,
// so that the structural checks are what is exercised. When Open accepts the
// index, every document is read and Candidates runs for keys from the input.
//
// Input: byte 0 selects the mode.
//   Even: DOCS, STRS, PKEY, PDOC, CLSS, IDHS, WOFF each preceded by a u16 length (cut short at
//   the end of the input), BUCK built from what is left (repeated to its size).
//   Odd: the rest edits a small valid segment written here from the format
//   spec: bit 1 truncates section data[1] % 9 to the length in data[2..3],
//   then each group of 5 bytes (u8 section, u24 offset, u8 mask) XORs one byte.
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "unspin/base/crc32c.h"
#include "unspin/base/section_file.h"
#include "unspin/source/index.h"

namespace {

using unspin::SectionTag;
using unspin::fuzz::Require;
using unspin::fuzz::TempPath;

constexpr uint64_t kFingerprint = 0x0123456789abcdefULL;
constexpr uint32_t kBuckets = 65536;
constexpr size_t kSections = 9;
constexpr std::array<uint32_t, kSections> kTags = {
    SectionTag("META"), SectionTag("DOCS"), SectionTag("STRS"),
    SectionTag("PKEY"), SectionTag("PDOC"), SectionTag("BUCK"),
    SectionTag("CLSS"), SectionTag("IDHS"), SectionTag("WOFF")};
constexpr size_t kBucketSection = 5;

struct DocRecord {
  uint64_t offset;
  uint32_t id_bytes, text_bytes, metadata_bytes, keys;
  uint64_t codes_offset;
  uint32_t words, crc;
};
struct IdEntry {
  uint64_t hash;
  uint32_t doc, reserved;
};
struct Posting {
  uint32_t key, doc;
};

std::string Meta() {
  return R"({"class_fingerprint":"0123456789abcdef","sample_modulus":4,"documents":2,"postings":3})";
}

template <typename T>
std::string Bytes(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// A valid two-document segment, laid out as the format document says.
std::array<std::string, kSections> SeedSections() {
  const std::vector<std::string> ids = {"a", "b"};
  const std::vector<std::string> texts = {"harbor bridge", "council vote"};
  std::string strings;
  std::vector<DocRecord> docs;
  std::vector<uint32_t> codes;
  std::vector<IdEntry> id_entries;
  for (uint32_t d = 0; d < ids.size(); ++d) {
    const std::string bytes = ids[d] + texts[d] + "{}";
    const std::vector<uint32_t> doc_codes = {0x80000010u + d, 0xC0000001u};
    docs.push_back(
        {strings.size(), 1, static_cast<uint32_t>(texts[d].size()), 2, 1, codes.size(), 2, 0});
    docs.back().crc = unspin::Crc32cExtend(unspin::Crc32c(bytes), doc_codes.data(),
                                           doc_codes.size() * sizeof(uint32_t));
    strings += bytes;
    codes.insert(codes.end(), doc_codes.begin(), doc_codes.end());
    id_entries.push_back({XXH3_64bits(ids[d].data(), ids[d].size()), d, 0});
  }
  std::sort(id_entries.begin(), id_entries.end(),
            [](const IdEntry& x, const IdEntry& y) { return x.hash < y.hash; });
  std::vector<Posting> postings = {{0x00010005u, 0}, {0x00010005u, 1}, {0xfffe0001u, 0}};
  std::vector<uint32_t> buckets(kBuckets + 1, 0);
  for (const Posting& posting : postings) ++buckets[(posting.key >> 16) + 1];
  for (uint32_t b = 0; b < kBuckets; ++b) buckets[b + 1] += buckets[b];
  // PKEY: the low 16 bits of each key; PDOC: each document in 2 bytes (the
  // segment has at most 65,536 documents).
  std::vector<uint16_t> posting_keys;
  std::vector<uint16_t> posting_docs;
  for (const Posting& posting : postings) {
    posting_keys.push_back(static_cast<uint16_t>(posting.key));
    posting_docs.push_back(static_cast<uint16_t>(posting.doc));
  }
  // One word offset per 64 codes: code 0 is the first word of document "a".
  const std::vector<uint32_t> word_offsets = {0};
  return {Meta(),         Bytes(docs),  strings,           Bytes(posting_keys), Bytes(posting_docs),
          Bytes(buckets), Bytes(codes), Bytes(id_entries), Bytes(word_offsets)};
}

void WriteIndex(const std::string& dir, const std::array<std::string, kSections>& sections) {
  std::filesystem::create_directories(dir);
  unspin::SectionFileWriter segment(unspin::source::kIndexMagic, unspin::source::kIndexVersion);
  for (size_t i = 0; i < sections.size(); ++i) segment.Add(kTags[i], sections[i]);
  Require(segment.Write(dir + "/seg-000001.usx").ok());
  unspin::SectionFileWriter manifest(unspin::source::kIndexMagic, unspin::source::kIndexVersion);
  manifest.Add(
      SectionTag("MANI"),
      R"({"class_fingerprint":"0123456789abcdef","sample_modulus":4,"segments":["seg-000001.usx"]})");
  Require(manifest.Write(dir + "/MANIFEST").ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::array<std::string, kSections> sections;
  if ((data[0] & 1) == 0) {
    size_t pos = 1;
    sections[0] = Meta();
    for (size_t s : {size_t{1}, size_t{2}, size_t{3}, size_t{4}, size_t{6}, size_t{7}, size_t{8}}) {
      size_t length = pos + 2 <= size ? (data[pos] | size_t{data[pos + 1]} << 8) : 0;
      pos = std::min(size, pos + 2);
      length = std::min(length, size - pos);
      sections[s].assign(reinterpret_cast<const char*>(data + pos), length);
      pos += length;
    }
    sections[kBucketSection].resize((kBuckets + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < sections[kBucketSection].size() && pos < size; ++i) {
      sections[kBucketSection][i] = static_cast<char>(data[pos + i % (size - pos)]);
    }
  } else {
    sections = SeedSections();
    size_t pos = 1;
    if ((data[0] & 2) != 0 && size >= 4) {
      std::string& victim = sections[data[1] % kSections];
      victim.resize((data[2] | size_t{data[3]} << 8) % (victim.size() + 1));
      pos = 4;
    }
    for (; pos + 5 <= size; pos += 5) {
      std::string& victim = sections[data[pos] % kSections];
      if (victim.empty()) continue;
      size_t offset = data[pos + 1] | size_t{data[pos + 2]} << 8 | size_t{data[pos + 3]} << 16;
      victim[offset % victim.size()] ^= static_cast<char>(data[pos + 4]);
    }
  }
  const std::string dir = TempPath("index_fuzz");
  WriteIndex(dir, sections);
  auto index = unspin::source::Index::Open(dir, kFingerprint);
  // The unedited seed is a valid index: the harness writes the format right.
  if (size == 1 && (data[0] & 1) != 0) Require(index.ok() && (*index)->Verify().ok());
  if (index.ok()) {
    size_t total = 0;
    const unspin::Status visited = (*index)->ForEachDocument(
        [&](unspin::source::DocumentRef ref, const unspin::source::StoredDocument& doc) {
          total += doc.id.size() + doc.text.size() + doc.metadata.size();
          for (uint32_t code : doc.codes) total += code & 1;
          for (uint32_t offset : doc.word_offsets) total += offset & 1;
          Require((*index)->Document(ref).id == doc.id);
        });
    std::vector<uint64_t> keys;
    for (size_t i = 0; i + 8 <= size && keys.size() < 16; i += 8) {
      uint64_t key;
      std::memcpy(&key, data + i, 8);
      keys.push_back(key);
    }
    keys.push_back(uint64_t{0x00010005u} << 32);
    for (const auto& candidate : (*index)->Candidates(keys, 4)) {
      Require(candidate.shared > 0);
      (void)(*index)->Document(candidate.document);
    }
    (void)(*index)->Info();
    (void)visited;
    (void)(*index)->Verify();
    (void)(*index)->FindId("a");
    (void)total;
  }
  std::filesystem::remove_all(dir);
  return 0;
}
