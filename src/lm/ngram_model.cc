// Back-off n-gram model: builder and mapped view.
//
// Scoring is standard back-off (Katz 1987; the ARPA format): for history
// c_1..c_k (c_1 most recent) and word w, find the longest stored n-gram
// c_m..c_1 w; then log10 P = prob(c_m..c_1 w) + sum over j = m+1..k of
// backoff(c_j..c_1), a missing context contributing 0. Storage is one
// linear-probing hash table per order keyed by a 64-bit hash of the words
// (as in KenLM's probing model, Heafield 2011), unigrams a direct array.
//
// Invariants of a serialised section (established by Serialize, relied on by
// Score for speed, never for memory safety):
//   * closure: if an n-gram is stored, so are its (n-1)-word prefix and
//     suffix. Hence the matched n-grams of a history form an unbroken chain
//     and Score can stop at the first miss.
//   * <unk> (id 0) is a present unigram; unknown words score as <unk>.
//   * every table has at least one empty slot and every key is found within
//     max_probe steps of its home slot.
// Memory safety on any section Open() accepts: word ids are bounds-checked
// against unigram_slots, probe loops run at most max_probe + 1 < capacity
// steps, and slot indexes stay below capacity.
#include "unspin/lm/ngram_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "lm/layout.h"
#include "unspin/base/check.h"
#include "unspin/base/section_file.h"

namespace unspin::lm {

using internal::kKeyHashMask;
using internal::kKeyRelevant;
using internal::kUnigramPresent;
using internal::kUnigramRelevant;
using internal::NgramEntry;
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
  return records_[n - 1].size();
}

namespace {

struct Gram {
  Words words;
  float log10_prob;
  float log10_backoff;
  bool placeholder;  // added by the closure; prob computed later
  bool relevant;
};

bool WordsLess(const Gram& a, const Gram& b) { return WordsBefore(a.words, b.words); }

uint64_t HashOf(const Words& words, int n) {  // words oldest first
  uint64_t hash = HashFirst(words[n - 1]);
  for (int i = n - 2; i >= 0; --i) hash = HashExtend(hash, words[i]);
  return hash;
}

// Finds the grams of one order by their words in O(1) (the builder's hot
// lookup; binary search over millions of n-grams was the bottleneck). Keyed by
// the same 63-bit hash as the section tables.
class GramIndex {
 public:
  GramIndex(std::vector<Gram>& grams, int n) : grams_(grams), n_(n) {
    size_t capacity = 16;
    while (capacity < 2 * grams.size()) capacity *= 2;
    mask_ = capacity - 1;
    keys_.assign(capacity, 0);
    slots_.assign(capacity, 0);
    for (size_t i = 0; i < grams.size(); ++i) {
      uint64_t key = KeyOf(HashOf(grams[i].words, n));
      size_t slot = key & mask_;
      while (keys_[slot] != 0) slot = (slot + 1) & mask_;
      keys_[slot] = key;
      slots_[slot] = i;
    }
  }

  Gram* Find(const Words& words) const {
    uint64_t key = KeyOf(HashOf(words, n_));
    for (size_t slot = key & mask_; keys_[slot] != 0; slot = (slot + 1) & mask_) {
      if (keys_[slot] == key) return &grams_[slots_[slot]];
    }
    return nullptr;
  }

 private:
  std::vector<Gram>& grams_;
  int n_;
  size_t mask_;
  std::vector<uint64_t> keys_;
  std::vector<size_t> slots_;
};

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

// Adds, for every n-gram of order n >= 2, its missing prefix and suffix at
// order n - 1 as placeholders (highest order first, so placeholders are closed
// too), then gives each placeholder its backed-off probability and a zero
// back-off (lowest order first, so the (n-1)-grams it backs off to are final).
void Close(std::array<std::vector<Gram>, kMaxOrder>& grams, int order) {
  for (int n = order; n >= 2; --n) {
    std::vector<Gram>& lower = grams[n - 2];
    const GramIndex lower_index(lower, n - 1);
    std::vector<Gram> missing;
    for (const Gram& gram : grams[n - 1]) {
      for (const Words& part : {Prefix(gram.words, n), Suffix(gram.words, n)}) {
        if (lower_index.Find(part) == nullptr) missing.push_back(Gram{part, 0, 0, true, false});
      }
    }
    if (missing.empty()) continue;
    std::sort(missing.begin(), missing.end(), WordsLess);
    missing.erase(std::unique(missing.begin(), missing.end(),
                              [](const Gram& a, const Gram& b) { return a.words == b.words; }),
                  missing.end());
    size_t old_size = lower.size();
    lower.insert(lower.end(), missing.begin(), missing.end());
    std::inplace_merge(lower.begin(), lower.begin() + static_cast<ptrdiff_t>(old_size), lower.end(),
                       WordsLess);
  }
  // Unigram placeholders (a word seen only inside longer n-grams) get the
  // lowest unigram probability, like <unk>. Floor values (<s> carries -99 as
  // a placeholder: it is never predicted) are not probabilities of words.
  float lowest = std::numeric_limits<float>::infinity();
  for (const Gram& gram : grams[0]) {
    if (!gram.placeholder && gram.log10_prob > NgramModel::kLog10ProbFloor) {
      lowest = std::min(lowest, gram.log10_prob);
    }
  }
  if (lowest == std::numeric_limits<float>::infinity()) lowest = NgramModel::kLog10ProbFloor;
  if (grams[0].empty() || grams[0].front().words != Words{}) {  // <unk> = word 0 sorts first
    grams[0].insert(grams[0].begin(), Gram{Words{}, lowest, 0, false, false});
  }
  for (Gram& gram : grams[0]) {
    if (gram.placeholder) gram.log10_prob = lowest;
  }
  std::vector<GramIndex> indexes;  // [n - 1] for orders 1..order-1
  for (int n = 1; n < order; ++n) indexes.emplace_back(grams[n - 1], n);
  for (int n = 2; n <= order; ++n) {
    for (Gram& gram : grams[n - 1]) {
      if (!gram.placeholder) continue;
      const Gram* suffix = indexes[n - 2].Find(Suffix(gram.words, n));
      const Gram* prefix = indexes[n - 2].Find(Prefix(gram.words, n));
      UNSPIN_CHECK(suffix != nullptr && prefix != nullptr);
      gram.log10_prob = suffix->log10_prob + prefix->log10_backoff;
    }
  }
  // Relevance: a prefix of a longer n-gram, or a non-zero back-off.
  for (int n = 1; n < order; ++n) {
    for (Gram& gram : grams[n - 1]) gram.relevant = gram.log10_backoff != 0.0f;
    for (const Gram& longer : grams[n]) {
      Gram* prefix = indexes[n - 1].Find(Prefix(longer.words, n + 1));
      UNSPIN_CHECK(prefix != nullptr);
      prefix->relevant = true;
    }
  }
}

}  // namespace

std::string NgramModelBuilder::Serialize() const {
  Normalize();
  std::array<std::vector<Gram>, kMaxOrder> grams;
  for (int n = 1; n <= order_; ++n) {
    grams[n - 1].reserve(records_[n - 1].size());
    for (const Record& r : records_[n - 1]) {
      grams[n - 1].push_back(Gram{r.words, r.log10_prob, r.log10_backoff, false, false});
    }
  }
  Close(grams, order_);

  SectionHeader header{};
  header.format_version = kLmFormatVersion;
  header.order = static_cast<uint32_t>(order_);
  uint32_t max_word = ToIndex(kSentenceEnd);
  for (const Gram& gram : grams[0]) max_word = std::max(max_word, gram.words[0]);
  header.unigram_slots = max_word + 1;

  std::vector<UnigramEntry> unigrams(header.unigram_slots, UnigramEntry{0, 0, 0});
  for (const Gram& gram : grams[0]) {
    unigrams[gram.words[0]] =
        UnigramEntry{gram.log10_prob, gram.log10_backoff,
                     kUnigramPresent | (gram.relevant ? kUnigramRelevant : 0)};
  }
  header.ngram_count[0] = grams[0].size();

  std::array<std::vector<NgramEntry>, kMaxOrder> tables;
  for (int n = 2; n <= order_; ++n) {
    const std::vector<Gram>& order_grams = grams[n - 1];
    uint64_t capacity = order_grams.size() + order_grams.size() / 2 + 1;  // load <= 2/3
    std::vector<NgramEntry>& table = tables[n - 1];
    table.assign(capacity, NgramEntry{0, 0, 0});
    uint32_t max_probe = 0;
    for (const Gram& gram : order_grams) {
      uint64_t hash = HashOf(gram.words, n);
      uint64_t key = KeyOf(hash);
      uint64_t slot = HomeSlot(hash, capacity);
      uint32_t distance = 0;
      // A 63-bit hash collision between two n-grams (~n^2 / 2^64) keeps the first.
      while (table[slot].key != 0 && ((table[slot].key ^ key) & kKeyHashMask) != 0) {
        if (++slot == capacity) slot = 0;
        ++distance;
      }
      if (table[slot].key != 0) continue;
      table[slot] =
          NgramEntry{key | (gram.relevant ? kKeyRelevant : 0), gram.log10_prob, gram.log10_backoff};
      max_probe = std::max(max_probe, distance);
    }
    header.ngram_count[n - 1] = order_grams.size();
    header.capacity[n - 1] = capacity;
    header.max_probe[n - 1] = max_probe;
  }

  ByteSink sink;
  sink.Put(header);
  sink.PutArray(std::span<const UnigramEntry>(unigrams));
  for (int n = 2; n <= order_; ++n) {
    sink.AlignTo(kTableAlignment);
    sink.PutArray(std::span<const NgramEntry>(tables[n - 1]));
  }
  return sink.Take();
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
    return corrupt("unknown format version " + std::to_string(header.format_version) +
                   " (this build reads " + std::to_string(kLmFormatVersion) +
                   "); rebuild the model");
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
    uint64_t capacity = header.capacity[n - 1];
    uint64_t count = header.ngram_count[n - 1];
    uint32_t max_probe = header.max_probe[n - 1];
    if (n > model.order_) {
      if (capacity != 0 || count != 0 || max_probe != 0) {
        return corrupt("table of order " + std::to_string(n) + " beyond the model order");
      }
      continue;
    }
    if (count >= capacity || max_probe >= capacity) {
      return corrupt("order " + std::to_string(n) + " table: " + std::to_string(count) +
                     " n-grams, " + std::to_string(capacity) + " slots, max probe " +
                     std::to_string(max_probe));
    }
    source.AlignTo(kTableAlignment);
    std::span<const NgramEntry> entries;
    UNSPIN_RETURN_IF_ERROR(source.GetArray(capacity, &entries));
    model.tables_[n - 1] = Table{entries.data(), capacity, max_probe};
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

inline const NgramEntry* NgramModel::Find(const Table& table, uint64_t hash) const {
  const uint64_t key = KeyOf(hash);
  uint64_t slot = HomeSlot(hash, table.capacity);
  for (uint32_t step = 0; step <= table.max_probe; ++step) {
    const NgramEntry& entry = table.entries[slot];
    if (((entry.key ^ key) & kKeyHashMask) == 0) return &entry;
    if (entry.key == 0) return nullptr;
    if (++slot == table.capacity) slot = 0;
  }
  return nullptr;
}

float NgramModel::Score(const LmState& in, WordId word, LmState* out) const {
  if (order_ == 0) {
    *out = LmState();
    return kLog10ProbFloor;
  }
  const uint32_t w = MapWord(word);
  const UnigramEntry& unigram = unigrams_[w];

  // history[j] = the j-th most recent word; the n-gram "history[k-1]..history[0] w"
  // has hash ngram_hash[k], the context "history[k-1]..history[0]" context_hash[k].
  const int length = std::min<int>(in.length, order_ - 1);
  std::array<uint32_t, kMaxOrder - 1> history;
  for (int j = 0; j < length; ++j) history[j] = MapWord(in.context[j]);
  std::array<uint64_t, kMaxOrder> ngram_hash;
  std::array<uint64_t, kMaxOrder> context_hash;
  ngram_hash[0] = HashFirst(w);
  for (int k = 1; k <= length; ++k) {
    ngram_hash[k] = HashExtend(ngram_hash[k - 1], history[k - 1]);
    const Table& table = tables_[k];
    __builtin_prefetch(&table.entries[HomeSlot(ngram_hash[k], table.capacity)]);
  }
  if (length >= 1) context_hash[1] = HashFirst(history[0]);
  for (int k = 2; k <= length; ++k) {
    context_hash[k] = HashExtend(context_hash[k - 1], history[k - 1]);
    const Table& table = tables_[k - 1];
    __builtin_prefetch(&table.entries[HomeSlot(context_hash[k], table.capacity)]);
  }

  // Longest match: by closure the matches form a chain from the unigram up.
  std::array<const NgramEntry*, kMaxOrder> found{};
  int matched = 0;
  float log10_prob = unigram.log10_prob;
  for (int k = 1; k <= length; ++k) {
    const NgramEntry* entry = Find(tables_[k], ngram_hash[k]);
    if (entry == nullptr) break;
    found[k] = entry;
    matched = k;
    log10_prob = entry->log10_prob;
  }
  for (int k = matched + 1; k <= length; ++k) {
    if (k == 1) {
      log10_prob += unigrams_[history[0]].log10_backoff;
    } else if (const NgramEntry* entry = Find(tables_[k - 1], context_hash[k])) {
      log10_prob += entry->log10_backoff;
    }
  }

  // Minimal state: the longest matched n-gram (at most order - 1 words) that
  // can still change a later score.
  int keep = 0;
  for (int k = std::min(matched, order_ - 2); k >= 1; --k) {
    if ((found[k]->key & kKeyRelevant) != 0) {
      keep = k + 1;
      break;
    }
  }
  if (keep == 0 && order_ >= 2 && (unigram.flags & kUnigramRelevant) != 0) keep = 1;
  LmState next;
  next.length = static_cast<uint8_t>(keep);
  if (keep > 0) next.context[0] = WordId{w};
  for (int j = 1; j < keep; ++j) next.context[j] = WordId{history[j - 1]};
  *out = next;
  return log10_prob;
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
