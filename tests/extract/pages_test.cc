// Debris precision and recall on the project's labelled pages
// (tests/data/pages: article text written for the project in several site
// layouts, as text and HTML). Each NAME.labels file has one line per
// labelled line: "kind<TAB>exact line text"; kind is a debris kind, "title"
// or "body" (a line that must stay in the article).
//
// Scoring, per labelled debris line: found (true positive) when it is
// classified as debris or absent from the extracted lines (HTML boilerplate
// the extractor dropped), missed when it is kept as body. False positives:
// extracted lines classified as debris that are not labelled debris, and
// labelled title/body lines that are missing or classified as debris.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "unspin/extract/html.h"
#include "unspin/extract/lines.h"

namespace unspin::extract {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Counts {
  int true_positives = 0;
  int false_positives = 0;
  int false_negatives = 0;
  int kind_agreements = 0;  // found debris lines whose kind matches the label
  int pages = 0;
  double Precision() const {
    int d = true_positives + false_positives;
    return d == 0 ? 1.0 : static_cast<double>(true_positives) / d;
  }
  double Recall() const {
    int d = true_positives + false_negatives;
    return d == 0 ? 1.0 : static_cast<double>(true_positives) / d;
  }
};

void ScorePage(const fs::path& page_path, Counts* counts) {
  fs::path labels_path = page_path;
  labels_path.replace_extension(".labels");
  ASSERT_TRUE(fs::exists(labels_path)) << labels_path;
  std::multimap<std::string, std::string> debris;         // text -> kind
  std::vector<std::pair<std::string, std::string>> keep;  // (kind, text) for title/body
  std::istringstream labels(Slurp(labels_path));
  std::string row;
  while (std::getline(labels, row)) {
    if (row.empty()) continue;
    size_t tab = row.find('\t');
    ASSERT_NE(tab, std::string::npos) << labels_path << ": " << row;
    std::string kind = row.substr(0, tab), text = row.substr(tab + 1);
    if (kind == "title" || kind == "body") {
      keep.emplace_back(kind, text);
    } else {
      debris.emplace(text, kind);
    }
  }

  std::string bytes = Slurp(page_path);
  std::string text;
  std::vector<Line> lines;
  if (page_path.extension() == ".html") {
    Result<HtmlText> page = HtmlToText(bytes);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    lines = ClassifyPage(*page);
    text = page->text;
  } else {
    text = bytes;
    lines = ClassifyLines(text);
  }
  std::map<std::string, LineKind> extracted;
  for (const Line& line : lines) {
    std::string line_text = text.substr(line.start, line.end - line.start);
    // Labels name each distinct line text once.
    extracted.emplace(line_text, line.kind);
    bool labelled = debris.count(line_text) > 0;
    if (IsDebris(line.kind) && !labelled) {
      ++counts->false_positives;
      std::printf("  %s: false positive (%s): %s\n", page_path.filename().c_str(),
                  std::string(LineKindName(line.kind)).c_str(), line_text.c_str());
    }
  }
  for (const auto& [line_text, kind] : debris) {
    auto it = extracted.find(line_text);
    if (it == extracted.end() || IsDebris(it->second)) {
      ++counts->true_positives;
      if (it == extracted.end() || LineKindName(it->second) == kind) ++counts->kind_agreements;
    } else {
      ++counts->false_negatives;
      std::printf("  %s: missed %s: %s\n", page_path.filename().c_str(), kind.c_str(),
                  line_text.c_str());
    }
  }
  for (const auto& [kind, line_text] : keep) {
    auto it = extracted.find(line_text);
    bool ok = it != extracted.end() && !IsDebris(it->second);
    if (kind == "title") {
      EXPECT_TRUE(it != extracted.end() && it->second == LineKind::kTitle)
          << page_path.filename() << ": title not found: " << line_text;
    }
    if (!ok) {
      ++counts->false_positives;
      std::printf("  %s: article line lost: %s\n", page_path.filename().c_str(), line_text.c_str());
    }
  }
  ++counts->pages;
}

TEST(LabelledPagesTest, DebrisPrecisionAndRecall) {
  fs::path dir = fs::path(UNSPIN_TEST_DATA_DIR) / "pages";
  std::vector<fs::path> pages;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    std::string extension = entry.path().extension();
    if (extension == ".txt" || extension == ".html") pages.push_back(entry.path());
  }
  std::sort(pages.begin(), pages.end());
  ASSERT_GE(pages.size(), 8u);
  Counts text, html, all;
  for (const fs::path& page : pages) {
    Counts& counts = page.extension() == ".html" ? html : text;
    ScorePage(page, &counts);
  }
  for (const Counts* c : {&text, &html}) {
    all.true_positives += c->true_positives;
    all.false_positives += c->false_positives;
    all.false_negatives += c->false_negatives;
    all.kind_agreements += c->kind_agreements;
    all.pages += c->pages;
  }
  for (const auto& [name, c] :
       {std::pair<const char*, const Counts*>{"text", &text}, {"html", &html}, {"all", &all}}) {
    std::printf(
        "%s: %d pages, precision %.3f, recall %.3f (tp %d, fp %d, fn %d), kind agreement "
        "%d/%d\n",
        name, c->pages, c->Precision(), c->Recall(), c->true_positives, c->false_positives,
        c->false_negatives, c->kind_agreements, c->true_positives);
    EXPECT_GE(c->Precision(), 0.9) << name;
    EXPECT_GE(c->Recall(), 0.9) << name;
  }
}

}  // namespace
}  // namespace unspin::extract
