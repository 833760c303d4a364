"""Your own classes: training LeNet-5 on the learner's set, through the Train page's form and job queue.

Not a page itself. The set is written into the workspace's folder as a zip of class folders (atomically, under
a name made from its contents, so the same set is written once) and the run's config names it in `data`: the
training process reads it as the command line would (`python -m lib.cli --data that.zip`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import streamlit as st

from lib.codegen.own_classes import own_classes_program
from lib.engine.config import PRESETS, TrainingConfig
from lib.engine.estimate import estimated_seconds
from lib.engine.image_sets import ImageSetError, stratified_split
from lib.engine.labelled_images import ImageSet
from lib.engine.training_data import AUGMENT_ROTATION, AUGMENT_SHIFT, AUGMENT_ZOOM
from lib.i18n import _, ngettext
from lib.plain_text import plain
from ui.code_panel import code_panel
from ui.job_views import format_seconds, show_live, show_result
from ui.jobs import current_job, owner, registry, submit
from ui.own_classes.adders import preparation
from ui.own_classes.data_set import to_image_set
from ui.own_classes.set_view import set_zip_bytes
from ui.training_form import OWN_PRESETS, TrainingForm

# The presets meant for a few dozen examples per class (lib.engine.config); the MNIST ones do not fit here.
PRESETS_HERE = OWN_PRESETS or {"small": PRESETS["small"]}
DEFAULT_PRESET = next(iter(PRESETS_HERE))
SETS_FOLDER = ".image_sets"  # hidden: never taken for a run (lib.runs.store skips names starting with ".")
KEEP_SETS = 20  # a workspace keeps this many sets: as many as its runs (CNN_LAB_RUNS_PER_WORKSPACE's default)

def own_form() -> TrainingForm:
    """The page's form (keys own_*), made afresh each script run: it holds what this run drew."""
    return TrainingForm("own", PRESETS_HERE, DEFAULT_PRESET)


def training_count(image_set: ImageSet, validation_fraction: float, seed: int) -> int:
    """How many of the set's examples train (the rest validate), split as the training process splits them."""
    return len(stratified_split(image_set.labels, validation_fraction, seed)[0])


def estimate(values: dict, examples: int) -> str | None:
    """The engine's estimate of the run's time (lib.engine.estimate.estimated_seconds), or None for a form that
    does not make a config yet (its button says why)."""
    try:
        config = TrainingConfig.from_dict({**values, "data": "", "test_data": ""})
    except ValueError:
        return None
    return format_seconds(estimated_seconds(config, examples))


def save_set(data: bytes, folder: Path) -> Path:
    """The set's zip in `folder`/.image_sets, written whole or not at all; the oldest beyond KEEP_SETS go."""
    sets = Path(folder) / SETS_FOLDER
    sets.mkdir(parents=True, exist_ok=True)
    path = sets / f"{hashlib.sha256(data).hexdigest()[:20]}.zip"
    if not path.is_file():
        handle, temporary = tempfile.mkstemp(dir=sets, prefix=".writing-", suffix=".zip")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)  # readers see the old name or the whole file, never half of one
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    path.touch()  # the newest set is the one kept longest
    others = sorted((other for other in sets.glob("*.zip") if other != path and not other.name.startswith(".")),
                    key=lambda other: other.stat().st_mtime, reverse=True)
    for old in others[KEEP_SETS - 1:]:
        old.unlink(missing_ok=True)
    return path


def own_job():
    """This workspace's latest job, and whether it is one of this page's (trained on a set of its own)."""
    job = current_job()
    return job, job is not None and bool(getattr(job.config, "data", ""))


def _data_fields(form: TrainingForm) -> None:
    form.number("batch_size", _("Batch size"))
    form.number("epochs", _("Epochs"))
    form.number("validation_fraction", _("Held out for validation (share of each class)"), step=0.05, fmt="%.2f")
    form.number("seed", _("Seed"))


def show_training(examples: dict) -> str | None:
    """The form, the estimate and Train; then the run's live curves or its result. Returns the finished run's
    folder when this page's last run has one."""
    form = own_form()
    form.restore()
    try:
        image_set, problem = to_image_set(examples), None
    except ImageSetError as error:
        image_set, problem = None, str(error)
    if image_set is not None and min(image_set.counts().values()) < 2:
        few = [name for name, count in image_set.counts().items() if count < 2]
        image_set, problem = None, ngettext(
            "Give {names} a second example: one of each class is held out for validation.",
            "Give {names} a second example each: one of each class is held out for validation.",
            len(few)).format(names=", ".join(plain(name) for name in few))

    form.show_preset()
    form.show_model_optimizer_and_data(lambda: _data_fields(form))
    st.toggle(_("Data augmentation: random rotations (up to {degrees:.0f} degrees), shifts (up to {shift:.0%}) and "
                "zooms (up to {zoom:.0%}) of the training images, new each epoch").format(
        degrees=AUGMENT_ROTATION * 360, shift=AUGMENT_SHIFT, zoom=AUGMENT_ZOOM), key=form.key("augment"))
    train_images = (training_count(image_set, form.value("validation_fraction"), form.value("seed"))
                    if image_set is not None else 0)
    with st.expander(_("Regularization and learning-rate callbacks")):
        form.show_regularization_and_callbacks(max(train_images, 1))
    form.show_name()
    values = form.values()

    job, mine = own_job()
    busy = job is not None and job.active
    if image_set is not None:
        split = ngettext("{train} example trains and {held} held out for validation.",
                         "{train} examples train and {held} are held out for validation.", train_images).format(
            train=train_images, held=len(image_set) - train_images)
        seconds = estimate(values, len(image_set))
        st.caption(split if seconds is None else split + " " + _(
            "Estimated time: about {time} on a quiet machine with two CPU cores, the training process's start "
            "included; longer while other runs train.").format(time=seconds))
    if busy and not mine:
        st.info(_("A run from the Train LeNet-5 page is training for this workspace; one run at a time: this one "
                  "can start when it ends."))
    clicked = st.button(_("Train on my classes"), type="primary", key="own_train", icon=":material/model_training:",
                        disabled=busy or image_set is None,
                        help=problem or (_("One run at a time per workspace: stop the current one first.")
                                         if busy else None))
    if problem:
        st.caption(problem)
    if clicked and image_set is not None:
        _start(values, examples, image_set, train_images)
    show_code(values, image_set)

    if not mine:
        return None
    st.markdown(_("#### Your run"))
    if busy:
        show_live(job.job_id)
        st.caption(_("The settings above are for the next run; this one trains with the settings it started with."))
        return None
    show_result(job, fill_form=form.fill)
    accuracy_caption(job.config.to_dict())
    return job.run_path


def show_code(values: dict, image_set: ImageSet | None) -> None:
    """The form as a Keras program on the downloaded set, once there is a set to train on."""
    try:
        config = TrainingConfig.from_dict({**values, "data": "", "test_data": ""})
    except ValueError:  # the Train button says why
        return
    if image_set is not None:
        code_panel(own_classes_program(config, image_set.class_names, len(image_set)), "own_train")


def accuracy_caption(config: dict) -> None:
    """What a run's "test accuracy" was measured on, under it: its test data, or its held-out validation split."""
    if config.get("test_data"):
        st.caption(_("Its test accuracy is measured on the held-out test data."))
        return
    st.caption(_("Its test accuracy is measured on the examples held out for validation ({share:.0%} of each class), "
                 "which it never trained on: with so few of them, one example more or less right moves it by several "
                 "points.").format(share=float(config.get("validation_fraction", 0.2))))


def _start(values: dict, examples: dict, image_set: ImageSet, train_images: int) -> None:
    try:
        path = save_set(set_zip_bytes(examples), registry().owner_dir(owner()))
    except OSError as error:
        st.error(_("The set could not be saved for training: {error}").format(error=error))
        return
    name = values.get("name") or ", ".join(image_set.class_names)
    values = {**values, "data": str(path), "test_data": "", "name": name[:200], "preparation": preparation(),
              # Ignored by training on a set of one's own (all of its training part is used), but read by the
              # run's label and the queue's wait estimate: the number of images an epoch trains on.
              "train_samples": min(60000, max(10, train_images))}
    try:
        config = TrainingConfig.from_dict(values)
    except ValueError as error:
        st.error(_("Cannot train with these settings: {error}").format(error=error))
        return
    if submit(config):
        st.rerun()
