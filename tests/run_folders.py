"""Run folders written straight to disk for tests: the files lib.runs.store reads, with a model of any size."""

import json

from lib.runs.store import history_csv

HISTORY = [{"epoch": 1, "loss": 0.5, "accuracy": 0.8, "val_loss": 0.4, "val_accuracy": 0.85, "learning_rate": 0.01,
            "seconds": 3.0}]


def make_run(folder, run_id, name=None, size=0, status="finished", model=None, config=None, history=None):
    """A run folder `folder/run_id`; its model.keras is `size` zero bytes, or a copy of the file `model`. `config`
    adds to (or replaces) its config's fields; `history` replaces its one epoch."""
    path = folder / run_id
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"name": name or run_id, "optimizer": "adam", **(config or {})}))
    (path / "metrics.json").write_text(json.dumps({"status": status, "test_accuracy": 0.9}))
    (path / "history.csv").write_text(history_csv(history or HISTORY))
    (path / "model.keras").write_bytes(model.read_bytes() if model else b"\0" * size)
    return path
