"""Receptive fields: the region of the input that one unit of a conv network sees.

Everything is read from the Keras model's own layers (kernel size, stride,
padding and dilation of every convolution and pooling layer), so it follows
whatever model the app loads. Every function takes the layers in the order
they run (lib.engine.models.model_layers gives them for any style of model)
and the input's height and width. Two views of the same geometry:

- `receptive_field_size` runs the textbook recursion over the layers,
  r_l = r_(l-1) + (k_l - 1) * j_(l-1) and j_l = j_(l-1) * s_l (k the dilated
  kernel span, j the distance in input pixels between neighbouring units), the
  size of the field far from the image's edges;
- `input_region` maps one unit back through every layer to the box of input
  pixels it depends on, clipped at each layer to the cells that exist, since
  padding cells are constants that depend on no pixel.

Layers that act on each position alone (rescaling, batch norm, activations,
dropout) leave the geometry as it is; a layer after Flatten has no spatial
units. This module reads Keras layers but never imports TensorFlow itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.explore.ops import as_pair, conv_output_size, dilated_size, padding_amounts
from lib.i18n import _


@dataclass(frozen=True)
class LayerGeometry:
    """How one layer maps input cells to output cells, per axis (rows, columns)."""

    name: str
    kind: str  # "conv", "pool", "pad", "crop" or "pointwise"
    kernel: tuple[int, int]  # the dilated span of the kernel or pool window
    stride: tuple[int, int]
    before: tuple[int, int]  # cells added before the input (padding) or, negative, cropped
    in_size: tuple[int, int]  # the layer's input height and width
    out_size: tuple[int, int]


@dataclass(frozen=True)
class FieldStep:
    """One line of the recursion: after layer `name`, the field r and the jump j (rows axis)."""

    name: str
    kernel: int
    stride: int
    size: int  # r_l
    jump: int  # j_l


def _geometry(layer, size: tuple[int, int]) -> LayerGeometry:
    config = layer.get_config()
    name = layer.name
    if "kernel_size" in config or "pool_size" in config:
        kind = "conv" if "kernel_size" in config else "pool"
        window = as_pair(config.get("kernel_size") or config["pool_size"], "kernel size")
        stride = as_pair(config.get("strides") or window, "stride")
        dilation = as_pair(config.get("dilation_rate", 1), "dilation")
        padding = config.get("padding", "valid")
        span = tuple(dilated_size(k, d) for k, d in zip(window, dilation))
        before = tuple(padding_amounts(n, k, s, padding)[0] for n, k, s in zip(size, span, stride))
        out = tuple(conv_output_size(n, k, s, padding) for n, k, s in zip(size, span, stride))
        return LayerGeometry(name, kind, span, stride, before, size, out)
    if type(layer).__name__ == "ZeroPadding2D":
        (top, bottom), (left, right) = config["padding"]
        return LayerGeometry(name, "pad", (1, 1), (1, 1), (top, left), size, (size[0] + top + bottom, size[1] + left + right))
    if type(layer).__name__ == "Cropping2D":
        (top, bottom), (left, right) = config["cropping"]
        return LayerGeometry(name, "crop", (1, 1), (1, 1), (-top, -left), size, (size[0] - top - bottom, size[1] - left - right))
    return LayerGeometry(name, "pointwise", (1, 1), (1, 1), (0, 0), size, size)


def layer_geometries(layers: list, input_size: tuple[int, int], layer_name: str) -> list[LayerGeometry]:
    """The geometry of every layer from the input (`input_size`: height, width) up to and including `layer_name`."""
    size = (int(input_size[0]), int(input_size[1]))
    geometries, shape = [], None
    spatial = []
    for layer in layers:
        kind = type(layer).__name__
        if kind in ("Flatten", "Dense", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Reshape"):
            shape = "flat"
        if shape == "flat":
            if layer.name == layer_name:
                raise ValueError(_("Layer {name!r} has no spatial units (it comes after the image is flattened); "
                                   "layers with a receptive field: {layers}.").format(name=layer_name,
                                                                                      layers=", ".join(spatial)))
            continue
        geometry = _geometry(layer, size)
        geometries.append(geometry)
        if geometry.kind in ("conv", "pool"):
            spatial.append(layer.name)
        size = geometry.out_size
        if layer.name == layer_name:
            return geometries
    raise ValueError(_("The model has no layer {name!r}; layers with a receptive field: {layers}.").format(
        name=layer_name, layers=", ".join(spatial)))


def output_size(layers: list, input_size: tuple[int, int], layer_name: str) -> tuple[int, int]:
    """Height and width of the layer's feature maps."""
    return layer_geometries(layers, input_size, layer_name)[-1].out_size


def input_region(layers: list, input_size: tuple[int, int], layer_name: str, row: int, col: int) -> tuple[int, int, int, int]:
    """The box (top, left, bottom, right) of input pixels unit (row, col) of the layer sees; bottom and right exclusive."""
    geometries = layer_geometries(layers, input_size, layer_name)
    out_h, out_w = geometries[-1].out_size
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(_("Unit ({row}, {column}) is outside {name}'s {height} x {width} maps.").format(
            row=row, column=col, name=layer_name, height=out_h, width=out_w))
    box = [[row, row], [col, col]]  # inclusive ranges, per axis, in the current layer's cells
    for geometry in reversed(geometries):
        for axis in range(2):
            first, last = box[axis]
            first = first * geometry.stride[axis] - geometry.before[axis]
            last = last * geometry.stride[axis] - geometry.before[axis] + geometry.kernel[axis] - 1
            # Cells outside the layer's input are padding: constants that see no pixel.
            box[axis] = [max(first, 0), min(last, geometry.in_size[axis] - 1)]
    (top, bottom), (left, right) = box
    return top, left, bottom + 1, right + 1


def field_steps(layers: list, input_size: tuple[int, int], layer_name: str) -> list[FieldStep]:
    """The recursion r_l = r_(l-1) + (k_l - 1) j_(l-1), j_l = j_(l-1) s_l, layer by layer (rows axis)."""
    size, jump, steps = 1, 1, []
    for geometry in layer_geometries(layers, input_size, layer_name):
        if geometry.kind not in ("conv", "pool"):
            continue
        size += (geometry.kernel[0] - 1) * jump
        jump *= geometry.stride[0]
        steps.append(FieldStep(geometry.name, geometry.kernel[0], geometry.stride[0], size, jump))
    return steps


def receptive_field_size(layers: list, input_size: tuple[int, int], layer_name: str):
    """The side of a unit's receptive field away from the edges: an int, or (rows, cols) when they differ."""
    sizes, jumps = [1, 1], [1, 1]
    for geometry in layer_geometries(layers, input_size, layer_name):
        for axis in range(2):
            sizes[axis] += (geometry.kernel[axis] - 1) * jumps[axis]
            jumps[axis] *= geometry.stride[axis]
    return sizes[0] if sizes[0] == sizes[1] else tuple(sizes)
