"""glassnet train/sweep/gradcheck: settings checked before anything runs."""

import json

import numpy as np
import pytest
from cli_support import assert_usage_error, run

import glassnet as gn

#: subprocesses: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'batch_norm = "false"',
            "The 'batch_norm' setting (--batch-norm) of "
            "glassnet train must be true or false (a boolean). Got 'false' (str) "
            "instead.",
        ),
        ('batch_norm = "no"', "Got 'no' (str) instead"),
        (
            'scale = "robust"',
            "The 'scale' setting (--scale) of glassnet train "
            "must be one of 'standard', 'minmax', 'none' or unset. Got 'robust'",
        ),
        ('scale = "MinMax"', "Got 'MinMax' (str) instead"),
        ('lr = "0.01"', "The 'lr' setting (--lr) of glassnet train must be a float"),
        ("seed = 2.5", "The 'seed' setting (--seed) of glassnet train must be"),
        ('optimizer = "nadam"', "The 'optimizer' setting (--optimizer) of"),
        ("layers = [8, 0]", "The 'layers' setting (--layers) of glassnet train"),
        ("dropout = 1.0", "must be a float in the range [0, 1). Got 1.0 instead."),
    ],  # fmt: skip
)
def test_config_values_are_checked(line, message, tmp_path):
    (tmp_path / "run.toml").write_text(f'data = "moons"\nepochs = 1\n{line}\n')
    result = run("train", "--config", "run.toml", cwd=tmp_path)
    assert_usage_error(result, message)
    assert not (tmp_path / "model.glassnet").exists()


def test_a_boolean_batch_norm_from_a_config_file_is_taken(tmp_path):
    (tmp_path / "run.toml").write_text(
        'data = "moons"\nepochs = 1\nlayers = [4]\nbatch_norm = false\n'
    )
    result = run("train", "--config", "run.toml", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    assert [type(layer).__name__ for layer in net.layers] == ["Dense", "Dense"]
    assert net.metadata["config"]["batch_norm"] is False


def test_early_stopping_with_no_validation_split_is_refused(tmp_path):
    result = run(
        "train", "--data", "moons", "--early-stopping", "3",
        "--validation-split", "0", cwd=tmp_path,
    )  # fmt: skip
    assert_usage_error(
        result, "contradictory settings: --early-stopping 3 --validation-split 0: "
    )
    assert not (tmp_path / "model.glassnet").exists()
    # unset, it is 0.1 (the help says so), and that is what is recorded
    result = run(
        "train", "--data", "moons", "--early-stopping", "3", "--epochs", "2",
        "--layers", "4", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    config = gn.load(tmp_path / "model.glassnet").metadata["config"]
    assert (config["early_stopping"], config["validation_split"]) == (3, 0.1)


def test_a_learning_rate_of_0_is_refused(tmp_path):
    result = run("train", "--data", "moons", "--lr", "0", cwd=tmp_path)
    assert_usage_error(result, "The 'lr' setting (--lr) of glassnet train must be "
                       "a float in the range (0, inf)")  # fmt: skip
    assert not (tmp_path / "model.glassnet").exists()
    help_text = run("train", "--help", cwd=tmp_path).stdout
    assert "0, which would train nothing, is refused" in " ".join(help_text.split())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[grid]\nbatch_norm = ["false"]\n',
            "The 'batch_norm' setting of glassnet "
            "sweep must be true or false (a boolean). Got 'false' (str) instead.",
        ),
        ('[grid]\nscale = ["robust"]\n', "The 'scale' setting of glassnet sweep"),
        (
            "[train]\nearly_stopping = 3\n[grid]\nvalidation_split = [0]\n",
            "contradictory settings: --early-stopping 3 --validation-split 0",
        ),
        (
            "[train]\nlr = 0.1\n[grid]\nlr = [0.01]\n",
            "contradictory settings: lr both in the base settings",
        ),
        ("[grid]\nlr = [0.01, 0]\n", "The 'lr' setting (--lr) of glassnet sweep"),
        ('[train]\nmissing = "fill"\n[grid]\nlr = [0.1]\n', "The 'missing' setting"),
        (
            '[grid]\nlr = [0.1]\n[sweep]\nprocesses = "false"\n',
            "The 'processes' parameter of the [sweep] table of glassnet sweep must "
            "be true or false (a boolean). Got 'false' instead.",
        ),
        ("[grid]\nlr = [0.1]\n[sweep]\nworkers = 0\n", "The 'workers' parameter"),
    ],  # fmt: skip
)
def test_sweep_settings_are_checked_before_anything_runs(text, message, tmp_path):
    (tmp_path / "s.toml").write_text(text)
    result = run("sweep", "--config", "s.toml", cwd=tmp_path)
    assert_usage_error(result, message)
    assert not (tmp_path / "sweep-best.glassnet").exists()


def test_gradcheck_of_a_model_trained_on_a_csv_file(tmp_path):
    rng = np.random.default_rng(0)
    X = np.round(rng.normal(size=(30, 2)), 3)
    labels = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")  # text labels
    lines = ["a,b,y", *(f"{a},{b},{c}" for (a, b), c in zip(X, labels, strict=True))]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    trained = run(
        "train", "--data", "t.csv", "--target", "y", "--layers", "3",
        "--epochs", "2", "--out", "m.glassnet", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    for flags in ([], ["--target", "y"]):  # the training file: its target known
        result = run("gradcheck", "m.glassnet", "--data", "t.csv", *flags,
                     "--samples", "4", "--json", cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        document = json.loads(result.stdout)
        assert document["passed"] and len(document["checks"]) == 4
    # another file with the same columns: its rows, with --target
    (tmp_path / "other.csv").write_text("\n".join(lines[:9]) + "\n")
    result = run("gradcheck", "m.glassnet", "--data", "other.csv", "--target", "y",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "passed"
    result = run("gradcheck", "m.glassnet", "--data", "other.csv", cwd=tmp_path)
    assert_usage_error(result, "--target is required with a CSV file")
    result = run("gradcheck", "--data", "t.csv", cwd=tmp_path)  # no model
    assert_usage_error(result, "--data and --target apply to a saved model")
