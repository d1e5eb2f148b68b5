"""Keras's hook names are called; an unknown on_* method is refused."""

import numpy as np
import pytest

import glassnet as gn


def _net():
    return gn.Network(
        [gn.Dense(2, 4, activation="tanh"), gn.Dense(4, 1, activation="sigmoid")],
        seed=0,
    )


def _data(n=10):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] > 0).astype(int)


class Recorder(gn.Callback):
    def __init__(self):
        self.calls = []

    def on_train_batch_begin(self, batch, logs):
        self.calls.append(("train_batch_begin", batch))

    def on_train_batch_end(self, batch, logs):
        self.calls.append(("train_batch_end", batch, logs["size"]))

    def on_test_begin(self, logs):
        self.calls.append(("test_begin",))

    def on_test_batch_begin(self, batch, logs):
        self.calls.append(("test_batch_begin", batch))

    def on_test_batch_end(self, batch, logs):
        self.calls.append(("test_batch_end", batch, logs["size"], logs["loss"]))

    def on_test_end(self, logs):
        self.calls.append(("test_end", logs["loss"]))

    def on_epoch_end(self, epoch, logs):
        self.calls.append(("epoch_end", epoch, logs["val_loss"]))


def test_keras_hooks_are_called_in_order():
    X, y = _data()
    X_val, y_val = _data(4)
    rec = Recorder()
    _net().fit(
        X,
        y,
        epochs=2,
        batch_size=4,
        validation_data=(X_val, y_val),
        callbacks=[rec],
    )
    # 10 samples in batches of 4: 4, 4, 2; one validation chunk of 4
    one_epoch = [
        ("train_batch_begin", 0),
        ("train_batch_end", 0, 4),
        ("train_batch_begin", 1),
        ("train_batch_end", 1, 4),
        ("train_batch_begin", 2),
        ("train_batch_end", 2, 2),
        ("test_begin",),
        ("test_batch_begin", 0),
    ]
    assert rec.calls[:8] == one_epoch
    batch_end, test_end, epoch_end = rec.calls[8:11]
    assert batch_end[:3] == ("test_batch_end", 0, 4)
    # one chunk: its loss, the pass's loss and val_loss are the same number
    assert batch_end[3] == pytest.approx(test_end[1]) == pytest.approx(epoch_end[2])
    assert rec.calls[11:19] == one_epoch


def test_test_batches_cover_the_validation_data_in_chunks(monkeypatch):
    # chunks of 3 over 7 validation samples: sizes 3, 3, 1, and the pass's loss
    # is their size-weighted mean
    monkeypatch.setattr(gn.Network, "INFERENCE_CHUNK", 3)
    X, y = _data()
    X_val, y_val = _data(7)
    rec = Recorder()
    net = _net()
    net.fit(X, y, epochs=1, validation_data=(X_val, y_val), callbacks=[rec])
    ends = [c for c in rec.calls if c[0] == "test_batch_end"]
    assert [c[2] for c in ends] == [3, 3, 1]
    mean = sum(c[2] * c[3] for c in ends) / 7
    (test_end,) = [c for c in rec.calls if c[0] == "test_end"]
    assert test_end[1] == pytest.approx(mean)
    # the loss of the pass is the loss of the data, computed by evaluate
    assert test_end[1] == pytest.approx(net.evaluate(X_val, y_val)["loss"])


def test_old_batch_names_still_called():
    class Old(gn.Callback):
        def __init__(self):
            self.begins, self.ends = 0, 0

        def on_batch_begin(self, batch, logs):
            self.begins += 1

        def on_batch_end(self, batch, logs):
            self.ends += 1

    X, y = _data()
    cb = Old()
    _net().fit(X, y, epochs=3, batch_size=5, callbacks=[cb])
    assert (cb.begins, cb.ends) == (6, 6)


def test_stream_fit_calls_train_batch_hooks():
    X, y = _data()
    rec = Recorder()
    batches = [(X[:5], y[:5]), (X[5:], y[5:])]

    class NoVal(Recorder):
        def on_epoch_end(self, epoch, logs):
            pass

    rec = NoVal()
    _net().fit(batches, epochs=1, callbacks=[rec])
    assert rec.calls == [
        ("train_batch_begin", 0),
        ("train_batch_end", 0, 5),
        ("train_batch_begin", 1),
        ("train_batch_end", 1, 5),
    ]


@pytest.mark.parametrize(
    "name", ["on_predict_end", "on_epoch_ends", "on_validation_end"]
)
def test_unknown_hook_is_refused(name):
    X, y = _data()
    cb = type("Custom", (gn.Callback,), {name: lambda self, *args: None})()
    with pytest.raises(TypeError, match=f"defines {name}, which fit never calls"):
        _net().fit(X, y, epochs=1, callbacks=[cb])
    with pytest.raises(TypeError, match="on_train_batch_end"):
        _net().fit(X, y, epochs=1, callbacks=[cb])
