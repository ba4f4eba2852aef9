"""deploy/nginx.conf rendered onto loopback ports in a temporary folder, and an nginx of our own running it.

The rendering changes only addresses and paths: the upstream servers become the given instances, the listen lines
free ports on 127.0.0.1, the static folder this checkout's, the certificate a fresh self-signed one, the logs and
nginx's own files the temporary folder. Everything else is the file as it is deployed.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import shutil
import socket
import subprocess  # runs nginx, never through a shell  # nosec B404
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scripts.cluster import HOST, REPO, free_port

CONFIG = REPO / "deploy" / "nginx.conf"
STATIC = REPO / "elearning" / "static"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 valid for a day, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass(frozen=True)
class Rendered:
    """A rendered main config and the ports it listens on."""

    main_config: Path
    http_port: int
    https_port: int
    folder: Path


def render(upstreams: list[str], folder: Path) -> Rendered:
    """deploy/nginx.conf with loopback addresses, wrapped in a main config of its own (as Debian's includes it)."""
    site = CONFIG.read_text()
    servers = "".join(f"    server {upstream} max_fails=3 fail_timeout=10s;\n" for upstream in upstreams)
    site, count = re.subn(r"(?m)^    server \S+ max_fails=3 fail_timeout=10s;\n(?:    server \S+ .*\n)*", servers, site)
    if count != 1:
        raise RuntimeError("deploy/nginx.conf: the upstream's server lines were not found")
    http_port, https_port = free_port(), free_port()
    cert, key = _self_signed(folder)
    replacements = [
        (r"(?m)^    listen \[::\]:\d+.*\n", ""),
        (r"(?m)^    listen 80;", f"    listen {HOST}:{http_port};"),
        (r"(?m)^    listen 443 ssl;", f"    listen {HOST}:{https_port} ssl;"),
        (r"/srv/elearning/elearning/static/", f"{STATIC}/"),
        (r"/etc/ssl/certs/elearning\.example\.org\.pem", str(cert)),
        (r"/etc/ssl/private/elearning\.example\.org\.key", str(key)),
        (r"/var/log/nginx/elearning\.access\.log", str(folder / "access.log")),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement, site)
        if count == 0:
            raise RuntimeError(f"deploy/nginx.conf: {pattern} not found")
    (folder / "site.conf").write_text(site)
    mime_types = Path("/etc/nginx/mime.types")
    main = f"""
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    {f"include {mime_types};" if mime_types.exists() else "types {{ text/css css; text/javascript js; }}"}
    default_type application/octet-stream;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    (folder / "nginx.conf").write_text(main)
    return Rendered(folder / "nginx.conf", http_port, https_port, folder)


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, port)) == 0


def check(rendered: Rendered) -> subprocess.CompletedProcess[str]:
    """`nginx -t -c` on the rendered config: its syntax, and that its files and certificate load."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (make test installs it)")
    command = [binary, "-t", "-c", str(rendered.main_config), "-e", str(rendered.folder / "error.log")]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)  # noqa: S603 - nginx  # nosec B603


@contextlib.contextmanager
def nginx_in_front(upstreams: list[str]) -> Iterator[Rendered]:
    """nginx with the rendered deploy/nginx.conf, until the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="elearning-nginx-"))
    folder.chmod(0o755)  # nginx's workers (nobody, when started as root) use the temporary folders in it
    process = None
    try:
        rendered = render(upstreams, folder)
        checked = check(rendered)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
        binary = nginx_binary() or "nginx"
        command = [binary, "-c", str(rendered.main_config), "-e", str(folder / "error.log")]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - nginx  # nosec B603
        deadline = time.monotonic() + 10
        while not all(_listening(port) for port in (rendered.http_port, rendered.https_port)):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(folder / 'error.log').read_text(errors='replace')}")
            time.sleep(0.05)
        yield rendered
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        shutil.rmtree(folder, ignore_errors=True)
