"""Callbacks, each triggered by a real training run."""

import csv
import io
import os
import warnings
import zipfile

import numpy as np
import pytest

import glassnet as gn


class Recorder(gn.Callback):
    """Keeps the weights and the logs at the end of every epoch."""

    def on_train_begin(self, logs):
        self.weights, self.logs = [], []

    def on_epoch_end(self, epoch, logs):
        self.weights.append(self.network.get_weights())
        self.logs.append(dict(logs))


def assert_weights_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.fixture
def noisy():
    """A small noisy 2-class problem on which a big network overfits fast."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6))
    y = ((X[:, 0] + 0.8 * rng.normal(size=120)) > 0).astype(int)
    return X[:40], y[:40], X[40:], y[40:]


def overfitting_net():
    return gn.Network.mlp([6, 64, 64, 2], seed=0)


# -- EarlyStopping ------------------------------------------------------------------


def test_early_stopping_stops_and_restores_the_best_weights(noisy):
    X, y, Xv, yv = noisy
    net, rec = overfitting_net(), Recorder()
    stop = gn.EarlyStopping(patience=3, restore_best_weights=True)
    history = net.fit(
        X,
        y,
        epochs=100,
        optimizer=gn.Adam(lr=0.01),
        validation_data=(Xv, yv),
        callbacks=[rec, stop],
        seed=0,
    )
    val = history.history["val_loss"]
    best = int(np.argmin(val))
    assert stop.stopped_epoch == best + 3 < 99  # stopped early
    assert len(val) == best + 4
    assert stop.best == val[best] and stop.best_epoch == best
    assert_weights_equal(net.get_weights(), rec.weights[best])
    assert net.evaluate(Xv, yv)["loss"] == pytest.approx(val[best], rel=1e-6)


def test_early_stopping_restores_best_when_epochs_run_out(noisy):
    X, y, Xv, yv = noisy
    net, rec = overfitting_net(), Recorder()
    stop = gn.EarlyStopping(patience=50, restore_best_weights=True)
    history = net.fit(
        X,
        y,
        epochs=25,
        optimizer=gn.Adam(lr=0.01),
        validation_data=(Xv, yv),
        callbacks=[rec, stop],
        seed=0,
    )
    val = history.history["val_loss"]
    best = int(np.argmin(val))
    assert len(val) == 25 and stop.stopped_epoch is None
    assert best < 24  # the last epoch is not the best: restoring matters
    assert_weights_equal(net.get_weights(), rec.weights[best])


def test_early_stopping_on_a_maximized_metric(noisy):
    X, y, Xv, yv = noisy
    stop = gn.EarlyStopping("val_accuracy", patience=2)
    assert stop.monitor.mode == "max"
    overfitting_net().fit(
        X, y, epochs=60, optimizer="adam", validation_data=(Xv, yv), callbacks=[stop]
    )
    assert stop.stopped_epoch is not None


def test_early_stopping_without_its_monitored_key_says_how_to_fix_it(noisy):
    X, y, _, _ = noisy
    with pytest.raises(ValueError, match="'val_loss', which is not in the epoch logs"):
        overfitting_net().fit(X, y, epochs=2, callbacks=[gn.EarlyStopping()])


# -- ModelCheckpoint ------------------------------------------------------------------


def test_checkpoint_keeps_the_best_weights(tmp_path, noisy):
    X, y, Xv, yv = noisy
    path = tmp_path / "best.glassnet"
    net, rec = overfitting_net(), Recorder()
    checkpoint = gn.ModelCheckpoint(path, save_best_only=True)
    history = net.fit(
        X,
        y,
        epochs=20,
        optimizer=gn.Adam(lr=0.01),
        validation_data=(Xv, yv),
        callbacks=[rec, checkpoint],
        seed=0,
    )
    best = int(np.argmin(history.history["val_loss"]))
    fresh = gn.load(path)
    assert fresh.metadata["epoch"] == best + 1
    assert_weights_equal(fresh.get_weights(), rec.weights[best])
    assert os.listdir(tmp_path) == ["best.glassnet"]  # no temporary files left


def test_checkpoint_every_epoch_with_formatted_names(tmp_path, noisy):
    X, y, Xv, yv = noisy
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.glassnet")
    checkpoint = gn.ModelCheckpoint(pattern)
    history = overfitting_net().fit(
        X, y, epochs=3, validation_data=(Xv, yv), callbacks=[checkpoint]
    )
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 3 and names[0].startswith("ckpt-01-")
    assert names[2] == f"ckpt-03-{history.history['val_loss'][2]:.3f}.glassnet"


def _crash_halfway(network, path, meta):
    """A writer that dies mid-file, as a full disk or a kill would."""
    with open(path, "wb") as f:
        f.write(b"PK\x03\x04 half of a checkpoint")
        raise OSError("No space left on device")


def test_a_crash_during_the_write_never_leaves_a_broken_checkpoint(tmp_path, noisy):
    X, y, _, _ = noisy
    path = tmp_path / "model.glassnet"
    net = overfitting_net()
    net.fit(X, y, epochs=1, callbacks=[gn.ModelCheckpoint(path, monitor="loss")])
    good_bytes = path.read_bytes()
    saved = net.get_weights()

    crashing = gn.ModelCheckpoint(path, monitor="loss", save=_crash_halfway)
    with pytest.raises(OSError, match="No space left"):
        net.fit(X, y, epochs=1, callbacks=[crashing])
    assert path.read_bytes() == good_bytes  # the old file, whole
    restored = gn.load(path)
    assert_weights_equal(restored.get_weights(), saved)
    assert os.listdir(tmp_path) == ["model.glassnet"]


def test_a_crash_inside_the_zip_writer_leaves_no_file(tmp_path, noisy, monkeypatch):
    X, y, _, _ = noisy

    def write_then_crash(archive, name, data, *args, **kwargs):
        archive.fp.write(b"\x00" * 100)
        raise KeyboardInterrupt

    monkeypatch.setattr(zipfile.ZipFile, "writestr", write_then_crash)
    path = tmp_path / "new.glassnet"
    with pytest.raises(KeyboardInterrupt):
        overfitting_net().fit(
            X, y, epochs=1, callbacks=[gn.ModelCheckpoint(path, monitor="loss")]
        )
    assert os.listdir(tmp_path) == []


# -- ReduceLROnPlateau ----------------------------------------------------------------


def test_reduce_lr_on_plateau_in_a_real_run(noisy):
    X, y, Xv, yv = noisy
    net = overfitting_net()
    # A tiny learning rate: the validation loss barely moves, i.e. a plateau.
    plateau = gn.ReduceLROnPlateau(factor=0.5, patience=2, min_delta=1e-2)
    history = net.fit(
        X,
        y,
        epochs=7,
        optimizer=gn.SGD(lr=1e-4),
        validation_data=(Xv, yv),
        callbacks=[plateau],
    )
    # Epoch 0 sets the best; epochs 1-2, 3-4 and 5-6 are plateaus of 2.
    expected = [1e-4] * 3 + [5e-5] * 2 + [2.5e-5] * 2
    assert history.history["lr"] == pytest.approx(expected)
    assert plateau.schedule.reductions == 3
    # The cut after the last epoch is applied too, as in Keras.
    assert net.optimizer.lr == pytest.approx(1.25e-5)


# -- TerminateOnNaN -------------------------------------------------------------------


@pytest.fixture
def regression():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 4))
    return X, X @ np.array([1.0, -2.0, 3.0, 0.5])


def test_terminate_on_nan_after_a_diverging_learning_rate(regression):
    X, y = regression
    net = gn.Network.mlp([4, 16, 1], loss="mse", seed=0)
    initial = net.get_weights()
    with (
        np.errstate(all="ignore"),
        pytest.warns(gn.DivergenceWarning, match="lower learning rate") as caught,
    ):
        history = net.fit(
            X,
            y,
            epochs=20,
            batch_size=8,
            optimizer=gn.SGD(lr=5.0),
            callbacks=[gn.TerminateOnNaN()],
        )
    assert len(history.history["loss"]) == 1  # stopped in the first epoch
    assert not np.isfinite(history.history["loss"][0])
    assert "restored the initial weights" in str(caught[0].message)
    assert_weights_equal(net.get_weights(), initial)
    assert np.isfinite(net.evaluate(X, y)["loss"])


def test_terminate_on_nan_restores_the_last_finite_epoch(regression):
    X, y = regression

    class Sabotage(gn.Callback):
        """Turns one weight into NaN after the last batch of epoch 3."""

        def on_batch_end(self, batch, logs):
            if self.epoch == 2 and batch == self.params["steps"] - 1:
                self.network.parameters_flat[0] = np.nan

        def on_epoch_begin(self, epoch, logs):
            self.epoch = epoch

    net, rec = gn.Network.mlp([4, 8, 1], loss="mse", seed=0), Recorder()
    guard = gn.TerminateOnNaN()
    with pytest.warns(gn.DivergenceWarning, match="weights became NaN") as caught:
        history = net.fit(
            X, y, epochs=10, optimizer="adam", callbacks=[Sabotage(), guard, rec]
        )
    assert guard.terminated and len(history.epoch) == 3
    assert "end of epoch 2" in str(caught[0].message)
    assert_weights_equal(net.get_weights(), rec.weights[1])


class Sabotage(gn.Callback):
    """Turns one weight into NaN after the last batch of epoch ``at`` (0-based)."""

    def __init__(self, at):
        self.at = at

    def on_epoch_begin(self, epoch, logs):
        self.epoch = epoch

    def on_batch_end(self, batch, logs):
        if self.epoch == self.at and batch == self.params["steps"] - 1:
            self.network.parameters_flat[0] = np.nan


def test_terminate_on_nan_records_epoch_lr_and_what_it_kept(regression):
    X, y = regression
    net, rec = gn.Network.mlp([4, 8, 1], loss="mse", seed=0), Recorder()
    guard = gn.TerminateOnNaN(warn=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warn=False: no DivergenceWarning
        net.fit(X, y, epochs=6, optimizer=gn.SGD(lr=0.003), callbacks=[
            Sabotage(at=3), rec, guard])  # fmt: skip
    assert guard.terminated and guard.stopped_epoch == 3
    assert guard.lr == 0.003 and guard.restored_epoch == 2
    assert guard.kept == "the weights from the end of epoch 3"
    assert "epoch 4 (lr 0.003)" in guard.message and guard.kept in guard.message
    assert_weights_equal(net.get_weights(), rec.weights[2])


def test_terminate_on_nan_without_restore_keeps_the_non_finite_weights(regression):
    X, y = regression
    net = gn.Network.mlp([4, 16, 1], loss="mse", seed=0)
    guard = gn.TerminateOnNaN(restore=False)
    with (
        np.errstate(all="ignore"),
        pytest.warns(gn.DivergenceWarning, match="kept the non-finite weights"),
    ):
        history = net.fit(
            X,
            y,
            epochs=20,
            batch_size=8,
            optimizer=gn.SGD(lr=5.0),
            callbacks=[guard],
            seed=0,
        )
        loss = net.evaluate(X, y)["loss"]
    assert len(history.epoch) == 1 and guard.stopped_epoch == 0
    assert guard.kept == "the non-finite weights" and guard.restored_epoch is None
    assert guard.lr == 5.0
    assert not np.isfinite(loss)  # left as they were, not the initial weights


def test_terminate_on_nan_at_epoch_ends_only_spares_the_batch_losses(regression):
    X, y = regression
    from glassnet.training.callbacks import CallbackList

    net = gn.Network.mlp([4, 16, 1], loss="mse", seed=0)
    epochs_only = gn.TerminateOnNaN(warn=False, check_batches=False)
    assert not CallbackList([epochs_only], net, {}).overrides("on_batch_end")
    assert CallbackList([gn.TerminateOnNaN()], net, {}).overrides("on_batch_end")
    with np.errstate(all="ignore"):
        history = net.fit(X, y, epochs=20, batch_size=8, optimizer=gn.SGD(lr=5.0),
                          callbacks=[epochs_only], seed=0)  # fmt: skip
    assert len(history.epoch) == 1 and epochs_only.stopped_epoch == 0
    assert epochs_only.reason == "the loss became nan"  # the epoch's, not a batch's
    assert epochs_only.kept == "the initial weights"


def test_model_checkpoint_never_saves_a_diverged_epoch(regression, tmp_path):
    X, y = regression
    net, rec = gn.Network.mlp([4, 8, 1], loss="mse", seed=0), Recorder()
    every = gn.ModelCheckpoint(tmp_path / "e{epoch}.glassnet", monitor="loss")
    best = gn.ModelCheckpoint(tmp_path / "best.glassnet", monitor="loss",
                              save_best_only=True)  # fmt: skip
    # no TerminateOnNaN: the NaN weights stay and the loss is NaN from epoch 3 on
    with np.errstate(all="ignore"):
        net.fit(X, y, epochs=4, optimizer=gn.SGD(lr=0.003),
                callbacks=[Sabotage(at=1), rec, every, best])  # fmt: skip
    assert sorted(os.listdir(tmp_path)) == ["best.glassnet", "e1.glassnet"]
    assert every.skipped_epochs == [1, 2, 3] and best.skipped_epochs == [1, 2, 3]
    assert np.isnan(rec.logs[2]["loss"])
    for name in ("e1.glassnet", "best.glassnet"):
        saved = gn.load(tmp_path / name)
        assert_weights_equal(saved.get_weights(), rec.weights[0])
        assert saved.metadata["epoch"] == 1


def test_model_checkpoint_stores_non_finite_logs_as_null(regression, tmp_path):
    X, y = regression
    net = gn.Network.mlp([4, 8, 1], loss="mse", seed=0)
    # validation targets of 1e30: the squared error overflows float32 to inf, while
    # training loss and the weights stay finite
    y_val = np.full(8, 1e30)
    path = tmp_path / "c.glassnet"
    with np.errstate(over="ignore"):
        history = net.fit(
            X,
            y,
            epochs=1,
            optimizer=gn.SGD(lr=0.003),
            validation_data=(X[:8], y_val),
            callbacks=[gn.ModelCheckpoint(path, monitor="loss")],
        )
    assert history.history["val_loss"] == [np.inf]
    # stored as null (standard JSON), read back as NaN: the number is unknown
    logs = gn.load(path).metadata["logs"]
    assert np.isnan(logs["val_loss"]) and logs["loss"] == history.history["loss"][0]


# -- CSVLogger, History, progress -----------------------------------------------------


def test_csv_logger_writes_every_scalar_log(tmp_path, noisy):
    X, y, Xv, yv = noisy
    path = tmp_path / "log.csv"
    history = overfitting_net().fit(
        X, y, epochs=3, validation_data=(Xv, yv), callbacks=[gn.CSVLogger(path)]
    )
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "epoch",
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "lr",
        "epoch_time",
    ]
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert [float(r["val_loss"]) for r in rows] == history.history["val_loss"]
    # Appending adds rows, not a second header.
    overfitting_net().fit(X, y, epochs=2, callbacks=[gn.CSVLogger(path, append=True)])
    with open(path, newline="") as f:
        assert len(list(csv.DictReader(f))) == 5


def test_history_records_losses_metrics_lr_and_times(noisy):
    X, y, Xv, yv = noisy
    history = overfitting_net().fit(
        X,
        y,
        epochs=4,
        optimizer=gn.SGD(lr=0.05),
        metrics=["accuracy", "f1"],
        validation_data=(Xv, yv),
    )
    h = history.history
    assert list(h) == [
        "loss",
        "accuracy",
        "f1",
        "val_loss",
        "val_accuracy",
        "val_f1",
        "lr",
        "epoch_time",
    ]
    assert all(len(v) == 4 for v in h.values())
    assert h["lr"] == [0.05] * 4 and all(t > 0 for t in h["epoch_time"])
    assert history.epoch == [0, 1, 2, 3]


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_progress_bar_on_a_terminal_and_in_a_log(noisy):
    X, y, Xv, yv = noisy
    for stream in (FakeTerminal(), io.StringIO()):
        bar = gn.ProgressBar(backend="plain", stream=stream, refresh=0.0)
        overfitting_net().fit(
            X, y, epochs=2, batch_size=16, validation_data=(Xv, yv), callbacks=[bar]
        )
        text = stream.getvalue()
        lines = [line for line in text.split("\n") if line]
        assert len(lines) == 2
        assert "epoch 2/2  3/3 [========================]" in lines[1]
        assert "val_accuracy" in lines[1] and "loss" in lines[0]
        assert ("\r" in text) == isinstance(stream, FakeTerminal)


@pytest.mark.parametrize("backend", ["tqdm", "rich"])
def test_optional_progress_backends(noisy, backend):
    pytest.importorskip(backend)
    X, y, _, _ = noisy
    stream = io.StringIO()
    bar = gn.ProgressBar(backend=backend, stream=stream)
    overfitting_net().fit(X, y, epochs=2, callbacks=[bar])
    assert "epoch 2/2" in stream.getvalue()


def test_verbose_levels_print_like_keras(noisy, capsys):
    X, y, _, _ = noisy
    overfitting_net().fit(X, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    overfitting_net().fit(X, y, epochs=2, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1].startswith("epoch 2/2  loss")
    overfitting_net().fit(X, y, epochs=2, verbose=1)
    assert "epoch 2/2" in capsys.readouterr().out


def test_progress_bar_rejects_unknown_backend():
    with pytest.raises(ValueError, match="'backend' parameter of ProgressBar"):
        gn.ProgressBar(backend="curses")


def test_callbacks_must_be_callbacks(noisy):
    X, y, _, _ = noisy
    with pytest.raises(TypeError, match="must be a glassnet Callback"):
        overfitting_net().fit(X, y, epochs=1, callbacks=[print])


def test_checkpoint_path_naming_a_missing_log_says_so(tmp_path, noisy):
    X, y, _, _ = noisy
    checkpoint = gn.ModelCheckpoint(
        tmp_path / "m-{val_loss:.2f}.glassnet", monitor="loss"
    )
    with pytest.raises(ValueError, match=r"names \{val_loss\}, which is not in the"):
        overfitting_net().fit(X, y, epochs=1, callbacks=checkpoint)


def test_terminate_on_nan_counts_a_loss_above_max_loss_as_divergence(regression):
    X, y = regression
    net = gn.Network.mlp([4, 8, 1], loss="mse", seed=0)
    guard = gn.TerminateOnNaN(max_loss=1e-9, warn=False)
    history = net.fit(X, y, epochs=5, callbacks=[guard])
    assert guard.terminated and guard.stopped_epoch == 0
    assert "above max_loss=1e-09" in guard.reason
    assert len(history.epoch) <= 1
    with pytest.raises(ValueError, match="'max_loss' parameter of TerminateOnNaN"):
        gn.TerminateOnNaN(max_loss=-1)


def test_early_stopping_takes_keras_names_and_says_what_it_restored(noisy, capsys):
    X, y, Xv, yv = noisy
    stop = gn.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    history = overfitting_net().fit(
        X, y, epochs=40, validation_data=(Xv, yv), callbacks=[stop]
    )
    best = int(np.argmin(history.history["val_loss"]))
    assert stop.restored_epoch == best == stop.best_epoch
    out = capsys.readouterr().out
    assert f"Restoring model weights from the end of the best epoch: {best + 1}." in out
    with pytest.warns(DeprecationWarning, match="restore_best_weights"):
        old = gn.EarlyStopping(restore_best=True)
    assert old.restore_best_weights


def test_early_stopping_baseline_and_start_from_epoch(regression):
    X, y = regression
    net = gn.Network.mlp([4, 8, 1], loss="mse", seed=0)
    # a baseline no epoch can beat: stop after `patience` epochs
    stop = gn.EarlyStopping(monitor="loss", patience=3, baseline=-1.0)
    assert len(net.fit(X, y, epochs=20, callbacks=[stop]).epoch) == 3
    # nothing is watched during the first 5 epochs
    stop = gn.EarlyStopping(monitor="loss", patience=0, baseline=-1.0,
                            start_from_epoch=5)  # fmt: skip
    assert len(net.fit(X, y, epochs=20, callbacks=[stop]).epoch) == 6


def test_adam_takes_keras_names_and_warns_on_the_old_ones():
    adam = gn.Adam(beta_1=0.5, beta_2=0.75)
    assert (adam.beta_1, adam.beta_2) == (0.5, 0.75)
    with pytest.warns(DeprecationWarning, match="'beta1' parameter of AdamW is now"):
        old = gn.AdamW(beta1=0.25)
    assert old.beta_1 == 0.25
