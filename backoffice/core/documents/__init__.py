"""Documents: folders and files attached to any record, kept by storage providers (Database,
Network share, FTP, SSH FTP). No HTTP here: dialects call these functions and shape the results."""

from .config import (
    FtpSetup,
    ProviderConfigError,
    ProviderKind,
    Providers,
    ShareSetup,
    SshFtpSetup,
    load_providers,
    parse_provider,
    parse_providers,
)
from .service import (
    DEFAULT_MAX_BYTES,
    DocumentNode,
    DownloadedFile,
    FileTooLarge,
    NodeKind,
    NodeRole,
    ProviderNotConfigured,
    content_type_for,
    create_folder,
    delete,
    download,
    tree,
    upload,
)
from .storage import ProviderUnavailable

__all__ = [
    "DEFAULT_MAX_BYTES", "DocumentNode", "DownloadedFile", "FileTooLarge", "FtpSetup", "NodeKind", "NodeRole",
    "ProviderConfigError", "ProviderKind", "ProviderNotConfigured", "ProviderUnavailable", "Providers",
    "ShareSetup", "SshFtpSetup", "content_type_for", "create_folder", "delete", "download", "load_providers",
    "parse_provider", "parse_providers", "tree", "upload",
]
