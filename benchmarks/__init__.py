"""Benchmarks: the app under gunicorn on loopback, driven from a second process."""


def line(ok: bool, name: str, text: str) -> str:
    """One measured figure as every benchmark prints it: ok or MISS, its name, the figure."""
    return f"{'ok  ' if ok else 'MISS'} {name:<24} {text}"
