#!/usr/bin/env bash
# Issue 17, item 9: peak resident memory of `unspin check` and `unspin scan`
# per input MB, for this build and, side by side, another binary (BEFORE=, e.g.
# a copy of main's build taken before the change).
#
# Texts: Brown corpus files (../shared/corpora/brown) joined with blank lines
# and repeated to 5, 20 and 50 MB. check runs with --json, output to
# /dev/null; scan reads the same text cut into 64 KB JSONL records, and one
# file of LARGE_RECORDS records of LARGE_MB MB each, with 2 threads. "model" is the peak RSS of
# checking one paragraph (the model's pages the check touches, the binary);
# "per MB" is (peak - model) / input MB: the target is at most 3.
#
# usage: bench/memory.sh   (after scripts/build release)
#   BUILD=dir      build tree (default build/release)
#   BEFORE=binary  another unspin binary to measure the same way (optional)
#   MODEL=file     model for both (default BUILD/model/en-us.unspin)
#   SIZES="5 20"   text sizes in MB (default "5 20 50")
#   LARGE_MB=n LARGE_RECORDS=n   the large records (default 8 MB, 4 records)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build/release}
model=${MODEL:-$build/model/en-us.unspin}
sizes=${SIZES:-5 20 50}
large_mb=${LARGE_MB:-8}
large_records=${LARGE_RECORDS:-4}
brown=$root/../shared/corpora/brown
after=$build/tools/unspin
[[ -x $after ]] || { echo "memory.sh: $after not found; scripts/build release" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$brown" "$work" "$large_mb" "$large_records" $sizes <<'PY'
import json, pathlib, sys
brown, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
large_mb, large_records, sizes = float(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
corpus = "".join(p.read_text(encoding="utf-8") + "\n\n" for p in sorted(brown.glob("*/*.txt")))
(work / "tiny.txt").write_text(corpus[: corpus.index("\n\n") + 1], encoding="utf-8")
def text_of(n):
    text = (corpus * (n // len(corpus) + 1))[:n]
    return text[: text.rindex("\n\n") + 1]
for mb in sizes:
    text = text_of(int(mb) * 1_000_000)
    (work / f"text{mb}.txt").write_text(text, encoding="utf-8")
    with open(work / f"records{mb}.jsonl", "w", encoding="utf-8") as out:
        for k, start in enumerate(range(0, len(text), 64_000)):
            out.write(json.dumps({"id": f"r{k}", "text": text[start:start + 64_000]}) + "\n")
with open(work / "large.jsonl", "w", encoding="utf-8") as out:
    for k in range(large_records):
        out.write(json.dumps({"id": f"large{k}", "text": text_of(int(large_mb * 1e6))}) + "\n")
PY

peak_kb() {  # command...: the peak RSS of running it, in KB
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>"$work/stderr" ||
    { echo "memory.sh: failed: $* ($(tail -1 "$work/stderr"))" >&2; exit 1; }
  cat "$work/rss"
}

binaries=()
[[ -n ${BEFORE:-} ]] && binaries+=("before=$BEFORE")
binaries+=("after=$after")
printf "%-7s %-26s %9s %10s %10s %8s\n" binary run input_MB peak_MB model_MB per_MB
for entry in "${binaries[@]}"; do
  name=${entry%%=*} bin=${entry#*=}
  model_kb=$(peak_kb "$bin" check --model "$model" --json "$work/tiny.txt")
  report() {  # label input-file peak-kb
    python3 - "$name" "$1" "$(stat -c %s "$2")" "$3" "$model_kb" <<'PY'
import sys
name, label, size, peak, model = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
mb = size / 1e6
print(f"{name:7} {label:26} {mb:9.1f} {peak / 1024:10.0f} {model / 1024:10.0f} {(peak - model) / 1024 / mb:8.2f}")
PY
  }
  for mb in $sizes; do
    report "check --json ${mb}MB" "$work/text$mb.txt" \
      "$(peak_kb "$bin" check --model "$model" --json "$work/text$mb.txt")"
  done
  for mb in $sizes; do
    rm -f "$work/out.jsonl"
    report "scan ${mb}MB of 64KB records" "$work/records$mb.jsonl" \
      "$(peak_kb "$bin" scan --model "$model" --threads 2 --out "$work/out.jsonl" \
        "$work/records$mb.jsonl")"
  done
  rm -f "$work/out.jsonl"
  report "scan ${large_records} records of ${large_mb}MB" "$work/large.jsonl" \
    "$(peak_kb "$bin" scan --model "$model" --threads 2 --out "$work/out.jsonl" \
      "$work/large.jsonl")"
done
