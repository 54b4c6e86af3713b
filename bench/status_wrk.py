"""Status page under load: nginx serving the published static files vs the app's own /status/.

Builds a throwaway copy of the product on loopback (fresh SQLite database, the West London
scenario with the statements and statuses the councils had confirmed, published), then runs
wrk at 1,000 connections against:

- the baseline: nginx (Debian package) serving the folder the app publishes to
  (STATUS_PUBLISH_DIR), and
- the app's own ``/status/`` through ``incidentroom serve`` (granian, WSGI), which answers
  from the same published files before sessions and the database (status/wsgi.py),

in alternating rounds (nginx, then the app, then nginx again...), because on a shared
machine the load changes from one minute to the next: each round's ratio compares two runs
seconds apart. It prints requests per second, p99 latency and the servers' own CPU time per
request for each run, then the medians over the rounds, with the app's share of nginx's
throughput (target at least 0.3x, with p99 under 1 s). Everything listens on 127.0.0.1
only and is torn down afterwards; the nginx configuration is written to a temporary folder.

    .venv/bin/python bench/status_wrk.py                 # 3 rounds of 10 s per target
    .venv/bin/python bench/status_wrk.py --duration 30 --rounds 5 --workers 4

Needs ``wrk`` and ``nginx`` on PATH (Debian: apt-get install wrk nginx-light, or nginx).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

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
    requests: int = 0
    server_cpu_seconds: float = 0.0

    @property
    def cpu_us_per_request(self) -> float:
        """The server's own CPU time (all its processes) per request answered."""
        return self.server_cpu_seconds / max(self.requests, 1) * 1e6


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
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p99 = _millis(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = "; ".join(
        m.group(0).strip() for m in re.finditer(r"(Socket errors:.*|Non-2xx or 3xx responses:.*)", out)
    )
    return Result(
        name=name, url=url, requests_per_second=rps, p99_ms=p99, errors=errors or "none", requests=total
    )


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and all its children (the workers)."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def measured(pid: int, name: str, url: str, *, connections: int, duration: int, threads: int) -> Result:
    """One wrk run, with the CPU time the server spent answering it."""
    before = cpu_seconds(pid)
    result = run_wrk(name, url, connections=connections, duration=duration, threads=threads)
    return dataclasses.replace(result, server_cpu_seconds=cpu_seconds(pid) - before)


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
        help="worker processes for the app (incidentroom serve's default is 2)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating nginx/app rounds (max 9)")
    parser.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="the app's access log (off by default, as in incidentroom serve; written to a file here)",
    )
    args = parser.parse_args()
    rounds = max(1, min(args.rounds, 9))
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
        app_cmd.append("--access-log" if args.access_log else "--no-access-log")
        with (
            running(
                [nginx, "-c", str(conf), "-e", str(tmp / "nginx-error.log")], env, tmp / "nginx.log"
            ) as ngx,
            running(app_cmd, env, tmp / "app.log") as app_proc,
        ):
            nginx_url, app_url = f"http://{HOST}:{nginx_port}/", f"http://{HOST}:{app_port}/status/"
            wait_for(nginx_url)
            wait_for(app_url)
            targets = (
                ("nginx, published files (baseline)", nginx_url, ngx.pid),
                ("app /status/", app_url, app_proc.pid),
            )
            for name, url, _ in targets:  # warm up: first connections, files into caches
                run_wrk(name, url, connections=min(args.connections, 100), duration=2, threads=args.threads)
            pairs: list[tuple[Result, Result]] = []
            for number in range(1, rounds + 1):
                static, app = (
                    measured(
                        pid, name, url, connections=args.connections, duration=duration, threads=args.threads
                    )
                    for name, url, pid in targets
                )
                pairs.append((static, app))
                print(
                    f"round {number}: nginx {static.requests_per_second:,.0f}/s, "
                    f"app {app.requests_per_second:,.0f}/s",
                    flush=True,
                )
        report(pairs, args, duration)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(pairs: list[tuple[Result, Result]], args: argparse.Namespace, duration: int) -> None:
    """Every run, then the medians over the rounds and the verdict against the target."""
    log = "on" if args.access_log else "off"
    print(
        f"\nwrk, {args.connections} connections, {duration} s each, {args.threads} threads, "
        f"{len(pairs)} alternating rounds; app: incidentroom serve (granian, WSGI) with "
        f"{args.workers} workers, access log {log}; same page (all councils)\n"
    )
    print(f"{'round':>5}  {'target':34} {'requests/s':>12} {'p99 latency':>14} {'CPU/request':>13}  errors")
    for number, pair in enumerate(pairs, 1):
        for r in pair:
            print(
                f"{number:>5}  {r.name:34} {r.requests_per_second:12,.0f} {r.p99_ms:11,.1f} ms "
                f"{r.cpu_us_per_request:10,.1f} us  {r.errors}"
            )
    shares = [app.requests_per_second / max(static.requests_per_second, 0.01) for static, app in pairs]
    cpu = [app.cpu_us_per_request / max(static.cpu_us_per_request, 0.001) for static, app in pairs]

    def median(values: list[float]) -> float:
        return statistics.median(values)

    static_rps = median([s.requests_per_second for s, _ in pairs])
    app_rps = median([a.requests_per_second for _, a in pairs])
    static_p99 = median([s.p99_ms for s, _ in pairs])
    app_p99 = median([a.p99_ms for _, a in pairs])
    print(
        f"\nmedians over {len(pairs)} rounds: nginx {static_rps:,.0f}/s (p99 {static_p99:,.1f} ms), "
        f"app {app_rps:,.0f}/s (p99 {app_p99:,.1f} ms, worst {max(a.p99_ms for _, a in pairs):,.1f} ms)"
    )
    print(
        f"app /status/ serves {median(shares):,.2f}x the baseline's requests per second "
        f"(rounds: {', '.join(f'{x:.2f}' for x in shares)}; target >= 0.3x), "
        f"p99 {app_p99:,.1f} ms (target < 1,000 ms); it spends {median(cpu):,.1f}x nginx's CPU per request."
    )


if __name__ == "__main__":
    sys.exit(main())
