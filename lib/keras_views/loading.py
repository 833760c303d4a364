"""Reading a saved `.keras` file: the one way the app loads a trained model it does not read digits with.

A model the app reads digits with goes through `lib.keras_views.predict.Classifier`, which loads it the same way.
"""

from __future__ import annotations

from pathlib import Path


def load_model(path: str | Path):
    """The Keras model saved at `path`, with `safe_mode` left on, so a saved file cannot run code as it loads."""
    import keras

    return keras.saving.load_model(Path(path))
