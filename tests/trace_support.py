"""Numbers printed on lecture 002's slides, and reading numbers from a trace."""

import re

NUMBER = re.compile(r"-?\d+\.\d+|-?\d+")


# Lecture 002, "A grounded example" I-III: every number the slides print, in
# order of appearance (transfer matrices, x^(0), x^(1), x^(2), delta^(2),
# delta^(1), nabla^(1), nabla^(0), the updated matrices, the new prediction).
GROUNDED_PRINTED = [
    *(0.4, 0.6, 0.7, -0.4, -0.2, 0.3, -0.3, 0.5, 0.1),
    *(1, 0, 1),
    *(0.550, 0.711, 1, 0.550, 0.711, 0.512),
    *(0.512, 1, -0.488),
    *(0, -0.060, -0.010),
    *(1.000, 0.550, 0.711, -0.488, -0.269, -0.347),
    *(-0.060, -0.010, -0.000, -0.000),
    *(0.188, 0.769),
    *(0.460, 0.610, 0.700, -0.400),
    0.722,
]


def numbers_in(text):
    return [float(token) for token in NUMBER.findall(text)]
