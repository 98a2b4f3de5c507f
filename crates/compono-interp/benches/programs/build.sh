#!/usr/bin/env bash
# Rebuilds the benchmark modules from their C sources (needs clang-19 with
# the wasm32 target; no libc). The .wasm files are checked in so benchmarks
# run without the toolchain.
set -euo pipefail
cd "$(dirname "$0")"
for src in *.c; do
    clang-19 --target=wasm32 -O2 -fno-builtin -nostdlib -Wl,--no-entry -Wl,--export=run -o "${src%.c}.wasm" "$src"
done
