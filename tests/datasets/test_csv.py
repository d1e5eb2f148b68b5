"""load_csv, read_csv_table and encode_table on small hand-written files."""

import numpy as np
import pytest

from glassnet.datasets import encode_table, load_csv, read_csv_table
from glassnet.datasets.scalers import FeatureSchema


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PETS = """\
age,color,weight,adopted
3,red,4.5,yes
5,blue,6.0,no
1,red,3.2,yes
7,green,8.1,no
2,blue,5.5,yes
4,red,4.9,no
6,green,7.7,yes
8,blue,9.0,no
"""


def test_numeric_categorical_and_string_target(tmp_path):
    data = load_csv(write(tmp_path, PETS), target="adopted", test_size=0.25)
    assert data.feature_names == [
        "age",
        "color=blue",
        "color=green",
        "color=red",
        "weight",
    ]
    assert data.target_names == ["no", "yes"]
    assert data.task == "classification" and data.name == "data"
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert (len(data.y_train), len(data.y_test)) == (6, 2)
    assert sorted(data.y_test.tolist()) == [0, 1]  # stratified: 4 yes, 4 no
    # Each row, read by hand from PETS, with its code (no = 0, yes = 1).
    rows = {
        3: ([3, 0, 0, 1, 4.5], 1),
        5: ([5, 1, 0, 0, 6.0], 0),
        7: ([7, 0, 1, 0, 8.1], 0),
    }
    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    for age, (features, code) in rows.items():
        i = int(np.flatnonzero(X[:, 0] == age)[0])
        np.testing.assert_allclose(X[i], features, rtol=1e-6)
        assert y[i] == code
    assert data.schema.categories == {"color": ["blue", "green", "red"]}


@pytest.mark.parametrize(
    ("values", "task", "names"),
    [
        (["1", "2", "10"] * 3, "classification", ["1", "2", "10"]),  # numeric order
        (["0.5", "1.5", "2.25"] * 3, "regression", None),
        ([str(v) for v in range(25)], "regression", None),  # 25 > 20 values
        (
            [str(v) for v in range(20)] * 2,
            "classification",
            [str(v) for v in range(20)],
        ),
    ],
)
def test_task_auto(tmp_path, values, task, names):
    text = "x,y\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values))
    data = load_csv(write(tmp_path, text), target="y", test_size=0.5)
    assert data.task == task
    assert data.target_names == names
    if task == "regression":
        assert data.y_train.dtype == np.float32
        got = sorted(np.concatenate([data.y_train, data.y_test]).tolist())
        assert got == sorted(float(v) for v in values)


def test_explicit_task_and_categorical(tmp_path):
    text = "zip,y\n" + "".join(f"{z},{v}\n" for z, v in [(10, 1), (20, 2), (10, 3)] * 2)
    data = load_csv(
        write(tmp_path, text),
        target="y",
        task="regression",
        categorical=["zip"],
        test_size=2,
    )
    assert data.feature_names == ["zip=10", "zip=20"]
    with pytest.raises(ValueError, match="needs a numeric target.*'a'"):
        load_csv(write(tmp_path, "x,y\n1,a\n2,b\n3,a\n"), target="y", task="regression")


def test_quotes_bom_and_blank_lines(tmp_path):
    text = (
        '\ufeffname,x,y\n"Smith, J",1,0\n\n"Doe, A",2,1\n"Roe, B",3,0\n"Poe, E",4,1\n'
    )
    data = load_csv(write(tmp_path, text), target="y", test_size=2)
    assert data.feature_names[:2] == ["name=Doe, A", "name=Poe, E"]
    table = read_csv_table(tmp_path / "data.csv")
    assert table.columns == ["name", "x", "y"]
    assert table.lines == [2, 4, 5, 6]  # the blank line 3 is skipped


# --- errors ------------------------------------------------------------------

AGES = "id,age,y\n" + "".join(f"{i},{20 + i},{i % 2}\n" for i in range(1, 9))


def test_bad_number_names_file_line_and_column(tmp_path):
    lines = AGES.splitlines(keepends=True)
    lines[6] = "6,abc,1\n"  # line 7 of the file
    path = write(tmp_path, "".join(lines))
    with pytest.raises(
        ValueError,
        match=r"data.csv, line 7, column 'age': expected a number, got 'abc'",
    ):
        load_csv(path, target="y")


@pytest.mark.parametrize("literal", ["inf", "-Infinity", "1e999"])
def test_infinite_values_are_rejected(tmp_path, literal):
    lines = AGES.splitlines(keepends=True)
    lines[3] = f"3,{literal},1\n"
    with pytest.raises(
        ValueError,
        match=f"line 4, column 'age': expected a finite number, got '{literal}'",
    ):
        load_csv(write(tmp_path, "".join(lines)), target="y")


def test_ragged_row(tmp_path):
    path = write(tmp_path, "a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,2,1\n")
    with pytest.raises(ValueError, match="data.csv, line 5 has 3 fields, expected 4"):
        load_csv(path, target="y")


def test_unknown_target_lists_columns(tmp_path):
    with pytest.raises(
        ValueError,
        match="has no target column 'label'. Available columns: 'id', 'age', 'y'",
    ):
        load_csv(write(tmp_path, AGES), target="label")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "data.csv is empty"),
        ("\n\n", "data.csv is empty"),
        ("a,b\n", "data.csv has a header row but no data rows"),
        ("a,a\n1,2\n", "line 1: column names must be unique; repeated: 'a'"),
        ("a,,y\n1,2,3\n", "column 2 of the header has an empty name"),
    ],
)
def test_empty_and_bad_headers(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_csv(write(tmp_path, text), target="a")


def test_single_class(tmp_path):
    path = write(tmp_path, "x,y\n1,yes\n2,yes\n3,yes\n")
    with pytest.raises(ValueError, match="column 'y' has a single class 'yes'"):
        load_csv(path, target="y")


@pytest.mark.parametrize("token", ["", "NA", "NaN", "nan", "?"])
def test_missing_value_is_an_error_by_default(tmp_path, token):
    lines = AGES.splitlines(keepends=True)
    lines[2] = f"2,{token},0\n"
    with pytest.raises(
        ValueError, match=f"line 3, column 'age': missing value '{token}'.*missing="
    ):
        load_csv(write(tmp_path, "".join(lines)), target="y")


def test_missing_drop_and_median(tmp_path):
    lines = AGES.splitlines(keepends=True)
    lines[2] = "2,?,0\n"  # id 2 has no age
    path = write(tmp_path, "".join(lines))
    dropped = load_csv(path, target="y", missing="drop", test_size=2)
    assert len(dropped.y_train) + len(dropped.y_test) == 7
    assert 2 not in np.concatenate([dropped.X_train, dropped.X_test])[:, 0]
    filled = load_csv(path, target="y", missing="median", test_size=2, seed=3)
    X = np.concatenate([filled.X_train, filled.X_test])
    assert len(X) == 8
    # Ages are id + 20; the fill is the median age of the other training rows.
    train = filled.X_train
    known = train[train[:, 0] != 2][:, 1]
    expected = float(np.median(known))
    assert filled.schema.fill_values["age"] == expected
    assert X[X[:, 0] == 2][0, 1] == np.float32(expected)


def test_missing_category_gets_most_frequent(tmp_path):
    text = "c,y\nred,0\nred,1\nblue,0\nNA,1\nred,0\nblue,1\n"
    data = load_csv(write(tmp_path, text), target="y", missing="median", test_size=2)
    assert data.schema.fill_values["c"] in ("red", "blue")
    X = np.concatenate([data.X_train, data.X_test])
    assert np.all(X.sum(axis=1) == 1)  # one category per row, none left empty


def test_row_of_empty_fields_is_not_a_blank_line(tmp_path):
    path = write(tmp_path, "x,y\n1,0\n,\n2,1\n")
    with pytest.raises(ValueError, match="line 3, column 'x': missing value ''"):
        load_csv(path, target="y")


def test_missing_target_rows_are_dropped_under_median(tmp_path):
    text = "x,y\n1,0\n2,1\n3,\n4,0\n5,1\n"
    data = load_csv(write(tmp_path, text), target="y", missing="median", test_size=2)
    assert sorted(np.concatenate([data.X_train, data.X_test])[:, 0]) == [1, 2, 4, 5]


def test_bad_options(tmp_path):
    path = write(tmp_path, AGES)
    with pytest.raises(ValueError, match="'missing' parameter must be one of"):
        load_csv(path, target="y", missing="mean")
    with pytest.raises(ValueError, match="'task' parameter must be one of"):
        load_csv(path, target="y", task="ranking")
    with pytest.raises(TypeError, match="'target' parameter must be a column name"):
        load_csv(path, target=2)
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        load_csv(tmp_path / "nope.csv", target="y")
    with pytest.raises(ValueError, match="no column listed in 'categorical' 'zip'"):
        load_csv(path, target="y", categorical=["zip"])


# --- prediction inputs ---------------------------------------------------------


def test_encode_prediction_file_like_training(tmp_path):
    data = load_csv(write(tmp_path, PETS), target="adopted")
    new = write(tmp_path, "weight,color,age\n5.0,green,2\n6.5,red,9\n", "new.csv")
    X = encode_table(read_csv_table(new), data.schema)
    np.testing.assert_allclose(X, [[2, 0, 1, 0, 5.0], [9, 0, 0, 1, 6.5]])
    assert X.dtype == np.float32


def test_prediction_file_errors(tmp_path):
    schema = FeatureSchema(["age", "color"], categories={"color": ["blue", "red"]})
    wrong = write(tmp_path, "age,colour\n1,red\n", "wrong.csv")
    with pytest.raises(ValueError, match="missing 'color'; unexpected 'colour'"):
        encode_table(read_csv_table(wrong), schema)
    unknown = write(tmp_path, "age,color\n1,red\n2,pink\n", "unknown.csv")
    with pytest.raises(
        ValueError, match="unknown.csv, line 3, column 'color': unknown category 'pink'"
    ):
        encode_table(read_csv_table(unknown), schema)
    gap = write(tmp_path, "age,color\n,red\n", "gap.csv")
    with pytest.raises(ValueError, match="line 2, column 'age': missing value ''"):
        encode_table(read_csv_table(gap), schema)
    filled = FeatureSchema(
        ["age", "color"],
        categories={"color": ["blue", "red"]},
        fill_values={"age": 30.0, "color": "red"},
    )
    np.testing.assert_array_equal(
        encode_table(read_csv_table(gap), filled), [[30.0, 0.0, 1.0]]
    )
    extra = write(tmp_path, "age,color,y\n1,red,0\n", "extra.csv")
    assert encode_table(read_csv_table(extra), schema, allow_extra=True).shape == (1, 3)


def test_read_csv_table_without_header(tmp_path):
    path = write(tmp_path, "1,2\n3,4\n", "plain.csv")
    table = read_csv_table(path, columns=["a", "b"])
    assert table.columns == ["a", "b"] and table.rows == [["1", "2"], ["3", "4"]]
    assert table.lines == [1, 2]


# -- numbers: the CSV grammar, exact integers ----------------------------------------
@pytest.mark.parametrize(
    "cell, value",
    [("3", 3.0), ("+3", 3.0), ("-0.5", -0.5), (".5", 0.5), ("5.", 5.0),
     ("1E-3", 0.001), ("inf", float("inf")), ("-Infinity", float("-inf"))],
)  # fmt: skip
def test_the_csv_number_grammar_accepts(cell, value):
    from glassnet.datasets.table import as_float

    assert as_float(cell) == value


@pytest.mark.parametrize(
    "cell",
    ["1_000", "1_0", "١٢", "１２", "0x10", "1e", "e3", ".", "+", "1.2.3", "in f"],
)
def test_what_float_accepts_beyond_the_grammar_is_not_a_number(tmp_path, cell):
    from glassnet.datasets.table import as_float, as_int

    assert as_float(cell) is None and as_int(cell) is None
    lines = AGES.splitlines(keepends=True)
    lines[3] = f"3,{cell},1\n"  # one odd cell in a numeric column
    with pytest.raises(ValueError, match=r"line 4, column 'age': expected a number"):
        load_csv(write(tmp_path, "".join(lines)), target="y")


def test_a_column_of_underscored_numbers_is_text_not_numbers(tmp_path):
    rows = "".join(f"1_0{i},{i % 2},{'ab'[i % 2]}\n" for i in range(10))
    data = load_csv(write(tmp_path, "code,x,y\n" + rows), target="y", test_size=0.2)
    # one-hot: ten categories and x, not one column of 100..109
    assert data.n_features == 11
    assert "code=1_00" in data.feature_names


@pytest.mark.parametrize("base", [2**53, 2**63 - 2, 2**64])
def test_integer_targets_are_read_exactly(tmp_path, base):
    labels = [base, base + 1, base + 2]  # one float64 for two of them
    rows = "".join(f"{i % 7},{labels[i % 3]}\n" for i in range(99))
    data = load_csv(write(tmp_path, "x,y\n" + rows), target="y", test_size=1 / 3)
    assert data.classes == labels
    assert all(type(c) is int for c in data.classes)
    assert data.target_names == [str(v) for v in labels]
    for X, y in ((data.X_train, data.y_train), (data.X_test, data.y_test)):
        assert np.bincount(y, minlength=3).tolist() == [len(y) // 3] * 3
        # row i has x = i % 7 and label i % 3: codes follow the labels
        assert X.shape == (len(y), 1)


# -- the number of classes of a target is capped --------------------------------------
def test_a_text_target_with_too_many_classes_is_refused_before_allocating(tmp_path):
    import time
    import tracemalloc

    rows = "".join(f"{i % 10},{i % 7},id{i % 15000}\n" for i in range(30_000))
    path = write(tmp_path, "a,b,y\n" + rows)
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(ValueError) as info:
            load_csv(path, target="y", test_size=0.5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert "'y'" in message and "15,000" in message and "max_categories=100" in message
    assert "\n" not in message
    assert peak < 100e6 and time.monotonic() - start < 20


def test_the_class_cap_covers_numeric_targets_and_can_be_raised(tmp_path):
    rows = "".join(f"{i % 5},{i % 150}\n" for i in range(300))
    path = write(tmp_path, "x,y\n" + rows)
    with pytest.raises(ValueError, match=r"'y' has 150 distinct .*max_categories=100"):
        load_csv(path, target="y", task="classification")
    data = load_csv(
        path, target="y", task="classification", max_categories=150, test_size=0.5
    )
    assert data.classes == list(range(150))
    assert load_csv(path, target="y").task == "regression"  # auto: too many
    few = write(
        tmp_path, "x,y\n" + "".join(f"{i},c{i % 3}\n" for i in range(9)), "f.csv"
    )
    with pytest.raises(ValueError, match=r"3 distinct values.*max_categories=2"):
        load_csv(few, target="y", max_categories=2)
