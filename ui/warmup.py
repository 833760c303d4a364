"""The server's warm-up: what the model pages need, done once in the background after a visitor's first page.

Not a page itself. Importing TensorFlow, loading and tracing the shipped LeNet-5 and reading MNIST's test set
with it take seconds on a small server; done here, while the visitor reads Home, the Draw, Keras basics,
Receptive fields and Dropout and batch norm pages find them in the caches they read (ui/models.py, ui/digits.py,
ui/model_card.py: the same `st.cache_resource` and `st.cache_data` entries, which Streamlit lets any thread fill;
a page that asks while the warm-up is still loading waits on the same entry instead of loading a second copy).
The child that tells which devices TensorFlow sees is asked first, since it runs in a process of its own.
Started from the entry file once its page has run, so a server nobody visits never loads TensorFlow; everything
is imported inside its step, so that importing this module costs the first page nothing.

Which steps run is declared with the pages (lib/server/pages.py: each page's `warm_up` names the steps its first
open needs); `STEPS` below gives each step its name and the order they run in. What a step warms is read from the
pages' own defaults (the sample photos' defaults in lib.explore.images, the models the Dropout and batch norm page
opens with in lib.runs.store), so changing a default changes what is warmed with it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lib.i18n import _
from lib.server.navigation import all_pages
from lib.server.warmup import BackgroundOnce


def ask_for_devices() -> None:
    from ui.devices import devices_answer

    devices_answer()  # a child process: it runs beside the steps below


def explorer_pictures() -> None:
    """The operations pages' sample photos (scikit-image reads them from its data files) and the first PNG."""
    import numpy as np

    from lib.explore.images import DEFAULT_PHOTOS, png_data_uri
    from ui.widgets import _cached_photo

    for name in dict.fromkeys(DEFAULT_PHOTOS.values()):  # each picker's default photo, once
        _cached_photo(name)
    png_data_uri(np.zeros((8, 8), dtype=np.uint8))


def load_shipped_model() -> None:
    import pandas  # noqa: F401 - what the model pages import first, before drawing anything
    import plotly.express  # noqa: F401

    from ui.models import shipped_classifier

    shipped_classifier()  # imports TensorFlow and Keras, loads the shipped model, traces its prediction


def read_test_set() -> None:
    from lib.runs.store import SHIPPED_MODEL
    from ui.digits import mnist_test
    from ui.model_card import test_predictions
    from ui.models import shipped_classifier

    mnist_test()  # the digit pickers' default and the Draw page's model card
    test_predictions(str(SHIPPED_MODEL), shipped_classifier())  # the model card's misread digits


def load_regularization_models() -> None:
    from lib.keras_views.regularizer_views import PAGE_RUNS
    from lib.runs.store import book_model_path
    from ui.models import keras_model

    for name in PAGE_RUNS:  # the Dropout and batch norm page opens with these
        keras_model(str(book_model_path(name)))


def first_calls() -> None:
    """Keras's and TensorFlow's first-call costs (lazy imports, the first traced function), paid here.

    The Keras basics and Optimizers pages cache what they compute in caches of their own; their results are
    not kept from here, but what the first call of each costs in any process is.
    """
    from lib.codegen.keras_basics import model_examples
    from lib.keras_views.keras_basics import BOOK_Y_PRED, BOOK_Y_TRUE, crossentropy_pair, optimizer_string_vs_object
    from lib.keras_views.optimizer_paths import SURFACES, gradient_at, trajectory

    model_examples()
    crossentropy_pair(list(BOOK_Y_TRUE), [list(row) for row in BOOK_Y_PRED])
    optimizer_string_vs_object(0.1)
    start = SURFACES["bowl"].start
    gradient_at("bowl", start)
    trajectory("adam", "bowl", start, 10)



def optimizers_page() -> None:
    """The Optimizers page's first open: the default surface's paths and explanation, into the page's caches."""
    from ui.optimizer_views import warm_default_surface

    warm_default_surface()


# Every step by the name pages declare it with (lib/server/pages.py), in the order they run: each is what some
# page would otherwise do first. The devices child comes first, since it runs in a process of its own.
STEPS: dict[str, Callable[[], None]] = {
    "devices": ask_for_devices,
    "photos": explorer_pictures,
    "shipped_model": load_shipped_model,
    "test_set": read_test_set,
    "regularization_models": load_regularization_models,
    "keras_first_calls": first_calls,
    "optimizer_paths": optimizers_page,
}


def declared_steps() -> list[Callable[[], None]]:
    """The steps some page declares, each once, in STEPS's order; a name no step has is a mistake, said at once."""
    declared = {name for page in all_pages() for name in page.warm_up}
    unknown = declared - set(STEPS)
    if unknown:
        raise ValueError(f"Pages declare warm-up steps that ui/warmup.py does not have: {', '.join(sorted(unknown))}; "
                         f"the steps are {', '.join(STEPS)}.")
    return [step for name, step in STEPS.items() if name in declared]


WARM_UP = BackgroundOnce("cnn-lab-warm-up", *declared_steps())
# A cold deep link to Draw starts the warm-up from the page and lets its browser fetch the canvas's files
# first: TensorFlow's import, begun at once, held the canvas back by a second (3.0 s against 2.0 s).
COMPONENT_FETCH_PAUSE = 0.75


def import_shared_libraries() -> None:
    """pandas and Plotly Express, imported in the calling script's thread before the warm-up's thread starts.

    The warm-up imports them for the model pages; a visitor's page imports pandas too, or Streamlit does for it
    (st.dataframe). Two threads importing the same package at once can be handed a half-imported module
    (Python breaks an import-lock cycle that way): a Pooling page opened while the warm-up imported pandas failed
    with "partially initialized module 'pandas' has no attribute 'Series'". Imported here, they are whole
    before any other thread can ask.
    """
    import pandas  # noqa: F401
    import plotly.express  # noqa: F401


def start_warm_up() -> bool:
    """Start the warm-up unless this server has started it already; True if this call started it."""
    if not WARM_UP.started:
        import_shared_libraries()
    return WARM_UP.start()


def models_deferred() -> bool:
    """Whether this run should draw its TensorFlow-free parts and leave the model's for later.

    True only on a server's very first page (a shared link opened on a cold server): nothing has imported
    TensorFlow, so loading a model would hold that page blank for seconds. The warm-up is started here and
    loads the shipped model; `wait_for_models` shows where the model's parts will appear and reruns the page
    when it is loaded. Once any page has started the warm-up, a page asks for its model and waits on the
    warm-up's cache entry instead (Streamlit's spinner shows while it does).
    """
    if WARM_UP.started or WARM_UP.has_run(load_shipped_model):
        return False
    import_shared_libraries()
    WARM_UP.start(delay=COMPONENT_FETCH_PAUSE)
    return True


@st.fragment(run_every=0.5)
def wait_for_models() -> None:
    """A placeholder where the model's parts will appear; the page runs again once the warm-up has loaded it."""
    if WARM_UP.has_run(load_shipped_model):
        st.rerun(scope="app")
    st.info(_("Loading the model: a fresh server imports TensorFlow first, which takes a few seconds. "
              "Draw meanwhile; the prediction appears here by itself."), icon=":material/hourglass_top:")
