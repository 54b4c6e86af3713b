"""The base class of every API input schema: a body has the declared shape or it is a 422.

django-ninja's ``Schema`` reads fields from any object, so it can serialise model instances.
On input that is a hole: a bare JSON string sent as a PATCH body was read attribute by
attribute, and ``"hello".title`` became the incident's new title. Input schemas accept a
JSON object (or an instance of the schema) and nothing else, at every level of nesting.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import ValidationInfo, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler


class InputSchema(Schema):
    """A request body or query: only a JSON object fills it."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if not isinstance(values, dict | cls):
            raise ValueError(
                f"must be a JSON object with the fields of {cls.__name__}, not {type(values).__name__}"
            )
        if isinstance(values, cls):
            return values
        # What ninja's own root validator does with a mapping (it overrides that one).
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))
