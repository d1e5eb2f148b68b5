"""A run's settings: every one checked for type and values before anything runs."""

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.runs.recipe import DEFAULTS, complete_settings
from glassnet.runs.sweep import resolve_settings

#: (setting, a wrong value) -- at least one for every key of DEFAULTS; the
#: message must name the setting and what was received.
BAD = [
    ("data", 5),
    ("target", 3),
    ("missing", "fill"),
    ("max_categories", "10"),
    ("max_categories", 0),
    ("n_samples", 10.5),
    ("noise", "0.1"),
    ("test_size", 1.5),
    ("layers", ["8"]),
    ("layers", [8, 0]),
    ("layers", 0.5),
    ("activation", "swish"),
    ("activation", ["relu", 3]),
    ("output", "soft"),
    ("loss", "hinge"),
    ("optimizer", "nadam"),
    ("optimizer", None),
    ("lr", "0.01"),
    ("lr", -0.1),
    ("lr", float("inf")),
    ("epochs", 0),
    ("epochs", True),
    ("epochs", 2.5),
    ("batch_size", -1),
    ("l1", -0.1),
    ("l2", "x"),
    ("dropout", 1.0),
    ("batch_norm", "false"),
    ("batch_norm", "no"),
    ("batch_norm", 1),
    ("early_stopping", 1.5),
    ("early_stopping", True),
    ("validation_split", 1.0),
    ("validation_split", "0.1"),
    ("scale", "robust"),
    ("scale", "MinMax"),
    ("seed", -1),
    ("seed", "7"),
    ("out", 3),
    ("plots", False),
]


def test_every_setting_is_checked():
    assert {key for key, _ in BAD} == set(DEFAULTS)


@pytest.mark.parametrize(("key", "value"), BAD, ids=lambda v: repr(v))
def test_a_wrong_value_names_the_setting_and_the_value(key, value):
    with pytest.raises((TypeError, ValueError)) as caught:
        complete_settings({key: value}, "glassnet train", flags=True)
    message = str(caught.value)
    flag = {"output": "--output-activation"}.get(key, "--" + key.replace("_", "-"))
    assert message.startswith(f"The '{key}' setting ({flag}) of glassnet train ")
    assert f"Got {value!r}" in message and message.endswith("instead.")


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("batch_norm", "false", "true or false (a boolean)"),
        ("scale", "MinMax", "one of 'standard', 'minmax', 'none'"),
        ("missing", "fill", "one of 'error', 'median', 'drop'"),
        ("dropout", 1.0, "a float in the range [0, 1)"),
        ("epochs", 0, "an int in the range [1, inf)"),
    ],
)
def test_the_message_says_what_is_allowed(key, value, allowed):
    with pytest.raises((TypeError, ValueError), match=re.escape(allowed)):
        complete_settings({key: value}, "glassnet train")


def test_good_values_are_typed_and_completed():
    settings = complete_settings(
        {"lr": 1, "layers": "8,4", "batch_norm": np.bool_(True), "data": "moons"},
        "glassnet train",
    )
    assert settings["lr"] == 1.0 and isinstance(settings["lr"], float)
    assert settings["layers"] == [8, 4] and settings["batch_norm"] is True
    # unset: no validation split without early stopping; tables are standardized
    assert settings["validation_split"] == 0.0 and settings["scale"] == "standard"
    assert complete_settings({"layers": 16}, "sweep")["layers"] == [16]
    assert complete_settings({"activation": "TANH"}, "sweep")["activation"] == "TANH"


def test_early_stopping_without_a_validation_split_is_a_contradiction():
    with pytest.raises(ValueError, match=r"^contradictory settings: --early-stop"
                       r"ping 3 --validation-split 0: "):  # fmt: skip
        complete_settings({"early_stopping": 3, "validation_split": 0}, "x")
    # unset: 0.1 with early stopping, as documented; given: kept
    assert complete_settings({"early_stopping": 3}, "x")["validation_split"] == 0.1
    given = {"early_stopping": 3, "validation_split": 0.25}
    assert complete_settings(given, "x")["validation_split"] == 0.25


def test_batch_norm_with_one_sample_per_batch_is_a_contradiction():
    with pytest.raises(ValueError, match="^contradictory settings: --batch-norm "
                       "--batch-size 1: "):  # fmt: skip
        complete_settings({"batch_norm": True, "batch_size": 1}, "x")
    assert complete_settings({"batch_norm": True, "batch_size": 0}, "x")


def test_a_sweep_setting_in_the_base_and_the_grid_is_refused():
    with pytest.raises(ValueError, match=r"contradictory settings: lr both in"):
        resolve_settings({"lr": 0.1}, {"lr": 0.01}, "digits")
    with pytest.raises(ValueError, match="contradictory settings: --early-stopping"):
        resolve_settings({"early_stopping": 2}, {"validation_split": 0}, "digits")


@pytest.mark.parametrize(
    ("grid", "base", "message"),
    [
        ({"batch_norm": ["false"]}, {}, "The 'batch_norm' setting of sweep must be"),
        ({"scale": ["robust"]}, {}, "The 'scale' setting of sweep must be one of"),
        ({"lr": [0.1, "0.01"]}, {}, "The 'lr' setting of sweep must be a float"),
        ({"validation_split": [0]}, {"early_stopping": 3}, "contradictory settings"),
        (
            {"output": ["identity"]},
            {},
            "contradictory settings: --output-activation identity",
        ),
    ],
)
def test_a_sweep_refuses_bad_settings_before_anything_runs(grid, base, message):
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    # the scheduler address is never reached: nothing is started
    with pytest.raises((TypeError, ValueError), match=message):
        gn.sweep(grid, X, y, base=base, scheduler="tcp://192.0.2.1:1")


def test_an_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="'colour' is not a setting of sweep"):
        complete_settings({"colour": "red"}, "sweep")
