"""The one module-level app object, for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

from elearning import create_app

app = create_app()
