"""Reading comma-separated tables and turning their cells into numbers.

The rules, shared by :func:`glassnet.datasets.load_csv`, the ILPD and
California-housing loaders and prediction input files:

- UTF-8 text (a leading byte-order mark is ignored), separated by commas
  (or ``;``, tabs or ``|``, detected from the header line), fields may be
  quoted; the first row is the header unless column names are given;
  cells are stripped of surrounding spaces; blank lines are skipped (a line
  of empty fields such as ``,,`` is a row of missing values).
- Every row must have as many fields as the header.
- A cell is *missing* when it is empty or one of ``NA``, ``NaN``, ``?``
  (case-insensitive).
- A *numeric* cell is a decimal or scientific literal in ASCII: an optional
  sign, digits with an optional decimal point, an optional exponent
  (``3``, ``+3``, ``-0.5``, ``.5``, ``5.``, ``1e-3``), nothing else.
  Python's ``float()`` accepts more, which is refused here as not a number:
  digit-group underscores (``1_000``), digits of other scripts (``١٢``,
  ``１２``), hexadecimal. ``inf``, ``infinity`` (any case, with a sign) and
  values that overflow to infinity are numbers, but not finite ones: an
  error in a numeric column. (Spaces around a cell were stripped when the
  file was read; ``NaN`` is a missing cell.)
- An *integer* cell (an optional sign and digits only) is read exactly:
  :func:`as_int` gives the Python int, so ``9007199254740993`` is not
  rounded to the float ``9007199254740992``.

Errors are ValueError messages of the form
``"data.csv, line 7, column 'age': expected a number, got 'abc'"``, with the
1-based line number in the file. They are one line whatever the file holds:
names and cells are quoted with ``repr`` (control characters escaped) and cut
to 60 characters, and a list of offending names shows the first five and how
many more there are.

Every step takes time linear in the size of the file (names are looked up in
dictionaries, never searched in lists). Columns are converted whole, by NumPy
and C-level calls; cells are read one by one only to name the first bad one.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import operator
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from glassnet.core._validation import short_repr, some_names
from glassnet.datasets._checks import check_file
from glassnet.datasets.scalers import FeatureSchema

MISSING_TOKENS = frozenset({"", "na", "nan", "?"})

#: The CSV number grammar (ASCII only: ``re.ASCII`` keeps ``\d`` to 0-9).
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
#: An integer cell: an optional sign and ASCII digits.
INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
#: The words of an infinite value (a number, refused as not finite).
INFINITIES = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


@dataclass(frozen=True, eq=False)
class CsvTable:
    """The cells of a CSV file, as stripped strings, held column by column.

    Attributes
    ----------
    path : str
        The file, as given (used in error messages).
    columns : list of str
        Column names, unique.
    cell_columns : list of list of str
        One list of ``n_rows`` cells per column, in the order of ``columns``.
    lines : list of int
        The 1-based line number in the file of each row.
    """

    path: str
    columns: list[str]
    cell_columns: list[list[str]]
    lines: list[int]

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(self.lines)

    @cached_property
    def rows(self) -> list[list[str]]:
        """One list of ``len(columns)`` cells per data row (built on first use)."""
        return [list(row) for row in zip(*self.cell_columns, strict=True)]

    @cached_property
    def cache(self) -> dict:
        """Columns already converted, by the functions of this module (a dict)."""
        return {}

    @cached_property
    def positions(self) -> dict[str, int]:
        """Column name -> position, for lookups in constant time."""
        return {name: j for j, name in enumerate(self.columns)}

    def column_index(self, name: str, what: str = "column") -> int:
        """Position of column ``name``.

        Parameters
        ----------
        name : str
            The column's name.
        what : str, default "column"
            What the column is, for the error message (e.g. "target column").

        Returns
        -------
        int
            The column's position, from 0.

        Raises
        ------
        ValueError
            If the table has no such column; the message names a few.
        """
        j = self.positions.get(name)
        if j is None:
            raise ValueError(
                f"{self.path} has no {what} {short_repr(name)}. Available columns: "
                f"{some_names(self.columns)}."
            )
        return j

    def where(self, row: int, col: int) -> str:
        """Where a cell is, for error messages.

        Parameters
        ----------
        row : int
            The data row, from 0.
        col : int
            The column, from 0.

        Returns
        -------
        str
            ``"path, line N, column 'name'"``, with the file's line number.
        """
        return (
            f"{self.path}, line {self.lines[row]}, column "
            f"{short_repr(self.columns[col])}"
        )


#: Separators recognised in the header line when none is given.
DELIMITERS = (",", ";", "\t", "|")


def read_csv_table(
    path: str | os.PathLike, *, columns=None, delimiter: str | None = None
) -> CsvTable:
    """Read a CSV file into a :class:`CsvTable` (no conversion of cells).

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.
    columns : list of str, optional
        Column names of a file without a header row; by default the first
        non-blank row is the header.
    delimiter : str, optional
        The field separator, one character. By default it is detected from
        the first non-blank line: a comma if that line has one (outside
        quotes), else the most frequent of ``;``, tab and ``|`` (ties in that
        order), else a comma (a single column).

    Returns
    -------
    CsvTable
        The header and the cells, as text.

    Raises
    ------
    ValueError
        Empty file, header without data rows, empty or duplicate column names,
        a row with a different number of fields ("data.csv, line 5 has 3
        fields, expected 4"), text that is not UTF-8 or malformed quoting, a
        ``delimiter`` that is not one character (or is a quote or newline).
    """
    path = check_file(path)
    name = str(path)
    if delimiter is not None:
        check_delimiter(delimiter)
    header = None
    if columns is not None:
        header = [str(c) for c in columns]
        _check_header(header, "The 'columns' parameter", None)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not UTF-8 text ({exc}).") from exc
    if delimiter is None:
        delimiter = detect_delimiter(text)
    table = _plain_table(text, delimiter, name, header)
    if table is None:  # quotes, NUL or lone CR: the csv module's parser
        table = _records_table(_csv_records(text, delimiter, name), name, header)
    return table


def _no_rows(name: str, header_given: bool) -> ValueError:
    what = "no rows" if header_given else "a header row but no data rows"
    return ValueError(f"{name} has {what}.")


def _ragged(name: str, line: int, fields: int, expected: int) -> ValueError:
    return ValueError(
        f"{name}, line {line} has {fields} fields, expected {expected}, one per column."
    )


def _records_table(records, name: str, header: list[str] | None) -> CsvTable:
    """The table of ``(line number, stripped cells)`` records: blank lines
    skipped, the first record the header unless one is given."""
    header_given = header is not None
    rows: list[list[str]] = []
    lines: list[int] = []
    for line, cells in records:
        if len(cells) == 1 and not cells[0]:
            continue  # a blank line
        if header is None:
            header = cells
            _check_header(header, name, line)
            continue
        if len(cells) != len(header):
            raise _ragged(name, line, len(cells), len(header))
        rows.append(cells)
        lines.append(line)
    if header is None:
        raise ValueError(f"{name} is empty: expected a header row and data rows.")
    if not rows:
        raise _no_rows(name, header_given)
    return CsvTable(name, header, [list(c) for c in zip(*rows, strict=True)], lines)


def check_delimiter(delimiter) -> str:
    """``delimiter`` if it is one character other than a quote or newline."""
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise ValueError(
            "The 'delimiter' parameter must be one character other than a quote "
            f"or newline, such as ',' or ';'. Got {short_repr(delimiter)} instead."
        )
    return delimiter


def detect_delimiter(text: str) -> str:
    """The separator of the first non-blank line of ``text`` (see
    :func:`read_csv_table`): quoted parts are not counted."""
    for line in io.StringIO(text):  # line by line: the text is not copied
        if line.strip():
            break
    else:
        return ","
    unquoted = line.split('"')[::2]
    counts = {d: sum(part.count(d) for part in unquoted) for d in DELIMITERS}
    if counts[","]:
        return ","
    best = max(DELIMITERS[1:], key=lambda d: counts[d])  # first of equal counts
    return best if counts[best] else ","


#: ASCII characters that ``str.strip()`` removes.
_ASCII_SPACE = " \t\x0b\x0c\x1c\x1d\x1e\x1f"


def _plain_table(
    text: str, delimiter: str, name: str, header: list[str] | None
) -> CsvTable | None:
    """The table of ``text`` split with ``str.split``; None when the text has
    quotes, NUL characters or lone carriage returns. Without those no record
    spans lines or hides a delimiter, so these are the records ``csv.reader``
    gives (as :func:`_records_table` reads them), many times faster: the
    fields of each line are counted, then the data lines are joined and split
    once, and column ``j`` is every ``k``-th cell from ``j``."""
    if '"' in text or "\0" in text:
        return None
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        return None
    strip = not text.isascii() or any(c in text for c in _ASCII_SPACE)
    lines = text.split("\n")
    # delimiters per line; a blank line has none and only spaces
    counts = np.fromiter(
        map(operator.methodcaller("count", delimiter), lines), np.int64, len(lines)
    )
    data = np.ones(len(lines), dtype=bool)
    for i in np.flatnonzero(counts == 0).tolist():
        if not lines[i].strip():
            data[i] = False
    header_given = header is not None
    if header is None:
        first = np.flatnonzero(data)
        if not first.size:
            raise ValueError(f"{name} is empty: expected a header row and data rows.")
        h = int(first[0])
        header = _split_line(lines[h], delimiter, strip)
        _check_header(header, name, h + 1)
        data[h] = False
    k = len(header)
    bad = np.flatnonzero(data & (counts != k - 1))
    if bad.size:
        i = int(bad[0])
        raise _ragged(name, i + 1, int(counts[i]) + 1, k)
    kept = np.flatnonzero(data)
    if not kept.size:
        raise _no_rows(name, header_given)
    first, last = int(kept[0]), int(kept[-1])
    if last - first + 1 == kept.size:  # no blank line among the rows
        body = lines[first : last + 1]
    else:
        body = [lines[i] for i in kept.tolist()]
    cells = _split_line(delimiter.join(body), delimiter, strip)
    columns = [cells[j::k] for j in range(k)]
    return CsvTable(name, header, columns, (kept + 1).tolist())


def _split_line(line: str, delimiter: str, strip: bool) -> list[str]:
    cells = line.split(delimiter)
    return list(map(str.strip, cells)) if strip else cells


def _csv_records(text: str, delimiter: str, name: str):
    """``(line number, stripped cells)`` of each record, read by
    ``csv.reader(strict=True)``; malformed quoting is a ValueError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            yield reader.line_num, [c.strip() for c in record] or [""]
    except csv.Error as exc:
        raise ValueError(
            f"{name}, line {reader.line_num}: malformed CSV ({exc})."
        ) from exc


def _check_header(header: list[str], name: str, line: int | None) -> None:
    where = name if line is None else f"{name}, line {line}"
    for i, col in enumerate(header, start=1):
        if not col:
            raise ValueError(f"{where}: column {i} of the header has an empty name.")
    dupes = sorted(c for c, n in Counter(header).items() if n > 1)
    if dupes:
        raise ValueError(
            f"{where}: column names must be unique; repeated: {some_names(dupes)}."
        )


def is_missing(cell: str) -> bool:
    """True for an empty cell or ``NA``, ``NaN``, ``?`` (any case)."""
    return cell.lower() in MISSING_TOKENS


#: Every spelling of the missing tokens in any case: set lookups in C give
#: the same answers as ``is_missing`` (no other character lowers to n, a, ?).
_MISSING_SPELLINGS = frozenset(
    "".join(letters)
    for token in MISSING_TOKENS
    for letters in itertools.product(*({c, c.upper()} for c in token))
)


def column_cells(table: CsvTable, col: int) -> list[str]:
    """The cells of column ``col``, one per row (the table's own list)."""
    return table.cell_columns[col]


def _column_text(table: CsvTable, col: int) -> str:
    """The cells of column ``col`` joined, for whole-column character tests."""
    key = ("text", col)
    if key not in table.cache:
        table.cache[key] = "".join(column_cells(table, col))
    return table.cache[key]


def missing_mask(table: CsvTable, col: int) -> np.ndarray:
    """``is_missing`` of each cell of column ``col``: bool, shape (n_rows,)."""
    key = ("missing", col)
    if key not in table.cache:
        cells = column_cells(table, col)
        text = _column_text(table, col)
        if all(cells) and not any(c in text for c in "naNA?"):  # none can be
            table.cache[key] = np.zeros(len(cells), dtype=bool)
        else:
            table.cache[key] = np.fromiter(
                map(_MISSING_SPELLINGS.__contains__, cells), bool, count=len(cells)
            )
    return table.cache[key]


def _parsed_column(table: CsvTable, col: int) -> np.ndarray | None:
    """Column ``col`` as float64 with NaN for missing cells, converted by
    NumPy in one call (Python's ``float`` rules, as ``as_float``); None when
    a non-missing cell is not a numeric literal. Cached on the table."""
    key = ("numbers", col)
    if key not in table.cache:
        cells = column_cells(table, col)
        values = None
        gaps = missing_mask(table, col)
        text = _column_text(table, col)
        if gaps.any():
            cells = [
                "nan" if gap else c for c, gap in zip(cells, gaps.tolist(), strict=True)
            ]
            text = "".join(cells)
        # float() also reads 1_000 and digits of other scripts, which the
        # grammar (as_float) refuses: those columns take the careful path
        if "_" not in text and text.isascii():
            try:
                values = np.fromiter(map(float, cells), np.float64, len(cells))
            except ValueError:
                values = None
        table.cache[key] = values
    return table.cache[key]


def as_float(cell: str) -> float | None:
    """The value of a numeric cell (see the module's rules), or None if the
    cell is not one. Infinite values (``inf``, ``1e999``) are returned as
    such; :func:`parse_number` refuses them."""
    if NUMBER.fullmatch(cell) or cell.lower() in INFINITIES:
        return float(cell)
    return None


def as_int(cell: str) -> int | None:
    """The exact value of an integer cell (``-12``, ``+7``), else None."""
    return int(cell) if INTEGER.fullmatch(cell) else None


def parse_number(table: CsvTable, row: int, col: int) -> float:
    """The finite value of a non-missing numeric cell, else ValueError."""
    cell = table.cell_columns[col][row]
    value = as_float(cell)
    if value is None:
        raise ValueError(
            f"{table.where(row, col)}: expected a number, got {short_repr(cell)}."
        )
    if not math.isfinite(value):
        raise ValueError(
            f"{table.where(row, col)}: expected a finite number, got "
            f"{short_repr(cell)}."
        )
    return value


def missing_error(table: CsvTable, row: int, col: int, hint: str = "") -> ValueError:
    """The error for a missing cell where none is allowed."""
    return ValueError(
        f"{table.where(row, col)}: missing value "
        f"{short_repr(table.cell_columns[col][row])}{hint}."
    )


def numeric_column(table: CsvTable, col: int, *, allow_missing: bool) -> np.ndarray:
    """Column ``col`` as float64, shape (n_rows,); missing cells become NaN
    when ``allow_missing``, else raise.

    The column is converted with NumPy in one call; only when that finds a
    problem are the cells read one by one, to name the first bad one."""
    values = _parsed_column(table, col)
    if values is not None:
        gaps = missing_mask(table, col)
        if (np.isfinite(values) | gaps).all() and (allow_missing or not gaps.any()):
            return values.copy()
    out = np.empty(table.n_rows, dtype=np.float64)
    for i, cell in enumerate(table.cell_columns[col]):
        if is_missing(cell):
            if not allow_missing:
                raise missing_error(table, i, col)
            out[i] = np.nan
        else:
            out[i] = parse_number(table, i, col)
    return out


def is_numeric_column(table: CsvTable, col: int) -> bool:
    """Whether a column is numeric: more than half of its non-missing cells
    are numeric literals. (The others are then reported as errors; a column
    that is mostly text is categorical.)"""
    if _parsed_column(table, col) is not None:  # every cell numeric or missing
        return not missing_mask(table, col).all()
    values = [c for c in table.cell_columns[col] if not is_missing(c)]
    numeric = sum(as_float(v) is not None for v in values)
    return numeric > len(values) / 2


def encode_table(
    table: CsvTable, schema: FeatureSchema, *, allow_extra: bool = False
) -> np.ndarray:
    """Encode the rows of an input table as a schema describes.

    Used to prepare new input files for a trained model: numeric columns are
    parsed, categorical ones one-hot encoded with the schema's categories, and
    missing cells filled with ``schema.fill_values`` (an error where the
    column has none).

    Parameters
    ----------
    table : CsvTable
        The rows, from :func:`read_csv_table`.
    schema : FeatureSchema
        The columns and their encoding, as a model stores them.
    allow_extra : bool, default False
        Ignore columns the schema does not use (e.g. a target column).

    Returns
    -------
    ndarray of shape (table.n_rows, schema.n_features), float32
        The encoded features, one row per row of the table.

    Raises
    ------
    ValueError
        Missing or unexpected columns, bad numbers, unknown categories or
        missing cells without a fill value, naming file, line and column.
    """
    schema.check(table.columns, allow_extra=allow_extra)
    out = np.zeros((table.n_rows, schema.n_features), dtype=np.float32)
    start = 0
    for name in schema.columns:
        j = table.positions[name]
        fill = schema.fill_values.get(name)
        cats = schema.categories.get(name)
        if cats is None:
            values = numeric_column(table, j, allow_missing=True)
            gaps = np.isnan(values)
            if gaps.any():
                if fill is None:
                    raise missing_error(
                        table, int(np.argmax(gaps)), j, "; the model has no fill value"
                    )
                values[gaps] = fill
            out[:, start] = values
            start += 1
            continue
        index = {c: k for k, c in enumerate(cats)}
        for i, cell in enumerate(table.cell_columns[j]):
            if is_missing(cell):
                if fill is None:
                    raise missing_error(table, i, j, "; the model has no fill value")
                cell = fill
            if cell not in index:
                raise ValueError(
                    f"{table.where(i, j)}: unknown category {short_repr(cell)}; "
                    f"known categories: {some_names(cats)}."
                )
            out[i, start + index[cell]] = 1.0
        start += len(cats)
    return out


def display_name(path: str | os.PathLike) -> str:
    """The file's stem, used as a dataset name (``"data"`` for ``data.csv``)."""
    return Path(path).stem
