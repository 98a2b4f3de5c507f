#!/usr/bin/env python3
"""Generates the fused instructions of compono-interp.

The translator's peephole pass folds common instruction sequences (a local
or a constant feeding an operator, an operator feeding `local.set`, a
comparison feeding `br_if` or `if`) into single instructions, because the
dispatch of each instruction dominates interpretation cost. The variants,
their execution and the fusion rules are regular, so they are written here
once and spliced into the marked regions of `src/ir.rs`, `src/exec/mod.rs`
and `src/translate/fuse.rs`. Run `python3 gen_fused.py && cargo fmt` after
editing.
"""
import pathlib
import re

ROOT = pathlib.Path(__file__).parent / "src"

BINOPS = [  # name, expression over `a` and `b`, signed operands
    ("Add", "a.wrapping_add(b)", False), ("Sub", "a.wrapping_sub(b)", False), ("Mul", "a.wrapping_mul(b)", False),
    ("And", "a & b", False), ("Or", "a | b", False), ("Xor", "a ^ b", False),
    ("Shl", "a.wrapping_shl(b as u32)", False), ("ShrS", "a.wrapping_shr(b as u32)", True),
    ("ShrU", "a.wrapping_shr(b as u32)", False),
    ("Rotl", "a.rotate_left((b % WIDTH) as u32)", False), ("Rotr", "a.rotate_right((b % WIDTH) as u32)", False),
]
FLOAT_BINOPS = [("Add", "a + b"), ("Sub", "a - b"), ("Mul", "a * b"), ("Div", "a / b")]
CMPS = [  # name, operator, signed, inverse
    ("Eq", "==", False, "Ne"), ("Ne", "!=", False, "Eq"), ("LtS", "<", True, "GeS"), ("LtU", "<", False, "GeU"),
    ("GtS", ">", True, "LeS"), ("GtU", ">", False, "LeU"), ("LeS", "<=", True, "GtS"), ("LeU", "<=", False, "GtU"),
    ("GeS", ">=", True, "LtS"), ("GeU", ">=", False, "LtU"),
]
LOADS = [  # name, bytes, conversion of `b` to a slot
    ("I32Load", 4, "u32::from_le_bytes(b) as u64"), ("I64Load", 8, "u64::from_le_bytes(b)"),
    ("F32Load", 4, "u32::from_le_bytes(b) as u64"), ("F64Load", 8, "u64::from_le_bytes(b)"),
    ("I32Load8U", 1, "b[0] as u64"), ("I32Load8S", 1, "b[0] as i8 as i32 as u32 as u64"),
    ("I32Load16U", 2, "u16::from_le_bytes(b) as u64"), ("I32Load16S", 2, "i16::from_le_bytes(b) as i32 as u32 as u64"),
]
STORES = [  # name, conversion of slot `v` to bytes, accepts i32 immediates
    ("I32Store", "(v as u32).to_le_bytes()", True), ("I64Store", "v.to_le_bytes()", False),
    ("F32Store", "(v as u32).to_le_bytes()", False), ("F64Store", "v.to_le_bytes()", False),
    ("I32Store8", "[v as u8]", True), ("I32Store16", "(v as u16).to_le_bytes()", True),
]

variants, arms, targets = [], [], []
fuse, fuse_set, fuse_br, fuse_if = [], [], [], []
# A loop counter's `local = local + c` (small c) folded into the conditional
# branch on that local that follows it.
fuse_counter = []
MIRROR = {"Eq": "Eq", "Ne": "Ne", "LtS": "GtS", "LtU": "GtU", "GtS": "LtS", "GtU": "LtU",
          "LeS": "GeS", "LeU": "GeU", "GeS": "LeS", "GeU": "LeU"}
SMALL = "imm as i32 as i16 as i32 == imm as i32"
# Instructions that read only locals and write only the local `dst`: the
# translator may move a preceding `local.get` of another local after them.
local_writers = []


def imm_fits(w, c):
    # An i64 immediate fits the 32-bit field when it sign-extends back.
    return "true" if w == "32" else f"{c} as i64 == {c} as i32 as i64"


def imm32(w, c):
    return f"{c}" if w == "32" else f"{c} as u32"


def widen(w, field):
    # 32-bit immediate fields of i64 forms are sign-extended.
    return f"(u64::from({field}))" if w == "32" else f"({field} as i32 as i64 as u64)"


for w in ["32", "64"]:
    it = "u32" if w == "32" else "u64"
    imm_slot = "u64::from(imm)" if w == "32" else "imm"
    for name, expr, signed in BINOPS:
        get, put = (f"gi{w}", f"pi{w}") if signed else (f"gu{w}", f"pu{w}")
        x = f"I{w}{name}"
        expr = expr.replace("WIDTH", w)
        if w == "32" and not signed:
            # `b` is already a u32 here.
            expr = expr.replace(f"(b % {w}) as u32", f"b % {w}").replace("b as u32", "b")
        variants += [f"{x}L(u32)", f"{x}I({it})", f"{x}LL(u32, u32)", f"{x}LI(u32, {it})",
                     f"{x}LLS {{ a: u32, b: u32, dst: u32 }}", f"{x}LIS {{ a: u32, imm: u32, dst: u32 }}"]
        loc = "stack[base + {} as usize]"
        arms += [
            f"Instr::{x}L(l) => un!({get}, {put}, |a| {{ let b = {get}({loc.format('l')}); {expr} }}),",
            f"Instr::{x}I(imm) => un!({get}, {put}, |a| {{ let b = {get}({imm_slot}); {expr} }}),",
            f"Instr::{x}LL(l, r) => {{ let a = {get}({loc.format('l')}); let b = {get}({loc.format('r')}); stack[sp] = {put}({expr}); sp += 1; }}",
            f"Instr::{x}LI(l, imm) => {{ let a = {get}({loc.format('l')}); let b = {get}({imm_slot}); stack[sp] = {put}({expr}); sp += 1; }}",
            f"Instr::{x}LLS {{ a, b, dst }} => {{ let (a, b) = ({get}({loc.format('a')}), {get}({loc.format('b')})); {loc.format('dst')} = {put}({expr}); }}",
            f"Instr::{x}LIS {{ a, imm, dst }} => {{ let (a, b) = ({get}({loc.format('a')}), {get}{widen(w, 'imm')}); {loc.format('dst')} = {put}({expr}); }}",
        ]
        fuse += [
            f"(Instr::LocalGet(l), Instr::{x}) => Instr::{x}L(l),",
            f"(Instr::Const{w}(c), Instr::{x}) => Instr::{x}I(c),",
            f"(Instr::LocalGet(a), Instr::{x}L(b)) => Instr::{x}LL(a, b),",
            f"(Instr::LocalGet(a), Instr::{x}I(c)) => Instr::{x}LI(a, c),",
        ]
        fuse_set += [
            f"Instr::{x}LL(a, b) => Instr::{x}LLS {{ a, b, dst }},",
            f"Instr::{x}LI(a, c) if {imm_fits(w, 'c')} => Instr::{x}LIS {{ a, imm: {imm32(w, 'c')}, dst }},",
        ]
        local_writers += [f"Instr::{x}LLS {{ dst, .. }}", f"Instr::{x}LIS {{ dst, .. }}"]
    for name, op, signed, inverse in CMPS:
        get = f"gi{w}" if signed else f"gu{w}"
        x, b, inv = f"I{w}{name}", f"BrIfI{w}{name}", f"BrIfI{w}{inverse}"
        variants += [f"{x}L(u32)", f"{x}I({it})", f"{x}LL(u32, u32)", f"{x}LI(u32, {it})",
                     f"{b} {{ target: u32 }}", f"{b}I {{ target: u32, imm: {it} }}",
                     f"{b}LL {{ target: u32, a: u32, b: u32 }}", f"{b}LI {{ target: u32, a: u32, imm: u32 }}"]
        loc = "stack[base + {} as usize]"
        arms += [
            f"Instr::{x}L(l) => un!({get}, pbool, |a| a {op} {get}({loc.format('l')})),",
            f"Instr::{x}I(imm) => un!({get}, pbool, |a| a {op} {get}({imm_slot})),",
            f"Instr::{x}LL(l, r) => {{ stack[sp] = pbool({get}({loc.format('l')}) {op} {get}({loc.format('r')})); sp += 1; }}",
            f"Instr::{x}LI(l, imm) => {{ stack[sp] = pbool({get}({loc.format('l')}) {op} {get}({imm_slot})); sp += 1; }}",
            f"Instr::{b} {{ target }} => {{ sp -= 2; if {get}(stack[sp]) {op} {get}(stack[sp + 1]) {{ pc = target as usize; }} else {{ cold_path(); }} }}",
            f"Instr::{b}I {{ target, imm }} => {{ sp -= 1; if {get}(stack[sp]) {op} {get}({imm_slot}) {{ pc = target as usize; }} else {{ cold_path(); }} }}",
            f"Instr::{b}LL {{ target, a, b }} => {{ if {get}({loc.format('a')}) {op} {get}({loc.format('b')}) {{ pc = target as usize; }} else {{ cold_path(); }} }}",
            f"Instr::{b}LI {{ target, a, imm }} => {{ if {get}({loc.format('a')}) {op} {get}{widen(w, 'imm')} {{ pc = target as usize; }} else {{ cold_path(); }} }}",
        ]
        targets += [f"Instr::{b} {{ target }}", f"Instr::{b}I {{ target, .. }}", f"Instr::{b}LL {{ target, .. }}",
                    f"Instr::{b}LI {{ target, .. }}"]
        fuse += [
            f"(Instr::LocalGet(l), Instr::{x}) => Instr::{x}L(l),",
            f"(Instr::Const{w}(c), Instr::{x}) => Instr::{x}I(c),",
            f"(Instr::LocalGet(a), Instr::{x}L(b)) => Instr::{x}LL(a, b),",
            f"(Instr::LocalGet(a), Instr::{x}I(c)) => Instr::{x}LI(a, c),",
        ]
        inc = f"stack[base + a as usize] = pu{w}(gu{w}(stack[base + a as usize]).wrapping_add(add as i{w} as u{w}));"
        variants += [f"{b}IncLL {{ target: u32, a: u32, b: u32, add: i16 }}", f"{b}IncLI {{ target: u32, a: u32, imm: u32, add: i16 }}"]
        arms += [
            f"Instr::{b}IncLL {{ target, a, b, add }} => {{ {inc} if {get}({loc.format('a')}) {op} {get}({loc.format('b')}) {{ pc = target as usize; }} else {{ cold_path(); }} }}",
            f"Instr::{b}IncLI {{ target, a, imm, add }} => {{ {inc} if {get}({loc.format('a')}) {op} {get}{widen(w, 'imm')} {{ pc = target as usize; }} else {{ cold_path(); }} }}",
        ]
        targets += [f"Instr::{b}IncLL {{ target, .. }}", f"Instr::{b}IncLI {{ target, .. }}"]
        # The same with a step held in a local (`i += step`), locals below 2^16.
        step = f"stack[base + a as usize] = pu{w}(gu{w}(stack[base + a as usize]).wrapping_add(gu{w}(stack[base + step as usize])));"
        variants += [f"{b}StepLL {{ target: u32, a: u16, b: u16, step: u16 }}", f"{b}StepLI {{ target: u32, imm: u32, a: u16, step: u16 }}"]
        arms += [
            f"Instr::{b}StepLL {{ target, a, b, step }} => {{ {step} if {get}({loc.format('a')}) {op} {get}({loc.format('b')}) {{ pc = target as usize; }} else {{ cold_path(); }} }}",
            f"Instr::{b}StepLI {{ target, imm, a, step }} => {{ {step} if {get}({loc.format('a')}) {op} {get}{widen(w, 'imm')} {{ pc = target as usize; }} else {{ cold_path(); }} }}",
        ]
        targets += [f"Instr::{b}StepLL {{ target, .. }}", f"Instr::{b}StepLI {{ target, .. }}"]
        for t in (b, inv):
            m = f"BrIfI{w}{MIRROR[t[len(f'BrIfI{w}'):]]}"
            fuse_counter += [
                f"(Instr::I{w}AddLIS {{ a, imm, dst }}, Instr::{t}LL {{ target, a: x, b: y }}) if a == dst && x == a && {SMALL} => Instr::{t}IncLL {{ target, a, b: y, add: imm as i16 }},",
                f"(Instr::I{w}AddLIS {{ a, imm, dst }}, Instr::{t}LL {{ target, a: x, b: y }}) if a == dst && y == a && {SMALL} => Instr::{m}IncLL {{ target, a, b: x, add: imm as i16 }},",
                f"(Instr::I{w}AddLIS {{ a, imm, dst }}, Instr::{t}LI {{ target, a: x, imm: c }}) if a == dst && x == a && {SMALL} => Instr::{t}IncLI {{ target, a, imm: c, add: imm as i16 }},",
            ]
            for (i, st) in (("a", "b"), ("b", "a")):  # the add commutes
                fits = f"a.max(b) <= u32::from(u16::MAX)"
                fuse_counter += [
                    f"(Instr::I{w}AddLLS {{ a, b, dst }}, Instr::{t}LL {{ target, a: x, b: y }}) if {i} == dst && x == dst && {fits} && y <= u32::from(u16::MAX) => Instr::{t}StepLL {{ target, a: dst as u16, b: y as u16, step: {st} as u16 }},",
                    f"(Instr::I{w}AddLLS {{ a, b, dst }}, Instr::{t}LL {{ target, a: x, b: y }}) if {i} == dst && y == dst && {fits} && x <= u32::from(u16::MAX) => Instr::{m}StepLL {{ target, a: dst as u16, b: x as u16, step: {st} as u16 }},",
                    f"(Instr::I{w}AddLLS {{ a, b, dst }}, Instr::{t}LI {{ target, a: x, imm }}) if {i} == dst && x == dst && {fits} => Instr::{t}StepLI {{ target, imm, a: dst as u16, step: {st} as u16 }},",
                ]
        for table, t in ((fuse_br, b), (fuse_if, inv)):
            table += [
                f"Instr::{x} => Instr::{t} {{ target }},",
                f"Instr::{x}I(imm) => Instr::{t}I {{ target, imm }},",
                f"Instr::{x}LL(a, b) => Instr::{t}LL {{ target, a, b }},",
                f"Instr::{x}LI(a, c) if {imm_fits(w, 'c')} => Instr::{t}LI {{ target, a, imm: {imm32(w, 'c')} }},",
            ]
    # eqz on a local, and branches on a local being zero or not.
    x = f"I{w}Eqz"
    variants += [f"{x}L(u32)", f"BrIfI{w}EqzL {{ target: u32, local: u32 }}", f"BrIfI{w}NezL {{ target: u32, local: u32 }}"]
    arms += [
        f"Instr::{x}L(l) => {{ stack[sp] = pbool(gu{w}(stack[base + l as usize]) == 0); sp += 1; }}",
        f"Instr::BrIfI{w}EqzL {{ target, local }} => {{ if gu{w}(stack[base + local as usize]) == 0 {{ pc = target as usize; }} else {{ cold_path(); }} }}",
        f"Instr::BrIfI{w}NezL {{ target, local }} => {{ if gu{w}(stack[base + local as usize]) != 0 {{ pc = target as usize; }} else {{ cold_path(); }} }}",
    ]
    targets += [f"Instr::BrIfI{w}EqzL {{ target, .. }}", f"Instr::BrIfI{w}NezL {{ target, .. }}"]
    fuse += [f"(Instr::LocalGet(l), Instr::{x}) => Instr::{x}L(l),"]
    fuse_br += [f"Instr::{x}L(local) => Instr::BrIfI{w}EqzL {{ target, local }},"]
    inc = f"stack[base + local as usize] = pu{w}(gu{w}(stack[base + local as usize]).wrapping_add(add as i{w} as u{w}));"
    for z, zop in (("Eqz", "=="), ("Nez", "!=")):
        variants += [f"BrIfI{w}{z}IncL {{ target: u32, local: u32, add: i16 }}"]
        arms += [f"Instr::BrIfI{w}{z}IncL {{ target, local, add }} => {{ {inc} if gu{w}(stack[base + local as usize]) {zop} 0 {{ pc = target as usize; }} else {{ cold_path(); }} }}"]
        targets += [f"Instr::BrIfI{w}{z}IncL {{ target, .. }}"]
        fuse_counter += [f"(Instr::I{w}AddLIS {{ a, imm, dst }}, Instr::BrIfI{w}{z}L {{ target, local }}) if a == dst && local == a && {SMALL} => Instr::BrIfI{w}{z}IncL {{ target, local, add: imm as i16 }},"]
    fuse_if += [f"Instr::{x}L(local) => Instr::BrIfI{w}NezL {{ target, local }},"]

variants += ["BrIfI64Eqz { target: u32 }", "BrIfI64Nez { target: u32 }", "LocalCopy { from: u32, to: u32 }"]
arms += [
    "Instr::BrIfI64Eqz { target } => { sp -= 1; if stack[sp] == 0 { pc = target as usize; } else { cold_path(); } }",
    "Instr::BrIfI64Nez { target } => { sp -= 1; if stack[sp] != 0 { pc = target as usize; } else { cold_path(); } }",
    "Instr::LocalCopy { from, to } => stack[base + to as usize] = stack[base + from as usize],",
]
targets += ["Instr::BrIfI64Eqz { target }", "Instr::BrIfI64Nez { target }"]
fuse_br += ["Instr::I32Eqz => Instr::BrIfEqz { target },", "Instr::I64Eqz => Instr::BrIfI64Eqz { target },",
            "Instr::LocalGet(local) => Instr::BrIfI32NezL { target, local },"]
fuse_if += ["Instr::I32Eqz => Instr::BrIf { target, drop: 0, keep: 0 },", "Instr::I64Eqz => Instr::BrIfI64Nez { target },",
            "Instr::LocalGet(local) => Instr::BrIfI32EqzL { target, local },"]
fuse_set += ["Instr::LocalGet(from) => Instr::LocalCopy { from, to: dst },"]
local_writers += ["Instr::LocalCopy { to: dst, .. }"]

# `(local << shift) + imm`, the address of an array element: one instruction
# for `local.get; i32.const; i32.shl; i32.const; i32.add`, optionally with
# the `local.set` of the result. The shift amount is taken modulo 32 at
# translation time, as `i32.shl` takes it.
variants += ["I32ShlAddLI { a: u32, imm: u32, shift: u8 }", "I32ShlAddLIS { a: u32, imm: u32, dst: u32, shift: u8 }"]
arms += [
    "Instr::I32ShlAddLI { a, imm, shift } => { stack[sp] = u64::from(gu32(stack[base + a as usize]).wrapping_shl(u32::from(shift)).wrapping_add(imm)); sp += 1; }",
    "Instr::I32ShlAddLIS { a, imm, dst, shift } => stack[base + dst as usize] = u64::from(gu32(stack[base + a as usize]).wrapping_shl(u32::from(shift)).wrapping_add(imm)),",
]
fuse += ["(Instr::I32ShlLI(a, s), Instr::I32AddI(imm)) => Instr::I32ShlAddLI { a, imm, shift: (s % 32) as u8 },"]
fuse_set += ["Instr::I32ShlAddLI { a, imm, shift } => Instr::I32ShlAddLIS { a, imm, dst, shift },"]
local_writers += ["Instr::I32ShlAddLIS { dst, .. }"]

# `local.get a; i32.const c; i32.add; local.tee t; local.set u`, as loops
# keep a pointer in two locals: one instruction writing both, for small `c`.
variants += ["I32AddLIS2 { a: u32, dst: u32, dst2: u32, imm: i16 }"]
arms += [
    "Instr::I32AddLIS2 { a, dst, dst2, imm } => { let v = u64::from(gu32(stack[base + a as usize]).wrapping_add(imm as i32 as u32)); stack[base + dst as usize] = v; stack[base + dst2 as usize] = v; }",
]
fuse += ["(Instr::I32AddLIS { a, imm, dst }, Instr::LocalCopy { from, to }) if from == dst && imm as i32 as i16 as i32 == imm as i32 => Instr::I32AddLIS2 { a, dst, dst2: to, imm: imm as i16 },"]

# Two local copies in a row (the moves at a loop's back edge), for locals
# below 2^16; the second copy sees the first's result.
variants += ["LocalCopy2 { from: u16, to: u16, from2: u16, to2: u16 }"]
arms += [
    "Instr::LocalCopy2 { from, to, from2, to2 } => { stack[base + to as usize] = stack[base + from as usize]; stack[base + to2 as usize] = stack[base + from2 as usize]; }",
]
fuse += ["(Instr::LocalCopy { from, to }, Instr::LocalCopy { from: from2, to: to2 }) if from.max(to).max(from2).max(to2) <= u32::from(u16::MAX) => Instr::LocalCopy2 { from: from as u16, to: to as u16, from2: from2 as u16, to2: to2 as u16 },"]

for name, size, conv in LOADS:
    variants += [f"{name}L {{ local: u32, offset: u32 }}", f"{name}LI {{ local: u32, imm: u32, offset: u32 }}",
                 f"{name}LS {{ local: u32, offset: u32, dst: u32 }}"]
    arms += [
        f"Instr::{name}L {{ local, offset }} => {{ let b = load::<{size}>(&memory.bytes, stack[base + local as usize], offset)?; stack[sp] = {conv}; sp += 1; }}",
        # The address is `local + imm` wrapped to 32 bits, as the fused `i32.add` computed it.
        f"Instr::{name}LI {{ local, imm, offset }} => {{ let addr = (stack[base + local as usize] as u32).wrapping_add(imm); let b = load::<{size}>(&memory.bytes, addr as u64, offset)?; stack[sp] = {conv}; sp += 1; }}",
        f"Instr::{name}LS {{ local, offset, dst }} => {{ let b = load::<{size}>(&memory.bytes, stack[base + local as usize], offset)?; stack[base + dst as usize] = {conv}; }}",
    ]
    fuse += [
        f"(Instr::LocalGet(local), Instr::{name}(offset)) => Instr::{name}L {{ local, offset }},",
        f"(Instr::I32AddLI(local, imm), Instr::{name}(offset)) => Instr::{name}LI {{ local, imm, offset }},",
    ]
    fuse_set += [f"Instr::{name}L {{ local, offset }} => Instr::{name}LS {{ local, offset, dst }},"]
    local_writers += [f"Instr::{name}LS {{ dst, .. }}"]
    # `p += c; x = load(p)` (a pointer walking an array): one instruction for
    # small `c`. The local is updated before the load, as in the sequence.
    variants += [f"{name}LSInc {{ local: u32, offset: u32, dst: u32, imm: i16 }}"]
    arms += [
        f"Instr::{name}LSInc {{ local, offset, dst, imm }} => {{ let addr = gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32); stack[base + local as usize] = u64::from(addr); let b = load::<{size}>(&memory.bytes, u64::from(addr), offset)?; stack[base + dst as usize] = {conv}; }}",
    ]
    fuse += [f"(Instr::I32AddLIS {{ a, imm, dst: p }}, Instr::{name}LS {{ local, offset, dst }}) if a == p && local == p && imm as i32 as i16 as i32 == imm as i32 => Instr::{name}LSInc {{ local, offset, dst, imm: imm as i16 }},"]
    # `x = load(p); p += c` (small c), and the same with the new pointer kept
    # in two locals (`local.tee t; local.set p`, locals below 2^16). In order:
    # the load, its local, then the pointer, which may be the loaded local.
    post = f"let b = load::<{size}>(&memory.bytes, stack[base + local as usize], offset)?; stack[base + dst as usize] = {conv}; let p = u64::from(gu32(stack[base + local as usize]).wrapping_add(imm as i32 as u32));"
    variants += [f"{name}LSPostInc {{ local: u32, offset: u32, dst: u32, imm: i16 }}",
                 f"{name}LSPostInc2 {{ offset: u32, local: u16, dst: u16, p: u16, p2: u16, imm: i16 }}"]
    arms += [
        f"Instr::{name}LSPostInc {{ local, offset, dst, imm }} => {{ {post} stack[base + local as usize] = p; }}",
        f"Instr::{name}LSPostInc2 {{ offset, local, dst, p: p1, p2, imm }} => {{ {post} stack[base + p1 as usize] = p; stack[base + p2 as usize] = p; }}",
    ]
    fuse += [
        f"(Instr::{name}LS {{ local, offset, dst }}, Instr::I32AddLIS {{ a, imm, dst: p }}) if a == local && p == local && {SMALL} => Instr::{name}LSPostInc {{ local, offset, dst, imm: imm as i16 }},",
        f"(Instr::{name}LS {{ local, offset, dst }}, Instr::I32AddLIS2 {{ a, dst: p, dst2: p2, imm }}) if a == local && local.max(dst).max(p).max(p2) <= u32::from(u16::MAX) => Instr::{name}LSPostInc2 {{ offset, local: local as u16, dst: dst as u16, p: p as u16, p2: p2 as u16, imm }},",
    ]
for name, conv, takes_imm in STORES:
    variants += [f"{name}L {{ value: u32, offset: u32 }}", f"{name}LL {{ addr: u32, value: u32, offset: u32 }}"]
    arms += [
        f"Instr::{name}L {{ value, offset }} => {{ sp -= 1; let v = stack[base + value as usize]; store_bytes(&mut memory.bytes, stack[sp], offset, {conv})?; }}",
        f"Instr::{name}LL {{ addr, value, offset }} => {{ let v = stack[base + value as usize]; store_bytes(&mut memory.bytes, stack[base + addr as usize], offset, {conv})?; }}",
    ]
    # `local.get a; i32.const c; i32.add; local.get v; store` without an
    # offset: the address is `a + c` wrapped to 32 bits, as the add computed it.
    variants += [f"{name}LIL {{ addr: u32, imm: u32, value: u32 }}"]
    arms += [
        f"Instr::{name}LIL {{ addr, imm, value }} => {{ let v = stack[base + value as usize]; let at = (stack[base + addr as usize] as u32).wrapping_add(imm); store_bytes(&mut memory.bytes, u64::from(at), 0, {conv})?; }}",
    ]
    fuse += [f"(Instr::I32AddLI(addr, imm), Instr::{name}L {{ value, offset: 0 }}) => Instr::{name}LIL {{ addr, imm, value }},"]
    fuse += [
        f"(Instr::LocalGet(value), Instr::{name}(offset)) => Instr::{name}L {{ value, offset }},",
        f"(Instr::LocalGet(addr), Instr::{name}L {{ value, offset }}) => Instr::{name}LL {{ addr, value, offset }},",
    ]
    if takes_imm:
        variants += [f"{name}I {{ value: u32, offset: u32 }}", f"{name}LI {{ addr: u32, value: u32, offset: u32 }}"]
        arms += [
            f"Instr::{name}I {{ value, offset }} => {{ sp -= 1; let v = value as u64; store_bytes(&mut memory.bytes, stack[sp], offset, {conv})?; }}",
            f"Instr::{name}LI {{ addr, value, offset }} => {{ let v = value as u64; store_bytes(&mut memory.bytes, stack[base + addr as usize], offset, {conv})?; }}",
        ]
        fuse += [
            f"(Instr::Const32(value), Instr::{name}(offset)) => Instr::{name}I {{ value, offset }},",
            f"(Instr::LocalGet(addr), Instr::{name}I {{ value, offset }}) => Instr::{name}LI {{ addr, value, offset }},",
        ]


def splice(path, begin, end, body, indent):
    text = path.read_text()
    pattern = re.compile(r"(^[ \t]*// BEGIN GENERATED " + begin + r"\n).*?(^[ \t]*// END GENERATED " + end + r"\n)", re.S | re.M)
    pad = " " * indent
    block = "".join(pad + line + "\n" for line in body)
    note = pad + "// Generated by gen_fused.py; edit the script, not this region.\n"
    new, n = pattern.subn(lambda m: m.group(1) + note + block + m.group(2), text)
    assert n == 1, f"{path}: region {begin} not found"
    path.write_text(new)


splice(ROOT / "ir.rs", "VARIANTS", "VARIANTS", [v + "," for v in variants], 12)
splice(ROOT / "ir.rs", "TARGETS", "TARGETS", [
    "impl Instr {",
    "    /// The jump target of a branch instruction, for patching forward branches.",
    "    pub(crate) fn branch_target_mut(&mut self) -> Option<&mut u32> {",
    "        match self {",
    "            Instr::Br { target, .. } | Instr::BrIf { target, .. } | Instr::BrIfEqz { target }",
    *["            | " + t for t in targets],
    "            => Some(target),",
    "            _ => None,",
    "        }",
    "    }",
    "}",
], 0)
splice(ROOT / "exec/mod.rs", "ARMS", "ARMS", arms, 12)
(ROOT / "translate/fuse.rs").write_text(
    "//! Peephole fusion rules. Generated by gen_fused.py; edit the script, not this file.\n\n"
    "use crate::ir::Instr;\n\n"
    "/// The single instruction doing `last` then `next`, if there is one.\n"
    "pub(super) fn fuse(last: Instr, next: Instr) -> Option<Instr> {\n    Some(match (last, next) {\n"
    + "".join("        " + f + "\n" for f in dict.fromkeys(fuse))
    + "        _ => return None,\n    })\n}\n\n"
    "/// The single instruction doing `last` then `local.set dst`, if there is one.\n"
    "pub(super) fn fuse_local_set(last: Instr, dst: u32) -> Option<Instr> {\n    Some(match last {\n"
    + "".join("        " + f + "\n" for f in fuse_set)
    + "        _ => return None,\n    })\n}\n\n"
    "/// `last` (a condition) followed by a `br_if` without stack adjustment.\n"
    "pub(super) fn fuse_br_if(last: Instr, target: u32) -> Option<Instr> {\n    Some(match last {\n"
    + "".join("        " + f + "\n" for f in fuse_br)
    + "        _ => return None,\n    })\n}\n\n"
    "/// `last` (a condition) followed by `if`: branch to the else arm when it is false.\n"
    "pub(super) fn fuse_if(last: Instr, target: u32) -> Option<Instr> {\n    Some(match last {\n"
    + "".join("        " + f + "\n" for f in fuse_if)
    + "        _ => return None,\n    })\n}\n\n"
    "/// `last` (a local's increment) followed by the conditional branch `branch`.\n"
    "pub(super) fn fuse_counter_branch(last: Instr, branch: Instr) -> Option<Instr> {\n    Some(match (last, branch) {\n"
    + "".join("        " + f + "\n" for f in dict.fromkeys(fuse_counter))
    + "        _ => return None,\n    })\n}\n\n"
    "/// The local `instr` writes, if it reads only locals and writes only that\n"
    "/// one (so a `local.get` of another local commutes with it).\n"
    "pub(super) fn local_written(instr: Instr) -> Option<u32> {\n    match instr {\n"
    "        " + "\n        | ".join(local_writers) + " => Some(dst),\n"
    "        _ => None,\n    }\n}\n"
)
