"""The widths of the book's networks, known without Keras: what lib.engine.models builds them with.

LeNet-5's conv layers have 6 and 16 filters and its hidden Dense layers 120 and 84 units; the chapter-2 baseline
has one hidden Dense layer of 128. lib.engine.models's builders read these, and pages that need a width (the
Conv layer explorer, which stays without TensorFlow, and the Regularization page) ask `layer_widths` and
`input_depths` rather than restating them (tests/test_models.py checks them against the built models).
"""

from __future__ import annotations

from lib.engine.config import ARCHITECTURES, INPUT_SHAPE

# Each weighted hidden layer's name in the built model, and its filters (conv) or units (dense), in order.
WIDTHS = {
    "lenet5": {"conv1": 6, "conv2": 16, "dense1": 120, "dense2": 84},
    "dense": {"dense1": 128},
}


def layer_widths(architecture: str) -> dict[str, int]:
    """{layer name: filters or units} of the network's weighted hidden layers, in the order they are built."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}; got {architecture!r}.")
    return dict(WIDTHS[architecture])


def input_depths(architecture: str) -> dict[str, int]:
    """{conv layer name: channels its kernels read}: the image's for the first, the previous conv layer's filters
    for the next (pooling keeps the channels)."""
    depths, depth = {}, INPUT_SHAPE[-1]
    for name, width in layer_widths(architecture).items():
        if name.startswith("conv"):
            depths[name], depth = depth, width
    return depths
