// unspin scan: readers feed a bounded queue, workers check, results are
// written in input order.
//
// Invariants:
// - Jobs are numbered 0, 1, 2 ... in input order (the order ExpandInputs and
//   the readers give); line `seq` is written only after lines 0..seq-1, so
//   the output is the same for any number of threads.
// - At most kJobsPerThread * threads documents are in flight (queued, being
//   checked, or waiting to be written), holding at most
//   ScanOptions::memory_bytes of content together: memory is bounded by the
//   budget, whatever the records' sizes and the number of threads.
// - The output's first line is its header (ScanHeader: the inputs and
//   settings); then it only ever grows by whole lines ('\n'-terminated): a
//   torn line can only be the last one, and LoadScanOutput removes it.
// - Only a file whose header is this scan's is ever cut; an input, or a file
//   that is not a results file, is never written to.
#include "unspin/pipeline/scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "unspin/base/json_depth.h"
#include "unspin/pipeline/check_windows.h"
#include "unspin/pipeline/extract.h"

namespace unspin::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr size_t kJobsPerThread = 4;
constexpr int kTopSpans = 5;
constexpr uint64_t kFlushEveryLines = 64;
constexpr auto kFlushEvery = std::chrono::seconds(1);
constexpr auto kProgressEvery = std::chrono::milliseconds(200);
constexpr size_t kMaxWarnings = 100;
// The results format, the header's "unspin_scan". 1: a header line naming
// the inputs and settings, then result lines (before it: result lines only).
// 2: spun probabilities for a half-spun collection with the evidence floor
// (SpunProbability), where 1 had them for one text in 13; a scan of one is
// not resumed as the other.
constexpr int kScanFormatVersion = 2;
// A first line longer than this (or twice this scan's header) is no header.
constexpr size_t kMaxHeaderBytes = size_t{16} << 20;

double Round4(double x) { return std::round(x * 1e4) / 1e4; }

void AddIdFields(const extract::Document& doc, const std::string& input,
                 nlohmann::ordered_json* line) {
  if (!doc.id_is_url) (*line)["id"] = doc.id;
  if (!doc.url.empty()) (*line)["url"] = doc.url;
  (*line)["input"] = input;
  (*line)["record"] = doc.record;
  (*line)["format"] = extract::InputFormatName(doc.format);
}

std::string Dump(const nlohmann::ordered_json& json) {
  // Ids and paths may hold invalid UTF-8; `replace` keeps dump() from throwing.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// The start of every header line, as Dump writes it.
constexpr std::string_view kHeaderStart = "{\"unspin_scan\":";

// The first line of `in` without its '\n' (*complete: it had one), or its
// first `max_bytes` bytes when it is longer (*complete false).
std::string ReadFirstLine(std::istream& in, size_t max_bytes, bool* complete) {
  std::string line;
  *complete = false;
  char c = 0;
  while (line.size() < max_bytes && in.get(c)) {
    if (c == '\n') {
      *complete = true;
      break;
    }
    line.push_back(c);
  }
  return line;
}

// A header line cut off before its '\n' (a scan killed as it began).
bool IsTornHeader(std::string_view first) { return first.starts_with(kHeaderStart); }

// A header line of any scan: a JSON object with "unspin_scan".
std::optional<nlohmann::json> ParseHeader(std::string_view line) {
  if (!line.starts_with(kHeaderStart) || !CheckJsonDepth(line).ok()) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("unspin_scan")) return std::nullopt;
  return json;
}

// What two headers disagree on, for people: "inputs, model".
std::string Differences(const nlohmann::json& found, const nlohmann::json& wanted) {
  std::vector<std::string> names;
  if (found["unspin_scan"] != wanted["unspin_scan"]) names.push_back("result format");
  if (found.value("inputs", nlohmann::json()) != wanted["inputs"]) names.push_back("inputs");
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& a = found.contains("settings") ? found["settings"] : none;
  const nlohmann::json& b = wanted["settings"];
  std::set<std::string> keys;
  if (a.is_object()) {
    for (const auto& [key, value] : a.items()) keys.insert(key);
  }
  for (const auto& [key, value] : b.items()) keys.insert(key);
  for (const std::string& key : keys) {
    if (!a.is_object() || a.value(key, nlohmann::json()) != b.value(key, nlohmann::json())) {
      names.push_back(key);
    }
  }
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "settings" : text;
}

// The output is never read as an input, and an input is never made the
// output: --out naming an input (by any spelling, a link, inside a scanned
// directory) is refused, except a results file found in a scanned directory,
// which is left out of the inputs.
Status SeparateOutputFromInputs(const std::vector<std::string>& given, const std::string& out_path,
                                std::vector<std::string>* files) {
  std::error_code error;
  if (!fs::exists(out_path, error)) return Status::Ok();
  auto refuse = [&](const std::string& input, std::string_view where) {
    return InvalidArgumentError(
        "the output " + out_path +
        (input == out_path ? " is also an input" : " is the input " + input) + std::string(where) +
        "; it is left as it is: name another output file");
  };
  for (const std::string& path : given) {
    if (!fs::is_directory(path, error) && fs::equivalent(path, out_path, error)) {
      return refuse(path, "");
    }
  }
  const bool results = IsScanResultsFile(out_path);
  for (const std::string& file : *files) {
    if (!results && fs::equivalent(file, out_path, error)) {
      return refuse(file, " (found in a scanned directory)");
    }
  }
  std::erase_if(*files,
                [&](const std::string& file) { return fs::equivalent(file, out_path, error); });
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) return NotFoundError(path + ": no such file or directory");
    if (!fs::is_directory(status)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error);
    if (error) return IOError(path + ": " + error.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (error) return IOError(path + ": " + error.message());
      if (it->is_regular_file(error)) found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::string ScanHeader(const std::vector<std::string>& inputs,
                       const std::map<std::string, std::string>& settings) {
  nlohmann::ordered_json header;
  header["unspin_scan"] = kScanFormatVersion;
  header["inputs"] = inputs;
  header["settings"] = settings;
  return Dump(header);
}

bool IsScanResultsFile(const std::string& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  std::ifstream in(path, std::ios::binary);
  bool complete = false;
  const std::string first = ReadFirstLine(in, kMaxHeaderBytes, &complete);
  return complete ? ParseHeader(first).has_value() : IsTornHeader(first);
}

Result<ScanResume> LoadScanOutput(const std::string& path, std::string_view header,
                                  bool overwrite) {
  ScanResume resume;
  std::error_code error;
  // A missing file, or a device or pipe (--out /dev/null): a new output.
  if (!fs::is_regular_file(path, error)) return resume;
  const uint64_t size = fs::file_size(path, error);
  if (error) return IOError(path + ": " + error.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError(path + ": cannot read the existing output to resume");
  bool complete = false;
  const std::string first =
      ReadFirstLine(in, std::max(kMaxHeaderBytes, 2 * header.size()), &complete);
  if (in.bad()) return IOError(path + ": cannot read the existing output to resume");
  uint64_t good_end = 0;  // the bytes to keep
  if (size == 0 || (!complete && IsTornHeader(first))) {
    good_end = 0;  // nothing yet, or a header cut off before any result
  } else if (complete && first == header) {
    resume.header_written = true;
    good_end = first.size() + 1;
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no '\n': a torn last line
      if (!CheckJsonDepth(line).ok()) break;
      nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!json.is_object()) break;
      auto input = json.find("input");
      auto record = json.find("record");
      if (input == json.end() || !input->is_string() || record == json.end() ||
          !record->is_number_unsigned()) {
        break;
      }
      resume.done.emplace(input->get<std::string>(), record->get<uint64_t>());
      good_end += line.size() + 1;
    }
    if (in.bad()) return IOError(path + ": cannot read the existing output to resume");
  } else if (std::optional<nlohmann::json> other = complete ? ParseHeader(first) : std::nullopt) {
    if (!overwrite) {
      std::optional<nlohmann::json> ours = ParseHeader(header);
      UNSPIN_CHECK(ours.has_value());
      return InvalidArgumentError(
          path + " holds the results of a scan with other " + Differences(*other, *ours) +
          "; it is left as it is: run the command that wrote it to resume, pass --overwrite to "
          "replace it, or name another output file");
    }
    resume.replaced_bytes = size;
  } else {
    return InvalidArgumentError(
        path +
        " exists and is not an unspin scan results file (its first line is not a "
        "{\"unspin_scan\": ...} header); it is left as it is: remove it or name another "
        "output file");
  }
  in.close();
  if (size > good_end) {
    if (::truncate(path.c_str(), static_cast<off_t>(good_end)) != 0) {
      return ErrnoError(path + ": cannot cut the output to its last whole result line", errno);
    }
    if (resume.replaced_bytes == 0) resume.truncated_bytes = size - good_end;
  }
  return resume;
}

namespace {

// The result line of a document that could not be checked.
std::string ErrorLine(const extract::Document& doc, const std::string& input, const Status& error) {
  nlohmann::ordered_json line;
  AddIdFields(doc, input, &line);
  line["error"] = error.ToString();
  line["source"] = nullptr;
  return Dump(line);
}

}  // namespace

std::string ScanDocument(const Checker& checker, const extract::Document& doc,
                         const std::string& input, const SourceFinder& find_source,
                         double* spun_probability, bool* source_failed) {
  nlohmann::ordered_json line;
  AddIdFields(doc, input, &line);
  *spun_probability = -1;
  if (source_failed != nullptr) *source_failed = false;
  Result<ExtractResult> page = ExtractDocument(doc);
  Result<CheckResult> check =
      page.ok() ? CheckInWindows(checker, page->body) : Result<CheckResult>(page.status());
  if (!check.ok()) return ErrorLine(doc, input, check.status());
  *spun_probability = check->spun_probability;
  line["spun_probability"] = Round4(check->spun_probability);
  line["words"] = check->words;
  std::vector<const SpunSpan*> spans;
  for (const SpunSpan& span : check->spans) spans.push_back(&span);
  std::stable_sort(spans.begin(), spans.end(),
                   [](const SpunSpan* a, const SpunSpan* b) { return a->score > b->score; });
  if (spans.size() > kTopSpans) spans.resize(kTopSpans);
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  for (const SpunSpan* span : spans) {
    nlohmann::ordered_json entry;
    entry["start"] = span->start;
    entry["end"] = span->end;
    entry["text"] = span->text;
    entry["original"] = span->original;
    entry["score"] = Round4(span->score);
    entry["restored"] = span->restored;
    top.push_back(std::move(entry));
  }
  line["top_spans"] = std::move(top);
  uint64_t debris = 0;
  for (const extract::Line& page_line : page->lines) debris += extract::IsDebris(page_line.kind);
  line["debris_lines"] = debris;
  line["source"] = nullptr;
  if (find_source) {
    Result<std::optional<std::string>> found = find_source(doc, page->body, *check);
    if (!found.ok()) {
      line["source"] = {{"error", found.status().ToString()}};
      if (source_failed != nullptr) *source_failed = true;
    } else if (const std::optional<std::string>& source = *found) {
      nlohmann::ordered_json value =
          nlohmann::ordered_json::parse(*source, nullptr, /*allow_exceptions=*/false);
      if (!value.is_discarded()) line["source"] = std::move(value);
    }
  }
  return Dump(line);
}

namespace {

struct Job {
  uint64_t seq = 0;
  extract::Document doc;
  const std::string* input = nullptr;
  uint64_t bytes = 0;  // the content's size, counted against the memory budget
  Status refused;      // not checked: its result line is this error
};

// Shared state of one Scan call.
class ScanRun {
 public:
  ScanRun(const Checker& checker, const ScanOptions& options, std::FILE* out, uint64_t total_bytes,
          ScanSummary* summary)
      : checker_(checker),
        options_(options),
        out_(out),
        total_bytes_(total_bytes),
        summary_(summary),
        start_(std::chrono::steady_clock::now()),
        last_flush_(start_),
        last_progress_(start_) {}

  // Blocks while the queue is full: `capacity` jobs, or `memory_bytes` of
  // content in flight. False when the scan is stopping.
  bool Push(Job job, size_t capacity, uint64_t memory_bytes) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] {
      return (in_flight_ < capacity && in_flight_bytes_ + job.bytes <= memory_bytes) || stop_;
    });
    if (stop_) return false;
    ++in_flight_;
    in_flight_bytes_ += job.bytes;
    queue_.push_back(std::move(job));
    not_empty_.notify_one();
    return true;
  }

  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

  void Work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        not_empty_.wait(lock, [&] { return !queue_.empty() || closed_ || stop_; });
        if (stop_ || queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      double p = -1;
      bool source_failed = false;
      const Checker* adapted = options_.checker_for ? options_.checker_for(job.doc) : nullptr;
      std::string line = job.refused.ok()
                             ? ScanDocument(adapted != nullptr ? *adapted : checker_, job.doc,
                                            *job.input, options_.find_source, &p, &source_failed)
                             : ErrorLine(job.doc, *job.input, job.refused);
      line += '\n';
      job.doc.content = std::string();  // freed now; counted in flight until its line is written
      Finish(job.seq, std::move(line), p, source_failed, extract::InputFormatName(job.doc.format),
             job.bytes);
    }
  }

  void SetBytes(uint64_t bytes) {
    bytes_.store(bytes, std::memory_order_relaxed);
    MaybeProgress(false);
  }

  // Flushes the output; the final progress report.
  Status End() {
    std::lock_guard lock(write_mutex_);
    if (write_error_.ok() && std::fflush(out_) != 0) {
      write_error_ = ErrnoError("writing the results", errno);
    }
    // fsync fails with EINVAL on pipes and devices (--out /dev/null): nothing to sync.
    if (write_error_.ok() && ::fsync(::fileno(out_)) != 0 && errno != EINVAL && errno != EROFS) {
      write_error_ = ErrnoError("syncing the results", errno);
    }
    summary_->seconds = Seconds();
    ReportProgress();
    return write_error_;
  }

  bool stopped() {
    std::lock_guard lock(mutex_);
    return stop_;
  }

 private:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  void ReportProgress() {
    if (!options_.progress) return;
    ScanProgress progress;
    progress.documents = summary_->documents;
    progress.bytes_read = bytes_.load(std::memory_order_relaxed);
    progress.total_bytes = total_bytes_;
    progress.seconds = Seconds();
    options_.progress(progress);
  }

  void MaybeProgress(bool locked) {
    if (!options_.progress) return;
    auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(write_mutex_, std::defer_lock);
    if (!locked) lock.lock();
    if (now - last_progress_ < kProgressEvery) return;
    last_progress_ = now;
    ReportProgress();
  }

  // Writes every finished line that is next in order.
  void Finish(uint64_t seq, std::string line, double p, bool source_failed, std::string_view format,
              uint64_t bytes) {
    std::lock_guard lock(write_mutex_);
    pending_.emplace(seq, Pending{std::move(line), p, source_failed, std::string(format), bytes});
    size_t written = 0;
    uint64_t written_bytes = 0;
    while (!pending_.empty() && pending_.begin()->first == next_write_) {
      Pending& next = pending_.begin()->second;
      if (write_error_.ok() &&
          std::fwrite(next.line.data(), 1, next.line.size(), out_) != next.line.size()) {
        write_error_ = ErrnoError("writing the results", errno);
      }
      ++summary_->documents;
      ++summary_->documents_by_format[next.format];
      if (next.p < 0 || next.source_failed) ++summary_->errors;
      if (next.p >= 0) {
        ++summary_->spun_histogram[std::min<size_t>(9, static_cast<size_t>(next.p * 10))];
      }
      written_bytes += next.bytes;
      pending_.erase(pending_.begin());
      ++next_write_;
      ++written;
      ++unflushed_;
    }
    auto now = std::chrono::steady_clock::now();
    if (write_error_.ok() && unflushed_ > 0 &&
        (unflushed_ >= kFlushEveryLines || now - last_flush_ >= kFlushEvery)) {
      if (std::fflush(out_) != 0) write_error_ = ErrnoError("writing the results", errno);
      unflushed_ = 0;
      last_flush_ = now;
    }
    {
      std::lock_guard queue_lock(mutex_);
      in_flight_ -= written;
      in_flight_bytes_ -= written_bytes;
      if (!write_error_.ok()) stop_ = true;
      not_full_.notify_all();
      if (stop_) not_empty_.notify_all();
    }
    MaybeProgress(true);
  }

  struct Pending {
    std::string line;
    double p;
    bool source_failed;
    std::string format;
    uint64_t bytes;  // the record's, counted in flight until its line is written
  };

  const Checker& checker_;
  const ScanOptions& options_;
  std::FILE* out_;
  uint64_t total_bytes_;
  ScanSummary* summary_;  // counters written under write_mutex_ while workers run
  std::chrono::steady_clock::time_point start_;

  std::mutex mutex_;  // queue_, in_flight_, in_flight_bytes_, closed_, stop_
  std::condition_variable not_empty_, not_full_;
  std::deque<Job> queue_;
  size_t in_flight_ = 0;
  uint64_t in_flight_bytes_ = 0;
  bool closed_ = false;
  bool stop_ = false;

  std::mutex write_mutex_;  // everything below, summary_ counters, out_
  std::map<uint64_t, Pending> pending_;
  uint64_t next_write_ = 0;
  uint64_t unflushed_ = 0;
  std::chrono::steady_clock::time_point last_flush_, last_progress_;
  Status write_error_;
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace

Result<ScanSummary> Scan(const Checker& checker, const std::vector<std::string>& inputs,
                         const std::string& out_path, const ScanOptions& options) {
  UNSPIN_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandInputs(inputs));
  UNSPIN_RETURN_IF_ERROR(SeparateOutputFromInputs(inputs, out_path, &files));
  ScanSummary summary;
  summary.inputs = files.size();
  uint64_t total_bytes = 0;
  for (const std::string& file : files) {
    std::error_code error;
    uint64_t size = fs::file_size(file, error);
    if (!error) total_bytes += size;
  }
  const std::string header = ScanHeader(inputs, options.settings);
  UNSPIN_ASSIGN_OR_RETURN(ScanResume resume, LoadScanOutput(out_path, header, options.overwrite));
  summary.truncated_bytes = resume.truncated_bytes;
  summary.replaced_bytes = resume.replaced_bytes;
  const std::set<ScanKey>& done = resume.done;
  std::FILE* out = std::fopen(out_path.c_str(), "ab");
  if (out == nullptr) return ErrnoError(out_path, errno);
  if (!resume.header_written) {
    const std::string line = header + '\n';
    if (std::fwrite(line.data(), 1, line.size(), out) != line.size() || std::fflush(out) != 0) {
      const int error = errno;
      std::fclose(out);
      return ErrnoError(out_path + ": writing the header line", error);
    }
  }

  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(threads, 1);
  size_t capacity = kJobsPerThread * static_cast<size_t>(threads);
  ScanRun run(checker, options, out, total_bytes, &summary);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) workers.emplace_back([&run] { run.Work(); });

  // The reader side: this thread. Summary fields below are only written here.
  extract::ReaderOptions reader_options;
  reader_options.max_record_bytes = options.max_record_bytes;
  reader_options.format = options.format;
  uint64_t seq = 0;
  uint64_t bytes_before = 0;
  auto record_error = [&](const std::string& file, const Status& status) {
    summary.input_errors.push_back(file + ": " + status.ToString());
    if (summary.first_input_error.ok()) summary.first_input_error = status;
  };
  for (const std::string& file : files) {
    if (run.stopped()) break;
    Result<std::unique_ptr<extract::RecordReader>> reader =
        extract::RecordReader::Open(file, reader_options);
    if (!reader.ok()) {
      record_error(file, reader.status());
      continue;
    }
    extract::RecordReader& records = **reader;
    ++summary.inputs_by_format[std::string(extract::InputFormatName(records.format()))];
    for (;;) {
      Job job;
      Result<bool> more = records.Next(&job.doc);
      run.SetBytes(bytes_before + records.bytes_read());
      if (!more.ok()) {
        record_error(file, more.status());
        break;
      }
      if (!*more) break;
      if (done.count({file, job.doc.record}) != 0) {
        ++summary.resumed;
        continue;
      }
      job.seq = seq++;
      job.input = &file;
      job.bytes = job.doc.content.size();
      if (job.bytes > options.memory_bytes) {
        job.refused = ResourceExhaustedError(
            "the record is " + std::to_string(job.bytes) + " bytes, over the memory budget of " +
            std::to_string(options.memory_bytes) + " bytes (--memory); not checked");
        job.doc.content = std::string();
        job.bytes = 0;
      }
      if (!run.Push(std::move(job), capacity, options.memory_bytes)) break;
    }
    const extract::ReaderStats& stats = records.stats();
    for (size_t i = 0; i < extract::kSkipReasonCount; ++i) summary.skipped[i] += stats.skipped[i];
    summary.unknown_charset += stats.unknown_charset;
    summary.repaired_utf8 += stats.repaired_utf8;
    summary.resyncs += stats.resyncs;
    for (const std::string& warning : stats.warnings) {
      if (summary.warnings.size() < kMaxWarnings) summary.warnings.push_back(file + ": " + warning);
    }
    bytes_before += records.total_bytes();
    summary.bytes = bytes_before;
  }
  run.Close();
  for (std::thread& worker : workers) worker.join();
  Status status = run.End();
  std::fclose(out);
  if (!status.ok()) return status.WithContext(out_path);
  return summary;
}

std::string ScanSummaryToJson(const ScanSummary& summary) {
  nlohmann::ordered_json json;
  json["inputs"] = summary.inputs;
  json["documents"] = summary.documents;
  json["resumed"] = summary.resumed;
  json["errors"] = summary.errors;
  json["bytes"] = summary.bytes;
  json["seconds"] = std::round(summary.seconds * 1000) / 1000;
  json["inputs_by_format"] = summary.inputs_by_format;
  json["documents_by_format"] = summary.documents_by_format;
  nlohmann::ordered_json skipped = nlohmann::ordered_json::object();
  for (size_t i = 0; i < extract::kSkipReasonCount; ++i) {
    skipped[std::string(extract::SkipReasonName(static_cast<extract::SkipReason>(i)))] =
        summary.skipped[i];
  }
  json["skipped"] = std::move(skipped);
  json["unknown_charset"] = summary.unknown_charset;
  json["repaired_utf8"] = summary.repaired_utf8;
  json["resyncs"] = summary.resyncs;
  json["truncated_output_bytes"] = summary.truncated_bytes;
  json["replaced_output_bytes"] = summary.replaced_bytes;
  json["spun_histogram"] = summary.spun_histogram;
  json["input_errors"] = summary.input_errors;
  return Dump(json);
}

}  // namespace unspin::pipeline
