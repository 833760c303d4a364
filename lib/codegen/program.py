"""A runnable program for what a page shows, as the book would write it, and its notebook.

A page builds a `Program` from the same values it computes with (its controls, its config), never from text
typed twice: the generators in lib/codegen write `import tensorflow as tf` / `import keras` code with spelled-out
layers and keyword arguments, and `literal` turns the page's values into Python source that reads them back
exactly. `checks` names the program's variables and the values the page shows for them, so a test can run the
program in a fresh interpreter and compare (tests/code_programs.py).

Comments are written in the reader's language by the generators (they call `_`); the code itself stays code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The notebook format nbformat writes; a plain dict keeps nbformat out of the import path of every page.
NOTEBOOK_FORMAT = (4, 5)


@dataclass(frozen=True)
class Program:
    """`cells` are the program's parts in order (each one a notebook cell); `checks` maps a variable the
    program leaves behind to the value the page shows for it (numbers, tuples or arrays)."""

    name: str  # a file stem for the downloads: letters, digits and underscores
    title: str  # one line, in the reader's language: the notebook's heading
    cells: tuple[str, ...]
    checks: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"A program's name is a file stem of letters, digits and underscores, not {self.name!r}.")
        if not self.cells:
            raise ValueError("A program needs at least one cell of code.")

    def source(self) -> str:
        """The whole program as one .py file."""
        heading = f"# {self.title}\n"
        return heading + "\n\n".join(cell.strip("\n") for cell in self.cells) + "\n"

    def notebook(self) -> bytes:
        """The program as a Jupyter notebook (nbformat 4): a heading, then one code cell per part."""
        cells = [{"cell_type": "markdown", "id": "title", "metadata": {}, "source": f"# {self.title}"}]
        for number, cell in enumerate(self.cells):
            cells.append({"cell_type": "code", "id": f"cell-{number}", "metadata": {}, "execution_count": None,
                          "outputs": [], "source": cell.strip("\n")})
        notebook = {
            "cells": cells,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": NOTEBOOK_FORMAT[0], "nbformat_minor": NOTEBOOK_FORMAT[1],
        }
        return json.dumps(notebook, indent=1, ensure_ascii=False).encode("utf-8")


def literal(value: Any, decimals: int | None = None) -> str:
    """Python source that evaluates to `value`: numbers exactly (repr round-trips a float), arrays as
    `np.array([...])` one row a line, tuples, lists, dicts, strings and None as themselves. With `decimals`,
    floats are rounded for reading (only where the page itself shows them rounded)."""
    if isinstance(value, np.ndarray):
        return _array_literal(value, decimals)
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not np.isfinite(number):
            raise ValueError(f"{number} has no Python literal a program could read back.")
        if decimals is not None:
            number = round(number, decimals)
        return repr(number)
    if isinstance(value, str) or value is None:
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(item, decimals) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(item, decimals) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(key)}: {literal(item, decimals)}" for key, item in value.items()) + "}"
    raise TypeError(f"No literal for a {type(value).__name__}.")


def _array_literal(array: np.ndarray, decimals: int | None) -> str:
    dtype = "" if array.dtype.kind == "f" and array.dtype == np.float64 else f", dtype=np.{array.dtype.name}"
    if array.ndim == 0:
        return f"np.array({literal(array.item(), decimals)}{dtype})"
    if array.ndim == 1:
        return f"np.array({literal(array.tolist(), decimals)}{dtype})"
    rows = ",\n    ".join(literal(row.tolist(), decimals) for row in array.reshape(-1, array.shape[-1]))
    body = f"np.array([\n    {rows},\n]{dtype})"
    if array.ndim > 2:
        body += f".reshape({literal(tuple(array.shape))})"
    return body
