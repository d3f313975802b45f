#include "unspin/pipeline/verdict.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "unspin/base/check.h"

namespace unspin::pipeline {
namespace {

// The default calibration of the spun probability, fitted by
// bench/fit_verdict.py on a pool of every corpus and genre in reach (the 15
// Brown genres, speeches, Reuters) and five spinner styles, on other
// paragraphs than the evaluation's, and measured by leaving each genre out
// in turn (docs/evaluation.md). Rates are per eligible word (one with
// thesaurus candidates) with kDetectorEligiblePriorWords pseudo-words of
// prior, so a short text needs more evidence. A rate measured over more words
// is surer (its error shrinks as 1/sqrt(n)), so beyond a paragraph the rates,
// and the length term that centres them, weigh sqrt(n / kDetectorParagraphWords).
constexpr double kDetectorPriorWords = 50.0;
constexpr double kDetectorEligiblePriorWords = 30.0;
constexpr double kDetectorParagraphWords = 100.0;

// A text most of whose lower-case words the language model does not know is
// not English (names and rare words are a few percent of English prose);
// judged only from this many lower-case words.
constexpr double kMaxUnknownShare = 0.3;
constexpr uint32_t kMinLanguageWords = 8;
// English prose has about a third of its lower-case words among the English
// markers and almost none among the foreign ones; German or French prose has
// a fifth or more among the foreign ones.
constexpr double kMinForeignMarkerShare = 0.1;

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

Verdict JudgeVerdict(const DetectorFeatures& features) {
  if (features.lower_case_words >= kMinLanguageWords &&
      features.unknown_lower_case_words > kMaxUnknownShare * features.lower_case_words) {
    return Verdict::kNotEnglish;
  }
  if (features.lower_case_words >= kMinLanguageWords &&
      features.foreign_marker_words > features.english_marker_words &&
      features.foreign_marker_words >= kMinForeignMarkerShare * features.lower_case_words) {
    return Verdict::kNotEnglish;
  }
  if (features.eligible_words < kMinJudgedWords) return Verdict::kNotEnoughText;
  return Verdict::kJudged;
}

bool IsEnglishMarker(std::string_view lower_case_word) {
  // Sorted, for the binary search.
  static constexpr std::array<std::string_view, 40> kMarkers = {
      "and",    "are",  "be",   "been", "but",   "by",    "could", "for",  "from",  "had",
      "has",    "have", "his",  "is",   "it",    "its",   "not",   "of",   "our",   "she",
      "should", "than", "that", "the",  "their", "there", "these", "they", "this",  "those",
      "to",     "we",   "were", "what", "when",  "which", "who",   "with", "would", "you"};
  return std::ranges::binary_search(kMarkers, lower_case_word);
}

bool IsForeignMarker(std::string_view lower_case_word) {
  // Sorted bytewise, as string_view compares, for the binary search.
  static constexpr std::array kMarkers = std::to_array<std::string_view>(
      {"auf",   "aux",  "avec", "con", "dans", "das", "dat", "degli", "del",  "della", "delle",
       "dem",   "der",  "des",  "det", "di",   "die", "dos", "du",    "een",  "ein",   "eine",
       "einer", "el",   "est",  "et",  "für",  "gli", "het", "ist",   "les",  "los",   "mit",
       "nicht", "niet", "não",  "och", "para", "pas", "per", "por",   "pour", "que",   "qui",
       "sich",  "sono", "sur",  "una", "und",  "une", "van", "voor",  "zijn", "zu"});
  return std::ranges::binary_search(kMarkers, lower_case_word);
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kJudged:
      return "judged";
    case Verdict::kNotEnoughText:
      return "not enough text";
    case Verdict::kNotEnglish:
      return "not English";
  }
  return "judged";
}

DetectorWeights DetectorWeights::Default() {
  return {.bias = -0.8930,
          .gain2_rate = 17.1398,
          .gain3_rate = 22.9978,
          .gain4_rate = 31.3770,
          .gain5_rate = 36.2772,
          .artefact_rate = 14.7013,
          .length = -3.5738};
}

DetectorWeights DetectorWeights::Of(const model::Model& model) {
  return model.detector_weights().empty() ? Default() : FromNumbers(model.detector_weights());
}

DetectorWeights DetectorWeights::FromNumbers(std::span<const double> numbers) {
  UNSPIN_CHECK(numbers.size() == model::kDetectorWeightCount);
  return {numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6]};
}

DetectorNumbers DetectorWeights::ToNumbers() const {
  return {bias, gain2_rate, gain3_rate, gain4_rate, gain5_rate, artefact_rate, length};
}

DetectorInputValues DetectorInputs(uint32_t words, const DetectorFeatures& features) {
  const double quoted = features.quoted_words;
  const double unquoted = static_cast<double>(words) - quoted;
  const double length_weight =
      std::sqrt(std::max(unquoted, kDetectorParagraphWords) / kDetectorParagraphWords);
  const double eligible_scale =
      length_weight / (features.eligible_words + kDetectorEligiblePriorWords);
  const double scale = length_weight / (unquoted + kDetectorPriorWords);
  const auto& gains = features.gain_at_least;  // >= 1, 2, 3, 4, 5
  return {gains[1] * eligible_scale,
          gains[2] * eligible_scale,
          gains[3] * eligible_scale,
          gains[4] * eligible_scale,
          features.article_disagreements * scale,
          length_weight};
}

double DetectorLogOdds(uint32_t words, const DetectorFeatures& features,
                       const DetectorWeights& weights) {
  const DetectorNumbers w = weights.ToNumbers();
  const DetectorInputValues x = DetectorInputs(words, features);
  double log_odds = w[0];
  for (size_t i = 0; i < x.size(); ++i) log_odds += w[i + 1] * x[i];
  return log_odds;
}

double FlooredSpunProbability(double log_odds, double spun_share) {
  const double share = std::clamp(spun_share, kMinSpunShare, kMaxSpunShare);
  const double prior_shift = std::log(share / (1.0 - share)) + std::log(kOriginalWeight);
  const double posterior = Sigmoid(log_odds + prior_shift);
  if (log_odds >= 0 || posterior <= kBelowFloorSqueezeStart) return posterior;
  const double at_floor = Sigmoid(prior_shift);
  if (at_floor <= kBelowFloorCap) return posterior;
  return kBelowFloorSqueezeStart + (kBelowFloorCap - kBelowFloorSqueezeStart) *
                                       (posterior - kBelowFloorSqueezeStart) /
                                       (at_floor - kBelowFloorSqueezeStart);
}

double SpunProbability(uint32_t words, const DetectorFeatures& features,
                       const DetectorWeights& weights, double spun_share) {
  return FlooredSpunProbability(DetectorLogOdds(words, features, weights), spun_share);
}

DetectorWeights FitDetector(std::span<const DetectorExample> examples, double original_weight) {
  const bool both = std::ranges::any_of(examples, [](const auto& e) { return e.spun; }) &&
                    std::ranges::any_of(examples, [](const auto& e) { return !e.spun; });
  if (!both) return DetectorWeights::Default();
  constexpr size_t k = model::kDetectorWeightCount;
  // Per example: enough to keep the matrix well conditioned, too little to
  // shrink the weights (the inputs are rates of a few hundredths).
  constexpr double kL2 = 1e-6;
  constexpr int kIterations = 50;
  std::vector<DetectorNumbers> inputs;  // 1 for the bias, then DetectorInputs
  for (const DetectorExample& example : examples) {
    const DetectorInputValues x = DetectorInputs(example.words, example.features);
    DetectorNumbers v = {1.0};
    std::copy(x.begin(), x.end(), v.begin() + 1);
    inputs.push_back(v);
  }
  const double n = static_cast<double>(examples.size());
  DetectorNumbers b{};
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    DetectorNumbers gradient{};
    std::array<DetectorNumbers, k> hessian{};
    for (size_t e = 0; e < examples.size(); ++e) {
      const DetectorNumbers& v = inputs[e];
      double z = 0;
      for (size_t i = 0; i < k; ++i) z += b[i] * v[i];
      const double p = Sigmoid(std::clamp(z, -30.0, 30.0));
      const double y = examples[e].spun ? 1.0 : 0.0;
      const double weight = examples[e].spun ? 1.0 : original_weight;
      for (size_t i = 0; i < k; ++i) {
        gradient[i] += weight * (p - y) * v[i];
        for (size_t j = 0; j < k; ++j) hessian[i][j] += weight * p * (1 - p) * v[i] * v[j];
      }
    }
    for (size_t i = 0; i < k; ++i) {
      gradient[i] += kL2 * n * b[i];
      hessian[i][i] += kL2 * n;
    }
    // Solve hessian * step = gradient (Gauss-Jordan, partial pivoting; the
    // penalty keeps the matrix positive definite).
    for (size_t c = 0; c < k; ++c) {
      size_t pivot = c;
      for (size_t r = c + 1; r < k; ++r) {
        if (std::abs(hessian[r][c]) > std::abs(hessian[pivot][c])) pivot = r;
      }
      std::swap(hessian[c], hessian[pivot]);
      std::swap(gradient[c], gradient[pivot]);
      for (size_t r = 0; r < k; ++r) {
        if (r == c || hessian[c][c] == 0) continue;
        const double f = hessian[r][c] / hessian[c][c];
        for (size_t j = 0; j < k; ++j) hessian[r][j] -= f * hessian[c][j];
        gradient[r] -= f * gradient[c];
      }
    }
    for (size_t i = 0; i < k; ++i) {
      if (hessian[i][i] != 0) b[i] -= gradient[i] / hessian[i][i];
    }
  }
  return DetectorWeights::FromNumbers(b);
}

void DetectorFeatures::Add(const DetectorFeatures& other) {
  spans += other.spans;
  evidence += other.evidence;
  soft_evidence += other.soft_evidence;
  quoted_words += other.quoted_words;
  quoted_soft_evidence += other.quoted_soft_evidence;
  article_disagreements += other.article_disagreements;
  eligible_words += other.eligible_words;
  for (size_t k = 0; k < gain_at_least.size(); ++k) gain_at_least[k] += other.gain_at_least[k];
  lower_case_words += other.lower_case_words;
  unknown_lower_case_words += other.unknown_lower_case_words;
  english_marker_words += other.english_marker_words;
  foreign_marker_words += other.foreign_marker_words;
}

}  // namespace unspin::pipeline
