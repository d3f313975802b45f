"""What the Python module's benchmarks share: the arguments [BUILD_DIR] [N] [M]
(a build tree made by scripts/build release, and two counts), and the
`unspin` package of that build tree on sys.path."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse(default_n: int, default_m: int) -> tuple[str, int, int]:
    """(build directory, N, M) from sys.argv; `import unspin` works after it."""
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                            else os.path.join(ROOT, "build/release"))
    n = int(sys.argv[2]) if len(sys.argv) > 2 else default_n
    m = int(sys.argv[3]) if len(sys.argv) > 3 else default_m
    sys.path.insert(0, os.path.join(build, "python"))
    return build, n, m
