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
    web_dist_dir: Path = REPO_ROOT / "web" / "dist"
    session_ttl_minutes: int = 120
    # Absolute session lifetime, however active the session is.
    session_max_hours: int = 12
    # Login throttling: this many failures within the lock period lock the username (or the address) for it.
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 30
    login_lock_minutes: int = 15
    # Argon2id cost (RFC 9106 §4 second recommended option: t=3, m=64 MiB). Tests lower the memory only.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # The one password of every demo account (listed on the login page in demo mode only).
    demo_password: str = "Demo@2026"
    log_level: str = "INFO"
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
