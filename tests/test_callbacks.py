"""The engine's own Keras callbacks: the epoch's extra columns, and progress events with Stop."""

import threading

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lib.engine.callbacks import EpochColumns, Progress
from lib.engine.events import EpochEvent


def tiny_fit(callbacks, epochs=2):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    return model.fit(rng.normal(size=(64, 4)), rng.integers(0, 2, 64), epochs=epochs, batch_size=16,
                     callbacks=callbacks, verbose=0)


def test_each_epoch_logs_its_learning_rate_and_seconds():
    history = tiny_fit([EpochColumns()]).history
    assert history["learning_rate"] == pytest.approx([0.05, 0.05])
    assert all(seconds >= 0 for seconds in history["seconds"])


def test_a_stop_requested_at_an_epoch_end_ends_training_at_the_next_batch():
    events, stop = [], threading.Event()

    def record(event):
        events.append(event)
        if isinstance(event, EpochEvent):
            stop.set()

    progress = Progress(3, 4, record, stop)
    tiny_fit([EpochColumns(), progress], epochs=3)
    # Stop is checked after each batch: the second epoch ends after its first, and no third begins.
    assert [event.row["epoch"] for event in events if isinstance(event, EpochEvent)] == [1, 2]
    assert progress.stopped_by_user and len(progress.rows) == 2
