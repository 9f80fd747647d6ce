"""Files in .storage are written whole or not at all, and only the hub reads them."""

import errno
import os
import stat

import pytest

from hub.core import storage


def test_a_write_replaces_the_file_whole(tmp_path):
    path = storage.storage_dir(tmp_path) / "state.json"
    storage.write_atomic(path, '{"a": 1}')
    storage.write_atomic(path, '{"a": 2}')
    assert path.read_text() == '{"a": 2}'
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temporary left


def test_a_full_disk_keeps_the_previous_version(tmp_path, monkeypatch):
    path = storage.storage_dir(tmp_path) / "mqtt_subscriptions.json"
    storage.write_atomic(path, "old content")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError) as failure:
        storage.write_atomic(path, "new content")
    assert failure.value.errno == errno.ENOSPC
    assert path.read_text() == "old content"
    assert [p.name for p in path.parent.iterdir()] == ["mqtt_subscriptions.json"]


def test_storage_is_private_to_the_hub(tmp_path):
    old_umask = os.umask(0o022)
    try:
        folder = storage.storage_dir(tmp_path, "traces")
    finally:
        os.umask(old_umask)
    path = folder / "x.json"
    storage.write_atomic(path, b"secret-ish", durable=False)
    assert stat.S_IMODE(os.stat(tmp_path / ".storage").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_an_existing_open_folder_is_closed_to_others(tmp_path):
    (tmp_path / ".storage").mkdir(mode=0o755)
    os.chmod(tmp_path / ".storage", 0o755)
    storage.storage_dir(tmp_path)
    assert stat.S_IMODE(os.stat(tmp_path / ".storage").st_mode) == 0o700
