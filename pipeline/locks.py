"""Advisory locks and ownership marks: a run touches only what is its own.

- `folder_lock`: an `fcntl.flock` on a lock file, held for a run's whole life and released by
  the kernel on any exit (a `kill -9` included), so a lock left by a killed run is simply taken
  over. A second run on the same work or output folder waits up to `wait` seconds, then
  refuses with one line naming the holder's pid.
- `owned_dir`: a temporary folder named `.paperclaims-<kind>-<run id>` with an owner file
  `.paperclaims-owner` that stays locked while its run lives. `remove_stale` deletes only
  folders with that name *and* that owner file *and* no live owner: nothing a user or another
  program made, and no folder a concurrent run is still writing.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import LockError

LOCK_FILE = ".paperclaims.lock"
OWNER_FILE = ".paperclaims-owner"
PREFIX = ".paperclaims-"
STALE_KINDS = ("tmp", "old")
"""Kinds of owned folders that `remove_stale` takes once their run is gone."""
OWNED_KINDS = (*STALE_KINDS, "latest")
"""Kinds of temporary entries a run creates next to a release (`PREFIX + kind + "-"`)."""

RUN_ID = f"{os.getpid()}-{secrets.token_hex(4)}"
"""This process's run id: in every temporary name it creates."""


def _holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or "pid" not in data:
        return "another paperclaims run"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(data.get("started", 0))))
    return f"paperclaims pid {data['pid']} on {data.get('host', '?')} (since {since})"


@contextmanager
def folder_lock(lock_path: Path, what: str, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created if missing) for the block.

    what: the folder it guards, for the message. wait: seconds to wait for a holder to finish.
    Raises `LockError` naming the holder when the lock is still held after `wait`.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"{what} is in use by {_holder(fd)}; wait for it to finish, or pass "
                        f"--wait-lock SECONDS (lock file {lock_path})"
                    ) from None
                time.sleep(0.1)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
              "run": RUN_ID}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (deleting it would race a waiter)


def output_lock_path(cfg: Config) -> Path | None:
    """The lock guarding the run's release destination (None when it publishes nothing)."""
    if cfg.processed_dir is not None:
        return cfg.processed_dir / LOCK_FILE
    if cfg.out_dir is not None:
        return cfg.out_dir.parent / f"{PREFIX}{cfg.out_dir.name}.lock"
    return None


@contextmanager
def run_locks(cfg: Config, wait: float = 0.0) -> Iterator[None]:
    """The work folder's lock, then the output's (always in this order: no deadlock)."""
    with folder_lock(cfg.work_dir / LOCK_FILE, f"work folder {cfg.work_dir}", wait):
        out = output_lock_path(cfg)
        if out is None:
            yield
            return
        target = cfg.processed_dir or cfg.out_dir
        with folder_lock(out, f"output folder {target}", wait):
            yield


def owned_name(kind: str) -> str:
    """`.paperclaims-<kind>-<run id>`: a name no user file is likely to have."""
    assert kind in OWNED_KINDS, kind
    return f"{PREFIX}{kind}-{RUN_ID}"


@contextmanager
def owned_dir(parent: Path, kind: str = "tmp") -> Iterator[Path]:
    """A fresh temporary folder under `parent` marked as this run's while the block runs.

    The owner file stays locked until the block ends, so `remove_stale` in a concurrent run
    leaves the folder alone. The folder itself is not removed here (it is usually renamed
    into place); whatever is left of it later is stale and `remove_stale` takes it.
    """
    folder = parent / owned_name(kind)
    folder.mkdir(parents=True)
    fd = os.open(folder / OWNER_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "run": RUN_ID}).encode(), 0)
        yield folder
    finally:
        os.close(fd)


def is_stale(entry: Path) -> bool:
    """`entry` is a temporary folder of ours whose run is gone."""
    name = entry.name
    if not any(name.startswith(f"{PREFIX}{k}-") for k in STALE_KINDS):
        return False
    if entry.is_symlink() or not entry.is_dir():
        return False
    owner = entry / OWNER_FILE
    try:
        fd = os.open(owner, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False  # no owner file: not provably ours
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a live run holds it
    finally:
        os.close(fd)
    return True


def remove_stale(parent: Path, links: bool = False) -> list[str]:
    """Delete the temporary folders of ours under `parent` that no live run owns (and with
    `links`, our half-swapped `latest` links: call it so only under the output lock); return
    their names. Everything else, whatever its name, is left alone."""
    removed: list[str] = []
    if not parent.is_dir():
        return removed
    for entry in sorted(parent.iterdir()):
        if is_stale(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
        elif links and entry.name.startswith(f"{PREFIX}latest-") and entry.is_symlink():
            entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed
