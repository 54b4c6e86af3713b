"""Clients the tests call the product with."""

from __future__ import annotations

from typing import Any

from django.test import Client


class ApiClient:
    """Calls the API with a real bearer token for a persona."""

    def __init__(self, token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(self, path: str, params: Any = None) -> Any:
        """GET /api/<path> with optional query parameters."""
        return self.client.get("/api" + path, params or {})

    def post(self, path: str, data: Any = None) -> Any:
        """POST JSON."""
        return self.client.post("/api" + path, data=data or {}, content_type="application/json")

    def patch(self, path: str, data: Any = None) -> Any:
        """PATCH JSON."""
        return self.client.patch("/api" + path, data=data or {}, content_type="application/json")

    def put(self, path: str, data: Any = None) -> Any:
        """PUT JSON."""
        return self.client.put("/api" + path, data=data or {}, content_type="application/json")

    def delete(self, path: str) -> Any:
        """DELETE."""
        return self.client.delete("/api" + path)
