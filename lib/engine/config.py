"""One `TrainingConfig` shared by the Training page, the command line and saved runs.

Each field carries its own range and help text in its metadata, so the form,
the CLI flags and `validate` all read the same limits and can never disagree.
`config_flags` and `command_for` write a config back as the flags of
`python -m lib.cli`, for the training process the server starts and the
commands pages show.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZER_IDS  # noqa: F401 (lib.runs.store reads the rates here)
from lib.i18n import N_, _

# The one list of each choice: lib.engine.models, lib.engine.distribute, the form and the CLI all read these.
ARCHITECTURES = ("lenet5", "dense")
STYLES = ("sequential", "functional", "subclassed")
STRATEGIES = ("default", "mirrored", "multiworker")
MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")
# Where LeNet-5's dropout layers go: after both conv blocks and Dense(120) (the book's), after the conv blocks
# only, or after Dense(120) only (the dense network has its one dropout layer after Dense(128) whatever this says).
DROPOUT_PLACES = ("all", "conv", "dense")
SCHEDULES = ("none", "step", "exponential", "cosine")
# How an image of one's own becomes LeNet-5's 28 x 28 input (lib.engine.image_prep): its ink found, cropped and
# centred as MNIST's digits were ("ink"), or only resized, polarity and margins kept ("as_is").
PREPARATIONS = ("ink", "as_is")
# The optimizers (their ids, Keras's default rates and the rest) are lib.engine.optimizers's registry: the
# optimizer field's choices are its ids, read live, and KERAS_DEFAULT_LEARNING_RATES is read here by lib.runs.store.
# Every model takes MNIST's form, (28, 28, 1) white on black, and has one output per class (MNIST's ten digits
# unless a data set of one's own has others): lib.engine.models builds with these, lib.codegen writes them.
INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
# Keras's default BatchNormalization momentum, kept here for the same reason (tests/test_models.py checks it).
KERAS_BATCH_NORM_MOMENTUM = 0.99


# Text fields hold at most this many characters; paths to data sets may be longer (a workspace's folders).
MAX_TEXT = 200
MAX_PATH = 1000
# What config.json records beside the config itself, for readers: from_dict leaves it out.
RECORDED_KEYS = ("class_names",)


def spec(default, help, *, choices=None, low=None, high=None, optional=False, path=False):
    """A dataclass field with its allowed values recorded for the form, the CLI and validation.

    `path` marks a text field that names a data set (a folder or a .zip): validate checks that it exists.
    """
    return field(default=default, metadata={"help": help, "choices": choices, "low": low, "high": high,
                                            "optional": optional, "path": path})


@dataclass
class TrainingConfig:
    # What to train. LeNet-5 is the book's chapter-3 network; "dense" is the
    # chapter-2 Flatten-Dense-Dense baseline.
    model: str = spec("lenet5", N_("network to train"), choices=ARCHITECTURES)
    style: str = spec("sequential", N_("Keras API style used to build it"), choices=STYLES)
    # How to train. learning_rate None means Keras's own default for the optimizer,
    # which is what the book uses.
    optimizer: str = spec("sgd", N_("optimizer, built as the book builds it"), choices=OPTIMIZER_IDS)
    learning_rate: float | None = spec(None, N_("learning rate (default: Keras's default for the optimizer)"),
                                       low=1e-6, high=10.0, optional=True)
    batch_size: int = spec(32, N_("samples per gradient step (the global batch)"), low=1, high=8192)
    epochs: int = spec(5, N_("passes over the training samples"), low=1, high=1000)
    # The book trains on all 60,000 images; its regularization notebook on 200.
    train_samples: int = spec(60000, N_("training images used, from the start of MNIST's training set (MNIST only: "
                              "a data set of your own trains on all of its training part)"), low=10, high=60000)
    # Your own classes instead of MNIST (lib.engine.image_sets): a folder of class sub-folders, the layout of
    # Keras's image_dataset_from_directory, or a .zip of one. A stratified part of it validates, and measures
    # test_accuracy unless a held-out set with the same class folders is given.
    data: str = spec("", N_("a folder of class sub-folders, or a .zip of one, to train on instead of MNIST "
                     "(default: MNIST)"), path=True)
    test_data: str = spec("", N_("with --data: a held-out folder or .zip with the same class folders, on which "
                          "test_accuracy is measured (default: the validation split)"), path=True)
    preparation: str = spec("ink", N_("with --data: ink (find the ink whatever its polarity, crop to it, scale it to "
                            "20 px and centre it by mass, as MNIST was made) or as_is (only resize to 28 x 28, "
                            "keeping polarity and margins)"), choices=PREPARATIONS)
    validation_fraction: float = spec(0.2, N_("with --data: the share of each class held out for validation"),
                                      low=0.05, high=0.5)
    # Small data sets learn shapes, not their exact placement: random small rotations, shifts and zooms of the
    # training batches (never of validation or test, and not part of the saved model) multiply the examples.
    augment: bool = spec(False, N_("augment the training images with small random rotations, shifts and zooms"))
    # Regularization, placed as the book places it (see lib.engine.models).
    l1: float = spec(0.0, N_("L1 kernel regularization coefficient"), low=0.0, high=1.0)
    l2: float = spec(0.0, N_("L2 kernel regularization coefficient"), low=0.0, high=1.0)
    dropout: float = spec(0.0, N_("dropout rate after each conv block and Dense(120)"), low=0.0, high=0.9)
    dropout_at: str = spec("all", N_("where LeNet-5's dropout goes: after both conv blocks and Dense(120) (all), "
                                     "after the conv blocks only (conv) or after Dense(120) only (dense)"),
                           choices=DROPOUT_PLACES)
    batch_norm: bool = spec(False, N_("batch normalization before each ReLU"))
    # Evaluation normalizes with moving averages of the batch statistics, which average over about
    # 1 / (1 - momentum) steps and start from mean 0, variance 1: a run of a few hundred steps needs a
    # lower momentum than Keras's 0.99, or its test accuracy is measured with statistics that never caught up.
    batch_norm_momentum: float = spec(KERAS_BATCH_NORM_MOMENTUM, N_("batch normalization: momentum of the moving "
                                      "mean and variance that evaluation uses (they average over about "
                                      "1/(1-momentum) steps)"), low=0.0, high=0.999)
    # Callbacks.
    early_stopping: bool = spec(False, N_("stop when the monitored value stops improving"))
    early_stopping_monitor: str = spec("val_loss", N_("value early stopping watches"), choices=MONITORS)
    early_stopping_patience: int = spec(5, N_("epochs without improvement before stopping"), low=0, high=1000)
    early_stopping_restore_best: bool = spec(True, N_("restore the weights of the best epoch when stopping"))
    reduce_lr_on_plateau: bool = spec(False, N_("divide the learning rate when val_loss plateaus"))
    reduce_lr_factor: float = spec(0.5, N_("factor ReduceLROnPlateau multiplies the learning rate by"), low=0.01, high=0.99)
    reduce_lr_patience: int = spec(2, N_("epochs of plateau before ReduceLROnPlateau acts"), low=0, high=1000)
    lr_schedule: str = spec("none", N_("learning-rate schedule: none, step (multiply every N epochs), exponential, "
                            "or cosine (warm up, then decay to zero along a cosine, every batch)"), choices=SCHEDULES)
    lr_schedule_factor: float = spec(0.5, N_("factor the schedule multiplies the learning rate by"), low=0.01, high=1.0)
    lr_schedule_every: int = spec(5, N_("epochs between steps of the step schedule"), low=1, high=1000)
    # Adam at a high rate from random weights can jump somewhere it never recovers
    # from; a short linear warm-up lets the first steps find their footing.
    warmup_epochs: float = spec(0.5, N_("cosine schedule: epochs of linear warm-up from 0 to the learning rate"),
                                low=0.0, high=100.0)
    # Where to train (see lib.engine.distribute): one device, all local GPUs (or the
    # devices named), or several machines described by TF_CONFIG.
    strategy: str = spec("default", N_("tf.distribute strategy"), choices=STRATEGIES)
    devices: str = spec("", N_("comma-separated devices for mirrored, e.g. /gpu:0,/gpu:1 (default: all local GPUs)"))
    scale_learning_rate: bool = spec(False, N_("multiply the learning rate by the number of replicas"))
    seed: int = spec(42, N_("random seed for weights and shuffling"), low=0, high=2**31 - 1)
    name: str = spec("", N_("a label for the run (any text; the run id is made safe from it)"))

    def validate(self) -> TrainingConfig:
        """Raise ValueError naming the first field whose value is not allowed."""
        for item in dataclasses.fields(self):
            check_field(item, getattr(self, item.name))
        if self.lr_schedule == "cosine" and self.reduce_lr_on_plateau:
            raise ValueError(_("reduce_lr_on_plateau: cannot be combined with the cosine schedule, which sets the "
                               "rate of every batch itself"))
        if self.test_data and not self.data:
            raise ValueError(_("test_data: needs data, the set it tests (MNIST has its own test set)"))
        if self.augment and self.strategy == "multiworker":
            raise ValueError(_("augment: is not available with the multiworker strategy"))
        for name in ("data", "test_data"):
            check_data_path(name, getattr(self, name))
        return self

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, values: dict) -> TrainingConfig:
        """Build and validate a config; unknown keys are an error, missing ones take defaults."""
        known = {item.name for item in dataclasses.fields(cls)}
        values = {key: value for key, value in values.items() if key not in RECORDED_KEYS}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(_("unknown config field(s): {names}").format(names=", ".join(unknown)))
        return cls(**values).validate()


def check_data_path(name: str, value: str) -> None:
    """A data field names an existing folder or file (what it holds is lib.engine.image_sets's to check)."""
    if value and not Path(value).expanduser().exists():
        raise ValueError(_("{name}: there is no folder or .zip file at {value}").format(name=name, value=value))


def check_field(item: dataclasses.Field, value) -> None:
    meta, name = item.metadata, item.name
    if value is None:
        if meta.get("optional"):
            return
        raise ValueError(_("{name}: a value is required").format(name=name))
    if item.type in ("bool",) or isinstance(item.default, bool):
        if not isinstance(value, bool):
            raise ValueError(_("{name}: must be true or false, got {value!r}").format(name=name, value=value))
        return
    if meta.get("choices"):
        if value not in meta["choices"]:
            raise ValueError(_("{name}: must be one of {choices}; got {value!r}").format(
                name=name, choices=", ".join(meta["choices"]), value=value))
        return
    if isinstance(item.default, str):
        longest = MAX_PATH if meta.get("path") else MAX_TEXT
        if not isinstance(value, str) or len(value) > longest:
            raise ValueError(_("{name}: must be text of at most {longest} characters").format(name=name,
                                                                                               longest=longest))
        return
    wants_int = isinstance(item.default, int)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(_("{name}: must be a number; got {value!r}").format(name=name, value=value))
    if wants_int and int(value) != value:
        raise ValueError(_("{name}: must be a whole number; got {value!r}").format(name=name, value=value))
    if not math.isfinite(value):
        raise ValueError(_("{name}: must be a finite number; got {value!r}").format(name=name, value=value))
    low, high = meta.get("low"), meta.get("high")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(_("{name}: must be between {low:g} and {high:g}; got {value!r}").format(
            name=name, low=low, high=high, value=value))


FIELDS = {item.name: item for item in dataclasses.fields(TrainingConfig)}

@dataclasses.dataclass(frozen=True)
class Preset:
    """A starting point for training: `id` is what the command line's --preset, a page's form and a class board's
    entries keep; `label` is what a person reads (marked for the catalog: the pages show it translated), so
    rewording it changes no behaviour. `own_data`: made for Your own classes' few dozen examples per class, not
    for MNIST."""

    id: str
    label: str
    values: dict
    own_data: bool = False


# Starting points for the Training page, as the book runs them. The short ones lower batch norm's momentum
# (used only when batch normalization is ticked) to what lib.engine.batch_norm.suggested_momentum gives for their
# epoch: at 0.99 the moving statistics need ~460 steps to forget their start, Quick look's epoch has 47 and
# Small data's 7, so their validation would lag for most of the run (Quick look + batch norm tested 26 %
# at 0.99, 96 % at 0.9).
PRESET_LIST = (
    Preset("book", N_("Book"), dict(optimizer="sgd", batch_size=32, train_samples=60000, epochs=10)),
    Preset("quick", N_("Quick look"), dict(optimizer="adam", batch_size=128, train_samples=6000, epochs=3,
                                           batch_norm_momentum=0.9)),
    # Unchanged LeNet-5: Adam at batch 128 with a half-epoch warm-up and cosine decay reaches 99 % in four
    # epochs (benchmarks/bench_training.py measures it against the book's recipe).
    Preset("fast", N_("Fast"), dict(optimizer="adam", learning_rate=0.004, batch_size=128, train_samples=60000,
                                    epochs=4, lr_schedule="cosine", warmup_epochs=0.5)),
    Preset("small", N_("Small data"), dict(optimizer="sgd", batch_size=32, train_samples=200, epochs=100,
                                           batch_norm_momentum=0.9)),
    # Your own classes, 10-30 examples each (benchmarks/bench_own_classes.py presets measures them on drawn shapes
    # and on MNIST's digits 0-2). A small set has few batches an epoch, so the thorough one takes small batches
    # and many epochs: augmentation needs the steps to pay off.
    Preset("own-quick", N_("Own classes: quick"), dict(optimizer="adam", batch_size=16, epochs=30), own_data=True),
    Preset("own-thorough", N_("Own classes: thorough"), dict(optimizer="adam", batch_size=8, epochs=100,
                                                             augment=True), own_data=True),
)
PRESETS = {preset.id: preset.values for preset in PRESET_LIST}  # id -> the values it sets
PRESET_LABELS = {preset.id: preset.label for preset in PRESET_LIST}  # id -> its label (untranslated)
OWN_DATA_PRESETS = tuple(preset.id for preset in PRESET_LIST if preset.own_data)
# The command line starts from this preset when it trains on --data without --preset.
OWN_DATA_PRESET = "own-thorough"


def preset_id(text: str) -> str:
    """The preset `text` names: its id, or its English label as commands written before the ids said it
    ("Quick look"), in any case. ValueError for anything else."""
    wanted = text.strip().casefold()
    for preset in PRESET_LIST:
        if wanted in (preset.id, preset.label.casefold()):
            return preset.id
    raise ValueError(_("Unknown preset {text!r}; choose from {ids}.").format(text=text, ids=", ".join(PRESETS)))


def baseline_config(config: TrainingConfig) -> TrainingConfig:
    """What the command line starts from for `config`: the defaults, or OWN_DATA_PRESET's values on own data."""
    return TrainingConfig(**PRESETS[OWN_DATA_PRESET]) if config.data else TrainingConfig()


def flag(name: str) -> str:
    """The command-line flag of a config field: `batch_size` is `--batch-size`."""
    return "--" + name.replace("_", "-")


def config_flags(config: TrainingConfig) -> list[str]:
    """The flags that make the command line train `config`: only those that differ from what it starts from
    (the defaults; on own data, OWN_DATA_PRESET's values, as lib.cli does)."""
    defaults = baseline_config(config)
    flags = []
    for name in FIELDS:
        value, default = getattr(config, name), getattr(defaults, name)
        if value == default:
            continue
        if isinstance(default, bool):
            flags.append(flag(name) if value else "--no-" + flag(name)[2:])
        else:
            # One argument, "--name=value": a value that starts with a dash ("-x") is not read as an option.
            flags.append(f"{flag(name)}={value}")
    return flags


def command_for(config: TrainingConfig, out: str | None = None) -> str:
    """The `python -m lib.cli` command that trains `config`, to copy into a shell."""
    import shlex

    return shlex.join(["python", "-m", "lib.cli", *config_flags(config), *(["--out", out] if out else [])])
