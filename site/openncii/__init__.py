"""OpenNCII: hashes of intimate images, computed on the person's own device."""

from pathlib import Path

from flask import Flask, redirect, url_for
from flask_wtf import CSRFProtect

from . import assets, cli, config, db, errors, i18n, limits, pagecache, proxy, security
from .helpdesk import support

PROJECT_ROOT = Path(__file__).resolve().parents[2]
csrf = CSRFProtect()


def create_app(test_config=None):
    """Application factory (see Flask's tutorial): configure, then attach each part."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(
        config.DEFAULTS,
        CONTENT_DIR=PROJECT_ROOT / "content",
        TRANSLATIONS_DIR=PROJECT_ROOT / "translations",
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.private_folder(app.instance_path)
    if not app.config["SECRET_KEY"]:
        if db.is_postgres_url(app.config["DATABASE_URL"]):
            raise config.ConfigError(config.SECRET_KEY_REQUIRED)
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)

    proxy.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    limits.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    pagecache.init_app(app)
    app.extensions["openncii_support"] = support.load_directory(
        app.config["CONTENT_DIR"] / "support"
    )
    register_blueprints(app)
    cli.init_app(app)
    app.jinja_env.globals["endpoints"] = frozenset(app.view_functions)

    @app.get("/")
    def root():
        return redirect(url_for("pages.home", lang=i18n.best_locale()))

    return app


def register_blueprints(app):
    from .views import pages, partner_api, status, submit

    app.register_blueprint(pages.bp)
    app.register_blueprint(submit.bp)
    app.register_blueprint(submit.api)
    app.register_blueprint(status.bp)
    app.register_blueprint(partner_api.bp)
