import numpy as np
import pytest

import glassnet as gn

Z = np.array([[-3.0, -0.5, 0.0, 0.7, 4.0]])


def central_difference(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


def test_values_at_hand_computed_points():
    assert gn.Sigmoid()(np.array([0.0]))[0] == 0.5
    # sigma(2) = 1 / (1 + e^-2)
    assert gn.Sigmoid()(np.array([2.0]))[0] == pytest.approx(1 / (1 + np.exp(-2)))
    assert gn.Tanh()(np.array([0.5]))[0] == pytest.approx(np.tanh(0.5))
    assert gn.ReLU()(Z).tolist() == [[0.0, 0.0, 0.0, 0.7, 4.0]]
    assert gn.LeakyReLU(0.1)(Z)[0] == pytest.approx([-0.3, -0.05, 0, 0.7, 4])
    assert gn.Identity()(Z).tolist() == Z.tolist()
    assert gn.Step()(Z).tolist() == [[0, 0, 0, 1, 1]]
    assert gn.Sign()(Z).tolist() == [[-1, -1, -1, 1, 1]]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
def test_derivative_matches_finite_differences(name):
    act = gn.get_activation(name)
    z = np.array([-2.5, -0.3, 0.4, 1.7, 3.0])  # away from the kink at 0
    assert act.derivative(z) == pytest.approx(central_difference(act, z), rel=1e-7)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_psi_is_the_derivative_written_in_the_output(name):
    act = gn.get_activation(name)
    z = np.linspace(-4, 4, 9)
    assert act.psi(act(z)) == pytest.approx(act.derivative(z), rel=1e-12)


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


def test_softmax_backward_is_the_jacobian_vector_product():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(1, 4))
    g = rng.normal(size=(1, 4))
    sm = gn.Softmax()
    a = sm(z)
    # Jacobian by central differences, column j = d a / d z_j
    J = np.column_stack(
        [
            central_difference(lambda t, j=j: sm(z + t * np.eye(4)[j])[0], 0.0)
            for j in range(4)
        ]
    )
    assert sm.jacobian(z[0]) == pytest.approx(J, abs=1e-8)
    assert sm.backward(g, z, a)[0] == pytest.approx(J.T @ g[0], abs=1e-8)


@pytest.mark.parametrize("name", ["step", "sign"])
def test_threshold_units_refuse_backpropagation(name):
    act = gn.get_activation(name)
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
        gn.get_activation("swish")


def test_aliases_and_instances():
    assert isinstance(gn.get_activation("logistic"), gn.Sigmoid)
    assert isinstance(gn.get_activation("linear"), gn.Identity)
    act = gn.LeakyReLU(0.2)
    assert gn.get_activation(act) is act
    with pytest.raises(TypeError, match="'activation' parameter"):
        gn.get_activation(3)
    with pytest.raises(ValueError, match="'alpha' parameter of LeakyReLU"):
        gn.LeakyReLU(-1)
