// End-to-end tests of `unspin index`, `unspin find` and `unspin cluster`:
// real JSONL and text inputs, an on-disk index, the JSON contract, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "common/wordnet_text.h"

namespace {

using namespace unspin::cli_test;  // NOLINT(google-build-using-namespace): the fixture

class SourceCliTest : public CliTest {
 protected:
  // A JSONL archive: the harbor story and `documents` documents made from
  // WordNet's glosses (tests/common/wordnet_text.h).
  std::string WriteArchive(int documents) {
    const fs::path archive = dir_ / "archive.jsonl";
    std::ofstream out(archive, std::ios::binary);
    out << nlohmann::json({{"id", "harbor"},
                           {"text", Slurp(Example("harbor-original.txt"))},
                           {"url", "https://example.org/harbor"}})
               .dump()
        << '\n';
    for (const auto& document :
         unspin::test_data::WordNetDocuments(static_cast<size_t>(documents))) {
      out << nlohmann::json({{"id", document.id}, {"text", document.text}}).dump() << '\n';
    }
    return archive.string();
  }

  std::string Index() { return (dir_ / "index").string(); }
};

TEST_F(SourceCliTest, BuildInfoAndFindTheSourceOfASpunCopy) {
  Outcome build = Unspin("index build --out " + Index() + " " + WriteArchive(20));
  ASSERT_EQ(build.exit_code, 0) << build.err;
  EXPECT_TRUE(build.out.empty());
  EXPECT_NE(build.err.find("indexed 21 documents"), std::string::npos) << build.err;

  Outcome info = Unspin("index info --json " + Index());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  nlohmann::json counts = nlohmann::json::parse(info.out);
  EXPECT_EQ(counts["documents"], 21);
  EXPECT_EQ(counts["segments"], 1);
  EXPECT_GT(counts["postings"].get<int>(), 100);

  Outcome find = Unspin("find --json --index " + Index() + " " + Example("harbor-spun.txt"));
  ASSERT_EQ(find.exit_code, 0) << find.err;
  ExpectGolden("find/harbor-spun.json", find.out);
  nlohmann::json json = nlohmann::json::parse(find.out);
  ASSERT_EQ(json["matches"].size(), 1u);  // the other documents are not copies of it
  const nlohmann::json& best = json["matches"][0];
  EXPECT_EQ(best["id"], "harbor");
  EXPECT_GT(best["coverage"].get<double>(), 0.8);
  EXPECT_LT(best["score"].get<double>(), best["coverage"].get<double>());
  // Offsets point at the texts each side says they do.
  const std::string query = Slurp(Example("harbor-spun.txt"));
  const std::string source = Slurp(Example("harbor-original.txt"));
  size_t substitutions = 0;
  for (const auto& block : best["alignment"]) {
    for (const auto& sub : block["substitutions"]) {
      const size_t qb = sub["query"][0], qe = sub["query"][1], sb = sub["source"][0],
                   se = sub["source"][1];
      EXPECT_EQ(sub["query_text"], query.substr(qb, qe - qb));
      EXPECT_EQ(sub["source_text"], source.substr(sb, se - sb));
      EXPECT_NE(sub["query_text"], sub["source_text"]);
      ++substitutions;
    }
  }
  EXPECT_GT(substitutions, 5u);
  // The span runs from the first block to the last, in both texts.
  EXPECT_EQ(best["span"]["query"][0], best["alignment"][0]["query"][0]);
  EXPECT_EQ(best["span"]["source"][1], best["alignment"].back()["source"][1]);
  EXPECT_LE(best["span"]["source"][1].get<size_t>(), source.size());

  Outcome people = Unspin("find --index " + Index() + " " + Example("harbor-spun.txt"));
  ASSERT_EQ(people.exit_code, 0);
  EXPECT_EQ(people.out.rfind("harbor  score", 0), 0u) << people.out;
  EXPECT_NE(people.out.find("  source bytes "), std::string::npos) << people.out;
  EXPECT_NE(people.out.find(" <- "), std::string::npos);
}

TEST_F(SourceCliTest, BatchQueriesAnswerInInputOrder) {
  ASSERT_EQ(Unspin("index build --out " + Index() + " " + WriteArchive(10)).exit_code, 0);
  const fs::path queries = dir_ / "queries.jsonl";
  {
    std::ofstream out(queries, std::ios::binary);
    out << nlohmann::json({{"id", "q-spun"}, {"text", Slurp(Example("harbor-spun.txt"))}}).dump()
        << '\n';
    out << nlohmann::json({{"id", "q-unrelated"},
                           {"text",
                            "Rain is expected across the region on Friday, with strong winds "
                            "along the coast and snow on the higher ground by the evening."}})
               .dump()
        << '\n';
    out << nlohmann::json({{"id", 7}, {"text", Slurp(Example("harbor-original.txt"))}}).dump()
        << '\n';
  }
  Outcome run = Unspin("find --jsonl -k 3 --index " + Index() + " " + queries.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> lines;
  std::istringstream in(run.out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["query"], "q-spun");
  EXPECT_EQ(lines[0]["matches"][0]["id"], "harbor");
  EXPECT_EQ(lines[1]["query"], "q-unrelated");
  EXPECT_TRUE(lines[1]["matches"].empty());
  EXPECT_EQ(lines[2]["query"], "7");
  EXPECT_EQ(lines[2]["matches"][0]["score"], 1.0);
}

TEST_F(SourceCliTest, RestoreTakesTheWordingOfTheSourceWhenTheIndexHasIt) {
  ASSERT_EQ(Unspin("index build --out " + Index() + " " + WriteArchive(10)).exit_code, 0);
  Outcome run = Unspin("restore --index " + Index() + " " + Example("harbor-spun.txt"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("restoring from harbor (score"), std::string::npos) << run.err;
  ExpectGolden("restore/harbor-spun-from-source.txt", run.out);
  // Words differing from the original: far fewer than in the spun copy.
  auto differing = [](const std::string& a, const std::string& b) {
    std::istringstream x(a), y(b);
    std::vector<std::string> wa, wb;
    for (std::string w; x >> w;) wa.push_back(w);
    for (std::string w; y >> w;) wb.push_back(w);
    size_t same = 0;
    for (size_t i = 0; i < std::min(wa.size(), wb.size()); ++i) same += wa[i] == wb[i] ? 1 : 0;
    return std::max(wa.size(), wb.size()) - same;
  };
  const std::string original = Slurp(Example("harbor-original.txt"));
  EXPECT_LE(differing(run.out, original), 3u);
  EXPECT_GT(differing(Slurp(Example("harbor-spun.txt")), original), 30u);

  // Beyond the aligned text the model restores, as it does without an archive.
  const std::string extra =
      "\nCouncil members stated they required more time to examine the "
      "expense.\n";
  Outcome longer =
      Unspin("restore --index " + Index() + " -", Slurp(Example("harbor-spun.txt")) + extra);
  ASSERT_EQ(longer.exit_code, 0) << longer.err;
  EXPECT_EQ(longer.out, run.out +
                            "\nCouncil members said they needed more time to examine the "
                            "expense.\n");

  Outcome unrelated = Unspin("restore --index " + Index() + " -",
                             "The rain stopped before noon and the match started on time.");
  ASSERT_EQ(unrelated.exit_code, 0) << unrelated.err;
  EXPECT_NE(unrelated.err.find("no source in the index"), std::string::npos) << unrelated.err;
  EXPECT_FALSE(unrelated.out.empty());
  EXPECT_EQ(
      Unspin("restore --lines --index " + Index() + " " + Example("harbor-spun.txt")).exit_code, 1);
}

// An archive of other spun copies, without the source: their votes undo much
// of the text's spinner where they agree; a single spun copy is not taken as
// the source (its spinner's words would replace the text's).
TEST_F(SourceCliTest, SpunSiblingsVoteAndASingleSpunCopyIsNotTheSource) {
  const std::string original = Slurp(Example("harbor-original.txt"));
  auto spin = [this, &original](const std::string& style, int seed) {
    Outcome run =
        Unspin("simulate --style " + style + " --rate 0.25 --seed " + std::to_string(seed) + " -",
               original);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  };
  const std::string query = spin("thesaurus", 1);
  // Word edits from the original, as `unspin eval` counts them (edits_before
  // of a pair whose spun side is `text`).
  auto word_edits = [this, &original](const std::string& text) {
    Outcome run = Unspin("eval --json -",
                         nlohmann::json({{"original", original}, {"spun", text}}).dump() + "\n");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return nlohmann::json::parse(run.out)["edits_before"].get<int>();
  };
  const fs::path archive = dir_ / "siblings.jsonl";
  {
    std::ofstream out(archive, std::ios::binary);
    out << nlohmann::json({{"id", "phrase"}, {"text", spin("phrase", 2)}}).dump() << '\n';
    out << nlohmann::json({{"id", "sparse"}, {"text", spin("sparse", 3)}}).dump() << '\n';
  }
  ASSERT_EQ(Unspin("index build --sample 1 --out " + Index() + " " + archive.string()).exit_code,
            0);
  Outcome voted = Unspin("restore --index " + Index() + " -", query);
  ASSERT_EQ(voted.exit_code, 0) << voted.err;
  EXPECT_NE(voted.err.find("restoring from phrase"), std::string::npos) << voted.err;
  EXPECT_NE(voted.err.find("restoring from sparse"), std::string::npos) << voted.err;
  const int before = word_edits(query);
  const int after = word_edits(voted.out);
  EXPECT_LT(after * 4, before * 3) << after << " of " << before;

  const fs::path one = dir_ / "one.jsonl";
  {
    std::ofstream out(one, std::ios::binary);
    out << nlohmann::json({{"id", "phrase"}, {"text", spin("phrase", 2)}}).dump() << '\n';
  }
  const std::string single = (dir_ / "single").string();
  ASSERT_EQ(Unspin("index build --sample 1 --out " + single + " " + one.string()).exit_code, 0);
  Outcome kept = Unspin("restore --index " + single + " -", query);
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_NE(kept.err.find("not restoring from a copy that reads as spun"), std::string::npos)
      << kept.err;
  EXPECT_EQ(kept.out, Unspin("restore -", query).out) << "the model restores instead";
}

TEST_F(SourceCliTest, MalformedLinesAreReportedWithLineNumbersAndSkipped) {
  const fs::path input = dir_ / "mixed.jsonl";
  {
    std::ofstream out(input, std::ios::binary);
    out << R"({"id": "a", "text": "The council voted to repair the harbor bridge."})" << '\n';
    out << "this is not json\n";
    out << R"({"id": "b"})" << '\n';
    out << R"({"id": "a", "text": "A second document with the first one's id."})" << '\n';
    out << "\n";
    out << R"({"id": "empty", "text": "  "})" << '\n';
    out << R"({"id": "c", "text": "Engineers found cracks in the steel supports.", "source": "wire"})"
        << '\n';
  }
  Outcome run = Unspin("index build --out " + Index() + " " + input.string());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("mixed.jsonl:2: not a JSON object"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("mixed.jsonl:3: no \"text\" or \"html\" string"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("mixed.jsonl:4: duplicate document id \"a\""), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("mixed.jsonl:6: document \"empty\" has no text"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("indexed 2 documents"), std::string::npos) << run.err;
  Outcome info = Unspin("index info --json " + Index());
  ASSERT_EQ(info.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(info.out)["documents"], 2);
}

TEST_F(SourceCliTest, LongLinesAndAMissingFinalNewline) {
  const fs::path input = dir_ / "long.jsonl";
  std::string big;
  while (big.size() < (size_t{3} << 20))
    big += "The harbor bridge needs repairs before winter, engineers said. ";
  {
    std::ofstream out(input, std::ios::binary);
    out << nlohmann::json({{"id", "big"}, {"text", big}}).dump() << "\r\n";
    out << nlohmann::json({{"id", "last"}, {"text", "No newline after this one."}}).dump();
  }
  Outcome run = Unspin("index build --out " + Index() + " " + input.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("indexed 2 documents"), std::string::npos) << run.err;
  Outcome found = Unspin("find --json --index " + Index() + " -", big.substr(0, 4000));
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_EQ(nlohmann::json::parse(found.out)["matches"][0]["id"], "big");
}

TEST_F(SourceCliTest, AddAppendsTextFilesWithTheirPathAsId) {
  ASSERT_EQ(Unspin("index build --out " + Index() + " " + WriteArchive(3)).exit_code, 0);
  Outcome add = Unspin("index add --index " + Index() + " " + Example("harbor-page.txt"));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  Outcome info = Unspin("index info --json " + Index());
  EXPECT_EQ(nlohmann::json::parse(info.out)["documents"], 5);
  EXPECT_EQ(nlohmann::json::parse(info.out)["segments"], 2);
  Outcome again = Unspin("index add --index " + Index() + " " + Example("harbor-page.txt"));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("duplicate document id"), std::string::npos) << again.err;
}

TEST_F(SourceCliTest, MissingOrDamagedIndexExitsThree) {
  Outcome missing = Unspin("find --index " + Index() + " " + Example("harbor-spun.txt"));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("no index at"), std::string::npos) << missing.err;
  ASSERT_EQ(Unspin("index build --out " + Index() + " " + WriteArchive(2)).exit_code, 0);
  Outcome verified = Unspin("index verify " + Index());
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("OK, 3 documents"), std::string::npos) << verified.out;
  for (const auto& entry : fs::directory_iterator(Index())) {
    if (entry.path().filename() == "MANIFEST") continue;
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(fs::file_size(entry.path()) / 2));
    file.put('\x7f');
  }
  Outcome damaged = Unspin("find --index " + Index() + " " + Example("harbor-spun.txt"));
  EXPECT_EQ(damaged.exit_code, 3);
  EXPECT_NE(damaged.err.find("seg-"), std::string::npos) << damaged.err;
  EXPECT_TRUE(damaged.out.empty());
  Outcome broken = Unspin("index verify " + Index());
  EXPECT_EQ(broken.exit_code, 3);
  EXPECT_NE(broken.err.find("checksum mismatch"), std::string::npos) << broken.err;
}

TEST_F(SourceCliTest, ScanNamesTheSourceOfEachPage) {
  ASSERT_EQ(Unspin("index build --out " + Index() + " " + WriteArchive(10)).exit_code, 0);
  const std::string out = (dir_ / "scan.jsonl").string();
  Outcome run = Unspin("scan --threads 2 --index " + Index() + " --out " + out + " " +
                       Example("harbor-spun.txt") + " " + Example("harbor-page.txt") + " " +
                       Example("harbor-original.txt"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(Slurp(out));
  std::string header;
  ASSERT_TRUE(std::getline(lines, header));
  EXPECT_EQ(nlohmann::json::parse(header)["settings"]["index"], Index()) << header;
  size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    nlohmann::json result = nlohmann::json::parse(line);
    ASSERT_TRUE(result["source"].is_object()) << line;
    EXPECT_EQ(result["source"]["id"], "harbor") << line;
    EXPECT_GE(result["source"]["score"].get<double>(), 0.3);
    EXPECT_LE(result["source"]["score"].get<double>(), result["source"]["coverage"].get<double>());
  }
  EXPECT_EQ(count, 3u);
}

TEST_F(SourceCliTest, ClusterGroupsCopiesOfOneSource) {
  const fs::path copies = dir_ / "copies.jsonl";
  {
    std::ofstream out(copies, std::ios::binary);
    out << nlohmann::json({{"id", "original"}, {"text", Slurp(Example("harbor-original.txt"))}})
               .dump()
        << '\n';
    out << nlohmann::json({{"id", "spun"}, {"text", Slurp(Example("harbor-spun.txt"))}}).dump()
        << '\n';
  }
  // The archive holds the story once more (id "harbor") and six other documents.
  Outcome run = Unspin("cluster --json " + copies.string() + " " + WriteArchive(6));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["documents"], 9);
  EXPECT_EQ(json["families"], 1);
  // The family first, then each of the six other documents alone.
  ASSERT_EQ(json["clusters"].size(), 7u) << run.out;
  for (size_t i = 1; i < 7; ++i) EXPECT_TRUE(json["clusters"][i]["members"].empty());
  std::vector<std::string> family = {json["clusters"][0]["center"]};
  for (const auto& member : json["clusters"][0]["members"]) {
    family.push_back(member["id"]);
    EXPECT_GE(member["score"].get<double>(), 0.3);
  }
  std::sort(family.begin(), family.end());
  EXPECT_EQ(family, (std::vector<std::string>{"harbor", "original", "spun"}));

  Outcome usage = Unspin("cluster");
  EXPECT_EQ(usage.exit_code, 1);
}

}  // namespace
