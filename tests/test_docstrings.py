"""Every public name has a complete numpydoc docstring.

The public names are the ``__all__`` of :mod:`glassnet` and of each public
subpackage (``PACKAGES``); a module listed there (``glassnet.activations``,
``glassnet.core.backends``, ...) contributes its own ``__all__`` (or, without
one, the functions and classes it defines). For each public class, its public
methods and properties (``__call__`` and cached properties included) are
checked too: those defined in glassnet's own classes of its method resolution
order, each once, under the class that defines it
(``glassnet.core.activations.Activation.derivative``), never those of
``object``, the standard library or scikit-learn. The command line
and the playground (applications, not a library) and the deprecated aliases
of ``glassnet._moved`` are not walked. Each object is one test, its id its
defining path, so a failure names the module (and the subpackage) it is in.

Rules, with numpydoc's own validator (:func:`numpydoc.validate.validate`)
parsing the sections and reporting its codes:

- ``GL08`` a docstring exists. A method that overrides a glassnet method
  without a docstring of its own inherits the overridden one (as
  :func:`inspect.getdoc` and Sphinx's autodoc do), and that one is checked;
  an override with a docstring of its own takes, from the method it
  overrides, each Parameters, Returns, Yields or Raises section it lacks, so
  its docstring need only say what it does differently (and a mismatch of
  the parameters still fails ``PR01``/``PR02``).
- ``PR01``/``PR02`` the Parameters (or Other Parameters) section lists every
  parameter of the signature and none that does not exist; for a class, the
  parameters of ``__init__``, documented in the class docstring. A
  dataclass may list its fields under Attributes instead.
- ``PR07`` every documented parameter has a description.
- ``RT01``/``RT03`` a function or method with a ``return <value>`` has a
  Returns section, with a description (``YD01``: a generator has Yields).
  Properties need no Returns: their one-line summary describes the value.
- Raises (no numpydoc code exists): a callable whose own body contains a
  ``raise`` statement has a Raises section. A bare re-``raise`` and ``raise
  NotImplementedError`` (an abstract method) do not count. Besides its own
  body, the bodies of the helpers it calls directly count as its own: a
  private function of its module (``_check(...)``), a private method of its
  class (``self._check(...)``) or a function from a private module
  (``check_X`` from ``glassnet.core._validation``), one level deep. For a
  class, the rule applies to its ``__init__`` (and ``__post_init__``); for a
  property, to its getter and its setter.
- Shapes: a parameter, attribute, return or yield whose type mentions an
  array (``array``, ``ndarray``, ``array-like``) states its shape, in the
  type or the description: the word "shape" or a tuple such as
  ``(n_samples, n_features)`` or ``(n_samples,)``.

Stylistic codes (summary punctuation, section order, See Also, Examples)
are not checked here.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import inspect
import re
import types

import pytest

validate = pytest.importorskip("numpydoc.validate")

#: The public packages whose ``__all__`` is walked.
PACKAGES = (
    "glassnet",
    "glassnet.core",
    "glassnet.metrics",
    "glassnet.datasets",
    "glassnet.files",
    "glassnet.training",
    "glassnet.interop",
    "glassnet.inspection",
    "glassnet.sklearn",
    "glassnet.runs",
    "glassnet.report",
)

#: numpydoc's codes that this test enforces (see the module docstring).
CODES = ("GL08", "PR01", "PR02", "PR07", "RT01", "RT03", "YD01")

ARRAY = re.compile(r"ndarray|\barrays?\b|array[-_ ]like", re.IGNORECASE)
SHAPE = re.compile(r"shape|\([^()]*,[^()]*\)", re.IGNORECASE)


def _is_glassnet(obj) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module == "glassnet" or module.startswith("glassnet.")


def _qualified(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return f"{obj.__module__}.{obj.__qualname__}"


def _module_names(module: types.ModuleType) -> list[str]:
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__
    ]


def _members(cls: type):
    """(id, object) of the public methods and properties of a class."""
    for klass in cls.__mro__:
        if not _is_glassnet(klass):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") and name != "__call__":
                continue
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            if not (
                inspect.isfunction(value)
                or isinstance(value, (property, functools.cached_property))
            ):
                continue
            yield f"{klass.__module__}.{klass.__qualname__}.{name}", value


def public_objects() -> dict[str, object]:
    """Every public object to check, by its defining path."""
    found: dict[str, object] = {}
    seen_modules: set[str] = set()

    def add(value):
        if isinstance(value, types.ModuleType):
            if value.__name__ in seen_modules or not _is_glassnet_module(value):
                return
            seen_modules.add(value.__name__)
            found.setdefault(value.__name__, value)
            for name in _module_names(value):
                add(getattr(value, name))
            return
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            return  # constants (registries, versions) carry no docstring
        if not _is_glassnet(value) or value.__module__.startswith("glassnet._moved"):
            return
        key = _qualified(value)
        if key in found:
            return
        found[key] = value
        if inspect.isclass(value):
            for member_key, member in _members(value):
                found.setdefault(member_key, member)

    for package in PACKAGES:
        module = importlib.import_module(package)
        found.setdefault(module.__name__, module)
        seen_modules.add(module.__name__)
        for name in module.__all__:
            add(getattr(module, name))
    return found


def _is_glassnet_module(module: types.ModuleType) -> bool:
    name = module.__name__
    return name.startswith("glassnet.") and not name.startswith(
        ("glassnet.cli", "glassnet.playground", "glassnet._moved")
    )


PUBLIC = public_objects()
_GL08 = validate.ERROR_MSGS["GL08"]


@functools.cache
def _definitions(path: str) -> dict[tuple[str, int], ast.AST]:
    """The function and class nodes of a file, by qualified name and line."""
    try:
        with open(path, encoding="utf-8") as file:
            tree = ast.parse(file.read())
    except OSError:  # generated code, e.g. a dataclass's __init__
        return {}
    found = {}

    def visit(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # the first line as the code object has it: the first decorator's
                line = min([d.lineno for d in node.decorator_list] + [node.lineno])
                found[prefix + node.name, line] = node
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return found


def _tree(func) -> ast.AST | None:
    """The AST of a function, from its file parsed once."""
    try:
        path = inspect.getsourcefile(func)
    except TypeError:
        return None
    if path is None or not hasattr(func, "__code__"):
        return None
    key = (func.__qualname__, func.__code__.co_firstlineno)
    return _definitions(path).get(key)


#: The sections an override takes from the method it overrides.
INHERITED = ("Parameters", "Other Parameters", "Returns", "Yields", "Raises")


def _overridden(obj, owner: type | None):
    """(method, its class) that ``obj``, a method of ``owner``, overrides."""
    if owner is None or inspect.isclass(obj):
        return None
    name = _function_of(obj).__name__
    for klass in owner.__mro__[1:]:
        if name in vars(klass) and _is_glassnet(klass):
            value = vars(klass)[name]
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            return value, klass
    return None


def _function_of(obj):
    if isinstance(obj, property):
        return obj.fget
    if isinstance(obj, functools.cached_property):
        return obj.func
    if inspect.isclass(obj):
        return None
    return inspect.unwrap(obj)


class _Validator(validate.Validator):
    """numpydoc's validator, with the sections an override inherits.

    A method without a docstring of its own reads the overridden one (as
    :func:`inspect.getdoc` does); one with a docstring takes each of the
    overridden method's Parameters, Returns, Yields and Raises sections that
    it lacks. The source is read from the files parsed once (numpydoc would
    tokenize the source of each object again); inline ``numpydoc ignore``
    comments are not honoured.
    """

    def __init__(self, obj_name, owner: type | None = None):
        super().__init__(validate.get_doc_object(obj_name))
        if not self.raw_doc:
            self.raw_doc = inspect.getdoc(obj_name) or ""
        base = _overridden(obj_name, owner)
        if base is not None:
            inherited = _Validator(*base)
            if not self.raw_doc:  # getdoc finds no classmethod's base
                self.raw_doc, self.clean_doc = inherited.raw_doc, inherited.clean_doc
                self.doc = inherited.doc
            for section in INHERITED:
                if not self.doc[section]:
                    self.doc[section] = inherited.doc[section]

    source_file_name = None
    source_file_def_line = None

    @property
    def method_returns_something(self):
        # numpydoc's rule: a ``return <value>`` outside nested functions
        def returns(node):
            if isinstance(node, ast.Return):
                yield node
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield from returns(child)

        node = _tree(_function_of(self.obj))
        return node is not None and any(
            r.value is not None
            and not (isinstance(r.value, ast.Constant) and r.value.value is None)
            for r in returns(node)
        )


def _own_raises(node: ast.AST) -> list[str]:
    found = []
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Raise) or sub.exc is None:
            continue
        exc = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
        name = ast.unparse(exc)
        if name != "NotImplementedError":
            found.append(f"{name} (line {sub.lineno})")
    return found


def _helpers(func, node: ast.AST, owner: type | None):
    """The private helpers ``func`` calls directly."""
    namespace = getattr(func, "__globals__", {})
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call):
            continue
        target = None
        if isinstance(sub.func, ast.Name):
            value = namespace.get(sub.func.id)
            module = getattr(value, "__module__", "") or ""
            private_module = any(p.startswith("_") for p in module.split("."))
            if inspect.isfunction(value) and (
                sub.func.id.startswith("_") or private_module
            ):
                target = value
        elif (
            isinstance(sub.func, ast.Attribute)
            and isinstance(sub.func.value, ast.Name)
            and sub.func.value.id in ("self", "cls")
            and owner is not None
            and sub.func.attr.startswith("_")
            and not sub.func.attr.startswith("__")
        ):
            value = inspect.getattr_static(owner, sub.func.attr, None)
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            if inspect.isfunction(value):
                target = value
        if target is not None and target is not func:
            yield target


def raised(obj, owner: type | None = None) -> list[str]:
    """The exceptions ``obj`` raises by the rule of the module docstring."""
    if inspect.isclass(obj):
        found = []
        for hook in ("__init__", "__post_init__"):
            for klass in obj.__mro__:
                if hook in vars(klass):
                    if _is_glassnet(klass):
                        found += raised(vars(klass)[hook], klass)
                    break
        return found
    if isinstance(obj, property):  # its getter, and its setter if any
        return [r for f in (obj.fget, obj.fset) if f for r in raised(f, owner)]
    func = _function_of(obj)
    node = _tree(func)
    if node is None:
        return []
    found = _own_raises(node)
    for helper in _helpers(func, node, owner):
        helper_node = _tree(helper)
        if helper_node is not None:
            found += [f"{r} via {helper.__name__}" for r in _own_raises(helper_node)]
    return found


def _owner(key: str, obj) -> type | None:
    if inspect.isclass(obj) or isinstance(obj, types.ModuleType):
        return None
    func = _function_of(obj)
    parts = func.__qualname__.split(".")
    if len(parts) < 2:
        return None
    value = importlib.import_module(func.__module__)
    for part in parts[:-1]:
        value = getattr(value, part, None)
    return value if inspect.isclass(value) else None


def _shape_problems(doc) -> list[str]:
    problems = []
    for section in ("Parameters", "Other Parameters", "Attributes"):
        for entry in doc[section]:
            if ARRAY.search(entry.type) and not SHAPE.search(
                entry.type + " " + " ".join(entry.desc)
            ):
                problems.append(
                    f"{section} '{entry.name}' is an array without its shape"
                )
    for section in ("Returns", "Yields"):
        for entry in doc[section]:
            text = f"{entry.name} {entry.type}"
            if ARRAY.search(text) and not SHAPE.search(
                text + " " + " ".join(entry.desc)
            ):
                problems.append(f"{section} '{entry.name}' is an array without shape")
    return problems


def problems(key: str, obj) -> list[str]:
    """What the docstring of ``obj`` lacks, one line per problem."""
    if isinstance(obj, types.ModuleType):  # numpydoc validates no module
        return [] if (obj.__doc__ or "").strip() else [f"GL08 {_GL08}"]
    owner = _owner(key, obj)
    validator = _Validator(obj, owner)
    result = validate.validate(obj, validator_cls=lambda obj_name: validator)
    errors = [(code, message) for code, message in result["errors"] if code in CODES]
    if not result["docstring"].strip():
        return [f"GL08 {_GL08}"]
    doc = validator.doc
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
        attributes = {name for entry in doc["Attributes"] for name in [entry.name]}
        missing = set(validator.signature_parameters) - set(
            validator.doc_all_parameters
        )
        errors = [(c, m) for c, m in errors if c != "PR01"]
        if missing - attributes:
            errors.append(
                validate.error("PR01", missing_params=str(missing - attributes))
            )
    lines = [f"{code} {message}" for code, message in errors]
    found = raised(obj, owner)
    if found and not doc["Raises"]:
        found = list(dict.fromkeys(found))  # once each, in order
        lines.append("no Raises section, but raises " + ", ".join(found))
    return lines + _shape_problems(doc)


@pytest.mark.parametrize("key", sorted(PUBLIC))
def test_docstring(key):
    found = problems(key, PUBLIC[key])
    if found:
        pytest.fail(f"{key}:\n  " + "\n  ".join(found), pytrace=False)


def test_every_public_package_has_all():
    missing = [
        p for p in PACKAGES if not hasattr(importlib.import_module(p), "__all__")
    ]
    assert not missing


def test_the_walk_finds_methods_under_their_defining_class():
    # a method inherited from a glassnet base is checked once, where defined
    assert "glassnet.core.network.Network.fit" in PUBLIC
    assert "glassnet.core.activations.Activation.derivative" in PUBLIC
    assert "glassnet.core.layers.Dense" in PUBLIC
    apps = ("glassnet.cli", "glassnet.playground", "glassnet._moved")
    assert not any(key.startswith(apps) for key in PUBLIC)
    assert all(key.startswith("glassnet") for key in PUBLIC)  # no sklearn method
    assert not any(key.endswith(".get_params") for key in PUBLIC)
