// Interpolated modified Kneser-Ney estimation (Chen & Goodman 1998, "An
// empirical study of smoothing techniques for language modeling", TR-10-98,
// section 3.5), organised like KenLM's lmplz (Heafield et al. 2013, "Scalable
// modified Kneser-Ney language model estimation"): count the top-order
// windows, derive adjusted counts of the lower orders from them, compute the
// discounts, then the interpolated probabilities order by order.
//
// Invariants:
//   * entries of each order are sorted by packed value and distinct; the
//     order-N list holds the top-order windows (raw counts), the order-n list
//     (n < N) the windows of length n (they start with <s>: raw counts) merged
//     with the distinct suffixes of the order-(n+1) list (continuation counts:
//     a suffix never starts with <s>, so the two parts are disjoint).
//   * closure: the (n-1)-word prefix and suffix of every order-n entry are
//     entries of order n-1 (the prefix <s> is the unigram <s>, which has no
//     entry). The estimator relies on this to find every history's back-off
//     slot and every lower-order probability (checked: a miss is a bug).
//   * back-off form: for interpolated KN, p(w | h) for an unseen hw is exactly
//     γ(h) p(w | h'), so the back-off weight of h is γ(h) and the stored
//     probability of a seen n-gram is its interpolated p.
#include "unspin/lm/kneser_ney.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "unspin/base/check.h"

namespace unspin::lm {
namespace {

constexpr float kLog10ProbOfSentenceBegin = -99.0f;

PackedNgram WordMask(int words) {
  return (static_cast<PackedNgram>(1) << (kPackedWordBits * words)) - 1;
}

// The n-gram without its oldest word (n >= 2).
PackedNgram Suffix(PackedNgram packed, int n) {
  return (packed & WordMask(n - 1)) | (static_cast<PackedNgram>(n - 1) << kPackedLengthShift);
}

// The n-gram without its newest word (n >= 2).
PackedNgram Prefix(PackedNgram packed, int n) {
  return ((packed & WordMask(n)) >> kPackedWordBits) |
         (static_cast<PackedNgram>(n - 1) << kPackedLengthShift);
}

uint32_t LastWord(PackedNgram packed) { return static_cast<uint32_t>(packed) & kMaxPackedWord; }

struct Entry {
  PackedNgram key;
  uint32_t adjusted_count;
  float prob;  // interpolated probability (not log)
  float log10_backoff;
};

// Linear-probing index from packed n-gram to its position in a sorted list.
class EntryIndex {
 public:
  explicit EntryIndex(const std::vector<Entry>& entries) : entries_(entries) {
    uint64_t capacity = 16;
    while (capacity < 2 * entries.size()) capacity *= 2;
    mask_ = capacity - 1;
    slots_.assign(capacity, 0);
    for (size_t i = 0; i < entries.size(); ++i) {
      uint64_t slot = Hash(entries[i].key) & mask_;
      while (slots_[slot] != 0) slot = (slot + 1) & mask_;
      slots_[slot] = static_cast<uint32_t>(i + 1);
    }
  }

  // Position of `key`, or -1.
  int64_t Find(PackedNgram key) const {
    uint64_t slot = Hash(key) & mask_;
    while (slots_[slot] != 0) {
      uint32_t index = slots_[slot] - 1;
      if (entries_[index].key == key) return index;
      slot = (slot + 1) & mask_;
    }
    return -1;
  }

 private:
  static uint64_t Hash(PackedNgram key) {
    uint64_t low = static_cast<uint64_t>(key);
    uint64_t high = static_cast<uint64_t>(key >> 64);
    uint64_t hash =
        low * 0x9e3779b97f4a7c15ULL ^ (high + 0x632be59bd9b4e019ULL) * 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 32;
    hash *= 0x94d049bb133111ebULL;
    return hash ^ (hash >> 29);
  }

  const std::vector<Entry>& entries_;
  std::vector<uint32_t> slots_;  // position + 1; 0 = empty
  uint64_t mask_ = 0;
};

// Chen & Goodman's estimates from the count-of-counts t[k-1] = number of
// n-grams with adjusted count k, k = 1..4. False if a discount falls outside
// (0, k] or is undefined.
bool ComputeDiscounts(const std::array<uint64_t, 4>& t, std::array<double, 3>* discounts) {
  if (t[0] == 0 || t[1] == 0 || t[2] == 0) return false;
  double y =
      static_cast<double>(t[0]) / (static_cast<double>(t[0]) + 2.0 * static_cast<double>(t[1]));
  for (int k = 1; k <= 3; ++k) {
    double d = k - (k + 1) * y * static_cast<double>(t[k]) / static_cast<double>(t[k - 1]);
    if (!(d > 0 && d <= k)) return false;
    (*discounts)[k - 1] = d;
  }
  return true;
}

double Discount(const std::array<double, 3>& discounts, uint32_t count) {
  return discounts[std::min<uint32_t>(count, 3) - 1];
}

// Merges two sorted lists of distinct keys with their counts.
std::vector<Entry> MergeSorted(std::vector<Entry> a, std::vector<Entry> b) {
  std::vector<Entry> merged(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), merged.begin(),
             [](const Entry& x, const Entry& y) { return x.key < y.key; });
  return merged;
}

// Distinct suffixes of `entries` (order n) with the number of entries having
// each: the continuation counts N1+(· suffix).
std::vector<Entry> ContinuationCounts(const std::vector<Entry>& entries, int n) {
  std::vector<PackedNgram> suffixes;
  suffixes.reserve(entries.size());
  for (const Entry& entry : entries) suffixes.push_back(Suffix(entry.key, n));
  std::sort(suffixes.begin(), suffixes.end());
  std::vector<Entry> result;
  for (size_t i = 0; i < suffixes.size();) {
    size_t j = i + 1;
    while (j < suffixes.size() && suffixes[j] == suffixes[i]) ++j;
    result.push_back(Entry{suffixes[i], static_cast<uint32_t>(j - i), 0, 0});
    i = j;
  }
  return result;
}

// The probability of the n-gram `key` (length n) under the back-off model
// `entries` (with `indexes` over orders >= 2) and the unigram arrays.
double BackoffProb(PackedNgram key, int n, const std::array<std::vector<Entry>, kMaxOrder>& entries,
                   const std::array<std::unique_ptr<EntryIndex>, kMaxOrder>& indexes,
                   const std::vector<float>& unigram_prob,
                   const std::vector<float>& unigram_backoff) {
  double log10_backoff = 0;
  for (; n >= 2; --n) {
    int64_t at = indexes[n - 1]->Find(key);
    if (at >= 0) return entries[n - 1][at].prob * std::pow(10.0, log10_backoff);
    PackedNgram context = Prefix(key, n);
    if (n == 2) {
      log10_backoff += unigram_backoff[LastWord(context)];
    } else {
      int64_t context_at = indexes[n - 2]->Find(context);
      if (context_at >= 0) log10_backoff += entries[n - 2][context_at].log10_backoff;
    }
    key = Suffix(key, n);
  }
  return unigram_prob[LastWord(key)] * std::pow(10.0, log10_backoff);
}

// See KneserNeyOptions::prune_singletons. Orders 1 and 2 are never pruned.
void PruneSingletons(int order, const std::vector<float>& unigram_prob,
                     const std::vector<float>& unigram_backoff,
                     std::array<std::vector<Entry>, kMaxOrder>* entries) {
  if (order < 3) return;
  // Top down: keep non-singletons and the prefixes and suffixes of kept n-grams.
  std::vector<bool> needed((*entries)[order - 1].size(), false);
  for (int n = order; n >= 3; --n) {
    std::vector<Entry>& grams = (*entries)[n - 1];
    std::vector<Entry>& lower = (*entries)[n - 2];
    EntryIndex lower_index(lower);
    std::vector<bool> lower_needed(lower.size(), false);
    size_t kept = 0;
    for (size_t i = 0; i < grams.size(); ++i) {
      if (grams[i].adjusted_count <= 1 && !needed[i]) continue;
      for (PackedNgram part : {Prefix(grams[i].key, n), Suffix(grams[i].key, n)}) {
        int64_t at = lower_index.Find(part);
        if (at >= 0) lower_needed[at] = true;
      }
      grams[kept++] = grams[i];
    }
    grams.resize(kept);
    grams.shrink_to_fit();
    needed = std::move(lower_needed);
  }
  // Bottom up: back-off weights that renormalise each history over its kept words.
  std::array<std::unique_ptr<EntryIndex>, kMaxOrder> indexes;
  for (int n = 2; n <= order; ++n) indexes[n - 1] = std::make_unique<EntryIndex>((*entries)[n - 1]);
  for (int n = 3; n <= order; ++n) {
    std::vector<Entry>& grams = (*entries)[n - 1];
    std::vector<Entry>& contexts = (*entries)[n - 2];
    for (Entry& context : contexts) context.log10_backoff = 0;
    for (size_t begin = 0; begin < grams.size();) {
      PackedNgram history = Prefix(grams[begin].key, n);
      double kept_prob = 0, kept_lower_prob = 0;
      size_t end = begin;
      for (; end < grams.size() && Prefix(grams[end].key, n) == history; ++end) {
        kept_prob += grams[end].prob;
        kept_lower_prob += BackoffProb(Suffix(grams[end].key, n), n - 1, *entries, indexes,
                                       unigram_prob, unigram_backoff);
      }
      int64_t at = indexes[n - 2]->Find(history);
      UNSPIN_CHECK(at >= 0);
      double left = std::max(1.0 - kept_prob, 1e-12),
             lower_left = std::max(1.0 - kept_lower_prob, 1e-12);
      contexts[at].log10_backoff = static_cast<float>(std::log10(left / lower_left));
      begin = end;
    }
  }
}

}  // namespace

// ---------------------------------------------------------------- counting

// Run files: sorted distinct (window, count) records of 24 bytes (16-byte
// window, 8-byte count), written and read through buffers.

struct NgramCounter::Runs {
  struct Run {
    std::FILE* file = nullptr;
    uint64_t records = 0;
  };
  std::vector<Run> files;
  ~Runs() {
    for (Run& run : files) {
      if (run.file != nullptr) std::fclose(run.file);
    }
  }
};

namespace {

constexpr size_t kRunRecordBytes = 24;  // 16-byte window, 8-byte count, no padding

void PutRunRecord(const PackedNgram& window, uint64_t count, char* out) {
  std::memcpy(out, &window, 16);
  std::memcpy(out + 16, &count, 8);
}

// Reads one run sequentially.
class RunReader {
 public:
  RunReader(std::FILE* file, uint64_t records) : file_(file), left_(records) {}

  // Loads the next record; false at the end. Errors: IOError.
  Result<bool> Next() {
    if (left_ == 0) return false;
    if (at_ == filled_) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(left_, kBufferRecords));
      buffer_.resize(kBufferRecords * kRunRecordBytes);
      if (std::fread(buffer_.data(), kRunRecordBytes, want, file_) != want) {
        return IOError("counting run file: short read (was the temporary directory changed?)");
      }
      at_ = 0;
      filled_ = want;
    }
    std::memcpy(&window_, buffer_.data() + at_ * kRunRecordBytes, 16);
    std::memcpy(&count_, buffer_.data() + at_ * kRunRecordBytes + 16, 8);
    ++at_;
    --left_;
    return true;
  }
  const PackedNgram& window() const { return window_; }
  uint64_t count() const { return count_; }

 private:
  static constexpr size_t kBufferRecords = 1 << 15;  // 768 KB per run
  std::FILE* file_;
  uint64_t left_;
  std::vector<char> buffer_;
  size_t at_ = 0, filled_ = 0;
  PackedNgram window_ = 0;
  uint64_t count_ = 0;
};

}  // namespace

NgramCounter::NgramCounter(int order, CounterOptions options)
    : order_(order), options_(std::move(options)), runs_(std::make_unique<Runs>()) {
  if (options_.memory_bytes > 0) {
    buffer_limit_ = std::max<uint64_t>(256, options_.memory_bytes / sizeof(PackedNgram));
  }
}
NgramCounter::NgramCounter(NgramCounter&&) noexcept = default;
NgramCounter& NgramCounter::operator=(NgramCounter&&) noexcept = default;
NgramCounter::~NgramCounter() = default;

int NgramCounter::runs() const { return runs_ ? static_cast<int>(runs_->files.size()) : 0; }

Result<NgramCounter> NgramCounter::Create(int order, CounterOptions options) {
  if (order < kMinTrainOrder || order > kMaxTrainOrder) {
    return InvalidArgumentError("n-gram order " + std::to_string(order) + " is outside " +
                                std::to_string(kMinTrainOrder) + ".." +
                                std::to_string(kMaxTrainOrder));
  }
  return NgramCounter(order, std::move(options));
}

Status NgramCounter::Spill() {
  std::sort(windows_.begin(), windows_.end());
  std::string dir = options_.temp_dir;
  if (dir.empty()) {
    std::error_code error;
    dir = std::filesystem::temp_directory_path(error).string();
    if (error) dir = "/tmp";
  }
  std::string path = dir + "/unspin-lm-run-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return ErrnoError("cannot create a counting run file in " + dir, errno);
  ::unlink(path.c_str());
  std::FILE* file = ::fdopen(fd, "w+b");
  if (file == nullptr) {
    int saved = errno;
    ::close(fd);
    return ErrnoError("cannot open a counting run file in " + dir, saved);
  }
  runs_->files.push_back({file, 0});
  Runs::Run& run = runs_->files.back();
  std::vector<char> buffer;
  buffer.reserve(1 << 20);
  auto flush = [&]() -> Status {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), file) != buffer.size()) {
      return ErrnoError("cannot write a counting run file in " + dir, errno);
    }
    buffer.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < windows_.size();) {
    size_t j = i + 1;
    while (j < windows_.size() && windows_[j] == windows_[i]) ++j;
    buffer.resize(buffer.size() + kRunRecordBytes);
    PutRunRecord(windows_[i], j - i, buffer.data() + buffer.size() - kRunRecordBytes);
    ++run.records;
    if (buffer.size() >= (1 << 20)) UNSPIN_RETURN_IF_ERROR(flush());
    i = j;
  }
  UNSPIN_RETURN_IF_ERROR(flush());
  if (std::fflush(file) != 0) {
    return ErrnoError("cannot write a counting run file in " + dir, errno);
  }
  windows_.clear();
  return Status::Ok();
}

Status NgramCounter::AddSentence(std::span<const WordId> words) {
  if (words.empty()) return Status::Ok();
  for (WordId word : words) {
    if (word == kSentenceBegin || word == kSentenceEnd) {
      return InvalidArgumentError("a sentence passed to NgramCounter contains <s> or </s>");
    }
    if (ToIndex(word) > kMaxPackedWord) {
      return ResourceExhaustedError("word id " + std::to_string(ToIndex(word)) +
                                    " exceeds the counter's limit of " +
                                    std::to_string(kMaxPackedWord));
    }
  }
  if (buffer_limit_ > 0) {
    // Untouched capacity costs no memory; reserving avoids doubling past the budget.
    if (windows_.capacity() < buffer_limit_) windows_.reserve(buffer_limit_);
    if (windows_.size() + words.size() + 1 > buffer_limit_ && !windows_.empty()) {
      UNSPIN_RETURN_IF_ERROR(Spill());
    }
  }
  // Window ending at predicted position i of <s> w_1 .. w_k </s> (i = 1..k+1).
  std::array<WordId, kMaxOrder> window;
  size_t k = words.size();
  for (size_t i = 1; i <= k + 1; ++i) {
    size_t start = i + 1 >= static_cast<size_t>(order_) ? i + 1 - order_ : 0;
    int length = 0;
    for (size_t p = start; p <= i; ++p) {
      window[length++] = p == 0 ? kSentenceBegin : (p == k + 1 ? kSentenceEnd : words[p - 1]);
    }
    windows_.push_back(PackNgram(std::span<const WordId>(window.data(), length)));
  }
  tokens_ += k;
  ++sentences_;
  return Status::Ok();
}

Result<WindowCounts> NgramCounter::Finish() && {
  WindowCounts result;
  result.order = order_;
  result.tokens = tokens_;
  result.sentences = sentences_;
  if (runs_->files.empty()) {
    std::vector<PackedNgram> windows = std::move(windows_);
    std::sort(windows.begin(), windows.end());
    for (size_t i = 0; i < windows.size();) {
      size_t j = i + 1;
      while (j < windows.size() && windows[j] == windows[i]) ++j;
      result.windows.push_back(windows[i]);
      result.counts.push_back(j - i);
      i = j;
    }
    return result;
  }
  if (!windows_.empty()) UNSPIN_RETURN_IF_ERROR(Spill());
  windows_ = {};
  // k-way merge with a heap of (window, run).
  std::vector<RunReader> readers;
  for (Runs::Run& run : runs_->files) {
    if (std::fseek(run.file, 0, SEEK_SET) != 0) {
      return ErrnoError("cannot rewind a counting run file", errno);
    }
    readers.emplace_back(run.file, run.records);
  }
  using Head = std::pair<PackedNgram, size_t>;
  auto greater = [](const Head& a, const Head& b) { return a.first > b.first; };
  std::vector<Head> heap;
  for (size_t r = 0; r < readers.size(); ++r) {
    UNSPIN_ASSIGN_OR_RETURN(bool more, readers[r].Next());
    if (more) heap.emplace_back(readers[r].window(), r);
  }
  std::make_heap(heap.begin(), heap.end(), greater);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    auto [window, r] = heap.back();
    heap.pop_back();
    if (!result.windows.empty() && result.windows.back() == window) {
      result.counts.back() += readers[r].count();
    } else {
      result.windows.push_back(window);
      result.counts.push_back(readers[r].count());
    }
    UNSPIN_ASSIGN_OR_RETURN(bool more, readers[r].Next());
    if (more) {
      heap.emplace_back(readers[r].window(), r);
      std::push_heap(heap.begin(), heap.end(), greater);
    }
  }
  runs_ = std::make_unique<Runs>();  // closes (and so deletes) the run files
  return result;
}

// ---------------------------------------------------------------- estimation

void BackoffLm::AddTo(NgramModelBuilder* builder) const {
  for (int n = 1; n <= order; ++n) {
    for (const BackoffNgram& gram : ngrams[n - 1]) {
      builder->Add(std::span<const WordId>(gram.words.data(), n), gram.log10_prob,
                   gram.log10_backoff);
    }
  }
}

void BackoffLm::MoveTo(NgramModelBuilder* builder) && {
  for (int n = 1; n <= order; ++n) {
    for (const BackoffNgram& gram : ngrams[n - 1]) {
      builder->Add(std::span<const WordId>(gram.words.data(), n), gram.log10_prob,
                   gram.log10_backoff);
    }
    ngrams[n - 1] = {};
  }
  order = 0;
}

Result<BackoffLm> EstimateKneserNey(const WindowCounts& counts, size_t vocabulary_size,
                                    const KneserNeyOptions& options, KneserNeyReport* report) {
  const int order = counts.order;
  if (order < kMinTrainOrder || order > kMaxTrainOrder) {
    return InvalidArgumentError("n-gram order " + std::to_string(order) + " is outside " +
                                std::to_string(kMinTrainOrder) + ".." +
                                std::to_string(kMaxTrainOrder));
  }
  if (counts.windows.empty()) {
    return InvalidArgumentError("empty corpus: no sentence with a word to train on");
  }
  if (vocabulary_size < 3 || vocabulary_size > uint64_t{kMaxPackedWord} + 1) {
    return InvalidArgumentError("vocabulary size " + std::to_string(vocabulary_size) +
                                " is outside 3.." + std::to_string(uint64_t{kMaxPackedWord} + 1));
  }
  UNSPIN_CHECK(counts.windows.size() == counts.counts.size());
  KneserNeyReport local_report;
  if (report == nullptr) report = &local_report;
  *report = KneserNeyReport{};

  // Adjusted counts, top order down.
  std::array<std::vector<Entry>, kMaxOrder> entries;  // [n - 1]
  for (size_t i = 0; i < counts.windows.size(); ++i) {
    int length = PackedLength(counts.windows[i]);
    if (length < 2 || length > order) {
      return InvalidArgumentError("window of length " + std::to_string(length) +
                                  " in counts of order " + std::to_string(order));
    }
    for (int w = 0; w < length; ++w) {
      if (ToIndex(PackedWord(counts.windows[i], w)) >= vocabulary_size) {
        return InvalidArgumentError("word id in the counts exceeds the vocabulary size " +
                                    std::to_string(vocabulary_size));
      }
    }
    if (counts.counts[i] > std::numeric_limits<uint32_t>::max()) {
      return ResourceExhaustedError("an n-gram occurs more than 2^32 times");
    }
    entries[length - 1].push_back(
        Entry{counts.windows[i], static_cast<uint32_t>(counts.counts[i]), 0, 0});
  }
  for (int n = order; n >= 2; --n) {
    if (entries[n - 1].size() >= std::numeric_limits<uint32_t>::max()) {
      return ResourceExhaustedError("more than 2^32 n-grams of order " + std::to_string(n));
    }
    entries[n - 2] = MergeSorted(ContinuationCounts(entries[n - 1], n), std::move(entries[n - 2]));
  }

  // Discounts per order.
  std::array<std::array<double, 3>, kMaxOrder> discounts;
  for (int n = 1; n <= order; ++n) {
    std::array<uint64_t, 4> count_of_counts{};
    for (const Entry& entry : entries[n - 1]) {
      if (entry.adjusted_count <= 4) ++count_of_counts[entry.adjusted_count - 1];
    }
    if (!ComputeDiscounts(count_of_counts, &discounts[n - 1])) {
      discounts[n - 1] = options.fallback_discounts;
      report->used_fallback[n - 1] = true;
    }
    report->discounts[n - 1] = discounts[n - 1];
  }

  // Unigrams: interpolated with the uniform distribution over every word but <s>.
  std::vector<float> unigram_prob(vocabulary_size, 0.0f);
  std::vector<float> unigram_backoff(vocabulary_size, 0.0f);
  {
    double total = 0, discounted = 0;
    for (const Entry& entry : entries[0]) {
      total += entry.adjusted_count;
      discounted += Discount(discounts[0], entry.adjusted_count);
    }
    double uniform = discounted / total / static_cast<double>(vocabulary_size - 1);
    for (size_t w = 0; w < vocabulary_size; ++w) unigram_prob[w] = static_cast<float>(uniform);
    for (Entry& entry : entries[0]) {
      double p =
          (entry.adjusted_count - Discount(discounts[0], entry.adjusted_count)) / total + uniform;
      entry.prob = static_cast<float>(p);
      unigram_prob[LastWord(entry.key)] = entry.prob;
    }
  }

  // Higher orders, in groups of one history.
  for (int n = 2; n <= order; ++n) {
    std::vector<Entry>& grams = entries[n - 1];
    std::vector<Entry>& lower = entries[n - 2];
    EntryIndex lower_index(lower);
    const std::array<double, 3>& d = discounts[n - 1];
    for (size_t begin = 0; begin < grams.size();) {
      PackedNgram history = Prefix(grams[begin].key, n);
      size_t end = begin;
      double total = 0;
      std::array<double, 3> by_count{};  // N1, N2, N3+ of the history
      while (end < grams.size() && Prefix(grams[end].key, n) == history) {
        total += grams[end].adjusted_count;
        ++by_count[std::min<uint32_t>(grams[end].adjusted_count, 3) - 1];
        ++end;
      }
      double gamma = (d[0] * by_count[0] + d[1] * by_count[1] + d[2] * by_count[2]) / total;
      for (size_t i = begin; i < end; ++i) {
        Entry& entry = grams[i];
        double lower_prob;
        if (n == 2) {
          lower_prob = unigram_prob[LastWord(entry.key)];
        } else {
          int64_t at = lower_index.Find(Suffix(entry.key, n));
          UNSPIN_CHECK(at >= 0);
          lower_prob = lower[at].prob;
        }
        entry.prob =
            static_cast<float>((entry.adjusted_count - Discount(d, entry.adjusted_count)) / total +
                               gamma * lower_prob);
      }
      float log10_gamma = static_cast<float>(std::log10(gamma));
      if (n == 2) {
        unigram_backoff[LastWord(history)] = log10_gamma;
      } else {
        int64_t at = lower_index.Find(history);
        UNSPIN_CHECK(at >= 0);
        lower[at].log10_backoff = log10_gamma;
      }
      begin = end;
    }
  }

  if (options.prune_singletons) PruneSingletons(order, unigram_prob, unigram_backoff, &entries);

  BackoffLm lm;
  lm.order = order;
  lm.ngrams[0].resize(vocabulary_size);
  for (size_t w = 0; w < vocabulary_size; ++w) {
    BackoffNgram& gram = lm.ngrams[0][w];
    gram.words[0] = WordId{static_cast<uint32_t>(w)};
    gram.log10_prob = WordId{static_cast<uint32_t>(w)} == kSentenceBegin
                          ? kLog10ProbOfSentenceBegin
                          : std::log10(unigram_prob[w]);
    gram.log10_backoff = unigram_backoff[w];
  }
  entries[0] = {};
  for (int n = 2; n <= order; ++n) {
    std::vector<BackoffNgram>& out = lm.ngrams[n - 1];
    out.resize(entries[n - 1].size());
    for (size_t i = 0; i < out.size(); ++i) {
      const Entry& entry = entries[n - 1][i];
      for (int w = 0; w < n; ++w) out[i].words[w] = PackedWord(entry.key, w);
      out[i].log10_prob = std::log10(entry.prob);
      out[i].log10_backoff = n == order ? 0.0f : entry.log10_backoff;
    }
    entries[n - 1] = {};
  }
  for (int n = 1; n <= order; ++n) report->ngram_counts[n - 1] = lm.ngrams[n - 1].size();
  return lm;
}

}  // namespace unspin::lm
