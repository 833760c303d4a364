"""The Conv layer page's program: its input volume, its N kernels and biases set into `keras.layers.Conv2D`,
the output volume and the layer's parameter count. The layer computes in float64, so its maps equal the page's
numpy layer to the last digits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.codegen.comments import wrap_comments
from lib.codegen.images import ImageChoice, image_cell
from lib.codegen.program import Program, literal
from lib.explore.kernels import PRESET_LABELS, preset
from lib.i18n import _


@dataclass(frozen=True)
class KernelChoice:
    """How the page made its kernels: "presets" (one preset per kernel, on the channels it reads), "random"
    (Glorot-uniform from a seed, as lib.keras_views.layer_weights.random_weights draws them) or a trained
    LeNet-5 layer's weights, by the layer's name ("conv1", written out as they are)."""

    source: str
    size: int
    count: int
    depth: int
    names: tuple[str, ...] = ()  # presets: kernel n's preset id (lib.explore.kernels.PRESETS)
    channels: tuple[tuple[int, ...], ...] = ()  # presets: the input channels kernel n reads
    seed: int | None = None  # random


def _volume_cell(image: ImageChoice | None, digit: np.ndarray | None, activations: np.ndarray | None,
                 note: str) -> str:
    if image is not None:
        return image_cell(image) + "\n" + "\n".join([
            "",
            "# " + _("The input volume H x W x D: a gray image has D = 1, a colour one D = 3"),
            "volume = pixels if pixels.ndim == 3 else pixels[:, :, np.newaxis]",
            'print("input volume:", volume.shape)'])
    if digit is not None:
        return "\n".join([
            "import numpy as np", "",
            "# " + note,
            f"digit = {literal(np.asarray(digit, dtype=np.uint8))}",
            "volume = digit[:, :, np.newaxis] / 255.0  # " + _("pixels / 255, as LeNet-5's Rescaling layer makes them"),
            'print("input volume:", volume.shape)'])
    return "\n".join([
        "import numpy as np", "",
        "# " + note,
        f"volume = {literal(np.asarray(activations, dtype=np.float32))}.astype(np.float64)",
        'print("input volume:", volume.shape)'])


def _kernels_cell(choice: KernelChoice, kernels: np.ndarray, biases: np.ndarray) -> str:
    if choice.source == "presets":
        lines = [f"kernels = np.zeros(({choice.size}, {choice.size}, {choice.depth}, {choice.count}))  # "
                 + _("k x k x D x N, the layout of a Keras Conv2D kernel")]
        for n, (name, used) in enumerate(zip(choice.names, choice.channels)):
            if not used:
                lines.append("# " + _("Kernel {n} reads no input channel: it stays zero").format(n=n))
                continue
            lines += ["# " + _("Kernel {n}: {name}, on input channels {channels}").format(
                          n=n, name=_(PRESET_LABELS[name]), channels=", ".join(str(channel) for channel in used)),
                      f"kernels[:, :, {literal(list(used))}, {n}] = {literal(preset(name, choice.size))}[:, :, np.newaxis]"]
        lines.append(f"biases = {literal(np.asarray(biases, dtype=np.float64))}")
        return "\n".join(lines)
    if choice.source == "random":
        fan = f"{choice.size} * {choice.size}"
        return "\n".join([
            "# " + _("Drawn as Keras's default Glorot-uniform initializer draws them; biases small and random"),
            f"rng = np.random.default_rng({int(choice.seed)})",
            f"limit = np.sqrt(6 / ({fan} * {choice.depth} + {fan} * {choice.count}))",
            f"kernels = rng.uniform(-limit, limit, ({choice.size}, {choice.size}, {choice.depth}, {choice.count}))",
            f"biases = rng.normal(0, 0.05, {choice.count})"])
    return "\n".join([
        "# " + _("The trained weights of {layer}, as the page read them").format(layer=f"LeNet-5 {choice.source}"),
        f"kernels = {literal(np.asarray(kernels, dtype=np.float32))}.astype(np.float64)",
        f"biases = {literal(np.asarray(biases, dtype=np.float32))}.astype(np.float64)"])


def conv_layer_program(*, kernels: np.ndarray, biases: np.ndarray, choice: KernelChoice, stride: int, padding,
                       activation: str | None, maps: np.ndarray, parameters: int, image: ImageChoice | None = None,
                       digit: np.ndarray | None = None, activations: np.ndarray | None = None,
                       note: str = "") -> Program:
    """One of `image`, `digit` or `activations` is the page's input; `maps` (H', W', N) and `parameters` are what
    the page shows for these values; `note` says in words where a digit or activations come from."""
    explicit = not isinstance(padding, str)
    padding_name = repr("valid") if explicit else "PADDING"
    layer = [
        "import keras", "",
        f"STRIDE = {int(stride)}",
        f"PADDING = {int(padding)}" if explicit else f"PADDING = {padding!r}",
    ]
    if explicit:
        layer += ["# " + _("Conv2D pads only 'valid' or 'same': {p} rows and columns of zeros on every side are "
                           "added first").format(p=int(padding)),
                  "volume = np.pad(volume, ((PADDING, PADDING), (PADDING, PADDING), (0, 0)))"]
    layer += [
        "# " + _("float64, so the maps keep every digit the page shows"),
        f"layer = keras.layers.Conv2D(filters={int(choice.count)}, kernel_size={int(choice.size)}, strides=STRIDE,",
        f"                            padding={padding_name}, activation={activation!r}, dtype=\"float64\")",
        "layer.build((None, *volume.shape))",
        "layer.set_weights([kernels, biases])",
        "maps = layer(volume[np.newaxis])[0].numpy()",
        "parameters = layer.count_params()  # N * (D * k * k + 1)",
        'print("output volume:", maps.shape)',
        'print("parameters:", parameters)',
    ]
    return Program(name="conv_layer", title=_("Conv layer"),
                   cells=tuple(map(wrap_comments, (_volume_cell(image, digit, activations, note),
                                                   _kernels_cell(choice, kernels, biases), "\n".join(layer)))),
                   checks={"maps": maps, "parameters": int(parameters)})
