// End-to-end tests of the unspin binary: the CLI contract (exit codes, stdout
// vs stderr, --json shape) and golden outputs in tests/golden/.
// UNSPIN_UPDATE_GOLDEN=1 rewrites the golden files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "cli/cli_fixture.h"

namespace {

using namespace unspin::cli_test;  // NOLINT(google-build-using-namespace): the fixture

TEST_F(CliTest, CheckJsonMatchesGoldenAndContract) {
  for (const char* name : {"harbor-spun", "harbor-original"}) {
    Outcome run = Unspin("check --json " + Example(std::string(name) + ".txt"));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ExpectGolden(std::string("check/") + name + ".json", run.out);
    nlohmann::json json = nlohmann::json::parse(run.out);
    std::string input = Slurp(Example(std::string(name) + ".txt"));
    ASSERT_TRUE(json["spun_probability"].is_number());
    double p = json["spun_probability"];
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
    // Spans are ordered, inside the input, and `text` is the input bytes.
    size_t last_end = 0;
    std::string rebuilt;
    for (const auto& span : json["spans"]) {
      size_t start = span["start"], end = span["end"];
      ASSERT_LE(last_end, start);
      ASSERT_LT(start, end);
      ASSERT_LE(end, input.size());
      EXPECT_EQ(span["text"], input.substr(start, end - start));
      EXPECT_TRUE(span["alternatives"].is_array());
      EXPECT_TRUE(span["score"].is_number());
      ASSERT_TRUE(span["restored"].is_boolean());
      if (!span["restored"].get<bool>()) continue;  // flagged: the text keeps the word
      rebuilt += input.substr(last_end, start - last_end);
      rebuilt += span["original"].get<std::string>();
      last_end = end;
    }
    rebuilt += input.substr(last_end);
    EXPECT_EQ(json["restored"], rebuilt);
    EXPECT_TRUE(json["debris"].is_array());
  }
}

// An HTML page is checked by its article, exactly as if the article `unspin
// extract` prints had been given: markup and scripts never become spans, and a
// page in another charset (windows-1252 here) is read, not refused as UTF-8.
TEST_F(CliTest, CheckReadsAnHtmlPageByItsArticle) {
  const fs::path pages = fs::path(UNSPIN_SOURCE_DIR) / "tests/data/pages";
  for (const char* name : {"farm-br.html", "farm-recycling.html"}) {
    const std::string page = (pages / name).string();
    Outcome article = Unspin("extract " + page);
    ASSERT_EQ(article.exit_code, 0) << article.err;
    Outcome from_page = Unspin("check --json " + page);
    ASSERT_EQ(from_page.exit_code, 0) << name << ": " << from_page.err;
    EXPECT_NE(from_page.err.find("is an HTML page"), std::string::npos) << from_page.err;
    Outcome from_article = Unspin("check --json -", article.out);
    ASSERT_EQ(from_article.exit_code, 0) << from_article.err;
    // The same result, but that the page lists its own debris lines, which
    // its article leaves out (issue 18).
    nlohmann::json page_result = nlohmann::json::parse(from_page.out);
    nlohmann::json article_result = nlohmann::json::parse(from_article.out);
    EXPECT_FALSE(page_result["debris"].empty()) << name;
    for (const auto& debris : page_result["debris"]) {
      EXPECT_EQ(article.out.find(debris["text"].get<std::string>() + "\n"), std::string::npos)
          << debris;
    }
    page_result.erase("debris");
    article_result.erase("debris");
    EXPECT_EQ(page_result, article_result) << name;
    for (const auto& span : nlohmann::json::parse(from_page.out)["spans"]) {
      EXPECT_EQ(span["text"].get<std::string>().find_first_of("<>="), std::string::npos) << span;
    }
    Outcome restored = Unspin("restore " + page);
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(restored.out, nlohmann::json::parse(from_article.out)["restored"]) << name;
  }
  // Read as text, the same page is markup: the windows-1252 page is not UTF-8.
  Outcome as_text = Unspin("check --format text " + (pages / "farm-recycling.html").string());
  EXPECT_EQ(as_text.exit_code, 2);
  EXPECT_NE(as_text.err.find("invalid UTF-8"), std::string::npos) << as_text.err;
  Outcome plain = Unspin("check --json " + Example("harbor-spun.txt"));
  EXPECT_EQ(plain.err.find("HTML"), std::string::npos) << plain.err;
  EXPECT_EQ(Unspin("check --lines --format html -", "<p>x</p>\n").exit_code, 1);
  EXPECT_EQ(Unspin("check --format pdf -", "text").exit_code, 1);
  EXPECT_EQ(Unspin("check --format warc -", "text").exit_code, 2);  // not a WARC record
}

TEST_F(CliTest, SpunExampleScoresAboveItsOriginal) {
  Outcome spun = Unspin("check --json " + Example("harbor-spun.txt"));
  Outcome original = Unspin("check --json " + Example("harbor-original.txt"));
  ASSERT_EQ(spun.exit_code, 0);
  ASSERT_EQ(original.exit_code, 0);
  double p_spun = nlohmann::json::parse(spun.out)["spun_probability"];
  double p_original = nlohmann::json::parse(original.out)["spun_probability"];
  // A light spin over one article: evidence well above the original's, not
  // enough to call it (the verdict asks for clear evidence, docs/evaluation.md).
  EXPECT_GT(p_spun, 5 * p_original);
  EXPECT_GE(p_spun, 0.1);
  EXPECT_LT(p_original, 0.1);
  EXPECT_FALSE(nlohmann::json::parse(spun.out)["spans"].empty());
  EXPECT_TRUE(nlohmann::json::parse(original.out)["spans"].empty());
}

TEST_F(CliTest, RestoreMatchesGoldenAndStdinEqualsFile) {
  Outcome from_file = Unspin("restore " + Example("harbor-spun.txt"));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  ExpectGolden("restore/harbor-spun.txt", from_file.out);
  Outcome from_stdin = Unspin("restore -", Slurp(Example("harbor-spun.txt")));
  EXPECT_EQ(from_stdin.out, from_file.out);
}

TEST_F(CliTest, TerminalViewStartsWithVerdict) {
  Outcome run = Unspin("check " + Example("harbor-spun.txt"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.rfind("SPUN", 0) == 0 || run.out.rfind("possibly spun", 0) == 0 ||
              run.out.rfind("not spun", 0) == 0)
      << run.out;
  EXPECT_EQ(run.out.find("\033["), std::string::npos) << "no colour when not a terminal";
}

TEST_F(CliTest, LinesModePrintsOneObjectPerLine) {
  Outcome run = Unspin("check --lines -", "The council postponed a vote.\n\nSecond line here.\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(run.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    nlohmann::json json = nlohmann::json::parse(line);
    EXPECT_TRUE(json.contains("restored"));
    ++count;
  }
  EXPECT_EQ(count, 3);
}

TEST_F(CliTest, ChangeCostTradesChangesForEvidence) {
  // Restored spans: the change cost decides what is restored, never the
  // verdict (the same probability at every cost).
  std::set<double> probabilities;
  auto span_count = [this, &probabilities](const std::string& cost) {
    Outcome run = Unspin("check --json --change-cost " + cost + " " + Example("harbor-spun.txt"));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const nlohmann::json json = nlohmann::json::parse(run.out);
    probabilities.insert(json["spun_probability"].get<double>());
    size_t restored = 0;
    for (const auto& span : json["spans"]) restored += span["restored"].get<bool>() ? 1 : 0;
    return restored;
  };
  size_t lenient = span_count("1.5");
  size_t strict = span_count("6");
  EXPECT_GE(lenient, strict);
  EXPECT_GT(lenient, 0u);
  EXPECT_EQ(span_count("100"), 0u);
  EXPECT_EQ(probabilities.size(), 1u);
  EXPECT_EQ(Unspin("check --change-cost -1 " + Example("harbor-spun.txt")).exit_code, 1);
}

// A text read as original is left as written unless every span is asked for.
TEST_F(CliTest, MinSpunProbabilityGatesTheSpansOfOriginals) {
  auto run = [this](const std::string& flags) {
    Outcome outcome =
        Unspin("check --json --change-cost 2 " + flags + " " + Example("harbor-original.txt"));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    return nlohmann::json::parse(outcome.out);
  };
  const nlohmann::json gated = run("");
  const nlohmann::json every = run("--min-spun-probability 0");
  EXPECT_LT(gated["spun_probability"].get<double>(), 0.25);
  EXPECT_EQ(gated["spun_probability"], every["spun_probability"]);
  EXPECT_TRUE(gated["spans"].empty());
  EXPECT_EQ(gated["restored"], Slurp(Example("harbor-original.txt")));
  EXPECT_FALSE(every["spans"].empty());
  EXPECT_EQ(Unspin("check --min-spun-probability 1.5 " + Example("harbor-original.txt")).exit_code,
            1);
}

// Spinner artefacts the language model cannot weigh: an expanded initialism
// is restored to the document's spelling, a disagreeing article is counted.
TEST_F(CliTest, ArtefactsAreRestoredAndCounted) {
  Outcome restored = Unspin("restore --min-spun-probability 0 -",
                            "U.S. officials met on Monday. The United States Secretary of State "
                            "spoke at the United States Embassy about the new trade rules.\n");
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(restored.out,
            "U.S. officials met on Monday. The U.S. Secretary of State spoke at the U.S. "
            "Embassy about the new trade rules.\n");
  Outcome features =
      Unspin("check --features -", "An problem for the council is that the bridge is old.\n");
  EXPECT_EQ(features.exit_code, 0) << features.err;
  EXPECT_EQ(nlohmann::json::parse(features.out)["article_disagreements"], 1);
}

TEST_F(CliTest, InvalidUtf8IsBadInputWithByteOffset) {
  Outcome run = Unspin("check -", std::string("good text \xC3\x28 more", 17));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("byte 10"), std::string::npos) << run.err;
}

TEST_F(CliTest, BinaryJunkIsBadInputNotACrash) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) & 0xFF);
  Outcome run = Unspin("check --json -", junk);
  EXPECT_EQ(run.exit_code, 2) << run.err;
}

TEST_F(CliTest, EmptyInputIsNotSpun) {
  Outcome run = Unspin("check --json -", "");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_TRUE(json["spans"].empty());
  EXPECT_EQ(json["restored"], "");
  EXPECT_EQ(json["spun_probability"].get<double>(), 0.0);
  EXPECT_EQ(json["verdict"], "not enough text");
  EXPECT_NE(run.err.find("no verdict"), std::string::npos) << run.err;
}

// A phrase too short for a verdict still names its odd word, for people too.
TEST_F(CliTest, APhraseAloneShowsItsOddWord) {
  Outcome run = Unspin("check -", "the ruling fete\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("no verdict: not enough text (3 words); out of place:\n", 0), 0u)
      << run.out;
  EXPECT_NE(run.out.find("fete -> party"), std::string::npos) << run.out;
}

TEST_F(CliTest, MissingInputFileIsIOError) {
  Outcome run = Unspin("check " + (dir_ / "absent.txt").string());
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.err.find("absent.txt"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitOne) {
  EXPECT_EQ(Unspin("").exit_code, 1);
  EXPECT_EQ(Unspin("frobnicate").exit_code, 1);
  EXPECT_EQ(Unspin("check --no-such-flag").exit_code, 1);
}

TEST_F(CliTest, EveryVerbHasHelp) {
  for (const char* verb : {"check", "restore", "model", "model build", "model calibrate",
                           "model info", "simulate", "eval", "scan"}) {
    Outcome run = Unspin(std::string(verb) + " --help");
    EXPECT_EQ(run.exit_code, 0) << verb;
    EXPECT_NE(run.out.find("Usage"), std::string::npos) << verb << ": " << run.out;
  }
}

TEST_F(CliTest, ModelInfoReportsSizes) {
  Outcome run = Unspin("model info");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* key : {"vocabulary_words\t", "thesaurus_entries\t", "thesaurus_edges\t",
                          "morphology_forms\t", "lm_order\t3", "lm_3grams\t"}) {
    EXPECT_NE(run.out.find(key), std::string::npos) << key << " in\n" << run.out;
  }
}

TEST_F(CliTest, DamagedModelIsExitThreeNeverACrash) {
  std::string model = Slurp(UNSPIN_DEFAULT_MODEL);
  ASSERT_GT(model.size(), 4096u);
  fs::path damaged = dir_ / "damaged.unspin";
  // Truncated at several points, and single bytes flipped across the file.
  std::vector<std::string> variants;
  for (size_t size : {size_t{0}, size_t{16}, size_t{100}, model.size() / 2, model.size() - 1}) {
    variants.push_back(model.substr(0, size));
  }
  for (size_t pos : {size_t{3}, size_t{40}, model.size() / 3, model.size() - 10}) {
    std::string flipped = model;
    flipped[pos] = static_cast<char>(flipped[pos] ^ 0x5A);
    variants.push_back(std::move(flipped));
  }
  for (const std::string& bytes : variants) {
    std::ofstream(damaged, std::ios::binary | std::ios::trunc) << bytes;
    Outcome run = Unspin("check --model " + damaged.string() + " -", "A short text.");
    EXPECT_EQ(run.exit_code, 3) << run.err;
    EXPECT_NE(run.err.find("damaged.unspin"), std::string::npos) << run.err;
  }
  Outcome missing = Unspin("model info " + (dir_ / "none.unspin").string());
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("model build"), std::string::npos) << missing.err;
}

TEST_F(CliTest, LmBuildScoreAndBadInput) {
  // A small generated corpus: a directory of plain text, a JSONL file, and
  // one invalid UTF-8 line that is skipped and counted.
  fs::create_directories(dir_ / "corpus" / "sub");
  const char* subjects[] = {"The bank", "A trader", "The minister", "Shares"};
  const char* verbs[] = {"said", "expected", "rose", "fell"};
  const char* objects[] = {"on Monday.", "by 5 pct.", "in March.", "sharply, dealers said."};
  std::string text, jsonl;
  for (int i = 0; i < 64; ++i) {
    std::string sentence =
        std::string(subjects[i % 4]) + " " + verbs[(i / 4) % 4] + " " + objects[(i / 16) % 4];
    text += sentence + (i % 3 == 0 ? "\n\n" : " ");
    jsonl += nlohmann::json({{"text", sentence}}).dump() + "\n";
  }
  std::ofstream(dir_ / "corpus" / "a.txt", std::ios::binary) << text << "bad \xff byte\n";
  std::ofstream(dir_ / "corpus" / "sub" / "b.jsonl", std::ios::binary) << jsonl;
  std::string lm = (dir_ / "small.lm").string(), arpa = (dir_ / "small.arpa").string();

  Outcome build =
      Unspin("lm build --order 3 -o " + lm + " --arpa " + arpa + " " + (dir_ / "corpus").string());
  ASSERT_EQ(build.exit_code, 0) << build.err;
  EXPECT_NE(build.err.find("skipped 1 lines that are not valid UTF-8"), std::string::npos)
      << build.err;
  EXPECT_NE(build.err.find("3-grams"), std::string::npos) << build.err;
  EXPECT_TRUE(Slurp(arpa).starts_with("\\data\\\nngram 1="));

  Outcome score = Unspin("lm score --lm " + lm + " -", "The bank rose on Monday. Zebras fell.");
  ASSERT_EQ(score.exit_code, 0) << score.err;
  for (const char* key :
       {"perplexity\t", "oov\t1\n", "tokens\t9\n", "sentences\t2\n", "tokens_per_second\t"}) {
    EXPECT_NE(score.out.find(key), std::string::npos) << key << " in\n" << score.out;
  }

  // The ARPA copy converts back to a model with the same scores.
  std::string converted = (dir_ / "converted.lm").string();
  ASSERT_EQ(Unspin("lm convert " + arpa + " -o " + converted).exit_code, 0);
  Outcome rescore =
      Unspin("lm score --lm " + converted + " -", "The bank rose on Monday. Zebras fell.");
  ASSERT_EQ(rescore.exit_code, 0) << rescore.err;
  EXPECT_EQ(rescore.out.substr(0, rescore.out.find("oov_rate")),
            score.out.substr(0, score.out.find("oov_rate")));
  Outcome tokens = Unspin("lm tokenize -", "The bank's shares rose 5.5 pct. Good!");
  ASSERT_EQ(tokens.exit_code, 0) << tokens.err;
  EXPECT_EQ(tokens.out, "the bank's shares rose 5.5 pct .\ngood !\n");
  // --lines: each line is a sentence of the tokens as given.
  Outcome lines = Unspin("lm tokenize --lines -", "The bank 's SHARES rose 5 . 5 pct\n\nGood !\n");
  EXPECT_EQ(lines.out, "the bank 's shares rose 5 . 5 pct\ngood !\n");
  // --memory: a tiny budget spills sorted runs; the merged counts give the same model.
  std::string spilled = (dir_ / "spilled.lm").string();
  Outcome spill =
      Unspin("lm build --order 3 --memory 1K -o " + spilled + " " + (dir_ / "corpus").string());
  ASSERT_EQ(spill.exit_code, 0) << spill.err;
  EXPECT_NE(spill.err.find("sorted runs"), std::string::npos) << spill.err;
  EXPECT_EQ(Slurp(spilled), Slurp(lm));
  EXPECT_EQ(Unspin("lm build --memory lots -o " + spilled + " -", "Text.").exit_code, 1);

  Outcome pruned = Unspin("lm build --prune -o " + (dir_ / "pruned.lm").string() + " " +
                          (dir_ / "corpus").string());
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;

  Outcome bad_order = Unspin("lm build --order 6 -o " + lm + " " + (dir_ / "corpus").string());
  EXPECT_EQ(bad_order.exit_code, 1);
  EXPECT_NE(bad_order.err.find("--order"), std::string::npos) << bad_order.err;
  EXPECT_EQ(Unspin("lm build --order 1 -o " + lm + " -", "Some text.").exit_code, 1);

  std::ofstream(dir_ / "empty.txt", std::ios::binary) << "\n\n  \n";
  Outcome empty =
      Unspin("lm build -o " + (dir_ / "empty.lm").string() + " " + (dir_ / "empty.txt").string());
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty corpus"), std::string::npos) << empty.err;
  EXPECT_FALSE(fs::exists(dir_ / "empty.lm"));

  EXPECT_EQ(Unspin("lm build -o " + lm + " " + (dir_ / "missing.txt").string()).exit_code, 4);
  std::ofstream(dir_ / "junk.lm", std::ios::binary) << "not a model";
  EXPECT_EQ(Unspin("lm score --lm " + (dir_ / "junk.lm").string() + " -", "Text.").exit_code, 3);

  // The trained model mixed with the speech model, at 0.8 unless told
  // otherwise: a model that checks text.
  const std::string mixed = (dir_ / "mixed.unspin").string();
  Outcome mix = Unspin("model build --lm " + lm + " -o " + mixed);
  ASSERT_EQ(mix.exit_code, 0) << mix.err;
  Outcome info = Unspin("model info " + mixed);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  for (const char* key : {"lm_order\t3\n", "lm_weight\t0.8\n", "second_lm_order\t3\n",
                          "section\tLMN2\t", "section\tLMMX\t"}) {
    EXPECT_NE(info.out.find(key), std::string::npos) << key << " in\n" << info.out;
  }
  Outcome checked = Unspin("check --json --model " + mixed + " -", "The bank stated it rose.");
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_TRUE(nlohmann::json::parse(checked.out).contains("spun_probability")) << checked.out;
  const std::string alone = (dir_ / "alone.unspin").string();
  Outcome replaced = Unspin("model build --lm " + lm + " --lm-weight 1 -o " + alone);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  Outcome alone_info = Unspin("model info " + alone);
  EXPECT_NE(alone_info.out.find("lm_order\t3\n"), std::string::npos) << alone_info.out;
  EXPECT_EQ(alone_info.out.find("section\tLMN2\t"), std::string::npos) << alone_info.out;
  EXPECT_EQ(Unspin("model build --lm " + lm + " --lm-weight 1.5 -o " + mixed).exit_code, 1);
  Outcome no_lm = Unspin("model build --lm-weight 0.5 -o " + mixed);
  EXPECT_NE(no_lm.exit_code, 0);
  EXPECT_NE(no_lm.err.find("--lm"), std::string::npos) << no_lm.err;
}

// unspin simulate: same seed, same text; the key's byte offsets index the
// input and the output; --lines keys each line as its own document.
// lm score's perplexities against the written ARPA model, scored here by plain
// back-off (as KenLM's query does): no probability for <s>, </s> predicted at
// every sentence end, an unknown word scored as <unk> and counted in
// "perplexity" but left out of "perplexity_excluding_oov" (issue #3).
TEST_F(CliTest, LmScorePerplexitiesFollowTheArpaModel) {
  std::string train;
  const char* words[] = {"the", "bank", "rose", "fell", "shares", "pct", "5", "."};
  for (int i = 0; i < 200; ++i) {
    for (int j = 0; j < 3 + i % 5; ++j)
      train += std::string(words[(i * 7 + j * (j + i)) % 8]) + " ";
    train += "\n";
  }
  std::ofstream(dir_ / "train.txt", std::ios::binary) << train;
  std::string lm = (dir_ / "bigram.lm").string(), arpa = (dir_ / "bigram.arpa").string();
  Outcome build = Unspin("lm build --lines --order 2 -o " + lm + " --arpa " + arpa + " " +
                         (dir_ / "train.txt").string());
  ASSERT_EQ(build.exit_code, 0) << build.err;

  std::map<std::string, std::pair<double, double>> ngrams;  // "w" or "h w" -> (log10 p, back-off)
  std::istringstream arpa_lines(Slurp(arpa));
  for (std::string line; std::getline(arpa_lines, line);) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.size() >= 2) {
      ngrams[fields[1]] = {std::stod(fields[0]), fields.size() > 2 ? std::stod(fields[2]) : 0.0};
    }
  }
  ASSERT_TRUE(ngrams.contains("<unk>"));
  auto log10_prob = [&](const std::string& history, const std::string& word) {
    if (auto it = ngrams.find(history + " " + word); it != ngrams.end()) return it->second.first;
    double backoff = ngrams.contains(history) ? ngrams[history].second : 0.0;
    return backoff + ngrams.at(word).first;
  };
  const std::string test = "the bank zebras rose .\nquagga shares fell 5 pct\n";
  double log10_total = 0, log10_oov = 0;
  int predicted = 0, oov = 0;
  std::istringstream test_lines(test);
  for (std::string line; std::getline(test_lines, line);) {
    std::istringstream split(line);
    std::vector<std::string> sentence;
    for (std::string word; split >> word;) sentence.push_back(word);
    sentence.push_back("</s>");
    std::string history = "<s>";
    for (std::string word : sentence) {
      bool unknown = !ngrams.contains(word);
      if (unknown) word = "<unk>";
      double p = log10_prob(history, word);
      log10_total += p;
      ++predicted;
      if (unknown) {
        log10_oov += p;
        ++oov;
      }
      history = word;
    }
  }
  ASSERT_EQ(predicted, 12);
  ASSERT_EQ(oov, 2);
  Outcome score = Unspin("lm score --lines --lm " + lm + " -", test);
  ASSERT_EQ(score.exit_code, 0) << score.err;
  std::map<std::string, double> values;
  std::istringstream out_lines(score.out);
  for (std::string key, value;
       std::getline(out_lines, key, '\t') && std::getline(out_lines, value);)
    values[key] = std::stod(value);
  EXPECT_NEAR(values["perplexity"], std::pow(10.0, -log10_total / predicted), 0.01);
  EXPECT_NEAR(values["perplexity_excluding_oov"],
              std::pow(10.0, -(log10_total - log10_oov) / (predicted - oov)), 0.01);
  EXPECT_EQ(values["oov"], 2);
  // An OOV costs more than a known word: the incl. figure is the higher one.
  EXPECT_GT(values["perplexity"], values["perplexity_excluding_oov"]);
}

TEST_F(CliTest, SimulateIsDeterministicAndKeyedByBytes) {
  std::string input = Slurp(Example("harbor-original.txt"));
  for (const char* style : {"thesaurus", "phrase", "sparse"}) {
    std::string key = (dir_ / (std::string(style) + ".key")).string();
    std::string args = std::string("simulate --style ") + style + " --rate 0.3 --seed 9 ";
    Outcome first = Unspin(args + "--key " + key + " " + Example("harbor-original.txt"));
    ASSERT_EQ(first.exit_code, 0) << first.err;
    Outcome again = Unspin(args + "-", input);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(first.out, again.out) << style;
    EXPECT_NE(first.out, input) << style;
    // Pinned, so that a change to the adversary (and to the eval sets) shows.
    ExpectGolden(std::string("simulate/harbor-") + style + ".txt", first.out);
    nlohmann::json json = nlohmann::json::parse(Slurp(key));
    EXPECT_EQ(json["document"], 0);
    ASSERT_FALSE(json["changes"].empty()) << style;
    for (const auto& change : json["changes"]) {
      size_t orig_start = change["orig_start"], orig_end = change["orig_end"];
      size_t spun_start = change["spun_start"], spun_end = change["spun_end"];
      ASSERT_LE(orig_end, input.size());
      ASSERT_LE(spun_end, first.out.size());
      EXPECT_EQ(input.substr(orig_start, orig_end - orig_start), change["original"]);
      EXPECT_EQ(first.out.substr(spun_start, spun_end - spun_start), change["spun"]);
    }
  }
  std::string key = (dir_ / "lines.key").string();
  Outcome lines = Unspin("simulate --style thesaurus --rate 0.5 --lines --key " + key + " -",
                         "The engineers found cracks in the old bridge.\n\nThe mayor urged a "
                         "quick decision.\n");
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_EQ(std::count(lines.out.begin(), lines.out.end(), '\n'), 3);
  std::istringstream key_lines(Slurp(key));
  std::string line;
  int documents = 0;
  while (std::getline(key_lines, line)) {
    EXPECT_EQ(nlohmann::json::parse(line)["document"], documents++);
  }
  EXPECT_EQ(documents, 3);
  EXPECT_EQ(Unspin("simulate --style fancy -", "Text.").exit_code, 1);
  EXPECT_EQ(Unspin("simulate --style phrase --rate 2 -", "Text.").exit_code, 1);
}

// unspin eval: every metric on pairs made by simulate; a bad line names its
// number and exits 2.
TEST_F(CliTest, EvalReportsEveryMetricAndRejectsBadLines) {
  const std::string originals =
      "The city council delayed a vote on emergency repairs to the old harbor bridge.\n"
      "Council members said they needed more time to review the cost of the work.\n"
      "The mayor had urged a quick decision after inspectors found cracks in the supports.\n";
  Outcome spun = Unspin("simulate --style phrase --rate 0.5 --lines -", originals);
  ASSERT_EQ(spun.exit_code, 0) << spun.err;
  std::istringstream a(originals), b(spun.out);
  std::string original_line, spun_line, pairs;
  while (std::getline(a, original_line) && std::getline(b, spun_line)) {
    pairs += nlohmann::json{{"original", original_line}, {"spun", spun_line}}.dump() + "\n";
  }
  std::ofstream(dir_ / "pairs.jsonl", std::ios::binary) << pairs;
  Outcome table = Unspin("eval " + (dir_ / "pairs.jsonl").string());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const char* metric : {"pairs\t3\n", "auc\t", "f1\t", "error_reduction\t", "collateral\t",
                             "false_changes\t", "exact_restoration\t", "docs_per_second\t"}) {
    EXPECT_NE(table.out.find(metric), std::string::npos) << metric << " in\n" << table.out;
  }
  Outcome json = Unspin("eval --json --change-cost 3 -", pairs);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json report = nlohmann::json::parse(json.out);
  for (const char* key : {"auc", "f1", "error_reduction", "collateral", "false_changes",
                          "exact_restoration", "spinner_spans", "docs_per_second"}) {
    EXPECT_TRUE(report[key].is_number()) << key;
  }
  EXPECT_EQ(report["pairs"], 3);
  EXPECT_GT(report["spinner_spans"].get<int>(), 0);

  Outcome bad = Unspin("eval -", "{\"original\": \"a\", \"spun\": \"b\"}\n{\"original\": 1}\n");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("line 2"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty());
}

TEST_F(CliTest, ExtractPrintsTheArticleAndJsonLines) {
  fs::path pages = fs::path(UNSPIN_SOURCE_DIR) / "tests/data/pages";
  Outcome text = Unspin("extract " + (pages / "farm-rail.txt").string());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("Regulators states rail operator", 0), 0u) << text.out;
  EXPECT_EQ(text.out.find("Daniel Reyes | Reuters"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("LONDON"), std::string::npos);

  std::string html = Slurp(pages / "news-bridge.html");
  Outcome json = Unspin("extract --json -", html);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json result = nlohmann::json::parse(json.out);
  EXPECT_EQ(result["format"], "html");
  EXPECT_EQ(result["body"].get<std::string>().find("Privacy Policy"), std::string::npos);
  bool counter = false;
  for (const nlohmann::json& line : result["lines"]) {
    ASSERT_TRUE(line["start"].is_number() && line["end"].is_number() && line["kind"].is_string());
    std::string line_text = line["text"];
    size_t source = line["source_start"];
    EXPECT_EQ(html.substr(source, 3), line_text.substr(0, 3));
    counter = counter || (line["kind"] == "counter" && line_text == "342");
  }
  EXPECT_TRUE(counter);

  Outcome forced = Unspin("extract --format text -", "<p>kept as text</p>\n");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(forced.out, "<p>kept as text</p>\n");
  EXPECT_EQ(Unspin("extract --format pdf -", "x").exit_code, 1);
  EXPECT_EQ(Unspin("extract --format warc -", "x").exit_code, 2);
  EXPECT_EQ(Unspin("extract -", "caf\xC3 x\n").exit_code, 2);
  EXPECT_EQ(Unspin("extract " + (dir_ / "missing.txt").string()).exit_code, 4);
  EXPECT_EQ(Unspin("extract --help").exit_code, 0);
}

// model calibrate: the verdict's weights fitted on a newsroom's own pairs,
// stored in a copy of the model that check then reads.
TEST_F(CliTest, ModelCalibrateFitsTheVerdictToPairs) {
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"The mayor said the bridge would close.", "The mayor stated the bridge would close."},
      {"Officials needed more time to review the cost.",
       "Officials required more time to examine the expense."},
      {"The council voted to repair the harbor.", "The council voted to fix the harbor."},
      {"Engineers found cracks in the steel.", "Engineers discovered fractures in the steel."},
      {"The work will start soon.", "The work will begin quickly."},
      {"She told reporters the plan was ready.",
       "She informed press reporters the plan was ready."}};
  std::string jsonl;
  for (const auto& [original, spun] : texts) {
    jsonl += nlohmann::json({{"original", original}, {"spun", spun}}).dump() + "\n";
  }
  std::ofstream(dir_ / "pairs.jsonl") << jsonl;
  const std::string pairs = (dir_ / "pairs.jsonl").string();
  const std::string calibrated = (dir_ / "calibrated.unspin").string();

  Outcome fit = Unspin("model calibrate --pairs " + pairs + " -o " + calibrated);
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  for (const char* key : {"pairs\t6\n", "auc\t", "log_loss\t", "weights\t"}) {
    EXPECT_NE(fit.out.find(key), std::string::npos) << key << " in\n" << fit.out;
  }
  Outcome info = Unspin("model info " + calibrated);
  EXPECT_NE(info.out.find("detector\tcalibrated\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("section\tDTCT\t"), std::string::npos) << info.out;
  Outcome plain = Unspin("model info");
  EXPECT_NE(plain.out.find("detector\tdefault\n"), std::string::npos) << plain.out;

  // The same text, the same spans; only the probability is the model's own.
  const std::string text = "The mayor stated that officials required more time.";
  Outcome by_default = Unspin("check --json -", text);
  Outcome by_calibrated = Unspin("check --json --model " + calibrated + " -", text);
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  ASSERT_EQ(by_calibrated.exit_code, 0) << by_calibrated.err;
  nlohmann::json a = nlohmann::json::parse(by_default.out);
  nlohmann::json b = nlohmann::json::parse(by_calibrated.out);
  EXPECT_EQ(a["spans"], b["spans"]);
  EXPECT_NE(a["spun_probability"], b["spun_probability"]);

  std::ofstream(dir_ / "empty.jsonl") << "";
  Outcome empty =
      Unspin("model calibrate --pairs " + (dir_ / "empty.jsonl").string() + " -o " + calibrated);
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_NE(empty.err.find("no pairs"), std::string::npos) << empty.err;
  std::ofstream(dir_ / "bad.jsonl") << "{\"original\": \"a\"}\n";
  Outcome bad =
      Unspin("model calibrate --pairs " + (dir_ / "bad.jsonl").string() + " -o " + calibrated);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(Unspin("model calibrate -o " + calibrated).exit_code, 1);  // --pairs is required
  EXPECT_EQ(Unspin("model calibrate --pairs " + pairs + " --model " +
                   (dir_ / "missing.unspin").string() + " -o " + calibrated)
                .exit_code,
            3);  // a model that cannot be opened
}

// A curated list of spun terms, as research-integrity teams keep them.
TEST_F(CliTest, ChannelLearnReadsATermList) {
  std::ofstream(dir_ / "terms.tsv") << "tortured\texpected\tfield\n"
                                       "huge information\tbig data\tcomputing\n"
                                       "feedback processing\tback propagation (BP)\n";
  const std::string terms = (dir_ / "terms.tsv").string();
  Outcome learn = Unspin("channel learn --phrases " + terms + " -o -");
  ASSERT_EQ(learn.exit_code, 0) << learn.err;
  EXPECT_NE(learn.out.find("big data\thuge information\t1\n"), std::string::npos) << learn.out;
  EXPECT_NE(learn.out.find("data\tinformation\t1\n"), std::string::npos) << learn.out;
  EXPECT_NE(learn.out.find("propagation\tprocessing\t1\n"), std::string::npos) << learn.out;
  EXPECT_EQ(learn.out.find("bp"), std::string::npos) << learn.out;
  Outcome both = Unspin("channel learn --phrases --pairs " + terms);
  EXPECT_EQ(both.exit_code, 1) << both.err;
  std::ofstream(dir_ / "one-field.tsv") << "huge information\n";
  Outcome bad = Unspin("channel learn --phrases " + (dir_ / "one-field.tsv").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("phrase list line 1"), std::string::npos) << bad.err;
}

TEST_F(CliTest, ChannelLearnThenModelBuildAddsTheTable) {
  std::ofstream(dir_ / "pairs.jsonl")
      << R"({"original": "He failed to revive talks.", "spun": "He stopped working to revive talks."})"
      << "\n"
      << R"({"original": "Despite rain, it had ended.", "spun": "In spite of rain, it had actually ended."})"
      << "\n";
  std::string table = (dir_ / "table.tsv").string();
  Outcome learn =
      Unspin("channel learn --pairs " + (dir_ / "pairs.jsonl").string() + " -o " + table);
  ASSERT_EQ(learn.exit_code, 0) << learn.err;
  EXPECT_NE(learn.out.find("pairs_aligned\t2\n"), std::string::npos) << learn.out;
  EXPECT_NE(learn.out.find("distinct_substitutions\t4\n"), std::string::npos) << learn.out;
  std::string tsv = Slurp(table);
  EXPECT_EQ(tsv.rfind("original\tspun\tcount\ndespite\tin spite of\t1\n", 0), 0u) << tsv;
  EXPECT_NE(tsv.find("failed\tstopped working\t1\n"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("had\thad actually\t1\n"), std::string::npos) << tsv;

  // Two plain-text files paired by line give the same table.
  std::ofstream(dir_ / "a.txt") << "He failed to revive talks.\nDespite rain, it had ended.\n";
  std::ofstream(dir_ / "b.txt") << "He stopped working to revive talks.\nIn spite of rain, it had "
                                   "actually ended.\n";
  Outcome lines = Unspin("channel learn " + (dir_ / "a.txt").string() + " " +
                         (dir_ / "b.txt").string() + " -o -");
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_EQ(lines.out, tsv);

  std::string model = (dir_ / "channel.unspin").string();
  Outcome build = Unspin("model build --channel " + table + " -o " + model);
  ASSERT_EQ(build.exit_code, 0) << build.err;
  Outcome info = Unspin("model info " + model);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("channel_phrases\t4\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("section\tCHAN\t"), std::string::npos) << info.out;
  Outcome plain = Unspin("model info " + std::string(UNSPIN_DEFAULT_MODEL));
  EXPECT_NE(plain.out.find("channel_entries\t0\n"), std::string::npos) << plain.out;

  std::ofstream(dir_ / "bad.tsv") << "failed\tstopped working\tmany\n";
  Outcome bad = Unspin("model build --channel " + (dir_ / "bad.tsv").string() + " -o " + model);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("bad.tsv:1"), std::string::npos) << bad.err;
  Outcome pruned =
      Unspin("channel learn --min-count 2 --pairs " + (dir_ / "pairs.jsonl").string() + " -o -");
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_EQ(pruned.out, "original\tspun\tcount\n");
  EXPECT_EQ(Unspin("channel learn " + (dir_ / "a.txt").string()).exit_code, 1);
  EXPECT_EQ(Unspin("channel learn --help").exit_code, 0);
}

// ---- unspin scan ------------------------------------------------------------

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// The result lines of a scan's output, after its header line.
std::vector<nlohmann::json> ResultLines(const std::string& text) {
  std::vector<nlohmann::json> lines = JsonLines(text);
  EXPECT_TRUE(!lines.empty() && lines.front().contains("unspin_scan")) << text.substr(0, 200);
  if (!lines.empty()) lines.erase(lines.begin());
  return lines;
}

fs::path ScanData(const std::string& name) {
  return fs::path(UNSPIN_SOURCE_DIR) / "tests/data/scan" / name;
}

TEST_F(CliTest, ScanLabelledWarcOneLinePerPageInOrderAnyThreadCount) {
  std::string warc = ScanData("labelled.warc.gz").string();
  std::string out1 = (dir_ / "one.jsonl").string(), out2 = (dir_ / "two.jsonl").string();
  Outcome one = Unspin("scan " + warc + " --threads 1 --out " + out1);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  Outcome two = Unspin("scan " + warc + " --threads 2 --out " + out2 + " --summary " +
                       (dir_ / "summary.json").string());
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_TRUE(one.out.empty());
  std::string results = Slurp(out1);
  EXPECT_EQ(Slurp(out2), results) << "output must not depend on the thread count";
  // The golden file names the input relative to the source tree.
  std::string relative = results;
  for (size_t at = 0; (at = relative.find(warc, at)) != std::string::npos;) {
    relative.replace(at, warc.size(), "tests/data/scan/labelled.warc.gz");
  }
  ExpectGolden("scan/labelled.jsonl", relative);

  std::vector<nlohmann::json> lines = ResultLines(results);
  std::vector<nlohmann::json> labels = JsonLines(Slurp(ScanData("labelled.labels.jsonl")));
  ASSERT_EQ(lines.size(), labels.size());
  double spun_sum = 0, original_sum = 0;
  int spun_count = 0, original_count = 0;
  uint64_t last_record = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const nlohmann::json& line = lines[i];
    EXPECT_EQ(line["url"], labels[i]["url"]);
    EXPECT_EQ(line["input"], warc);
    uint64_t record = line["record"];
    EXPECT_TRUE(i == 0 || record > last_record);
    last_record = record;
    EXPECT_EQ(line["format"], labels[i]["template"] == "text" ? "text" : "html");
    ASSERT_TRUE(line["spun_probability"].is_number()) << line;
    EXPECT_GT(line["words"].get<int>(), 100);
    EXPECT_LE(line["top_spans"].size(), 5u);
    for (const nlohmann::json& span : line["top_spans"]) {
      EXPECT_TRUE(span["text"].is_string() && span["original"].is_string() &&
                  span["score"].is_number());
    }
    EXPECT_GE(line["debris_lines"].get<int>(), 2) << line;
    EXPECT_TRUE(line["source"].is_null());
    double p = line["spun_probability"];
    if (labels[i]["spun"].get<bool>()) {
      spun_sum += p;
      ++spun_count;
    } else {
      original_sum += p;
      ++original_count;
    }
  }
  ASSERT_GT(spun_count, 0);
  ASSERT_GT(original_count, 0);
  EXPECT_GT(spun_sum / spun_count, original_sum / original_count);

  nlohmann::json summary = nlohmann::json::parse(Slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["documents"], labels.size());
  EXPECT_EQ(summary["inputs_by_format"]["warc"], 1);
  EXPECT_EQ(summary["skipped"]["not_response"], labels.size() + 2);  // requests, warcinfo, metadata
  EXPECT_EQ(summary["skipped"]["http_status"], 1);
  EXPECT_EQ(summary["skipped"]["not_text"], 1);
  uint64_t histogram = 0;
  for (const nlohmann::json& bucket : summary["spun_histogram"])
    histogram += bucket.get<uint64_t>();
  EXPECT_EQ(histogram, labels.size());
  EXPECT_NE(two.err.find("skipped records:"), std::string::npos) << two.err;
  EXPECT_NE(two.err.find("spun probability:"), std::string::npos) << two.err;
  EXPECT_EQ(two.err.find("\r["), std::string::npos) << "no progress bar when stderr is a file";
}

// scan takes check's options; they decide every line, so the header records
// those that differ from the defaults and a scan with others is not resumed.
TEST_F(CliTest, ScanTakesCheckOptionsAndRecordsThemInItsHeader) {
  const std::string warc = ScanData("labelled.warc.gz").string();
  const std::string plain = (dir_ / "plain.jsonl").string();
  const std::string half = (dir_ / "half.jsonl").string();
  ASSERT_EQ(Unspin("scan " + warc + " --out " + plain).exit_code, 0);
  Outcome shared = Unspin("scan " + warc + " --spun-share 0.75 --out " + half);
  ASSERT_EQ(shared.exit_code, 0) << shared.err;
  auto header = [](const std::string& results) {
    return nlohmann::json::parse(results.substr(0, results.find('\n')));
  };
  const nlohmann::json plain_header = header(Slurp(plain));
  const std::string half_results = Slurp(half);
  const nlohmann::json half_header = header(half_results);
  EXPECT_FALSE(plain_header["settings"].contains("spun_share"));
  EXPECT_EQ(half_header["settings"]["spun_share"], "0.75");
  std::vector<nlohmann::json> plain_lines = ResultLines(Slurp(plain));
  std::vector<nlohmann::json> half_lines = ResultLines(half_results);
  ASSERT_EQ(plain_lines.size(), half_lines.size());
  for (size_t i = 0; i < plain_lines.size(); ++i) {
    EXPECT_GE(half_lines[i]["spun_probability"].get<double>(),
              plain_lines[i]["spun_probability"].get<double>())
        << half_lines[i]["url"];
  }
  // The same file with the default options is another scan's: refused, kept.
  Outcome again = Unspin("scan " + warc + " --out " + half);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(Slurp(half), half_results);
  EXPECT_EQ(Unspin("scan " + warc + " --spun-share 1 --out " + half).exit_code, 1);
  EXPECT_EQ(Slurp(half), half_results);
}

TEST_F(CliTest, ScanResumesAfterATornLineWithoutLossOrDuplicates) {
  std::string warc = ScanData("labelled.warc.gz").string();
  std::string full = (dir_ / "full.jsonl").string();
  ASSERT_EQ(Unspin("scan " + warc + " --threads 2 --out " + full).exit_code, 0);
  std::string expected = Slurp(full);
  // Cut in the middle of the 8th result line (after the header line), as a
  // kill during a write would.
  size_t cut = 0;
  for (int i = 0; i < 8; ++i) cut = expected.find('\n', cut) + 1;
  cut += 40;
  std::string partial = (dir_ / "partial.jsonl").string();
  std::ofstream(partial, std::ios::binary) << expected.substr(0, cut);
  Outcome resumed = Unspin("scan " + warc + " --threads 2 --out " + partial + " --summary " +
                           (dir_ / "summary.json").string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Slurp(partial), expected);
  nlohmann::json summary = nlohmann::json::parse(Slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["resumed"], 7);
  EXPECT_EQ(summary["truncated_output_bytes"], 40);
  EXPECT_EQ(summary["documents"].get<size_t>(), ResultLines(expected).size() - 7);
  // A finished output: nothing left to do, nothing written.
  Outcome again = Unspin("scan " + warc + " --out " + partial + " --summary " +
                         (dir_ / "summary.json").string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Slurp(partial), expected);
  EXPECT_EQ(nlohmann::json::parse(Slurp(dir_ / "summary.json"))["documents"], 0);
}

TEST_F(CliTest, ScanKilledMidRunResumesToTheSameBytes) {
  // Four copies of the labelled WARC: about a second of work to interrupt.
  fs::create_directories(dir_ / "in");
  for (int i = 0; i < 4; ++i) {
    fs::copy_file(ScanData("labelled.warc.gz"),
                  dir_ / "in" / ("copy" + std::to_string(i) + ".warc.gz"));
  }
  std::string in = (dir_ / "in").string();
  std::string reference = (dir_ / "reference.jsonl").string();
  ASSERT_EQ(Unspin("scan " + in + " --threads 2 --out " + reference).exit_code, 0);
  std::string expected = Slurp(reference);
  ASSERT_EQ(ResultLines(expected).size(), 96u);
  for (const char* delay : {"0.15", "0.4", "0.7"}) {
    std::string out = (dir_ / (std::string("killed-") + delay + ".jsonl")).string();
    // SIGKILL: no chance to flush; stdio may have written part of a line.
    std::string command = "sh -c '" + std::string(UNSPIN_BINARY) + " scan " + in +
                          " --threads 2 --out " + out + " 2>/dev/null & pid=$!; sleep " + delay +
                          "; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; exit 0'";
    ASSERT_EQ(std::system(command.c_str()), 0);
    std::string partial = Slurp(out);
    Outcome resumed = Unspin("scan " + in + " --threads 2 --out " + out);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(Slurp(out), expected)
        << "killed after " << delay << " s with " << partial.size() << " bytes written";
  }
}

TEST_F(CliTest, ScanBrokenArchivesKeepEveryGoodRecord) {
  std::string out = (dir_ / "out.jsonl").string();
  // A truncated last gzip member: the records before it, then exit 2 naming the member.
  Outcome truncated =
      Unspin("scan " + ScanData("truncated-member.warc.gz").string() + " --out " + out);
  EXPECT_EQ(truncated.exit_code, 2) << truncated.err;
  EXPECT_NE(truncated.err.find("truncated"), std::string::npos) << truncated.err;
  std::vector<nlohmann::json> lines = ResultLines(Slurp(out));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["url"], "http://broken.example/2");
  fs::remove(out);

  // Content-Length too long and too short: both records skipped, the three good ones kept.
  Outcome lying = Unspin("scan " + ScanData("lying-length.warc").string() + " --out " + out +
                         " --summary " + (dir_ / "summary.json").string());
  EXPECT_EQ(lying.exit_code, 0) << lying.err;
  lines = ResultLines(Slurp(out));
  ASSERT_EQ(lines.size(), 3u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(lines[i]["url"], "http://broken.example/" + std::to_string(i));
  nlohmann::json summary = nlohmann::json::parse(Slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["skipped"]["malformed"], 2);
  EXPECT_NE(lying.err.find("Content-Length"), std::string::npos) << lying.err;
  fs::remove(out);

  Outcome binary = Unspin("scan " + ScanData("binary-record.warc").string() + " --out " + out +
                          " --summary " + (dir_ / "summary.json").string());
  EXPECT_EQ(binary.exit_code, 0) << binary.err;
  EXPECT_EQ(ResultLines(Slurp(out)).size(), 2u);
  summary = nlohmann::json::parse(Slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["skipped"]["binary"], 1);
  EXPECT_EQ(summary["skipped"]["not_text"], 1);
}

TEST_F(CliTest, ScanDirectoriesOfTextHtmlAndJsonl) {
  fs::create_directories(dir_ / "in" / "sub");
  fs::copy_file(Example("harbor-spun.txt"), dir_ / "in" / "b-spun.txt");
  std::ofstream(dir_ / "in" / "sub" / "page.html")
      << "<!doctype html><html><head><title>Harbor</title></head><body><article><h1>Harbor"
         "</h1><p>The council approved the repairs after inspectors found cracks in the old "
         "pier.</p><div class=\"share\">Share on Facebook</div></article></body></html>";
  std::ofstream(dir_ / "in" / "a.jsonl")
      << R"({"id": "d1", "text": "The mayor said the pier would reopen in May."})"
      << "\n"
      << "{\"id\": \"broken\", \"text\": \n"
      << R"({"url": "http://x.example/2", "html": "<p>The crews finished early.</p>"})"
      << "\n";
  std::string out = (dir_ / "out.jsonl").string();
  Outcome run = Unspin("scan " + (dir_ / "in").string() + " --out " + out + " --summary " +
                       (dir_ / "summary.json").string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> lines = ResultLines(Slurp(out));
  ASSERT_EQ(lines.size(), 4u);
  // Sorted paths: a.jsonl (records 0 and 2), b-spun.txt, sub/page.html.
  EXPECT_EQ(lines[0]["id"], "d1");
  EXPECT_EQ(lines[0]["record"], 0);
  EXPECT_EQ(lines[1]["url"], "http://x.example/2");
  EXPECT_EQ(lines[1]["record"], 2);
  EXPECT_EQ(lines[1]["format"], "html");
  EXPECT_EQ(lines[2]["input"], (dir_ / "in" / "b-spun.txt").string());
  EXPECT_GE(lines[2]["spun_probability"].get<double>(), 0.1);
  EXPECT_EQ(lines[3]["format"], "html");
  EXPECT_NE(run.err.find("line 2"), std::string::npos) << run.err;
  nlohmann::json summary = nlohmann::json::parse(Slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["inputs_by_format"]["jsonl"], 1);
  EXPECT_EQ(summary["inputs_by_format"]["text"], 1);
  EXPECT_EQ(summary["inputs_by_format"]["html"], 1);
  EXPECT_EQ(summary["skipped"]["malformed"], 1);
}

TEST_F(CliTest, ScanUsageAndInputErrors) {
  std::string out = (dir_ / "out.jsonl").string();
  Outcome index = Unspin("scan " + Example("harbor-spun.txt") + " --index " +
                         (dir_ / "no-index").string() + " --out " + out);
  EXPECT_EQ(index.exit_code, 3);
  EXPECT_NE(index.err.find("no index at"), std::string::npos) << index.err;
  EXPECT_EQ(Unspin("scan " + Example("harbor-spun.txt")).exit_code, 1);  // no --out
  EXPECT_EQ(Unspin("scan --out " + out).exit_code, 1);                   // no input
  EXPECT_EQ(Unspin("scan - --out " + out, "text").exit_code, 1);         // not stdin
  Outcome missing = Unspin("scan " + (dir_ / "absent.warc").string() + " --out " + out);
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("absent.warc"), std::string::npos);
  Outcome unwritable = Unspin("scan " + Example("harbor-spun.txt") + " --out " +
                              (dir_ / "no/such/dir.jsonl").string());
  EXPECT_EQ(unwritable.exit_code, 4) << unwritable.err;
  if (fs::exists("/dev/full")) {
    Outcome full = Unspin("scan " + Example("harbor-spun.txt") + " --out /dev/full");
    EXPECT_EQ(full.exit_code, 4) << full.err;
  }
  // The output inside a scanned directory is not read as an input.
  fs::create_directories(dir_ / "in");
  fs::copy_file(Example("harbor-spun.txt"), dir_ / "in" / "a.txt");
  std::string inside = (dir_ / "in" / "results.jsonl").string();
  ASSERT_EQ(Unspin("scan " + (dir_ / "in").string() + " --out " + inside).exit_code, 0);
  Outcome rerun = Unspin("scan " + (dir_ / "in").string() + " --out " + inside);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.err.find("0 documents from 1 inputs"), std::string::npos) << rerun.err;
  EXPECT_EQ(ResultLines(Slurp(inside)).size(), 1u);
  EXPECT_EQ(Unspin("scan --help").exit_code, 0);
}

}  // namespace
