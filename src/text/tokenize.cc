// Tokenizer, sentence splitter and quote pairing in one pass over the bytes
// plus one pass over the tokens. The rules are documented in docs/text.md.
// Character classes follow the Unicode general category (utf8proc); ASCII
// goes through a 256-entry table.
//
// Invariants:
// - Tokens are emitted in input order; tokens[k].end <= tokens[k+1].begin, and
//   every begin/end lies on a character boundary (or, for ill-formed input,
//   on the byte after a one-byte replacement token).
// - Exactly one sentence is open while tokens are emitted; sentences[s]
//   covers tokens [first_token, first_token + token_count) and every token's
//   `sentence` field names the sentence that holds it.
// - The quote stack holds token indices of unclosed opening quotes,
//   innermost last; an unclosed quote is closed at the end of its paragraph
//   (or of its enclosing quote), or dropped when it is the paragraph's last token.
// - No allocation per token: only the result vectors (reserved up front) and
//   two small bookkeeping vectors grow.
#include "unspin/text/tokenize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "unspin/base/check.h"
#include "utf8_internal.h"

namespace unspin::text {
namespace {

using internal::DecodeUtf8;

// ---- Character classes ----------------------------------------------------

enum : uint8_t {
  kLetter = 1 << 0,
  kDigit = 1 << 1,
  kSpace = 1 << 2,  // horizontal whitespace (and CR, see below)
  kNewline = 1 << 3,
  kPunct = 1 << 4,
  kSymbol = 1 << 5,
  kControl = 1 << 6,  // ignored: belongs to no token, is not whitespace
  kHigh = 1 << 7,     // first byte of a multi-byte character (or ill-formed)
  kAlnum = kLetter | kDigit,
};

constexpr std::array<uint8_t, 256> MakeAsciiTable() {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    uint8_t cls = 0;
    if (c >= 0x80) {
      cls = kHigh;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      cls = kLetter;
    } else if (c >= '0' && c <= '9') {
      cls = kDigit;
    } else if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r') {
      cls = kSpace;
    } else if (c == '\n') {
      cls = kNewline;
    } else if (c < 0x20 || c == 0x7F) {
      cls = kControl;
    } else if (c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' || c == '`' ||
               c == '|' || c == '~') {
      cls = kSymbol;  // Unicode Sc, Sm, Sk
    } else {
      cls = kPunct;  // ! " # % & ' ( ) * , - . / : ; ? @ [ \ ] _ { }
    }
    table[static_cast<size_t>(c)] = cls;
  }
  return table;
}

constexpr std::array<uint8_t, 256> kAscii = MakeAsciiTable();

enum class CharClass : uint8_t {
  kWordStart,
  kWordOnly,
  kSpace,
  kNewline,
  kPunct,
  kSymbol,
  kIgnore
};

// Classifies a non-ASCII code point by its Unicode general category.
CharClass ClassifyHigh(char32_t cp) {
  if (cp == 0x0085) return CharClass::kNewline;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kWordStart;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return CharClass::kWordOnly;  // combining mark: continues a word
    case UTF8PROC_CATEGORY_ZS:
      return CharClass::kSpace;
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return CharClass::kNewline;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return CharClass::kPunct;
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
      return CharClass::kIgnore;  // C1 controls; format characters outside words
    default:
      return CharClass::kSymbol;  // S*, Co, Cn, Cs
  }
}

bool IsHighLetter(char32_t cp) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return true;
    default:
      return false;
  }
}

bool IsHighUpper(char32_t cp) {
  const utf8proc_category_t cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

constexpr char32_t kRightSingleQuote = 0x2019;  // ’, also the typographic apostrophe

// ---- Abbreviations --------------------------------------------------------

// Followed by '.', never end a sentence ("Mr. Smith", "Dr. No").
constexpr std::string_view kTitleAbbreviations[] = {
    "mr",  "mrs",  "ms",  "dr",     "prof", "gen",  "gov",  "sen",  "rep",  "lt",
    "col", "capt", "sgt", "adm",    "maj",  "cmdr", "rev",  "hon",  "pres", "st",
    "mt",  "ft",   "vs",  "messrs", "supt", "gens", "reps", "sens", "cf"};
// Followed by '.', end a sentence only before a typical sentence opener
// ("Apple Inc. The company" vs "Jan. 5"). Abbreviations with internal periods
// ("U.S.", "e.g.") are treated the same way.
constexpr std::string_view kWeakAbbreviations[] = {
    "jan", "feb",    "mar",  "apr",  "jun", "jul",  "aug", "sep", "sept", "oct", "nov",
    "dec", "inc",    "corp", "co",   "ltd", "bros", "jr",  "sr",  "no",   "nos", "etc",
    "al",  "approx", "dept", "univ", "est", "fig",  "vol", "ave", "blvd", "rd"};
// Words that, capitalised, typically open a sentence.
constexpr std::string_view kSentenceOpeners[] = {
    "The",   "A",         "An",     "In",    "It",     "He",        "She",     "They",      "We",
    "I",     "This",      "That",   "These", "Those",  "But",       "And",     "Its",       "His",
    "Her",   "Their",     "There",  "On",    "At",     "As",        "If",      "When",      "While",
    "So",    "Yet",       "For",    "After", "Before", "Although",  "However", "Meanwhile", "Still",
    "Both",  "Some",      "Many",   "Most",  "Our",    "My",        "You",     "What",      "Why",
    "How",   "Now",       "Then",   "Also",  "One",    "Officials", "Earlier", "Last",      "Since",
    "Under", "According", "Despite"};

bool EqualsLower(std::string_view bytes, std::string_view lower) {
  if (bytes.size() != lower.size()) return false;
  for (size_t k = 0; k < bytes.size(); ++k) {
    const auto c = static_cast<unsigned char>(bytes[k]);
    const unsigned folded = static_cast<unsigned>(c - 'A') < 26u ? c + ('a' - 'A') : c;
    if (folded != static_cast<unsigned char>(lower[k])) return false;
  }
  return true;
}

template <size_t N>
bool InLowerList(std::string_view bytes, const std::string_view (&list)[N]) {
  if (bytes.size() > 6) return false;
  for (std::string_view entry : list) {
    if (EqualsLower(bytes, entry)) return true;
  }
  return false;
}

// ---- Tokenizer --------------------------------------------------------------

// What the tokens emitted so far say about a sentence end.
enum class EndState : uint8_t {
  kNone,      // mid-sentence
  kStart,     // no token yet
  kTerminal,  // after . ! ? ... (and closing quotes/brackets)
  kWeak,      // after "Inc." or "U.S.": ends only before a sentence opener
  kTitle,     // after "Mr." or an initial "J.": never ends here
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view input)
      : input_(input), p_(reinterpret_cast<const unsigned char*>(input.data())), n_(input.size()) {}

  TokenizedText Run();

 private:
  void ScanAll();
  size_t ScanWord(size_t i, bool* has_letter) const;
  size_t MatchAbbreviation(size_t i) const;
  bool LetterAt(size_t j) const;
  bool WordCharAt(size_t j) const;
  // Appends a token; the common case (mid-sentence, no line break) stays inline.
  void Emit(size_t begin, size_t end, TokenKind kind) {
    Token token{static_cast<uint32_t>(begin), static_cast<uint32_t>(end), kind, space_, false, 0};
    if (newlines_ != 0 || end_state_ != EndState::kNone) BreakSentenceIfNeeded(token);
    token.sentence = sentence_;
    out_.tokens.push_back(token);
    if (kind == TokenKind::kWord) {
      end_state_ = p_[end - 1] == '.' ? EndState::kWeak : EndState::kNone;  // "U.S."
    } else {
      UpdateEndState(token);
    }
    space_ = false;
    newlines_ = 0;
  }
  void BreakSentenceIfNeeded(const Token& token);
  bool StartsSentence(const Token& token) const;
  bool IsOpener(const Token& token) const;
  void UpdateEndState(const Token& token);
  void CloseSentence();
  void PairQuotes();

  std::string_view Bytes(const Token& t) const { return input_.substr(t.begin, t.end - t.begin); }

  std::string_view input_;
  const unsigned char* p_;
  size_t n_;
  TokenizedText out_;

  // Gap state since the previous token.
  bool space_ = false;
  uint32_t newlines_ = 0;
  EndState end_state_ = EndState::kStart;
  uint32_t sentence_ = 0;                   // index of the open sentence
  std::vector<uint32_t> paragraph_starts_;  // token indices that start a paragraph (not 0)
};

TokenizedText Tokenizer::Run() {
  UNSPIN_CHECK(n_ < (uint64_t{1} << 32));
  out_.tokens.reserve(n_ / 4 + 16);
  out_.sentences.reserve(n_ / 64 + 4);
  ScanAll();
  if (!out_.tokens.empty()) CloseSentence();
  PairQuotes();
  return std::move(out_);
}

bool Tokenizer::LetterAt(size_t j) const {
  if (j >= n_) return false;
  const unsigned char c = p_[j];
  if (c < 0x80) return (kAscii[c] & kLetter) != 0;
  internal::Decoded d = DecodeUtf8(p_ + j, n_ - j);
  return d.valid && IsHighLetter(d.code_point);
}

bool Tokenizer::WordCharAt(size_t j) const {
  if (j >= n_) return false;
  const unsigned char c = p_[j];
  if (c < 0x80) return (kAscii[c] & kAlnum) != 0;
  internal::Decoded d = DecodeUtf8(p_ + j, n_ - j);
  if (!d.valid) return false;
  CharClass cls = ClassifyHigh(d.code_point);
  return cls == CharClass::kWordStart || cls == CharClass::kWordOnly;
}

// Matches an abbreviation with internal periods at i: [A-Za-z]{1,2}(\.[A-Za-z]{1,2})+\.
// ("U.S.", "e.g.", "Ph.D.") or single letters without the final period ("U.S").
// Returns the end offset, or 0 for no match.
size_t Tokenizer::MatchAbbreviation(size_t i) const {
  auto letter = [&](size_t j) { return j < n_ && (kAscii[p_[j]] & kLetter) != 0; };
  size_t j = i;
  size_t segments = 0;
  bool all_single = true;
  while (true) {
    size_t seg = j;
    while (letter(j) && j - seg < 3) ++j;
    const size_t len = j - seg;
    if (len == 0 || len > 2) break;
    if (len == 2) all_single = false;
    ++segments;
    if (j < n_ && p_[j] == '.') {
      ++j;
      if (!letter(j)) return segments >= 2 ? j : 0;  // final period included
      continue;
    }
    // Segment without a final period.
    if (segments >= 2 && all_single && !WordCharAt(j)) return j;
    return 0;
  }
  return 0;
}

// Scans a word or number starting at i (a word character). Returns its end.
size_t Tokenizer::ScanWord(size_t i, bool* has_letter) const {
  const bool period_soon = (i + 1 < n_ && p_[i + 1] == '.') || (i + 2 < n_ && p_[i + 2] == '.');
  if (period_soon && (kAscii[p_[i]] & kLetter) != 0) {
    const size_t abbreviation_end = MatchAbbreviation(i);
    if (abbreviation_end != 0) {
      *has_letter = true;
      return abbreviation_end;
    }
  }
  uint8_t seen = 0;  // union of the ASCII classes in the word
  bool letters = false;
  size_t j = i;
  while (j < n_) {
    uint8_t cls;
    while ((cls = kAscii[p_[j]]) & kAlnum) {  // hot loop: ASCII letters and digits
      seen |= cls;
      if (++j == n_) break;
    }
    if (j == n_) break;
    const unsigned char c = p_[j];
    if (c == '\'') {
      if (LetterAt(j + 1)) {
        ++j;
        continue;
      }
      break;
    }
    if (c == '.' || c == ',') {
      // Decimal point or thousands separator between digits.
      if ((kAscii[p_[j - 1]] & kDigit) != 0 && j + 1 < n_ && (kAscii[p_[j + 1]] & kDigit) != 0) {
        ++j;
        continue;
      }
      break;
    }
    if (c < 0x80) break;
    internal::Decoded d = DecodeUtf8(p_ + j, n_ - j);
    if (!d.valid) break;
    if (d.code_point == kRightSingleQuote) {
      if (LetterAt(j + d.length)) {
        j += d.length;
        continue;
      }
      break;
    }
    const utf8proc_category_t cat = utf8proc_category(static_cast<utf8proc_int32_t>(d.code_point));
    switch (cat) {
      case UTF8PROC_CATEGORY_LU:
      case UTF8PROC_CATEGORY_LL:
      case UTF8PROC_CATEGORY_LT:
      case UTF8PROC_CATEGORY_LM:
      case UTF8PROC_CATEGORY_LO:
      case UTF8PROC_CATEGORY_NL:
      case UTF8PROC_CATEGORY_NO:
      case UTF8PROC_CATEGORY_MN:
      case UTF8PROC_CATEGORY_MC:
      case UTF8PROC_CATEGORY_ME:
        letters = true;
        j += d.length;
        continue;
      case UTF8PROC_CATEGORY_ND:
        j += d.length;
        continue;
      case UTF8PROC_CATEGORY_CF:
        // Soft hyphen, zero-width joiner, ...: inside a word only.
        if (WordCharAt(j + d.length)) {
          j += d.length;
          continue;
        }
        break;
      default:
        break;
    }
    break;
  }
  *has_letter = letters || (seen & kLetter) != 0;
  return j;
}

void Tokenizer::ScanAll() {
  size_t i = 0;
  while (i < n_) {
    const unsigned char c = p_[i];
    const uint8_t cls = kAscii[c];
    if ((cls & kAlnum) != 0) {
      bool has_letter = false;
      const size_t end = ScanWord(i, &has_letter);
      Emit(i, end, has_letter ? TokenKind::kWord : TokenKind::kNumber);
      i = end;
    } else if ((cls & kSpace) != 0) {
      space_ = true;
      // A lone CR (old Mac line end) is a line break; CRLF counts once, at LF.
      if (c == '\r' && (i + 1 >= n_ || p_[i + 1] != '\n')) ++newlines_;
      ++i;
    } else if ((cls & kNewline) != 0) {
      space_ = true;
      ++newlines_;
      ++i;
    } else if ((cls & kPunct) != 0) {
      size_t end = i + 1;
      if (c == '.') {
        while (end < n_ && p_[end] == '.') ++end;  // ".." and "..." stay whole
      }
      Emit(i, end, TokenKind::kPunctuation);
      i = end;
    } else if ((cls & kSymbol) != 0) {
      Emit(i, i + 1, TokenKind::kSymbol);
      ++i;
    } else if ((cls & kControl) != 0) {
      ++i;
    } else {
      internal::Decoded d = DecodeUtf8(p_ + i, n_ - i);
      if (!d.valid) {
        Emit(i, i + 1, TokenKind::kSymbol);
        ++i;
        continue;
      }
      switch (ClassifyHigh(d.code_point)) {
        case CharClass::kWordStart:
        case CharClass::kWordOnly: {
          bool has_letter = false;
          size_t end = ScanWord(i, &has_letter);
          if (end == i) end = i + d.length;  // defensive: always progress
          Emit(i, end, has_letter ? TokenKind::kWord : TokenKind::kNumber);
          i = end;
          break;
        }
        case CharClass::kSpace:
          space_ = true;
          i += d.length;
          break;
        case CharClass::kNewline:
          space_ = true;
          ++newlines_;
          i += d.length;
          break;
        case CharClass::kPunct:
          Emit(i, i + d.length, TokenKind::kPunctuation);
          i += d.length;
          break;
        case CharClass::kSymbol:
          Emit(i, i + d.length, TokenKind::kSymbol);
          i += d.length;
          break;
        case CharClass::kIgnore:
          i += d.length;
          break;
      }
    }
  }
}

// First character is an uppercase letter, a digit, or an opening quote or bracket.
bool Tokenizer::StartsSentence(const Token& token) const {
  const unsigned char c = p_[token.begin];
  if (c < 0x80) {
    return (c >= 'A' && c <= 'Z') || (kAscii[c] & kDigit) != 0 || c == '"' || c == '\'' ||
           c == '(' || c == '[';
  }
  internal::Decoded d = DecodeUtf8(p_ + token.begin, n_ - token.begin);
  if (!d.valid) return false;
  const char32_t cp = d.code_point;
  if (cp == 0x201C || cp == 0x2018 || cp == 0x201E || cp == 0x00AB) return true;
  if (token.kind == TokenKind::kNumber) return true;
  return IsHighUpper(cp);
}

bool Tokenizer::IsOpener(const Token& token) const {
  const std::string_view bytes = Bytes(token);
  if (token.kind == TokenKind::kPunctuation) return StartsSentence(token);  // opening quote
  for (std::string_view opener : kSentenceOpeners) {
    if (bytes == opener) return true;
  }
  return false;
}

void Tokenizer::CloseSentence() {
  Sentence& s = out_.sentences.back();
  s.token_count = static_cast<uint32_t>(out_.tokens.size()) - s.first_token;
  s.end = out_.tokens.back().end;
}

void Tokenizer::BreakSentenceIfNeeded(const Token& token) {
  if (end_state_ == EndState::kStart) {
    out_.sentences.push_back({token.begin, token.end, 0, 0});
    end_state_ = EndState::kNone;
    return;
  }
  bool new_sentence = false;
  bool new_paragraph = false;
  if (newlines_ >= 2) {
    new_sentence = new_paragraph = true;  // blank line
  } else if (newlines_ == 1) {
    // A line break before a capitalised line ends the sentence (headlines,
    // captions) unless the line ended with "Mr." or an initial.
    new_sentence = new_paragraph = end_state_ != EndState::kTitle && StartsSentence(token);
  } else if (space_ && end_state_ == EndState::kTerminal) {
    new_sentence = StartsSentence(token);
  } else if (space_ && end_state_ == EndState::kWeak) {
    new_sentence = IsOpener(token);
  }
  if (new_sentence) {
    CloseSentence();
    if (new_paragraph) paragraph_starts_.push_back(static_cast<uint32_t>(out_.tokens.size()));
    out_.sentences.push_back(
        {token.begin, token.end, static_cast<uint32_t>(out_.tokens.size()), 0});
    ++sentence_;
  }
}

// After a token that is not a word.
void Tokenizer::UpdateEndState(const Token& token) {
  if (token.kind != TokenKind::kPunctuation) {
    end_state_ = EndState::kNone;
    return;
  }
  const unsigned char c = p_[token.begin];
  const size_t len = token.end - token.begin;
  if (c == '.' && len == 1) {
    end_state_ = EndState::kTerminal;
    const size_t count = out_.tokens.size();
    if (!token.space_before && count >= 2) {
      const Token& prev = out_.tokens[count - 2];
      if (prev.kind == TokenKind::kWord) {
        const std::string_view word = Bytes(prev);
        if (word.size() == 1 && word[0] >= 'A' && word[0] <= 'Z') {
          end_state_ = EndState::kTitle;  // an initial: "John F. Kennedy"
        } else if (InLowerList(word, kTitleAbbreviations)) {
          end_state_ = EndState::kTitle;
        } else if (InLowerList(word, kWeakAbbreviations)) {
          end_state_ = EndState::kWeak;
        }
      }
    }
    return;
  }
  if (c == '.' || c == '!' || c == '?') {
    end_state_ = EndState::kTerminal;  // "...", "!", "?"
    return;
  }
  if (c == ')' || c == ']' || c == '}' || ((c == '"' || c == '\'') && !token.space_before)) {
    return;  // closing bracket or quote keeps the state
  }
  if (c >= 0x80) {
    internal::Decoded d = DecodeUtf8(p_ + token.begin, n_ - token.begin);
    const char32_t cp = d.code_point;
    if (cp == 0x2026 || cp == 0x203C || cp == 0x2047 || cp == 0x2048 || cp == 0x2049) {
      end_state_ = EndState::kTerminal;  // … ‼ ⁇ ⁈ ⁉
      return;
    }
    if (cp == 0x201D || cp == kRightSingleQuote || cp == 0x00BB) return;  // ” ’ »
  }
  end_state_ = EndState::kNone;
}

// ---- Quotes -------------------------------------------------------------------

enum class QuoteMark : uint8_t {
  kNone,
  kOpenDouble,
  kCloseDouble,
  kStraightDouble,
  kOpenSingle,
  kCloseSingle
};

QuoteMark ClassifyQuote(std::string_view bytes) {
  if (bytes.size() == 1) return bytes[0] == '"' ? QuoteMark::kStraightDouble : QuoteMark::kNone;
  if (bytes.size() == 2 && bytes[0] == '\xC2') {
    if (bytes[1] == '\xAB') return QuoteMark::kOpenDouble;   // «
    if (bytes[1] == '\xBB') return QuoteMark::kCloseDouble;  // »
    return QuoteMark::kNone;
  }
  if (bytes.size() != 3 || bytes[0] != '\xE2' || bytes[1] != '\x80') return QuoteMark::kNone;
  switch (bytes[2]) {
    case '\x9C':
    case '\x9E':
      return QuoteMark::kOpenDouble;  // “ „
    case '\x9D':
      return QuoteMark::kCloseDouble;  // ”
    case '\x98':
    case '\x9B':
      return QuoteMark::kOpenSingle;  // ‘ ‛
    case '\x99':
      return QuoteMark::kCloseSingle;  // ’
    default:
      return QuoteMark::kNone;
  }
}

void Tokenizer::PairQuotes() {
  std::vector<Token>& tokens = out_.tokens;
  const auto count = static_cast<uint32_t>(tokens.size());
  struct Open {
    uint32_t token;
    bool single;
  };
  constexpr int kMaxDepth = 16;
  Open stack[kMaxDepth];
  int depth = 0;
  struct Span {
    uint32_t first;
    uint32_t last;
  };
  std::vector<Span> spans;

  // Closes stack entries [from, depth) implicitly at token `last`.
  auto close_from = [&](int from, uint32_t last) {
    for (int k = depth - 1; k >= from; --k) {
      if (last > stack[k].token) spans.push_back({stack[k].token, last});
    }
    depth = from;
  };
  auto innermost = [&](bool single) {
    for (int k = depth - 1; k >= 0; --k) {
      if (stack[k].single == single) return k;
    }
    return -1;
  };

  size_t next_paragraph = 0;
  for (uint32_t t = 0; t < count; ++t) {
    if (next_paragraph < paragraph_starts_.size() && paragraph_starts_[next_paragraph] == t) {
      close_from(0, t - 1);
      ++next_paragraph;
    }
    const Token& token = tokens[t];
    if (token.kind != TokenKind::kPunctuation) continue;
    const QuoteMark mark = ClassifyQuote(Bytes(token));
    const bool paragraph_ends_after =
        t + 1 == count ||
        (next_paragraph < paragraph_starts_.size() && paragraph_starts_[next_paragraph] == t + 1);
    switch (mark) {
      case QuoteMark::kNone:
        break;
      case QuoteMark::kOpenDouble: {
        const int open = innermost(false);
        if (open >= 0) close_from(open, t - 1);  // the earlier one was never closed
        if (depth < kMaxDepth) stack[depth++] = {t, false};
        break;
      }
      case QuoteMark::kStraightDouble:
      case QuoteMark::kCloseDouble: {
        const int open = innermost(false);
        if (open >= 0) {
          close_from(open + 1, t - 1);
          spans.push_back({stack[open].token, t});
          depth = open;
        } else if (mark == QuoteMark::kStraightDouble && depth < kMaxDepth) {
          stack[depth++] = {t, false};
        }
        break;
      }
      case QuoteMark::kOpenSingle: {
        // Clearly a quotation: starts a stretch (after whitespace, the input
        // start or other punctuation) and touches the next token.
        const bool starts =
            t == 0 || token.space_before || tokens[t - 1].kind == TokenKind::kPunctuation;
        if (starts && !paragraph_ends_after && !tokens[t + 1].space_before && depth < kMaxDepth) {
          stack[depth++] = {t, true};
        }
        break;
      }
      case QuoteMark::kCloseSingle: {
        const int open = innermost(true);
        // Only when it ends a stretch; otherwise it is an apostrophe ("nations’ defense"
        // inside a single quote still closes it: an accepted ambiguity).
        const bool ends = paragraph_ends_after || tokens[t + 1].space_before ||
                          tokens[t + 1].kind == TokenKind::kPunctuation;
        if (open >= 0 && open >= innermost(false) && !token.space_before && ends) {
          close_from(open + 1, t - 1);
          spans.push_back({stack[open].token, t});
          depth = open;
        }
        break;
      }
    }
  }
  if (count > 0) close_from(0, count - 1);

  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.first != b.first ? a.first < b.first : a.last > b.last;
  });
  out_.quotes.reserve(spans.size());
  uint32_t marked_until = 0;  // tokens below this are already marked
  for (const Span& span : spans) {
    out_.quotes.push_back({tokens[span.first].begin, tokens[span.last].end});
    for (uint32_t t = std::max(span.first, marked_until); t <= span.last; ++t) {
      tokens[t].quoted = true;
    }
    marked_until = std::max(marked_until, span.last + 1);
  }
}

}  // namespace

TokenizedText Tokenize(std::string_view input) { return Tokenizer(input).Run(); }

}  // namespace unspin::text
