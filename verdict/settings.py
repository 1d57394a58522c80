"""The one settings object, read from the environment (``VERDICT_*``)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from verdict.judge.sandbox import MiB, SandboxConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VERDICT_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Where the SQLite file, blobs and caches live.")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    broker_url: str = Field(default="", description="amqp://... or redis://...; empty means in-process.")
    sandbox_slots: int = Field(default=2, ge=1, le=64, description="Concurrent sandboxes per machine.")
    sandbox_first_uid: int = Field(default=61000, description="Slot N runs as uid first_uid + N.")
    queue_name: str = Field(default="verdict-grading", description="Broker queue the graders consume.")
    graders: int = Field(default=2, ge=0, description="Grading threads started by `verdict serve`.")
    lease_seconds: int = Field(
        default=120, description="A worker's claim on a submission expires after this."
    )
    grading_margin_seconds: int = Field(
        default=60,
        ge=1,
        description="Slack added to a grading's deadline (its compile and test limits summed); "
        "past the deadline the grading is abandoned and the submission put back.",
    )
    compile_cache_mb: int = Field(
        default=2048, ge=1, description="Bound of the compile cache; least recently used entries go first."
    )
    max_upload_bytes: int = Field(default=8 * 1024 * 1024)
    # Request bodies (verdict.web.body_limits): counted as they arrive, 413 past the cap.
    max_request_bytes: int = Field(
        default=260 * 1024 * 1024,
        description="No request body is larger, whatever its endpoint allows (keep above max_package_bytes).",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, description="Body cap of an endpoint that declares none of its own."
    )
    max_login_bytes: int = Field(default=4 * 1024, description="Body cap of POST /api/v0/authentication.")
    max_document_bytes: int = Field(
        default=1024 * 1024, description="Body cap of a Jutge document (also at most max_upload_bytes)."
    )
    max_package_bytes: int = Field(default=256 * 1024 * 1024)
    max_package_files: int = Field(default=20000)
    import_root: Path = Field(
        default=Path("var/imports"), description="Root of PUT /services/problems paths."
    )
    url_import_hosts: list[str] = Field(default_factory=list, description="Hosts allowed for add-url.")
    url_import_ports: list[int] = Field(
        default_factory=lambda: [80, 443], description="Ports allowed for add-url (on the allowed hosts)."
    )
    url_import_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Wall-clock limit of a whole URL fetch, headers and redirects included.",
    )
    secret_key: str = Field(
        default="",
        description="Signs session cookies. Empty: generated once and kept in data_dir/secret_key (0600). "
        "An explicit key must be random and at least 32 characters, or the server refuses to start.",
    )
    timezone: str = Field(
        default="UTC",
        description="IANA time zone (Europe/Madrid) in which people write and read times, such as an "
        "exam's start (YYYY-MM-DD HH:MM); times are stored in UTC.",
    )
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Madrid)"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of :attr:`timezone`."""
        return ZoneInfo(self.timezone)

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'verdict.sqlite3').resolve()}"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


def sandbox_config(settings: Settings) -> SandboxConfig:
    """The judge's sandbox as these settings configure it (workers, imports and the CLI alike)."""
    return SandboxConfig(
        cache_dir=(settings.data_dir / "cache").resolve(),
        first_uid=settings.sandbox_first_uid,
        slots=settings.sandbox_slots,
        compile_cache_bytes=settings.compile_cache_mb * MiB,
    )
