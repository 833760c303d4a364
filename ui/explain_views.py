"""'Why this answer?': occlusion and integrated gradients of a digit, other methods, and counterfactuals.

Shared by the Draw page (the learner's drawing) and the model card (a misread test digit). Not a page itself.
"""

from __future__ import annotations

import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lib.keras_views.explain import counterfactual_path, grad_cam, integrated_gradients, occlusion, smoothgrad
from ui.pictures import picture

SIGNED_SCALE = "RdBu"  # red below zero, white at zero, blue above: blue is evidence for the class


def attribution_map(values: np.ndarray, digit: np.ndarray, title: str, scale_title: str,
                    signed: bool = True) -> go.Figure:
    """A map over the digit: a heatmap centred on zero with its colour bar, the digit's outline drawn on top."""
    reach = float(np.abs(values).max()) or 1.0
    heatmap = go.Heatmap(z=values, colorscale=SIGNED_SCALE if signed else "Blues", zmid=0 if signed else None,
                         zmin=-reach if signed else 0, zmax=reach,
                         colorbar=dict(title=dict(text=scale_title, side="right"), thickness=10, len=0.9),
                         hovertemplate="row %{y}, column %{x}: %{z:.4f}<extra></extra>")
    outline = go.Contour(z=digit, contours=dict(start=127, end=128, size=1, coloring="none"), showscale=False,
                         line=dict(color="black", width=1), hoverinfo="skip", name="the digit's ink")
    figure = go.Figure([heatmap, outline])
    figure.update_layout(title=dict(text=title, font=dict(size=13)), height=300, margin=dict(l=40, r=10, t=40, b=30),
                         xaxis=dict(title="column", constrain="domain"),
                         yaxis=dict(title="row", autorange="reversed", scaleanchor="x", constrain="domain"))
    return figure


def _evidence_column(model, image, target, probability, patch, stride, key):
    st.markdown(f"**Evidence for {target}** (p = {probability:.1%})")
    occluded = occlusion(model, image, target, patch=patch, stride=stride)
    st.plotly_chart(attribution_map(occluded, image, f"Occlusion: drop in p({target}) when covered",
                                    "drop in p"), key=f"{key}_occlusion_{target}")
    strongest = float(np.abs(occluded).max())
    if strongest < 0.05:
        st.caption(f"No square moves p({target}) by more than {strongest:.3f}: the network's answer does not rest "
                   "on any one small part of the drawing. A larger square covers more of a stroke at once.")
    attributions = integrated_gradients(model, image, target)
    st.plotly_chart(attribution_map(attributions, image, f"Integrated gradients of p({target})",
                                    "share of p"), key=f"{key}_ig_{target}")
    baseline = float(model.predict_proba(np.zeros_like(image))[0, target])
    st.caption(f"The integrated gradients add up to {attributions.sum():+.3f}, which is p({target}) of the drawing "
               f"minus p({target}) of a black image ({probability:.3f} - {baseline:.3f}): every bit of the "
               "probability is assigned to a pixel, and a black pixel gets none.")


def show_explanation(model, image: np.ndarray, probabilities: np.ndarray, key: str) -> None:
    """Why `model` read `image` as it did: evidence for its answer and its runner-up, then 'Make it a ...'."""
    image = np.asarray(image, dtype=np.float32)
    order = np.argsort(probabilities)[::-1]
    guess, runner_up = int(order[0]), int(order[1])
    st.subheader("Why this answer?")
    st.markdown("Two ways to ask the network which pixels it leans on. **Occlusion** covers one square at a time "
                "and measures how much the probability drops: blue squares held evidence for the class, red ones "
                "against it. **Integrated gradients** follow the gradient from a black image to the drawing and "
                "split the probability among the pixels exactly.")
    controls = st.columns(3)
    patch = controls[0].slider("Occlusion square (pixels)", 2, 14, 4, key=f"{key}_patch")
    stride = controls[1].slider("Occlusion stride (pixels)", 1, 7, 2, key=f"{key}_stride")
    started = time.perf_counter()
    left, right = st.columns(2)
    with left:
        _evidence_column(model, image, guess, float(probabilities[guess]), patch, stride, key)
    with right:
        _evidence_column(model, image, runner_up, float(probabilities[runner_up]), patch, stride, key)
    controls[2].metric("Time for both", f"{time.perf_counter() - started:.2f} s")

    with st.expander("Two more methods, and what each is good and bad at"):
        smooth = smoothgrad(model, image, guess)
        columns = st.columns(2)
        columns[0].plotly_chart(attribution_map(smooth, image, f"SmoothGrad of p({guess})", "gradient"),
                                key=f"{key}_smoothgrad")
        try:
            cam = grad_cam(model, image, guess)
        except ValueError as error:
            columns[1].info(f"Grad-CAM does not apply: {error}.")
        else:
            columns[1].plotly_chart(attribution_map(cam, image, f"Grad-CAM of p({guess}) on conv2", "evidence",
                                                    signed=False), key=f"{key}_gradcam")
        st.markdown(
            "- **Occlusion**: easy to trust (it only changes the input and looks), but coarse, as slow as the number "
            "of squares, and blind to evidence spread wider than one square.\n"
            "- **Integrated gradients**: exact bookkeeping (the map adds up to the change in probability) and "
            "pixel-sharp, but it depends on the baseline: a black pixel can never get credit, so missing strokes "
            "show only in occlusion.\n"
            "- **SmoothGrad**: the plain gradient (how p changes for a tiny nudge of each pixel) averaged over noisy "
            "copies; less speckled than one gradient, but it says where p is sensitive, not what made it high.\n"
            "- **Grad-CAM**: where the last conv layer saw evidence, smooth and class-specific, but only as sharp as "
            "that layer's map (10 x 10 in LeNet-5), and only for convolutional networks.")

    st.markdown("**Make it a ...**")
    classes = list(range(len(probabilities)))
    target = st.selectbox("Push the drawing towards", classes, index=runner_up, key=f"{key}_target",
                          format_func=lambda digit: f"{digit} (now {probabilities[digit]:.1%})")
    path = counterfactual_path(model, image, int(target))
    frame = st.slider("Frame", 0, len(path.frames) - 1, len(path.frames) - 1, key=f"{key}_frame") \
        if len(path.frames) > 1 else 0
    picture_column, shown, chart = st.columns(3)
    change = np.abs(path.frames[frame] - path.frames[0])
    picture_column.plotly_chart(picture(path.frames[frame], f"Frame {frame} as the network sees it", width=300,
                                        scale_title="pixel value", value_range=(0, 255)), key=f"{key}_frame_image")
    shown.plotly_chart(attribution_map(path.frames[frame] - path.frames[0], image,
                                       f"What changed (p({target}) = {path.probabilities[frame]:.1%})",
                                       "pixel change"), key=f"{key}_frame_map")
    line = go.Figure(go.Scatter(x=list(range(len(path.probabilities))), y=path.probabilities, mode="lines+markers"))
    line.add_hline(y=0.5, line_dash="dot", annotation_text="0.5")
    line.update_layout(height=300, margin=dict(l=40, r=10, t=40, b=30), title=dict(text=f"p({target}) per frame"),
                       xaxis=dict(title="frame", dtick=max(1, len(path.frames) // 10)),
                       yaxis=dict(title=f"p({target})", range=[0, 1]))
    chart.plotly_chart(line, key=f"{key}_frame_chart")
    if target == guess:
        st.caption(f"The network already reads {guess}: there is nothing to push.")
    elif path.reached:
        st.caption(f"After {len(path.frames) - 1} small steps the network reads {target} with p = "
                   f"{path.probabilities[-1]:.1%}. The pixels moved by {path.mean_change:.1f} of 255 on average "
                   f"(at most {change.max():.0f} on one pixel): changes a person barely sees can push a network to "
                   "another answer, which is what adversarial examples are. Blue is ink added, red ink taken away: "
                   "the strokes the network leans on for each answer.")
    else:
        st.caption(f"In {len(path.frames) - 1} steps p({target}) only reached {path.probabilities[-1]:.1%}: this "
                   "drawing is far from anything the network reads as that class.")
