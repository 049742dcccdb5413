"""The ``ember`` command: ``train``, ``evaluate``, ``predict``, ``datasets``, ``info``, ``activations``.

Bad input prints one line (``ember: error: …``) on stderr and exits with status 2; Ctrl-C exits
with status 130.

Example::

    $ ember train                      # digits, defaults, report in runs/<timestamp>-digits/
    $ ember train data.csv --target price --hidden 64,32 --epochs 50
    $ ember predict runs/… new.csv --out predictions.csv
"""
from __future__ import annotations

import argparse
import sys

from . import activations, datasets, evaluate, info, predict, train
from ..datasets import DataError
from .errors import CLIError

COMMANDS = {
    "train": (train, "train a network on a CSV file or a bundled data set"),
    "evaluate": (evaluate, "metrics of a trained run on DATA"),
    "predict": (predict, "predictions of a trained run for DATA, as CSV"),
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


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args) or 0)
    except CLIError as exc:
        print(f"ember: error: {exc}", file=sys.stderr)
        return exc.status
    except DataError as exc:  # bad data, found by ember.datasets
        print(f"ember: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nember: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `ember predict … | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
