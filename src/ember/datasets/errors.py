"""The errors ``ember.datasets`` raises for bad data, so a command line can print one line."""
from __future__ import annotations

__all__ = ["DataError", "DataFileNotFoundError"]


class DataError(ValueError):
    """Bad or unusable data (an empty CSV, a missing column, missing values, one class…).

    The message names the file, column or value at fault and what was expected.

    Example::

        >>> try:
        ...     ember.datasets.load_csv("no_such.csv", target="y")
        ... except ember.datasets.DataError as error:
        ...     print(error)
        file not found: 'no_such.csv'
    """


class DataFileNotFoundError(DataError, FileNotFoundError):
    """The data file does not exist (also a ``FileNotFoundError``)."""
