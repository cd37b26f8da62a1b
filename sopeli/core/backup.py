"""One archive holds everything needed to bring an installation back: the database, every stored file
and the public ledger's heads, so a restore can prove it brought back the same record.

    manage.py backup [--output DIR] [--keep N]      (the worker runs it nightly at 02:30 Tbilisi)
    manage.py restore ARCHIVE [--force]

An archive is a ``.tar.gz`` with ``manifest.json`` (format, time, engine, each LAG's ledger head, a
SHA-256 per file), ``database.sqlite3`` or ``database.pgdump`` (``pg_dump --format=custom``) and
``files/…`` (everything in the default storage, read through the storage API so an object store works
as well as a folder). Restoring checks every file's checksum and that each LAG's chain verifies with
the head the manifest recorded.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in one line."""


@dataclass
class RestoreReport:
    files: int = 0
    lags: dict[str, int] = field(default_factory=dict)  # slug -> head seq verified
    problems: list[str] = field(default_factory=list)


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _ledger_heads() -> dict[str, dict]:
    from sopeli.core.ledger import ledger_head
    from sopeli.core.models import Lag

    heads = {}
    for lag in Lag.objects.order_by("slug"):
        head = ledger_head(lag)
        heads[lag.slug] = {"seq": head.seq, "hash": head.hash} if head else {"seq": 0, "hash": ""}
    return heads


def _stored_files(folder: str = ""):
    """Every file in the default storage, walked with the storage API (any backend)."""
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in dirs:
        yield from _stored_files(f"{folder}/{sub}" if folder else sub)


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    args = ["-h", str(db.get("HOST") or "localhost"), "-p", str(db.get("PORT") or 5432), "-U", str(db.get("USER") or "postgres")]
    return env, args


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")


def _dump_database(target: Path) -> str:
    if _engine() == "sqlite":
        connection.ensure_connection()
        out = sqlite3.connect(target / "database.sqlite3")
        with out:
            connection.connection.backup(out)  # a consistent snapshot, WAL included
        out.close()
        return "database.sqlite3"
    env, args = _pg_env_and_args()
    dump = target / "database.pgdump"
    result = subprocess.run([_pg_tool("pg_dump"), *args, "--format=custom", "--no-owner", "-f", str(dump),
                             connection.settings_dict["NAME"]], env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    return "database.pgdump"


def backup_create(*, output_dir: str | os.PathLike | None = None, keep: int | None = None) -> Path:
    """Write one archive and return its path; keep the newest ``keep`` archives in that folder."""
    folder = Path(output_dir or settings.SOPELI_BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = folder / f"sopeli-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="sopeli-backup-") as scratch:
        scratch = Path(scratch)
        heads = _ledger_heads()  # before the dump: the dump holds at least this record
        database = _dump_database(scratch)
        files = {}
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(scratch / database, arcname=database)
            for name in _stored_files():
                with default_storage.open(name, "rb") as handle:
                    data = handle.read()
                files[name] = hashlib.sha256(data).hexdigest()
                info = tarfile.TarInfo(f"files/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            manifest = json.dumps({
                "format": FORMAT, "created_at": datetime.now(UTC).isoformat(), "engine": _engine(),
                "database": database, "ledger_heads": heads, "files": files,
            }, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            tar.addfile(info, io.BytesIO(manifest))
        partial.rename(archive)  # a half-written archive never looks like a backup
    _prune(folder, keep if keep is not None else settings.SOPELI_BACKUP_KEEP)
    return archive


def _prune(folder: Path, keep: int) -> None:
    archives = sorted(folder.glob("sopeli-backup-*.tar.gz"))
    for old in archives[:-keep] if keep > 0 else []:
        old.unlink()


def _database_has_data() -> bool:
    tables = connection.introspection.table_names()
    if "core_lag" not in tables:
        return False
    from sopeli.core.models import Lag

    return Lag.objects.exists()


def _restore_database(tar: tarfile.TarFile, manifest: dict, scratch: Path) -> None:
    name = manifest["database"]
    if manifest["engine"] != _engine():
        raise BackupError(f"this archive holds a {manifest['engine']} database; this installation uses {_engine()}")
    tar.extract(name, scratch, filter="data")
    connections.close_all()
    if _engine() == "sqlite":
        source = sqlite3.connect(scratch / name)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    env, args = _pg_env_and_args()
    result = subprocess.run([_pg_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                             "-d", connection.settings_dict["NAME"], str(scratch / name)],
                            env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")


def backup_restore(*, archive: str | os.PathLike, force: bool = False) -> RestoreReport:
    """Bring an archive back into the configured database and storage, then verify it."""
    from sopeli.core.ledger import verify_lag
    from sopeli.core.models import Lag

    path = Path(archive)
    if not path.is_file():
        raise BackupError(f"no such archive: {path}")
    try:
        tar = tarfile.open(path, "r:gz")
        manifest = json.load(tar.extractfile("manifest.json"))
    except (tarfile.TarError, KeyError, OSError, EOFError, json.JSONDecodeError, TypeError):
        raise BackupError(f"{path.name} is not a Sopeli backup archive (or it is damaged)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path.name} has archive format {manifest.get('format')!r}; this Sopeli reads format {FORMAT}")
    if _database_has_data() and not force:
        raise BackupError("the database already holds data; restore replaces it: add --force if that is what you want")
    report = RestoreReport()
    with tar, tempfile.TemporaryDirectory(prefix="sopeli-restore-") as scratch:
        try:
            _restore_database(tar, manifest, Path(scratch))
            for name, digest in manifest["files"].items():
                data = tar.extractfile(f"files/{name}").read()
                if hashlib.sha256(data).hexdigest() != digest:
                    report.problems.append(f"file {name}: checksum differs from the manifest")
                    continue
                if default_storage.exists(name):
                    default_storage.delete(name)
                default_storage.save(name, ContentFile(data))
                report.files += 1
        except (tarfile.TarError, KeyError, EOFError, OSError) as error:
            raise BackupError(f"{path.name} is damaged: {error}") from None
    for lag in Lag.objects.order_by("slug"):
        expected = manifest["ledger_heads"].get(lag.slug)
        if expected is None:
            continue
        problems = verify_lag(lag, head=expected["hash"] or None)
        if problems:
            report.problems += [f"{lag.slug}: {p}" for p in problems]
        else:
            report.lags[lag.slug] = expected["seq"]
    missing = set(manifest["ledger_heads"]) - set(report.lags) - {p.split(":")[0] for p in report.problems}
    report.problems += [f"{slug}: the LAG is missing after the restore" for slug in sorted(missing)]
    return report
