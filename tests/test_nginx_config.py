"""deploy/nginx.conf is valid (nginx -t on a rendered copy) and does its job in front of two app instances."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import urllib3

from elearning.migrate import upgrade
from scripts.cluster import HOST, LEARNER_PASSWORD, Cluster, add_learners, cluster
from scripts.learner_client import Learner
from scripts.nginx_front import Rendered, check, nginx_binary, nginx_in_front, render

from .conftest import IN_CI, postgres_database

STATIC_CSS = Path(__file__).resolve().parent.parent / "elearning" / "static" / "css" / "app.css"


@pytest.fixture(autouse=True)
def _nginx_installed() -> None:
    if nginx_binary() is None:
        message = "nginx is not installed (make test installs it with apt-get)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def test_the_deployed_config_passes_nginx_t(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    rendered = render(["127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"], tmp_path)
    result = check(rendered)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    site = (tmp_path / "site.conf").read_text()
    assert site.count("max_fails=3") == 3  # one line per instance
    assert "$proxy_add_x_forwarded_for" not in site  # the client's own X-Forwarded-For is overwritten


@pytest.fixture(scope="module")
def behind_nginx() -> Iterator[tuple[Cluster, Rendered, str]]:
    for url in postgres_database():
        upgrade(url)
        ((_, email),) = add_learners(url, 1)
        with cluster(url, settings={"ELEARNING_TRUSTED_PROXIES": "1"}) as running:
            upstreams = [f"{HOST}:{instance.port}" for instance in running.instances]
            with nginx_in_front(upstreams) as rendered:
                yield running, rendered, email


def test_nginx_serves_static_files_itself_with_a_long_cache(behind_nginx: tuple[Cluster, Rendered, str]) -> None:
    running, rendered, _ = behind_nginx
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
        page = requests.get(f"https://{HOST}:{rendered.https_port}/auth/login", verify=False, timeout=15)  # noqa: S501
        css_path = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page.text)
        assert css_path, "the stylesheet's address carries its version"
        css = requests.get(f"https://{HOST}:{rendered.https_port}{css_path.group(1)}", verify=False, timeout=15)  # noqa: S501
    assert css.status_code == 200 and css.content == STATIC_CSS.read_bytes()
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    for instance in running.instances:  # nginx answered it from disk: no app server saw the request
        assert "/static/" not in instance.log_path.read_text()


def test_requests_through_nginx_reach_both_instances_with_one_login(
    behind_nginx: tuple[Cluster, Rendered, str],
) -> None:
    running, rendered, email = behind_nginx
    base = f"https://{HOST}:{rendered.https_port}"
    learner = Learner(email, LEARNER_PASSWORD, verify_tls=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
        assert learner.log_in(base).ok
        for _ in range(6):
            page = learner.request("GET", f"{base}/learn/")
            assert page.ok and page.location == "", page.kind
            # Behind a trusted proxy the app knows the request came over HTTPS: HSTS is sent.
            hsts = learner.http.get(f"{base}/learn/", timeout=15, verify=False).headers
            assert "Strict-Transport-Security" in hsts
    for instance in running.instances:  # round robin: each instance served the logged-in person
        assert '"GET /learn/" 200' in instance.log_path.read_text(), instance.name


def test_plain_http_goes_to_https_but_the_health_check_stays(behind_nginx: tuple[Cluster, Rendered, str]) -> None:
    _, rendered, _ = behind_nginx
    plain = f"http://{HOST}:{rendered.http_port}"
    moved = requests.get(f"{plain}/learn/", allow_redirects=False, timeout=15)
    assert moved.status_code == 308 and moved.headers["Location"].startswith("https://")
    health = requests.get(f"{plain}/healthz", timeout=15)
    assert health.status_code == 200 and health.json()["database"] == "ok"
