"""The fast training paths against a plain reference computation.

The loop trains on reused work arrays, gathered batches, fused output deltas
and (when numba is installed) a compiled optimizer step; these tests check
that none of that changes the result: the parameters after three Adam steps
equal those of a straightforward NumPy implementation written out here.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet.core import backends
from glassnet.core.backends import NumpyBackend

SIZES = [5, 7, 6, 3]


def problem():
    rng = np.random.default_rng(42)
    return rng.normal(size=(12, 5)), rng.integers(0, 3, size=12)


def reference_adam(weights, X, y, batches, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """ReLU MLP, softmax + cross-entropy, Adam exactly as published."""
    params = [w.astype(np.float64).copy() for w in weights]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    Y = np.eye(3)[y]
    for t, rows in enumerate(batches, start=1):
        Xb, Yb, n = X[rows], Y[rows], len(rows)
        acts, zs = [Xb], []
        for k in range(0, len(params), 2):
            z = acts[-1] @ params[k].T + params[k + 1]
            zs.append(z)
            if k + 2 < len(params):
                acts.append(np.maximum(z, 0))
            else:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                acts.append(e / e.sum(axis=1, keepdims=True))
        delta = (acts[-1] - Yb) / n
        grads = [None] * len(params)
        for k in range(len(params) - 2, -1, -2):
            grads[k], grads[k + 1] = delta.T @ acts[k // 2], delta.sum(axis=0)
            if k > 0:
                delta = (delta @ params[k]) * (zs[k // 2 - 1] > 0)
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat, v_hat = m[i] / (1 - b1**t), v[i] / (1 - b2**t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params, grads


BATCHES = [range(0, 4), range(4, 8), range(8, 12)]


def _compiled_or_skip():
    try:
        return backends.get("compiled")
    except ImportError:
        pytest.skip("numba is not installed: no compiled backend to check")


@pytest.fixture(params=["numpy", "compiled"])
def path(request):
    if request.param == "compiled":
        _compiled_or_skip()
    return request.param


def test_three_adam_steps_in_float64_equal_the_reference(path):
    X, y = problem()
    net = gn.Network.mlp(SIZES, seed=3, dtype="float64")
    expected, _ = reference_adam(net.get_weights(), X, y, BATCHES)
    net.fit(
        X,
        y,
        epochs=1,
        batch_size=4,
        shuffle=False,
        optimizer=gn.Adam(1e-3),
        backend=path,
    )
    for ours, ref in zip(net.get_weights(), expected, strict=True):
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_gradients_in_float64_equal_the_reference():
    X, y = problem()
    net = gn.Network.mlp(SIZES, seed=3, dtype="float64")
    _, grads = reference_adam(net.get_weights(), X, y, [range(12)])
    net.loss_and_gradients(X, y)
    for ours, ref in zip(net.backward(y), grads, strict=True):
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-14)


def test_three_adam_steps_in_float32_equal_the_reference_to_rounding(path):
    X, y = problem()
    net = gn.Network.mlp(SIZES, seed=3)
    expected, _ = reference_adam(net.get_weights(), X, y, BATCHES)
    net.fit(
        X.astype(np.float32),
        y,
        epochs=1,
        batch_size=4,
        shuffle=False,
        optimizer=gn.Adam(1e-3),
        backend=path,
    )
    for ours, ref in zip(net.get_weights(), expected, strict=True):
        assert ours.dtype == np.float32
        # float32 carries 7 significant digits; 3 steps of lr 1e-3 move each
        # parameter by about 3e-3, so a few units in 1e-7 of absolute error
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_compiled_and_numpy_optimizers_agree_to_float32_rounding():
    compiled = _compiled_or_skip()
    rng = np.random.default_rng(0)
    g = rng.normal(scale=1e-3, size=1000).astype(np.float32)
    results = []
    for backend in (backends.get("numpy"), compiled):
        p = np.linspace(-1, 1, 1000, dtype=np.float32)
        opt = gn.Adam(1e-2)
        for _ in range(3):
            opt.step([p], [g], backend=backend)
        results.append(p)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-7)


def test_tiny_moments_are_flushed_to_zero():
    p = np.ones(4, dtype=np.float32)
    g = np.array([1e-3, 0.0, 0.0, 0.0], dtype=np.float32)
    opt = gn.Adam(1e-3)
    opt.step([p], [g])
    m = opt.state[0]["m"]
    m[1] = 1e-35  # a moment that would decay into subnormal numbers
    for _ in range(gn.Adam._FLUSH_EVERY - 1):
        opt.step([p], [np.zeros(4, dtype=np.float32)])
    assert m[1] == 0.0 and m[0] != 0.0


def test_uint8_pixels_train_like_their_float_values():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(40, 16), dtype=np.uint8)
    y = rng.integers(0, 2, size=40)
    nets = [gn.Network.mlp([16, 8, 2], seed=1) for _ in range(2)]
    nets[0].fit(pixels, y, epochs=2, batch_size=8, seed=0)
    nets[1].fit(pixels / np.float32(255), y, epochs=2, batch_size=8, seed=0)
    for a, b in zip(nets[0].get_weights(), nets[1].get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        nets[0].predict_proba(pixels), nets[1].predict_proba(pixels / 255), atol=1e-6
    )


def test_memory_maps_train_exactly_like_arrays(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, size=(30, 10), dtype=np.uint8)
    y = rng.integers(0, 3, size=30)
    mapped = np.lib.format.open_memmap(
        tmp_path / "X.npy", mode="w+", dtype=np.uint8, shape=X.shape
    )
    mapped[:] = X
    mapped.flush()
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    nets = [gn.Network.mlp([10, 6, 3], seed=2) for _ in range(2)]
    nets[0].fit(X, y, epochs=2, batch_size=7, seed=5)
    nets[1].fit(mapped, y, epochs=2, batch_size=7, seed=5)
    for a, b in zip(nets[0].get_weights(), nets[1].get_weights(), strict=True):
        assert np.array_equal(a, b)


def test_an_iterable_of_batches_trains_like_the_arrays():
    X, y = problem()
    batches = [(X[r.start : r.stop], y[r.start : r.stop]) for r in BATCHES]
    nets = [gn.Network.mlp(SIZES, seed=3, dtype="float64") for _ in range(2)]
    h0 = nets[0].fit(X, y, epochs=2, batch_size=4, shuffle=False)
    h1 = nets[1].fit(batches, epochs=2)
    for a, b in zip(nets[0].get_weights(), nets[1].get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert h1.history["loss"] == pytest.approx(h0.history["loss"])
    # a function returning a fresh iterator per epoch works the same
    nets.append(gn.Network.mlp(SIZES, seed=3, dtype="float64"))
    nets[2].fit(lambda: iter(batches), epochs=2)
    assert np.array_equal(nets[2].parameters_flat, nets[0].parameters_flat)


def test_a_generator_serves_one_epoch_only():
    X, y = problem()
    generator = ((X[i : i + 4], y[i : i + 4]) for i in range(0, 12, 4))
    net = gn.Network.mlp(SIZES, seed=0)
    with pytest.raises(ValueError, match="yielded nothing in epoch 2"):
        net.fit(generator, epochs=2)
    with pytest.raises(ValueError, match=r"Batch 0 .* must be a pair"):
        net.fit([X], epochs=1)


def test_chunked_inference_equals_one_pass(monkeypatch):
    # (the compiled kernels round differently from NumPy: compare NumPy to NumPy)
    monkeypatch.setenv("GLASSNET_ACCELERATE", "0")  # predict's default backend
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(50, 5)), rng.integers(0, 3, size=50)
    net = gn.Network.mlp(SIZES, seed=3)
    whole = net.forward(X)
    expected_loss = net.loss.value(whole, net.prepare_targets(y))
    monkeypatch.setattr(gn.Network, "INFERENCE_CHUNK", 7)
    assert np.array_equal(net.predict_proba(X), whole)
    assert np.array_equal(net.predict(X), whole.argmax(axis=1))
    assert net.evaluate(X, y)["loss"] == pytest.approx(expected_loss, rel=1e-6)
    assert net.layers[0].A.shape == (50, 7)  # forward keeps every sample's arrays


@pytest.fixture(params=["numpy", "compiled"])
def backend(request):
    if request.param == "compiled":
        return _compiled_or_skip()
    return backends.get("numpy")


def _pre_activations(dtype):
    rng = np.random.default_rng(7)
    Z = rng.normal(scale=3.0, size=(9, 6)).astype(dtype)
    Z[0, :3] = [0.0, 1e4, -1e4]  # a zero, and values whose exp overflows
    Z[1, 2] = np.nan
    return Z, rng.normal(size=6).astype(dtype)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z.astype(np.float64)))


def _softmax_rows(z):
    z = z.astype(np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


FORMULAS = {
    "bias_relu": lambda z: np.maximum(z, 0),
    "bias_sigmoid": _sigmoid,
    "bias_softmax": _softmax_rows,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_bias_and_activation_equal_the_formula(backend, name, dtype):
    Z, b = _pre_activations(dtype)
    expected_Z = Z + b
    with np.errstate(over="ignore", invalid="ignore"):
        expected = FORMULAS[name](expected_Z)
    A = np.empty_like(Z)
    if name == "bias_relu":  # and in place, as inference uses it
        in_place = Z.copy()
        assert backend.bias_relu(in_place, b, in_place) is in_place
        assert np.array_equal(in_place, expected, equal_nan=True)
    with np.errstate(over="ignore", invalid="ignore"):
        assert getattr(backend, name)(Z, b, A) is A
    assert np.array_equal(Z, expected_Z, equal_nan=True)
    assert A.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(A, expected, rtol=tol, atol=tol, equal_nan=True)


def test_large_sigmoid_layers_use_numpy_in_the_compiled_backend(monkeypatch):
    compiled = _compiled_or_skip()
    from glassnet.core.backends import compiled as module

    Z = np.linspace(-5, 5, module.SCALAR_MATH_MAX + 1, dtype=np.float32)[None, :]
    b = np.zeros(Z.shape[1], dtype=np.float32)
    calls = []
    original = NumpyBackend.bias_sigmoid
    monkeypatch.setattr(
        NumpyBackend,
        "bias_sigmoid",
        lambda self, *a: calls.append(1) or original(self, *a),
    )
    A = compiled.bias_sigmoid(Z.copy(), b, np.empty_like(Z))
    assert calls == [1]
    np.testing.assert_allclose(A, _sigmoid(Z), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_steps_equal_the_derivatives(backend, dtype):
    rng = np.random.default_rng(8)
    Z = rng.normal(size=(7, 5)).astype(dtype)
    Z[0, 0] = 0.0  # relu'(0) is taken as 0
    A = np.tanh(Z)
    G = rng.normal(size=Z.shape).astype(dtype)
    cases = {
        "relu_backward": (Z, G * (Z > 0)),
        "tanh_backward": (A, G * (1 - A * A)),
        "sigmoid_backward": (A, G * (A * (1 - A))),
    }
    for name, (arg, expected) in cases.items():
        dA = G.copy()
        assert getattr(backend, name)(dA, arg, np.empty_like(dA)) is dA
        np.testing.assert_allclose(dA, expected, rtol=1e-6, atol=0, err_msg=name)


def test_sgd_step_is_w_minus_lr_g(backend):
    p = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    g = np.array([0.5, 0.25, -4.0], dtype=np.float32)
    backend.sgd(p, g, 0.1, np.empty_like(p))
    np.testing.assert_array_equal(p, np.float32([0.95, -2.025, 0.9]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("need_dX", [True, False])
def test_small_products_equal_the_matrix_products(backend, dtype, need_dX):
    rng = np.random.default_rng(9)
    X, W = rng.normal(size=(6, 4)).astype(dtype), rng.normal(size=(3, 4)).astype(dtype)
    delta = rng.normal(size=(6, 3)).astype(dtype)
    Z = np.full((6, 3), np.nan, dtype=dtype)
    WT = np.ascontiguousarray(W.T)  # Dense keeps W as the rows of W^T
    backend.dense_forward(X, WT, Z)
    dWT, db = np.full_like(WT, np.nan), np.full(3, np.nan, dtype=dtype)
    dX = np.full_like(X, 7.0) if need_dX else None
    returned = backend.dense_backward(delta, X, WT, dWT, db, dX, np.ones(6, dtype))
    assert returned is dX
    dW = dWT.T
    x, w, d = (a.astype(np.float64) for a in (X, W, delta))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12}
    np.testing.assert_allclose(Z, x @ w.T, **tol)
    np.testing.assert_allclose(dW, d.T @ x, **tol)
    np.testing.assert_allclose(db, d.sum(axis=0), **tol)
    if need_dX:
        np.testing.assert_allclose(dX, d @ w, **tol)


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
@pytest.mark.parametrize("products", ["compiled loops", "BLAS"])
def test_compiled_and_numpy_training_agree_to_float32_rounding(
    hidden, output, products, monkeypatch
):
    _compiled_or_skip()
    if products == "BLAS":  # every layer above the size of the compiled loops
        from glassnet.core.backends import compiled

        monkeypatch.setattr(compiled, "SMALL_PRODUCT", 0)
    X, y = problem()
    y = y if output == "softmax" else (y > 0).astype(int)
    sizes = SIZES if output == "softmax" else [*SIZES[:-1], 1]
    results = []
    for name in ("numpy", "compiled"):
        net = gn.Network.mlp(sizes, hidden=hidden, output=output, seed=3)
        net.fit(
            X.astype(np.float32),
            y,
            epochs=3,
            batch_size=4,
            optimizer="sgd",
            seed=0,
            backend=name,
        )
        results.append(net.parameters_flat.copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


def test_pixel_gather_equals_rows_over_255(backend):
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    idx = np.array([3, 0, 15, 3])
    out = np.empty((4, 16), dtype=np.float32)
    raw = np.empty((4, 16), dtype=np.uint8)
    assert backend.gather_pixels(pixels, idx, out, raw) is out
    expected = (pixels[idx].astype(np.float64) / 255.0).astype(np.float32)
    assert np.array_equal(out, expected)
    assert out[1, 0] == 0.0 and out[2, -1] == 1.0


def test_predicting_inside_training_keeps_the_loops_work_arrays():
    X, y = problem()
    net = gn.Network.mlp(SIZES, seed=3)
    seen = []

    class PredictEachBatch(gn.Callback):
        def on_batch_end(self, batch, logs):
            net.predict(X[:5])  # opens and closes a workspace of its own
            seen.append(net.layers[0].workspace is not None)

    net.fit(X, y, epochs=1, batch_size=4, callbacks=[PredictEachBatch()])
    assert seen == [True, True, True]
    assert all(layer.workspace is None for layer in net.layers)


def _reference_adam_float64(p, g, steps, lr, b1=0.9, b2=0.999, eps=1e-8):
    """Kingma and Ba's Algorithm 1, in float64."""
    p, g = p.astype(np.float64), g.astype(np.float64)
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t in range(1, steps + 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return p


def test_adam_by_hand_gives_the_same_numbers_before_and_after_a_fit():
    rng = np.random.default_rng(0)
    g = rng.normal(scale=1e-3, size=1000).astype(np.float32)
    start = np.linspace(-1, 1, 1000, dtype=np.float32)

    def three_steps(**backend):
        p, opt = start.copy(), gn.Adam(1e-2)
        for _ in range(3):
            opt.step([p], [g], **backend)
        return p

    reference = three_steps(backend=backends.get("numpy"))
    np.testing.assert_allclose(
        reference, _reference_adam_float64(start, g, 3, 1e-2), rtol=1e-6, atol=1e-7
    )
    before = three_steps()
    X, y = problem()
    gn.Network.mlp(SIZES, seed=3).fit(X, y, epochs=1, optimizer="adam")  # default
    after = three_steps()
    assert np.array_equal(before, reference)
    assert np.array_equal(after, reference)


#: The operations a training step of a ReLU/softmax network on uint8 pixels
#: runs through its backend.
STEP_OPERATIONS = [
    "adam",
    "bias_relu",
    "bias_softmax",
    "dense_backward",
    "dense_forward",
    "gather_pixels",
    "relu_backward",
]


def _counting(name):
    def operation(self, *args, **kwargs):
        self.calls[name] = self.calls.get(name, 0) + 1
        return getattr(NumpyBackend, name)(self, *args, **kwargs)

    return operation


class CountingBackend(NumpyBackend):
    """The NumPy backend, counting the calls of each operation."""

    name = "counting"
    locals().update({name: _counting(name) for name in STEP_OPERATIONS})

    def __init__(self):
        self.calls = {}


def test_fit_uses_the_backend_it_is_given():
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(12, 5), dtype=np.uint8)
    y = rng.integers(0, 3, size=12)
    counting = CountingBackend()
    net = gn.Network.mlp(SIZES, seed=3)
    net.fit(
        pixels,
        y,
        epochs=2,
        batch_size=4,
        optimizer="adam",
        validation_data=(pixels[:5], y[:5]),
        backend=counting,
    )
    steps, layers = 2 * 3, len(SIZES) - 1
    assert counting.calls["adam"] == steps
    assert counting.calls["gather_pixels"] == steps
    assert counting.calls["relu_backward"] == steps * (layers - 1)
    assert counting.calls["dense_backward"] == steps * layers
    # forward: every training step, and one validation chunk per epoch
    assert counting.calls["dense_forward"] == (steps + 2) * layers
    assert counting.calls["bias_softmax"] == steps + 2
    # the network is back on NumPy after fit, its layers too
    assert net.backend is backends.NUMPY
    assert all(layer.backend is backends.NUMPY for layer in net.layers)


def test_a_workspace_hands_its_backend_to_the_blocks_inside():
    X, _ = problem()
    counting = CountingBackend()
    net = gn.Network.mlp(SIZES, seed=3)
    with net.workspace(counting):
        assert all(layer.backend is counting for layer in net.layers)
        net.predict(X)  # opens a block of its own: the enclosing one's backend
    assert counting.calls["dense_forward"] == len(SIZES) - 1
    with net.workspace("numpy"):
        assert net.layers[0].backend is backends.NUMPY


def test_an_explicit_numpy_backend_runs_no_compiled_operation(monkeypatch):
    compiled = _compiled_or_skip()

    def refuse(*args, **kwargs):
        raise AssertionError("a compiled operation ran")

    for name in ("adam", "bias_relu", "bias_softmax", "relu_backward"):
        monkeypatch.setattr(type(compiled), name, refuse)
    X, y = problem()
    net = gn.Network.mlp(SIZES, seed=3)
    net.fit(X, y, epochs=1, batch_size=4, optimizer="adam", backend="numpy")
    with pytest.raises(AssertionError, match="compiled operation"):
        net.fit(X, y, epochs=1, batch_size=4, optimizer="adam", backend="compiled")


def test_the_default_backend_follows_the_environment(monkeypatch):
    compiled = _compiled_or_skip()
    monkeypatch.setenv("GLASSNET_ACCELERATE", "0")
    assert backends.get() is backends.NUMPY
    assert backends.choose(10**9, 10**9) is backends.NUMPY
    monkeypatch.setenv("GLASSNET_ACCELERATE", "1")
    assert backends.get() is compiled
    assert backends.choose(1) is compiled


@pytest.fixture
def not_loaded(monkeypatch):
    """A process in which the compiled kernels were never loaded."""
    monkeypatch.delenv("GLASSNET_ACCELERATE", raising=False)
    made = {"numpy": backends.NUMPY}
    monkeypatch.setattr(backends, "_made", made)
    return made


def test_no_fixed_cost_for_a_small_job(not_loaded, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setattr(backends, "_kernels_cached", lambda: True)
    # inference and workspaces never load the kernels
    assert backends.get() is backends.NUMPY
    # the README's main job: 64-128-10 on 1,437 digits, batch 32, 20 epochs
    # of 45 steps: expected saving 900 x (20 us + 9,610 x 1 ns + 32 x 138 x
    # 0.5 ns) = 28 ms, far below the 1 s it takes to load the kernels
    saving = backends.compiled_saving(900, 64 * 128 + 128 + 128 * 10 + 10, 32 * 138)
    assert saving == pytest.approx(900 * (20e-6 + 9610e-9 + 32 * 138 * 0.5e-9))
    assert backends.choose(900, 9610, 32 * 138) is backends.NUMPY
    assert "compiled" not in not_loaded
    X, y = problem()
    net = gn.Network.mlp(SIZES, seed=0)
    net.fit(X, y, epochs=3, batch_size=4, optimizer="adam")
    net.predict(X)
    assert "compiled" not in not_loaded


def test_the_kernels_load_where_they_repay_it(not_loaded, monkeypatch):
    pytest.importorskip("numba")
    # W1 for ten epochs: 4,690 steps of 235,146 parameters and 128 x 394
    # activations save about 1.3 s: more than a warm load (1 s), less than a
    # cold one (3 s)
    work = (4690, 235146, 128 * 394)
    monkeypatch.setattr(backends, "_kernels_cached", lambda: True)
    assert backends.choose(*work, updates=False) is backends.NUMPY
    assert "compiled" not in not_loaded
    compiled = backends.choose(*work)
    assert compiled.name == "compiled" and not_loaded["compiled"] is compiled
    not_loaded.pop("compiled")
    monkeypatch.setattr(backends, "_kernels_cached", lambda: False)
    assert backends.choose(*work) is backends.NUMPY
    compiled = backends.choose(10 * 4690, 235146, 128 * 394)
    assert compiled.name == "compiled" and not_loaded["compiled"] is compiled
    # once loaded, the kernels cost nothing more: every size takes them
    assert backends.choose(1) is compiled
    assert backends.get() is compiled


def test_fit_asks_with_the_size_of_the_run(not_loaded, monkeypatch):
    asked = []

    def choose(steps, parameters, activations, *, updates):
        asked.append((steps, parameters, activations, updates))
        return backends.NUMPY

    monkeypatch.setattr(backends, "choose", choose)
    X, y = problem()  # 12 samples: batches of 5, 5 and 2
    net = gn.Network.mlp(SIZES, seed=0)
    net.fit(X, y, epochs=4, batch_size=5, optimizer="adam")
    n_params = 5 * 7 + 7 + 7 * 6 + 6 + 6 * 3 + 3
    assert asked == [(12, n_params, 5 * (7 + 6 + 3), True)]
    net.fit(X, y, epochs=1, batch_size=12, optimizer=gn.SGD(0.1, momentum=0.9))
    assert asked[-1] == (1, n_params, 12 * 16, False)
    net.fit(X, y, epochs=1, optimizer=gn.RMSProp())
    assert asked[-1][3] is False
    net.fit(X, y, epochs=1, backend="numpy")  # a named backend is not chosen
    assert len(asked) == 3


@pytest.mark.parametrize(
    ("given", "error", "match"),
    [
        ("cuda", ValueError, r"'backend' parameter must be one of 'numpy', 'compiled'"),
        ("Numpy", ValueError, r"Got 'Numpy' instead"),
        (3, TypeError, r"'backend' parameter .* Got 3 instead"),
    ],
)
def test_unknown_backends_are_refused(given, error, match):
    with pytest.raises(error, match=match):
        backends.get(given)
    X, y = problem()
    net = gn.Network.mlp(SIZES, seed=3)
    before = net.parameters_flat.copy()
    with pytest.raises(error, match=match):
        net.fit(X, y, epochs=1, backend=given)
    assert np.array_equal(net.parameters_flat, before)
    with pytest.raises(error, match=match):
        gn.SGD().step([before], [before], backend=given)


def test_a_misspelled_operation_is_an_error_not_a_fallback():
    with pytest.raises(AttributeError):
        backends.NUMPY.bias_rleu  # noqa: B018


def test_a_copy_made_inside_a_workspace_is_outside_any():
    import copy

    X, _ = problem()
    counting = CountingBackend()
    net = gn.Network.mlp(SIZES, seed=3)
    with net.workspace(counting):
        clone = copy.deepcopy(net)
    assert clone.backend is backends.NUMPY
    assert all(layer.workspace is None for layer in clone.layers)
    assert all(layer.backend is backends.NUMPY for layer in clone.layers)
    # its passes make fresh arrays, which the caller may keep
    first = clone.forward(X)
    assert clone.forward(X) is not first
    assert counting.calls == {}


@pytest.mark.slow
def test_the_main_job_never_loads_numba(tmp_path):
    pytest.importorskip("numba")
    import subprocess
    import sys

    script = (
        "import runpy, sys\n"
        f"sys.argv = ['glassnet', 'train', '--out', {str(tmp_path / 'm.glassnet')!r}]\n"
        "try:\n"
        "    runpy.run_module('glassnet', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('numba' in sys.modules)\n"
    )
    env = {
        k: v for k, v in __import__("os").environ.items() if k != "GLASSNET_ACCELERATE"
    }
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.slow
def test_the_kernel_cache_falls_back_to_the_user_cache_folder(tmp_path):
    # A package folder that cannot be written (PermissionError on the test
    # file numba writes there) sends the cache to $XDG_CACHE_HOME/numba.
    pytest.importorskip("numba")
    import os
    import subprocess
    import sys

    script = (
        "import numpy as np\n"
        "from numba.core import caching\n"
        "def refuse(self):\n"
        "    raise PermissionError('read-only package folder')\n"
        "caching.InTreeCacheLocator.ensure_cache_path = refuse\n"
        "from glassnet.core import backends\n"
        "p = np.zeros(4, np.float32)\n"
        "backends.get('compiled').adam(p, p + 1, p.copy(), p.copy(), p.copy(),\n"
        "    lr_t=1e-3, beta1=0.9, beta2=0.999, eps_hat=1e-8, tiny=1e-30,\n"
        "    flush=False)\n"
        "print('compiled')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "compiled"
    cached = list((tmp_path / "numba").rglob("compiled._compile.locals.adam-*.nbi"))
    assert len(cached) == 1


def test_the_cost_rule_looks_for_the_kernels_where_numba_caches_them(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert not backends._kernels_cached()
    folder = tmp_path / "glassnet_core_backends_compiled_py"
    folder.mkdir()
    (folder / "compiled._compile.locals.adam-140.py311.nbi").write_bytes(b"")
    assert backends._kernels_cached()


@pytest.mark.parametrize("flush", [False, True])
def test_adam_by_blocks_equals_adam_in_one_pass(monkeypatch, flush):
    # blocks of 1,000 over 2,500 entries (two whole blocks and a part) against
    # one pass, and against the update written out entry by entry
    rng = np.random.default_rng(7)
    n = 2500
    g = rng.normal(size=n).astype(np.float32)
    start = [rng.normal(size=n).astype(np.float32) for _ in range(2)]
    start.append(np.abs(rng.normal(size=n)).astype(np.float32) * 1e-3)
    start[1][:5] = 1e-38  # moments to flush
    start[2][:5] = 1e-38
    options = dict(lr_t=1e-3, beta1=0.9, beta2=0.999, eps_hat=1e-8, tiny=1e-30)
    results = []
    for block in (10**9, 1000):
        monkeypatch.setattr(NumpyBackend, "ADAM_BLOCK", block)
        p, m, v = (a.copy() for a in start)
        backends.NUMPY.adam(p, g, m, v, np.empty_like(p), flush=flush, **options)
        results.append((p, m, v))
    for one, blocked in zip(*results, strict=True):
        assert np.array_equal(one, blocked)
    p0, m0, v0 = (a.astype(np.float64) for a in start)
    m1 = 0.9 * m0 + 0.1 * g
    v1 = 0.999 * v0 + 0.001 * g.astype(np.float64) ** 2
    if flush:
        m1[np.abs(m1) < 1e-30] = 0
        v1[v1 < 1e-30] = 0
    p1 = p0 - 1e-3 * m1 / (np.sqrt(v1) + 1e-8)
    np.testing.assert_allclose(results[1][0], p1, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(results[1][1], m1, rtol=1e-5, atol=1e-8)
    assert np.all(results[1][1][m1 == 0] == 0)
