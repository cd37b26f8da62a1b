"""Backup and restore as an operator runs them: real commands in their own processes, a database with
public facts and stored files, restored into an empty database; the same ledger heads and checksums."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]

SEED = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from sopeli.core.audit import audit_record
from sopeli.core.ledger import ledger_head
from sopeli.testing.factories import LagFactory
lag = LagFactory(slug="kazbegi", name_ka="ყაზბეგი", name_en="Kazbegi")
for n in range(5):
    audit_record(actor=None, lag=lag, action="test.fact", summary=f"fact {n}", data={"n": n, "text": "სოფელი"}, public=True)
default_storage.save("applications/1/plan.pdf", ContentFile(b"%PDF-1.4 plan"))
default_storage.save("claims/7/scan.jpg", ContentFile(bytes(range(256)) * 40))
print(ledger_head(lag).hash)
"""

HEAD = "from sopeli.core.ledger import ledger_head; from sopeli.core.models import Lag; print(ledger_head(Lag.objects.get(slug='kazbegi')).hash)"


def _manage(env, *args, check=True):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def _env(tmp: Path, name: str, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"DATABASE_URL": database_url, "SOPELI_MEDIA_ROOT": str(tmp / name / "media"),
                "SOPELI_VAR_DIR": str(tmp / name), "SOPELI_BACKUP_DIR": str(tmp / "backups"),
                "DJANGO_SETTINGS_MODULE": "sopeli.settings"})
    return env


def _databases(tmp: Path):
    """Two databases of the engine under test: one filled, one empty."""
    if connection.vendor == "postgresql":
        import psycopg

        base = connection.settings_dict
        url = f"postgres://{base['USER']}:{base.get('PASSWORD') or ''}@{base['HOST']}:{base['PORT']}"
        names = ["sopeli_backup_src", "sopeli_backup_dst"]
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f"DROP DATABASE IF EXISTS {name}")
                admin.execute(f"CREATE DATABASE {name}")

        def drop():
            with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
                for name in names:
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        return f"{url}/{names[0]}", f"{url}/{names[1]}", drop
    return f"sqlite:///{tmp / 'src.sqlite3'}", f"sqlite:///{tmp / 'dst.sqlite3'}", lambda: None


@pytest.mark.django_db
def test_backup_then_restore_into_an_empty_database_brings_back_the_same_record(tmp_path):
    source_url, target_url, drop = _databases(tmp_path)
    try:
        source, target = _env(tmp_path, "source", source_url), _env(tmp_path, "target", target_url)
        _manage(source, "migrate", "-v", "0")
        head = _manage(source, "shell", "-c", SEED).stdout.strip().splitlines()[-1]
        out = _manage(source, "backup").stdout
        archive = Path(out.split("backup written: ")[1].strip())
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
        assert manifest["ledger_heads"]["kazbegi"] == {"seq": 5, "hash": head}
        assert set(manifest["files"]) >= {"applications/1/plan.pdf", "claims/7/scan.jpg"}

        if connection.vendor == "sqlite":
            _manage(target, "migrate", "-v", "0")  # an empty, migrated installation
        restored = _manage(target, "restore", str(archive))
        assert "kazbegi: public record verified up to entry 5" in restored.stdout and "restore verified" in restored.stdout
        assert _manage(target, "shell", "-c", HEAD).stdout.strip().splitlines()[-1] == head
        assert (tmp_path / "target" / "media" / "claims/7/scan.jpg").read_bytes() == bytes(range(256)) * 40
        assert _manage(target, "verify_ledger", "kazbegi").returncode == 0

        again = _manage(target, "restore", str(archive), check=False)
        assert again.returncode != 0 and "already holds data" in again.stderr
    finally:
        drop()


@pytest.mark.django_db
def test_a_damaged_or_foreign_archive_is_refused_with_one_clear_line(tmp_path):
    env = _env(tmp_path, "x", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    result = _manage(env, "restore", str(junk), check=False)
    assert result.returncode != 0 and "is not a Sopeli backup archive" in result.stderr and "Traceback" not in result.stderr
    missing = _manage(env, "restore", str(tmp_path / "nope.tar.gz"), check=False)
    assert "no such archive" in missing.stderr


def test_old_archives_beyond_keep_are_removed(tmp_path):
    from sopeli.core.backup import _prune

    names = [f"sopeli-backup-2026010{d}T000000Z.tar.gz" for d in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept")
    _prune(tmp_path, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", *names[-2:]]
