#!/usr/bin/env python3
"""Tortured-phrase benchmark for `unspin check` (issue 4's targets: top-1 >= 35%, top-5 >= 55%).

Each tortured phrase of ../shared/data/tortured-phrases.tsv (read at run time,
never copied: it is a benchmark, not model data) is checked alone as one line
(`unspin check --lines --json`). For every phrase:

  flagged  the checker reported at least one span;
  top-1    the restored line equals the expected phrase (case-insensitive,
           whitespace collapsed);
  top-5    the expected phrase is among the first five readings: the restored
           line, then, span by span and alternative by alternative, the
           restored line with that one span's original replaced by the
           alternative (duplicates removed).

usage: bench/eval_tortured.py [--unspin BIN] [--shared DIR] [--limit N] [--misses N]
                              [-- extra `unspin check` flags, e.g. --change-cost 2]
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time


def norm(text):
    return " ".join(text.lower().split())


def readings(line, result):
    spans = result["spans"]

    def build(replacements):
        out, last = [], 0
        data = line.encode("utf-8")
        for span, text in zip(spans, replacements):
            out.append(data[last:span["start"]].decode("utf-8", "replace"))
            out.append(text)
            last = span["end"]
        out.append(data[last:].decode("utf-8", "replace"))
        return "".join(out)

    best = [span["original"] for span in spans]
    found = [build(best)]
    for k, span in enumerate(spans):
        for alternative in span["alternatives"]:
            variant = list(best)
            variant[k] = alternative
            found.append(build(variant))
    unique = []
    for reading in found:
        if norm(reading) not in [norm(u) for u in unique]:
            unique.append(reading)
    return unique


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--unspin", default=os.path.join(here, "../build/release/tools/unspin"))
    ap.add_argument("--shared", default=os.path.join(here, "../../shared"))
    ap.add_argument("--limit", type=int, default=0, help="first N phrases only (0: all)")
    ap.add_argument("--misses", type=int, default=0, help="print N missed phrases")
    ap.add_argument("extra", nargs="*", help="flags passed to unspin check (after --)")
    args = ap.parse_args()

    rows = []
    with open(os.path.join(args.shared, "data/tortured-phrases.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < len(header):
                continue
            tortured = " ".join(fields[col["tortured"]].split())
            expected = " ".join(fields[col["expected"]].split())
            if tortured and expected:
                rows.append((tortured, expected, fields[col["match_type"]].split("(")[0]))
    if args.limit:
        rows = rows[: args.limit]

    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("".join(t + "\n" for t, _, _ in rows))
        path = f.name
    try:
        start = time.monotonic()
        run = subprocess.run([args.unspin, "check", "--lines", "--json", *args.extra, path],
                             capture_output=True, text=True)
        seconds = time.monotonic() - start
    finally:
        os.unlink(path)
    if run.returncode != 0:
        sys.exit(f"eval_tortured: unspin check failed ({run.returncode}): {run.stderr}")
    results = [json.loads(line) for line in run.stdout.splitlines()]
    if len(results) != len(rows):
        sys.exit(f"eval_tortured: {len(results)} results for {len(rows)} phrases")

    totals = collections.Counter()
    by_type = collections.defaultdict(collections.Counter)
    misses = []
    for (tortured, expected, match_type), result in zip(rows, results):
        found = readings(tortured, result)
        flagged = bool(result["spans"])
        top1 = norm(found[0]) == norm(expected)
        top5 = norm(expected) in [norm(r) for r in found[:5]]
        for counter in (totals, by_type[match_type]):
            counter["phrases"] += 1
            counter["flagged"] += flagged
            counter["top1"] += top1
            counter["top5"] += top5
        if not top5 and len(misses) < args.misses:
            misses.append((tortured, expected, found[:5]))

    def row(name, c):
        n = max(c["phrases"], 1)
        print(f"{name:<34} {c['phrases']:7d} {100 * c['flagged'] / n:8.1f}% "
              f"{100 * c['top1'] / n:6.1f}% {100 * c['top5'] / n:6.1f}%")

    print(f"{'match_type':<34} {'phrases':>7} {'flagged':>9} {'top-1':>7} {'top-5':>7}")
    for name in sorted(by_type, key=lambda k: -by_type[k]["phrases"]):
        row(name, by_type[name])
    row("all", totals)
    print(f"{len(rows) / seconds:.0f} phrases/s (one process, model load included)")
    for tortured, expected, found in misses:
        print(f"miss: {tortured!r} expected {expected!r}; got {found}")


if __name__ == "__main__":
    main()
