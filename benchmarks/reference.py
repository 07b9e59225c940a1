"""The reference for `make bench`: a bare Flask app rendering one static Jinja page.

`gunicorn benchmarks.reference:app`, under the same command as the real site,
serves a page of BENCH_REFERENCE_BYTES bytes (the event page's own size) from a
Jinja template with no database, no session and no extensions: about the most
our stack can do per request on this machine. Every figure is printed as a
ratio to it, so that a noisy or slow machine cannot hide a regression.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string

SIZE = int(os.environ.get("BENCH_REFERENCE_BYTES", "20000"))
PARAGRAPH = (
    "<p>Talks, workshops and conversation between police forces and universities: "
    "what works, what we learnt, and what comes next.</p>\n"
)
PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>'
    "</head><body><main><h1>{{ title }}</h1>\n{{ body | safe }}</main></body></html>"
)

app = Flask(__name__)
BODY = PARAGRAPH * max(1, (SIZE - len(PAGE)) // len(PARAGRAPH))


@app.get("/")
def page():
    """The static page, rendered through Jinja on every request as the site's pages are."""
    return render_template_string(PAGE, title="Reference page", body=BODY)
