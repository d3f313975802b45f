"""The module's API against the CLI: the same results for the same input."""

import json
import os
import threading
import time
import zlib

import pytest

import unspin
from conftest import cli, result_lines, spin, wordnet_documents

SPUN = "Council members stated they required more time to examine the expense.\n"


def test_default_model_is_the_one_the_cli_finds(model):
    assert os.path.samefile(model.path, cli("model", "info").stdout.split("\n")[0].split("\t")[1])
    assert len(model.fingerprint) == 8
    assert unspin.Model.open(model.path).fingerprint == model.fingerprint


def test_unspin_model_names_the_model(monkeypatch, tmp_path, model):
    monkeypatch.setenv("UNSPIN_MODEL", str(tmp_path / "missing.unspin"))
    with pytest.raises(FileNotFoundError, match="missing.unspin"):
        unspin.Model.open()


def test_a_damaged_model_is_a_format_error(tmp_path, model):
    damaged = tmp_path / "damaged.unspin"
    with open(model.path, "rb") as source:
        damaged.write_bytes(source.read(4096))
    with pytest.raises(unspin.FormatError):
        unspin.Model.open(str(damaged))


@pytest.mark.parametrize("text", [SPUN, "", "42", wordnet_documents(1)[0], spin(
    wordnet_documents(1, skip=3)[0])])
def test_check_is_check_json(model, text):
    assert model.check(text) == json.loads(cli("check", "--json", input=text).stdout)


def test_check_options_are_the_cli_options(model):
    text = spin(wordnet_documents(1, skip=5)[0])
    ours = model.check(text, change_cost=2.5, min_spun_probability=0)
    theirs = json.loads(
        cli("check", "--json", "--change-cost", "2.5", "--min-spun-probability", "0",
            input=text).stdout)
    assert ours == theirs
    assert ours != model.check(text)
    with pytest.raises(ValueError, match="change_cost"):
        model.check(text, change_cost=-1)
    rare = model.check(text, spun_share=0.01)
    assert rare == json.loads(cli("check", "--json", "--spun-share", "0.01", input=text).stdout)
    assert rare["spun_probability"] < model.check(text)["spun_probability"]
    with pytest.raises(ValueError, match="spun_share must be a number from 0.001 to 0.999"):
        model.check(text, spun_share=1)
    with pytest.raises(ValueError, match="min_spun_probability"):
        model.restore(text, min_spun_probability=float("nan"))


def test_a_learned_channel_is_check_channel(model, tmp_path):
    table = tmp_path / "farm.tsv"
    table.write_text("original\tspun\tcount\nsaid\tstated\t183\nsaid\tsaid\t61\n"
                     "also\tadditionally\t24\n")
    text = ("The mayor stated that the primary concern was the cost of the bridge repairs. "
            "The council additionally stated that a vote would come next week.\n")
    learned = unspin.Model.open(model.path, channel=str(table))
    result = learned.check(text)
    assert result == json.loads(
        cli("check", "--json", "--channel", str(table), input=text).stdout)
    assert result != model.check(text)
    assert result["restored"].count("said") == 2
    with pytest.raises(FileNotFoundError):
        unspin.Model.open(model.path, channel=str(tmp_path / "absent.tsv"))


def test_check_result_has_the_documented_fields(model):
    result = model.check(SPUN)
    assert result["verdict"] == "judged"
    assert [span["original"] for span in result["spans"]] == ["said", "needed"]
    assert all(span["restored"] for span in result["spans"])
    assert result["restored"].startswith("Council members said they needed")


def test_restore_is_restore(model):
    text = spin(wordnet_documents(1, skip=7)[0])
    assert model.restore(text) == cli("restore", input=text).stdout
    assert model.restore(SPUN) == model.check(SPUN)["restored"]


def test_text_that_cannot_be_utf8_is_refused(model, archive):
    documents, root, _ = archive
    index = unspin.Index.build(documents[:3], str(root / "utf8-idx"), model)
    for call in (model.check, model.restore, index.find):
        with pytest.raises(ValueError, match="surrogate"):
            call("lone surrogate \udcff")
    with pytest.raises(TypeError):
        model.check(b"bytes, not a str")


def test_check_releases_the_gil(model):
    text = " ".join(wordnet_documents(40, skip=20))
    start = time.monotonic()
    model.check(text)
    one_check = time.monotonic() - start
    noise = os.urandom(1 << 20)

    def compress_for(seconds):
        # zlib releases the GIL while it compresses: the yardstick.
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            zlib.compress(noise, 9)

    def share_of_time_this_thread_ran(work):
        # While another thread works, this loop runs in every short gap it
        # gets; work holding the GIL leaves it only the moments the other
        # thread spends in Python.
        gaps = []
        worker = threading.Thread(target=work)
        start = last = time.monotonic()
        worker.start()
        while worker.is_alive():
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        return sum(gap for gap in gaps if gap < 0.005) / (last - start)

    # Measured against work known to release the GIL, in the same minutes, so
    # that load elsewhere on the machine (which slows this loop either way)
    # does not decide; the best of three rounds.
    ratios = []
    for _ in range(3):
        checking = share_of_time_this_thread_ran(lambda: [model.check(text) for _ in range(3)])
        compressing = share_of_time_this_thread_ran(lambda: compress_for(3 * one_check))
        ratios.append(checking / max(compressing, 1e-9))
    assert max(ratios) > 0.5, ratios


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    documents = [(f"doc-{k:03d}", text) for k, text in enumerate(wordnet_documents(60))]
    root = tmp_path_factory.mktemp("archive")
    jsonl = root / "archive.jsonl"
    jsonl.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in documents))
    return documents, root, jsonl


def test_find_is_find_json(model, archive):
    documents, root, jsonl = archive
    index = unspin.Index.build(documents, str(root / "py-idx"), model)
    assert len(index) == 60 and index.shards == [str(root / "py-idx")]
    cli("index", "build", "--out", str(root / "cli-idx"), str(jsonl))
    query = spin(documents[17][1])
    assert query != documents[17][1]
    matches = index.find(query, k=3)
    assert matches[0]["id"] == "doc-017"
    assert any(block["substitutions"] for block in matches[0]["alignment"])
    theirs = json.loads(cli("find", "--index", str(root / "cli-idx"), "--json", "-k", "3",
                            input=query).stdout)["matches"]
    assert matches == theirs
    # Either index serves either side: the same model, the same format.
    assert unspin.Index.open(str(root / "cli-idx"), model).find(query, k=3) == matches


def test_shards_are_queried_as_one(model, archive):
    documents, root, _ = archive
    whole = unspin.Index.build(documents, str(root / "whole"), model)
    (root / "sharded").mkdir()
    for k in range(3):
        unspin.Index.build(documents[k::3], str(root / "sharded" / f"shard-{k}"), model)
    sharded = unspin.Index.open(str(root / "sharded"), model)
    assert len(sharded.shards) == 3 and len(sharded) == len(documents)
    for source in (4, 17, 41):
        query = spin(documents[source][1])
        best_whole, best_sharded = whole.find(query, k=1)[0], sharded.find(query, k=1)[0]
        assert best_sharded == best_whole
        assert best_sharded["id"] == f"doc-{source:03d}"


def test_build_refuses_bad_documents_and_keeps_the_index(model, archive, tmp_path):
    documents, _, _ = archive
    out = str(tmp_path / "idx")
    unspin.Index.build(documents[:5], out, model)
    with pytest.raises(ValueError, match="doc-001"):
        unspin.Index.build([documents[1], documents[1]], out, model)
    with pytest.raises(ValueError, match="no documents"):
        unspin.Index.build([], out, model)
    with pytest.raises(TypeError):
        unspin.Index.build(["not a pair"], out, model)
    assert len(unspin.Index.open(out, model)) == 5


def test_a_failed_build_into_a_new_directory_leaves_none(model, archive, tmp_path):
    documents, _, _ = archive

    def broken():
        yield documents[0]
        raise RuntimeError("the source of the documents failed")

    failing = [(broken(), RuntimeError), ([documents[0], documents[0]], ValueError),
               ([], ValueError), ([(1, "a text")], TypeError), ([("id", None)], TypeError)]
    for given, error in failing:
        out = tmp_path / "new-idx"
        with pytest.raises(error):
            unspin.Index.build(given, str(out), model)
        assert not out.exists(), f"{given!r} left {sorted(os.listdir(out))}"


def test_an_index_of_another_model_or_none_is_refused(model, tmp_path):
    with pytest.raises(FileNotFoundError):
        unspin.Index.open(str(tmp_path / "nothing"), model)


def test_scan_writes_what_unspin_scan_writes(model, tmp_path):
    inputs = []
    for k, text in enumerate(wordnet_documents(4, skip=30)):
        path = tmp_path / f"page-{k}.txt"
        path.write_text(text)
        inputs.append(str(path))
    summary = unspin.scan(inputs, str(tmp_path / "py.jsonl"), model=model, threads=2)
    assert summary["documents"] == 4
    cli("scan", *inputs, "--out", str(tmp_path / "cli.jsonl"))
    assert (tmp_path / "py.jsonl").read_bytes() == (tmp_path / "cli.jsonl").read_bytes()
    again = unspin.scan(inputs, str(tmp_path / "py.jsonl"), model=model)
    assert again["documents"] == 0 and again["resumed"] == 4
    with pytest.raises(ValueError):
        unspin.scan(inputs, inputs[0], model=model)


def test_scan_finds_sources_in_shards_as_in_one_index(model, archive, tmp_path):
    documents, root, jsonl = archive
    inputs = []
    for source in (2, 29, 50):
        path = tmp_path / f"copy-of-{source}.txt"
        path.write_text(spin(documents[source][1], seed=source))
        inputs.append(str(path))
    cli("index", "build", "--out", str(tmp_path / "whole"), str(jsonl))
    (tmp_path / "sharded").mkdir()
    for k in range(2):
        unspin.Index.build(documents[k::2], str(tmp_path / "sharded" / f"shard-{k}"), model)
    cli("scan", *inputs, "--out", str(tmp_path / "cli.jsonl"), "--index", str(tmp_path / "whole"))
    unspin.scan(inputs, str(tmp_path / "py.jsonl"),
                index=unspin.Index.open(str(tmp_path / "sharded"), model))
    sources = [[json.loads(line)["source"] for line in result_lines(str(tmp_path / name))]
               for name in ("cli.jsonl", "py.jsonl")]
    assert sources[0] == sources[1]
    assert [source["id"] for source in sources[0]] == ["doc-002", "doc-029", "doc-050"]
