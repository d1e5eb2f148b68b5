"""scikit-learn estimators: :class:`MLPClassifier` and :class:`MLPRegressor`.

Drop-in replacements for scikit-learn's MLP estimators (same parameters and
fitted attributes), trained by glassnet's own loop; scikit-learn is needed
(the ``sklearn`` extra). Built on :mod:`glassnet.training` and
:mod:`glassnet.core`.
"""

from glassnet.sklearn.estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
