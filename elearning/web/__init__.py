"""The web layer: blueprints, error pages and what every template needs."""

from __future__ import annotations

from flask import Flask

from . import errors, https_only, security_headers, sessions, static_versions, templating
from .admin import lti_views as admin_lti_views  # noqa: F401 - registers the LTI registration pages on admin.bp
from .admin.views import bp as admin_bp
from .assignments.views import bp as assignments_bp
from .auth import oidc, sso_views  # noqa: F401 - sso_views registers the single sign-on routes on auth.bp
from .auth.views import bp as auth_bp
from .author.views import bp as author_bp
from .hr import effect_views as hr_effect_views  # noqa: F401 - registers the effect and contacts routes on hr.bp
from .hr.views import bp as hr_bp
from .learn import (
    assessment_views,  # noqa: F401 - registers the assessment routes on learn.bp
    effect_views,  # noqa: F401 - registers the effect measurement's routes on learn.bp
)
from .learn.views import bp as learn_bp
from .lti import views as lti_views
from .lti.views import bp as lti_bp
from .main.views import bp as main_bp
from .me.views import bp as me_bp
from .people.views import bp as people_bp
from .team.views import bp as team_bp
from .verify.views import bp as verify_bp


def register_web(app: Flask) -> None:
    for blueprint in (
        main_bp,
        auth_bp,
        learn_bp,
        author_bp,
        hr_bp,
        me_bp,
        verify_bp,
        people_bp,
        assignments_bp,
        team_bp,
        admin_bp,
        lti_bp,
    ):
        app.register_blueprint(blueprint)
    https_only.register(app)
    errors.register(app)
    security_headers.register(app)
    sessions.register(app)
    templating.register(app)
    static_versions.register(app)
    oidc.register(app)
    lti_views.register(app)
