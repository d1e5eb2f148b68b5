"""pandas' nullable columns (Int64, Float64, boolean) as X, y and weights.

scikit-learn's ``check_array``, computed in the test, gives the numbers a
frame stands for; glassnet must see the same ones, and a missing value must
be refused as NaN is.
"""

import numpy as np
import pytest
from optional_support import require

pd = require("pandas", "pandas")
require("sklearn", "sklearn")

from sklearn.preprocessing import StandardScaler as SkStandardScaler  # noqa: E402
from sklearn.utils import check_array  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.datasets.scalers import StandardScaler  # noqa: E402

COLUMNS = {
    "Int64": [1, -2, 3, 0, 5, 2],
    "Float64": [0.5, 1.5, -2.0, 0.25, 3.0, -1.0],
    "boolean": [True, False, True, True, False, False],
}


def _frame(with_missing: bool = False):
    frame = pd.DataFrame({name: pd.array(v, dtype=name) for name, v in COLUMNS.items()})
    if with_missing:
        frame.loc[3, "Int64"] = pd.NA
    return frame


def _net(n_inputs=3, loss="mse"):
    out = gn.Dense(4, 1, "identity") if loss == "mse" else gn.Dense(4, 2, "softmax")
    return gn.Network([gn.Dense(n_inputs, 4, "tanh"), out], loss=loss, seed=0)


@pytest.mark.parametrize("dtype", list(COLUMNS))
def test_each_nullable_dtype_beside_another_is_its_numbers(dtype):
    frame = pd.DataFrame(
        {
            "x": pd.array(COLUMNS[dtype], dtype=dtype),
            "y": pd.array([2, 0, 1, 7, -3, 4], dtype="Int8"),
        }
    )
    reference = check_array(frame, dtype=np.float64)
    net = _net(n_inputs=2)
    np.testing.assert_array_equal(net.predict(frame), net.predict(reference))


def test_fit_predict_and_evaluate_take_a_nullable_frame():
    frame = _frame()
    X = check_array(frame, dtype=np.float64)  # scikit-learn's reading of it
    y = pd.Series([0.5, 1.0, -1.0, 0.0, 2.0, 1.5], dtype="Float64")
    w = pd.Series([1, 2, 1, 0, 1, 3], dtype="Int64")
    a, b = _net(), _net()
    a.fit(frame, y, epochs=3, batch_size=2, sample_weight=w, seed=0)
    b.fit(X, y.to_numpy(np.float64), epochs=3, batch_size=2, sample_weight=w, seed=0)
    for ours, ref in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, ref)
    np.testing.assert_array_equal(a.predict(frame), b.predict(X))
    assert a.evaluate(frame, y) == b.evaluate(X, y.to_numpy(np.float64))


def test_nullable_integer_labels_are_class_labels():
    frame = _frame()
    labels = pd.Series([0, 1, 1, 0, 1, 0], dtype="Int64")
    a, b = _net(loss="cross_entropy"), _net(loss="cross_entropy")
    a.fit(frame, labels, epochs=2, seed=0)
    X = check_array(frame, dtype=np.float64)
    b.fit(X, np.array([0, 1, 1, 0, 1, 0]), epochs=2, seed=0)
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_nullable_uint8_pixels_are_scaled_like_numpy_uint8():
    pixels = np.array([[0, 255, 128], [17, 3, 200]], dtype=np.uint8)
    frame = pd.DataFrame({i: pd.array(pixels[:, i], dtype="UInt8") for i in range(3)})
    net = _net()
    np.testing.assert_array_equal(net.predict(frame), net.predict(pixels))


def test_a_missing_value_is_refused_as_nan():
    net = _net()
    y = np.zeros(6)
    # row 3, column 0: the same message as a NaN in a NumPy array
    with pytest.raises(ValueError, match=r"X must be finite\. Got nan at row 3"):
        net.fit(_frame(with_missing=True), y, epochs=1)
    with pytest.raises(ValueError, match=r"X must be finite\. Got nan at row 3"):
        net.predict(_frame(with_missing=True))
    with pytest.raises(ValueError, match="finite"):
        net.evaluate(_frame(), pd.Series([1.0, pd.NA, 0, 0, 0, 0], dtype="Float64"))
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        net.fit(
            _frame(), y, sample_weight=pd.Series([1, pd.NA, 1, 1, 1, 1], dtype="Int64")
        )


def test_text_columns_are_still_refused():
    frame = _frame()
    frame["name"] = ["a", "b", "c", "d", "e", "f"]
    with pytest.raises(TypeError, match="X must be numeric"):
        _net(n_inputs=4).predict(frame)


def test_standard_scaler_takes_a_nullable_frame():
    frame = _frame()
    expected = SkStandardScaler().fit_transform(frame)
    np.testing.assert_allclose(StandardScaler().fit_transform(frame), expected)
