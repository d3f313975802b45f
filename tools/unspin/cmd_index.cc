// unspin index build|add|info: the on-disk source index `unspin find` searches.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "cli.h"
#include "documents.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::cli {
namespace {

struct IndexFlags {
  std::string dir;
  std::vector<std::string> inputs;
  std::string model;
  uint64_t memory_mb = 512;
  uint32_t sample = source::kDefaultSampleModulus;
  bool json = false;
  bool allow_empty = false;  // build: zero documents may replace an existing index
  std::string format = "auto";
};

// Records read but not yet added, and what preparing them gave.
struct Batch {
  std::vector<Record> records;  // their locations stay here for error reports
  std::vector<Result<source::PreparedDocument>> prepared;
  std::atomic<size_t> next{0};  // the next document a worker takes
};

// Worker threads that prepare one batch at a time, alive for the whole build:
// the word classes are memoised per thread, and a new thread starts cold.
class BatchPreparer {
 public:
  BatchPreparer(const source::IndexWriter& writer, unsigned threads) : writer_(writer) {
    for (unsigned t = 0; t < threads; ++t) threads_.emplace_back([this] { Work(); });
  }
  ~BatchPreparer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  // The workers begin on `batch` (the previous one must be done: Wait).
  void Start(Batch* batch) {
    batch->prepared.assign(batch->records.size(), InternalError("not prepared"));
    {
      std::lock_guard lock(mutex_);
      batch_ = batch;
      ++generation_;
      busy_ = static_cast<unsigned>(threads_.size());
    }
    wake_.notify_all();
  }

  // Until the batch last started is prepared.
  void Wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return busy_ == 0; });
  }

 private:
  void Work() {
    uint64_t seen = 0;
    for (;;) {
      Batch* batch = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        batch = batch_;
      }
      // Documents are taken one at a time: their lengths vary a hundredfold.
      size_t i = 0;
      while ((i = batch->next.fetch_add(1)) < batch->records.size()) {
        batch->prepared[i] = Prepare(&batch->records[i].doc);
      }
      {
        std::lock_guard lock(mutex_);
        if (--busy_ == 0) done_.notify_all();
      }
    }
  }

  Result<source::PreparedDocument> Prepare(extract::Document* doc) const {
    UNSPIN_ASSIGN_OR_RETURN(source::IndexDocument document, ToIndexDocument(doc));
    return writer_.Prepare(std::move(document));
  }

  const source::IndexWriter& writer_;
  std::mutex mutex_;  // everything below
  std::condition_variable wake_, done_;
  Batch* batch_ = nullptr;
  uint64_t generation_ = 0;
  unsigned busy_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Refuses to replace an index in `dir` with an empty one: zero documents read
// is more likely a wrong or empty input than a wish to empty the index.
// kExitOk when there is no index there (or --allow-empty), else the code to
// exit with, the reason printed.
int RefuseEmptyReplacement(const IndexFlags& flags, const source::WordClasses& classes) {
  if (flags.allow_empty) return kExitOk;
  Result<std::unique_ptr<source::Index>> existing =
      source::Index::Open(flags.dir, classes.fingerprint());
  if (!existing.ok() && existing.status().code() == StatusCode::kNotFound) return kExitOk;
  const std::string kept =
      existing.ok() ? " (" + std::to_string((*existing)->document_count()) + " documents)" : "";
  std::fprintf(stderr,
               "unspin: no document was read, so the index in %s%s is kept; "
               "--allow-empty replaces it with an empty index\n",
               flags.dir.c_str(), kept.c_str());
  return kExitBadInput;
}

int RunWrite(const IndexFlags& flags, source::WriterOptions::Mode mode) {
  int exit_code = kExitOk;
  std::unique_ptr<model::Model> model = LoadModel(flags.model, &exit_code);
  if (!model) return exit_code;
  const source::WordClasses classes(*model);
  source::WriterOptions options;
  options.mode = mode;
  options.memory_budget = flags.memory_mb << 20;
  options.sample_modulus = flags.sample;
  Result<std::unique_ptr<source::IndexWriter>> writer =
      source::IndexWriter::Create(flags.dir, classes, options);
  if (!writer.ok()) return Fail(writer.status(), Origin::kModel);
  ProgressLine progress("indexed");
  ReadCounts counts;
  // Documents are parsed and prepared (tokenised, classified, shingled) in
  // batches on all threads, then added in input order. While the workers
  // prepare one batch, this thread adds the previous one and reads the next.
  auto batch = std::make_unique<Batch>();
  uint64_t batch_bytes = 0;
  std::unique_ptr<Batch> in_flight;
  // Adds a prepared batch's documents in order.
  auto add = [&](std::unique_ptr<Batch> ready) -> Status {
    if (ready == nullptr) return Status::Ok();
    for (size_t i = 0; i < ready->prepared.size(); ++i) {
      Status added = ready->prepared[i].ok()
                         ? (*writer)->AddPrepared(std::move(*ready->prepared[i]))
                         : ready->prepared[i].status();
      if (added.code() == StatusCode::kIOError) return added;
      if (added.ok()) {
        ++counts.documents;
      } else {
        static_cast<void>(ReportSkipped(ready->records[i], added, &counts));
      }
    }
    progress.Update((*writer)->added());
    return Status::Ok();
  };
  // Declared after the batches: destroyed (its threads joined) before them.
  BatchPreparer preparer(**writer, std::max(1u, std::thread::hardware_concurrency()));
  // Sets the workers on the batch read so far, and adds the one before it.
  auto start_batch = [&]() -> Status {
    preparer.Wait();
    std::unique_ptr<Batch> previous = std::move(in_flight);
    in_flight = std::move(batch);
    batch = std::make_unique<Batch>();
    batch_bytes = 0;
    preparer.Start(in_flight.get());
    return add(std::move(previous));
  };
  constexpr uint64_t kBatchBytes = uint64_t{16} << 20;
  constexpr size_t kBatchDocuments = 1024;
  for (const std::string& input : flags.inputs) {
    Status write_error = Status::Ok();
    Status status = ForEachRecord(
        input, flags.format,
        [&](Record& record) -> Status {
          batch_bytes += record.doc.content.size();
          batch->records.push_back(std::move(record));
          if (batch->records.size() >= kBatchDocuments || batch_bytes >= kBatchBytes) {
            write_error = start_batch();
          }
          return write_error;
        },
        &counts);
    if (write_error.ok()) write_error = start_batch();
    if (write_error.ok()) {
      preparer.Wait();
      write_error = add(std::move(in_flight));
    }
    if (!write_error.ok()) return Fail(write_error, Origin::kModel);
    if (!status.ok()) return Fail(status, Origin::kInput);
    progress.Update((*writer)->added());
  }
  progress.Finish();
  if (mode == source::WriterOptions::Mode::kReplace && (*writer)->added() == 0) {
    if (int code = RefuseEmptyReplacement(flags, classes); code != kExitOk) return code;
  }
  Status committed = (*writer)->Commit();
  if (!committed.ok()) return Fail(committed, Origin::kModel);
  std::fprintf(stderr, "unspin: indexed %llu documents in %.2f s into %s",
               static_cast<unsigned long long>(counts.documents), progress.Seconds(),
               flags.dir.c_str());
  if (counts.rejected > 0) {
    std::fprintf(stderr, "; %llu skipped (reported above)",
                 static_cast<unsigned long long>(counts.rejected));
  }
  std::fprintf(stderr, "\n");
  return counts.rejected > 0 ? kExitBadInput : kExitOk;
}

int RunVerify(const IndexFlags& flags) {
  LoadedIndex loaded;
  if (int code = LoadIndex(flags.model, flags.dir, &loaded); code != kExitOk) return code;
  if (Status status = loaded.index->Verify(); !status.ok()) return Fail(status, Origin::kModel);
  CheckedOutput& out = StandardOutput();
  out.Printf("%s: OK, %llu documents, every checksum matches\n", flags.dir.c_str(),
             static_cast<unsigned long long>(loaded.index->document_count()));
  return kExitOk;
}

int RunInfo(const IndexFlags& flags) {
  LoadedIndex loaded;
  if (int code = LoadIndex(flags.model, flags.dir, &loaded); code != kExitOk) return code;
  const source::IndexInfo info = loaded.index->Info();
  CheckedOutput& out = StandardOutput();
  const double per_document = info.documents > 0 ? 1.0 / static_cast<double>(info.documents) : 0.0;
  if (flags.json) {
    out.Printf(
        "{\"documents\": %llu, \"segments\": %llu, \"postings\": %llu, \"sample_modulus\": %u, "
        "\"signature_bytes\": %llu, \"class_bytes\": %llu, \"text_bytes\": %llu, \"file_bytes\": "
        "%llu}\n",
        static_cast<unsigned long long>(info.documents),
        static_cast<unsigned long long>(info.segments),
        static_cast<unsigned long long>(info.postings), info.sample_modulus,
        static_cast<unsigned long long>(info.signature_bytes),
        static_cast<unsigned long long>(info.class_bytes),
        static_cast<unsigned long long>(info.text_bytes),
        static_cast<unsigned long long>(info.file_bytes));
  } else {
    out.Printf("index      %s\n", flags.dir.c_str());
    out.Printf("documents  %llu in %llu segment(s)\n",
               static_cast<unsigned long long>(info.documents),
               static_cast<unsigned long long>(info.segments));
    out.Printf("shingles   %llu sampled (1 in %u), %.1f per document\n",
               static_cast<unsigned long long>(info.postings), info.sample_modulus,
               static_cast<double>(info.postings) * per_document);
    out.Printf("signature  %llu bytes, %.0f per document\n",
               static_cast<unsigned long long>(info.signature_bytes),
               static_cast<double>(info.signature_bytes) * per_document);
    out.Printf("classes    %llu bytes, %.0f per document\n",
               static_cast<unsigned long long>(info.class_bytes),
               static_cast<double>(info.class_bytes) * per_document);
    out.Printf("texts      %llu bytes, %.0f per document\n",
               static_cast<unsigned long long>(info.text_bytes),
               static_cast<double>(info.text_bytes) * per_document);
    out.Printf("on disk    %llu bytes\n", static_cast<unsigned long long>(info.file_bytes));
  }
  return kExitOk;
}

void AddWriteOptions(CLI::App* command, const std::shared_ptr<IndexFlags>& flags) {
  command
      ->add_option("inputs", flags->inputs,
                   "JSONL files ({\"id\"|\"url\", \"text\"|\"html\", ...} per line), WARC, "
                   "text or HTML files (id = path); - for standard input")
      ->required();
  AddInputFormatOption(command, &flags->format);
  command->add_option("--model", flags->model,
                      "model file (default: $UNSPIN_MODEL or the built one)");
  command
      ->add_option("--memory", flags->memory_mb,
                   "MB of pending text before a segment is written (bounds memory)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  command
      ->add_option("--sample", flags->sample,
                   "keep 1 in N shingles (smaller index, fewer clues for short excerpts); "
                   "index add keeps the index's own value")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
}

}  // namespace

void RegisterIndex(CLI::App& app, Action* action) {
  CLI::App* index =
      app.add_subcommand("index", "Build and inspect the source index `find` searches");
  index->require_subcommand(1);

  auto build_flags = std::make_shared<IndexFlags>();
  CLI::App* build = index->add_subcommand(
      "build", "Index documents into DIR, replacing any index there (atomically, when done)");
  build->add_option("--out", build_flags->dir, "index directory")->required();
  build->add_flag("--allow-empty", build_flags->allow_empty,
                  "publish an index of zero documents over an existing index (refused otherwise)");
  AddWriteOptions(build, build_flags);
  build->callback([build_flags, action] {
    *action = [build_flags] {
      return RunWrite(*build_flags, source::WriterOptions::Mode::kReplace);
    };
  });

  auto add_flags = std::make_shared<IndexFlags>();
  CLI::App* add =
      index->add_subcommand("add", "Add documents to the index in DIR (created if absent)");
  add->add_option("--index", add_flags->dir, "index directory")->required();
  AddWriteOptions(add, add_flags);
  add->callback([add_flags, action] {
    *action = [add_flags] { return RunWrite(*add_flags, source::WriterOptions::Mode::kAppend); };
  });

  auto info_flags = std::make_shared<IndexFlags>();
  CLI::App* info = index->add_subcommand("info", "Print the counts and sizes of an index");
  info->add_option("dir", info_flags->dir, "index directory")->required();
  info->add_option("--model", info_flags->model, "model file the index was built with");
  info->add_flag("--json", info_flags->json, "print one JSON object");
  info->callback([info_flags, action] { *action = [info_flags] { return RunInfo(*info_flags); }; });

  auto verify_flags = std::make_shared<IndexFlags>();
  CLI::App* verify = index->add_subcommand(
      "verify", "Read the whole index and check every checksum (find checks only what it reads)");
  verify->add_option("dir", verify_flags->dir, "index directory")->required();
  verify->add_option("--model", verify_flags->model, "model file the index was built with");
  verify->callback(
      [verify_flags, action] { *action = [verify_flags] { return RunVerify(*verify_flags); }; });
}

}  // namespace unspin::cli
