# %% [markdown]
# # onsager from Python: validate a Monte Carlo series, and the Fisher curvature exponent
#
# Run with `python python/examples/validate_and_fisher.py` after `pip install ./python`.
# Cells are marked `# %%` (Jupyter, VS Code and Spyder run them one by one).

# %%
import numpy as np

import onsager

# %% [markdown]
# ## 1. A Metropolis series of the 2D Ising model, per site as mcising writes it
# A minimal single-spin-flip Metropolis sampler on the periodic 8×8 torus at K = 0.4 (with
# numpy), recording e = E/N and m = M/N once per sweep.

# %%
L, K, sweeps = 8, 0.4, 4000
rng = np.random.default_rng(1)
s = rng.choice([-1, 1], size=(L, L))
energy, magnetization = [], []
for sweep in range(sweeps + 200):
    for _ in range(L * L):
        i, j = rng.integers(L, size=2)
        nb = s[(i + 1) % L, j] + s[(i - 1) % L, j] + s[i, (j + 1) % L] + s[i, (j - 1) % L]
        d = 2 * s[i, j] * nb  # the change of −Σ s_i s_j when s[i, j] flips
        if d <= 0 or rng.random() < np.exp(-K * d):
            s[i, j] = -s[i, j]
    if sweep >= 200:  # after equilibration
        energy.append(-np.sum(s * (np.roll(s, 1, 0) + np.roll(s, 1, 1))) / L**2)
        magnetization.append(s.sum() / L**2)

# %%
v = onsager.validate(energy=energy, magnetization=magnetization, lx=L, beta=K, per_site=True)
for o in v.observables:
    print(f"{o.name:<36} {o.mc_mean:12.6f} ± {o.mc_error:.6f}   exact {o.exact:12.6f}   p = {o.p_value:.3f}")
print("verdict:", v.verdict, "—", v.reason)

# %% [markdown]
# ## 2. The README's main job: the exact Fisher curvature of the 2D Ising model at K_c

# %%
r = onsager.fisher(sizes=range(3, 10))
rows = r.rows
local = np.diff(np.log(np.abs(rows.R))) / np.diff(2 * np.log(rows.L))
for L_, R_, d in zip(rows.L[1:], rows.R[1:], local):
    print(f"L = {L_:3d}   R = {R_: .15e}   d_R(local) = {d:.5f}")
print(f"fit over L = {r.fit.window[0]}..{r.fit.window[1]}: d_R = {r.fit.d_R:.5f} ± {r.fit.stderr:.5f};"
      f" predicted {r.fit.predicted_formula} = {r.fit.predicted:.5f}")

# %%
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    lbar = (rows.L[1:] + rows.L[:-1]) / 2
    plt.plot(1 / lbar, local, "o-", label="exact local d_R")
    plt.axhline(r.fit.predicted, ls="--", label=f"predicted {r.fit.predicted_formula}")
    plt.xlabel("1/L")
    plt.ylabel("d_R(L)")
    plt.legend()
    plt.savefig("d_R.png", dpi=120)
    print("wrote d_R.png")
