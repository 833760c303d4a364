"""The book's networks: LeNet-5 and the chapter-2 dense baseline.

Each can be built in the three styles the book shows (Sequential, Functional
and a subclassed `keras.Model`). The styles share one list of layers, so they
cannot drift apart: same layers, same parameter count.

Every model starts with a `Rescaling(1/255)` layer. That is the single place
where pixels are scaled to [0, 1], so training, evaluation and prediction all
feed raw 0-255 images and can never disagree about normalization.
"""

from __future__ import annotations

import keras
from keras import layers

from lib.engine.architectures import WIDTHS
from lib.engine.config import ARCHITECTURES, DROPOUT_PLACES, INPUT_SHAPE, KERAS_BATCH_NORM_MOMENTUM, NUM_CLASSES, STYLES
from lib.i18n import _


def _regularizer(l1: float, l2: float):
    if l1 and l2:
        return keras.regularizers.L1L2(l1=l1, l2=l2)
    if l1:
        return keras.regularizers.L1(l1)
    if l2:
        return keras.regularizers.L2(l2)
    return None


def _check_options(l1: float, l2: float, dropout: float, batch_norm_momentum: float) -> None:
    if l1 < 0:
        raise ValueError(f"l1 must be >= 0; got {l1}.")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0; got {l2}.")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1); got {dropout}.")
    # At 1 the moving statistics would never move from their start (mean 0, variance 1).
    if not 0 <= batch_norm_momentum < 1:
        raise ValueError(f"batch_norm_momentum must be in [0, 1); got {batch_norm_momentum}.")


def _weighted(layer_class, name, regularizer, batch_norm, momentum, **kwargs):
    """A Conv2D or Dense layer with ReLU, and batch norm before the ReLU if asked.

    The book places batch normalization between the linear part of a layer and
    its activation, so the layer itself is built without an activation then.
    `momentum` is how slowly the batch norm's moving mean and variance follow
    the batches; evaluation and prediction normalize with those.
    """
    if not batch_norm:
        return [layer_class(activation="relu", kernel_regularizer=regularizer, name=name, **kwargs)]
    return [
        layer_class(kernel_regularizer=regularizer, name=name, **kwargs),
        layers.BatchNormalization(momentum=momentum, name=f"{name}_bn"),
        layers.Activation("relu", name=f"{name}_relu"),
    ]


def _check_classes(num_classes: int) -> None:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be a whole number of at least 2; got {num_classes!r}.")


def lenet5_layers(l1=0.0, l2=0.0, dropout=0.0, batch_norm=False,
                  batch_norm_momentum=KERAS_BATCH_NORM_MOMENTUM, num_classes=NUM_CLASSES, dropout_at="all") -> list:
    """LeNet-5 as the book builds it, with its regularization options; one output per class.

    `dropout_at` places the dropout layers: "all" (the book's: after each conv block and Dense(120)), "conv"
    (after the conv blocks only) or "dense" (after Dense(120) only).
    """
    _check_options(l1, l2, dropout, batch_norm_momentum)
    _check_classes(num_classes)
    if dropout_at not in DROPOUT_PLACES:
        raise ValueError(f"dropout_at must be one of {', '.join(DROPOUT_PLACES)}; got {dropout_at!r}.")
    conv_dropout = dropout if dropout_at in ("all", "conv") else 0.0
    dense_dropout = dropout if dropout_at in ("all", "dense") else 0.0
    reg = _regularizer(l1, l2)
    norm = (batch_norm, batch_norm_momentum)
    widths = WIDTHS["lenet5"]
    stack = [layers.Rescaling(1 / 255, name="scale")]
    stack += _weighted(layers.Conv2D, "conv1", reg, *norm, filters=widths["conv1"], kernel_size=5, padding="same")
    stack.append(layers.MaxPooling2D(pool_size=2, name="pool1"))
    if conv_dropout:
        stack.append(layers.Dropout(conv_dropout, name="conv1_dropout"))
    stack += _weighted(layers.Conv2D, "conv2", reg, *norm, filters=widths["conv2"], kernel_size=5, padding="valid")
    stack.append(layers.MaxPooling2D(pool_size=2, name="pool2"))
    if conv_dropout:
        stack.append(layers.Dropout(conv_dropout, name="conv2_dropout"))
    stack.append(layers.Flatten(name="flatten"))
    stack += _weighted(layers.Dense, "dense1", reg, *norm, units=widths["dense1"])
    if dense_dropout:
        stack.append(layers.Dropout(dense_dropout, name="dense1_dropout"))
    stack += _weighted(layers.Dense, "dense2", reg, *norm, units=widths["dense2"])
    stack.append(layers.Dense(num_classes, activation="softmax", kernel_regularizer=reg, name="output"))
    return stack


def dense_layers(l1=0.0, l2=0.0, dropout=0.0, batch_norm=False,
                 batch_norm_momentum=KERAS_BATCH_NORM_MOMENTUM, num_classes=NUM_CLASSES, dropout_at="all") -> list:
    """Chapter 2's first network: Flatten -> Dense(128, relu) -> Dense(10, softmax), or one output per class."""
    _check_options(l1, l2, dropout, batch_norm_momentum)
    _check_classes(num_classes)
    reg = _regularizer(l1, l2)
    stack = [layers.Rescaling(1 / 255, name="scale"), layers.Flatten(name="flatten")]
    stack += _weighted(layers.Dense, "dense1", reg, batch_norm, batch_norm_momentum, units=WIDTHS["dense"]["dense1"])
    if dropout:
        stack.append(layers.Dropout(dropout, name="dense1_dropout"))
    stack.append(layers.Dense(num_classes, activation="softmax", kernel_regularizer=reg, name="output"))
    return stack


LAYER_BUILDERS = {"lenet5": lenet5_layers, "dense": dense_layers}


def build_sequential(architecture: str, **options) -> keras.Model:
    """The Sequential style: the layers in a list."""
    return keras.Sequential(
        [keras.Input(shape=INPUT_SHAPE), *LAYER_BUILDERS[architecture](**options)],
        name=f"{architecture}_sequential",
    )


def build_functional(architecture: str, **options) -> keras.Model:
    """The Functional style: each layer is called on the previous layer's output."""
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = inputs
    for layer in LAYER_BUILDERS[architecture](**options):
        x = layer(x)
    return keras.Model(inputs=inputs, outputs=x, name=f"{architecture}_functional")


@keras.saving.register_keras_serializable(package="cnn_lab")
class SubclassedNet(keras.Model):
    """The subclassed style: layers are attributes and `call` runs them in order.

    Registered with Keras so that `keras.saving.load_model` can rebuild it with
    `safe_mode=True` from nothing but its config.
    """

    def __init__(self, architecture="lenet5", l1=0.0, l2=0.0, dropout=0.0, batch_norm=False,
                 batch_norm_momentum=KERAS_BATCH_NORM_MOMENTUM, num_classes=NUM_CLASSES, dropout_at="all", **kwargs):
        # A model saved before batch_norm_momentum (or num_classes) existed has no such key in its config and was
        # built with Keras's default momentum (and MNIST's ten digits), which the defaults here restore.
        super().__init__(**kwargs)
        self.architecture = architecture
        self.options = {"l1": l1, "l2": l2, "dropout": dropout, "batch_norm": batch_norm,
                        "batch_norm_momentum": batch_norm_momentum, "num_classes": num_classes,
                        "dropout_at": dropout_at}
        self.stack = LAYER_BUILDERS[architecture](**self.options)

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.stack:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.built = True

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.stack:
            x = layer(x, training=training) if isinstance(layer, (layers.Dropout, layers.BatchNormalization)) else layer(x)
        return x

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "architecture": self.architecture, **self.options}


def build_subclassed(architecture: str, **options) -> keras.Model:
    model = SubclassedNet(architecture, name=f"{architecture}_subclassed", **options)
    model.build((None, *INPUT_SHAPE))
    return model


@keras.saving.register_keras_serializable(package="cnn_lab")
class SimpleConvolutionLayer(keras.layers.Layer):
    """The book's own convolutional layer (chapter 3): N kernels and N biases, `tf.nn.conv2d` plus the bias.

    Written as the chapter-3 notebook writes it, so the Conv layer page can show
    that it, Keras's `Conv2D` and our numpy `conv_layer` agree number for number.
    """

    def __init__(self, num_kernels=32, kernel_size=(3, 3), stride=1, padding="VALID", **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = num_kernels
        self.kernel_size = tuple(kernel_size) if not isinstance(kernel_size, int) else (kernel_size, kernel_size)
        self.stride = stride
        self.padding = padding.upper()

    def build(self, input_shape):
        num_input_channels = input_shape[-1]
        kernels_shape = (*self.kernel_size, num_input_channels, self.num_kernels)
        self.kernels = self.add_weight(name="kernels", shape=kernels_shape,
                                       initializer=keras.initializers.GlorotUniform(), trainable=True)
        self.bias = self.add_weight(name="bias", shape=(self.num_kernels,),
                                    initializer=keras.initializers.RandomNormal(), trainable=True)

    def call(self, inputs):
        import tensorflow as tf

        return tf.nn.conv2d(inputs, self.kernels, strides=[1, self.stride, self.stride, 1],
                            padding=self.padding) + self.bias

    def get_config(self):
        return {**super().get_config(), "num_kernels": self.num_kernels, "kernel_size": self.kernel_size,
                "stride": self.stride, "padding": self.padding}


def build_model(architecture="lenet5", style="sequential", l1=0.0, l2=0.0, dropout=0.0, batch_norm=False,
                batch_norm_momentum=KERAS_BATCH_NORM_MOMENTUM, num_classes=NUM_CLASSES, dropout_at="all") -> keras.Model:
    """Build `architecture` ("lenet5" or "dense") in `style`, with its options and `num_classes` outputs."""
    if architecture not in LAYER_BUILDERS:
        raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}; got {architecture!r}.")
    builders = {"sequential": build_sequential, "functional": build_functional, "subclassed": build_subclassed}
    if style not in builders:
        raise ValueError(f"style must be one of {', '.join(STYLES)}; got {style!r}.")
    return builders[style](architecture, l1=l1, l2=l2, dropout=dropout, batch_norm=batch_norm,
                           batch_norm_momentum=batch_norm_momentum, num_classes=num_classes, dropout_at=dropout_at)


def model_layers(model: keras.Model) -> list:
    """The model's layers in the order they run, without its InputLayer.

    Sequential and functional models list them in `model.layers`; a subclassed
    model built here keeps them in its `stack` (its `layers` attribute tracks
    them too, but in attribute order, not necessarily the order `call` runs them).
    """
    stack = getattr(model, "stack", None)
    if stack:
        return list(stack)
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def find_layer(model: keras.Model, name: str):
    """The model's layer called `name`; ValueError naming the layers it has otherwise."""
    found = model_layers(model)
    for layer in found:
        if layer.name == name:
            return layer
    raise ValueError(_("The model has no layer {name!r}; it has {layers}.").format(
        name=name, layers=", ".join(layer.name for layer in found)))


def summary_rows(model: keras.Model) -> list[dict]:
    """The rows of `model.summary()` as plain dicts: layer, type, output shape, parameters."""
    rows = []
    for layer in model_layers(model):
        try:
            shape = str(tuple(layer.output.shape))
        except (AttributeError, ValueError):
            shape = "(built by call)"
        rows.append({"layer": layer.name, "type": type(layer).__name__, "output shape": shape,
                     "parameters": layer.count_params()})
    return rows


def model_summary_rows(path: str) -> list[dict]:
    """Summary rows of a saved model (loaded with safe_mode on)."""
    return summary_rows(keras.saving.load_model(path))
