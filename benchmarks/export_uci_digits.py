"""Write scikit-learn's bundled copy of the UCI hand-written digits as class folders, for bench_real_sets.py --real.

Not one of the app's scripts: scikit-learn is not among its packages, so run it with a Python that has it,
for example a throw-away virtual environment:

    python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn pillow
    /tmp/sk/bin/python benchmarks/export_uci_digits.py /tmp/digits
    .venv/bin/python benchmarks/bench_real_sets.py --real /tmp/digits

Each 8 x 8 digit (17 levels, 0-16, light ink on dark) becomes a 32 x 32 PNG, each pixel repeated 4 x 4 and its
level scaled to 0-255; 1,200 digits of numpy's `default_rng(0)` permutation go to train/, the other 597 to
test/. It prints what scikit-learn's RBF SVM and logistic regression read on the 8 x 8 pixels of the same split.
"""

import sys
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC


def main(root: Path) -> None:
    digits = load_digits()
    images, labels = digits.images, digits.target
    order = np.random.default_rng(0).permutation(len(labels))
    parts = {"train": order[:1200], "test": order[1200:]}
    for part, indices in parts.items():
        for index in indices:
            folder = root / part / str(labels[index])
            folder.mkdir(parents=True, exist_ok=True)
            pixels = (images[index] * 255 / 16).round().astype(np.uint8)
            Image.fromarray(pixels, "L").resize((32, 32), Image.Resampling.NEAREST).save(folder / f"{index:04d}.png")
    flat = images.reshape(len(labels), -1)
    train, test = parts["train"], parts["test"]
    print(f"RBF SVM {SVC().fit(flat[train], labels[train]).score(flat[test], labels[test]):.3f}")
    logistic = LogisticRegression(max_iter=5000).fit(flat[train], labels[train])
    print(f"logistic regression {logistic.score(flat[test], labels[test]):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: export_uci_digits.py OUTPUT_FOLDER")
    main(Path(sys.argv[1]))
