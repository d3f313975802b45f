#include "unspin/extract/records.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "unspin/extract/html.h"
#include "unspin/extract/lines.h"
#include "unspin/text/utf8.h"

namespace unspin::extract {
namespace {

namespace fs = std::filesystem;

// One WARC record as the spec writes it: version line, named fields, blank
// line, block, CRLF CRLF. `length` overrides the Content-Length (to lie).
std::string WarcRecord(const std::string& type, const std::string& uri,
                       const std::string& content_type, const std::string& block,
                       long length = -1) {
  std::string record = "WARC/1.1\r\nWARC-Type: " + type + "\r\n";
  if (!uri.empty()) record += "WARC-Target-URI: " + uri + "\r\n";
  record += "WARC-Record-ID: <urn:uuid:" + std::to_string(block.size()) + ">\r\n";
  if (!content_type.empty()) record += "Content-Type: " + content_type + "\r\n";
  record += "Content-Length: " +
            std::to_string(length >= 0 ? static_cast<size_t>(length) : block.size()) + "\r\n";
  record += "\r\n" + block + "\r\n\r\n";
  return record;
}

std::string HttpResponse(const std::string& status, const std::string& headers,
                         const std::string& body) {
  return "HTTP/1.1 " + status + "\r\n" + headers + "\r\n" + body;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const std::string kPage =
    "<!doctype html><html><head><title>Harbor</title></head><body><article><h1>Harbor "
    "repairs</h1><p>The council approved the repairs after inspectors found cracks in the "
    "old pier last spring.</p></article></body></html>";

struct ReadAll {
  std::vector<Document> docs;
  Status end;  // the error that ended the input, OK at a clean end
  ReaderStats stats;
};

ReadAll ReadEverything(RecordReader& reader) {
  ReadAll all;
  Document doc;
  for (int guard = 0; guard < 100000; ++guard) {
    Result<bool> more = reader.Next(&doc);
    if (!more.ok()) {
      all.end = more.status();
      break;
    }
    if (!*more) break;
    all.docs.push_back(doc);
  }
  all.stats = reader.stats();
  return all;
}

ReadAll ReadBytes(std::string bytes, const ReaderOptions& options = {}, bool may_fail = false) {
  Result<std::unique_ptr<RecordReader>> reader =
      RecordReader::FromBytes(std::move(bytes), "mem", options);
  if (may_fail && !reader.ok()) {
    // Only a gzip stream that yields nothing may fail to open.
    EXPECT_EQ(reader.status().code(), StatusCode::kCorruption);
    return {};
  }
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return {};
  return ReadEverything(**reader);
}

uint64_t Skipped(const ReaderStats& stats, SkipReason reason) {
  return stats.skipped[static_cast<size_t>(reason)];
}

// A small crawl: one record of every kind the reader must tell apart.
std::vector<std::string> CrawlRecords() {
  return {
      WarcRecord("warcinfo", "", "application/warc-fields", "software: test\r\n"),
      WarcRecord("request", "http://a.example/1", "application/http; msgtype=request",
                 "GET /1 HTTP/1.1\r\nHost: a.example\r\n\r\n"),
      WarcRecord("response", "http://a.example/1", "application/http; msgtype=response",
                 HttpResponse("200 OK", "Content-Type: text/html; charset=utf-8\r\n", kPage)),
      WarcRecord("response", "http://a.example/missing", "application/http; msgtype=response",
                 HttpResponse("404 Not Found", "Content-Type: text/html\r\n", "<p>gone</p>")),
      WarcRecord("response", "http://a.example/logo.png", "application/http; msgtype=response",
                 HttpResponse("200 OK", "Content-Type: image/png\r\n",
                              std::string("\x89PNG\r\n\x1a\n\0\0", 10))),
      WarcRecord("metadata", "http://a.example/1", "application/warc-fields", "via: x\r\n"),
      WarcRecord("resource", "<http://b.example/notes.txt>", "text/plain",
                 "Plain notes about the harbor.\n"),
  };
}

TEST(RecordReaderTest, WarcKeepsHtmlAndTextRecordsAndCountsTheRest) {
  std::string warc;
  for (const std::string& record : CrawlRecords()) warc += record;
  ReadAll all = ReadBytes(warc);
  ASSERT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_EQ(all.docs.size(), 2u);
  EXPECT_EQ(all.docs[0].id, "http://a.example/1");
  EXPECT_TRUE(all.docs[0].id_is_url);
  EXPECT_EQ(all.docs[0].format, InputFormat::kHtml);
  EXPECT_EQ(all.docs[0].content, kPage);
  EXPECT_EQ(all.docs[0].charset, "utf-8");
  EXPECT_EQ(all.docs[0].record, 2u);
  size_t offset = CrawlRecords()[0].size() + CrawlRecords()[1].size();
  EXPECT_EQ(all.docs[0].source_offset, offset);
  EXPECT_EQ(all.docs[1].id, "http://b.example/notes.txt");  // WARC 1.0 <uri> unwrapped
  EXPECT_EQ(all.docs[1].format, InputFormat::kText);
  EXPECT_EQ(all.docs[1].content, "Plain notes about the harbor.\n");
  EXPECT_EQ(all.docs[1].record, 6u);
  EXPECT_EQ(all.stats.records, 7u);
  EXPECT_EQ(all.stats.documents, 2u);
  EXPECT_EQ(Skipped(all.stats, SkipReason::kNotResponse), 3u);  // warcinfo, request, metadata
  EXPECT_EQ(Skipped(all.stats, SkipReason::kHttpStatus), 1u);
  EXPECT_EQ(Skipped(all.stats, SkipReason::kNotText), 1u);
  EXPECT_EQ(all.stats.skipped_total(), 5u);
}

TEST(RecordReaderTest, GzipMembersGiveTheSameDocumentsWithMemberOffsets) {
  std::string plain, gz;
  std::vector<size_t> member_offsets;
  for (const std::string& record : CrawlRecords()) {
    plain += record;
    member_offsets.push_back(gz.size());
    gz += Gzip(record);
  }
  EXPECT_EQ(DetectFormat(gz), InputFormat::kWarc);
  ReadAll from_plain = ReadBytes(plain);
  ReadAll from_gz = ReadBytes(gz);
  ASSERT_TRUE(from_gz.end.ok()) << from_gz.end.ToString();
  ASSERT_EQ(from_gz.docs.size(), from_plain.docs.size());
  for (size_t i = 0; i < from_gz.docs.size(); ++i) {
    EXPECT_EQ(from_gz.docs[i].content, from_plain.docs[i].content);
    EXPECT_EQ(from_gz.docs[i].record, from_plain.docs[i].record);
    EXPECT_EQ(from_gz.docs[i].source_offset, member_offsets[from_gz.docs[i].record]);
  }
  // A whole file in one gzip member reads the same, offsets all 0.
  ReadAll one_member = ReadBytes(Gzip(plain));
  ASSERT_EQ(one_member.docs.size(), 2u);
  EXPECT_EQ(one_member.docs[1].content, from_plain.docs[1].content);
}

TEST(RecordReaderTest, ChunkedAndGzipEncodedBodiesAreDecoded) {
  std::string chunked =
      "18\r\n<p>The council approved \r\n"
      "10;ext=1\r\nthe repairs.</p>\r\n0\r\n\r\n";
  std::string encoded = Gzip("<p>Inspectors found cracks.</p>");
  std::string warc =
      WarcRecord("response", "http://c.example/1", "application/http; msgtype=response",
                 HttpResponse("200 OK", "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n",
                              chunked)) +
      WarcRecord("response", "http://c.example/2", "application/http; msgtype=response",
                 HttpResponse("200 OK", "Content-Type: text/html\r\nContent-Encoding: gzip\r\n",
                              encoded)) +
      WarcRecord("response", "http://c.example/3", "application/http; msgtype=response",
                 HttpResponse("200 OK", "Content-Type: text/html\r\nContent-Encoding: br\r\n",
                              "\x0b\x02\x80"));
  ReadAll all = ReadBytes(warc);
  ASSERT_EQ(all.docs.size(), 2u);
  EXPECT_EQ(all.docs[0].content, "<p>The council approved the repairs.</p>");
  EXPECT_EQ(all.docs[1].content, "<p>Inspectors found cracks.</p>");
  EXPECT_EQ(Skipped(all.stats, SkipReason::kContentEncoding), 1u);
}

TEST(RecordReaderTest, DeclaredLatinCharsetsAreDecodedUnknownOnesCounted) {
  std::string warc = WarcRecord("resource", "http://d.example/1", "text/plain; charset=ISO-8859-1",
                                "caf\xE9 \x93quoted\x94\n") +
                     WarcRecord("resource", "http://d.example/2",
                                "text/plain; charset=\"shift_jis\"", "abc \x82\xA0 def\n") +
                     WarcRecord("resource", "http://d.example/3", "text/html; charset=windows-1252",
                                "<p>caf\xE9</p>");
  ReadAll all = ReadBytes(warc);
  ASSERT_EQ(all.docs.size(), 3u);
  EXPECT_EQ(all.docs[0].content, "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D\n");
  EXPECT_EQ(all.docs[1].content, "abc \xEF\xBF\xBD\xEF\xBF\xBD def\n");
  EXPECT_EQ(all.docs[2].content, "<p>caf\xE9</p>");  // HTML stays bytes, decoded by HtmlToText
  EXPECT_EQ(all.docs[2].charset, "windows-1252");
  EXPECT_EQ(all.stats.unknown_charset, 1u);
  EXPECT_EQ(all.stats.repaired_utf8, 1u);
}

TEST(RecordReaderTest, TooLongContentLengthResyncsInsideTheBlock) {
  std::string first = HttpResponse("200 OK", "Content-Type: text/plain\r\n", "First story.\n");
  std::string warc =
      WarcRecord("response", "http://e.example/1", "application/http; msgtype=response", first,
                 static_cast<long>(first.size() + 60)) +
      WarcRecord("resource", "http://e.example/2", "text/plain", "Second story, intact.\n") +
      WarcRecord("resource", "http://e.example/3", "text/plain", "Third story, intact.\n");
  ReadAll all = ReadBytes(warc);
  ASSERT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_EQ(all.docs.size(), 2u);
  EXPECT_EQ(all.docs[0].id, "http://e.example/2");
  EXPECT_EQ(all.docs[1].id, "http://e.example/3");
  EXPECT_EQ(Skipped(all.stats, SkipReason::kMalformed), 1u);
  EXPECT_EQ(all.stats.resyncs, 1u);
  ASSERT_FALSE(all.stats.warnings.empty());
  EXPECT_NE(all.stats.warnings[0].find("record 0 at byte 0"), std::string::npos);
}

TEST(RecordReaderTest, TooShortContentLengthResyncsAfterTheBlock) {
  std::string block = "A story whose length is understated by the writer.\n";
  std::string warc = WarcRecord("resource", "http://f.example/1", "text/plain", block,
                                static_cast<long>(block.size() - 20)) +
                     WarcRecord("resource", "http://f.example/2", "text/plain", "Next one.\n");
  ReadAll all = ReadBytes(warc);
  ASSERT_EQ(all.docs.size(), 1u);
  EXPECT_EQ(all.docs[0].id, "http://f.example/2");
  EXPECT_EQ(all.docs[0].record, 1u);
  EXPECT_EQ(Skipped(all.stats, SkipReason::kMalformed), 1u);
}

TEST(RecordReaderTest, TruncatedGzipMemberEndsTheInputAfterEarlierDocuments) {
  std::string gz = Gzip(WarcRecord("resource", "http://g.example/1", "text/plain", "One.\n")) +
                   Gzip(WarcRecord("resource", "http://g.example/2", "text/plain", "Two.\n"));
  std::string last = Gzip(
      WarcRecord("resource", "http://g.example/3", "text/plain", std::string(3000, 'x') + "\n"));
  size_t last_offset = gz.size();
  gz += last.substr(0, last.size() / 2);
  ReadAll all = ReadBytes(gz);
  ASSERT_EQ(all.docs.size(), 2u);
  EXPECT_EQ(all.end.code(), StatusCode::kCorruption);
  EXPECT_NE(all.end.message().find("byte " + std::to_string(last_offset)), std::string::npos)
      << all.end.message();
  EXPECT_EQ(Skipped(all.stats, SkipReason::kTruncated), 1u);
}

TEST(RecordReaderTest, BadGzipMemberOrJunkBetweenMembersIsSkipped) {
  std::string first = Gzip(WarcRecord("resource", "http://k.example/1", "text/plain", "One.\n"));
  std::string second = Gzip(WarcRecord("resource", "http://k.example/2", "text/plain",
                                       "Two, a longer story about the harbor repairs.\n"));
  std::string third = Gzip(WarcRecord("resource", "http://k.example/3", "text/plain", "Three.\n"));
  // Overwrite the middle of the second member's deflate data.
  std::string damaged = second;
  for (size_t i = 12; i < damaged.size() - 12; ++i) damaged[i] = static_cast<char>(0xFF ^ i);
  ReadAll all = ReadBytes(first + damaged + third);
  EXPECT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_GE(all.docs.size(), 2u);
  EXPECT_EQ(all.docs.front().id, "http://k.example/1");
  EXPECT_EQ(all.docs.back().id, "http://k.example/3");
  EXPECT_EQ(all.docs.back().source_offset, first.size() + damaged.size());
  EXPECT_GE(all.stats.resyncs, 1u);
  bool warned = false;
  for (const std::string& warning : all.stats.warnings) {
    warned = warned || warning.find("bad gzip data in the member at byte " +
                                    std::to_string(first.size())) != std::string::npos;
  }
  EXPECT_TRUE(warned);

  all = ReadBytes(first + "junk between members" + third);
  EXPECT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_EQ(all.docs.size(), 2u);
  EXPECT_EQ(all.docs[1].id, "http://k.example/3");
  EXPECT_EQ(all.docs[1].source_offset, first.size() + 20);
  // Junk at the end, with no member after it, is still an error.
  all = ReadBytes(first + "junk at the end");
  EXPECT_EQ(all.docs.size(), 1u);
  EXPECT_EQ(all.end.code(), StatusCode::kCorruption);
}

TEST(RecordReaderTest, TruncatedPlainRecordIsCorruptionNamingTheRecord) {
  std::string warc = WarcRecord("resource", "http://h.example/1", "text/plain", "One.\n");
  std::string second =
      WarcRecord("resource", "http://h.example/2", "text/plain", std::string(500, 'y'));
  warc += second.substr(0, second.size() - 200);
  ReadAll all = ReadBytes(warc);
  ASSERT_EQ(all.docs.size(), 1u);
  EXPECT_EQ(all.end.code(), StatusCode::kCorruption);
  EXPECT_NE(all.end.message().find("record 1"), std::string::npos) << all.end.message();
}

TEST(RecordReaderTest, OversizedRecordsAreSkippedAndCounted) {
  std::string warc =
      WarcRecord("resource", "http://i.example/big", "text/plain", std::string(5000, 'z')) +
      WarcRecord("resource", "http://i.example/small", "text/plain", "Small.\n");
  ReaderOptions options;
  options.max_record_bytes = 1000;
  ReadAll all = ReadBytes(warc, options);
  ASSERT_EQ(all.docs.size(), 1u);
  EXPECT_EQ(all.docs[0].id, "http://i.example/small");
  EXPECT_EQ(Skipped(all.stats, SkipReason::kTooLarge), 1u);
}

TEST(RecordReaderTest, JsonlLinesWithLineNumbersForBadOnes) {
  std::string jsonl =
      "{\"url\": \"http://j.example/1\", \"text\": \"First text.\"}\n"
      "\n"
      "{\"id\": 17, \"html\": \"<p>Second.</p>\"}\n"
      "{\"id\": \"x\", \"text\": \"cut off\n"
      "[1, 2, 3]\n"
      "{\"id\": \"no-content\"}\n"
      "{\"id\": \"last\", \"text\": \"Last text.\"}";
  EXPECT_EQ(DetectFormat(jsonl), InputFormat::kJsonl);
  ReadAll all = ReadBytes(jsonl);
  ASSERT_TRUE(all.end.ok());
  ASSERT_EQ(all.docs.size(), 3u);
  EXPECT_EQ(all.docs[0].id, "http://j.example/1");
  EXPECT_TRUE(all.docs[0].id_is_url);
  EXPECT_EQ(all.docs[0].record, 0u);
  EXPECT_EQ(all.docs[1].id, "17");
  EXPECT_FALSE(all.docs[1].id_is_url);
  EXPECT_EQ(all.docs[1].format, InputFormat::kHtml);
  EXPECT_EQ(all.docs[1].record, 2u);
  EXPECT_EQ(all.docs[1].source_offset, jsonl.find("{\"id\": 17"));
  EXPECT_EQ(all.docs[2].id, "last");
  EXPECT_EQ(all.docs[2].record, 6u);
  EXPECT_EQ(Skipped(all.stats, SkipReason::kMalformed), 3u);
  ASSERT_EQ(all.stats.warnings.size(), 3u);
  EXPECT_NE(all.stats.warnings[0].find("line 4"), std::string::npos) << all.stats.warnings[0];
  EXPECT_NE(all.stats.warnings[1].find("line 5"), std::string::npos);
  EXPECT_NE(all.stats.warnings[2].find("line 6"), std::string::npos);
}

// Issue 18: the ids every verb gives a JSONL record ("id", else "url", else
// "<input>:<line>"), the metadata it keeps, and with report_every_record the
// bad lines handed out in their place, each with its reason.
TEST(RecordReaderTest, JsonlIdsMetadataAndEveryRecordReported) {
  std::string jsonl =
      "\xEF\xBB\xBF{\"id\": \"a\", \"url\": \"http://j.example/a\", \"text\": \"First.\", "
      "\"section\": {\"name\": \"city\"}}\n"
      "{\"url\": \"http://j.example/b\", \"html\": \"<p>Second.</p>\"}\n"
      "{\"text\": \"No name.\"}\n"
      "not json\n"
      "{\"id\": \"empty\", \"text\": \"\"}\n"
      "{\"id\": \"bad\", \"text\": \"caf\xC3\"}\n";
  ReaderOptions every;
  every.report_every_record = true;
  ReadAll all = ReadBytes(jsonl, every);
  ASSERT_TRUE(all.end.ok());
  ASSERT_EQ(all.docs.size(), 6u);
  EXPECT_EQ(all.docs[0].id, "a");
  EXPECT_FALSE(all.docs[0].id_is_url);
  EXPECT_EQ(all.docs[0].url, "http://j.example/a");
  EXPECT_EQ(all.docs[0].metadata,
            "{\"section\":{\"name\":\"city\"},\"url\":\"http://j.example/a\"}");
  EXPECT_EQ(all.docs[1].id, "http://j.example/b");
  EXPECT_TRUE(all.docs[1].id_is_url);
  EXPECT_EQ(all.docs[1].format, InputFormat::kHtml);
  EXPECT_EQ(all.docs[2].id, "mem:3");
  EXPECT_EQ(all.docs[3].id, "mem:4");
  EXPECT_EQ(all.docs[3].error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(all.docs[3].error.message().find("not a JSON object"), std::string::npos);
  EXPECT_TRUE(all.docs[4].error.ok());
  EXPECT_EQ(all.docs[4].content, "");
  EXPECT_NE(all.docs[5].error.message().find("invalid UTF-8"), std::string::npos);
  for (size_t i : {0u, 1u, 2u, 4u}) EXPECT_TRUE(all.docs[i].error.ok()) << i;

  // Scan's reading of the same bytes: the bad lines counted, the empty one
  // skipped.
  ReadAll lenient = ReadBytes(jsonl);
  ASSERT_EQ(lenient.docs.size(), 3u);
  EXPECT_EQ(Skipped(lenient.stats, SkipReason::kMalformed), 2u);
  EXPECT_EQ(Skipped(lenient.stats, SkipReason::kEmpty), 1u);

  // A text file in invalid UTF-8: kept as it is for the checker to name the
  // offset, or repaired for scan.
  ReadAll kept = ReadBytes("caf\xC3 au lait", every);
  ASSERT_EQ(kept.docs.size(), 1u);
  EXPECT_EQ(kept.docs[0].content, "caf\xC3 au lait");
  ReadAll repaired = ReadBytes("caf\xC3 au lait");
  ASSERT_EQ(repaired.docs.size(), 1u);
  EXPECT_EQ(repaired.docs[0].content, "caf\xEF\xBF\xBD au lait");
}

// Issue 17: every JSON reader bounds the nesting depth (kMaxJsonDepth), so
// a deep line is one malformed line, as in every other verb.
TEST(RecordReaderTest, DeeplyNestedJsonlLinesAreMalformedLines) {
  std::string deep = std::string(200000, '[') + std::string(200000, ']');
  std::string nested = "{\"id\": \"n\", \"meta\": " + std::string(100000, '[') +
                       std::string(100000, ']') + ", \"text\": \"Refused.\"}";
  std::string shallow = "{\"id\": \"s\", \"meta\": ";  // 501 levels: within the bound
  for (int i = 0; i < 500; ++i) shallow += "{\"a\": ";
  shallow += "\"x\"" + std::string(500, '}') + ", \"text\": \"Kept.\"}";
  ReadAll all = ReadBytes("{\"text\": \"a\"}\n" + deep + "\n" + nested + "\n" + shallow + "\n");
  ASSERT_EQ(all.docs.size(), 2u);
  EXPECT_EQ(all.docs[1].id, "s");
  EXPECT_EQ(all.docs[1].content, "Kept.");
  EXPECT_EQ(Skipped(all.stats, SkipReason::kMalformed), 2u);
  ASSERT_EQ(all.stats.warnings.size(), 2u);
  EXPECT_EQ(all.stats.warnings[1], "line 3: JSON nested deeper than 512 levels");
  // A deep first line still makes the input JSON lines.
  EXPECT_EQ(DetectFormat(nested + "\n{\"text\": \"b\"}\n"), InputFormat::kJsonl);
}

TEST(RecordReaderTest, TextAndHtmlFilesAreOneDocument) {
  fs::path dir = fs::temp_directory_path() / ("records_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.html", std::ios::binary) << kPage;
  std::ofstream(dir / "b.txt", std::ios::binary) << "Bad \xC3\x28 byte.\n";
  std::ofstream(dir / "c.bin", std::ios::binary) << std::string("\0\1\2\3", 4);
  {
    auto reader = RecordReader::Open((dir / "a.html").string());
    ASSERT_TRUE(reader.ok());
    ReadAll all = ReadEverything(**reader);
    ASSERT_EQ(all.docs.size(), 1u);
    EXPECT_EQ(all.docs[0].format, InputFormat::kHtml);
    EXPECT_EQ(all.docs[0].id, (dir / "a.html").string());
    EXPECT_EQ((*reader)->bytes_read(), kPage.size());
    EXPECT_EQ((*reader)->total_bytes(), kPage.size());
  }
  {
    auto reader = RecordReader::Open((dir / "b.txt").string());
    ASSERT_TRUE(reader.ok());
    ReadAll all = ReadEverything(**reader);
    ASSERT_EQ(all.docs.size(), 1u);
    EXPECT_EQ(all.docs[0].content, "Bad \xEF\xBF\xBD( byte.\n");
    EXPECT_EQ(all.stats.repaired_utf8, 1u);
  }
  {
    auto reader = RecordReader::Open((dir / "c.bin").string());
    ASSERT_TRUE(reader.ok());
    ReadAll all = ReadEverything(**reader);
    EXPECT_TRUE(all.docs.empty());
    EXPECT_EQ(Skipped(all.stats, SkipReason::kBinary), 1u);
  }
  auto missing = RecordReader::Open((dir / "absent.warc").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

// Issue 17: a .jsonl file whose first line is not JSON (a header line) was
// sniffed as text and read as one document. Its name says JSON lines.
TEST(RecordReaderTest, AFileNamedJsonlIsJsonLinesWhateverItsFirstLine) {
  EXPECT_TRUE(HasJsonLinesExtension("crawl.jsonl"));
  EXPECT_TRUE(HasJsonLinesExtension("dir/Crawl.NDJSON"));
  EXPECT_TRUE(HasJsonLinesExtension("crawl.jsonl.gz"));
  EXPECT_FALSE(HasJsonLinesExtension("crawl.json"));
  EXPECT_FALSE(HasJsonLinesExtension("jsonl"));
  EXPECT_FALSE(HasJsonLinesExtension("notes.txt"));
  fs::path dir = fs::temp_directory_path() / ("records_jsonl_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string lines =
      "id\ttext\n{\"id\": \"a\", \"text\": \"One.\"}\n"
      "{\"id\": \"b\", \"text\": \"Two.\"}\n";
  std::ofstream(dir / "header.jsonl", std::ios::binary) << lines;
  std::ofstream(dir / "header.txt", std::ios::binary) << lines;
  std::ofstream(dir / "bom.ndjson", std::ios::binary) << "\xEF\xBB\xBF" << lines.substr(8);
  for (const char* name : {"header.jsonl", "bom.ndjson"}) {
    auto reader = RecordReader::Open((dir / name).string());
    ASSERT_TRUE(reader.ok()) << name;
    EXPECT_EQ((*reader)->format(), InputFormat::kJsonl) << name;
    ReadAll all = ReadEverything(**reader);
    ASSERT_EQ(all.docs.size(), 2u) << name;
    EXPECT_EQ(all.docs[0].id, "a");
    EXPECT_EQ(all.docs[1].content, "Two.");
  }
  {
    auto reader = RecordReader::Open((dir / "header.jsonl").string());
    ASSERT_TRUE(reader.ok());
    ReadAll all = ReadEverything(**reader);
    EXPECT_EQ(Skipped(all.stats, SkipReason::kMalformed), 1u);
    ASSERT_EQ(all.stats.warnings.size(), 1u);
    EXPECT_EQ(all.stats.warnings[0], "line 1: not a JSON object (malformed JSON or invalid UTF-8)");
  }
  // With no name to go by, the header line before JSON lines decides (issue 18).
  auto text = RecordReader::Open((dir / "header.txt").string());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ((*text)->format(), InputFormat::kJsonl);
  fs::remove_all(dir);
}

TEST(RecordReaderTest, DetectFormatTellsWarcAndJsonlApart) {
  EXPECT_EQ(DetectFormat("WARC/1.0\r\nWARC-Type: warcinfo\r\n"), InputFormat::kWarc);
  EXPECT_EQ(DetectFormat(Gzip("WARC/1.1\r\n")), InputFormat::kWarc);
  EXPECT_EQ(DetectFormat(Gzip("Just text.\n")), InputFormat::kText);
  EXPECT_EQ(DetectFormat("  {\"text\": \"a\"}\n{\"text\": \"b\"}\n"), InputFormat::kJsonl);
  EXPECT_EQ(DetectFormat("{not json at all}\n"), InputFormat::kText);
  EXPECT_EQ(DetectFormat("[{\"text\": \"a\"}]\n"), InputFormat::kText);
  std::string long_line = "{\"text\": \"" + std::string(70000, 'a');
  EXPECT_EQ(DetectFormat(std::string_view(long_line).substr(0, 65536)), InputFormat::kJsonl);
}

TEST(RecordReaderTest, MutatedArchivesNeverCrashOrLoop) {
  std::string plain;
  for (const std::string& record : CrawlRecords()) plain += record;
  std::string gz;
  for (const std::string& record : CrawlRecords()) gz += Gzip(record);
  std::mt19937 rng(20261129);
  for (int round = 0; round < 400; ++round) {
    std::string bytes = round % 2 == 0 ? plain : gz;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % bytes.size();
      switch (rng() % 3) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes = bytes.substr(0, at) + bytes.substr(std::min(bytes.size(), at + rng() % 64));
          break;
        default:
          bytes = bytes.substr(0, at) + std::string(rng() % 16, static_cast<char>(rng())) +
                  bytes.substr(at);
      }
      if (bytes.empty()) bytes.push_back('W');
    }
    ReadAll all = ReadBytes(bytes, {}, /*may_fail=*/true);
    EXPECT_LE(all.docs.size(), 7u);
    for (const Document& doc : all.docs) {
      EXPECT_TRUE(doc.format == InputFormat::kText || doc.format == InputFormat::kHtml);
    }
  }
}

TEST(CharsetTest, RepairAgreesWithTheValidator) {
  std::mt19937 rng(7);
  const unsigned char interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                                       0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  for (int round = 0; round < 20000; ++round) {
    std::string bytes(1 + rng() % 12, '\0');
    for (char& c : bytes) {
      c = static_cast<char>(rng() % 2 ? interesting[rng() % sizeof interesting] : rng());
    }
    std::string repaired = bytes;
    bool changed = RepairUtf8(&repaired);
    EXPECT_EQ(changed, !text::ValidateUtf8(bytes).ok());
    EXPECT_TRUE(text::ValidateUtf8(repaired).ok());
    if (!changed) {
      EXPECT_EQ(repaired, bytes);
    }
  }
}

TEST(CharsetTest, Windows1252AndRepairAgainstByteByByteReference) {
  for (int byte = 0; byte < 256; ++byte) {
    std::string one(1, static_cast<char>(byte));
    std::string utf8 = Windows1252ToUtf8(one);
    std::string copy = utf8;
    EXPECT_FALSE(RepairUtf8(&copy)) << byte;  // always valid UTF-8
    if (byte < 0x80) {
      EXPECT_EQ(utf8, one);
    }
  }
  EXPECT_EQ(Windows1252ToUtf8("\x80"), "\xE2\x82\xAC");
  EXPECT_EQ(Windows1252ToUtf8("\xFF"), "\xC3\xBF");
  EXPECT_EQ(Windows1252ToUtf8("\x81"), "\xC2\x81");
  std::string bad =
      "a\xE2\x82"
      "b\xED\xA0\x80"
      "c\xF4\x90\x80\x80"
      "d\xC0\xAF";
  EXPECT_TRUE(RepairUtf8(&bad));
  // Maximal subparts: E2 82 is one; ED A0 80, F4 90 80 80 and C0 AF are per byte.
  EXPECT_EQ(bad,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "d\xEF\xBF\xBD\xEF\xBF\xBD");
  std::string good = "caf\xC3\xA9 \xF0\x9F\x98\x80";
  EXPECT_FALSE(RepairUtf8(&good));
}

// The labelled WARC of tests/data/scan (bench/make_warc_set.py): every page's
// debris lines, as the template wrote them, are classified as debris or
// dropped by the HTML extractor; no article paragraph is classified debris.
TEST(LabelledWarcTest, DebrisFoundAndArticleKept) {
  std::string dir = std::string(UNSPIN_TEST_DATA_DIR) + "/scan/";
  std::map<std::string, nlohmann::json> labels;
  std::ifstream label_file(dir + "labelled.labels.jsonl");
  std::string line;
  while (std::getline(label_file, line)) {
    nlohmann::json label = nlohmann::json::parse(line);
    labels[label["url"]] = label;
  }
  ASSERT_EQ(labels.size(), 24u);
  auto reader = RecordReader::Open(dir + "labelled.warc.gz");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ReadAll all = ReadEverything(**reader);
  ASSERT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_EQ(all.docs.size(), labels.size());
  int debris_total = 0, debris_found = 0, body_lines = 0, body_lost = 0;
  for (const Document& doc : all.docs) {
    ASSERT_EQ(labels.count(doc.id), 1u) << doc.id;
    const nlohmann::json& label = labels[doc.id];
    std::string text;
    std::vector<Line> lines;
    if (doc.format == InputFormat::kHtml) {
      HtmlOptions options;
      options.charset = doc.charset;
      Result<HtmlText> page = HtmlToText(doc.content, options);
      ASSERT_TRUE(page.ok());
      lines = ClassifyPage(*page);
      text = page->text;
    } else {
      text = doc.content;
      lines = ClassifyLines(text);
    }
    std::map<std::string, bool> is_debris;  // line text -> classified debris
    for (const Line& l : lines) {
      is_debris[text.substr(l.start, l.end - l.start)] = IsDebris(l.kind);
    }
    for (const nlohmann::json& debris : label["debris"]) {
      ++debris_total;
      std::string want = debris;
      bool found = true;  // dropped from the page text counts as found
      for (const auto& [text_line, debris_kind] : is_debris) {
        if (text_line == want || (text_line.find(want) != std::string::npos && !debris_kind)) {
          found = debris_kind;
        }
      }
      debris_found += found;
      if (!found) std::printf("  missed debris in %s: %s\n", doc.id.c_str(), want.c_str());
    }
    for (const auto& [text_line, debris_kind] : is_debris) {
      if (std::count(text_line.begin(), text_line.end(), ' ') < 30) continue;  // paragraphs only
      ++body_lines;
      body_lost += debris_kind;
    }
  }
  double recall = static_cast<double>(debris_found) / debris_total;
  std::printf("labelled WARC: debris recall %.3f (%d of %d), article paragraphs lost %d of %d\n",
              recall, debris_found, debris_total, body_lost, body_lines);
  EXPECT_GE(recall, 0.9);
  EXPECT_GT(body_lines, 24 * 3 - 1);
  EXPECT_EQ(body_lost, 0);
}

// ParseIdTextLine against a conforming parser: it answers exactly for the
// lines nlohmann::json reads as an object of two strings "id" and "text", and
// gives the same strings. Lines are generated from pieces that stress the decoder (escapes,
// surrogate pairs, control characters, multi-byte and invalid UTF-8).
TEST(ParseIdTextLineTest, AgreesWithAConformingParser) {
  const std::vector<std::string> pieces = {"a",
                                           "Harbor",
                                           " ",
                                           "\\n",
                                           "\\\"",
                                           "\\\\",
                                           "\\/",
                                           "\\u00e9",
                                           "\\u20AC",
                                           "\\ud83d\\ude00",
                                           "\\ud83d",
                                           "\\ude00",
                                           "\\u0000",
                                           "\\x",
                                           "\\u12",
                                           "\xc3\xa9",
                                           "\xe2\x82\xac",
                                           "\xf0\x9f\x98\x80",
                                           "\xc3",
                                           "\xed\xa0\x80",
                                           "\xff",
                                           "\t",
                                           "\x01",
                                           "\"",
                                           "\\b\\f\\r\\t",
                                           "}",
                                           ",",
                                           ":",
                                           "{"};
  std::mt19937 random(7);
  auto string_of = [&](size_t max_pieces) {
    std::string out;
    const size_t count = random() % (max_pieces + 1);
    for (size_t k = 0; k < count; ++k) out += pieces[random() % pieces.size()];
    return out;
  };
  size_t answered = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string id = string_of(3);
    const std::string text = string_of(12);
    const std::string space = round % 3 == 0 ? " " : round % 3 == 1 ? "" : " \t\r\n";
    std::string line;
    switch (round % 7) {
      case 0:
        line = "{" + space + "\"id\":" + space + "\"" + id + "\"," + space + "\"text\":\"" + text +
               "\"" + space + "}";
        break;
      case 1:
        line = "{\"text\": \"" + text + "\", \"id\": \"" + id + "\"}" + space;
        break;
      case 2:
        line = "{\"id\": \"" + id + "\", \"text\": \"" + text + "\", \"url\": \"u\"}";
        break;
      case 3:
        line = "{\"id\": 17, \"text\": \"" + text + "\"}";
        break;
      case 4:
        line = "{\"id\": \"" + id + "\", \"id\": \"" + text + "\"}";
        break;
      case 5:
        line = "{\"id\": \"" + id + "\", \"text\": \"" + text + "\"} x";
        break;
      default:
        line = "{\"id\": \"" + id + "\", \"text\": \"" + text + "\"" + string_of(2) + "}";
        break;
    }
    const std::optional<IdAndText> fast = ParseIdTextLine(line);
    const nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool plain_shape = json.is_object() && json.size() == 2 && json.contains("id") &&
                             json.contains("text") && json["id"].is_string() &&
                             json["text"].is_string();
    ASSERT_EQ(fast.has_value(), plain_shape) << line;
    if (!fast) continue;
    ++answered;
    EXPECT_EQ(fast->id, json["id"].get<std::string>()) << line;
    EXPECT_EQ(fast->text, json["text"].get<std::string>()) << line;
  }
  EXPECT_GT(answered, 500u);
  const std::optional<IdAndText> plain =
      ParseIdTextLine(R"({"id": "r-1", "text": "Caf\u00e9 \"open\"\nnow \ud83d\ude00"})");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->id, "r-1");
  EXPECT_EQ(plain->text, "Caf\xc3\xa9 \"open\"\nnow \xf0\x9f\x98\x80");
  EXPECT_FALSE(ParseIdTextLine(R"({"id": "r-1", "text": "x", "n": 1})").has_value());
  EXPECT_FALSE(ParseIdTextLine(R"({"id": "r-1", "text": "\ud83d"})").has_value());
  EXPECT_FALSE(ParseIdTextLine("{\"id\": \"r-1\", \"text\": \"\xff\"}").has_value());
  EXPECT_FALSE(ParseIdTextLine(R"({"id": "r-1"})").has_value());
  EXPECT_FALSE(ParseIdTextLine("").has_value());
}

}  // namespace
}  // namespace unspin::extract
