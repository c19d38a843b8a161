"""Galaxy's document tree of a record (``/api/{domain}/documents/{EntityID}``), downloads and uploads."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ...core import documents, errors
from ...core.auth import require
from ..servicestack.host import Call


class Documents:
    """The handlers, holding the storage providers loaded from the configuration directory."""

    def __init__(self, providers: documents.Providers) -> None:
        self.providers = providers

    @staticmethod
    def node(domain: str, node: documents.DocumentNode, with_files: bool = True) -> dict[str, Any]:
        is_file = node.role is documents.NodeRole.FILE
        file_name = node.storage_path if is_file else ("" if node.role is documents.NodeRole.FOLDER else None)
        out: dict[str, Any] = {"Files": [Documents.node(domain, f, False) for f in node.files]} if with_files else {}
        out.update({
            "ID": node.id, "ParentID": node.parent_id, "RelativeID": node.entity_id, "Description": node.description,
            "Kind": int(node.kind), "Size": node.size, "Revision": node.revision, "RevisionID": None,
            "FileName": file_name, "LinkID": node.link_id, "OwnerID": node.owner_id, "Name": node.id,
            "Uri": f"/api/{domain}/documents/DownloadFile/{node.id}" if is_file else None,
        })
        return out

    def tree(self, call: Call) -> Any:
        params = {k.lower(): v for k, v in call.raw_query}
        # As Galaxy does: an unknown provider is ignored (the whole tree), and setup needs a provider.
        provider = documents.parse_provider(params.get("provider"))
        setup = params.get("setup") if provider is not None else None
        require(call.actor(), "Document.List")
        nodes = documents.tree(call.db, self.providers, call.path_params["entity"], actor=call.actor(),
                               provider=provider, setup=setup)
        return [self.node(call.path_params["domain"].lower(), n) for n in nodes]

    def download(self, call: Call) -> Any:
        require(call.actor(), "Document.Get")
        found = documents.download(call.db, self.providers, call.path_params["id"], actor=call.actor())
        content = found.read_all()
        disposition = f"attachment; filename*=UTF-8''{quote(found.name)}"
        return Response(content, media_type=found.content_type, headers={
            "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"})

    def upload(self, call: Call) -> Any:
        """The body is the file itself; ``provider``, ``setup``, ``folder``, ``fileName``, ``private`` and
        ``replace`` come in the query string."""
        require(call.actor(), "Document.Create")
        params = {k.lower(): v for k, v in call.raw_query}
        name = params.get("filename") or ""
        if not name:
            raise errors.Invalid.field("fileName", "fileName is required: the name to store the file under",
                                       "Required")
        flags = {}
        for flag in ("private", "replace"):
            text = params.get(flag, "false").lower()
            if text not in ("true", "false"):
                raise errors.Invalid.field(flag, f"{flag} must be true or false", "InvalidValue")
            flags[flag] = text == "true"
        node = documents.upload(
            call.db, self.providers, call.path_params["entity"], params.get("provider") or "db", params.get("setup"),
            params.get("folder"), name, call.body, actor=call.actor(), private=flags["private"],
            replace=flags["replace"], max_bytes=call.settings.max_body_bytes)
        return self.node(call.path_params["domain"].lower(), node)

    def delete(self, call: Call) -> Any:
        require(call.actor(), "Document.Delete")
        documents.delete(call.db, self.providers, call.path_params["id"], actor=call.actor())
        return Response(status_code=200)
