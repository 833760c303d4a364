"""The command line: its flags, presets, one-line errors and the run it writes."""

import os
import subprocess
import sys

import pytest

from lib.cli import build_parser, parse_config
from lib.engine.config import FIELDS, KERAS_BATCH_NORM_MOMENTUM, PRESETS, TrainingConfig, command_for, flag
from lib.runs.store import load_run
from tests.cli_training import train_in_process
from tests.conftest import ROOT


def test_cli_has_a_flag_for_every_config_field_and_out():
    help_text = build_parser().format_help()
    for name in FIELDS:
        assert flag(name) in help_text
    assert "--out" in help_text


def run_cli(*arguments, env=None):
    return subprocess.run([sys.executable, "-m", "lib.cli", *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)


def test_cli_bogus_optimizer_fails_with_one_line_naming_the_flag():
    """Through the real entry point, `python -m lib.cli`, in a process of its own (the other refusals run
    `main` in this process: the `cli` fixture)."""
    result = run_cli("--optimizer", "bogus")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--optimizer" in lines[0] and "adam" in lines[0]


def test_cli_out_of_range_value_fails_with_one_line(cli):
    result = cli("--dropout", "2")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --dropout: must be between 0 and 0.9; got 2.0"


@pytest.mark.parametrize("empty", ["", "   "])
def test_cli_refuses_an_empty_out_folder_in_one_line(empty, tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    result = cli("--out", empty, "--epochs", "1")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: --out: must name a folder; got an empty path (leave --out out for the "
                                     "default)")
    assert list(tmp_path.iterdir()) == []  # nothing written where it ran


def test_cli_writes_a_complete_run_on_real_mnist(real_mnist_path, tmp_path, capsys):
    """In this process (tests/cli_training.py); tests/test_own_data_training.py trains through `python -m lib.cli`."""
    result = train_in_process(capsys, "--optimizer", "adam", "--epochs", "1", "--train-samples", "2000",
                              "--out", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "epoch 1/1" in result.stdout
    (run_path,) = list(tmp_path.iterdir())
    run = load_run(run_path)
    assert run.config["optimizer"] == "adam" and run.metrics["status"] == "finished"
    assert run.metrics["test_accuracy"] > 0.7
    assert (run_path / "model.keras").exists() and (run_path / "tb").is_dir()


def test_batch_norm_momentum_starts_at_keras_default_and_has_a_flag():
    assert TrainingConfig().batch_norm_momentum == KERAS_BATCH_NORM_MOMENTUM == 0.99
    config, _ = parse_config(build_parser(), ["--batch-norm", "--batch-norm-momentum", "0.95"])
    assert config.batch_norm and config.batch_norm_momentum == 0.95
    assert "--batch-norm-momentum=0.95" in command_for(config)


def test_quick_look_preset_lowers_the_momentum_and_a_flag_overrides_it():
    assert PRESETS["quick"]["batch_norm_momentum"] == 0.9
    config, _ = parse_config(build_parser(), ["--preset", "quick", "--batch-norm"])
    assert config.batch_norm_momentum == 0.9 and config.train_samples == 6000
    config, _ = parse_config(build_parser(), ["--preset", "Quick look", "--batch-norm-momentum", "0.99"])
    assert config.batch_norm_momentum == 0.99


def test_cli_out_of_range_momentum_fails_with_one_line(cli):
    result = cli("--batch-norm-momentum", "1")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --batch-norm-momentum: must be between 0 and 0.999; got 1.0"


def test_data_without_a_preset_starts_from_the_own_data_preset_and_flags_override_it(tmp_path):
    from lib.engine.config import OWN_DATA_PRESET

    config, _ = parse_config(build_parser(), ["--data", str(tmp_path)])
    assert config == TrainingConfig(**PRESETS[OWN_DATA_PRESET], data=str(tmp_path))
    config, _ = parse_config(build_parser(), ["--data", str(tmp_path), "--epochs", "7", "--no-augment"])
    assert config.epochs == 7 and not config.augment and config.batch_size == PRESETS[OWN_DATA_PRESET]["batch_size"]
    config, _ = parse_config(build_parser(), ["--data", str(tmp_path), "--preset", "own-quick"])
    assert config == TrainingConfig(**PRESETS["own-quick"], data=str(tmp_path))
    assert parse_config(build_parser(), [])[0] == TrainingConfig()  # MNIST as before


def test_cli_has_flags_for_own_data_and_augmentation():
    help_text = build_parser().format_help()
    assert all(name in help_text for name in ("--data", "--test-data", "--augment", "--validation-fraction"))


def test_workers_train_with_the_multiworker_strategy():
    config, options = parse_config(build_parser(), ["--workers", "2", "--epochs", "1"])
    assert config.strategy == "multiworker" and options["workers"] == 2
    assert parse_config(build_parser(), ["--epochs", "1"])[0].strategy == "default"


@pytest.mark.parametrize(("arguments", "says"), [
    (["--workers", "0"], "error: --workers: must be between 1 and 16; got 0"),
    (["--workers", "2", "--strategy", "mirrored"],
     "error: --workers: trains with --strategy multiworker; leave out --strategy, --split-cpu and --events"),
])
def test_cli_refuses_workers_it_cannot_run_in_one_line(arguments, says):
    result = run_cli(*arguments)
    assert result.returncode == 2 and result.stderr.strip() == says


def test_workers_on_this_machine_say_where_they_train_and_where_the_run_is(cli, monkeypatch, tmp_path):
    """What `--workers 2` prints around the training (the training itself: tests/test_jobs.py's two-worker
    demonstration, the same backend; on Ray: tests/test_distribute.py)."""
    from lib.server import backends
    from lib.server.process_runner import Outcome

    calls = []

    def train_together(config, out, workers, on_chief_event, settings, env=None):
        calls.append((config.strategy, out, workers, settings.ray_address))
        return Outcome("finished", "1 epoch", str(out / "run"))

    monkeypatch.delenv("CNN_LAB_RAY_ADDRESS", raising=False)
    monkeypatch.setattr(backends, "train_together", train_together)
    result = cli("--workers", "2", "--epochs", "1", "--out", tmp_path)
    assert result.returncode == 0 and calls == [("multiworker", tmp_path, 2, "")]
    assert result.stdout.splitlines() == ["2 workers on this machine", "finished: 1 epoch",
                                          f"run written to {tmp_path / 'run'}"]
    monkeypatch.setattr(backends, "train_together", lambda *arguments: Outcome("failed", "worker 1 died", ""))
    assert cli("--workers", "2", "--out", tmp_path).returncode == 1


def test_workers_on_an_unreachable_ray_cluster_fail_in_one_line(tmp_path):
    pytest.importorskip("ray")
    from tests.browser import free_port

    result = run_cli("--workers", "2", "--out", str(tmp_path),
                     env={**os.environ, "CNN_LAB_RAY_ADDRESS": f"127.0.0.1:{free_port()}"})
    assert result.returncode == 1 and list(tmp_path.iterdir()) == []
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Cannot reach the Ray cluster at 127.0.0.1:" in errors[0]
