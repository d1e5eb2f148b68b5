"""The import contract: subpackages by concept, imports pointing down only.

Every import of every module is read from its source (module level and
inside functions, and ``importlib.import_module("glassnet....")`` calls too),
so a new upward import or cycle fails here. The layers, bottom to top::

    core < metrics < datasets < files < training, perceptron < interop
         < inspection < sklearn < runs < report < cli, playground

The only references upward are the convenience methods listed in
``SANCTIONED`` (``net.fit``, ``net.save``, ... and ``History._repr_html_``).
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "glassnet"

RANK = {
    "core": 0,
    "_version": 0,
    "metrics": 1,
    "datasets": 2,
    "files": 3,
    "training": 4,
    "perceptron": 4,
    "interop": 5,
    "inspection": 6,
    "sklearn": 7,
    "runs": 8,
    "report": 9,
    "cli": 10,
    "playground": 10,
}
#: The package face and the old-path stand-ins sit above every layer.
FACE = {"glassnet", "glassnet._moved", "glassnet.__main__"}

#: (importing module, imported module): the convenience methods' references up.
SANCTIONED = {
    ("glassnet.core.network", "glassnet.training.loop"),
    ("glassnet.core.network", "glassnet.inspection.trace"),
    ("glassnet.core.network", "glassnet.files.model_file"),
    ("glassnet.core.network", "glassnet.interop.onnx"),
    ("glassnet.core.network", "glassnet.interop.torch"),
    ("glassnet.core.network", "glassnet.report.notebook"),
    ("glassnet.training.loop", "glassnet.report.notebook"),
}


def module_name(path: Path) -> str:
    parts = ("glassnet", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts).removesuffix(".__init__")


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def resolve(name: str) -> str | None:
    """The module (not attribute) that an imported dotted name refers to."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported glassnet module, line, at module level) for every import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package upward
                package = module.rsplit(".", node.level - (path.name == "__init__.py"))
                base = f"{package[0]}.{base}".rstrip(".")
            names = [f"{base}.{a.name}" for a in node.names] or [base]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value.startswith("glassnet.")
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "_upward")
        ):
            names = [node.args[0].value]
        for name in names:
            target = resolve(name) if name.startswith("glassnet") else None
            if target and target != module:
                found.append((target, node.lineno, id(node) in top))
    return found


def group(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_belongs_to_a_layer():
    unplaced = [m for m in MODULES if m not in FACE and group(m) not in RANK]
    assert not unplaced, f"add these to a subpackage and to RANK: {unplaced}"


def test_imports_point_down_only():
    upward = []
    for module in MODULES:
        if module in FACE:
            continue
        for target, line, _ in imports(module):
            if target in FACE:
                if group(module) not in ("cli", "playground"):  # the top may
                    upward.append(f"{module}:{line} imports the package face")
                continue
            source_group, target_group = group(module), group(target)
            if source_group == target_group or (module, target) in SANCTIONED:
                continue
            if RANK[target_group] > RANK[source_group] or (
                RANK[target_group] == RANK[source_group]
                and {source_group, target_group} != {"cli", "playground"}
            ):
                upward.append(f"{module}:{line} -> {target}")
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


def test_no_import_cycles():
    # (as the usual tools count them: an import of a package's
    # __init__, its face, is not an edge)
    graph = {
        m: {
            t
            for t, _, _ in imports(m)
            if (m, t) not in SANCTIONED and MODULES[t].name != "__init__.py"
        }
        for m in MODULES
        if m not in FACE
    }
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in graph.get(node, ()):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_imports_below_the_code(module):
    body = ast.parse(MODULES[module].read_text()).body
    first_code = next(
        (
            i
            for i, node in enumerate(body)
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        ),
        len(body),
    )
    late = [
        node.lineno
        for node in body[first_code:]
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    assert not late, f"{module}: imports below the first definition, lines {late}"


def test_no_module_outside_the_network_calls_its_private_methods():
    private = re.compile(
        r"\.(_forward|_backward|_inputs|_targets|_as_batch|_infer|_loss_value"
        r"|_output_delta|_bind_parameters|_check_layers_bound)\("
    )
    calls = [
        f"{module}:{number}"
        for module, path in MODULES.items()
        if module != "glassnet.core.network"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if private.search(line)
    ]
    assert not calls, calls


@pytest.mark.slow  # a subprocess or a real dataset
def test_importing_glassnet_loads_neither_the_cli_nor_the_playground():
    code = (
        "import sys, glassnet\n"
        "print([m for m in sys.modules if m.startswith(('glassnet.cli', "
        "'glassnet.playground'))])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_engine_imports_nothing_else_of_glassnet():
    # a reader can take glassnet.core out and study it alone: everything the
    # engine's modules import, transitively, is in glassnet.core
    seen, todo = set(), [m for m in MODULES if group(m) == "core"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo += [t for t, _, _ in imports(module) if (module, t) not in SANCTIONED]
    assert {group(m) for m in seen} == {"core"}, sorted(seen)


OLD_PUBLIC_PATHS = {
    "glassnet.layers": ["Dense", "BatchNorm", "Dropout", "Layer", "layer_from_config"],
    "glassnet.network": ["Network", "Summary"],
    "glassnet.callbacks": ["EarlyStopping", "ModelCheckpoint", "TerminateOnNaN"],
    "glassnet.progress": ["ProgressBar"],
    "glassnet.gradcheck": ["gradcheck", "GradcheckReport"],
    "glassnet.diagnostics": ["Diagnostics", "diagnose"],
    "glassnet.trace": ["Trace", "LayerTrace", "trace_network", "EXAMPLES"],
    "glassnet.io": ["save", "load", "ModelFileError"],
    "glassnet.onnx_export": ["to_onnx"],
    "glassnet.torch_interop": ["to_torch", "from_torch"],
    "glassnet.sklearn_interop": ["to_sklearn", "from_sklearn"],
    "glassnet.recipe": ["build_network"],
    "glassnet.sweep": ["sweep", "SweepResult"],
    "glassnet.notebook": ["network_html"],
    "glassnet.preprocessing": ["StandardScaler", "MinMaxScaler", "FeatureSchema"],
    "glassnet.pipeline": ["Preprocessing"],
}


@pytest.mark.parametrize("old", sorted(OLD_PUBLIC_PATHS))
def test_old_module_paths_still_work_and_warn(old):
    import importlib

    module = importlib.import_module(old)
    for name in OLD_PUBLIC_PATHS[old]:
        with pytest.warns(DeprecationWarning, match=f"{old} moved to glassnet"):
            value = getattr(module, name)
        assert value is not None


@pytest.mark.parametrize(
    ("old", "family", "new"),
    [
        ("get_optimizer", "optimizers", "get"),
        ("OPTIMIZERS", "optimizers", "OPTIMIZERS"),
        ("get_activation", "activations", "get"),
        ("get_loss", "losses", "get"),
        ("get_initializer", "initializers", "get"),
        ("get_regularizer", "regularizers", "get"),
        ("get_schedule", "schedules", "get"),
        ("get_metric", "metrics", "get"),
    ],
)
def test_top_level_registry_names_moved_into_their_family(old, family, new):
    import glassnet as gn

    with pytest.warns(DeprecationWarning, match=f"use glassnet.{family}.{new}"):
        value = getattr(gn, old)
    assert value is getattr(getattr(gn, family), new)


def test_the_family_paths_are_the_modules_themselves():
    import glassnet.optimizers

    import glassnet as gn

    assert glassnet.optimizers is gn.optimizers is gn.core.optimizers
    assert gn.optimizers.get("adam").name == "adam"
    assert gn.plotting is gn.report.plots
