"""Datasets by name: :func:`load` and :func:`available`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from glassnet.datasets import housing, ilpd, mnist
from glassnet.datasets.base import Dataset
from glassnet.datasets.digits import load_digits
from glassnet.datasets.housing import load_california_housing
from glassnet.datasets.ilpd import load_ilpd
from glassnet.datasets.mnist import load_fashion_mnist, load_mnist
from glassnet.datasets.paths import describe_dirs
from glassnet.datasets.toy import GENERATORS, load_toy

#: Dataset name -> loader; ``load(name, **kw)`` calls ``REGISTRY[name](**kw)``.
REGISTRY: dict[str, Callable[..., Dataset]] = {
    "digits": load_digits,
    "mnist": load_mnist,
    "fashion-mnist": load_fashion_mnist,
    "ilpd": load_ilpd,
    "california-housing": load_california_housing,
    **{name: functools.partial(load_toy, name) for name in GENERATORS},
}


def _canonical(name) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"The 'name' parameter must be a dataset name (str). Got "
            f"{type(name).__name__} instead."
        )
    key = name.strip().lower().replace("_", "-")
    if key not in REGISTRY:
        raise ValueError(
            f"Unknown dataset {name!r}. Valid names: {', '.join(REGISTRY)}."
        )
    return key


def load(name: str, **kwargs) -> Dataset:
    """Load a dataset by name.

    Parameters
    ----------
    name : str
        One of ``digits, mnist, fashion-mnist, ilpd, california-housing, xor,
        circle, gauss, multi-gauss, spiral, moons, plane, multi-gauss-regression``
        (case and ``_`` versus ``-`` do not matter).
    **kwargs
        Passed to the loader, e.g. ``seed=1`` or ``data_dir=...``. ``seed`` is
        accepted for every dataset so that callers can pass one seed; MNIST
        and Fashion-MNIST have a fixed official split and ignore it.

    Returns
    -------
    Dataset
        The dataset's train/test split, as its loader returns it.

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    TypeError
        An option the loader does not accept (the message lists its options).
    """
    key = _canonical(name)
    loader = REGISTRY[key]
    params = inspect.signature(loader).parameters
    if "seed" not in params:
        kwargs.pop("seed", None)
    unknown = [k for k in kwargs if k not in params]
    if unknown:
        raise TypeError(
            f"Dataset {key!r} does not accept {', '.join(map(repr, unknown))}. "
            f"Its options: {', '.join(p for p in params if p != 'name')}."
        )
    return loader(**kwargs)


def available(data_dir=None) -> dict[str, str]:
    """Where each dataset would come from, without loading or downloading.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Searched first, as by the loaders.

    Returns
    -------
    dict of str to str
        For each registry name one of: ``"bundled"`` (digits), ``"generated"``
        (toy sets), ``"found locally at PATH"``, ``"downloadable (to PATH)"``
        (MNIST sets not found) or ``"missing (put FILE in one of: ...)"``.
    """
    status = {"digits": "bundled"}
    for kind in mnist.KINDS:
        paths, dirs = mnist.locate_files(kind, data_dir)
        if paths is not None:
            status[kind] = f"found locally at {paths[0].parent}"
        else:
            dest = dirs[0] if data_dir is not None else dirs[-1]
            status[kind] = f"downloadable (to {dest})"
    path, dirs = ilpd.locate_file(data_dir)
    status["ilpd"] = (
        f"found locally at {path}"
        if path is not None
        else f"missing (put {ilpd.FILE_NAMES[0]} in one of: {describe_dirs(dirs)})"
    )
    path, _, dirs = housing.locate_file(data_dir)
    status["california-housing"] = (
        f"found locally at {path}"
        if path is not None
        else "missing (put cal_housing.data or housing.csv in one of: "
        f"{describe_dirs(dirs)})"
    )
    for name in GENERATORS:
        status[name] = "generated"
    return {name: status[name] for name in REGISTRY}
