"""The app's pages, each declared once, with everything about it, in the order the sidebar and the route list them.

A page is one file under pages/ plus one `PageSpec` here. Everything that needs the pages iterates `PAGES`:
`streamlit_app.py` builds `st.navigation` from it, the route's step numbers are positions in it
(lib/server/navigation.py), the Home page links to every entry, the Glossary lists each page's terms, the server's
warm-up (ui/warmup.py) runs the steps pages declare, and the tests (every page rendered in both languages, the
TensorFlow-free pages, the browser layout checks) and benchmarks/bench_server.py read their page lists from the
tags. So a page added here is routed, numbered, linked, warmed and tested at once; inserting one renumbers
nothing by hand. Readers look `PAGES` up when they run (not a copy bound at import), so a test can declare a
stand-in page with `monkeypatch.setattr(lib.server.pages, "PAGES", ...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.i18n import N_

# Tags. A page of controls and heatmaps (the browser layout tests check its controls and colour scales):
EXPLORER = "explorer"
# A page whose first render imports TensorFlow; every other page is checked to open without it
# (tests/test_explorers_without_tensorflow.py):
NEEDS_TENSORFLOW = "needs_tensorflow"
TAGS = (EXPLORER, NEEDS_TENSORFLOW)


@dataclass(frozen=True)
class Term:
    """One of the book's terms, shown on the Glossary beside the page that declares it."""

    english: str  # both names are shown as they are in either language: they are the two names of one idea
    korean: str  # the Korean edition's word
    meaning: str  # one line, marked for the catalog and shown translated


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
    # The learner's route: a page with a `try_this` line is a step of it, numbered by its place among them (Home,
    # where the route starts, is none). `book` says where in the book it is; `try_this` is shown atop the page and
    # says what to try there and what you should see. It names a control by its key in braces, declared in
    # lib.server.guide_controls, and is shown with that control's label.
    book: str = ""
    try_this: str = ""
    default: bool = False
    tags: tuple[str, ...] = ()  # from TAGS
    # What the server's background warm-up does for this page (the names of ui/warmup.py's steps).
    warm_up: tuple[str, ...] = ()
    glossary: tuple[Term, ...] = ()  # the book's terms this page shows at work
    slider: str = ""  # the key of the slider benchmarks/bench_server.py moves on this page (explorers only)

    @property
    def on_route(self) -> bool:
        return bool(self.try_this)

    def has(self, tag: str) -> bool:
        if tag not in TAGS:
            raise ValueError(f"Unknown page tag {tag!r}; the tags are {', '.join(TAGS)}.")
        return tag in self.tags


PAGES: tuple[PageSpec, ...] = (
    PageSpec(N_("Start"), "pages/start/home.py", N_("Home"), ":material/home:",
             N_("What this lab teaches and where to begin."), default=True),
    PageSpec(N_("Start"), "pages/start/glossary.py", N_("Glossary"), ":material/translate:",
             N_("The book's terms in English and Korean, each with its meaning and its page.")),
    PageSpec(N_("Chapter 2: Keras"), "pages/chapter2/keras_basics.py", N_("Keras basics"), ":material/school:",
             N_("Data, models in three styles, losses, compile and fit, callbacks, saving: chapter 2 run live."),
             book=N_("chapter 2"),
             try_this=N_("Open the **{basics_fit_tab}** tab, set **{basics_epochs}** to 1 and train the dense network: "
                         "the loss falls batch by batch, and the **{basics_questions_tab}** tab answers the study note's "
                         "open questions."),
             tags=(NEEDS_TENSORFLOW,), warm_up=("keras_first_calls",),
             glossary=(
                 Term("dense layer", "밀집 계층", N_("Keras's fully connected layer (Dense).")),
                 Term("flatten", "평면화", N_("Turning a feature map into one long vector, as a dense layer needs.")),
                 Term("loss", "손실", N_("The number training makes small: how far the predictions are from the labels.")),
                 Term("metric", "메트릭", N_("A number saying how well the model does, such as accuracy; not minimised.")),
                 Term("callback", "콜백", N_("Code Keras runs at set points of training, such as each epoch's end.")),
                 Term("Sequential API", "순차형 API",
                      N_("Building a Keras model as a stack of layers, one after the other.")),
                 Term("functional API", "함수형 API",
                      N_("Building a Keras model by calling layers on tensors: any graph of layers.")),
                 Term("TensorBoard", "텐서보드", N_("TensorFlow's tool that draws a training's curves from its logs.")),
                 Term("epoch", "에포크", N_("One pass of training over the whole training set.")),
                 Term("batch", "배치", N_("The samples processed together for one update of the parameters.")),
             )),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/why_cnns.py", N_("Why CNNs"), ":material/lightbulb:",
             N_("Parameter explosion and spatial locality: why dense networks struggle with images."),
             book=N_("chapter 3, the problems of fully connected networks"),
             try_this=N_("Raise **{why_units}** and watch a dense layer's parameters explode with the image size, then "
                         "measure both trained networks on shifted test digits and see which still reads them."),
             warm_up=("photos",),
             glossary=(
                 Term("fully connected layer", "완전 연결 계층",
                      N_("A layer in which every unit is connected to every input.")),
                 Term("parameter", "매개변수", N_("A value the network learns in training: a weight or a bias.")),
             )),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/convolution.py", N_("Convolution"), ":material/blur_on:",
             N_("Slide a kernel over a real image; stride, padding and dilation live."),
             book=N_("chapter 3, convolutional layers"),
             try_this=N_("Pick a kernel under **{conv_kernel}**, then change **{conv_stride}** and **{conv_padding}**: "
                         "the output's size follows the formula under the pictures, and stepping through one value "
                         "shows the products it sums."),
             tags=(EXPLORER,), warm_up=("photos",), slider="conv_stride",
             glossary=(
                 Term("convolution", "합성곱",
                      N_("Sliding a small grid of weights over an image, summing the products at each place.")),
                 Term("filter / kernel", "필터 / 커널",
                      N_("The small grid of weights a convolution slides over its input.")),
                 Term("stride", "보폭", N_("How many pixels the kernel moves between two positions.")),
                 Term("padding (VALID / SAME)", "패딩 (VALID / SAME)",
                      N_("Zeros around the input: VALID adds none, SAME keeps the size at stride 1.")),
             )),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/conv_layer.py", N_("Conv layer"), ":material/layers:",
             N_("A whole convolutional layer: N kernels over D channels, biases, activation, LeNet-5's own weights."),
             book=N_("chapter 3, convolutional layer properties"),
             try_this=N_("Set **{layer_volume}** to a digit and **{layer_kernel_source}** to LeNet-5 conv1: each of the N "
                         "kernels makes one output channel, and the proof shows numpy and Keras agree."),
             tags=(EXPLORER,), warm_up=("photos",), slider="layer_stride",
             glossary=(
                 Term("convolutional layer", "합성곱 계층",
                      N_("N kernels over the input's D channels, each with a bias and an activation.")),
                 Term("bias", "편향", N_("The value a unit adds to its weighted sum before the activation.")),
                 Term("activation function", "활성화 함수",
                      N_("The non-linear function applied to a unit's sum, such as ReLU.")),
             )),
    PageSpec(N_("Chapter 3: the operations"), "pages/operations/pooling.py", N_("Pooling"), ":material/grid_view:",
             N_("Max and average pooling: what they keep and what they drop."),
             book=N_("chapter 3, pooling layers"),
             try_this=N_("Switch **{pool_mode}** between max and average pooling: max keeps the strongest response of "
                         "each window, average blurs, and both shrink the image."),
             tags=(EXPLORER,), warm_up=("photos",), slider="pool_stride",
             glossary=(
                 Term("pooling", "풀링", N_("Shrinking a feature map by summing up each window in one value.")),
                 Term("max pooling", "최대 풀링", N_("Pooling that keeps the largest value of each window.")),
                 Term("average pooling", "평균 풀링", N_("Pooling that keeps the mean of each window.")),
             )),
    PageSpec(N_("Training"), "pages/training/train.py", N_("Train LeNet-5"), ":material/model_training:",
             N_("Pick an optimizer and regularizers and watch LeNet-5 learn MNIST live."),
             book=N_("chapter 3, implementing LeNet-5"),
             try_this=N_("Start from the Quick look preset and press **{train_start}**: the curves grow under the button, "
                         "and the run lands on History and the Draw page."),
             warm_up=("devices",),
             glossary=(
                 Term("hyperparameter", "초매개변수",
                      N_("A value set before training, not learned: the learning rate, the batch size.")),
                 Term("early stopping", "조기 중단",
                      N_("A callback that ends training once the monitored metric stops improving.")),
                 Term("regularization (L1, L2)", "정규화 (L1, L2)",
                      N_("Ways to curb overfitting; L1 and L2 add the weights' size to the loss.")),
             )),
    PageSpec(N_("Training"), "pages/training/optimizers.py", N_("Optimizers"), ":material/route:",
             N_("The book's optimizers racing down a loss surface, every step Keras's own update."),
             book=N_("chapter 3, modern network optimizers"),
             try_this=N_("Move **{opt_primer_rate}** in the one-dimensional primer, then race the book's optimizers: the "
                         "captions say what each path shows."),
             tags=(NEEDS_TENSORFLOW,), warm_up=("keras_first_calls", "optimizer_paths"),
             glossary=(
                 Term("optimizer", "옵티마이저",
                      N_("The algorithm that updates the parameters from the gradient of the loss.")),
                 Term("optimization", "최적화", N_("Searching for the parameters that make the loss small.")),
                 Term("learning rate", "학습률", N_("The size of the step the optimizer takes along the gradient.")),
             )),
    PageSpec(N_("Training"), "pages/training/regularizers.py", N_("Dropout and batch norm"), ":material/filter_alt:",
             N_("Dropout's masks and batch norm's statistics on the real activations of trained LeNet-5s."),
             book=N_("chapter 3, regularization methods"),
             try_this=N_("Change **{regularizers_dropout_rate}** and watch units switch off, then see batch norm centre "
                         "and scale the real activations."),
             tags=(NEEDS_TENSORFLOW,), warm_up=("regularization_models",),
             glossary=(
                 Term("dropout", "드롭아웃", N_("Switching off a random share of the units at each training step.")),
                 Term("batch normalization", "배치 정규화",
                      N_("Centring and scaling a layer's outputs with the batch's mean and variance.")),
             )),
    PageSpec(N_("Training"), "pages/training/history.py", N_("History"), ":material/show_chart:",
             N_("The book's optimizer and regularization experiments beside your own runs."),
             book=N_("chapter 3, the book's experiments"),
             try_this=N_("Open the book's optimizer and regularization runs, then add your own: the table puts the best epoch "
                       "beside the final one.")),
    PageSpec(N_("Training"), "pages/training/class_board.py", N_("Class board"), ":material/groups:",
             N_("A class on one link: students hand in their runs, and the board compares them as they arrive."),
             book=N_("the book's comparisons, made by a class"),
             try_this=N_("Type a title and press **{board_create}**, then give the link to your students: each joins "
                         "with a name and hands in a finished run, and the board ranks them by final accuracy as "
                         "they arrive.")),
    PageSpec(N_("Training"), "pages/training/scaling.py", N_("Scaling out"), ":material/hub:",
             N_("The same training on several GPUs or machines with tf.distribute."),
             book=N_("beyond the book: tf.distribute"),
             try_this=N_("Press **{scaling_demo_start}**: two processes train one model and the chief alone writes the "
                         "run."),
             warm_up=("devices",),
             glossary=(
                 Term("distribution strategy", "분산 전략",
                      N_("How tf.distribute spreads one training over several devices or machines.")),
             )),
    PageSpec(N_("Training"), "pages/training/own_classes.py", N_("Your own classes"), ":material/category:",
             N_("Teach LeNet-5 classes of your own, drawn or uploaded, then read new examples."),
             book=N_("beyond the book: your own data"),
             try_this=N_("Load the MNIST digits 0-2 starter or draw a few examples of two shapes, train with a small-data "
                         "preset, then draw a new one: the bars share 100 % among your classes, even for a drawing of "
                         "none of them.")),
    PageSpec(N_("Try it"), "pages/draw/draw.py", N_("Draw a digit"), ":material/draw:",
             N_("Draw a digit and watch LeNet-5 read it, from preprocessing to feature maps."),
             book=N_("chapter 3, LeNet-5 at work"),
             try_this=N_("Draw a digit on the canvas: the preprocessing turns it into an MNIST-like 28 x 28 image, and the "
                       "bars show LeNet-5's probabilities."),
             tags=(EXPLORER, NEEDS_TENSORFLOW), warm_up=("shipped_model", "test_set")),
    PageSpec(N_("Try it"), "pages/draw/receptive.py", N_("Receptive fields"), ":material/center_focus_strong:",
             N_("Pick a unit of LeNet-5 and see the part of your digit it looks at."),
             book=N_("chapter 3, the effective receptive field"),
             try_this=N_("Set **{receptive_layer}** to a deeper one and pick a unit: its box on your digit grows with "
                         "every conv and pooling layer below it."),
             tags=(EXPLORER, NEEDS_TENSORFLOW), warm_up=("shipped_model",),
             glossary=(
                 Term("receptive field", "수용 영역",
                      N_("The part of the input image that one unit of a deeper layer depends on.")),
             )),
)

