"""Scans of a crawl, and its source index, spread over a Dask cluster.

    python3 -m unspin.dask scan SHARDS... --out DIR [--index DIR] [--scheduler ADDRESS]
    python3 -m unspin.dask index INPUTS... --out DIR --shards N [--scheduler ADDRESS]

scan: one task per shard (a WARC, JSONL or text file, or a directory of them);
each writes DIR/<shard name>-<hash of its path>.jsonl in `unspin scan`'s
results format (a header line naming the shard, then one line per document,
the same lines `unspin scan` writes for it). A task scans into a hidden
.partial file (resumed if an attempt was killed: pipeline::Scan's resume) and
renames it when done, so a results file is always complete, and a rerun of
the same command skips finished shards. A worker that dies mid-task loses
nothing: Dask runs the task again elsewhere and it resumes. Each worker
process opens the model and index once (memory-mapped, shared by the page
cache) and reuses them for every task.

index: the inputs ({"id", "text"} JSONL files) are dealt to N shards by size,
and the shards are built in parallel into DIR/shard-NNNN; unspin.Index.open(DIR)
and `scan --index DIR` query them as one index.

Without --scheduler a LocalCluster starts (--workers processes, one thread
each). Progress shows on Dask's dashboard (tasks "unspin-scan" and
"unspin-index", when the dashboard's bokeh is installed) and as a bar on the
terminal. docs/python.md has the measurements and a plan for a 100M-page crawl.
"""

import argparse
import fcntl
import functools
import hashlib
import importlib.util
import json
import os
import sys
import time

import unspin
from unspin import _paths

EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_BAD_MODEL, EXIT_IO, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70


def result_name(shard: str) -> str:
    """The results file of a shard: its name and a hash of its path as given
    (two shards of one name in different directories stay apart)."""
    name = os.path.basename(os.path.normpath(shard))
    digest = hashlib.sha1(shard.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{name}-{digest}.jsonl"


@functools.lru_cache(maxsize=4)
def _model(path: str) -> unspin.Model:
    return unspin.Model.open(path)


@functools.lru_cache(maxsize=4)
def _index(path: str, model_path: str) -> unspin.Index:
    return unspin.Index.open(path, _model(model_path))


def _sync_directory(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def scan_shard(shard: str, out_dir: str, model_path: str, index_path: str | None,
               threads: int) -> dict:
    """The task: scans one shard into out_dir, atomically; returns the scan's
    summary with "shard", "results" and "skipped" (already done)."""
    results = os.path.join(out_dir, result_name(shard))
    partial = os.path.join(out_dir, "." + result_name(shard) + ".partial")
    if os.path.exists(results):
        return {"shard": shard, "results": results, "skipped": True}
    # An attempt Dask took for lost while it still runs would write the same
    # partial file: the lock makes the second wait, then find it done.
    with open(partial, "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(results):
            return {"shard": shard, "results": results, "skipped": True}
        index = _index(index_path, model_path) if index_path else None
        summary = unspin.scan([shard], partial, model=_model(model_path), index=index,
                              threads=threads, overwrite=True)
        os.replace(partial, results)
    _sync_directory(out_dir)
    summary.update({"shard": shard, "results": results, "skipped": False})
    return summary


def _read_documents(paths: list[str]):
    """(id, text) of every line of {"id", "text"} JSONL files; a line that is
    not one raises ValueError naming the file and line."""
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    document = json.loads(line)
                    yield document["id"], document["text"]
                except (ValueError, KeyError, TypeError) as error:
                    raise ValueError(f"{path}:{number}: not an {{\"id\", \"text\"}} line "
                                     f"({error})") from None


def build_shard(inputs: list[str], shard_dir: str, model_path: str) -> dict:
    """The task: builds one index shard from JSONL files (atomically: the
    shard's MANIFEST appears when it is complete)."""
    start = time.monotonic()
    index = unspin.Index.build(_read_documents(inputs), shard_dir, _model(model_path))
    return {"shard": shard_dir, "documents": index.document_count,
            "seconds": time.monotonic() - start}


def deal_by_size(inputs: list[str], shards: int) -> list[list[str]]:
    """Inputs to shards, largest first to the lightest shard."""
    loads = [[0, k, []] for k in range(shards)]
    for path in sorted(inputs, key=lambda p: (-os.path.getsize(p), p)):
        lightest = min(loads)
        lightest[0] += os.path.getsize(path)
        lightest[2].append(path)
    return [sorted(paths) for _, _, paths in sorted(loads, key=lambda load: load[1])]


def _client(args):
    from distributed import Client, LocalCluster
    if args.scheduler:
        return Client(args.scheduler), None
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           dashboard_address=args.dashboard)
    return Client(cluster), cluster


def _dashboard(client, cluster) -> str:
    """Where the dashboard is, or that there is none: a LocalCluster's needs
    bokeh (Debian 12 has no package of it), without which its address serves
    only a page asking for it. A remote scheduler's is taken as it says."""
    if cluster is not None and importlib.util.find_spec("bokeh") is None:
        return "no dashboard (Dask's needs bokeh, which is not installed)"
    return f"dashboard {client.dashboard_link}"


def _run(args, submit) -> tuple[list, list]:
    """Starts the cluster, submits the tasks (submit(client) -> futures),
    shows progress, and returns (results, failures as (key, exception))."""
    from distributed import progress, wait
    client, cluster = _client(args)
    try:
        print(f"unspin.dask: scheduler {client.scheduler.address}, {_dashboard(client, cluster)}",
              file=sys.stderr)
        futures = submit(client)
        if futures:
            if sys.stdout.isatty():  # Dask's text bar draws on standard output
                progress(futures)
                print()
            wait(futures)
        results, failures = [], []
        for future in futures:
            if future.status == "finished":
                results.append(future.result())
            else:
                failures.append((future.key, future.exception()))
        return results, failures
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _exit_code(error: BaseException) -> int:
    if isinstance(error, unspin.FormatError):
        return EXIT_BAD_MODEL
    if isinstance(error, (FileNotFoundError, OSError)):
        return EXIT_IO
    if isinstance(error, ValueError):
        return EXIT_BAD_INPUT
    return EXIT_INTERNAL


def _report_failures(failures) -> int:
    code = EXIT_OK
    for key, error in failures:
        print(f"unspin.dask: {key} failed: {error}", file=sys.stderr)
        code = code or _exit_code(error)
    return code


def run_scan(args) -> int:
    for shard in args.shards:
        if not os.path.exists(shard):
            print(f"unspin.dask: not found: {shard}", file=sys.stderr)
            return EXIT_IO
    if len(set(map(result_name, args.shards))) != len(args.shards):
        print("unspin.dask: a shard is named twice", file=sys.stderr)
        return EXIT_USAGE
    os.makedirs(args.out, exist_ok=True)
    todo = [s for s in args.shards if not os.path.exists(os.path.join(args.out, result_name(s)))]
    print(f"unspin.dask: {len(args.shards)} shards, {len(args.shards) - len(todo)} already "
          f"scanned, {len(todo)} to scan", file=sys.stderr)
    model_path = os.path.abspath(args.model or _paths.default_model_path())
    index_path = os.path.abspath(args.index) if args.index else None
    run = time.time_ns()  # keys of this run, apart from a shared scheduler's older ones

    def submit(client):
        return [client.submit(scan_shard, shard, os.path.abspath(args.out), model_path,
                              index_path, args.threads_per_task,
                              key=f"unspin-scan-{result_name(shard)}-{run}")
                for shard in todo]

    start = time.monotonic()
    results, failures = _run(args, submit)
    documents = sum(r.get("documents", 0) for r in results)
    errors = sum(r.get("errors", 0) for r in results)
    seconds = time.monotonic() - start
    print(f"unspin.dask: scanned {len(results)} shards, {documents} documents in {seconds:.1f} s "
          f"({documents / max(seconds, 1e-3):.1f} docs/s); {errors} errors, "
          f"{len(failures)} failed shards; results in {args.out}", file=sys.stderr)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as out:
            json.dump({"shards": len(args.shards), "scanned": len(results),
                       "failed": len(failures), "documents": documents, "errors": errors,
                       "seconds": seconds, "tasks": results}, out)
            out.write("\n")
    code = _report_failures(failures)
    for result in results:
        for error in result.get("input_errors", []):
            print(f"unspin.dask: {error}", file=sys.stderr)
            code = code or EXIT_BAD_INPUT
    return code


def run_index(args) -> int:
    for path in args.inputs:
        if not os.path.isfile(path):
            print(f"unspin.dask: not a file: {path}", file=sys.stderr)
            return EXIT_IO
    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.abspath(args.model or _paths.default_model_path())
    plan = deal_by_size(args.inputs, min(args.shard_count, len(args.inputs)))

    def submit(client):
        return [client.submit(build_shard, inputs,
                              os.path.join(os.path.abspath(args.out), f"shard-{k:04d}"),
                              model_path, key=f"unspin-index-{k:04d}-{time.time_ns()}")
                for k, inputs in enumerate(plan)]

    start = time.monotonic()
    results, failures = _run(args, submit)
    documents = sum(r["documents"] for r in results)
    print(f"unspin.dask: indexed {documents} documents into {len(results)} shards in "
          f"{time.monotonic() - start:.1f} s (slowest shard "
          f"{max((r['seconds'] for r in results), default=0):.1f} s) in {args.out}",
          file=sys.stderr)
    return _report_failures(failures)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m unspin.dask",
                                     description=__doc__.split("\n\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)

    def cluster_options(verb):
        verb.add_argument("--scheduler", help="address of a running Dask scheduler "
                          "(default: start a LocalCluster)")
        verb.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                          help="LocalCluster worker processes (default: one per core)")
        verb.add_argument("--dashboard", default=":8787",
                          help="LocalCluster dashboard address (default :8787)")
        verb.add_argument("--model", help="model file (default: as Model.open() finds it)")

    scan = verbs.add_parser("scan", help="check every document of many shards, one task each")
    scan.add_argument("shards", nargs="+", help="WARC, JSONL or text files, or directories")
    scan.add_argument("--out", required=True, help="directory of per-shard results files")
    scan.add_argument("--index", help="source index directory (or a directory of shards)")
    scan.add_argument("--summary", help="also write the run's summary as JSON to this file: "
                      "totals and each task's `unspin scan` summary")
    scan.add_argument("--threads-per-task", type=int, default=1,
                      help="scan threads inside each task (default 1: Dask runs one task "
                      "per worker thread)")
    cluster_options(scan)
    index = verbs.add_parser("index", help="build a sharded source index in parallel")
    index.add_argument("inputs", nargs="+", help='JSONL files of {"id", "text"} lines')
    index.add_argument("--out", required=True, help="directory of the shards")
    index.add_argument("--shards", dest="shard_count", type=int, required=True,
                       help="number of shards")
    cluster_options(index)
    args = parser.parse_args(argv)
    if args.workers < 1 or getattr(args, "threads_per_task", 1) < 1 or \
            getattr(args, "shard_count", 1) < 1:
        parser.error("--workers, --threads-per-task and --shards take 1 or more")
    return run_scan(args) if args.verb == "scan" else run_index(args)


if __name__ == "__main__":
    # As `python3 -m unspin.dask` this file is __main__: the tasks must be
    # unspin.dask's functions, which workers import (and whose per-process
    # model cache they keep), not copies of __main__'s.
    from unspin.dask import main as unspin_dask_main
    sys.exit(unspin_dask_main())
