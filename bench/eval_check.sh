#!/usr/bin/env bash
# Measures `unspin check` on every evaluation set and prints one table row per
# set: ROC AUC, F1 at 0.5, error reduction, collateral, false changes, exact
# restoration, documents per second. Metric definitions: docs/evaluation.md.
#
# usage: bench/eval_check.sh [--rebuild] [-- extra `unspin eval` flags, e.g. --change-cost 3]
#   UNSPIN=path/to/unspin   the binary (default build/release/tools/unspin)
#   EVAL_DIR=dir            where the sets live (default build/eval; built when missing)
#   THREADS=n               checker threads (default 1: docs/s is per core)
#
# The sets are built by bench/make_eval_sets.py from ../shared (300 paragraphs
# per set, 60 whole documents per doc-* set, seed 1, rate 0.25); --rebuild
# rebuilds them first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
unspin=${UNSPIN:-$root/build/release/tools/unspin}
eval_dir=${EVAL_DIR:-$root/build/eval}
threads=${THREADS:-1}
rebuild=0
if [[ ${1:-} == --rebuild ]]; then
  rebuild=1
  shift
fi
[[ ${1:-} == -- ]] && shift
extra=("$@")

if [[ ! -x $unspin ]]; then
  echo "eval_check: $unspin not found; build first (scripts/build release) or set UNSPIN=" >&2
  exit 1
fi
if [[ $rebuild == 1 || ! -f $eval_dir/real-dnw.jsonl || ! -f $eval_dir/quote-real.jsonl ]]; then
  python3 "$root/bench/make_eval_sets.py" --unspin "$unspin" --out "$eval_dir" \
    --shared "$root/../shared"
fi

shopt -s nullglob
sets=("$eval_dir"/sim-*.jsonl "$eval_dir"/real-*.jsonl "$eval_dir"/doc-*.jsonl
  "$eval_dir"/quote-*.jsonl)
printf '%-16s %5s %7s %6s %9s %10s %10s %10s %8s\n' set pairs auc f1 err_red collateral \
  false_chg exact_rest docs/s
for set in "${sets[@]}"; do
  [[ $set == *.key.jsonl ]] && continue
  name=$(basename "$set" .jsonl)
  json=$("$unspin" eval --json --threads "$threads" "${extra[@]}" "$set")
  python3 - "$name" "$json" <<'EOF'
import json, sys
name, r = sys.argv[1], json.loads(sys.argv[2])
print(f"{name:<16} {r['pairs']:5d} {r['auc']:7.4f} {r['f1']:6.3f} {r['error_reduction']:9.3f} "
      f"{100 * r['collateral']:9.2f}% {100 * r['false_changes']:9.2f}% "
      f"{r['exact_restoration']:10.3f} {r['docs_per_second']:8.1f}")
EOF
done
