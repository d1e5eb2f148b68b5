"""Training and inference speed against PyTorch and scikit-learn, in one process.

    python benchmarks/speed.py W1 [--turns 7]  784-256-128-10, ReLU, Adam, batch 128
    python benchmarks/speed.py W2              2-16-16-1 on the circle, SGD, batch 10
    python benchmarks/speed.py W3              784-1024-1024-10, ReLU, Adam, batch 256
    python benchmarks/speed.py inference       predict_proba of 10,000 MNIST images

Needs ``pip install torch==2.13.0 scikit-learn`` and MNIST (``GLASSNET_DATA``);
JAX (``pip install jax optax``, CPU) runs too where it is installed, else it is
skipped with a note. glassnet runs with its compiled kernels where numba is
installed (``fit(..., backend="compiled")``), on NumPy alone
(``backend="numpy"``), and for W1 and W3 also fed the uint8 pixels instead of
floats. W1 and W3 time the matrix products alone (the floor) as two more
runners, with W stored as (out, in) and as W^T, so that glassnet / floor is
paired turn by turn like the rest. Each table ends with a ``targets:`` line,
the paired median ratios the speed targets are stated in; W1 and W3 add a
``bounds:`` line: the same ratios for the floor, and for two more runners, the
products plus each backend's Adam step and nothing else (what an epoch of only
that work would score; no implementation doing it can do better beyond the
noise).

JAX runs with its defaults (no ``XLA_FLAGS``): on the CPU its matrix products
use every core, as PyTorch's do with ``torch.set_num_threads(os.cpu_count())``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402
    Runner,
    epoch_flops,
    gemm_peak,
    machine,
    matmul_floor_epoch,
    mnist,
    report,
    take_turns,
)

import glassnet as gn  # noqa: E402
import glassnet.datasets  # noqa: E402, F401
from glassnet.core import backends  # noqa: E402


def glassnet_runner(
    name,
    sizes,
    hidden,
    output,
    X,
    y,
    batch,
    optimizer,
    test,
    *,
    accelerate=True,
    seed=0,
):
    net = gn.Network.mlp(sizes, hidden=hidden, output=output, seed=seed)
    rng = np.random.default_rng(seed)

    backend = "compiled" if accelerate else "numpy"

    def epoch():
        net.fit(
            X,
            y,
            epochs=1,
            batch_size=batch,
            optimizer=optimizer,
            metrics=[],
            seed=int(rng.integers(2**31)),
            backend=backend,
        )

    def accuracy():
        return float(np.mean(net.predict(test[0]) == test[1]))

    return Runner(name, epoch, accuracy), net


def torch_runner(name, sizes, hidden, X, y, batch, make_optimizer, test, loss):
    import torch

    torch.manual_seed(0)
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[hidden]
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:], strict=False)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    model = torch.nn.Sequential(*layers)
    optimizer = make_optimizer(model.parameters())
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    if loss == "ce":
        yt, criterion = (
            torch.from_numpy(y.astype(np.int64)),
            torch.nn.CrossEntropyLoss(),
        )
    else:
        yt = torch.from_numpy(y.astype(np.float32).reshape(-1, 1))
        criterion = torch.nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(Xt.shape[0], generator=generator)
        for start in range(0, Xt.shape[0], batch):
            idx = order[start : start + batch]
            optimizer.zero_grad(set_to_none=True)
            criterion(model(Xt[idx]), yt[idx]).backward()
            optimizer.step()

    def accuracy():
        with torch.no_grad():
            out = model(torch.from_numpy(test[0].astype(np.float32)))
        pred = out.argmax(1).numpy() if loss == "ce" else (out[:, 0] > 0).numpy()
        return float(np.mean(pred == test[1]))

    return Runner(name, epoch, accuracy), model


def sklearn_runner(name, hidden_sizes, activation, X, y, batch, test, **params):
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=hidden_sizes,
        activation=activation,
        batch_size=batch,
        random_state=0,
        **params,
    )
    classes = np.unique(y)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(X, y, classes=classes)

    def accuracy():
        return float(np.mean(model.predict(test[0]) == test[1]))

    return Runner(name, epoch, accuracy)


def _jax():
    """``(jax, optax)``, or None with a printed note when either is missing."""
    try:
        import jax
        import optax
    except ImportError:
        print("JAX skipped: jax and optax are not installed (pip install jax optax)")
        return None
    return jax, optax


def _jax_params(jax, sizes, seed=0):
    """Dense layers as ``[(W, b), ...]``, W of shape (in, out), on the device.

    PyTorch's default initialization of ``nn.Linear``: W and b uniform in
    +-1/sqrt(fan_in) (drawn here from NumPy, not from PyTorch's stream).
    """
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:], strict=False):
        bound = 1.0 / np.sqrt(fan_in)
        W = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
        b = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        params.append((jax.numpy.asarray(W), jax.numpy.asarray(b)))
    return params


def _jax_forward(jax, hidden):
    act = {"relu": jax.nn.relu, "tanh": jax.numpy.tanh}[hidden]

    def forward(params, x):
        for W, b in params[:-1]:
            x = act(x @ W + b)
        W, b = params[-1]
        return x @ W + b

    return forward


def jax_runner(name, sizes, hidden, X, y, batch, make_optimizer, test, loss):
    """JAX on the CPU: one ``jax.jit``-compiled step (value_and_grad + optax).

    The training set goes to the device once; every epoch shuffles with a
    NumPy generator and passes each batch's row indices to the step, which
    gathers ``X[idx]`` inside the compiled function (faster than gathering
    outside it: one dispatch per step instead of three; 1.7 against 2.0 s
    for a W1 epoch, one run on the busy 2-core machine). Parameters and
    optimizer state are donated, so the update writes in place. The last
    partial batch has its own shape and thus its own compilation: the
    warm-up epoch of ``take_turns`` compiles both before anything is timed. Returns None
    (after a printed note) when JAX is not installed.
    """
    modules = _jax()
    if modules is None:
        return None
    jax, optax = modules
    jnp = jax.numpy
    forward = _jax_forward(jax, hidden)
    optimizer = make_optimizer(optax)
    state = {"params": _jax_params(jax, sizes)}
    state["opt"] = optimizer.init(state["params"])
    Xd = jnp.asarray(np.ascontiguousarray(X, dtype=np.float32))
    if loss == "ce":
        yd = jnp.asarray(y.astype(np.int32))

        def loss_fn(params, xb, yb):
            logits = forward(params, xb)
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    else:
        yd = jnp.asarray(y.astype(np.float32))

        def loss_fn(params, xb, yb):
            logits = forward(params, xb)[:, 0]
            return optax.sigmoid_binary_cross_entropy(logits, yb).mean()

    def step(params, opt_state, X, y, idx):
        value, grads = jax.value_and_grad(loss_fn)(params, X[idx], y[idx])
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    step = jax.jit(step, donate_argnums=(0, 1))
    rng = np.random.default_rng(0)
    n = Xd.shape[0]

    def epoch():
        order = rng.permutation(n).astype(np.int32)
        params, opt_state = state["params"], state["opt"]
        for start in range(0, n, batch):
            params, opt_state, _ = step(
                params, opt_state, Xd, yd, order[start : start + batch]
            )
        jax.block_until_ready(params)
        state["params"], state["opt"] = params, opt_state

    predict = jax.jit(forward)

    def accuracy():
        out = np.asarray(predict(state["params"], jnp.asarray(test[0])))
        pred = out.argmax(1) if loss == "ce" else out[:, 0] > 0
        return float(np.mean(pred == test[1]))

    return Runner(name, epoch, accuracy)


def jax_predict_runner(name, sizes, X):
    """``jax.jit`` of the forward pass and softmax, X on the device once."""
    modules = _jax()
    if modules is None:
        return None
    jax, _ = modules
    forward = _jax_forward(jax, "relu")
    params = _jax_params(jax, sizes)
    predict = jax.jit(lambda params, x: jax.nn.softmax(forward(params, x), axis=1))
    Xd = jax.numpy.asarray(X)
    return Runner(name, lambda: predict(params, Xd).block_until_ready())


def paired(a: Runner, b: Runner) -> float:
    """Median over the turns of a's time / b's time."""
    return statistics.median(x / y for x, y in zip(a.times, b.times, strict=False))


def targets(runners, pairs, label: str = "targets") -> str:
    """The 'targets:' (or other ``label``) line: paired medians of named runners."""
    by_name = {r.name: r for r in runners}
    parts = [
        f"{name} {paired(by_name[a], by_name[b]):.2f}"
        for name, a, b in pairs
        if a in by_name and b in by_name
    ]
    return f"{label} (paired medians): " + ", ".join(parts)


def accelerated() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def adam_workload(sizes, batch, turns):
    import torch

    torch.set_num_threads(os.cpu_count())
    data = mnist()
    X, y, test = data.X_train, data.y_train, (data.X_test, data.y_test)
    runners = []
    if accelerated():
        runners.append(
            glassnet_runner(
                "glassnet (compiled kernels)",
                sizes,
                "relu",
                "softmax",
                X,
                y,
                batch,
                gn.Adam(1e-3),
                test,
            )[0]
        )
        # the same network fed the uint8 pixels (x / 255 batch by batch)
        runners.append(
            glassnet_runner(
                "glassnet, uint8 pixels",
                sizes,
                "relu",
                "softmax",
                mnist("uint8").X_train,
                y,
                batch,
                gn.Adam(1e-3),
                test,
            )[0]
        )
    runners.append(
        glassnet_runner(
            "glassnet (NumPy only)",
            sizes,
            "relu",
            "softmax",
            X,
            y,
            batch,
            gn.Adam(1e-3),
            test,
            accelerate=False,
        )[0]
    )
    runners.append(
        torch_runner(
            "PyTorch, Adam",
            sizes,
            "relu",
            X,
            y,
            batch,
            lambda p: torch.optim.Adam(p, lr=1e-3),
            test,
            "ce",
        )[0]
    )
    runners.append(
        torch_runner(
            "PyTorch, fused Adam",
            sizes,
            "relu",
            X,
            y,
            batch,
            lambda p: torch.optim.Adam(p, lr=1e-3, fused=True),
            test,
            "ce",
        )[0]
    )
    jax_epoch = jax_runner(
        "JAX, jit step + optax Adam",
        sizes,
        "relu",
        X,
        y,
        batch,
        lambda optax: optax.adam(1e-3),
        test,
        "ce",
    )
    if jax_epoch is not None:
        runners.append(jax_epoch)
    runners.append(
        sklearn_runner(
            "scikit-learn (float32)",
            tuple(sizes[1:-1]),
            "relu",
            X,
            y,
            batch,
            test,
            solver="adam",
            learning_rate_init=1e-3,
        )
    )
    # The floor takes its turns too, so that glassnet / floor is paired as
    # well: the products alone with W stored as (out, in) and as W^T.
    # And the products with each backend's Adam step and nothing else (W^T
    # stored, as glassnet does): the least an epoch with that Adam can cost.
    for name in ["numpy", "compiled"] if accelerated() else ["numpy"]:
        runners.append(
            Runner(
                f"products + Adam ({name})",
                matmul_floor_epoch(
                    sizes, X.shape[0], batch, True, adam=backends.get(name)
                ),
            )
        )
    floors = []
    for transposed, layout in ((False, "W"), (True, "W^T")):
        floors.append(
            Runner(
                f"products alone, {layout} stored",
                matmul_floor_epoch(sizes, X.shape[0], batch, transposed),
            )
        )
    runners += floors
    take_turns(runners, turns)
    flops = epoch_flops(sizes, X.shape[0])
    peak = gemm_peak()
    print(report(runners, reference=runners[0].name, flops=flops, peak=peak))
    floor = min(floors, key=lambda r: sorted(r.times)[len(r.times) // 2])
    print(
        f"{flops / 1e9:.1f} GFLOP of matrix products per epoch; GEMM peak "
        f"{peak:.0f} GFLOP/s. The floor is the faster 'products alone' row "
        f"({floor.name}); its g/impl is {runners[0].name} / floor."
    )
    compiled = "glassnet (compiled kernels)"
    fused = "PyTorch, fused Adam"
    print(
        targets(
            runners,
            [
                ("compiled / PyTorch fused Adam", compiled, fused),
                ("compiled / JAX", compiled, "JAX, jit step + optax Adam"),
                ("NumPy-only / PyTorch fused Adam", "glassnet (NumPy only)", fused),
                ("compiled / floor", compiled, floor.name),
            ],
        )
    )
    # What the products alone, or with each backend's Adam, would score: no
    # epoch that contains them can beat these ratios (they bound the targets).
    jax = "JAX, jit step + optax Adam"
    with_compiled, with_numpy = "products + Adam (compiled)", "products + Adam (numpy)"
    print(
        targets(
            runners,
            [
                ("floor / PyTorch fused Adam", floor.name, fused),
                ("floor / JAX", floor.name, jax),
                ("products + compiled Adam / fused", with_compiled, fused),
                ("products + compiled Adam / JAX", with_compiled, jax),
                ("products + NumPy Adam / fused", with_numpy, fused),
            ],
            label="bounds",
        )
    )


def w2(turns):
    import torch
    from sklearn.neural_network import MLPClassifier

    torch.set_num_threads(os.cpu_count())
    X, y = gn.datasets.make_circle(1000, noise=0.1, seed=0)
    Xt, yt = gn.datasets.make_circle(500, noise=0.1, seed=1)
    sizes, epochs, batch = [2, 16, 16, 1], 100, 10
    runners = []
    for accelerate, name in ((True, "glassnet"), (False, "glassnet (NumPy only)")):
        if accelerate and not accelerated():
            continue
        net = gn.Network.mlp(sizes, hidden="tanh", output="sigmoid", seed=0)

        def run(net=net, backend="compiled" if accelerate else "numpy"):
            net.fit(
                X,
                y,
                epochs=epochs,
                batch_size=batch,
                optimizer=gn.SGD(0.03),
                metrics=[],
                seed=0,
                backend=backend,
            )

        runners.append(
            Runner(name, run, lambda net=net: float(np.mean(net.predict(Xt) == yt)))
        )
    torch_epoch = torch_runner(
        "PyTorch",
        sizes,
        "tanh",
        X,
        y,
        batch,
        lambda p: torch.optim.SGD(p, lr=0.03),
        (Xt, yt),
        "bce",
    )[0]

    def torch_run():
        for _ in range(epochs):
            torch_epoch.epoch()

    runners.append(Runner("PyTorch", torch_run, torch_epoch.accuracy))
    jax_epoch = jax_runner(
        "JAX, jit step",
        sizes,
        "tanh",
        X,
        y,
        batch,
        lambda optax: optax.sgd(0.03),
        (Xt, yt),
        "bce",
    )
    if jax_epoch is not None:

        def jax_run():
            for _ in range(epochs):
                jax_epoch.epoch()

        runners.append(Runner("JAX, jit step", jax_run, jax_epoch.accuracy))
    sk = MLPClassifier(
        (16, 16),
        activation="tanh",
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        learning_rate_init=0.03,
        batch_size=batch,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=0,
    )

    def sk_run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk.fit(X, y)

    runners.append(
        Runner("scikit-learn", sk_run, lambda: float(np.mean(sk.predict(Xt) == yt)))
    )
    take_turns(runners, turns, warmup=1)
    print(f"W2: total time of {epochs} epochs of 100 batches")
    print(report(runners, reference=runners[0].name))
    print(
        targets(
            runners,
            [
                ("compiled / PyTorch", "glassnet", "PyTorch"),
                ("compiled / JAX", "glassnet", "JAX, jit step"),
                ("NumPy-only / PyTorch", "glassnet (NumPy only)", "PyTorch"),
            ],
        )
    )


def inference(turns):
    import torch

    torch.set_num_threads(os.cpu_count())
    data = mnist()
    X = data.X_test
    for sizes in ([784, 256, 128, 10], [784, 1024, 1024, 10]):
        net = gn.Network.mlp(sizes, seed=0)
        model = torch_runner(
            "",
            sizes,
            "relu",
            X,
            data.y_test,
            128,
            lambda p: torch.optim.SGD(p, lr=0.1),
            None,
            "ce",
        )[1]
        Xt = torch.from_numpy(X)

        def torch_predict(model=model, Xt=Xt):
            with torch.no_grad():
                torch.softmax(model(Xt), dim=1)

        runners = [
            Runner("glassnet predict_proba", lambda net=net: net.predict_proba(X)),
            Runner("PyTorch softmax(model(X))", torch_predict),
        ]
        jax_predict = jax_predict_runner("JAX jit(softmax(forward))", sizes, X)
        if jax_predict is not None:
            runners.append(jax_predict)
        take_turns(runners, turns)
        print(f"inference, {'-'.join(map(str, sizes))}, 10,000 images")
        print(report(runners, reference=runners[0].name))
        print(
            targets(
                runners,
                [
                    ("glassnet / PyTorch", runners[0].name, runners[1].name),
                    ("glassnet / JAX", runners[0].name, "JAX jit(softmax(forward))"),
                ],
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=["W1", "W2", "W3", "inference"])
    parser.add_argument("--turns", type=int, default=7)
    args = parser.parse_args()
    print(f"{args.workload} on {machine()}; median of {args.turns} turns")
    if args.workload == "W1":
        adam_workload([784, 256, 128, 10], 128, args.turns)
    elif args.workload == "W3":
        adam_workload([784, 1024, 1024, 10], 256, args.turns)
    elif args.workload == "W2":
        w2(args.turns)
    else:
        inference(args.turns)


if __name__ == "__main__":
    main()
