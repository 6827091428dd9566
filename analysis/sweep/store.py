"""The durable results store of a sweep: one SQLite file, written as runs finish.

Why SQLite rather than a folder of Parquet parts: finished runs are committed in
small transactions (each run's row of summary metrics, plus its daily rows if
kept), atomic and durable the moment they commit; there is one writer (the
coordinating process), any number of readers meanwhile (WAL mode), no compaction
step, and "which runs are missing" is one query. Parquet files are what
``docsec export --parquet`` writes for analysis.

Finished runs are committed together: ``record`` keeps a run until its batch is
due, that is when the oldest run waiting has waited ``BATCH_SECONDS`` (0.2 s), or
``BATCH_RUNS`` runs or ``BATCH_DAILY_ROWS`` daily rows are waiting. The engines
commit a due batch while they wait for runs to finish, and ``end_session`` and
``close`` commit whatever is left, so an interrupted, aborted or completed session
leaves every run it recorded in the store. A crash or a kill of the coordinating
process (``kill -9``) loses the runs in flight and at most the runs finished in
the last ~0.2 s; they are still pending in the store, and a resumed sweep runs
them again. Committing one transaction per batch rather than per run makes
storing a run cost a few hundredths of a millisecond (``bench/bench_sweep_large.py``).

Tables (column names are the domain names used everywhere else):

- ``meta(key, value)``: the sweep's provenance and layout, values as JSON: the
  sweep file, its text and hash, the design hash, the base scenario and its
  hash, the base parameters, the parameter/metric/counter column lists, and the
  provenance of the code that created the store (docsec version, git revision,
  Mesa and Python versions).
- ``points(point_id, parameters, parameters_hash)``: each design point's
  parameter values (JSON ``{"group.name": value}``) and the hash of its full
  parameter set.
- ``runs(run_id, point_id, replicate, seed, status, error, traceback,
  duration_s, finished_at, session_id, <summary metrics>)``: every planned run;
  ``status`` is pending until the run finishes, then done or failed.
- ``daily(run_id, day, <daily counters>)``: one row per run and day, when kept.
- ``sessions``: each start or resume of the sweep with the code's provenance,
  its engine and how it ended.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from .design import RunSpec
from .worker import RunOutcome
from ...sim.errors import InputError

SCHEMA_VERSION = 1
STATUSES = ("pending", "done", "failed")


class StoreError(InputError):
    """A results store that cannot be used as asked (exists, belongs to another sweep, is not a store)."""


def quote(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


#: Seconds to wait for another process's lock on a store before giving up with a message.
BUSY_SECONDS = 30.0

#: A finished run is committed at most this many seconds after it was recorded (while the sweep runs):
#: the runs a kill of the coordinating process can lose.
BATCH_SECONDS = 0.2
#: A batch is committed at once when this many runs wait in it ...
BATCH_RUNS = 1000
#: ... or this many daily rows (the memory a batch holds stays small).
BATCH_DAILY_ROWS = 20_000

#: Tables every store holds.
TABLE_NAMES: tuple[str, ...] = ("meta", "points", "sessions", "runs", "daily")

_SQLITE_HEADER = b"SQLite format 3\x00"

#: Stores found intact by ``connect``, by (device, inode, size, mtime): each is checked once while it is unchanged.
_INTACT: set[tuple[int, int, int, int]] = set()


def _reason(err: BaseException) -> str:
    """An SQLite or OS error as a short phrase."""
    text = getattr(err, "strerror", None) or str(err) or type(err).__name__
    if "locked" in text or "busy" in text:
        return f"{text}: another process holds it locked"
    return text


def _fingerprint(p: Path) -> tuple[int, int, int, int]:
    st = p.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _check_intact(conn: sqlite3.Connection, p: Path) -> None:
    """SQLite's ``quick_check`` of the whole file (once per unchanged file); a damaged store raises."""
    key = _fingerprint(p)
    if key in _INTACT:
        return
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)").fetchall()]
    if problems != ["ok"]:
        first = " ".join(str(problems[0] if problems else "no answer").split())[:200]
        raise StoreError(f"{p}: is damaged (SQLite integrity check: {first}); it was left unchanged; "
                         "restore it from a copy or start a new store")
    _INTACT.add(key)


def _check_layout(conn: sqlite3.Connection, p: Path) -> None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        raise StoreError(f"{p}: not a docsec sweep store (no readable meta table)")
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = json.loads(row[0]) if row is not None else None
    except (sqlite3.DatabaseError, ValueError, TypeError):
        raise StoreError(f"{p}: not a docsec sweep store (no readable meta table)") from None
    if row is None or version != SCHEMA_VERSION:
        raise StoreError(f"{p}: not a docsec sweep store of schema version {SCHEMA_VERSION} (found {row})")
    missing = [t for t in TABLE_NAMES if t not in tables]
    if missing:
        raise StoreError(f"{p}: not a complete docsec sweep store (no {', '.join(missing)} table)")


def connect(path: str | Path, *, write: bool = False) -> sqlite3.Connection:
    """Open an existing store, read-only unless ``write``; refuse what is not an intact docsec sweep store.

    Nothing is ever written while checking: a read-only connection cannot change the file, and a
    write connection is opened only after the same checks passed on a read-only one. Every
    problem (not SQLite, damaged, foreign, locked for longer than ``BUSY_SECONDS``, unreadable)
    raises ``StoreError`` with a one-line message.
    """
    p = Path(path)
    if not p.exists():
        raise StoreError(f"{p}: no such results store")
    if not p.is_file():
        raise StoreError(f"{p}: is not a results store (not a regular file)")
    try:
        with open(p, "rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as err:
        raise StoreError(f"{p}: cannot be read ({_reason(err)})") from None
    if header != _SQLITE_HEADER:
        raise StoreError(f"{p}: not a docsec sweep store (not an SQLite database)")
    conn = None
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
        _check_intact(conn, p)
        _check_layout(conn, p)
        if write:
            conn.close()
            conn = sqlite3.connect(p, timeout=BUSY_SECONDS)
            _check_layout(conn, p)
    except StoreError:
        if conn is not None:
            conn.close()
        raise
    except sqlite3.DatabaseError as err:
        if conn is not None:
            conn.close()
        if "not a database" in str(err) or "malformed" in str(err):
            raise StoreError(f"{p}: is damaged or not a docsec sweep store ({_reason(err)}); "
                             "it was left unchanged") from None
        raise StoreError(f"{p}: cannot be read ({_reason(err)})") from None
    return conn


def read_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    """The store's meta table as a dict of decoded JSON values."""
    try:
        return {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")}
    except ValueError:
        raise StoreError("the store's meta table is not readable (a value is not JSON); "
                         "it is not a docsec sweep store") from None


def _lock_for_writing(path: Path):
    """Hold ``STORE.lock`` so that only one sweep process writes to a store at a time.

    The lock file is removed on close; a lock taken on a file already removed is retaken.
    """
    lock_path = path.with_name(path.name + ".lock")
    while True:
        try:
            lock = open(lock_path, "a+")
        except OSError as err:
            raise StoreError(f"{path}: cannot continue this store: its folder is not writable "
                             f"({_reason(err)}); it was left unchanged") from None
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            lock.close()
            raise StoreError(f"{path}: another sweep ({holder}) is writing to this store; "
                             "wait for it to end") from None
        try:
            same = os.stat(lock_path).st_ino == os.fstat(lock.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        lock.close()
    lock.seek(0)
    lock.truncate()
    lock.write(f"pid {os.getpid()}")
    lock.flush()
    return lock


def _release(lock) -> None:
    Path(lock.name).unlink(missing_ok=True)
    lock.close()


class SweepStore:
    """A store opened for writing by the process that coordinates a sweep."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock):
        self.path = path
        self.conn = conn
        self._lock = lock
        self.meta = read_meta(conn)
        self.summary_names: tuple[str, ...] = tuple(self.meta["summary_names"])
        self.daily_columns: tuple[str, ...] = ("day", *self.meta["counter_names"])
        self._metric_values = _getter(self.summary_names)
        self._batch = _Batch()
        self._closed = False
        #: Runs this store committed since it was opened, by status.
        self.stored = {"done": 0, "failed": 0}
        self._second = -1
        self._stamp = ""
        metrics = ", ".join(f"{quote(m)} = ?" for m in self.summary_names)
        self._update_done = (f"UPDATE runs SET status = 'done', error = NULL, traceback = NULL, duration_s = ?, "
                             f"finished_at = ?, session_id = ?, {metrics} WHERE run_id = ? AND status = 'pending'")
        self._update_failed = ("UPDATE runs SET status = 'failed', error = ?, traceback = ?, duration_s = ?, "
                               "finished_at = ?, session_id = ? WHERE run_id = ? AND status = 'pending'")
        self._insert_daily = (f"INSERT INTO daily ({', '.join(quote(c) for c in ('run_id', *self.daily_columns))}) "
                              f"VALUES ({', '.join('?' * (len(self.daily_columns) + 1))})")

    # -- creation and opening ---------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, meta: Mapping[str, Any], points: Sequence[tuple[int, Mapping[str, Any], str]],
               runs: Iterable[RunSpec], summary_names: Sequence[str], counter_names: Sequence[str]) -> SweepStore:
        """Make a new store holding every planned run as pending, atomically (a temporary file linked into place).

        ``points`` holds ``(point_id, parameters, parameters_hash)``.
        """
        path = Path(path)
        if path.exists():
            raise StoreError(f"{path}: already exists; add --resume to continue that sweep, or choose another --out")
        tmp = path.with_name(f"{path.name}.creating-{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.unlink(missing_ok=True)
            conn = sqlite3.connect(tmp)
            conn.execute("CREATE TABLE probe (x)")
            conn.execute("DROP TABLE probe")
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"{path}: cannot create the results store there "
                             f"({getattr(err, 'strerror', None) or err})") from None
        try:
            metric_cols = "".join(f", {quote(m)}" for m in summary_names)
            counter_cols = "".join(f", {quote(c)}" for c in counter_names)
            conn.executescript(f"""
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE points (point_id INTEGER PRIMARY KEY, parameters TEXT NOT NULL,
                                     parameters_hash TEXT NOT NULL);
                CREATE TABLE sessions (session_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,
                                       finished_at TEXT, engine TEXT NOT NULL, workers INTEGER,
                                       engine_details TEXT NOT NULL DEFAULT '{{}}',
                                       provenance TEXT NOT NULL, runs_done INTEGER NOT NULL DEFAULT 0,
                                       runs_failed INTEGER NOT NULL DEFAULT 0, outcome TEXT);
                CREATE TABLE runs (run_id TEXT PRIMARY KEY,
                                   point_id INTEGER NOT NULL REFERENCES points(point_id),
                                   replicate INTEGER NOT NULL, seed INTEGER NOT NULL,
                                   status TEXT NOT NULL DEFAULT 'pending'
                                       CHECK (status IN ('pending', 'done', 'failed')),
                                   error TEXT, traceback TEXT, duration_s REAL, finished_at TEXT,
                                   session_id INTEGER REFERENCES sessions(session_id){metric_cols});
                CREATE INDEX runs_by_status ON runs(status);
                CREATE TABLE daily (run_id TEXT NOT NULL REFERENCES runs(run_id), day INTEGER NOT NULL{counter_cols},
                                    PRIMARY KEY (run_id, day)) WITHOUT ROWID;
            """)
            full_meta = {**meta, "schema_version": SCHEMA_VERSION, "created_at": _now(),
                         "summary_names": list(summary_names), "counter_names": list(counter_names)}
            conn.executemany("INSERT INTO meta VALUES (?, ?)",
                             [(k, json.dumps(v, sort_keys=True)) for k, v in full_meta.items()])
            conn.executemany("INSERT INTO points VALUES (?, ?, ?)",
                             [(pid, json.dumps(dict(params)), h) for pid, params, h in points])
            conn.executemany("INSERT INTO runs (run_id, point_id, replicate, seed) VALUES (?, ?, ?, ?)",
                             [(r.run_id, r.point_id, r.replicate, r.seed) for r in runs])
            conn.commit()
        except BaseException:
            conn.close()
            tmp.unlink(missing_ok=True)
            raise
        conn.close()
        try:
            os.link(tmp, path)  # never replaces a store another process made meanwhile
        except FileExistsError:
            raise StoreError(f"{path}: already exists; add --resume to continue that sweep, "
                             "or choose another --out") from None
        except OSError:  # a file system without hard links
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return cls.open(path)

    @classmethod
    def open(cls, path: str | Path) -> SweepStore:
        """Open an existing store to add runs to it: checked read-only first, then locked, then opened to write.

        A store that is refused (damaged, foreign, read-only, locked by another sweep) is left
        byte for byte as it was, and no lock file is left behind.
        """
        path = Path(path)
        connect(path).close()  # every check, read-only
        if not os.access(path, os.W_OK):
            raise StoreError(f"{path}: cannot continue this store: the file is read-only; it was left unchanged")
        lock = _lock_for_writing(path)
        conn = None
        try:
            conn = connect(path, write=True)
            return cls(path, conn, lock)
        except BaseException:
            if conn is not None:
                conn.close()
            _release(lock)
            raise

    def close(self, commit: bool = True) -> None:
        """Commit the runs recorded and not yet committed, close and release the lock; the store is left as one
        self-contained file (WAL folded back in).

        With ``commit=False`` (after the store could not be written) they are dropped instead: they stay
        pending in the store, and a resumed sweep runs them again.
        """
        if self._closed:
            return
        self._closed = True
        if not commit:
            self._batch = _Batch()
        try:
            try:
                if commit:
                    self.commit()
            except BaseException:  # the runs not committed stay pending in the store
                self.conn.close()
                raise
            try:
                self.conn.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.Error:  # another reader holds it open: the WAL stays beside it
                pass
            self.conn.close()
        finally:
            _release(self._lock)

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- queries ------------------------------------------------------------------------
    def pending_run_ids(self) -> set[str]:
        """Runs not yet finished in the store (never started, in flight when a sweep was interrupted, or
        recorded here and not yet committed)."""
        return {r for (r,) in self.conn.execute("SELECT run_id FROM runs WHERE status = 'pending'")}

    def counts(self) -> dict[str, int]:
        """Number of runs by status in the store (runs recorded and not yet committed count as pending)."""
        out = dict.fromkeys(STATUSES, 0)
        out.update(self.conn.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
        return out

    # -- writing --------------------------------------------------------------------------
    def begin_session(self, engine: str, workers: int | None, provenance: Mapping[str, Any],
                      engine_details: Mapping[str, Any] | None = None) -> int:
        """Record the start (or resumption) of a sweep; return its session id.

        Earlier sessions that never recorded their end were killed (or crashed); they are marked so.
        From here on the store is in WAL mode (readers may read while runs are written) with
        ``synchronous=NORMAL``: a committed batch of runs survives a crash or kill of any process;
        a power cut may lose the batches committed since SQLite's last checkpoint, never the store's
        consistency. If the store cannot be written (another process holds its lock for longer than
        ``BUSY_SECONDS``, a read-only file system), ``StoreError`` is raised and the store is unchanged.
        """
        try:
            return self._begin_session(engine, workers, provenance, engine_details)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot write to the store ({_reason(err)}); "
                             "it was left unchanged") from None

    def _begin_session(self, engine, workers, provenance, engine_details) -> int:
        # Take the write lock first, in the store's own journal mode: if it cannot be had, nothing changed.
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.rollback()
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        with self.conn:
            self.conn.execute("UPDATE sessions SET outcome = 'killed: ended without recording its end', "
                              "runs_done = (SELECT COUNT(*) FROM runs r WHERE r.session_id = sessions.session_id "
                              "AND r.status = 'done'), "
                              "runs_failed = (SELECT COUNT(*) FROM runs r WHERE r.session_id = sessions.session_id "
                              "AND r.status = 'failed') WHERE finished_at IS NULL AND outcome IS NULL")
            cur = self.conn.execute(
                "INSERT INTO sessions (started_at, engine, workers, engine_details, provenance) VALUES (?, ?, ?, ?, ?)",
                (_now(), engine, workers, json.dumps(dict(engine_details or {}), sort_keys=True),
                 json.dumps(dict(provenance), sort_keys=True)))
        return int(cur.lastrowid)

    def end_session(self, session_id: int, outcome: str, engine_details: Mapping[str, Any] | None = None) -> None:
        """Commit every run recorded and not yet committed, and record how the session ended ("completed",
        "interrupted", "aborted: ...") and, if given, how the engine ran in the end (e.g. the workers that
        really ran the runs), in one transaction."""
        def session_end() -> None:
            self.conn.execute(
                "UPDATE sessions SET finished_at = ?, outcome = ?, "
                "runs_done = (SELECT COUNT(*) FROM runs WHERE session_id = ? AND status = 'done'), "
                "runs_failed = (SELECT COUNT(*) FROM runs WHERE session_id = ? AND status = 'failed') "
                "WHERE session_id = ?", (_now(), outcome, session_id, session_id, session_id))
            if engine_details is not None:
                self.conn.execute("UPDATE sessions SET engine_details = ? WHERE session_id = ?",
                                  (json.dumps(dict(engine_details), sort_keys=True, default=str), session_id))

        self._commit(session_end)

    def _problem(self, outcome: RunOutcome) -> str | None:
        """Why a 'done' outcome does not fit this store's layout, if it does not."""
        missing = [m for m in self.summary_names if m not in (outcome.summary or {})]
        if missing:
            return f"ValueError: the run's summary lacks metrics the store expects: {', '.join(missing)}"
        if outcome.daily_rows is not None and tuple(outcome.daily_columns or ()) != self.daily_columns:
            return (f"ValueError: the run's daily columns {list(outcome.daily_columns or ())} differ from the "
                    f"store's {list(self.daily_columns)}")
        return None

    def _finished_at(self) -> str:
        """The time now, to the second, as ``_now`` writes it (worked out once a second)."""
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._stamp = _dt.datetime.fromtimestamp(second, _dt.UTC).isoformat(timespec="seconds")
        return self._stamp

    @property
    def uncommitted(self) -> int:
        """Runs recorded and not yet committed."""
        return len(self._batch.run_ids)

    def uncommitted_run_ids(self) -> list[str]:
        """The runs recorded and not yet committed, in the order they were recorded."""
        return list(self._batch.run_ids)

    def commit_due_in(self) -> float | None:
        """Seconds until the runs waiting to be committed are due (0 when overdue); None when none wait."""
        since = self._batch.since
        return None if since is None else max(0.0, since + BATCH_SECONDS - time.monotonic())

    def record(self, outcome: RunOutcome, session_id: int) -> str:
        """Record one finished run; return the status it is stored with. Its batch is committed when due.

        The run is in the store once its batch commits: when the oldest run waiting has waited
        ``BATCH_SECONDS``, when ``BATCH_RUNS`` runs or ``BATCH_DAILY_ROWS`` daily rows wait, or at
        ``commit``, ``end_session`` or ``close``. A run already finished in the store, or recorded twice,
        is never written twice: ``RuntimeError`` (for one already in the store, when its batch commits,
        after the batch's other runs are stored).
        """
        run_id = outcome.run_id
        batch = self._batch
        if run_id in batch.run_ids:
            raise RuntimeError(f"run {run_id} was recorded twice in {self.path}; it was not stored twice")
        status, error, tb = outcome.status, outcome.error, outcome.traceback
        if status == "done":
            try:
                values = self._metric_values(outcome.summary)
            except (KeyError, TypeError):
                values = None
            if values is None or (outcome.daily_rows is not None
                                  and tuple(outcome.daily_columns or ()) != self.daily_columns):
                error = self._problem(outcome) or "ValueError: the run's summary cannot be stored"
                status = "failed"
        if status == "done":
            batch.done.append((outcome.duration_s, self._finished_at(), session_id, *values, run_id))
            if outcome.daily_rows is not None:
                batch.daily[run_id] = outcome.daily_rows
                batch.daily_rows += len(outcome.daily_rows)
        else:
            batch.failed.append((error, tb, outcome.duration_s, self._finished_at(), session_id, run_id))
        batch.run_ids[run_id] = None
        now = time.monotonic()
        if batch.since is None:
            batch.since = now
        if (now - batch.since >= BATCH_SECONDS or len(batch.run_ids) >= BATCH_RUNS
                or batch.daily_rows >= BATCH_DAILY_ROWS):
            self.commit()
        return status

    def commit(self) -> None:
        """Write every run recorded and not yet committed, in one transaction.

        If the store cannot be written (``sqlite3.Error``) or the commit is interrupted, nothing of the
        batch is half-written: either it committed, or the runs are kept for the next commit (or, where
        SQLite itself rolled back a failed commit, left pending in the store for a resumed sweep).
        """
        self._commit(None)

    def _commit(self, also: Callable[[], None] | None) -> None:
        batch = self._batch
        if not batch.run_ids and also is None:
            return
        committed = False
        try:
            self._batch = _Batch()
            refused, unstorable = self._write(batch)
            if also is not None:
                also()
            self.conn.commit()
            committed = True
        except BaseException:
            # Not committed (an error, an interrupt, or a commit SQLite rolled back itself): the runs are kept
            # for the next commit. Keeping them is always safe: a run is only ever written while pending.
            if not committed:
                if self.conn.in_transaction:
                    self.conn.rollback()
                if self._batch is not batch:
                    batch.extend(self._batch)
                    self._batch = batch
            raise
        refused_done = sum(params[-1] in refused for params in batch.done) if refused else 0
        self.stored["done"] += len(batch.done) - refused_done - len(unstorable)
        self.stored["failed"] += len(batch.failed) - (len(refused) - refused_done) + len(unstorable)
        if refused:
            raise RuntimeError(f"run {refused[0]} is not pending in {self.path}; it was not stored twice"
                               + (f" (nor {len(refused) - 1} other runs)" if len(refused) > 1 else ""))

    def _write(self, batch: _Batch) -> tuple[list[str], list[str]]:
        """The batch's rows, in the open transaction. Returns the runs refused because they are not pending,
        and the finished runs whose results SQLite cannot take (stored as failed, saying so)."""
        conn = self.conn
        try:
            written = 0
            if batch.done:
                written += conn.executemany(self._update_done, batch.done).rowcount
            if batch.failed:
                written += conn.executemany(self._update_failed, batch.failed).rowcount
            if written == len(batch.done) + len(batch.failed):
                if batch.daily:
                    conn.executemany(self._insert_daily,
                                     [(run_id, *row) for run_id, rows in batch.daily.items() for row in rows])
                return [], []
        except _UNSTORABLE:
            pass  # one run's results cannot be stored: the others still are, run by run
        conn.rollback()
        return self._write_one_by_one(batch)

    def _write_one_by_one(self, batch: _Batch) -> tuple[list[str], list[str]]:
        """The batch run by run: the runs already finished in the store are left out (and returned); a run
        whose results SQLite cannot take (a value it cannot hold, daily rows that repeat a day) is stored as
        failed with the reason (and returned)."""
        conn = self.conn
        refused, unstorable = [], []
        if not conn.in_transaction:
            conn.execute("BEGIN")  # one transaction for the batch: each run's savepoint is released inside it
        for params in batch.done:
            run_id = params[-1]
            conn.execute("SAVEPOINT run")
            try:
                if conn.execute(self._update_done, params).rowcount != 1:
                    refused.append(run_id)
                elif run_id in batch.daily:
                    conn.executemany(self._insert_daily, [(run_id, *row) for row in batch.daily[run_id]])
            except _UNSTORABLE as err:
                conn.execute("ROLLBACK TO run")
                error = f"ValueError: its results cannot be stored ({type(err).__name__}: {err})"
                conn.execute(self._update_failed, (error, None, params[0], params[1], params[2], run_id))
                unstorable.append(run_id)
            conn.execute("RELEASE run")
        for params in batch.failed:
            if conn.execute(self._update_failed, params).rowcount != 1:
                refused.append(params[-1])
        return refused, unstorable


#: Errors from values a run's results hold that SQLite cannot store (they would fail every retry), as
#: against a store that cannot be written now (locked, full, read-only: ``sqlite3.OperationalError``).
_UNSTORABLE = (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError, sqlite3.DataError,
               OverflowError, TypeError, ValueError)


def _getter(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple]:
    """A function giving the values of ``names`` in a mapping, as a tuple, in one call."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        only = names[0]
        return lambda mapping: (mapping[only],)
    return lambda mapping: ()


class _Batch:
    """Finished runs recorded and not yet committed: the parameters of their updates, in recorded order."""

    __slots__ = ("done", "failed", "daily", "daily_rows", "run_ids", "since")

    def __init__(self) -> None:
        self.done: list[tuple] = []              # (duration_s, finished_at, session_id, *metrics, run_id)
        self.failed: list[tuple] = []            # (error, traceback, duration_s, finished_at, session_id, run_id)
        self.daily: dict[str, list] = {}         # run_id -> its daily rows
        self.daily_rows = 0
        self.run_ids: dict[str, None] = {}       # every run in the batch, in recorded order
        self.since: float | None = None          # when the oldest run was recorded (time.monotonic)

    def extend(self, later: _Batch) -> None:
        """Add the runs of a later batch after this one's."""
        self.done += later.done
        self.failed += later.failed
        self.daily.update(later.daily)
        self.daily_rows += later.daily_rows
        self.run_ids.update(later.run_ids)
        if self.since is None:
            self.since = later.since
