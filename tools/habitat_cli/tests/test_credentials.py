"""The sign-in cache: owner-only file, round trip, delete."""

from __future__ import annotations

import stat

from habitat_cli.credentials import Credentials, CredentialStore, config_dir

CREDS = Credentials("https://habitat.example.coop", "access-1", "refresh-1")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_creates_an_owner_only_file_in_a_new_directory(tmp_path):
    store = CredentialStore(tmp_path / "habitat")
    store.save(CREDS)
    assert mode(store.path) == 0o600
    assert mode(store.directory) == 0o700
    assert store.load() == CREDS


def test_save_narrows_an_existing_world_readable_file(tmp_path):
    store = CredentialStore(tmp_path)
    store.path.write_text("{}")
    store.path.chmod(0o644)
    store.save(CREDS)
    assert mode(store.path) == 0o600
    assert store.load() == CREDS


def test_load_without_or_with_a_broken_file_is_none(tmp_path):
    store = CredentialStore(tmp_path)
    assert store.load() is None
    store.path.write_text("not json")
    assert store.load() is None


def test_delete_removes_the_file_once(tmp_path):
    store = CredentialStore(tmp_path)
    store.save(CREDS)
    assert store.delete() is True
    assert not store.path.exists()
    assert store.delete() is False


def test_config_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HABITAT_CONFIG_DIR", str(tmp_path / "x"))
    assert config_dir() == tmp_path / "x"
    monkeypatch.delenv("HABITAT_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_dir() == tmp_path / "habitat"
