"""Multinomial logistic regression in numpy, over sparse hashed + dense features.
Why and how: docs/design/brain.md."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jamono.brain.features import FeatureMatrix


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class LinearHead:
    """Learned weights of one softmax head (what gets saved in the artifact)."""

    w_sparse: np.ndarray  # (n_buckets, K)
    w_dense: np.ndarray  # (d, K)
    bias: np.ndarray  # (K,)
    temperature: float = 1.0

    @property
    def n_classes(self) -> int:
        return int(self.bias.shape[0])

    def logits(self, x: FeatureMatrix) -> np.ndarray:
        """Raw scores (n, K)."""
        return _forward(x, self.w_sparse, self.w_dense, self.bias)

    def predict_proba(self, x: FeatureMatrix) -> np.ndarray:
        """Temperature-calibrated class probabilities (n, K)."""
        return softmax(self.logits(x) / self.temperature)


def _forward(x: FeatureMatrix, w_sparse: np.ndarray, w_dense: np.ndarray, bias: np.ndarray) -> np.ndarray:
    k = bias.shape[0]
    z = np.empty((x.n, k), dtype=np.float64)
    gathered = w_sparse[x.indices] * x.values[:, None]
    for c in range(k):
        z[:, c] = np.bincount(x.rows, weights=gathered[:, c], minlength=x.n)
    if w_dense.shape[0]:
        z += x.dense @ w_dense
    z += bias
    return z


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (stored with the model for reproducibility)."""

    l2: float = 1e-3
    max_iter: int = 600
    tol: float = 1e-6
    balanced: bool = True


class _SparseOps:
    """Fast products with a CSR matrix using only numpy: gathers per class and
    `reduceat` over row segments (2-D fancy indexing is ~5x slower)."""

    def __init__(self, x: FeatureMatrix, columns: np.ndarray, n_columns: int) -> None:
        self.n = x.n
        self.columns = columns.astype(np.intp)
        self.values = x.values
        self.rows = x.rows.astype(np.intp)
        self.n_columns = n_columns
        lengths = np.diff(x.indptr)
        self.nonempty = np.flatnonzero(lengths > 0)
        self.starts = x.indptr[:-1][self.nonempty]

    def matvec(self, w: np.ndarray) -> np.ndarray:
        """X·w for one weight column w of length n_columns."""
        out = np.zeros(self.n)
        if self.starts.size:
            out[self.nonempty] = np.add.reduceat(self.values * w[self.columns], self.starts)
        return out

    def rmatvec(self, g: np.ndarray) -> np.ndarray:
        """Xᵀ·g for one per-row vector g."""
        return np.bincount(self.columns, weights=self.values * g[self.rows], minlength=self.n_columns)


def fit_softmax(
    x: FeatureMatrix,
    y: np.ndarray,
    n_classes: int,
    config: TrainConfig = TrainConfig(),
    sample_weight: np.ndarray | None = None,
) -> LinearHead:
    """Fit an L2-regularised multinomial logistic regression deterministically.

    Only the hash buckets that occur in `x` are optimised (the others would
    stay exactly zero under L2 anyway), which keeps each iteration cheap.
    """
    y = np.asarray(y, dtype=np.int64)
    n, k = x.n, n_classes
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if config.balanced:
        counts = np.bincount(y, minlength=k).astype(np.float64)
        per_class = np.where(counts > 0, n / (k * np.maximum(counts, 1.0)), 0.0)
        weights = weights * per_class[y]
    weights = weights / weights.sum()

    used, local = np.unique(x.indices, return_inverse=True)
    m, d = used.shape[0], x.dense.shape[1]
    ops = _SparseOps(x, local, m)
    dense = x.dense
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    size_s, size_d = k * m, d * k

    def logits(theta: np.ndarray) -> np.ndarray:
        ws = theta[:size_s].reshape(k, m)
        z = np.empty((n, k))
        for c in range(k):
            z[:, c] = ops.matvec(ws[c])
        z += dense @ theta[size_s : size_s + size_d].reshape(d, k) + theta[size_s + size_d :]
        return z

    def grad(theta: np.ndarray) -> np.ndarray:
        g = (softmax(logits(theta)) - onehot) * weights[:, None]
        out = np.empty_like(theta)
        for c in range(k):
            out[c * m : (c + 1) * m] = ops.rmatvec(np.ascontiguousarray(g[:, c]))
        out[size_s : size_s + size_d] = (dense.T @ g).ravel()
        out[size_s + size_d :] = g.sum(axis=0)
        out[: size_s + size_d] += config.l2 * theta[: size_s + size_d]
        return out

    step = 1.0 / _lipschitz(ops, dense, weights, config.l2)
    theta = np.zeros(size_s + size_d + k)
    momentum_point = theta.copy()
    t = 1.0
    for _ in range(config.max_iter):
        g = grad(momentum_point)
        new_theta = momentum_point - step * g
        if float(np.max(np.abs(g))) < config.tol:
            theta = new_theta
            break
        # Adaptive restart: drop momentum when it points uphill.
        if float(np.einsum("i,i->", g, new_theta - theta)) > 0.0:
            t = 1.0
            momentum_point = theta.copy()
            continue
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        momentum_point = new_theta + ((t - 1.0) / t_next) * (new_theta - theta)
        theta, t = new_theta, t_next

    w_sparse = np.zeros((x.n_buckets, k))
    w_sparse[used] = theta[:size_s].reshape(k, m).T
    return LinearHead(
        w_sparse=w_sparse,
        w_dense=theta[size_s : size_s + size_d].reshape(d, k).copy(),
        bias=theta[size_s + size_d :].copy(),
    )


def _lipschitz(ops: _SparseOps, dense: np.ndarray, weights: np.ndarray, l2: float, iters: int = 40) -> float:
    """Upper bound on the loss curvature: 0.5·λmax(Xᵀ diag(w) X) + l2 (bias included)."""
    m, d = ops.n_columns, dense.shape[1]
    scale = 1.0 / np.sqrt(m + d + 1)
    v_s, v_d, v_b = np.full(m, scale), np.full(d, scale), scale
    lam = 1.0
    for _ in range(iters):
        wxv = weights * (ops.matvec(v_s) + dense @ v_d + v_b)
        v_s, v_d, v_b = ops.rmatvec(wxv), dense.T @ wxv, float(wxv.sum())
        lam = float(np.sqrt(np.einsum("i,i->", v_s, v_s) + np.einsum("i,i->", v_d, v_d) + v_b * v_b))
        if lam == 0.0:
            return 1.0 + l2
        v_s, v_d, v_b = v_s / lam, v_d / lam, v_b / lam
    return 0.5 * lam * 1.1 + l2


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising held-out negative log-likelihood (grid, deterministic)."""
    y = np.asarray(y, dtype=np.int64)
    best_t, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.05), np.log(5.0), 161)):
        p = softmax(logits / t)
        nll = -float(np.mean(np.log(np.maximum(p[np.arange(len(y)), y], 1e-12))))
        if nll < best_nll - 1e-12:
            best_t, best_nll = float(t), nll
    return best_t


def ordinal_decode(proba: np.ndarray) -> np.ndarray:
    """Class index minimising expected |error| for ordered classes: the median.

    For severity (low < medium < high < critical) this keeps mistakes within
    one level more often than argmax, which may jump over the middle.
    """
    cumulative = np.cumsum(proba, axis=1)
    return np.argmax(cumulative >= 0.5, axis=1)
