"""The command line's training runs in the test process: `lib.cli.main` with what it prints captured.

The conftest `cli` fixture is for refusals, which end before TensorFlow starts; `main` sizes TensorFlow's thread
pools first, which TensorFlow refuses once it has run in a process, as it has in a test process that trained
before. So a run here passes `prepared=True`, as lib.spare's processes do that sized the pools already, and
each run saves the interpreter and the TensorFlow start that `python -m lib.cli` costs (seconds).
tests/test_own_data_training.py keeps one run through the real `python -m lib.cli` entry point.
"""

from __future__ import annotations

from subprocess import CompletedProcess


def train_in_process(capsys, *arguments) -> CompletedProcess:
    """`python -m lib.cli *arguments` run by `main` in this process: its exit status, stdout and stderr."""
    from lib.cli import main

    capsys.readouterr()  # what the test printed before is not the command's
    status = main([str(argument) for argument in arguments], prepared=True)
    captured = capsys.readouterr()
    return CompletedProcess(["lib.cli", *arguments], status, captured.out, captured.err)
