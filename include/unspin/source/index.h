// The source index: an embedded on-disk store of documents and their sampled
// spin-robust shingles, for finding the archive article a spun copy came from.
//
// A directory holds immutable segment files and a MANIFEST naming the live
// ones. Writers add new segments and then replace the MANIFEST atomically, so
// an interrupted build or add leaves the previous index as it was. Files use
// the checksummed section container; layout in docs/formats/index.md.
//
//   source::WordClasses classes(*model);
//   UNSPIN_ASSIGN_OR_RETURN(auto writer, source::IndexWriter::Create("idx", classes, {}));
//   UNSPIN_RETURN_IF_ERROR(writer->Add({"doc-1", text, "{}"}));
//   UNSPIN_RETURN_IF_ERROR(writer->Commit());
//
//   UNSPIN_ASSIGN_OR_RETURN(auto index, source::Index::Open("idx", classes.fingerprint()));
#ifndef UNSPIN_SOURCE_INDEX_H_
#define UNSPIN_SOURCE_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/section_file.h"
#include "unspin/base/status.h"
#include "unspin/source/signature.h"

namespace unspin::source {

inline constexpr FileMagic kIndexMagic = {'U', 'N', 'S', 'P', 'I', 'N', 'D', 'X'};
inline constexpr uint32_t kIndexVersion = 4;
// Every this-many words of the stored codes, the index records where the word
// starts in its text: a part of a long document is tokenised from there.
inline constexpr uint32_t kWordOffsetStride = 64;

struct IndexDocument {
  std::string id;
  std::string text;      // valid UTF-8
  std::string metadata;  // a JSON object (the input line's other fields), "{}" when none
};

struct WriterOptions {
  // kReplace: a new index replaces whatever DIR held (atomically, at Commit).
  // kAppend: documents join the existing index (created if absent).
  enum class Mode : uint8_t { kReplace, kAppend } mode = Mode::kReplace;
  // A segment is finished (and a new one begun) when its stored bytes plus
  // what the writer holds for it (postings, class codes, document table)
  // exceed this; texts stream to the file as they are added.
  uint64_t memory_budget = uint64_t{512} << 20;
  uint32_t sample_modulus = kDefaultSampleModulus;
  // After Commit, segments are merged while there are more than this many.
  uint32_t max_segments = 8;
};

// A document with its sampled shingles computed (IndexWriter::Prepare).
struct PreparedDocument {
  IndexDocument document;
  std::vector<uint64_t> keys;         // distinct sampled shingles, sorted
  std::vector<uint32_t> codes;        // ClassCode of every word
  std::vector<uint32_t> word_begins;  // byte offset of every word in the text
  Status status;                      // not OK: the document cannot be indexed, and why
};

// Adds documents to an index directory. Not thread-safe. Nothing is visible
// to readers before Commit; destroying an uncommitted writer leaves the index
// as it was (its unpublished segment files are removed).
class IndexWriter {
 public:
  // Errors: IOError (cannot create DIR), plus Index::Open's errors in
  // kAppend mode for an existing index (another model: VersionMismatch).
  static Result<std::unique_ptr<IndexWriter>> Create(const std::string& dir,
                                                     const WordClasses& classes,
                                                     const WriterOptions& options);
  ~IndexWriter();

  // Errors: InvalidArgument for an id the index (or this writer) already
  // has, an empty id, an empty (or all white space) text, or text that is
  // not valid UTF-8; the
  // document is not added and the writer stays usable. IOError when a
  // segment cannot be written.
  Status Add(IndexDocument document);

  // The expensive half of Add (tokenising, classifying, shingling), which
  // may run on several threads at once; AddPrepared then stores
  // the results in order.
  PreparedDocument Prepare(IndexDocument document) const;
  Status AddPrepared(PreparedDocument prepared);

  // Writes the last segment and publishes the new MANIFEST.
  Status Commit();

  uint64_t added() const;

 private:
  struct State;
  explicit IndexWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// A document as stored: views into the mapped segment.
struct StoredDocument {
  std::string_view id;
  std::string_view text;
  std::string_view metadata;
  std::span<const uint32_t> codes;  // ClassCode of every word (signature.h)
  // The byte offsets in `text` where words first_offset_word,
  // first_offset_word + kWordOffsetStride, ... begin (not checksummed: a
  // reader checks the words it tokenises from there against `codes`).
  std::span<const uint32_t> word_offsets;
  uint32_t first_offset_word = 0;
};

// Identifies a document within an open Index.
struct DocumentRef {
  uint32_t segment;
  uint32_t ordinal;
  friend bool operator==(const DocumentRef&, const DocumentRef&) = default;
};

struct Candidate {
  DocumentRef document;
  double weight;  // summed idf of the shared sampled shingles
  uint32_t shared;
};

struct IndexInfo {
  uint64_t documents = 0;
  uint64_t segments = 0;
  uint64_t postings = 0;         // sampled shingles stored
  uint64_t text_bytes = 0;       // stored document text, ids and metadata
  uint64_t signature_bytes = 0;  // postings, their directory and the document table
  uint64_t class_bytes = 0;      // the class code of every word of every document
  uint64_t file_bytes = 0;       // all live files, MANIFEST included
  uint32_t sample_modulus = 0;
};

// A read-only view of a committed index. Thread-safe.
class Index {
 public:
  // Opens the segments the MANIFEST names and validates their structure and
  // the checksums of their small sections (not the texts, class codes and
  // postings: see Verify), so that opening stays fast at any size. Errors:
  // NotFound (no index at DIR), Corruption (a truncated, bit-flipped or
  // inconsistent file), VersionMismatch (another index format, or an index
  // built with another model: `class_fingerprint` differs).
  static Result<std::unique_ptr<Index>> Open(const std::string& dir, uint64_t class_fingerprint);
  ~Index();

  uint64_t document_count() const;
  uint32_t sample_modulus() const;
  IndexInfo Info() const;

  // The documents sharing the most informative sampled shingles with `keys`,
  // best first, at most `max_candidates`.
  std::vector<Candidate> Candidates(std::span<const uint64_t> keys, size_t max_candidates) const;

  // In how many documents the shingle is indexed (0 when it was not
  // sampled), and above which count a shingle is common: boilerplate or a
  // stock phrase, little evidence that two texts are related.
  uint64_t ShingleFrequency(uint64_t key) const;
  uint64_t common_frequency() const;

  // The stored document; its bounds were checked at Open, its checksum is
  // not (CheckDocument).
  StoredDocument Document(DocumentRef ref) const;
  // Corruption when the document's bytes do not match their checksum
  // (checked once per document and open index: the files are immutable).
  Status CheckDocument(DocumentRef ref) const;
  // The document with this id, if any.
  std::optional<DocumentRef> FindId(std::string_view id) const;
  // Calls `visit` for every document, in segment order, checking each one
  // first; stops at the first damaged one with Corruption.
  Status ForEachDocument(
      const std::function<void(DocumentRef, const StoredDocument&)>& visit) const;
  // Reads everything: every section's checksum, the order and range of every
  // posting, every document's checksum. Errors: Corruption.
  Status Verify() const;

 private:
  struct State;
  explicit Index(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace unspin::source

#endif  // UNSPIN_SOURCE_INDEX_H_
