#!/usr/bin/env bash
# docs/adding-a-scheme.md, done for real: copies the committed tree to a scratch directory, adds
# the toy scheme docs/examples/toyrg.rs (TRG under another name) as crates/tn/src/toyrg.rs plus its
# `pub mod` line and its line in SCHEMES — nothing else — builds, and runs it from the CLI, from a
# sweep, and through the registry test that runs every entry both ways. Needs a full release
# build (about 5 minutes on 2 cores), so it is not part of `cargo test`:
#   bash scripts/check_adding_a_scheme.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$root" archive HEAD | tar -x -C "$work"
cd "$work"
cp docs/examples/toyrg.rs crates/tn/src/toyrg.rs
sed -i 's/^pub mod trg;/pub mod toyrg;\npub mod trg;/' crates/tn/src/lib.rs
sed -i 's/crate::hotrg::SCHEME\];/crate::hotrg::SCHEME, crate::toyrg::SCHEME];/' crates/tn/src/registry.rs
grep -q "crate::toyrg::SCHEME" crates/tn/src/registry.rs || { echo "SCHEMES line not found"; exit 1; }
cargo build --release -q
bin=target/release/onsager
"$bin" toyrg --beta 0.3 --chi 8 --steps 12
printf 'command = "toyrg"\nbeta = [0.3, 0.35]\nchi = 8\nsteps = 12\n' > toy.toml
"$bin" sweep toy.toml --output toy.jsonl
test "$(wc -l < toy.jsonl)" -eq 2
cargo test --release -q --test cli every_registered_scheme_is_a_command_and_a_sweep_command
echo "the toy scheme runs from the CLI and from a sweep, with one file and two lines added"
