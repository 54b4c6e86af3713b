"""A hostile-input sweep over every API operation: no input gets a server error.

Operations are read from the OpenAPI schema, path parameters are real West London objects
(so requests reach real code, not a 404), and the caller is RBKC's DPO, who may reach the
breach routes too. Each operation gets: hostile path values (huge, negative, not numbers),
bodies of the wrong shape (bare strings, arrays, numbers, null), and, field by field, huge and
negative integers, wrong types, very long strings, control characters and unicode. Extreme
dates are swept by the time checks, so date fields keep a valid value here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from pytest_django.fixtures import Settings

from incidentroom.api import api as ninja_api
from tests.helpers.clients import ApiClient
from tests.test_refusals import _example, _operations, objects  # noqa: F401 - the fixture is used

HOSTILE_INTS: list[Any] = [2**63, -(2**63) - 1, 2**70, -1, 0, 1.5, "abc", True, None]
HOSTILE_STRINGS = [
    "x" * 100_000,
    "a\x00b",
    "a\x0bb\x1b\x7f\x85\x9f",
    "Title\r\nBcc: everyone@example.org",
    "\u202eRTL override \u200f محمد علي",
    "Łukasz Wiśniewski Nguyễn Thị Hương Ιωάννης 🙂",
    "\ud800",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "",
]
HOSTILE_BODIES: list[Any] = ["hello", ["a"], 3, None, True, {"__proto__": 1}, [[[[[]]]]]]
HOSTILE_PATH = [str(2**63), str(2**70), "-1", "0", "abc", "%00", "1e9", "١"]


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = ninja_api.get_openapi_schema()["components"]["schemas"]
    return schemas


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return _resolve(_components()[node["$ref"].rsplit("/", 1)[-1]])
    return node


def _variants(base: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """The valid body with one field at a time made hostile, plus wrong shapes."""
    out: list[Any] = list(HOSTILE_BODIES)
    props = _resolve(schema).get("properties", {})
    for name, sub in props.items():
        sub = _resolve(sub)
        if sub.get("format") == "date-time" or any(
            _resolve(s).get("format") == "date-time" for s in sub.get("anyOf", [])
        ):
            out.append({**base, name: "not a date"})
            continue
        for value in [*HOSTILE_INTS, *HOSTILE_STRINGS, ["x"] * 5000, [2**70], {"a": 1}]:
            out.append({**base, name: value})
    return out


def _send(client: Any, method: str, url: str, body: Any = None) -> Any:
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_no_hostile_input_gets_a_server_error(
    api: Callable[[User], ApiClient],
    rbkc_dpo: User,
    objects: dict[str, str],  # noqa: F811
    settings: Settings,
) -> None:
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = api(rbkc_dpo).client
    client.raise_request_exception = False
    components = _components()
    errors: list[tuple[str, str, str]] = []
    sent = 0
    for method, path, op in _operations():
        if path.endswith("/scans/upload"):
            continue  # multipart: the upload checks have their own tests
        names = re.findall(r"\{(\w+)\}", path)
        real = re.sub(r"\{(\w+)\}", lambda m: objects[m.group(1)], path)
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        base = _example(content["schema"], components) if content else None
        # Hostile values in each path parameter in turn.
        for name in names:
            for value in HOSTILE_PATH:
                url = re.sub(r"\{" + name + r"\}", value, path)
                url = re.sub(r"\{(\w+)\}", lambda m: objects[m.group(1)], url)
                response = _send(client, method, url, base)
                sent += 1
                if response.status_code >= 500:
                    errors.append((method, url, response.content.decode(errors="replace")[:200]))
        # Hostile query parameters.
        for param in op.get("parameters", []):
            if param["in"] != "query" or method != "get":
                continue
            for value in [v for v in [*HOSTILE_INTS, *HOSTILE_STRINGS[:6]] if v is not None]:
                response = client.get(real, {param["name"]: value})
                sent += 1
                if response.status_code >= 500:
                    errors.append(
                        (method, f"{real}?{param['name']}={str(value)[:40]}", response.content.decode()[:200])
                    )
        # Hostile bodies.
        if content:
            assert isinstance(base, dict), (method, path, base)  # a JSON body is an object
            for body in _variants(base, content["schema"]):
                try:
                    response = _send(client, method, real, body)
                except UnicodeEncodeError:
                    # A lone surrogate cannot even be encoded by a client; send it escaped.
                    raw = json.dumps(body, ensure_ascii=True)
                    response = getattr(client, method)(real, data=raw, content_type="application/json")
                sent += 1
                if response.status_code >= 500:
                    errors.append(
                        (
                            method,
                            path,
                            json.dumps(body)[:120] + " -> " + response.content.decode(errors="replace")[:200],
                        )
                    )
    assert sent > 3000
    assert errors == [], "\n".join(map(str, errors[:40]))
