"""Runs many ``ember`` commands as real child processes without paying Python's start-up each time.

Started once (``python forkserver.py``, single-threaded), it imports ember, then for each request
read from stdin (one JSON line: argv, cwd, stdout/stderr file paths, a fault to inject) forks a
child that behaves as ``python -m ember ARGV`` does: ``main(argv)`` with ``sys.exit``'s
semantics, an uncaught exception printed as a traceback with exit status 1. The parent waits
and answers with one JSON line ``{"status": N}``. Each command is a separate process with its
own exit status, stdout and stderr, as in a shell.

Faults (``inject``) make the child's system calls fail the way a full disk or a read-only folder
makes them fail, so those paths run as root and on any file system:

* ``"enospc"``: every ``fsync`` fails with ENOSPC (disk full at the moment data hits the disk);
* ``"eacces"``: creating files and folders fails with EACCES (a folder without write permission);
* ``"eacces_read"``: opening a ``.csv`` file fails with EACCES (a file without read permission);
* ``"sigint_in_save"``: Ctrl-C arrives at the start of the third ``ember.save`` (the checkpoint
  of epoch 2), before its bytes are written;
* ``"stdout_full"``: standard output is ``/dev/full`` (every write to it fails with ENOSPC);
* ``"fsize"``: the kernel's file-size limit (RLIMIT_FSIZE) is 4 KiB, so a longer write fails
  with EFBIG.
"""
import errno
import json
import os
import sys
import traceback

from ember.cli.main import main  # imported once, before any fork


def _inject(fault: str) -> None:
    import tempfile

    def fail(code, named=True):
        def raiser(*args, **kwargs):
            raise OSError(code, os.strerror(code), str(args[0]) if named and args else None)
        return raiser

    if fault == "enospc":
        os.fsync = fail(errno.ENOSPC, named=False)  # fsync(fd): the kernel names no file
    elif fault == "eacces":
        tempfile.mkstemp = fail(errno.EACCES, named=False)
        os.makedirs = fail(errno.EACCES)
        os.mkdir = fail(errno.EACCES)
        real_open = os.open

        def guarded_open(path, flags, *args, **kwargs):
            if flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)

        os.open = guarded_open
    elif fault == "eacces_read":
        real_open = os.open

        def unreadable(path, flags, *args, **kwargs):
            if str(path).endswith(".csv"):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)

        os.open = unreadable
    elif fault == "sigint_in_journal":  # Ctrl-C while Optuna writes the search's journal
        import signal
        from optuna.storages.journal import JournalFileBackend
        real_append, armed = JournalFileBackend.append_logs, []

        def interrupted(self, logs):
            for log in logs:  # op 6 with state 1: a trial COMPLETE; op 5: the next one's params
                if log.get("op_code") == 6 and log.get("state") == 1:
                    armed.append(True)
                elif log.get("op_code") == 5 and len(armed) == 1:
                    armed.append(True)
                    os.kill(os.getpid(), signal.SIGINT)  # between trials, in Optuna's code
            real_append(self, logs)

        JournalFileBackend.append_logs = interrupted
    elif fault == "sigint_in_save":
        import signal
        from ember.cli import train
        from ember.io import serialize
        train.CHECKPOINT_SECONDS = 0.0  # a checkpoint after every epoch: the third write is epoch 2's
        real_write, calls = serialize.atomic_write_bytes, []

        def interrupted(path, data):
            calls.append(path)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGINT)
            real_write(path, data)

        serialize.atomic_write_bytes = interrupted
    elif fault == "stdout_full":
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, 1)
        os.close(full)
    elif fault == "fsize":
        import resource
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    elif fault:
        raise ValueError(f"unknown fault {fault!r}")


def _child(request: dict) -> int:
    out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    os.chdir(request["cwd"])
    _inject(request.get("inject"))
    try:
        status = main(request["argv"])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # what the interpreter does with an uncaught exception
        traceback.print_exc()
        status = 1
    try:  # the interpreter's own last flush: a failure is reported and the status becomes 120
        sys.stdout.flush()
    except OSError as exc:
        print(f"Exception ignored on flushing sys.stdout: {exc!r}", file=sys.stderr)
        status = 120
    sys.stderr.flush()
    return status


def serve() -> None:
    import signal
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if our parent ignores it
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                status = _child(request)
            finally:
                os._exit(status if isinstance(status, int) else 1)
        _, code = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(code)
        sys.__stdout__.write(json.dumps({"status": status}) + "\n")
        sys.__stdout__.flush()


if __name__ == "__main__":
    serve()
