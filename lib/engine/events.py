"""The training engine's progress events: what `train` reports while it runs, one class per kind.

The engine builds them, the CLI and the experiments print them for a person
(`progress_printer`), the job registry records them and a training process
sends them up its pipe as JSON (`to_json` / `from_json`).
Every event knows its `kind`; `from_json` refuses anything that is not one.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import ClassVar

from lib.i18n import N_, _


@dataclass(frozen=True)
class StartEvent:
    """Training is about to begin."""

    kind: ClassVar[str] = "start"
    run_id: str
    epochs: int
    batches: int  # per epoch
    parameters: int
    strategy: str
    replicas: int


@dataclass(frozen=True)
class BatchEvent:
    """Progress within an epoch, at most a few times a second.

    loss and accuracy are the means over the batches since the previous batch
    event (not Keras's running mean over the epoch), so a chart of them moves
    as training does.
    """

    kind: ClassVar[str] = "batch"
    epoch: int  # 1-based
    batch: int  # batches done in this epoch
    batches: int
    loss: float
    accuracy: float

    @property
    def position(self) -> float:
        """Where training is, in epochs: 1.5 is half way through the second epoch."""
        return self.epoch - 1 + self.batch / max(self.batches, 1)


@dataclass(frozen=True)
class EpochEvent:
    """An epoch ended; `row` is its line of history.csv (epoch counted from 1)."""

    kind: ClassVar[str] = "epoch"
    row: dict
    epochs: int


@dataclass(frozen=True)
class EvaluateEvent:
    """Training is over; the model is being evaluated on the test set."""

    kind: ClassVar[str] = "evaluate"


@dataclass(frozen=True)
class EndEvent:
    """The run is written (path) or was not (path empty); status is finished, stopped or failed."""

    kind: ClassVar[str] = "end"
    status: str
    message: str
    path: str


Event = StartEvent | BatchEvent | EpochEvent | EvaluateEvent | EndEvent
KINDS: dict[str, type] = {cls.kind: cls for cls in (StartEvent, BatchEvent, EpochEvent, EvaluateEvent, EndEvent)}


def to_json(event: Event) -> str:
    return json.dumps({"kind": event.kind, **dataclasses.asdict(event)})


def from_json(line: str) -> Event:
    """The event a line of JSON describes; ValueError for anything else."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise ValueError(f"not a progress event: {line[:80]!r}")
    cls = KINDS[data.pop("kind")]
    try:
        return cls(**data)
    except TypeError as error:
        raise ValueError(f"malformed {cls.kind} event: {error}") from None


def progress_printer(keras_bar: bool):
    """Prints the engine's events; the epoch lines only when Keras's own progress bar is not shown."""

    def print_progress(event) -> None:
        if isinstance(event, StartEvent):
            print(f"run {event.run_id}: {event.parameters:,} parameters, {event.batches} batches per epoch, "
                  f"strategy {event.strategy} with {event.replicas} replica(s) in sync", flush=True)
        elif isinstance(event, EpochEvent) and not keras_bar:
            row = event.row
            parts = [f"epoch {row['epoch']}/{event.epochs}"]
            parts += [f"{key} {row[key]:.4f}" for key in ("loss", "accuracy", "val_loss", "val_accuracy") if key in row]
            parts += [f"lr {row['learning_rate']:.3g}", f"{row['seconds']:.1f} s"]
            print("  ".join(parts), flush=True)
        elif isinstance(event, EndEvent):
            print(f"{event.status}: {event.message}", flush=True)
            if event.path:
                print(f"run written to {event.path}", flush=True)

    return print_progress


# The sentences a run ends with. The training process writes them in English (it has no reader); pages show
# them in their reader's language with `reworded`.
DIVERGED = N_("The loss became NaN at epoch {epoch}, batch {batch}: training diverged. Try a lower learning rate.")
STOPPED = N_("Stopped by request after {epochs} epoch(s).")
EARLY_STOPPED = N_("Early stopping ended training after epoch {epoch}: {monitor} had not improved for {patience} "
                   "epochs.")
TRAINED = N_("Trained {epochs} epoch(s).")
OUTCOMES = (DIVERGED, STOPPED, EARLY_STOPPED, TRAINED)


def _template_pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ..., text
    return re.compile("".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
                              for index, part in enumerate(parts)))


OUTCOME_PATTERNS = tuple((template, _template_pattern(template)) for template in OUTCOMES)


def reworded(message: str) -> str:
    """A run's closing sentence, written in English by its training process, in the current reader's language
    (what follows the sentence, a note joined to it, is kept as it is)."""
    text = str(message)
    for template, pattern in OUTCOME_PATTERNS:
        match = pattern.match(text)
        if match:
            return _(template).format(**match.groupdict()) + text[match.end():]
    return message
