"""The Messenger: conversations and messages between staff, and who is online.

Users are the staff; a user sends as themselves only, and reads only conversations they are in.
A client polls ``GetMessages`` (which also records that it is online, and from which computer).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .auth import Principal
from .clock import now
from .errors import Forbidden, Invalid, NotFound
from .services import Param, operation
from .store.tables import (
    ENTITY_TABLES,
    messenger_conversation,
    messenger_delivery,
    messenger_message,
    messenger_participant,
    messenger_presence,
)

_staff = ENTITY_TABLES["Staff"]
ONLINE_FOR = timedelta(minutes=5)  # a client that checked in this recently is Online
MAX_MESSAGE = 4000
MAX_TOP = 500

Messenger = "Messenger"


def _staff_id(conn: Connection, username: str | None, what: str) -> str:
    if not username:
        raise Invalid.field(what, f"{what} is required", "Required")
    row = conn.execute(sa.select(_staff.c.staff_id).where(
        sa.func.lower(_staff.c.username) == username.lower())).first()
    if row is None:
        raise NotFound(f"No user {username}", code="UserNotFound")
    return str(row.staff_id)


def _as_self(conn: Connection, actor: Principal, username: str | None, what: str) -> str:
    staff_id = _staff_id(conn, username, what)
    if staff_id != actor.staff_id:
        raise Forbidden(f"{what}: you may only act as yourself ({actor.username})", code="Forbidden")
    return staff_id


def _names(conn: Connection) -> dict[str, str]:
    return {r.staff_id: r.username for r in conn.execute(sa.select(_staff.c.staff_id, _staff.c.username))}


def _message(row: Any, names: dict[str, str], to: str | None = None) -> dict[str, Any]:
    out = {"ID": row.message_id, "ConversationID": row.conversation_id, "FromUser": names.get(row.from_staff_id),
           "Message": row.body, "SentAt": row.sent_at}
    if to is not None:
        out["ToUser"] = to
    return out


@operation(Messenger, "GetUsers", Param("includeInactive", "boolean", nullable=False))
def get_users(conn: Connection, actor: Principal, args: dict[str, Any]) -> list[dict[str, Any]]:
    query = sa.select(_staff, messenger_presence.c.computer_name, messenger_presence.c.last_update).select_from(
        _staff.outerjoin(messenger_presence, messenger_presence.c.staff_id == _staff.c.staff_id))
    if not args["includeInactive"]:
        query = query.where(_staff.c.enabled.is_(True))
    stamp = now()
    out = []
    for row in conn.execute(query.order_by(_staff.c.username)):
        name = " ".join(p for p in (row.first_name, row.surname) if p) or row.username
        online = row.last_update is not None and stamp - row.last_update <= ONLINE_FOR
        out.append({"ID": row.staff_id, "UserName": row.username, "Description": name,
                    "ComputerName": row.computer_name, "LastUpdate": row.last_update,
                    "Status": "Online" if online else "Offline"})
    return out


@operation(Messenger, "GetUserOptions", Param("userName", "string"))
def get_user_options(conn: Connection, actor: Principal, args: dict[str, Any]) -> dict[str, Any]:
    staff_id = _staff_id(conn, args["userName"], "userName")
    user = next(u for u in get_users(conn, actor, {"includeInactive": True}) if u["ID"] == staff_id)
    unread = conn.execute(sa.select(sa.func.count()).select_from(messenger_delivery).where(
        messenger_delivery.c.to_staff_id == staff_id, messenger_delivery.c.delivered_at.is_(None))).scalar()
    return {**user, "UnreadMessages": int(unread or 0)}


@operation(Messenger, "SendMessage", Param("message", "string"), Param("fromUser", "string"),
           Param("toUsers", "string", is_array=True), Param("conversationID", "string"), writes=True)
def send_message(conn: Connection, actor: Principal, args: dict[str, Any]) -> dict[str, Any]:
    sender = _as_self(conn, actor, args["fromUser"], "fromUser")
    text = args["message"] or ""
    if not text.strip():
        raise Invalid.field("message", "message is empty", "Required")
    if len(text) > MAX_MESSAGE:
        raise Invalid.field("message", f"message is longer than {MAX_MESSAGE} characters", "TooLong")
    recipients = {_staff_id(conn, name, "toUsers") for name in (args["toUsers"] or [])} - {sender}
    stamp = now()
    conversation = args["conversationID"] or None
    if conversation:
        members = set(conn.execute(sa.select(messenger_participant.c.staff_id).where(
            messenger_participant.c.conversation_id == conversation)).scalars())
        if sender not in members:
            # Someone else's conversation is as unknown to you as one that does not exist.
            raise NotFound(f"No conversation {conversation}", code="ConversationNotFound")
        for newcomer in recipients - members:
            conn.execute(messenger_participant.insert().values(conversation_id=conversation, staff_id=newcomer))
        recipients |= members - {sender}
    else:
        if not recipients:
            raise Invalid.field("toUsers", "toUsers names nobody to send to", "Required")
        conversation = str(uuid.uuid4())
        conn.execute(messenger_conversation.insert().values(conversation_id=conversation, created_at=stamp,
                                                            created_by=sender))
        for member in recipients | {sender}:
            conn.execute(messenger_participant.insert().values(conversation_id=conversation, staff_id=member))
    message_id = str(uuid.uuid4())
    conn.execute(messenger_message.insert().values(message_id=message_id, conversation_id=conversation,
                                                   from_staff_id=sender, body=text, sent_at=stamp))
    for recipient in sorted(recipients):
        conn.execute(messenger_delivery.insert().values(message_id=message_id, to_staff_id=recipient))
    return {"ConversationID": conversation, "MessageID": message_id, "SentAt": stamp}


@operation(Messenger, "GetMessages", Param("userName", "string"), Param("computerName", "string"), writes=True)
def get_messages(conn: Connection, actor: Principal, args: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages not yet collected by this user, oldest first; they are then marked delivered."""
    me = _as_self(conn, actor, args["userName"], "userName")
    stamp = now()
    presence = {"computer_name": (args["computerName"] or "")[:100] or None, "last_update": stamp}
    if conn.execute(messenger_presence.update().where(messenger_presence.c.staff_id == me)
                    .values(**presence)).rowcount == 0:
        conn.execute(messenger_presence.insert().values(staff_id=me, **presence))
    names = _names(conn)
    rows = conn.execute(sa.select(messenger_message).join(
        messenger_delivery, messenger_delivery.c.message_id == messenger_message.c.message_id).where(
        messenger_delivery.c.to_staff_id == me, messenger_delivery.c.delivered_at.is_(None))
        .order_by(messenger_message.c.sent_at, messenger_message.c.message_id)).all()
    if rows:
        conn.execute(messenger_delivery.update().where(
            messenger_delivery.c.to_staff_id == me,
            messenger_delivery.c.message_id.in_([r.message_id for r in rows])).values(delivered_at=stamp))
    return [_message(r, names, names.get(me)) for r in rows]


@operation(Messenger, "GetConversation", Param("conversationID", "string"))
def get_conversation(conn: Connection, actor: Principal, args: dict[str, Any]) -> dict[str, Any]:
    conversation = args["conversationID"] or ""
    members = set(conn.execute(sa.select(messenger_participant.c.staff_id).where(
        messenger_participant.c.conversation_id == conversation)).scalars())
    if actor.staff_id not in members:
        # Someone else's conversation is as unknown to you as one that does not exist.
        raise NotFound(f"No conversation {conversation}", code="ConversationNotFound")
    names = _names(conn)
    rows = conn.execute(sa.select(messenger_message).where(messenger_message.c.conversation_id == conversation)
                        .order_by(messenger_message.c.sent_at, messenger_message.c.message_id)).all()
    return {"ConversationID": conversation, "Users": sorted(names[m] for m in members),
            "Messages": [_message(r, names) for r in rows]}


@operation(Messenger, "GetOldMessages", Param("top", "integer", nullable=False), Param("fromUser", "string"),
           Param("toUser", "string"))
def get_old_messages(conn: Connection, actor: Principal, args: dict[str, Any]) -> list[dict[str, Any]]:
    """The latest ``top`` messages between two users (one of them the caller), newest first."""
    if not 0 < args["top"] <= MAX_TOP:
        raise Invalid.field("top", f"top must be from 1 to {MAX_TOP}", "InvalidValue")
    one = _staff_id(conn, args["fromUser"], "fromUser")
    other = _staff_id(conn, args["toUser"], "toUser")
    if actor.staff_id not in (one, other):
        raise Forbidden("You may only read your own messages", code="Forbidden")
    names = _names(conn)
    pairs = sa.or_(sa.and_(messenger_message.c.from_staff_id == one, messenger_delivery.c.to_staff_id == other),
                   sa.and_(messenger_message.c.from_staff_id == other, messenger_delivery.c.to_staff_id == one))
    rows = conn.execute(sa.select(messenger_message, messenger_delivery.c.to_staff_id).join(
        messenger_delivery, messenger_delivery.c.message_id == messenger_message.c.message_id).where(pairs)
        .order_by(messenger_message.c.sent_at.desc(), messenger_message.c.message_id.desc())
        .limit(args["top"])).all()
    return [_message(r, names, names.get(r.to_staff_id)) for r in rows]


@operation(Messenger, "ClearMessages", writes=True)
def clear_messages(conn: Connection, actor: Principal, args: dict[str, Any]) -> int:
    """Marks every message to the caller as collected and cleared; answers how many there were."""
    result = conn.execute(messenger_delivery.update().where(
        messenger_delivery.c.to_staff_id == actor.staff_id, messenger_delivery.c.cleared.is_(False))
        .values(cleared=True, delivered_at=sa.func.coalesce(messenger_delivery.c.delivered_at, now())))
    return int(result.rowcount or 0)
