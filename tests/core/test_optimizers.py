"""Optimizers against their published update rules, written out here by hand.

The fixed problem: parameters w0 = [1.0, -2.0, 0.5] and the gradient of
C(w) = sum_i c_i w_i^2 / 2 + d_i w_i, i.e. g_i(w) = c_i w_i + d_i. Each
reference below transcribes the rule from its paper, one scalar at a time,
in plain Python floats, independently of glassnet's vectorized code.
"""

import math

import numpy as np
import pytest

import glassnet as gn

W0 = [1.0, -2.0, 0.5]
C = [2.0, 0.5, 4.0]
D = [0.1, -0.3, 0.0]


def grad(w):
    return [c * wi + d for wi, c, d in zip(w, C, D, strict=True)]


def run_glassnet(optimizer, steps=3):
    """The first ``steps`` iterates of ``optimizer`` on the fixed problem."""
    w = np.array(W0, dtype=np.float64)
    iterates = []
    for _ in range(steps):
        g = np.array(grad(list(w)))
        optimizer.step([w], [g])
        iterates.append(w.copy())
    return np.array(iterates)


# -- the published rules, scalar by scalar ---------------------------------------


def reference_sgd(lr, momentum=0.0, nesterov=False, steps=3):
    # Sutskever et al. 2013 / PyTorch: v <- mu v + g; w <- w - lr v
    # (Nesterov: w <- w - lr (g + mu v)).
    w, v, out = list(W0), [0.0] * 3, []
    for _ in range(steps):
        g = grad(w)
        for i in range(3):
            v[i] = momentum * v[i] + g[i]
            step = g[i] + momentum * v[i] if nesterov else v[i]
            w[i] = w[i] - lr * step
        out.append(list(w))
    return np.array(out)


def reference_adagrad(lr, eps=1e-10, steps=3):
    # Duchi et al. 2011: G <- G + g^2; w <- w - lr g / (sqrt(G) + eps)
    w, G, out = list(W0), [0.0] * 3, []
    for _ in range(steps):
        g = grad(w)
        for i in range(3):
            G[i] += g[i] ** 2
            w[i] -= lr * g[i] / (math.sqrt(G[i]) + eps)
        out.append(list(w))
    return np.array(out)


def reference_rmsprop(lr, rho=0.9, eps=1e-8, steps=3):
    # Hinton 2012: s <- rho s + (1 - rho) g^2; w <- w - lr g / (sqrt(s) + eps)
    w, s, out = list(W0), [0.0] * 3, []
    for _ in range(steps):
        g = grad(w)
        for i in range(3):
            s[i] = rho * s[i] + (1 - rho) * g[i] ** 2
            w[i] -= lr * g[i] / (math.sqrt(s[i]) + eps)
        out.append(list(w))
    return np.array(out)


def reference_adam(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0, steps=3):
    # Kingma & Ba 2015, Algorithm 1; with weight_decay, Loshchilov & Hutter's
    # decoupled decay w <- w - lr * wd * w applied before the Adam step.
    w, m, v, out = list(W0), [0.0] * 3, [0.0] * 3, []
    for t in range(1, steps + 1):
        g = grad(w)
        for i in range(3):
            w[i] -= lr * weight_decay * w[i]
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            m_hat = m[i] / (1 - b1**t)
            v_hat = v[i] / (1 - b2**t)
            w[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(list(w))
    return np.array(out)


CASES = [
    ("sgd", gn.SGD(lr=0.1), reference_sgd(0.1)),
    ("momentum", gn.SGD(lr=0.1, momentum=0.9), reference_sgd(0.1, 0.9)),
    (
        "nesterov",
        gn.SGD(lr=0.1, momentum=0.9, nesterov=True),
        reference_sgd(0.1, 0.9, nesterov=True),
    ),
    ("adagrad", gn.Adagrad(lr=0.5), reference_adagrad(0.5)),
    ("rmsprop", gn.RMSProp(lr=0.01, rho=0.8), reference_rmsprop(0.01, rho=0.8)),
    ("adam", gn.Adam(lr=0.1), reference_adam(0.1)),
    (
        "adam_betas",
        gn.Adam(lr=0.05, beta_1=0.5, beta_2=0.9, eps=1e-3),
        reference_adam(0.05, b1=0.5, b2=0.9, eps=1e-3),
    ),
    (
        "adamw",
        gn.AdamW(lr=0.1, weight_decay=0.2),
        reference_adam(0.1, weight_decay=0.2),
    ),
]


@pytest.mark.parametrize(
    "optimizer, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_first_three_updates_follow_the_published_rule(optimizer, expected):
    optimizer.reset()
    np.testing.assert_allclose(run_glassnet(optimizer), expected, rtol=1e-12)


def test_hand_computed_numbers():
    # SGD lr 0.1, g = 2w + 0.1 at w = 1: w1 = 1 - 0.1 * 2.1 = 0.79;
    # g1 = 1.68, w2 = 0.79 - 0.168 = 0.622; g2 = 1.344, w3 = 0.4876.
    assert run_glassnet(gn.SGD(lr=0.1))[:, 0] == pytest.approx([0.79, 0.622, 0.4876])
    # Momentum 0.9: v1 = 2.1, w1 = 0.79; g1 = 1.68, v2 = 1.89 + 1.68 = 3.57,
    # w2 = 0.79 - 0.357 = 0.433.
    assert run_glassnet(gn.SGD(lr=0.1, momentum=0.9), 2)[:, 0] == pytest.approx(
        [0.79, 0.433]
    )
    # Adam's first step is lr * g / (|g| + eps / sqrt(1 - b2)) ~ lr * sign(g)
    # for every parameter: m_hat = g, v_hat = g^2.
    first = run_glassnet(gn.Adam(lr=0.1), 1)[0]
    assert first == pytest.approx([0.9, -1.9, 0.4], abs=1e-7)
    # Adagrad's first step is also lr * g / |g|: G = g^2.
    assert run_glassnet(gn.Adagrad(lr=0.5), 1)[0] == pytest.approx(
        [0.5, -1.5, 0.0], abs=1e-9
    )


def test_state_is_created_lazily_and_parameters_stay_the_same_objects():
    opt = gn.Adam()
    assert opt.state == {}
    w = np.array(W0)
    before = w
    opt.step([w], [np.array(grad(W0))])
    assert w is before
    assert set(opt.state[0]) >= {"m", "v"}
    opt.reset()
    assert opt.state == {} and opt.iterations == 0


@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adam", "adamw"])
def test_network_train_step_updates_the_flat_buffer_in_place(name):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.integers(0, 2, 8)
    net = gn.Network.mlp([3, 4, 2], seed=0, dtype="float64")
    buffer = net.parameters_flat
    before = buffer.copy()
    net.train_step(X, y, optimizer=gn.optimizers.get(name, lr=0.01))
    assert net.parameters_flat is buffer
    assert net.layers[0].W.base is buffer or np.shares_memory(net.layers[0].W, buffer)
    assert not np.allclose(buffer, before)


def test_float32_parameters_stay_float32():
    w = np.array(W0, dtype=np.float32)
    for opt in (gn.SGD(momentum=0.9), gn.Adagrad(), gn.RMSProp(), gn.AdamW()):
        opt.step([w], [np.array(grad(W0), dtype=np.float32)])
        assert w.dtype == np.float32
        assert all(s.dtype == np.float32 for s in opt.state[0].values())


def test_clip_by_global_norm_rescales_all_gradients_together():
    g1, g2 = np.array([3.0, 0.0]), np.array([0.0, 4.0])  # global norm 5
    opt = gn.SGD(lr=1.0, clip_norm=1.0)
    w1, w2 = np.zeros(2), np.zeros(2)
    opt.step([w1, w2], [g1, g2])
    np.testing.assert_allclose(np.r_[w1, w2], -np.array([0.6, 0.0, 0.0, 0.8]))
    # Under the threshold nothing changes.
    small = np.array([0.3, 0.4])
    gn.SGD(lr=1.0, clip_norm=1.0).clip([small])
    np.testing.assert_allclose(small, [0.3, 0.4])


def test_clip_by_value():
    g = np.array([-3.0, 0.2, 5.0])
    w = np.zeros(3)
    gn.Adam(lr=1.0, clip_value=0.5).step([w], [g])
    np.testing.assert_allclose(g, [-0.5, 0.2, 0.5])


def test_clipping_tames_an_exploding_gradient_in_training():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4)) * 50.0  # badly scaled inputs
    y = X @ np.array([1.0, -2.0, 0.5, 3.0])
    net = gn.Network.mlp([4, 8, 1], output="identity", loss="mse", seed=0)
    history = net.fit(
        X, y, epochs=3, optimizer=gn.SGD(lr=0.01, clip_norm=1.0), seed=0, metrics=[]
    )
    assert np.all(np.isfinite(history.history["loss"]))


def test_names_resolve_and_unknown_name_lists_valid_ones():
    assert isinstance(gn.optimizers.get("Adam"), gn.Adam)
    assert gn.optimizers.get("adamw", lr=0.5).lr == 0.5
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adm'.*adam, adamw"):
        gn.optimizers.get("adm")
    with pytest.raises(TypeError, match="name .str. or an Optimizer"):
        gn.optimizers.get(3)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: gn.Adam(lr=-1), r"'lr' parameter of Adam .* \[0, inf\)\. Got -1"),
        (lambda: gn.SGD(lr=float("nan")), r"'lr' parameter of SGD .* \[0, inf\)"),
        (lambda: gn.SGD(lr=float("inf")), r"'lr' parameter of SGD .* \[0, inf\)"),
        (lambda: gn.SGD(lr="fast"), r"'lr' parameter of SGD"),
        (lambda: gn.SGD(momentum=1.0), r"'momentum' parameter of SGD .* \[0, 1\)"),
        (lambda: gn.SGD(nesterov=True), "Nesterov momentum needs momentum > 0"),
        (lambda: gn.Adam(beta_1=1.0), r"'beta_1' parameter of Adam"),
        (lambda: gn.AdamW(beta_2=-0.1), r"'beta_2' parameter of AdamW"),
        (lambda: gn.RMSProp(rho=1.5), r"'rho' parameter of RMSProp"),
        (lambda: gn.Adagrad(eps=0), r"'eps' parameter of Adagrad"),
        (lambda: gn.AdamW(weight_decay=-1), r"'weight_decay' parameter of AdamW"),
        (lambda: gn.SGD(clip_norm=0), r"'clip_norm' parameter of SGD"),
        (lambda: gn.Adam(clip_value=-2), r"'clip_value' parameter of Adam"),
    ],
    ids=[
        "negative_lr",
        "nan_lr",
        "inf_lr",
        "string_lr",
        "momentum_one",
        "nesterov_without_momentum",
        "beta1_one",
        "beta2_negative",
        "rho_above_one",
        "eps_zero",
        "negative_weight_decay",
        "zero_clip_norm",
        "negative_clip_value",
    ],
)
def test_bad_hyperparameters_raise_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_setting_a_negative_lr_later_is_refused():
    opt = gn.RMSProp()
    with pytest.raises(ValueError, match=r"'lr' parameter of RMSProp"):
        opt.lr = -0.1


# -- a learning rate of 0 ----------------------------------------------------------

ZERO_LR = [
    ("sgd", lambda lr: gn.SGD(lr=lr)),
    ("momentum", lambda lr: gn.SGD(lr=lr, momentum=0.9)),
    ("nesterov", lambda lr: gn.SGD(lr=lr, momentum=0.9, nesterov=True)),
    ("adagrad", lambda lr: gn.Adagrad(lr=lr)),
    ("rmsprop", lambda lr: gn.RMSProp(lr=lr)),
    ("adam", lambda lr: gn.Adam(lr=lr)),
    ("adamw", lambda lr: gn.AdamW(lr=lr, weight_decay=0.5)),
]


@pytest.mark.parametrize("make", [m for _, m in ZERO_LR], ids=[n for n, _ in ZERO_LR])
def test_lr_zero_is_allowed_and_leaves_the_weights_unchanged(make):
    # As in PyTorch, lr = 0 is a valid rate, given at construction or later.
    optimizer = make(0.0)
    assert optimizer.lr == 0.0
    np.testing.assert_array_equal(run_glassnet(optimizer), [W0, W0, W0])
    later = make(0.1)
    later.lr = 0
    np.testing.assert_array_equal(run_glassnet(later, 2), [W0, W0])
    assert later.iterations == 2


def test_lr_zero_still_updates_momentum_and_adam_moments():
    # By hand, at w0 the gradient is g0 = C * w0 + D = [2.1, -1.3, 2.0] and it
    # stays g0 (w does not move). Momentum: v1 = g0, v2 = 0.9 g0 + g0.
    # Adam: m_t = (1 - 0.9^t) g0 and v_t = (1 - 0.999^t) g0^2 (geometric sums).
    g0 = np.array(grad(W0))
    sgd = gn.SGD(lr=0.0, momentum=0.9)
    run_glassnet(sgd, 2)
    np.testing.assert_allclose(sgd.state[0]["velocity"], 1.9 * g0, rtol=1e-15)
    adam = gn.Adam(lr=0.0)
    run_glassnet(adam, 3)
    np.testing.assert_allclose(adam.state[0]["m"], (1 - 0.9**3) * g0, rtol=1e-14)
    np.testing.assert_allclose(adam.state[0]["v"], (1 - 0.999**3) * g0**2, rtol=1e-12)


def test_lr_zero_matches_pytorch_state():
    torch = pytest.importorskip("torch")
    for name, make, state_keys in [
        ("adam", lambda p: torch.optim.Adam(p, lr=0.0), [("m", "exp_avg")]),
        (
            "momentum",
            lambda p: torch.optim.SGD(p, lr=0.0, momentum=0.9),
            [("velocity", "momentum_buffer")],
        ),
    ]:
        w = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
        reference = make([w])
        for _ in range(3):
            reference.zero_grad()
            w.grad = torch.tensor(grad(w.detach().tolist()), dtype=torch.float64)
            reference.step()
        optimizer = dict(ZERO_LR)[name](0.0)
        iterates = run_glassnet(optimizer)
        np.testing.assert_array_equal(iterates[-1], w.detach().numpy())
        for ours, theirs in state_keys:
            np.testing.assert_allclose(
                optimizer.state[0][ours],
                reference.state[w][theirs].numpy(),
                rtol=1e-14,
            )
