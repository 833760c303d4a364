"""Reading a run's history back: the checks a history.csv or a Keras CSVLogger file must pass, row by row.

A file without the columns a history needs is refused with a message naming it; a row whose epoch cannot be used
is left out with a note, so one bad line never hides the rest.
"""

from __future__ import annotations

import csv
import io
import math

from lib.i18n import _


class RunReadError(ValueError):
    """A run folder or history file is missing pieces or malformed; the message names it."""


# Epochs above this are refused as nonsense: the app trains at most 1,000 and no CSVLogger file holds a million.
MAX_EPOCH = 1_000_000


def _epoch_problem(value: float) -> str | None:
    """Why an epoch value (as CSVLogger counts, from 0) cannot be used, or None when it can."""
    if not math.isfinite(value):
        return _("not a finite number")
    if value < 0:
        return _("negative")
    if not value.is_integer():
        return _("not a whole number")
    if value > MAX_EPOCH:
        return _("above {limit:,}").format(limit=MAX_EPOCH)
    return None


def parse_history_csv(text: str, name: str) -> tuple[list[dict], list[str]]:
    """Rows of a run's history.csv or a Keras CSVLogger file, as floats, and notes on rows left out.

    Needs an epoch column and at least one of loss/accuracy; other known columns are optional. A row whose epoch
    is blank, not a number, not finite, negative, fractional or absurdly large is skipped with a note; a metric
    that is nan or infinite is left missing. Raises RunReadError naming the file when no usable row remains.
    """
    try:
        reader = csv.DictReader(io.StringIO(text))
        columns = set(reader.fieldnames or ())
        rows = list(reader)
    except csv.Error as error:
        raise RunReadError(_("{name} is not a readable CSV file ({error}).").format(name=name, error=error)) from error
    if "epoch" not in columns or not columns & {"loss", "accuracy"}:
        raise RunReadError(_("{name} needs an 'epoch' column and a 'loss' or 'accuracy' column; it has {columns}.")
                           .format(name=name, columns=", ".join(sorted(columns)) or _("none")))
    if not rows:
        raise RunReadError(_("{name} has no epochs in it.").format(name=name))
    parsed, refused = [], []
    for number, row in enumerate(rows, start=2):
        raw_epoch = (row.get("epoch") or "").strip()
        if not raw_epoch:
            refused.append(_("line {number}: epoch is blank").format(number=number))
            continue
        try:
            epoch = float(raw_epoch)
        except ValueError:
            refused.append(_("line {number}: epoch {epoch!r} is not a number").format(number=number, epoch=raw_epoch))
            continue
        if problem := _epoch_problem(epoch):
            refused.append(_("line {number}: epoch {epoch!r} is {problem}").format(number=number, epoch=raw_epoch,
                                                                                   problem=problem))
            continue
        entry = {"epoch": epoch}
        for key, value in row.items():
            if key in (None, "epoch") or value in (None, ""):
                continue
            try:
                number_value = float(value)
            except ValueError:
                raise RunReadError(_("{name}, line {number}: {column} is {value!r}, not a number.").format(
                    name=name, number=number, column=key, value=value)) from None
            if math.isfinite(number_value):  # nan or inf: the value is missing, as a blank one is
                entry[key] = number_value
        parsed.append(entry)
    if not parsed:
        raise RunReadError(_("{name} has no usable epochs ({lines}).").format(name=name, lines=_first_few(refused)))
    # CSVLogger counts epochs from 0; runs written here count from 1.
    if any(entry["epoch"] == 0 for entry in parsed):
        for entry in parsed:
            entry["epoch"] += 1
    notes = [_("{name}: skipped {skipped:,} of {total:,} rows, their epoch unusable ({lines}).").format(
        name=name, skipped=len(refused), total=len(rows), lines=_first_few(refused))] if refused else []
    return parsed, notes


def _first_few(problems: list[str], shown: int = 3) -> str:
    return "; ".join(problems[:shown]) + ("; ..." if len(problems) > shown else "")

