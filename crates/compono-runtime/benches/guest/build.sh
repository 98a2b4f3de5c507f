#!/bin/sh
# Rebuilds bench.wasm (the component the runtime benchmarks run) from
# bench.c and bench.wit, with clang-19 and the workspace's compono.
set -eu
cd "$(dirname "$0")"
compono="${COMPONO:-cargo run --quiet --release --manifest-path ../../../../Cargo.toml --}"
clang-19 --target=wasm32-unknown-unknown -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic \
  -o bench.core.wasm bench.c
$compono embed bench.wit bench.core.wasm -o bench.embedded.wasm
$compono new bench.embedded.wasm -o bench.wasm
rm bench.core.wasm bench.embedded.wasm
