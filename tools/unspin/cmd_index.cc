// unspin index build|add|info: the on-disk source index `unspin find` searches.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
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
};

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
  // batches on all threads, then added in input order.
  std::vector<RawDocument> batch;
  uint64_t batch_bytes = 0;
  // The previous batch, prepared: it is added (in order, on this thread) while
  // the workers prepare the next one.
  std::vector<RawDocument> ready_raw;
  std::vector<Result<source::PreparedDocument>> ready;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  auto add_ready = [&]() -> Status {
    for (size_t i = 0; i < ready.size(); ++i) {
      Status added =
          ready[i].ok() ? (*writer)->AddPrepared(std::move(*ready[i])) : ready[i].status();
      if (added.code() == StatusCode::kIOError) return added;
      if (added.ok()) {
        ++counts.documents;
      } else {
        ReportSkipped(ready_raw[i].path, ready_raw[i].line, added.message(), &counts);
      }
    }
    ready.clear();
    ready_raw.clear();
    progress.Update((*writer)->added());
    return Status::Ok();
  };
  auto add_batch = [&]() -> Status {
    std::vector<Result<source::PreparedDocument>> prepared(batch.size(),
                                                           InternalError("not prepared"));
    auto prepare = [&](size_t first, size_t stride) {
      for (size_t i = first; i < batch.size(); i += stride) {
        // The path and line stay in the batch for error reports.
        Result<source::IndexDocument> document = ParseDocument(
            {batch[i].path, std::move(batch[i].bytes), batch[i].line, batch[i].jsonl});
        prepared[i] =
            document.ok()
                ? Result<source::PreparedDocument>((*writer)->Prepare(std::move(*document)))
                : Result<source::PreparedDocument>(document.status());
      }
    };
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads && t < batch.size(); ++t) {
      workers.emplace_back(prepare, t, threads);
    }
    Status added = add_ready();
    for (std::thread& worker : workers) worker.join();
    UNSPIN_RETURN_IF_ERROR(added);
    ready = std::move(prepared);
    ready_raw = std::move(batch);
    batch.clear();
    batch_bytes = 0;
    return Status::Ok();
  };
  constexpr uint64_t kBatchBytes = uint64_t{16} << 20;
  constexpr size_t kBatchDocuments = 1024;
  for (const std::string& input : flags.inputs) {
    Status write_error = Status::Ok();
    Status status = ReadRawDocuments(
        input,
        [&](RawDocument raw) {
          batch_bytes += raw.bytes.size();
          batch.push_back(std::move(raw));
          if (write_error.ok() && (batch.size() >= kBatchDocuments || batch_bytes >= kBatchBytes)) {
            write_error = add_batch();
          }
        },
        &counts);
    if (write_error.ok()) write_error = add_batch();
    if (write_error.ok()) write_error = add_ready();
    if (!write_error.ok()) return Fail(write_error, Origin::kModel);
    if (!status.ok()) return Fail(status, Origin::kInput);
  }
  Status committed = (*writer)->Commit();
  progress.Finish();
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
  std::printf("%s: OK, %llu documents, every checksum matches\n", flags.dir.c_str(),
              static_cast<unsigned long long>(loaded.index->document_count()));
  std::fflush(stdout);
  return std::ferror(stdout) ? kExitIO : kExitOk;
}

int RunInfo(const IndexFlags& flags) {
  LoadedIndex loaded;
  if (int code = LoadIndex(flags.model, flags.dir, &loaded); code != kExitOk) return code;
  const source::IndexInfo info = loaded.index->Info();
  const double per_document = info.documents > 0 ? 1.0 / static_cast<double>(info.documents) : 0.0;
  if (flags.json) {
    std::printf(
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
    std::printf("index      %s\n", flags.dir.c_str());
    std::printf("documents  %llu in %llu segment(s)\n",
                static_cast<unsigned long long>(info.documents),
                static_cast<unsigned long long>(info.segments));
    std::printf("shingles   %llu sampled (1 in %u), %.1f per document\n",
                static_cast<unsigned long long>(info.postings), info.sample_modulus,
                static_cast<double>(info.postings) * per_document);
    std::printf("signature  %llu bytes, %.0f per document\n",
                static_cast<unsigned long long>(info.signature_bytes),
                static_cast<double>(info.signature_bytes) * per_document);
    std::printf("classes    %llu bytes, %.0f per document\n",
                static_cast<unsigned long long>(info.class_bytes),
                static_cast<double>(info.class_bytes) * per_document);
    std::printf("texts      %llu bytes, %.0f per document\n",
                static_cast<unsigned long long>(info.text_bytes),
                static_cast<double>(info.text_bytes) * per_document);
    std::printf("on disk    %llu bytes\n", static_cast<unsigned long long>(info.file_bytes));
  }
  std::fflush(stdout);
  return std::ferror(stdout) ? kExitIO : kExitOk;
}

void AddWriteOptions(CLI::App* command, const std::shared_ptr<IndexFlags>& flags) {
  command
      ->add_option("inputs", flags->inputs,
                   "JSONL files ({\"id\", \"text\", ...} per line) or plain text files "
                   "(id = path); - for standard input")
      ->required();
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
