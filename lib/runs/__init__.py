"""Runs on disk: the one reader of run folders, workspaces and sharing, comparisons, the book's experiments,
classes and their boards.

May import lib.explore and lib.engine. lib.runs.store alone knows the layout of runs/ and saved_models/;
lib.runs.classes alone knows runs/classes/.
"""
