#!/bin/sh
# Issue #3's large-corpus run, rerunnable: unspin lm build on a corpus far
# larger than the counting budget, to show the spilling counter at work.
#
#   bench/lm_large.sh [UNSPIN_BINARY] [CORPORA_DIR] [REPEATS] [MEMORY]
#
# The corpus is the issue-3 training split (bench/lm_corpus.py, 6.94M tokens)
# passed REPEATS times (default 72: ~500M tokens), so nothing large is written
# to disk but the counting runs. Repetition adds no new n-grams: the distinct
# n-grams (and so the estimator's memory) stay those of one copy, and every
# count is a multiple of REPEATS, so the top order's discounts fall back to
# the defaults. MEMORY (default 25%) is passed to --memory. Prints wall time,
# peak RSS and the counting runs spilled.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
unspin=${1:-$here/../build/release/tools/unspin}
corpora=${2:-$here/../../shared/corpora}
repeats=${3:-72}
memory=${4:-25%}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/lm_corpus.py" "$corpora" "$work"
inputs=$(for i in $(seq "$repeats"); do printf '%s ' "$work/train.jsonl"; done)
# shellcheck disable=SC2086
/usr/bin/time -v "$unspin" lm build --order 4 --memory "$memory" --temp-dir "$work" \
  -o "$work/large.lm" $inputs 2> "$work/build.log"
grep '^unspin:' "$work/build.log"
awk -F': ' '/Elapsed/ {print "wall time\t" $2} /Maximum resident/ {printf "peak RSS\t%.0f MB\n", $2 / 1024}' \
  "$work/build.log"
