"""The training engine: the one TrainingConfig, the optimizer registry, MNIST and the training data, the models and
their widths, callbacks, events and the training recipe.

May import lib.explore and nothing else of this project's (a run is written with the engine's own atomic
builder, lib.engine.run_files). TensorFlow is imported inside the functions that need it.
"""
