"""What the pages show of trained Keras models: predictions, layer weights, optimizer paths, Keras basics.

May import lib.explore, lib.engine and lib.runs. Keras and TensorFlow are imported inside the functions.
"""
