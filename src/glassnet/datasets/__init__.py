"""Datasets for glassnet: loaders returning a seeded train/test split."""

from glassnet.datasets.base import Dataset
from glassnet.datasets.split import train_test_split

__all__ = [
    "Dataset",
    "train_test_split",
]
