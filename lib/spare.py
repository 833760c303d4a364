"""A training process started before its job: `python -m lib.spare --nice N`.

A training child spends its first seconds importing TensorFlow and Keras (about 3 s of a core here, a third of
a Quick look run). While one job trains and others wait, the server starts the next job's process ahead
(lib.server.process_runner.SparePool): it lowers its priority, sizes TensorFlow's thread pools and imports the
engine, then waits for one line on stdin, the job's command-line flags as a JSON list, and runs them exactly as
`python -m lib.cli` would (its later stdin lines are the job's "stop"). An empty line or a closed stdin (the
server no longer needs it, or died) ends it without training.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv=None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    niceness = int(arguments[arguments.index("--nice") + 1]) if "--nice" in arguments else 0
    if niceness:
        os.nice(max(0, min(19, niceness)))
    from lib.engine.resources import size_tensorflow_threads

    size_tensorflow_threads()
    import keras  # noqa: F401 - what every job imports first, and the most of its start
    import tensorflow  # noqa: F401

    from lib import cli
    from lib.engine import training  # noqa: F401

    line = sys.stdin.readline()
    if not line.strip():
        return 0
    flags = json.loads(line)
    if not isinstance(flags, list) or not all(isinstance(item, str) for item in flags):
        print("error: a spare training process takes a JSON list of flags", file=sys.stderr)
        return 2
    return cli.main(flags, prepared=True)


if __name__ == "__main__":
    sys.exit(main())
