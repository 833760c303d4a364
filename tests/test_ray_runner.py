"""What a Ray job asks of the cluster, how the server reaches it, and that the default path never imports Ray."""

import subprocess
import sys
import time
from dataclasses import replace

import pytest

from lib.engine.config import TrainingConfig
from lib.server.job_limits import ClusterTooSmallError, check_room, room_for
from lib.server.ray_runner import JOB_CPUS, JOB_MEMORY_BYTES, RayUnavailableError, gpus_asked, job_resources, reachable
from tests.browser import free_port
from tests.conftest import ROOT


@pytest.mark.parametrize(("config", "gpus"), [
    (TrainingConfig(), 0),
    (TrainingConfig(strategy="mirrored"), 1),  # mirrored on "all local GPUs"
    (TrainingConfig(strategy="mirrored", devices="/gpu:0,/gpu:1"), 2),
    (TrainingConfig(strategy="mirrored", devices="/cpu:0,/cpu:1"), 0),
])
def test_a_job_asks_for_the_gpus_its_config_names(config, gpus):
    assert gpus_asked(config) == gpus


def test_a_job_gets_a_gpu_only_where_the_cluster_has_enough():
    mirrored = TrainingConfig(strategy="mirrored", devices="/gpu:0,/gpu:1")
    assert job_resources(mirrored, {"CPU": 8.0, "GPU": 2.0}) == {"num_cpus": JOB_CPUS, "memory": JOB_MEMORY_BYTES,
                                                                 "num_gpus": 2}
    assert job_resources(mirrored, {"CPU": 8.0, "GPU": 1.0})["num_gpus"] == 0
    assert job_resources(TrainingConfig(), {"CPU": 8.0, "GPU": 4.0})["num_gpus"] == 0


def test_an_address_where_nothing_listens_is_refused_at_once_in_one_line():
    began = time.monotonic()
    with pytest.raises(RayUnavailableError, match=r"Cannot reach the Ray cluster at 127\.0\.0\.1:\d+: ") as caught:
        reachable(f"127.0.0.1:{free_port()}")
    assert time.monotonic() - began < 5 and "\n" not in str(caught.value)


def test_the_default_backend_never_imports_ray(tmp_path):
    script = ("import sys\nfrom pathlib import Path\nfrom lib.server.jobs import JobRegistry\n"
              f"registry = JobRegistry(out_dir=lambda: Path({str(tmp_path)!r}))\n"
              "print(type(registry.backend).__name__, 'ray' in sys.modules)\n")
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "CNN_LAB_RUNS_DIR": str(tmp_path)})
    assert output.stdout.split() == ["LocalBackend", "False"], output.stderr[-2000:]


def test_a_data_set_of_ones_own_travels_with_the_job_and_is_found_there(tmp_path):
    from lib.server.ray_runner import packed_data, worker_flags
    from lib.server.ray_worker import unpack_data

    (tmp_path / "set" / "cat").mkdir(parents=True)
    (tmp_path / "set" / "cat" / "a.png").write_bytes(b"png")
    (tmp_path / "held-out.zip").write_bytes(b"PK zip as uploaded")
    config = TrainingConfig(data=str(tmp_path / "set"), test_data=str(tmp_path / "held-out.zip"), epochs=7)
    flags = unpack_data(packed_data(config), tmp_path / "worker")
    # No server path reaches the worker, and its command line reads the very same config but for the paths.
    assert not any(str(tmp_path / "set") in item or "held-out" in item for item in worker_flags(config))
    from lib.cli import build_parser, parse_config

    on_worker = parse_config(build_parser(), [*worker_flags(config), *flags])[0]
    assert on_worker == replace(config, data=str(tmp_path / "worker" / "data"),
                                test_data=str(tmp_path / "worker" / "test_data.zip"))
    assert flags == [f"--data={tmp_path / 'worker' / 'data'}", f"--test-data={tmp_path / 'worker' / 'test_data.zip'}"]
    assert (tmp_path / "worker" / "data" / "cat" / "a.png").read_bytes() == b"png"
    assert (tmp_path / "worker" / "test_data.zip").read_bytes() == b"PK zip as uploaded"


def test_a_killed_workers_folder_is_removed_by_the_next_job_there_and_a_live_ones_kept(tmp_path):
    import json
    import os

    from lib.engine.run_files import WRITER_FILE, process_start_time
    from lib.server.ray_worker import FOLDER_PREFIX, remove_abandoned

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    for name, pid in (("dead", gone.pid), ("alive", os.getpid())):
        folder = tmp_path / f"{FOLDER_PREFIX}{name}"
        folder.mkdir()
        (folder / WRITER_FILE).write_text(json.dumps({"pid": pid, "started": process_start_time(pid)}))
    (tmp_path / "cnn-lab-other").mkdir()  # not a Ray job's
    assert remove_abandoned(tmp_path) == [tmp_path / f"{FOLDER_PREFIX}dead"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cnn-lab-other", f"{FOLDER_PREFIX}alive"]


def test_a_cluster_holds_as_many_processes_as_each_live_machines_scarcest_resource_allows():
    each = {"num_cpus": 1.0, "memory": 2**30, "num_gpus": 0}
    nodes = [{"Alive": True, "Resources": {"CPU": 4.0, "memory": 2.5 * 2**30}},  # memory for 2
             {"Alive": True, "Resources": {"CPU": 1.0, "memory": 8.0 * 2**30}},  # a core for 1
             {"Alive": False, "Resources": {"CPU": 64.0, "memory": 64.0 * 2**30}}]  # gone
    assert room_for(each, nodes) == 3
    assert room_for({**each, "num_gpus": 1}, nodes) == 0
    check_room(each, 3, nodes)  # fits: nothing raised
    with pytest.raises(ClusterTooSmallError) as refused:
        check_room(each, 4, nodes)
    assert str(refused.value) == (
        "This job needs 4 training processes of 1 CPU and 1.0 GiB of memory each at once, and the Ray cluster's "
        "machines hold 3: it would wait for ever. Ask for fewer workers, or add a machine to the cluster "
        "(ray start --address=...).")
    with pytest.raises(ClusterTooSmallError, match=r"needs 1 training process of 1 CPU and 1\.0 GiB of memory and 1 "
                                                    r"GPU at once, and the Ray cluster's machines hold 0: "):
        check_room({**each, "num_gpus": 1}, 1, nodes)
