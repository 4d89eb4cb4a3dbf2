"""Output folders written safely: complete or absent, replacing only what upgrade-sim wrote.

`atomic_folder(out)` yields a temporary sibling folder; when the block completes it takes
the place of `out`, else it is removed (on any exit: an error, Ctrl-C, SIGTERM once the CLI
turns it into an exception). Rules, each a refusal (InputError, exit 2) rather than a risk:

- `out` is replaced only when it is absent, an empty folder, or a folder holding the marker
  file `MARKER` that this module writes into every output folder;
- a symbolic link is never followed to delete: `out` itself must not be one;
- the working folder and its parents are never replaced;
- one writer per folder at a time: a lock file next to `out` (held with `flock`, removed at
  the end) makes a second concurrent writer stop at once with "busy".
"""
from __future__ import annotations

import errno
import fcntl
import os
import secrets
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputError
from sim.stopping import raise_if_stopped

__all__ = ["atomic_folder", "check_replaceable", "MARKER"]

#: The file that marks a folder as an upgrade-sim output (which a later run may replace).
MARKER = ".upgrade-sim-output"
_MARKER_TEXT = "This folder was written by upgrade-sim; a later run with the same --out replaces it whole.\n"
#: Errors of the machine rather than of the program: reported as one line, not as a crash.
_ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES, errno.EPERM}


@contextmanager
def atomic_folder(out: str | Path | None) -> Iterator[Path | None]:
    """Yield a temporary folder that replaces `out` only if the block completes (see the
    module docstring); `out` None yields None. Raises InputError for a refused `out`."""
    if out is None:
        yield None
        return
    target = Path(out)
    check_replaceable(target)
    parent = _make_parent(target)
    with _lock(parent, target):
        check_replaceable(target)  # again, now that no other upgrade-sim writes it
        mask = _block_signals()  # a signal now would leave a folder nobody knows to remove
        try:
            temporary = _make_temporary(parent, target)
        except BaseException:
            _restore_signals(mask)
            raise
        try:
            _restore_signals(mask)  # a pending signal is raised here, inside the cleanup's reach
            try:
                yield temporary
            except OSError as err:
                if err.errno in _ENVIRONMENT or _inside(err.filename, temporary):
                    raise InputError(f"{target}: cannot write the outputs ({_reason(err)})") from None
                raise
            mask = _block_signals()
            try:
                raise_if_stopped()  # a stop Python swallowed must not let the outputs land
                _swap(temporary, target)
            finally:
                _restore_signals(mask)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise


#: Signals that end a run (the CLI turns them into exceptions); held back while a temporary
#: folder or the lock file is created, so that no exit path can miss removing it.
_ENDING = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _block_signals() -> set[int]:
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING))


def _restore_signals(mask: set[int]) -> None:
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def check_replaceable(target: Path) -> None:
    """Refuse (InputError) an output folder that upgrade-sim must not replace."""
    if os.path.islink(target):
        raise InputError(f"{target}: is a symbolic link; upgrade-sim does not replace links (give the folder itself)")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise InputError(f"{target}: cannot create the output folder: a part of {target.parent} is a file") from None
    except OSError as err:
        raise InputError(f"{target}: cannot use this output folder ({_reason(err)})") from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{target}: exists and is not a folder; choose another --out")
    real, here = Path(os.path.realpath(target)), Path.cwd().resolve()
    if real == here or real in here.parents:
        raise InputError(f"{target}: is the working folder or contains it; choose another --out")
    try:
        empty = _is_empty(target)
    except OSError as err:
        raise InputError(f"{target}: cannot read this folder ({_reason(err)})") from None
    if not empty and not _is_marked(target):
        raise InputError(f"{target}: exists and is not an upgrade-sim output folder (no {MARKER} file in it); "
                         "choose another --out, or remove it yourself")


def _is_empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _is_marked(folder: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(folder / MARKER).st_mode)
    except OSError:
        return False


def _make_parent(target: Path) -> Path:
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"{target}: cannot create the output folder: a part of {parent} is a file") from None
    except OSError as err:
        raise InputError(f"{target}: cannot create the output folder ({_reason(err)})") from None
    return parent


@contextmanager
def _lock(parent: Path, target: Path) -> Iterator[None]:
    """Hold `parent/.NAME.lock` exclusively; InputError "busy" if another process holds it."""
    path = parent / f".{target.name}.lock"
    mask = _block_signals()
    try:
        handle = _acquire(path, target)
    except BaseException:
        _restore_signals(mask)
        raise
    try:
        _restore_signals(mask)
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(handle)


def _acquire(path: Path, target: Path) -> int:
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise InputError(f"{target}: cannot write next to the output folder ({_reason(err)})") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise InputError(f"{target}: busy: another upgrade-sim is writing this folder; "
                             "try again when it has finished") from None
        try:  # the previous holder may have removed the file between our open and our lock
            if os.stat(path).st_ino == os.fstat(handle).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(handle)
    return handle


def _make_temporary(parent: Path, target: Path) -> Path:
    try:
        temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as err:
        raise InputError(f"{target}: cannot create the output folder ({_reason(err)})") from None
    try:
        temporary.chmod(0o755)  # mkdtemp makes it private; an output folder is an ordinary folder
        (temporary / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return temporary


def _swap(temporary: Path, target: Path) -> None:
    """Put `temporary` in the place of `target` (absent, empty, or an earlier output)."""
    try:
        if not os.path.lexists(target) or _is_empty(target):
            os.rename(temporary, target)  # an empty folder is replaced atomically by rename(2)
            return
        old = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
        os.rename(target, old)
        try:
            os.rename(temporary, target)
        except BaseException:
            os.rename(old, target)
            raise
    except OSError as err:
        raise InputError(f"{target}: cannot put the outputs in place ({_reason(err)})") from None
    shutil.rmtree(old, ignore_errors=True)  # it held the marker, it is no link: ours to remove


def _inside(filename: object, folder: Path) -> bool:
    if not isinstance(filename, (str, os.PathLike)):
        return False
    return Path(os.path.abspath(filename)).is_relative_to(os.path.abspath(folder))


def _reason(err: OSError) -> str:
    return err.strerror or str(err)
