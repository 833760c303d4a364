"""Comment lines for the generated programs, wrapped to fit a code panel at 1280 pixels."""

from __future__ import annotations

import unicodedata

WIDTH = 90  # columns of monospace text a code panel shows without scrolling; Korean letters take two


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def wrap_comments(cell: str, width: int = WIDTH) -> str:
    """`cell` with every whole-line comment broken between words so that no line is wider than `width` columns
    (a comment after code on its line, and code itself, are left as they are)."""
    lines = []
    for line in cell.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]
        if not line.lstrip().startswith("# ") or _columns(line) <= width:
            lines.append(line)
            continue
        current = indent + "#"
        for word in line.lstrip()[2:].split():
            if current.strip() != "#" and _columns(current) + 1 + _columns(word) > width:
                lines.append(current)
                current = indent + "#"
            current += " " + word
        lines.append(current)
    return "\n".join(lines)
