"""lib.runs.history_file: the checks a history CSV passes, row by row."""

import pytest

from lib.runs.history_file import MAX_EPOCH, RunReadError, parse_history_csv

CSV_LOGGER = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.90,0.30,0.95,0.20\n1,0.97,0.10,0.985,0.08\n2,0.99,0.05,0.991,0.06\n"


def test_csv_logger_history_is_read_with_epochs_counted_from_one():
    rows, notes = parse_history_csv(CSV_LOGGER, "log.csv")
    assert [row["epoch"] for row in rows] == [1, 2, 3] and notes == []
    assert rows[1]["val_accuracy"] == pytest.approx(0.985)


@pytest.mark.parametrize("epoch, problem", [
    ("nan", "not a finite number"), ("inf", "not a finite number"), ("-inf", "not a finite number"),
    ("", "blank"), ("1e300", f"above {MAX_EPOCH:,}"), ("1.5", "not a whole number"), ("-1", "negative"),
    ("abc", "not a number"),
])
def test_a_row_with_an_unusable_epoch_is_skipped_with_a_note_counting_it(epoch, problem):
    rows, notes = parse_history_csv(f"epoch,loss\n0,0.5\n{epoch},0.4\n1,0.3\n", "log.csv")
    assert [row["epoch"] for row in rows] == [1, 2]
    assert [row["loss"] for row in rows] == [0.5, 0.3]
    (note,) = notes
    assert note.startswith("log.csv: skipped 1 of 3 rows") and "line 3: epoch" in note and problem in note


def test_a_history_with_no_usable_epoch_is_refused_naming_the_file_and_the_lines():
    with pytest.raises(RunReadError, match=r"log\.csv has no usable epochs \(line 2: epoch 'nan' is not a finite "
                                           r"number; line 3: epoch is blank; line 4: epoch '1e300' is above"):
        parse_history_csv("epoch,loss\nnan,0.5\n,0.4\n1e300,0.3\n", "log.csv")


def test_a_note_on_many_skipped_rows_names_the_first_few():
    rows, (note,) = parse_history_csv("epoch,loss\n0,1\n" + "nan,1\n" * 5, "log.csv")
    assert len(rows) == 1 and "skipped 5 of 6 rows" in note and note.count("line ") == 3 and "; ...)" in note


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_a_non_finite_metric_is_missing_not_a_number(value):
    rows, notes = parse_history_csv(f"epoch,loss,val_accuracy\n0,{value},0.9\n1,0.4,{value}\n", "log.csv")
    assert rows == [{"epoch": 1, "val_accuracy": 0.9}, {"epoch": 2, "loss": 0.4}] and notes == []


def test_a_metric_that_is_not_a_number_is_refused_naming_the_line():
    with pytest.raises(RunReadError, match="log.csv, line 2: loss is 'abc', not a number"):
        parse_history_csv("epoch,loss\n0,abc\n", "log.csv")
