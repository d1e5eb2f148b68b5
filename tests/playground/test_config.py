"""Playground settings, uploaded files and the regression set it adds."""

import math

import numpy as np
import pytest

from glassnet.playground import DEFAULTS, Limits, PlaygroundError, parse_config
from glassnet.playground.data import expand, read_upload

LIMITS = Limits()


def test_defaults_are_the_tensorflow_playgrounds():
    config = parse_config({}, LIMITS)
    assert config == DEFAULTS
    assert config["layers"] == [4, 2] and config["activation"] == ["tanh", "tanh"]
    assert config["lr"] == 0.03 and config["batch_size"] == 10


def test_text_from_a_link_parses_like_typed_json():
    typed = parse_config(
        {"layers": [3, 5], "activation": ["relu", "tanh"], "lr": 0.1, "seed": 7},
        LIMITS,
    )
    text = parse_config(
        {"layers": "3,5", "activation": "relu,tanh", "lr": "0.1", "seed": "7"}, LIMITS
    )
    assert typed == text


def test_one_activation_applies_to_every_layer_and_features_keep_page_order():
    config = parse_config(
        {"layers": "8,8,8", "activation": "relu", "features": "x1x2,x1,sinx2"}, LIMITS
    )
    assert config["activation"] == ["relu"] * 3
    assert config["features"] == ["x1", "x1x2", "sinx2"]
    assert parse_config({"layers": ""}, LIMITS)["layers"] == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"layers": "8,8,8,8,8,8,8,8,8"}, "at most 8 hidden layers. Got 9"),
        ({"layers": "17"}, "'layers' parameter of the playground must be an int in"),
        ({"layers": "0"}, "[1, 16]. Got '0'"),
        ({"n_samples": 5000}, "'n_samples' parameter of the playground must be an int"),
        ({"batch_size": 0}, "'batch_size'"),
        ({"noise": 0.9}, "'noise' parameter of the playground must be a float in"),
        ({"lr": "fast"}, "'lr'"),
        ({"seed": -1}, "'seed'"),
        ({"seed": 1.5}, "'seed'"),
        ({"data": "moon"}, "'data' parameter of the playground must be one of"),
        ({"activation": "swish"}, "Got 'swish' instead"),
        ({"activation": "tanh,relu,relu"}, "lists 3 activations for 2 hidden layers"),
        ({"optimizer": "momentum"}, "'optimizer'"),
        ({"features": "x3"}, "'features'"),
        ({"features": ""}, "at least one input"),
        ({"epochs": 3}, "Unknown setting(s) 'epochs'"),
        ({"dropout": True}, "'dropout'"),
    ],
)
def test_bad_settings_name_the_setting_and_what_is_allowed(raw, message):
    with pytest.raises(PlaygroundError) as info:
        parse_config(raw, LIMITS)
    assert info.value.status == 400
    assert message in info.value.message


def test_a_configuration_must_be_an_object():
    with pytest.raises(PlaygroundError, match="JSON object"):
        parse_config([1, 2], LIMITS)


def test_features_are_computed_from_the_coordinates():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    keys = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]
    expected = [
        [1.0, 2.0, 1.0, 4.0, 2.0, math.sin(1.0), math.sin(2.0)],
        [-0.5, 3.0, 0.25, 9.0, -1.5, math.sin(-0.5), math.sin(3.0)],
    ]
    np.testing.assert_allclose(expand(X, keys), expected, rtol=1e-6)


# -- uploads ----------------------------------------------------------------------
def upload(text, name="points.csv", kind="text/csv", limits=LIMITS):
    content = text.encode() if isinstance(text, str) else text
    return read_upload(content, name, kind, limits)


def test_an_upload_finds_its_label_column():
    text = "label,a,b\n" + "".join(f"{i % 2},{i},{i * 0.5}\n" for i in range(20))
    assert upload(text).label == "label"
    text = "a,b,kind\n" + "".join(
        f"{i},{-i},{'yes' if i % 3 else 'no'}\n" for i in range(9)
    )
    assert upload(text).label == "kind"


@pytest.mark.parametrize(
    ("content", "kind", "status", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "image/png",
            415,
            "is not a CSV file (its type is",
        ),
        (b"a,b,c\n1,2,\x00\n", "text/csv", 415, "binary data"),
        (b"a,b,c\n\xff\xfe,1,2\n", "text/csv", 415, "not UTF-8"),
        (
            "x1,x2,label\n1,2,0\n3,abc,1\n",
            "text/csv",
            400,
            "line 3, column 'x2': expected a number, got 'abc'",
        ),
        (
            "x1,label\n1,0\n2,1\n",
            "text/csv",
            400,
            "has 2 columns (x1, label); the playground needs 3",
        ),
        (
            "1,2,0\n3,4,1\n5,6,0\n",
            "text/csv",
            400,
            "must be a header naming the columns",
        ),
        ("x1,x2,label\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n", "text/csv", 400, "single class"),
        (
            "x1,x2,label\n1,2,0\n3,,1\n",
            "text/csv",
            400,
            "line 3, column 'x2': missing value",
        ),
        (
            "x1,x2,label\n1,2,0\n3,4\n",
            "text/csv",
            400,
            "line 3 has 2 fields, expected 3",
        ),
    ],
)
def test_bad_uploads_are_refused_with_the_place_of_the_problem(
    content, kind, status, message
):
    with pytest.raises(PlaygroundError) as info:
        upload(content, kind=kind)
    assert info.value.status == status
    assert message in info.value.message
    assert "points.csv" in info.value.message
    assert "/tmp" not in info.value.message


def test_uploads_are_limited_in_bytes_rows_and_classes():
    small = Limits(max_upload_bytes=100, max_points=30, max_classes=3)
    big = "x1,x2,label\n" + "1,2,0\n" * 30
    with pytest.raises(PlaygroundError) as info:
        upload(big, limits=small)
    assert info.value.status == 413 and "limited to 100 bytes" in info.value.message
    rows = "x1,x2,label\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(31))
    with pytest.raises(PlaygroundError, match="at most 30 points"):
        upload(rows, limits=Limits(max_points=30))
    classes = "x1,x2,label\n" + "".join(f"{i},{i},{i % 4}\n" for i in range(20))
    with pytest.raises(PlaygroundError, match="has 4 classes; the playground shows at"):
        upload(classes, limits=Limits(max_classes=3))


def test_a_pause_outdates_every_frame_streamed_while_playing():
    # The page applies a frame unless its version is older than the one it has;
    # a frame streamed just before the pause and delivered after the pause's
    # answer must be older, or it would show the run as playing again.
    from glassnet.playground.session import Session

    limits = Limits()
    session = Session(parse_config({}, limits), limits)
    session.play(True)
    streamed = session.advance()
    assert streamed["playing"] is True
    session.play(False)
    paused = session.frame()
    assert paused["playing"] is False
    assert paused["version"] > streamed["version"]
    session.play(False)  # no change, no new version
    assert session.frame()["version"] == paused["version"]
    session.play(True)
    assert session.frame()["version"] > paused["version"]
