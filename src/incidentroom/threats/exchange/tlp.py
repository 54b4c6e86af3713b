"""TLP 2.0 marking definitions as STIX 2.1 publishes them (OASIS TLP 2.0 extension), and the
TLP 1.0 ones the ``stix2`` library predefines, which older feeds still send."""

from __future__ import annotations

from typing import Any

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 (stix2.TLP_WHITE ...): WHITE is today's CLEAR.
TLP1_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
BY_ID = {v: k for k, v in TLP2_IDS.items()} | TLP1_IDS
# Most restrictive first: an object with two markings takes the stricter.
STRICTNESS = ["red", "amber+strict", "amber", "green", "clear"]


def marking_object(level: str) -> dict[str, Any]:
    """The TLP 2.0 marking-definition object for ``level``, exactly as OASIS publishes it."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.upper()}",
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    }


def from_name(name: str) -> str | None:
    """'TLP:AMBER+STRICT', 'tlp:white', 'amber' -> the TLP 2.0 level, or None."""
    text = name.strip().lower().removeprefix("tlp:").removeprefix("tlp ").strip()
    text = {"white": "clear", "amber strict": "amber+strict", "amber-strict": "amber+strict"}.get(text, text)
    return text if text in TLP2_IDS else None


def strictest(levels: list[str]) -> str | None:
    """The most restrictive of ``levels``."""
    for level in STRICTNESS:
        if level in levels:
            return level
    return None
