"""One settings object, read from environment variables prefixed ``SRDI_`` (see ``.env.example``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-change-me"
REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SRDI_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default=f"sqlite:///{REPO_ROOT / 'var' / 'srdi.sqlite3'}")
    secret_key: str = DEFAULT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    demo_mode: bool = True
    rules_dir: Path = REPO_ROOT / "rules"
    # Open readings of the rules (rules/regimes.yaml `readings`): {reading id: option id}, e.g.
    # SRDI_RULE_READINGS='{"srdi_sme_re_review_2026": "standard_63"}'; unnamed readings take the file's default.
    rule_readings: dict[str, str] = Field(default_factory=dict)
    web_dist_dir: Path = REPO_ROOT / "web" / "dist"
    session_ttl_minutes: int = 120
    # Absolute session lifetime, however active the session is.
    session_max_hours: int = 12
    # Login throttling (srdi.auth.service): after login_max_failures failures of one username from one address,
    # that pair waits login_backoff_seconds, doubling with each further failure up to login_lock_minutes; an address
    # failing login_max_failures_per_ip times (any usernames) waits login_lock_minutes. No one can lock a user out
    # from another address.
    login_max_failures: int = 5
    login_backoff_seconds: int = 30
    login_max_failures_per_ip: int = 30
    login_lock_minutes: int = 15
    # Argon2id cost (RFC 9106 §4 second recommended option: t=3, m=64 MiB). Tests lower the memory only.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # The one password of every demo account (listed on the login page in demo mode only).
    demo_password: str = "Demo@2026"
    log_level: str = "INFO"
    # Interrupted grant runs and imports are looked for at start-up and then every this many seconds (0: only
    # at start-up). See srdi.recovery.
    recovery_interval_seconds: int = 60
    # Uploaded import files wait here until their job ends (then they are removed; orphans are swept). A directory
    # of this instance's own, so that a sweep never touches another instance's uploads.
    upload_dir: Path = REPO_ROOT / "var" / "uploads"
    # Request bodies (srdi.kit.limits): JSON and forms everywhere; uploads to /api/v1/imports (the file limit of
    # srdi.enterprise.importing.router, 100 MiB, plus 1 MiB for the multipart envelope).
    max_body_bytes: int = 1024 * 1024
    # Evidence files of applications (srdi.application): stored by content hash under this directory, at most
    # max_evidence_bytes each (PDF, PNG or JPEG, checked by content); the upload route admits that plus 1 MiB.
    evidence_dir: Path = REPO_ROOT / "var" / "evidence"
    max_evidence_bytes: int = 20 * 1024 * 1024
    max_upload_bytes: int = 101 * 1024 * 1024
    # Appeal attachments (srdi.appeal.attachment_service): PDF, PNG or JPEG by content, kept once per content under
    # this directory (srdi.kit.file_store); each file at most this size (the request may be 1 MiB larger).
    attachment_dir: Path = REPO_ROOT / "var" / "attachments"
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or networks, as uvicorn's
    # forwarded_allow_ips). None by default: the peer address is the client.
    trusted_proxies: str = ""
    # Connection pool: as many connections as the worker threads that can hold one (anyio's default limiter has
    # 40 tokens), a little overflow for background tasks, and a short wait that answers 503 instead of hanging.
    db_pool_size: int = 40
    db_max_overflow: int = 10
    db_pool_timeout_seconds: float = 5.0
    # PostgreSQL lock_timeout of every connection: a request waiting longer for a row lock answers 503.
    db_lock_timeout_seconds: float = 5.0
    # The appeals time-limit sweeper (srdi.appeal.tasks): embedded in `srdi serve` unless turned off (then run
    # `srdi worker`); how often it looks for due reminders and escalations.
    appeal_sweeper_embedded: bool = True
    appeal_sweep_interval_seconds: int = Field(default=60, ge=1, le=3600)
    # E-mail notifications (srdi.notification): off unless an SMTP host is set.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "noreply@srdi.local"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None

    def check_production_safety(self) -> None:
        """Refuse to run in production with development defaults (QUALITY S2)."""
        if self.env != "production":
            return
        problems = []
        if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
            problems.append("SRDI_SECRET_KEY must be set to a random value of at least 32 characters")
        if self.demo_mode:
            problems.append("SRDI_DEMO_MODE must be false in production")
        if self.argon2_memory_kib < 19456 or self.argon2_time_cost < 2:
            # OWASP's floor for Argon2id: m=19 MiB with t=2.
            problems.append(
                "SRDI_ARGON2_MEMORY_KIB/TIME_COST are below the Argon2id minimum (19456 KiB, t=2)"
            )
        if self.session_ttl_minutes > 24 * 60 or self.session_max_hours > 7 * 24:
            problems.append("session lifetimes must not exceed 24 h idle / 7 days absolute in production")
        if problems:
            raise RuntimeError("refusing to start in production mode: " + "; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    return Settings()
