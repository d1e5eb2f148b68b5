"""Loss cases shared by the layer and regularization gradient checks."""

# (loss, output activation, number of outputs): every loss of the library,
# with its canonical output and also a non-canonical output (the general
# chain-rule path for the regression losses, the log-space path from Z for
# the losses that take logs).
LOSS_CASES = [
    ("mse", "identity", 2),
    ("mse", "sigmoid", 2),
    ("sse", "identity", 2),
    ("mae", "identity", 2),
    ("huber", "identity", 2),
    ("huber", "tanh", 2),
    ("binary_cross_entropy", "sigmoid", 1),
    ("binary_cross_entropy", "sigmoid", 3),
    ("binary_cross_entropy", "softmax", 3),
    ("cross_entropy", "softmax", 3),
    ("cross_entropy", "sigmoid", 1),
    ("cross_entropy", "sigmoid", 3),
]
LOSS_IDS = [f"{loss}-{act}-{k}" for loss, act, k in LOSS_CASES]


def targets(loss, n_out, rng, n):
    """Random targets that suit ``loss`` for ``n`` samples."""
    if loss == "cross_entropy":
        return rng.integers(0, n_out, n)
    if loss == "binary_cross_entropy":
        y = rng.integers(0, 2, (n, n_out))
        return y.ravel() if n_out == 1 else y
    return rng.normal(size=(n, n_out)) * 0.5
