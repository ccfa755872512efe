"""srdi grant / srdi policy: help in Chinese and English; status lists runs; errors are Chinese + English."""

from __future__ import annotations

from typer.testing import CliRunner

from srdi.cli import app


def test_grant_commands_have_chinese_and_english_help():
    runner = CliRunner()
    for args, zh, en in (
        (["grant", "--help"], "免申即享", "Auto-grant"),
        (["grant", "run", "--help"], "数据比对", "resumable"),
        (["grant", "status", "--help"], "批次", "progress"),
        (["grant", "export", "--help"], "拨付", "finance"),
        (["policy", "push", "--help"], "精准推送", "push"),
    ):
        r = runner.invoke(app, args, terminal_width=200)
        assert r.exit_code == 0, r.output
        assert zh in r.output and en in r.output, args


def test_running_an_application_policy_is_refused_with_both_languages(tmp_path, monkeypatch):
    from srdi.config import get_settings
    from srdi.db.migrate import upgrade
    from srdi.db.session import get_engine, get_sessionmaker, make_engine

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    eng = make_engine(url)
    with eng.begin() as conn:
        upgrade(conn)
    eng.dispose()
    monkeypatch.setenv("SRDI_DATABASE_URL", url)
    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()
    try:
        r = CliRunner().invoke(app, ["grant", "run", "sz_maker_china_division_award", "--quiet"])
        assert r.exit_code == 1
        assert "不是可拨付资金的免申即享政策" in r.output and "not a monetary auto_grant policy" in r.output
        r = CliRunner().invoke(app, ["grant", "status"])
        assert r.exit_code == 0 and r.output == ""
    finally:
        for cached in (get_settings, get_engine, get_sessionmaker):
            cached.cache_clear()
