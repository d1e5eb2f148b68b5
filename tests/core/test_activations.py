import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.core import backends

Z = np.array([[-3.0, -0.5, 0.0, 0.7, 4.0]])


def central_difference(f, z, h=1e-6):
    """(f(z + h) - f(z - h)) / 2h in float64: error O(h^2) + O(eps / h)."""
    z = np.asarray(z, dtype=np.float64)
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.fixture(params=["numpy", "compiled"])
def backend(request):
    try:
        return backends.get(request.param)
    except ImportError:
        pytest.skip("numba is not installed: no compiled backend to check")


def test_values_at_hand_computed_points():
    assert gn.Sigmoid()(np.array([0.0]))[0] == 0.5
    # sigma(ln 3) = 1 / (1 + 1/3) = 3/4
    assert gn.Sigmoid()(np.array([math.log(3.0)]))[0] == pytest.approx(0.75)
    # tanh(z) = (e^2z - 1) / (e^2z + 1): tanh(ln 2) = 3/5, tanh(1/2) = (e-1)/(e+1)
    assert gn.Tanh()(np.array([math.log(2.0)]))[0] == pytest.approx(0.6)
    tanh_half = (math.e - 1) / (math.e + 1)
    assert gn.Tanh()(np.array([0.5]))[0] == pytest.approx(tanh_half, rel=1e-15)
    assert gn.ReLU()(Z).tolist() == [[0.0, 0.0, 0.0, 0.7, 4.0]]
    assert gn.LeakyReLU(0.1)(Z)[0] == pytest.approx([-0.3, -0.05, 0, 0.7, 4])
    assert gn.Identity()(Z).tolist() == Z.tolist()
    assert gn.Step()(Z).tolist() == [[0, 0, 0, 1, 1]]
    assert gn.Sign()(Z).tolist() == [[-1, -1, -1, 1, 1]]
    # softmax of (0, ln 2, ln 3): (1, 2, 3) / 6
    z = np.log([[1.0, 2.0, 3.0]])
    assert gn.Softmax()(z)[0] == pytest.approx([1 / 6, 2 / 6, 3 / 6], rel=1e-14)


#: (activation, z, phi'(z)) worked out by hand: sigma' = sigma (1 - sigma) with
#: sigma(0) = 1/2 and sigma(ln 3) = 3/4; tanh' = 1 - tanh^2 with tanh(0) = 0
#: and tanh(ln 2) = 3/5; relu' is 0 at the kink.
HAND_DERIVATIVES = [
    (gn.Sigmoid(), [0.0, math.log(3.0), -math.log(3.0)], [0.25, 0.1875, 0.1875]),
    (gn.Tanh(), [0.0, math.log(2.0), -math.log(2.0)], [1.0, 0.64, 0.64]),
    (gn.ReLU(), [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    (gn.LeakyReLU(0.1), [-1.0, 0.0, 2.0], [0.1, 0.1, 1.0]),
    (gn.LeakyReLU(0.0), [-1.0, 3.0, 2.0], [0.0, 1.0, 1.0]),
    (gn.Identity(), [-1.0, 0.0, 2.0], [1.0, 1.0, 1.0]),
    # (e^z)' = e^z: e^0 = 1, e^(ln 2) = 2, e^(-ln 4) = 1/4
    (gn.Exp(), [0.0, math.log(2.0), -math.log(4.0)], [1.0, 2.0, 0.25]),
]


@pytest.mark.parametrize(
    ("act", "z", "expected"), HAND_DERIVATIVES, ids=lambda v: repr(v)[:20]
)
def test_derivatives_at_hand_computed_points(act, z, expected, backend):
    z = np.array([z])
    a = act(z)
    assert act.derivative(z)[0] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    if hasattr(act, "psi"):
        assert act.psi(a)[0] == pytest.approx(expected, rel=1e-12)
    g = np.array([[2.0, -1.0, 0.5]])
    assert act.backward(g, z, a)[0] == pytest.approx(g[0] * expected, rel=1e-12)
    dA = g.copy()
    out = act.backward_into(dA, z, a, np.empty_like(dA), backend)
    assert out[0] == pytest.approx(g[0] * expected, rel=1e-12)
    assert out is dA or act.name == "identity"


ELEMENTWISE = [
    gn.Sigmoid(),
    gn.Tanh(),
    gn.ReLU(),
    gn.LeakyReLU(0.2),
    gn.Identity(),
    gn.Exp(),
]

#: Away from relu's kink at 0, where a central difference straddles it.
POINTS = np.array([[-4.0, -2.5, -0.3, 0.4, 1.7, 3.0, 6.0]])


@pytest.mark.parametrize("act", ELEMENTWISE, ids=lambda a: a.name)
def test_every_derivative_matches_finite_differences(act, backend):
    numeric = central_difference(act, POINTS)
    A = act(POINTS)
    kw = {"rel": 1e-6, "abs": 1e-9}
    assert act.derivative(POINTS)[0] == pytest.approx(numeric[0], **kw)
    if hasattr(act, "psi"):  # lecture 002's derivative in terms of the output
        assert act.psi(A)[0] == pytest.approx(numeric[0], **kw)
    g = np.linspace(-1.5, 2.0, POINTS.shape[1])[None, :]
    assert act.backward(g, POINTS, A)[0] == pytest.approx((g * numeric)[0], **kw)
    dA = g.copy()
    act.backward_into(dA, POINTS, A, np.empty_like(dA), backend)
    assert dA[0] == pytest.approx((g * numeric)[0], **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", [*ELEMENTWISE, gn.Softmax()], ids=lambda a: a.name)
def test_bias_forward_equals_the_value(act, dtype, backend):
    rng = np.random.default_rng(1)
    Zb = rng.normal(scale=2.0, size=(4, 3)).astype(dtype)
    b = np.array([0.5, -1.0, 2.0], dtype=dtype)
    expected = act((Zb + b).astype(np.float64))
    Z, out = Zb.copy(), np.empty_like(Zb)
    A = act.bias_forward_into(Z, b, out, backend)
    np.testing.assert_allclose(Z, Zb + b)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(A, expected, rtol=tol, atol=tol)


def test_psi_of_lecture002_values():
    # psi(x) = x (1 - x) for the logistic function: 0.550 (1 - 0.550) = 0.2475
    assert gn.Sigmoid().psi(np.array([0.55]))[0] == pytest.approx(0.2475)
    assert gn.Tanh().psi(np.array([0.5]))[0] == pytest.approx(0.75)


def test_sigmoid_is_stable_for_large_inputs():
    z = np.array([-1000.0, -745.0, -40.0, 40.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = gn.Sigmoid()(z)
    assert np.all(np.isfinite(a))
    assert a[0] == 0.0 and a[-1] == 1.0
    # Small outputs keep their relative precision: sigma(-40) = e^-40 / (1 + e^-40)
    assert a[2] == pytest.approx(np.exp(-40.0), rel=1e-12)


def test_softmax_is_stable_and_normalized():
    z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = gn.Softmax()(z)
    assert a.sum(axis=1) == pytest.approx([1.0, 1.0])
    # softmax is shift-invariant: same as for [0, 1, 2]
    e = np.exp([0.0, 1.0, 2.0])
    assert a[0] == pytest.approx(e / e.sum())


def test_softmax_backward_is_the_jacobian_vector_product(backend):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 4))
    g = rng.normal(size=(3, 4))
    sm = gn.Softmax()
    a = sm(z)
    for row in range(3):
        # Jacobian by central differences, column j = d a / d z_j
        J = np.column_stack(
            [
                central_difference(lambda t, j=j, r=z[row]: sm(r + t * np.eye(4)[j]), 0)
                for j in range(4)
            ]
        )
        assert sm.jacobian(z[row]) == pytest.approx(J, abs=1e-8)
        expected = J.T @ g[row]
        assert sm.backward(g, z, a)[row] == pytest.approx(expected, abs=1e-8)
        dA = g.copy()
        sm.backward_into(dA, z, a, np.empty_like(dA), backend)
        assert dA[row] == pytest.approx(expected, abs=1e-8)


def test_softmax_jacobian_at_a_hand_computed_point():
    # a = (1, 2, 3) / 6: diag(a) - a a^T
    J = gn.Softmax().jacobian(np.log([1.0, 2.0, 3.0]))
    a = np.array([1.0, 2.0, 3.0]) / 6
    expected = [
        [a[0] - a[0] ** 2, -a[0] * a[1], -a[0] * a[2]],
        [-a[1] * a[0], a[1] - a[1] ** 2, -a[1] * a[2]],
        [-a[2] * a[0], -a[2] * a[1], a[2] - a[2] ** 2],
    ]
    assert J == pytest.approx(np.array(expected), abs=1e-15)


@pytest.mark.parametrize("name", ["step", "sign"])
def test_threshold_units_refuse_backpropagation(name):
    act = gn.activations.get(name)
    with pytest.raises(ValueError, match=f"'{name}' activation.*backpropagation"):
        act.derivative(np.zeros(2))


@pytest.mark.parametrize("name", ["step", "sign"])
def test_threshold_units_in_a_network_are_an_error(name):
    with pytest.raises(ValueError, match=f"Layer 1 .*'{name}' activation"):
        gn.Network([gn.Dense(2, 2, name), gn.Dense(2, 1, "sigmoid")])


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(ValueError, match="Jacobian"):
        gn.Softmax().derivative(np.zeros((1, 3)))


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown activation 'swish'.*relu.*sigmoid"):
        gn.activations.get("swish")


def test_aliases_and_instances():
    assert isinstance(gn.activations.get("logistic"), gn.Sigmoid)
    assert isinstance(gn.activations.get("linear"), gn.Identity)
    act = gn.LeakyReLU(0.2)
    assert gn.activations.get(act) is act
    with pytest.raises(TypeError, match="'activation' parameter"):
        gn.activations.get(3)
    with pytest.raises(ValueError, match="'alpha' parameter of LeakyReLU"):
        gn.LeakyReLU(-1)
