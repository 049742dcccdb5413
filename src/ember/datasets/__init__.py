"""Data to learn from without a network connection.

* Bundled real data sets (small compressed files inside the package; sources and licences in
  ``data/SOURCES.md``): :func:`load_iris`, :func:`load_wine`, :func:`load_breast_cancer`,
  :func:`load_digits`, :func:`load_diabetes`.
* Seeded generators for teaching: :func:`make_xor`, :func:`make_moons`, :func:`make_circles`,
  :func:`make_spirals`, :func:`make_blobs`, :func:`make_regression`.
* Sequences: the bundled yearly sunspot numbers (:func:`load_sunspots`), :func:`make_windows`
  for forecasting, and :func:`make_sine_waves`, :func:`make_adding_problem`, :func:`make_parity`.
* :func:`load_csv` for your own tables, with a reusable :class:`TabularEncoding`.
* :func:`list` and :func:`load` to find and load data sets by name.

Example::

    >>> digits = ember.datasets.load_digits()
    >>> loader = ember.utils.data.DataLoader(digits.to_dataset(), batch_size=64, shuffle=True)
"""
from ._bunch import Bunch
from .bundled import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from .catalog import DatasetInfo, load, list_datasets
from .csv_loader import load_csv
from .encoding import TabularEncoding
from .errors import DataError, DataFileNotFoundError
from .sequences import (load_sunspots, make_adding_problem, make_parity, make_sine_waves,
                        make_windows)
from .generators import make_blobs, make_circles, make_moons, make_regression, make_spirals, make_xor

list = list_datasets  # noqa: A001 - ember.datasets.list(); kept out of __all__ so that
#                                   ``from ember.datasets import *`` never hides the builtin

__all__ = ["Bunch", "DataError", "DataFileNotFoundError", "DatasetInfo", "TabularEncoding",
           "list_datasets", "load", "load_breast_cancer", "load_csv", "load_diabetes", "load_digits",
           "load_iris", "load_sunspots", "load_wine", "make_adding_problem", "make_blobs",
           "make_circles", "make_moons", "make_parity", "make_regression", "make_sine_waves",
           "make_spirals", "make_windows", "make_xor"]
