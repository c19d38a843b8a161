"""The one settings object. Nothing else in backoffice reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .core.auth.signing import MasterKey
from .core.mail import SECURITY, MailSettings


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'backoffice.db'}"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration.

    Every value may come from an environment variable named ``BACKOFFICE_<NAME>``;
    command-line options override the environment.
    """

    var_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    load_demo: bool = True
    run_worker: bool = True
    # Sessions slide: each authenticated request pushes expiry out by this much.
    session_ttl_seconds: int = 60 * 60 * 24
    # Stateful (held) business objects are dropped when idle this long.
    draft_ttl_seconds: int = 60 * 60 * 8
    max_body_bytes: int = 10 * 1024 * 1024
    # Symphony import requests carry whole files (as JSON byte arrays, ~3.6 bytes per file byte).
    import_max_bytes: int = 512 * 1024 * 1024
    # Lifetime of a Symphony Import/Export token (from its issue; the document says "short-lived").
    token_ttl_seconds: int = 30 * 60
    # The Symphony SOAP API: how far a signed request's Timestamp may be from the server's clock.
    soap_skew_seconds: int = 5 * 60
    # The key that encrypts secrets the server must read back (SOAP secret keys). Empty:
    # <var_dir>/master.key, made on first use. Servers sharing a database share this file.
    master_key_file: Path = Path("")
    # Largest page an AutoQuery answers when the caller asks for more (ServiceStack MaxLimit).
    max_page_size: int = 1000
    secure_cookies: bool = False
    # Where the vendor configuration files live (Galaxy's WebService.config and AliasMap.xml, ...).
    # Empty: <var_dir>/config.
    config_dir: Path = Path("")
    # The client software the Symphony Download Service hands out (core/downloads.py describes the
    # layout). Empty: <var_dir>/downloads.
    downloads_dir: Path = Path("")
    # The language metadata and enum display values are given in when the client does not ask
    # (Accept-Language). Galaxy is a Greek system and its document shows Greek labels.
    language: str = "el"
    # Mail: through this SMTP server when a host is set, otherwise into <var_dir>/outbox.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"  # none | starttls | tls
    mail_from: str = "backoffice@localhost"
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", _default_database_url(self.var_dir))
        if self.config_dir == Path(""):
            object.__setattr__(self, "config_dir", self.var_dir / "config")
        if self.master_key_file == Path(""):
            object.__setattr__(self, "master_key_file", self.var_dir / "master.key")
        if self.downloads_dir == Path(""):
            object.__setattr__(self, "downloads_dir", self.var_dir / "downloads")
        if self.smtp_security not in SECURITY:
            raise ValueError(f"BACKOFFICE_SMTP_SECURITY must be one of {', '.join(SECURITY)}")

    def master_key(self) -> MasterKey:
        """The key sealing secrets the server reads back (see core/auth/signing.py)."""
        return MasterKey(self.master_key_file)

    def mail(self) -> MailSettings:
        """Where backoffice's mail goes (see core/mail.py)."""
        return MailSettings(outbox=self.var_dir / "outbox", sender=self.mail_from, smtp_host=self.smtp_host,
                            smtp_port=self.smtp_port, smtp_user=self.smtp_user, smtp_password=self.smtp_password,
                            security=self.smtp_security)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        if "BACKOFFICE_VAR_DIR" in env:
            values["var_dir"] = Path(env["BACKOFFICE_VAR_DIR"])
        if "BACKOFFICE_CONFIG_DIR" in env:
            values["config_dir"] = Path(env["BACKOFFICE_CONFIG_DIR"])
        if "BACKOFFICE_DOWNLOADS_DIR" in env:
            values["downloads_dir"] = Path(env["BACKOFFICE_DOWNLOADS_DIR"])
        if "BACKOFFICE_MASTER_KEY_FILE" in env:
            values["master_key_file"] = Path(env["BACKOFFICE_MASTER_KEY_FILE"])
        if "BACKOFFICE_LANGUAGE" in env:
            values["language"] = env["BACKOFFICE_LANGUAGE"]
        if "BACKOFFICE_DATABASE_URL" in env:
            values["database_url"] = env["BACKOFFICE_DATABASE_URL"]
        for name in ("port", "workers", "session_ttl_seconds", "draft_ttl_seconds", "max_body_bytes",
                     "max_page_size", "smtp_port", "import_max_bytes", "token_ttl_seconds",
                     "soap_skew_seconds"):
            key = f"BACKOFFICE_{name.upper()}"
            if key in env:
                values[name] = int(env[key])
        for name in ("smtp_host", "smtp_user", "smtp_password", "smtp_security", "mail_from"):
            if f"BACKOFFICE_{name.upper()}" in env:
                values[name] = env[f"BACKOFFICE_{name.upper()}"]
        if "BACKOFFICE_HOST" in env:
            values["host"] = env["BACKOFFICE_HOST"]
        if "BACKOFFICE_RUN_WORKER" in env:
            values["run_worker"] = env["BACKOFFICE_RUN_WORKER"].lower() in ("1", "true", "yes")
        if "BACKOFFICE_SECURE_COOKIES" in env:
            values["secure_cookies"] = env["BACKOFFICE_SECURE_COOKIES"].lower() in ("1", "true", "yes")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
