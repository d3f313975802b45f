#!/usr/bin/env bash
# Compares Tokenize and ValidateUtf8 throughput with `wc -w` on the same file,
# in the same run: builds the bench preset, concatenates the presidential
# speeches corpus (whole files, name order, until ~20 MB; the same rule as
# bench/text_bench.cc), times `wc -w` (best of 5) and runs text_bench on it.
#
#   bench/tokenize_vs_wc.sh            # build + run
#   UNSPIN_SKIP_BUILD=1 bench/tokenize_vs_wc.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${UNSPIN_CORPUS_DIR:-$root/../shared/corpora/presidential-speeches}"
build="$root/build/bench"

if [[ -z "${UNSPIN_SKIP_BUILD:-}" ]]; then
  cmake --preset bench -S "$root" >/dev/null
  cmake --build "$build" --target text_bench -j"$(nproc)" >/dev/null
fi

text="$(mktemp "${TMPDIR:-/tmp}/unspin-text-bench.XXXXXX")"
trap 'rm -f "$text"' EXIT
limit=$((20 * 1024 * 1024))
while IFS= read -r -d '' file; do
  [[ "$(stat -c %s "$text")" -ge "$limit" ]] && break
  cat "$file" >>"$text"
done < <(find "$corpus" -maxdepth 1 -type f ! -name '*.md' -print0 | LC_ALL=C sort -z)
bytes="$(stat -c %s "$text")"
cat "$text" >/dev/null  # warm the page cache

best_ns=""
for _ in 1 2 3 4 5; do
  start="$(date +%s%N)"
  words="$(wc -w <"$text")"
  elapsed=$(( $(date +%s%N) - start ))
  if [[ -z "$best_ns" || "$elapsed" -lt "$best_ns" ]]; then best_ns="$elapsed"; fi
done

json="$(UNSPIN_BENCH_TEXT="$text" "$build/bench/text_bench" \
  --benchmark_filter='^BM_(Tokenize|ValidateUtf8)$' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)"
rate() {  # median bytes/s of benchmark $1, in MB/s
  jq -r --arg name "$1_median" \
    '.benchmarks[] | select(.name == $name) | .bytes_per_second / 1e6' <<<"$json"
}
tokenize_mbps="$(rate BM_Tokenize)"
validate_mbps="$(rate BM_ValidateUtf8)"
wc_mbps="$(awk -v b="$bytes" -v ns="$best_ns" 'BEGIN { printf "%.1f", b / (ns / 1e9) / 1e6 }')"

printf 'file:          %s bytes, %s words (wc -w, LANG=%s)\n' "$bytes" "$words" "${LC_ALL:-${LANG:-C}}"
printf 'wc -w:         %8.1f MB/s\n' "$wc_mbps"
printf 'Tokenize:      %8.1f MB/s  (%.2fx wc -w)\n' "$tokenize_mbps" \
  "$(awk -v t="$tokenize_mbps" -v w="$wc_mbps" 'BEGIN { print t / w }')"
printf 'ValidateUtf8:  %8.1f MB/s  (%.2fx wc -w)\n' "$validate_mbps" \
  "$(awk -v t="$validate_mbps" -v w="$wc_mbps" 'BEGIN { print t / w }')"
