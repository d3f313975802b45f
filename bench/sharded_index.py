#!/usr/bin/python3
"""Issue #21: a source index built as shards in parallel and queried as one,
against one index of the same archive.

The archive and spun queries are bench/make_find_sets.py's (11.5k Reuters
stories and presidential speeches from ../shared/corpora; whole documents
spun at 25-30% of their words; it also makes 10 excerpt and 10 unrelated
queries, which it needs, and which are not used here). The archive's JSONL is cut into 8 files;
then:
  one index:  `unspin index build` over all of them (every core);
  sharded:    `python3 -m unspin.dask index --shards SHARDS --workers 2`
              (a LocalCluster; one task per shard, unspin.Index.build);
and every query is looked up in both (unspin.Index.find, k=1): recall@1
against the truth, whether both name the same document with the same score,
and the latency per query (p50, p95).

usage: bench/sharded_index.py [BUILD_DIR] [SHARDS] [QUERIES]
       (defaults: build/release, 4, 300; needs scripts/build release)
"""
import json
import os
import statistics
import subprocess
import sys
import time

from python_bench_args import ROOT as root, parse

build, shards, queries_wanted = parse(4, 300)
import unspin  # noqa: E402

unspin_bin = os.path.join(build, "tools", "unspin")
work = os.path.join(build, "bench-sharded-index")
subprocess.run(["rm", "-rf", work], check=True)
os.makedirs(os.path.join(work, "parts"))
subprocess.run([sys.executable, os.path.join(root, "bench", "make_find_sets.py"), "--unspin",
                unspin_bin, "--out", work, "--spun", str(queries_wanted), "--excerpts", "10",
                "--unrelated", "10"], check=True, capture_output=True)
lines = open(os.path.join(work, "docs.jsonl"), encoding="utf-8").read().splitlines()
parts = [os.path.join(work, "parts", f"part-{k}.jsonl") for k in range(8)]
for k, path in enumerate(parts):
    with open(path, "w", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines[k::8]))

start = time.monotonic()
subprocess.run([unspin_bin, "index", "build", "--out", os.path.join(work, "whole"), *parts],
               check=True, capture_output=True)
whole_seconds = time.monotonic() - start
env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))
start = time.monotonic()
subprocess.run([sys.executable, "-m", "unspin.dask", "index", *parts, "--out",
                os.path.join(work, "sharded"), "--shards", str(shards), "--workers", "2",
                "--dashboard", ":0"], check=True, capture_output=True, env=env)
sharded_seconds = time.monotonic() - start

model = unspin.Model.open()
whole = unspin.Index.open(os.path.join(work, "whole"), model)
sharded = unspin.Index.open(os.path.join(work, "sharded"), model)
truth = dict(line.split("\t")[:2] for line in open(os.path.join(work, "queries-spun.truth.tsv"))
             if not line.startswith("query"))
queries = [json.loads(line) for line in open(os.path.join(work, "queries-spun.jsonl"))]


def lookup(index):
    latencies, best = [], []
    for query in queries:
        start = time.perf_counter()
        matches = index.find(query["text"], k=1)
        latencies.append(time.perf_counter() - start)
        best.append((matches[0]["id"], matches[0]["score"]) if matches else (None, 0))
    return latencies, best


lookup(whole), lookup(sharded)  # page cache warm for both
whole_latency, whole_best = lookup(whole)
sharded_latency, sharded_best = lookup(sharded)


def recall(best):
    return sum(b[0] == truth[q["id"]] for q, b in zip(queries, best)) / len(queries)


def percentiles(latencies):
    ordered = sorted(latencies)
    return (1000 * statistics.median(ordered), 1000 * ordered[int(0.95 * (len(ordered) - 1))])


same = sum(a == b for a, b in zip(whole_best, sharded_best))
print(f"archive: {len(whole)} documents; {len(queries)} spun queries")
print(f"one index (unspin index build, 2 threads): {whole_seconds:.1f} s")
print(f"{len(sharded.shards)} shards (unspin.dask index, 2 workers): {sharded_seconds:.1f} s "
      f"(of it the cluster's start)")
print("find k=1     recall@1  p50 ms  p95 ms")
for name, best, latency in (("one index", whole_best, whole_latency),
                            (f"{shards} shards", sharded_best, sharded_latency)):
    p50, p95 = percentiles(latency)
    print(f"{name:12s} {recall(best):8.3f} {p50:7.2f} {p95:7.2f}")
print(f"same best match and score in both: {same} of {len(queries)}")
