"""Preprocessing plus prediction for one drawing with the shipped model.

Target (issue 6): at most 15 ms here. Run: .venv/bin/python benchmarks/bench_predict.py
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.explore.drawing import preprocess_drawing
from lib.keras_views.predict import Classifier
from lib.runs.store import SHIPPED_MODEL
from tests.digit_strokes import DIGITS, place, rasterize


def main():
    classifier = Classifier(SHIPPED_MODEL)
    canvases = [rasterize(place(strokes[0], 0.5, 0.2, 0.2)) for strokes in DIGITS.values()]
    timings = {"preprocess": [], "predict": [], "both": []}
    for _ in range(20):
        for rgba in canvases:
            start = time.perf_counter()
            image = preprocess_drawing(rgba).image
            middle = time.perf_counter()
            classifier.predict_proba(image)
            end = time.perf_counter()
            timings["preprocess"].append((middle - start) * 1000)
            timings["predict"].append((end - middle) * 1000)
            timings["both"].append((end - start) * 1000)
    for name, values in timings.items():
        values.sort()
        print(f"{name:10s} median {statistics.median(values):5.2f} ms   p95 {values[int(len(values) * 0.95)]:5.2f} ms")


if __name__ == "__main__":
    main()
