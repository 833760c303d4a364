"""lib.server.heap: what imports created leaves garbage collection, and later garbage does not."""

import os
import subprocess
import sys
import textwrap


def test_freezing_keeps_imported_objects_out_of_later_collections():
    """Run in a fresh interpreter: freezing is for the whole process."""
    code = textwrap.dedent("""
        import gc, sys, time
        from lib.server.heap import freeze_loaded_modules
        assert freeze_loaded_modules()              # first call: everything imported so far
        assert not freeze_loaded_modules()          # nothing new imported: no collection, no freeze
        frozen = gc.get_freeze_count()
        import json, decimal, fractions             # new modules
        assert freeze_loaded_modules() and gc.get_freeze_count() > frozen
        kept = [[index] for index in range(200_000)]
        freeze_loaded_modules()                     # no import since: these stay collectable
        assert gc.get_freeze_count() < frozen + 150_000
        cycle = []; cycle.append(cycle); del cycle  # garbage made after a freeze is still collected
        assert gc.collect() >= 1
        print("ok")
    """)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    assert output.stdout.strip() == "ok", output.stderr
