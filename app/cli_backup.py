"""`mediation-desk backup [--to DIR]` and `mediation-desk restore FILE`, thin over `app.services.backup`.

`backup` without `--to` makes an automatic-style backup in `<data dir>/backups/` (and keeps the newest
`backup_keep`); with `--to DIR` (a USB stick) it writes `mediation-desk-backup-<time>.mdbackup` there.
`restore` refuses a damaged, foreign or newer backup with exit code 4 and changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli_support import Output, actor_for
from app.i18n import _
from app.services import backup


def add_parsers(sub: Any) -> None:
    bp = sub.add_parser("backup", help=_("back up the desk (database and attachments) to a folder"))
    bp.add_argument("--to", metavar="DIR", default="",
                    help=_("the folder to write the backup to, e.g. a USB stick (default: the data directory's backups)"))
    bp.add_argument("--list", action="store_true", help=_("list the automatic backups instead"))
    rp = sub.add_parser("restore", help=_("replace the desk's data with a backup (the current database is kept aside)"))
    rp.add_argument("file", help=_("a .mdbackup file (or a .sqlite3 copy)"))


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def cmd_backup(args: argparse.Namespace, store: Any, out: Output) -> int:
    actor = actor_for(store, args.user)
    if args.list:
        assert store.data_dir is not None
        infos = backup.list_backups(store.data_dir)
        out.emit({"backups": infos}, lambda: [
            f"{i.created_at.astimezone():%Y-%m-%d %H:%M}  {_size(i.size):>10}  {i.path.name}" for i in infos]
            + [_("{n} automatic backups in {path}").format(n=len(infos), path=backup.backups_dir(store.data_dir))])
        return 0
    target = Path(args.to).expanduser() if args.to else backup.backups_dir(store.data_dir)
    info = backup.create_backup(store, target, actor=actor, kind="manual" if args.to else "auto")
    if not args.to:
        from app.services import settings

        with store.read() as session:
            backup.prune(store.data_dir, settings.get_int(session, "backup_keep"))
    out.say(_("Backed up the desk to {path} ({size}, {n} attachments).").format(
        path=info.path, size=_size(info.size), n=info.attachments))
    out.emit({"file": str(info.path), "size": info.size, "attachments": info.attachments,
              "created_at": info.created_at.isoformat()}, lambda: [])
    return 0


def cmd_restore(args: argparse.Namespace, store: Any, out: Output) -> int:
    actor = actor_for(store, args.user)
    result = backup.restore_backup(store, Path(args.file).expanduser(), actor)
    if result.kept_aside is not None:
        out.say(_("The database as it was is kept as {path}.").format(path=result.kept_aside))
    out.say(_("Restored {committee} from {path}; sync starts again in epoch {epoch}.").format(
        committee=result.committee, path=result.restored_from, epoch=result.sync_epoch))
    out.emit({"restored_from": str(result.restored_from),
              "kept_aside": str(result.kept_aside) if result.kept_aside else None,
              "sync_epoch": result.sync_epoch, "attachments_added": result.attachments_added}, lambda: [])
    return 0
