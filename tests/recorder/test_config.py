"""`recorder:` is checked like every top-level key: each mistake with its
file and line, in the admin's words; a good section comes out with its
defaults."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hub.core.hub import Hub
from hub.core.recorder.settings import RecorderSettings


def load(folder: Path, text: str) -> tuple[Hub, list[str]]:
    folder.mkdir(exist_ok=True)
    (folder / "configuration.yaml").write_text(textwrap.dedent(text))
    hub = Hub(folder, plugins=[], autoload=False)
    return hub, [error.render("en") for error in hub.load()]


def test_mistakes_in_the_recorder_section_name_file_and_line(tmp_path: Path):
    _, errors = load(
        tmp_path,
        """\
        hub: {name: Uji}
        recorder:
          db_url: mysql://sigap@db/sigap
          batch_sise: 10
          keep_days:
            events: -3
        """,
    )
    text = "\n".join(errors)
    assert (
        "configuration.yaml:3" in text and "mysql is not a database the recorder supports" in text
    )
    assert "configuration.yaml:4" in text and "batch_size" in text  # did you mean
    assert "configuration.yaml:6" in text


def test_an_in_memory_sqlite_is_refused(tmp_path: Path):
    _, errors = load(tmp_path, "recorder: {db_url: 'sqlite://'}\n")
    assert len(errors) == 1 and "needs a SQLite file" in errors[0], errors


def test_defaults_and_relative_sqlite_files(tmp_path: Path):
    hub, errors = load(tmp_path, "recorder: {db_url: 'sqlite:///data/uji.db'}\n")
    assert errors == []
    settings = RecorderSettings.from_config(hub.config["recorder"], tmp_path)
    assert settings.sqlite_file == tmp_path.resolve() / "data" / "uji.db"
    assert (settings.batch_size, settings.commit_interval, settings.max_queue) == (
        1000,
        1.0,
        100_000,
    )
    assert dict(settings.keep_days) == {"events": 30, "states": 30, "audit": 730, "alarms": 730}
    default = RecorderSettings.from_config(None, tmp_path)
    assert default.sqlite_file == tmp_path.resolve() / "sigap.db"
    secret = RecorderSettings.from_config(
        {"db_url": "postgresql://sigap:rahasia@db.local/sigap"}, tmp_path
    )
    assert secret.url.drivername == "postgresql+asyncpg"
    assert "rahasia" not in secret.shown_url


async def test_a_database_that_cannot_be_opened_stops_the_start_with_a_clear_message(
    tmp_path: Path,
):
    from hub.core.hub import StartupFailed

    hub = Hub(
        tmp_path,
        plugins=[],
        autoload=False,
        config={"recorder": {"db_url": "postgresql://sigap:rahasia@127.0.0.1:1/sigap"}},
    )
    try:
        await hub.start()
    except StartupFailed as failed:
        said = str(failed.args[0])
    else:
        await hub.stop()
        raise AssertionError("the hub started without its database")
    assert "cannot open the database postgresql+asyncpg://sigap:***@127.0.0.1:1/sigap" in said
    assert "rahasia" not in said
    assert hub.stage == "stopped"


async def test_the_default_database_is_a_private_sqlite_file_in_the_config_folder(
    hub_factory, tmp_path: Path
):
    hub = await hub_factory(config={})
    hub.bus.fire("door.forced", {"entity_id": "door.server"})
    await hub.recorder.flush()
    assert database_files(tmp_path) == {  # WAL
        "sigap.db": 0o600,
        "sigap.db-shm": 0o600,
        "sigap.db-wal": 0o600,
    }


def database_files(folder: Path) -> dict[str, int]:
    import stat

    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.glob("sigap.db*")}


async def test_a_sqlite_file_that_cannot_be_made_stops_the_start_too(tmp_path: Path):
    from hub.core.hub import StartupFailed

    hub = Hub(
        tmp_path,
        plugins=[],
        autoload=False,
        config={"recorder": {"db_url": "sqlite:////proc/sigap/sigap.db"}},
    )
    try:
        await hub.start()
    except StartupFailed as failed:
        said = str(failed.args[0])
    else:
        await hub.stop()
        raise AssertionError("the hub started without its database")
    assert "cannot open the database sqlite+aiosqlite:////proc/sigap/sigap.db" in said
