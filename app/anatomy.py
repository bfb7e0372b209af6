"""The anatomy of step k: an optimizer's update rule written out with that step's numbers.

`step_numbers(run, k)` gathers what step k used and produced (θ_k, the gradient the optimizer
received, the learning rate, the state before and after, the update, θ_{k+1}); an optimizer's
entry in ANATOMY turns them into `Line`s: a symbol, its rule, the rule with the numbers put in,
and the value. Values come from the run's records; the intermediate quantities (bias-corrected
moments, the Nesterov direction) are recomputed from the rule and the tests check that they give
the recorded update. Everything shown is built from numbers, never from text a user typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import core
from core.optimizers import newton_shift


@dataclass(frozen=True)
class StepNumbers:
    """Step k of a single-path run; vectors have shape (2,), t = k + 1 as in torch."""

    k: int
    theta: np.ndarray
    gradient: np.ndarray
    lr: float
    update: np.ndarray
    next_theta: np.ndarray
    before: Mapping[str, np.ndarray]
    after: Mapping[str, np.ndarray]
    hyperparameters: Mapping[str, Any]
    hessian: np.ndarray

    @property
    def t(self) -> int:
        return self.k + 1


@dataclass(frozen=True)
class Line:
    """symbol = rule = rule with numbers = value, then (where: the constants used); rule,
    numbers and where may be empty."""

    symbol: str
    rule: str
    numbers: str
    value: Any
    where: str = ""

    def latex(self) -> str:
        parts = [self.symbol, self.rule, self.numbers, latex_value(self.value)]
        text = " = ".join(part for part in parts if part)
        return text + (rf"\qquad ({self.where})" if self.where else "")


# ----- formatting -----------------------------------------------------------------------------
def latex_number(value: float) -> str:
    """4 significant figures; powers of ten as ×10^{n}; non-finite values in words (a number
    that overflowed, or one that is not defined), never inf or nan."""
    value = float(value)
    if not np.isfinite(value):
        if np.isnan(value):
            return r"\text{(not defined)}"
        return r"\text{(overflowed)}" if value > 0 else r"-\text{(overflowed)}"
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return text


def latex_value(value: Any) -> str:
    """A number, a 2-vector as a column, or a 2x2 matrix."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return latex_number(float(array))
    if array.ndim == 1:
        return (
            rf"\begin{{pmatrix}}{latex_number(array[0])} \\ {latex_number(array[1])}\end{{pmatrix}}"
        )
    rows = r" \\ ".join(" & ".join(latex_number(v) for v in row) for row in array)
    return rf"\begin{{pmatrix}}{rows}\end{{pmatrix}}"


# ----- gathering a step's numbers --------------------------------------------------------------
def step_numbers(run: core.Run, k: int) -> StepNumbers:
    """The numbers of update k (0 <= k < run.stop_step) of a recorded single-path run."""
    if run.batched or run.updates is None:
        raise ValueError("the anatomy needs a single path recorded in full")
    if not 0 <= k < len(run.updates):
        raise ValueError(f"step {k} is not in this run (it has {len(run.updates)} updates)")
    names = run.optimizer.state_names
    after = {name: run.states[name][k] for name in names}
    if k > 0:
        before = {name: run.states[name][k - 1] for name in names}
    else:
        before = _initial_state(run.optimizer, run.points[0], names)
    return StepNumbers(
        k,
        run.points[k],
        run.gradients_used[k],
        float(run.learning_rates[k]),
        run.updates[k],
        run.points[k + 1],
        before,
        after,
        run.optimizer.hyperparameters,
        run.surface.hessian(run.points[k]),
    )


def _initial_state(optimizer: core.Optimizer, theta: np.ndarray, names) -> dict[str, np.ndarray]:
    if optimizer.elementwise:
        per_coordinate = [optimizer.init(float(value)) for value in theta]
        return {
            name: np.asarray([state[index] for state in per_coordinate], dtype=np.float64)
            for index, name in enumerate(names)
        }
    state = optimizer.init(np.asarray(theta, dtype=np.float64))
    return {
        name: np.broadcast_to(np.asarray(state[i], np.float64), (2,))
        for i, name in enumerate(names)
    }


# ----- shared lines ---------------------------------------------------------------------------
def _vector(value) -> str:
    return latex_value(value)


def _gradient_lines(numbers: StepNumbers, noisy: bool) -> list[Line]:
    rule = r"\nabla f(\theta_k) + \sigma\xi_k" if noisy else r"\nabla f(\theta_k)"
    return [Line(r"\theta_k", "", "", numbers.theta), Line("g_k", rule, "", numbers.gradient)]


def _weight_decay_line(numbers: StepNumbers) -> tuple[list[Line], np.ndarray]:
    """g ← g + λθ when weight decay is on (coupled decay, as torch's Adam, SGD, RMSprop...)."""
    decay = float(numbers.hyperparameters.get("weight_decay", 0.0))
    if not decay:
        return [], numbers.gradient
    gradient = numbers.gradient + decay * numbers.theta
    rule = r"g_k + \lambda\theta_k"
    return [
        Line(
            "g_k",
            rule,
            rf"{_vector(numbers.gradient)} + {latex_number(decay)}"
            rf"\cdot{_vector(numbers.theta)}",
            gradient,
        )
    ], gradient


def _closing_lines(numbers: StepNumbers) -> list[Line]:
    return [
        Line(
            r"\theta_{k+1}",
            r"\theta_k + \Delta\theta_k",
            rf"{_vector(numbers.theta)} + {_vector(numbers.update)}",
            numbers.next_theta,
        ),
    ]


def _step_line(numbers: StepNumbers, symbol: str, direction: np.ndarray) -> tuple[Line, np.ndarray]:
    """Δθ_k = −γ·direction, with γ and the direction's numbers: the last step of most rules."""
    update = -numbers.lr * direction
    numbers_text = rf"-{latex_number(numbers.lr)}\cdot{_vector(direction)}"
    return Line(r"\Delta\theta_k", rf"-\gamma\, {symbol}", numbers_text, update), update


# ----- one function per optimizer -------------------------------------------------------------
def _sgd(numbers: StepNumbers) -> tuple[list[Line], np.ndarray]:
    hp = numbers.hyperparameters
    lines, g = _weight_decay_line(numbers)
    direction, momentum = g, float(hp["momentum"])
    if momentum:
        buffer = numbers.after["momentum_buffer"]
        if numbers.t == 1:
            lines.append(Line("b_k", "g_k", r"\text{(first step)}", buffer))
        else:
            tau = float(hp["dampening"])
            lines.append(
                Line(
                    "b_k",
                    r"\mu b_{k-1} + (1-\tau) g_k",
                    rf"{latex_number(momentum)}\cdot{_vector(numbers.before['momentum_buffer'])}"
                    rf" + {latex_number(1 - tau)}\cdot{_vector(g)}",
                    buffer,
                )
            )
        direction = buffer
        if hp["nesterov"]:
            direction = g + momentum * buffer
            lines.append(Line("d_k", r"g_k + \mu b_k", "", direction))
    symbol = "d_k" if momentum and hp["nesterov"] else ("b_k" if momentum else "g_k")
    line, update = _step_line(numbers, symbol, direction)
    lines.append(line)
    return lines, update


def _adam_family(numbers: StepNumbers, decoupled: bool) -> tuple[list[Line], np.ndarray]:
    hp = numbers.hyperparameters
    beta1, beta2 = (float(b) for b in hp["betas"])
    eps, decay = float(hp["eps"]), float(hp["weight_decay"])
    lines, g = ([], numbers.gradient) if decoupled else _weight_decay_line(numbers)
    m, v = numbers.after["exp_avg"], numbers.after["exp_avg_sq"]
    lines += _moment_lines(numbers, g, beta1, beta2)
    second = numbers.after["max_exp_avg_sq"] if hp["amsgrad"] else v
    if hp["amsgrad"]:
        lines.append(Line(r"v^{\max}_t", r"\max(v^{\max}_{t-1}, v_t)", "", second))
    m_hat = m / (1 - beta1**numbers.t)
    v_hat = second / (1 - beta2**numbers.t)
    lines.append(Line(r"\hat m_t", r"m_t / (1-\beta_1^t)", "", m_hat))
    lines.append(Line(r"\hat v_t", r"v_t / (1-\beta_2^t)", "", v_hat))
    update = -numbers.lr * m_hat / (np.sqrt(v_hat) + eps)
    rule = r"-\gamma\,\hat m_t / (\sqrt{\hat v_t} + \varepsilon)"
    if decoupled and decay:
        update = update - numbers.lr * decay * numbers.theta
        rule += r" - \gamma\lambda\theta_k"
    lines.append(
        Line(
            r"\Delta\theta_k",
            rule,
            "",
            update,
            rf"\gamma = {latex_number(numbers.lr)},\ \varepsilon = {latex_number(eps)}",
        )
    )
    return lines, update


def _moment_lines(numbers: StepNumbers, g: np.ndarray, beta1: float, beta2: float) -> list[Line]:
    """m_t and v_t, the running means of g and g² (Adam, AdamW, NAdam)."""
    before_m, before_v = numbers.before["exp_avg"], numbers.before["exp_avg_sq"]
    return [
        Line(
            "m_t",
            r"\beta_1 m_{t-1} + (1-\beta_1) g_t",
            rf"{latex_number(beta1)}\cdot{_vector(before_m)} + {latex_number(1 - beta1)}"
            rf"\cdot{_vector(g)}",
            numbers.after["exp_avg"],
        ),
        Line(
            "v_t",
            r"\beta_2 v_{t-1} + (1-\beta_2) g_t^2",
            rf"{latex_number(beta2)}\cdot{_vector(before_v)} + {latex_number(1 - beta2)}"
            rf"\cdot{_vector(g * g)}",
            numbers.after["exp_avg_sq"],
        ),
    ]


def _rmsprop(numbers: StepNumbers) -> tuple[list[Line], np.ndarray]:
    hp = numbers.hyperparameters
    alpha, eps, momentum = float(hp["alpha"]), float(hp["eps"]), float(hp["momentum"])
    lines, g = _weight_decay_line(numbers)
    square = numbers.after["square_avg"]
    lines.append(
        Line(
            "v_t",
            r"\alpha v_{t-1} + (1-\alpha) g_t^2",
            rf"{latex_number(alpha)}\cdot{_vector(numbers.before['square_avg'])} + "
            rf"{latex_number(1 - alpha)}\cdot{_vector(g * g)}",
            square,
        )
    )
    if hp["centered"]:
        mean = numbers.after["grad_avg"]
        lines.append(Line(r"\bar g_t", r"\alpha \bar g_{t-1} + (1-\alpha) g_t", "", mean))
        denominator = np.sqrt(square - mean * mean) + eps
        lines.append(Line("a_t", r"\sqrt{v_t - \bar g_t^2} + \varepsilon", "", denominator))
    else:
        denominator = np.sqrt(square) + eps
        lines.append(Line("a_t", r"\sqrt{v_t} + \varepsilon", "", denominator))
    direction = g / denominator
    if momentum > 0:
        direction = numbers.after["momentum_buffer"]
        lines.append(Line("b_t", r"\mu b_{t-1} + g_t / a_t", "", direction))
    line, update = _step_line(numbers, "b_t" if momentum > 0 else "g_t / a_t", direction)
    lines.append(line)
    return lines, update


def _adagrad(numbers: StepNumbers) -> tuple[list[Line], np.ndarray]:
    hp = numbers.hyperparameters
    eps, lr_decay = float(hp["eps"]), float(hp["lr_decay"])
    lines, g = _weight_decay_line(numbers)
    total = numbers.after["sum"]
    lines.append(
        Line(
            "s_t",
            r"s_{t-1} + g_t^2",
            rf"{_vector(numbers.before['sum'])} + {_vector(g * g)}",
            total,
        )
    )
    rate = numbers.lr / (1 + (numbers.t - 1) * lr_decay)
    if lr_decay:
        lines.append(Line(r"\gamma_t", r"\gamma / (1 + (t-1)\,\eta)", "", rate))
    update = -rate * g / (np.sqrt(total) + eps)
    lines.append(
        Line(
            r"\Delta\theta_k",
            r"-\gamma_t\, g_t / (\sqrt{s_t} + \varepsilon)",
            "",
            update,
            rf"\gamma_t = {latex_number(rate)}",
        )
    )
    return lines, update


def _adadelta(numbers: StepNumbers) -> tuple[list[Line], np.ndarray]:
    hp = numbers.hyperparameters
    eps = float(hp["eps"])
    lines, g = _weight_decay_line(numbers)
    square = numbers.after["square_avg"]
    lines.append(Line("v_t", r"\rho v_{t-1} + (1-\rho) g_t^2", "", square))
    delta = np.sqrt(numbers.before["acc_delta"] + eps) / np.sqrt(square + eps) * g
    lines.append(
        Line(
            r"\delta_t", r"\sqrt{u_{t-1} + \varepsilon} / \sqrt{v_t + \varepsilon}\; g_t", "", delta
        )
    )
    lines.append(Line("u_t", r"\rho u_{t-1} + (1-\rho)\delta_t^2", "", numbers.after["acc_delta"]))
    line, update = _step_line(numbers, r"\delta_t", delta)
    lines.append(line)
    return lines, update


def _nadam(numbers: StepNumbers) -> tuple[list[Line], np.ndarray]:
    hp = numbers.hyperparameters
    beta1, beta2 = (float(b) for b in hp["betas"])
    eps, psi = float(hp["eps"]), float(hp["momentum_decay"])
    lines, g = _weight_decay_line(numbers)
    mu = beta1 * (1 - 0.5 * 0.96 ** (numbers.t * psi))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((numbers.t + 1) * psi))
    product = float(numbers.after["mu_product"][0])
    lines.append(Line(r"\mu_t", r"\beta_1(1 - \tfrac12\, 0.96^{t\psi})", "", mu))
    lines += _moment_lines(numbers, g, beta1, beta2)
    m = numbers.after["exp_avg"]
    denominator = np.sqrt(numbers.after["exp_avg_sq"] / (1 - beta2**numbers.t)) + eps
    lines.append(Line("d_t", r"\sqrt{v_t / (1-\beta_2^t)} + \varepsilon", "", denominator))
    update = (
        -numbers.lr * (1 - mu) / (1 - product) * g / denominator
        - numbers.lr * mu_next / (1 - product * mu_next) * m / denominator
    )
    rule = (
        r"-\gamma\frac{1-\mu_t}{1-\Pi_t}\frac{g_t}{d_t} "
        r"- \gamma\frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}}\frac{m_t}{d_t}"
    )
    lines.append(Line(r"\Delta\theta_k", rule, "", update, rf"\Pi_t = {latex_number(product)}"))
    return lines, update


def _newton(numbers: StepNumbers) -> tuple[list[Line], np.ndarray]:
    hessian = numbers.hessian
    lines = [Line(r"H_k", r"\nabla^2 f(\theta_k)", "", hessian)]
    damped_rows, shift_rows = newton_shift(hessian, float(numbers.hyperparameters["damping"]))
    damped, shift = bool(damped_rows), float(shift_rows)
    if damped:
        lines.append(
            Line(
                r"\tilde H_k",
                r"H_k + \delta I",
                "",
                hessian + shift * np.eye(2),
                rf"\delta = 2|\lambda_{{\min}}| + \text{{damping}} = {latex_number(shift)}",
            )
        )
    update = numbers.update
    symbol = r"\tilde H_k" if damped else "H_k"
    lines.append(
        Line(
            r"\Delta\theta_k",
            rf"-\gamma\, {symbol}^{{-1}} g_k",
            "",
            update,
            rf"\gamma = {latex_number(numbers.lr)}",
        )
    )
    return lines, update


ANATOMY: dict[str, Callable[[StepNumbers], tuple[list[Line], np.ndarray]]] = {
    "sgd": _sgd,
    "adam": lambda numbers: _adam_family(numbers, decoupled=False),
    "adamw": lambda numbers: _adam_family(numbers, decoupled=True),
    "rmsprop": _rmsprop,
    "adagrad": _adagrad,
    "adadelta": _adadelta,
    "nadam": _nadam,
    "newton": _newton,
}
"""Optimizer name -> (lines of its rule with step k's numbers, the update those lines give)."""


def anatomy_lines(run: core.Run, k: int) -> tuple[list[Line], np.ndarray]:
    """Every line of step k: θ_k and g_k, the rule's intermediate values, Δθ_k and θ_{k+1}.

    Returns (lines, the update recomputed from the lines' numbers); that update matches
    run.updates[k] (the tests hold every optimizer to it).
    """
    numbers = step_numbers(run, k)
    rule_lines, update = ANATOMY[run.optimizer.name](numbers)
    lines = _gradient_lines(numbers, run.noise > 0) + rule_lines + _closing_lines(numbers)
    return lines, update


# ----- the per-step table ---------------------------------------------------------------------
TABLE_COLUMNS = (
    "step",
    "x",
    "y",
    "f",
    "grad_x",
    "grad_y",
    "grad_norm",
    "lr",
    "update_x",
    "update_y",
)


def step_table(run: core.Run):
    """One row per recorded point of a single-path run (a pandas DataFrame).

    Row k holds θ_k, f(θ_k), ∇f(θ_k) and its norm, and the learning rate and update of step k
    (empty on the last row, which no update left).
    """
    import pandas as pd

    count = len(run.points)
    gradients = run.gradients[:count]
    updates = _padded(run.updates, count)
    return pd.DataFrame(
        {
            "step": np.arange(count),
            "x": run.points[:, 0],
            "y": run.points[:, 1],
            "f": run.values,
            "grad_x": gradients[:, 0],
            "grad_y": gradients[:, 1],
            "grad_norm": np.linalg.norm(gradients, axis=-1),
            "lr": _padded(run.learning_rates[:, None], count)[:, 0],
            "update_x": updates[:, 0],
            "update_y": updates[:, 1],
        },
        columns=list(TABLE_COLUMNS),
    )


def _padded(rows: np.ndarray, count: int) -> np.ndarray:
    """rows (K, c) extended with NaN rows to (count, c)."""
    padding = np.full((count - len(rows), rows.shape[1]), np.nan)
    return np.concatenate([rows.reshape(len(rows), -1), padding])
