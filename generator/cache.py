"""The cache: what validate made of each article and claim (validate.Unit), kept between runs in the
content folder's work folder (pipeline.work_dir), in SQLite.

It is a layer over the validate stage, not a second copy of it: validate takes the previous units
and decides, from file digests and recorded reads, which to reuse. A missing, damaged or older cache
is only a cold run. The later stages keep their own records beside their outputs: render in the docs
folder's manifest, the engine and search in the site's (publish/).
"""
from __future__ import annotations

import gc
import pickle
import sqlite3
from pathlib import Path

from .validate import Unit

FORMAT = 2


class UnitStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._known: dict[str, Unit] = {}  # what the store holds: loaded, or saved by this process

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        db.execute("CREATE TABLE IF NOT EXISTS units (id TEXT PRIMARY KEY, format INTEGER, unit BLOB)")
        return db

    def load(self) -> dict[str, Unit]:
        try:
            with self._connect() as db:
                rows = db.execute("SELECT id, unit FROM units WHERE format = ?", (FORMAT,)).fetchall()
        except sqlite3.Error:
            self.path.unlink(missing_ok=True)  # damaged: ours, and only a cache
            return {}
        gc.disable()  # 250,000 new objects would trigger collections that scan them again and again (3×)
        try:
            for uid, blob in rows:
                try:
                    self._known[uid] = pickle.loads(blob)
                except Exception:  # noqa: BLE001 - a row from other code: checked again
                    continue
        finally:
            gc.enable()
        return dict(self._known)

    def save(self, units: dict[str, Unit]) -> None:
        """Write the units that changed, delete those of files that are gone."""
        changed = [(uid, FORMAT, pickle.dumps(unit, protocol=pickle.HIGHEST_PROTOCOL))
                   for uid, unit in units.items() if self._known.get(uid) is not unit]  # reused units are the same objects
        gone = [(uid,) for uid in self._known.keys() - units.keys()]
        if not changed and not gone:
            return
        try:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO units VALUES (?, ?, ?)", changed)
                db.executemany("DELETE FROM units WHERE id = ?", gone)
        except sqlite3.Error:
            self.path.unlink(missing_ok=True)
        self._known = dict(units)
