"""The book's networks written out as Keras code: LeNet-5 and the chapter-2 dense network, in any of the three
styles (Sequential, functional, subclassed), with the regularizers a TrainingConfig can ask for.

The layers come in the same order, with the same options, as lib.engine.models builds them, so a program that
seeds Keras as the engine does gets the same weights and the same parameter count. Only the engine's first
layer, `Rescaling(1/255)`, is left out: the programs scale the images themselves, as the book does.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.codegen.program import literal
from lib.engine.config import INPUT_SHAPE, KERAS_BATCH_NORM_MOMENTUM, NUM_CLASSES
from lib.i18n import _

CLASS_NAMES = {"lenet5": "LeNet5", "dense": "DenseNetwork"}


@dataclass(frozen=True)
class ModelOptions:
    """What varies between the models a page shows: the architecture and the config's regularizers."""

    architecture: str = "lenet5"
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    batch_norm: bool = False
    batch_norm_momentum: float = KERAS_BATCH_NORM_MOMENTUM
    num_classes: int = NUM_CLASSES
    input_shape: tuple = INPUT_SHAPE


def regularizer_source(l1: float, l2: float) -> str | None:
    """The regularizer the engine builds for (l1, l2), as code; None without one."""
    if l1 and l2:
        return f"keras.regularizers.L1L2(l1={literal(l1)}, l2={literal(l2)})"
    if l1:
        return f"keras.regularizers.L1(l1={literal(l1)})"
    if l2:
        return f"keras.regularizers.L2(l2={literal(l2)})"
    return None


def layer_sources(options: ModelOptions) -> list[tuple[str, str, bool]]:
    """(attribute name, constructor, takes `training`) for each layer, in the order the model runs them."""
    reg = ", kernel_regularizer=regularizer" if regularizer_source(options.l1, options.l2) else ""
    momentum = ("" if options.batch_norm_momentum == KERAS_BATCH_NORM_MOMENTUM
                else f"momentum={literal(options.batch_norm_momentum)}")
    stack: list[tuple[str, str, bool]] = []

    def weighted(name: str, layer: str, arguments: str) -> None:
        # As the book places it: batch normalization between the layer's linear part and its ReLU.
        if not options.batch_norm:
            stack.append((name, f'layers.{layer}({arguments}, activation="relu"{reg})', False))
            return
        stack.append((name, f"layers.{layer}({arguments}{reg})", False))
        stack.append((f"{name}_bn", f"layers.BatchNormalization({momentum})", True))
        stack.append((f"{name}_relu", 'layers.Activation("relu")', False))

    def dropout(name: str) -> None:
        if options.dropout:
            stack.append((f"{name}_dropout", f"layers.Dropout(rate={literal(options.dropout)})", True))

    if options.architecture == "lenet5":
        weighted("conv1", "Conv2D", 'filters=6, kernel_size=(5, 5), padding="same"')
        stack.append(("pool1", "layers.MaxPooling2D(pool_size=(2, 2))", False))
        dropout("conv1")
        weighted("conv2", "Conv2D", 'filters=16, kernel_size=(5, 5), padding="valid"')
        stack.append(("pool2", "layers.MaxPooling2D(pool_size=(2, 2))", False))
        dropout("conv2")
        stack.append(("flatten", "layers.Flatten()", False))
        weighted("dense1", "Dense", "units=120")
        dropout("dense1")
        weighted("dense2", "Dense", "units=84")
    elif options.architecture == "dense":
        stack.append(("flatten", "layers.Flatten()", False))
        weighted("dense1", "Dense", "units=128")
        dropout("dense1")
    else:
        raise ValueError(f"architecture must be lenet5 or dense; got {options.architecture!r}.")
    # Not "output": a keras.Model has an `output` property of its own.
    last = "dense3" if options.architecture == "lenet5" else "dense2"
    stack.append((last, f'layers.Dense(units={options.num_classes}, activation="softmax"{reg})', False))
    return stack


def model_source(options: ModelOptions, style: str) -> str:
    """Code that leaves the built model in `model`, with every layer's output shape known to `summary()`."""
    shape = literal(tuple(options.input_shape))
    stack = layer_sources(options)
    lines = []
    regularizer = regularizer_source(options.l1, options.l2)
    if regularizer:
        lines += [_("# One regularizer object, shared by every layer with weights."), f"regularizer = {regularizer}",
                  ""]
    if style == "sequential":
        lines += [_("# Sequential API: the layers in a list, run one after another."), "model = keras.Sequential(["]
        lines.append(f"    keras.Input(shape={shape}),")
        lines += [f"    {constructor}," for _name, constructor, _training in stack]
        lines.append(f'], name="{options.architecture}_sequential")')
    elif style == "functional":
        lines += [_("# Functional API: each layer is called on the previous layer's output."),
                  f"inputs = keras.Input(shape={shape})", "x = inputs"]
        for _name, constructor, _training in stack[:-1]:
            lines.append(f"x = {constructor}(x)")
        lines.append(f"outputs = {stack[-1][1]}(x)")
        lines.append(f'model = keras.Model(inputs=inputs, outputs=outputs, name="{options.architecture}_functional")')
    elif style == "subclassed":
        class_name = CLASS_NAMES[options.architecture]
        lines += [_("# Subclassing keras.Model: the layers are attributes, call() runs them."),
                  f"class {class_name}(keras.Model):", "    def __init__(self, **kwargs):",
                  "        super().__init__(**kwargs)"]
        lines += [f"        self.{name} = {constructor}" for name, constructor, _training in stack]
        lines += ["", "    def call(self, inputs, training=False):", "        x = inputs"]
        for name, _constructor, training in stack[:-1]:
            lines.append(f"        x = self.{name}(x, training=training)" if training else f"        x = self.{name}(x)")
        lines.append(f"        return self.{stack[-1][0]}(x)")
        lines += ["", "", f'model = {class_name}(name="{options.architecture}_subclassed")',
                  _("# Calling the model on an input builds every layer, so their shapes are known."),
                  f"model(keras.Input(shape={shape}))"]
    else:
        raise ValueError(f"style must be sequential, functional or subclassed; got {style!r}.")
    return "\n".join(lines)


def summary_source(style: str, input_shape: tuple = INPUT_SHAPE) -> str:
    """Code that prints the model's summary and leaves its three parameter counts in variables.

    Keras's `summary()` knows a layer's output shape from the graph (Sequential, functional) or from the shape
    the layer was built on; a subclassed model's pooling and flatten layers have no weights to build, so it
    would print "?" for them. There each layer's `compute_output_shape` gives the table instead."""
    counts = ["total_params = model.count_params()",
              "trainable_params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)",
              "non_trainable_params = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)"]
    if style != "subclassed":
        return "\n".join(["model.summary()", *counts])
    return "\n".join([
        _("# summary() cannot see the shapes of layers without weights inside call(); each layer can say its own."),
        f"shape = {literal((None, *input_shape))}",
        'print(f"{\'Layer (type)\':44}{\'Output Shape\':24}{\'Param #\':>10}")',
        "for layer in model.layers:",
        "    shape = layer.compute_output_shape(shape)",
        '    print(f"{layer.name + \' (\' + type(layer).__name__ + \')\':44}{str(shape):24}{layer.count_params():>10,}")',
        *counts,
        'print(f"Total params: {total_params:,}")',
        'print(f"Trainable params: {trainable_params:,}")',
        'print(f"Non-trainable params: {non_trainable_params:,}")',
    ])
