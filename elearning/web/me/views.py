"""My data: everything stored about me as a page, JSON and CSV, and the certificates of my completed modules."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from ...catalog import current_catalog
from ...db import get_session
from ...services import certificates, my_data
from ..people.forms import REASONS

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.before_request
@login_required
def _require_login() -> None:
    """Only the person themselves sees their data."""


def _language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _download(body: str | bytes, content_type: str, filename: str) -> Response:
    """A personal file: saved, never cached on the way (the content type is sent exactly as given)."""
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index() -> str:
    """Everything the platform stores about me, in readable tables, with download links."""
    export = my_data.export_for(get_session(), current_user)
    # A certificate is printed from the latest completion of a module (rows are oldest first).
    latest = {row["module"]: row["verification_code"] for row in export["module_completions"]}
    return render_template(
        "me/index.html",
        export=export,
        certificate_codes=latest,
        catalog=current_catalog(),
        lang=_language(),
        reasons={choice.value: choice.label for choice in REASONS},
    )


@bp.get("/data.json")
def data_json() -> Response:
    """My data as JSON, to keep or take elsewhere."""
    export = my_data.export_for(get_session(), current_user)
    return _download(my_data.to_json(export), "application/json", "my-data.json")


@bp.get("/data.csv")
def data_csv() -> Response:
    """My data as one CSV table (UTF-8 with BOM and `;`, so that spreadsheets open it as is)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(my_data.csv_rows(my_data.export_for(get_session(), current_user)))
    return _download(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "my-data.csv")


@bp.get("/certificates/<module_slug>.pdf")
def certificate(module_slug: str) -> Response:
    """The PDF certificate of my latest completion of the module."""
    data = certificates.certificate_for(get_session(), current_catalog(), current_user, module_slug, _language())
    verify_url = url_for("verify.show", code=data.verification_code, _external=True)
    pdf = certificates.render_pdf(data, verify_url)
    return _download(pdf, "application/pdf", f"certificate-{data.module_slug}.pdf")
