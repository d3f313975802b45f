#!/usr/bin/env bash
# Issue #21: a crawl scan on Dask with 2 local workers against `unspin scan
# --threads 2` on the same shards, and the per-shard cost a plan for a large
# crawl starts from (docs/python.md).
#
# SHARDS WARC shards of PAGES pages each (bench/make_warc_set.py, seeds 1..SHARDS:
# articles from ../shared/corpora, half spun, wrapped in page debris) are
# scanned three ways: `unspin scan --threads 2` over all of them in one
# process, `python3 -m unspin.dask scan --workers 2` (a LocalCluster: two
# worker processes, one task per shard, its start included), and each shard
# alone with `unspin scan --threads 1` (the per-shard cost on one core). The
# result lines of the two scans must be equal.
#
# usage: bench/dask_scan.sh [BUILD_DIR] [SHARDS] [PAGES]   (defaults: build/release, 8, 100)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build/release}" && pwd)
shards=${2:-8}
pages=${3:-100}
unspin=$build/tools/unspin
work=$build/bench-dask
rm -rf "$work"
mkdir -p "$work/shards"
for ((k = 1; k <= shards; ++k)); do
  name=$(printf "shard-%03d" "$k")
  /usr/bin/python3 bench/make_warc_set.py --unspin "$unspin" --out "$work/shards/$name.warc.gz" \
    --labels "$work/$name.labels.jsonl" --pages "$pages" --seed "$k" >/dev/null 2>&1
done
inputs=("$work"/shards/*.warc.gz)

start=$(date +%s.%N)
"$unspin" scan "${inputs[@]}" --threads 2 --out "$work/cli.jsonl" --summary "$work/cli.json" 2>/dev/null
cli_seconds=$(echo "$(date +%s.%N) - $start" | bc)

start=$(date +%s.%N)
PYTHONPATH=$build/python /usr/bin/python3 -m unspin.dask scan "${inputs[@]}" --out "$work/dask" \
  --workers 2 --dashboard :0 --summary "$work/dask.json" 2>/dev/null
dask_seconds=$(echo "$(date +%s.%N) - $start" | bc)

for input in "${inputs[@]}"; do
  "$unspin" scan "$input" --threads 1 --out "$work/one.jsonl" --overwrite \
    --summary "$work/one-$(basename "$input").json" 2>/dev/null
done

/usr/bin/python3 - "$work" "$cli_seconds" "$dask_seconds" "${inputs[@]}" <<'PY'
import glob, hashlib, json, os, sys
work, cli_seconds, dask_seconds, inputs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
def lines(path):
    return open(path).read().splitlines()[1:]
sys.path.insert(0, os.path.join(os.path.dirname(work), "python"))
from unspin.dask import result_name
dask_lines = [l for i in inputs for l in lines(os.path.join(work, "dask", result_name(i)))]
assert dask_lines == lines(os.path.join(work, "cli.jsonl")), "the result lines differ"
cli = json.load(open(os.path.join(work, "cli.json")))
dask = json.load(open(os.path.join(work, "dask.json")))
one = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(work, "one-*.json")))]
docs, mb = cli["documents"], cli["bytes"] / 1e6
task_seconds = sorted(t["seconds"] for t in dask["tasks"])
one_seconds = sum(s["seconds"] for s in one)
print(f"{len(inputs)} shards, {docs} documents, {mb:.1f} MB of .warc.gz")
print(f"unspin scan --threads 2:    {cli_seconds:6.2f} s wall ({docs / cli_seconds:.1f} docs/s)")
print(f"unspin.dask, 2 workers:     {dask_seconds:6.2f} s wall ({docs / dask_seconds:.1f} docs/s), "
      f"of it {dask['seconds']:.2f} s from cluster start to the last result")
print(f"ratio dask / scan:          {dask_seconds / cli_seconds:.2f} "
      f"({dask['seconds'] / cli_seconds:.2f} without Python's own start)")
print(f"task time per shard:        median {task_seconds[len(task_seconds) // 2]:.2f} s, "
      f"max {task_seconds[-1]:.2f} s")
print(f"one core, shard by shard:   {one_seconds:.2f} s: {1000 * one_seconds / docs:.1f} ms/page, "
      f"{one_seconds / mb:.2f} s/MB")
PY
