"""Per-file test durations from pytest's `--durations=0` report: a table for the README, and tests/durations.json.

    .venv/bin/python -m pytest --durations=0 -q ... > run.log
    .venv/bin/python scripts/test_durations.py run.log                # the 30 slowest files, as a Markdown table
    .venv/bin/python scripts/test_durations.py run.log --before old.log   # the same files, before and after
    .venv/bin/python scripts/test_durations.py run.log --write        # also tests/durations.json

tests/durations.json is what the xdist scheduler (tests/conftest.py) starts the slowest files with, so that no
long file is left to run alone at the end; a file missing from it (a new one) is scheduled after them, in its
usual order. Its seconds are setup, call and teardown together, in one process.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATIONS = ROOT / "tests" / "durations.json"
LINE = re.compile(r"^\s*([0-9.]+)s\s+(setup|call|teardown)\s+(\S+?\.py)(::\S.*)?$")


def per_file(log: Path) -> dict[str, float]:
    """Seconds per test file in a `--durations=0` report (pytest leaves out entries under 0.005 s)."""
    totals: dict[str, float] = defaultdict(float)
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = LINE.match(line)
        if match:
            totals[match.group(3)] += float(match.group(1))
    return dict(totals)


def table(after: dict[str, float], before: dict[str, float] | None, top: int) -> str:
    ranked = sorted(before or after, key=lambda name: -(before or after)[name])[:top]
    if before is None:
        rows = ["| file | seconds |", "| --- | ---: |"]
        rows += [f"| `{name}` | {after[name]:.1f} |" for name in ranked]
        rows.append(f"| all files | {sum(after.values()):.1f} |")
        return "\n".join(rows)
    rows = ["| file | before (s) | after (s) |", "| --- | ---: | ---: |"]
    rows += [f"| `{name}` | {before[name]:.1f} | {after[name]:.1f} |" if name in after
             else f"| `{name}` | {before[name]:.1f} | gone |" for name in ranked]
    rows.append(f"| all files | {sum(before.values()):.1f} | {sum(after.values()):.1f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="pytest's output with --durations=0")
    parser.add_argument("--before", type=Path, help="an earlier run's output, for a before/after table")
    parser.add_argument("--top", type=int, default=30, help="how many of the slowest files to list")
    parser.add_argument("--write", action="store_true", help=f"write {DURATIONS.relative_to(ROOT)}")
    options = parser.parse_args(argv)
    after = per_file(options.log)
    if not after:
        print(f"error: no --durations=0 report in {options.log}", file=sys.stderr)
        return 1
    before = per_file(options.before) if options.before else None
    print(table(after, before, options.top))
    if options.write:
        rounded = {name: round(seconds, 1) for name, seconds in sorted(after.items())}
        DURATIONS.write_text(json.dumps(rounded, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
