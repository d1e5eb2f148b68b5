"""Sweeps on Dask: every configuration a task, failures reported, best model kept."""

import csv
import json
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from optional_support import require

distributed = require("distributed", "distributed")

import dask  # noqa: E402
from cli_support import assert_usage_error, interrupt_after, run  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.datasets import load_digits  # noqa: E402
from glassnet.runs.sweep import expand_grid  # noqa: E402

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits():
    data = load_digits(seed=0)
    return data.X_train[:500], data.y_train[:500], data.X_test, data.y_test


GRID = [
    {"lr": [0.003, 0.03], "layers": [[16], [24, 12]]},
    {"lr": [0.01], "activation": ["tanh", "sigmoid", "leaky_relu"]},
]
# the eighth configuration: a learning rate so large that training diverges
FAILING = {"optimizer": ["sgd"], "lr": [1e6], "layers": [[16]]}


def read_csv(path):
    return list(csv.DictReader(path.read_text().splitlines()))


def no_client_left():
    with pytest.raises(ValueError):
        distributed.Client.current()
    return True


def test_eight_configurations_on_a_local_cluster_one_failing(digits, tmp_path):
    X, y, X_test, y_test = digits
    seen = []
    result = gn.sweep(
        [*GRID, FAILING],
        X,
        y,
        base={"epochs": 4},
        n_workers=2,
        processes=False,
        progress=seen.append,
    )
    assert no_client_left()  # the LocalCluster and its client are closed
    assert len(result.results) == 8 and len(seen) == 8
    statuses = [r["status"] for r in result.results]
    assert statuses == ["ok"] * 7 + ["failed"]
    failed = result.results[7]
    assert failed["error"].startswith("diverged in epoch ")
    assert failed["params"] == {"optimizer": "sgd", "lr": 1e6, "layers": [16]}
    scores = [r["score"] for r in result.results[:7]]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert result.best_index == int(np.argmax(scores))
    assert result.best_params == result.results[result.best_index]["params"]
    # every record is in the table, CSV and JSON
    table = result.table()
    assert table.count("\n") == 9 and "diverged" in table
    result.to_csv(tmp_path / "r.csv")
    rows = read_csv(tmp_path / "r.csv")
    assert [row["status"] for row in rows] == statuses
    document = json.loads(result.to_json(tmp_path / "r.json").read_text())
    assert document["best_index"] == result.best_index
    assert len(document["results"]) == 8
    best = gn.load(result.save_best(tmp_path / "b.glassnet"))
    predictions = best.predict(X_test)
    assert predictions.shape == y_test.shape
    accuracy = np.mean(best.preprocessing.encode(predictions) == y_test)
    assert accuracy > 0.8
    assert best.metadata["config"]["lr"] == result.best_params["lr"]


def test_a_given_client_runs_the_tasks_on_its_workers(digits):
    X, y, _, _ = digits
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with distributed.get_task_stream(client) as stream:
            result = gn.sweep(
                {"lr": [0.01, 0.02]}, X, y, base={"epochs": 2}, client=client
            )
        workers = set(client.scheduler_info()["workers"])
        names = [t["key"] for t in stream.data if "train_configuration" in t["key"]]
        assert len(names) == 2
        assert {t["worker"] for t in stream.data} <= workers and len(workers) == 2
        assert client.status == "running"  # a given client is left open
    assert [r["status"] for r in result.results] == ["ok", "ok"]


def test_regression_and_lower_is_better_scores(rng):
    X = rng.normal(size=(300, 3))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=300)
    result = gn.sweep(
        {"lr": [0.0001, 0.01]},
        X,
        y,
        base={"epochs": 15, "layers": [16]},
        score="mae",
        processes=False,
    )
    maes = [r["score"] for r in result.results]
    assert result.best_index == int(np.argmin(maes)) and not result.greater_is_better
    assert result.results[0]["metrics"]["r2"] < result.results[1]["metrics"]["r2"]
    net = result.best_network()
    assert net.task == "regression" and net.predict(X).shape == (300,)


class EndWorkerOnSeed13(distributed.WorkerPlugin):
    """On every worker, including restarted ones: a configuration with seed 13
    ends its worker process at once, as the out-of-memory killer does."""

    def setup(self, worker):
        import glassnet.runs.recipe

        build = glassnet.runs.recipe.build_network

        def build_or_die(settings, data):
            if settings["seed"] == 13:
                os._exit(1)
            return build(settings, data)

        glassnet.runs.recipe.build_network = build_or_die


def test_a_dying_worker_and_a_divergence_fail_alone(rng, tmp_path):
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    grid = [
        {"seed": [13]},  # ends its worker process
        {"lr": [0.01, 0.02]},  # healthy
        {"optimizer": ["sgd"], "lr": [1e6]},  # diverges
    ]
    # one worker, no retry: the death takes the only copy of anything held
    # in worker memory, and the scheduler must bring up what the rest needs
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as cluster,
        distributed.Client(cluster, timeout="60s") as client,
    ):
        client.register_plugin(EndWorkerOnSeed13())
        with ThreadPoolExecutor(1) as pool:  # bounded: fails rather than hangs
            result = pool.submit(
                gn.sweep, grid, X, y, base={"epochs": 3, "layers": [8]}, client=client
            ).result(timeout=240)
    statuses = [r["status"] for r in result.results]
    assert statuses == ["failed", "ok", "ok", "failed"], result.results
    killed, diverged = result.results[0], result.results[3]
    assert killed["error"].startswith("KilledWorker: the worker process")
    assert killed["seconds"] is None
    assert re.match(r"diverged in epoch [123] of 3 \(lr 1e\+06\): the (loss|weig)",
                    diverged["error"])  # fmt: skip
    assert result.best_index in (1, 2)
    document = json.loads(result.to_json(tmp_path / "r.json").read_text())
    assert [r["status"] for r in document["results"]] == statuses
    table = result.table()
    assert "KilledWorker" in table and "diverged" in table
    best = gn.load(result.save_best(tmp_path / "best.glassnet"))
    assert best.metadata["config"]["lr"] == result.best_params["lr"]
    assert best.predict(X).shape == (60,)


def test_expand_grid_and_bad_grids():
    grid = expand_grid([{"lr": [1, 2], "epochs": 3}, {"layers": [[8], [4, 4]]}])
    assert grid == [
        {"lr": 1, "epochs": 3},
        {"lr": 2, "epochs": 3},
        {"layers": [8]},
        {"layers": [4, 4]},
    ]
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['rate'\]"):
        expand_grid({"rate": [1]})
    with pytest.raises(TypeError, match="'param_grid'"):
        expand_grid("lr=1")
    with pytest.raises(ValueError, match="'score'"):
        gn.sweep({"lr": [0.1]}, np.zeros((10, 2)), np.arange(10) % 2, score="r2")


def test_all_configurations_failing_has_no_best(digits):
    X, y, _, _ = digits
    result = gn.sweep(
        {"lr": [1e6]}, X, y, base={"epochs": 2, "optimizer": "sgd"}, processes=False
    )
    assert result.results[0]["status"] == "failed" and result.best_index is None
    with pytest.raises(ValueError, match="No configuration of the sweep succeeded"):
        result.best_network()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gridsearchcv_on_the_joblib_dask_backend(digits):
    require("sklearn", "sklearn")
    import joblib
    from sklearn.model_selection import GridSearchCV

    from glassnet.sklearn import MLPClassifier

    X, y, _, _ = digits
    estimator = MLPClassifier(hidden_layer_sizes=(16,), max_iter=15, random_state=0)
    grid = {"learning_rate_init": [0.001, 0.01]}
    local = GridSearchCV(estimator, grid, cv=2).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        on_dask = GridSearchCV(estimator, grid, cv=2, n_jobs=-1).fit(X, y)
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert on_dask.best_params_ == local.best_params_


SWEEP_TOML = """
[train]
data = "digits"
epochs = 3

[[grid]]
lr = [0.003, 0.03]
layers = [[16], [16, 8]]

[[grid]]
optimizer = ["sgd"]
lr = [1e300]

[sweep]
workers = 2
results = "results.csv"
out = "best.glassnet"
"""


def test_cli_sweep_reports_every_configuration_and_saves_the_best(tmp_path):
    (tmp_path / "sweep.toml").write_text(SWEEP_TOML)
    result = run("sweep", "--config", "sweep.toml", "--threads", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("configuration ") == 5
    assert "failed: diverged in epoch " in result.stdout
    assert "4 of 5 configurations succeeded" in result.stdout
    rows = read_csv(tmp_path / "results.csv")
    assert len(rows) == 5 and rows[4]["status"] == "failed"
    model = gn.load(tmp_path / "best.glassnet")
    assert model.metadata["test_metrics"]["accuracy"] > 0.5
    assert model.metadata["sweep"]["best_index"] in range(4)
    result = run(
        "sweep", "--config", "sweep.toml", "--threads", "--json", "--out", "b.gn",
        cwd=tmp_path,
    )  # fmt: skip
    document = json.loads(result.stdout)
    assert len(document["results"]) == 5 and document["best_model"] == "b.gn"
    assert set(document["test"]) == {"loss", "accuracy", "balanced_accuracy"}


def test_cli_sweep_reports_a_diverging_configuration_and_saves_the_best(tmp_path):
    (tmp_path / "s.toml").write_text(
        '[train]\ndata = "xor"\nlayers = [8]\nepochs = 2\noptimizer = "sgd"\n'
        "[grid]\nlr = [0.01, 1e6]\n"
    )
    result = run("sweep", "--config", "s.toml", "--threads", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)  # valid JSON: no NaN anywhere
    ok, diverged = document["results"]
    assert ok["status"] == "ok" and document["best_index"] == 0
    assert diverged["status"] == "failed"
    assert diverged["error"].startswith("diverged in epoch 1 of 2 (lr 1e+06): the ")
    model = gn.load(tmp_path / "sweep-best.glassnet")
    assert model.metadata["sweep"]["results"][1]["error"] == diverged["error"]


def test_ctrl_c_in_a_sweep_keeps_the_finished_configurations(tmp_path):
    (tmp_path / "s.toml").write_text(
        '[train]\ndata = "xor"\nlayers = [8]\n[grid]\nepochs = [1, 100000000]\n'
        '[sweep]\nworkers = 2\nresults = "r.csv"\nout = "best.glassnet"\n'
    )
    # bounded; a loaded machine may need a while to start the worker process
    result = interrupt_after(
        "sweep", "--config", "s.toml", first="configuration", cwd=tmp_path, timeout=240
    )
    assert result.returncode == 130, result.stderr
    assert "sweep interrupted after 1 of 2 configurations; best model so far in " \
        "best.glassnet; results in r.csv" in result.stderr  # fmt: skip
    rows = read_csv(tmp_path / "r.csv")
    assert [row["status"] for row in rows] == ["ok", "pending"]
    assert "pending" in result.stdout  # the table
    model = gn.load(tmp_path / "best.glassnet")
    assert model.metadata["config"]["epochs"] == 1
    assert model.metadata["sweep"]["best_index"] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[train]\nepochs = 1\n", "no [grid] table"),
        ("[grid]\nrate = [1]\n", "unknown setting(s) ['rate']"),
        ("[grid]\nlr = [0.1]\n[sweep]\ncolour = 1\n", "unknown key(s) ['colour']"),
        ("[grid]\nlr = [0.1]\n[train]\nfoo = 1\n", "[train] has unknown"),
        ("[grid\n", "not valid TOML"),
    ],
)
def test_cli_sweep_config_errors(text, message, tmp_path):
    (tmp_path / "s.toml").write_text(text)
    assert_usage_error(run("sweep", "--config", "s.toml", cwd=tmp_path), message)


def test_cli_help_of_the_new_commands(tmp_path):
    for command in ("sweep", "export"):
        result = run(command, "--help", cwd=tmp_path)
        assert result.returncode == 0 and "usage: glassnet" in result.stdout


def test_a_finite_but_exploding_loss_is_a_divergence_in_a_sweep_as_in_train():
    from glassnet.runs.sweep import resolve_settings, train_configuration

    data = load_digits(seed=0)
    base = {"epochs": 5, "optimizer": "sgd", "layers": [16]}
    records = {}
    for lr in (0.001, 1e4):
        settings = resolve_settings(base, {"lr": lr}, "digits")
        records[lr] = train_configuration(settings, data)
    assert records[0.001]["status"] == "ok"
    exploded = records[1e4]
    assert exploded["status"] == "failed", exploded.get("metrics")
    assert exploded["error"].startswith("diverged in epoch "), exploded["error"]
    # the limit: a million times the untrained loss, which for 10 classes
    # starts near the cross-entropy of a uniform guess, ln(10)
    reached = float(re.search(r"reached ([0-9.e+]+)", exploded["error"])[1])
    assert reached > 1e6 * np.log(10) / 2
