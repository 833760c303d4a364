"""Training on several devices or machines with tf.distribute, as chapter 2 describes.

`make_strategy` turns the config's `strategy` into a tf.distribute strategy:
the default one-device strategy, MirroredStrategy over local GPUs (or named
devices), or MultiWorkerMirroredStrategy configured from TF_CONFIG. The model
is built and compiled inside the strategy's scope by the training engine.

With Keras 3 on TensorFlow 2.21, `model.fit` under MultiWorkerMirroredStrategy
fails while building the model from the first distributed batch, so
`custom_fit` runs TensorFlow's multi-worker custom-loop pattern instead
(`strategy.run` over `experimental_distribute_dataset`), keeping the Keras
model, optimizer, loss and callbacks, so progress, early stopping, learning-rate
callbacks, TensorBoard and the run folder behave exactly as with `fit`.

It also finds free loopback ports and writes the TF_CONFIG of a cluster of
workers on this machine. Which devices TensorFlow sees is lib.engine.resources'
business; evaluation, lib.engine.evaluation's.
"""

from __future__ import annotations

import json
import os

from lib.engine.config import STRATEGIES
from lib.i18n import _


def split_cpu(count: int) -> None:
    """Split the CPU into `count` logical devices; must run before TensorFlow initializes."""
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * count)


def make_strategy(name: str, devices: str = ""):
    import tensorflow as tf

    if name == "mirrored":
        chosen = [device.strip() for device in devices.split(",") if device.strip()] or None
        return tf.distribute.MirroredStrategy(devices=chosen)
    if name == "multiworker":
        if not os.environ.get("TF_CONFIG"):
            raise ValueError(_("strategy: multiworker needs the TF_CONFIG environment variable, which names the "
                               "cluster's workers and this worker's place in it"))
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name != "default":
        raise ValueError(_("strategy: must be one of {choices}; got {value!r}").format(choices=", ".join(STRATEGIES),
                                                                                value=name))
    return tf.distribute.get_strategy()


def is_chief(strategy) -> bool:
    """Whether this process writes the run: the chief, or worker 0 of a cluster without a chief."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in cluster


def custom_fit(model, strategy, x, y, x_val, y_val, batch_size: int, epochs: int, callbacks, seed: int) -> None:
    """`model.fit`'s job for any strategy: distributed steps, local validation, Keras callbacks."""
    import keras
    import tensorflow as tf

    from lib.engine.evaluation import evaluate_local

    callback_list = keras.callbacks.CallbackList(callbacks, model=model)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
               .batch(batch_size).with_options(options))
    distributed = strategy.experimental_distribute_dataset(dataset)

    def replica_step(images, labels):
        with tf.GradientTape() as tape:
            probabilities = model(images, training=True)
            per_example = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=batch_size)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        gradients = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        predicted = tf.argmax(probabilities, axis=1, output_type=tf.int32)
        correct = tf.reduce_sum(tf.cast(tf.equal(predicted, tf.cast(labels, tf.int32)), tf.float32))
        return loss, correct, tf.cast(tf.shape(labels)[0], tf.float32)

    @tf.function
    def distributed_step(images, labels):
        results = strategy.run(replica_step, args=(images, labels))
        return [strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None) for value in results]

    model.stop_training = False
    callback_list.on_train_begin()
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        loss_sum = correct = seen = 0.0
        for step, (images, labels) in enumerate(distributed):
            callback_list.on_train_batch_begin(step)
            batch_loss, batch_correct, batch_count = (float(value) for value in distributed_step(images, labels))
            loss_sum, correct, seen = loss_sum + batch_loss * batch_size, correct + batch_correct, seen + batch_count
            callback_list.on_train_batch_end(step, {"loss": loss_sum / seen, "accuracy": correct / seen})
            if model.stop_training:
                break
        val_loss, val_accuracy, _count = evaluate_local(model, x_val, y_val)
        callback_list.on_epoch_end(epoch, {"loss": loss_sum / max(seen, 1), "accuracy": correct / max(seen, 1),
                                           "val_loss": val_loss, "val_accuracy": val_accuracy})
        if model.stop_training:
            break
    callback_list.on_train_end()


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Ports nobody listens on right now: the system picks them, all held open until all are found."""
    import socket

    sockets = []
    try:
        for _index in range(count):
            sock = socket.socket()
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def local_cluster(workers: int) -> list[str]:
    """TF_CONFIG for each of `workers` processes on this machine, on free loopback ports; worker 0 is the chief."""
    hosts = [f"127.0.0.1:{port}" for port in free_ports(workers)]
    return [tf_config(hosts, index) for index in range(workers)]


def tf_config(workers: list[str], index: int) -> str:
    """The TF_CONFIG JSON for worker `index` of a cluster of `workers` (host:port each)."""
    return json.dumps({"cluster": {"worker": list(workers)}, "task": {"type": "worker", "index": index}})
