"""Engage: news, events, registration and check-in for a research-and-practice partnership."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import engage.attendees.hooks  # receivers of the events feature's signals
import engage.attendees.message_services  # the organiser-message mailing writer
import engage.feedback.sending  # the survey's periodic job
import engage.models
import engage.registrations.hooks  # noqa: F401 - receivers of the events feature's signals, writers
from engage import config as settings
from engage import errors, health, inputs, logsafe, pagecache, security, timefmt
from engage.accounts import auth
from engage.accounts.manage import bp as admin_bp
from engage.accounts.views import bp as accounts_bp
from engage.attendees.messages import bp as attendee_messages_bp
from engage.attendees.paper_views import bp as attendee_paper_bp
from engage.attendees.record import bp as attendee_record_bp
from engage.attendees.views import bp as attendees_bp
from engage.certificates.views import bp as certificates_bp
from engage.checkin.views import bp as checkin_bp
from engage.cli import engage_cli
from engage.db import configure_engine
from engage.events.manage import bp as manage_events_bp
from engage.events.manage_organisers import bp as organisers_bp
from engage.events.views import bp as events_bp
from engage.extensions import csrf, login_manager, migrate
from engage.extensions import db as database  # `engage.db` is the module of db helpers
from engage.extensions import mail as mailer  # `engage.mail` is the mail feature package
from engage.feedback.manage import bp as manage_feedback_bp
from engage.feedback.public import bp as feedback_bp
from engage.forms import form_errors, in_page_order
from engage.mail.views import bp as mail_bp
from engage.markdown import render as render_markdown
from engage.news.manage import bp as manage_news_bp
from engage.news.views import bp as news_bp
from engage.organisations.views import bp as organisations_bp
from engage.privacy.consents import bp as consents_bp
from engage.privacy.views import bp as privacy_bp
from engage.public.views import bp as public_bp
from engage.registrations.public import bp as registrations_bp
from engage.reports.views import bp as reports_bp

BLUEPRINTS = (
    public_bp,
    news_bp,
    events_bp,
    registrations_bp,
    accounts_bp,
    admin_bp,
    manage_news_bp,  # /admin/news
    manage_events_bp,  # /admin/events
    organisers_bp,  # /admin/users/<id>/events
    mail_bp,
    organisations_bp,  # /admin/organisations
    attendees_bp,  # /admin/events/<id>/attendees
    attendee_record_bp,  # /admin/events/<id>/attendees/<registration id>
    attendee_paper_bp,  # /admin/events/<id>/paper
    attendee_messages_bp,  # /admin/events/<id>/mailings
    checkin_bp,  # /admin/events/<id>/check-in, and /c/<code> (the QR code's link)
    privacy_bp,  # /admin/privacy: subject access and erasure
    consents_bp,  # /admin/consents: the consent wordings, versioned
    health.bp,  # /healthz, for load balancers
    manage_feedback_bp,  # /admin/events/<id>/feedback
    feedback_bp,  # /feedback/<token> (the survey's personal link)
    certificates_bp,  # /registrations/<token>/certificate.pdf, and /certificates/<code>
    reports_bp,  # /admin/events/<id>/report, and /admin/reports across events
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI and error pages."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    app.config["TRUSTED_HOSTS"] = settings.trusted_hosts(app.config)
    settings.check(app.config)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Per-address rate limits and throttles must see the client, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    logsafe.install()
    database.init_app(app)
    migrate.init_app(app, database, directory=os.path.join(app.root_path, "..", "migrations"))
    mailer.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        configure_engine(database.engine)
    auth.init_app(app)

    timefmt.register(app)
    inputs.init_app(app)
    security.init_app(app)
    pagecache.init_app(app)
    errors.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    _register_template_helpers(app)
    app.cli.add_command(engage_cli)
    return app


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["form_errors"] = form_errors
    app.jinja_env.filters["in_page_order"] = in_page_order
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site():
        return {"site_name": app.config["SITE_NAME"]}
