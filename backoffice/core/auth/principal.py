"""Who is acting: a staff member, or a customer (debtor) through a debtor API key."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Principal:
    kind: str  # "staff" or "debtor"
    staff_id: str
    username: str
    display_name: str = ""
    debtor_id: str | None = None
    # None: every operation. Otherwise the operation names this principal may call.
    permissions: tuple[str, ...] | None = None
    # What authenticated it: "credentials" (a session or HTTP Basic) or "apikey".
    via: str = "credentials"
    # The API key used, if any: each key holds its own stateful drafts.
    key_id: str | None = None

    @property
    def is_debtor(self) -> bool:
        return self.kind == "debtor"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["permissions"] = list(self.permissions) if self.permissions is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Principal:
        perms = data.get("permissions")
        return cls(
            kind=data["kind"], staff_id=data["staff_id"], username=data["username"],
            display_name=data.get("display_name", ""), debtor_id=data.get("debtor_id"),
            permissions=tuple(perms) if perms is not None else None, via=data.get("via", "credentials"),
            key_id=data.get("key_id"),
        )


# The system itself (demo loader, CLI imports) acts with every permission.
SYSTEM = Principal(kind="staff", staff_id="", username="system", display_name="System")
