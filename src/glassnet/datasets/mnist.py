"""MNIST and Fashion-MNIST: 28x28 grey-level images in 10 classes."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from glassnet.core._validation import short_shape
from glassnet.datasets._checks import check_choice, check_dir
from glassnet.datasets.base import Dataset
from glassnet.datasets.download import DownloadError, Progress, download_files
from glassnet.datasets.idx import read_idx
from glassnet.datasets.paths import ENV_VAR, describe_dirs, find_in, search_dirs


@dataclass(frozen=True)
class _Source:
    title: str
    # (file name, size of the .gz in bytes, md5 of the .gz), in the order
    # train images, train labels, test images, test labels.
    files: tuple[tuple[str, int, str], ...]
    target_names: tuple[str, ...]
    description: str


_MNIST_FILES = (
    ("train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    ("train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432"),
    ("t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3"),
    ("t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c"),
)
_FASHION_FILES = (
    ("train-images-idx3-ubyte.gz", 26421880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    ("train-labels-idx1-ubyte.gz", 29515, "25c81989df183df01b3e8a0aad5dffbe"),
    ("t10k-images-idx3-ubyte.gz", 4422102, "bef4ecab320f06d8554ea6380940ec79"),
    ("t10k-labels-idx1-ubyte.gz", 5148, "bb300cfdad3c16e7a12a480ee83cd310"),
)

SOURCES = {
    "mnist": _Source(
        "MNIST",
        _MNIST_FILES,
        tuple(str(d) for d in range(10)),
        "MNIST handwritten digits (Yann LeCun, Corinna Cortes, Christopher J.C. "
        "Burges; derived from NIST Special Databases 1 and 3): 28x28 grey-level "
        "images of the digits 0-9 with the official split of 60,000 training and "
        "10,000 test images, read from the original IDX files. No explicit "
        "licence is stated by the publishers; the set is commonly cited as "
        "CC BY-SA 3.0. Cite LeCun et al., Proc. IEEE 86(11), 1998.",
    ),
    "fashion-mnist": _Source(
        "Fashion-MNIST",
        _FASHION_FILES,
        (
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),
        "Fashion-MNIST (Zalando Research: Han Xiao, Kashif Rasul, Roland "
        "Vollgraf, arXiv:1708.07747, 2017): 28x28 grey-level images of Zalando "
        "articles in 10 clothing classes, in the MNIST IDX format, with the "
        "official split of 60,000 training and 10,000 test images. Licence: MIT, "
        "copyright 2017 Zalando SE.",
    ),
}

#: Base URLs tried in order when files are downloaded (each ends with "/").
#: The original yann.lecun.com site often refuses downloads, so MNIST lists
#: mirrors of the same files first; every file is checked against its md5.
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/"
        "data/fashion/",
    ),
}

KINDS = tuple(SOURCES)


def _names(source: _Source) -> list[list[str]]:
    """Accepted names of each file: gzip-compressed, then raw IDX."""
    return [[name, name.removesuffix(".gz")] for name, _, _ in source.files]


def locate_files(kind: str, data_dir=None) -> tuple[list, list]:
    """Return ``(paths, searched)``: the four files (or None) and the
    directories searched, without downloading anything."""
    dirs = search_dirs(kind, check_dir(data_dir))
    hit = find_in(dirs, _names(SOURCES[kind]))
    return (hit[1] if hit else None), dirs


def _pixel_names() -> list[str]:
    return [f"pixel_{r}_{c}" for r in range(28) for c in range(28)]


def _check_pair(images: np.ndarray, labels: np.ndarray, img_path, lab_path):
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"{img_path}: expected uint8 images of 28 x 28 pixels (magic 2051), "
            f"found {images.dtype} data of shape ({short_shape(images.shape)})."
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{lab_path}: expected a 1-D uint8 label vector (magic 2049), found "
            f"{labels.dtype} data of shape ({short_shape(labels.shape)})."
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{img_path} holds {images.shape[0]} images but {lab_path} holds "
            f"{labels.shape[0]} labels; the counts must agree."
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{lab_path}: expected labels 0-9, found {labels.max()}.")


def load_mnist(
    data_dir: str | os.PathLike | None = None,
    *,
    kind: str = "mnist",
    flatten: bool = True,
    dtype: str = "float32",
    download: bool = True,
    progress: Progress | None = None,
) -> Dataset:
    """Load MNIST (or Fashion-MNIST) with the official 60,000/10,000 split.

    The split is the publishers' one: the ``train-*`` files are the training
    part, the ``t10k-*`` files the test part, in file order (no shuffling).

    Files are looked up, gzip-compressed (``*.gz``) or raw, in: ``data_dir``,
    ``data_dir/<kind>``, ``$GLASSNET_DATA/<kind>``, ``$GLASSNET_DATA``, then
    the user cache ``$XDG_CACHE_HOME/glassnet/<kind>`` (default
    ``~/.cache/glassnet/<kind>``). The four files must sit in one directory.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Directory searched first; downloads go there when it is given,
        otherwise to the user cache.
    kind : {"mnist", "fashion-mnist"}, default "mnist"
    flatten : bool, default True
        Return images as rows of 784 pixels (row-major); with False, as
        (n_samples, 28, 28) arrays.
    dtype : {"float32", "uint8"}, default "float32"
        "float32": pixels divided by 255, in [0, 1]. "uint8": the raw bytes
        0..255, four times smaller, for converting one batch at a time.
    download : bool, default True
        Download missing files from :data:`MIRRORS`, verifying each file's
        published md5 checksum.
    progress : callable, optional
        ``progress(bytes_done, bytes_total)`` during a download.

    Returns
    -------
    Dataset
        ``X_train`` (60000, 784), ``X_test`` (10000, 784) (or (n, 28, 28)),
        ``y_train``/``y_test`` int64 labels 0..9, ``feature_names``
        ``pixel_<row>_<col>``.

    Raises
    ------
    FileNotFoundError
        Files absent and ``download=False`` or the download failed; the
        message names every directory searched and the files needed.
    ValueError
        A malformed file, or a downloaded file with a wrong checksum.
    """
    check_choice(kind, "kind", KINDS)
    check_choice(dtype, "dtype", ("float32", "uint8"))
    for flag, value in (("flatten", flatten), ("download", download)):
        if not isinstance(value, bool):
            raise TypeError(
                f"The '{flag}' parameter must be a bool. Got {value!r} instead."
            )
    source = SOURCES[kind]
    paths, dirs = locate_files(kind, data_dir)
    if paths is None:
        paths = _download(kind, dirs, check_dir(data_dir), download, progress)
    arrays = [read_idx(p) for p in paths]
    _check_pair(arrays[0], arrays[1], paths[0], paths[1])
    _check_pair(arrays[2], arrays[3], paths[2], paths[3])
    X_train, y_train, X_test, y_test = arrays

    def convert(images: np.ndarray) -> np.ndarray:
        if flatten:
            images = images.reshape(images.shape[0], -1)
        if dtype == "uint8":
            return images
        out = images.astype(np.float32)
        out /= np.float32(255.0)
        return out

    return Dataset(
        X_train=convert(X_train),
        y_train=y_train.astype(np.int64),
        X_test=convert(X_test),
        y_test=y_test.astype(np.int64),
        feature_names=_pixel_names(),
        target_names=list(source.target_names),
        task="classification",
        name=kind,
        description=source.description,
    )


def _download(kind, dirs, data_dir, download: bool, progress) -> list:
    source = SOURCES[kind]
    names = [name for name, _, _ in source.files]
    dest = data_dir if data_dir is not None else dirs[-1]
    message = (
        f"{source.title} files not found. Searched: {describe_dirs(dirs)}. Put "
        f"these files (gzip-compressed as published, or decompressed without "
        f"'.gz') together in one of those directories: {', '.join(names)}."
    )
    if not download:
        raise FileNotFoundError(message + " Downloading is off (download=False).")
    # Files a previous, interrupted download already verified are kept.
    alternatives = _names(source)
    todo = [
        entry
        for entry, alts in zip(source.files, alternatives, strict=True)
        if not any((dest / n).is_file() for n in alts)
    ]
    try:
        download_files(todo, MIRRORS[kind], dest, progress=progress)
    except DownloadError as exc:
        raise FileNotFoundError(
            f"{message} Downloading to {str(dest)!r} failed: {exc}. To use files "
            f"you have, set the {ENV_VAR} environment variable to their "
            "directory."
        ) from exc
    return find_in([dest], alternatives)[1]


def load_fashion_mnist(
    data_dir: str | os.PathLike | None = None,
    *,
    flatten: bool = True,
    dtype: str = "float32",
    download: bool = True,
    progress: Progress | None = None,
) -> Dataset:
    """Load Fashion-MNIST: ``load_mnist(data_dir, kind="fashion-mnist", ...)``.

    Same split (official 60,000 training / 10,000 test images), options,
    lookup order (sub-folder ``fashion-mnist``) and errors as
    :func:`load_mnist`; ``target_names`` are the 10 clothing classes
    (Xiao, Rasul and Vollgraf, 2017).

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Directory searched first; downloads go there when it is given,
        otherwise to the user cache.
    flatten : bool, default True
        Return images as rows of 784 pixels; with False, as
        (n_samples, 28, 28) arrays.
    dtype : {"float32", "uint8"}, default "float32"
        "float32": pixels divided by 255, in [0, 1]; "uint8": the raw bytes.
    download : bool, default True
        Download missing files, verifying their md5 checksums.
    progress : callable, optional
        ``progress(bytes_done, bytes_total)`` during a download.

    Returns
    -------
    Dataset
        ``X_train`` of shape (60000, 784), ``X_test`` of shape (10000, 784)
        (or (n, 28, 28)), ``y_train``/``y_test`` int64 labels 0..9.

    Raises
    ------
    FileNotFoundError
        If the files are missing and ``download`` is False.
    ValueError
        For invalid options or a file that is not valid IDX data (see
        :func:`load_mnist`).
    """
    return load_mnist(
        data_dir,
        kind="fashion-mnist",
        flatten=flatten,
        dtype=dtype,
        download=download,
        progress=progress,
    )
