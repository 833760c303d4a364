"""Sizing to the cores a process may use, the TensorFlow build and devices said in words, and the server's cheap
garbage collections."""

import os
import subprocess
import sys

import pytest

from lib.engine.resources import cgroup_cpu_limit, usable_cpus
from tests.conftest import ROOT


@pytest.mark.parametrize(("text", "cores"), [("200000 100000\n", 2.0), ("50000 100000", 0.5), ("max 100000", None),
                                             ("", None), ("garbage", None), ("100 0", None)])
def test_cgroup_quota_is_read_in_cores(tmp_path, text, cores):
    path = tmp_path / "cpu.max"
    path.write_text(text)
    assert cgroup_cpu_limit(path) == cores


def test_no_cgroup_file_means_no_quota(tmp_path):
    assert cgroup_cpu_limit(tmp_path / "missing") is None


def test_usable_cpus_takes_the_smaller_of_affinity_and_quota(tmp_path):
    affinity = len(os.sched_getaffinity(0))
    path = tmp_path / "cpu.max"
    path.write_text("max 100000")
    assert usable_cpus(path) == affinity
    path.write_text("50000 100000")  # half a core still needs one thread
    assert usable_cpus(path) == 1
    path.write_text(f"{100000 * (affinity + 4)} 100000")  # a quota above the mask changes nothing
    assert usable_cpus(path) == affinity


def test_a_child_pinned_to_one_core_sizes_to_one(tmp_path):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two cores")
    code = "from lib.engine.resources import usable_cpus; print(usable_cpus())"
    output = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)), check=True).stdout
    assert output.strip() == "1"


def test_a_child_says_which_tensorflow_and_devices_without_loading_it_here():
    code = ("import sys; from lib.engine.resources import tensorflow_build_in_child; print(tensorflow_build_in_child()); "
            "print('tensorflow' in sys.modules)")
    sentence, loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                      check=True).stdout.strip().splitlines()[-2:]
    assert sentence.startswith("TensorFlow 2.") and "CPU:0" in sentence, sentence
    assert loaded == "False"


def test_a_child_that_does_not_answer_in_time_is_said_in_words():
    from lib.engine.resources import tensorflow_build_in_child

    assert tensorflow_build_in_child(timeout=0.01) == "TensorFlow did not say which devices it sees within 0.01 s."
