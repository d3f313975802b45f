// libFuzzer target for the record readers: arbitrary bytes read as WARC,
// JSONL, text and as whatever DetectFormat says, plain and gzip-wrapped
// (the first byte picks), leniently (scan) and with every record reported
// (the other verbs), with the invariants checked: Next terminates, text
// documents are valid UTF-8 (when lenient), HTML/text only, records numbered
// in increasing order, a reported bad record holds no content, counts add up; and the JSONL fast
// path (ParseIdTextLine) agrees with nlohmann::json on the same bytes.
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address -Iinclude fuzz/records_fuzz.cc \
//       src/extract/*.cc src/text/*.cc src/base/*.cc -lgumbo -lz -lutf8proc && ./a.out
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "unspin/extract/records.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return data;
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void ReadAll(const std::string& bytes, std::optional<unspin::extract::InputFormat> format,
             bool every_record) {
  using namespace unspin::extract;
  ReaderOptions options;
  options.format = format;
  options.report_every_record = every_record;
  options.max_record_bytes = 2048;
  auto reader = RecordReader::FromBytes(bytes, "fuzz", options);
  if (!reader.ok()) return;
  Document doc;
  uint64_t documents = 0;
  uint64_t bad = 0;
  bool first = true;
  uint64_t last_record = 0;
  for (int guard = 0;; ++guard) {
    Require(guard <= static_cast<int>(bytes.size()) + 2);
    auto more = (*reader)->Next(&doc);
    if (!more.ok() || !*more) break;
    if (!doc.error.ok()) {
      Require(every_record && doc.content.empty());
      ++bad;
    } else {
      ++documents;
    }
    Require(doc.format == InputFormat::kText || doc.format == InputFormat::kHtml);
    Require(first || doc.record > last_record);
    first = false;
    last_record = doc.record;
    if (!every_record && doc.format == InputFormat::kText) {
      std::string copy = doc.content;
      Require(!RepairUtf8(&copy));
    }
  }
  const ReaderStats& stats = (*reader)->stats();
  Require(stats.documents == documents);
  Require(bad <= stats.skipped_total());
  Require(stats.documents + stats.skipped_total() <= stats.records);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) bytes = Gzip(bytes);
  using unspin::extract::InputFormat;
  for (bool every_record : {false, true}) {
    ReadAll(bytes, std::nullopt, every_record);
    ReadAll(bytes, InputFormat::kWarc, every_record);
    ReadAll(bytes, InputFormat::kJsonl, every_record);
  }
  // The JSONL fast path answers only where a conforming parser reads an
  // object of two strings "id" and "text", and gives the same strings.
  const std::string line(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::optional<unspin::extract::IdAndText> fast = unspin::extract::ParseIdTextLine(line);
  const nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  const bool plain_shape = json.is_object() && json.size() == 2 && json.contains("id") &&
                           json.contains("text") && json["id"].is_string() &&
                           json["text"].is_string();
  Require(fast.has_value() == plain_shape);
  if (fast)
    Require(fast->id == json["id"].get<std::string>() &&
            fast->text == json["text"].get<std::string>());
  return 0;
}
