"""SweepResult.to_frame: the table as a pandas DataFrame."""

import math
import sys

import numpy as np
import pytest

from glassnet.runs.sweep_results import SweepResult


def _result():
    result = SweepResult(
        [{"lr": 0.01, "layers": [8]}, {"lr": 0.1, "layers": [8, 4]}, {"lr": 1.0}],
        "classification",
        None,
    )
    result.add(
        0,
        {
            "status": "ok",
            "seconds": 1.5,
            "metrics": {"accuracy": 0.75, "loss": 0.5},
            "epochs": 10,
            "model": b"m0",
        },
    )
    result.add(
        1,
        {
            "status": "ok",
            "seconds": 2.0,
            "metrics": {"accuracy": 0.875, "loss": 0.25},
            "epochs": 7,
            "model": b"m1",
        },
    )
    result.add(2, {"status": "failed", "seconds": 0.1, "error": "ValueError: x"})
    return result


def test_to_frame_columns_and_values():
    pytest.importorskip("pandas")
    frame = _result().to_frame()
    assert list(frame.index) == [0, 1, 2]
    assert list(frame.columns) == [
        "lr", "layers", "status", "accuracy", "val_accuracy", "val_loss",
        "epochs_run", "seconds", "error", "best",
    ]  # fmt: skip
    assert frame["lr"].tolist() == [0.01, 0.1, 1.0]
    assert frame.loc[1, "layers"] == [8, 4]
    assert frame["status"].tolist() == ["ok", "ok", "failed"]
    assert frame.loc[1, "accuracy"] == 0.875 and math.isnan(frame.loc[2, "accuracy"])
    assert frame.loc[0, "val_loss"] == 0.5
    assert frame["best"].tolist() == [False, True, False]
    assert frame.loc[2, "error"] == "ValueError: x"
    assert frame.loc[0, "epochs_run"] == 10
    # the best row is the one the result reports
    assert frame["accuracy"].idxmax() == _result().best_index
    assert np.isclose(frame["seconds"].sum(), 3.6)


def test_to_frame_without_pandas_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ModuleNotFoundError, match=r"glassnet\[dataframe\]"):
        _result().to_frame()
