"""The app's pages, grouped in sections, as plain data.

`streamlit_app.py` turns this list into `st.navigation`, the Home page links to
every entry, and the smoke test renders each one, so a page added here is
routed, linked and tested at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib.i18n import N_


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
    # line shown atop the page saying what to try there and what you should see. The line names a control by its
    # key in braces, declared in lib.server.guide_controls, and is shown with that control's label.
    step: int = 0
    book: str = ""
    try_this: str = ""
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec(N_("Start"), "pages/start/home.py", N_("Home"), ":material/home:",
             N_("What this lab teaches and where to begin."), default=True),
    PageSpec(N_("Start"), "pages/start/glossary.py", N_("Glossary"), ":material/translate:",
             N_("The book's terms in English and Korean, each with its meaning and its page.")),
    PageSpec(N_("Chapter 2: Keras"), "pages/chapter2/keras_basics.py", N_("Keras basics"), ":material/school:",
             N_("Data, models in three styles, losses, compile and fit, callbacks, saving: chapter 2 run live."),
             step=1, book=N_("chapter 2"),
             try_this=N_("Open the **{basics_fit_tab}** tab, set **{basics_epochs}** to 1 and train the dense network: "
                         "the loss falls batch by batch, and the **{basics_questions_tab}** tab answers the study note's "
                         "open questions.")),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/why_cnns.py", N_("Why CNNs"), ":material/lightbulb:",
             N_("Parameter explosion and spatial locality: why dense networks struggle with images."),
             step=2, book=N_("chapter 3, the problems of fully connected networks"),
             try_this=N_("Raise **{why_units}** and watch a dense layer's parameters explode with the image size, then "
                         "measure both trained networks on shifted test digits and see which still reads them.")),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/convolution.py", N_("Convolution"), ":material/blur_on:",
             N_("Slide a kernel over a real image; stride, padding and dilation live."),
             step=3, book=N_("chapter 3, convolutional layers"),
             try_this=N_("Pick a kernel under **{conv_kernel}**, then change **{conv_stride}** and **{conv_padding}**: "
                         "the output's size follows the formula under the pictures, and stepping through one value "
                         "shows the products it sums.")),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/conv_layer.py", N_("Conv layer"), ":material/layers:",
             N_("A whole convolutional layer: N kernels over D channels, biases, activation, LeNet-5's own weights."),
             step=4, book=N_("chapter 3, convolutional layer properties"),
             try_this=N_("Set **{layer_volume}** to a digit and **{layer_kernel_source}** to LeNet-5 conv1: each of the N "
                         "kernels makes one output channel, and the proof shows numpy and Keras agree.")),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/pooling.py", N_("Pooling"), ":material/grid_view:",
             N_("Max and average pooling: what they keep and what they drop."),
             step=5, book=N_("chapter 3, pooling layers"),
             try_this=N_("Switch **{pool_mode}** between max and average pooling: max keeps the strongest response of "
                         "each window, average blurs, and both shrink the image.")),
    PageSpec(N_("Training"), "pages/training/train.py", N_("Train LeNet-5"), ":material/model_training:",
             N_("Pick an optimizer and regularizers and watch LeNet-5 learn MNIST live."),
             step=6, book=N_("chapter 3, implementing LeNet-5"),
             try_this=N_("Start from the Quick look preset and press **{train_start}**: the curves grow under the button, "
                         "and the run lands on History and the Draw page.")),
    PageSpec(N_("Training"), "pages/training/optimizers.py", N_("Optimizers"), ":material/route:",
             N_("The book's seven optimizers racing down a loss surface, every step Keras's own update."),
             step=7, book=N_("chapter 3, modern network optimizers"),
             try_this=N_("Move **{opt_primer_rate}** in the one-dimensional primer, then race the seven optimizers: the "
                         "captions say what each path shows.")),
    PageSpec(N_("Training"), "pages/training/regularizers.py", N_("Dropout and batch norm"), ":material/filter_alt:",
             N_("Dropout's masks and batch norm's statistics on the real activations of trained LeNet-5s."),
             step=8, book=N_("chapter 3, regularization methods"),
             try_this=N_("Change **{regularizers_dropout_rate}** and watch units switch off, then see batch norm centre "
                         "and scale the real activations.")),
    PageSpec(N_("Training"), "pages/training/history.py", N_("History"), ":material/show_chart:",
             N_("The book's optimizer and regularization experiments beside your own runs."),
             step=9, book=N_("chapter 3, the book's experiments"),
             try_this=N_("Open the book's optimizer and regularization runs, then add your own: the table puts the best epoch "
                       "beside the final one.")),
    PageSpec(N_("Training"), "pages/training/class_board.py", N_("Class board"), ":material/groups:",
             N_("A class on one link: students hand in their runs, and the board compares them as they arrive."),
             step=10, book=N_("the book's comparisons, made by a class"),
             try_this=N_("Type a title and press **{board_create}**, then give the link to your students: each joins "
                         "with a name and hands in a finished run, and the board ranks them by final accuracy as "
                         "they arrive.")),
    PageSpec(N_("Training"), "pages/training/scaling.py", N_("Scaling out"), ":material/hub:",
             N_("The same training on several GPUs or machines with tf.distribute."),
             step=11, book=N_("beyond the book: tf.distribute"),
             try_this=N_("Press **{scaling_demo_start}**: two processes train one model and the chief alone writes the "
                         "run.")),
    PageSpec(N_("Training"), "pages/training/own_classes.py", N_("Your own classes"), ":material/category:",
             N_("Teach LeNet-5 classes of your own, drawn or uploaded, then read new examples."),
             step=12, book=N_("beyond the book: your own data"),
             try_this=N_("Load the MNIST digits 0-2 starter or draw a few examples of two shapes, train with a small-data "
                         "preset, then draw a new one: the bars share 100 % among your classes, even for a drawing of "
                         "none of them.")),
    PageSpec(N_("Try it"), "pages/draw/draw.py", N_("Draw a digit"), ":material/draw:",
             N_("Draw a digit and watch LeNet-5 read it, from preprocessing to feature maps."),
             step=13, book=N_("chapter 3, LeNet-5 at work"),
             try_this=N_("Draw a digit on the canvas: the preprocessing turns it into an MNIST-like 28 x 28 image, and the "
                       "bars show LeNet-5's probabilities.")),
    PageSpec(N_("Try it"), "pages/draw/receptive.py", N_("Receptive fields"), ":material/center_focus_strong:",
             N_("Pick a unit of LeNet-5 and see the part of your digit it looks at."),
             step=14, book=N_("chapter 3, the effective receptive field"),
             try_this=N_("Set **{receptive_layer}** to a deeper one and pick a unit: its box on your digit grows with "
                         "every conv and pooling layer below it.")),
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


def page_by_url_path(url_path: str) -> PageSpec | None:
    """The page whose address is `url_path` (its file's name; Home's is empty)."""
    for page in PAGES:
        if Path(page.path).stem == url_path or (page.default and url_path in ("", None)):
            return page
    return None


def page_exists(path: str) -> bool:
    """Whether `path` is one of the app's pages (links to pages still to come are not drawn)."""
    return any(page.path == path for page in PAGES)
