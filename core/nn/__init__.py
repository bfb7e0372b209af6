"""Small neural networks in NumPy, trained by the same core optimizers as the 2-D surfaces.

    from core.nn import MLP, make_dataset, Trainer, TrainingConfig
    net = MLP([2, 16, 16, 1], activation="tanh", seed=0)
    loss, gradient = net.loss_and_grad(X, y, loss="bce", l2=0.0)   # gradient: flat, like net.params
    data = make_dataset("circle", count=400, noise=0.1, seed=0)
    trainer = Trainer(data, TrainingConfig(hidden=(8, 8), loss="bce", optimizer="adam",
                                           hyperparameters=(("lr", 0.01),), epochs=100))
    trainer.train(100); trainer.history.test_metric[-1]

Modules: activations, losses (registries), mlp (the network and its weight layout), datasets,
training (Trainer, History), diagnosis (what the curves say), anatomy (one step, slowly),
landscape (loss slices and interpolation), model_surfaces (2-parameter losses as core surfaces).
"""

from core.nn.activations import ACTIVATIONS
from core.nn.datasets import DATASETS, Dataset, dataset_names, make_dataset
from core.nn.diagnosis import TrainingDiagnosis, diagnose_trainer, diagnose_training
from core.nn.losses import LOSSES, losses_for
from core.nn.mlp import MLP, parameter_count
from core.nn.model_surfaces import register_model_surfaces
from core.nn.training import History, Trainer, TrainingConfig

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "LOSSES",
    "MLP",
    "Dataset",
    "History",
    "Trainer",
    "TrainingConfig",
    "TrainingDiagnosis",
    "dataset_names",
    "diagnose_trainer",
    "diagnose_training",
    "losses_for",
    "make_dataset",
    "parameter_count",
    "register_model_surfaces",
]
