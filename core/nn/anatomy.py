"""One training step, slowly: the textbook loop for one mini-batch with the numbers filled in.

forward pass -> loss -> backpropagation -> update, for the trainer's next mini-batch, following
one weight θ_i that the student picks: its value, its gradient ∂L/∂θ_i, the optimizer's update
Δθ_i and its new value θ_i + Δθ_i, and the batch loss before and after the step. Nothing in the
trainer changes: the step is taken on a copy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from core.nn.mlp import MLP
from core.nn.training import Trainer
from core.optimizers import copy_state


@dataclass(frozen=True)
class StepAnatomy:
    """The numbers of one step. batch_size samples; layer_shapes the (n, units) of each z_l."""

    batch_size: int
    layer_shapes: tuple[tuple[int, int], ...]
    parameter_index: int
    parameter_name: str
    learning_rate: float
    loss_before: float
    loss_after: float
    gradient_norm: float
    value_before: float
    gradient: float
    update: float
    value_after: float
    first_output: tuple[float, ...]
    first_target: float


def _next_batch(trainer: Trainer) -> tuple[np.ndarray, np.ndarray]:
    """The inputs and targets of the mini-batch training takes next (the generator is copied)."""
    batch = trainer.batches(copy.deepcopy(trainer.rng))[0]
    data = trainer.dataset
    return data.features_train[batch], data.targets_train[batch]


def step_anatomy(trainer: Trainer, parameter_index: int) -> StepAnatomy:
    """Take the trainer's next mini-batch step on a copy and report every stage's numbers."""
    names = trainer.network.parameter_names()
    if not 0 <= parameter_index < len(names):
        raise ValueError(f"parameter_index must be in [0, {len(names) - 1}], not {parameter_index}")
    config, (inputs, targets) = trainer.config, _next_batch(trainer)
    network = MLP(trainer.network.sizes, trainer.network.activation_name)
    network.params = trainer.network.params
    rate = float(trainer.rates[min(trainer.epoch, trainer.rates.size - 1)])
    with np.errstate(all="ignore"):
        trace = network.forward(inputs)
        before, gradient = network.loss_and_grad(inputs, targets, config.loss, config.l1, config.l2)
        update, _ = trainer.optimizer.step(
            copy_state(trainer.state), gradient, network.params.copy(), trainer.updates + 1, rate
        )
        value, change = float(network.params[parameter_index]), float(update[parameter_index])
        network.params = network.params + update
        after = network.loss(inputs, targets, config.loss, config.l1, config.l2)
        norm = float(np.linalg.norm(gradient))
    return StepAnatomy(
        batch_size=targets.shape[0], layer_shapes=tuple(z.shape for z in trace.pre_activations),
        parameter_index=parameter_index, parameter_name=names[parameter_index],
        learning_rate=rate, loss_before=before, loss_after=after,
        gradient_norm=norm, value_before=value,
        gradient=float(gradient[parameter_index]), update=change, value_after=value + change,
        first_output=tuple(float(v) for v in trace.outputs[0]), first_target=float(targets[0]),
    )  # fmt: skip
