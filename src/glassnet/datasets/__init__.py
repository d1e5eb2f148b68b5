"""Datasets for glassnet: bundled, local, downloadable, generated and CSV.

Every loader returns a :class:`Dataset` with a seeded train/test split:

- :func:`load_digits` -- 8x8 digits bundled with the package.
- :func:`load_mnist`, :func:`load_fashion_mnist` -- IDX files found locally
  or downloaded (md5-checked); :func:`read_idx` reads any IDX file.
- :func:`load_ilpd`, :func:`load_california_housing` -- local files.
- :func:`load_csv` -- any CSV table; :func:`read_csv_table` and
  :func:`encode_table` prepare new input files the same way.
- :func:`make_xor`, :func:`make_circle`, ... and :func:`load_toy` -- 2-D
  problems after the TensorFlow Playground.
- :func:`load` and :func:`available` -- by name.

Files are searched in ``data_dir``, ``$GLASSNET_DATA/<name>``,
``$GLASSNET_DATA`` and ``$XDG_CACHE_HOME/glassnet/<name>``.
"""

from glassnet.datasets.base import Dataset
from glassnet.datasets.csv_loader import load_csv
from glassnet.datasets.digits import load_digits
from glassnet.datasets.housing import load_california_housing
from glassnet.datasets.idx import read_idx
from glassnet.datasets.ilpd import load_ilpd
from glassnet.datasets.mnist import load_fashion_mnist, load_mnist
from glassnet.datasets.registry import REGISTRY, available, load
from glassnet.datasets.split import train_test_split
from glassnet.datasets.table import CsvTable, encode_table, read_csv_table
from glassnet.datasets.toy import (
    load_toy,
    make_circle,
    make_gauss,
    make_moons,
    make_multi_gauss,
    make_multi_gauss_regression,
    make_plane,
    make_spiral,
    make_xor,
)

__all__ = [
    "REGISTRY",
    "CsvTable",
    "Dataset",
    "available",
    "encode_table",
    "load",
    "load_california_housing",
    "load_csv",
    "load_digits",
    "load_fashion_mnist",
    "load_ilpd",
    "load_mnist",
    "load_toy",
    "make_circle",
    "make_gauss",
    "make_moons",
    "make_multi_gauss",
    "make_multi_gauss_regression",
    "make_plane",
    "make_spiral",
    "make_xor",
    "read_csv_table",
    "read_idx",
    "train_test_split",
]
