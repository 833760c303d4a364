"""How long the Optimizers page waits for its paths: the book's optimizers, 200 steps each, on every surface.

Target (issue 12): one path of 200 steps per optimizer (seven when it was set) in at most 2 s. The page also
caches each path per setting, so only a changed setting costs anything.
Run: .venv/bin/python benchmarks/bench_optimizer_paths.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.engine.optimizers import OPTIMIZERS
from lib.keras_views.optimizer_paths import SURFACES, trajectory


def main():
    trajectory("sgd", "bowl", (1.0, 1.0), 2)  # import TensorFlow and Keras once, as the server has
    for name, surface in SURFACES.items():
        times = []
        for _ in range(3):
            start = time.perf_counter()
            for optimizer in OPTIMIZERS:
                trajectory(optimizer, name, surface.start, 200)
            times.append(time.perf_counter() - start)
        print(f"{len(OPTIMIZERS)} paths of 200 steps on {name:10s}: median {statistics.median(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
