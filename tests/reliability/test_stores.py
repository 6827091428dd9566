"""Damaged, foreign, locked and read-only stores, and unwritable destinations: one line, no traceback,
the store byte for byte unchanged, no lock left behind."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest



def damaged_copy(store: Path, tmp_path: Path) -> Path:
    """The store with its runs table's root page overwritten with noise."""
    bad = tmp_path / "damaged.sqlite"
    bad.write_bytes(store.read_bytes())
    conn = sqlite3.connect(bad)
    root, page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").fetchone()[0], \
        conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(bad, "r+b") as fh:
        fh.seek((root - 1) * page)
        fh.write(bytes(random.Random(1).randrange(256) for _ in range(page)))
    return bad


def foreign_stores(tmp_path: Path) -> dict[str, Path]:
    out = {}
    out["not sqlite"] = tmp_path / "text.sqlite"
    out["not sqlite"].write_text("a note, not a database\n")
    out["another app"] = tmp_path / "app.sqlite"
    conn = sqlite3.connect(out["another app"])
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '{not json')")
    conn.commit()
    conn.close()
    return out


def test_a_damaged_store_is_refused_by_export_report_and_resume_and_left_unchanged(rel, docsec, store, sweep_file,
                                                                                   tmp_path):
    bad = damaged_copy(store, tmp_path)
    before = rel.digest(bad)
    procs = [rel.cli("export", str(bad), "--csv", "-o", str(tmp_path / "x"), cwd=tmp_path),  # a real subprocess
             docsec("report", str(bad), "-o", str(tmp_path / "x.html")),
             docsec("sweep", str(sweep_file), "--out", str(bad), "--resume", "--no-progress")]
    for proc in procs:
        line = rel.one_line(proc)
        assert "is damaged" in line and "left unchanged" in line
        assert rel.digest(bad) == before
    assert sorted(p.name for p in tmp_path.glob("damaged*")) == ["damaged.sqlite"]  # no lock, WAL or journal
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.html").exists()


def test_a_foreign_file_is_refused_and_left_unchanged(rel, docsec, sweep_file, tmp_path):
    for kind, path in foreign_stores(tmp_path).items():
        before = rel.digest(path)
        for args in (["export", str(path), "--parquet"], ["report", str(path)],
                     ["sweep", str(sweep_file), "--out", str(path), "--resume", "--no-progress"]):
            line = rel.one_line(docsec(*args))
            assert "not a docsec sweep store" in line, kind
            assert rel.digest(path) == before
        assert not path.with_name(path.name + ".lock").exists()


def test_report_onto_a_directory_under_a_file_or_into_a_read_only_folder_is_one_line(rel, docsec, store, tmp_path, read_only):
    before = rel.digest(store)
    (tmp_path / "folder.html").mkdir()
    (tmp_path / "plain").write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    cases = [(tmp_path / "folder.html", "is a directory"), (tmp_path / "plain" / "r.html", "is a file, not a folder")]
    for out, words in cases:
        line = rel.one_line(docsec("report", str(store), "-o", str(out)))
        assert line.startswith(f"docsec report: error: -o {out}: ") and words in line
    out = locked / "r.html"
    line = rel.one_line(rel.cli("report", str(store), "-o", str(out), cwd=tmp_path, prefix=read_only(locked)))
    assert line.startswith(f"docsec report: error: -o {out}: ") and "cannot write" in line
    assert rel.digest(store) == before and list(locked.iterdir()) == []


def test_export_into_a_read_only_folder_is_one_line(rel, store, tmp_path, read_only):
    locked = tmp_path / "locked"
    locked.mkdir()
    proc = rel.cli("export", str(store), "--csv", "-o", str(locked), cwd=tmp_path, prefix=read_only(locked))
    assert "cannot write" in rel.one_line(proc)
    assert list(locked.iterdir()) == []


def test_resume_in_a_read_only_folder_is_one_line_and_changes_nothing(rel, store, sweep_file, tmp_path, read_only):
    folder = tmp_path / "kept"
    folder.mkdir()
    kept = folder / "tiny.sqlite"
    kept.write_bytes(store.read_bytes())
    before = rel.digest(kept)
    proc = rel.cli("sweep", str(sweep_file), "--out", str(kept), "--resume", "--no-progress", cwd=tmp_path,
                      prefix=read_only(folder))
    assert "left unchanged" in rel.one_line(proc)
    assert rel.digest(kept) == before and [p.name for p in folder.iterdir()] == ["tiny.sqlite"]


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def lock_holder():
    """Start a real process that holds SQLite's write lock on a store (until the test ends)."""
    procs = []

    def hold(path: Path) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "locked"
        procs.append(proc)
        return proc

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


def test_a_store_locked_by_another_process_is_refused_in_one_line_and_unchanged(rel, store, sweep_file, tmp_path,
                                                                              lock_holder, monkeypatch, capsys):
    from docsec.analysis.cli import main
    from docsec.analysis.sweep import store as store_module

    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.3)
    store_module._INTACT.clear()
    before = rel.digest(store)
    lock_holder(store)
    for args in (["sweep", str(sweep_file), "--out", str(store), "--resume", "--no-progress"],
                 ["export", str(store), "--csv", "-o", str(tmp_path / "x")]):
        capsys.readouterr()
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "another process holds it locked" in err[0], err
    assert rel.digest(store) == before
    assert not store.with_name(store.name + ".lock").exists()


def test_a_lock_taken_during_a_sweep_stops_it_with_the_resume_hint(rel, sweep_file, tmp_path, lock_holder, monkeypatch,
                                                                   capsys):
    from functools import partial

    from docsec.analysis.cli import main, sweep_cmd
    from docsec.analysis.sweep import store as store_module
    from docsec.analysis.sweep.execute import run_sweep
    from docsec.sim.run import run_simulation

    out = tmp_path / "busy.sqlite"
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.3)

    def lock_on_third_run(params, seed, **kw):
        lock_on_third_run.calls += 1
        if lock_on_third_run.calls == 3:
            lock_holder(out)
        return run_simulation(params, seed, **kw)

    lock_on_third_run.calls = 0
    monkeypatch.setattr(sweep_cmd, "run_sweep", partial(run_sweep, runner=lock_on_third_run))
    code = main(["sweep", str(sweep_file), "--out", str(out), "--serial", "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert "stopped: cannot store run" in err[0] and err[0].endswith("--resume")
    assert "another process holds the store locked" in err[0]
