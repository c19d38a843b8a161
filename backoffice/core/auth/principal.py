"""Who is acting: a staff member, or a customer (debtor) through a debtor API key."""

from __future__ import annotations

from dataclasses import dataclass


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
