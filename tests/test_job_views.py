"""The live progress of a training job: the bar and its words say the same thing at every phase."""

from lib.server.job_state import WorkerProgress
from ui.job_views import progress_fraction, progress_text


def test_mid_epoch_the_bar_is_the_share_of_batches_the_text_names():
    progress = WorkerProgress("training", epoch=1, batch=750, batches=1875, phase="training")
    assert progress_fraction(progress, 1) == 750 / 1875
    assert progress_text(progress, 1) == "Epoch 1/1, batch 750/1875"


def test_after_the_last_batch_the_text_says_validation_runs_and_the_bar_is_full():
    progress = WorkerProgress("training", epoch=1, batch=1875, batches=1875, phase="training")
    assert progress_fraction(progress, 1) == 1.0
    assert progress_text(progress, 1) == "Epoch 1/1: all 1,875 batches trained, checking the validation images..."


def test_once_every_epoch_is_done_the_bar_stays_full_while_the_test_set_is_read():
    after_last_epoch = WorkerProgress("training", epoch=2, batch=0, batches=1875, phase="training")
    evaluating = WorkerProgress("training", epoch=2, batch=0, batches=1875, phase="evaluating")
    for progress in (after_last_epoch, evaluating):
        assert progress_fraction(progress, 1) == 1.0
        assert progress_text(progress, 1) == "Evaluating on the test set..."


def test_before_the_first_batch_the_bar_is_empty():
    assert progress_fraction(WorkerProgress("training"), 3) == 0.0
