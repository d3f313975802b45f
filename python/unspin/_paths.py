"""Where Model.open() finds the default model: the CLI's rules (README,
"model build"), from the package's directory instead of the binary's.

$UNSPIN_MODEL, else the first of these that exists:
- en-us.unspin inside the package (`pip install .` ships it there);
- the build tree's model/en-us.unspin (the package is build/<preset>/python/unspin);
- the installed <prefix>/share/unspin/en-us.unspin (`cmake --install`).
The build tree's comes first when a CMakeCache.txt says the package is in one.
"""

import os
from pathlib import Path

from unspin._layout import INSTALLED_MODEL_FROM_PACKAGE

MODEL_NAME = "en-us.unspin"


def model_candidates(package_dir: Path) -> list[Path]:
    packaged = package_dir / MODEL_NAME
    build_root = package_dir.parent.parent
    build_tree = build_root / "model" / MODEL_NAME
    installed = Path(os.path.normpath(package_dir / INSTALLED_MODEL_FROM_PACKAGE))
    if (build_root / "CMakeCache.txt").exists():
        return [packaged, build_tree, installed]
    return [packaged, installed, build_tree]


def default_model_path() -> str:
    named = os.environ.get("UNSPIN_MODEL")
    if named:
        return named
    candidates = model_candidates(Path(__file__).resolve().parent)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    looked = " or ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(
        f"no model at {looked} (build it with: unspin model build -o {candidates[1]}, "
        "or name one: unspin.Model.open(path) or UNSPIN_MODEL)")
