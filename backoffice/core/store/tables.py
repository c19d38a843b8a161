"""SQLAlchemy tables, derived from the catalog, plus the tables auth and drafts need."""

from __future__ import annotations

import sqlalchemy as sa

from ..catalog import CATALOG, Catalog, Entity, FieldType

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
})

_TYPES: dict[FieldType, sa.types.TypeEngine] = {
    FieldType.TEXT: sa.Text(),
    FieldType.INT: sa.Integer(),
    FieldType.FLOAT: sa.Float(),
    FieldType.MONEY: sa.Float(),
    FieldType.BOOL: sa.Boolean(),
    FieldType.DATETIME: sa.DateTime(),
    FieldType.DATE: sa.Date(),
}


def _column_type(field_type: FieldType, length: int | None, big: bool = False) -> sa.types.TypeEngine:
    if field_type is FieldType.STRING:
        return sa.String(length or 255)
    if big and field_type is FieldType.INT:
        return sa.BigInteger()
    return _TYPES[field_type]


def entity_table(entity: Entity, meta: sa.MetaData, catalog: Catalog) -> sa.Table:
    columns: list[sa.Column[object] | sa.Index | sa.ForeignKey | sa.UniqueConstraint] = []
    for f in entity.fields:
        # References are real foreign keys: the database itself refuses an order for a debtor
        # deleted at the same moment (the core checks first, to say which record is in use).
        foreign = ([sa.ForeignKey(f"{catalog.entity(f.ref).table}.{catalog.entity(f.ref).key}")]
                   if f.ref else [])
        columns.append(sa.Column(
            f.name, _column_type(f.type, f.length, f.big), *foreign,
            primary_key=f.name == entity.key,
            # Numeric keys are handed out by the core (numbering), never by the database.
            autoincrement=False if f.name == entity.key else "auto",
            nullable=f.name != entity.key,
            unique=f.unique or None,
            index=(f.index and not f.unique) or None,
        ))
    if entity.root:
        columns.append(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
        columns.append(sa.Column("last_saved", sa.DateTime, nullable=True))
        # The database-wide change number of the record's last write (numbering.next_change).
        columns.append(sa.Column("change_no", sa.BigInteger, nullable=True, index=entity.change_index or None))
    for cols in entity.indexes:
        columns.append(sa.Index(None, *cols))
    for cols in entity.unique_together:
        columns.append(sa.UniqueConstraint(*cols))
    return sa.Table(entity.table, meta, *columns)


def build_tables(catalog: Catalog, meta: sa.MetaData) -> dict[str, sa.Table]:
    return {name: entity_table(entity, meta, catalog) for name, entity in catalog.entities.items()}


ENTITY_TABLES = build_tables(CATALOG, metadata)

# --- auth -------------------------------------------------------------------------------

# Credentials live apart from the Staff entity so no listing or export can ever carry them.
staff_credential = sa.Table(
    "staff_credential", metadata,
    sa.Column("staff_id", sa.String(36), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    # Synergist clients may log in with the SHA-512 (hex) of the password instead of the password:
    # that value is as good as the password, so it is kept the same way, as an Argon2 hash of it.
    sa.Column("sha512_verifier", sa.String(255), nullable=True),
    # None means every operation; otherwise a JSON list of allowed operation names.
    sa.Column("permissions", sa.JSON, nullable=True),
)

auth_session = sa.Table(
    "auth_session", metadata,
    # SHA-256 of the session id: a stolen database does not yield live sessions.
    sa.Column("session_hash", sa.String(64), primary_key=True),
    # Who logged in; what they may do is read afresh on every request, never kept here.
    sa.Column("staff_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    sa.Column("permanent", sa.Boolean, nullable=False, server_default=sa.false()),
)

api_key = sa.Table(
    "api_key", metadata,
    sa.Column("key_id", sa.String(36), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("key_prefix", sa.String(8), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # "staff", "debtor" or "soap"
    sa.Column("staff_id", sa.String(36), nullable=True),
    sa.Column("debtor_id", sa.String(36), nullable=True),
    sa.Column("description", sa.String(200), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=True),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    # A Symphony SOAP key's secret key, encrypted under the server's master key: an HMAC
    # signature can only be checked with the secret itself, so it cannot be kept as a hash.
    sa.Column("signing_secret", sa.String(300), nullable=True),
)

# Signatures of Symphony SOAP requests already accepted, kept while they could still pass the
# freshness check, so that a replayed request is refused (on every server sharing the database).
soap_signature_seen = sa.Table(
    "soap_signature_seen", metadata,
    sa.Column("key_id", sa.String(36), primary_key=True),
    sa.Column("signature", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)

# A contact's password (Symphony's CheckLogOn), apart from the contact so no listing carries it;
# it goes with the contact.
contact_credential = sa.Table(
    "contact_credential", metadata,
    sa.Column("contact_name_id", sa.String(36),
              sa.ForeignKey("debtor_contact_name.contact_name_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
)

# Tokens mailed to contacts (Symphony's GenerateTokenForContact), stored as SHA-256.
contact_token = sa.Table(
    "contact_token", metadata,
    sa.Column("token_id", sa.String(36), primary_key=True),
    sa.Column("contact_name_id", sa.String(36),
              sa.ForeignKey("debtor_contact_name.contact_name_id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_type", sa.String(40), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("single_use", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime, nullable=True),
)

# An abstracts reviewer's password, apart from the AbstractsUser entity for the same reason.
abstracts_user_credential = sa.Table(
    "abstracts_user_credential", metadata,
    sa.Column("client_user_id", sa.Integer,
              sa.ForeignKey("abstracts_user.client_user_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
)

# Which organizations (Symphony tenants) a staff member may work in, and how.
org_user = sa.Table(
    "org_user", metadata,
    sa.Column("org_id", sa.Integer, sa.ForeignKey("organization.org_id"), primary_key=True),
    sa.Column("staff_id", sa.String(36), sa.ForeignKey("staff.staff_id"), primary_key=True, index=True),
    # A token is issued only together with a valid one-time code sent by mail.
    sa.Column("mfa_required", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("language_id", sa.Integer, nullable=False, server_default="1"),
)

# Tokens of the Symphony Import/Export API (the AuthenticationToken header), stored as SHA-256.
auth_token = sa.Table(
    "auth_token", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("staff_id", sa.String(36), nullable=False, index=True),
    sa.Column("org_id", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)

# One-time codes sent by mail (multi-factor logins), stored as SHA-256; each works once.
one_time_code = sa.Table(
    "one_time_code", metadata,
    sa.Column("code_id", sa.String(36), primary_key=True),
    sa.Column("staff_id", sa.String(36), nullable=False, index=True),
    sa.Column("org_id", sa.Integer, nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime, nullable=True),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
)

# --- drafts (stateful editing) ---------------------------------------------------------

draft = sa.Table(
    "draft", metadata,
    sa.Column("owner", sa.String(64), primary_key=True),  # whose draft: a session or key hash
    sa.Column("entity", sa.String(40), primary_key=True),
    sa.Column("record_key", sa.String(36), primary_key=True),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("base_revision", sa.Integer, nullable=True),  # None: a new record not yet saved
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

# --- numbering -------------------------------------------------------------------------

sequence = sa.Table(
    "sequence", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("next_value", sa.Integer, nullable=False),
)


# --- the messenger (chat between staff) ---------------------------------------------------

messenger_conversation = sa.Table(
    "messenger_conversation", metadata,
    sa.Column("conversation_id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(36), sa.ForeignKey("staff.staff_id"), nullable=False),
)

messenger_participant = sa.Table(
    "messenger_participant", metadata,
    sa.Column("conversation_id", sa.String(36), sa.ForeignKey("messenger_conversation.conversation_id"),
              primary_key=True),
    sa.Column("staff_id", sa.String(36), sa.ForeignKey("staff.staff_id"), primary_key=True, index=True),
)

messenger_message = sa.Table(
    "messenger_message", metadata,
    sa.Column("message_id", sa.String(36), primary_key=True),
    sa.Column("conversation_id", sa.String(36), sa.ForeignKey("messenger_conversation.conversation_id"),
              nullable=False, index=True),
    sa.Column("from_staff_id", sa.String(36), sa.ForeignKey("staff.staff_id"), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=False),
)

# One row per recipient: delivered when their client collected it, cleared when they cleared it.
messenger_delivery = sa.Table(
    "messenger_delivery", metadata,
    sa.Column("message_id", sa.String(36), sa.ForeignKey("messenger_message.message_id"), primary_key=True),
    sa.Column("to_staff_id", sa.String(36), sa.ForeignKey("staff.staff_id"), primary_key=True),
    sa.Column("delivered_at", sa.DateTime, nullable=True),
    sa.Column("cleared", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index(None, "to_staff_id", "delivered_at"),
)

# Where and when each user's messenger last checked in (their presence).
messenger_presence = sa.Table(
    "messenger_presence", metadata,
    sa.Column("staff_id", sa.String(36), sa.ForeignKey("staff.staff_id"), primary_key=True),
    sa.Column("computer_name", sa.String(100), nullable=True),
    sa.Column("last_update", sa.DateTime, nullable=False),
)

# --- saved listings (custom views) -------------------------------------------------------

# A user's own way of looking at a listing: chosen columns, preset filters and sort. No owner: public.
custom_view = sa.Table(
    "custom_view", metadata,
    sa.Column("custom_view_id", sa.String(36), primary_key=True),
    sa.Column("view", sa.String(60), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("name_folded", sa.String(100), nullable=False),
    sa.Column("owner_staff_id", sa.String(36), sa.ForeignKey("staff.staff_id"), nullable=True),
    sa.Column("created_by", sa.String(36), sa.ForeignKey("staff.staff_id"), nullable=False),
    sa.Column("fields", sa.JSON, nullable=True),
    sa.Column("filters", sa.JSON, nullable=False),
    sa.Column("sort", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index(None, "view", "name_folded"),
)

# --- dynamic details (detail tables added at run time) --------------------------------------

# Each definition's rows live in a table of their own, dyn_<name>, made when it is defined; those
# tables are not in this metadata (the schema check skips names starting dyn_).
dynamic_detail = sa.Table(
    "dynamic_detail", metadata,
    sa.Column("name", sa.String(60), primary_key=True),
    sa.Column("entity", sa.String(60), nullable=False, index=True),
    sa.Column("key_column", sa.String(60), nullable=False),
    sa.Column("parent_column", sa.String(60), nullable=False),
    sa.Column("columns", sa.JSON, nullable=False),  # [[name, type, length, required], ...]
    sa.Column("created_at", sa.DateTime, nullable=False),
)

from ..documents import tables as _documents_tables  # noqa: E402,F401  (the documents index and contents)
from ..reports import tables as _reports_tables  # noqa: E402,F401,I001  (job, report_run, report_page, report_view)
