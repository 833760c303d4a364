"""'Why this answer?': occlusion and integrated gradients of a digit, other methods, and counterfactuals.

Shared by the Draw page (the learner's drawing) and the model card (a misread test digit). Not a page itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lib.i18n import N_, _, ngettext
from lib.keras_views.explain import (
    counterfactual_path,
    grad_cam,
    integrated_gradients,
    occlusion,
    saturation_note,
    smoothgrad,
)
from lib.plain_text import plain, plain_html
from ui.digits import class_names
from ui.pictures import colour_bar, picture


@dataclass(frozen=True)
class Evidence:
    """What the evidence columns showed: the occlusion settings, the two classes, their maps (2, 28, 28)."""

    patch: int
    stride: int
    targets: tuple[int, int]
    occlusions: np.ndarray
    attributions: np.ndarray


SIGNED_SCALE = "RdBu"  # red below zero, white at zero, blue above: blue is evidence for the class


def attribution_map(values: np.ndarray, digit: np.ndarray, title: str, scale_title: str,
                    signed: bool = True) -> go.Figure:
    """A map over the digit: a heatmap centred on zero with its colour bar, the digit's outline drawn on top."""
    reach = float(np.abs(values).max()) or 1.0
    heatmap = go.Heatmap(z=values, colorscale=SIGNED_SCALE if signed else "Blues", zmid=0 if signed else None,
                         zmin=-reach if signed else 0, zmax=reach,
                         colorbar=colour_bar(scale_title),
                         hovertemplate=_("row %{y}, column %{x}: %{z:.4f}") + "<extra></extra>")
    outline = go.Contour(z=digit, contours=dict(start=127, end=128, size=1, coloring="none"), showscale=False,
                         line=dict(color="black", width=1), hoverinfo="skip", name=_("the digit's ink"))
    figure = go.Figure([heatmap, outline])
    figure.update_layout(title=dict(text=title, font=dict(size=13)), height=300, margin=dict(l=40, r=10, t=40, b=30),
                         xaxis=dict(title=_("column"), constrain="domain"),
                         yaxis=dict(title=_("row"), autorange="reversed", scaleanchor="x", constrain="domain"))
    return figure


def _evidence_column(model, image, target, probability, patch, stride, key) -> tuple[np.ndarray, np.ndarray]:
    name = class_names(model)[target]
    text, figure_text = plain(name), plain_html(name)  # the learner's class name: never markup
    st.markdown(_("**Evidence for {name}** (p = {probability:.1%})").format(name=text, probability=probability))
    occluded = occlusion(model, image, target, patch=patch, stride=stride)
    st.plotly_chart(attribution_map(occluded, image, _("Occlusion: drop in p({name}) when covered").format(name=figure_text),
                                    _("drop in p")), key=f"{key}_occlusion_{target}")
    strongest = float(np.abs(occluded).max())
    if strongest < 0.05:
        st.caption(_("No square moves p({name}) by more than {strongest:.3f}: the network's answer does not rest "
                     "on any one small part of the drawing. A larger square covers more of a stroke at once.").format(
            name=text, strongest=strongest))
    attributions = integrated_gradients(model, image, target)
    st.plotly_chart(attribution_map(attributions, image, _("Integrated gradients of p({name})").format(name=figure_text),
                                    _("share of p")), key=f"{key}_ig_{target}")
    baseline = float(model.predict_proba(np.zeros_like(image))[0, target])
    st.caption(_("The integrated gradients add up to {total:+.3f}, which is p({name}) of the drawing minus "
                 "p({name}) of a black image ({probability:.3f} - {baseline:.3f}): every bit of the probability is "
                 "assigned to a pixel, and a black pixel gets none.").format(
        total=attributions.sum(), name=text, probability=probability, baseline=baseline))
    return occluded, attributions


def _more_methods(model, image: np.ndarray, guess: int, probabilities: np.ndarray, names: list[str],
                  key: str) -> None:
    """SmoothGrad's and Grad-CAM's maps of p(guess), side by side, and why their numbers are tiny when p is
    saturated."""
    smooth = smoothgrad(model, image, guess)
    maps = [smooth]
    columns = st.columns(2)
    columns[0].plotly_chart(attribution_map(smooth, image, _("SmoothGrad of p({name})").format(name=plain_html(names[guess])),
                                            _("gradient")), key=f"{key}_smoothgrad")
    try:
        cam = grad_cam(model, image, guess)
    except ValueError as error:
        columns[1].info(_("Grad-CAM does not apply: {error}.").format(error=error))
    else:
        maps.append(cam)
        columns[1].plotly_chart(attribution_map(cam, image, _("Grad-CAM of p({name}) on conv2").format(
            name=plain_html(names[guess])), _("evidence"), signed=False), key=f"{key}_gradcam")
    if note := saturation_note(probabilities, guess, maps, plain(names[guess])):
        st.caption(note)


def show_explanation(model, image: np.ndarray, probabilities: np.ndarray, key: str,
                     code: Callable[[Evidence], None] | None = None) -> None:
    """Why `model` read `image` as it did: evidence for its answer and its runner-up, then 'Make it a ...'.

    `code`, when given, is called with the evidence just shown (the Draw page puts its program there)."""
    image = np.asarray(image, dtype=np.float32)
    order = np.argsort(probabilities)[::-1]
    guess, runner_up = int(order[0]), int(order[1])
    names = class_names(model)
    st.subheader(_("Why this answer?"))
    st.markdown(_("Two ways to ask the network which pixels it leans on. **Occlusion** covers one square at a time "
                  "and measures how much the probability drops: blue squares held evidence for the class, red ones "
                  "against it. **Integrated gradients** follow the gradient from a black image to the drawing and "
                  "split the probability among the pixels exactly."))
    controls = st.columns(3)
    patch = controls[0].slider(_("Occlusion square (pixels)"), 2, 14, 4, key=f"{key}_patch")
    stride = controls[1].slider(_("Occlusion stride (pixels)"), 1, 7, 2, key=f"{key}_stride")
    started = time.perf_counter()
    left, right = st.columns(2)
    with left:
        shown = [_evidence_column(model, image, guess, float(probabilities[guess]), patch, stride, key)]
    with right:
        shown.append(_evidence_column(model, image, runner_up, float(probabilities[runner_up]), patch, stride, key))
    controls[2].metric(_("Time for both"), _("{seconds:.2f} s").format(seconds=time.perf_counter() - started))
    if code is not None:
        code(Evidence(patch, stride, (guess, runner_up), np.stack([occluded for occluded, _ig in shown]),
                      np.stack([attributions for _occluded, attributions in shown])))

    # Its two maps are made and drawn only while it is open: closed, a new stroke redraws two pictures fewer.
    more = f"{key}_more"
    with st.expander(_("Two more methods, and what each is good and bad at"), key=more, on_change="rerun"):
        if st.session_state.get(more):
            _more_methods(model, image, guess, probabilities, names, key)
        st.markdown("\n".join([
            _("- **Occlusion**: easy to trust (it only changes the input and looks), but coarse, as slow as the "
              "number of squares, and blind to evidence spread wider than one square."),
            _("- **Integrated gradients**: exact bookkeeping (the map adds up to the change in probability) and "
              "pixel-sharp, but it depends on the baseline: a black pixel can never get credit, so missing strokes "
              "show only in occlusion."),
            _("- **SmoothGrad**: the plain gradient (how p changes for a tiny nudge of each pixel) averaged over "
              "noisy copies; less speckled than one gradient, but it says where p is sensitive, not what made it "
              "high."),
            _("- **Grad-CAM**: where the last conv layer saw evidence, smooth and class-specific, but only as sharp "
              "as that layer's map (10 x 10 in LeNet-5), and only for convolutional networks."),
        ]))

    st.markdown(_("**Make it a ...**"))
    classes = list(range(len(probabilities)))
    # Made now, in the script's thread: AppTest calls format_func in the test's own thread.
    choices = {index: _("{name} (now {probability:.1%})").format(name=names[index], probability=probabilities[index])
               for index in classes}
    target = st.selectbox(_("Push the drawing towards"), classes, index=runner_up, key=f"{key}_target",
                          format_func=choices.get)
    path = counterfactual_path(model, image, int(target))
    frame = st.slider(_("Frame"), 0, len(path.frames) - 1, len(path.frames) - 1, key=f"{key}_frame") \
        if len(path.frames) > 1 else 0
    picture_column, shown, chart = st.columns(3)
    change = np.abs(path.frames[frame] - path.frames[0])
    picture_column.plotly_chart(picture(path.frames[frame], _("Frame {frame} as the network sees it").format(
        frame=frame), width=300, scale_title=N_("pixel value"), value_range=(0, 255)), key=f"{key}_frame_image")
    shown.plotly_chart(attribution_map(path.frames[frame] - path.frames[0], image,
                                       _("What changed (p({name}) = {probability:.1%})").format(
                                           name=plain_html(names[target]), probability=path.probabilities[frame]),
                                       _("pixel change")), key=f"{key}_frame_map")
    line = go.Figure(go.Scatter(x=list(range(len(path.probabilities))), y=path.probabilities, mode="lines+markers",
                                hovertemplate=_("frame %{x}: p = %{y:.3f}") + "<extra></extra>"))
    line.add_hline(y=0.5, line_dash="dot", annotation_text="0.5")
    line.update_layout(height=300, margin=dict(l=40, r=10, t=40, b=30),
                       title=dict(text=_("p({name}) per frame").format(name=plain_html(names[target]))),
                       xaxis=dict(title=_("frame"), dtick=max(1, len(path.frames) // 10)),
                       yaxis=dict(title=f"p({plain_html(names[target])})", range=[0, 1]))
    chart.plotly_chart(line, key=f"{key}_frame_chart")
    if target == guess:
        st.caption(_("The network already reads {name}: there is nothing to push.").format(name=plain(names[guess])))
    elif path.reached:
        steps = len(path.frames) - 1
        st.caption(ngettext(
            "After {steps} small step the network reads {name} with p = {probability:.1%}. The pixels moved by "
            "{mean:.1f} of 255 on average (at most {most:.0f} on one pixel): changes a person barely sees can push a "
            "network to another answer, which is what adversarial examples are. Blue is ink added, red ink taken "
            "away: the strokes the network leans on for each answer.",
            "After {steps} small steps the network reads {name} with p = {probability:.1%}. The pixels moved by "
            "{mean:.1f} of 255 on average (at most {most:.0f} on one pixel): changes a person barely sees can push a "
            "network to another answer, which is what adversarial examples are. Blue is ink added, red ink taken "
            "away: the strokes the network leans on for each answer.", steps).format(
            steps=steps, name=plain(names[target]), probability=path.probabilities[-1], mean=path.mean_change,
            most=change.max()))
    else:
        steps = len(path.frames) - 1
        st.caption(ngettext("In {steps} step p({name}) only reached {probability:.1%}: this drawing is far from "
                            "anything the network reads as that class.",
                            "In {steps} steps p({name}) only reached {probability:.1%}: this drawing is far from "
                            "anything the network reads as that class.", steps).format(
            steps=steps, name=plain(names[target]), probability=path.probabilities[-1]))
