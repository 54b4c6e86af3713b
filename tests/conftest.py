"""Shared fixtures: the West London scenario loaded once per test database, one persona per
role and organisation, API clients, a real SMTP server, and the real product served by
granian in a subprocess for browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser

from tests.helpers import personas
from tests.helpers.clients import ApiClient
from tests.helpers.live import LiveApp, SmtpSink, free_port
from tests.helpers.personas import PersonaFactory
from tests.helpers.scenario import west_london_reference

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "west_london.yaml"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Every test database starts with the West London scenario, clocks running from now."""
    from incidentroom import scenario

    with django_db_blocker.unblock():
        scenario.load_file(SCENARIO, shift_to=timezone.now())


@pytest.fixture
def persona(db: None) -> PersonaFactory:
    """``persona(role, *org_codes)``: the test person holding that role there, built in code."""
    return personas.persona


# One fixture per persona the tests lean on (role at organisation).
@pytest.fixture
def rbkc_gold(db: None) -> User:
    """Gold commander at Kensington and Chelsea."""
    return personas.persona("gold", "RBKC")


@pytest.fixture
def rbkc_silver(db: None) -> User:
    """Silver at RBKC."""
    return personas.persona("silver", "RBKC")


@pytest.fixture
def rbkc_dpo(db: None) -> User:
    """DPO at RBKC (the controller whose archive was stolen)."""
    return personas.persona("dpo", "RBKC")


@pytest.fixture
def rbkc_comms(db: None) -> User:
    """Communications officer at RBKC."""
    return personas.persona("comms", "RBKC")


@pytest.fixture
def wcc_gold(db: None) -> User:
    """Gold at Westminster."""
    return personas.persona("gold", "WCC")


@pytest.fixture
def wcc_dpo(db: None) -> User:
    """DPO at Westminster."""
    return personas.persona("dpo", "WCC")


@pytest.fixture
def wcc_comms(db: None) -> User:
    """Communications officer at WCC."""
    return personas.persona("comms", "WCC")


@pytest.fixture
def lbhf_gold(db: None) -> User:
    """Gold at Hammersmith and Fulham."""
    return personas.persona("gold", "LBHF")


@pytest.fixture
def lbhf_responder(db: None) -> User:
    """IT responder at LBHF."""
    return personas.persona("responder", "LBHF")


@pytest.fixture
def lbhf_comms(db: None) -> User:
    """Communications officer at LBHF."""
    return personas.persona("comms", "LBHF")


@pytest.fixture
def lbhf_viewer(db: None) -> User:
    """Read-only viewer at LBHF (involved organisation, no write role)."""
    return personas.persona("viewer", "LBHF")


@pytest.fixture
def shared_responder(db: None) -> User:
    """Shared-service responder with a membership at each of the three councils."""
    return personas.persona("responder", "RBKC", "WCC", "LBHF")


@pytest.fixture
def outsider_viewer(db: None) -> User:
    """Viewer at Ealing (LBE), a fourth council not involved in the incident."""
    return personas.persona("viewer", "LBE")


@pytest.fixture
def outsider_gold(db: None) -> User:
    """Gold at Ealing: senior, but at an uninvolved council."""
    return personas.persona("gold", "LBE")


@pytest.fixture
def incident(db: None) -> Any:
    """The West London incident as it stood on the Monday afternoon."""
    from incidentroom.incidents.models import Incident

    return Incident.objects.get(reference=west_london_reference())


@pytest.fixture
def web(db: None) -> Callable[[Any], Client]:
    """A logged-in page client for a persona."""

    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api(db: None) -> Callable[[Any], ApiClient]:
    """An API client authenticated with a freshly issued token for a persona."""
    from incidentroom.core.actions import issue_api_token

    def make(user: Any) -> ApiClient:
        _, raw = issue_api_token(actor=user, name=f"test-{uuid.uuid4().hex[:6]}")
        return ApiClient(raw)

    return make


# -- a real SMTP server -------------------------------------------------------------------


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on a free loopback port, collecting what it receives."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
            sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            sink.messages.append(message_from_bytes(envelope.content))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


# -- the real product in a subprocess -----------------------------------------------------


@pytest.fixture(scope="module")
def live_app_env() -> dict[str, str]:
    """Extra environment for ``live_app`` (override in a test module, e.g. to set EMAIL_PORT)."""
    return {}


def _admin_url(base: str) -> str:
    return base.rsplit("/", 1)[0] + "/postgres"


@dataclass
class DatabaseTemplate:
    """A database migrated and loaded with the scenario once, copied for each live app."""

    url: str
    sqlite_file: Path | None
    pg_name: str | None

    def copy(self, tmp: Path) -> tuple[str, Callable[[], None]]:
        """A fresh copy: a file copy for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL."""
        if self.sqlite_file is not None:
            target = tmp / "live.sqlite3"
            shutil.copyfile(self.sqlite_file, target)
            return f"sqlite:///{target}", lambda: None
        import psycopg

        base = os.environ["DATABASE_URL"]
        name = f"ir_live_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_admin_url(base), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.pg_name}"')

        def drop() -> None:
            with psycopg.connect(_admin_url(base), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return base.rsplit("/", 1)[0] + "/" + name, drop


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "incidentroom", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _add_cast(env: dict[str, str]) -> None:
    """Every test persona, with the browser tests' password, in a live app's database."""
    code = (
        "import django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'incidentroom.settings')\n"
        "django.setup()\n"
        "from tests.helpers.personas import create_cast\n"
        "create_cast()\n"
    )
    # From the repository root, so ``python -c`` imports tests.helpers.
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _log_key() -> str:
    """The key that signs log checkpoints, shared by every process of one test run."""
    from django.conf import settings

    key: bytes = settings.LOG_CHECKPOINT_KEY
    return key.decode("utf-8")


@pytest.fixture(scope="session")
def live_database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplate]:
    """Migrate and load the scenario once per test session (per xdist worker)."""
    tmp = tmp_path_factory.mktemp("template")
    base = os.environ.get("DATABASE_URL", "")
    env = {**os.environ, "INCIDENTROOM_VAR": str(tmp / "var"), "LOG_CHECKPOINT_KEY": _log_key()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if not base.startswith("postgres"):
        path = tmp / "template.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
        _run(env, "migrate", "--no-input", "-v0")
        _run(env, "load-scenario", str(SCENARIO))
        _add_cast(env)
        # Fold the write-ahead log into the file so a plain copy holds everything.
        import sqlite3

        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield DatabaseTemplate(url=env["DATABASE_URL"], sqlite_file=path, pg_name=None)
        return
    import psycopg

    name = f"ir_template_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_url(base), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
    try:
        _run(env, "migrate", "--no-input", "-v0")
        _run(env, "load-scenario", str(SCENARIO))
        _add_cast(env)
        yield DatabaseTemplate(url=env["DATABASE_URL"], sqlite_file=None, pg_name=name)
    finally:
        with psycopg.connect(_admin_url(base), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def live_app(
    tmp_path_factory: pytest.TempPathFactory,
    live_app_env: dict[str, str],
    live_database_template: DatabaseTemplate,
) -> Iterator[LiveApp]:
    """The product as ``make run`` serves it (granian + task worker), on a fresh copy of a
    database of the same kind the suite runs on, with the West London scenario loaded."""
    tmp = tmp_path_factory.mktemp("live")
    db_url, drop = live_database_template.copy(tmp)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "INCIDENTROOM_VAR": str(tmp / "var"),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        # One deployment, one log key: the copy of the database was signed with it.
        "LOG_CHECKPOINT_KEY": _log_key(),
        **live_app_env,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    app = LiveApp(url=f"http://127.0.0.1:{port}", env=env, var_dir=tmp / "var")
    logs = (tmp / "server.log").open("w")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "incidentroom", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            stdout=logs,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "incidentroom", "worker", "--interval", "0.2"],
            env=env,
            stdout=logs,
            stderr=subprocess.STDOUT,
        ),
    ]
    try:
        # A deadline, not a count of tries: 300 quick refusals were only 30 s, which a loaded
        # 2-core machine has needed to start granian's workers.
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(app.url + "/login/", timeout=2) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the live app did not start: " + (tmp / "server.log").read_text())
            time.sleep(0.1)
        yield app
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                # Reap it: a Popen dropped while its child still runs warns (an error here), and
                # on a loaded machine the server can take longer than 10 s to stop.
                p.wait()
        logs.close()
        drop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    """A fresh browser context and page."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    try:
        yield pg
    finally:
        context.close()


def _login(page: Any, app: LiveApp, role: str, *orgs: str) -> None:
    page.goto(app.url + "/login/")
    page.fill("#id_username", personas.username(role, *orgs))
    page.fill("#id_password", personas.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, live_app, role, *org_codes)`` signs in as that persona through the real
    login form (the live app's database holds every persona of ``personas.CAST``)."""
    return _login


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests leave full-page screenshots for people to read (ignored by git)."""
    folder = ROOT / "tests" / "browser" / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
