// Reader of sphinxbase's binary trie LM (written by ngram_model_trie.c /
// lm_trie.c, a C port of KenLM's quantised trie, Heafield 2011). The layout is
// specified in docs/formats/lm.md, "Sphinx trie input".
//
// The trie is reversed: unigram w's `next` range lists the bigram entries
// "h1 w" (keyed by h1, sorted), each of which points to the trigrams
// "h2 h1 w", and so on. Walking every path from every unigram therefore
// enumerates every stored n-gram exactly once.
//
// Invariants checked while walking (Corruption otherwise): child ranges are
// non-decreasing and inside the next level; every word index is below the
// unigram count. Bit reads then stay inside their level's bytes, because each
// level holds entries + 1 records plus 8 bytes of padding.
#include "unspin/lm/sphinx_reader.h"

#include <array>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "unspin/base/check.h"
#include "unspin/base/file.h"

namespace unspin::lm {
namespace {

constexpr std::string_view kTrieMagic = "Trie Language Model";
constexpr int kQuantBits = 16;  // lm_trie_quant: prob and back-off codes
constexpr size_t kQuantBins = size_t{1} << kQuantBits;
constexpr double kSphinxLogBase = 1.0001;  // pocketsphinx's default -logbase

// Bits needed to store values 0..max_value.
int RequiredBits(uint64_t max_value) {
  int bits = 0;
  while (max_value != 0) {
    ++bits;
    max_value >>= 1;
  }
  return bits;
}

class Cursor {
 public:
  Cursor(std::string_view bytes, const std::string& path) : bytes_(bytes), path_(path) {}

  Status Take(uint64_t count, std::string_view what, std::string_view* out) {
    if (count > bytes_.size() - pos_) {
      return CorruptionError(path_ + ": truncated at byte " + std::to_string(pos_) + " reading " +
                             std::string(what) + " (wanted " + std::to_string(count) + " bytes, " +
                             std::to_string(bytes_.size() - pos_) + " left)");
    }
    *out = bytes_.substr(pos_, count);
    pos_ += count;
    return Status::Ok();
  }
  template <typename T>
  Status Get(std::string_view what, T* value) {
    std::string_view raw;
    UNSPIN_RETURN_IF_ERROR(Take(sizeof(T), what, &raw));
    std::memcpy(value, raw.data(), sizeof(T));
    return Status::Ok();
  }
  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  uint64_t pos_ = 0;
  const std::string& path_;
};

// One bit-packed level of the trie: order 2..order-1 ("middle": word, back-off
// code, prob code, child pointer) or the highest order ("longest": word, prob
// code).
struct Level {
  std::string_view bytes;
  uint64_t file_offset = 0;
  uint64_t entries = 0;
  int word_bits = 0;
  int pointer_bits = 0;  // 0 for the longest level
  int total_bits = 0;
  bool longest = false;
  const float* prob_bins = nullptr;
  const float* backoff_bins = nullptr;

  uint32_t Read(uint64_t bit_offset, int bits) const {
    uint64_t byte = bit_offset >> 3;
    UNSPIN_DCHECK(byte + 8 <= bytes.size());
    uint64_t word;
    std::memcpy(&word, bytes.data() + byte, 8);  // little-endian, like the writer
    return static_cast<uint32_t>((word >> (bit_offset & 7)) & ((uint64_t{1} << bits) - 1));
  }
};

uint64_t LevelBytes(uint64_t entries, int total_bits) {
  // entries + 1 records (the extra one ends the last child range), rounded up
  // to bytes, plus 8 bytes so 64-bit reads never run off the end.
  return ((entries + 1) * static_cast<uint64_t>(total_bits) + 7) / 8 + 8;
}

class TrieWalker {
 public:
  TrieWalker(const std::string& path, const std::vector<Level>& levels,
             const std::vector<WordId>& ids, NgramModelBuilder* builder)
      : path_(path), levels_(levels), ids_(ids), builder_(builder) {}

  // Visits entries [begin, end) of levels_[depth] (n-grams of order depth + 2)
  // below the path words_[0..depth] (word_[0] the newest word).
  Status Walk(size_t depth, uint64_t begin, uint64_t end) {
    const Level& level = levels_[depth];
    if (begin > end || end > level.entries) {
      return CorruptionError(path_ + ": bad child range [" + std::to_string(begin) + ", " +
                             std::to_string(end) + ") into the " + std::to_string(depth + 2) +
                             "-gram level of " + std::to_string(level.entries) +
                             " entries at byte " + std::to_string(level.file_offset));
    }
    const int order = static_cast<int>(depth) + 2;
    for (uint64_t entry = begin; entry < end; ++entry) {
      uint64_t bit = entry * static_cast<uint64_t>(level.total_bits);
      uint32_t word = level.Read(bit, level.word_bits);
      if (word >= ids_.size()) {
        return CorruptionError(path_ + ": word index " + std::to_string(word) +
                               " out of range in the " + std::to_string(order) +
                               "-gram level at byte " +
                               std::to_string(level.file_offset + bit / 8));
      }
      path_words_[depth + 1] = word;
      bit += static_cast<uint64_t>(level.word_bits);
      std::array<WordId, kMaxOrder> words;
      for (int i = 0; i < order; ++i) words[i] = ids_[path_words_[order - 1 - i]];
      std::span<const WordId> ngram(words.data(), static_cast<size_t>(order));
      if (level.longest) {
        float prob = level.prob_bins[level.Read(bit, kQuantBits)];
        builder_->Add(ngram, ToLog10(prob), 0.0f);
        continue;
      }
      float backoff = level.backoff_bins[level.Read(bit, kQuantBits)];
      float prob = level.prob_bins[level.Read(bit + kQuantBits, kQuantBits)];
      builder_->Add(ngram, ToLog10(prob), ToLog10(backoff));
      uint64_t child_bit = bit + 2 * kQuantBits;
      uint32_t child_begin = level.Read(child_bit, level.pointer_bits);
      uint32_t child_end =
          level.Read(child_bit + static_cast<uint64_t>(level.total_bits), level.pointer_bits);
      UNSPIN_RETURN_IF_ERROR(Walk(depth + 1, child_begin, child_end));
    }
    return Status::Ok();
  }

  void SetUnigram(uint32_t word) { path_words_[0] = word; }

  static float ToLog10(float sphinx_log) {
    static const double kLog10OfBase = std::log10(kSphinxLogBase);
    return static_cast<float>(static_cast<double>(sphinx_log) * kLog10OfBase);
  }

 private:
  const std::string& path_;
  const std::vector<Level>& levels_;
  const std::vector<WordId>& ids_;
  NgramModelBuilder* builder_;
  std::array<uint32_t, kMaxOrder> path_words_{};
};

std::string ToLowerAscii(std::string_view word) {
  std::string lower(word);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace

Result<NgramModelBuilder> ReadSphinxTrieLm(const std::string& path, VocabularyBuilder* vocab) {
  UNSPIN_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  Cursor cursor(file.bytes(), path);

  std::string_view magic;
  UNSPIN_RETURN_IF_ERROR(cursor.Take(kTrieMagic.size(), "the header", &magic));
  if (magic != kTrieMagic) {
    return CorruptionError(path + ": not a sphinxbase binary trie LM (no \"" +
                           std::string(kTrieMagic) + "\" header at byte 0)");
  }
  uint8_t order_byte = 0;
  UNSPIN_RETURN_IF_ERROR(cursor.Get("the order", &order_byte));
  const int order = order_byte;
  if (order < 1 || order > kMaxOrder) {
    return CorruptionError(path + ": unsupported order " + std::to_string(order) + " at byte " +
                           std::to_string(kTrieMagic.size()));
  }
  std::array<uint32_t, kMaxOrder> counts{};
  for (int n = 0; n < order; ++n) {
    UNSPIN_RETURN_IF_ERROR(cursor.Get("the n-gram counts", &counts[n]));
  }
  if (counts[0] == 0) return CorruptionError(path + ": no unigrams");

  // Quantisation tables: per middle order a prob and a back-off table, then
  // the highest order's prob table, 2^16 floats each.
  std::vector<float> bins;
  if (order > 1) {
    int32_t quant_type;  // written as a placeholder, ignored by sphinxbase too
    UNSPIN_RETURN_IF_ERROR(cursor.Get("the quantiser header", &quant_type));
    size_t tables = 2 * static_cast<size_t>(order - 2) + 1;
    std::string_view raw;
    UNSPIN_RETURN_IF_ERROR(
        cursor.Take(tables * kQuantBins * sizeof(float), "the quantisation tables", &raw));
    bins.resize(tables * kQuantBins);
    std::memcpy(bins.data(), raw.data(), raw.size());
  }

  // Unigrams: counts[0] + 1 records {f32 prob, f32 backoff, u32 next}.
  struct SphinxUnigram {
    float prob;
    float backoff;
    uint32_t next;
  };
  static_assert(sizeof(SphinxUnigram) == 12);
  std::vector<SphinxUnigram> unigrams(static_cast<size_t>(counts[0]) + 1);
  {
    std::string_view raw;
    UNSPIN_RETURN_IF_ERROR(
        cursor.Take(unigrams.size() * sizeof(SphinxUnigram), "the unigrams", &raw));
    std::memcpy(unigrams.data(), raw.data(), raw.size());
  }

  std::vector<Level> levels;
  const int word_bits = RequiredBits(counts[0]);
  for (int n = 2; n <= order; ++n) {
    Level level;
    level.entries = counts[n - 1];
    level.word_bits = word_bits;
    level.longest = n == order;
    level.pointer_bits = level.longest ? 0 : RequiredBits(counts[n]);
    level.total_bits =
        word_bits + (level.longest ? kQuantBits : 2 * kQuantBits) + level.pointer_bits;
    const float* tables = bins.data() + static_cast<size_t>(2 * (n - 2)) * kQuantBins;
    level.prob_bins = tables;
    level.backoff_bins = level.longest ? nullptr : tables + kQuantBins;
    level.file_offset = cursor.pos();
    UNSPIN_RETURN_IF_ERROR(cursor.Take(LevelBytes(level.entries, level.total_bits),
                                       "the " + std::to_string(n) + "-gram level", &level.bytes));
    levels.push_back(level);
  }

  // Word strings: i32 byte count, then counts[0] NUL-terminated words.
  int32_t string_bytes = 0;
  const uint64_t strings_offset = cursor.pos();
  UNSPIN_RETURN_IF_ERROR(cursor.Get("the word strings size", &string_bytes));
  if (string_bytes < 0) {
    return CorruptionError(path + ": negative word strings size at byte " +
                           std::to_string(strings_offset));
  }
  std::string_view strings;
  UNSPIN_RETURN_IF_ERROR(
      cursor.Take(static_cast<uint64_t>(string_bytes), "the word strings", &strings));
  if (cursor.remaining() != 0) {
    return CorruptionError(path + ": " + std::to_string(cursor.remaining()) +
                           " unexpected bytes after the word strings at byte " +
                           std::to_string(cursor.pos()));
  }
  std::vector<WordId> ids;
  ids.reserve(counts[0]);
  size_t start = 0;
  while (start < strings.size()) {
    size_t end = strings.find('\0', start);
    if (end == std::string_view::npos) break;
    ids.push_back(vocab->Intern(ToLowerAscii(strings.substr(start, end - start))));
    start = end + 1;
  }
  if (ids.size() != counts[0] || start != strings.size()) {
    return CorruptionError(path + ": the word strings at byte " + std::to_string(strings_offset) +
                           " hold " + std::to_string(ids.size()) + " words, the header says " +
                           std::to_string(counts[0]));
  }

  NgramModelBuilder builder(order);
  TrieWalker walker(path, levels, ids, &builder);
  for (uint32_t word = 0; word < counts[0]; ++word) {
    const SphinxUnigram& unigram = unigrams[word];
    std::array<WordId, 1> words{ids[word]};
    builder.Add(words, TrieWalker::ToLog10(unigram.prob),
                order > 1 ? TrieWalker::ToLog10(unigram.backoff) : 0.0f);
    if (order > 1) {
      walker.SetUnigram(word);
      UNSPIN_RETURN_IF_ERROR(walker.Walk(0, unigram.next, unigrams[word + 1].next));
    }
  }
  return builder;
}

}  // namespace unspin::lm
