"""The API reference (docs/api/*.md) lists every public name.

The public names are ``glassnet.__all__``, the ``__all__`` of each subpackage
and of each family module (``glassnet.losses``, ...). A name counts as documented
when an ``autosummary`` list with ``:toctree:`` (which writes its page) names it,
under that path or under another public path of the same class, function or
module (``glassnet.core.Dense`` is documented as ``glassnet.Dense``); a module
counts when an ``automodule`` documents it.
"""

import functools
import importlib
import inspect
import re
import types
from pathlib import Path

import pytest

API = Path(__file__).resolve().parent.parent / "docs" / "api"

SUBPACKAGES = [
    "glassnet.core",
    "glassnet.datasets",
    "glassnet.metrics",
    "glassnet.files",
    "glassnet.training",
    "glassnet.inspection",
    "glassnet.interop",
    "glassnet.sklearn",
    "glassnet.runs",
    "glassnet.report",
]
FAMILIES = [
    "glassnet.activations",
    "glassnet.losses",
    "glassnet.initializers",
    "glassnet.regularizers",
    "glassnet.optimizers",
    "glassnet.schedules",
    "glassnet.plotting",
]


def _autosummary_entries(text):
    """(qualified name, has_toctree) of every autosummary entry in a page."""
    entries = []
    current = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        module = re.match(r"\s*\.\. (?:current)?module::\s*(\S+)", line)
        module = module or re.match(r"\s*\.\. automodule::\s*(\S+)", line)
        if module:
            current = module.group(1)
        if re.match(r"\s*\.\. autosummary::", line):
            toctree = False
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i][:1] == " "):
                item = lines[i].strip()
                if item.startswith(":toctree:"):
                    toctree = True
                elif item and not item.startswith(":"):
                    name = item.lstrip("~")
                    if current and not name.startswith("glassnet"):
                        name = f"{current}.{name}"
                    entries.append((name, toctree))
                i += 1
            continue
        i += 1
    return entries


def _resolve(qualified):
    module_name, _, attribute = qualified.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _is_named(obj):
    return isinstance(obj, types.ModuleType) or inspect.isclass(obj) or callable(obj)


def _key(attribute, obj):
    return id(obj) if _is_named(obj) else (attribute, id(obj))


@functools.lru_cache(maxsize=1)
def _documented():
    """The qualified names documented, and the ids of what they name.

    For a class, function or module its id alone identifies it; a constant
    (``FORMAT_VERSION = 1``) is identified by its id with its attribute name.
    """
    names, objects = set(), set()
    for page in sorted(API.glob("*.md")):
        for name, toctree in _autosummary_entries(page.read_text()):
            if not toctree:
                continue
            names.add(name)
            obj = _resolve(name)
            objects.add(_key(name.rpartition(".")[2], obj))
        # modules documented by automodule (their docstring), data by autodata
        for match in re.finditer(r"\.\. auto(module|data)::\s*(\S+)", page.read_text()):
            names.add(match.group(2))
            if match.group(1) == "module":
                module = importlib.import_module(match.group(2))
                objects.add(_key(match.group(2).rpartition(".")[2], module))
    return names, objects


def _public(module_name):
    if module_name == "glassnet.sklearn":
        pytest.importorskip("sklearn")
    module = importlib.import_module(module_name)
    return [(module_name, name) for name in getattr(module, "__all__", [])]


@pytest.mark.parametrize("module_name", ["glassnet", *SUBPACKAGES, *FAMILIES])
def test_every_public_name_is_in_the_api_pages(module_name):
    names, objects = _documented()
    missing = []
    for module, name in _public(module_name):
        obj = getattr(importlib.import_module(module), name)
        qualified = f"{module}.{name}"
        if qualified in names or _key(name, obj) in objects:
            continue
        missing.append(qualified)
    assert not missing, (
        f"Public names missing from the autosummary lists of docs/api/*.md: {missing}"
    )


def test_the_overview_lists_every_top_level_name():
    import glassnet

    listed = {
        name
        for name, _ in _autosummary_entries((API / "index.md").read_text())
        if name.startswith("glassnet.")
    }
    missing = sorted(
        f"glassnet.{name}"
        for name in glassnet.__all__
        if name != "__version__" and f"glassnet.{name}" not in listed
    )
    assert not missing, f"docs/api/index.md's overview lacks {missing}"


def test_every_listed_name_exists():
    for page in sorted(API.glob("*.md")):
        for name, _ in _autosummary_entries(page.read_text()):
            _resolve(name)  # raises if a page names something that is gone
