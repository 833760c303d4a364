"""Your own classes on real and realistic image sets: LeNet-5 through the command line against classic baselines.

    python benchmarks/bench_real_sets.py                          # the four sets it makes from MNIST
    python benchmarks/bench_real_sets.py --real /tmp/digits       # and a real set: train/ and test/ class folders
    python benchmarks/bench_real_sets.py --sets uci-like --preparations ink as_is --seeds 0 1

Each set is written as class folders of image files (train/ and test/), then trained with
`python -m lib.cli --data train --test-data test` and nothing else: the own-data preset ("Own classes:
thorough") and the default preparation (lib.engine.image_prep: find the ink); `--preparations ink as_is` trains
with each (`--preparation as_is`: resize only). The baselines read the same files' raw pixels (gray, 0-1, no
preparation at all), in numpy only: softmax (multinomial logistic) regression with an L2 penalty, and the
1-nearest neighbour. A last column gives the 1-nearest neighbour on the images as the default preparation makes
them: the preparation's share of the result without the network.

The sets made from MNIST (1,200 training digits of its training set, 600 of its test set; `--train`, `--test`),
each like a kind of real data that is not MNIST's form:

- uci-like: 8 x 8 with 16 gray levels, light ink on dark, the digit's box stretched to touch the top and bottom
  (UCI's optdigits, sklearn's `load_digits`), enlarged to 32 x 32 by repeating pixels; PNG.
- scan-16: 16 x 16 with 4 gray levels, dark ink on white, a 1-pixel margin; PNG.
- photo-64: 64 x 64 JPEG (quality 75) of dark ink on gray paper (levels 170-230) with grain (standard deviation
  6), the digit 24-48 px at a random place.
- mixed-40: 40 x 40 PNG, each image light on dark or dark on light at random, 50-90 levels of contrast on a
  background of 60-190, the digit 20-36 px at a random place.

The real set (`--real`) is a folder with train/ and test/ class folders, e.g. scikit-learn's bundled copy of
the UCI digits written out by benchmarks/export_uci_digits.py. Prints one JSON line per run, then a Markdown table.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYNTHETIC = ("uci-like", "scan-16", "photo-64", "mixed-40")


# --- the sets ---------------------------------------------------------------------------------------------------

def _box(digit: np.ndarray) -> np.ndarray:
    """An MNIST digit cropped to its ink."""
    rows, cols = np.flatnonzero(digit.max(axis=1) > 0), np.flatnonzero(digit.max(axis=0) > 0)
    return digit[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1].astype(np.float64)


def _resized(ink: np.ndarray, width: int, height: int) -> np.ndarray:
    image = Image.fromarray(ink.astype(np.float32), mode="F").resize((max(1, width), max(1, height)),
                                                                    Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.float64).clip(0, 255)


def _fitted(digit: np.ndarray, side: int) -> np.ndarray:
    """The digit's box scaled so its longer side is `side`, its aspect kept; ink 0-1."""
    box = _box(digit)
    scale = side / max(box.shape)
    return _resized(box, round(box.shape[1] * scale), round(box.shape[0] * scale)) / 255


def _placed(ink: np.ndarray, size: int, top: int, left: int) -> np.ndarray:
    canvas = np.zeros((size, size))
    height, width = ink.shape
    canvas[top: top + height, left: left + width] = ink[: size - top, : size - left]
    return canvas


def uci_like(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    box = _box(digit)
    width = max(1, min(8, round(box.shape[1] * 8 / box.shape[0])))
    ink = _placed(_resized(box, width, 8) / 255, 8, 0, (8 - width) // 2)  # the digit touches the top and bottom
    levels = np.round(ink.clip(0, 1) * 16) * 255 / 16
    return np.kron(levels, np.ones((4, 4))).round().astype(np.uint8), "png"


def scan_16(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    ink = _fitted(digit, 14)
    canvas = _placed(ink, 16, 1 + (14 - ink.shape[0]) // 2, 1 + (14 - ink.shape[1]) // 2)
    levels = np.round(canvas.clip(0, 1) * 3) / 3
    return (255 - levels * 255).round().astype(np.uint8), "png"


def photo_64(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    ink = _fitted(digit, int(rng.integers(24, 49)))
    top, left = (int(rng.integers(2, 64 - side - 1)) for side in ink.shape)
    paper, depth = rng.uniform(170, 230), rng.uniform(110, 160)
    pixels = paper - depth * _placed(ink, 64, top, left) + rng.normal(0, 6, (64, 64))
    return pixels.clip(0, 255).round().astype(np.uint8), "jpg"


def mixed_40(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    ink = _fitted(digit, int(rng.integers(20, 37)))
    top, left = (int(rng.integers(2, 40 - side - 1)) for side in ink.shape)
    background, contrast = rng.uniform(60, 190), rng.uniform(50, 90) * rng.choice([-1, 1])
    pixels = background + contrast * _placed(ink, 40, top, left)
    return pixels.clip(0, 255).round().astype(np.uint8), "png"


MAKERS = {"uci-like": uci_like, "scan-16": scan_16, "photo-64": photo_64, "mixed-40": mixed_40}


def _write(path: Path, pixels: np.ndarray, extension: str) -> None:
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="JPEG" if extension == "jpg" else "PNG",
                                           **({"quality": 75} if extension == "jpg" else {}))
    path.write_bytes(buffer.getvalue())


def make_set(name: str, root: Path, train: int, test: int, seed: int) -> Path:
    """Class folders train/ and test/ under root/name, made from MNIST's training and test digits."""
    from lib.engine.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(seed)
    folder = root / name
    for part, images, labels, count in (("train", x_train, y_train, train), ("test", x_test, y_test, test)):
        for number, index in enumerate(rng.choice(len(labels), count, replace=False)):
            pixels, extension = MAKERS[name](images[index], rng)
            target = folder / part / str(labels[index])
            target.mkdir(parents=True, exist_ok=True)
            _write(target / f"{number:05d}.{extension}", pixels, extension)
    return folder


# --- the baselines, on raw pixels ---------------------------------------------------------------------------------

def raw_pixels(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every image of a folder of class folders as gray pixels 0-1 (resized to the first image's size when sizes
    differ), flattened, and its class index (classes sorted by name, as lib.engine.image_sets sorts them)."""
    classes = sorted(path.name for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))
    rows, labels, size = [], [], None
    for label, name in enumerate(classes):
        for path in sorted((folder / name).iterdir()):
            if path.name.startswith("."):
                continue
            image = Image.open(path).convert("L")
            size = size or image.size
            rows.append(np.asarray(image.resize(size) if image.size != size else image, np.float64).ravel() / 255)
            labels.append(label)
    return np.array(rows), np.array(labels)


def softmax_regression(x_train, y_train, x_test, steps: int = 500, l2: float | None = None) -> np.ndarray:
    """Multinomial logistic regression on standardized pixels, an L2 penalty of 1/n (scikit-learn's C=1), fitted
    by full-batch gradient descent with Nesterov momentum; the predicted classes of x_test."""
    mean, spread = x_train.mean(axis=0), x_train.std(axis=0) + 1e-6
    a, b = (x_train - mean) / spread, (x_test - mean) / spread
    a, b = np.hstack([a, np.ones((len(a), 1))]), np.hstack([b, np.ones((len(b), 1))])
    classes = int(y_train.max()) + 1
    onehot = np.eye(classes)[y_train]
    l2 = 1 / len(a) if l2 is None else l2
    weights, velocity = np.zeros((a.shape[1], classes)), np.zeros((a.shape[1], classes))
    rate = 0.5 / (np.linalg.norm(a, 2) ** 2 / len(a) + l2)  # a step the curvature allows
    for _step in range(steps):
        ahead = weights + 0.9 * velocity
        logits = a @ ahead
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        gradient = a.T @ (probabilities - onehot) / len(a) + l2 * ahead
        velocity = 0.9 * velocity - rate * gradient
        weights += velocity
    return (b @ weights).argmax(axis=1)


def nearest_neighbour(x_train, y_train, x_test) -> np.ndarray:
    """The class of each test image's nearest training image (Euclidean distance on raw pixels)."""
    distances = (x_test ** 2).sum(1)[:, None] - 2 * x_test @ x_train.T + (x_train ** 2).sum(1)[None]
    return y_train[distances.argmin(axis=1)]


def baselines(folder: Path) -> dict[str, float]:
    """Softmax regression and 1-NN on raw pixels; and, to tell the preparation's share from the network's, 1-NN
    on the images as the default preparation makes them."""
    from lib.engine.image_sets import load_image_set

    x_train, y_train = raw_pixels(folder / "train")
    x_test, y_test = raw_pixels(folder / "test")
    train, test = load_image_set(folder / "train"), load_image_set(folder / "test")
    prepared = nearest_neighbour(train.images.reshape(len(train), -1) / 255, train.labels,
                                 test.images.reshape(len(test), -1) / 255)
    return {"logistic": float((softmax_regression(x_train, y_train, x_test) == y_test).mean()),
            "nearest": float((nearest_neighbour(x_train, y_train, x_test) == y_test).mean()),
            "prepared_nearest": float((prepared == test.labels).mean()),
            "train": len(y_train), "test": len(y_test)}


# --- LeNet-5 through the command line -------------------------------------------------------------------------------

def cli_accuracy(folder: Path, runs: Path, seed: int, extra: list[str]) -> tuple[float, float]:
    """Test accuracy and seconds of `python -m lib.cli --data train --test-data test` (plus `extra`)."""
    started = time.perf_counter()
    out = runs / f"{folder.name}-{seed}-{'-'.join(extra) or 'default'}"
    result = subprocess.run([sys.executable, "-m", "lib.cli", "--data", str(folder / "train"), "--test-data",
                             str(folder / "test"), "--seed", str(seed), "--out", str(out), *extra],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr.strip().splitlines()[-1])
    (run,) = out.iterdir()
    return json.loads((run / "metrics.json").read_text())["test_accuracy"], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, help="a folder with train/ and test/ class folders")
    parser.add_argument("--sets", nargs="*", choices=SYNTHETIC, default=list(SYNTHETIC))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--train", type=int, default=1200, help="training images of each set made from MNIST")
    parser.add_argument("--test", type=int, default=600, help="test images of each set made from MNIST")
    parser.add_argument("--preparations", nargs="+", choices=("ink", "as_is"), default=["ink"],
                        help="train with each of these preparations (default: ink, the CLI's default)")
    parser.add_argument("--baselines-only", action="store_true")
    arguments = parser.parse_args()
    if arguments.real and not ((arguments.real / "train").is_dir() and (arguments.real / "test").is_dir()):
        raise SystemExit(f"{arguments.real} needs train/ and test/ folders of class folders")
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        folders = ([arguments.real] if arguments.real else []) + [
            make_set(name, root, arguments.train, arguments.test, seed=1) for name in arguments.sets]
        for folder in folders:
            row = {"set": "real: " + folder.name if folder == arguments.real else folder.name, **baselines(folder)}
            variants = {} if arguments.baselines_only else {
                preparation: [] if preparation == "ink" else ["--preparation", preparation]
                for preparation in arguments.preparations}
            for variant, extra in variants.items():
                results = [cli_accuracy(folder, root / "runs", seed, extra) for seed in arguments.seeds]
                row[variant] = float(np.mean([accuracy for accuracy, _seconds in results]))
                row[variant + "_seconds"] = float(np.mean([seconds for _accuracy, seconds in results]))
            print(json.dumps(row), flush=True)
            rows.append(row)
    print()
    print("| set | train / test | LeNet-5, default preset | as is | softmax regression | 1-NN | "
          "LeNet-5 minus the better baseline | 1-NN on prepared images |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        best = max(row["logistic"], row["nearest"])
        cells = [f"{100 * row[key]:.1f} %" if key in row else "-" for key in ("ink", "as_is", "logistic", "nearest")]
        gap = f"{100 * (row['ink'] - best):+.1f}" if "ink" in row else "-"
        print(f"| {row['set']} | {row['train']:,} / {row['test']:,} | {' | '.join(cells)} | {gap} | "
              f"{100 * row['prepared_nearest']:.1f} % |")


if __name__ == "__main__":
    main()
