// Line classifier: article body vs page debris.
//
// Model. Each non-blank line gets a score per debris kind, a sum of weighted
// features (weights are log-odds-like: 2.5 is "probably debris", 5 is "surely
// debris"). The line takes the kind with the highest score when that score
// clears a threshold, else it is body. Three passes:
//   1. local features of the line alone (words, digits, punctuation,
//      capitalisation, separators, pattern families);
//   2. adjacency: a photo-like line followed by a credit line is a caption;
//   3. region: the body region runs from the first to the last paragraph-like
//      line (>= 10 words, sentence-final punctuation, no debris evidence).
//      Headline-like lines outside it are related-story links (or the title),
//      lines inside it need stronger evidence to become debris.
// Invariants: lines are emitted in text order, never overlap, start < end,
// and at most one line is kTitle.
#include "unspin/extract/lines.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace unspin::extract {
namespace {

constexpr int kKinds = 7;  // debris kinds, kCounter..kSpam
constexpr float kOutsideThreshold = 2.5F;
constexpr float kInsideThreshold = 3.0F;

int KindIndex(LineKind kind) {
  return static_cast<int>(kind) - static_cast<int>(LineKind::kCounter);
}
LineKind KindAt(int index) {
  return static_cast<LineKind>(index + static_cast<int>(LineKind::kCounter));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

// Strips leading and trailing bytes that are neither ASCII letters/digits nor
// part of a non-ASCII character other than typographic quotes and dashes
// (U+2010..U+201F, U+2026), so "“Hello,”" -> "Hello".
std::string_view StripPunct(std::string_view token) {
  auto typographic = [](std::string_view s, size_t i) {
    return i + 2 < s.size() + 0 && static_cast<unsigned char>(s[i]) == 0xE2 &&
           static_cast<unsigned char>(s[i + 1]) == 0x80;
  };
  while (!token.empty()) {
    unsigned char c = static_cast<unsigned char>(token[0]);
    if (c < 0x80 && !IsAlnum(token[0]) && token[0] != '$' && token[0] != '#') {
      token.remove_prefix(1);
    } else if (c == 0xE2 && token.size() >= 3 && typographic(token, 0)) {
      token.remove_prefix(3);
    } else {
      break;
    }
  }
  while (!token.empty()) {
    unsigned char c = static_cast<unsigned char>(token.back());
    if (c < 0x80 && !IsAlnum(token.back()) && token.back() != '%') {
      token.remove_suffix(1);
    } else if (token.size() >= 3 && typographic(token, token.size() - 3)) {
      token.remove_suffix(3);
    } else {
      break;
    }
  }
  return token;
}

// A word list sorted at compile time, for binary search.
template <size_t N>
constexpr std::array<std::string_view, N> Sorted(const std::string_view (&words)[N]) {
  std::array<std::string_view, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = words[i];
  std::sort(out.begin(), out.end());
  return out;
}

// Pattern families, matched on the ASCII-lower-cased line. Phrases are
// substrings; words are whole tokens after StripPunct.
constexpr std::string_view kCounterWordsList[] = {
    "shares",   "share", "comments", "comment", "views",   "view",    "likes", "reactions",
    "retweets", "reads", "claps",    "votes",   "replies", "k",       "m",     "ratings",
    "reviews",  "min",   "mins",     "read",    "minute",  "minutes", "plays", "listens"};
constexpr auto kCounterWords = Sorted(kCounterWordsList);
constexpr std::string_view kShareWordsList[] = {
    "share",    "tweet", "facebook", "twitter",   "linkedin",  "whatsapp",   "pinterest",
    "reddit",   "email", "e-mail",   "print",     "subscribe", "newsletter", "comments",
    "bookmark", "save",  "telegram", "flipboard", "messenger", "copy",       "link",
    "follow",   "sms",   "x",        "pin"};
constexpr auto kShareWords = Sorted(kShareWordsList);
constexpr std::string_view kSharePhrases[] = {"share this",
                                              "share on",
                                              "share article",
                                              "copy link",
                                              "follow us",
                                              "sign up",
                                              "read more",
                                              "continue reading",
                                              "click here",
                                              "leave a comment",
                                              "show comments",
                                              "view comments",
                                              "get the app",
                                              "download the app",
                                              "listen to this article",
                                              "turn on notifications",
                                              "subscribe to",
                                              "join our",
                                              "our newsletter",
                                              "in your inbox",
                                              "follow on",
                                              "share via"};
constexpr std::string_view kAdvertAloneList[] = {"advertisement",
                                                 "advertising",
                                                 "sponsored",
                                                 "sponsored content",
                                                 "promoted",
                                                 "paid post",
                                                 "partner content",
                                                 "ad",
                                                 "ads",
                                                 "paid content",
                                                 "promoted content",
                                                 "story continues below advertisement",
                                                 "article continues below advertisement",
                                                 "scroll to continue with content",
                                                 "scroll to continue",
                                                 "ads by",
                                                 "sponsored links"};
constexpr auto kAdvertAlone = Sorted(kAdvertAloneList);
constexpr std::string_view kClickbaitPhrases[] = {"revealed",
                                                  "secret ",
                                                  "secrets",
                                                  "secret:",
                                                  "won't believe",
                                                  "wont believe",
                                                  "shocking",
                                                  "weird trick",
                                                  "one trick",
                                                  "this one",
                                                  "doctors hate",
                                                  "hate him",
                                                  "hate her",
                                                  "what happens next",
                                                  "will shock",
                                                  "jaw-dropping",
                                                  "jaw dropping",
                                                  "mind-blowing",
                                                  "here's why",
                                                  "here's how",
                                                  "the truth about",
                                                  "never seen",
                                                  "need to see",
                                                  "millionaire",
                                                  "billionaire",
                                                  "make money",
                                                  "get rich",
                                                  "earn",
                                                  "discount",
                                                  "% off",
                                                  "limited time",
                                                  "buy now",
                                                  "shop now",
                                                  "order now",
                                                  "lose weight",
                                                  "belly fat",
                                                  "celebrities",
                                                  "stunning",
                                                  "guaranteed",
                                                  "risk-free",
                                                  "unbelievable",
                                                  "genius",
                                                  "you need to know",
                                                  "before it's too late",
                                                  "everyone is talking",
                                                  "sponsored",
                                                  "free trial",
                                                  "amazing",
                                                  "incredible",
                                                  "clients",
                                                  "cash",
                                                  "fortune",
                                                  "wealth",
                                                  "investors",
                                                  "retire",
                                                  "this is why",
                                                  "is taking over",
                                                  "goes viral",
                                                  "simple trick",
                                                  "trick",
                                                  "do this",
                                                  "try this",
                                                  "miracle"};
constexpr std::string_view kRelatedPrefixes[] = {"related:",
                                                 "related stories",
                                                 "related articles",
                                                 "related coverage",
                                                 "related content",
                                                 "related",
                                                 "read more:",
                                                 "read also",
                                                 "also read",
                                                 "see also",
                                                 "more:",
                                                 "recommended",
                                                 "trending",
                                                 "more from",
                                                 "more on",
                                                 "you may also like",
                                                 "you might also like",
                                                 "watch:",
                                                 "listen:",
                                                 "latest:",
                                                 "popular",
                                                 "most read",
                                                 "most popular",
                                                 "editor's picks",
                                                 "editors' picks",
                                                 "top stories",
                                                 "further reading",
                                                 "read next",
                                                 "up next",
                                                 "don't miss",
                                                 "must read",
                                                 "in other news",
                                                 "more stories",
                                                 "more news",
                                                 "also on",
                                                 "related:",
                                                 "read:",
                                                 "see more"};
constexpr std::string_view kCreditPhrases[] = {"getty images",
                                               "associated press",
                                               "ap photo",
                                               "photo by",
                                               "photo:",
                                               "photograph:",
                                               "photo credit",
                                               "image credit",
                                               "image:",
                                               "image source",
                                               "credit:",
                                               "courtesy of",
                                               "all rights reserved",
                                               "file photo",
                                               "pool photo",
                                               "via getty",
                                               "via reuters",
                                               "via ap",
                                               "/ap",
                                               "/afp",
                                               "/reuters",
                                               "/getty",
                                               "/epa",
                                               "wireimage",
                                               "usa today sports",
                                               "photos:",
                                               "pictures:",
                                               "picture:",
                                               "illustration:",
                                               "source:"};
constexpr std::string_view kCreditWordsList[] = {
    "afp",     "reuters",      "getty",  "ap",          "epa",      "dpa",       "efe",
    "xinhua",  "ansa",         "kyodo",  "yonhap",      "tass",     "upi",       "zuma",
    "alamy",   "shutterstock", "istock", "istockphoto", "courtesy", "bloomberg", "nurphoto",
    "anadolu", "imagn",        "pool",   "©",           "(c)",      "pa",        "sipa",
    "abaca",   "rex",          "corbis", "unsplash",    "pexels",   "handout"};
constexpr auto kCreditWords = Sorted(kCreditWordsList);
constexpr std::string_view kCaptionVerbsList[] = {
    "speaks",  "arrives",  "attends",   "gestures", "waves",      "poses",   "walks",
    "listens", "delivers", "holds",     "stands",   "sits",       "looks",   "talks",
    "shakes",  "greets",   "leaves",    "departs",  "addresses",  "reacts",  "smiles",
    "meets",   "visits",   "prepares",  "watches",  "celebrates", "gather",  "gathers",
    "marches", "rally",    "rallies",   "pictured", "seen",       "applaud", "applauds",
    "chats",   "answers",  "testifies", "kneels",   "wait",       "waits",   "walk",
    "stand",   "pose",     "hold",      "lays",     "inspects",   "tours",   "salutes",
    "shakes",  "embraces", "hugs",      "cheer",    "cheers",     "protest", "protesters",
    "boards"};
constexpr auto kCaptionVerbs = Sorted(kCaptionVerbsList);
constexpr std::string_view kCaptionPrefixes[] = {"photo:",
                                                 "pictured:",
                                                 "caption:",
                                                 "above:",
                                                 "top:",
                                                 "file photo",
                                                 "file -",
                                                 "file:",
                                                 "in this photo",
                                                 "in this file photo",
                                                 "in this handout",
                                                 "this picture taken",
                                                 "this photo",
                                                 "in this image",
                                                 "image:",
                                                 "picture:",
                                                 "left:",
                                                 "right:",
                                                 "pictured"};
constexpr std::string_view kMonthsList[] = {
    "january",   "february", "march",    "april",    "may",  "june", "july", "august",
    "september", "october",  "november", "december", "jan",  "feb",  "mar",  "apr",
    "jun",       "jul",      "aug",      "sep",      "sept", "oct",  "nov",  "dec"};
constexpr auto kMonths = Sorted(kMonthsList);
constexpr std::string_view kSpamWordsList[] = {
    "buy",      "cheap",     "order",   "visit",   "casino",   "betting",  "bet",
    "loan",     "loans",     "viagra",  "cialis",  "essay",    "essays",   "coupon",
    "whatsapp", "telegram",  "bitcoin", "crypto",  "forex",    "replica",  "followers",
    "seo",      "discount",  "deals",   "deal",    "promo",    "shipping", "pharmacy",
    "pills",    "escort",    "dating",  "jackpot", "slots",    "click",    "dm",
    "contact",  "wholesale", "hack",    "cracked", "download", "subscribe"};
constexpr auto kSpamWords = Sorted(kSpamWordsList);
constexpr std::string_view kDomainSuffixes[] = {
    ".com",   ".net",    ".org",  ".io",  ".co", ".biz", ".info", ".xyz", ".shop",
    ".store", ".online", ".site", ".top", ".ru", ".uk",  ".in",   ".me",  ".ly"};

template <size_t N>
bool AnyPhrase(std::string_view lower, const std::string_view (&phrases)[N]) {
  for (std::string_view phrase : phrases) {
    if (Contains(lower, phrase)) return true;
  }
  return false;
}
template <size_t N>
int CountPhrases(std::string_view lower, const std::string_view (&phrases)[N]) {
  int hits = 0;
  for (std::string_view phrase : phrases) hits += Contains(lower, phrase) ? 1 : 0;
  return hits;
}
template <size_t N>
bool InList(std::string_view word, const std::array<std::string_view, N>& sorted) {
  return std::binary_search(sorted.begin(), sorted.end(), word);
}

// Which word lists a word is on, as bits: one hash lookup per word instead of
// a search per list.
enum WordClassBit : uint8_t {
  kCounterBit = 1,
  kShareBit = 2,
  kCreditBit = 4,
  kCaptionVerbBit = 8,
  kMonthBit = 16,
  kSpamBit = 32,
};

uint8_t WordClass(std::string_view word) {
  static const auto* const table = [] {
    auto* map = new std::unordered_map<std::string_view, uint8_t>();
    auto add = [map](const auto& list, uint8_t bit) {
      for (std::string_view entry : list) (*map)[entry] |= bit;
    };
    add(kCounterWords, kCounterBit);
    add(kShareWords, kShareBit);
    add(kCreditWords, kCreditBit);
    add(kCaptionVerbs, kCaptionVerbBit);
    add(kMonths, kMonthBit);
    add(kSpamWords, kSpamBit);
    return map;
  }();
  auto it = table->find(word);
  return it == table->end() ? 0 : it->second;
}

int CountClass(const std::vector<uint8_t>& classes, uint8_t bit) {
  int count = 0;
  for (uint8_t word_class : classes) count += (word_class & bit) != 0 ? 1 : 0;
  return count;
}

// `words` point into `lower`: a Features is built in place and never moved.
struct Features {
  Features() = default;
  Features(const Features&) = delete;
  Features& operator=(const Features&) = delete;

  std::string lower;                    // ASCII-lower-cased line, whitespace-trimmed
  std::vector<std::string_view> words;  // lower-cased tokens, punctuation stripped, non-empty
  std::vector<uint8_t> classes;         // WordClass of each of `words`
  int raw_tokens = 0;                   // whitespace-separated tokens
  int capitalised = 0;                  // words starting with an upper-case letter
  int alpha_words = 0;                  // words starting with a letter
  int digits = 0;
  int nonspace = 0;
  bool final_punct = false;  // ends with . ! ? or ... (before closing quotes/brackets)
  bool ends_question = false;
  bool starts_upper = false;
  bool numeric_only = false;        // every token a number or a counter word, >= 1 number
  bool has_separator = false;       // | · • or a spaced slash / dash between name-like parts
  bool has_dollar = false;          // $ or € or £ followed by a digit
  bool has_date = false;            // month name + number, or a numeric date, or a year
  bool has_full_date = false;       // month name + day, or a numeric date
  int sentences = 0;                // sentence ends followed by more text, plus one
  bool counter_words_only = false;  // "shares", "comments" ...: plural counter nouns only
  bool has_url = false;             // http(s)://, www., or a token that looks like a domain
  bool has_phone = false;           // >= 9 digits in one phone-like run
  bool starts_by = false;           // "By Jane Doe"
  int breadcrumbs = 0;              // » › or " > " between parts ("Home » Recipes » Soups")
  int numbers = 0;                  // number tokens ("134", "1.2K", "4.8")
  int counter_words = 0;            // tokens from kCounterWords
};

void ComputeFeatures(std::string_view line, Features& f) {
  size_t b = 0, e = line.size();
  while (b < e && IsSpace(line[b])) ++b;
  while (e > b && IsSpace(line[e - 1])) --e;
  std::string_view trimmed = line.substr(b, e - b);
  f.lower.reserve(trimmed.size());
  for (char c : trimmed) f.lower.push_back(ToLower(c));

  // Tokens.
  std::string_view lower = f.lower;
  size_t i = 0;
  std::vector<std::string_view> raw;
  while (i < trimmed.size()) {
    while (i < trimmed.size() && IsSpace(trimmed[i])) ++i;
    size_t start = i;
    while (i < trimmed.size() && !IsSpace(trimmed[i])) ++i;
    if (i > start) raw.push_back(trimmed.substr(start, i - start));
  }
  f.raw_tokens = static_cast<int>(raw.size());
  int numbers = 0, non_numbers = 0;
  for (std::string_view token : raw) {
    std::string_view stripped = StripPunct(token);
    if (stripped.empty()) {
      if (token == "|" || token == "·" || token == "•" || token == "/") f.has_separator = true;
      continue;
    }
    size_t offset = static_cast<size_t>(stripped.data() - trimmed.data());
    std::string_view word = lower.substr(offset, stripped.size());
    f.words.push_back(word);
    f.classes.push_back(WordClass(word));
    if (IsUpper(stripped[0])) ++f.capitalised;
    if (IsAlpha(stripped[0])) ++f.alpha_words;
    bool number = true;
    for (size_t k = 0; k < word.size(); ++k) {
      char c = word[k];
      if (!(IsDigit(c) || c == ',' || c == '.' ||
            (k + 1 == word.size() && (c == 'k' || c == 'm')))) {
        number = false;
      }
    }
    number = number && IsDigit(word[0]);
    if (number) {
      ++numbers;
    } else if ((f.classes.back() & kCounterBit) == 0) {
      ++non_numbers;
    }
  }
  f.numeric_only = numbers > 0 && non_numbers == 0;
  f.numbers = numbers;
  f.counter_words = CountClass(f.classes, kCounterBit);
  for (std::string_view mark :
       {std::string_view("\xC2\xBB"), std::string_view("\xE2\x80\xBA"), std::string_view(" > ")}) {
    for (size_t at = trimmed.find(mark); at != std::string_view::npos;
         at = trimmed.find(mark, at + mark.size())) {
      ++f.breadcrumbs;
    }
  }
  for (char c : trimmed) {
    if (!IsSpace(c)) ++f.nonspace;
    if (IsDigit(c)) ++f.digits;
  }
  if (!trimmed.empty()) {
    size_t k = 0;
    while (k < trimmed.size() && !IsAlnum(trimmed[k]) &&
           static_cast<unsigned char>(trimmed[k]) < 0x80)
      ++k;
    f.starts_upper = k < trimmed.size() && (IsUpper(trimmed[k]) || IsDigit(trimmed[k]));
  }
  // Final punctuation, looking through closing quotes and brackets.
  std::string_view tail = trimmed;
  while (!tail.empty()) {
    char c = tail.back();
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '*') {
      tail.remove_suffix(1);
    } else if (EndsWith(tail, "\xE2\x80\x9D") || EndsWith(tail, "\xE2\x80\x99")) {
      tail.remove_suffix(3);
    } else {
      break;
    }
  }
  if (!tail.empty()) {
    char c = tail.back();
    f.final_punct = c == '.' || c == '!' || c == '?' || EndsWith(tail, "\xE2\x80\xA6");
    f.ends_question = c == '?';
  }
  // Separators between parts: | · • anywhere, or " / " and " - " in short lines.
  if (Contains(trimmed, "|") || Contains(trimmed, "\xC2\xB7") ||
      Contains(trimmed, "\xE2\x80\xA2")) {
    f.has_separator = true;
  }
  for (size_t k = 0; k + 1 < trimmed.size(); ++k) {
    char c = trimmed[k];
    if ((c == '$' || StartsWith(trimmed.substr(k), "\xE2\x82\xAC") ||
         StartsWith(trimmed.substr(k), "\xC2\xA3"))) {
      size_t next = c == '$' ? k + 1 : k + (static_cast<unsigned char>(c) == 0xE2 ? 3 : 2);
      if (next < trimmed.size() && IsDigit(trimmed[next])) f.has_dollar = true;
    }
  }
  // Dates.
  for (size_t w = 0; w < f.words.size(); ++w) {
    std::string_view word = f.words[w];
    if ((f.classes[w] & kMonthBit) != 0) {
      bool next_number = w + 1 < f.words.size() && IsDigit(f.words[w + 1][0]);
      bool prev_number = w > 0 && IsDigit(f.words[w - 1][0]) && f.words[w - 1].size() <= 2;
      if (next_number || prev_number) f.has_date = f.has_full_date = true;
    }
    if (word.size() == 4 && (StartsWith(word, "19") || StartsWith(word, "20")) &&
        IsDigit(word[2]) && IsDigit(word[3])) {
      f.has_date = true;
    }
    if (word.size() >= 6 && std::count(word.begin(), word.end(), '/') == 2 && IsDigit(word[0])) {
      f.has_date = f.has_full_date = true;
    }
  }
  // Sentences: ". X" where the word before the full stop is a lower-case word
  // of 3+ letters (so "U.S. Secretary" and "Mr. Li" do not split).
  f.sentences = f.words.empty() ? 0 : 1;
  for (size_t k = 0; k + 2 < trimmed.size(); ++k) {
    char c = trimmed[k];
    if ((c != '.' && c != '?' && c != '!') || trimmed[k + 1] != ' ') continue;
    if (!(IsUpper(trimmed[k + 2]) || trimmed[k + 2] == '"' ||
          static_cast<unsigned char>(trimmed[k + 2]) == 0xE2)) {
      continue;
    }
    size_t letters = 0;
    while (letters < k && IsLower(trimmed[k - 1 - letters])) ++letters;
    if (letters >= 3 || c != '.') ++f.sentences;
  }
  {
    bool all = !f.words.empty() && f.words.size() <= 2;
    for (size_t w = 0; w < f.words.size(); ++w) {
      std::string_view word = f.words[w];
      all = all && word.size() > 2 && word.back() == 's' && (f.classes[w] & kCounterBit) != 0;
    }
    f.counter_words_only = all;
  }
  // URLs and domains.
  if (Contains(lower, "http://") || Contains(lower, "https://") || Contains(lower, "www.")) {
    f.has_url = true;
  }
  for (std::string_view word : f.words) {
    if (word.find('.') == std::string_view::npos) continue;
    for (std::string_view suffix : kDomainSuffixes) {
      size_t at = word.rfind(suffix);
      if (at != std::string_view::npos && at >= 2 && IsAlnum(word[at - 1]) &&
          (at + suffix.size() == word.size() || word[at + suffix.size()] == '/')) {
        bool letters =
            std::any_of(word.begin(), word.begin() + static_cast<ptrdiff_t>(at), IsLower);
        bool dotted_initials = std::count(word.begin(), word.end(), '.') > 1 && at < 4;
        if (letters && !dotted_initials) f.has_url = true;
      }
    }
  }
  // Phone numbers: a run of digits, spaces, dashes, dots, brackets and '+' with >= 9 digits.
  int run_digits = 0;
  for (char c : trimmed) {
    if (IsDigit(c)) {
      ++run_digits;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+') {
      continue;
    } else {
      if (run_digits >= 9) f.has_phone = true;
      run_digits = 0;
    }
  }
  if (run_digits >= 9) f.has_phone = true;
  f.starts_by = StartsWith(lower, "by ") && f.words.size() <= 8;
}

int Words(const Features& f) { return static_cast<int>(f.words.size()); }

double CapitalisedRatio(const Features& f) {
  return f.alpha_words == 0 ? 0.0 : static_cast<double>(f.capitalised) / f.alpha_words;
}

// A short line shaped like a headline: starts upper-case, no sentence-final
// full stop (a question or exclamation mark is allowed), not a number.
bool HeadlineLike(const Features& f) {
  int words = Words(f);
  if (words < 3 || words > 24 || f.numeric_only || !f.starts_upper) return false;
  if (f.final_punct && !f.ends_question && f.lower.back() != '!') return false;
  // A salutation or a line broken mid-sentence ("Fellow-Citizens,", "... and").
  char last = f.lower.back();
  if (last == ',' || last == ':' || last == ';' || last == '-') return false;
  for (std::string_view function_word : {"and", "or", "the", "of", "to", "a", "an", "in", "that",
                                         "which", "with", "for", "but", "by", "on", "at"}) {
    if (f.words.back() == function_word) return false;
  }
  return f.alpha_words * 2 > words;
}

// A dateline or time stamp ("Published 3 hours ago", "Updated 6:42 PM EDT"):
// article metadata, kept with the body like a byline.
bool Dateline(const Features& f) {
  std::string_view lower = f.lower;
  for (std::string_view prefix :
       {"published", "updated", "posted", "last updated", "first published"}) {
    if (StartsWith(lower, prefix)) return Words(f) <= 14;
  }
  return (EndsWith(lower, " ago") && Words(f) <= 8) || (f.has_full_date && Words(f) <= 10);
}

// A label line announcing the caption on the next line ("Image caption,").
bool CaptionMarker(const Features& f) {
  std::string_view bare = f.lower;
  while (!bare.empty() && !IsAlnum(bare.back())) bare.remove_suffix(1);
  for (std::string_view marker : {"image caption", "caption", "photo caption", "video caption",
                                  "media caption", "photo", "image", "picture"}) {
    if (bare == marker) return true;
  }
  return false;
}

// Paragraph-like: a sentence of some length.
bool ParagraphLike(const Features& f) { return Words(f) >= 10 && f.final_punct; }

float CreditScore(const Features& f) {
  int words = Words(f);
  if (words == 0 || words > 16) return 0;
  float score = 0;
  int hits = 0;
  hits += CountClass(f.classes, kCreditBit);
  hits += CountPhrases(f.lower, kCreditPhrases);
  if (Contains(f.lower, "\xC2\xA9")) ++hits;  // ©
  score += 2.5F * static_cast<float>(std::min(hits, 2));
  if (f.has_separator && CapitalisedRatio(f) >= 0.6 && words <= 10) score += 1.5F;
  if (f.final_punct && words > 6) score -= 2.0F;
  bool copyright = StartsWith(f.lower, "copyright") || StartsWith(f.lower, "\xC2\xA9") ||
                   (StartsWith(f.lower, "(c) ") && f.has_date);
  if (copyright) score += 3.0F;
  if (f.has_date && !copyright) score -= 1.0F;
  if (words > 10) score -= 1.0F;
  return score;
}

// Caption evidence of the line alone (adjacency and region are added later).
float CaptionLocalScore(const Features& f) {
  if (CaptionMarker(f)) return 4.5F;
  int words = Words(f);
  if (words < 4 || words > 70) return 0;
  float score = 0;
  bool verb = false;
  verb = CountClass(f.classes, kCaptionVerbBit) > 0;
  if (verb) score += 1.5F;
  if (f.has_full_date) {
    score += 1.0F;
  } else if (f.has_date) {
    score += 0.5F;
  }
  if (f.sentences >= 2) score -= 2.0F;
  if (words > 45) score -= 2.0F;
  for (std::string_view prefix : kCaptionPrefixes) {
    // "Photo: Jane Doe/Reuters" is a credit; a caption says what is shown.
    if (StartsWith(f.lower, prefix) && words >= 8) {
      score += 3.5F;
      break;
    }
  }
  // "... (AP Photo/Andy Wong)", "... Photo: Jane Doe/Reuters" at the end.
  size_t paren = f.lower.rfind('(');
  if (paren != std::string::npos && paren > f.lower.size() / 2) {
    std::string_view tail = std::string_view(f.lower).substr(paren);
    if (AnyPhrase(tail, kCreditPhrases) || Contains(tail, "getty") || Contains(tail, "reuters") ||
        Contains(tail, "afp")) {
      score += 3.0F;
    }
  }
  // "... at a depth of 2,800 meters. Photo: Schmidt Ocean Institute"
  for (std::string_view marker : {" photo: ", " photograph: ", " image: ", " photo by "}) {
    size_t at = f.lower.find(marker);
    if (at != std::string::npos && at > f.lower.size() / 2) {
      score += 3.0F;
      break;
    }
  }
  if (Contains(f.lower, "in this photo") || Contains(f.lower, "is seen") ||
      Contains(f.lower, "are seen") || Contains(f.lower, "looks on") ||
      Contains(f.lower, "photographed")) {
    score += 1.0F;
  }
  return score;
}

float CounterScore(const Features& f) {
  int words = Words(f);
  if (f.numeric_only && f.raw_tokens <= 3) return 5.0F;
  if (words == 0 && f.digits > 0 && f.nonspace <= 8) return 4.0F;
  if (f.counter_words_only) return 3.0F;
  // "4.8 from 212 votes", "Views: 1,234": numbers and counter nouns, at most one other word.
  if (words <= 6 && !f.final_punct && f.numbers > 0 && f.counter_words > 0 &&
      f.numbers + f.counter_words + 1 >= words) {
    return 3.5F;
  }
  return 0;
}

float ShareScore(const Features& f) {
  int words = Words(f);
  if (words == 0) return 0;
  int hits = 0;
  hits += CountClass(f.classes, kShareBit);
  float score = 0;
  if (words <= 10 && !(f.final_punct && words > 5)) {
    int phrases = CountPhrases(f.lower, kSharePhrases);
    score += 1.5F * static_cast<float>(std::min(hits, 4)) +
             2.0F * static_cast<float>(std::min(phrases, 2));
    if (hits > 0 && hits * 2 >= words) score += 1.5F;
  } else if (words <= 35) {
    bool newsletter =
        (Contains(f.lower, "newsletter") || Contains(f.lower, "subscribe") ||
         Contains(f.lower, "sign up")) &&
        (Contains(f.lower, "inbox") || Contains(f.lower, "email") || Contains(f.lower, "free") ||
         Contains(f.lower, "daily") || Contains(f.lower, "weekly"));
    if (newsletter) score += 3.5F;
    // "Get the latest news delivered to your inbox."
    if (!newsletter && (Contains(f.lower, "to your inbox") || Contains(f.lower, "in your inbox"))) {
      score += 3.5F;
    }
    if (StartsWith(f.lower, "click here") || StartsWith(f.lower, "read more") ||
        StartsWith(f.lower, "follow us") || StartsWith(f.lower, "share this")) {
      score += 3.0F;
    }
  }
  return score;
}

float AdvertScore(const Features& f) {
  int words = Words(f);
  if (words == 0) return 0;
  std::string_view lower = f.lower;
  std::string_view bare = lower;
  while (!bare.empty() && !IsAlnum(bare.back())) bare.remove_suffix(1);
  while (!bare.empty() && !IsAlnum(bare.front())) bare.remove_prefix(1);
  if (InList(bare, kAdvertAlone)) return 6.0F;
  float score = 0;
  // A long sentence cannot clear the threshold whatever it says: skip the scan.
  int hits = words >= 25 && f.final_punct ? 0 : CountPhrases(lower, kClickbaitPhrases);
  score += 1.5F * static_cast<float>(std::min(hits, 3));
  if (f.has_dollar && words <= 20 && !f.final_punct) score += 1.5F;
  if (words <= 20 && !f.final_punct && CapitalisedRatio(f) >= 0.6 && hits > 0) score += 0.5F;
  // "Revealed: ...", "Watch: ..." a one-word lead-in with a colon.
  size_t colon = lower.find(':');
  if (colon != std::string_view::npos && colon < 12 && lower.find(' ') > colon && hits > 0) {
    score += 1.0F;
  }
  // "Top 10 Cars That ...", "7 Ways To ...": a listicle headline.
  bool listicle_start =
      !f.words.empty() && (IsDigit(f.words[0][0]) ||
                           (f.words[0] == "top" && f.words.size() > 1 && IsDigit(f.words[1][0])));
  if (listicle_start && words >= 4 && words <= 15 && !f.final_punct && CapitalisedRatio(f) >= 0.6) {
    score += 2.5F;
  }
  if (f.final_punct && words >= 12) score -= 3.0F;
  if (words >= 25) score -= 2.0F;
  // Affiliate and sponsorship disclosures are sentences, and still not the article.
  if (words <= 40 && Contains(lower, "affiliate") &&
      (Contains(lower, "link") || Contains(lower, "commission") || Contains(lower, "partner"))) {
    score = std::max(score, 5.0F);
  }
  if (words <= 40 &&
      (Contains(lower, "may earn a commission") || Contains(lower, "may receive a commission") ||
       Contains(lower, "this article is sponsored") || Contains(lower, "this post is sponsored"))) {
    score = std::max(score, 5.0F);
  }
  return score;
}

float SpamScore(const Features& f) {
  int words = Words(f);
  if (words == 0) return 0;
  float score = 0;
  if (f.has_url) score += 2.5F;
  int hits = 0;
  hits += CountClass(f.classes, kSpamBit);
  if (Contains(f.lower, "promo code") || Contains(f.lower, "best price") ||
      Contains(f.lower, "lowest price") || Contains(f.lower, "call now") ||
      Contains(f.lower, "free shipping") || Contains(f.lower, "click the link") ||
      Contains(f.lower, "order now") || Contains(f.lower, "buy now") ||
      Contains(f.lower, "limited offer") || Contains(f.lower, "special offer")) {
    hits += 2;
  }
  score += 1.2F * static_cast<float>(std::min(hits, 4));
  if (f.has_phone) score += 2.0F;
  if (hits == 0 && !f.has_phone) score -= 1.5F;  // a bare link in prose is often a citation
  if (f.final_punct && words >= 15) score -= 1.0F;
  if (words >= 40) score -= 2.0F;
  return score;
}

float RelatedLocalScore(const Features& f) {
  if (f.breadcrumbs > 0 && Words(f) <= 10 && !f.final_punct) return 4.0F;
  for (std::string_view prefix : kRelatedPrefixes) {
    if (StartsWith(f.lower, prefix) &&
        (f.lower.size() == prefix.size() || !IsAlnum(f.lower[prefix.size()]))) {
      return Words(f) <= 30 ? 5.0F : 0.0F;
    }
  }
  return 0;
}

bool RelatedMarker(const Features& f) { return RelatedLocalScore(f) > 0 && Words(f) <= 4; }

}  // namespace

std::string_view LineKindName(LineKind kind) {
  switch (kind) {
    case LineKind::kBody:
      return "body";
    case LineKind::kTitle:
      return "title";
    case LineKind::kCounter:
      return "counter";
    case LineKind::kRelated:
      return "related";
    case LineKind::kAdvert:
      return "advert";
    case LineKind::kCaption:
      return "caption";
    case LineKind::kCredit:
      return "credit";
    case LineKind::kShare:
      return "share";
    case LineKind::kSpam:
      return "spam";
  }
  return "body";
}

bool IsDebris(LineKind kind) { return kind != LineKind::kBody && kind != LineKind::kTitle; }

namespace {

// Classifies logical lines: the model proper.
std::vector<Line> ClassifyLogicalLines(std::string_view text) {
  std::vector<Line> lines;
  std::deque<Features> features;  // deque: elements never move
  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    size_t end = newline == std::string_view::npos ? text.size() : newline;
    size_t content_end = end;
    if (content_end > pos && text[content_end - 1] == '\r') --content_end;
    std::string_view line = text.substr(pos, content_end - pos);
    if (std::any_of(line.begin(), line.end(), [](char c) { return !IsSpace(c); })) {
      lines.push_back(
          {static_cast<uint32_t>(pos), static_cast<uint32_t>(content_end), LineKind::kBody, 0});
      ComputeFeatures(line, features.emplace_back());
    }
    pos = newline == std::string_view::npos ? text.size() : newline + 1;
  }
  const size_t n = lines.size();
  if (n == 0) return lines;

  // Pass 1: local scores.
  std::vector<std::array<float, kKinds>> scores(n);
  for (size_t i = 0; i < n; ++i) {
    const Features& f = features[i];
    auto& s = scores[i];
    s.fill(0);
    s[KindIndex(LineKind::kCounter)] = CounterScore(f);
    s[KindIndex(LineKind::kRelated)] = RelatedLocalScore(f);
    s[KindIndex(LineKind::kAdvert)] = AdvertScore(f);
    s[KindIndex(LineKind::kCaption)] = CaptionLocalScore(f);
    s[KindIndex(LineKind::kCredit)] = CreditScore(f);
    s[KindIndex(LineKind::kShare)] = ShareScore(f);
    s[KindIndex(LineKind::kSpam)] = SpamScore(f);
    // Exact repeats of a short line (widgets repeated above and below the article).
  }
  std::unordered_map<std::string_view, int> repeats;
  for (const Features& f : features) {
    if (Words(f) <= 8) ++repeats[f.lower];
  }
  for (size_t i = 0; i < n; ++i) {
    auto it = repeats.find(features[i].lower);
    if (it == repeats.end() || it->second < 2) continue;
    auto& s = scores[i];
    auto best = std::max_element(s.begin(), s.end());
    if (*best > 0) *best += 1.5F;
  }

  // Pass 2: adjacency. A photo-like line followed by a credit is a caption;
  // a credit after a caption-like line is surer.
  for (size_t i = 0; i + 1 < n; ++i) {
    float next_credit = scores[i + 1][KindIndex(LineKind::kCredit)];
    float& caption = scores[i][KindIndex(LineKind::kCaption)];
    if (next_credit >= 2.5F && caption > 0) caption += 2.5F;
    if (caption >= 2.5F && next_credit > 0) scores[i + 1][KindIndex(LineKind::kCredit)] += 1.0F;
  }

  auto best_kind = [&](size_t i) {
    const auto& s = scores[i];
    return static_cast<int>(std::max_element(s.begin(), s.end()) - s.begin());
  };
  auto best_score = [&](size_t i) { return scores[i][best_kind(i)]; };

  // Pass 3: the body region.
  size_t body_first = n, body_last = 0;
  for (size_t i = 0; i < n; ++i) {
    float other = 0;
    for (int k = 0; k < kKinds; ++k) {
      if (k != KindIndex(LineKind::kCaption)) other = std::max(other, scores[i][k]);
    }
    // A caption's own evidence is weak (a date, a present-tense verb) until a
    // credit or a "Photo:" marker backs it: only that excludes a paragraph.
    if (ParagraphLike(features[i]) && other < kOutsideThreshold &&
        scores[i][KindIndex(LineKind::kCaption)] < 3.0F) {
      if (body_first == n) body_first = i;
      body_last = i;
    }
  }
  if (body_first == n) {  // no paragraph: treat everything as inside
    body_first = 0;
    body_last = n - 1;
  }

  // Title: the first headline-like line before the body without debris evidence.
  size_t title = n;
  for (size_t i = 0; i < std::min(body_first, n) && i < 8; ++i) {
    const Features& f = features[i];
    if (best_score(i) >= kOutsideThreshold) continue;
    if (Words(f) >= 2 && Words(f) <= 30 && f.starts_upper && !f.numeric_only &&
        !(f.final_punct && !f.ends_question && Words(f) > 20)) {
      title = i;
    }
    break;
  }

  bool after_related_marker = false;
  bool after_advert_marker = false;
  bool after_caption_marker = false;
  for (size_t i = 0; i < n; ++i) {
    const Features& f = features[i];
    bool outside = i < body_first || i > body_last;
    auto& s = scores[i];
    if (outside && i != title) {
      s[KindIndex(LineKind::kCaption)] += s[KindIndex(LineKind::kCaption)] > 0 ? 1.0F : 0.0F;
      bool subtitle = title != n && i == title + 1 && HeadlineLike(f) && Words(f) >= 8;
      if (HeadlineLike(f) && !subtitle && !f.starts_by && !Dateline(f)) {
        float headline = 2.5F;
        if (Contains(f.lower, ", says") || Contains(f.lower, ", said") ||
            Contains(f.lower, ": report") || Contains(f.lower, ", report")) {
          headline += 0.5F;
        }
        s[KindIndex(LineKind::kRelated)] += headline;
      }
    }
    // Widget labels after the article ("Reader Interactions", "Comments").
    // Not signatures: names with initials, "EDM: RANDOLPH", "JAMES MADISON,".
    bool signature_like = f.lower.find_first_of(".:,") != std::string::npos;
    if (i > body_last && Words(f) <= 3 && f.starts_upper && !f.final_punct && !f.starts_by &&
        !signature_like && !Dateline(f) && !f.numeric_only &&
        static_cast<unsigned char>(f.lower[0]) < 0x80 && IsAlnum(f.lower[0])) {
      s[KindIndex(LineKind::kRelated)] += 2.5F;
    }
    // Headlines listed under a "Related" or "Sponsored" marker line.
    if (HeadlineLike(f) && best_score(i) < kOutsideThreshold) {
      if (after_related_marker) s[KindIndex(LineKind::kRelated)] += 3.0F;
      if (after_advert_marker) s[KindIndex(LineKind::kAdvert)] += 3.0F;
    }
    if (after_caption_marker && Words(f) <= 45) s[KindIndex(LineKind::kCaption)] += 3.5F;
    after_caption_marker = CaptionMarker(f);
    // A "Sponsored" marker covers the one line after it; a "Related" marker
    // covers the list up to the next paragraph.
    after_advert_marker = s[KindIndex(LineKind::kAdvert)] >= 6.0F && Words(f) <= 4;
    if (RelatedMarker(f)) {
      after_related_marker = true;
    } else if (ParagraphLike(f) && best_score(i) < kOutsideThreshold) {
      after_related_marker = false;
    }
    int kind = best_kind(i);
    float threshold = outside ? kOutsideThreshold : kInsideThreshold;
    if (s[kind] >= threshold) {
      lines[i].kind = KindAt(kind);
      lines[i].score = s[kind];
    } else if (i == title) {
      lines[i].kind = LineKind::kTitle;
    }
  }
  return lines;
}

// Hard-wrapped text (every paragraph broken into lines of at most ~72
// columns) is classified paragraph by paragraph: a line that fills the wrap
// width continues into the next non-blank line. Returns the text with those
// line breaks turned into spaces (offsets unchanged), or "" when the text is
// not hard-wrapped: its longest line is over 120 bytes, or fewer than 5
// lines reach 60% of the longest.
std::string JoinWrappedLines(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> spans;  // [start, end) of every line
  size_t longest = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t newline = text.find('\n', pos);
    size_t end = newline == std::string_view::npos ? text.size() : newline;
    size_t content_end = end > pos && text[end - 1] == '\r' ? end - 1 : end;
    spans.emplace_back(pos, content_end);
    longest = std::max(longest, content_end - pos);
    if (longest > 120) return "";
    pos = newline == std::string_view::npos ? text.size() : newline + 1;
  }
  size_t full = 0;
  for (const auto& [start, end] : spans) full += (end - start) * 10 >= longest * 6 ? 1 : 0;
  if (full < 5) return "";
  std::string joined;
  for (size_t k = 0; k + 1 < spans.size(); ++k) {
    auto [start, end] = spans[k];
    auto [next_start, next_end] = spans[k + 1];
    bool fills = (end - start) * 10 >= longest * 6;
    bool next_blank = std::all_of(text.begin() + static_cast<ptrdiff_t>(next_start),
                                  text.begin() + static_cast<ptrdiff_t>(next_end), IsSpace);
    if (!fills || next_blank) continue;
    if (joined.empty()) joined.assign(text);
    for (size_t b = end; b < next_start; ++b) joined[b] = ' ';  // "\r\n" or "\n"
  }
  return joined;
}

}  // namespace

std::vector<Line> ClassifyLines(std::string_view text) {
  constexpr size_t kMaxOffset = 0xFFFFFFFFu;
  if (text.size() > kMaxOffset) text = text.substr(0, kMaxOffset);
  std::string joined = JoinWrappedLines(text);
  if (joined.empty()) return ClassifyLogicalLines(text);
  // Classify paragraphs, then give each physical line its paragraph's kind.
  std::vector<Line> lines;
  for (const Line& logical : ClassifyLogicalLines(joined)) {
    size_t pos = logical.start;
    while (pos < logical.end) {
      size_t newline = text.find('\n', pos);
      size_t end =
          newline == std::string_view::npos || newline > logical.end ? logical.end : newline;
      size_t content_end = end;
      if (content_end > pos && text[content_end - 1] == '\r') --content_end;
      std::string_view line = text.substr(pos, content_end - pos);
      if (std::any_of(line.begin(), line.end(), [](char c) { return !IsSpace(c); })) {
        Line physical = logical;
        physical.start = static_cast<uint32_t>(pos);
        physical.end = static_cast<uint32_t>(content_end);
        // One title: only the first line of a wrapped headline keeps the kind.
        if (physical.kind == LineKind::kTitle && pos != logical.start) {
          physical.kind = LineKind::kBody;
        }
        lines.push_back(physical);
      }
      pos = end + 1;
    }
  }
  return lines;
}

}  // namespace unspin::extract
