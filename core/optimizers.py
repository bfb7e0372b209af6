"""Optimizers with torch.optim's names, hyperparameters, defaults and update rules.

Each optimizer is a pair of functions, as in optax: `init(theta) -> state` and
`step(state, g, theta, t, lr) -> (update, new_state)`, with θ_next = θ + update. t = 1, 2, ... is
the step count; lr is the learning rate of this step (a schedule may change it). States are tuples
of arrays (or floats) shaped like θ, named by `state_names` for display.

A step consumes its state, as torch.optim's in-place updates do: when the state holds arrays, the
new state may reuse their memory, so a caller that still needs the old state passes a copy
(`copy_state`). Floats are immutable, so a single path is unaffected. Steps never write to g or θ.

Every rule but Newton's is element-wise, so one function serves a single path (called once per
coordinate on Python floats), a batch of N points ((N,) arrays), and a network's flat weight vector.
Newton's step needs the Hessian and works on the last axis of size 2.

The rules, in the notation of torch.optim's documentation (g the gradient, γ the learning rate,
λ the weight decay), are in each step function's docstring.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.elementwise import divide_into, maximum, sqrt, square

State = tuple
StepFunction = Callable[..., tuple[Any, State]]


@dataclass(frozen=True)
class HyperparameterSpec:
    """One hyperparameter: its torch name, default, the range a control offers, and help text."""

    name: str
    default: Any
    minimum: float = 0.0
    maximum: float = 1.0
    help: str = ""
    kind: str = "float"  # "float", "bool" or "pair" (betas)
    log_scale: bool = False


@dataclass(frozen=True)
class StabilityRule:
    """Where a rule's step stops being stable on a quadratic f(θ) = ½θᵀHθ, the local model of a
    surface at a point.

    `edge(hyperparameters, eigenvalues)` is the largest constant learning rate at which the
    linearised iteration still contracts, for H with the given ascending eigenvalues (inf when
    no direction limits it, e.g. H has no positive eigenvalue); `formula(hyperparameters)` names
    that rate in plain text ("2(1+μ)/λmax"). Above the edge the component along the steepest
    direction grows geometrically: the overshooting that ends in divergence.
    """

    edge: Callable[[Mapping[str, Any], np.ndarray], float]
    formula: Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class OptimizerRule:
    """A registry entry: how to build the state and the step for given hyperparameters."""

    name: str
    title: str
    hyperparameters: tuple[HyperparameterSpec, ...]
    state_names: Callable[[Mapping[str, Any]], tuple[str, ...]]
    make_init: Callable[[Mapping[str, Any]], Callable[[Any], State]]
    make_step: Callable[[Mapping[str, Any]], StepFunction]
    validate: Callable[[Mapping[str, Any]], None]
    summary: str
    elementwise: bool = True
    state_scales: Callable[[Mapping[str, Any]], tuple[float, ...]] | None = None
    """Factors that turn the state a step keeps into the state torch.optim documents, one per
    state name (a rule may keep its state scaled when that saves work; None: all 1)."""
    stability: StabilityRule | None = None
    """The stability edge of the rule's step on a quadratic; None for the adaptive rules, whose
    step length depends on their gradient history rather than on the rate and the curvature."""

    @property
    def defaults(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.hyperparameters}


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An optimizer with its hyperparameters fixed: `init` builds a state, `step` consumes one."""

    rule: OptimizerRule
    hyperparameters: Mapping[str, Any]
    init: Callable[[Any], State] = field(repr=False)
    step: StepFunction = field(repr=False)

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def lr(self) -> float:
        return float(self.hyperparameters["lr"])

    def stability_edge(self, eigenvalues: np.ndarray) -> float | None:
        """The largest stable constant rate on a quadratic with these ascending Hessian
        eigenvalues (inf when nothing limits it); None when the rule has no fixed edge."""
        if self.rule.stability is None:
            return None
        return float(self.rule.stability.edge(self.hyperparameters, np.asarray(eigenvalues)))

    def stability_formula(self) -> str | None:
        """The edge's formula in plain text, e.g. "2(1+μ)/λmax"; None without a fixed edge."""
        if self.rule.stability is None:
            return None
        return self.rule.stability.formula(self.hyperparameters)

    @property
    def state_names(self) -> tuple[str, ...]:
        return self.rule.state_names(self.hyperparameters)

    @property
    def elementwise(self) -> bool:
        return self.rule.elementwise

    @property
    def state_scales(self) -> tuple[float, ...]:
        """state_names[i] = state_scales[i] x the state's entry i (see OptimizerRule)."""
        if self.rule.state_scales is None:
            return (1.0,) * len(self.state_names)
        return self.rule.state_scales(self.hyperparameters)

    def label(self) -> str:
        """'adam (lr 0.01)': a legend entry."""
        return f"{self.name} (lr {self.lr:.3g})"

    def with_lr(self, lr: float) -> Optimizer:
        return optimizer(self.name, **{**self.hyperparameters, "lr": lr})


# ----- validation helpers ---------------------------------------------------------------------
def _require(condition: bool, name: str, value: Any, expectation: str) -> None:
    if not condition:
        raise ValueError(f"Invalid {name}: {value!r} ({expectation})")


def _finite_at_least(hp: Mapping[str, Any], name: str, lower: float = 0.0) -> None:
    value = hp[name]
    _require(
        isinstance(value, int | float) and math.isfinite(value) and value >= lower,
        name,
        value,
        f"must be a finite number >= {lower:g}",
    )


def _in_unit_interval(hp: Mapping[str, Any], name: str, value: Any, closed: bool = False) -> None:
    upper_ok = value <= 1.0 if closed else value < 1.0
    _require(
        isinstance(value, int | float) and value >= 0.0 and upper_ok,
        name,
        value,
        "must be in [0, 1]" if closed else "must be in [0, 1)",
    )


def _betas(hp: Mapping[str, Any]) -> tuple[float, float]:
    betas = hp["betas"]
    _require(isinstance(betas, tuple | list) and len(betas) == 2, "betas", betas, "must be a pair")
    for index, beta in enumerate(betas):
        _in_unit_interval(hp, f"beta parameter at index {index}", beta)
    return float(betas[0]), float(betas[1])


def _common(hp: Mapping[str, Any], *names: str) -> None:
    for name in ("lr", "weight_decay", *names):
        _finite_at_least(hp, name)


# ----- SGD ------------------------------------------------------------------------------------
def _sgd_validate(hp: Mapping[str, Any]) -> None:
    _common(hp, "momentum", "dampening")
    if hp["nesterov"] and (hp["momentum"] <= 0 or hp["dampening"] != 0):
        raise ValueError(
            "Invalid nesterov: Nesterov momentum requires a momentum > 0 and zero dampening"
        )


def _sgd_step(hp: Mapping[str, Any]) -> StepFunction:
    momentum, dampening = _number_or_rows(hp["momentum"]), float(hp["dampening"])
    nesterov, weight_decay = bool(hp["nesterov"]), float(hp["weight_decay"])
    # Per-start rows always keep a buffer, even when every row left is 0: the recorded state
    # then stays that of the rows' own optimizers, whichever rows are still running.
    rows = isinstance(momentum, np.ndarray)
    plain = not rows and momentum == 0.0

    def step(state, g, theta, t, lr):
        """g ← g + λθ;  b ← g (t = 1) or μb + (1−τ)g;  g ← g + μb (Nesterov) or b;  Δθ = −γg.

        With μ = 0 torch keeps no buffer and steps along g; a per-start row with μ = 0 does too.
        """
        if weight_decay:
            g = g + weight_decay * theta
        if plain:
            return -lr * g, state
        buffer = g if t == 1 else momentum * state[0] + (1.0 - dampening) * g
        direction = g + momentum * buffer if nesterov else buffer
        if rows and dampening:
            direction = np.where(momentum == 0.0, g, direction)
        return -lr * direction, (buffer,)

    return step


def _sgd_edge(hp: Mapping[str, Any], eigenvalues: np.ndarray) -> float:
    """The largest stable rate of SGD on a quadratic, from the Jury criterion of its iteration.

    With weight decay w the gradient is (H + wI)θ, so every eigenvalue is shifted: h = λmax + w,
    and the steepest direction binds (each edge below falls as h grows). Along an eigenvector of
    curvature h, write a = γh, c = 1 − τ (dampening τ) and u = γb for the momentum buffer b:

    - plain descent (μ = 0): θ ← (1 − a)θ, stable for |1 − a| < 1, i.e. γ < 2/h;
    - heavy ball: u ← μu + caθ, θ ← θ − u, whose characteristic polynomial is
      z² − (1 + μ − ca)z + μ. Its roots lie in the unit disc (|μ| < 1) iff
      1 + (1 + μ − ca) + μ > 0 and ca > 0, i.e. γ < 2(1 + μ)/((1 − τ)h);
    - Nesterov: θ ← θ − a·θ − μu′ with u′ = μu + caθ, so z² − (1 + μ − a(1 + μc))z + μ(1 − a).
      The binding condition is the root z = −1: 2(1 + μ) − a(1 + μ + μc) > 0, so
      γ < 2(1 + μ)/((1 + μ + μ(1 − τ))h) = 2(1 + μ)/((1 + 2μ)h) at τ = 0 (torch's only case).

    A first step with b = g (torch starts the buffer undamped) changes the transient, not the
    edge. Where h ≤ 0 nothing curves up and no rate is limited (inf); with τ = 1 the buffer
    never takes a new gradient after the first step, so no rate diverges either.
    """
    curvature = float(eigenvalues[-1]) + float(hp["weight_decay"])
    momentum, damped_share = float(hp["momentum"]), 1.0 - float(hp["dampening"])
    if not curvature > 0:
        return math.inf
    if momentum == 0.0:
        return 2.0 / curvature
    if hp["nesterov"]:
        return 2.0 * (1.0 + momentum) / ((1.0 + momentum + momentum * damped_share) * curvature)
    if damped_share == 0.0:
        return math.inf
    return 2.0 * (1.0 + momentum) / (damped_share * curvature)


def _sgd_edge_formula(hp: Mapping[str, Any]) -> str:
    curvature = "(λmax + wd)" if hp["weight_decay"] else "λmax"
    momentum, dampening = float(hp["momentum"]), float(hp["dampening"])
    if momentum == 0.0:
        return f"2/{curvature}"
    if hp["nesterov"]:
        return f"2(1+μ)/((1+2μ){curvature})"
    if dampening:
        return f"2(1+μ)/((1−τ){curvature})"
    return f"2(1+μ)/{curvature}"


_SGD_STABILITY = StabilityRule(_sgd_edge, _sgd_edge_formula)


# ----- Adam and AdamW -------------------------------------------------------------------------
def _adam_validate(hp: Mapping[str, Any]) -> None:
    _common(hp, "eps")
    _betas(hp)


def _adam_names(hp: Mapping[str, Any]) -> tuple[str, ...]:
    names = ("exp_avg", "exp_avg_sq")
    return (*names, "max_exp_avg_sq") if hp["amsgrad"] else names


def _adam_scales(hp: Mapping[str, Any]) -> tuple[float, ...]:
    """m = −(1−β1)·m̃, v = (1−β2)·ṽ, and the running maximum of v likewise."""
    beta1, beta2 = _betas(hp)
    return (-(1.0 - beta1), 1.0 - beta2, 1.0 - beta2)[: len(_adam_names(hp))]


def _make_adam_step(decoupled: bool) -> Callable[[Mapping[str, Any]], StepFunction]:
    def make(hp: Mapping[str, Any]) -> StepFunction:
        beta1, beta2 = _betas(hp)
        eps, weight_decay, amsgrad = float(hp["eps"]), float(hp["weight_decay"]), hp["amsgrad"]

        def step(state, g, theta, t, lr):
            """m ← β1m + (1−β1)g;  v ← β2v + (1−β2)g²;  Δθ = −(γ/bc1)·m/(√v/√bc2 + ε).

            Adam adds λθ to g first; AdamW shrinks θ by γλθ (decoupled) instead. amsgrad uses the
            running maximum of v. bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ.

            The state keeps m̃ = −m/(1−β1) and ṽ = v/(1−β2) (`_adam_scales` undoes it), updated
            in place: m̃ ← β1m̃ − g, ṽ ← β2ṽ + g², and Δθ = (c/a)·m̃/(√ṽ + ε/a) with
            c = γ(1−β1)/bc1 and a = √((1−β2)/bc2). A batch of 40,000 starts then makes three
            passes per coordinate less than in torch's form and allocates two arrays, not seven.
            """
            decay = None
            if weight_decay:
                if decoupled:
                    decay = -lr * weight_decay * theta
                else:
                    g = g + weight_decay * theta
            exp_avg, exp_avg_sq = state[0], state[1]
            exp_avg *= beta1
            exp_avg -= g
            exp_avg_sq *= beta2
            exp_avg_sq += square(g)
            second = exp_avg_sq
            if amsgrad:
                second = maximum(state[2], exp_avg_sq)
            rate = lr * (1.0 - beta1) / (1.0 - beta1**t)
            root = math.sqrt((1.0 - beta2) / (1.0 - beta2**t))
            denominator = sqrt(second)
            denominator += eps / root
            update = divide_into(exp_avg, denominator)
            update *= rate / root
            if decay is not None:
                update += decay
            new_state = (exp_avg, exp_avg_sq, second) if amsgrad else (exp_avg, exp_avg_sq)
            return update, new_state

        return step

    return make


# ----- RMSprop --------------------------------------------------------------------------------
def _rmsprop_validate(hp: Mapping[str, Any]) -> None:
    _common(hp, "eps", "momentum", "alpha")


def _rmsprop_names(hp: Mapping[str, Any]) -> tuple[str, ...]:
    names = ("square_avg",)
    if hp["centered"]:
        names += ("grad_avg",)
    if hp["momentum"] > 0:
        names += ("momentum_buffer",)
    return names


def _rmsprop_step(hp: Mapping[str, Any]) -> StepFunction:
    alpha, eps = float(hp["alpha"]), float(hp["eps"])
    momentum, centered = _number_or_rows(hp["momentum"]), bool(hp["centered"])
    weight_decay = float(hp["weight_decay"])
    uses_momentum = bool(np.any(momentum > 0))

    def step(state, g, theta, t, lr):
        """v ← αv + (1−α)g²;  avg = √(v − ḡ²) + ε (centered, ḡ ← αḡ + (1−α)g) or √v + ε;
        with momentum μ: b ← μb + g/avg, Δθ = −γb;  else Δθ = −γ g/avg."""
        if weight_decay:
            g = g + weight_decay * theta
        square_avg = alpha * state[0] + (1.0 - alpha) * g * g
        new_state = (square_avg,)
        if centered:
            grad_avg = alpha * state[1] + (1.0 - alpha) * g
            average = sqrt(square_avg - grad_avg * grad_avg) + eps
            new_state += (grad_avg,)
        else:
            average = sqrt(square_avg) + eps
        if uses_momentum:
            buffer = momentum * state[-1] + g / average
            return -lr * buffer, (*new_state, buffer)
        return -lr * g / average, new_state

    return step


# ----- Adagrad --------------------------------------------------------------------------------
def _adagrad_validate(hp: Mapping[str, Any]) -> None:
    _common(hp, "eps", "lr_decay", "initial_accumulator_value")


def _adagrad_init(hp: Mapping[str, Any]) -> Callable[[Any], State]:
    initial = float(hp["initial_accumulator_value"])
    return lambda theta: (_filled(theta, initial),)


def _adagrad_step(hp: Mapping[str, Any]) -> StepFunction:
    lr_decay, eps, weight_decay = float(hp["lr_decay"]), float(hp["eps"]), float(hp["weight_decay"])

    def step(state, g, theta, t, lr):
        """clr = γ/(1 + (t−1)·lr_decay);  s ← s + g²;  Δθ = −clr·g/(√s + ε)."""
        if weight_decay:
            g = g + weight_decay * theta
        clr = lr / (1.0 + (t - 1) * lr_decay)
        total = state[0] + g * g
        return -clr * g / (sqrt(total) + eps), (total,)

    return step


# ----- Adadelta -------------------------------------------------------------------------------
def _adadelta_validate(hp: Mapping[str, Any]) -> None:
    _common(hp, "eps")
    _in_unit_interval(hp, "rho", hp["rho"], closed=True)


def _adadelta_step(hp: Mapping[str, Any]) -> StepFunction:
    rho, eps, weight_decay = float(hp["rho"]), float(hp["eps"]), float(hp["weight_decay"])

    def step(state, g, theta, t, lr):
        """v ← ρv + (1−ρ)g²;  Δ = √(u + ε)/√(v + ε)·g;  u ← ρu + (1−ρ)Δ²;  Δθ = −γΔ."""
        if weight_decay:
            g = g + weight_decay * theta
        square_avg = rho * state[0] + (1.0 - rho) * g * g
        delta = sqrt(state[1] + eps) / sqrt(square_avg + eps) * g
        acc_delta = rho * state[1] + (1.0 - rho) * delta * delta
        return -lr * delta, (square_avg, acc_delta)

    return step


# ----- NAdam ----------------------------------------------------------------------------------
def _nadam_validate(hp: Mapping[str, Any]) -> None:
    _common(hp, "eps", "momentum_decay")
    _betas(hp)


def _nadam_init(hp: Mapping[str, Any]) -> Callable[[Any], State]:
    return lambda theta: (_filled(theta, 0.0), _filled(theta, 0.0), _filled(theta, 1.0))


def _nadam_step(hp: Mapping[str, Any]) -> StepFunction:
    beta1, beta2 = _betas(hp)
    eps, weight_decay = float(hp["eps"]), float(hp["weight_decay"])
    psi = float(hp["momentum_decay"])

    def step(state, g, theta, t, lr):
        """μ_t = β1(1 − ½·0.96^{tψ});  Π_t = Π_{t−1}μ_t;  m, v as Adam;
        Δθ = −γ(1−μ_t)/(1−Π_t)·g/d − γμ_{t+1}/(1−Π_tμ_{t+1})·m/d,  d = √(v/(1−β2ᵗ)) + ε."""
        if weight_decay:
            g = g + weight_decay * theta
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state[2] * mu
        exp_avg = beta1 * state[0] + (1.0 - beta1) * g
        exp_avg_sq = beta2 * state[1] + (1.0 - beta2) * g * g
        denominator = sqrt(exp_avg_sq / (1.0 - beta2**t)) + eps
        update = (
            -lr * (1.0 - mu) / (1.0 - mu_product) * g / denominator
            - lr * mu_next / (1.0 - mu_product * mu_next) * exp_avg / denominator
        )
        return update, (exp_avg, exp_avg_sq, mu_product)

    return step


# ----- Newton ---------------------------------------------------------------------------------
def _newton_validate(hp: Mapping[str, Any]) -> None:
    _finite_at_least(hp, "lr")
    _finite_at_least(hp, "damping")


def newton_shift(hessian: np.ndarray, damping: float) -> tuple[np.ndarray, np.ndarray]:
    """Whether Newton damps at a Hessian (..., 2, 2), and the shift δ it adds to the diagonal.

    λmin = (h_xx + h_yy)/2 − √(((h_xx − h_yy)/2)² + h_xy²), the closed form for a symmetric 2 x 2
    matrix (no LinAlgError on nan). Damped where λmin ≤ 0 (or undefined): δ = 2|λmin| + damping,
    else δ = 0.
    """
    hessian = np.asarray(hessian, dtype=np.float64)
    h_xx, h_xy, h_yy = hessian[..., 0, 0], hessian[..., 0, 1], hessian[..., 1, 1]
    smallest = 0.5 * (h_xx + h_yy) - np.hypot(0.5 * (h_xx - h_yy), h_xy)
    damped = ~(smallest > 0)
    return damped, np.where(damped, 2.0 * np.abs(smallest) + damping, 0.0)


def _newton_edge(hp: Mapping[str, Any], eigenvalues: np.ndarray) -> float:
    """The largest stable rate of (damped) Newton on a quadratic with these eigenvalues.

    The step solves with H + δI (δ = 0 where H is positive definite, else 2|λmin| + damping, as
    `newton_shift`), so along an eigenvector of curvature λ: θ ← (1 − γλ/(λ + δ))θ. For λ > 0 this
    contracts iff γ < 2(λ + δ)/λ, which the largest λ binds: exactly 2 for an undamped step.
    Directions with λ ≤ 0 move away from the stationary point at every rate (an escape, not an
    edge), so they set no bound: inf when no eigenvalue is positive.
    """
    largest = float(eigenvalues[-1])
    if not largest > 0:
        return math.inf
    _, shift = newton_shift(_diagonal(eigenvalues), float(hp["damping"]))
    return 2.0 * (largest + float(shift)) / largest


def _diagonal(eigenvalues: np.ndarray) -> np.ndarray:
    return np.diag(np.asarray(eigenvalues, dtype=np.float64))


def _newton_edge_formula(hp: Mapping[str, Any]) -> str:
    return "2(λmax + δ)/λmax"


_NEWTON_STABILITY = StabilityRule(_newton_edge, _newton_edge_formula)


def _newton_step(hp: Mapping[str, Any]) -> StepFunction:
    damping = float(hp["damping"])

    def step(state, g, theta, t, lr, hessian):
        """Δθ = −γ H⁻¹g.  Where H is not positive definite (smallest eigenvalue λmin ≤ 0) the
        damped matrix H + δI with δ = 2|λmin| + damping is used, and the state's `damped` is 1.

        g and θ have shape (..., 2), hessian (..., 2, 2).
        """
        g = np.asarray(g, dtype=np.float64)
        hessian = np.asarray(hessian, dtype=np.float64)
        h_xx, h_xy, h_yy = hessian[..., 0, 0], hessian[..., 0, 1], hessian[..., 1, 1]
        damped, shift = newton_shift(hessian, damping)
        # Closed forms for a symmetric 2 x 2 matrix: no LinAlgError on a singular or non-finite
        # Hessian; a zero determinant gives a non-finite step, which ends the run as diverged.
        a, c = h_xx + shift, h_yy + shift
        determinant = a * c - h_xy * h_xy
        direction = np.stack(
            [
                (c * g[..., 0] - h_xy * g[..., 1]) / determinant,
                (a * g[..., 1] - h_xy * g[..., 0]) / determinant,
            ],
            axis=-1,
        )
        return -lr * direction, (damped.astype(np.float64),)

    return step


# ----- shared helpers -------------------------------------------------------------------------
def copy_state(state: State) -> State:
    """A state that a step may consume while `state` itself stays as it is."""
    return tuple(part.copy() if isinstance(part, np.ndarray) else part for part in state)


def _filled(theta: Any, value: float) -> Any:
    """A state initialised to `value`, shaped like θ (a float stays a float)."""
    if isinstance(theta, np.ndarray):
        return np.full(theta.shape, value, dtype=np.float64)
    return float(value)


def _number_or_rows(value: Any) -> float | np.ndarray:
    """A hyperparameter as a float, or as an array of one value per start (see per_start)."""
    return value if isinstance(value, np.ndarray) else float(value)


def _zeros_init(count: Callable[[Mapping[str, Any]], int]) -> Callable:
    return lambda hp: lambda theta: tuple(_filled(theta, 0.0) for _ in range(count(hp)))


_LR_HELP = (
    "How far each step moves along the (scaled) gradient. Too small crawls; too large overshoots."
)
_WD_HELP = "L2 penalty λ added to the gradient as λθ: pulls the parameters toward zero."
_EPS_HELP = "A small number added to the denominator so it never divides by zero."


def _lr(default: float) -> HyperparameterSpec:
    return HyperparameterSpec("lr", default, 1e-5, 10.0, _LR_HELP, log_scale=True)


def _weight_decay(default: float = 0.0) -> HyperparameterSpec:
    return HyperparameterSpec("weight_decay", default, 0.0, 1.0, _WD_HELP)


def _eps(default: float) -> HyperparameterSpec:
    return HyperparameterSpec("eps", default, 1e-12, 1e-1, _EPS_HELP, log_scale=True)


_BETAS = HyperparameterSpec(
    "betas",
    (0.9, 0.999),
    0.0,
    0.9999,
    "Decay rates of the running averages of the gradient (β1) and of its square (β2). "
    "Keras's Adam uses the same defaults but adds ε before the bias correction.",
    kind="pair",
)
_AMSGRAD = HyperparameterSpec(
    "amsgrad", False, help="Use the running maximum of the squared-gradient average.", kind="bool"
)


def _names(*names: str) -> Callable[[Mapping[str, Any]], tuple[str, ...]]:
    return lambda hp: names


_RULES: tuple[OptimizerRule, ...] = (
    OptimizerRule(
        "sgd",
        "SGD / gradient descent",
        (
            _lr(1e-3),
            HyperparameterSpec(
                "momentum",
                0.0,
                0.0,
                0.999,
                "Heavy-ball momentum μ: the share of "
                "the previous step carried into the next. 0 is plain descent.",
            ),
            HyperparameterSpec(
                "dampening",
                0.0,
                0.0,
                1.0,
                "Scales the new gradient by (1 − τ) inside the momentum buffer.",
            ),
            HyperparameterSpec(
                "nesterov",
                False,
                help="Look ahead: use g + μb instead of b. Needs momentum > 0 and dampening 0.",
                kind="bool",
            ),
            _weight_decay(),
        ),
        lambda hp: ("momentum_buffer",) if hp["momentum"] else (),
        _zeros_init(lambda hp: 1 if hp["momentum"] else 0),
        _sgd_step,
        _sgd_validate,
        "θ ← θ − γ·g, optionally with heavy-ball or Nesterov momentum. Keras keeps γ inside the "
        "velocity (v = μv − γg): the same path at a constant rate, a different one under a "
        "schedule.",
        stability=_SGD_STABILITY,
    ),
    OptimizerRule(
        "adam",
        "Adam",
        (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(), _AMSGRAD),
        _adam_names,
        _zeros_init(lambda hp: len(_adam_names(hp))),
        _make_adam_step(decoupled=False),
        _adam_validate,
        "Momentum on the gradient and a per-coordinate step size from the running mean of g², "
        "both bias-corrected: the first step moves every coordinate by about γ.",
        state_scales=_adam_scales,
    ),
    OptimizerRule(
        "adamw",
        "AdamW",
        (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(1e-2), _AMSGRAD),
        _adam_names,
        _zeros_init(lambda hp: len(_adam_names(hp))),
        _make_adam_step(decoupled=True),
        _adam_validate,
        "Adam with decoupled weight decay: θ shrinks by γλθ each step instead of λθ joining g.",
        state_scales=_adam_scales,
    ),
    OptimizerRule(
        "rmsprop",
        "RMSprop",
        (
            _lr(1e-2),
            HyperparameterSpec(
                "alpha",
                0.99,
                0.0,
                0.999,
                "Decay of the running mean of g². Keras calls it rho and defaults to 0.9.",
            ),
            _eps(1e-8),
            _weight_decay(),
            HyperparameterSpec("momentum", 0.0, 0.0, 0.999, "Momentum on the scaled step."),
            HyperparameterSpec(
                "centered",
                False,
                help="Divide by the variance of g instead of its raw second moment.",
                kind="bool",
            ),
        ),
        _rmsprop_names,
        _zeros_init(lambda hp: len(_rmsprop_names(hp))),
        _rmsprop_step,
        _rmsprop_validate,
        "Divides each coordinate's gradient by the root of its running mean square. No bias "
        "correction: the first step is about 10γ at α = 0.99.",
    ),
    OptimizerRule(
        "adagrad",
        "Adagrad",
        (
            _lr(1e-2),
            HyperparameterSpec("lr_decay", 0.0, 0.0, 1.0, "Shrinks γ as 1/(1 + (t−1)·lr_decay)."),
            _weight_decay(),
            HyperparameterSpec(
                "initial_accumulator_value",
                0.0,
                0.0,
                10.0,
                "Starting value of the sum of squared gradients.",
            ),
            _eps(1e-10),
        ),
        _names("sum"),
        _adagrad_init,
        _adagrad_step,
        _adagrad_validate,
        "Divides by the root of the sum of all past g²: steps shrink for ever.",
    ),
    OptimizerRule(
        "adadelta",
        "Adadelta",
        (
            HyperparameterSpec("lr", 1.0, 1e-5, 10.0, _LR_HELP, log_scale=True),
            HyperparameterSpec("rho", 0.9, 0.0, 1.0, "Decay of the running means of g² and Δ²."),
            _eps(1e-6),
            _weight_decay(),
        ),
        _names("square_avg", "acc_delta"),
        _zeros_init(lambda hp: 2),
        _adadelta_step,
        _adadelta_validate,
        "Step size from the ratio of past update size to past gradient size. It starts very "
        "slowly: the first step is about 3e-3 per coordinate whatever the gradient.",
    ),
    OptimizerRule(
        "nadam",
        "NAdam",
        (
            _lr(2e-3),
            _BETAS,
            _eps(1e-8),
            _weight_decay(),
            HyperparameterSpec(
                "momentum_decay",
                4e-3,
                0.0,
                0.1,
                "ψ in the momentum schedule μ_t = β1(1 − ½·0.96^{tψ}).",
            ),
        ),
        _names("exp_avg", "exp_avg_sq", "mu_product"),
        _nadam_init,
        _nadam_step,
        _nadam_validate,
        "Adam with Nesterov's look-ahead on the first moment.",
    ),
    OptimizerRule(
        "newton",
        "Newton's method",
        (
            HyperparameterSpec(
                "lr", 1.0, 1e-5, 10.0, "Fraction of the full Newton step taken.", log_scale=True
            ),
            HyperparameterSpec(
                "damping",
                1e-3,
                0.0,
                10.0,
                "Added to the shift 2|λmin| where the Hessian is not positive definite.",
                log_scale=False,
            ),
        ),
        _names("damped"),
        _zeros_init(lambda hp: 1),
        _newton_step,
        _newton_validate,
        "θ ← θ − γH⁻¹g: second order, not in torch.optim. Pure Newton heads for any stationary "
        "point, saddles included; where H is not positive definite it takes a damped step.",
        elementwise=False,
        stability=_NEWTON_STABILITY,
    ),
)

OPTIMIZERS: dict[str, OptimizerRule] = {rule.name: rule for rule in _RULES}


def optimizer_names() -> list[str]:
    """Every optimizer name, in registry order."""
    return list(OPTIMIZERS)


def optimizer(name: str, **hyperparameters: Any) -> Optimizer:
    """The optimizer `name` with torch.optim's defaults, overridden by `hyperparameters`.

    Raises ValueError naming the parameter for an unknown one or an invalid value.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    rule = OPTIMIZERS[name]
    unknown = set(hyperparameters) - set(rule.defaults)
    if unknown:
        raise ValueError(
            f"{name} has no hyperparameter {', '.join(sorted(unknown))}; "
            f"it has {', '.join(rule.defaults)}"
        )
    merged = {**rule.defaults, **hyperparameters}
    if "betas" in merged:
        merged["betas"] = tuple(merged["betas"])
    rule.validate(merged)
    return Optimizer(rule, merged, rule.make_init(merged), rule.make_step(merged))


# ----- hyperparameters that differ per start ----------------------------------------------------
PER_START_NAMES = ("lr", "momentum")
"""The hyperparameters `per_start` can vary: lr for every rule, momentum for sgd and rmsprop."""


def per_start(optimizer: Optimizer, **values: Any) -> Optimizer:
    """`optimizer` with some hyperparameters set per start of a batch of N starts.

    values[name] has shape (N,); "lr" may also be (N, steps), a rate per start and update (a
    schedule evaluated per start). The per-start arrays ride at the end of the optimizer state:
    descend's batch loop drops the rows of stopped starts from every state array, so they stay
    aligned with the starts still running, and descend itself needs no change. The step uses the
    rate γ·lr_i (γ is descend's rate: 1 unless a schedule is given) and rebuilds the rule's step
    with the rows' momentum μ_i, so row i follows exactly optimizer(name, lr=lr_i, momentum=μ_i).
    `init` must receive the whole batch: (N,) per coordinate, or (N, 2) for Newton.
    """
    rule, names = optimizer.rule, tuple(values)
    rows = {name: _checked_rows(optimizer, name, value) for name, value in values.items()}
    fixed = {**optimizer.hyperparameters, **{n: float(np.max(v)) for n, v in rows.items()}}
    if "lr" in rows:
        fixed["lr"] = 1.0
    inner_init, inner_step = rule.make_init(fixed), rule.make_step(fixed)
    count = len(names)

    def init(theta):
        return (*inner_init(theta), *(rows[name].copy() for name in names))

    def step(state, g, theta, t, lr, *extra):
        row = dict(zip(names, state[-count:], strict=True))
        row_lr = row.pop("lr", None)
        step_function = rule.make_step({**fixed, **row}) if row else inner_step
        rate = lr if row_lr is None else lr * (row_lr[:, t - 1] if row_lr.ndim == 2 else row_lr)
        if not rule.elementwise and isinstance(rate, np.ndarray):
            rate = rate[:, None]
        update, inner_state = step_function(state[:-count], g, theta, t, rate, *extra)
        return update, (*inner_state, *state[-count:])

    return Optimizer(rule, fixed, init, step)


def _checked_rows(optimizer: Optimizer, name: str, value: Any) -> np.ndarray:
    """value as a float64 array, every entry checked by the rule's own validation."""
    rule = optimizer.rule
    if name not in PER_START_NAMES or name not in rule.defaults:
        raise ValueError(
            f"{rule.name} cannot vary {name!r} per start; it can vary "
            f"{', '.join(n for n in PER_START_NAMES if n in rule.defaults)}"
        )
    rows = np.asarray(value, dtype=np.float64)
    if rows.ndim not in ((1, 2) if name == "lr" else (1,)) or rows.size == 0:
        raise ValueError(f"Invalid {name}: per-start values must have shape (N,), not {rows.shape}")
    if not np.isfinite(rows).all():
        raise ValueError(f"Invalid {name}: per-start values must be finite")
    for number in (rows.min(), rows.max()):  # every rule's check on these is a range
        rule.validate({**optimizer.hyperparameters, name: float(number)})
    return rows
