// Issue 18, end to end: every verb reads the same crawl (JSONL of {url,
// html}, WARC, JSONL of {id, text}) with one reader and the same ids and
// messages; find says why nothing matched and exits 1; cluster gives every
// document a cluster and names the original; scan's spans carry offsets;
// check lists a page's debris; colour, unknown verbs and range messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "cli/cli_fixture.h"
#include "common/wordnet_text.h"

namespace {

using namespace unspin::cli_test;  // NOLINT(google-build-using-namespace): the fixture

struct Page {
  std::string url;
  std::string id;    // the archive's id of the page's text
  std::string text;  // the article: paragraphs separated by blank lines
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  for (const std::string& line : Lines(text)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// A content farm's page: the article in <article>, debris around it.
std::string PageHtml(const Page& page) {
  std::string html = "<!DOCTYPE html><html><head><title>" + page.id +
                     "</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a>"
                     "</nav><article>";
  std::istringstream in(page.text);
  for (std::string paragraph; std::getline(in, paragraph);) {
    if (!paragraph.empty()) html += "<p>" + paragraph + "</p>";
  }
  html +=
      "<p>Share 134</p><p>ADVERTISEMENT</p><p>Photo: John Smith / Staff</p></article><div "
      "class=\"related\"><a href=\"/a\">You will not believe what happened next</a></div>"
      "</body></html>";
  return html;
}

// One WARC response record holding `html`.
std::string WarcRecord(const std::string& url, const std::string& html, int n) {
  const std::string block =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
      std::to_string(html.size()) + "\r\n\r\n" + html;
  return "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: " + url +
         "\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-" +
         std::to_string(100000000000 + n) +
         ">\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: " +
         std::to_string(block.size()) + "\r\n\r\n" + block + "\r\n\r\n";
}

class ReaderTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    pages_.push_back(
        {"http://farm.example/harbor", "harbor-2024-03", Slurp(Example("harbor-spun.txt"))});
    for (const auto& document : unspin::test_data::WordNetDocuments(4)) {
      pages_.push_back({"http://farm.example/" + document.id, document.id, document.text});
    }
  }

  // The pages as a JSONL crawl of {"url", "html"}.
  std::string CrawlJsonl() {
    const fs::path path = dir_ / "crawl.jsonl";
    std::ofstream out(path, std::ios::binary);
    for (const Page& page : pages_) {
      out << nlohmann::json({{"url", page.url}, {"html", PageHtml(page)}}).dump() << '\n';
    }
    return path.string();
  }

  // The same pages as a WARC archive, after a warcinfo and a request record.
  std::string CrawlWarc() {
    const fs::path path = dir_ / "crawl.warc";
    std::ofstream out(path, std::ios::binary);
    const std::string info = "software: unspin test\r\n";
    out << "WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: " << info.size() << "\r\n\r\n"
        << info << "\r\n\r\n";
    const std::string request = "GET / HTTP/1.1\r\nHost: farm.example\r\n\r\n";
    out << "WARC/1.0\r\nWARC-Type: request\r\nContent-Type: application/http; msgtype=request"
        << "\r\nContent-Length: " << request.size() << "\r\n\r\n"
        << request << "\r\n\r\n";
    for (size_t i = 0; i < pages_.size(); ++i) {
      out << WarcRecord(pages_[i].url, PageHtml(pages_[i]), static_cast<int>(i));
    }
    return path.string();
  }

  // The archive: {"id", "text"} of the originals (the harbor story's
  // original in place of its spun copy).
  std::string Archive() {
    const fs::path path = dir_ / "archive.jsonl";
    std::ofstream out(path, std::ios::binary);
    for (const Page& page : pages_) {
      out << nlohmann::json({{"id", page.id}, {"text", ArchiveText(page)}}).dump() << '\n';
    }
    return path.string();
  }

  std::string ArchiveText(const Page& page) {
    return page.id == "harbor-2024-03" ? Slurp(Example("harbor-original.txt")) : page.text;
  }

  std::vector<Page> pages_;
};

// The name a verb gives each record of `input`: the url of a crawl's page,
// the id of an archive's document.
std::vector<std::string> ExpectedNames(const std::vector<Page>& pages, bool by_url) {
  std::vector<std::string> names;
  for (const Page& page : pages) names.push_back(by_url ? page.url : page.id);
  return names;
}

std::string NameOf(const nlohmann::json& line) {
  return line.contains("id") ? line["id"].get<std::string>() : line["url"].get<std::string>();
}

TEST_F(ReaderTest, EveryVerbReadsTheSameCrawl) {
  const std::string archive = Archive();
  const std::string archive_index = (dir_ / "archive-index").string();
  ASSERT_EQ(Unspin("index build --out " + archive_index + " " + archive).exit_code, 0);
  for (const std::string& input : {CrawlJsonl(), CrawlWarc(), archive}) {
    SCOPED_TRACE(input);
    const bool by_url = input != archive;
    const std::vector<std::string> names = ExpectedNames(pages_, by_url);

    Outcome check = Unspin("check --json " + input);
    ASSERT_EQ(check.exit_code, 0) << check.err;
    std::vector<nlohmann::json> checked = JsonLines(check.out);
    ASSERT_EQ(checked.size(), pages_.size()) << check.out;
    for (size_t i = 0; i < checked.size(); ++i) {
      EXPECT_EQ(NameOf(checked[i]), names[i]);
      EXPECT_EQ(checked[i].contains("url"), by_url);
      EXPECT_TRUE(checked[i]["spun_probability"].is_number());
      // A page is checked by its article: no markup reaches the checker.
      EXPECT_EQ(checked[i]["restored"].get<std::string>().find('<'), std::string::npos);
    }
    Outcome people = Unspin("check " + input);
    EXPECT_EQ(people.exit_code, 0);
    EXPECT_NE(people.out.find("==> " + names[0] + " <==\n"), std::string::npos) << people.out;

    Outcome restore = Unspin("restore --json " + input);
    ASSERT_EQ(restore.exit_code, 0) << restore.err;
    std::vector<nlohmann::json> restored = JsonLines(restore.out);
    ASSERT_EQ(restored.size(), pages_.size());
    EXPECT_NE(restored[0]["restored"].get<std::string>().find("said"), std::string::npos);
    EXPECT_EQ(NameOf(restored[0]), names[0]);

    Outcome extract = Unspin("extract --json " + input);
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    std::vector<nlohmann::json> extracted = JsonLines(extract.out);
    ASSERT_EQ(extracted.size(), pages_.size());
    for (size_t i = 0; i < extracted.size(); ++i) {
      EXPECT_EQ(NameOf(extracted[i]), names[i]);
      const std::string body = extracted[i]["body"];
      EXPECT_EQ(body.find("Share 134"), std::string::npos);
      const std::string text = by_url ? pages_[i].text : ArchiveText(pages_[i]);
      EXPECT_NE(body.find(Lines(text).back()), std::string::npos);
    }

    const std::string index = (dir_ / "index").string();
    Outcome build = Unspin("index build --out " + index + " " + input);
    ASSERT_EQ(build.exit_code, 0) << build.err;
    EXPECT_NE(build.err.find("indexed " + std::to_string(pages_.size()) + " documents"),
              std::string::npos)
        << build.err;
    // The indexed text is the article: the archive's own harbor story finds
    // the page (or its archive entry) by its words.
    Outcome back = Unspin("find --json --index " + index + " " + Example("harbor-spun.txt"));
    ASSERT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(nlohmann::json::parse(back.out)["matches"][0]["id"], names[0]);

    Outcome find = Unspin("find --json --index " + archive_index + " " + input);
    ASSERT_EQ(find.exit_code, 0) << find.err;
    std::vector<nlohmann::json> found = JsonLines(find.out);
    ASSERT_EQ(found.size(), pages_.size());
    for (size_t i = 0; i < found.size(); ++i) {
      EXPECT_EQ(found[i]["query"], names[i]);
      ASSERT_FALSE(found[i]["matches"].empty()) << found[i];
      EXPECT_EQ(found[i]["matches"][0]["id"], pages_[i].id);
    }

    Outcome cluster = Unspin("cluster --json " + input);
    ASSERT_EQ(cluster.exit_code, 0) << cluster.err;
    nlohmann::json clusters = nlohmann::json::parse(cluster.out);
    EXPECT_EQ(clusters["documents"], pages_.size());
    size_t members = 0;
    for (const nlohmann::json& one : clusters["clusters"]) members += 1 + one["members"].size();
    EXPECT_EQ(members, pages_.size());

    const std::string results = (dir_ / "results.jsonl").string();
    Outcome scan = Unspin("scan " + input + " --overwrite --out " + results);
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    std::vector<nlohmann::json> scanned = JsonLines(Slurp(results));
    ASSERT_EQ(scanned.size(), pages_.size() + 1);  // the header line, then one per page
    for (size_t i = 0; i < pages_.size(); ++i) EXPECT_EQ(NameOf(scanned[i + 1]), names[i]);
  }
}

// --format says what detection would not, to every verb alike: here a JSONL
// crawl read as one text.
TEST_F(ReaderTest, FormatOverridesDetectionForEveryVerb) {
  const std::string crawl = CrawlJsonl();
  Outcome extract = Unspin("extract --json --format text " + crawl);
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_EQ(JsonLines(extract.out).size(), 1u);
  Outcome check = Unspin("check --json --format text " + crawl);
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_FALSE(nlohmann::json::parse(check.out).contains("url"));  // one document, no ids
  Outcome build =
      Unspin("index build --format text --out " + (dir_ / "index").string() + " " + crawl);
  EXPECT_NE(build.err.find("indexed 1 documents"), std::string::npos) << build.err;
  const std::string results = (dir_ / "results.jsonl").string();
  ASSERT_EQ(Unspin("scan --format text " + crawl + " --out " + results).exit_code, 0);
  std::vector<nlohmann::json> lines = JsonLines(Slurp(results));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["settings"]["format"], "text");
  EXPECT_EQ(lines[1]["id"], crawl);
}

// The issue's report: `find --index I page.html` matched nothing where
// `restore --index I page.html` found the source.
TEST_F(ReaderTest, FindAndRestoreReadAPageAlike) {
  const std::string index = (dir_ / "index").string();
  ASSERT_EQ(Unspin("index build --out " + index + " " + Archive()).exit_code, 0);
  const fs::path page = dir_ / "page.html";
  std::ofstream(page, std::ios::binary) << PageHtml(pages_[0]);
  Outcome find = Unspin("find --index " + index + " " + page.string());
  EXPECT_EQ(find.exit_code, 0) << find.err;
  EXPECT_EQ(find.out.rfind("harbor-2024-03  score", 0), 0u) << find.out;
  Outcome restore = Unspin("restore --index " + index + " " + page.string());
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_NE(restore.err.find("restoring from harbor-2024-03"), std::string::npos) << restore.err;
}

TEST_F(ReaderTest, BadRecordsAreReportedAlikeByEveryVerb) {
  const fs::path bad = dir_ / "bad.jsonl";
  std::ofstream(bad, std::ios::binary)
      << nlohmann::json({{"id", "one"}, {"text", pages_[1].text}}).dump() << "\nnot json\n"
      << R"({"id": "no-text"})" << '\n'
      << nlohmann::json({{"text", pages_[2].text}}).dump() << '\n';
  const std::string not_json = "unspin: " + bad.string() + ":2: not a JSON object";
  const std::string no_text =
      "unspin: " + bad.string() + ":3: no \"text\" or \"html\" string (skipped)";
  const std::string index = (dir_ / "index").string();
  for (const std::string& verb : std::vector<std::string>{
           "check", "restore", "extract", "index build --out " + index, "cluster"}) {
    SCOPED_TRACE(verb);
    Outcome run = Unspin(verb + " " + bad.string());
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(not_json), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(no_text), std::string::npos) << run.err;
  }
  Outcome find = Unspin("find --json --index " + index + " " + bad.string());
  EXPECT_EQ(find.exit_code, 2);
  EXPECT_NE(find.err.find(no_text), std::string::npos) << find.err;
  // The two good lines were indexed, the one without a name under FILE:LINE.
  std::vector<nlohmann::json> found = JsonLines(find.out);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]["matches"][0]["id"], "one");
  EXPECT_EQ(found[1]["query"], bad.string() + ":4");
  EXPECT_EQ(found[1]["matches"][0]["id"], bad.string() + ":4");
  // check --json puts an error object in each bad line's place.
  std::vector<nlohmann::json> checked = JsonLines(Unspin("check --json " + bad.string()).out);
  ASSERT_EQ(checked.size(), 4u);
  EXPECT_TRUE(checked[0].contains("spun_probability"));
  EXPECT_EQ(checked[1]["location"], bad.string() + ":2");
  EXPECT_TRUE(checked[2]["error"].is_string());
  EXPECT_EQ(checked[2]["id"], "no-text");
  EXPECT_TRUE(checked[3].contains("spun_probability"));

  // A header line before JSON lines: the file is still JSONL, the header
  // one reported line.
  const fs::path headed = dir_ / "headed.txt";
  std::ofstream(headed, std::ios::binary)
      << "id,text\n"
      << nlohmann::json({{"id", "one"}, {"text", pages_[1].text}}).dump() << '\n';
  Outcome build = Unspin("index build --out " + index + " " + headed.string());
  EXPECT_EQ(build.exit_code, 2);
  EXPECT_NE(build.err.find(headed.string() + ":1: not a JSON object"), std::string::npos)
      << build.err;
  EXPECT_NE(build.err.find("indexed 1 documents"), std::string::npos) << build.err;

  // A file of NUL bytes: said once to be skipped ("(binary), skipped (skipped)").
  const fs::path binary = dir_ / "binary.dat";
  std::ofstream(binary, std::ios::binary) << std::string(64, '\0');
  for (const std::string& verb :
       std::vector<std::string>{"index build --out " + index, "cluster"}) {
    Outcome run = Unspin(verb + " " + binary.string() + " " + headed.string());
    EXPECT_EQ(run.exit_code, 2) << verb << ": " << run.err;
    EXPECT_NE(run.err.find(binary.string() + ": holds NUL bytes (binary) (skipped)\n"),
              std::string::npos)
        << verb << ": " << run.err;
  }
}

TEST_F(ReaderTest, FindSaysWhyNothingMatchedAndExits1) {
  const std::string index = (dir_ / "index").string();
  ASSERT_EQ(Unspin("index build --out " + index + " " + Archive()).exit_code, 0);
  Outcome none = Unspin("find --index " + index + " -", "Zebras juggle quantum marmalade.\n");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out.rfind("no candidate:", 0), 0u) << none.out;
  Outcome json = Unspin("find --json --index " + index + " -", "Zebras juggle marmalade.\n");
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(json.out)["matches"].size(), 0u);
  Outcome under = Unspin("find --min-score 1 --index " + index + " " + Example("harbor-spun.txt"));
  EXPECT_EQ(under.exit_code, 1);
  EXPECT_EQ(under.out.rfind("no match: the best candidate, harbor-2024-03, scores 0.", 0), 0u)
      << under.out;
  EXPECT_NE(under.out.find("(under --min-score 1)"), std::string::npos) << under.out;
  EXPECT_EQ(Unspin("find --index " + index + " " + Example("harbor-spun.txt")).exit_code, 0);
}

TEST_F(ReaderTest, ClusterGivesEveryDocumentAClusterAndNamesTheOriginal) {
  Outcome spun =
      Unspin("simulate --style thesaurus --rate 0.3 --seed 7 " + Example("harbor-original.txt"));
  ASSERT_EQ(spun.exit_code, 0) << spun.err;
  const fs::path archive = dir_ / "family.jsonl";
  {
    std::ofstream out(archive, std::ios::binary);
    out << nlohmann::json({{"id", "spun-a"}, {"text", Slurp(Example("harbor-spun.txt"))}}).dump()
        << '\n'
        << nlohmann::json({{"id", "original"}, {"text", Slurp(Example("harbor-original.txt"))}})
               .dump()
        << '\n'
        << nlohmann::json({{"id", "spun-b"}, {"text", spun.out}}).dump() << '\n'
        << nlohmann::json({{"id", "alone-1"}, {"text", pages_[1].text}}).dump() << '\n'
        << nlohmann::json({{"id", "alone-2"}, {"text", pages_[3].text}}).dump() << '\n';
  }
  Outcome cluster = Unspin("cluster --json " + archive.string());
  ASSERT_EQ(cluster.exit_code, 0) << cluster.err;
  nlohmann::json json = nlohmann::json::parse(cluster.out);
  EXPECT_EQ(json["documents"], 5);
  EXPECT_EQ(json["families"], 1);
  ASSERT_EQ(json["clusters"].size(), 3u);
  std::set<std::string> seen;
  for (size_t i = 0; i < 3; ++i) {
    const nlohmann::json& one = json["clusters"][i];
    EXPECT_EQ(one["cluster"], i + 1);
    seen.insert(one["center"].get<std::string>());
    for (const nlohmann::json& member : one["members"]) seen.insert(member["id"]);
  }
  EXPECT_EQ(seen.size(), 5u);  // every document in exactly one cluster
  EXPECT_EQ(json["clusters"][0]["members"].size(), 2u);
  EXPECT_EQ(json["clusters"][0]["original"], "original");
  EXPECT_TRUE(json["clusters"][1]["original"].is_null());
  Outcome people = Unspin("cluster " + archive.string());
  EXPECT_NE(people.out.find("[likely original: original]"), std::string::npos) << people.out;
  EXPECT_NE(people.out.find("1 family of copies and 2 single documents among 5 documents"),
            std::string::npos)
      << people.out;
}

TEST_F(ReaderTest, ScanSpansCarryOffsetsAndCheckListsAPagesDebris) {
  const std::string results = (dir_ / "results.jsonl").string();
  ASSERT_EQ(Unspin("scan " + Example("harbor-page.txt") + " --out " + results).exit_code, 0);
  const std::string article = Unspin("extract " + Example("harbor-page.txt")).out;
  nlohmann::json line = JsonLines(Slurp(results)).at(1);
  ASSERT_FALSE(line["top_spans"].empty());
  for (const nlohmann::json& span : line["top_spans"]) {
    const size_t start = span["start"], end = span["end"];
    EXPECT_EQ(article.substr(start, end - start), span["text"]) << span;
    EXPECT_TRUE(span["original"].is_string());
    EXPECT_TRUE(span["restored"].is_boolean());
  }

  const fs::path page = dir_ / "page.html";
  std::ofstream(page, std::ios::binary) << PageHtml(pages_[0]);
  Outcome check = Unspin("check --json " + page.string());
  ASSERT_EQ(check.exit_code, 0) << check.err;
  nlohmann::json checked = nlohmann::json::parse(check.out);
  ASSERT_FALSE(checked["debris"].empty()) << check.out;
  bool share = false;
  for (const nlohmann::json& debris : checked["debris"]) {
    EXPECT_TRUE(debris["kind"].is_string());
    EXPECT_TRUE(debris["source_start"].is_number());
    share = share || debris["text"] == "Share 134";
  }
  EXPECT_TRUE(share) << check.out;
}

TEST_F(ReaderTest, ColourUnknownVerbsAndRangeMessages) {
  const std::string spun = Example("harbor-spun.txt");
  EXPECT_NE(Unspin("check --color always " + spun).out.find("\033[31m"), std::string::npos);
  EXPECT_EQ(Unspin("check --color never " + spun).out.find('\033'), std::string::npos);
  // On a terminal (script(1) gives one): coloured, unless NO_COLOR is set.
  const std::string on_terminal =
      "script -qec '" + std::string(UNSPIN_BINARY) + " check " + spun + "' /dev/null";
  EXPECT_NE(Run(on_terminal).out.find("\033[31m"), std::string::npos);
  EXPECT_EQ(Run("NO_COLOR=1 " + on_terminal).out.find("\033[31m"), std::string::npos);
  EXPECT_EQ(Unspin("check --color sometimes " + spun).exit_code, 1);

  Outcome verb = Unspin("chekc " + spun);
  EXPECT_EQ(verb.exit_code, 1);
  EXPECT_EQ(verb.err.rfind("unspin: unknown verb \"chekc\"; the verbs of unspin are check,", 0), 0u)
      << verb.err;
  Outcome sub = Unspin("index biuld x");
  EXPECT_EQ(sub.exit_code, 1);
  EXPECT_NE(sub.err.find("unknown verb \"biuld\"; the verbs of unspin index are build, add"),
            std::string::npos)
      << sub.err;

  Outcome cost = Unspin("check --change-cost 200 -", "x");
  EXPECT_EQ(cost.exit_code, 1);
  EXPECT_NE(cost.err.find("200 is not in [0, 100]"), std::string::npos) << cost.err;
  Outcome probability = Unspin("check --min-spun-probability 1.5 -", "x");
  EXPECT_NE(probability.err.find("1.5 is not in [0, 1]"), std::string::npos) << probability.err;
  EXPECT_EQ(probability.err.find("000000"), std::string::npos) << probability.err;
  // A count's range: "0 not in range 0.000000 to 17976931348623157081..."
  // (and 0 said to be outside a range that starts at 0).
  Outcome count = Unspin("channel learn --min-count 0 --pairs -", "");
  EXPECT_EQ(count.exit_code, 1);
  EXPECT_NE(count.err.find("Value 0 not in range 1 to 1000000000"), std::string::npos) << count.err;
  EXPECT_EQ(count.err.find("000000 to"), std::string::npos) << count.err;
}

}  // namespace
