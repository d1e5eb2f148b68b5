"""Log losses at extreme logits: exact values and deltas for every pairing.

The reference is the textbook formula evaluated with 60-digit decimals:
``a = 1 / (1 + e^-z)`` or ``e^z_j / sum e^z``, ``1 - a`` written as
``1 / (1 + e^z)`` or ``sum_{i != j} e^z_i / sum e^z`` (so it does not cancel),
the costs ``-sum y log a`` and ``-mean [y log a + (1 - y) log(1 - a)]``, and
the delta by the plain chain rule ``dC/da * phi'(z)``. Decimals reach
``e^-2000`` without underflow, so logits of +-1000 need no log-space trick
in the reference.
"""

from decimal import Decimal, localcontext

import numpy as np
import pytest

import glassnet as gn

LOGITS = [-1000, -100, -30, 0, 30, 100, 1000]


def _rows(k):
    """Logit rows (n, k) built from LOGITS: saturated, tied and mixed rows."""
    if k == 1:
        return [[z] for z in LOGITS]
    if k == 2:
        return [[z, -z] for z in LOGITS] + [[z, 0] for z in LOGITS]
    return (
        [[z, 0, -z] for z in LOGITS]
        + [[z, z, -30] for z in LOGITS]
        + [[-1000, z, 1000] for z in LOGITS]
    )


def _target_rows(loss, output, k):
    """Every target row the pairing accepts, for a network of k outputs."""
    if loss == "cross_entropy":
        return np.eye(k)  # one-hot rows: what the class labels become
    if k == 1:
        return np.array([[0.0], [1.0]])
    return np.vstack([np.eye(k), np.zeros(k), np.ones(k), [[1, 0] + [1] * (k - 2)]])


def _batch(loss, output, k):
    """Every logit row with every target row: Z and Y of shape (n, k)."""
    rows, targets = np.array(_rows(k), float), _target_rows(loss, output, k)
    Z = np.repeat(rows, len(targets), axis=0)
    Y = np.tile(targets, (len(rows), 1))
    return Z, Y


def _reference(Z, Y, loss, output):
    """Per-sample costs (n,) and dC/dZ (n, k) of the batch mean, in decimals."""
    n, k = Z.shape
    costs, delta = np.empty(n), np.empty((n, k))
    with localcontext() as ctx:
        ctx.prec = 60
        for i in range(n):
            z = [Decimal(float(v)) for v in Z[i]]
            y = [Decimal(float(v)) for v in Y[i]]
            if output == "sigmoid":
                a = [1 / (1 + (-zj).exp()) for zj in z]
                c = [1 / (1 + zj.exp()) for zj in z]  # 1 - a
            else:
                e = [zj.exp() for zj in z]
                a = [ej / sum(e) for ej in e]
                c = [sum(e[:j] + e[j + 1 :]) / sum(e) for j in range(k)]
            if loss == "cross_entropy":
                cost = -sum(yj * aj.ln() for yj, aj in zip(y, a, strict=True))
                # dC/da_j of the batch mean
                g = [-yj / aj / n for yj, aj in zip(y, a, strict=True)]
            else:
                terms = [
                    yj * aj.ln() + (1 - yj) * cj.ln()
                    for yj, aj, cj in zip(y, a, c, strict=True)
                ]
                cost = -sum(terms) / k
                g = [
                    (-yj / aj + (1 - yj) / cj) / (k * n)
                    for yj, aj, cj in zip(y, a, c, strict=True)
                ]
            costs[i] = float(cost)
            for j in range(k):
                if output == "sigmoid":  # sigma' = a (1 - a)
                    d = g[j] * a[j] * c[j]
                else:  # a_j (g_j - sum_m g_m a_m), with 1 - a_j as c_j
                    others = sum(g[m] * a[m] for m in range(k) if m != j)
                    d = a[j] * (g[j] * c[j] - others)
                delta[i, j] = float(d)
    return costs, delta


# Every pairing Network accepts for the losses that take logs: each loss with
# each probability output, one unit and several (multi-label for sigmoid).
PAIRINGS = [
    ("binary_cross_entropy", "sigmoid", 1),
    ("binary_cross_entropy", "sigmoid", 3),
    ("binary_cross_entropy", "softmax", 2),
    ("binary_cross_entropy", "softmax", 3),
    ("cross_entropy", "sigmoid", 1),
    ("cross_entropy", "sigmoid", 3),
    ("cross_entropy", "softmax", 2),
    ("cross_entropy", "softmax", 3),
]
PAIRING_IDS = [f"{loss}-{output}-{k}" for loss, output, k in PAIRINGS]
# (rtol, atol of a delta entry times n, atol of a cost)
TOLERANCES = {np.float32: (1e-5, 1e-6, 1e-5), np.float64: (1e-11, 1e-14, 1e-12)}


def test_the_reported_case_sigmoid_cross_entropy_at_minus_1000():
    # One sigmoid unit, cross_entropy, label 0: the one-hot target is [1], so
    # C = -log sigma(-1000) = softplus(1000) = 1000 (+ e^-1000), and
    # dC/dz = -(1 - sigma(z)) = -sigma(1000) = -1.
    loss, act = gn.CrossEntropy(), gn.Sigmoid()
    for dtype in (np.float32, np.float64):
        Z = np.array([[-1000.0]], dtype=dtype)
        Y = loss.prepare_targets([0], 1, dtype=dtype)
        assert Y.tolist() == [[1.0]]
        assert loss.value(act(Z), Y, Z, activation=act) == 1000.0
        assert loss.output_delta(Z, act(Z), Y, act).tolist() == [[-1.0]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(("loss", "output", "k"), PAIRINGS, ids=PAIRING_IDS)
def test_costs_and_delta_are_exact_at_extreme_logits(loss, output, k, dtype):
    Z, Y = _batch(loss, output, k)
    costs, delta = _reference(Z, Y, loss, output)
    Z, Y = Z.astype(dtype), Y.astype(dtype)
    loss_, act = gn.losses.get(loss), gn.activations.get(output)
    A = act(Z)
    rtol, atol_delta, atol_cost = TOLERANCES[dtype]
    got_costs = loss_.sample_costs(A, Y, Z, act)
    np.testing.assert_allclose(got_costs, costs, rtol=rtol, atol=atol_cost)
    value = loss_.value(A, Y, Z, activation=act)
    assert value == pytest.approx(costs.mean(), rel=rtol)
    got = loss_.output_delta(Z, A, Y, act)
    assert got.dtype == dtype and np.all(np.isfinite(got))
    n = Z.shape[0]
    np.testing.assert_allclose(got, delta, rtol=rtol, atol=atol_delta / n)
    # sample weights scale each sample's cost and delta
    w = np.linspace(0.0, 2.0, n).astype(dtype)
    weighted = loss_.value(A, Y, Z, w, activation=act)
    assert weighted == pytest.approx(np.dot(w, costs) / n, rel=rtol)
    got_w = loss_.output_delta(Z, A, Y, act, w)
    np.testing.assert_allclose(
        got_w, delta * w[:, None], rtol=rtol, atol=2 * atol_delta / n
    )


def _moderate_batch(loss, output, k, rng, n=6):
    Z = rng.normal(scale=3.0, size=(n, k))
    if loss == "cross_entropy":
        Y = np.eye(k)[rng.integers(0, k, n)]
    else:
        Y = rng.integers(0, 2, (n, k)).astype(float)
    return Z, Y


@pytest.mark.parametrize(("loss", "output", "k"), PAIRINGS, ids=PAIRING_IDS)
def test_delta_matches_finite_differences_of_the_value(loss, output, k):
    rng = np.random.default_rng(11)
    Z, Y = _moderate_batch(loss, output, k, rng)
    loss_, act = gn.losses.get(loss), gn.activations.get(output)

    def value(Zp):
        return loss_.value(act(Zp), Y, Zp, activation=act)

    h, numeric = 1e-6, np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        E = np.zeros_like(Z)
        E[idx] = h
        numeric[idx] = (value(Z + E) - value(Z - E)) / (2 * h)
    delta = loss_.output_delta(Z, act(Z), Y, act)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)
    # and the value from Z is the value from the probabilities A
    assert value(Z) == pytest.approx(loss_.value(act(Z), Y), rel=1e-12)


@pytest.mark.parametrize(("loss", "output", "k"), PAIRINGS, ids=PAIRING_IDS)
def test_every_delta_path_agrees_at_moderate_logits(loss, output, k):
    # fused (canonical pairs), log-space from Z, and the chain rule on A
    rng = np.random.default_rng(5)
    Z, Y = _moderate_batch(loss, output, k, rng)
    loss_, act = gn.losses.get(loss), gn.activations.get(output)
    A = act(Z)
    chain = act.backward(loss_.gradient(A, Y), Z, A)
    np.testing.assert_allclose(loss_.output_delta(Z, A, Y, act), chain, rtol=1e-9)
    np.testing.assert_allclose(loss_._delta_from_z(Z, Y, output), chain, rtol=1e-9)
    fused = (A - Y) * loss_.fused_delta_factor(A)
    if loss_.is_canonical(act):
        np.testing.assert_allclose(fused, chain, rtol=1e-9)


def _identity_network(loss, output, k, dtype):
    """One Dense layer with W = I and b = 0, so Z is the input itself."""
    layer = gn.Dense(k, k, output)
    net = gn.Network([layer], loss=loss, dtype=dtype, seed=0)
    layer.W = np.eye(k)
    layer.b = np.zeros(k)
    return net, net.layers[0]


def _targets_for_api(loss, output, k, Y):
    # class labels for cross_entropy (label 0 for one unit), else the rows
    if loss == "cross_entropy":
        return np.argmax(Y, axis=1)
    if k == 1:
        return Y.ravel()
    return Y


class _BatchLosses(gn.Callback):
    def __init__(self):
        self.losses = []

    def on_batch_end(self, batch, logs):
        self.losses.append(logs["loss"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("loss", "output", "k"), PAIRINGS, ids=PAIRING_IDS)
def test_public_api_is_exact_at_extreme_logits(loss, output, k, dtype):
    Z, Y = _batch(loss, output, k)
    costs, delta = _reference(Z, Y, loss, output)
    y = _targets_for_api(loss, output, k, Y)
    n = Z.shape[0]
    w = np.linspace(0.5, 1.5, n)  # averages 1, as fit rescales it to
    rtol, atol_delta, _ = TOLERANCES[np.dtype(dtype).type]
    expected = float(np.dot(w, costs) / n)

    net, layer = _identity_network(loss, output, k, dtype)
    result = net.evaluate(Z, y, sample_weight=w, metrics=[])
    assert result["loss"] == pytest.approx(expected, rel=rtol)
    assert net.loss_and_gradients(Z, y, sample_weight=w) == pytest.approx(
        expected, rel=rtol
    )
    # dC/db = sum_i w_i delta_i and dC/dW = (w delta)^T X, with X = Z
    weighted = delta * w[:, None]
    np.testing.assert_allclose(
        layer.db, weighted.sum(axis=0), rtol=rtol, atol=n * atol_delta
    )
    np.testing.assert_allclose(
        layer.dW, weighted.T @ Z, rtol=rtol, atol=1000 * n * atol_delta
    )
    assert net.trace(Z[:2], y[:2]).loss == pytest.approx(costs[:2].mean(), rel=rtol)

    # fit: one batch, so the batch loss and the epoch loss are both taken at
    # the weights before the update
    batches = _BatchLosses()
    history = net.fit(
        Z, y, epochs=1, batch_size=None, sample_weight=w, metrics=[],
        callbacks=[batches],
    )  # fmt: skip
    assert batches.losses == [pytest.approx(expected, rel=rtol)]
    assert history.history["loss"] == [pytest.approx(expected, rel=rtol)]


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
def test_logits_of_a_non_probability_output_are_a_clear_error(loss):
    Z, Y = np.zeros((2, 3)), np.eye(3)[[0, 1]]
    with pytest.raises(ValueError, match="'activation' parameter of .*Got 'relu'"):
        gn.losses.get(loss).value(Z, Y, Z, activation=gn.ReLU())
