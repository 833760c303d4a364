"""What a class board shows: a handed-in run's snapshot, the board's rows, and the sentences read off them.

A handed-in entry is a copy of the few numbers and words of a finished run that anyone in the class may see:
who handed it in (their display name), the run's name, optimizer, regularizers, preset, best and final validation
accuracy, its per-epoch curves and when it was handed in. Never a path, a run folder or a workspace token: the
board is projected and read by every student (lib.runs.classes keeps the entries; this module makes and reads
them and imports nothing of the class store).
"""

from __future__ import annotations

import math
import unicodedata

from lib.engine.config import OWN_DATA_PRESETS, PRESET_LABELS, PRESETS
from lib.i18n import N_, _, ngettext
from lib.runs.labels import describe_config, label_word, regularizer_names
from lib.runs.store import Run

# Longest texts a board shows: a display name typed on the join form, a run's name (its config allows 200).
MAX_DISPLAY_NAME = 40
MAX_RUN_NAME = 200
MAX_TITLE = 80
# The config fields a board's recipe keeps (describe_config reads them): numbers and choices, never a path.
RECIPE_FIELDS = ("model", "optimizer", "learning_rate", "lr_schedule", "epochs", "train_samples", "batch_size",
                 "l1", "l2", "dropout", "batch_norm", "augment", "early_stopping")
CURVE_KEYS = ("val_accuracy", "accuracy")
# Every open board rereads its class's file: a 1,000-epoch run keeps this many evenly spaced epochs of its curves
# (the first and the last among them), which a chart's width shows as well as all of them.
MAX_CURVE_POINTS = 200
EARLY_STOPPING = N_("early stopping")
# Bidirectional overrides and isolates reorder what follows them on screen: a name could pose as another's.
_BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class BoardTextError(ValueError):
    """A title or name typed for a class is empty, too long or holds control characters; one line says which."""


def checked_text(value, longest: int, what: str) -> str:
    """`value` stripped, if it is 1 to `longest` characters with no control character; BoardTextError if not.

    `what` names the text in the refusal ("display name"), already translated."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise BoardTextError(_("The {what} is empty: type one.").format(what=what))
    if len(text) > longest:
        raise BoardTextError(_("The {what} is {length} characters long; at most {longest} are allowed.").format(
            what=what, length=len(text), longest=longest))
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI_CONTROLS for ch in text):
        raise BoardTextError(_("The {what} holds a control character (a line break, a tab or an invisible "
                               "direction mark); use letters, digits and punctuation.").format(what=what))
    return text


def preset_of(config: dict) -> str | None:
    """The preset a config starts from (every value it sets is the config's), or None: the most specific one when
    several match. Own-classes presets are for runs on own data, the others for MNIST runs."""
    own = bool(config.get("data"))
    matches = [name for name, values in PRESETS.items()
               if (name in OWN_DATA_PRESETS) == own and all(config.get(key) == value for key, value in values.items())]
    return max(matches, key=lambda name: len(PRESETS[name]), default=None)


def preset_label(preset: str | None) -> str:
    """A stored entry's preset as a person reads it, translated: an id, or a label (entries handed in before the
    presets had ids), or "—" for none."""
    return _(PRESET_LABELS.get(preset, preset)) if preset else "—"


def _finite(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def snapshot_refusal(run: Run) -> str | None:
    """Why `run` cannot be handed in (one line), or None when it can."""
    if run.metrics.get("status") != "finished":
        return _("Only a finished run can be handed in; {run} did not finish.").format(run=run.run_id)
    if run.trained_on_own_data:
        return _("Only runs on MNIST can be handed in: a run on your own classes is not comparable with the "
                 "class's.")
    if not any(_finite(row.get("val_accuracy")) is not None for row in run.history):
        return _("This run has no validation accuracy to show on the board.")
    name = run.config.get("name") or ""
    try:
        if name:
            checked_text(name, MAX_RUN_NAME, _("run name"))
    except BoardTextError as error:
        return _("{error} Rename the run on the History page first.").format(error=error)
    return None


def curve_rows(history: list[dict], most: int = MAX_CURVE_POINTS) -> list[dict]:
    """At most `most` epochs of a history, evenly spaced, the first and the last included."""
    if len(history) <= most:
        return history
    step = (len(history) - 1) / (most - 1)
    return [history[round(index * step)] for index in range(most)]


def snapshot(run: Run) -> dict:
    """The public part of a finished run, as a board entry keeps it (the caller adds who and when).

    ValueError with a one-line message for a run that cannot be handed in (see `snapshot_refusal`)."""
    if refusal := snapshot_refusal(run):
        raise ValueError(refusal)
    rows = [row for row in run.history if _finite(row.get("val_accuracy")) is not None]
    best = max(rows, key=lambda row: row["val_accuracy"])
    recipe = {key: run.config[key] for key in RECIPE_FIELDS
              if isinstance(run.config.get(key), (str, int, float, bool, type(None))) and key in run.config}
    return {
        "run_id": run.run_id,
        "run_name": run.config.get("name") or "",
        "recipe": recipe,
        "optimizer": str(run.config.get("optimizer") or ""),
        "regularizers": regularizer_names(run.config) + (["early stopping"] if run.config.get("early_stopping") else []),
        "preset": preset_of(run.config),
        "best_val_accuracy": float(best["val_accuracy"]),
        "best_epoch": int(best["epoch"]),
        "final_val_accuracy": float(rows[-1]["val_accuracy"]),
        "epochs": len(run.history),
        "curves": {"epoch": [int(row["epoch"]) for row in curve_rows(run.history)],
                   **{key: [_finite(row.get(key)) for row in curve_rows(run.history)] for key in CURVE_KEYS}},
    }


def run_name(entry: dict) -> str:
    """What the board calls a run: its name, else its recipe in the reader's language."""
    return entry.get("run_name") or describe_config(entry.get("recipe") or {}) or entry.get("optimizer") or "?"


def regularizers_text(entry: dict) -> str:
    words = [_(EARLY_STOPPING) if word == "early stopping" else label_word(word) for word in entry["regularizers"]]
    return " + ".join(words) if words else _(label_word("no regularization"))


def board_rows(entries: list[dict]) -> list[dict]:
    """The board's table: one row per entry, best final accuracy first, keyed by English column ids."""
    ordered = sorted(entries, key=lambda entry: (-entry["final_val_accuracy"], entry["handed_in"]))
    return [{"student": entry["name"], "run": run_name(entry), "optimizer": entry["optimizer"],
             "regularizers": regularizers_text(entry), "preset": preset_label(entry["preset"]),
             "best val accuracy": entry["best_val_accuracy"], "best epoch": entry["best_epoch"],
             "final val accuracy": entry["final_val_accuracy"], "epochs": entry["epochs"],
             "handed in": entry["handed_in"]} for entry in ordered]


def board_summary(entries: list[dict], students: int, show=str) -> str:
    """One sentence on the board: how many runs from how many students, and whose run ends best. The names people
    typed go through `show` (lib.plain_text.plain where the sentence is Markdown)."""
    if not entries:
        return ngettext("{students} student has joined; no run has been handed in yet.",
                        "{students} students have joined; no run has been handed in yet.", students).format(
            students=students)
    handing_in = len({entry["member"] for entry in entries})
    top = max(entries, key=lambda entry: (entry["final_val_accuracy"], -entry["handed_in"]))
    runs = ngettext("{n} run", "{n} runs", len(entries)).format(n=len(entries))
    sentence = ngettext("{runs} from {n} student.", "{runs} from {n} students.", handing_in).format(
        runs=runs, n=handing_in)
    return " ".join([sentence, _("The best final validation accuracy is {accuracy:.2%}: {run} by {student} "
                                 "({optimizer}).").format(accuracy=top["final_val_accuracy"], run=show(run_name(top)),
                                                          student=show(top["name"]), optimizer=top["optimizer"])])


def optimizer_summary(entries: list[dict]) -> str | None:
    """Which optimizer's runs end best on average, when the board holds runs of at least two optimizers."""
    finals: dict[str, list[float]] = {}
    for entry in entries:
        finals.setdefault(entry["optimizer"], []).append(entry["final_val_accuracy"])
    if len(finals) < 2:
        return None
    means = sorted(((sum(values) / len(values), name, len(values)) for name, values in finals.items()), reverse=True)
    (best, name, count), (worst, last_name, _count) = means[0], means[-1]
    return ngettext("On average, {optimizer} ends best ({mean:.2%} over {n} run); {last} ends lowest ({low:.2%}).",
                    "On average, {optimizer} ends best ({mean:.2%} over {n} runs); {last} ends lowest ({low:.2%}).",
                    count).format(optimizer=name, mean=best, n=count, last=last_name, low=worst)
