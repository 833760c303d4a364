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


def test_a_freeze_waits_until_no_other_script_run_is_in_flight():
    """A page's module and its functions are a cycle holding its arrays: frozen mid-run, never collected."""
    code = textwrap.dedent("""
        import gc, threading, weakref
        from lib.server.heap import freeze_loaded_modules, runs_in_flight, script_run
        freeze_loaded_modules()
        class Page: pass
        drawing, done = threading.Event(), threading.Event()
        pages = []
        def other_visitor():
            with script_run():
                page = Page(); page.self = page     # a cycle, as a page module and its functions make
                pages.append(weakref.ref(page)); del page
                drawing.set(); done.wait()
        thread = threading.Thread(target=other_visitor); thread.start(); drawing.wait()
        import json, decimal, fractions             # a freeze is due
        with script_run():
            assert runs_in_flight() == 2
            assert not freeze_loaded_modules(own_runs=1)   # another run is drawing: not now
        assert not freeze_loaded_modules()                 # nor from the warm-up's thread
        done.set(); thread.join()
        assert runs_in_flight() == 0
        with script_run():
            assert freeze_loaded_modules(own_runs=1)       # alone now: the due freeze happens
        gc.collect()
        assert pages[0]() is None, "the other run's cycle was collected, not frozen"
        print("ok")
    """)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    assert output.stdout.strip() == "ok", output.stderr
