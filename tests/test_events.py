"""Progress events survive a trip through JSON, and anything else is refused."""

import pytest

from lib.engine.events import BatchEvent, EndEvent, EpochEvent, EvaluateEvent, StartEvent, from_json, to_json


@pytest.mark.parametrize("event", [
    StartEvent("run-1", 5, 1875, 61706, "default", 1),
    BatchEvent(2, 64, 1875, 0.31, 0.9),
    EpochEvent({"epoch": 1, "loss": 0.2, "val_accuracy": 0.97}, 5),
    EvaluateEvent(),
    EndEvent("finished", "Trained 5 epoch(s).", "/runs/run-1"),
])
def test_events_round_trip_through_json(event):
    assert from_json(to_json(event)) == event


@pytest.mark.parametrize("line", ["", "hello", "[1, 2]", '{"kind": "lunch"}', '{"kind": "batch", "epoch": 1}',
                                  "{\"kind\": \"end\", \"status\": \"x\", \"message\": \"y\", \"path\": \"\", \"z\": 1}"])
def test_lines_that_are_not_events_are_refused(line):
    with pytest.raises(ValueError):
        from_json(line)


def test_batch_position_counts_in_epochs():
    assert BatchEvent(2, 50, 100, 0.1, 0.5).position == pytest.approx(1.5)


def test_a_runs_closing_sentence_written_in_english_reads_in_the_readers_language():
    from lib.engine.events import EARLY_STOPPED, TRAINED, reworded
    from lib.i18n import language_override

    english = TRAINED.format(epochs=3)
    assert english == "Trained 3 epoch(s)." and reworded(english) == english
    with language_override("ko"):
        assert reworded(english) == "에포크 3번을 훈련했습니다."
        joined = EARLY_STOPPED.format(epoch=7, monitor="val_loss", patience=3) + " Also a note."
        assert reworded(joined).startswith("조기 중단이 에포크 7") and "val_loss" in reworded(joined)
        assert reworded(joined).endswith(" Also a note.")
        assert reworded("Training failed: out of memory.") == "Training failed: out of memory."
