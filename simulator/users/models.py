"""Request bodies of the user, license and role routes (any key casing: the .NET SDK sends PascalCase)."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from simulator import wire


class PasswordProfileIn(wire.WireModel):
    password: str | None = Field(None, max_length=256)
    force_change_password: bool | None = None


class UserIn(wire.WireModel):
    """E2's CustomerUser; E4 sends the fields it changes (and `state: active` to restore)."""
    usage_location: str | None = Field(None, max_length=2)
    user_principal_name: str | None = Field(None, max_length=113)
    first_name: str | None = Field(None, max_length=64)
    last_name: str | None = Field(None, max_length=64)
    display_name: str | None = Field(None, max_length=256)
    immutable_id: str | None = Field(None, max_length=256)
    phone_number: str | None = Field(None, max_length=64)
    password_profile: PasswordProfileIn | None = None
    state: str | None = None
    attributes: dict[str, Any] | None = None


class ResetPasswordIn(wire.WireModel):
    password_profile: PasswordProfileIn
    attributes: dict[str, Any] | None = None


class LicenseAssignmentIn(wire.WireModel):
    sku_id: str = Field(max_length=64)
    excluded_plans: list[str] | None = None


class LicenseUpdateIn(wire.WireModel):
    licenses_to_assign: list[LicenseAssignmentIn] | None = None
    licenses_to_remove: list[str] | None = None
    license_warnings: list[Any] | None = None
    attributes: dict[str, Any] | None = None


class UserMemberIn(wire.WireModel):
    """E13: the user to add ({Id, DisplayName, UserPrincipalName, Attributes})."""
    id: str = Field(max_length=64)
    display_name: str | None = None
    user_principal_name: str | None = None
    attributes: dict[str, Any] | None = None
