import numpy as np
import pytest

import glassnet as gn

A = np.array([[0.2, 0.9], [0.6, 0.4]])
Y = np.array([[0.0, 1.0], [1.0, 0.0]])


def numeric_gradient(loss, A, Y, h=1e-6):
    G = np.zeros_like(A)
    for idx in np.ndindex(A.shape):
        E = np.zeros_like(A)
        E[idx] = h
        G[idx] = (loss.value(A + E, Y) - loss.value(A - E, Y)) / (2 * h)
    return G


def test_values_worked_out_by_hand():
    # squared errors: 0.04, 0.01, 0.16, 0.16 -> sum 0.37
    assert gn.MSE().value(A, Y) == pytest.approx(0.37 / 4)
    assert gn.SSE().value(A, Y) == pytest.approx(0.37 / 2)
    # absolute errors: 0.2, 0.1, 0.4, 0.4 -> sum 1.1
    assert gn.MAE().value(A, Y) == pytest.approx(1.1 / 4)
    # Huber with delta 0.3: 0.02, 0.005 quadratic; 0.3 (0.4 - 0.15) = 0.075 twice
    assert gn.Huber(0.3).value(A, Y) == pytest.approx((0.02 + 0.005 + 0.15) / 4)
    # neg-log-loss: -log 0.8 - log 0.9 - log 0.6 - log 0.6, averaged over 4
    bce = -(np.log(0.8) + np.log(0.9) + 2 * np.log(0.6)) / 4
    assert gn.BinaryCrossEntropy().value(A, Y) == pytest.approx(bce)
    # cross-entropy of rows as distributions: -log 0.9 - log 0.6, over 2 samples
    ce = -(np.log(0.9) + np.log(0.6)) / 2
    assert gn.CrossEntropy().value(A, Y) == pytest.approx(ce)


@pytest.mark.parametrize(
    "loss",
    [
        gn.MSE(),
        gn.SSE(),
        gn.MAE(),
        gn.Huber(0.3),
        gn.BinaryCrossEntropy(),
        gn.Poisson(),
    ],
    ids=lambda loss: loss.name,
)
def test_gradient_matches_finite_differences(loss):
    assert loss.gradient(A, Y) == pytest.approx(numeric_gradient(loss, A, Y), rel=1e-6)


def test_cross_entropy_gradient_matches_finite_differences():
    P = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    T = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    loss = gn.CrossEntropy()
    assert loss.gradient(P, T) == pytest.approx(numeric_gradient(loss, P, T))


@pytest.mark.parametrize(
    ("loss", "activation"),
    [
        ("binary_cross_entropy", "sigmoid"),
        ("cross_entropy", "softmax"),
        ("mse", "identity"),
        ("sse", "identity"),
        ("poisson", "exp"),
    ],
)
def test_fused_delta_equals_the_general_chain_rule(loss, activation):
    rng = np.random.default_rng(0)
    loss = gn.losses.get(loss)
    act = gn.activations.get(activation)
    Z = rng.normal(size=(5, 3))
    Yt = (rng.random((5, 3)) > 0.5).astype(float)
    if loss.name == "cross_entropy":
        Yt = np.eye(3)[rng.integers(0, 3, size=5)]
    Aout = act(Z)
    assert loss.is_canonical(act)
    fused = loss.output_delta(Z, Aout, Yt, act)
    general = act.backward(loss.gradient(Aout, Yt), Z, Aout)
    assert fused == pytest.approx(general, rel=1e-9, abs=1e-12)


def test_poisson_worked_out_by_hand_and_from_z():
    # half deviance a - y log a + y log y - y per element, y log y = 0 at y = 0
    mu = np.array([[1.0, 2.0], [0.5, 4.0]])
    counts = np.array([[0.0, 2.0], [1.0, 3.0]])
    d = [1.0, 0.0, 0.5 + np.log(2.0) - 1.0, 4.0 - 3 * np.log(4 / 3) - 3.0]
    loss, exp = gn.losses.get("poisson"), gn.activations.get("exp")
    assert loss.value(mu, counts) == pytest.approx(sum(d) / 4, rel=1e-14)
    assert loss.value(None, counts, np.log(mu), activation=exp) == pytest.approx(
        sum(d) / 4, rel=1e-14
    )
    # from Z = log(mu) where e^z underflows: the cost is y (-z) + ... , finite
    Z = np.array([[-800.0]])
    cost = loss.value(None, np.array([[2.0]]), Z, activation=exp)
    assert cost == pytest.approx(1600.0 + 2 * np.log(2.0) - 2.0, rel=1e-14)
    assert loss.output_delta(Z, exp(Z), np.array([[2.0]]), exp)[0, 0] == -2.0
    # scikit-learn's poisson loss is the same half deviance, summed over outputs
    from sklearn.neural_network._base import poisson_loss

    assert loss.value(mu, counts) * 2 == pytest.approx(poisson_loss(counts, mu))


@pytest.mark.parametrize(
    ("targets", "outputs", "message"),
    [
        ([[-1.0]], None, "must be non-negative"),
        ([[1.0]], [[0.0]], "must be positive means"),
        ([[1.0]], [[-0.5]], "must be positive means"),
    ],
)
def test_poisson_refuses_negative_counts_and_non_positive_means(
    targets, outputs, message
):
    loss = gn.Poisson()
    with pytest.raises(ValueError, match=message):
        if outputs is None:
            loss.prepare_targets(np.array(targets), 1)
        else:
            loss.value(np.array(outputs), np.array(targets))


def test_stable_values_from_z_for_saturated_outputs():
    Z = np.array([[-800.0], [800.0]])
    Yt = np.array([[1.0], [0.0]])
    act = gn.Sigmoid()
    value = gn.BinaryCrossEntropy().value(act(Z), Yt, Z)
    # -log sigma(-800) = 800 + log(1 + e^-800) = 800, same for the other sample
    assert value == pytest.approx(800.0)
    Zs = np.array([[1000.0, 0.0]])
    ce = gn.CrossEntropy().value(gn.Softmax()(Zs), np.array([[0.0, 1.0]]), Zs)
    assert ce == pytest.approx(1000.0)


def test_cross_entropy_targets_labels_or_one_hot():
    loss = gn.CrossEntropy()
    assert loss.prepare_targets([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert loss.prepare_targets([[0, 1, 0]], 3).tolist() == [[0, 1, 0]]


@pytest.mark.parametrize(
    ("loss", "targets", "message"),
    [
        ("cross_entropy", [0, 3], r"class labels in \[0, 3\).*Got the label 3"),
        ("cross_entropy", [0, -1], r"Got the label -1"),
        ("cross_entropy", [0.5, 1], "integer class labels"),
        ("cross_entropy", ["a", "b"], "integer class labels"),
        ("cross_entropy", [[0.5, 0.2, 0.1]], "rows that sum to 1"),
        ("binary_cross_entropy", [0, 2], r"0/1 labels.*Got the value 2"),
        ("mse", [[1.0, 2.0]], r"shape \(n_samples,\) or \(n_samples, 3\)"),
        ("mse", [[np.nan, 1.0, 2.0]], "finite"),
    ],
)
def test_invalid_targets_are_clear_errors(loss, targets, message):
    with pytest.raises(ValueError, match=message):
        gn.losses.get(loss).prepare_targets(
            targets, 3 if loss != "binary_cross_entropy" else 1
        )


def test_registry_errors():
    with pytest.raises(ValueError, match="Unknown loss 'hinge'.*cross_entropy"):
        gn.losses.get("hinge")
    with pytest.raises(ValueError, match="'delta' parameter of Huber"):
        gn.Huber(0)
