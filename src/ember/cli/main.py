"""The ``ember`` command: ``train``, ``tune``, ``evaluate``, ``predict``, ``export``, ``datasets``,
``info``, ``activations``.

Bad input prints one line (``ember: error: …``) on stderr and exits with status 2 (see
``ember.cli.errors`` for the one path every command's errors take); Ctrl-C exits with status 130.
A new command is a module with ``add_arguments(parser)`` and ``run(args)``, listed in
``COMMANDS``.

Example::

    $ ember train                      # digits, defaults, report in runs/<timestamp>-digits/
    $ ember train data.csv --target price --hidden 64,32 --epochs 50
    $ ember predict runs/… new.csv --out predictions.csv
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from . import activations, datasets, evaluate, export, info, predict, train, tune
from .errors import USER_ERRORS, CLIError, one_line, os_error_message
from .parallel import is_main_rank

COMMANDS = {
    "train": (train, "train a network on a CSV file or a bundled data set"),
    "tune": (tune, "search hyper-parameters with Optuna and retrain the best configuration"),
    "evaluate": (evaluate, "metrics of a trained run on DATA"),
    "predict": (predict, "predictions of a trained run for DATA, as CSV"),
    "export": (export, "write a trained run's network as an ONNX file"),
    "datasets": (datasets, "list the bundled data sets and generators"),
    "info": (info, "summary and metrics of a run"),
    "activations": (activations, "plot every activation and its derivative"),
}


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        raise CLIError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ember", description="Train, evaluate and use neural networks on tabular data.")
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"ember {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(func=module.run)
    return parser


def _fail(message: str, status: int = 2) -> int:
    if is_main_rank():  # under mpiexec every rank meets the same error: rank 0 prints it
        print(f"ember: error: {one_line(message)}", file=sys.stderr)
    return status


def _silence_stdout() -> None:
    """After a broken pipe or a failed write, point stdout at devnull so the interpreter's final
    flush of what is still buffered is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


class _OutputError(CLIError):
    """Standard output cannot be written (a full disk behind a redirection, /dev/full …)."""


class _GuardedStdout:
    """``sys.stdout`` during a command: a failed write or flush becomes one ``_OutputError``."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def _guard(self, method, *args):
        try:
            return method(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputError(os_error_message(exc, "cannot write the output (standard output)")) from None

    def write(self, text):
        return self._guard(self._stream.write, text)

    def flush(self):
        return self._guard(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def run_command(func, args) -> int:
    """Runs ``func(args)`` through the one error path of ``ember.cli.errors``: a user error
    prints one line and returns 2, Ctrl-C returns 130; a bug keeps its traceback. NumPy's
    floating-point warnings are off: the commands check for non-finite values where they
    matter (data, loss, predictions) and say so in one line."""
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout)
    try:
        with np.errstate(all="ignore"):
            status = int(func(args) or 0)
        sys.stdout.flush()  # a full disk behind stdout shows here, not at exit
        return status
    except _OutputError as exc:
        _silence_stdout()  # what could not be written is dropped, not retried at exit
        return _fail(str(exc))
    except USER_ERRORS as exc:
        return _fail(str(exc), getattr(exc, "status", 2))
    except KeyboardInterrupt:
        print("\nember: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `ember predict … | head`: stop quietly, as head asked
        _silence_stdout()
        return 0
    except OSError as exc:  # files on disk: permissions, disk full, read-only …
        return _fail(os_error_message(exc))
    except MemoryError:
        return _fail("ran out of memory; use a smaller network (--hidden), a smaller "
                     "--batch-size or less data")
    finally:
        sys.stdout = stdout


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except CLIError as exc:
        return _fail(str(exc), exc.status)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if hasattr(args, "argv"):  # a command that relaunches itself under mpiexec (train --nproc)
        args.argv = list(sys.argv[1:] if argv is None else argv)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
