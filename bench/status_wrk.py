"""Status page under load: nginx serving the published static files vs the app's own /status/.

Builds a throwaway copy of the product on loopback (fresh SQLite database, the West London
scenario with the statements and statuses the councils had confirmed, published), then runs
wrk at 1,000 connections against:

- the baseline: nginx (Debian package) serving the folder the app publishes to
  (STATUS_PUBLISH_DIR), and
- the app's own ``/status/`` through ``incidentroom serve`` (gunicorn), which answers from
  the same published files before sessions and the database (PublishedStatusMiddleware),

and prints requests per second and p99 latency for both, with the app's share of nginx's
throughput (target at least 0.3x, with p99 under 1 s). Everything listens on 127.0.0.1
only and is torn down afterwards; the nginx configuration is written to a temporary folder.

    .venv/bin/python bench/status_wrk.py                 # 10 s per target, 1,000 connections
    .venv/bin/python bench/status_wrk.py --duration 30 --workers 4

Needs ``wrk`` and ``nginx`` on PATH (Debian: apt-get install wrk nginx-light, or nginx).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # never anything else: this tool only ever loads the local machine
MAX_DURATION = 120

SETUP = """
from incidentroom.status import site
site.publish()
"""

NGINX_CONF = """
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
daemon off;
worker_rlimit_nofile 65536;
events {{ worker_connections 8192; }}
http {{
    types {{ text/html html; text/css css; application/json json; application/atom+xml atom; }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    open_file_cache max=1000 inactive=20s;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    server {{
        listen {host}:{port};
        root {root};
        index index.html;
        add_header Cache-Control "public, max-age=30";
    }}
}}
"""


@dataclass(frozen=True)
class Result:
    """One wrk run."""

    name: str
    url: str
    requests_per_second: float
    p99_ms: float
    errors: str


def free_port() -> int:
    """A loopback TCP port nothing listens on."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    """Poll until ``url`` answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - loopback URL built here
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def raise_fd_limit() -> None:
    """1,000 connections need more file descriptors than the usual soft limit of 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _millis(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(name: str, url: str, *, connections: int, duration: int, threads: int) -> Result:
    """wrk with latency distribution; parses requests/s, p99 and any errors."""
    assert url.startswith(f"http://{HOST}:"), url
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _millis(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = "; ".join(
        m.group(0).strip() for m in re.finditer(r"(Socket errors:.*|Non-2xx or 3xx responses:.*)", out)
    )
    return Result(name=name, url=url, requests_per_second=rps, p99_ms=p99, errors=errors or "none")


@contextlib.contextmanager
def running(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process, terminated on exit."""
    with log.open("wb") as handle:
        proc = subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> int:
    """Set up, measure both, print the comparison."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per target (max 120)")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=min(os.cpu_count() or 2, 8), help="wrk threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "2")),
        help="gunicorn workers for the app (incidentroom serve's default is 2)",
    )
    args = parser.parse_args()
    duration = max(1, min(args.duration, MAX_DURATION))
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not shutil.which("wrk") or not nginx:
        print("Needs wrk and nginx (Debian: apt-get install wrk nginx-light).", file=sys.stderr)
        return 2
    raise_fd_limit()
    tmp = Path(tempfile.mkdtemp(prefix="ir-status-bench-"))
    tmp.chmod(0o755)  # nginx workers may run as another user and must read the published files
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "INCIDENTROOM_VAR": str(tmp / "var"),
            "DEBUG": "false",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        cli = [sys.executable, "-m", "incidentroom"]
        print("Setting up a throwaway copy (fresh database, West London scenario, published)...")
        for step in (
            ["migrate", "--no-input", "-v0"],
            ["load-scenario", str(ROOT / "scenarios" / "west_london.yaml")],
            ["shell", "-c", SETUP],
        ):
            subprocess.run(cli + step, env=env, check=True, capture_output=True, timeout=600)
        published = tmp / "var" / "public-status"
        assert "020 7946 0123" in (published / "index.html").read_text()

        nginx_port, app_port = free_port(), free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, host=HOST, port=nginx_port, root=published))
        app_cmd = cli + ["serve", "--bind", f"{HOST}:{app_port}", "--workers", str(args.workers)]
        with (
            running([nginx, "-c", str(conf), "-e", str(tmp / "nginx-error.log")], env, tmp / "nginx.log"),
            running(app_cmd, env, tmp / "app.log"),
        ):
            nginx_url, app_url = f"http://{HOST}:{nginx_port}/", f"http://{HOST}:{app_port}/status/"
            wait_for(nginx_url)
            wait_for(app_url)
            results = []
            for name, url in (
                ("nginx, published files (baseline)", nginx_url),
                ("app /status/", app_url),
            ):
                run_wrk(
                    name, url, connections=min(args.connections, 100), duration=2, threads=args.threads
                )  # warm up
                results.append(
                    run_wrk(name, url, connections=args.connections, duration=duration, threads=args.threads)
                )
        print(
            f"\nwrk, {args.connections} connections, {duration} s each, {args.threads} threads; "
            f"app: incidentroom serve (gunicorn) with {args.workers} workers; same page (all councils)\n"
        )
        print(f"{'target':34} {'requests/s':>12} {'p99 latency':>14}  errors")
        for r in results:
            print(f"{r.name:34} {r.requests_per_second:12,.0f} {r.p99_ms:12,.1f} ms  {r.errors}")
        static, app = results
        share = app.requests_per_second / max(static.requests_per_second, 0.01)
        print(
            f"\napp /status/ serves {share:,.2f}x the baseline's requests per second (target >= 0.3x); "
            f"p99 {app.p99_ms:,.1f} ms against nginx's {static.p99_ms:,.1f} ms (target < 1,000 ms)."
        )
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
