"""Sphinx configuration of glassnet's documentation.

Build (from the repository root; warnings are errors):

    sphinx-build -W --keep-going -b html docs docs/_build/html

Pages are MyST Markdown; their ``{code-cell}`` blocks run at build time, so every
output shown is real, and a cell that raises fails the build. The MNIST, ILPD and
California-housing pages read the datasets from the folder named by GLASSNET_DATA.

Why Sphinx (with numpydoc, MyST-NB and the PyData theme) and not MkDocs with
mkdocstrings: glassnet's docstrings are numpydoc, the format of NumPy, SciPy and
scikit-learn, which numpydoc renders as written and whose validator the docstring
test (tests/test_docstrings.py) already uses; MyST-NB runs every page as a notebook
at build time and fails the build on an error; autosummary gives each public name
its own page; and the PyData theme is the one NumPy, pandas and scikit-learn use, so
the API pages read like the references practitioners know.
"""

import inspect
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The source tree first, so that a fresh clone documents itself even before install.
sys.path.insert(0, str(ROOT / "src"))
# The notebook kernels are child processes: they inherit the path through the env.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
)
# Figures drawn by cells: no display on a CI machine.
os.environ.setdefault("MPLBACKEND", "Agg")

import glassnet  # noqa: E402

project = "glassnet"
author = "glassnet contributors"
copyright = "glassnet contributors"
release = glassnet.__version__
version = release

# docs/_ext: this site's own extensions (screenshots: the playground tour's pictures).
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "screenshots",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
html_static_path = ["_static"]

# --- the theme ---------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"glassnet {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False

# --- MyST and executed pages -------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "amsmath"]
myst_heading_anchors = 3
# Every page with code cells runs on every build: outputs are never stale.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_execution_in_temp = True  # files written by cells land in a temporary folder
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}
nb_execution_excludepatterns = []
# Markdown outputs (a trace's to_markdown()) are parsed as MyST: their $$ math renders.
nb_render_markdown_format = "myst"

# --- API reference -----------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"inherited-members": False}
autodoc_typehints = "none"  # numpydoc writes the types from the docstrings
numpydoc_show_class_members = False  # autosummary lists the members; no duplicates
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()


def _skip_member(app, what, name, obj, skip, options):
    """Leave out the ``set_*_request`` methods scikit-learn adds to estimators.

    scikit-learn generates them on every estimator for its metadata routing; their
    docstrings refer to scikit-learn's own glossary, which is not part of this site.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def _describe_data(app, what, name, obj, options, lines):
    """Say what a module-level constant holds: a registry's names, a constant's value.

    The registries (``glassnet.losses.LOSSES``, ...) would otherwise show no more
    than their name; their full repr (classes and functions) would be unreadable.
    """
    if what != "data":
        return
    type_doc = (inspect.getdoc(type(obj)) or "").strip().splitlines()
    if type_doc and type_doc[0] in (line.strip() for line in lines[:5]):
        lines.clear()  # autodoc fell back to the docstring of int, str, dict, ...
    if isinstance(obj, dict):
        keys = ", ".join(f"``{key!r}``" for key in obj)
        lines.extend(["", f"Keys: {keys}."])
    elif isinstance(obj, (str, int, float, tuple)):
        lines.extend(["", f"Value: ``{obj!r}``."])


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _describe_data)
