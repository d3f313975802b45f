#!/usr/bin/env bash
# Throughput of `unspin scan` per input format and its scaling from 1 to 2
# threads. The same generated pages are scanned three ways: as text files, as
# HTML files, and as one .warc.gz holding them all (bench/make_warc_set.py,
# articles from ../shared/corpora, half of them spun). Prints a table of
# pages/s and MB/s (input bytes as stored, so compressed bytes for WARC).
#
# Each configuration runs REPEATS times (default 3) and the fastest run is
# reported, which filters out other load on a shared machine.
#
# usage: bench/scan_bench.sh [BUILD_DIR] [PAGES] [REPEATS]   (defaults: build/release, 300, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
pages=${2:-300}
repeats=${3:-3}
unspin=$build/tools/unspin
work=$build/bench-scan
rm -rf "$work"
mkdir -p "$work"
python3 bench/make_warc_set.py --unspin "$unspin" --out "$work/set.warc.gz" \
  --labels "$work/labels.jsonl" --pages "$pages" --pages-dir "$work/pages"

run() {  # format input threads: the best (fastest) of $repeats runs
  local out=$work/out.jsonl best=""
  for ((r = 0; r < repeats; ++r)); do
    rm -f "$out"
    /usr/bin/time -f "%U %S" -o "$work/time" \
      "$unspin" scan "$2" --threads "$3" --out "$out" --summary "$work/summary.json" 2>/dev/null
    if [ -z "$best" ] || python3 -c "import json,sys; sys.exit(0 if json.load(open('$work/summary.json'))['seconds'] < json.load(open('$work/best.json'))['seconds'] else 1)"; then
      cp "$work/summary.json" "$work/best.json"
      cp "$work/time" "$work/best.time"
      best=1
    fi
  done
  python3 - "$1" "$3" "$work/best.json" "$work/best.time" <<'PY'
import json, sys
fmt, threads, path, timing = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = json.load(open(path))
secs = max(s["seconds"], 1e-9)
cpu = sum(float(x) for x in open(timing).read().split()[:2])
mb = s["bytes"] / 1e6
print("%-5s %7d %6d %8.2f %8.2f %7.3f %8.1f %6.0f%% %9.3f %9.1f" % (
    fmt, threads, s["documents"], mb, secs, mb / secs, s["documents"] / secs,
    100 * cpu / secs, mb / cpu, s["documents"] / cpu))
PY
}

echo "cores: $(nproc)  pages: $pages  unspin: $unspin"
# MB/s and pages/s are wall-clock; cpu% shows how much of the cores the run got
# (on a shared machine a second thread only helps when a second core is free);
# MB/cpu-s and pages/cpu-s are per core of CPU time actually used.
printf '%-5s %7s %6s %8s %8s %7s %8s %7s %9s %9s\n' format threads pages MB seconds MB/s \
  pages/s cpu% MB/cpu-s pages/cpu-s
for format in text html warc; do
  case $format in
    text) input=$work/pages/text ;;
    html) input=$work/pages/html ;;
    warc) input=$work/set.warc.gz ;;
  esac
  run "$format" "$input" 1
  run "$format" "$input" 2
done

# Detection on the labelled set (the WARC run's results against the labels):
# ROC AUC of spun_probability, and debris lines found per page against the
# debris lines the template added (HTML extraction drops some, e.g. sidebars,
# before classification, so found < added there is not a miss).
rm -f "$work/out.jsonl"
"$unspin" scan "$work/set.warc.gz" --out "$work/out.jsonl" 2>/dev/null
python3 - "$work/out.jsonl" "$work/labels.jsonl" <<'PY'
import json, sys
results = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "unspin_scan" in r:
        continue  # the header line
    results[r.get("url")] = r
pos, neg, debris = [], [], {}
for line in open(sys.argv[2]):
    label = json.loads(line)
    r = results[label["url"]]
    (pos if label["spun"] else neg).append(r["spun_probability"])
    found, added = debris.get(label["template"], (0, 0))
    debris[label["template"]] = (found + r["debris_lines"], added + len(label["debris"]))
pairs = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
print("labelled set: %d spun, %d original pages; ROC AUC %.3f; mean spun probability %.3f vs %.3f"
      % (len(pos), len(neg), pairs / (len(pos) * len(neg)), sum(pos) / len(pos),
         sum(neg) / len(neg)))
for template, (found, added) in sorted(debris.items()):
    print("  %-5s template: %d debris lines classified, %d added by the template" %
          (template, found, added))
PY
