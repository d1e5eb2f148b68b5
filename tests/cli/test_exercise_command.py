"""``glassnet exercise``: files, formats, the lectures' numbers, and refusals."""

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from cli_support import assert_usage_error, run

import glassnet as gn
from glassnet.cli import main

#: Weights files of the lectures' worked examples, shipped with the examples.
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "exercises"
BINARY = {
    "W": [
        [
            [0.9, 0.2, 0.4, 0.3],
            [-0.5, 0.4, 0.3, 0.3],
            [0.1, 0.1, -0.1, 0.2],
            [-0.2, 0.5, 0.5, 0.7],
        ],
        [[0.5, 0.8, -0.6, 0.3]],
    ],
    "b": [[0.5, 0.5, 0.5, 0.5], [0.3]],
}


def _error(capsys, argv) -> str:
    assert main(["exercise", *argv]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_out_writes_complete_latex_documents(tmp_path, capsys):
    folder = tmp_path / "sheets"
    argv = ["exercise", "--seed", "1", "--layers", "2,2,1", "--format", "latex"]
    assert main([*argv, "--out", str(folder)]) == 0
    assert "wrote" in capsys.readouterr().out
    for name in ("questions.tex", "answers.tex"):
        tex = (folder / name).read_text()
        assert tex.startswith(r"\documentclass") and r"\usepackage{amsmath}" in tex
        assert tex.rstrip().endswith(r"\end{document}")
    assert r"\begin{enumerate}" in (folder / "questions.tex").read_text()
    assert r"\frac{\partial C}" in (folder / "answers.tex").read_text()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, capsys):
    argv = ["exercise", "--layers", "4,4,3", "--batch", "2", "--rounding", "carry"]
    for folder, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert main([*argv, "--seed", seed, "--out", str(tmp_path / folder)]) == 0
    for name in ("questions.txt", "answers.txt"):
        a, b, c = ((tmp_path / f / name).read_bytes() for f in "abc")
        assert a == b and a != c


def test_json_files_hold_the_library_numbers(tmp_path, capsys):
    q, a = tmp_path / "q.json", tmp_path / "a.json"
    argv = ["--seed", "2", "--layers", "3,2,2", "--notation", "transfer"]
    assert main(["exercise", *argv, "--format", "json", "--questions", str(q)]) == 0
    assert main(["exercise", *argv, "--format", "json", "--answers", str(a)]) == 0
    expected = gn.exercise(seed=2, layers=(3, 2, 2), notation="transfer").to_dict()
    assert json.loads(q.read_text()) == expected["questions"]
    assert json.loads(a.read_text()) == expected["answers"]


def test_without_files_both_go_to_stdout(capsys):
    assert main(["exercise", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.index("Questions") < out.index("ANSWER KEY")
    assert main(["exercise", "--seed", "3", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"questions", "answers"}


def test_answers_to_stdout_with_dash(capsys):
    assert main(["exercise", "--seed", "3", "--answers", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("ANSWER KEY") and "Questions" not in captured.out
    assert captured.err == ""


def test_lecture_002_grounded_example_from_a_weights_file(capsys):
    weights = EXAMPLES_DIR / "lecture002_grounded.json"
    argv = ["exercise", "--weights", str(weights), "--input", "0,1"]
    argv += ["--target", "1", "--notation", "transfer", "--decimals", "3"]
    assert main([*argv, "--answers", "-"]) == 0
    key = capsys.readouterr().out
    # the updated W^(1) ends in +0.447 and W^(0)'s last row is (-0.140, 0.310):
    # the slide prints -0.447 and repeats row 0 there
    assert "[0.188, 0.769, 0.447]^T" in key and "-0.447" not in key
    assert "[-0.140   0.310]" in key
    assert "x^(2) after the update = 0.722" in key


def test_lecture_003_binary_example_inline(capsys):
    argv = ["exercise", "--weights", json.dumps(BINARY), "--input=0.3,0.5,-0.4,0.3"]
    assert (
        main([*argv, "--target", "1", "--parts", "forward,loss", "--answers", "-"]) == 0
    )
    key = capsys.readouterr().out
    # the slide's a_2 = 0.948 and y_hat = 0.7207 are cut short: 0.9489, 0.7209
    assert "z^(2) = W^(2) a^(1) + b^(2) = 0.9489" in key
    assert "a^(2) = sigma(z^(2)) = 0.7209" in key
    assert "0.3273" in key and "0.7207" not in key


def test_carry_and_a_batch_of_two(capsys):
    argv = ["exercise", "--seed", "1", "--notation", "transfer", "--decimals", "2"]
    assert main([*argv, "--rounding", "carry", "--answers", "-"]) == 0
    assert "0.22 (carried: 0.21)" in capsys.readouterr().out
    argv = ["exercise", "--input", "0.5,0.2;0.1,0.9", "--target", "1;0", "--format"]
    assert main([*argv, "json", "--answers", "-"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert answers["settings"]["batch"] == 2
    assert answers["trace"]["input"] == [[0.5, 0.2], [0.1, 0.9]]


def test_a_fifo_is_written_into_not_replaced(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    assert main(["exercise", "--seed", "0", "--answers", str(fifo)]) == 0
    reader.join(timeout=30)
    assert received and received[0].startswith("ANSWER KEY")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ["--decimals", "-1"],
            "--decimals must be an int in the range [0, 16]. Got -1",
        ),
        (["--parts", "forward,bogus"], "--parts must be one or more of forward"),
        (["--weights", '{"W": [[[1, 2]]], "b": [[1, 2]]}'], "--weights must give"),
        (["--weights", '{"transfer": [[[1, 2]], [[1]]]}'], "--weights must"),
        (["--weights", "missing.json"], "--weights must be a JSON file or inline"),
        (["--weights", "{not json"], "--weights must be valid JSON"),
        (["--input", "0,x"], "--input must be numbers separated by commas"),
        (["--input", "0,1;2"], "--input must give every sample the same number"),
        (["--input", "1,2,3"], "--input must be finite numbers of magnitude"),
        (["--target", "2"], "--target must be 1 target(s)"),
        (["--target", "0,1"], "--target must be"),
        (["--lr", "0"], "--lr must be a number in the range (0, 10]. Got 0.0"),
        (["--batch", "9"], "--batch must be an int in the range [1, 4]. Got 9"),
        (["--activation", "softmax"], "--activation must be one of 'sigmoid'"),
        (["--output-activation", "step"], "--output-activation must be one of"),
        (["--loss", "huber"], "--loss must be one of 'binary_cross_entropy'"),
        (["--layers", "2,2,1", "--weights", '{"W": [[[1]]], "b": [[0]]}'], "--layers"),
        (["--out", "d", "--answers", "a.md"], "give either --out DIR or"),
        (["--questions", "s.md", "--answers", "./s.md"], "must be different files"),
        (["--out", "taken.txt"], "--out must be a folder"),
    ],
)
def test_bad_values_are_refused_naming_the_flag(
    argv, message, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.txt").write_text("keep")
    line = _error(capsys, argv)
    assert (tmp_path / "taken.txt").read_text() == "keep"
    assert not (tmp_path / "s.md").exists()
    assert message in line, line
    assert not (tmp_path / "d").exists()


def test_malformed_layers_are_refused_by_the_parser(capsys):
    for text in ("2,x", "2,,1", "2,0", ""):
        with pytest.raises(SystemExit) as info:
            main(["exercise", "--layers", text])
        assert info.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("glassnet: error: argument --layers: expected")
        assert repr(text) in err


def test_a_failed_gradient_check_writes_no_key(tmp_path, capsys):
    weights = json.dumps({"W": [[[0.5, -0.5]], [[1.0]]], "b": [[0.0], [0.0]]})
    argv = ["--weights", weights, "--input", "1,1", "--target", "1", "--loss", "mse"]
    argv += ["--activation", "relu", "--out", str(tmp_path / "k")]
    assert "fails the numerical gradient check" in _error(capsys, argv)
    assert not (tmp_path / "k").exists()


# -- as typed, in a subprocess ------------------------------------------------------


@pytest.mark.slow
def test_help_and_identical_output_across_processes(tmp_path):
    result = run("exercise", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "usage: glassnet exercise" in result.stdout
    argv = ["exercise", "--seed", "4", "--layers", "2,3,2", "--format", "latex"]
    first = run(*argv, "--rounding", "carry", cwd=tmp_path)
    second = run(*argv, "--rounding", "carry", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stdout.startswith(r"\documentclass")


@pytest.mark.slow
def test_an_error_as_typed(tmp_path):
    assert_usage_error(
        run("exercise", "--decimals", "-1", cwd=tmp_path),
        "--decimals must be an int in the range [0, 16]",
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"W": ' + "[" * 100_000 + "]" * 100_000 + ', "b": []}',  # nested deep
        '{"W": [[[1' + "0" * 5000 + ']]], "b": [[1]]}',  # a 5001-digit int
    ],
    ids=["deep", "long-int"],
)
def test_weights_json_that_python_cannot_parse_is_one_line(tmp_path, capsys, text):
    path = tmp_path / "w.json"
    path.write_text(text)
    line = _error(capsys, ["--weights", str(path), "--answers", "-"])
    assert "--weights file" in line and "must be valid JSON" in line
