#include "unspin/source/index.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "unspin/base/crc32c.h"
#include "unspin/base/file.h"
#include "unspin/base/json_depth.h"
#include "unspin/text/utf8.h"

namespace unspin::source {
namespace {

constexpr char kManifestName[] = "MANIFEST";
// Held (flock) by the one writer a directory may have at a time.
constexpr char kLockName[] = "LOCK";
constexpr uint32_t kBucketBits = 16;
constexpr uint32_t kBucketCount = uint32_t{1} << kBucketBits;

// Sections of a segment file (docs/formats/index.md).
constexpr uint32_t kMetaTag = SectionTag("META");
constexpr uint32_t kDocsTag = SectionTag("DOCS");
constexpr uint32_t kStringsTag = SectionTag("STRS");
constexpr uint32_t kPostingKeysTag = SectionTag("PKEY");
constexpr uint32_t kPostingDocsTag = SectionTag("PDOC");
constexpr uint32_t kBucketsTag = SectionTag("BUCK");
constexpr uint32_t kCodesTag = SectionTag("CLSS");
constexpr uint32_t kIdsTag = SectionTag("IDHS");
constexpr uint32_t kWordOffsetsTag = SectionTag("WOFF");
// The MANIFEST file's one section.
constexpr uint32_t kManifestTag = SectionTag("MANI");

struct DocRecord {
  uint64_t offset;  // into STRS: id, then text, then metadata
  uint32_t id_bytes;
  uint32_t text_bytes;
  uint32_t metadata_bytes;
  uint32_t keys;          // distinct sampled shingles of the document
  uint64_t codes_offset;  // into CLSS, in codes
  uint32_t words;         // class codes of the document
  uint32_t crc;           // CRC32C of the document's STRS bytes, then its CLSS bytes
};
static_assert(sizeof(DocRecord) == 40);

// A posting as the writer sorts it. On disk its key's top 16 bits are
// implied by its bucket: PKEY holds the low 16, PDOC the document in as few
// bytes as the segment's document count needs.
struct Posting {
  uint32_t key;  // upper 32 bits of the shingle hash
  uint32_t doc;  // ordinal in the segment
};

// Bytes of each document ordinal in PDOC, for a segment of `documents`.
uint32_t PostingDocBytes(uint64_t documents) {
  if (documents <= (uint64_t{1} << 16)) return 2;
  if (documents <= (uint64_t{1} << 24)) return 3;
  return 4;
}

// A bucket's postings of one key: indexes [begin, end) into PKEY and PDOC.
struct PostingRange {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

struct IdEntry {
  uint64_t hash;  // XXH3-64 of the id
  uint32_t doc;   // ordinal in the segment
  uint32_t reserved;
};
static_assert(sizeof(IdEntry) == 16);

uint64_t IdHash(std::string_view id) { return XXH3_64bits(id.data(), id.size()); }

uint32_t PostingKey(uint64_t shingle) { return static_cast<uint32_t>(shingle >> 32); }

std::string FingerprintHex(uint64_t fingerprint) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(fingerprint));
  return buffer;
}

std::string JoinPath(const std::string& dir, const std::string& name) { return dir + "/" + name; }

bool IsSegmentName(std::string_view name) {
  return name.size() == 14 && name.substr(0, 4) == "seg-" && name.substr(10) == ".usx";
}

std::string SegmentName(uint32_t number) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "seg-%06u.usx", number);
  return buffer;
}

std::vector<std::string> ListSegmentFiles(const std::string& dir) {
  std::vector<std::string> names;
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return names;
  while (const dirent* entry = ::readdir(handle)) {
    if (IsSegmentName(entry->d_name)) names.emplace_back(entry->d_name);
  }
  ::closedir(handle);
  std::sort(names.begin(), names.end());
  return names;
}

uint64_t FileBytes(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

Status MakeDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST) {
    struct stat info {};
    if (::stat(dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) return Status::Ok();
    return IOError(dir + " exists and is not a directory");
  }
  return ErrnoError("cannot create index directory " + dir, errno);
}

struct Manifest {
  uint64_t class_fingerprint = 0;
  uint32_t sample_modulus = 0;
  std::vector<std::string> segments;
};

Status WriteManifest(const std::string& dir, const Manifest& manifest) {
  nlohmann::json json = {{"class_fingerprint", FingerprintHex(manifest.class_fingerprint)},
                         {"sample_modulus", manifest.sample_modulus},
                         {"segments", manifest.segments}};
  SectionFileWriter writer(kIndexMagic, kIndexVersion);
  writer.Add(kManifestTag, json.dump());
  return writer.Write(JoinPath(dir, kManifestName));
}

Result<Manifest> ReadManifest(const std::string& dir) {
  const std::string path = JoinPath(dir, kManifestName);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return NotFoundError("no index at " + dir + " (no " + kManifestName +
                         "; build one with `unspin index build`)");
  }
  Result<SectionFile> opened = SectionFile::Open(path, kIndexMagic, kIndexVersion);
  if (opened.status().code() == StatusCode::kVersionMismatch) {
    return VersionMismatchError(opened.status().message() +
                                " (an index of an older or newer unspin: `unspin index build` "
                                "builds it again)");
  }
  UNSPIN_ASSIGN_OR_RETURN(SectionFile file, std::move(opened));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view bytes, file.Section(kManifestTag));
  if (!CheckJsonDepth(bytes).ok()) {
    return CorruptionError(path + ": manifest is not the expected JSON object");
  }
  nlohmann::json json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  Manifest manifest;
  if (!json.is_object() || !json.contains("class_fingerprint") ||
      !json["class_fingerprint"].is_string() || !json.contains("sample_modulus") ||
      !json["sample_modulus"].is_number_unsigned() || !json.contains("segments") ||
      !json["segments"].is_array()) {
    return CorruptionError(path + ": manifest is not the expected JSON object");
  }
  manifest.class_fingerprint =
      std::strtoull(json["class_fingerprint"].get<std::string>().c_str(), nullptr, 16);
  manifest.sample_modulus = json["sample_modulus"].get<uint32_t>();
  if (manifest.sample_modulus == 0) return CorruptionError(path + ": sample modulus 0");
  for (const nlohmann::json& name : json["segments"]) {
    if (!name.is_string() || !IsSegmentName(name.get<std::string>())) {
      return CorruptionError(path + ": bad segment name in manifest");
    }
    manifest.segments.push_back(name.get<std::string>());
  }
  return manifest;
}

// One open segment file.
struct Segment {
  std::string name;
  SectionFile file;
  std::span<const DocRecord> docs;
  std::string_view strings;
  std::span<const uint16_t> posting_keys;  // the low 16 bits of each posting's key
  const uint8_t* posting_docs = nullptr;   // each posting's document, doc_bytes each
  uint32_t doc_bytes = 0;
  std::span<const uint32_t> buckets;  // kBucketCount + 1 offsets into the postings
  std::span<const uint32_t> codes;    // class codes of all documents
  std::span<const IdEntry> ids;       // sorted by hash
  // Entry k: the byte offset, in its document's text, of the word whose code
  // is codes[k * kWordOffsetStride].
  std::span<const uint32_t> word_offsets;
  std::unique_ptr<std::atomic<bool>[]> checked;  // per document: its checksum matched

  std::optional<uint32_t> FindId(std::string_view id) const {
    const uint64_t hash = IdHash(id);
    auto it = std::lower_bound(ids.begin(), ids.end(), hash,
                               [](const IdEntry& entry, uint64_t h) { return entry.hash < h; });
    for (; it != ids.end() && it->hash == hash; ++it) {
      if (it->doc < docs.size() && Document(it->doc).id == id) return it->doc;
    }
    return std::nullopt;
  }

  PostingRange Lookup(uint32_t key) const {
    const uint32_t bucket = key >> (32 - kBucketBits);
    const uint16_t low_bits = static_cast<uint16_t>(key);
    const auto begin = posting_keys.begin() + buckets[bucket];
    const auto end = posting_keys.begin() + buckets[bucket + 1];
    const auto range = std::equal_range(begin, end, low_bits);
    return {static_cast<size_t>(range.first - posting_keys.begin()),
            static_cast<size_t>(range.second - posting_keys.begin())};
  }

  // The document of posting i (little-endian, doc_bytes bytes).
  uint32_t PostingDoc(size_t i) const {
    uint32_t doc = 0;
    std::memcpy(&doc, posting_docs + i * doc_bytes, doc_bytes);
    return doc;
  }

  uint32_t DocumentCrc(uint32_t ordinal) const {
    const DocRecord& record = docs[ordinal];
    const uint64_t length = uint64_t{record.id_bytes} + record.text_bytes + record.metadata_bytes;
    uint32_t crc = Crc32cExtend(0, strings.data() + record.offset, length);
    return Crc32cExtend(crc, codes.data() + record.codes_offset, record.words * sizeof(uint32_t));
  }

  Status VerifyDocument(uint32_t ordinal) const {
    if (DocumentCrc(ordinal) == docs[ordinal].crc) return Status::Ok();
    return CorruptionError(file.path() + ": checksum mismatch in document " +
                           std::to_string(ordinal) + "; the index is damaged, rebuild it");
  }

  // As VerifyDocument, once per document: files are immutable, so a
  // document found intact stays so (a long one many queries reach is not
  // checked again for each).
  Status CheckDocument(uint32_t ordinal) const {
    if (checked[ordinal].load(std::memory_order_relaxed)) return Status::Ok();
    UNSPIN_RETURN_IF_ERROR(VerifyDocument(ordinal));
    checked[ordinal].store(true, std::memory_order_relaxed);
    return Status::Ok();
  }

  StoredDocument Document(uint32_t ordinal) const {
    const DocRecord& record = docs[ordinal];
    std::string_view bytes = strings.substr(record.offset);
    // The document's offsets are those of the multiples of the stride inside
    // its codes.
    const uint64_t first = (record.codes_offset + kWordOffsetStride - 1) / kWordOffsetStride;
    const uint64_t end =
        (record.codes_offset + record.words + kWordOffsetStride - 1) / kWordOffsetStride;
    return {bytes.substr(0, record.id_bytes),
            bytes.substr(record.id_bytes, record.text_bytes),
            bytes.substr(static_cast<size_t>(record.id_bytes) + record.text_bytes,
                         record.metadata_bytes),
            codes.subspan(record.codes_offset, record.words),
            word_offsets.subspan(first, end - first),
            static_cast<uint32_t>(first * kWordOffsetStride - record.codes_offset)};
  }
};

Result<Segment> OpenSegment(const std::string& dir, const std::string& name,
                            const Manifest& manifest) {
  Segment segment;
  segment.name = name;
  const std::string path = JoinPath(dir, name);
  // Only the small sections are checksummed at open: the texts, class codes
  // and postings of a large index would all have to be read for it. Their
  // bounds are checked here; each document's checksum when it is read;
  // everything by Index::Verify (`unspin index verify`).
  UNSPIN_ASSIGN_OR_RETURN(
      segment.file, SectionFile::Open(path, kIndexMagic, kIndexVersion, VerifyChecksums::kNo));
  for (uint32_t tag : {kMetaTag, kDocsTag, kBucketsTag, kIdsTag}) {
    UNSPIN_RETURN_IF_ERROR(segment.file.VerifySection(tag));
  }
  UNSPIN_ASSIGN_OR_RETURN(std::string_view meta_bytes, segment.file.Section(kMetaTag));
  if (!CheckJsonDepth(meta_bytes).ok()) {
    return CorruptionError(path + ": META is not the expected JSON object");
  }
  nlohmann::json meta = nlohmann::json::parse(meta_bytes, nullptr, false);
  if (!meta.is_object() || !meta.contains("class_fingerprint") ||
      !meta["class_fingerprint"].is_string() || !meta.contains("sample_modulus") ||
      !meta["sample_modulus"].is_number_unsigned()) {
    return CorruptionError(path + ": META is not the expected JSON object");
  }
  if (std::strtoull(meta["class_fingerprint"].get<std::string>().c_str(), nullptr, 16) !=
          manifest.class_fingerprint ||
      meta["sample_modulus"].get<uint32_t>() != manifest.sample_modulus) {
    return CorruptionError(path +
                           ": segment does not belong to this index (model or sampling differs)");
  }
  UNSPIN_ASSIGN_OR_RETURN(std::string_view docs, segment.file.Section(kDocsTag));
  UNSPIN_ASSIGN_OR_RETURN(segment.strings, segment.file.Section(kStringsTag));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view posting_keys, segment.file.Section(kPostingKeysTag));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view posting_docs, segment.file.Section(kPostingDocsTag));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view buckets, segment.file.Section(kBucketsTag));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view codes, segment.file.Section(kCodesTag));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view ids, segment.file.Section(kIdsTag));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view word_offsets, segment.file.Section(kWordOffsetsTag));
  const size_t code_count = codes.size() / sizeof(uint32_t);
  const size_t posting_count = posting_keys.size() / sizeof(uint16_t);
  segment.doc_bytes = PostingDocBytes(docs.size() / sizeof(DocRecord));
  if (docs.size() % sizeof(DocRecord) != 0 || posting_keys.size() % sizeof(uint16_t) != 0 ||
      posting_docs.size() != posting_count * segment.doc_bytes ||
      codes.size() % sizeof(uint32_t) != 0 || ids.size() % sizeof(IdEntry) != 0 ||
      buckets.size() != (kBucketCount + 1) * sizeof(uint32_t) ||
      word_offsets.size() !=
          (code_count + kWordOffsetStride - 1) / kWordOffsetStride * sizeof(uint32_t)) {
    return CorruptionError(path + ": section sizes are inconsistent");
  }
  segment.docs = {reinterpret_cast<const DocRecord*>(docs.data()), docs.size() / sizeof(DocRecord)};
  segment.posting_keys = {reinterpret_cast<const uint16_t*>(posting_keys.data()), posting_count};
  segment.posting_docs = reinterpret_cast<const uint8_t*>(posting_docs.data());
  segment.buckets = {reinterpret_cast<const uint32_t*>(buckets.data()), kBucketCount + 1};
  segment.codes = {reinterpret_cast<const uint32_t*>(codes.data()), code_count};
  segment.word_offsets = {reinterpret_cast<const uint32_t*>(word_offsets.data()),
                          word_offsets.size() / sizeof(uint32_t)};
  segment.ids = {reinterpret_cast<const IdEntry*>(ids.data()), ids.size() / sizeof(IdEntry)};
  for (const DocRecord& record : segment.docs) {
    const uint64_t length = uint64_t{record.id_bytes} + record.text_bytes + record.metadata_bytes;
    if (record.offset > segment.strings.size() || length > segment.strings.size() - record.offset) {
      return CorruptionError(path + ": a document points outside the string section");
    }
    if (record.codes_offset > segment.codes.size() ||
        record.words > segment.codes.size() - record.codes_offset) {
      return CorruptionError(path + ": a document points outside the class section");
    }
  }
  segment.checked = std::make_unique<std::atomic<bool>[]>(segment.docs.size());
  if (segment.buckets[0] != 0 || segment.buckets[kBucketCount] != posting_count) {
    return CorruptionError(path + ": posting directory does not cover the postings");
  }
  for (uint32_t bucket = 0; bucket < kBucketCount; ++bucket) {
    if (segment.buckets[bucket + 1] < segment.buckets[bucket]) {
      return CorruptionError(path + ": posting directory is not monotone");
    }
  }
  return segment;
}

// One segment being written: the documents' bytes stream into STRS as they are
// added (and to disk in the background), the rest is written at Finish.
class SegmentBuilder {
 public:
  SegmentBuilder(uint64_t class_fingerprint, uint32_t sample_modulus)
      : class_fingerprint_(class_fingerprint), sample_modulus_(sample_modulus) {}

  Status Open(const std::string& path) {
    UNSPIN_RETURN_IF_ERROR(out_.Open(path));
    return out_.BeginSection(kStringsTag);
  }

  Status Add(const PreparedDocument& prepared) {
    const IndexDocument& document = prepared.document;
    const uint32_t ordinal = static_cast<uint32_t>(records_.size());
    DocRecord record{out_.section_size(),
                     static_cast<uint32_t>(document.id.size()),
                     static_cast<uint32_t>(document.text.size()),
                     static_cast<uint32_t>(document.metadata.size()),
                     static_cast<uint32_t>(prepared.keys.size()),
                     codes_.size(),
                     static_cast<uint32_t>(prepared.codes.size()),
                     0};
    uint32_t crc = Crc32c(document.id);
    crc = Crc32cExtend(crc, document.text.data(), document.text.size());
    crc = Crc32cExtend(crc, document.metadata.data(), document.metadata.size());
    record.crc = Crc32cExtend(crc, prepared.codes.data(), prepared.codes.size() * sizeof(uint32_t));
    UNSPIN_RETURN_IF_ERROR(out_.Append(document.id));
    UNSPIN_RETURN_IF_ERROR(out_.Append(document.text));
    UNSPIN_RETURN_IF_ERROR(out_.Append(document.metadata));
    records_.push_back(record);
    for (uint64_t w =
             (codes_.size() + kWordOffsetStride - 1) / kWordOffsetStride * kWordOffsetStride -
             codes_.size();
         w < prepared.codes.size(); w += kWordOffsetStride) {
      word_offsets_.push_back(prepared.word_begins[w]);
    }
    codes_.insert(codes_.end(), prepared.codes.begin(), prepared.codes.end());
    for (uint64_t key : prepared.keys) postings_.push_back({PostingKey(key), ordinal});
    ids_.push_back({IdHash(document.id), ordinal, 0});
    // Let the kernel write the texts out while documents are still being
    // prepared, rather than all at the final fsync.
    if (out_.section_size() - written_back_ >= kWritebackBytes) {
      out_.StartWriteback();
      written_back_ = out_.section_size();
    }
    return Status::Ok();
  }

  // Memory held for the segment (the texts are already in the file).
  uint64_t memory_bytes() const {
    return (codes_.size() + word_offsets_.size()) * sizeof(uint32_t) +
           postings_.size() * sizeof(Posting) +
           records_.size() * (sizeof(DocRecord) + sizeof(IdEntry));
  }
  uint64_t file_bytes() const { return out_.section_size() + codes_.size() * sizeof(uint32_t); }

  Status Finish() {
    // Counting sort into the buckets (top 16 bits of the key), then each small
    // bucket by (key, doc): much faster than one sort of all postings.
    std::vector<uint32_t> buckets(kBucketCount + 1, 0);
    for (const Posting& posting : postings_) ++buckets[(posting.key >> (32 - kBucketBits)) + 1];
    for (uint32_t b = 0; b < kBucketCount; ++b) buckets[b + 1] += buckets[b];
    std::vector<Posting> sorted(postings_.size());
    std::vector<uint32_t> next(buckets.begin(), buckets.end() - 1);
    for (const Posting& posting : postings_) {
      sorted[next[posting.key >> (32 - kBucketBits)]++] = posting;
    }
    for (uint32_t b = 0; b < kBucketCount; ++b) {
      std::sort(sorted.begin() + buckets[b], sorted.begin() + buckets[b + 1],
                [](const Posting& x, const Posting& y) {
                  return x.key != y.key ? x.key < y.key : x.doc < y.doc;
                });
    }
    const uint32_t doc_bytes = PostingDocBytes(records_.size());
    std::vector<uint16_t> keys(sorted.size());
    std::string docs(sorted.size() * doc_bytes, '\0');
    for (size_t i = 0; i < sorted.size(); ++i) {
      keys[i] = static_cast<uint16_t>(sorted[i].key);
      std::memcpy(docs.data() + i * doc_bytes, &sorted[i].doc, doc_bytes);
    }
    std::sort(ids_.begin(), ids_.end(), [](const IdEntry& x, const IdEntry& y) {
      return x.hash != y.hash ? x.hash < y.hash : x.doc < y.doc;
    });
    const nlohmann::json meta = {{"class_fingerprint", FingerprintHex(class_fingerprint_)},
                                 {"sample_modulus", sample_modulus_},
                                 {"documents", records_.size()},
                                 {"postings", sorted.size()}};
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kCodesTag, Bytes(codes_)));
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kWordOffsetsTag, Bytes(word_offsets_)));
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kDocsTag, Bytes(records_)));
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kPostingKeysTag, Bytes(keys)));
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kPostingDocsTag, docs));
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kBucketsTag, Bytes(buckets)));
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kIdsTag, Bytes(ids_)));
    UNSPIN_RETURN_IF_ERROR(out_.AddSection(kMetaTag, meta.dump()));
    return out_.Commit();
  }

 private:
  static constexpr uint64_t kWritebackBytes = uint64_t{8} << 20;
  static constexpr uint32_t kSectionCount = 9;  // STRS CLSS WOFF DOCS PKEY PDOC BUCK IDHS META

  template <typename T>
  static std::string_view Bytes(const std::vector<T>& values) {
    return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)};
  }

  uint64_t class_fingerprint_;
  uint32_t sample_modulus_;
  SectionStreamWriter out_{kIndexMagic, kIndexVersion, kSectionCount};
  std::vector<DocRecord> records_;
  std::vector<uint32_t> codes_;
  std::vector<uint32_t> word_offsets_;
  std::vector<Posting> postings_;
  std::vector<IdEntry> ids_;
  uint64_t written_back_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- Index

struct Index::State {
  std::string dir;
  Manifest manifest;
  std::vector<Segment> segments;
  uint64_t documents = 0;
};

Index::Index(std::unique_ptr<State> state) : state_(std::move(state)) {}
Index::~Index() = default;

Result<std::unique_ptr<Index>> Index::Open(const std::string& dir, uint64_t class_fingerprint) {
  auto state = std::make_unique<State>();
  state->dir = dir;
  UNSPIN_ASSIGN_OR_RETURN(state->manifest, ReadManifest(dir));
  if (state->manifest.class_fingerprint != class_fingerprint) {
    return VersionMismatchError("index " + dir +
                                " was built with another model (or another unspin version); "
                                "rebuild it with `unspin index build` and this model");
  }
  for (const std::string& name : state->manifest.segments) {
    UNSPIN_ASSIGN_OR_RETURN(Segment segment, OpenSegment(dir, name, state->manifest));
    state->documents += segment.docs.size();
    state->segments.push_back(std::move(segment));
  }
  return std::unique_ptr<Index>(new Index(std::move(state)));
}

uint64_t Index::document_count() const { return state_->documents; }
uint32_t Index::sample_modulus() const { return state_->manifest.sample_modulus; }

IndexInfo Index::Info() const {
  IndexInfo info;
  info.documents = state_->documents;
  info.segments = state_->segments.size();
  info.sample_modulus = state_->manifest.sample_modulus;
  info.file_bytes = FileBytes(JoinPath(state_->dir, kManifestName));
  for (const Segment& segment : state_->segments) {
    info.postings += segment.posting_keys.size();
    info.text_bytes += segment.strings.size();
    info.signature_bytes +=
        segment.posting_keys.size_bytes() + segment.posting_keys.size() * segment.doc_bytes +
        segment.buckets.size_bytes() + segment.docs.size_bytes() + segment.ids.size_bytes();
    info.class_bytes += segment.codes.size_bytes();
    info.file_bytes += FileBytes(JoinPath(state_->dir, segment.name));
  }
  return info;
}

std::vector<Candidate> Index::Candidates(std::span<const uint64_t> keys,
                                         size_t max_candidates) const {
  std::vector<uint32_t> distinct;
  distinct.reserve(keys.size());
  for (uint64_t key : keys) distinct.push_back(PostingKey(key));
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());

  // Common shingles say little and cost the most to read.
  const double documents = static_cast<double>(std::max<uint64_t>(state_->documents, 1));
  const uint64_t max_frequency = common_frequency();
  std::unordered_map<uint64_t, Candidate> scores;
  std::vector<PostingRange> lists(state_->segments.size());
  for (uint32_t key : distinct) {
    uint64_t frequency = 0;
    for (size_t s = 0; s < state_->segments.size(); ++s) {
      lists[s] = state_->segments[s].Lookup(key);
      frequency += lists[s].size();
    }
    if (frequency == 0 || frequency > max_frequency) continue;
    const double idf = std::log(1.0 + documents / static_cast<double>(frequency));
    for (size_t s = 0; s < lists.size(); ++s) {
      const Segment& segment = state_->segments[s];
      for (size_t i = lists[s].begin; i < lists[s].end; ++i) {
        const uint32_t doc = segment.PostingDoc(i);
        if (doc >= segment.docs.size()) continue;  // damaged; Verify says so
        const uint64_t slot = (uint64_t{static_cast<uint32_t>(s)} << 32) | doc;
        Candidate& candidate = scores[slot];
        candidate.document = {static_cast<uint32_t>(s), doc};
        candidate.weight += idf;
        ++candidate.shared;
      }
    }
  }
  std::vector<Candidate> result;
  result.reserve(scores.size());
  for (const auto& [slot, candidate] : scores) result.push_back(candidate);
  auto better = [](const Candidate& a, const Candidate& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.document.segment != b.document.segment ? a.document.segment < b.document.segment
                                                    : a.document.ordinal < b.document.ordinal;
  };
  if (result.size() > max_candidates) {
    std::partial_sort(result.begin(), result.begin() + static_cast<ptrdiff_t>(max_candidates),
                      result.end(), better);
    result.resize(max_candidates);
  } else {
    std::sort(result.begin(), result.end(), better);
  }
  return result;
}

uint64_t Index::ShingleFrequency(uint64_t key) const {
  uint64_t frequency = 0;
  for (const auto& segment : state_->segments) frequency += segment.Lookup(PostingKey(key)).size();
  return frequency;
}

uint64_t Index::common_frequency() const { return std::max<uint64_t>(64, state_->documents / 200); }

StoredDocument Index::Document(DocumentRef ref) const {
  return state_->segments[ref.segment].Document(ref.ordinal);
}

std::optional<DocumentRef> Index::FindId(std::string_view id) const {
  for (uint32_t s = 0; s < state_->segments.size(); ++s) {
    if (std::optional<uint32_t> ordinal = state_->segments[s].FindId(id))
      return DocumentRef{s, *ordinal};
  }
  return std::nullopt;
}

Status Index::CheckDocument(DocumentRef ref) const {
  return state_->segments[ref.segment].CheckDocument(ref.ordinal);
}

Status Index::ForEachDocument(
    const std::function<void(DocumentRef, const StoredDocument&)>& visit) const {
  for (uint32_t s = 0; s < state_->segments.size(); ++s) {
    const Segment& segment = state_->segments[s];
    for (uint32_t ordinal = 0; ordinal < segment.docs.size(); ++ordinal) {
      UNSPIN_RETURN_IF_ERROR(segment.CheckDocument(ordinal));
      visit({s, ordinal}, segment.Document(ordinal));
    }
  }
  return Status::Ok();
}

Status Index::Verify() const {
  for (const Segment& segment : state_->segments) {
    for (const SectionInfo& info : segment.file.sections()) {
      UNSPIN_RETURN_IF_ERROR(segment.file.VerifySection(info.tag));
    }
    for (uint32_t bucket = 0; bucket < kBucketCount; ++bucket) {
      for (uint32_t i = segment.buckets[bucket]; i < segment.buckets[bucket + 1]; ++i) {
        if (segment.PostingDoc(i) >= segment.docs.size() ||
            (i > segment.buckets[bucket] &&
             segment.posting_keys[i] < segment.posting_keys[i - 1])) {
          return CorruptionError(segment.file.path() +
                                 ": postings are out of order or out of range");
        }
      }
    }
    for (uint32_t ordinal = 0; ordinal < segment.docs.size(); ++ordinal) {
      UNSPIN_RETURN_IF_ERROR(segment.VerifyDocument(ordinal));
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- IndexWriter

struct IndexWriter::State {
  std::string dir;
  const WordClasses* classes = nullptr;
  WriterOptions options;
  std::vector<std::string> kept_segments;  // live segments that stay (append mode)
  std::vector<std::string> new_segments;   // written by this writer, not yet published
  uint32_t next_segment = 1;
  std::unordered_set<std::string> ids;      // added by this writer
  std::unique_ptr<Index> existing;          // kAppend: the index added to, for its ids
  std::unique_ptr<SegmentBuilder> segment;  // being written, not yet renamed into place
  std::string segment_name;
  uint64_t added = 0;
  bool committed = false;
  int lock_fd = -1;

  ~State() {
    if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
  }

  Status Flush() {
    if (segment == nullptr) return Status::Ok();
    Status finished = segment->Finish();
    segment.reset();
    UNSPIN_RETURN_IF_ERROR(finished);
    new_segments.push_back(segment_name);
    return Status::Ok();
  }
};

IndexWriter::IndexWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}

IndexWriter::~IndexWriter() {
  if (state_ == nullptr) return;
  if (!state_->committed) {
    for (const std::string& name : state_->new_segments) {
      std::remove(JoinPath(state_->dir, name).c_str());
    }
  }
}

Result<std::unique_ptr<IndexWriter>> IndexWriter::Create(const std::string& dir,
                                                         const WordClasses& classes,
                                                         const WriterOptions& options) {
  if (options.sample_modulus == 0) return InvalidArgumentError("sample modulus must be at least 1");
  UNSPIN_RETURN_IF_ERROR(MakeDirectory(dir));
  auto state = std::make_unique<State>();
  state->dir = dir;
  state->classes = &classes;
  state->options = options;
  state->lock_fd = ::open(JoinPath(dir, kLockName).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (state->lock_fd < 0) return ErrnoError("cannot create the lock file in " + dir, errno);
  if (::flock(state->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(state->lock_fd);
    return IOError("another process is writing the index in " + dir +
                   "; try again when it is done");
  }
  // Never reuse a file name, not even one an interrupted writer left behind.
  for (const std::string& name : ListSegmentFiles(dir)) {
    state->next_segment =
        std::max(state->next_segment, static_cast<uint32_t>(std::stoul(name.substr(4, 6))) + 1);
  }
  if (options.mode == WriterOptions::Mode::kAppend && FileBytes(JoinPath(dir, kManifestName)) > 0) {
    UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<Index> existing,
                            Index::Open(dir, classes.fingerprint()));
    state->options.sample_modulus = existing->sample_modulus();
    UNSPIN_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(dir));
    state->kept_segments = std::move(manifest.segments);
    state->existing = std::move(existing);
  }
  return std::unique_ptr<IndexWriter>(new IndexWriter(std::move(state)));
}

PreparedDocument IndexWriter::Prepare(IndexDocument document) const {
  PreparedDocument prepared;
  if (document.id.empty()) {
    prepared.status = InvalidArgumentError("empty document id");
  } else if (Status valid = text::ValidateUtf8(document.text); !valid.ok()) {
    prepared.status = valid.WithContext("document \"" + document.id + "\"");
  } else if (document.text.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
    prepared.status = InvalidArgumentError("document \"" + document.id + "\" has no text");
  } else if (document.text.size() > UINT32_MAX / 2) {
    prepared.status = InvalidArgumentError("document \"" + document.id + "\" is over 2 GiB");
  } else {
    const ClassedText classed = state_->classes->Classify(document.text);
    SampledShingles(classed, state_->options.sample_modulus, &prepared.keys);
    prepared.codes = ClassCodes(classed);
    prepared.word_begins.reserve(classed.words.size());
    for (const ClassedWord& word : classed.words) prepared.word_begins.push_back(word.begin);
    std::sort(prepared.keys.begin(), prepared.keys.end());
    prepared.keys.erase(std::unique(prepared.keys.begin(), prepared.keys.end()),
                        prepared.keys.end());
  }
  if (document.metadata.empty()) document.metadata = "{}";
  prepared.document = std::move(document);
  return prepared;
}

Status IndexWriter::Add(IndexDocument document) {
  return AddPrepared(Prepare(std::move(document)));
}

Status IndexWriter::AddPrepared(PreparedDocument prepared) {
  State& state = *state_;
  UNSPIN_RETURN_IF_ERROR(prepared.status);
  const IndexDocument& document = prepared.document;
  if (state.ids.contains(document.id) || (state.existing && state.existing->FindId(document.id))) {
    return InvalidArgumentError("duplicate document id \"" + document.id + "\" (kept the first)");
  }
  if (state.segment == nullptr) {
    state.segment_name = SegmentName(state.next_segment++);
    state.segment = std::make_unique<SegmentBuilder>(state.classes->fingerprint(),
                                                     state.options.sample_modulus);
    UNSPIN_RETURN_IF_ERROR(state.segment->Open(JoinPath(state.dir, state.segment_name)));
  }
  UNSPIN_RETURN_IF_ERROR(state.segment->Add(prepared));
  state.ids.insert(document.id);
  ++state.added;
  // The budget bounds both what the writer holds and the size of a segment.
  if (state.segment->memory_bytes() + state.segment->file_bytes() / 4 >
      state.options.memory_budget) {
    return state.Flush();
  }
  return Status::Ok();
}

uint64_t IndexWriter::added() const { return state_->added; }

Status IndexWriter::Commit() {
  State& state = *state_;
  UNSPIN_RETURN_IF_ERROR(state.Flush());
  Manifest manifest;
  manifest.class_fingerprint = state.classes->fingerprint();
  manifest.sample_modulus = state.options.sample_modulus;
  manifest.segments = state.kept_segments;
  manifest.segments.insert(manifest.segments.end(), state.new_segments.begin(),
                           state.new_segments.end());
  UNSPIN_RETURN_IF_ERROR(WriteManifest(state.dir, manifest));
  state.committed = true;
  // Published: files no longer named by the manifest (a replaced index, an
  // interrupted writer's leftovers) can go.
  const std::unordered_set<std::string> live(manifest.segments.begin(), manifest.segments.end());
  for (const std::string& name : ListSegmentFiles(state.dir)) {
    if (!live.contains(name)) std::remove(JoinPath(state.dir, name).c_str());
  }
  if (manifest.segments.size() <= state.options.max_segments) return Status::Ok();
  // Too many segments slow every query: rewrite them all as few, large ones,
  // published the same way (a crash mid-merge leaves the unmerged index).
  state.existing.reset();
  UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<Index> index,
                          Index::Open(state.dir, state.classes->fingerprint()));
  ::close(state.lock_fd);  // the merging writer takes the lock over
  state.lock_fd = -1;
  WriterOptions merge_options = state.options;
  merge_options.mode = WriterOptions::Mode::kReplace;
  merge_options.max_segments = UINT32_MAX;
  UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<IndexWriter> merged,
                          Create(state.dir, *state.classes, merge_options));
  Status status = Status::Ok();
  UNSPIN_RETURN_IF_ERROR(index->ForEachDocument([&](DocumentRef, const StoredDocument& document) {
    if (status.ok()) {
      status = merged->Add(
          {std::string(document.id), std::string(document.text), std::string(document.metadata)});
    }
  }));
  UNSPIN_RETURN_IF_ERROR(status);
  index.reset();
  return merged->Commit();
}

}  // namespace unspin::source
