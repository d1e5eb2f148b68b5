"""Numerical gradient check: backpropagation against central differences.

For every parameter ``w`` the numerical derivative is the five-point central
difference ``(-C(w+2h) + 8 C(w+h) - 8 C(w-h) + C(w-2h)) / (12 h)`` (error of
order ``h^4``), computed in float64 on a copy of the network, and compared
with the analytic ``dC/dw`` from backpropagation. The relative error of one
entry is ``|g - n| / max(|g|, |n|, floor)``: a true relative error for
ordinary gradients, and an absolute error scaled by ``1 / floor`` for
gradients near zero. The floor (1e-3 by default) reflects what float64 can
resolve: rounding in the loss, about 1e-15, divided by the step
``h = 1e-5`` leaves the difference quotient about 1e-10 of absolute
accuracy, so a smaller gradient has no meaningful relative error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.core._validation import check_sample_weight

__all__ = ["GradcheckReport", "ParameterCheck", "gradcheck"]


@dataclass(frozen=True)
class ParameterCheck:
    """Result for one parameter array (e.g. layer 2's ``W``).

    Parameters
    ----------
    layer : int
        The layer's number, from 1.
    name : str
        The parameter's name in the layer: "W", "b", "gamma", "beta".
    shape : tuple of int
        Its shape, e.g. ``(n_out, n_in)`` for a Dense layer's ``W``.
    max_rel_error : float
        Largest relative error over its entries (see the module's docstring).
    max_abs_error : float
        Largest ``|analytic - numerical|`` over its entries.
    passed : bool
        Whether ``max_rel_error`` is below the tolerance.
    """

    layer: int
    name: str
    shape: tuple[int, ...]
    max_rel_error: float
    max_abs_error: float
    passed: bool


@dataclass(frozen=True)
class GradcheckReport:
    """Per-parameter results; ``report.passed`` is True when all passed.

    ``bool(report)`` is ``report.passed``; ``str(report)`` lays the checks
    out as a table, one row per parameter array.

    Parameters
    ----------
    checks : list of ParameterCheck
        One per parameter array, in the network's order.
    tolerance : float
        Largest relative error that passed.
    eps : float
        Step ``h`` of the central difference.
    loss : float
        The loss at the network's parameters (float64).
    """

    checks: list[ParameterCheck]
    tolerance: float
    eps: float
    loss: float

    @property
    def passed(self) -> bool:
        """Whether every parameter array passed."""
        return all(c.passed for c in self.checks)

    @property
    def max_rel_error(self) -> float:
        """The largest relative error over all parameters."""
        return max(c.max_rel_error for c in self.checks)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [
            f"gradient check (float64, eps={self.eps:g}, tolerance={self.tolerance:g})",
            f"{'layer':>5}  {'param':<6} {'shape':<12} {'max rel err':>12} "
            f"{'max abs err':>12}  result",
        ]
        for c in self.checks:
            lines.append(
                f"{c.layer:>5}  {c.name:<6} {str(c.shape):<12} "
                f"{c.max_rel_error:>12.3e} {c.max_abs_error:>12.3e}  "
                f"{'ok' if c.passed else 'FAIL'}"
            )
        lines.append("passed" if self.passed else "FAILED")
        return "\n".join(lines)


def gradcheck(
    network,
    X,
    y,
    *,
    eps: float = 1e-5,
    tolerance: float = 1e-6,
    floor: float = 1e-3,
    sample_weight=None,
) -> GradcheckReport:
    """Compare analytic and numerical gradients of ``network``'s loss on (X, y).

    The network itself is not changed: the check runs on a float64 copy,
    with dropout's masks frozen, so that every evaluation of the loss sees
    the same network. The numerical derivative is the five-point central
    difference of the module's docstring (error of order ``h^4``); this is
    the check of CS231n's notes and of scikit-learn's ``test_gradient``,
    with a higher-order difference.

    Parameters
    ----------
    network : Network
        The network whose backpropagation is checked.
    X : array-like of shape (n_samples, n_features)
        The batch the loss is computed on.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Its targets: class labels (one-hot accepted) or regression targets.
    eps : float, default 1e-5
        Step ``h`` of the central difference.
    tolerance : float, default 1e-6
        Largest relative error that passes.
    floor : float, default 1e-3
        Lower bound of the relative error's denominator.
    sample_weight : array-like of shape (n_samples,), optional
        Checks the weighted loss ``1/n sum_i w_i C_i`` (weights rescaled to
        average 1, as in training).

    Returns
    -------
    GradcheckReport
        One :class:`ParameterCheck` per parameter array; ``passed`` when
        every relative error is below ``tolerance``.

    Raises
    ------
    ValueError
        For ``X`` or ``y`` of the wrong shape or with NaN, a label the loss
        cannot take, or ``sample_weight`` that is negative, of the wrong
        length or all 0.
    TypeError
        For non-numeric data.

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([2, 3, 2], hidden="tanh", seed=0)
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.8]])
    >>> report = gn.gradcheck(net, X, [0, 1, 1])
    >>> report.passed, report.max_rel_error < 1e-6
    (True, True)
    >>> [(c.layer, c.name, c.shape) for c in report.checks]
    [(1, 'W', (3, 2)), (1, 'b', (3,)), (2, 'W', (2, 3)), (2, 'b', (2,))]
    >>> print(report)  # doctest: +ELLIPSIS
    gradient check (float64, eps=1e-05, tolerance=1e-06)
    layer  param  shape         max rel err  max abs err  result
        1  W      (3, 2)       ...  ok
        1  b      (3,)         ...  ok
        2  W      (2, 3)       ...  ok
        2  b      (2,)         ...  ok
    passed
    """
    # The analytic and the numerical gradient see the same batch: inputs and
    # targets prepared once, by the network's own per-batch interface, so
    # the network's preprocessing (scaling, class names) applies to both.
    net = network.astype("float64")
    X = net.prepare_inputs(X)
    Y = net.prepare_targets(y, X)
    Xb = net.as_batch(X)
    w = None
    if sample_weight is not None:
        w = check_sample_weight(sample_weight, X.shape[0], dtype=np.float64)
    with net.frozen_randomness():
        loss = net.batch_loss_and_gradients(Xb, Y, w)
        analytic = net.gradients_flat.copy()
        theta = net.parameters_flat
        numeric = np.empty_like(theta)
        for i in range(theta.size):
            original = theta[i]
            values = []
            for step in (2, 1, -1, -2):
                theta[i] = original + step * eps
                values.append(net.batch_loss(Xb, Y, w))
            theta[i] = original
            c2, c1, m1, m2 = values
            numeric[i] = (-c2 + 8 * c1 - 8 * m1 + m2) / (12 * eps)
    checks = []
    offset = 0
    for index, layer in enumerate(net.layers):
        for name, p in layer.parameters():
            a = analytic[offset : offset + p.size]
            n = numeric[offset : offset + p.size]
            offset += p.size
            abs_err = np.abs(a - n)
            rel = abs_err / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
            max_rel = float(rel.max()) if rel.size else 0.0
            checks.append(
                ParameterCheck(
                    layer=index + 1,
                    name=name,
                    shape=tuple(p.shape),
                    max_rel_error=max_rel,
                    max_abs_error=float(abs_err.max()) if abs_err.size else 0.0,
                    passed=max_rel < tolerance,
                )
            )
    return GradcheckReport(checks=checks, tolerance=tolerance, eps=eps, loss=loss)
