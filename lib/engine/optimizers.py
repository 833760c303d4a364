"""The book's optimizers, each one entry with everything the app knows about it; and the learning-rate schedules.

An entry names its Keras class as a string and builds it only when asked (`Optimizer.build`), so this module loads
without TensorFlow: the config's choices, the command line, the Training and Optimizers pages, the charts' colours
and the generated programs all iterate `OPTIMIZERS` and keep no list of their own. Adding an optimizer is one
entry here (plus its catalog strings and, for History, a cached run: `python -m lib.runs.experiments optimizers`).

Ids are stable: saved runs record them and the command line takes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from lib.i18n import N_, _

# What a family says about how an optimizer steps, which the Optimizers page's captions word
# (lib.keras_views.optimizer_captions): plain gradient steps; steps that carry speed from one to the next; or steps
# whose length is set by the learning rate, not by the slope (each gradient divided by its own running size).
FAMILIES = ("plain", "momentum", "scale_free")


@dataclass(frozen=True)
class Optimizer:
    id: str  # stable: saved runs and the command line use it
    name: str  # the book's name, N_-marked: legends show it as it is, choices translated (Korean adds its own words)
    keras_class: str  # the name in keras.optimizers
    keras_default_rate: float  # Keras's own default learning rate (tests/test_training.py reads it back from Keras)
    # The rate at which it shows, in 200 steps from each Optimizers-page surface's start, what the caption computes
    # (keyed by lib.keras_views.optimizer_paths.SURFACES's names). Keras's defaults suit a network, not a toy surface.
    suited_rates: dict[str, float]
    update_rule: str  # the textbook rule in LaTeX, for reading beside its path (g the gradient, eta the rate)
    family: str  # one of FAMILIES
    colour: str  # its colour on every chart: the Optimizers page, History's optimizer runs, the class board
    arguments: dict = field(default_factory=dict)  # constructor arguments besides the learning rate
    note: str = ""  # N_-marked: what a learner should know when training with Keras's default rate

    def build(self, learning_rate: float | None = None):
        """The Keras optimizer, with Keras's default learning rate unless one is given."""
        import keras

        rate = {} if learning_rate is None else {"learning_rate": learning_rate}
        return getattr(keras.optimizers, self.keras_class)(**self.arguments, **rate)

    def code(self, rate: str = "learning_rate") -> str:
        """The Keras expression that builds it with the learning rate held in the variable `rate`."""
        arguments = "".join(f", {key}={value!r}" for key, value in self.arguments.items())
        return f"keras.optimizers.{self.keras_class}(learning_rate={rate}{arguments})"

    @property
    def choice_name(self) -> str:
        """How it reads where it is chosen or listed: "Momentum" in English, with its Korean name in Korean."""
        return _(self.name)


_ADAPTIVE_RULE = r"s \leftarrow \rho s + (1-\rho) g^2;\quad \theta \leftarrow \theta - \frac{\eta}{\sqrt{s} + \epsilon}\, g"

# The colours are the first seven of ui.charts.PALETTE, each optimizer's since the app began; the eighth palette
# colour is Adadelta at rate 1.0's, a run rather than an optimizer (ui.charts.ADADELTA_1_COLOUR).
BOOK_OPTIMIZERS = (
    Optimizer("sgd", N_("SGD"), "SGD", 0.01,
              {"bowl": 0.09, "rosenbrock": 0.001, "saddle": 0.05, "two minima": 0.05},
              r"\theta \leftarrow \theta - \eta\, g", "plain", "#1f77b4"),
    Optimizer("momentum", N_("Momentum"), "SGD", 0.01,
              {"bowl": 0.02, "rosenbrock": 0.001, "saddle": 0.02, "two minima": 0.02},
              r"v \leftarrow 0.9\,v - \eta\, g;\quad \theta \leftarrow \theta + v", "momentum", "#d62728",
              {"momentum": 0.9}),
    Optimizer("nag", N_("Nesterov"), "SGD", 0.01,
              {"bowl": 0.02, "rosenbrock": 0.001, "saddle": 0.02, "two minima": 0.02},
              r"v \leftarrow 0.9\,v - \eta\, \nabla f(\theta + 0.9\,v);\quad \theta \leftarrow \theta + v", "momentum",
              "#2ca02c", {"momentum": 0.9, "nesterov": True}),
    Optimizer("adagrad", N_("Adagrad"), "Adagrad", 0.001,
              {"bowl": 1.0, "rosenbrock": 0.5, "saddle": 0.3, "two minima": 0.5},
              r"s \leftarrow s + g^2;\quad \theta \leftarrow \theta - \frac{\eta}{\sqrt{s} + \epsilon}\, g",
              "scale_free", "#9467bd"),
    Optimizer("adadelta", N_("Adadelta"), "Adadelta", 0.001,
              {"bowl": 10.0, "rosenbrock": 10.0, "saddle": 10.0, "two minima": 10.0},
              r"s \leftarrow \rho s + (1-\rho) g^2;\ \Delta = -\frac{\sqrt{d + \epsilon}}{\sqrt{s + \epsilon}}\, g;"
              r"\ d \leftarrow \rho d + (1-\rho)\Delta^2;\ \theta \leftarrow \theta + \eta\,\Delta", "scale_free",
              "#ff7f0e",
              note=N_("Keras's Adadelta defaults to a learning rate of 0.001 and barely learns with it; "
                      "its documentation notes that 1.0 matches the original paper.")),
    Optimizer("rmsprop", N_("RMSprop"), "RMSprop", 0.001,
              {"bowl": 0.1, "rosenbrock": 0.01, "saddle": 0.05, "two minima": 0.05}, _ADAPTIVE_RULE, "scale_free",
              "#8c564b"),
    Optimizer("adam", N_("Adam"), "Adam", 0.001,
              {"bowl": 0.2, "rosenbrock": 0.05, "saddle": 0.1, "two minima": 0.1},
              r"m \leftarrow \beta_1 m + (1-\beta_1) g;\ v \leftarrow \beta_2 v + (1-\beta_2) g^2;\ "
              r"\theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}", "scale_free", "#e377c2"),
)

# The registry: id -> entry, in the book's order. Everything that lists optimizers iterates this dict when it runs
# (never a copy made at import), so an entry added here, or by a test, is everywhere at once.
OPTIMIZERS: dict[str, Optimizer] = {entry.id: entry for entry in BOOK_OPTIMIZERS}


class RegistryColumn(Mapping):
    """One attribute of every entry, read live as {id: value}: `KERAS_DEFAULT_LEARNING_RATES["adam"]`."""

    def __init__(self, attribute: str):
        self.attribute = attribute

    def __getitem__(self, key: str):
        return getattr(OPTIMIZERS[key], self.attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(OPTIMIZERS)

    def __len__(self) -> int:
        return len(OPTIMIZERS)

    def __repr__(self) -> str:
        return repr(dict(self))


class RegistryIds(Sequence):
    """The ids, in the registry's order, read live: the config's choices for its optimizer field."""

    def __getitem__(self, index):
        return list(OPTIMIZERS)[index]

    def __len__(self) -> int:
        return len(OPTIMIZERS)

    def __repr__(self) -> str:
        return repr(list(OPTIMIZERS))


OPTIMIZER_IDS = RegistryIds()
KERAS_DEFAULT_LEARNING_RATES = RegistryColumn("keras_default_rate")
OPTIMIZER_NAMES = RegistryColumn("name")  # the book's names, untranslated: legends and captions
OPTIMIZER_COLOURS = RegistryColumn("colour")


def optimizer(name: str) -> Optimizer:
    """The entry of id `name`; a ValueError naming the choices for any other."""
    if name not in OPTIMIZERS:
        raise ValueError(_("optimizer: must be one of {choices}; got {value!r}").format(
            choices=", ".join(OPTIMIZERS), value=name))
    return OPTIMIZERS[name]


def family(name: str) -> list[str]:
    """The ids of the optimizers of one family, in the registry's order."""
    return [entry.id for entry in OPTIMIZERS.values() if entry.family == name]


def suited_rates(surface_name: str) -> dict[str, float]:
    """Each optimizer's suited rate on one of the Optimizers page's surfaces."""
    return {entry.id: entry.suited_rates[surface_name] for entry in OPTIMIZERS.values()}


def build_optimizer(name: str, learning_rate: float | None = None):
    """Optimizer `name` built as the book builds it, with Keras's default learning rate unless one is given."""
    return optimizer(name).build(learning_rate)


def batch_schedule(config, rate: float, batches_per_epoch: int):
    """The rate the optimizer is built with: `rate` itself, or for the cosine schedule Keras's CosineDecay, which
    sets the rate of every batch (a linear warm-up over config.warmup_epochs first, then down to zero)."""
    if config.lr_schedule != "cosine":
        return rate
    import keras

    total = batches_per_epoch * config.epochs
    warmup = min(round(config.warmup_epochs * batches_per_epoch), total - 1)
    return keras.optimizers.schedules.CosineDecay(0.0 if warmup else rate, decay_steps=total - warmup,
                                                  warmup_target=rate if warmup else None, warmup_steps=warmup)


def schedule_function(config):
    """The per-epoch schedule of a TrainingConfig for LearningRateScheduler, or None (none, or cosine, which
    `batch_schedule` sets per batch)."""
    factor, every = config.lr_schedule_factor, config.lr_schedule_every
    if config.lr_schedule == "step":
        return lambda epoch, rate: rate * factor if epoch > 0 and epoch % every == 0 else rate
    if config.lr_schedule == "exponential":
        return lambda epoch, rate: rate * factor if epoch > 0 else rate
    return None
