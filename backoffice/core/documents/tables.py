"""The documents index and the Database provider's file contents.

Every folder and file of every provider has a row in ``document_node``: its stable GUID (the id a
download asks for), where it is (provider, setup item, entity, path below the entity's directory),
and what the remote side cannot tell us (owner, revision, link). The Database provider keeps its
folders as rows here too and its file contents in ``document_content``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..store.tables import metadata

document_node = sa.Table(
    "document_node", metadata,
    sa.Column("node_id", sa.String(36), primary_key=True),
    sa.Column("provider", sa.String(16), nullable=False),
    sa.Column("setup", sa.String(100), nullable=False),  # '' for the Database provider
    sa.Column("entity_id", sa.String(64), nullable=False),
    # Below the entity's directory, '/'-separated: 'pcl/file.pdf', or '.private/<owner>/pcl/file.pdf'.
    sa.Column("path", sa.Text, nullable=False),
    # SHA-256 of provider, setup, entity and path: one row per place, and a short key for the
    # unique index (a path may be far longer than a PostgreSQL index entry allows).
    sa.Column("locator_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("is_folder", sa.Boolean, nullable=False),
    sa.Column("private", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("owner_id", sa.String(36), nullable=True),
    sa.Column("size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column("link_id", sa.String(36), nullable=True),
    sa.Column("content_type", sa.String(100), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index(None, "provider", "setup", "entity_id"),
)

document_content = sa.Table(
    "document_content", metadata,
    sa.Column("node_id", sa.String(36), sa.ForeignKey("document_node.node_id"), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
