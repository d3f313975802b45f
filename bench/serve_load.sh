#!/usr/bin/env bash
# Issue #20's load target for `unspin serve`, rerunnable: POST /v1/check with a
# 1,000-word article (the first paragraphs of a presidential speech, as
# bench/check_speed.sh takes them) under wrk on loopback, at 1, 8 and 64
# connections, each for DURATION seconds: requests/s, p50 and p99 latency,
# errors (socket errors and non-200 answers). The server's RSS is sampled
# every second over the whole run (the issue asks that it stay flat over
# 5 minutes: DURATION=100 runs 300 s in all).
#
# usage: bench/serve_load.sh   (after scripts/build release; needs wrk: scripts/setup)
#   BUILD=dir        build tree (default build/release)
#   DURATION=s       seconds per connection count (default 20; 3 x 20 = 60 s in all)
#   KEEP_WRK=prefix  keep wrk's own reports as prefix-<connections>.txt
#   THREADS=n        unspin serve --threads (default: its own, one per core, at least 2)
#   CONNECTIONS="1 8 64"
#   WRK_TIMEOUT=s    seconds before wrk gives up on an answer and counts an error
#                    (default 30, the server's own --timeout; wrk's default is 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build/release}
duration=${DURATION:-20}
connections=${CONNECTIONS:-1 8 64}
speech=$root/../shared/corpora/presidential-speeches/2003-01-28-state-union-address.txt
unspin=$build/tools/unspin
[[ -x $unspin ]] || { echo "serve_load: $unspin not found; scripts/build release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "serve_load: wrk not found; apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$root/bench/speech_article.py" "$speech" "$work/body.json" --json
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open("$work/body.json", "rb")
wrk.body = file:read("*a")
file:close()
LUA

threads_flag=()
[[ -n ${THREADS:-} ]] && threads_flag=(--threads "$THREADS")
"$unspin" serve --port 0 --quiet "${threads_flag[@]}" 2>"$work/serve.log" &
server=$!
port=
for _ in $(seq 600); do
  port=$(sed -n 's#.*serving on http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$work/serve.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "serve_load: the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
head -1 "$work/serve.log" >&2
url=http://127.0.0.1:$port/v1/check
curl -sf -o /dev/null --data-binary "@$work/body.json" "$url" || { echo "serve_load: /v1/check failed" >&2; exit 1; }

# RSS in MiB, once a second, until the file "stop" appears.
(
  start=$(date +%s)
  while [[ ! -e $work/stop ]]; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0)
    echo "$(($(date +%s) - start)) $((rss / 1024))"
    sleep 1
  done
) >"$work/rss.txt" &
sampler=$!

# A request unanswered after WRK_TIMEOUT seconds counts as an error.
echo "| connections | requests/s | p50 | p99 | errors | requests |"
echo "|---:|---:|---:|---:|---:|---:|"
for c in $connections; do
  threads=$((c < 2 ? c : 2))
  wrk -t "$threads" -c "$c" -d "${duration}s" --timeout "${WRK_TIMEOUT:-30}s" --latency \
    -s "$work/post.lua" "$url" >"$work/wrk-$c.txt"
  [[ -n ${KEEP_WRK:-} ]] && cp "$work/wrk-$c.txt" "$KEEP_WRK-$c.txt"
  awk -v c="$c" '
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /requests in/ { total = $1 }
    /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errors += $5 }
    END { printf "| %d | %.1f | %s | %s | %d | %d |\n", c, rps, p50, p99, errors, total }
  ' "$work/wrk-$c.txt"
done
touch "$work/stop"
wait "$sampler"

awk 'NR == 1 { first = $2 } { seconds = $1; last = $2; if ($2 > peak) peak = $2 }
     END { printf "server RSS over %d s: %d MiB after the first request, %d MiB at the end, peak %d MiB\n", seconds, first, last, peak }' \
  "$work/rss.txt"
# The RSS curve, one sample every 10 s, to see that it stays flat.
awk 'NR % 10 == 1 { printf "%s:%s ", $1, $2 } END { print "(s:MiB)" }' "$work/rss.txt"
