"""Helpers shared by the source-finding benchmarks (bench/find_vs_xapian.sh and
bench/find_scale.sh): timing logs, per-process query latency, percentiles."""
import json
import os
import subprocess
import tempfile
import time


def cpu_seconds(folder, name):
    """user + system seconds from folder/name.time, a /usr/bin/time -v log."""
    path = os.path.join(folder, name + ".time")
    if not os.path.exists(path):
        return None
    total = 0.0
    for line in open(path):
        if "User time (seconds)" in line or "System time (seconds)" in line:
            total += float(line.rsplit(": ", 1)[1])
    return total


def gnu_time(folder, name):
    """(wall seconds, peak RSS MB) from folder/name.time, a /usr/bin/time -v log."""
    seconds = rss = None
    path = os.path.join(folder, name + ".time")
    if not os.path.exists(path):
        return None, None
    for line in open(path):
        if "Elapsed (wall clock)" in line:
            parts = line.rsplit(": ", 1)[1].strip().split(":")
            seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(parts)))
        elif "Maximum resident set size" in line:
            rss = int(line.rsplit(": ", 1)[1]) / 1024
    return seconds, rss


def per_process_ms(unspin, index, qs):
    """Wall ms of one `unspin find` process per query, and the same minus a one-word query's
    process run just before it (process start, model and index open): (whole, net) lists."""
    whole, net = [], []
    with tempfile.TemporaryDirectory() as tmp:
        empty, path = os.path.join(tmp, "empty.jsonl"), os.path.join(tmp, "q.jsonl")
        with open(empty, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "startup", "text": "the"}) + "\n")
        for q in qs:
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps(q) + "\n")
            times = []
            for file in (empty, path):
                start = time.perf_counter()
                # find exits 1 when no query matched (as grep does): not a failure.
                run = subprocess.run([unspin, "find", "--index", index, "--jsonl", "-k", "10", file],
                                     stdout=subprocess.DEVNULL)
                if run.returncode not in (0, 1):
                    raise subprocess.CalledProcessError(run.returncode, run.args)
                times.append(1000 * (time.perf_counter() - start))
            whole.append(times[1])
            net.append(times[1] - times[0])
    return whole, net


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * (len(values) - 1) + 0.5))]


def per_process_label(whole, net):
    return (f"{percentile(whole, 0.5):.1f} / {percentile(whole, 0.95):.1f} per process "
            f"({len(whole)} queries); {percentile(net, 0.5):.1f} / {percentile(net, 0.95):.1f} "
            f"net of startup")


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
