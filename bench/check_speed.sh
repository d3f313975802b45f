#!/usr/bin/env bash
# Issue #4's speed targets for `unspin check`, rerunnable:
#   1. detection + restoration throughput after the model is loaded, per core
#      (bench/pipeline_bench BM_CheckArticle on the seed specimen; target
#      >= 1 MB/s);
#   2. a stream of distinct documents, per core: `unspin scan --threads 1`
#      over the Brown corpus (500 documents, 1961 American English), input
#      bytes over the scan's user CPU time (a thread keeps the proposals it
#      collected from one document to the next, as a crawl's scan does);
#   3. a 1,000-word article from process start to exit (target < 0.3 s): the
#      first paragraphs of a presidential speech up to 1,000 words, kept as
#      paragraphs (one line of 1,000 words would read as page debris), checked
#      RUNS times by `unspin check --json`: median and max wall time, peak RSS.
#
# usage: bench/check_speed.sh   (after scripts/build bench)
#   BUILD=dir   build tree (default build/bench)
#   RUNS=n      end-to-end runs (default 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build/bench}
runs=${RUNS:-20}
speeches=$root/../shared/corpora/presidential-speeches
for bin in "$build/bench/pipeline_bench" "$build/tools/unspin"; do
  [[ -x $bin ]] || { echo "check_speed: $bin not found; scripts/build bench" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build/bench/pipeline_bench" --benchmark_filter=CheckArticle --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "CheckArticle_(mean|median)"

brown=$root/../shared/corpora/brown
python3 - "$build/tools/unspin" "$brown" "$work/stream.jsonl" <<'PY'
import pathlib, resource, subprocess, sys
unspin, brown, out = sys.argv[1:]
size = sum(p.stat().st_size for p in pathlib.Path(brown).rglob("*.txt"))
subprocess.run([unspin, "scan", "--threads", "1", "--out", out, brown],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
user = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
print(f"stream of distinct documents (scan --threads 1, Brown): {size / 1e6:.1f} MB in "
      f"{user:.1f} s user CPU, {size / 1e6 / user:.2f} MB/s per core")
PY
python3 "$root/bench/speech_article.py" "$speeches/2003-01-28-state-union-address.txt" \
  "$work/article.txt" 2>&1
python3 - "$build/tools/unspin" "$work/article.txt" "$runs" <<'PY'
import resource, subprocess, sys, time
unspin, article, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
walls = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run([unspin, "check", "--json", article], stdout=subprocess.DEVNULL, check=True)
    walls.append(time.perf_counter() - start)
walls.sort()
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"process start to exit: median {walls[len(walls) // 2] * 1000:.1f} ms, "
      f"max {walls[-1] * 1000:.1f} ms over {runs} runs; peak RSS {peak_mb:.0f} MB")
PY
