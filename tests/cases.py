"""One table of optimizer configurations drives the optimizer tests.

Each case names an optlib factory, its kwargs, and the torch.optim class
and kwargs that must produce the same trajectory (torch is the oracle).
``STATE`` maps optlib's state fields to torch's state keys, so the tests
compare the internal state as well as the parameters.
"""
import dataclasses

import torch

import optlib


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    kwargs: dict
    desc: str

    @property
    def id(self):
        return f"{self.name}-{self.desc}"

    def optlib(self, **extra):
        return getattr(optlib, self.name)(**{**self.kwargs, **extra})

    def torch(self, params, **extra):
        kw = {**self.kwargs, **extra}
        if kw.get("eps_root"):
            raise ValueError(f"{self.id}: torch has no eps_root; test it in test_frameworks.py")
        kw.pop("eps_root", None)
        if "beta1" in kw or "beta2" in kw or self.name in ("adam", "adamw", "adamax", "nadam"):
            defaults = getattr(optlib, self.name)().hyperparams
            kw["betas"] = (kw.pop("beta1", defaults["beta1"]), kw.pop("beta2", defaults["beta2"]))
        if self.name == "sgd":
            kw.setdefault("lr", 1e-3)  # torch's SGD default is also 1e-3
        return TORCH[self.name](params, foreach=False, **kw)

    @property
    def has_eps(self):
        return "eps" in optlib.OPTIMIZERS[self.name]().hyperparams


TORCH = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adadelta": torch.optim.Adadelta,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "adamax": torch.optim.Adamax,
    "nadam": torch.optim.NAdam,
}

# optlib state field -> torch state key
STATE = {
    "sgd": {"b": "momentum_buffer"},
    "adagrad": {"s": "sum"},
    "rmsprop": {"v": "square_avg", "g_avg": "grad_avg", "b": "momentum_buffer"},
    "adadelta": {"v": "square_avg", "u": "acc_delta"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq", "v_max": "max_exp_avg_sq"},
    "adamw": {"m": "exp_avg", "v": "exp_avg_sq", "v_max": "max_exp_avg_sq"},
    "adamax": {"m": "exp_avg", "u": "exp_inf"},
    "nadam": {"m": "exp_avg", "v": "exp_avg_sq", "mu_product": "mu_product"},
}

CASES = [
    Case("sgd", {}, "defaults"),
    Case("sgd", {"lr": 0.1}, "lr"),
    Case("sgd", {"lr": 0.05, "momentum": 0.9}, "momentum"),
    Case("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, "nesterov"),
    Case("sgd", {"lr": 0.1, "weight_decay": 0.3}, "weight_decay"),
    Case("sgd", {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}, "nesterov-wd"),
    Case("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.9}, "ema-momentum"),
    Case("sgd", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1, "maximize": True}, "dampening-wd-maximize"),
    Case("sgd", {"lr": torch.tensor(0.1, dtype=torch.float64), "momentum": 0.5}, "tensor-lr"),
    Case("adagrad", {}, "defaults"),
    Case("adagrad", {"lr": 0.1, "weight_decay": 0.2}, "weight_decay"),
    Case("adagrad", {"lr": 0.1, "lr_decay": 0.5, "initial_accumulator_value": 0.1}, "lr_decay-initial"),
    Case("adagrad", {"lr": torch.tensor(0.05, dtype=torch.float64), "weight_decay": 0.1, "maximize": True}, "tensor-lr-maximize"),
    Case("rmsprop", {}, "defaults"),
    Case("rmsprop", {"lr": 0.05, "alpha": 0.5}, "lr-alpha"),
    Case("rmsprop", {"centered": True}, "centered"),
    Case("rmsprop", {"momentum": 0.9}, "momentum"),
    Case("rmsprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.1}, "centered-momentum-wd"),
    Case("rmsprop", {"centered": True, "momentum": 0.5, "maximize": True}, "centered-momentum-maximize"),
    Case("adadelta", {}, "defaults"),
    Case("adadelta", {"lr": 0.5, "rho": 0.5, "weight_decay": 0.1}, "lr-rho-wd"),
    Case("adadelta", {"weight_decay": 0.1, "maximize": True}, "wd-maximize"),
    Case("adam", {}, "defaults"),
    Case("adam", {"lr": 0.01, "beta1": 0.5, "beta2": 0.9}, "betas"),
    Case("adam", {"amsgrad": True}, "amsgrad"),
    Case("adam", {"weight_decay": 0.1}, "weight_decay"),
    Case("adam", {"amsgrad": True, "weight_decay": 0.1, "beta2": 0.9}, "amsgrad-wd"),
    Case("adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}, "decoupled"),
    Case("adam", {"amsgrad": True, "weight_decay": 0.1, "maximize": True}, "amsgrad-wd-maximize"),
    Case("adamw", {}, "defaults"),
    Case("adamw", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "beta1": 0.5, "beta2": 0.9}, "amsgrad-betas-wd"),
    Case("adamw", {"lr": 0.01, "maximize": True}, "maximize"),
    Case("adamax", {}, "defaults"),
    Case("adamax", {"lr": 0.01, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.1}, "betas-wd"),
    Case("adamax", {"weight_decay": 0.1, "maximize": True}, "wd-maximize"),
    Case("nadam", {}, "defaults"),
    Case("nadam", {"lr": 0.01, "beta1": 0.5, "beta2": 0.9, "momentum_decay": 0.1, "weight_decay": 0.1}, "betas-psi-wd"),
    Case("nadam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}, "decoupled-maximize"),
]

# Options torch.optim does not have, checked against other frameworks and
# published runs in test_frameworks.py instead.
NOT_IN_TORCH = {"eps_root"}

# Every optimizer and every torch option must appear in the table above.
OPTIONS = {
    name: set(factory().hyperparams) - NOT_IN_TORCH for name, factory in optlib.OPTIMIZERS.items()
}
