"""The training engine: the one TrainingConfig, MNIST, the models, callbacks, events and the training loop.

May import lib.explore and nothing else of this project's (a run is written with the engine's own atomic
builder, lib.engine.run_files). TensorFlow is imported inside the functions that need it.
"""
