"""The app's pages, grouped in sections, as plain data.

`streamlit_app.py` turns this list into `st.navigation`, the Home page links to
every entry, and the smoke test renders each one, so a page added here is
routed, linked and tested at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    section: str
    # Relative to the repository root. Pages live in sub-folders of pages/ on
    # purpose: Streamlit still auto-discovers pages/*.py (its old multipage
    # mode) on a server's first request, which would let a bookmarked URL run a
    # page without this app's navigation. Sub-folders are never discovered.
    path: str
    title: str
    icon: str
    blurb: str  # one sentence for the Home page
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Start", "pages/start/home.py", "Home", ":material/home:",
             "What this lab teaches and where to begin.", default=True),
    PageSpec("Chapter 2: Keras", "pages/chapter2/keras_basics.py", "Keras basics", ":material/school:",
             "Data, models in three styles, losses, compile and fit, callbacks, saving: chapter 2 run live."),
    PageSpec("Chapter 3: the operations", "pages/operations/convolution.py", "Convolution", ":material/blur_on:",
             "Slide a kernel over a real image; stride, padding and dilation live."),
    PageSpec("Chapter 3: the operations", "pages/operations/conv_layer.py", "Conv layer", ":material/layers:",
             "A whole convolutional layer: N kernels over D channels, biases, activation, LeNet-5's own weights."),
    PageSpec("Chapter 3: the operations", "pages/operations/pooling.py", "Pooling", ":material/grid_view:",
             "Max and average pooling: what they keep and what they drop."),
    PageSpec("Chapter 3: the operations", "pages/operations/why_cnns.py", "Why CNNs", ":material/lightbulb:",
             "Parameter explosion and spatial locality: why dense networks struggle with images."),
    PageSpec("Training", "pages/training/train.py", "Train LeNet-5", ":material/model_training:",
             "Pick an optimizer and regularizers and watch LeNet-5 learn MNIST live."),
    PageSpec("Training", "pages/training/optimizers.py", "Optimizers", ":material/route:",
             "The book's seven optimizers racing down a loss surface, every step Keras's own update."),
    PageSpec("Training", "pages/training/regularizers.py", "Dropout and batch norm", ":material/filter_alt:",
             "Dropout's masks and batch norm's statistics on the real activations of trained LeNet-5s."),
    PageSpec("Training", "pages/training/history.py", "History", ":material/show_chart:",
             "The book's optimizer and regularization experiments beside your own runs."),
    PageSpec("Training", "pages/training/scaling.py", "Scaling out", ":material/hub:",
             "The same training on several GPUs or machines with tf.distribute."),
    PageSpec("Try it", "pages/draw/draw.py", "Draw a digit", ":material/draw:",
             "Draw a digit and watch LeNet-5 read it, from preprocessing to feature maps."),
    PageSpec("Try it", "pages/draw/receptive.py", "Receptive fields", ":material/center_focus_strong:",
             "Pick a unit of LeNet-5 and see the part of your digit it looks at."),
)


def pages_by_section() -> dict[str, list[PageSpec]]:
    """The pages grouped by section, in the order they are listed."""
    sections: dict[str, list[PageSpec]] = {}
    for page in PAGES:
        sections.setdefault(page.section, []).append(page)
    return sections


def page_exists(path: str) -> bool:
    """Whether `path` is one of the app's pages (links to pages still to come are not drawn)."""
    return any(page.path == path for page in PAGES)
