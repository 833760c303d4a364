"""The Keras basics page's models as programs: each of the book's three styles, and LeNet-5 with batch
normalization, built on an input and summarized.

`built_example` runs the program's own cells (the code the page shows, nothing else) to get the summary the
page prints beside it, so the two cannot differ.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, replace

from lib.codegen.models import ModelOptions, model_source, summary_source
from lib.codegen.program import Program
from lib.i18n import N_, _

COUNTS = ("total_params", "trainable_params", "non_trainable_params")
IMPORTS = "import numpy as np\nimport keras\nfrom keras import layers"


@dataclass(frozen=True)
class ModelExample:
    key: str  # a file stem, and the panel's key
    title: str  # English, marked for the catalog: translated where shown
    style: str
    options: ModelOptions


# The book's three ways to build a model, and a batch-norm LeNet-5 whose moving statistics are not trained.
MODEL_EXAMPLES = (
    ModelExample("dense_sequential", N_("Dense network, Sequential"), "sequential", ModelOptions("dense")),
    ModelExample("dense_functional", N_("Dense network, Functional"), "functional", ModelOptions("dense")),
    ModelExample("lenet5_subclassed", N_("LeNet-5, subclassed keras.Model"), "subclassed", ModelOptions("lenet5")),
    ModelExample("lenet5_batch_norm", N_("LeNet-5 with batch normalization, Sequential"), "sequential",
                 ModelOptions("lenet5", batch_norm=True)),
)


def model_program(example: ModelExample) -> Program:
    """The example as a program (no checks yet: `built_example` adds what running it printed)."""
    return Program(name=f"keras_basics_{example.key}", title=_(example.title), cells=(
        IMPORTS,
        model_source(example.options, example.style),
        summary_source(example.style, example.options.input_shape),
    ))


def built_example(example: ModelExample) -> dict:
    """The example's program run here: its summary text as it prints it, and its three parameter counts
    (the program's checks). Cacheable for every visitor: nothing in it depends on the reader's language (the
    program, whose comments do, is `checked_program`)."""
    program = model_program(example)
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in program.cells:
            exec(compile(cell, f"<{program.name}>", "exec"), namespace)  # our own generated code, never user input
    from lib.keras_views.keras_basics import parameter_arithmetic

    checks = {name: int(namespace[name]) for name in COUNTS}
    return {"key": example.key, "title": example.title, "summary": printed.getvalue(),
            "arithmetic": parameter_arithmetic(namespace["model"]), **checks}


def checked_program(example: ModelExample, built: dict) -> Program:
    """The example's program in the reader's language, with the counts it printed when run as its checks."""
    return replace(model_program(example), checks={name: built[name] for name in COUNTS})


def model_examples() -> list[dict]:
    return [built_example(example) for example in MODEL_EXAMPLES]
