"""Saliency maps: the figure's data, the report's section, the saved plots."""

import numpy as np
import pytest
from datasets_support import data_dir_fixture  # noqa: F401
from report_support import assert_self_contained, check_png, embedded_pngs

import glassnet as gn
from glassnet.datasets.preprocessing import Preprocessing
from glassnet.report import plots as plotting
from glassnet.report import report_html, sections

#: figures rendered by matplotlib: `pytest -m "not slow"` skips them
pytestmark = pytest.mark.slow


@pytest.fixture
def mpl():
    return pytest.importorskip("matplotlib")


def image_classifier(classes=None, seed=0):
    """A float64 28 x 28 image classifier with random weights and biases."""
    rng = np.random.default_rng(seed)
    net = gn.Network.mlp([784, 6, 4], hidden="tanh", seed=seed, dtype="float64")
    net.set_weights([rng.normal(scale=0.3, size=w.shape) for w in net.get_weights()])
    if classes is not None:
        net.preprocessing = Preprocessing(classes=classes)
    return net


def logit_slopes(net, x, code, h=1e-6):
    """d z_code / d x_j for every pixel j by central differences, (784,)."""
    E = np.eye(x.size) * h
    net.forward(np.vstack([x + E, x - E]))
    Z = net.layers[-1].Z[:, code]
    return (Z[: x.size] - Z[x.size :]) / (2 * h)


def test_the_maps_are_the_saliency_reshaped_to_the_image(mpl, tmp_path):
    net = image_classifier(classes=[2, 3, 5, 8])
    rng = np.random.default_rng(1)
    X = rng.random((5, 784))
    fig = plotting.plot_saliency(
        net, X, 3, y=[2, 3, 5, 8, 2], max_images=4, save=tmp_path / "s.png"
    )
    check_png(tmp_path / "s.png")
    axes = np.array(fig.axes).reshape(3, 4)  # image, predicted, target rows
    predicted = net.predict(X[:4])
    codes = np.searchsorted([2, 3, 5, 8], predicted)
    maps_predicted, maps_target = net.saliency(X[:4]), net.saliency(X[:4], 3)
    for i in range(4):
        np.testing.assert_array_equal(
            axes[0, i].images[0].get_array(), X[i].reshape(28, 28)
        )
        shown_predicted = axes[1, i].images[0].get_array()
        shown_target = axes[2, i].images[0].get_array()
        # exactly what Network.saliency gives ...
        np.testing.assert_array_equal(
            shown_predicted, maps_predicted[i].reshape(28, 28)
        )
        np.testing.assert_array_equal(shown_target, maps_target[i].reshape(28, 28))
        # ... which is the slope of the logit, pixel by pixel
        np.testing.assert_allclose(
            shown_target.ravel(), logit_slopes(net, X[i], 1), rtol=1e-6, atol=1e-10
        )
        np.testing.assert_allclose(
            shown_predicted.ravel(),
            logit_slopes(net, X[i], codes[i]),
            rtol=1e-6,
            atol=1e-10,
        )
        assert axes[1, i].get_title() == f"towards {predicted[i]} (predicted)"
        assert axes[2, i].get_title() == "towards 3"
        # one symmetric scale, centred at 0, for both maps of an image
        low, high = axes[1, i].images[0].get_clim()
        assert low == -high and axes[2, i].images[0].get_clim() == (low, high)
        assert high == max(np.abs(shown_predicted).max(), np.abs(shown_target).max())


def test_without_target_only_the_predicted_class_and_per_image_targets(mpl):
    net = image_classifier()
    X = np.random.default_rng(2).random((3, 784))
    fig = plotting.plot_saliency(net, X)
    assert len(fig.axes) == 6  # two rows of three
    fig = plotting.plot_saliency(net, X, [0, 1, 2], score="probability")
    axes = np.array(fig.axes).reshape(3, 3)
    expected = net.saliency(X, [0, 1, 2], score="probability")
    for i in range(3):
        np.testing.assert_array_equal(
            axes[2, i].images[0].get_array(), expected[i].reshape(28, 28)
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_images": 0}, "'max_images'.*positive int. Got 0"),
        ({"max_images": 2.5}, "'max_images'.*positive int. Got 2.5"),
        ({"image_shape": (20, 20)}, "'image_shape'.*784 pixels. Got \\(20, 20\\)"),
        ({"image_shape": "28x28"}, "'image_shape'.*pair.*positive ints. Got '28x28'"),
        (
            {"image_shape": (-28, -28)},
            "'image_shape'.*positive ints. Got \\(-28, -28\\)",
        ),
        ({"image_shape": (28.0, 28.0)}, "'image_shape'.*positive ints. Got \\(28.0"),
        ({"image_shape": (28, 28, 1)}, "'image_shape'.*pair"),
        ({"target": [0, 1]}, "'target' parameter of plot_saliency.*\\(3\\). Got 2"),
        ({"y": [0, 1]}, "'y' parameter of plot_saliency.*\\(3\\). Got 2"),
        ({"target": 9}, "'target' parameter of Network.saliency"),
    ],
)
def test_bad_arguments(mpl, kwargs, message):
    net = image_classifier()
    with pytest.raises(ValueError, match=message):
        plotting.plot_saliency(net, np.zeros((3, 784)), **kwargs)


def test_regression_and_non_image_networks_are_refused(mpl):
    net = gn.Network.mlp([784, 3, 1], output="identity", seed=0)
    with pytest.raises(ValueError, match="saliency needs a classifier"):
        plotting.plot_saliency(net, np.zeros((2, 784)))
    with pytest.raises(ValueError, match="'image_shape'.*not a square image"):
        plotting.plot_saliency(gn.Network.mlp([10, 3, 2], seed=0), np.zeros((2, 10)))


def test_report_section_for_image_classifiers_with_test_data(mpl, tmp_path):
    net = gn.Network.mlp([16, 5, 3], seed=0)
    rng = np.random.default_rng(3)
    X, y = rng.random((30, 16)), rng.integers(0, 3, 30)
    parser = assert_self_contained(report_html(net, X, y))
    assert parser.headings[-1] == "Saliency"
    check_png(embedded_pngs(parser, tmp_path)[-1])
    # no test data: no section; a regression network, a multi-label one: none
    assert "Saliency" not in assert_self_contained(report_html(net)).headings
    figures = sections.Figures()
    regressor = gn.Network.mlp([16, 5, 1], output="identity", seed=0)
    assert sections.saliency_section(regressor, X, rng.random(30), figures) == ""
    multi = gn.Network.mlp([16, 5, 3], output="sigmoid", seed=0)
    labels = rng.integers(0, 2, (30, 3))
    assert sections.saliency_section(multi, X, labels, figures) == ""


def test_saved_training_plots_include_the_saliency_of_an_image_classifier(
    mpl, tmp_path
):
    net = gn.Network.mlp([16, 5, 3], seed=0)
    rng = np.random.default_rng(4)
    X, y = rng.random((30, 16)), rng.integers(0, 3, 30)
    written = plotting.save_training_plots(
        net, {"loss": [1.0, 0.5]}, tmp_path, X=X, y=y
    )
    assert "saliency" in written
    check_png(written["saliency"])


def test_report_of_a_small_mnist_model_shows_its_saliency(mpl, data_dir, tmp_path):
    from glassnet.datasets.mnist import load_mnist

    data = load_mnist(data_dir, dtype="uint8", download=False)
    net = gn.Network.mlp([784, 32, 10], seed=0)
    net.fit(
        data.X_train[:2000],
        data.y_train[:2000],
        epochs=2,
        optimizer=gn.SGD(lr=0.1),
        seed=0,
    )
    X, y = data.X_test[:300], data.y_test[:300]
    parser = assert_self_contained(report_html(net, X, y))
    assert "Saliency" in parser.headings
    check_png(embedded_pngs(parser, tmp_path)[-1], min_width=900)
    # the maps of uint8 images are per unit of the 0..255 pixel value
    per_intensity = net.saliency(X[:3].astype(np.float32) / 255)
    np.testing.assert_allclose(net.saliency(X[:3]), per_intensity / 255, rtol=1e-4)


def test_the_report_caption_says_how_many_classes_the_section_shows(mpl):
    # 8 classes, at most SALIENCY_IMAGES (6) images: the caption says so
    # rather than "one test image of each class"
    net = gn.Network.mlp([16, 5, 8], seed=0)
    X, y = np.random.default_rng(5).random((16, 16)), np.arange(16) % 8
    shown = sections.saliency_section(net, X, y, sections.Figures())
    assert "each of the first 6 of the 8 classes to appear in the test set" in shown
    assert "of each class:" not in shown
    three = sections.saliency_section(net, X[:3], y[:3], sections.Figures())
    assert "For one test image of each class:" in three


@pytest.mark.parametrize("shape", ["4x4", (-4, -4), (4.0, 4.0), (True, 16)])
def test_first_layer_weights_check_image_shape_as_saliency_does(mpl, shape):
    net = gn.Network.mlp([16, 3, 2], seed=0)
    with pytest.raises(ValueError, match="'image_shape' parameter of plot_first_"):
        plotting.plot_first_layer_weights(net, image_shape=shape)
