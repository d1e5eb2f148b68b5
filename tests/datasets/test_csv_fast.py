"""The column-wise CSV reading: the same cells, numbers and errors as reading
cell by cell, the separator detected or given, and linear speed."""

import csv

import numpy as np
import pytest

from glassnet.datasets import load_csv, read_csv_table
from glassnet.datasets.table import numeric_column


def write(path, text):
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_split_lines_give_the_records_of_the_csv_module(tmp_path):
    # One text read without quotes (split with str.split) and with a quoted
    # cell added (read by csv.reader): the same cells and line numbers.
    body = "a, b ,c\r\n\n1,2,3\n  \n4,\t5 ,NA\n"
    plain = read_csv_table(write(tmp_path / "p.csv", body))
    quoted = read_csv_table(write(tmp_path / "q.csv", body.replace("4,", '"4",')))
    for table in (plain, quoted):
        assert table.columns == ["a", "b", "c"]
        assert table.rows == [["1", "2", "3"], ["4", "5", "NA"]]
        assert table.lines == [3, 5]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_detected_from_the_header(tmp_path, delimiter):
    rows = [["x", "y", "label"], ["1.5", "2", "a"], ["3", "-4e1", "b"]]
    path = tmp_path / "data.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    table = read_csv_table(path)
    assert table.columns == rows[0] and table.rows == rows[1:]
    np.testing.assert_array_equal(numeric_column(table, 1, allow_missing=False),
                                  [2.0, -40.0])  # fmt: skip


def test_a_comma_in_the_header_wins_and_a_delimiter_can_be_given(tmp_path):
    path = write(tmp_path / "d.csv", "a;b,c\n1;2,3\n")
    assert read_csv_table(path).columns == ["a;b", "c"]
    table = read_csv_table(path, delimiter=";")
    assert table.columns == ["a", "b,c"] and table.rows == [["1", "2,3"]]
    one = write(tmp_path / "one.csv", "a\n1\n")
    assert read_csv_table(one).columns == ["a"]
    for bad in ("", ";;", '"', "\n", 5):
        with pytest.raises(ValueError, match="'delimiter' parameter"):
            read_csv_table(path, delimiter=bad)


def test_semicolon_file_loads_as_with_commas(tmp_path):
    text = "age,color,y\n3,red,1\n5,blue,0\n1,red,1\n7,green,0\n"
    a = load_csv(write(tmp_path / "a.csv", text), target="y", test_size=0.5)
    b = load_csv(write(tmp_path / "b.csv", text.replace(",", ";")), target="y",
                 test_size=0.5)  # fmt: skip
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert a.feature_names == b.feature_names


# (digits of other scripts, which float() reads, are not numbers in a CSV:
# tests/datasets/test_csv.py)
CELLS = ["3", "-0.5", "1e-3", "+2", ".5", "NA", "?", "nan", "7E2"]


def test_numbers_have_the_values_python_float_gives(tmp_path):
    path = write(tmp_path / "n.csv", "v\n" + "\n".join(CELLS) + "\n")
    values = numeric_column(read_csv_table(path), 0, allow_missing=True)
    expected = [
        np.nan if c.lower() in ("", "na", "nan", "?") else float(c) for c in CELLS
    ]
    np.testing.assert_array_equal(values, expected)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1_000", "line 4, column 'v': expected a number, got '1_000'"),
        ("abc", "line 4, column 'v': expected a number, got 'abc'"),
        ("inf", "line 4, column 'v': expected a finite number, got 'inf'"),
        ("1e999", "line 4, column 'v': expected a finite number, got '1e999'"),
        ("-nan", "line 4, column 'v': expected a number, got '-nan'"),
    ],
)
def test_the_first_bad_cell_is_named(tmp_path, cell, message):
    path = write(tmp_path / "b.csv", f"v\n1\n2\n{cell}\nNA\nxyz\n")
    with pytest.raises(ValueError, match=message):
        numeric_column(read_csv_table(path), 0, allow_missing=True)


def test_a_missing_cell_before_a_bad_one_is_named_first(tmp_path):
    path = write(tmp_path / "m.csv", "v\n1\nNA\nabc\n")
    with pytest.raises(ValueError, match="line 3, column 'v': missing value 'NA'"):
        numeric_column(read_csv_table(path), 0, allow_missing=False)


def test_numbers_match_pandas_round_trip_parser(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 4)) * 10.0 ** rng.integers(-5, 5, size=(500, 4))
    y = rng.integers(0, 3, size=500)
    path = tmp_path / "r.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "c", "d", "y"])
        writer.writerows(
            [*map(repr, row.tolist()), int(t)] for row, t in zip(X, y, strict=True)
        )
    table = read_csv_table(path)
    reference = pd.read_csv(path)  # pandas 2+: correctly rounded by default
    for j, name in enumerate(table.columns):
        np.testing.assert_array_equal(
            numeric_column(table, j, allow_missing=False), reference[name].to_numpy()
        )
    data = load_csv(path, target="y", test_size=0.2)
    assert data.classes == [0, 1, 2]


def csv_module_table(path, delimiter=","):
    """Header, rows and line numbers as the csv module reads them (the rules:
    cells stripped, blank lines skipped, the first record the header)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        records = [(reader.line_num, [c.strip() for c in r] or [""]) for r in reader]
    records = [(n, r) for n, r in records if r != [""]]
    return records[0][1], [r for _, r in records[1:]], [n for n, _ in records[1:]]


VARIED = "\n \t\n a , b,c \r\n1,2,3\n\n,,\n  \nx\u00a0, \u3000y,NA\r\n4,5,6\n\t\n7,8,9"


@pytest.mark.parametrize("text", [VARIED, VARIED + "\n\n", "v\n1\n \n2\n", "v\n"
                                  "1\n\n\n\n3\n"])  # fmt: skip
def test_column_wise_reading_gives_the_records_of_the_csv_module(tmp_path, text):
    # Blank lines between rows, lines of spaces, non-ASCII spaces, CRLF, a
    # row of empty fields, one column: the cells and line numbers of csv.reader.
    path = write(tmp_path / "v.csv", text)
    header, rows, lines = csv_module_table(path)
    table = read_csv_table(path)
    assert table.columns == header
    assert table.rows == rows and table.lines == lines
    assert table.cell_columns == [list(c) for c in zip(*rows, strict=True)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n\n1,2\n\n \n3\n", "line 6 has 1 fields, expected 2"),
        ("a,b\n1,2\n3,4,5\n6\n", "line 3 has 3 fields, expected 2"),
        ("\n\na\n1\n2,3\n", "line 5 has 2 fields, expected 1"),
        ("\n \n\t\n", "is empty: expected a header row"),
        ("a,b\n\n  \n", "has a header row but no data rows"),
    ],
)
def test_ragged_rows_after_blank_lines_are_named_by_line(tmp_path, text, message):
    for body in (text, text.replace("a,", '"a",')):  # split, and csv.reader
        with pytest.raises(ValueError, match=message):
            read_csv_table(write(tmp_path / "r.csv", body))


def test_integer_targets_are_exact_on_every_path(tmp_path):
    # Unsigned digits (the whole-column path), signed cells and 19-digit ones
    # (the cell-by-cell path): the Python ints of the cells, not rounded.
    big = 2**62 + 1  # not a float64 value: float() would round it
    for cells, expected in (
        (["3", "1", "3", "1"], [1, 3]),
        (["-3", "+1", "-3", "1"], [-3, 1]),
        ([str(big), "7", str(big), "7"], [7, big]),
        ([str(10**19), "7", str(10**19), "7"], [7, 10**19]),
    ):
        text = "x,y\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells))
        data = load_csv(write(tmp_path / "t.csv", text), target="y", test_size=0.5)
        assert data.classes == expected
        assert all(type(c) is int for c in data.classes)
