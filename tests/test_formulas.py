"""The output-size formula the Convolution and Pooling pages write out ends in the length TensorFlow gives."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.explore.formulas import output_size_latex
from lib.explore.ops import conv_output_size

tf = pytest.importorskip("tensorflow")


def _shown_length(latex: str) -> int:
    """The number the formula arrives at: its last term."""
    return int(re.search(r"(\d+)\s*$", latex).group(1))


def _tensorflow_length(n: int, k: int, stride: int, padding, dilation: int) -> int:
    """The output length of tf.nn.conv2d along one axis; 0 where TensorFlow refuses a kernel that does not fit."""
    tf_padding = padding.upper() if isinstance(padding, str) else [[0, 0], [padding, padding], [0, 0], [0, 0]]
    try:
        return int(tf.nn.conv2d(np.ones((1, n, 1, 1)), np.ones((k, 1, 1, 1)), strides=stride, padding=tf_padding,
                                dilations=dilation).shape[1])
    except (tf.errors.InvalidArgumentError, ValueError):
        return 0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 30), st.integers(1, 7), st.integers(1, 4), st.sampled_from(["valid", "same", 0, 1, 2, 3]),
       st.integers(1, 3))
def test_formula_ends_in_the_length_tensorflow_gives(n, k, stride, padding, dilation):
    latex = output_size_latex(n, k, stride, padding, dilation)
    assert _shown_length(latex) == conv_output_size(n, k, stride, padding, dilation)
    assert _shown_length(latex) == _tensorflow_length(n, k, stride, padding, dilation)


def test_formula_that_goes_negative_says_the_output_is_empty():
    latex = output_size_latex(3, 5, 1, "valid")
    assert r"= -1 \Rightarrow 0" in latex


def test_same_padding_formula_is_the_ceiling_of_n_over_s():
    assert output_size_latex(7, 3, 2, "same").endswith(r"\left\lceil \frac{7}{2} \right\rceil = 4")
