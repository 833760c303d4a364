"""Glossary: the book's terms in English and in its Korean edition's words, each with its page and meaning.

The table is a plain table whose meanings wrap to the page's width; a short list below links each page to its terms in the reader's
language.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.i18n import KOREAN, N_, _, language
from lib.server.navigation import PAGES
from ui.layout import wrap_page_links

# (English term, the Korean edition's term, one line of meaning, the page where it is shown). Both terms are
# shown as they are in either language (they are the two names of one idea); the meaning is translated.
TERMS: tuple[tuple[str, str, str, str], ...] = (
    ("convolution", "합성곱",
     N_("Sliding a small grid of weights over an image, summing the products at each place."),
     "pages/operations/convolution.py"),
    ("convolutional layer", "합성곱 계층",
     N_("N kernels over the input's D channels, each with a bias and an activation."),
     "pages/operations/conv_layer.py"),
    ("filter / kernel", "필터 / 커널",
     N_("The small grid of weights a convolution slides over its input."),
     "pages/operations/convolution.py"),
    ("stride", "보폭",
     N_("How many pixels the kernel moves between two positions."),
     "pages/operations/convolution.py"),
    ("padding (VALID / SAME)", "패딩 (VALID / SAME)",
     N_("Zeros around the input: VALID adds none, SAME keeps the size at stride 1."),
     "pages/operations/convolution.py"),
    ("pooling", "풀링",
     N_("Shrinking a feature map by summing up each window in one value."),
     "pages/operations/pooling.py"),
    ("max pooling", "최대 풀링",
     N_("Pooling that keeps the largest value of each window."),
     "pages/operations/pooling.py"),
    ("average pooling", "평균 풀링",
     N_("Pooling that keeps the mean of each window."),
     "pages/operations/pooling.py"),
    ("receptive field", "수용 영역",
     N_("The part of the input image that one unit of a deeper layer depends on."),
     "pages/draw/receptive.py"),
    ("fully connected layer", "완전 연결 계층",
     N_("A layer in which every unit is connected to every input."),
     "pages/operations/why_cnns.py"),
    ("dense layer", "밀집 계층",
     N_("Keras's fully connected layer (Dense)."),
     "pages/chapter2/keras_basics.py"),
    ("flatten", "평면화",
     N_("Turning a feature map into one long vector, as a dense layer needs."),
     "pages/chapter2/keras_basics.py"),
    ("parameter", "매개변수",
     N_("A value the network learns in training: a weight or a bias."),
     "pages/operations/why_cnns.py"),
    ("hyperparameter", "초매개변수",
     N_("A value set before training, not learned: the learning rate, the batch size."),
     "pages/training/train.py"),
    ("bias", "편향",
     N_("The value a unit adds to its weighted sum before the activation."),
     "pages/operations/conv_layer.py"),
    ("activation function", "활성화 함수",
     N_("The non-linear function applied to a unit's sum, such as ReLU."),
     "pages/operations/conv_layer.py"),
    ("loss", "손실",
     N_("The number training makes small: how far the predictions are from the labels."),
     "pages/chapter2/keras_basics.py"),
    ("metric", "메트릭",
     N_("A number saying how well the model does, such as accuracy; not minimised."),
     "pages/chapter2/keras_basics.py"),
    ("optimizer", "옵티마이저",
     N_("The algorithm that updates the parameters from the gradient of the loss."),
     "pages/training/optimizers.py"),
    ("optimization", "최적화",
     N_("Searching for the parameters that make the loss small."),
     "pages/training/optimizers.py"),
    ("learning rate", "학습률",
     N_("The size of the step the optimizer takes along the gradient."),
     "pages/training/optimizers.py"),
    ("callback", "콜백",
     N_("Code Keras runs at set points of training, such as each epoch's end."),
     "pages/chapter2/keras_basics.py"),
    ("early stopping", "조기 중단",
     N_("A callback that ends training once the monitored metric stops improving."),
     "pages/training/train.py"),
    ("regularization (L1, L2)", "정규화 (L1, L2)",
     N_("Ways to curb overfitting; L1 and L2 add the weights' size to the loss."),
     "pages/training/train.py"),
    ("dropout", "드롭아웃",
     N_("Switching off a random share of the units at each training step."),
     "pages/training/regularizers.py"),
    ("batch normalization", "배치 정규화",
     N_("Centring and scaling a layer's outputs with the batch's mean and variance."),
     "pages/training/regularizers.py"),
    ("Sequential API", "순차형 API",
     N_("Building a Keras model as a stack of layers, one after the other."),
     "pages/chapter2/keras_basics.py"),
    ("functional API", "함수형 API",
     N_("Building a Keras model by calling layers on tensors: any graph of layers."),
     "pages/chapter2/keras_basics.py"),
    ("distribution strategy", "분산 전략",
     N_("How tf.distribute spreads one training over several devices or machines."),
     "pages/training/scaling.py"),
    ("TensorBoard", "텐서보드",
     N_("TensorFlow's tool that draws a training's curves from its logs."),
     "pages/chapter2/keras_basics.py"),
    ("epoch", "에포크",
     N_("One pass of training over the whole training set."),
     "pages/chapter2/keras_basics.py"),
    ("batch", "배치",
     N_("The samples processed together for one update of the parameters."),
     "pages/chapter2/keras_basics.py"),
)

PAGE_OF_PATH = {page.path: page for page in PAGES}


def page_title(path: str) -> str:
    page = PAGE_OF_PATH.get(path)
    return _(page.title) if page is not None else ""


wrap_page_links()
st.title(_("Glossary"))
st.markdown(_("The book's terms, in English and in the words of its Korean edition, each with one line of meaning "
              "and the page where you see it at work. The Korean pages use these terms throughout and give the "
              "English term in brackets where a page first uses one."))

# A plain table, not a data grid: a grid draws on a canvas with fixed column widths, so a long meaning ran past
# its right edge; a table wraps it to the width of the page, in either language.
columns = (_("English"), _("Korean"), _("Page"), _("Meaning"))
st.table(pd.DataFrame([dict(zip(columns, (english, korean, page_title(path), _(meaning))))
                       for english, korean, meaning, path in TERMS]), hide_index=True)

st.subheader(_("Where to see them"))
terms_by_page: dict[str, list[str]] = {}
for english, korean, _meaning, path in TERMS:  # each term in the reader's language
    terms_by_page.setdefault(path, []).append(korean if language() == KOREAN else english)
for page in PAGES:  # in the sidebar's order
    if page.path in terms_by_page:
        st.page_link(page.path, icon=page.icon, label=_("{title}: {terms}").format(
            title=_(page.title), terms=", ".join(terms_by_page[page.path])))
