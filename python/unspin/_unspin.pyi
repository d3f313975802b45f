"""Type stubs of unspin's C++ part (python/binding/). Every method releases
the GIL while the engine works. Errors: ValueError (bad arguments, and a
text with no UTF-8 form: UnicodeEncodeError for a lone surrogate),
FileNotFoundError and OSError (files), FormatError (a damaged model or
index, another format version, an index of another model)."""

from collections.abc import Iterable
from typing import Any

from unspin.results import CheckResult, Match

class FormatError(ValueError): ...

class Model:
    @staticmethod
    def open(path: str | None = None, *, channel: str | None = None) -> Model:
        """Maps a model file and validates it. Without a path: $UNSPIN_MODEL, else
        the default model found as the `unspin` binary finds it (unspin._paths).
        `channel`: a learned table (TSV from `unspin channel learn`) put beside the
        model's own, as `unspin check --channel` does (the fingerprint stays the
        file's)."""
    @property
    def path(self) -> str: ...
    @property
    def fingerprint(self) -> str:
        """8 hex digits identifying the model (the "model" setting of scan results)."""
    def check(
        self,
        text: str,
        *,
        change_cost: float = 3.75,
        min_spun_probability: float = 0.39,
        spun_share: float = 0.5,
    ) -> CheckResult:
        """Exactly what `unspin check --json` prints for the text, as a dict."""
    def restore(
        self,
        text: str,
        *,
        change_cost: float = 3.75,
        min_spun_probability: float = 0.39,
        spun_share: float = 0.5,
    ) -> str:
        """The text with its spun spans restored (`unspin restore`)."""

class Index:
    @staticmethod
    def open(path: str, model: Model | None = None) -> Index:
        """An index directory (`unspin index build`, Index.build), or a directory whose
        subdirectories are the shards of one archive, queried as one. `model` must be
        the one the index was built with (default: Model.open())."""
    @staticmethod
    def build(
        documents: Iterable[tuple[str, str]],
        out: str,
        model: Model | None = None,
        *,
        memory_mb: int = 512,
    ) -> Index:
        """Indexes (id, text) pairs into `out`, replacing what it held only once every
        document is in (atomically). A bad document (duplicate or empty id, empty text)
        raises ValueError and leaves `out` as it was; so does an empty iterable."""
    def find(self, text: str, k: int = 10, min_score: float = 0.3) -> list[Match]:
        """The indexed documents the text copies, best first, at most k: `unspin find
        --json`'s "matches". Over shards: each shard's matches merged by score."""
    @property
    def path(self) -> str: ...
    @property
    def model(self) -> Model: ...
    @property
    def shards(self) -> list[str]:
        """The index directories queried (one unless `path` holds shards)."""
    @property
    def document_count(self) -> int: ...
    def __len__(self) -> int: ...

def scan(
    inputs: list[str],
    out: str,
    *,
    model: Model | None = None,
    index: Index | None = None,
    threads: int = 0,
    overwrite: bool = False,
) -> dict[str, Any]:
    """`unspin scan INPUTS --out OUT [--index] [--threads] [--overwrite]` in this process:
    the same results file (resumed when it holds the same scan's results), and the
    summary as `--summary` writes it. Input errors (a truncated WARC) are in the
    summary's "input_errors"; ValueError when `out` is an input or not a results file."""
