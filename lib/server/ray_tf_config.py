"""Ray Train's TensorFlow set-up (each worker's TF_CONFIG) without importing TensorFlow in Ray's own processes.

`ray.train.tensorflow.TensorflowTrainer` sets each worker's `TF_CONFIG` and nothing else a job here needs, but
importing `ray.train.tensorflow` imports TensorFlow (its package does, first thing), in the task that starts the
trainer, in Ray Train's controller and in every worker: four TensorFlow start-ups of several seconds each for a
two-worker job whose training runs in child processes (lib.server.ray_worker.train_child) that import it again.
`TfConfigOnly` is the same set-up for a `DataParallelTrainer`, the two variables `TensorflowConfig` sets, so a
job's processes under Ray Train import TensorFlow only where they train.

Imported only by lib.server.ray_worker.train_workers, on the cluster (Ray is present there).
"""

from __future__ import annotations

import json
import os

import ray
from ray.train.backend import Backend, BackendConfig


def set_tf_config(worker_addresses: list[str], index: int) -> None:
    """On one worker: what ray.train.tensorflow.config._setup_tensorflow_environment sets."""
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": worker_addresses},
                                          "task": {"type": "worker", "index": index}})
    os.environ["TF_USE_LEGACY_KERAS"] = "1"


class TfConfigBackend(Backend):
    def on_start(self, worker_group, backend_config) -> None:
        from ray._common.network_utils import build_address
        from ray.train._internal.utils import get_address_and_port

        def address() -> str:
            return build_address(*get_address_and_port())

        addresses = worker_group.execute(address)
        ray.get([worker_group.execute_single_async(index, set_tf_config, worker_addresses=addresses, index=index)
                 for index in range(len(worker_group))])


class TfConfigOnly(BackendConfig):
    @property
    def backend_cls(self):
        return TfConfigBackend
