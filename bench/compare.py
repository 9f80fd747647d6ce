"""Run one benchmark script on an earlier revision and on this tree, in turns,
in one run: the before/after figures a change is judged by (same machine,
same minute, so a busy machine slows both alike).

    python bench/compare.py REV bench/bus.py [--rounds 2] [-- ARGS...]

REV is checked out in a temporary git worktree; the benchmark there imports
that revision's `hub` (each script puts its own tree first on sys.path).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the earlier revision (a commit, tag or branch)")
    parser.add_argument("script", help="the benchmark, relative to the repository")
    parser.add_argument("--rounds", type=int, default=2, help="before/after pairs")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    options, args = parser.parse_args(argv[:cut]), argv[cut + 1 :]  # after --: the script's
    print(f"$ {shlex.join(['python', *sys.argv])}")
    with tempfile.TemporaryDirectory(prefix="sigap-before-") as folder:
        before = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(before), options.rev],
            check=True,
        )
        try:
            for round_ in range(1, options.rounds + 1):
                for label, tree in (("before", before), ("after", ROOT)):
                    print(f"\n===== round {round_}: {label} ({_describe(tree)}) =====", flush=True)
                    subprocess.run([sys.executable, str(tree / options.script), *args], check=True)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False
            )
    return 0


def _describe(tree: Path) -> str:
    result = subprocess.run(
        ["git", "-C", str(tree), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    )
    line = result.stdout.strip() or str(tree)
    return line if len(line) <= 70 else line[:67] + "..."


if __name__ == "__main__":
    sys.exit(main())
