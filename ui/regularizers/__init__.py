"""The Dropout and batch norm page's sections (the page is pages/training/regularizers.py; none of these is a page).

freezing: non-trainable parameters and freezing a layer.
dropout_placement: where to put dropout, from the cached placement runs.
weights: what L1 and L2 do to the weights, and where early stopping stopped.
"""
