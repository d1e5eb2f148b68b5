"""Learning-rate schedules: 10 epochs of each equal the closed form."""

import math

import numpy as np
import pytest

import glassnet as gn

LR0 = 0.2
EPOCHS = 10

CLOSED_FORMS = [
    ("constant", gn.Constant(), lambda t: LR0),
    ("step", gn.StepDecay(step_size=3, gamma=0.5), lambda t: LR0 * 0.5 ** (t // 3)),
    ("exponential", gn.ExponentialDecay(gamma=0.8), lambda t: LR0 * 0.8**t),
    (
        "inverse_scaling",
        gn.InverseScaling(decay=0.5, power=0.5),
        lambda t: LR0 / math.sqrt(1 + 0.5 * t),
    ),
    (
        "cosine",
        gn.CosineDecay(min_lr=0.01),
        lambda t: 0.01 + (LR0 - 0.01) * (1 + math.cos(math.pi * t / EPOCHS)) / 2,
    ),
    (
        "cosine_warmup",
        gn.CosineDecay(warmup_epochs=3),
        lambda t: (
            LR0 * (t + 1) / 4
            if t < 3
            else LR0 * (1 + math.cos(math.pi * (t - 3) / (EPOCHS - 3))) / 2
        ),
    ),
]
IDS = [c[0] for c in CLOSED_FORMS]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    "schedule, closed_form", [c[1:] for c in CLOSED_FORMS], ids=IDS
)
def test_schedule_equals_closed_form(schedule, closed_form):
    rates = [schedule(t, LR0, EPOCHS) for t in range(EPOCHS)]
    assert rates == pytest.approx([closed_form(t) for t in range(EPOCHS)], rel=1e-12)


@pytest.mark.parametrize(
    "schedule, closed_form", [c[1:] for c in CLOSED_FORMS], ids=IDS
)
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_fit_uses_the_schedule_with_any_optimizer(
    data, schedule, closed_form, optimizer
):
    X, y = data
    net = gn.Network.mlp([3, 4, 2], seed=0)
    history = net.fit(
        X,
        y,
        epochs=EPOCHS,
        optimizer=gn.optimizers.get(optimizer, lr=LR0),
        callbacks=[gn.LearningRateScheduler(schedule)],
        seed=0,
        metrics=[],
    )
    expected = [closed_form(t) for t in range(EPOCHS)]
    assert history.history["lr"] == pytest.approx(expected, rel=1e-12)
    assert net.optimizer.lr == pytest.approx(expected[-1], rel=1e-12)


def test_schedule_by_name_and_keras_style_function(data):
    X, y = data
    net = gn.Network.mlp([3, 4, 2], seed=0)
    history = net.fit(
        X,
        y,
        epochs=4,
        optimizer=gn.SGD(lr=0.1),
        callbacks=[gn.LearningRateScheduler("step", step_size=2, gamma=0.1)],
        metrics=[],
    )
    assert history.history["lr"] == pytest.approx([0.1, 0.1, 0.01, 0.01])
    # A Keras-style f(epoch, lr) sees the current rate.
    history = net.fit(
        X,
        y,
        epochs=3,
        optimizer=gn.SGD(lr=0.1),
        callbacks=[gn.LearningRateScheduler(lambda epoch, lr: lr * 0.5)],
        metrics=[],
    )
    assert history.history["lr"] == pytest.approx([0.05, 0.025, 0.0125])


def test_reduce_on_plateau_closed_form():
    # Monitored values: improvements at epochs 0-2, then a plateau. With
    # patience 2 the rate is halved after epochs 4 and 7: epochs 3, 4 count,
    # then (cooldown 2, as Keras counts it) epoch 5 does not, epochs 6, 7 do.
    schedule = gn.ReduceOnPlateau("loss", factor=0.5, patience=2, cooldown=2)
    values = [1.0, 0.9, 0.8, 0.8, 0.85, 0.81, 0.8, 0.9, 0.95, 0.99]
    rates = []
    for epoch, value in enumerate(values):
        rates.append(schedule(epoch, LR0, EPOCHS))
        schedule.observe(epoch, {"loss": value})
    expected = [0.2] * 5 + [0.1] * 3 + [0.05] * 2
    assert rates == pytest.approx(expected)
    assert schedule.reductions == 2


def test_reduce_on_plateau_is_bounded_by_min_lr():
    schedule = gn.ReduceOnPlateau("loss", factor=0.1, patience=0, min_lr=0.001)
    rates = []
    for epoch in range(5):
        rates.append(schedule(epoch, 0.1, 5))
        schedule.observe(epoch, {"loss": 1.0})
    # Epoch 0 sets the best; each later epoch cuts by 10 until min_lr.
    assert rates == pytest.approx([0.1, 0.1, 0.01, 0.001, 0.001])


def test_cosine_needs_more_epochs_than_warmup():
    with pytest.raises(ValueError, match="more epochs than its 5 warm-up epochs"):
        gn.CosineDecay(epochs=5, warmup_epochs=5)(0, 0.1)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda: gn.schedules.get("cosin"),
            ValueError,
            r"Unknown schedule 'cosin'.*cosine",
        ),
        (lambda: gn.schedules.get(3), TypeError, "name .str. or a Schedule"),
        (
            lambda: gn.StepDecay(step_size=0),
            ValueError,
            "'step_size' parameter of StepDecay",
        ),
        (lambda: gn.ExponentialDecay(gamma=1.5), ValueError, "'gamma' parameter"),
        (lambda: gn.InverseScaling(power=-1), ValueError, "'power' parameter"),
        (lambda: gn.CosineDecay(min_lr=-1), ValueError, "'min_lr' parameter"),
        (lambda: gn.ReduceOnPlateau(factor=1.0), ValueError, "'factor' parameter"),
        (lambda: gn.ReduceOnPlateau(mode="up"), ValueError, "'mode' parameter"),
        (lambda: gn.LearningRateScheduler(0.1), TypeError, "must be a Schedule"),
    ],
    ids=[
        "unknown_name",
        "not_a_name",
        "zero_step",
        "gamma_above_one",
        "negative_power",
        "negative_min_lr",
        "factor_one",
        "bad_mode",
        "number_as_schedule",
    ],
)
def test_bad_schedules_raise_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_schedule_returning_a_negative_rate_is_refused(data):
    X, y = data
    net = gn.Network.mlp([3, 4, 2], seed=0)
    with pytest.raises(ValueError, match="'lr' parameter of SGD"):
        net.fit(
            X,
            y,
            epochs=2,
            callbacks=[gn.LearningRateScheduler(lambda epoch, lr: -1.0)],
        )


# -- schedules that reach 0 ---------------------------------------------------


class _Weights(gn.Callback):
    """The network's flat parameters after every epoch."""

    def on_train_begin(self, logs):
        self.after = []

    def on_epoch_end(self, epoch, logs):
        self.after.append(self.network.parameters_flat.copy())


@pytest.mark.parametrize(
    "optimizer",
    [gn.SGD(lr=0.1), gn.SGD(lr=0.1, momentum=0.9), gn.Adam(lr=0.1)],
    ids=["sgd", "momentum", "adam"],
)
def test_cosine_past_its_length_holds_zero_and_training_completes(data, optimizer):
    # CosineDecay(epochs=5) in an 8-epoch fit: by hand, T = 5,
    # lr_t = 0.1 * (1 + cos(pi t / 5)) / 2 for t <= 5, then held at min_lr = 0.
    X, y = data
    net = gn.Network.mlp([3, 4, 2], seed=0)
    weights = _Weights()
    history = net.fit(
        X,
        y,
        epochs=8,
        optimizer=optimizer,
        callbacks=[gn.LearningRateScheduler(gn.CosineDecay(epochs=5)), weights],
        seed=0,
        metrics=[],
    )
    expected = [0.1 * (1 + math.cos(math.pi * t / 5)) / 2 for t in range(5)]
    expected += [0.0, 0.0, 0.0]
    assert len(history.history["lr"]) == 8
    assert history.history["lr"][:5] == pytest.approx(expected[:5], rel=1e-12)
    assert history.history["lr"][5:] == [0.0, 0.0, 0.0]
    # epochs 6-8 train at lr 0: the weights after epoch 5 stay as they are
    assert not np.array_equal(weights.after[3], weights.after[4])
    for later in weights.after[5:]:
        np.testing.assert_array_equal(later, weights.after[4])


@pytest.mark.parametrize(
    "schedule, epoch",
    [
        (gn.ExponentialDecay(gamma=1e-200), 2),  # 1e-400 underflows
        (gn.StepDecay(step_size=1, gamma=1e-200), 2),
        (gn.InverseScaling(decay=1e300, power=2.0), 1),  # (1e300)^2 overflows
        (gn.CosineDecay(epochs=3), 3),
        (gn.CosineDecay(epochs=3), 100),
        (gn.CosineDecay(epochs=4, warmup_epochs=2), 9),
    ],
    ids=["exponential", "step", "inverse_scaling", "cosine_end", "cosine_past", "warm"],
)
def test_schedules_reach_exactly_zero(schedule, epoch):
    assert schedule(epoch, 0.1, 4) == 0.0


def test_decays_that_underflow_train_to_the_end(data):
    X, y = data
    for schedule in (
        gn.ExponentialDecay(gamma=1e-200),
        gn.InverseScaling(decay=1e300, power=2.0),
    ):
        net = gn.Network.mlp([3, 4, 2], seed=0)
        history = net.fit(
            X,
            y,
            epochs=4,
            optimizer=gn.SGD(lr=0.1),
            callbacks=[gn.LearningRateScheduler(schedule)],
            metrics=[],
        )
        assert history.history["lr"][0] == 0.1
        assert history.history["lr"][2:] == [0.0, 0.0]


def test_reduce_on_plateau_with_min_lr_zero_reaches_zero():
    # factor 1e-200: 0.1 -> 1e-201 -> 1e-401, which underflows to 0; then
    # the rate is at min_lr = 0 and no further reduction is counted.
    schedule = gn.ReduceOnPlateau("loss", factor=1e-200, patience=0, min_lr=0.0)
    rates = []
    for epoch in range(5):
        rates.append(schedule(epoch, 0.1, 5))
        schedule.observe(epoch, {"loss": 1.0})
    assert rates == [0.1, 0.1, 0.1 * 1e-200, 0.0, 0.0]
    assert schedule.reductions == 2


def test_reduce_lr_on_plateau_callback_sets_zero(data):
    X, y = data
    net = gn.Network.mlp([3, 4, 2], seed=0)
    callback = gn.ReduceLROnPlateau("loss", factor=1e-200, patience=0, min_delta=1e9)
    history = net.fit(
        X, y, epochs=4, optimizer=gn.SGD(lr=0.1), callbacks=[callback], metrics=[]
    )
    # epoch 1 sets the best loss; every later one is a plateau (min_delta 1e9)
    assert history.history["lr"] == [0.1, 0.1, 0.1 * 1e-200, 0.0]
    assert net.optimizer.lr == 0.0


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_a_schedule_returning_an_invalid_rate_names_the_schedule(data, bad):
    X, y = data
    net = gn.Network.mlp([3, 4, 2], seed=0)
    with pytest.raises(ValueError, match=r"'lr' parameter of SGD.*\[0, inf\).*epoch 2"):
        net.fit(
            X,
            y,
            epochs=3,
            optimizer=gn.SGD(lr=0.1),
            callbacks=[gn.LearningRateScheduler(lambda e, lr: bad if e else lr)],
            metrics=[],
        )


def test_a_second_fit_of_the_same_optimizer_restarts_the_schedule(rng):
    # After a cosine schedule ends at 0, the optimizer's rate is 0; the next
    # fit with the same optimizer starts the schedule again from 0.1, and a
    # rate the user sets in between is the new start.
    X, y = rng.normal(size=(16, 2)), rng.normal(size=16)
    net = gn.Network.mlp([2, 3, 1], output="identity", loss="mse", seed=0)
    optimizer = gn.SGD(lr=0.1)

    def lr_column():
        history = net.fit(
            X, y, epochs=6, optimizer=optimizer,
            callbacks=[gn.LearningRateScheduler(gn.CosineDecay(epochs=5))],
        )  # fmt: skip
        return history.history["lr"]

    expected = [0.1 * (1 + np.cos(np.pi * t / 5)) / 2 for t in range(5)] + [0.0]
    np.testing.assert_allclose(lr_column(), expected, atol=1e-15)
    np.testing.assert_allclose(lr_column(), expected, atol=1e-15)
    optimizer.lr = 0.05
    np.testing.assert_allclose(lr_column(), np.array(expected) / 2, atol=1e-15)
