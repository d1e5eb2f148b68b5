"""The data readers on hostile files: linear time, bounded memory, one-line errors.

Every hostile input is built here, small: a few hundred kilobytes at most. Time
limits are checked with a deadline (SIGALRM) relative to a linear reference
where the machine's speed matters, so that the old quadratic code fails fast
instead of running for minutes.
"""

from __future__ import annotations

import csv
import gzip
import signal
import struct
import threading
import time
import tracemalloc
from contextlib import contextmanager

import numpy as np
import pytest
from datasets_support import write_idx

from glassnet.cli import main
from glassnet.datasets import (
    encode_table,
    load_california_housing,
    load_csv,
    load_ilpd,
    read_csv_table,
    read_idx,
)
from glassnet.datasets.preprocessing import Preprocessing
from glassnet.datasets.scalers import FeatureSchema
from glassnet.datasets.split import _stratified_counts, train_test_split

# A message of the readers is one line; this bounds its length with room for
# the path of a temporary file and the five names it may show.
MAX_MESSAGE = 1000


@contextmanager
def deadline(seconds: float):
    """Fail the block with TimeoutError once it has run ``seconds``."""
    usable = hasattr(signal, "setitimer") and (
        threading.current_thread() is threading.main_thread()
    )
    if not usable:  # no SIGALRM (Windows) or not the main thread: no limit
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds:.1f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def seconds(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def assert_one_line(exc: BaseException) -> str:
    message = str(exc)
    assert message, type(exc).__name__
    assert "\n" not in message and len(message) < MAX_MESSAGE, message[:300]
    return message


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


# ---------------------------------------------------------------------------
# Linear time: many columns, many classes


N_WIDE = 50_000


def wide_table(path, n_columns=N_WIDE, n_rows=4):
    """n_columns - 1 numeric feature columns and a 0/1 target 'y'."""
    header = [f"c{j}" for j in range(n_columns - 1)] + ["y"]
    rows = [[str(i)] * (n_columns - 1) + [str(i % 2)] for i in range(n_rows)]
    return write_rows(path, [header, *rows])


def budget(work, n: int, *, shrink: int = 20, slack: float = 4.0) -> float:
    """Seconds ``work(n)`` may take if its time is linear in ``n``: ``slack``
    times ``shrink`` times the time of ``work(n // shrink)`` (best of 3),
    measured now, under the machine's present load. A quadratic ``work``
    takes ``shrink`` times longer than that (here 20 x 20 = 400 x the small
    run against a budget of 80 x), so the old code fails at the deadline
    instead of running for minutes."""
    small = min(seconds(work, n // shrink) for _ in range(3))
    # (at least 3 s: a busy machine can pause any process that long, while
    # the quadratic code takes minutes at these sizes)
    return max(3.0, slack * shrink * small)


def test_a_wide_header_is_read_in_linear_time(tmp_path):
    # Before: header.count(name) for each name, O(50,000^2) comparisons.
    files = {
        n: wide_table(tmp_path / f"wide{n}.csv", n, n_rows=1) for n in (2500, N_WIDE)
    }

    def work(n):
        table = read_csv_table(files[n])
        return [table.column_index(name) for name in table.columns]

    with deadline(budget(work, N_WIDE)):
        positions = work(N_WIDE)
    assert positions == list(range(N_WIDE))


def test_repeated_column_names_are_found_in_linear_time(tmp_path):
    def names(n):
        return [f"c{j % (n // 2)}" for j in range(n)]  # each name twice

    files = {
        n: write_rows(tmp_path / f"d{n}.csv", [names(n), ["1"] * n])
        for n in (2500, N_WIDE)
    }

    def work(n):
        with pytest.raises(ValueError) as info:
            read_csv_table(files[n])
        with pytest.raises(ValueError, match="Got duplicates: 'c0'"):
            FeatureSchema(names(n))
        return info.value

    with deadline(budget(work, N_WIDE)):
        error = work(N_WIDE)
    message = assert_one_line(error)
    assert "column names must be unique; repeated: 'c0', 'c1', 'c10'" in message
    assert f"and {N_WIDE // 2 - 5:,} more" in message


def test_feature_schema_checks_take_linear_time():
    # Before: columns.count in the constructor and list membership in check()
    # and in the constructor's check of 'fill_values': O(n^2) each.
    def work(n):
        names = [f"c{j}" for j in range(n)]
        others = [f"d{j}" for j in range(n)]
        schema = FeatureSchema(names, categories={c: ["a", "b"] for c in names})
        schema.check(names[::-1])
        with pytest.raises(ValueError) as info:
            schema.check(others)
        with pytest.raises(ValueError) as extra:
            FeatureSchema(names, fill_values={c: 0.0 for c in others})
        return schema, info.value, extra.value

    with deadline(budget(work, N_WIDE)):
        schema, error, extra = work(N_WIDE)
    message = assert_one_line(error)
    assert f"missing 'c0', 'c1', 'c2', 'c3', 'c4' and {N_WIDE - 5:,} more" in message
    assert f"unexpected 'd0', 'd1', 'd2', 'd3', 'd4' and {N_WIDE - 5:,} more" in message
    assert f"'d4' and {N_WIDE - 5:,} more." in assert_one_line(extra)
    assert schema.n_features == 2 * N_WIDE


def test_many_columns_load_and_encode(tmp_path):
    path = wide_table(tmp_path / "wide.csv", n_columns=2000)
    data = load_csv(path, target="y", test_size=0.5)
    assert data.X_train.shape == (2, 1999)
    X = encode_table(read_csv_table(path), data.schema, allow_extra=True)
    # Row i holds the value i in every feature column.
    np.testing.assert_array_equal(X, np.arange(4)[:, None] * np.ones((1, 1999)))


def test_stratified_split_of_many_classes_takes_linear_time():
    # 20,000 classes of 21 samples, half of them for testing: 10.5 test samples
    # per class, so the largest remainders decide 10,000 of them. Before, a
    # scan of all samples per class (20,000 x 420,000 comparisons) and an
    # O(k) step per remainder.
    k = 20_000

    def work(n_classes):
        y = np.repeat(np.arange(n_classes), 21)
        return train_test_split(y, y, test_size=0.5, stratify=y)

    with deadline(budget(work, k)):
        _, _, y_train, y_test = work(k)
    per_class = np.bincount(y_test, minlength=k)
    np.testing.assert_array_equal(per_class + np.bincount(y_train, minlength=k), 21)
    # Ties go to the lower class index: classes 0 .. 9,999 get 11 test samples.
    assert per_class.tolist() == [11] * (k // 2) + [10] * (k // 2)


def greedy_counts(counts, n_test):
    """The largest-remainder rule one step at a time, as the split documents it."""
    n = counts.sum()
    ideal = counts * n_test / n
    low = np.where(counts >= 2, 1, 0)
    high = np.where(counts >= 2, counts - 1, 0)
    take = np.clip(np.floor(ideal).astype(np.int64), low, high)
    while take.sum() < n_test:
        take[int(np.argmax(np.where(take < high, ideal - take, -np.inf)))] += 1
    while take.sum() > n_test:
        take[int(np.argmax(np.where(take > low, take - ideal, -np.inf)))] -= 1
    return take


def test_stratified_counts_follow_the_step_by_step_rule(rng):
    checked = 0
    for _ in range(300):
        counts = rng.integers(1, 12, size=rng.integers(1, 15))
        low = int((counts >= 2).sum())
        high = int(np.where(counts >= 2, counts - 1, 0).sum())
        if high < max(low, 1):
            continue  # no feasible test size
        n_test = int(rng.integers(max(low, 1), high + 1))
        expected = greedy_counts(counts, n_test)
        np.testing.assert_array_equal(_stratified_counts(counts, n_test), expected)
        checked += 1
    assert checked > 200


# ---------------------------------------------------------------------------
# Text columns with too many distinct values


def id_table(path, n_rows, *, n_ids=None):
    n_ids = n_rows if n_ids is None else n_ids
    rows = [["id", "x", "y"]] + [
        [f"user{i % n_ids:05d}", str(i % 7), str(i % 2)] for i in range(n_rows)
    ]
    return write_rows(path, rows)


def test_an_identifier_column_is_refused_before_encoding(tmp_path):
    # Before: 3,000 unique IDs became a dense 3,000 x 3,000 one-hot block.
    path = id_table(tmp_path / "ids.csv", 3000)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load_csv(path, target="y")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = assert_one_line(info.value)
    assert "column 'id' has 3,000 distinct values" in message
    assert "more than max_categories=100" in message
    assert "--max-categories" in message
    assert peak < 20e6  # the table's strings, not a 3,000-wide block


@pytest.mark.parametrize(
    ("n_ids", "limit", "ok"), [(100, 100, True), (101, 100, False)]
)
def test_max_categories_bounds_the_distinct_values(tmp_path, n_ids, limit, ok):
    path = id_table(tmp_path / "ids.csv", 400, n_ids=n_ids)
    if not ok:
        with pytest.raises(ValueError, match=f"'id' has {n_ids} distinct values"):
            load_csv(path, target="y", max_categories=limit)
        return
    data = load_csv(path, target="y", max_categories=limit)
    assert data.X_train.shape[1] == n_ids + 1  # one-hot IDs and x
    assert len(data.schema.categories["id"]) == n_ids


def test_max_categories_none_lifts_the_limit_and_bad_values_are_refused(tmp_path):
    path = id_table(tmp_path / "ids.csv", 300)
    data = load_csv(path, target="y", max_categories=None)
    X = np.concatenate([data.X_train, data.X_test])
    assert X.shape == (300, 301) and X.dtype == np.float32
    np.testing.assert_array_equal(X[:, :300].sum(axis=1), 1)  # one-hot rows
    np.testing.assert_array_equal(X[:, :300].sum(axis=0), 1)  # one row per ID
    # The 'categorical' option counts too: integer codes forced to categories.
    codes = write_rows(
        tmp_path / "codes.csv", [["x", "y"]] + [[i % 7, i % 2] for i in range(28)]
    )
    with pytest.raises(ValueError, match="'x' has 7 distinct values"):
        load_csv(codes, target="y", categorical=["x"], max_categories=6)
    assert (
        load_csv(codes, target="y", categorical=["x"], max_categories=7).X_train.shape[
            1
        ]
        == 7
    )
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="'max_categories' parameter must be"):
            load_csv(path, target="y", max_categories=bad)
    with pytest.raises(TypeError, match="'max_categories' parameter must be"):
        load_csv(path, target="y", max_categories="10")


def test_cli_max_categories_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GLASSNET_ACCELERATE", "0")  # no kernel compilation here
    monkeypatch.chdir(tmp_path)
    id_table(tmp_path / "ids.csv", 60, n_ids=12)
    args = ["train", "--data", "ids.csv", "--target", "y", "--epochs", "1"]
    assert main([*args, "--quiet", "--max-categories", "11"]) == 2
    err = capsys.readouterr().err
    assert "'id' has 12 distinct values" in err and "--max-categories 11" in err
    assert main([*args, "--quiet", "--max-categories", "12", "--json"]) == 0
    capsys.readouterr()
    assert main(["train", "--data", "xor", "--max-categories", "5"]) == 2
    err = capsys.readouterr().err
    assert "--max-categories is not an option of the dataset 'xor'" in err
    # glassnet sweep takes it in its [train] table.
    config = tmp_path / "sweep.toml"
    config.write_text(
        '[train]\ndata = "ids.csv"\ntarget = "y"\nmax_categories = 11\n'
        "[grid]\nlr = [0.01, 0.1]\n"
    )
    assert main(["sweep", "--config", str(config), "--quiet"]) == 2
    assert "more than --max-categories 11" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# IDX headers that declare more than the file holds


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize(
    ("dims", "declared"),
    [
        ((0xFF000000 | 10, 28, 28), (0xFF000000 | 10) * 784),  # a flipped byte
        ((1 << 20, 32, 64), 1 << 31),  # 2 GiB: would fit in virtual memory
        ((0xFFFFFFFF,) * 4, 0xFFFFFFFF**4),  # 2**128: overflows int64
    ],
)
def test_declared_sizes_are_checked_before_allocating(tmp_path, suffix, dims, declared):
    path = write_idx(tmp_path / f"images-idx3-ubyte{suffix}", dims, bytes(7840))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = assert_one_line(info.value)
    assert f"expected {declared} payload bytes" in message
    assert "found 7840 (truncated)" in message
    assert peak < 5e6


class CountingReader:
    """A file object that counts the bytes handed out by read()."""

    def __init__(self, f):
        self.f, self.bytes = f, 0

    def read(self, n=-1):
        data = self.f.read(n)
        self.bytes += len(data)
        return data

    def readinto(self, buffer):
        got = self.f.readinto(buffer)
        self.bytes += got or 0
        return got

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def test_gzip_payload_is_decompressed_at_most_one_byte_past_the_declared_size(
    tmp_path, monkeypatch
):
    # 10 declared bytes, 8 MB of zeros behind them (8 kB compressed).
    path = write_idx(tmp_path / "bomb-idx1-ubyte.gz", (10,), bytes(8 << 20))
    readers = []
    real_open = gzip.open

    def counting_open(*args, **kwargs):
        readers.append(CountingReader(real_open(*args, **kwargs)))
        return readers[-1]

    monkeypatch.setattr(gzip, "open", counting_open)
    with pytest.raises(ValueError) as info:
        read_idx(path)
    assert "expected 10 payload bytes" in assert_one_line(info.value)
    assert "too long" in str(info.value)
    assert sum(r.bytes for r in readers) <= 4 + 4 + 10 + 1  # magic, dims, 10 + 1


@pytest.mark.parametrize(
    ("dims", "fragment"),
    [
        ((0, 0xFFFFFFFF, 0xFFFFFFFF), "do not describe an array NumPy can hold"),
        ((1,) * 70, "do not describe an array NumPy can hold"),  # ndim > 64
    ],
)
def test_dimensions_numpy_cannot_hold(tmp_path, dims, fragment):
    path = write_idx(tmp_path / "odd.idx", dims, bytes(int(np.prod(dims))))
    with pytest.raises(ValueError, match=fragment) as info:
        read_idx(path)
    assert_one_line(info.value)


# ---------------------------------------------------------------------------
# Errors that name columns, categories or cells stay one short line


def test_errors_name_a_few_columns_and_count_the_rest(tmp_path):
    path = wide_table(tmp_path / "wide.csv", n_columns=50_000, n_rows=2)
    with pytest.raises(ValueError) as info:
        load_csv(path, target="label")
    message = assert_one_line(info.value)
    assert "has no target column 'label'" in message
    assert "Available columns: 'c0', 'c1', 'c2', 'c3', 'c4' and 49,995 more" in message


def test_a_huge_cell_or_name_is_cut_short_in_messages(tmp_path):
    huge = "x" * 100_000
    rows = [["a", "y"], ["1", "0"], ["2", "1"], ["3", "0"], [huge, "1"]]
    path = write_rows(tmp_path / "cell.csv", rows)
    with pytest.raises(ValueError) as info:
        load_csv(path, target="y", test_size=0.5)
    message = assert_one_line(info.value)
    assert f"line 5, column 'a': expected a number, got '{'x' * 60}'..." in message
    path = write_rows(tmp_path / "name.csv", [[huge, "y"], ["1", "0"]])
    with pytest.raises(ValueError) as info:
        load_csv(path, target="z")
    assert_one_line(info.value)


def test_encoding_errors_name_a_few_categories(tmp_path):
    cats = [f"k{i:04d}" for i in range(5000)]
    schema = FeatureSchema(["c"], categories={"c": cats})
    path = write_rows(tmp_path / "new.csv", [["c"], ["k0001"], ["unseen"]])
    with pytest.raises(ValueError) as info:
        encode_table(read_csv_table(path), schema)
    message = assert_one_line(info.value)
    assert "line 3, column 'c': unknown category 'unseen'" in message
    assert "'k0000', 'k0001', 'k0002', 'k0003', 'k0004' and 4,995 more" in message


def test_unknown_class_labels_are_listed_briefly():
    pre = Preprocessing(classes=[f"class{i}" for i in range(10_000)])
    with pytest.raises(ValueError) as info:
        pre.encode(np.array([f"new{i}" for i in range(10_000)]))
    message = assert_one_line(info.value)
    assert "Unknown class label(s) ['new0', 'new1', 'new10'" in message
    assert "and 9,995 more]" in message and "and 9,990 more]" in message


def test_named_loaders_show_a_wrong_header_briefly(tmp_path):
    names = [f"c{j}" for j in range(50_000)]
    write_rows(tmp_path / "ilpd.csv", [names, ["1"] * 50_000])
    with pytest.raises(ValueError, match="found 50000 columns: 'c0'") as info:
        load_ilpd(tmp_path)
    assert_one_line(info.value)
    write_rows(tmp_path / "housing.csv", [names, ["1"] * 50_000])
    with pytest.raises(ValueError, match="found 50000 columns: 'c0'") as info:
        load_california_housing(tmp_path, source="csv")
    assert_one_line(info.value)


def test_playground_upload_with_many_columns_gets_a_short_error():
    from glassnet.playground.config import Limits, PlaygroundError
    from glassnet.playground.data import read_upload

    content = (",".join(f"c{j}" for j in range(50_000)) + "\n").encode()
    content += (",".join("1" for _ in range(50_000)) + "\n").encode()
    with deadline(10), pytest.raises(PlaygroundError) as info:
        read_upload(content, "wide.csv", "text/csv", Limits())
    message = str(info.value)
    assert "wide.csv has 50000 columns (c0, c1, c2, c3, c4 and 49,995 more)" in message
    assert len(message) < 300


# ---------------------------------------------------------------------------
# Names from a file are printed escaped by the command line

EVIL_FEATURE = "size\x1b[2J"
EVIL_CLASS = "\x1b]0;owned\x07yes"


def evil_model(tmp_path, capsys):
    rows = [["x", EVIL_FEATURE, "label"]] + [
        [str(i), str(i % 3), EVIL_CLASS if i % 2 else "no\nway"] for i in range(20)
    ]
    data = write_rows(tmp_path / "evil.csv", rows)
    write_rows(tmp_path / "inputs.csv", [row[:2] for row in rows])
    model = tmp_path / "evil.glassnet"
    args = ["train", "--data", str(data), "--target", "label", "--epochs", "1"]
    assert main([*args, "--quiet", "--out", str(model)]) == 0
    capsys.readouterr()
    return data, model


def assert_escaped(text: str):
    assert "\x1b" not in text and "\x07" not in text, text[:300]
    assert "\\x1b" in text


def test_cli_prints_names_from_files_escaped(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GLASSNET_ACCELERATE", "0")  # no kernel compilation here
    data, model = evil_model(tmp_path, capsys)
    assert main(["inspect", str(model)]) == 0
    out = capsys.readouterr().out
    assert_escaped(out)
    assert "size\\x1b[2J" in out and "\\x1b]0;owned\\x07yes" in out
    assert "no\\nway" in out
    eval_args = ["evaluate", str(model), "--data", str(data), "--target", "label"]
    assert main(eval_args) == 0
    assert_escaped(capsys.readouterr().out)
    inputs = str(tmp_path / "inputs.csv")
    assert main(["predict", str(model), "--input", inputs, "--proba"]) == 0
    assert_escaped(capsys.readouterr().out)  # the header p(<class>)
    # Predictions are class names: kept as they are in a file written with
    # --out, escaped on the terminal.
    out_file = tmp_path / "p.csv"
    assert main(["predict", str(model), "--input", inputs, "--out", str(out_file)]) == 0
    with open(out_file, newline="") as f:
        written = {row[0] for row in list(csv.reader(f))[1:]}
    assert written <= {EVIL_CLASS, "no\nway"}
    assert main(["predict", str(model), "--input", inputs]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    for name in written:
        assert (
            name.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\n", "\\n")
            in out
        )


def test_cli_error_lines_are_escaped(tmp_path, capsys):
    bad = tmp_path / "no\x1b[2Jsuch.csv"
    assert main(["train", "--data", str(bad), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "no\\x1b[2Jsuch" in err


# ---------------------------------------------------------------------------
# Fuzz: seeded mutations of a small CSV and a small IDX file

BASE_CSV = (
    b"age,color,weight,label\n3,red,4.5,yes\n5,blue,6.0,no\n1,red,3.2,yes\n"
    b"7,green,8.1,no\n2,blue,5.5,yes\n4,red,4.9,no\n6,green,7.7,yes\n8,blue,9.0,no\n"
)
INSERTS = [b",", b'"', b'""', b"\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf",
           b"1e999", b"nan", b"NA", b"?", b"-", b" ", b"\xe2\x80\xae"]  # fmt: skip


def mutate(data: bytes, rng, inserts) -> bytes:
    data = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        kind = int(rng.integers(5))
        at = int(rng.integers(len(data) + 1))
        if kind == 0 and data:  # flip a byte
            data[min(at, len(data) - 1)] = int(rng.integers(256))
        elif kind == 1:  # truncate
            del data[at:]
        elif kind == 2:  # insert a delimiter, quote, newline or odd token
            data[at:at] = inserts[int(rng.integers(len(inserts)))]
        elif kind == 3:  # delete a stretch
            del data[at : at + int(rng.integers(1, 8))]
        else:  # repeat a stretch
            data[at:at] = data[at : at + int(rng.integers(1, 30))]
    return bytes(data)


def expect_value_error(function, *args, **kwargs):
    """Run a reader; any failure must be a one-line ValueError."""
    try:
        return function(*args, **kwargs)
    except ValueError as exc:
        assert_one_line(exc)
        return None


@pytest.mark.slow  # hundreds of files
def test_fuzzed_csv_files_fail_with_one_line_value_errors(tmp_path):
    rng = np.random.default_rng(2024)
    schema = load_csv(
        write_bytes(tmp_path / "base.csv", BASE_CSV), target="label"
    ).schema
    path = tmp_path / "fuzz.csv"
    outcomes = set()
    with deadline(30):
        tracemalloc.start()
        try:
            for case in range(300):
                path.write_bytes(mutate(BASE_CSV, rng, INSERTS))
                with deadline(2):
                    table = expect_value_error(read_csv_table, path)
                    missing = ("error", "drop", "median")[case % 3]
                    data = expect_value_error(
                        load_csv, path, target="label", test_size=0.25, missing=missing
                    )
                    if table is not None:
                        expect_value_error(
                            encode_table, table, schema, allow_extra=True
                        )
                outcomes.add(data is None)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 20e6
    assert outcomes == {True, False}  # some mutated files still load


def write_bytes(path, data):
    path.write_bytes(data)
    return path


def idx_bytes(dims, payload, code=0x08):
    return (
        bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload
    )


BASE_IDX = [
    idx_bytes((12,), bytes(range(12))),
    idx_bytes((3, 4, 5), bytes(range(60))),
    idx_bytes((2, 3), struct.pack(">6h", 1, -2, 3, -4, 5, -6), code=0x0B),
]


def mutate_idx(data: bytes, rng) -> bytes:
    kind = int(rng.integers(3))
    if kind == 0:  # a huge, zero or odd declared dimension
        ndim = data[3]
        if ndim:
            at = 4 + 4 * int(rng.integers(ndim))
            size = int(rng.choice([0, 1, 255, 1 << 16, 1 << 31, 0xFFFFFFFF]))
            size = size if rng.random() < 0.5 else int(rng.integers(1 << 32))
            data = data[:at] + struct.pack(">I", size) + data[at + 4 :]
        return data
    if kind == 1:  # the header's dtype code or number of dimensions
        data = bytearray(data)
        data[int(rng.integers(2, 4))] = int(rng.integers(256))
        return bytes(data)
    return mutate(data, rng, [b"\x00", b"\xff", b"\x00\x00\x08\x03"])


@pytest.mark.slow  # hundreds of files
def test_fuzzed_idx_files_fail_with_one_line_value_errors(tmp_path):
    rng = np.random.default_rng(7)
    outcomes = set()
    with deadline(30):
        tracemalloc.start()
        try:
            for case in range(300):
                data = mutate_idx(BASE_IDX[case % len(BASE_IDX)], rng)
                if case % 2:  # gzip: the mutation inside, or of the stream itself
                    data = gzip.compress(data, mtime=0)
                    if case % 4 == 3:
                        data = mutate(data, rng, [b"\x00", b"\xff"])
                path = write_bytes(tmp_path / f"fuzz{case % 2}.idx", data)
                with deadline(2):
                    out = expect_value_error(read_idx, path)
                if out is not None:
                    assert out.dtype.isnative and out.flags.writeable
                outcomes.add(out is None)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 20e6
    assert outcomes == {True, False}  # some mutated files still read
