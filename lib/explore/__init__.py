"""The explorers' numerics: convolution, pooling, kernels, images, drawings and receptive fields, in numpy.

May import nothing of this project's outside lib.explore, and never TensorFlow or Keras: the explorer pages
open without loading them. Each function is checked against TensorFlow in the tests.
"""
