"""The engine's own Keras callbacks: the epoch's extra columns, and progress with Stop.

`EpochColumns` adds the learning rate and the seconds of each epoch to the
epoch's logs, so Keras's own `CSVLogger` (which follows it in the callback
list) writes them into history.csv. `Progress` turns Keras's batch and epoch
hooks into the engine's typed events, at a bounded rate, and asks Keras to
stop on a user's request or a NaN loss.
"""

from __future__ import annotations

import math
import time

import keras

from lib.engine.events import BatchEvent, EpochEvent

# Batch events are sent at most this often: a page redraws from them, and a pipe carries them.
BATCH_EVENT_INTERVAL = 0.25


def current_learning_rate(model) -> float:
    return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))


class EpochColumns(keras.callbacks.Callback):
    """Puts learning_rate (the rate the epoch started with) and seconds into each epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        self.started, self.rate = time.perf_counter(), current_learning_rate(self.model)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.rate
            logs["seconds"] = round(time.perf_counter() - self.started, 3)


class Progress(keras.callbacks.Callback):
    """Reports batches and epochs as events, stops on request or on a NaN loss.

    With `steps_per_execution` Keras calls the batch hook once per execution,
    with the running means of the epoch so far; the mean over the batches since
    the last event is recovered from two running means.
    """

    def __init__(self, epochs: int, batches: int, on_progress, stop_event=None, interval=BATCH_EVENT_INTERVAL):
        super().__init__()
        self.epochs, self.batches, self.on_progress, self.stop_event = epochs, batches, on_progress, stop_event
        self.interval = interval
        self.rows, self.stopped_by_user, self.nan_at = [], False, None

    def on_epoch_begin(self, epoch, logs=None):
        self.last_sent, self.sent_batches, self.sent_loss, self.sent_accuracy = 0.0, 0, 0.0, 0.0

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        # With steps_per_execution Keras reports the last step an execution could have run, past the
        # epoch's end when the data ran out first.
        done = min(batch + 1, self.batches)
        loss, accuracy = float(logs.get("loss", 0.0)), float(logs.get("accuracy", 0.0))
        if not math.isfinite(loss):
            self.nan_at = (len(self.rows) + 1, done)
            self.model.stop_training = True
        self._check_stop()
        now = time.monotonic()
        if now - self.last_sent < self.interval and done < self.batches and not self.model.stop_training:
            return
        new = done - self.sent_batches
        if new <= 0:
            return
        window_loss = (loss * done - self.sent_loss * self.sent_batches) / new
        window_accuracy = (accuracy * done - self.sent_accuracy * self.sent_batches) / new
        self.last_sent, self.sent_batches, self.sent_loss, self.sent_accuracy = now, done, loss, accuracy
        self.on_progress(BatchEvent(len(self.rows) + 1, done, self.batches, window_loss, window_accuracy))
        self._check_stop()  # a request made while this event was handled counts now, not an execution later

    def _check_stop(self):
        if self.stop_event is not None and self.stop_event.is_set():
            self.stopped_by_user = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        row = {"epoch": epoch + 1}
        for key in ("learning_rate", "seconds", "loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                row[key] = float(logs[key])
        self.rows.append(row)
        if not math.isfinite(row.get("loss", 0.0)) and self.nan_at is None:
            self.nan_at = (epoch + 1, self.batches)
            self.model.stop_training = True
        self.on_progress(EpochEvent(row, self.epochs))
