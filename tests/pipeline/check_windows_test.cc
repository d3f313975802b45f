// CheckInWindows against the whole-text Checker::Check, the slow reference,
// on generated texts, original and spun: the same JSON for a text of one
// window, the same verdict over many; and windows that cover any input.
#include "unspin/pipeline/check_windows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/wordnet_text.h"
#include "unspin/simulate/spinner.h"

namespace unspin::pipeline {
namespace {

class CheckWindowsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<model::Model>> opened = model::Model::Open(UNSPIN_DEFAULT_MODEL);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    model_ = std::move(opened).value().release();
  }
  static void TearDownTestSuite() { delete model_; }

  // The windowed check's JSON, written in pieces as the CLI writes it.
  static std::string WindowedJson(const Checker& checker, std::string_view text,
                                  size_t window_bytes) {
    Result<CheckResult> result = CheckInWindows(checker, text, window_bytes);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return "";
    std::string json;
    WriteCheckResultJson(*result, text, [&](std::string_view piece) { json.append(piece); });
    return json;
  }

  static model::Model* model_;
};

model::Model* CheckWindowsTest::model_ = nullptr;

// Texts of several generated documents, as they are and spun in two styles.
std::vector<std::string> Texts(const model::Model& model) {
  std::vector<std::string> texts;
  const std::vector<test_data::Document> documents = test_data::WordNetDocuments(4, 40);
  std::string original;
  for (const test_data::Document& document : documents) original += document.text + "\n";
  texts.push_back(original);
  for (simulate::Style style : {simulate::Style::kThesaurus, simulate::Style::kPhrase}) {
    simulate::SpinOptions options;
    options.style = style;
    options.seed = 7;
    Result<simulate::Spinner> spinner = simulate::Spinner::Create(model, options);
    EXPECT_TRUE(spinner.ok()) << spinner.status().ToString();
    if (!spinner.ok()) continue;
    texts.push_back(spinner->Spin(original).value().text);
  }
  return texts;
}

// A text of one window is checked exactly as Check checks it, and its JSON,
// written in pieces with the restored text made as it goes, is Check's.
TEST_F(CheckWindowsTest, OneWindowGivesTheWholeTextsJson) {
  const std::vector<std::string> texts = Texts(*model_);
  ASSERT_EQ(texts.size(), 3u);
  for (double min_spun_probability : {0.0, 0.1}) {
    const Checker checker(*model_, {.min_spun_probability = min_spun_probability});
    for (const std::string& text : texts) {
      const std::string expected = CheckResultToJson(checker.Check(text).value());
      EXPECT_EQ(WindowedJson(checker, text, text.size()), expected);
      EXPECT_NE(expected.find("\"restored\":true"), std::string::npos);
      // The same answer held whole, restored text included.
      EXPECT_EQ(CheckResultToJson(CheckInWindowsRestored(checker, text, text.size()).value()),
                expected);
    }
  }
}

// Over many windows the verdict is the whole text's, to the last digit: it
// reads counts, and the windows' counts add up to the whole text's. (The
// spans may differ where the whole text's reading of a substitution that
// recurs, or of its initialisms, differs from a window's.)
TEST_F(CheckWindowsTest, ManyWindowsGiveTheWholeTextsVerdict) {
  const std::vector<std::string> texts = Texts(*model_);
  ASSERT_EQ(texts.size(), 3u);
  const Checker checker(*model_);
  for (size_t t = 0; t < texts.size(); ++t) {
    const std::string& text = texts[t];
    const CheckResult whole = checker.Check(text).value();
    ASSERT_EQ(whole.verdict, Verdict::kJudged);
    for (size_t window_bytes : {size_t{3000}, size_t{20000}}) {
      ASSERT_GE(CheckWindows(text, window_bytes).size(), text.size() / window_bytes / 2);
      const CheckResult windowed = CheckInWindows(checker, text, window_bytes).value();
      const std::string where =
          "text " + std::to_string(t) + ", windows of " + std::to_string(window_bytes);
      EXPECT_EQ(windowed.verdict, whole.verdict) << where;
      EXPECT_EQ(windowed.spun_probability, whole.spun_probability) << where;
      EXPECT_EQ(windowed.words, whole.words) << where;
      EXPECT_EQ(windowed.features.eligible_words, whole.features.eligible_words) << where;
      EXPECT_EQ(windowed.features.gain_at_least, whole.features.gain_at_least) << where;
      EXPECT_EQ(windowed.features.lower_case_words, whole.features.lower_case_words) << where;
      EXPECT_EQ(windowed.debris.size(), whole.debris.size()) << where;
      // Most spans are the same span: each window reads its sentences as the
      // whole text does.
      size_t same = 0;
      for (const SpunSpan& span : windowed.spans) {
        same += std::ranges::any_of(whole.spans, [&](const SpunSpan& other) {
          return other.start == span.start && other.end == span.end &&
                 other.original == span.original;
        });
      }
      EXPECT_GE(same * 10, whole.spans.size() * 9) << where;
    }
  }
}

// A deadline passed stops the check before its next window; one not reached
// changes nothing.
TEST_F(CheckWindowsTest, ADeadlinePassedStopsTheCheckBetweenWindows) {
  const std::string text = Texts(*model_)[0];
  const Checker checker(*model_);
  const auto past = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  for (size_t window_bytes : {size_t{3000}, text.size()}) {
    Result<CheckResult> stopped = CheckInWindows(checker, text, window_bytes, past);
    ASSERT_FALSE(stopped.ok());
    EXPECT_EQ(stopped.status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_NE(stopped.status().message().find("time limit"), std::string::npos);
  }
  const auto later = std::chrono::steady_clock::now() + std::chrono::hours(1);
  const CheckResult unhurried = CheckInWindowsRestored(checker, text, 3000, later).value();
  const CheckResult plain = CheckInWindowsRestored(checker, text, 3000).value();
  EXPECT_EQ(unhurried.restored, plain.restored);
  EXPECT_EQ(unhurried.spun_probability, plain.spun_probability);
}

TEST_F(CheckWindowsTest, WindowsCoverTheInputAndEndAfterBlankLines) {
  const std::string text = test_data::WordNetDocuments(2, 10)[1].text;
  for (size_t window_bytes : {size_t{1}, size_t{500}, size_t{4000}, text.size()}) {
    const std::vector<ByteRange> windows = CheckWindows(text, window_bytes);
    ASSERT_FALSE(windows.empty());
    EXPECT_EQ(windows.front().begin, 0u);
    EXPECT_EQ(windows.back().end, text.size());
    for (size_t k = 0; k < windows.size(); ++k) {
      EXPECT_LT(windows[k].begin, windows[k].end);
      if (k + 1 < windows.size()) {
        EXPECT_EQ(windows[k].end, windows[k + 1].begin);
        EXPECT_GE(windows[k].end - windows[k].begin, window_bytes);
        // Paragraphs are shorter than 4000 bytes: a blank line is in reach.
        if (window_bytes >= 4000) {
          EXPECT_TRUE(text.substr(0, windows[k].end).ends_with("\n\n"))
              << "window " << k << " of " << window_bytes << " bytes ends mid-paragraph";
        }
      }
    }
  }
  // Without blank lines: after a line break, else a space, else anywhere
  // between UTF-8 characters.
  const std::string lines = "one line\nanother line\nand a third line\n";
  for (const ByteRange& window : CheckWindows(lines, 10)) {
    EXPECT_EQ(lines[window.end - 1], '\n');
  }
  const std::string words = "w\xC3\xA9rds and w\xC3\xA9rds";
  std::string joined;
  for (const ByteRange& window : CheckWindows(words, 4)) {
    const std::string piece = words.substr(window.begin, window.end - window.begin);
    EXPECT_TRUE(piece.back() == ' ' || window.end == words.size()) << piece;
    joined += piece;
  }
  EXPECT_EQ(joined, words);
  const std::string letters = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";
  for (const ByteRange& window : CheckWindows(letters, 3)) {
    EXPECT_NE(static_cast<unsigned char>(letters[window.begin]) & 0xC0, 0x80);
  }
}

// An error names its offset in the whole text, not in its window.
TEST_F(CheckWindowsTest, InvalidUtf8IsReportedAtItsOffsetInTheText) {
  const Checker checker(*model_);
  std::string text = test_data::WordNetDocuments(1, 3)[0].text;
  const size_t at = text.size() - 10;
  text[at] = '\xFF';
  Result<CheckResult> result = CheckInWindows(checker, text, 1000);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("byte " + std::to_string(at)), std::string::npos)
      << result.status().ToString();
}

}  // namespace
}  // namespace unspin::pipeline
