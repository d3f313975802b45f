// Page debris: which lines of a document are the article (title and body)
// and which are debris a page wraps it in (share counters, related-story
// headlines, adverts, photo captions and credits, share widgets, injected spam).
//
//   std::vector<extract::Line> lines = extract::ClassifyLines(text);
//   for (const extract::Line& line : lines) {
//     if (extract::IsDebris(line.kind)) {
//       debris.push_back({line.start, line.end, std::string(extract::LineKindName(line.kind))});
//     }
//   }
//
// The classifier is a small scored model over line features (length in words,
// digit ratio, sentence-final punctuation, capitalisation, separators such as
// '|' and '·', credit/agency and clickbait patterns) and block features (the
// line's position relative to the run of body paragraphs, the line that
// follows it). docs/extract.md lists the features and the measured precision
// and recall.
#ifndef UNSPIN_EXTRACT_LINES_H_
#define UNSPIN_EXTRACT_LINES_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace unspin::extract {

enum class LineKind : uint8_t {
  kBody = 0,  // article text, including subheadings and bylines
  kTitle,     // the article's headline (at most one per document)
  // Debris kinds:
  kCounter,  // share / comment / view counters ("134", "12 comments")
  kRelated,  // related-story headlines and links, navigation crumbs
  kAdvert,   // adverts and clickbait ("Revealed: The Secrets ...", "Sponsored")
  kCaption,  // photo captions
  kCredit,   // photo credits ("Pedro Pardo|AFP|Getty Images")
  kShare,    // share / subscribe / read-more widgets
  kSpam,     // promotional lines injected into a body (links, calls to action)
};

// Stable lower-case name: "body", "title", "counter", "related", "advert",
// "caption", "credit", "share", "spam".
std::string_view LineKindName(LineKind kind);

// True for every kind except kBody and kTitle.
bool IsDebris(LineKind kind);

// One non-blank line of the classified text.
struct Line {
  uint32_t start = 0;  // byte offset of the line's first byte in the text
  uint32_t end = 0;    // byte offset one past its last byte, excluding "\r\n" / "\n"
  LineKind kind = LineKind::kBody;
  float score = 0;  // evidence for `kind` when it is debris (higher is surer); 0 otherwise
};

// Splits `text` at '\n' and classifies every line that holds a non-whitespace
// byte; blank lines get no entry. Lines come back in text order, offsets are
// half-open byte ranges into `text` (so text.substr(start, end - start) is
// the line without its line break). Works on any bytes (invalid UTF-8 is
// classified like any other text, never a failure); lines are capped at
// 4 GiB offsets (texts longer than that are classified up to 4 GiB).
// Hard-wrapped text is classified paragraph by paragraph (docs/extract.md)
// but still reported one Line per physical line.
// Deterministic and thread-safe; linear in the size of the text.
std::vector<Line> ClassifyLines(std::string_view text);

}  // namespace unspin::extract

#endif  // UNSPIN_EXTRACT_LINES_H_
