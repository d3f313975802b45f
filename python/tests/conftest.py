"""Shared fixtures of the Python tests: the model (found as the module finds
it), the CLI to compare with (UNSPIN_BINARY, set by CTest) and generated
documents from Debian's WordNet (what tests/common/wordnet_text.h uses)."""

import json
import os
import subprocess

import pytest

import unspin

WORDNET_NOUNS = "/usr/share/wordnet/data.noun"


def wordnet_documents(count: int, glosses_per_document: int = 12, skip: int = 0) -> list[str]:
    """Documents of consecutive WordNet noun glosses written out as sentences:
    deterministic, neighbours share a topic but no sentence."""
    sentences = []
    needed = (count + skip) * glosses_per_document
    with open(WORDNET_NOUNS, encoding="utf-8", errors="replace") as data:
        for line in data:
            if line.startswith(" ") or "|" not in line:
                continue
            gloss = line.split("|", 1)[1].strip()
            parts = [p.strip(' "') for p in gloss.split(";") if p.strip(' "')]
            if not parts or not all(p.isascii() for p in parts):
                continue
            sentence = " ".join(p[0].upper() + p[1:] + ("" if p[-1] in ".!?" else ".")
                                for p in parts)
            sentences.append(sentence)
            if len(sentences) == needed:
                break
    documents = [" ".join(sentences[i:i + glosses_per_document])
                 for i in range(0, needed, glosses_per_document)]
    return documents[skip:]


def cli(*args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([os.environ["UNSPIN_BINARY"], *args], input=input, capture_output=True,
                          text=True, check=check)


@pytest.fixture(scope="session")
def model() -> unspin.Model:
    return unspin.Model.open()


def spin(text: str, seed: int = 1) -> str:
    """The text spun by unspin's own adversary (`unspin simulate`, thesaurus style)."""
    return cli("simulate", "--style", "thesaurus", "--seed", str(seed), input=text).stdout


def result_lines(path: str) -> list[str]:
    """The result lines of an `unspin scan` results file (its header left out)."""
    with open(path, encoding="utf-8") as results:
        lines = results.read().splitlines()
    assert json.loads(lines[0])["unspin_scan"] == 2
    return lines[1:]
