"""The server's services: settings, the job queue and its child processes, the heap, the page list, hosts.

May import every group above it (explore, engine, runs, keras_views); nothing in lib imports it back.
"""
