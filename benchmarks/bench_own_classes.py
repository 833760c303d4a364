"""Your own classes, measured: the issue's judging check, the small-data presets, and the training speed.

    python benchmarks/bench_own_classes.py judge     # CLI on a zip of shapes, held-out folder of both polarities
    python benchmarks/bench_own_classes.py presets   # each own-data preset on 10, 20 and 30 examples per class
    python benchmarks/bench_own_classes.py speed     # 4 classes x 60 examples, 40 epochs; and the estimate

`judge` trains `python -m lib.cli --data shapes.zip --test-data held-out/` with nothing else (the own-data preset)
on drawn shapes that are not digits (tests/shape_drawings.py: circle, cross, square, triangle at random size,
place, stroke and rotation; 50 per class in mixed polarities, sizes and formats), and tests on a held-out folder
of dark-on-light 64 x 64 and light-on-dark 200 x 150 images in PNG, JPEG and BMP. `presets` also trains on
MNIST's digits 0-2 (needs MNIST_PATH) and tests on 300 test digits of each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.engine.config import PRESETS, TrainingConfig
from tests.shape_drawings import TRAINING_LOOKS, held_out_files, shape_files, shape_zip, write_shape_folder

OWN_PRESETS = [name for name in PRESETS if name.startswith("Own classes")]


def judge(per_class: int, held_per_look: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = root / "shapes.zip"
        data.write_bytes(shape_zip(shape_files(per_class, seed, **TRAINING_LOOKS), top="shapes"))
        held = write_shape_folder(root / "held-out", held_out_files(held_per_look, seed + 1000))
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "lib.cli", "--data", str(data), "--test-data", str(held),
                                 "--out", str(root / "runs")], cwd=ROOT, capture_output=True, text=True)
        total = time.perf_counter() - started
        if result.returncode:
            raise SystemExit(result.stderr)
        (run,) = (root / "runs").iterdir()
        metrics = json.loads((run / "metrics.json").read_text())
    return {"seed": seed, "test_accuracy": metrics["test_accuracy"], "held_out": sum(map(sum, metrics["confusion_matrix"])),
            "training_seconds": metrics["wall_seconds"], "command_seconds": round(total, 1),
            "confusion_matrix": metrics["confusion_matrix"]}


def accuracy_of(result, images, labels) -> float:
    from lib.keras_views.predict import Classifier

    return float((Classifier(result.path / "model.keras").predict_proba(images).argmax(axis=1) == labels).mean())


def presets(seeds: list[int]) -> None:
    import numpy as np

    from lib.engine.data import load_mnist
    from lib.engine.image_sets import load_image_set
    from lib.engine.labelled_images import image_set_zip_bytes, mnist_subset
    from lib.engine.training import train

    (_x, _y), (x_test, y_test) = load_mnist()
    digits = np.concatenate([np.flatnonzero(y_test == digit)[:300] for digit in range(3)])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        held = load_image_set(write_shape_folder(root / "held", held_out_files(25, 999)))
        for per_class in (10, 20, 30):
            for seed in seeds:
                sets = {"shapes": (shape_zip(shape_files(per_class, seed, **TRAINING_LOOKS)), held.images, held.labels),
                        "digits 0-2": (image_set_zip_bytes(mnist_subset(per_class=per_class, seed=seed)),
                                       x_test[digits], y_test[digits].astype(np.int64))}
                for set_name, (zipped, images, labels) in sets.items():
                    path = root / f"{set_name}-{per_class}-{seed}.zip"
                    path.write_bytes(zipped)
                    for preset in OWN_PRESETS:
                        config = TrainingConfig(**PRESETS[preset], data=str(path), seed=seed)
                        result = train(config, out_dir=root / "runs")
                        print(json.dumps({"preset": preset, "set": set_name, "per_class": per_class, "seed": seed,
                                          "held_out_accuracy": round(accuracy_of(result, images, labels), 4),
                                          "validation_accuracy": round(result.metrics["test_accuracy"], 4),
                                          "seconds": result.metrics["wall_seconds"]}), flush=True)


def speed() -> None:
    from lib.engine.estimate import START_SECONDS, estimated_seconds
    from lib.engine.training import train

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = root / "shapes.zip"
        data.write_bytes(shape_zip(shape_files(60, 0, **TRAINING_LOOKS)))
        for augment in (False, True):
            for model in ("lenet5", "dense"):
                config = TrainingConfig(data=str(data), optimizer="adam", batch_size=16, epochs=40, augment=augment,
                                        model=model)
                started = time.perf_counter()
                result = train(config, out_dir=root / "runs")
                print(json.dumps({"model": model, "augment": augment, "examples": 240, "epochs": 40,
                                  "training_seconds": result.metrics["wall_seconds"],
                                  "with_loading_and_saving": round(time.perf_counter() - started, 2),
                                  # the estimate is of the whole command: here TensorFlow has started already
                                  "estimated_seconds": round(estimated_seconds(config, 240) - START_SECONDS, 1)}),
                      flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("judge", "presets", "speed"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--per-class", type=int, default=50)
    parser.add_argument("--held-out", type=int, default=30, help="held-out images per class of each look")
    arguments = parser.parse_args()
    from lib.engine.resources import size_tensorflow_threads

    size_tensorflow_threads()
    if arguments.mode == "judge":
        for seed in arguments.seeds:
            print(json.dumps(judge(arguments.per_class, arguments.held_out, seed)), flush=True)
    elif arguments.mode == "presets":
        presets(arguments.seeds)
    else:
        speed()


if __name__ == "__main__":
    main()
