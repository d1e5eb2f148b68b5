"""scikit-learn's own compatibility suite over both estimators, every check run.

No check is marked as an expected failure. The one check that scikit-learn
skips unless ``SCIPY_ARRAY_API=1`` was set before SciPy was imported (array
API dispatch with NumPy inputs) runs in a fresh interpreter with it set.
"""

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from optional_support import require

require("sklearn", "sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

#: subprocesses and long checks: `pytest -m "not slow"` skips them
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]
SRC = Path(__file__).resolve().parents[2] / "src"
ESTIMATORS = [MLPClassifier(max_iter=100), MLPRegressor(max_iter=100)]


def _innermost(check):
    """The check function and its keyword arguments inside the partials."""
    keywords = {}
    while isinstance(check, functools.partial):
        keywords = {**check.keywords, **keywords}
        check = check.func
    return check, keywords


def _array_api_check_in_subprocess(estimator, keywords: dict) -> None:
    code = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from sklearn.utils.estimator_checks import check_array_api_input\n"
        "from glassnet.sklearn import MLPClassifier, MLPRegressor\n"
        f"estimator = {estimator!r}\n"
        "check_array_api_input(type(estimator).__name__, estimator, "
        f"**{keywords!r})\n"
        "print('passed')\n"
    )
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0 and "passed" in result.stdout, result.stderr


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    function, keywords = _innermost(check)
    if function.__name__ == "check_array_api_input" and not os.environ.get(
        "SCIPY_ARRAY_API"
    ):
        _array_api_check_in_subprocess(estimator, keywords)
    else:
        check(estimator)
