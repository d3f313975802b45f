// HTML to text with gumbo (Google's HTML5 parser, Debian libgumbo-dev).
//
// Invariants:
// - Every gumbo allocation goes through TrackedAlloc and sits on one intrusive
//   list; the whole tree is freed by walking that list, never by
//   gumbo_destroy_output (which recurses once per nesting level and would
//   overflow the stack on deeply nested pages).
// - The DOM walk is iterative for the same reason.
// - HtmlText::lines[i] covers text line i; lines are non-empty, valid UTF-8,
//   and source offsets are offsets into the page as given (before charset
//   conversion and after none: the BOM is counted).
#include "unspin/extract/html.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "extract/ascii.h"

namespace unspin::extract {
namespace {

using internal::LowerAscii;

// ---- Allocation tracking -------------------------------------------------

struct alignas(16) AllocHeader {
  AllocHeader* prev;
  AllocHeader* next;
};

struct AllocList {
  AllocHeader head{&head, &head};
  ~AllocList() {
    AllocHeader* node = head.next;
    while (node != &head) {
      AllocHeader* next = node->next;
      std::free(node);
      node = next;
    }
  }
};

void* TrackedAlloc(void* userdata, size_t size) {
  auto* list = static_cast<AllocList*>(userdata);
  auto* header = static_cast<AllocHeader*>(std::malloc(sizeof(AllocHeader) + size));
  if (header == nullptr) std::abort();  // gumbo cannot handle a failed allocation
  header->prev = &list->head;
  header->next = list->head.next;
  list->head.next->prev = header;
  list->head.next = header;
  return header + 1;
}

void TrackedFree(void* /*userdata*/, void* ptr) {
  if (ptr == nullptr) return;
  AllocHeader* header = static_cast<AllocHeader*>(ptr) - 1;
  header->prev->next = header->next;
  header->next->prev = header->prev;
  std::free(header);
}

// ---- Charset ---------------------------------------------------------------

// The charset named in the first 4 KiB ("charset=..."), lower-cased, or "".
std::string DeclaredCharset(std::string_view page) {
  std::string head = LowerAscii(page.substr(0, 4096));
  size_t at = 0;
  while ((at = head.find("charset", at)) != std::string::npos) {
    size_t k = at + 7;
    while (k < head.size() && (head[k] == ' ' || head[k] == '\t')) ++k;
    if (k < head.size() && head[k] == '=') {
      ++k;
      while (k < head.size() && (head[k] == ' ' || head[k] == '"' || head[k] == '\'')) ++k;
      size_t end = k;
      while (end < head.size() && (std::isalnum(static_cast<unsigned char>(head[end])) ||
                                   head[end] == '-' || head[end] == '_')) {
        ++end;
      }
      if (end > k) return head.substr(k, end - k);
    }
    at = k;
  }
  return "";
}

bool IsWindows1252Alias(std::string_view name) {
  return name == "iso-8859-1" || name == "iso8859-1" || name == "latin1" || name == "latin-1" ||
         name == "l1" || name == "windows-1252" || name == "cp1252" || name == "x-cp1252" ||
         name == "us-ascii" || name == "ascii" || name == "iso_8859-1" || name == "cp819" ||
         name == "ibm819";
}

// windows-1252 bytes 0x80..0x9F (WHATWG encoding standard); 0 = undefined,
// which browsers map to the C1 control of the same value.
constexpr char16_t kWindows1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Maps offsets in converted text back to the page. `breaks` holds, for every
// widened character, (converted offset, page offset, true) at its start and
// (converted offset, page offset, false) just after it.
struct OffsetMap {
  std::vector<std::tuple<uint32_t, uint32_t, bool>> breaks;
  uint32_t base = 0;  // bytes dropped in front (BOM)

  uint32_t ToPage(uint32_t converted) const {
    auto it = std::upper_bound(breaks.begin(), breaks.end(),
                               std::make_tuple(converted, UINT32_MAX, true));
    if (it == breaks.begin()) return base + converted;
    --it;
    auto [at, page, widened_start] = *it;
    // Inside a widened character: its page byte.
    return widened_start ? page : page + (converted - at);
  }
};

std::string Windows1252ToUtf8(std::string_view page, OffsetMap* map) {
  std::string out;
  out.reserve(page.size() + page.size() / 8);
  for (size_t i = 0; i < page.size(); ++i) {
    unsigned char byte = static_cast<unsigned char>(page[i]);
    if (byte < 0x80) {
      out.push_back(static_cast<char>(byte));
      continue;
    }
    char32_t cp = byte;
    if (byte < 0xA0 && kWindows1252High[byte - 0x80] != 0) cp = kWindows1252High[byte - 0x80];
    map->breaks.emplace_back(static_cast<uint32_t>(out.size()), static_cast<uint32_t>(i), true);
    AppendUtf8(cp, &out);
    // Bytes after this one continue 1:1 from the next page byte.
    map->breaks.emplace_back(static_cast<uint32_t>(out.size()), static_cast<uint32_t>(i + 1),
                             false);
  }
  return out;
}

// Replaces ill-formed UTF-8 with U+FFFD (gumbo already does for text nodes;
// this keeps the output valid whatever reaches it).
void SanitizeUtf8(std::string* s) {
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(s->data());
  size_t n = s->size(), i = 0;
  bool changed = false;
  while (i < n) {
    unsigned b = p[i];
    size_t len = 0;
    if (b < 0x80) {
      len = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
    }
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xC0) == 0x80;
    if (ok && len == 3) {
      unsigned second = p[i + 1];
      ok = !(b == 0xE0 && second < 0xA0) && !(b == 0xED && second >= 0xA0);
    }
    if (ok && len == 4) {
      unsigned second = p[i + 1];
      ok = !(b == 0xF0 && second < 0x90) && !(b == 0xF4 && second >= 0x90);
    }
    if (!ok) {
      if (!changed) out.assign(s->data(), i);
      changed = true;
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (changed) out.append(s->data() + i, len);
    i += len;
  }
  if (changed) *s = std::move(out);
}

// ---- Nesting limit -----------------------------------------------------------

// Parsing deep nesting is quadratic in gumbo (each <div> or <li> start tag
// scans the stack of open elements), so tags nested deeper than kMaxNesting
// are blanked out (replaced by spaces, which keeps every byte offset) before
// parsing. Depth is estimated from the tags alone: void elements and elements
// whose end tag is implied (p, li, td ...) are not counted; raw text (script,
// style, textarea, title) and comments are skipped.
constexpr int kMaxNesting = 512;

bool NameIs(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool Uncounted(std::string_view name) {
  return NameIs(name, {"area",  "base", "br",    "col",   "embed",  "hr",       "img",
                       "input", "link", "meta",  "param", "source", "track",    "wbr",
                       "p",     "li",   "dt",    "dd",    "option", "optgroup", "tr",
                       "td",    "th",   "thead", "tbody", "tfoot",  "colgroup", "caption",
                       "rb",    "rt",   "rp",    "frame", "keygen", "basefont", "bgsound"});
}

// Returns the page with over-deep tags blanked, or "" when nothing was blanked.
std::string LimitNesting(std::string_view page) {
  std::string out;
  int depth = 0;
  size_t i = 0;
  const size_t n = page.size();
  auto blank = [&](size_t from, size_t to) {
    if (out.empty()) out.assign(page);
    std::fill(out.begin() + static_cast<ptrdiff_t>(from), out.begin() + static_cast<ptrdiff_t>(to),
              ' ');
  };
  while (i < n) {
    size_t open = page.find('<', i);
    if (open == std::string_view::npos || open + 1 >= n) break;
    if (page.substr(open, 4) == "<!--") {
      size_t end = page.find("-->", open + 4);
      i = end == std::string_view::npos ? n : end + 3;
      continue;
    }
    bool end_tag = page[open + 1] == '/';
    size_t name_start = open + (end_tag ? 2 : 1);
    size_t name_end = name_start;
    while (name_end < n && std::isalnum(static_cast<unsigned char>(page[name_end]))) ++name_end;
    if (name_end == name_start) {
      i = open + 1;
      continue;
    }
    std::string name = LowerAscii(page.substr(name_start, name_end - name_start));
    // The tag ends at the first '>' outside quotes.
    size_t close = name_end;
    char quote = 0;
    while (close < n && (quote != 0 || page[close] != '>')) {
      if (quote != 0 && page[close] == quote) {
        quote = 0;
      } else if (quote == 0 && (page[close] == '"' || page[close] == '\'')) {
        quote = page[close];
      }
      ++close;
    }
    if (close >= n) break;
    size_t tag_end = close + 1;
    bool self_closing = page[close - 1] == '/';
    if (!end_tag && NameIs(name, {"script", "style", "textarea", "title", "xmp", "plaintext"})) {
      // Raw text runs to "</name", matched case-insensitively.
      size_t k = tag_end;
      for (; k + name.size() + 2 <= n; ++k) {
        if (page[k] == '<' && page[k + 1] == '/' &&
            LowerAscii(page.substr(k + 2, name.size())) == name) {
          break;
        }
      }
      i = k;
      continue;
    }
    if (Uncounted(name) || self_closing) {
      i = tag_end;
      continue;
    }
    if (end_tag) {
      if (depth > kMaxNesting) blank(open, tag_end);
      depth = std::max(0, depth - 1);
    } else {
      if (depth >= kMaxNesting) blank(open, tag_end);
      ++depth;
    }
    i = tag_end;
  }
  return out;
}

// ---- DOM walk ----------------------------------------------------------------

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_TITLE:
      return true;
    default:
      return false;
  }
}

bool IsDropped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_MAP:
      return true;
    default:
      return false;
  }
}

const char* Attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? nullptr : attribute->value;
}

bool IsHidden(const GumboElement& element) {
  if (Attribute(element, "hidden") != nullptr) return true;
  if (const char* aria = Attribute(element, "aria-hidden"); aria != nullptr) {
    if (LowerAscii(aria) == "true") return true;
  }
  if (const char* style = Attribute(element, "style"); style != nullptr) {
    std::string css = LowerAscii(style);
    css.erase(std::remove(css.begin(), css.end(), ' '), css.end());
    if (css.find("display:none") != std::string::npos ||
        css.find("visibility:hidden") != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The lower-cased alphanumeric words of an element's class and id.
std::vector<std::string> ClassWords(const GumboElement& element) {
  std::vector<std::string> words;
  for (const char* attribute : {"class", "id"}) {
    const char* value = Attribute(element, attribute);
    if (value == nullptr) continue;
    std::string word;
    for (const char* p = value;; ++p) {
      if (*p != '\0' && std::isalnum(static_cast<unsigned char>(*p))) {
        word.push_back(LowerAscii(*p));
      } else {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
        if (*p == '\0') break;
      }
    }
  }
  return words;
}

// The debris kind a class or id names. Short names must be whole words
// ("ad", "more"); distinctive ones may be part of a word ("sharedaddy",
// "jp-relatedposts", "image-credit").
LineKind ClassHint(const std::vector<std::string>& words) {
  auto is = [&](std::initializer_list<std::string_view> any) {
    for (const std::string& word : words) {
      if (std::find(any.begin(), any.end(), word) != any.end()) return true;
    }
    return false;
  };
  auto part = [&](std::initializer_list<std::string_view> any) {
    for (const std::string& word : words) {
      for (std::string_view piece : any) {
        if (word.find(piece) != std::string::npos) return true;
      }
    }
    return false;
  };
  if (is({"count", "counter", "counts"}) || part({"sharecount", "commentcount"})) {
    return LineKind::kCounter;
  }
  if (is({"copyright", "attribution"}) || part({"credit"})) return LineKind::kCredit;
  if (part({"caption"})) return LineKind::kCaption;
  if (part({"share", "sharing", "social", "newsletter", "subscribe", "signup"})) {
    return LineKind::kShare;
  }
  if (is({"more", "readmore", "recirc"}) || part({"related", "recommend", "trending"})) {
    return LineKind::kRelated;
  }
  if (is({"ad", "ads", "adslot", "promo", "promoted", "dfp"}) ||
      part({"advert", "sponsor", "taboola", "outbrain"})) {
    return LineKind::kAdvert;
  }
  return LineKind::kBody;
}

// Reader comments are not the article: dropped like navigation.
bool IsCommentSection(const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    if (word == "comment" || word == "comments" || word == "commentlist" || word == "disqus" ||
        word == "respond") {
      return true;
    }
  }
  return false;
}

struct Element {
  int parent = -1;
  GumboTag tag = GUMBO_TAG_UNKNOWN;
};

struct RawLine {
  std::string text;
  uint32_t source_offset = 0;  // converted-buffer offset until mapped
  size_t link_bytes = 0;
  int element = -1;  // innermost block element holding the line
  LineKind hint = LineKind::kBody;
  bool h1 = false;
  bool heading = false;  // inside h1, h2 or h3
};

struct Walker {
  std::vector<Element> elements;
  std::vector<RawLine> lines;
  RawLine current;
  bool current_has_text = false;
  std::string title_text;  // <title>
  uint32_t title_offset = 0;
  std::vector<size_t> h1_lines;  // indices into lines

  void Flush() {
    if (current_has_text) {
      while (!current.text.empty() && current.text.back() == ' ') current.text.pop_back();
      if (!current.text.empty()) lines.push_back(std::move(current));
    }
    current = RawLine();
    current_has_text = false;
  }

  // Appends decoded text, collapsing white space unless `pre`.
  void AddText(const GumboText& text, int block, LineKind hint, bool in_link, bool pre, bool h1,
               bool heading) {
    std::string_view decoded = text.text;
    std::string_view original(text.original_text.data, text.original_text.length);
    size_t before = current.text.size();
    for (size_t i = 0; i < decoded.size(); ++i) {
      char c = decoded[i];
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
      bool nbsp = c == '\xC2' && i + 1 < decoded.size() && decoded[i + 1] == '\xA0';
      if (pre && c == '\n') {
        // A line break inside <pre> ends a line.
        Flush();
        continue;
      }
      if (pre && (space || nbsp)) {
        if (current_has_text || !current.text.empty()) current.text.push_back(nbsp ? ' ' : c);
        if (nbsp) ++i;
        continue;
      }
      if (space || nbsp) {
        if (nbsp) ++i;
        if (!current.text.empty() && current.text.back() != ' ') current.text.push_back(' ');
        continue;
      }
      if (!current_has_text) {
        current_has_text = true;
        current.element = block;
        current.hint = hint;
        current.h1 = h1;
        current.heading = heading;
        // The first non-space byte of the node in the page.
        size_t skip = 0;
        while (skip < original.size() &&
               (original[skip] == ' ' || original[skip] == '\t' || original[skip] == '\n' ||
                original[skip] == '\r' || original[skip] == '\f')) {
          ++skip;
        }
        current.source_offset = static_cast<uint32_t>(text.start_pos.offset + skip);
        if (!current.text.empty() && current.text.back() == ' ') current.text.clear();
      }
      current.text.push_back(c);
    }
    if (in_link) current.link_bytes += current.text.size() - before;
  }
};

struct Frame {
  const GumboNode* node;
  unsigned child = 0;
  int element = -1;  // index into Walker::elements
  int block = -1;    // innermost block element (for lines)
  LineKind hint = LineKind::kBody;
  bool in_link = false;
  bool pre = false;
  bool in_article = false;
  bool h1 = false;
  bool heading = false;
  bool in_head = false;
};

void Walk(const GumboNode* root, Walker* walker) {
  std::vector<Frame> stack;
  stack.push_back({root});
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const GumboNode* node = frame.node;
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) children = &node->v.document.children;
    if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
      children = &node->v.element.children;
    }
    if (children == nullptr || frame.child >= children->length) {
      if (node->type == GUMBO_NODE_ELEMENT &&
          (IsBlock(node->v.element.tag) || frame.hint != LineKind::kBody)) {
        walker->Flush();
      }
      stack.pop_back();
      continue;
    }
    const auto* child = static_cast<const GumboNode*>(children->data[frame.child++]);
    Frame parent = frame;  // copy: push_back may reallocate
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
        child->type == GUMBO_NODE_CDATA) {
      if (parent.in_head) continue;
      walker->AddText(child->v.text, parent.block, parent.hint, parent.in_link, parent.pre,
                      parent.h1, parent.heading);
      continue;
    }
    if (child->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& element = child->v.element;
    GumboTag tag = element.tag;
    if (tag == GUMBO_TAG_TITLE) {
      if (walker->title_text.empty() && element.children.length > 0) {
        const auto* text = static_cast<const GumboNode*>(element.children.data[0]);
        if (text->type == GUMBO_NODE_TEXT) {
          walker->title_text = text->v.text.text;
          walker->title_offset = static_cast<uint32_t>(text->v.text.start_pos.offset);
        }
      }
      continue;
    }
    if (tag == GUMBO_TAG_HEAD) {
      Frame head{child};
      head.in_head = true;
      stack.push_back(head);
      continue;
    }
    if (parent.in_head) continue;
    bool article = parent.in_article || tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_MAIN;
    if (IsDropped(tag) || (tag == GUMBO_TAG_HEADER && !parent.in_article) || IsHidden(element)) {
      continue;
    }
    std::vector<std::string> class_words = ClassWords(element);
    if (IsCommentSection(class_words)) continue;
    if (tag == GUMBO_TAG_IMG || tag == GUMBO_TAG_INPUT) continue;
    Frame next{child};
    next.element = static_cast<int>(walker->elements.size());
    walker->elements.push_back({parent.element, tag});
    LineKind hint = ClassHint(class_words);
    if (tag == GUMBO_TAG_FIGCAPTION) hint = LineKind::kCaption;
    next.hint = hint != LineKind::kBody ? hint : parent.hint;
    bool block = IsBlock(tag) || hint != LineKind::kBody;
    next.block = block ? next.element : parent.block;
    next.in_link = parent.in_link || tag == GUMBO_TAG_A;
    next.pre = parent.pre || tag == GUMBO_TAG_PRE;
    next.in_article = article;
    next.h1 = parent.h1 || tag == GUMBO_TAG_H1;
    next.heading =
        parent.heading || tag == GUMBO_TAG_H1 || tag == GUMBO_TAG_H2 || tag == GUMBO_TAG_H3;
    if (block) walker->Flush();
    if (tag == GUMBO_TAG_H1) walker->h1_lines.push_back(walker->lines.size());
    stack.push_back(next);
  }
  walker->Flush();
}

// Word overlap of two strings (lower-cased alphanumeric words), 0..1.
double Overlap(std::string_view a, std::string_view b) {
  auto words = [](std::string_view s) {
    std::vector<std::string> out;
    std::string word;
    for (char c : s) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        word.push_back(LowerAscii(c));
      } else if (!word.empty()) {
        out.push_back(std::move(word));
        word.clear();
      }
    }
    if (!word.empty()) out.push_back(std::move(word));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  std::vector<std::string> wa = words(a), wb = words(b);
  if (wa.empty() || wb.empty()) return 0;
  std::vector<std::string> common;
  std::set_intersection(wa.begin(), wa.end(), wb.begin(), wb.end(), std::back_inserter(common));
  return static_cast<double>(common.size()) / static_cast<double>(std::max(wa.size(), wb.size()));
}

// "Headline | Site" -> "Headline": the longest part between separators.
std::string StripSiteName(std::string_view title) {
  std::string_view best = title;
  size_t best_size = 0;
  std::string_view rest = title;
  const std::string_view separators[] = {" | ",  " - ",       " \xE2\x80\x93 ", " \xE2\x80\x94 ",
                                         " :: ", " \xC2\xB7 "};
  while (!rest.empty()) {
    size_t cut = std::string_view::npos, width = 0;
    for (std::string_view separator : separators) {
      size_t at = rest.find(separator);
      if (at < cut) cut = at, width = separator.size();
    }
    std::string_view part = rest.substr(0, cut);
    if (part.size() > best_size) best = part, best_size = part.size();
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + width);
  }
  std::string out;
  bool space = false;
  for (char c : best) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Elements are numbered in document (pre-)order, so a subtree is the range
// [e, last[e]].
std::vector<int> LastDescendants(const std::vector<Element>& elements) {
  std::vector<int> last(elements.size());
  for (size_t e = 0; e < elements.size(); ++e) last[e] = static_cast<int>(e);
  for (size_t e = elements.size(); e-- > 0;) {
    int parent = elements[e].parent;
    if (parent >= 0) last[parent] = std::max(last[parent], last[e]);
  }
  return last;
}

bool Inside(const std::vector<int>& last, int element, int ancestor) {
  return ancestor >= 0 && element >= ancestor && element <= last[ancestor];
}

size_t OwnBytes(const RawLine& line) {
  return line.text.size() - std::min(line.link_bytes, line.text.size());
}

// A paragraph for content scoring: 60+ bytes of text, under a third links.
bool ScoringParagraph(const RawLine& line) {
  return line.element >= 0 && OwnBytes(line) >= 60 && line.link_bytes * 3 <= line.text.size();
}

// The element holding the main content: readability-style scoring (each
// paragraph adds its text to its container, half to the container's parent
// and a quarter above), widened until it holds 60% of the page's paragraph
// text. -1 when the page has no paragraph.
int MainContent(const Walker& walker) {
  const std::vector<Element>& elements = walker.elements;
  if (elements.empty()) return -1;
  // score[e] (paragraph text credited to e) and held[e] (paragraph text inside e).
  struct Tally {
    double score = 0;
    double held = 0;
  };
  std::vector<Tally> tally(elements.size());
  double total = 0;
  for (const RawLine& line : walker.lines) {
    if (!ScoringParagraph(line)) continue;
    double own = static_cast<double>(OwnBytes(line));
    total += own;
    tally[line.element].held += own;
    // <br>-separated text has no <p>: its own block (a div, td ...) is the
    // container, so it is credited too.
    switch (elements[line.element].tag) {
      case GUMBO_TAG_P:
      case GUMBO_TAG_LI:
      case GUMBO_TAG_H1:
      case GUMBO_TAG_H2:
      case GUMBO_TAG_H3:
      case GUMBO_TAG_H4:
      case GUMBO_TAG_H5:
      case GUMBO_TAG_H6:
      case GUMBO_TAG_DT:
      case GUMBO_TAG_DD:
      case GUMBO_TAG_PRE:
      case GUMBO_TAG_FIGCAPTION:
        break;
      default:
        tally[line.element].score += own;
    }
    int container = elements[line.element].parent;
    double weight = own;
    for (int level = 0; level < 3 && container >= 0; ++level) {
      tally[container].score += weight;
      weight /= 2;
      container = elements[container].parent;
    }
  }
  if (total == 0) return -1;
  int best = static_cast<int>(elements.size()) - 1;
  for (size_t e = elements.size(); e-- > 0;) {
    if (elements[e].parent >= 0) tally[elements[e].parent].held += tally[e].held;
    // Strictly greater, visiting children before parents: ties go inward.
    if (tally[e].score > tally[best].score) best = static_cast<int>(e);
  }
  while (best >= 0 && tally[best].held < 0.6 * total) best = elements[best].parent;
  return best;
}

}  // namespace

Result<HtmlText> HtmlToText(std::string_view page, const HtmlOptions& options) {
  if (page.size() > options.max_bytes || page.size() > UINT32_MAX) {
    return ResourceExhaustedError("HTML page of " + std::to_string(page.size()) +
                                  " bytes is over the limit of " +
                                  std::to_string(options.max_bytes) + " bytes");
  }
  OffsetMap map;
  std::string_view body = page;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    body.remove_prefix(3);
    map.base = 3;
  }
  HtmlText result;
  result.charset = "utf-8";
  std::string converted;
  std::string declared = options.charset.empty() ? DeclaredCharset(body) : options.charset;
  if (IsWindows1252Alias(declared)) {
    converted = Windows1252ToUtf8(body, &map);
    for (auto& entry : map.breaks) std::get<1>(entry) += map.base;
    body = converted;
    result.charset = "windows-1252";
  }

  std::string limited = LimitNesting(body);
  if (!limited.empty()) {
    converted = std::move(limited);
    body = converted;
  }

  AllocList allocations;
  GumboOptions gumbo_options = kGumboDefaultOptions;
  gumbo_options.allocator = TrackedAlloc;
  gumbo_options.deallocator = TrackedFree;
  gumbo_options.userdata = &allocations;
  gumbo_options.max_errors = 0;  // do not keep parse errors: broken pages have millions
  GumboOutput* output = gumbo_parse_with_options(&gumbo_options, body.data(), body.size());
  if (output == nullptr || output->document == nullptr) {
    return InternalError("HTML parser returned no document");
  }
  Walker walker;
  Walk(output->document, &walker);
  // `allocations` frees the tree when it goes out of scope.

  int main = options.main_content ? MainContent(walker) : -1;
  std::vector<int> last = LastDescendants(walker.elements);
  std::vector<RawLine> kept;
  // Title: the main content's first <h1>, else the <h1> closest to <title>,
  // else <title> without the site name.
  int title_line = -1;
  for (size_t index : walker.h1_lines) {
    if (index >= walker.lines.size() || !walker.lines[index].h1) continue;
    if (Inside(last, walker.lines[index].element, main)) {
      title_line = static_cast<int>(index);
      break;
    }
  }
  if (title_line < 0) {
    double best = 0.5;
    for (size_t index : walker.h1_lines) {
      if (index >= walker.lines.size() || !walker.lines[index].h1) continue;
      double overlap = Overlap(walker.lines[index].text, walker.title_text);
      if (overlap > best) best = overlap, title_line = static_cast<int>(index);
    }
  }
  // No <h1>: an <h2>/<h3> that repeats <title> (blog themes) is the title,
  // rather than a copy of it beside the <title> text.
  if (title_line < 0 && !walker.title_text.empty()) {
    for (size_t index = 0; index < walker.lines.size(); ++index) {
      const RawLine& line = walker.lines[index];
      if (line.heading && Overlap(line.text, walker.title_text) >= 0.6 &&
          (main < 0 || Inside(last, line.element, main))) {
        title_line = static_cast<int>(index);
        break;
      }
    }
  }
  // A headline just outside the main content (the article's header block):
  // widen the content to hold it, so the standfirst, lead photo and its
  // caption come along (up to two levels up).
  if (title_line >= 0 && main >= 0 && !Inside(last, walker.lines[title_line].element, main)) {
    int widened = main;
    for (int level = 0; level < 2 && widened >= 0; ++level) {
      widened = walker.elements[widened].parent;
      if (Inside(last, walker.lines[title_line].element, widened)) {
        main = widened;
        break;
      }
    }
  }
  if (title_line >= 0) {
    RawLine title = walker.lines[title_line];
    title.hint = LineKind::kTitle;
    kept.push_back(std::move(title));
  } else if (std::string title = StripSiteName(walker.title_text); !title.empty()) {
    RawLine line;
    line.text = std::move(title);
    line.source_offset = walker.title_offset;
    line.hint = LineKind::kTitle;
    kept.push_back(std::move(line));
  }
  for (size_t i = 0; i < walker.lines.size(); ++i) {
    if (static_cast<int>(i) == title_line) continue;
    RawLine& line = walker.lines[i];
    if (main >= 0 && !Inside(last, line.element, main)) continue;
    kept.push_back(std::move(line));
  }

  for (RawLine& line : kept) {
    SanitizeUtf8(&line.text);
    // Gumbo does not allow '\n' in collapsed text, but <pre> and &#10; can.
    std::replace(line.text.begin(), line.text.end(), '\n', ' ');
    HtmlLine out;
    out.start = static_cast<uint32_t>(result.text.size());
    result.text += line.text;
    out.end = static_cast<uint32_t>(result.text.size());
    result.text.push_back('\n');
    out.source_offset = map.ToPage(line.source_offset);
    out.hint = line.hint;
    out.link_density = line.text.empty() ? 0.0F
                                         : static_cast<float>(line.link_bytes) /
                                               static_cast<float>(line.text.size());
    result.lines.push_back(out);
  }
  return result;
}

std::vector<Line> ClassifyPage(const HtmlText& page) {
  std::vector<Line> lines = ClassifyLines(page.text);
  // Every HtmlText line is non-empty and free of '\n', so lines and
  // page.lines correspond one to one; match by offset to stay safe.
  size_t k = 0;
  bool has_title_hint = false;
  for (const HtmlLine& html_line : page.lines) has_title_hint |= html_line.hint == LineKind::kTitle;
  for (Line& line : lines) {
    while (k < page.lines.size() && page.lines[k].end <= line.start) ++k;
    if (k == page.lines.size()) break;
    const HtmlLine& html_line = page.lines[k];
    if (html_line.hint == LineKind::kTitle) {
      line.kind = LineKind::kTitle;
      line.score = 0;
    } else if (IsDebris(html_line.hint)) {
      line.kind = html_line.hint;
      line.score = std::max(line.score, 5.0F);
    } else if (IsDebris(line.kind)) {
      continue;
    } else if (html_line.link_density >= 0.6F) {
      line.kind = LineKind::kRelated;
      line.score = 3.0F;
    } else if (line.kind == LineKind::kTitle && has_title_hint) {
      line.kind = LineKind::kBody;
    }
  }
  return lines;
}

}  // namespace unspin::extract
