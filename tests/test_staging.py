"""A build killed outright leaves temporaries in the out folder; the next build removes
them, and never the temporaries of a build that is still running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bookmaker import make_book
from pressroom.staging import PLAIN_TEMP_AGE, building, locked, stage, sweep

ROOT = Path(__file__).resolve().parent.parent
SLUG = "a-test-book"
FINAL = sorted([f"{SLUG}-cover.pdf", f"{SLUG}-print.pdf", f"{SLUG}.epub", f"{SLUG}.pdf"])

#: A process that stages a file as a running build does, says so, and waits for a line on
#: stdin before it discards it and ends.
LIVE = """
import sys
from pathlib import Path
from pressroom.staging import building, discard, stage
out = Path(sys.argv[1])
with building(out):
    temps = stage(out, [("live.pdf", b"still being made")])
    print(temps[0][0].name, flush=True)
    sys.stdin.readline()
    discard([temps])
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _live(out: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", LIVE, str(out)], env=_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def _temps(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out) if n.endswith(".tmp"))


def _locks(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out) if n.endswith(".lock"))


def test_a_dead_builds_files_go_and_a_live_ones_stay(tmp_path):
    out = tmp_path / "out"
    live, live_temp = _live(out)
    try:
        dead, dead_temp = _live(out)
        dead.kill()  # SIGKILL: no clean-up runs
        dead.wait()
        assert dead_temp in _temps(out) and len(_locks(out)) == 2
        (out / "notes.txt").write_text("mine")
        (out / ".old.pdf.abcd_123.tmp").write_bytes(b"left by an older pressroom")
        old = time.time() - PLAIN_TEMP_AGE - 60
        os.utime(out / ".old.pdf.abcd_123.tmp", (old, old))
        (out / ".new.pdf.efgh_456.tmp").write_bytes(b"without a token, but recent")
        with building(out):  # sweeps on the way in
            ours = stage(out, [("ours.pdf", b"ours")])
            assert _temps(out) == sorted([live_temp, ours[0][0].name, ".new.pdf.efgh_456.tmp"])
            assert len(_locks(out)) == 2  # the live process's and ours
            with locked(out):
                assert sweep(out) == []  # nothing of a running build, ours included
        assert ours[0][0].name in _temps(out)  # staged, never committed: the next build's to remove
        assert len(_locks(out)) == 1 and (out / "notes.txt").read_text() == "mine"
    finally:
        live.communicate("\n", timeout=60)
    assert _temps(out) == sorted([ours[0][0].name, ".new.pdf.efgh_456.tmp"]) and _locks(out) == []
    with locked(out):
        assert sweep(out) == [ours[0][0].name]


def test_a_build_into_a_new_folder_that_writes_nothing_leaves_no_folder(tmp_path):
    out = tmp_path / "new" / "out"
    with pytest.raises(RuntimeError):
        with building(out):
            raise RuntimeError("a photo could not be read")
    assert not out.exists()
    with pytest.raises(RuntimeError):
        with building(out):
            stage(out, [("x.pdf", b"x")])
            raise RuntimeError("killed between staging and discarding")
    assert len(_temps(out)) == 1 and _locks(out) == []  # the next build's to remove
    with building(out):
        pass
    assert os.listdir(out) == []


def _group(pgid: int) -> list[int]:
    """The processes of a process group (Linux' /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, ValueError):
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if entry.isdigit() and int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize("when", ["while-its-workers-write", "while-it-waits-to-rename"])
def test_the_next_build_sweeps_what_a_killed_build_left(tmp_path, when):
    """A real build killed with SIGKILL (its own process, as the out-of-memory killer
    would) leaves temporaries: killed while its worker processes make editions (they
    finish theirs, orphaned), or once its four files are made and it waits for the
    folder's lock to rename them. A build running meanwhile keeps its own; the next real build removes the
    killed build's, and only them."""
    book = make_book(tmp_path / "book", photos=3, size=(900, 600))
    out = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "build.py"), "all", "--book", str(book), "--out", str(out), "-q"]
    killed = subprocess.Popen(cmd, env=_env(), start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120

    def wait(until, what):
        while not until():
            assert killed.poll() is None, f"the build ended before it was killed ({what})"
            assert time.monotonic() < deadline, f"timed out waiting: {what}"
            time.sleep(0.002)

    try:
        if when == "while-its-workers-write":
            wait(lambda: out.is_dir() and _temps(out) and len(_group(killed.pid)) > 1, "a temporary, with workers")
            os.kill(killed.pid, signal.SIGKILL)
            killed.wait()
            seen, still = _temps(out), time.monotonic()
            while time.monotonic() - still < 1.5:  # until the orphans have staged what they were making
                time.sleep(0.1)
                if _temps(out) != seen:
                    seen, still = _temps(out), time.monotonic()
        else:
            wait(lambda: out.is_dir() and _locks(out), "the build's lock")
            with locked(out):  # its files get made, but it cannot rename them while this is held
                wait(lambda: len(_temps(out)) == 4, "four temporaries")
                time.sleep(0.5)  # for it to reach the lock
                os.kill(killed.pid, signal.SIGKILL)
                killed.wait()
            assert len(_temps(out)) == 4
        assert _temps(out) and len(_locks(out)) == 1 and not set(os.listdir(out)) & set(FINAL)

        live, live_temp = _live(out)
        try:
            r = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, r.stderr
            assert _temps(out) == [live_temp] and len(_locks(out)) == 1  # the running process's
            assert sorted(n for n in os.listdir(out) if not n.startswith(".")) == FINAL
        finally:
            live.communicate("\n", timeout=60)
        assert sorted(os.listdir(out)) == FINAL
    finally:
        try:
            os.killpg(killed.pid, signal.SIGKILL)  # the killed build's orphaned workers
        except ProcessLookupError:
            pass
