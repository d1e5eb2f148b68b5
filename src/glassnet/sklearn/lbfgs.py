"""The "lbfgs" solver: SciPy's L-BFGS-B on the flat parameter vector.

As scikit-learn's ``BaseMultilayerPerceptron._fit_lbfgs``: the whole
training set is one batch, the objective is the estimator's cost (data term
plus the ``alpha`` penalty) on scikit-learn's scale, and its gradient is
glassnet's analytic one (backpropagation through
:meth:`glassnet.Network.batch_loss_and_gradients`). SciPy works in float64;
the parameters are written into ``network.parameters_flat`` (the network's
dtype) before each evaluation. ``max_iter`` bounds the iterations,
``max_fun`` the evaluations, and ``tol`` is L-BFGS-B's ``gtol`` (the largest
projected gradient component at which it stops), as in scikit-learn.
"""

from __future__ import annotations

import warnings

import numpy as np


def fit_lbfgs(
    network, X, Y, weights, *, max_iter: int, max_fun: int, tol: float, scale: float
):
    """Minimize the full-batch cost of ``network`` on ``(X, Y)`` with L-BFGS-B.

    Parameters
    ----------
    network : glassnet.Network
        Trained in place; its regularizer is the estimator's ``alpha``.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        From :meth:`~glassnet.Network.prepare_inputs`.
    Y : ndarray of shape (n_samples, n_outputs)
        From :meth:`~glassnet.Network.prepare_targets`.
    weights : ndarray of shape (n_samples,) or None
        Sample weights of mean 1.
    max_iter, max_fun : int
        L-BFGS-B's ``maxiter`` and ``maxfun``.
    tol : float
        L-BFGS-B's ``gtol``.
    scale : float
        scikit-learn's cost divided by glassnet's (see
        :data:`glassnet.sklearn.build.LOSS_SCALE`): the objective and its
        gradient are multiplied by it, so ``tol`` means what it means in
        scikit-learn.

    Returns
    -------
    n_iter : int
        Iterations run, at most ``max_iter``.
    loss : float
        The final cost on scikit-learn's scale.

    Warns
    -----
    ConvergenceWarning
        When L-BFGS-B stops before convergence (limit of iterations or of
        evaluations, or a failed line search), with scikit-learn's message.
    """
    from scipy.optimize import minimize

    Xb = network.as_batch(X)
    params = network.parameters_flat

    def cost_and_gradient(theta):
        params[...] = theta
        cost = network.batch_loss_and_gradients(Xb, Y, weights)
        gradient = network.gradients_flat.astype(np.float64) * scale
        return cost * scale, gradient

    with network.workspace():
        result = minimize(
            cost_and_gradient,
            params.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            options={"maxfun": int(max_fun), "maxiter": int(max_iter), "gtol": tol},
        )
    params[...] = result.x
    n_iter = min(int(result.nit), int(max_iter))
    if result.status != 0:
        _warn_not_converged(result, n_iter, max_iter)
    return n_iter, float(result.fun)


def _warn_not_converged(result, n_iter: int, max_iter: int) -> None:
    """scikit-learn's ``_check_optimize_result`` message."""
    from sklearn.exceptions import ConvergenceWarning

    message = (
        f"lbfgs failed to converge after {n_iter} iteration(s) "
        f"(status={result.status}):\n{result.message}\n"
    )
    if n_iter == max_iter:
        message += (
            "\nIncrease the number of iterations to improve the convergence "
            f"(max_iter={max_iter})."
        )
    warnings.warn(message, ConvergenceWarning, stacklevel=4)
