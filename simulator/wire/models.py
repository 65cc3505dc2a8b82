"""The request and response models' base classes: camelCase out, any key casing in (pydantic)."""
from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from simulator import errors


class WireModel(BaseModel):
    """camelCase on the way out; any key casing on the way in (the .NET SDK sends PascalCase)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True)
    _folded_map: ClassVar[dict[str, str] | None] = None  # each class's own, made on first use

    @classmethod
    def _key_map(cls) -> dict[str, str]:
        folded: dict[str, str] | None = cls.__dict__.get("_folded_map")
        if folded is None:
            folded = {}
            for name, info in cls.model_fields.items():
                folded[name.lower()] = info.alias or name
                folded[(info.alias or name).lower()] = info.alias or name
            cls._folded_map = folded
        return folded

    @model_validator(mode="before")
    @classmethod
    def _any_case(cls, data: Any) -> Any:
        if isinstance(data, dict):
            keys = cls._key_map()
            return {keys.get(k.lower(), k) if isinstance(k, str) else k: v for k, v in data.items()}
        return data

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> Any:
        """The model from a request's JSON object (`validate`), for `wire.parse_model`, which can't import
        this module at its own import and would otherwise import it on every call."""
        return validate(cls, data)


class Resource(WireModel):
    """Response models are strict about what they carry; unknown keys are a bug, not input."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)


def validate(model: type[WireModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or model.__name__
        raise errors.InvalidRequestInput(f"{where}: {first['msg']}") from None
