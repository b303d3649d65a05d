"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

import gc

from returns_service import create_app

app = create_app()
# What the app built to serve (modules, mappers, compiled rules, schemas) lives as long as
# the process: the collector's full passes, which stall a request now and then, skip it.
gc.freeze()
