#!/usr/bin/python3
"""Binding overhead (issue #21): unspin.Model.check against the CLI on the
same 1,000 articles, after each has its model loaded.

Articles: the first paragraphs of presidential speeches in ../shared/corpora,
up to ~300 words each, one article per line (paragraphs joined by spaces).
The CLI checks them all with one `unspin check --json --lines` (its start
and model load, measured by a run over an empty input, are subtracted);
Python calls model.check on each line in a loop and builds the same dicts
(json.loads of the same JSON). Time is CPU time (user + system: the
process's own, the CLI's as a child), which a machine shared with other work
disturbs far less than wall time; both runs are repeated REPEATS times,
interleaved, and the fastest of each is compared. The results must be equal.

usage: bench/python_overhead.py [BUILD_DIR] [ARTICLES] [REPEATS]
       (defaults: build/release, 1000, 3; needs scripts/build release)
"""
import json
import os
import resource
import subprocess
import sys
import time

from python_bench_args import ROOT as root, parse

build, count, repeats = parse(1000, 3)
import unspin  # noqa: E402

speeches = os.path.join(root, "..", "shared", "corpora", "presidential-speeches")
articles = []
for name in sorted(os.listdir(speeches)):
    if not name.endswith(".txt"):
        continue
    words, paragraphs = 0, []
    for paragraph in open(os.path.join(speeches, name), encoding="utf-8").read().split("\n"):
        if words >= 300:
            break
        if paragraph.strip():
            paragraphs.append(paragraph.strip())
            words += len(paragraph.split())
    if words >= 100:
        articles.append(" ".join(paragraphs))
    if len(articles) == count:
        break
text = "\n".join(articles) + "\n"
unspin_bin = os.path.join(build, "tools", "unspin")
model = unspin.Model.open()


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(data):
    start = children_cpu()
    out = subprocess.run([unspin_bin, "check", "--json", "--lines", "--model", model.path],
                         input=data, capture_output=True, text=True, check=True).stdout
    return children_cpu() - start, out


def run_python():
    start = time.process_time()
    results = [model.check(article) for article in articles]
    return time.process_time() - start, results


cli_best = python_best = load_best = float("inf")
for _ in range(repeats):
    load_best = min(load_best, run_cli("")[0])
    seconds, cli_out = run_cli(text)
    cli_best = min(cli_best, seconds)
    seconds, python_results = run_python()
    python_best = min(python_best, seconds)
assert [json.loads(line) for line in cli_out.splitlines()] == python_results, "results differ"
cli_work = cli_best - load_best
mb = len(text.encode()) / 1e6
print(f"{len(articles)} articles, {sum(len(a.split()) for a in articles)} words, {mb:.2f} MB")
print(f"CLI check --json --lines: {cli_best:.2f} s CPU ({load_best:.3f} s of it starting and "
      f"loading the model): {len(articles) / cli_work:.1f} articles/s per core")
print(f"Python model.check:       {python_best:.2f} s CPU: {len(articles) / python_best:.1f} "
      f"articles/s per core")
print(f"binding overhead: {100 * (python_best / cli_work - 1):+.1f}% CPU time (target: within 5%)")
