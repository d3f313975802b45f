"""unspin.dask on a LocalCluster of 2 workers: the same result lines as
`unspin scan` in one process, reruns skip finished shards, and a worker
killed mid-task loses nothing."""

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from distributed import Client, LocalCluster, wait

import unspin.dask
from conftest import cli, result_lines, spin, wordnet_documents

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data")


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Shards of every kind a crawl has: JSONL, a WARC, a text file, and a
    directory; the JSONL ones long enough that a task is seen mid-run."""
    root = tmp_path_factory.mktemp("shards")
    documents = wordnet_documents(160, glosses_per_document=8)
    paths = []
    for k in range(3):
        path = root / f"part-{k}.jsonl"
        with open(path, "w") as out:
            for n, text in enumerate(documents[k::4]):
                text = spin(text) if n % 2 else text
                out.write(json.dumps({"id": f"part-{k}/{n}", "text": text}) + "\n")
        paths.append(str(path))
    shutil.copy(os.path.join(FIXTURES, "scan", "labelled.warc.gz"), root / "crawl.warc.gz")
    paths.append(str(root / "crawl.warc.gz"))
    (root / "pages").mkdir()
    (root / "pages" / "a.txt").write_text(documents[3])
    (root / "pages" / "b.txt").write_text(spin(documents[7]))
    paths.append(str(root / "pages"))
    return paths


@pytest.fixture(scope="module")
def expected(shards, tmp_path_factory):
    """`unspin scan` of all shards in one process."""
    out = tmp_path_factory.mktemp("expected") / "all.jsonl"
    cli("scan", *shards, "--out", str(out), "--threads", "2")
    return result_lines(str(out))


def dask_results(shards, out_dir):
    """The result lines of every shard's file, in shard order."""
    lines = []
    for shard in shards:
        path = os.path.join(out_dir, unspin.dask.result_name(shard))
        with open(path) as results:
            header = json.loads(results.readline())
        assert header["inputs"] == [shard]
        lines += result_lines(path)
    return lines


def run_dask(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, "-m", "unspin.dask", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_two_workers_write_what_one_process_writes(shards, expected, tmp_path):
    out = str(tmp_path / "results")
    run = run_dask("scan", *shards, "--out", out, "--workers", "2", "--dashboard", ":0")
    assert run.returncode == 0, run.stderr
    assert f"{len(shards)} to scan" in run.stderr
    if importlib.util.find_spec("bokeh") is None:  # no dashboard: none is named
        assert "no dashboard" in run.stderr and "/status" not in run.stderr, run.stderr
    assert dask_results(shards, out) == expected
    assert sorted(os.listdir(out)) == sorted(unspin.dask.result_name(s) for s in shards)

    # A rerun finds every shard done and touches nothing.
    times = {name: os.stat(os.path.join(out, name)).st_mtime_ns for name in os.listdir(out)}
    again = run_dask("scan", *shards, "--out", out, "--workers", "2", "--dashboard", ":0")
    assert again.returncode == 0, again.stderr
    assert f"{len(shards)} already scanned, 0 to scan" in again.stderr
    assert {n: os.stat(os.path.join(out, n)).st_mtime_ns for n in os.listdir(out)} == times


def test_a_killed_worker_loses_nothing(shards, expected, tmp_path):
    out = str(tmp_path / "results")
    os.makedirs(out)
    model_path = unspin.Model.open().path
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        futures = [client.submit(unspin.dask.scan_shard, shard, out, model_path, None, 1,
                                 key=f"scan-{k}") for k, shard in enumerate(shards)]
        # Wait until a task has written part of its results, then kill its worker.
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                for key in keys:
                    partial = os.path.join(out, "." + unspin.dask.result_name(
                        shards[int(key.split("-")[1])]) + ".partial")
                    if os.path.exists(partial) and os.path.getsize(partial) > 0:
                        victim = worker
            time.sleep(0.02)
        assert victim is not None, "no task was seen mid-run"
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        wait(futures, timeout=120)
        assert all(future.status == "finished" for future in futures)
        # The scheduler counts the workers that died running a task: the task ran again.
        suspicious = client.run_on_scheduler(
            lambda dask_scheduler: sum(dask_scheduler.tasks[f"scan-{k}"].suspicious
                                       for k in range(len(shards))))
        assert suspicious >= 1
    assert dask_results(shards, out) == expected
    assert not [name for name in os.listdir(out) if name.endswith(".partial")]


def test_index_builds_shards_queried_as_one(tmp_path):
    documents = wordnet_documents(40, skip=200)
    inputs = []
    for k in range(3):
        path = tmp_path / f"archive-{k}.jsonl"
        path.write_text("".join(json.dumps({"id": f"doc-{n}", "text": documents[n]}) + "\n"
                                for n in range(k, len(documents), 3)))
        inputs.append(str(path))
    out = str(tmp_path / "idx")
    run = run_dask("index", *inputs, "--out", out, "--shards", "2", "--workers", "2",
                   "--dashboard", ":0")
    assert run.returncode == 0, run.stderr
    index = unspin.Index.open(out)
    assert [os.path.basename(shard) for shard in index.shards] == ["shard-0000", "shard-0001"]
    assert len(index) == len(documents)
    assert index.find(spin(documents[25]), k=1)[0]["id"] == "doc-25"
