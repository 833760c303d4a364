"""tf.distribute without GPUs: MirroredStrategy on two logical CPUs, and two workers on loopback.

Both run the command line exactly as the README gives it, each in fresh
processes (logical devices and collective ops must be set up before
TensorFlow initializes).
"""

import json
import os
import subprocess
import sys

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


def test_two_workers_train_in_sync_and_only_the_chief_writes(real_mnist_path, tmp_path):
    cluster = {"worker": [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]}
    outputs, processes = [tmp_path / "worker0", tmp_path / "worker1"], []
    for index, out in enumerate(outputs):
        env = {**os.environ, "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})}
        processes.append(cli(["--strategy", "multiworker", *SMALL, "--out", str(out)], env=env))
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


def epoch_losses(output: str) -> list[float]:
    return [float(line.split("  ")[1].split()[1]) for line in output.splitlines() if line.startswith("epoch ")]


@pytest.mark.xdist_group("ray")  # with the other files' Ray tests: one cluster (tests/test_job_backends.py)
def test_two_workers_on_a_ray_cluster_train_as_two_workers_here(real_mnist_path, tmp_path, ray_cluster):
    runs = {}
    for where, env in (("here", os.environ), ("ray", {**os.environ, "CNN_LAB_RAY_ADDRESS": ray_cluster.address})):
        process = cli(["--workers", "2", *SMALL, "--out", str(tmp_path / where)], env=env)
        runs[where] = process.communicate(timeout=600)[0]
        assert process.returncode == 0, runs[where][-3000:]
    assert "2 workers on the Ray cluster at 127.0.0.1:" in runs["ray"] and "2 workers on this machine" in runs["here"]
    # The same seed and shards: the same loss, to the printed precision the two-worker test above compares at.
    assert epoch_losses(runs["ray"]) == pytest.approx(epoch_losses(runs["here"]), abs=1e-4)
    assert len(epoch_losses(runs["ray"])) == 1
    (run_path,) = list((tmp_path / "ray").iterdir())
    run = load_run(run_path)
    assert run.metrics["replicas"] == 2 and run.metrics["strategy"] == "multiworker"
    assert (run_path / "model.keras").exists()
