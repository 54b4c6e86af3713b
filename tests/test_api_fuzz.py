"""Schemathesis over the OpenAPI schema: generated requests never cause a server error.

A bounded number of examples per operation keeps this to seconds; it runs as a persona
who can see the West London incident, so the generated requests reach real code paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from incidentroom.wsgi import application
from tests.helpers import personas

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def token(db: None) -> Iterator[str]:
    """A real token for a Gold at the origin council.

    Requests go through the raw WSGI app, which (unlike Django's test client) would close
    the test's database connection at the end of each request; keep it open, as the test
    client does, so every example runs inside the test's transaction.
    """
    from incidentroom.core.actions import issue_api_token

    _, raw = issue_api_token(actor=personas.persona("gold", "RBKC"), name="schemathesis")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
