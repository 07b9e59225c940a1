"""Benchmarks: the app under gunicorn on loopback, driven from a second process."""
