"""Datasets for glassnet: loaders returning a seeded train/test split."""

from glassnet.datasets.base import Dataset
from glassnet.datasets.digits import load_digits
from glassnet.datasets.idx import read_idx
from glassnet.datasets.mnist import load_fashion_mnist, load_mnist
from glassnet.datasets.split import train_test_split

__all__ = [
    "Dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
    "train_test_split",
]
