// Back-off n-gram model: builder and mapped view.
//
// Scoring is standard back-off (Katz 1987; the ARPA format): for history
// c_1..c_k (c_1 most recent) and word w, find the longest stored n-gram
// c_m..c_1 w; then log10 P = prob(c_m..c_1 w) + sum over j = m+1..k of
// backoff(c_j..c_1), a missing context contributing 0. Storage per order >= 2
// is a bucketed hash table: records sorted by bucket (high bits of a 64-bit
// hash of the words), found through an array of bucket starts and matched by
// a 31-bit fingerprint (the hash's low bits), with 16-bit codes into per-order
// codebooks of probabilities and back-offs (the quantisation of KenLM's trie,
// Heafield 2011, on a probing-style layout without empty slots); unigrams are
// a direct array of floats.
//
// Invariants of a serialised section (established by Serialize, relied on by
// Score for speed, never for memory safety):
//   * closure: if an n-gram is stored, so are its (n-1)-word prefix and
//     suffix. Hence the matched n-grams of a history form an unbroken chain
//     and Score can stop at the first miss.
//   * <unk> (id 0) is a present unigram; unknown words score as <unk>.
//   * bucket starts are non-decreasing and end at the record count; no two
//     records of one bucket share a fingerprint.
// Memory safety on any section Open() accepts: word ids are bounds-checked
// against unigram_slots, record ranges are clamped to the record count,
// buckets stay below the bucket count and codes are clamped to the codebook.
#include "unspin/lm/ngram_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "lm/layout.h"
#include "unspin/base/check.h"
#include "unspin/base/section_file.h"

namespace unspin::lm {

using internal::kFingerprintMask;
using internal::kKeyRelevant;
using internal::kMiddleRecordBytes;
using internal::kTopRecordBytes;
using internal::kUnigramPresent;
using internal::kUnigramRelevant;
using internal::UnigramEntry;

// ---------------------------------------------------------------- builder

namespace {

using Words = std::array<uint32_t, kMaxOrder>;

// Lexicographic order of word arrays (a plain loop: this is the builder's
// hot comparison, and std::array's <=> is slow in unoptimised builds).
bool WordsBefore(const Words& a, const Words& b) {
  for (int i = 0; i < kMaxOrder; ++i) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

}  // namespace

NgramModelBuilder::NgramModelBuilder(int order) : order_(order) {
  UNSPIN_CHECK(order >= 1 && order <= kMaxOrder);
}

void NgramModelBuilder::Add(std::span<const WordId> words, float log10_prob, float log10_backoff) {
  UNSPIN_CHECK(!words.empty() && words.size() <= static_cast<size_t>(order_));
  Record record{};
  for (size_t i = 0; i < words.size(); ++i) record.words[i] = ToIndex(words[i]);
  record.log10_prob = log10_prob;
  record.log10_backoff = words.size() == static_cast<size_t>(order_) ? 0.0f : log10_backoff;
  std::vector<Record>& records = records_[words.size() - 1];
  if (normalized_ && !records.empty() && !WordsBefore(records.back().words, record.words)) {
    normalized_ = false;
  }
  records.push_back(record);
}

// Sorts each order by words and keeps the last of equal n-grams.
void NgramModelBuilder::Normalize() const {
  if (normalized_) return;
  for (std::vector<Record>& records : records_) {
    std::stable_sort(records.begin(), records.end(), [](const Record& a, const Record& b) {
      return WordsBefore(a.words, b.words);
    });
    size_t out = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      if (out > 0 && records[out - 1].words == records[i].words) {
        records[out - 1] = records[i];
      } else {
        records[out++] = records[i];
      }
    }
    records.resize(out);
  }
  normalized_ = true;
}

uint64_t NgramModelBuilder::count(int n) const {
  if (n < 1 || n > order_) return 0;
  Normalize();
  return records_[n - 1].size() - closure_added_[n - 1];
}

namespace {

uint64_t HashOf(const Words& words, int n) {  // words oldest first
  uint64_t hash = HashFirst(words[n - 1]);
  for (int i = n - 2; i >= 0; --i) hash = HashExtend(hash, words[i]);
  return hash;
}

Words Prefix(const Words& words, int n) {  // first n - 1 of n words
  Words out{};
  std::copy_n(words.begin(), n - 1, out.begin());
  return out;
}
Words Suffix(const Words& words, int n) {  // last n - 1 of n words
  Words out{};
  std::copy_n(words.begin() + 1, n - 1, out.begin());
  return out;
}

// Finds the records of one order by their words in O(1): 4 to 16 bytes per
// record (binary search over millions of n-grams was the builder's
// bottleneck).
template <typename RecordT>
class PositionIndex {
 public:
  PositionIndex(const std::vector<RecordT>& records, int n) : records_(records), n_(n) {
    uint64_t capacity = 16;
    while (capacity < 2 * records.size()) capacity *= 2;
    mask_ = capacity - 1;
    slots_.assign(capacity, 0);
    for (size_t i = 0; i < records.size(); ++i) {
      uint64_t slot = HashOf(records[i].words, n) & mask_;
      while (slots_[slot] != 0) slot = (slot + 1) & mask_;
      slots_[slot] = static_cast<uint32_t>(i + 1);
    }
  }

  const RecordT* Find(const Words& words) const {
    for (uint64_t slot = HashOf(words, n_) & mask_; slots_[slot] != 0; slot = (slot + 1) & mask_) {
      const RecordT& record = records_[slots_[slot] - 1];
      int i = 0;
      while (i < n_ && record.words[i] == words[i]) ++i;
      if (i == n_) return &record;
    }
    return nullptr;
  }

 private:
  const std::vector<RecordT>& records_;
  int n_;
  uint64_t mask_ = 0;
  std::vector<uint32_t> slots_;  // position + 1; 0 = empty
};

// Unsigned integers in the order of the floats (negative floats reversed).
uint32_t OrderedBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
}
float FromOrderedBits(uint32_t ordered) {
  uint32_t bits = (ordered & 0x80000000u) != 0 ? ordered & 0x7fffffffu : ~ordered;
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

// Sorts non-NaN floats: an LSD radix sort of their ordered bits, 3 passes of
// 11 bits (std::sort of millions of floats was a tenth of a build).
void SortFloats(std::vector<float>* values) {
  std::vector<uint32_t> keys(values->size()), scratch(values->size());
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = OrderedBits((*values)[i]);
  for (int shift = 0; shift < 33; shift += 11) {
    std::vector<size_t> start((size_t{1} << 11) + 1, 0);
    for (uint32_t key : keys) ++start[((key >> shift) & 0x7ff) + 1];
    for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
    for (uint32_t key : keys) scratch[start[(key >> shift) & 0x7ff]++] = key;
    keys.swap(scratch);
  }
  for (size_t i = 0; i < keys.size(); ++i) (*values)[i] = FromOrderedBits(keys[i]);
}

// A per-order codebook: sorted, distinct centres. Every distinct value gets its
// own centre when there are at most kMaxCodebookSize of them; otherwise the
// sorted values are cut into that many bins of about equal count (a value
// never straddles two bins; one that fills a bin alone keeps its exact value)
// and each centre is its bin's mean (as in KenLM's quantiser, Whittaker & Raj
// 2001 "Quantization-based language model compression").
std::vector<float> BuildCodebook(std::vector<float> values) {
  if (values.empty()) return {0.0f};
  SortFloats(&values);
  std::vector<float> distinct;
  std::vector<uint64_t> counts;
  for (float value : values) {
    if (distinct.empty() || distinct.back() != value) {
      distinct.push_back(value);
      counts.push_back(0);
    }
    ++counts.back();
  }
  if (distinct.size() <= kMaxCodebookSize) return distinct;
  std::vector<float> centres;
  centres.reserve(kMaxCodebookSize);
  uint64_t remaining = values.size();
  double sum = 0;
  uint64_t in_bin = 0;
  for (size_t i = 0; i < distinct.size(); ++i) {
    uint64_t bins_left = kMaxCodebookSize - centres.size();
    double target = static_cast<double>(remaining) / static_cast<double>(bins_left);
    // Close the bin before a value that would overfill it (keep one bin for the rest).
    if (in_bin > 0 && static_cast<double>(in_bin + counts[i]) > target && bins_left > 1) {
      centres.push_back(static_cast<float>(sum / static_cast<double>(in_bin)));
      remaining -= in_bin;
      sum = 0;
      in_bin = 0;
      bins_left = kMaxCodebookSize - centres.size();
      target = static_cast<double>(remaining) / static_cast<double>(bins_left);
    }
    sum += static_cast<double>(distinct[i]) * static_cast<double>(counts[i]);
    in_bin += counts[i];
    if (static_cast<double>(in_bin) >= target && bins_left > 1) {
      centres.push_back(in_bin == counts[i]
                            ? distinct[i]
                            : static_cast<float>(sum / static_cast<double>(in_bin)));
      remaining -= in_bin;
      sum = 0;
      in_bin = 0;
    }
  }
  if (in_bin > 0) centres.push_back(static_cast<float>(sum / static_cast<double>(in_bin)));
  // Means of disjoint sorted ranges increase; rounding to float may tie two.
  centres.erase(std::unique(centres.begin(), centres.end()), centres.end());
  UNSPIN_CHECK(centres.size() <= kMaxCodebookSize);
  return centres;
}

// Finds the centre nearest to a value: a binary search narrowed by a table
// over the high 16 bits of the value's order-preserving bit pattern.
class Encoder {
 public:
  explicit Encoder(const std::vector<float>& codebook) : codebook_(codebook) {
    first_.resize((size_t{1} << 16) + 1);
    size_t at = 0;
    for (uint32_t prefix = 0; prefix <= (uint32_t{1} << 16); ++prefix) {
      while (at < codebook.size() && (OrderedBits(codebook[at]) >> 16) < prefix) ++at;
      first_[prefix] = static_cast<uint32_t>(at);
    }
  }

  uint16_t operator()(float value) const {
    uint32_t prefix = OrderedBits(value) >> 16;
    // The nearest centre is within [first of this prefix - 1, first of the next].
    size_t low = first_[prefix] > 0 ? first_[prefix] - 1 : 0;
    size_t high = std::min<size_t>(first_[prefix + 1] + 1, codebook_.size());
    auto it = std::lower_bound(codebook_.begin() + static_cast<ptrdiff_t>(low),
                               codebook_.begin() + static_cast<ptrdiff_t>(high), value);
    if (it == codebook_.end()) return static_cast<uint16_t>(codebook_.size() - 1);
    if (it != codebook_.begin() && value - *(it - 1) < *it - value) --it;
    return static_cast<uint16_t>(it - codebook_.begin());
  }

 private:
  const std::vector<float>& codebook_;
  std::vector<uint32_t> first_;  // [p]: first centre whose ordered bits' prefix is >= p
};

uint32_t KeyAt(const char* record) {
  uint32_t key;
  std::memcpy(&key, record, 4);
  return key;
}

// Appends `bytes` zero bytes or the array at the next multiple of 64.
void AppendAligned(std::string* out, const void* data, size_t bytes) {
  out->resize(AlignUp64(out->size()), '\0');
  out->append(static_cast<const char*>(data), bytes);
}

}  // namespace

// Adds, for every n-gram of order n >= 2, its missing prefix and suffix at
// order n - 1 as placeholders (NaN probability; highest order first, so
// placeholders are closed too), then gives each placeholder its backed-off
// probability and a zero back-off (lowest order first, so the (n-1)-grams it
// backs off to are final). Unigram placeholders (a word seen only inside
// longer n-grams) and a missing <unk> get the lowest unigram probability.
void NgramModelBuilder::Close() const {
  const float kPlaceholder = std::numeric_limits<float>::quiet_NaN();
  for (int n = order_; n >= 2; --n) {
    std::vector<Record>& lower = records_[n - 2];
    std::vector<Record> missing;
    {
      // Prefixes of a sorted order come sorted: a merge walk finds them.
      size_t at = 0;
      for (const Record& record : records_[n - 1]) {
        Words prefix = Prefix(record.words, n);
        while (at < lower.size() && WordsBefore(lower[at].words, prefix)) ++at;
        if (at == lower.size() || lower[at].words != prefix) {
          missing.push_back(Record{prefix, kPlaceholder, 0});
        }
      }
      const PositionIndex<Record> lower_index(lower, n - 1);
      for (const Record& record : records_[n - 1]) {
        Words suffix = Suffix(record.words, n);
        if (lower_index.Find(suffix) == nullptr) missing.push_back(Record{suffix, kPlaceholder, 0});
      }
    }
    if (missing.empty()) continue;
    auto less = [](const Record& a, const Record& b) { return WordsBefore(a.words, b.words); };
    std::sort(missing.begin(), missing.end(), less);
    missing.erase(std::unique(missing.begin(), missing.end(),
                              [](const Record& a, const Record& b) { return a.words == b.words; }),
                  missing.end());
    closure_added_[n - 2] += missing.size();
    std::vector<Record> merged(lower.size() + missing.size());
    std::merge(lower.begin(), lower.end(), missing.begin(), missing.end(), merged.begin(), less);
    lower = std::move(merged);
  }
  // Floor values (<s> carries -99 as a placeholder: it is never predicted) are
  // not probabilities of words.
  std::vector<Record>& unigrams = records_[0];
  float lowest = std::numeric_limits<float>::infinity();
  for (const Record& record : unigrams) {
    if (!std::isnan(record.log10_prob) && record.log10_prob > NgramModel::kLog10ProbFloor) {
      lowest = std::min(lowest, record.log10_prob);
    }
  }
  if (lowest == std::numeric_limits<float>::infinity()) lowest = NgramModel::kLog10ProbFloor;
  if (unigrams.empty() || unigrams.front().words != Words{}) {  // <unk> = word 0 sorts first
    unigrams.insert(unigrams.begin(), Record{Words{}, lowest, 0});
    ++closure_added_[0];
  }
  for (Record& record : unigrams) {
    if (std::isnan(record.log10_prob)) record.log10_prob = lowest;
  }
  for (int n = 2; n <= order_; ++n) {
    std::vector<Record>& records = records_[n - 1];
    if (std::none_of(records.begin(), records.end(),
                     [](const Record& r) { return std::isnan(r.log10_prob); })) {
      continue;
    }
    const PositionIndex<Record> lower_index(records_[n - 2], n - 1);
    for (Record& record : records) {
      if (!std::isnan(record.log10_prob)) continue;
      const Record* suffix = lower_index.Find(Suffix(record.words, n));
      const Record* prefix = lower_index.Find(Prefix(record.words, n));
      UNSPIN_CHECK(suffix != nullptr && prefix != nullptr);
      record.log10_prob = suffix->log10_prob + prefix->log10_backoff;
    }
  }
}

std::string NgramModelBuilder::Serialize() const {
  Normalize();
  Close();

  // Relevance: a prefix of a longer n-gram, or a non-zero back-off. Prefixes
  // of a sorted order are sorted, and by closure each is a record below.
  std::array<std::vector<bool>, kMaxOrder> relevant;
  for (int n = 1; n < order_; ++n) {
    const std::vector<Record>& records = records_[n - 1];
    relevant[n - 1].resize(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      relevant[n - 1][i] = records[i].log10_backoff != 0.0f;
    }
    size_t at = 0;
    for (const Record& longer : records_[n]) {
      Words prefix = Prefix(longer.words, n + 1);
      while (at < records.size() && WordsBefore(records[at].words, prefix)) ++at;
      UNSPIN_CHECK(at < records.size() && records[at].words == prefix);
      relevant[n - 1][at] = true;
    }
  }

  SectionHeader header{};
  header.format_version = kLmFormatVersion;
  header.order = static_cast<uint32_t>(order_);
  uint32_t max_word = ToIndex(kSentenceEnd);
  for (const Record& record : records_[0]) max_word = std::max(max_word, record.words[0]);
  header.unigram_slots = max_word + 1;
  header.ngram_count[0] = records_[0].size();

  // Codebooks first: with them the size is known up to fingerprint collisions
  // (which only drop records), so the section is written into one allocation.
  std::array<std::vector<float>, kMaxOrder> prob_codebooks, backoff_codebooks;
  uint64_t size_bound = kSectionHeaderBytes + sizeof(UnigramEntry) * header.unigram_slots;
  for (int n = 2; n <= order_; ++n) {
    const std::vector<Record>& records = records_[n - 1];
    UNSPIN_CHECK(records.size() < (uint64_t{1} << 32));
    std::vector<float> values(records.size());
    for (size_t i = 0; i < records.size(); ++i) values[i] = records[i].log10_prob;
    prob_codebooks[n - 1] = BuildCodebook(std::move(values));
    if (n < order_) {
      values.resize(records.size());
      for (size_t i = 0; i < records.size(); ++i) values[i] = records[i].log10_backoff;
      backoff_codebooks[n - 1] = BuildCodebook(std::move(values));
    }
    header.buckets[n - 1] = std::max<uint64_t>(1, records.size() / kNgramsPerBucket);
    header.prob_bins[n - 1] = static_cast<uint32_t>(prob_codebooks[n - 1].size());
    header.backoff_bins[n - 1] = static_cast<uint32_t>(backoff_codebooks[n - 1].size());
    uint32_t record_bytes = n < order_ ? kMiddleRecordBytes : kTopRecordBytes;
    size_bound += 4 * kArrayAlignment +
                  sizeof(float) * (prob_codebooks[n - 1].size() + backoff_codebooks[n - 1].size()) +
                  sizeof(uint32_t) * (header.buckets[n - 1] + 1) + record_bytes * records.size();
  }

  std::string out;
  out.reserve(size_bound + kArrayAlignment);
  out.append(reinterpret_cast<const char*>(&header), sizeof header);
  {
    std::vector<UnigramEntry> unigrams(header.unigram_slots, UnigramEntry{0, 0, 0});
    for (size_t i = 0; i < records_[0].size(); ++i) {
      const Record& record = records_[0][i];
      bool is_relevant = order_ >= 2 && relevant[0][i];
      unigrams[record.words[0]] =
          UnigramEntry{record.log10_prob, record.log10_backoff,
                       kUnigramPresent | (is_relevant ? kUnigramRelevant : 0)};
    }
    out.append(reinterpret_cast<const char*>(unigrams.data()),
               unigrams.size() * sizeof(UnigramEntry));
  }

  for (int n = 2; n <= order_; ++n) {
    const std::vector<Record>& records = records_[n - 1];
    const std::vector<float>& prob_codebook = prob_codebooks[n - 1];
    const std::vector<float>& backoff_codebook = backoff_codebooks[n - 1];
    const uint64_t buckets = header.buckets[n - 1];
    const uint32_t record_bytes = n < order_ ? kMiddleRecordBytes : kTopRecordBytes;
    // Records go to their bucket's group in position order (a counting sort by
    // bucket); bucket_first[b] is where group b starts.
    std::vector<uint32_t> bucket_of(records.size());
    std::vector<uint32_t> bucket_first(buckets + 1, 0);
    for (size_t i = 0; i < records.size(); ++i) {
      bucket_of[i] = static_cast<uint32_t>(BucketOf(HashOf(records[i].words, n), buckets));
      ++bucket_first[bucket_of[i] + 1];
    }
    for (uint64_t b = 0; b < buckets; ++b) bucket_first[b + 1] += bucket_first[b];

    AppendAligned(&out, prob_codebook.data(), prob_codebook.size() * sizeof(float));
    if (n < order_) {
      AppendAligned(&out, backoff_codebook.data(), backoff_codebook.size() * sizeof(float));
    }
    AppendAligned(&out, nullptr, 0);
    const size_t starts_offset = out.size();
    out.resize(starts_offset + sizeof(uint32_t) * (buckets + 1), '\0');
    AppendAligned(&out, nullptr, 0);
    const size_t records_offset = out.size();
    out.resize(records_offset + records.size() * record_bytes);
    char* const table = out.data() + records_offset;
    {
      const Encoder encode_prob(prob_codebook);
      const Encoder encode_backoff(backoff_codebook);  // empty and unused at the top order
      std::vector<uint32_t> fill(bucket_first.begin(), bucket_first.end() - 1);
      for (size_t i = 0; i < records.size(); ++i) {
        const Record& record = records[i];
        uint32_t key = FingerprintOf(HashOf(record.words, n)) |
                       (n < order_ && relevant[n - 1][i] ? kKeyRelevant : 0);
        uint16_t prob_code = encode_prob(record.log10_prob);
        char* bytes = table + uint64_t{fill[bucket_of[i]]++} * record_bytes;
        std::memcpy(bytes, &key, 4);
        std::memcpy(bytes + 4, &prob_code, 2);
        if (n < order_) {
          uint16_t backoff_code = encode_backoff(record.log10_backoff);
          std::memcpy(bytes + 6, &backoff_code, 2);
        }
      }
    }
    bucket_of = {};
    // Two n-grams of one bucket with equal fingerprints (about
    // count * kNgramsPerBucket / 2^32 per order): the first one written stays;
    // later records move up over the dropped ones.
    uint32_t stored = 0;
    for (uint64_t bucket = 0; bucket < buckets; ++bucket) {
      const uint32_t first_stored = stored;
      std::memcpy(out.data() + starts_offset + 4 * bucket, &stored, 4);
      for (uint32_t k = bucket_first[bucket]; k < bucket_first[bucket + 1]; ++k) {
        const char* bytes = table + uint64_t{k} * record_bytes;
        bool duplicate = false;
        for (uint32_t j = first_stored; j < stored && !duplicate; ++j) {
          duplicate =
              ((KeyAt(table + uint64_t{j} * record_bytes) ^ KeyAt(bytes)) & kFingerprintMask) == 0;
        }
        if (duplicate) continue;
        if (stored != k) std::memmove(table + uint64_t{stored} * record_bytes, bytes, record_bytes);
        ++stored;
      }
    }
    std::memcpy(out.data() + starts_offset + 4 * buckets, &stored, 4);
    out.resize(records_offset + uint64_t{stored} * record_bytes);
    header.ngram_count[n - 1] = stored;
  }
  std::memcpy(out.data(), &header, sizeof header);
  return out;
}

// ---------------------------------------------------------------- model

Result<NgramModel> NgramModel::Open(std::string_view section) {
  ByteSource source(section, "language model section");
  SectionHeader header;
  UNSPIN_RETURN_IF_ERROR(source.Get(&header));
  auto corrupt = [](const std::string& what) {
    return CorruptionError("language model section: " + what);
  };
  if (header.format_version != kLmFormatVersion) {
    return VersionMismatchError("language model section: format version " +
                                std::to_string(header.format_version) + ", this build reads " +
                                std::to_string(kLmFormatVersion) + "; rebuild the model");
  }
  if (header.order < 1 || header.order > static_cast<uint32_t>(kMaxOrder)) {
    return corrupt("bad order " + std::to_string(header.order));
  }
  if (header.unigram_slots <= ToIndex(kSentenceEnd) ||
      header.ngram_count[0] > header.unigram_slots) {
    return corrupt("bad unigram table size " + std::to_string(header.unigram_slots));
  }
  NgramModel model;
  model.order_ = static_cast<int>(header.order);
  model.unigram_slots_ = header.unigram_slots;
  model.counts_[0] = header.ngram_count[0];
  std::span<const UnigramEntry> unigrams;
  UNSPIN_RETURN_IF_ERROR(source.GetArray(header.unigram_slots, &unigrams));
  model.unigrams_ = unigrams.data();
  for (int n = 2; n <= kMaxOrder; ++n) {
    const uint64_t count = header.ngram_count[n - 1];
    const uint64_t buckets = header.buckets[n - 1];
    const uint32_t prob_bins = header.prob_bins[n - 1];
    const uint32_t backoff_bins = header.backoff_bins[n - 1];
    const std::string table = "order " + std::to_string(n) + " table: ";
    if (n > model.order_) {
      if (count != 0 || buckets != 0 || prob_bins != 0 || backoff_bins != 0) {
        return corrupt(table + "present beyond the model order");
      }
      continue;
    }
    if (count >= (uint64_t{1} << 32) || buckets < 1 || buckets >= (uint64_t{1} << 32) - 1) {
      return corrupt(table + std::to_string(count) + " n-grams in " + std::to_string(buckets) +
                     " buckets");
    }
    const bool top = n == model.order_;
    if (prob_bins < 1 || prob_bins > kMaxCodebookSize ||
        (top ? backoff_bins != 0 : backoff_bins < 1 || backoff_bins > kMaxCodebookSize)) {
      return corrupt(table + "codebook sizes " + std::to_string(prob_bins) + " and " +
                     std::to_string(backoff_bins));
    }
    Table& t = model.tables_[n - 1];
    std::span<const float> codebook;
    source.AlignTo(kArrayAlignment);
    UNSPIN_RETURN_IF_ERROR(source.GetArray(prob_bins, &codebook));
    t.prob_codebook = codebook.data();
    t.prob_last = prob_bins - 1;
    if (!top) {
      source.AlignTo(kArrayAlignment);
      UNSPIN_RETURN_IF_ERROR(source.GetArray(backoff_bins, &codebook));
      t.backoff_codebook = codebook.data();
      t.backoff_last = backoff_bins - 1;
    }
    std::span<const uint32_t> starts;
    source.AlignTo(kArrayAlignment);
    UNSPIN_RETURN_IF_ERROR(source.GetArray(buckets + 1, &starts));
    t.bucket_starts = starts.data();
    t.record_bytes = top ? kTopRecordBytes : kMiddleRecordBytes;
    std::span<const uint8_t> records;
    source.AlignTo(kArrayAlignment);
    UNSPIN_RETURN_IF_ERROR(source.GetArray(count * t.record_bytes, &records));
    t.records = records.data();
    t.count = count;
    t.buckets = buckets;
    model.counts_[n - 1] = count;
  }
  if (source.remaining() != 0) {
    return corrupt(std::to_string(source.remaining()) + " unexpected trailing bytes");
  }
  return model;
}

uint64_t NgramModel::NgramCount(int n) const { return n >= 1 && n <= order_ ? counts_[n - 1] : 0; }

LmState NgramModel::BeginSentence() const {
  LmState state;
  state.context[0] = kSentenceBegin;
  state.length = 1;
  return state;
}

LmState NgramModel::NullContext() const { return LmState(); }

// The word's unigram index: itself if present in the model, else <unk> (0).
inline uint32_t NgramModel::MapWord(WordId word) const {
  uint32_t w = ToIndex(word);
  return w < unigram_slots_ && (unigrams_[w].flags & kUnigramPresent) != 0 ? w : 0;
}

inline const uint8_t* NgramModel::Find(const Table& table, uint64_t hash, uint64_t begin,
                                       uint64_t end) {
  const uint32_t fingerprint = FingerprintOf(hash);
  for (uint64_t i = begin; i < end; ++i) {
    const uint8_t* record = table.records + i * table.record_bytes;
    uint32_t key;
    std::memcpy(&key, record, 4);
    if ((key & kFingerprintMask) == fingerprint) return record;
  }
  return nullptr;
}

namespace {

uint32_t KeyOfRecord(const uint8_t* record) {
  uint32_t key;
  std::memcpy(&key, record, 4);
  return key;
}
uint16_t CodeAt(const uint8_t* record, int offset) {
  uint16_t code;
  std::memcpy(&code, record + offset, 2);
  return code;
}

}  // namespace

// The lookups of one Score call. history[j] = the j-th most recent word; the
// n-gram "history[k-1]..history[0] w" has hash ngram_hash[k] and records
// [ngram_begin[k], ngram_end[k]), the context "history[k-1]..history[0]"
// context_hash[k] and [context_begin[k], context_end[k]). The bucket of a
// hash is kept in the begin array until LocateLookup reads its range.
struct NgramModel::Lookup {
  uint32_t word;
  int length;
  std::array<uint32_t, kMaxOrder - 1> history;
  std::array<uint64_t, kMaxOrder> ngram_hash, context_hash;
  std::array<uint64_t, kMaxOrder> ngram_begin, ngram_end, context_begin, context_end;
};

// First stage: hashes and buckets; prefetches the bucket starts.
inline void NgramModel::StartLookup(const LmState& in, WordId word, Lookup* lookup) const {
  Lookup& l = *lookup;
  l.word = MapWord(word);
  l.length = std::min<int>(in.length, order_ - 1);
  for (int j = 0; j < l.length; ++j) l.history[j] = MapWord(in.context[j]);
  l.ngram_hash[0] = HashFirst(l.word);
  for (int k = 1; k <= l.length; ++k) {
    l.ngram_hash[k] = HashExtend(l.ngram_hash[k - 1], l.history[k - 1]);
    const Table& table = tables_[k];
    l.ngram_begin[k] = BucketOf(l.ngram_hash[k], table.buckets);
    __builtin_prefetch(&table.bucket_starts[l.ngram_begin[k]]);
  }
  // The one-word context needs no lookup (its back-off is the unigram's): its
  // hash only starts the longer contexts' chain.
  if (l.length >= 2) l.context_hash[1] = HashFirst(l.history[0]);
  for (int k = 2; k <= l.length; ++k) {
    l.context_hash[k] = HashExtend(l.context_hash[k - 1], l.history[k - 1]);
    const Table& table = tables_[k - 1];
    l.context_begin[k] = BucketOf(l.context_hash[k], table.buckets);
    __builtin_prefetch(&table.bucket_starts[l.context_begin[k]]);
  }
}

// Second stage: the record ranges; prefetches the records.
inline void NgramModel::LocateLookup(Lookup* lookup) const {
  Lookup& l = *lookup;
  for (int k = 1; k <= l.length; ++k) {
    const Table& table = tables_[k];
    const uint64_t bucket = l.ngram_begin[k];
    l.ngram_begin[k] = table.bucket_starts[bucket];
    l.ngram_end[k] = std::min<uint64_t>(table.bucket_starts[bucket + 1], table.count);
    if (l.ngram_begin[k] < l.ngram_end[k]) {
      __builtin_prefetch(table.records + l.ngram_begin[k] * table.record_bytes);
    }
  }
  for (int k = 2; k <= l.length; ++k) {
    const Table& table = tables_[k - 1];
    const uint64_t bucket = l.context_begin[k];
    l.context_begin[k] = table.bucket_starts[bucket];
    l.context_end[k] = std::min<uint64_t>(table.bucket_starts[bucket + 1], table.count);
    if (l.context_begin[k] < l.context_end[k]) {
      __builtin_prefetch(table.records + l.context_begin[k] * table.record_bytes);
    }
  }
}

// Last stage: the score and the next state.
inline float NgramModel::FinishLookup(const Lookup& l, LmState* out) const {
  const UnigramEntry& unigram = unigrams_[l.word];
  // Longest match: by closure the matches form a chain from the unigram up.
  std::array<const uint8_t*, kMaxOrder> found{};
  int matched = 0;
  float log10_prob = unigram.log10_prob;
  for (int k = 1; k <= l.length; ++k) {
    const Table& table = tables_[k];
    const uint8_t* record = Find(table, l.ngram_hash[k], l.ngram_begin[k], l.ngram_end[k]);
    if (record == nullptr) break;
    found[k] = record;
    matched = k;
    log10_prob = table.prob_codebook[std::min<uint32_t>(CodeAt(record, 4), table.prob_last)];
  }
  for (int k = matched + 1; k <= l.length; ++k) {
    if (k == 1) {
      log10_prob += unigrams_[l.history[0]].log10_backoff;
      continue;
    }
    const Table& table = tables_[k - 1];
    if (const uint8_t* record =
            Find(table, l.context_hash[k], l.context_begin[k], l.context_end[k])) {
      log10_prob +=
          table.backoff_codebook[std::min<uint32_t>(CodeAt(record, 6), table.backoff_last)];
    }
  }

  // Minimal state: the longest matched n-gram (at most order - 1 words) that
  // can still change a later score.
  int keep = 0;
  for (int k = std::min(matched, order_ - 2); k >= 1; --k) {
    if ((KeyOfRecord(found[k]) & kKeyRelevant) != 0) {
      keep = k + 1;
      break;
    }
  }
  if (keep == 0 && order_ >= 2 && (unigram.flags & kUnigramRelevant) != 0) keep = 1;
  LmState next;
  next.length = static_cast<uint8_t>(keep);
  if (keep > 0) next.context[0] = WordId{l.word};
  for (int j = 1; j < keep; ++j) next.context[j] = WordId{l.history[j - 1]};
  *out = next;
  return log10_prob;
}

float NgramModel::Score(const LmState& in, WordId word, LmState* out) const {
  if (order_ == 0) {
    *out = LmState();
    return kLog10ProbFloor;
  }
  Lookup lookup;
  StartLookup(in, word, &lookup);
  LocateLookup(&lookup);
  return FinishLookup(lookup, out);
}

void NgramModel::ScoreBatch(std::span<const LmState> in, std::span<const WordId> words,
                            std::span<float> log10_probs, std::span<LmState> out) const {
  UNSPIN_CHECK(words.size() == in.size() && log10_probs.size() == in.size() &&
               out.size() == in.size());
  if (order_ == 0) {
    std::fill(log10_probs.begin(), log10_probs.end(), kLog10ProbFloor);
    std::fill(out.begin(), out.end(), LmState());
    return;
  }
  // A caller's batch often asks the same word after the same state more than
  // once (a checker's items share their first words and states): within a
  // window of items each distinct pair is looked up once and copied to the
  // others. Every state is read before its own item's result is written (a
  // window's pairs are all compared first), so out may alias in.
  constexpr size_t kWindow = 256;
  constexpr size_t kTableSlots = 2 * kWindow;  // open addressing, at most half full
  constexpr uint16_t kFree = 0xffff;
  std::array<uint16_t, kTableSlots> table;
  std::array<uint16_t, kWindow> first_of;  // the window item whose lookup answers item i
  std::array<uint16_t, kWindow> distinct;  // window items looked up, in order
  // Enough lookups in flight to hide memory latency, few enough to stay in L1.
  constexpr size_t kChunk = 16;
  std::array<Lookup, kChunk> lookups;
  for (size_t window = 0; window < in.size(); window += kWindow) {
    const size_t size = std::min(kWindow, in.size() - window);
    table.fill(kFree);
    size_t distinct_count = 0;
    for (size_t i = 0; i < size; ++i) {
      const LmState& state = in[window + i];
      const WordId word = words[window + i];
      size_t slot = (LmStateHash()(state) ^ (ToIndex(word) * 0x9e3779b97f4a7c15ULL)) % kTableSlots;
      while (table[slot] != kFree &&
             !(words[window + table[slot]] == word && in[window + table[slot]] == state)) {
        slot = (slot + 1) % kTableSlots;
      }
      if (table[slot] == kFree) {
        table[slot] = static_cast<uint16_t>(i);
        distinct[distinct_count++] = static_cast<uint16_t>(i);
      }
      first_of[i] = table[slot];
    }
    for (size_t begin = 0; begin < distinct_count; begin += kChunk) {
      const size_t count = std::min(kChunk, distinct_count - begin);
      for (size_t k = 0; k < count; ++k) {
        const size_t item = window + distinct[begin + k];
        StartLookup(in[item], words[item], &lookups[k]);
      }
      for (size_t k = 0; k < count; ++k) LocateLookup(&lookups[k]);
      for (size_t k = 0; k < count; ++k) {
        const size_t item = window + distinct[begin + k];
        log10_probs[item] = FinishLookup(lookups[k], &out[item]);
      }
    }
    if (distinct_count == size) continue;
    for (size_t i = 0; i < size; ++i) {
      if (first_of[i] == i) continue;
      log10_probs[window + i] = log10_probs[window + first_of[i]];
      out[window + i] = out[window + first_of[i]];
    }
  }
}

float NgramModel::EndSentenceScore(const LmState& in) const {
  LmState ignored;
  return Score(in, kSentenceEnd, &ignored);
}

float NgramModel::UnigramLog10Prob(WordId word) const {
  if (order_ == 0) return kLog10ProbFloor;
  return unigrams_[MapWord(word)].log10_prob;
}

}  // namespace unspin::lm
