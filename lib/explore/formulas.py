"""The output-size formula written out with the current numbers, for display."""

from __future__ import annotations

from lib.explore.ops import conv_output_size, dilated_size


def output_size_latex(n: int, k: int, stride: int, padding, dilation: int = 1) -> str:
    """LaTeX for how TensorFlow gets the output length, with the numbers substituted."""
    out = conv_output_size(n, k, stride, padding, dilation)
    span = dilated_size(k, dilation)
    span_text = f"{dilation}\\cdot({k}-1)+1" if dilation > 1 else f"{k}"
    if padding == "same":
        return rf"\left\lceil \frac{{n}}{{s}} \right\rceil = \left\lceil \frac{{{n}}}{{{stride}}} \right\rceil = {out}"
    p = 0 if padding == "valid" else int(padding)
    if dilation > 1:
        head = r"\left\lfloor \frac{n + 2p - k_d}{s} \right\rfloor + 1"
        head += rf",\quad k_d = d(k-1)+1 = {span_text} = {span}"
    else:
        head = r"\left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1"
    numbers = rf"\left\lfloor \frac{{{n} + 2\cdot{p} - {span}}}{{{stride}}} \right\rfloor + 1"
    value = (n + 2 * p - span) // stride + 1
    if value <= 0:
        return rf"{head} = {numbers} = {value} \Rightarrow 0"
    return rf"{head} = {numbers} = {out}"
