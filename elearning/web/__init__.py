"""The web layer: blueprints, error pages and what every template needs."""

from __future__ import annotations

from flask import Flask

from . import errors, templating
from .auth.views import bp as auth_bp
from .author.views import bp as author_bp
from .hr.views import bp as hr_bp
from .learn import assessment_views  # noqa: F401 - registers the assessment routes on learn.bp
from .learn.views import bp as learn_bp
from .main.views import bp as main_bp
from .me.views import bp as me_bp
from .verify.views import bp as verify_bp


def register_web(app: Flask) -> None:
    for blueprint in (main_bp, auth_bp, learn_bp, author_bp, hr_bp, me_bp, verify_bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    templating.register(app)
