// ChannelTableBuilder (counts, TSV, CHAN section) and ChannelLearner.
//
// Invariants: every row key holds phrases of lookup-key words joined by single
// spaces, the spun phrase 1..kMaxPhraseWords words, the original
// 0..kMaxPhraseWords; every count is positive.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>

#include "channel/layout.h"
#include "unspin/channel/channel.h"
#include "unspin/text/utf8.h"

namespace unspin::channel {
namespace {

constexpr uint32_t kSentenceBreak = std::numeric_limits<uint32_t>::max();
constexpr std::string_view kTsvHeader = "original\tspun\tcount";

std::string Join(std::span<const std::string> words) {
  std::string joined;
  for (const std::string& word : words) {
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

std::vector<std::string_view> SplitSpaces(std::string_view joined) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < joined.size()) {
    size_t end = joined.find(' ', start);
    if (end == std::string_view::npos) end = joined.size();
    words.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

Status CheckPhrase(std::span<const std::string> words, size_t min_words, std::string_view side) {
  if (words.size() < min_words || words.size() > kMaxPhraseWords) {
    return InvalidArgumentError(std::string(side) + " phrase has " + std::to_string(words.size()) +
                                " words; it must have " + std::to_string(min_words) + " to " +
                                std::to_string(kMaxPhraseWords));
  }
  for (const std::string& word : words) {
    if (word.empty() || word.find_first_of(" \t\r\n") != std::string::npos) {
      return InvalidArgumentError(std::string(side) + " phrase has an empty word or whitespace");
    }
  }
  return Status::Ok();
}

uint32_t SlotCountFor(size_t keys) {
  uint32_t slots = 1;
  while (slots <= keys * 2) slots *= 2;
  return slots;
}

}  // namespace

// ---------------------------------------------------------------------------
// ChannelTableBuilder

Status ChannelTableBuilder::Add(std::span<const std::string> original,
                                std::span<const std::string> spun, uint64_t count) {
  UNSPIN_RETURN_IF_ERROR(CheckPhrase(original, 0, "original"));
  UNSPIN_RETURN_IF_ERROR(CheckPhrase(spun, 1, "spun"));
  if (count == 0) return Status::Ok();
  uint64_t& total = rows_[{Join(original), Join(spun)}];
  total = total > std::numeric_limits<uint64_t>::max() - count
              ? std::numeric_limits<uint64_t>::max()
              : total + count;
  return Status::Ok();
}

Status ChannelTableBuilder::ReadTsv(std::string_view tsv, std::string_view name) {
  auto error = [&name](size_t line, const std::string& what) {
    return InvalidArgumentError(std::string(name) + ":" + std::to_string(line) + ": " + what);
  };
  size_t line_number = 0;
  bool first_row = true;
  size_t start = 0;
  while (start < tsv.size()) {
    size_t end = tsv.find('\n', start);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (first_row && line == kTsvHeader) {
      first_row = false;
      continue;
    }
    first_row = false;
    Status utf8 = text::ValidateUtf8(line);
    if (!utf8.ok()) return error(line_number, utf8.message());
    size_t tab1 = line.find('\t');
    size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos || line.find('\t', tab2 + 1) != std::string_view::npos) {
      return error(line_number, "expected 3 tab-separated fields: original, spun, count");
    }
    std::string_view count_text = line.substr(tab2 + 1);
    uint64_t count = 0;
    auto [ptr, ec] =
        std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    if (ec != std::errc() || ptr != count_text.data() + count_text.size() || count == 0) {
      return error(line_number,
                   "count \"" + std::string(count_text) + "\" is not a positive integer");
    }
    TextWords original = SplitWords(line.substr(0, tab1));
    TextWords spun = SplitWords(line.substr(tab1 + 1, tab2 - tab1 - 1));
    Status added = Add(original.keys, spun.keys, count);
    if (!added.ok()) return error(line_number, added.message());
  }
  return Status::Ok();
}

size_t ChannelTableBuilder::Prune(uint64_t min_count) {
  const size_t before = rows_.size();
  std::erase_if(rows_, [min_count](const auto& row) {
    return row.first.first != row.first.second && row.second < min_count;
  });
  DropOrphanedUnchangedRows();
  return before - rows_.size();
}

size_t ChannelTableBuilder::RetainRows(const std::function<bool(std::string_view)>& known) {
  const size_t before = rows_.size();
  // An empty original (the spinner inserted words) has no word to know.
  auto all_known = [&known](std::string_view phrase) {
    if (phrase.empty()) return true;
    size_t start = 0;
    while (start <= phrase.size()) {
      size_t end = std::min(phrase.find(' ', start), phrase.size());
      if (!known(phrase.substr(start, end - start))) return false;
      start = end + 1;
    }
    return true;
  };
  std::erase_if(rows_, [&all_known](const auto& row) {
    return !all_known(row.first.first) || !all_known(row.first.second);
  });
  DropOrphanedUnchangedRows();
  return before - rows_.size();
}

void ChannelTableBuilder::DropOrphanedUnchangedRows() {
  std::set<std::string_view> substituted;
  for (const auto& [key, count] : rows_) {
    if (key.first != key.second) substituted.insert(key.first);
  }
  std::erase_if(rows_, [&substituted](const auto& row) {
    return row.first.first == row.first.second && !substituted.contains(row.first.first);
  });
}

std::string ChannelTableBuilder::ToTsv() const {
  std::vector<const std::pair<const std::pair<std::string, std::string>, uint64_t>*> order;
  order.reserve(rows_.size());
  for (const auto& row : rows_) order.push_back(&row);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* x, const auto* y) { return x->second > y->second; });
  std::string tsv(kTsvHeader);
  tsv += '\n';
  for (const auto* row : order) {
    tsv += row->first.first;
    tsv += '\t';
    tsv += row->first.second;
    tsv += '\t';
    tsv += std::to_string(row->second);
    tsv += '\n';
  }
  return tsv;
}

size_t ChannelTableBuilder::substitution_count() const {
  return static_cast<size_t>(std::count_if(rows_.begin(), rows_.end(), [](const auto& row) {
    return row.first.first != row.first.second;
  }));
}

std::string ChannelTableBuilder::Serialize(VocabularyBuilder* vocabulary) const {
  std::map<std::string_view, uint64_t> totals;  // per original, unchanged rows included
  for (const auto& [key, count] : rows_) {
    uint64_t& total = totals[key.first];
    total = std::min(std::numeric_limits<uint64_t>::max() - count, total) + count;
  }
  struct Entry {
    std::string_view original;
    uint32_t count;
    float log10_prob;
  };
  std::map<std::string_view, std::vector<Entry>> by_spun;
  for (const auto& [key, count] : rows_) {
    if (key.first == key.second) continue;
    double p = static_cast<double>(count) / static_cast<double>(totals[key.first]);
    float log10_prob = std::max(kLog10ProbFloor, static_cast<float>(std::log10(p)));
    uint32_t stored =
        static_cast<uint32_t>(std::min<uint64_t>(count, std::numeric_limits<uint32_t>::max()));
    by_spun[key.second].push_back({key.first, stored, std::min(0.0f, log10_prob)});
  }

  std::vector<uint32_t> key_offsets{0}, key_words, entry_offsets{0}, original_words;
  std::vector<internal::EntryRecord> records;
  uint32_t max_spun_words = 0;
  for (auto& [spun, entries] : by_spun) {
    for (std::string_view word : SplitSpaces(spun)) {
      key_words.push_back(ToIndex(vocabulary->Intern(word)));
    }
    max_spun_words =
        std::max(max_spun_words, static_cast<uint32_t>(key_words.size() - key_offsets.back()));
    key_offsets.push_back(static_cast<uint32_t>(key_words.size()));
    std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
      return std::tuple(-x.log10_prob, -static_cast<int64_t>(x.count), x.original) <
             std::tuple(-y.log10_prob, -static_cast<int64_t>(y.count), y.original);
    });
    for (const Entry& entry : entries) {
      internal::EntryRecord record{};
      record.original_begin = static_cast<uint32_t>(original_words.size());
      for (std::string_view word : SplitSpaces(entry.original)) {
        original_words.push_back(ToIndex(vocabulary->Intern(word)));
      }
      record.original_end = static_cast<uint32_t>(original_words.size());
      record.log10_prob = entry.log10_prob;
      record.count = entry.count;
      records.push_back(record);
    }
    entry_offsets.push_back(static_cast<uint32_t>(records.size()));
  }

  const size_t phrase_count = by_spun.size();
  std::vector<uint32_t> slots(SlotCountFor(phrase_count), 0);
  const size_t mask = slots.size() - 1;
  for (size_t phrase = 0; phrase < phrase_count; ++phrase) {
    std::span<const WordId> words(
        reinterpret_cast<const WordId*>(key_words.data()) + key_offsets[phrase],
        key_offsets[phrase + 1] - key_offsets[phrase]);
    size_t slot = HashWordIds(words) & mask;
    while (slots[slot] != 0) slot = (slot + 1) & mask;
    slots[slot] = static_cast<uint32_t>(phrase + 1);
  }

  internal::ChannelHeader header{};
  header.layout_version = internal::kLayoutVersion;
  header.phrase_count = static_cast<uint32_t>(phrase_count);
  header.entry_count = static_cast<uint32_t>(records.size());
  header.key_word_total = static_cast<uint32_t>(key_words.size());
  header.original_word_total = static_cast<uint32_t>(original_words.size());
  header.slot_count = static_cast<uint32_t>(slots.size());
  header.word_id_limit = static_cast<uint32_t>(vocabulary->size());
  header.max_spun_words = max_spun_words;
  ByteSink sink;
  sink.Put(header);
  sink.PutArray(std::span<const uint32_t>(key_offsets));
  sink.PutArray(std::span<const uint32_t>(key_words));
  sink.PutArray(std::span<const uint32_t>(entry_offsets));
  sink.PutArray(std::span<const internal::EntryRecord>(records));
  sink.PutArray(std::span<const uint32_t>(original_words));
  sink.PutArray(std::span<const uint32_t>(slots));
  return sink.Take();
}

// ---------------------------------------------------------------------------
// ChannelLearner

void ChannelLearner::AddPair(std::string_view original, std::string_view spun, PairKind kind) {
  ++stats_.pairs;
  TextWords a = SplitWords(original);
  TextWords b = SplitWords(spun);
  std::vector<PhrasePair> found;
  if (a.keys == b.keys) {
    ++stats_.identical;
  } else {
    Result<std::vector<AlignStep>> steps = AlignWords(a.keys, b.keys, max_align_cells_);
    if (steps.ok()) {
      ExtractSubstitutions(a, b, *steps, &found, &stats_.regions, kind);
    } else {
      // Too long to align whole: align sentence by sentence when the copy
      // kept the sentence count, else give up on this pair.
      auto split = [](const TextWords& words) {
        std::vector<TextWords> sentences;
        for (size_t i = 0; i < words.keys.size(); ++i) {
          if (i == 0 || words.sentences[i] != words.sentences[i - 1]) sentences.emplace_back();
          sentences.back().keys.push_back(words.keys[i]);
          sentences.back().sentences.push_back(0);
        }
        return sentences;
      };
      std::vector<TextWords> sa = split(a), sb = split(b);
      if (sa.size() != sb.size()) return;
      for (size_t s = 0; s < sa.size(); ++s) {
        Result<std::vector<AlignStep>> part = AlignWords(sa[s].keys, sb[s].keys, max_align_cells_);
        if (part.ok()) ExtractSubstitutions(sa[s], sb[s], *part, &found, &stats_.regions, kind);
      }
    }
  }
  ++stats_.pairs_aligned;
  stats_.substitutions += found.size();
  for (PhrasePair& pair : found) ++substitutions_[std::move(pair)];
  for (size_t i = 0; i < a.keys.size(); ++i) {
    if (i > 0 && a.sentences[i] != a.sentences[i - 1]) original_words_.push_back(kSentenceBreak);
    auto it = word_ids_.find(a.keys[i]);
    if (it == word_ids_.end()) {
      it = word_ids_.emplace(a.keys[i], static_cast<uint32_t>(word_ids_.size())).first;
    }
    original_words_.push_back(it->second);
  }
  original_words_.push_back(kSentenceBreak);
}

ChannelTableBuilder ChannelLearner::Finish() {
  // Occurrences in the originals of every original phrase that was substituted.
  std::map<std::vector<uint32_t>, uint64_t> occurrences;
  std::map<std::vector<std::string>, uint64_t> substituted;  // per original: substitutions
  for (const auto& [pair, count] : substitutions_) {
    substituted[pair.original] += count;
    std::vector<uint32_t> ids;
    for (const std::string& word : pair.original) {
      auto it = word_ids_.find(word);
      if (it != word_ids_.end()) ids.push_back(it->second);
    }
    if (!ids.empty() && ids.size() == pair.original.size()) occurrences[std::move(ids)] = 0;
  }
  std::vector<uint32_t> window;
  for (size_t i = 0; i < original_words_.size(); ++i) {
    window.clear();
    for (size_t n = 0; n < kMaxPhraseWords && i + n < original_words_.size(); ++n) {
      if (original_words_[i + n] == kSentenceBreak) break;
      window.push_back(original_words_[i + n]);
      auto it = occurrences.find(window);
      if (it != occurrences.end()) ++it->second;
    }
  }
  std::vector<std::string> words_by_id(word_ids_.size());
  for (const auto& [word, id] : word_ids_) words_by_id[id] = word;

  ChannelTableBuilder table;
  for (const auto& [pair, count] : substitutions_) {
    Status status = table.Add(pair.original, pair.spun, count);
    UNSPIN_DCHECK(status.ok());
    (void)status;
  }
  for (const auto& [ids, seen] : occurrences) {
    std::vector<std::string> phrase;
    for (uint32_t id : ids) phrase.push_back(words_by_id[id]);
    uint64_t changed = substituted[phrase];
    if (seen > changed) {
      Status status = table.Add(phrase, phrase, seen - changed);
      UNSPIN_DCHECK(status.ok());
      (void)status;
    }
  }
  *this = ChannelLearner(max_align_cells_);
  return table;
}

}  // namespace unspin::channel
