"""Datasets for glassnet: loaders returning a seeded train/test split."""

from glassnet.datasets.base import Dataset
from glassnet.datasets.digits import load_digits
from glassnet.datasets.split import train_test_split

__all__ = [
    "Dataset",
    "load_digits",
    "train_test_split",
]
