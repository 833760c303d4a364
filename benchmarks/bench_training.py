"""The training engine against the seed's recipe, side by side in one run, on all 60,000 MNIST images.

Prints:
- the seed's recipe (SGD, batch 32, float32 numpy arrays into `fit`) per epoch;
- the Book preset through the engine (the same math: SGD, batch 32, shuffled each epoch) per epoch;
- the Fast preset's time to 99 % test accuracy, and its final accuracy
  (target: at least 99.0 % within three epochs' time of the seed's recipe);
- the memory one epoch adds at its peak to a process that has TensorFlow and
  MNIST loaded, and what it keeps afterwards, for the seed's recipe and the
  Book preset (target for the engine: at most 350 MB added at peak).

Each measurement runs in a fresh process, so none inherits another's memory
or warm caches. Needs MNIST_PATH (or internet for Keras's download).
Run: .venv/bin/python benchmarks/bench_training.py [--seed N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak() -> None:
    """Make VmHWM (the peak resident size) start again from the current size."""
    Path("/proc/self/clear_refs").write_text("5")


def seed_recipe(epochs: int) -> dict:
    """The seed's engine: float32 copies of the whole set, numpy into fit, SGD at batch 32."""
    import keras

    from lib.engine.data import as_model_input, load_mnist
    from lib.engine.models import build_model

    (x_train, y_train), (x_test, y_test) = load_mnist()
    before = rss_mb()
    reset_peak()
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    keras.utils.set_random_seed(42)
    model = build_model("lenet5")
    model.compile(optimizer=keras.optimizers.SGD(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(as_model_input(x_train), y_train, batch_size=32, epochs=epochs, shuffle=True, verbose=0,
              validation_data=(as_model_input(x_test), y_test), validation_batch_size=1024, callbacks=[Timer()])
    return {"seconds": times, "peak_added_mb": rss_mb("VmHWM") - before, "kept_mb": rss_mb() - before}


def engine(preset: str, epochs: int | None, seed: int) -> dict:
    import tempfile

    import keras  # noqa: F401 - TensorFlow and Keras are loaded before the baseline, as in seed_recipe

    from lib.engine.config import PRESETS, TrainingConfig
    from lib.engine.data import load_mnist
    from lib.engine.training import train
    from lib.engine.training_data import Dataset

    (x_train, y_train), (x_test, y_test) = load_mnist()
    data = Dataset(x_train, y_train, x_test, y_test)
    values = {**PRESETS[preset], "seed": seed}
    if epochs:
        values["epochs"] = epochs
    before = rss_mb()
    reset_peak()
    with tempfile.TemporaryDirectory() as out:
        result = train(TrainingConfig(**values), data=data, out_dir=Path(out))
    return {"history": result.history, "test_accuracy": result.metrics.get("test_accuracy"),
            "peak_added_mb": rss_mb("VmHWM") - before, "kept_mb": rss_mb() - before}


def in_fresh_process(*arguments) -> dict:
    output = subprocess.run([sys.executable, __file__, "--worker", *arguments], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42, help="seed of the Fast preset's run")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        kind, *rest = arguments.worker
        result = seed_recipe(int(rest[0])) if kind == "seed" else engine(rest[0], int(rest[1]) or None, int(rest[2]))
        print(json.dumps(result))
        return

    seed = in_fresh_process("seed", "2")
    book = in_fresh_process("engine", "Book", "2", "42")
    fast = in_fresh_process("engine", "Fast", "0", str(arguments.seed))
    seed_epoch = min(seed["seconds"])  # the first epoch also traces the graph; the best one is the fair one
    book_epoch = min(row["seconds"] for row in book["history"])
    elapsed, reached = 0.0, None
    for row in fast["history"]:
        elapsed += row["seconds"]
        if reached is None and row.get("val_accuracy", 0) >= 0.99:
            reached = elapsed
    book_epochs = ", ".join(f"{row['seconds']:.2f}" for row in book["history"])
    print(f"seed's recipe (SGD, batch 32, numpy into fit): {seed_epoch:5.2f} s per epoch "
          f"(epochs: {', '.join(f'{t:.2f}' for t in seed['seconds'])})")
    print(f"Book preset through the engine:                {book_epoch:5.2f} s per epoch "
          f"(epochs: {book_epochs}), "
          f"ratio to the seed's recipe {book_epoch / seed_epoch:.2f}")
    budget = 3 * seed_epoch
    reached_text = f"{reached:5.2f} s" if reached is not None else "never"
    print(f"Fast preset (seed {arguments.seed}):                      99 % after {reached_text} "
          f"(budget: 3 seed epochs = {budget:.2f} s), final test accuracy {fast['test_accuracy']:.2%}, "
          f"{sum(row['seconds'] for row in fast['history']):.2f} s in all")
    print(f"memory added by one epoch at its peak:         seed's recipe {seed['peak_added_mb']:6.0f} MB "
          f"(kept after: {seed['kept_mb']:.0f} MB); Book preset {book['peak_added_mb']:6.0f} MB "
          f"(kept after: {book['kept_mb']:.0f} MB)")
    met = (reached is not None and reached <= budget and fast["test_accuracy"] >= 0.99
           and book["peak_added_mb"] <= 350 and book_epoch <= seed_epoch)
    print("targets met" if met else "targets NOT met")


if __name__ == "__main__":
    main()
