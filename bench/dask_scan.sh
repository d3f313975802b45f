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
# alone with `unspin scan --threads 1` (the per-shard cost, in CPU time). The
# result lines of the two scans must be equal. Wall time on a machine shared with
# other work varies from run to run; CPU time (what the work costs) much less.
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

# Wall and CPU time (user + system, of every process: the LocalCluster's nannies and
# workers are the driver's descendants, reaped before it exits).
/usr/bin/time -f "%e %U %S" -o "$work/cli.time" \
  "$unspin" scan "${inputs[@]}" --threads 2 --out "$work/cli.jsonl" --summary "$work/cli.json" 2>/dev/null
PYTHONPATH=$build/python /usr/bin/time -f "%e %U %S" -o "$work/dask.time" \
  /usr/bin/python3 -m unspin.dask scan "${inputs[@]}" --out "$work/dask" \
  --workers 2 --dashboard :0 --summary "$work/dask.json" 2>/dev/null

for input in "${inputs[@]}"; do
  /usr/bin/time -f "%e %U %S" -o "$work/one-$(basename "$input").time" \
    "$unspin" scan "$input" --threads 1 --out "$work/one.jsonl" --overwrite 2>/dev/null
done

/usr/bin/python3 - "$work" "${inputs[@]}" <<'PY'
import glob, json, os, sys
work, inputs = sys.argv[1], sys.argv[2:]
def timing(name):
    wall, user, system = map(float, open(os.path.join(work, name)).read().split()[-3:])
    return wall, user + system
(cli_seconds, cli_cpu), (dask_seconds, dask_cpu) = timing("cli.time"), timing("dask.time")
def lines(path):
    return open(path).read().splitlines()[1:]
sys.path.insert(0, os.path.join(os.path.dirname(work), "python"))
from unspin.dask import result_name
dask_lines = [l for i in inputs for l in lines(os.path.join(work, "dask", result_name(i)))]
assert dask_lines == lines(os.path.join(work, "cli.jsonl")), "the result lines differ"
cli = json.load(open(os.path.join(work, "cli.json")))
dask = json.load(open(os.path.join(work, "dask.json")))
one = sorted(timing(os.path.basename(p)) for p in glob.glob(os.path.join(work, "one-*.time")))
docs, mb = cli["documents"], cli["bytes"] / 1e6
task_seconds = sorted(t["seconds"] for t in dask["tasks"])
shard_cpu = sorted(cpu for _, cpu in one)
print(f"{len(inputs)} shards, {docs} documents, {mb:.1f} MB of .warc.gz")
print(f"unspin scan --threads 2:    {cli_seconds:6.2f} s wall ({docs / cli_seconds:.1f} docs/s), "
      f"{cli_cpu:.2f} s CPU")
print(f"unspin.dask, 2 workers:     {dask_seconds:6.2f} s wall ({docs / dask_seconds:.1f} docs/s), "
      f"{dask_cpu:.2f} s CPU; {dask['seconds']:.2f} s from cluster start to the last result")
print(f"ratio dask / scan:          {dask_seconds / cli_seconds:.2f} wall "
      f"({dask['seconds'] / cli_seconds:.2f} without Python's own start), "
      f"{dask_cpu / cli_cpu:.2f} CPU")
print(f"task time per shard:        median {task_seconds[len(task_seconds) // 2]:.2f} s, "
      f"max {task_seconds[-1]:.2f} s")
print(f"one shard alone, 1 thread:  CPU median {shard_cpu[len(shard_cpu) // 2]:.2f} s, "
      f"{1000 * sum(shard_cpu) / docs:.1f} ms CPU per page, {sum(shard_cpu) / mb:.2f} CPU s per MB")
print(f"Dask's fixed cost:          {dask_cpu - cli_cpu:.2f} CPU s (interpreters, scheduler, workers)")
PY
