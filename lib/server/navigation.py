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
    # The learner's route: the page's place in the book's order (Home is 0), where in the book it is, and one
    # line shown atop the page saying what to try there and what you should see.
    step: int = 0
    book: str = ""
    try_this: str = ""
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Start", "pages/start/home.py", "Home", ":material/home:",
             "What this lab teaches and where to begin.", default=True),
    PageSpec("Chapter 2: Keras", "pages/chapter2/keras_basics.py", "Keras basics", ":material/school:",
             "Data, models in three styles, losses, compile and fit, callbacks, saving: chapter 2 run live.",
             step=1, book="chapter 2",
             try_this=("Open the Fit tab and train the dense network for one epoch: the loss falls batch by batch, and the "
                       "last tab answers the study note's open questions.")),
    PageSpec("Chapter 3: the operations", "pages/operations/why_cnns.py", "Why CNNs", ":material/lightbulb:",
             "Parameter explosion and spatial locality: why dense networks struggle with images.",
             step=2, book="chapter 3, the problems of fully connected networks",
             try_this=("Raise the image size and watch a dense layer's parameters explode, then shift test digits and see "
                       "which network still reads them.")),
    PageSpec("Chapter 3: the operations", "pages/operations/convolution.py", "Convolution", ":material/blur_on:",
             "Slide a kernel over a real image; stride, padding and dilation live.",
             step=3, book="chapter 3, convolutional layers",
             try_this=("Change the kernel, stride and padding: the output's size follows the formula beside it, and stepping"
                       " through one value shows the products it sums.")),
    PageSpec("Chapter 3: the operations", "pages/operations/conv_layer.py", "Conv layer", ":material/layers:",
             "A whole convolutional layer: N kernels over D channels, biases, activation, LeNet-5's own weights.",
             step=4, book="chapter 3, convolutional layer properties",
             try_this=("Use LeNet-5's own conv1 kernels on a digit: each of the N kernels makes one output channel, and the "
                       "proof shows numpy and Keras agree.")),
    PageSpec("Chapter 3: the operations", "pages/operations/pooling.py", "Pooling", ":material/grid_view:",
             "Max and average pooling: what they keep and what they drop.",
             step=5, book="chapter 3, pooling layers",
             try_this=("Switch between max and average pooling: max keeps the strongest response of each window, average "
                       "blurs, and both shrink the image.")),
    PageSpec("Training", "pages/training/train.py", "Train LeNet-5", ":material/model_training:",
             "Pick an optimizer and regularizers and watch LeNet-5 learn MNIST live.",
             step=6, book="chapter 3, implementing LeNet-5",
             try_this=("Start from the Quick look preset and press Train: the curves grow under the button, and the run "
                       "lands on History and the Draw page.")),
    PageSpec("Training", "pages/training/optimizers.py", "Optimizers", ":material/route:",
             "The book's seven optimizers racing down a loss surface, every step Keras's own update.",
             step=7, book="chapter 3, modern network optimizers",
             try_this=("Start with gradient descent in one dimension, then race the seven optimizers: the captions say what "
                       "each path shows.")),
    PageSpec("Training", "pages/training/regularizers.py", "Dropout and batch norm", ":material/filter_alt:",
             "Dropout's masks and batch norm's statistics on the real activations of trained LeNet-5s.",
             step=8, book="chapter 3, regularization methods",
             try_this=("Change the dropout rate and watch units switch off, then see batch norm centre and scale the real "
                       "activations.")),
    PageSpec("Training", "pages/training/history.py", "History", ":material/show_chart:",
             "The book's optimizer and regularization experiments beside your own runs.",
             step=9, book="chapter 3, the book's experiments",
             try_this=("Open the book's optimizer and regularization runs, then add your own: the table puts the best epoch "
                       "beside the final one.")),
    PageSpec("Training", "pages/training/scaling.py", "Scaling out", ":material/hub:",
             "The same training on several GPUs or machines with tf.distribute.",
             step=10, book="beyond the book: tf.distribute",
             try_this=("Run the two-worker demonstration: two processes train one model and the chief alone writes the run.")),
    PageSpec("Try it", "pages/draw/draw.py", "Draw a digit", ":material/draw:",
             "Draw a digit and watch LeNet-5 read it, from preprocessing to feature maps.",
             step=11, book="chapter 3, LeNet-5 at work",
             try_this=("Draw a digit on the canvas: the preprocessing turns it into an MNIST-like 28 x 28 image, and the "
                       "bars show LeNet-5's probabilities.")),
    PageSpec("Try it", "pages/draw/receptive.py", "Receptive fields", ":material/center_focus_strong:",
             "Pick a unit of LeNet-5 and see the part of your digit it looks at.",
             step=12, book="chapter 3, the effective receptive field",
             try_this=("Pick a unit in a deeper layer: its box on your digit grows with every conv and pooling layer below "
                       "it.")),
)


def pages_by_section() -> dict[str, list[PageSpec]]:
    """The pages grouped by section, in the order they are listed."""
    sections: dict[str, list[PageSpec]] = {}
    for page in PAGES:
        sections.setdefault(page.section, []).append(page)
    return sections


def route() -> list[PageSpec]:
    """The pages a learner takes in the book's order (Home, step 0, is where the route starts, not a step)."""
    return sorted((page for page in PAGES if page.step), key=lambda page: page.step)


def next_on_route(path: str) -> PageSpec | None:
    """The page after `path` on the route, or None at its end (or for a page not on it)."""
    steps = route()
    for position, page in enumerate(steps[:-1]):
        if page.path == path:
            return steps[position + 1]
    return None


def page_by_title(title: str) -> PageSpec | None:
    return next((page for page in PAGES if page.title == title), None)


def page_exists(path: str) -> bool:
    """Whether `path` is one of the app's pages (links to pages still to come are not drawn)."""
    return any(page.path == path for page in PAGES)
