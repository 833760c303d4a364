"""tf.distribute without GPUs: MirroredStrategy on two logical CPUs, and two workers on loopback.

Both run the command line exactly as the README gives it, each in fresh
processes (logical devices and collective ops must be set up before
TensorFlow initializes).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.runs.store import load_run
from tests.browser import free_port
from tests.conftest import ROOT

SMALL = ["--epochs", "1", "--train-samples", "512", "--batch-size", "64"]


def cli(arguments, env=None, **options):
    return subprocess.Popen([sys.executable, "-m", "lib.cli", *arguments], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **options)


def test_mirrored_strategy_trains_on_two_logical_cpus(real_mnist_path, tmp_path):
    process = cli(["--strategy", "mirrored", "--split-cpu", "2", *SMALL, "--out", str(tmp_path)])
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output[-3000:]
    assert "strategy mirrored with 2 replica(s) in sync" in output
    (run_path,) = list(tmp_path.iterdir())
    run = load_run(run_path)
    assert run.metrics["replicas"] == 2 and run.metrics["strategy"] == "mirrored"
    assert run.config["devices"] == "/cpu:0,/cpu:1"
    assert run.metrics["status"] == "finished" and (run_path / "model.keras").exists()


def two_workers_by_tf_config(out: Path) -> list[str]:
    """The README's two-worker commands, each worker told its part by TF_CONFIG: both workers' output, in order;
    the chief writes its run in `out / "worker0"`, the other worker nothing."""
    cluster = {"worker": [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]}
    outputs, processes = [out / "worker0", out / "worker1"], []
    scratch = out / "tmp"  # the workers' temporary folder
    scratch.mkdir(parents=True)
    for index, folder in enumerate(outputs):
        env = {**os.environ, "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
               "TMPDIR": str(scratch)}
        processes.append(cli(["--strategy", "multiworker", *SMALL, "--out", str(folder)], env=env))
    logs = [process.communicate(timeout=300)[0] for process in processes]
    for process, log in zip(processes, logs):
        assert process.returncode == 0, log[-3000:]
        assert "strategy multiworker with 2 replica(s) in sync" in log
    # Both took part in every step: the reduced losses they print are the same.
    epoch_lines = [[line for line in log.splitlines() if line.startswith("epoch 1/1")] for log in logs]
    assert epoch_lines[0] and epoch_lines[0][0].split("  ")[:3] == epoch_lines[1][0].split("  ")[:3]
    (run_path,) = list(outputs[0].iterdir())
    run = load_run(run_path)
    assert run.metrics["replicas"] == 2 and run.metrics["strategy"] == "multiworker"
    assert (run_path / "model.keras").exists() and (run_path / "tb").is_dir()
    assert not outputs[1].exists(), "the non-chief worker must write nothing"
    assert "this worker writes no run" in logs[1]
    assert not list(scratch.glob("cnn-lab-worker-*")), "the other worker's copy of the run is removed when it ends"
    return logs


# One test, so that the Ray run is compared with a two-worker training made once, not twice: the Ray group goes to
# one pytest worker whole (tests/conftest.py), and a fixture shared with another test of this file could be made on
# the other. `python -m lib.cli --workers 2` on this machine trains through the same backend as the Train page's
# two-worker demonstration (tests/test_jobs.py: one job, one run, the same loss on both workers); what the command
# prints about it is tests/test_cli.py's.
@pytest.mark.xdist_group("ray")  # with the other files' Ray tests: one cluster (tests/test_job_backends.py)
def test_two_workers_train_in_sync_the_chief_writes_and_on_a_ray_cluster_train_the_same(real_mnist_path, tmp_path,
                                                                                       request):
    here = two_workers_by_tf_config(tmp_path / "here")
    ray_cluster = request.getfixturevalue("ray_cluster")  # skips (after the check above) where Ray is not installed
    process = cli(["--workers", "2", *SMALL, "--out", str(tmp_path / "ray")],
                  env={**os.environ, "CNN_LAB_RAY_ADDRESS": ray_cluster.address})
    on_ray = process.communicate(timeout=600)[0]
    assert process.returncode == 0, on_ray[-3000:]
    assert "2 workers on the Ray cluster at 127.0.0.1:" in on_ray
    # The same seed and shards: the same loss, to the printed precision.
    assert epoch_losses(on_ray) == pytest.approx(epoch_losses(here[0]), abs=1e-4)
    assert len(epoch_losses(on_ray)) == 1
    (run_path,) = list((tmp_path / "ray").iterdir())
    run = load_run(run_path)
    assert run.metrics["replicas"] == 2 and run.metrics["strategy"] == "multiworker"
    assert (run_path / "model.keras").exists()


def epoch_losses(output: str) -> list[float]:
    return [float(line.split("  ")[1].split()[1]) for line in output.splitlines() if line.startswith("epoch ")]
