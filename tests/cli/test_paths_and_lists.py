"""``~`` in path options and malformed ``--layers`` lists."""

import pytest

import glassnet as gn
from glassnet.cli import main


@pytest.mark.parametrize(
    "text", ["", "8,,8", "8,", ",8", "8,x", "8,-2", "8,0", "1.5", "8;8", "８"]
)
def test_malformed_layers_are_refused_naming_the_flag(text, capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["train", "--layers", text, "--out", str(tmp_path / "m.glassnet")])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("glassnet: error: argument --layers: expected")
    assert repr(text) in err
    assert not (tmp_path / "m.glassnet").exists()


def test_tilde_is_expanded_in_data_and_out(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    rows = ["x1,x2,y"] + [f"{i % 5},{(i * 7) % 3},{i % 2}" for i in range(40)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    code = main(
        ["train", "--data=~/t.csv", "--target", "y", "--epochs", "1",
         "--layers", "4", "--out", "~/m.glassnet", "--quiet"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert gn.load(tmp_path / "m.glassnet").n_outputs >= 1
