"""The third opinion for `differential.rs`: replays modules' calls in
wasmtime and prints what it observed after each step, in the same text
`differential.rs` makes of compono's and wasmi's observations.

Usage: python3 adjudicate.py REPLAY MODULE.wasm [REPLAY MODULE.wasm ...]

A REPLAY names what to observe and what to call, so this script never asks
wasmtime-py for a type (it aborts on `exnref` in one):

- `s =HEXNAME g KIND`, `s =HEXNAME m`, `s =HEXNAME t`: an exported global of
  value kind KIND (`i32`, `i64`, `f32`, `f64`, `ref`), memory or table,
  observed after every step, in the order given;
- `x =HEXNAME KINDS ARG...`: a call of an export, KINDS its result kinds
  joined by `,` (`-` for none), each ARG `i32:BITS`, `i64:BITS`,
  `f32:BITS`, `f64:BITS`, `funcref:null` or `externref:null` (BITS unsigned
  decimal).

Printed for each module: one line for instantiation, then one per call,
each `OUTCOME | STATE`, then a line `=`.
"""

import struct
import sys
import zlib

import wasmtime

MAX_MEMORY_BYTES = 1024 * 65536
MAX_TABLE_ELEMENTS = 10_000

TRAPS = {
    wasmtime.TrapCode.UNREACHABLE: "unreachable",
    wasmtime.TrapCode.INTEGER_OVERFLOW: "integer overflow",
    wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: "integer divide by zero",
    wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER: "invalid conversion to integer",
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "out of bounds memory access",
    wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: "out of bounds table access",
    wasmtime.TrapCode.BAD_SIGNATURE: "indirect call type mismatch",
    wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: "uninitialized element",
    wasmtime.TrapCode.NULL_REFERENCE: "null exception reference",
}


def value_text(kind, v):
    if kind == "i32":
        return f"i32:{v & 0xFFFFFFFF}"
    if kind == "i64":
        return f"i64:{v & 0xFFFFFFFFFFFFFFFF}"
    if kind == "f32":
        return f"f32:{struct.unpack('<I', struct.pack('<f', v))[0]}"
    if kind == "f64":
        return f"f64:{struct.unpack('<Q', struct.pack('<d', v))[0]}"
    return "ref:null" if unwrap(v) is None else "ref:some"


def unwrap(v):
    # wasmtime-py hands references (from tables, globals, results) back
    # wrapped in a `Val` whose `value` is None for null.
    return v.value if isinstance(v, wasmtime.Val) else v


def outcome_text(error):
    # Instantiation reports an exception from the start function as a
    # plain error, a call as a trap without a code.
    if "thrown Wasm exception" in str(error):
        return "trapped uncaught exception"
    if isinstance(error, wasmtime.Trap):
        code = error.trap_code
        if code in (wasmtime.TrapCode.STACK_OVERFLOW, wasmtime.TrapCode.OUT_OF_FUEL):
            return "exhausted"
        return "trapped " + TRAPS.get(code, f"other {code}")
    return "failed"


def state_text(store, instance, observed):
    parts = []
    exports = instance.exports(store)
    for hexname, what, kind in observed:
        item = exports[bytes.fromhex(hexname).decode()]
        if what == "g":
            parts.append(f"g {hexname}={value_text(kind, item.value(store))}")
        elif what == "m":
            data = item.read(store, 0, item.data_len(store))
            parts.append(f"m {hexname}={item.size(store)}:{zlib.crc32(data)}")
        else:
            bits = "".join("1" if unwrap(item.get(store, i)) is None else "0" for i in range(item.size(store)))
            parts.append(f"t {hexname}={bits}")
    return " ".join(parts)


def argument(text):
    kind, bits = text.split(":")
    if kind == "i32":
        return wasmtime.Val.i32(struct.unpack("<i", struct.pack("<I", int(bits)))[0])
    if kind == "i64":
        return wasmtime.Val.i64(struct.unpack("<q", struct.pack("<Q", int(bits)))[0])
    if kind == "f32":
        return wasmtime.Val.f32(struct.unpack("<f", struct.pack("<I", int(bits)))[0])
    if kind == "f64":
        return wasmtime.Val.f64(struct.unpack("<d", struct.pack("<Q", int(bits)))[0])
    if kind == "funcref":
        return wasmtime.Val.funcref(None)
    return wasmtime.Val.externref(None)


def replay_module(engine, replay, module_path):
    with open(replay) as lines:
        steps = [line.split() for line in lines if line.strip()]
    observed = [(w[1][1:], w[2], w[3] if len(w) > 3 else None) for w in steps if w[0] == "s"]
    calls = [w[1:] for w in steps if w[0] == "x"]
    store = wasmtime.Store(engine)
    store.set_limits(memory_size=MAX_MEMORY_BYTES, table_elements=MAX_TABLE_ELEMENTS)
    module = wasmtime.Module.from_file(engine, module_path)
    try:
        instance = wasmtime.Instance(store, module, [])
    except Exception as error:  # an instantiation trap ends the replay
        print(f"{outcome_text(error)} | ")
        return
    print(f"returned  | {state_text(store, instance, observed)}")
    for hexname, kinds, *args in calls:
        func = instance.exports(store)[bytes.fromhex(hexname[1:]).decode()]
        result_kinds = [] if kinds == "-" else kinds.split(",")
        try:
            results = func(store, *[argument(a) for a in args])
            if len(result_kinds) == 0:
                results = []
            elif len(result_kinds) == 1:
                results = [results]
            values = " ".join(value_text(k, v) for k, v in zip(result_kinds, results))
            outcome = f"returned {values}"
        except Exception as error:
            outcome = outcome_text(error)
        print(f"{outcome} | {state_text(store, instance, observed)}")
        if outcome == "exhausted":
            return


def main():
    config = wasmtime.Config()
    config.wasm_tail_call = True
    config.wasm_multi_memory = True
    config.wasm_reference_types = True
    config.wasm_bulk_memory = True
    config.wasm_multi_value = True
    config.wasm_exceptions = True
    engine = wasmtime.Engine(config)
    args = sys.argv[1:]
    for replay, module_path in zip(args[0::2], args[1::2]):
        replay_module(engine, replay, module_path)
        print("=", flush=True)


main()
