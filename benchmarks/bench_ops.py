"""How long lib.explore.ops takes on a 512x512 image: the explorer sliders must feel live.

Targets: a 5x5 convolution over 512x512 in at most 30 ms (issue 3); a whole
conv layer, N = 8 kernels of 5x5 over a 512x512x3 volume, in at most 150 ms
(issue 11).
Run: .venv/bin/python benchmarks/bench_ops.py
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.explore.conv_layer import conv_layer
from lib.explore.ops import conv2d, pool2d


def measure(function, repeats=30):
    function()  # warm caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main():
    rng = np.random.default_rng(0)
    gray, colour = rng.random((512, 512)), rng.random((512, 512, 3))
    kernel = rng.random((5, 5))
    layer_kernels, layer_biases = rng.normal(size=(5, 5, 3, 8)), rng.normal(size=8)
    cases = {
        "conv2d 512x512 gray, 5x5, valid": lambda: conv2d(gray, kernel),
        "conv2d 512x512 gray, 5x5, same": lambda: conv2d(gray, kernel, padding="same"),
        "conv2d 512x512 RGB, 5x5, same": lambda: conv2d(colour, kernel, padding="same"),
        "conv2d 512x512 gray, 7x7, same": lambda: conv2d(gray, rng.random((7, 7)), padding="same"),
        "conv_layer 512x512x3, N=8, 5x5, valid": lambda: conv_layer(colour, layer_kernels, layer_biases),
        "conv_layer 512x512x3, N=8, 5x5, same, relu": lambda: conv_layer(colour, layer_kernels, layer_biases,
                                                                          padding="same", activation="relu"),
        "pool2d 512x512 RGB, max 2x2": lambda: pool2d(colour, 2),
        "pool2d 512x512 RGB, avg 3x3 s1 same": lambda: pool2d(colour, 3, 1, "same", "avg"),
    }
    for name, function in cases.items():
        median, worst = measure(function)
        print(f"{name:46s} median {median:6.1f} ms   max {worst:6.1f} ms")


if __name__ == "__main__":
    main()
