"""``incidentroom serve`` runs granian; a bad address or count is refused with the option named,
and the WSGI entry point keeps the server's process environment out of ``request.META``."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from incidentroom.core.management.commands.serve import bind_arguments, granian_argv
from incidentroom.core.wsgi_environ import WithoutProcessEnvironment

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8000", ["--host", "127.0.0.1", "--port", "8000"]),
        ("0.0.0.0:80", ["--host", "0.0.0.0", "--port", "80"]),  # noqa: S104 - only parsed
        ("[::1]:8443", ["--host", "::1", "--port", "8443"]),
        ("unix:/run/incidentroom.sock", ["--uds", "/run/incidentroom.sock"]),
    ],
)
def test_bind_addresses(bind: str, expected: list[str]) -> None:
    assert bind_arguments(bind) == expected


@pytest.mark.parametrize(
    "bind", ["8000", "localhost", ":8000", "host:", "host:http", "host:0", "host:70000", "unix:"]
)
def test_bad_bind_addresses_are_refused_naming_the_option(bind: str) -> None:
    with pytest.raises(CommandError, match="--bind"):
        bind_arguments(bind)


@pytest.mark.parametrize(("option", "value"), [("--workers", "0"), ("--threads", "0"), ("--bind", "nowhere")])
def test_the_command_refuses_before_starting_anything(
    option: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_server(*args: Any, **kwargs: Any) -> None:
        pytest.fail(f"serve started a server despite {option} {value}")

    # A safety net only: were the refusal missing, a real server would start and never stop.
    monkeypatch.setattr("subprocess.Popen", no_server)
    with pytest.raises(CommandError, match=option):
        call_command("serve", option, value, stdout=io.StringIO())


def test_the_server_is_granian_over_wsgi_without_an_access_log_by_default() -> None:
    argv = granian_argv("127.0.0.1:8000", workers=2, threads=4, access_log=False)
    assert argv[1:3] == ["-m", "granian"]
    assert argv[argv.index("--interface") + 1] == "wsgi"
    assert argv[argv.index("--blocking-threads") + 1] == "4"
    assert "--no-access-log" in argv and "--respawn-failed-workers" in argv
    assert argv[-1] == "incidentroom.wsgi:application"
    assert "--access-log" in granian_argv("127.0.0.1:8000", workers=2, threads=4, access_log=True)


def _seen_by_app(environ: dict[str, Any], process: dict[str, str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(env)
        start_response("200 OK", [])
        return [b""]

    WithoutProcessEnvironment(app, process)(environ, lambda *a: None)
    return seen


def test_the_process_environment_never_reaches_the_app_as_request_data() -> None:
    process = {
        "DATABASE_URL": "postgres://app:s3cret@db/incidentroom",
        "SECRET_KEY": "not-for-requests",
        "HTTP_PROXY": "http://proxy.internal:3128",
        "HTTP_HOST": "from-the-process",
        "REMOTE_ADDR": "10.9.9.9",
    }
    # What granian hands the app: a copy of the process environment with the request on top.
    request = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/login/",
        "HTTP_HOST": "incidents.example.gov.uk",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_X_FORWARDED_FOR": "198.51.100.1",
    }
    seen = _seen_by_app({**process, **request}, process)
    assert "DATABASE_URL" not in seen and "SECRET_KEY" not in seen and "HTTP_PROXY" not in seen
    # The request's own values stay, including ones the process also happens to name.
    assert seen["HTTP_HOST"] == "incidents.example.gov.uk"
    assert seen["REMOTE_ADDR"] == "203.0.113.7"
    assert seen["HTTP_X_FORWARDED_FOR"] == "198.51.100.1"


def test_a_header_the_client_really_sent_is_kept() -> None:
    process = {"HTTP_PROXY": "http://proxy.internal:3128"}
    seen = _seen_by_app({"REQUEST_METHOD": "GET", "HTTP_PROXY": "sent-by-the-client"}, process)
    assert seen["HTTP_PROXY"] == "sent-by-the-client"
