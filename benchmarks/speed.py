"""Training and inference speed against PyTorch and scikit-learn, in one process.

    python benchmarks/speed.py W1 [--turns 7]  784-256-128-10, ReLU, Adam, batch 128
    python benchmarks/speed.py W2              2-16-16-1 on the circle, SGD, batch 10
    python benchmarks/speed.py W3              784-1024-1024-10, ReLU, Adam, batch 256
    python benchmarks/speed.py inference       predict_proba of 10,000 MNIST images

Needs ``pip install torch==2.13.0 scikit-learn`` and MNIST (``GLASSNET_DATA``).
glassnet runs with its compiled kernels where numba is installed, on NumPy
alone (``GLASSNET_ACCELERATE=0``), and for W1 and W3 also fed the uint8 pixels
instead of floats. W1 and W3 time the matrix products alone (the floor) as two
more runners, with W stored as (out, in) and as W^T, so that glassnet / floor
is paired turn by turn like the rest.
"""

from __future__ import annotations

import argparse
import os
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

    def epoch():
        os.environ["GLASSNET_ACCELERATE"] = "1" if accelerate else "0"
        net.fit(
            X,
            y,
            epochs=1,
            batch_size=batch,
            optimizer=optimizer,
            metrics=[],
            seed=int(rng.integers(2**31)),
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
    for transposed, layout in ((False, "W"), (True, "W^T")):
        runners.append(
            Runner(
                f"products alone, {layout} stored",
                matmul_floor_epoch(sizes, X.shape[0], batch, transposed),
            )
        )
    take_turns(runners, turns)
    flops = epoch_flops(sizes, X.shape[0])
    peak = gemm_peak()
    print(report(runners, reference=runners[0].name, flops=flops, peak=peak))
    floor = min(runners[-2:], key=lambda r: sorted(r.times)[len(r.times) // 2])
    print(
        f"{flops / 1e9:.1f} GFLOP of matrix products per epoch; GEMM peak "
        f"{peak:.0f} GFLOP/s. The floor is the faster 'products alone' row "
        f"({floor.name}); its g/impl is {runners[0].name} / floor."
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

        def run(net=net, accelerate=accelerate):
            os.environ["GLASSNET_ACCELERATE"] = "1" if accelerate else "0"
            net.fit(
                X,
                y,
                epochs=epochs,
                batch_size=batch,
                optimizer=gn.SGD(0.03),
                metrics=[],
                seed=0,
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
        take_turns(runners, turns)
        print(f"inference, {'-'.join(map(str, sizes))}, 10,000 images")
        print(report(runners, reference=runners[0].name))


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
