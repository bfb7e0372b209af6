"""Training: it learns what it should, fails where it must, and is deterministic."""

import numpy as np
import pytest

from core.nn.anatomy import step_anatomy
from core.nn.datasets import make_dataset
from core.nn.diagnosis import diagnose_trainer
from core.nn.training import (
    DIVERGED,
    FINISHED,
    Trainer,
    TrainingConfig,
    compare_optimizers,
    config_with,
)


def _trainer(name="circle", normalise=True, noise=0.05, **fields) -> Trainer:
    data = make_dataset(name, count=300, noise=noise, seed=0, normalise=normalise)
    return Trainer(data, TrainingConfig(**fields))


ADAM = (("lr", 0.03),)


@pytest.mark.parametrize("name", ["circle", "xor"])
def test_a_hidden_layer_reaches_high_accuracy(name):
    trainer = _trainer(name, hidden=(8,), optimizer="adam", hyperparameters=ADAM, epochs=100)
    trainer.train(100)
    assert trainer.status == FINISHED
    assert trainer.history.train_metric[-1] >= 0.97
    assert trainer.history.test_metric[-1] >= 0.93


def test_no_hidden_layer_cannot_learn_xor():
    trainer = _trainer("xor", hidden=(), optimizer="adam", hyperparameters=ADAM, epochs=100)
    trainer.train(100)
    assert trainer.history.train_metric[-1] < 0.8


def test_the_textbook_network_learns_the_three_classes():
    trainer = _trainer(
        "blobs",
        hidden=(64, 32),
        activation="relu",
        loss="cce",
        hyperparameters=(("lr", 0.01),),
        batch_size=32,
        epochs=20,
    )
    trainer.train(20)
    assert trainer.history.test_metric[-1] >= 0.95


def test_normalisation_speeds_up_the_raw_feature_regression():
    def loss_after(normalise: bool, lr: float) -> float:
        trainer = _trainer(
            "trend",
            normalise=normalise,
            hidden=(),
            activation="linear",
            loss="mse",
            hyperparameters=(("lr", lr),),
            epochs=30,
        )
        trainer.train(30)
        return trainer.history.train_loss[-1]

    # The raw feature is in the hundreds: 1e-5 is about the largest rate that does not diverge.
    assert loss_after(True, 0.01) < 0.2 * loss_after(False, 1e-5)


def test_l2_lowers_the_weight_norm():
    def weight_norm(l2: float) -> float:
        trainer = _trainer(
            "circle", hidden=(8,), optimizer="adam", hyperparameters=ADAM, l2=l2, epochs=60
        )
        trainer.train(60)
        return float(np.linalg.norm(np.concatenate([w.ravel() for w in trainer.network.weights])))

    assert weight_norm(0.01) < 0.7 * weight_norm(0.0)


def test_chunks_of_epochs_give_the_same_weights_as_one_call():
    config = dict(hidden=(6,), optimizer="adam", hyperparameters=ADAM, batch_size=16, epochs=12)
    whole, chunked = _trainer(**config), _trainer(**config)
    whole.train(12)
    for _ in range(4):
        chunked.train(3)
    np.testing.assert_array_equal(whole.network.params, chunked.network.params)
    assert whole.history.test_loss == chunked.history.test_loss


def test_training_stops_at_the_planned_epochs_and_keeps_snapshots():
    trainer = _trainer(hidden=(4,), epochs=5)
    trainer.train(50)
    assert trainer.epoch == 5 and trainer.status == FINISHED
    assert len(trainer.history.train_loss) == 6
    assert trainer.snapshot_matrix().shape == (6, trainer.network.params.size)


def test_a_huge_learning_rate_stops_with_a_diverged_status():
    trainer = _trainer(
        "trend",
        normalise=False,
        hidden=(),
        activation="linear",
        loss="mse",
        hyperparameters=(("lr", 0.01),),
        epochs=50,
    )
    trainer.train(50)
    assert trainer.status == DIVERGED
    assert "non-finite" in trainer.reason
    assert trainer.epoch < 50
    assert diagnose_trainer(trainer).kind == "diverged"


def test_the_schedule_sets_each_epochs_rate():
    trainer = _trainer(
        hidden=(4,),
        epochs=4,
        hyperparameters=(("lr", 0.1),),
        schedule="exponential",
        schedule_parameters=(("gamma", 0.5),),
    )
    trainer.train(4)
    np.testing.assert_allclose(trainer.history.learning_rate, [0.1, 0.05, 0.025, 0.0125])


def test_newton_and_unfit_losses_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="Hessian"):
        _trainer(optimizer="newton", hyperparameters=())
    with pytest.raises(ValueError, match="does not fit"):
        _trainer("blobs", loss="bce")


def test_config_with_turns_dicts_into_sorted_items():
    changed = config_with(TrainingConfig(), optimizer="adam", hyperparameters={"lr": 0.2})
    assert changed.hyperparameters == (("lr", 0.2),) and changed.optimizer == "adam"


def test_step_anatomy_reports_the_optimizers_update_without_training():
    trainer = _trainer(hidden=(4,), hyperparameters=(("lr", 0.5),), batch_size=20)
    before = trainer.network.params.copy()
    anatomy = step_anatomy(trainer, parameter_index=3)
    np.testing.assert_array_equal(trainer.network.params, before)
    assert anatomy.update == pytest.approx(-0.5 * anatomy.gradient)  # plain SGD: Δ = −γg
    assert anatomy.value_after == pytest.approx(anatomy.value_before + anatomy.update)
    assert anatomy.loss_after < anatomy.loss_before
    assert anatomy.batch_size == 20 and anatomy.parameter_name == "W1[0, 3]"


def test_step_anatomy_takes_the_step_that_training_takes_next():
    trainer = _trainer(hidden=(4,), hyperparameters=(("lr", 0.5),), batch_size=1000)
    anatomy = step_anatomy(trainer, parameter_index=5)
    trainer.train(1)  # full batch: one epoch is exactly that one step
    assert trainer.network.params[5] == pytest.approx(anatomy.value_after, rel=1e-12)


def test_compared_optimizers_start_from_the_same_weights_and_differ_after():
    data = make_dataset("circle", count=200, seed=0)
    config = TrainingConfig(hidden=(4,), epochs=5)
    seen = []
    trainers = compare_optimizers(
        data, config, [("sgd", (("lr", 0.1),)), ("adam", (("lr", 0.01),))], seen.append
    )
    np.testing.assert_array_equal(trainers[0].initial_params, trainers[1].initial_params)
    assert trainers[0].history.train_loss[0] == trainers[1].history.train_loss[0]
    assert trainers[0].history.train_loss[-1] != trainers[1].history.train_loss[-1]
    assert [trainer.optimizer.name for trainer in trainers] == ["sgd", "adam"]
    assert seen[-1] == pytest.approx(1.0)


def test_snapshots_are_thinned_to_the_cap_and_can_be_switched_off():
    trainer = _trainer(hidden=(2,), epochs=250, batch_size=1000)
    trainer.train(250)
    assert len(trainer.snapshots) <= 100
    assert trainer.snapshot_epochs[0] == 0 and trainer.snapshot_matrix().shape[0] >= 60
    np.testing.assert_array_equal(trainer.snapshot_matrix()[-1], trainer.network.params)
    lean = Trainer(trainer.dataset, trainer.config, keep_snapshots=False)
    lean.train(3)
    assert lean.snapshots == [] and lean.snapshot_matrix().shape == (1, lean.network.params.size)
