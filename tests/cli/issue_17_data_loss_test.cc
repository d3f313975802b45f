// Issue 17, "Data loss and crashes": end-to-end regression tests, each of
// which failed before its fix. Inputs are generated here, never read from the shared corpora.
//  1. `scan --out` named an input or an unrelated file and cut it to 0 bytes.
//  2. `index build` published an empty index over a good one when its read
//     failed (standard input closed) or read nothing.
//  3. Deeply nested JSON crashed `index build|add` and `find --jsonl`.
//  4. A `.jsonl` file with a byte order mark or a header line was read,
//     silently, as one plain-text document.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"

namespace {

using namespace unspin::cli_test;  // NOLINT(google-build-using-namespace): the fixture

class Issue17Test : public CliTest {
 protected:
  // Five short news paragraphs as JSONL {"id", "text"}.
  std::string Pages() {
    std::string jsonl;
    for (int i = 0; i < 5; ++i) {
      jsonl +=
          nlohmann::json({{"id", "page-" + std::to_string(i)},
                          {"text", "The council approved the repairs to pier " + std::to_string(i) +
                                       " after inspectors found cracks in the old concrete "
                                       "and the harbor master asked for a faster schedule."}})
              .dump() +
          "\n";
    }
    return jsonl;
  }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  // Runs unspin with standard input closed (`<&-`).
  Outcome UnspinWithStdinClosed(const std::string& args) {
    const fs::path err = dir_ / "stderr";
    const std::string command =
        std::string(UNSPIN_BINARY) + " " + args + " <&- >/dev/null 2>" + err.string();
    const int status = std::system(command.c_str());
    Outcome run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.err = Slurp(err);
    return run;
  }

  // The number of documents `index info` reports for `index`.
  int Documents(const std::string& index) {
    Outcome info = Unspin("index info --json " + index);
    EXPECT_EQ(info.exit_code, 0) << info.err;
    if (info.exit_code != 0) return -1;
    return nlohmann::json::parse(info.out)["documents"].get<int>();
  }

  // A JSONL line whose "extra" field nests `levels` objects (or arrays) deep.
  static std::string DeepLine(const std::string& id, size_t levels, bool arrays) {
    std::string extra;
    for (size_t i = 0; i < levels; ++i) extra += arrays ? "[" : "{\"a\":";
    extra += '1';
    extra.append(levels, arrays ? ']' : '}');
    return "{\"id\": \"" + id +
           "\", \"text\": \"The mayor said the pier would reopen in May.\", \"extra\": " + extra +
           "}\n";
  }
};

// ---- 1. scan --out never destroys an input or a file that is not its own ---

TEST_F(Issue17Test, ScanRefusesAnOutputThatIsAnInputAndLeavesItIntact) {
  const std::string pages = Pages();
  const std::string input = Write("v.jsonl", pages);
  fs::create_hard_link(input, dir_ / "hard-link.jsonl");
  fs::create_symlink(input, dir_ / "sym-link.jsonl");
  const std::string dot = (dir_ / "." / "v.jsonl").string();
  for (const std::string& out :
       {input, dot, (dir_ / "hard-link.jsonl").string(), (dir_ / "sym-link.jsonl").string()}) {
    for (const char* overwrite : {"", " --overwrite"}) {
      Outcome run = Unspin("scan " + input + " --out " + out + overwrite);
      EXPECT_EQ(run.exit_code, 1) << out << ": " << run.err;
      EXPECT_NE(run.err.find("it is left as it is"), std::string::npos) << run.err;
      EXPECT_EQ(Slurp(input), pages) << out;
    }
  }
  // An input found in a scanned directory, under its own name or another.
  const std::string inside = Write("in/a.jsonl", pages);
  for (const std::string& out : {inside, (dir_ / "in" / ".." / "in" / "a.jsonl").string()}) {
    Outcome run = Unspin("scan " + (dir_ / "in").string() + " --out " + out + " --overwrite");
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("found in a scanned directory"), std::string::npos) << run.err;
    EXPECT_EQ(Slurp(inside), pages);
  }
}

TEST_F(Issue17Test, ScanNeverTruncatesAFileThatIsNotItsResults) {
  const std::string input = Write("pages.jsonl", Pages());
  const std::string notes = "notes I keep\n{\"not\": \"a result\"}\n";
  const std::string out = Write("notes.txt", notes);
  for (const char* overwrite : {"", " --overwrite"}) {
    Outcome run = Unspin("scan " + input + " --out " + out + overwrite);
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("not an unspin scan results file"), std::string::npos) << run.err;
    EXPECT_EQ(Slurp(out), notes);
  }
}

// `scan --summary` named an input or the results file and replaced it with
// the summary, after the scan, exit 0.
TEST_F(Issue17Test, ScanSummaryNeverReplacesAnInputOrTheResults) {
  const std::string pages = Pages();
  const std::string input = Write("v.jsonl", pages);
  const std::string inside = Write("in/a.jsonl", pages);
  fs::create_symlink(input, dir_ / "sym-link.jsonl");
  const std::string out = (dir_ / "results.jsonl").string();
  for (const std::string& summary : {input, (dir_ / "sym-link.jsonl").string()}) {
    Outcome run = Unspin("scan " + input + " --out " + out + " --summary " + summary);
    EXPECT_EQ(run.exit_code, 1) << summary << ": " << run.err;
    EXPECT_NE(run.err.find("is the input"), std::string::npos) << run.err;
    EXPECT_EQ(Slurp(input), pages) << summary;
  }
  Outcome in_directory =
      Unspin("scan " + (dir_ / "in").string() + " --out " + out + " --summary " + inside);
  EXPECT_EQ(in_directory.exit_code, 1) << in_directory.err;
  EXPECT_EQ(Slurp(inside), pages);
  EXPECT_FALSE(fs::exists(out)) << "refused before anything was written";

  // The results file, new or resumed, by another spelling too.
  for (const std::string& summary : {out, (dir_ / "." / "results.jsonl").string()}) {
    Outcome run = Unspin("scan " + input + " --out " + out + " --summary " + summary);
    EXPECT_EQ(run.exit_code, 1) << summary << ": " << run.err;
    EXPECT_NE(run.err.find("is the results file"), std::string::npos) << run.err;
  }
  ASSERT_EQ(Unspin("scan " + input + " --out " + out).exit_code, 0);
  const std::string results = Slurp(out);
  EXPECT_EQ(Unspin("scan " + input + " --out " + out + " --summary " + out).exit_code, 1);
  EXPECT_EQ(Slurp(out), results);

  const fs::path summary = dir_ / "summary.json";
  Outcome run = Unspin("scan " + input + " --out " + out + " --summary " + summary.string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(Slurp(summary))["resumed"], 5) << Slurp(summary);
}

// An output file naming the verb's own input replaced it, exit 0: `check
// --html a.txt a.txt` left a web page where the text was.
TEST_F(Issue17Test, AnOutputFileNeverReplacesItsInput) {
  const std::string text =
      "The council stated that the repairs required more time and a bigger budget.\n";
  const std::string pairs_text =
      nlohmann::json({{"original", "The council said the repairs needed more time."},
                      {"spun", "The council stated the repairs required more time."}})
          .dump() +
      "\n";
  const std::string input = Write("a.txt", text);
  const std::string pairs = Write("pairs.jsonl", pairs_text);
  fs::create_symlink(input, dir_ / "link.txt");
  const std::string link = (dir_ / "link.txt").string();
  for (const std::string& args :
       {"check --html " + input + " " + input, "check --html " + link + " " + input,
        "simulate --style thesaurus --key " + input + " " + input,
        "eval --details " + pairs + " " + pairs, "channel learn --pairs -o " + pairs + " " + pairs,
        "lm build -o " + input + " " + input,
        "lm build -o " + (dir_ / "x.lm").string() + " --arpa " + link + " " + input}) {
    Outcome run = Unspin(args);
    EXPECT_EQ(run.exit_code, 1) << args << ": " << run.err;
    EXPECT_NE(run.err.find("it is left as it is"), std::string::npos) << args << ": " << run.err;
    EXPECT_EQ(Slurp(input), text) << args;
    EXPECT_EQ(Slurp(pairs), pairs_text) << args;
  }
}

TEST_F(Issue17Test, ScanResumesOnlyItsOwnResultsAndReplacesOthersOnlyWhenAsked) {
  const std::string first = Write("first.jsonl", Pages());
  const std::string second = Write("second.jsonl", Pages());
  const std::string out = (dir_ / "results.jsonl").string();
  ASSERT_EQ(Unspin("scan " + first + " --out " + out).exit_code, 0);
  const std::string results = Slurp(out);
  const nlohmann::json header = nlohmann::json::parse(results.substr(0, results.find('\n')));
  EXPECT_EQ(header["unspin_scan"], 2);
  EXPECT_EQ(header["inputs"], nlohmann::json::array({first}));
  EXPECT_TRUE(header["settings"]["model"].is_string()) << header;

  // The same command resumes: nothing to do, nothing written.
  Outcome again = Unspin("scan " + first + " --out " + out);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 documents from 1 inputs"), std::string::npos) << again.err;
  EXPECT_EQ(Slurp(out), results);

  // Other inputs: refused, untouched; --overwrite replaces the results.
  Outcome other = Unspin("scan " + second + " --out " + out);
  EXPECT_EQ(other.exit_code, 1) << other.err;
  EXPECT_NE(other.err.find("with other inputs"), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("--overwrite"), std::string::npos) << other.err;
  EXPECT_EQ(Slurp(out), results);
  Outcome replaced = Unspin("scan " + second + " --out " + out + " --overwrite --summary " +
                            (dir_ / "summary.json").string());
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_NE(replaced.err.find("replaced " + std::to_string(results.size()) + " bytes"),
            std::string::npos)
      << replaced.err;
  const nlohmann::json summary = nlohmann::json::parse(Slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["documents"], 5);
  EXPECT_EQ(summary["replaced_output_bytes"], results.size());
  std::string expected = results;
  for (size_t at = 0; (at = expected.find(first, at)) != std::string::npos;) {
    expected.replace(at, first.size(), second);
  }
  EXPECT_EQ(Slurp(out), expected);
}

// Results of another format version (version 1 held probabilities for
// another collection) are not resumed: mixing the two would mix scales.
TEST_F(Issue17Test, ScanDoesNotResumeResultsOfAnotherFormatVersion) {
  const std::string pages = Write("pages.jsonl", Pages());
  const std::string out = (dir_ / "results.jsonl").string();
  ASSERT_EQ(Unspin("scan " + pages + " --out " + out).exit_code, 0);
  std::string results = Slurp(out);
  const size_t version = results.find("\"unspin_scan\":2");
  ASSERT_NE(version, std::string::npos) << results;
  results.replace(version, 15, "\"unspin_scan\":1");
  std::ofstream(out, std::ios::binary | std::ios::trunc) << results;
  Outcome older = Unspin("scan " + pages + " --out " + out);
  EXPECT_EQ(older.exit_code, 1) << older.err;
  EXPECT_NE(older.err.find("result format"), std::string::npos) << older.err;
  EXPECT_EQ(Slurp(out), results);
}

// ---- 2. index build publishes nothing when its read fails or reads nothing --

TEST_F(Issue17Test, IndexBuildKeepsTheIndexWhenStandardInputIsClosed) {
  const std::string index = (dir_ / "index").string();
  ASSERT_EQ(Unspin("index build --out " + index + " " + Write("pages.jsonl", Pages())).exit_code,
            0);
  ASSERT_EQ(Documents(index), 5);
  Outcome build = UnspinWithStdinClosed("index build --out " + index + " -");
  EXPECT_EQ(build.exit_code, 4) << build.err;
  EXPECT_NE(build.err.find("cannot read standard input"), std::string::npos) << build.err;
  EXPECT_EQ(Documents(index), 5);
  Outcome add = UnspinWithStdinClosed("index add --index " + index + " -");
  EXPECT_EQ(add.exit_code, 4) << add.err;
  EXPECT_EQ(Documents(index), 5);
}

TEST_F(Issue17Test, IndexBuildOfNothingOverAnIndexNeedsAllowEmpty) {
  const std::string index = (dir_ / "index").string();
  ASSERT_EQ(Unspin("index build --out " + index + " " + Write("pages.jsonl", Pages())).exit_code,
            0);
  const std::string empty = Write("empty.jsonl", "");
  for (const std::string& input : {std::string("-"), empty}) {
    Outcome build = Unspin("index build --out " + index + " " + input, "");
    EXPECT_EQ(build.exit_code, 2) << build.err;
    EXPECT_NE(build.err.find("is kept"), std::string::npos) << build.err;
    EXPECT_NE(build.err.find("--allow-empty"), std::string::npos) << build.err;
    EXPECT_EQ(Documents(index), 5);
  }
  // Every line rejected is zero documents too.
  Outcome rejected =
      Unspin("index build --out " + index + " " + Write("bad.jsonl", "{\"id\": \"x\"}\n"));
  EXPECT_EQ(rejected.exit_code, 2) << rejected.err;
  EXPECT_EQ(Documents(index), 5);
  // Asked for: the index is emptied; where there was none, no flag is needed.
  Outcome emptied = Unspin("index build --allow-empty --out " + index + " " + empty);
  EXPECT_EQ(emptied.exit_code, 0) << emptied.err;
  EXPECT_EQ(Documents(index), 0);
  const std::string fresh = (dir_ / "fresh").string();
  EXPECT_EQ(Unspin("index build --out " + fresh + " " + empty).exit_code, 0);
  EXPECT_EQ(Documents(fresh), 0);
}

// ---- 3. deeply nested JSON is a bad line, never a crash --------------------

TEST_F(Issue17Test, DeeplyNestedJsonIsAReportedLineInEveryReader) {
  const std::string deep = Write(
      "deep.jsonl", DeepLine("objects", 70000, false) + Pages() + DeepLine("arrays", 100000, true));
  const std::string index = (dir_ / "index").string();
  Outcome build = Unspin("index build --out " + index + " " + deep);
  EXPECT_EQ(build.exit_code, 2) << build.err;
  EXPECT_NE(build.err.find("deep.jsonl:1: JSON nested deeper than 512 levels (skipped)"),
            std::string::npos)
      << build.err;
  EXPECT_NE(build.err.find("deep.jsonl:7: JSON nested deeper than 512 levels (skipped)"),
            std::string::npos)
      << build.err;
  EXPECT_EQ(Documents(index), 5);

  Outcome add = Unspin("index add --index " + index + " " +
                       Write("more.jsonl", DeepLine("more", 70000, false)));
  EXPECT_EQ(add.exit_code, 2) << add.err;
  EXPECT_NE(add.err.find("more.jsonl:1: JSON nested deeper"), std::string::npos) << add.err;
  EXPECT_EQ(Documents(index), 5);

  Outcome find = Unspin("find --jsonl --index " + index + " " + deep);
  EXPECT_EQ(find.exit_code, 2) << find.err;
  EXPECT_NE(find.err.find("deep.jsonl:1: JSON nested deeper"), std::string::npos) << find.err;
  EXPECT_EQ(std::count(find.out.begin(), find.out.end(), '\n'), 5) << find.out;

  // A line within the bound keeps its metadata.
  Outcome shallow = Unspin("index add --index " + index + " " +
                           Write("shallow.jsonl", DeepLine("shallow", 500, false)));
  EXPECT_EQ(shallow.exit_code, 0) << shallow.err;
  EXPECT_EQ(Documents(index), 6);

  Outcome scan = Unspin("scan " + deep + " --out " + (dir_ / "scan.jsonl").string());
  EXPECT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_NE(scan.err.find("line 1: JSON nested deeper than 512 levels"), std::string::npos)
      << scan.err;
  EXPECT_NE(scan.err.find("malformed 2"), std::string::npos) << scan.err;

  const std::string pairs = Write(
      "pairs.jsonl", "{\"original\": \"He failed.\", \"spun\": \"He stopped working.\", \"x\": " +
                         std::string(100000, '[') + std::string(100000, ']') + "}\n");
  Outcome eval = Unspin("eval " + pairs);
  EXPECT_EQ(eval.exit_code, 2) << eval.err;
  EXPECT_NE(eval.err.find("line 1: JSON nested deeper than 512 levels"), std::string::npos)
      << eval.err;
  Outcome learn = Unspin("channel learn --pairs " + pairs + " -o -");
  EXPECT_EQ(learn.exit_code, 2) << learn.err;
  EXPECT_NE(learn.err.find("JSON nested deeper than 512 levels"), std::string::npos) << learn.err;
}

// ---- 4. a .jsonl file is JSON lines, whatever its first line ---------------

TEST_F(Issue17Test, JsonlWithAByteOrderMarkOrAHeaderLineIsReadLineByLine) {
  const std::string pages = Pages();
  const std::string index = (dir_ / "index").string();
  Outcome bom =
      Unspin("index build --out " + index + " " + Write("bom.jsonl", "\xEF\xBB\xBF" + pages));
  EXPECT_EQ(bom.exit_code, 0) << bom.err;
  EXPECT_EQ(Documents(index), 5);
  Outcome found =
      Unspin("find --jsonl --index " + index + " " + Write("q.jsonl", "\xEF\xBB\xBF" + pages));
  EXPECT_EQ(found.exit_code, 0) << found.err;
  EXPECT_EQ(found.out.find("{\"query\":\"page-0\""), 0u) << found.out;

  // A header line: reported as a bad line, the other lines indexed; by the
  // file's name (.jsonl), or by its content (a .txt file, standard input).
  const std::string with_header = "id\ttext\n" + pages;
  for (const std::string& input :
       {Write("header.jsonl", with_header), Write("header.txt", with_header), std::string("-")}) {
    const std::string shown = input == "-" ? "-" : fs::path(input).filename().string();
    Outcome build = Unspin("index build --out " + index + " " + input, with_header);
    EXPECT_EQ(build.exit_code, 2) << build.err;
    EXPECT_NE(build.err.find(shown + ":1: not a JSON object"), std::string::npos) << build.err;
    EXPECT_EQ(Documents(index), 5) << input;
  }
  // By name even when no line is JSON: every line is reported, none indexed
  // as a text.
  Outcome csv = Unspin("index build --out " + (dir_ / "csv").string() + " " +
                       Write("table.jsonl", "id,text\npage-0,The council met.\n"));
  EXPECT_EQ(csv.exit_code, 2) << csv.err;
  EXPECT_NE(csv.err.find("table.jsonl:2: not a JSON object"), std::string::npos) << csv.err;

  // scan reads a .jsonl file by its name too.
  const std::string out = (dir_ / "scan.jsonl").string();
  Outcome scan = Unspin("scan " + (dir_ / "header.jsonl").string() + " --out " + out +
                        " --summary " + (dir_ / "summary.json").string());
  EXPECT_EQ(scan.exit_code, 0) << scan.err;
  const nlohmann::json summary = nlohmann::json::parse(Slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["documents"], 5);
  EXPECT_EQ(summary["inputs_by_format"]["jsonl"], 1);
  EXPECT_EQ(summary["skipped"]["malformed"], 1);
}

}  // namespace
