#!/usr/bin/env bash
# MPI checks (run by .ci/run): needs OpenMPI (apt-get install openmpi-bin libopenmpi-dev) and
# libclang (libclang-dev) for the rsmpi bindings.
#  1. the same sweep on 1 and 2 ranks gives the same records (scripts/compare_sweeps.py);
#  2. a finished sweep restarted on 2 ranks runs nothing;
#  3. one Fisher job split over 2 ranks equals the 1-rank value: free fermions (L = 32) to 1e-12,
#     transfer matrix (L = 7, one thread per rank) bit for bit, momentum space (L = 33, orbits of
#     k1 dealt over the ranks) bit for bit, also when the 2-rank run resumes a checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --features mpi --target-dir target/mpi
B=target/mpi/release/onsager
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"${MPIRUN[@]}" -n 1 "$B" sweep tests/data/sweep_small.toml --output "$d/r1.jsonl"
"${MPIRUN[@]}" -n 2 "$B" sweep tests/data/sweep_small.toml --output "$d/r2.jsonl"
python3 scripts/compare_sweeps.py "$d/r1.jsonl" "$d/r2.jsonl"
"${MPIRUN[@]}" -n 2 "$B" sweep tests/data/sweep_small.toml --output "$d/r2.jsonl" --json |
    python3 -c 'import json, sys; v = json.load(sys.stdin); assert (v["ran"], v["skipped"]) == (0, 12), v; print("mpi resume: 12 skipped, 0 ran")'
r() { "${MPIRUN[@]}" -x RAYON_NUM_THREADS -n "$1" "$B" fisher "${@:2}" --json | python3 -c 'import json, sys; print(repr(json.load(sys.stdin)["rows"][0]["R"]))'; }
export RAYON_NUM_THREADS=2
r1=$(r 1 --sizes 32 --method free-fermion)
r2=$(r 2 --sizes 32 --method free-fermion)
python3 -c "a, b = $r1, $r2; assert abs(a - b) <= 1e-12 * abs(a), (a, b); print(f'mpi split Fisher (free fermions) L = 32: 1 rank {a!r}, 2 ranks {b!r}')"
export RAYON_NUM_THREADS=1
r1=$(r 1 --sizes 7 --method transfer)
r2=$(r 2 --sizes 7 --method transfer)
python3 -c "a, b = $r1, $r2; assert a == b, (a, b); print(f'mpi split Fisher (transfer matrix) L = 7: 1 rank {a!r}, 2 ranks {b!r}, bit-identical')"
r1=$(r 1 --model potts --q 3 --sizes 6 --method transfer)
r2=$(r 2 --model potts --q 3 --sizes 6 --method transfer)
python3 -c "a, b = $r1, $r2; assert a == b, (a, b); print(f'mpi split Fisher (transfer matrix, S_3 blocks) Potts 3 L = 6: 1 rank {a!r}, 2 ranks {b!r}, bit-identical')"
export RAYON_NUM_THREADS=2
r1=$(r 1 --sizes 33 --method momentum)
r2=$(r 2 --sizes 33 --method momentum --checkpoint "$d/ckpt")
python3 -c "a, b = $r1, $r2; assert a == b, (a, b); print(f'mpi split Fisher (momentum) L = 33: 1 rank {a!r}, 2 ranks {b!r}, bit-identical')"
f=$(ls "$d"/ckpt/*.ckpt)
head -n 40 "$f" > "$d/cut" && mv "$d/cut" "$f"
r3=$(r 2 --sizes 33 --method momentum --checkpoint "$d/ckpt")
python3 -c "a, b = $r1, $r3; assert a == b, (a, b); print(f'mpi momentum resumed from a checkpoint cut to 39 orbits: {b!r}, bit-identical')"
echo "mpi checks passed"
