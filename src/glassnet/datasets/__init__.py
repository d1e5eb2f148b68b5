"""Datasets for glassnet: loaders returning a seeded train/test split."""

from glassnet.datasets.base import Dataset
from glassnet.datasets.csv_loader import load_csv
from glassnet.datasets.digits import load_digits
from glassnet.datasets.housing import load_california_housing
from glassnet.datasets.idx import read_idx
from glassnet.datasets.ilpd import load_ilpd
from glassnet.datasets.mnist import load_fashion_mnist, load_mnist
from glassnet.datasets.split import train_test_split
from glassnet.datasets.table import CsvTable, encode_table, read_csv_table
from glassnet.datasets.toy import (
    load_toy,
    make_circle,
    make_gauss,
    make_moons,
    make_multi_gauss,
    make_plane,
    make_spiral,
    make_xor,
)

__all__ = [
    "CsvTable",
    "Dataset",
    "encode_table",
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
    "make_plane",
    "make_spiral",
    "make_xor",
    "read_csv_table",
    "read_idx",
    "train_test_split",
]
