#!/usr/bin/python3
"""Binding overhead (issue #21): unspin.Model.check against the CLI on the
same 1,000 articles, after each has its model loaded.

Articles: the first paragraphs of presidential speeches in ../shared/corpora,
up to ~300 words each, one article per line (paragraphs joined by spaces).
The CLI checks them all with one `unspin check --json --lines` (its model
load, ~20 ms, measured and subtracted from its time by a run over an empty
input); Python calls model.check on each line in a loop and builds the same
dicts (json.loads of the same JSON). Both runs are repeated REPEATS times,
interleaved, and the fastest of each is compared; the results are compared
too (they must be equal).

usage: bench/python_overhead.py [BUILD_DIR] [ARTICLES] [REPEATS]
       (defaults: build/release, 1000, 3; needs scripts/build release)
"""
import json
import os
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/release"))
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
sys.path.insert(0, os.path.join(build, "python"))
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


def run_cli(data):
    start = time.perf_counter()
    out = subprocess.run([unspin_bin, "check", "--json", "--lines", "--model", model.path],
                         input=data, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out


def run_python():
    start = time.perf_counter()
    results = [model.check(article) for article in articles]
    return time.perf_counter() - start, results


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
print(f"CLI check --json --lines: {cli_best:.2f} s ({load_best:.3f} s of it starting and "
      f"loading the model): {len(articles) / cli_work:.1f} articles/s")
print(f"Python model.check:       {python_best:.2f} s: {len(articles) / python_best:.1f} "
      f"articles/s")
print(f"binding overhead: {100 * (python_best / cli_work - 1):+.1f}% time (target: within 5%)")
