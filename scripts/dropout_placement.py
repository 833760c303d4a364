"""Re-create saved_models/dropout-placement/: LeNet-5 with dropout after the conv blocks vs after Dense(120).

Each placement is trained on the Quick look preset (Adam, batch 128, 6,000 images, 3 epochs) with dropout
0.25, once per seed, with the training engine; the Dropout and batch norm page compares them. Only what the
page reads is kept (config.json, history.csv, metrics.json): the models and TensorBoard logs would add about
1 MB a run to the repository.

    .venv/bin/python scripts/dropout_placement.py            # every placement and seed
    .venv/bin/python scripts/dropout_placement.py --seeds 1  # one seed, to try it
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.engine.config import PRESETS, TrainingConfig
from lib.keras_views.dropout_placement import PLACEMENT_DIR, PLACEMENTS, RATE, SEEDS

KEPT = {"config.json", "history.csv", "metrics.json"}


def configs(seeds) -> dict[str, TrainingConfig]:
    """Every run to train, by run id: "<placement>-seed<seed>"."""
    return {f"{place}-seed{seed}": TrainingConfig(**PRESETS["quick"], model="lenet5", dropout=RATE,
                                                  dropout_at=place, seed=seed,
                                                  name=f"Quick look, dropout {RATE:g} at {place}, seed {seed}")
            for place in PLACEMENTS for seed in seeds}


def trim(run: Path) -> None:
    for item in run.iterdir():
        if item.name not in KEPT:
            shutil.rmtree(item) if item.is_dir() else item.unlink()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS), help="seeds to train (default: all)")
    arguments = parser.parse_args(argv)
    from lib.engine.events import progress_printer
    from lib.engine.training import train

    for run_id, config in configs(arguments.seeds).items():
        print(f"== {run_id}", flush=True)
        result = train(config, out_dir=PLACEMENT_DIR, run_id=run_id, replace=True,
                       on_progress=progress_printer(keras_bar=False))
        if result.status == "failed":
            print(f"{run_id} failed: {result.message}", file=sys.stderr)
            return 1
        trim(PLACEMENT_DIR / run_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
