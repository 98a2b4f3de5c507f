//! The instruction set, written once.
//!
//! Every instruction the translator can emit is a row of the table below.
//! From it come, by the macros that consume it:
//!
//! - the IR enum [`crate::ir::Instr`] (one variant per instruction, with
//!   named fields), its [`crate::ir::Opcode`] and the encoding of both into
//!   16-byte records ([`crate::ir::Op`]), in `ir.rs`;
//! - the translator's selection tables (which wasm operator becomes which
//!   instruction, and constant folding), in `translate/select.rs`;
//! - the executor's handlers, in `exec/handlers.rs`.
//!
//! To find how an instruction is translated, search `translate/` for its
//! family's selection function (`select::unary`, `select::binary`, ...) or,
//! for a `special` row, for `Instr::Name`; its execution is the row's body.
//!
//! Operands are frame slots (`slot`: a `u16` index of a 64-bit cell of the
//! running function's frame: parameters, then locals, then the constants
//! the function uses, then the temporaries of its operand stack) or
//! immediates. A record holds a handler and three fields: `p` and `q`
//! (16 bits each) and `r` (32 bits, also usable as two 16-bit halves `rlo`
//! and `rhi`). Instructions that need more put `Data` records after
//! themselves. Branch offsets count records from the branch.
//!
//! Two slot kinds add the accumulator, a register the executor keeps
//! beside the slot pointer: an `out` slot is written with
//! `s.output`, which also leaves the value in the accumulator, and an
//! `inp` slot is read with `s.input`, which reads the accumulator instead
//! in the handler's accumulator form. The translator picks that form when
//! the instruction before wrote the same slot and nothing branches in
//! between (`translate::Emitter::emit_raw`), so a value handed from one
//! instruction to the next skips the store-to-load round trip through the
//! frame. A row has at most one `inp` field (in the families: the first
//! operand, or a store's value). When nothing reads that value after the
//! instruction that takes it from the accumulator (a temporary popped
//! from the operand stack, or a slot that instruction overwrites) and that
//! instruction names the slot in no other field, the one
//! that wrote it runs in a form that leaves it only in the accumulator
//! (`ir::Form`, `translate::Emitter::is_dead_temp`), which saves a store.
//!
//! Families (each row names the wasm operator it implements; variants get
//! their own names):
//!
//! - `unary`: `dst@p = f(src@q)`.
//! - `unary_trap`: the same where `f` may trap.
//! - `binary`: `dst@p = f(a@q, b@rlo)`; the `imm` variant takes `b` as a
//!   32-bit immediate in `r` (sign-extended for 64-bit types), the `rev`
//!   variant takes `a` as that immediate and `b` in `q`, the `flip`
//!   variant takes `b` in `q` and `a` in `rlo` (so that `b` is the operand
//!   read from the accumulator, for operators that are not commutative).
//! - `binary_trap`: the same where `f` may trap (division).
//! - `compare`: `dst@p = a@q CMP b@rlo` (and `imm` as for `binary`), with
//!   branch forms: `br` jumps by `offset@r` if `a@p CMP b@q`, `br_imm` if
//!   `a@p CMP imm@q` (a sign-extended 16-bit immediate), `br_not` if the
//!   comparison is false (floats only: for integers the translator uses
//!   the `negate` row), `br_inc` adds `step@rlo` to `counter@p` and jumps
//!   by `offset@rhi` (16 bits) if `counter CMP bound@q` (a loop's back
//!   edge `i += step; br_if (i CMP n)`, one dispatch instead of two).
//!   `swap` names the row comparing the operands the other way round.
//! - `load`: `dst@p = memory[ptr@q + offset@r]`; the `at` variant is
//!   `dst@p = memory[(ptr@q + add@r) mod 2^32]`, an `i32.add` of a
//!   constant and the load of its result at offset 0 (the add wraps; an
//!   offset does not); the `idx` variant (accesses of 2, 4 or 8 bytes) is
//!   `dst@p = memory[((index@q << log2 size) + add@r) mod 2^32]`, the same
//!   with the index scaled by the access size first (an array element at
//!   a constant address, `a[i]`).
//! - `store`: `memory[ptr@p + offset@r] = value@q`; the `imm` variant
//!   takes `value` as a sign-extended 16-bit immediate in `q`; the `at`
//!   variant is `memory[(ptr@p + add@r) mod 2^32] = value@q`, as a load's,
//!   and `imm_at` is both.
//! - `special`: everything else, with named fields (`name: kind@position`)
//!   and a hand-written body. Bodies get the executor state `s` and return
//!   a `Flow`.

macro_rules! with_isa {
    ($callback:ident $(, $arg:ident)*) => {
        $callback! {
            ($($arg)*)
            special {
                /// Not executed: operands of the instruction before it.
                Data { p: u16@p, q: u16@q, r: u32@r } (s) { s.corrupt() }
                /// Raises a trap (`unreachable`).
                Trap { code: u16@p } (s) { Flow::Trap(trap_code(code)) }
                /// Ends an invocation: the return address of its outermost frame.
                Halt {} (s) { Flow::Halt }
                Copy { dst: out@p, src: inp@q } (s) {
                    s.output::<u64>(dst, s.input(src));
                    Flow::Next
                }
                /// `dst = value` (zero-extended): a constant written to a slot, so
                /// that a constant nothing else reads needs no slot of its own
                /// (which every call would fill).
                Const32 { dst: out@p, value: u32@r } (s) {
                    s.output(dst, u64::from(value));
                    Flow::Next
                }
                /// `dst = value` (sign-extended to 64 bits).
                Const32S { dst: out@p, value: i32@r } (s) {
                    s.output(dst, i64::from(value) as u64);
                    Flow::Next
                }
                /// `dst = base + index * scale` (i32, wrapping): an `i32.add` of an
                /// `i32.shl` or `i32.mul` by a constant, as array indexing computes
                /// (`base` a constant's slot for an array at a constant address
                /// whose element's address goes to a local).
                I32AddScaled { dst: out@p, index: inp@q, base: slot@rlo, scale: u16@rhi } (s) {
                    let index: u32 = s.input(index);
                    let base: u32 = s.get(base);
                    s.output(dst, base.wrapping_add(index.wrapping_mul(u32::from(scale))));
                    Flow::Next
                }
                /// `dst = if cond != 0 { a } else { b }`.
                Select { dst: out@p, cond: inp@q, a: slot@rlo, b: slot@rhi } (s) {
                    let value = if s.input::<u32>(cond) != 0 { s.get::<u64>(a) } else { s.get(b) };
                    s.output(dst, value);
                    Flow::Next
                }
                Br { offset: i32@r } (s) { Flow::Jump(offset) }
                /// `Copy`, then `Br`.
                CopyBr { dst: slot@p, src: inp@q, offset: i32@r } (s) {
                    s.set::<u64>(dst, s.input(src));
                    Flow::Jump(offset)
                }
                /// Jumps by the offset in the `Data` record `1 + min(index, len)`
                /// records on (its offset counting from that record).
                BrTable { index: inp@p, len: u32@r } (s) {
                    Flow::Table(1 + s.input::<u32>(index).min(len) as usize)
                }
                /// A function's first instruction: checks that its frame fits the
                /// stack, zeroes its declared locals from `zero_from` on (those
                /// before it are parameters, or written before they are read:
                /// `translate/locals.rs`) and loads the `consts` constants in
                /// the `Data` records that follow into the slots from `locals`.
                Enter { zero_from: u16@p, locals: u16@q, consts: u16@rlo, frame: u16@rhi } (s) {
                    s.enter(zero_from, locals, consts, frame)
                }
                /// `Enter` for an engine that meters fuel: also charges one unit.
                EnterFuel { zero_from: u16@p, locals: u16@q, consts: u16@rlo, frame: u16@rhi } (s) {
                    s.enter_metered(zero_from, locals, consts, frame)
                }
                Return {} (s) { s.return_from_call() }
                Return1 { src: inp@p } (s) {
                    s.set::<u64>(0, s.input(src));
                    s.return_from_call()
                }
                /// Returns the `len` values starting at `src`.
                ReturnSpan { src: slot@p, len: u16@q } (s) {
                    s.move_slots(src, 0, len);
                    s.return_from_call()
                }
                /// Calls the function whose `Enter` is at `target` in this module's
                /// code; its frame starts at slot `base`, where its arguments are.
                Call { base: slot@p, target: u32@r } (s) { s.call(base, target) }
                /// Calls the module's imported function `func`.
                CallImport { base: slot@p, func: u32@r } (s) { s.call_import(base, func, false) }
                /// Calls through table `Data.p` (next record) with type `ty`.
                CallIndirect { base: slot@p, index: slot@q, ty: u32@r } (s) {
                    s.call_indirect(base, index, ty, false)
                }
                /// Tail calls: the `params` arguments at `base` move to slot 0 first.
                ReturnCall { base: slot@p, params: u16@q, target: u32@r } (s) {
                    s.move_slots(base, 0, params);
                    s.jump_to(target)
                }
                ReturnCallImport { base: slot@p, func: u32@r } (s) { s.call_import(base, func, true) }
                ReturnCallIndirect { base: slot@p, index: slot@q, ty: u32@r } (s) {
                    s.call_indirect(base, index, ty, true)
                }
                GlobalGet { dst: out@p, global: u32@r } (s) {
                    let value = s.global(global);
                    s.output::<u64>(dst, value);
                    Flow::Next
                }
                GlobalSet { src: inp@p, global: u32@r } (s) {
                    let value = s.input(src);
                    s.set_global(global, value);
                    Flow::Next
                }
                RefFunc { dst: slot@p, func: u32@r } (s) {
                    let value = s.ref_func(func);
                    s.set::<u64>(dst, value);
                    Flow::Next
                }
                /// Makes memory `memory` of the running instance the one that
                /// memory instructions use. The translator puts it around each
                /// instruction naming another memory than 0, then selects 0
                /// again, so calls and returns always find memory 0 selected.
                SelectMemory { memory: u32@r } (s) { s.select_memory(memory) }
                /// `memory.copy` between two different memories, `Data.p` (the
                /// destination's) and `Data.q` (next record).
                MemoryCopyAcross { dst: slot@p, src: slot@q, len: slot@rlo } (s) {
                    s.out_of_line(|s| {
                        let (op, memories) = (s.op(), s.ext(1));
                        s.memory_copy_across(
                            (u32::from(memories.p), s.get(op.p)),
                            (u32::from(memories.q), s.get(op.q)),
                            s.get(op.r as u16),
                        )
                    })
                }
                MemorySize { dst: slot@p } (s) {
                    let pages = s.memory_pages();
                    s.set::<u32>(dst, pages);
                    Flow::Next
                }
                MemoryGrow { dst: slot@p, delta: slot@q } (s) {
                    let old = s.memory_grow(s.get(delta));
                    s.set::<u32>(dst, old);
                    Flow::Next
                }
                MemoryCopy { dst: slot@p, src: slot@q, len: slot@rlo } (s) {
                    s.memory_copy(s.get(dst), s.get(src), s.get(len))
                }
                MemoryFill { dst: slot@p, value: slot@q, len: slot@rlo } (s) {
                    s.memory_fill(s.get(dst), s.get(value), s.get(len))
                }
                /// Copies from data segment `Data.r` (next record).
                MemoryInit { dst: slot@p, src: slot@q, len: slot@rlo } (s) {
                    s.out_of_line(|s| {
                        let (op, segment) = (s.op(), s.ext(1).r);
                        s.memory_init(segment, s.get(op.p), s.get(op.q), s.get(op.r as u16))
                    })
                }
                DataDrop { segment: u32@r } (s) { s.data_drop(segment) }
                TableGet { dst: slot@p, index: slot@q, table: u32@r } (s) {
                    s.table_get(dst, table, s.get(index))
                }
                TableSet { index: slot@p, value: slot@q, table: u32@r } (s) {
                    s.table_set(table, s.get(index), s.get(value))
                }
                TableSize { dst: slot@p, table: u32@r } (s) {
                    let size = s.table_size(table);
                    s.set::<u32>(dst, size);
                    Flow::Next
                }
                TableGrow { dst: slot@p, delta: slot@q, init: slot@rlo, table: u16@rhi } (s) {
                    let old = s.table_grow(table, s.get(delta), s.get(init));
                    s.set::<u32>(dst, old);
                    Flow::Next
                }
                TableFill { dst: slot@p, value: slot@q, len: slot@rlo, table: u16@rhi } (s) {
                    s.table_fill(table, s.get(dst), s.get(value), s.get(len))
                }
                /// Copies from table `Data.q` to table `Data.p` (next record).
                TableCopy { dst: slot@p, src: slot@q, len: slot@rlo } (s) {
                    s.out_of_line(|s| {
                        let (op, tables) = (s.op(), s.ext(1));
                        let (dst, src, len) = (s.get(op.p), s.get(op.q), s.get(op.r as u16));
                        s.table_copy(tables.p, tables.q, dst, src, len)
                    })
                }
                /// Copies from element segment `Data.r` into table `Data.p`.
                TableInit { dst: slot@p, src: slot@q, len: slot@rlo } (s) {
                    s.out_of_line(|s| {
                        let (op, operands) = (s.op(), s.ext(1));
                        let (dst, src, len) = (s.get(op.p), s.get(op.q), s.get(op.r as u16));
                        s.table_init(operands.p, operands.r, dst, src, len)
                    })
                }
                ElemDrop { segment: u32@r } (s) { s.elem_drop(segment) }
                /// Throws a new exception of the module's tag `tag`, carrying the
                /// tag's values from the slots at `base`.
                Throw { base: slot@p, tag: u32@r } (s) {
                    s.out_of_line(|s| {
                        let op = s.op();
                        s.throw(op.p, op.r)
                    })
                }
                /// Throws the exception `exn` refers to again.
                ThrowRef { exn: slot@p } (s) { s.out_of_line(|s| s.throw_ref(s.op().p)) }
                /// Continues unwinding an exception a host function let through
                /// (the executor's static record; see `exec::RETHROW_OP`).
                Rethrow {} (s) { s.out_of_line(|s| s.rethrow()) }
                /// A catch clause's landing pad starts here: writes the caught
                /// exception's `count` values to the slots at `dst`, then, if
                /// `with_ref` is 1, a reference to the exception.
                TakeExn { dst: slot@p, count: u16@q, with_ref: u16@rlo } (s) {
                    s.out_of_line(|s| {
                        let op = s.op();
                        s.take_exn(op.p, op.q, op.r as u16 != 0)
                    })
                }
            }
            unary {
                I32Eqz(u32) -> bool = |a| a == 0;
                I64Eqz(u64) -> bool = |a| a == 0;
                RefIsNull(u64) -> bool = |a| a == 0;
                I32Clz(u32) -> u32 = |a| a.leading_zeros();
                I32Ctz(u32) -> u32 = |a| a.trailing_zeros();
                I32Popcnt(u32) -> u32 = |a| a.count_ones();
                I64Clz(u64) -> u64 = |a| u64::from(a.leading_zeros());
                I64Ctz(u64) -> u64 = |a| u64::from(a.trailing_zeros());
                I64Popcnt(u64) -> u64 = |a| u64::from(a.count_ones());
                F32Abs(u32) -> u32 = |a| a & 0x7fff_ffff;
                F32Neg(u32) -> u32 = |a| a ^ 0x8000_0000;
                F32Ceil(f32) -> f32 = |a| quiet_f32(a.ceil());
                F32Floor(f32) -> f32 = |a| quiet_f32(a.floor());
                F32Trunc(f32) -> f32 = |a| quiet_f32(a.trunc());
                F32Nearest(f32) -> f32 = |a| quiet_f32(a.round_ties_even());
                F32Sqrt(f32) -> f32 = |a| quiet_f32(a.sqrt());
                F64Abs(u64) -> u64 = |a| a & 0x7fff_ffff_ffff_ffff;
                F64Neg(u64) -> u64 = |a| a ^ 0x8000_0000_0000_0000;
                F64Ceil(f64) -> f64 = |a| quiet_f64(a.ceil());
                F64Floor(f64) -> f64 = |a| quiet_f64(a.floor());
                F64Trunc(f64) -> f64 = |a| quiet_f64(a.trunc());
                F64Nearest(f64) -> f64 = |a| quiet_f64(a.round_ties_even());
                F64Sqrt(f64) -> f64 = |a| quiet_f64(a.sqrt());
                I32WrapI64(u64) -> u32 = |a| a as u32;
                I64ExtendI32S(i32) -> i64 = |a| i64::from(a);
                I64ExtendI32U(u32) -> u64 = |a| u64::from(a);
                F32ConvertI32S(i32) -> f32 = |a| a as f32;
                F32ConvertI32U(u32) -> f32 = |a| a as f32;
                F32ConvertI64S(i64) -> f32 = |a| a as f32;
                F32ConvertI64U(u64) -> f32 = |a| a as f32;
                F32DemoteF64(f64) -> f32 = |a| a as f32;
                F64ConvertI32S(i32) -> f64 = |a| f64::from(a);
                F64ConvertI32U(u32) -> f64 = |a| f64::from(a);
                F64ConvertI64S(i64) -> f64 = |a| a as f64;
                F64ConvertI64U(u64) -> f64 = |a| a as f64;
                F64PromoteF32(f32) -> f64 = |a| f64::from(a);
                I32Extend8S(u32) -> i32 = |a| i32::from(a as i8);
                I32Extend16S(u32) -> i32 = |a| i32::from(a as i16);
                I64Extend8S(u64) -> i64 = |a| i64::from(a as i8);
                I64Extend16S(u64) -> i64 = |a| i64::from(a as i16);
                I64Extend32S(u64) -> i64 = |a| i64::from(a as i32);
                I32TruncSatF32S(f32) -> i32 = |a| a as i32;
                I32TruncSatF32U(f32) -> u32 = |a| a as u32;
                I32TruncSatF64S(f64) -> i32 = |a| a as i32;
                I32TruncSatF64U(f64) -> u32 = |a| a as u32;
                I64TruncSatF32S(f32) -> i64 = |a| a as i64;
                I64TruncSatF32U(f32) -> u64 = |a| a as u64;
                I64TruncSatF64S(f64) -> i64 = |a| a as i64;
                I64TruncSatF64U(f64) -> u64 = |a| a as u64;
            }
            unary_trap {
                I32TruncF32S(f32) -> i32 = |a| i32_trunc_s(f64::from(a));
                I32TruncF32U(f32) -> u32 = |a| i32_trunc_u(f64::from(a));
                I32TruncF64S(f64) -> i32 = |a| i32_trunc_s(a);
                I32TruncF64U(f64) -> u32 = |a| i32_trunc_u(a);
                I64TruncF32S(f32) -> i64 = |a| i64_trunc_s(f64::from(a));
                I64TruncF32U(f32) -> u64 = |a| i64_trunc_u(f64::from(a));
                I64TruncF64S(f64) -> i64 = |a| i64_trunc_s(a);
                I64TruncF64U(f64) -> u64 = |a| i64_trunc_u(a);
            }
            binary {
                I32Add [imm I32AddImm] commutative (u32) -> u32 = |a, b| a.wrapping_add(b);
                I32Sub [imm I32SubImm, rev I32SubRev, flip I32SubFlip] (u32) -> u32 = |a, b| a.wrapping_sub(b);
                I32Mul [imm I32MulImm] commutative (u32) -> u32 = |a, b| a.wrapping_mul(b);
                I32And [imm I32AndImm] commutative (u32) -> u32 = |a, b| a & b;
                I32Or [imm I32OrImm] commutative (u32) -> u32 = |a, b| a | b;
                I32Xor [imm I32XorImm] commutative (u32) -> u32 = |a, b| a ^ b;
                I32Shl [imm I32ShlImm, rev I32ShlRev, flip I32ShlFlip] (u32) -> u32 = |a, b| a.wrapping_shl(b);
                I32ShrS [imm I32ShrSImm, rev I32ShrSRev, flip I32ShrSFlip] (i32) -> i32 = |a, b| a.wrapping_shr(b as u32);
                I32ShrU [imm I32ShrUImm, rev I32ShrURev, flip I32ShrUFlip] (u32) -> u32 = |a, b| a.wrapping_shr(b);
                I32Rotl [imm I32RotlImm] (u32) -> u32 = |a, b| a.rotate_left(b % 32);
                I32Rotr [imm I32RotrImm] (u32) -> u32 = |a, b| a.rotate_right(b % 32);
                I64Add [imm I64AddImm] commutative (u64) -> u64 = |a, b| a.wrapping_add(b);
                I64Sub [imm I64SubImm, rev I64SubRev, flip I64SubFlip] (u64) -> u64 = |a, b| a.wrapping_sub(b);
                I64Mul [imm I64MulImm] commutative (u64) -> u64 = |a, b| a.wrapping_mul(b);
                I64And [imm I64AndImm] commutative (u64) -> u64 = |a, b| a & b;
                I64Or [imm I64OrImm] commutative (u64) -> u64 = |a, b| a | b;
                I64Xor [imm I64XorImm] commutative (u64) -> u64 = |a, b| a ^ b;
                I64Shl [imm I64ShlImm, rev I64ShlRev, flip I64ShlFlip] (u64) -> u64 = |a, b| a.wrapping_shl(b as u32);
                I64ShrS [imm I64ShrSImm, rev I64ShrSRev, flip I64ShrSFlip] (i64) -> i64 = |a, b| a.wrapping_shr(b as u32);
                I64ShrU [imm I64ShrUImm, rev I64ShrURev, flip I64ShrUFlip] (u64) -> u64 = |a, b| a.wrapping_shr(b as u32);
                I64Rotl [imm I64RotlImm] (u64) -> u64 = |a, b| a.rotate_left((b % 64) as u32);
                I64Rotr [imm I64RotrImm] (u64) -> u64 = |a, b| a.rotate_right((b % 64) as u32);
                F32Add [] commutative (f32) -> f32 = |a, b| a + b;
                F32Sub [flip F32SubFlip] (f32) -> f32 = |a, b| a - b;
                F32Mul [] commutative (f32) -> f32 = |a, b| a * b;
                F32Div [flip F32DivFlip] (f32) -> f32 = |a, b| a / b;
                F32Min [] (f32) -> f32 = |a, b| f32_min(a, b);
                F32Max [] (f32) -> f32 = |a, b| f32_max(a, b);
                F32Copysign [] (u32) -> u32 = |a, b| (a & 0x7fff_ffff) | (b & 0x8000_0000);
                F64Add [] commutative (f64) -> f64 = |a, b| a + b;
                F64Sub [flip F64SubFlip] (f64) -> f64 = |a, b| a - b;
                F64Mul [] commutative (f64) -> f64 = |a, b| a * b;
                F64Div [flip F64DivFlip] (f64) -> f64 = |a, b| a / b;
                F64Min [] (f64) -> f64 = |a, b| f64_min(a, b);
                F64Max [] (f64) -> f64 = |a, b| f64_max(a, b);
                F64Copysign [] (u64) -> u64 =
                    |a, b| (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000);
            }
            binary_trap {
                I32DivS [imm I32DivSImm, rev I32DivSRev, flip I32DivSFlip] (i32) -> i32 = |a, b| i32_div_s(a, b);
                I32DivU [imm I32DivUImm, rev I32DivURev, flip I32DivUFlip] (u32) -> u32 = |a, b| i32_div_u(a, b);
                I32RemS [imm I32RemSImm, rev I32RemSRev, flip I32RemSFlip] (i32) -> i32 = |a, b| i32_rem_s(a, b);
                I32RemU [imm I32RemUImm, rev I32RemURev, flip I32RemUFlip] (u32) -> u32 = |a, b| i32_rem_u(a, b);
                I64DivS [imm I64DivSImm, rev I64DivSRev, flip I64DivSFlip] (i64) -> i64 = |a, b| i64_div_s(a, b);
                I64DivU [imm I64DivUImm, rev I64DivURev, flip I64DivUFlip] (u64) -> u64 = |a, b| i64_div_u(a, b);
                I64RemS [imm I64RemSImm, rev I64RemSRev, flip I64RemSFlip] (i64) -> i64 = |a, b| i64_rem_s(a, b);
                I64RemU [imm I64RemUImm, rev I64RemURev, flip I64RemUFlip] (u64) -> u64 = |a, b| i64_rem_u(a, b);
            }
            compare {
                I32Eq [imm I32EqImm, br BrI32Eq, br_imm BrI32EqImm, br_inc BrI32EqInc] negate I32Ne swap I32Eq (u32) = |a, b| a == b;
                I32Ne [imm I32NeImm, br BrI32Ne, br_imm BrI32NeImm, br_inc BrI32NeInc] negate I32Eq swap I32Ne (u32) = |a, b| a != b;
                I32LtS [imm I32LtSImm, br BrI32LtS, br_imm BrI32LtSImm, br_inc BrI32LtSInc] negate I32GeS swap I32GtS (i32) = |a, b| a < b;
                I32LtU [imm I32LtUImm, br BrI32LtU, br_imm BrI32LtUImm, br_inc BrI32LtUInc] negate I32GeU swap I32GtU (u32) = |a, b| a < b;
                I32GtS [imm I32GtSImm, br BrI32GtS, br_imm BrI32GtSImm, br_inc BrI32GtSInc] negate I32LeS swap I32LtS (i32) = |a, b| a > b;
                I32GtU [imm I32GtUImm, br BrI32GtU, br_imm BrI32GtUImm, br_inc BrI32GtUInc] negate I32LeU swap I32LtU (u32) = |a, b| a > b;
                I32LeS [imm I32LeSImm, br BrI32LeS, br_imm BrI32LeSImm, br_inc BrI32LeSInc] negate I32GtS swap I32GeS (i32) = |a, b| a <= b;
                I32LeU [imm I32LeUImm, br BrI32LeU, br_imm BrI32LeUImm, br_inc BrI32LeUInc] negate I32GtU swap I32GeU (u32) = |a, b| a <= b;
                I32GeS [imm I32GeSImm, br BrI32GeS, br_imm BrI32GeSImm, br_inc BrI32GeSInc] negate I32LtS swap I32LeS (i32) = |a, b| a >= b;
                I32GeU [imm I32GeUImm, br BrI32GeU, br_imm BrI32GeUImm, br_inc BrI32GeUInc] negate I32LtU swap I32LeU (u32) = |a, b| a >= b;
                I64Eq [imm I64EqImm, br BrI64Eq, br_imm BrI64EqImm, br_inc BrI64EqInc] negate I64Ne swap I64Eq (u64) = |a, b| a == b;
                I64Ne [imm I64NeImm, br BrI64Ne, br_imm BrI64NeImm, br_inc BrI64NeInc] negate I64Eq swap I64Ne (u64) = |a, b| a != b;
                I64LtS [imm I64LtSImm, br BrI64LtS, br_imm BrI64LtSImm, br_inc BrI64LtSInc] negate I64GeS swap I64GtS (i64) = |a, b| a < b;
                I64LtU [imm I64LtUImm, br BrI64LtU, br_imm BrI64LtUImm, br_inc BrI64LtUInc] negate I64GeU swap I64GtU (u64) = |a, b| a < b;
                I64GtS [imm I64GtSImm, br BrI64GtS, br_imm BrI64GtSImm, br_inc BrI64GtSInc] negate I64LeS swap I64LtS (i64) = |a, b| a > b;
                I64GtU [imm I64GtUImm, br BrI64GtU, br_imm BrI64GtUImm, br_inc BrI64GtUInc] negate I64LeU swap I64LtU (u64) = |a, b| a > b;
                I64LeS [imm I64LeSImm, br BrI64LeS, br_imm BrI64LeSImm, br_inc BrI64LeSInc] negate I64GtS swap I64GeS (i64) = |a, b| a <= b;
                I64LeU [imm I64LeUImm, br BrI64LeU, br_imm BrI64LeUImm, br_inc BrI64LeUInc] negate I64GtU swap I64GeU (u64) = |a, b| a <= b;
                I64GeS [imm I64GeSImm, br BrI64GeS, br_imm BrI64GeSImm, br_inc BrI64GeSInc] negate I64LtS swap I64LeS (i64) = |a, b| a >= b;
                I64GeU [imm I64GeUImm, br BrI64GeU, br_imm BrI64GeUImm, br_inc BrI64GeUInc] negate I64LtU swap I64LeU (u64) = |a, b| a >= b;
                F32Eq [br BrF32Eq, br_not BrNotF32Eq] swap F32Eq (f32) = |a, b| a == b;
                F32Ne [br BrF32Ne, br_not BrNotF32Ne] swap F32Ne (f32) = |a, b| a != b;
                F32Lt [br BrF32Lt, br_not BrNotF32Lt] swap F32Gt (f32) = |a, b| a < b;
                F32Gt [br BrF32Gt, br_not BrNotF32Gt] swap F32Lt (f32) = |a, b| a > b;
                F32Le [br BrF32Le, br_not BrNotF32Le] swap F32Ge (f32) = |a, b| a <= b;
                F32Ge [br BrF32Ge, br_not BrNotF32Ge] swap F32Le (f32) = |a, b| a >= b;
                F64Eq [br BrF64Eq, br_not BrNotF64Eq] swap F64Eq (f64) = |a, b| a == b;
                F64Ne [br BrF64Ne, br_not BrNotF64Ne] swap F64Ne (f64) = |a, b| a != b;
                F64Lt [br BrF64Lt, br_not BrNotF64Lt] swap F64Gt (f64) = |a, b| a < b;
                F64Gt [br BrF64Gt, br_not BrNotF64Gt] swap F64Lt (f64) = |a, b| a > b;
                F64Le [br BrF64Le, br_not BrNotF64Le] swap F64Ge (f64) = |a, b| a <= b;
                F64Ge [br BrF64Ge, br_not BrNotF64Ge] swap F64Le (f64) = |a, b| a >= b;
            }
            load {
                I32Load(4) [at I32LoadAt, idx I32LoadIdx] -> u32 = |b| u32::from_le_bytes(b);
                I64Load(8) [at I64LoadAt, idx I64LoadIdx] -> u64 = |b| u64::from_le_bytes(b);
                F32Load(4) [at F32LoadAt, idx F32LoadIdx] -> u32 = |b| u32::from_le_bytes(b);
                F64Load(8) [at F64LoadAt, idx F64LoadIdx] -> u64 = |b| u64::from_le_bytes(b);
                I32Load8S(1) [at I32Load8SAt] -> i32 = |b| i32::from(b[0] as i8);
                I32Load8U(1) [at I32Load8UAt] -> u32 = |b| u32::from(b[0]);
                I32Load16S(2) [at I32Load16SAt, idx I32Load16SIdx] -> i32 = |b| i32::from(i16::from_le_bytes(b));
                I32Load16U(2) [at I32Load16UAt, idx I32Load16UIdx] -> u32 = |b| u32::from(u16::from_le_bytes(b));
                I64Load8S(1) [at I64Load8SAt] -> i64 = |b| i64::from(b[0] as i8);
                I64Load8U(1) [at I64Load8UAt] -> u64 = |b| u64::from(b[0]);
                I64Load16S(2) [at I64Load16SAt, idx I64Load16SIdx] -> i64 = |b| i64::from(i16::from_le_bytes(b));
                I64Load16U(2) [at I64Load16UAt, idx I64Load16UIdx] -> u64 = |b| u64::from(u16::from_le_bytes(b));
                I64Load32S(4) [at I64Load32SAt, idx I64Load32SIdx] -> i64 = |b| i64::from(i32::from_le_bytes(b));
                I64Load32U(4) [at I64Load32UAt, idx I64Load32UIdx] -> u64 = |b| u64::from(u32::from_le_bytes(b));
            }
            store {
                I32Store(u32) [imm I32StoreImm, at I32StoreAt, imm_at I32StoreImmAt] -> 4 = |v| v.to_le_bytes();
                I64Store(u64) [imm I64StoreImm, at I64StoreAt, imm_at I64StoreImmAt] -> 8 = |v| v.to_le_bytes();
                F32Store(u32) [imm F32StoreImm, at F32StoreAt, imm_at F32StoreImmAt] -> 4 = |v| v.to_le_bytes();
                F64Store(u64) [imm F64StoreImm, at F64StoreAt, imm_at F64StoreImmAt] -> 8 = |v| v.to_le_bytes();
                I32Store8(u32) [imm I32Store8Imm, at I32Store8At, imm_at I32Store8ImmAt] -> 1 = |v| [v as u8];
                I32Store16(u32) [imm I32Store16Imm, at I32Store16At, imm_at I32Store16ImmAt] -> 2 = |v| (v as u16).to_le_bytes();
                I64Store8(u64) [imm I64Store8Imm, at I64Store8At, imm_at I64Store8ImmAt] -> 1 = |v| [v as u8];
                I64Store16(u64) [imm I64Store16Imm, at I64Store16At, imm_at I64Store16ImmAt] -> 2 = |v| (v as u16).to_le_bytes();
                I64Store32(u64) [imm I64Store32Imm, at I64Store32At, imm_at I64Store32ImmAt] -> 4 = |v| (v as u32).to_le_bytes();
            }
        }
    };
}
pub(crate) use with_isa;

/// Turns the table into one flat list, every instruction (family variants
/// included) in the form of a `special` row, and hands it to `$callback`:
/// `Name { field: kind@position, ... } (s) { body }`.
macro_rules! flat_isa {
    (($callback:ident)
        special { $($special:tt)* } unary { $($unary:tt)* } unary_trap { $($unary_trap:tt)* }
        binary { $($binary:tt)* } binary_trap { $($binary_trap:tt)* } compare { $($compare:tt)* }
        load { $($load:tt)* } store { $($store:tt)* }) => {
        $crate::isa::flat_isa!(@special $callback [] [$($special)*]
            [$($unary)*] [$($unary_trap)*] [$($binary)*] [$($binary_trap)*] [$($compare)*]
            [$($load)*] [$($store)*]);
    };

    (@special $cb:ident [$($acc:tt)*] [
        $(#[$meta:meta])* $name:ident { $($field:ident : $kind:ident @ $pos:ident),* } ($s:ident) $body:block
        $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@special $cb [$($acc)*
            $name { $($field: $kind@$pos),* } ($s) $body
        ] [$($rest)*] $($more)*);
    };
    (@special $cb:ident [$($acc:tt)*] [] $($more:tt)*) => {
        $crate::isa::flat_isa!(@unary $cb [$($acc)*] $($more)*);
    };

    (@unary $cb:ident [$($acc:tt)*] [
        $name:ident ($ty:ident) -> $out:ident = |$a:ident| $e:expr; $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@unary $cb [$($acc)*
            $name { dst: out@p, src: inp@q } (s) {
                let $a: $ty = s.input(src);
                s.output::<$out>(dst, $e);
                Flow::Next
            }
        ] [$($rest)*] $($more)*);
    };
    (@unary $cb:ident [$($acc:tt)*] [] $($more:tt)*) => {
        $crate::isa::flat_isa!(@unary_trap $cb [$($acc)*] $($more)*);
    };

    (@unary_trap $cb:ident [$($acc:tt)*] [
        $name:ident ($ty:ident) -> $out:ident = |$a:ident| $e:expr; $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@unary_trap $cb [$($acc)*
            $name { dst: out@p, src: inp@q } (s) {
                let $a: $ty = s.input(src);
                match $e {
                    Ok(value) => {
                        s.output::<$out>(dst, value);
                        Flow::Next
                    }
                    Err(code) => Flow::Trap(code),
                }
            }
        ] [$($rest)*] $($more)*);
    };
    (@unary_trap $cb:ident [$($acc:tt)*] [] $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary $cb [$($acc)*] $($more)*);
    };

    (@binary $cb:ident [$($acc:tt)*] [
        $name:ident [$($vk:ident $vn:ident),*] $($flag:ident)? ($ty:ident) -> $out:ident
            = |$a:ident, $b:ident| $e:expr; $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_variants $cb [$($acc)*
            $name { dst: out@p, lhs: inp@q, rhs: slot@rlo } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = s.get(rhs);
                s.output::<$out>(dst, $e);
                Flow::Next
            }
        ] [$($vk $vn)*] ($ty, $out, $a, $b, $e) [$($rest)*] $($more)*);
    };
    (@binary $cb:ident [$($acc:tt)*] [] $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_trap $cb [$($acc)*] $($more)*);
    };
    (@binary_variants $cb:ident [$($acc:tt)*] [imm $vn:ident $($vrest:tt)*]
        ($ty:ident, $out:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_variants $cb [$($acc)*
            $vn { dst: out@p, lhs: inp@q, imm: u32@r } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = Imm::imm32(imm);
                s.output::<$out>(dst, $e);
                Flow::Next
            }
        ] [$($vrest)*] ($ty, $out, $a, $b, $e) $($more)*);
    };
    (@binary_variants $cb:ident [$($acc:tt)*] [rev $vn:ident $($vrest:tt)*]
        ($ty:ident, $out:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_variants $cb [$($acc)*
            $vn { dst: out@p, rhs: inp@q, imm: u32@r } (s) {
                let $a: $ty = Imm::imm32(imm);
                let $b: $ty = s.input(rhs);
                s.output::<$out>(dst, $e);
                Flow::Next
            }
        ] [$($vrest)*] ($ty, $out, $a, $b, $e) $($more)*);
    };
    (@binary_variants $cb:ident [$($acc:tt)*] [flip $vn:ident $($vrest:tt)*]
        ($ty:ident, $out:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_variants $cb [$($acc)*
            $vn { dst: out@p, rhs: inp@q, lhs: slot@rlo } (s) {
                let $a: $ty = s.get(lhs);
                let $b: $ty = s.input(rhs);
                s.output::<$out>(dst, $e);
                Flow::Next
            }
        ] [$($vrest)*] ($ty, $out, $a, $b, $e) $($more)*);
    };
    (@binary_variants $cb:ident [$($acc:tt)*] [] ($($row:tt)*) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary $cb [$($acc)*] $($more)*);
    };

    (@binary_trap $cb:ident [$($acc:tt)*] [
        $name:ident [$($vk:ident $vn:ident),*] ($ty:ident) -> $out:ident
            = |$a:ident, $b:ident| $e:expr; $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_trap_variants $cb [$($acc)*
            $name { dst: out@p, lhs: inp@q, rhs: slot@rlo } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = s.get(rhs);
                match $e {
                    Ok(value) => {
                        s.output::<$out>(dst, value);
                        Flow::Next
                    }
                    Err(code) => Flow::Trap(code),
                }
            }
        ] [$($vk $vn)*] ($ty, $out, $a, $b, $e) [$($rest)*] $($more)*);
    };
    (@binary_trap $cb:ident [$($acc:tt)*] [] $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare $cb [$($acc)*] $($more)*);
    };
    (@binary_trap_variants $cb:ident [$($acc:tt)*] [imm $vn:ident $($vrest:tt)*]
        ($ty:ident, $out:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_trap_variants $cb [$($acc)*
            $vn { dst: out@p, lhs: inp@q, imm: u32@r } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = Imm::imm32(imm);
                match $e {
                    Ok(value) => {
                        s.output::<$out>(dst, value);
                        Flow::Next
                    }
                    Err(code) => Flow::Trap(code),
                }
            }
        ] [$($vrest)*] ($ty, $out, $a, $b, $e) $($more)*);
    };
    (@binary_trap_variants $cb:ident [$($acc:tt)*] [rev $vn:ident $($vrest:tt)*]
        ($ty:ident, $out:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_trap_variants $cb [$($acc)*
            $vn { dst: out@p, rhs: inp@q, imm: u32@r } (s) {
                let $a: $ty = Imm::imm32(imm);
                let $b: $ty = s.input(rhs);
                match $e {
                    Ok(value) => {
                        s.output::<$out>(dst, value);
                        Flow::Next
                    }
                    Err(code) => Flow::Trap(code),
                }
            }
        ] [$($vrest)*] ($ty, $out, $a, $b, $e) $($more)*);
    };
    (@binary_trap_variants $cb:ident [$($acc:tt)*] [flip $vn:ident $($vrest:tt)*]
        ($ty:ident, $out:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_trap_variants $cb [$($acc)*
            $vn { dst: out@p, rhs: inp@q, lhs: slot@rlo } (s) {
                let $a: $ty = s.get(lhs);
                let $b: $ty = s.input(rhs);
                match $e {
                    Ok(value) => {
                        s.output::<$out>(dst, value);
                        Flow::Next
                    }
                    Err(code) => Flow::Trap(code),
                }
            }
        ] [$($vrest)*] ($ty, $out, $a, $b, $e) $($more)*);
    };
    (@binary_trap_variants $cb:ident [$($acc:tt)*] [] ($($row:tt)*) $($more:tt)*) => {
        $crate::isa::flat_isa!(@binary_trap $cb [$($acc)*] $($more)*);
    };

    (@compare $cb:ident [$($acc:tt)*] [
        $name:ident [$($vk:ident $vn:ident),*] $(negate $neg:ident)? swap $swap:ident ($ty:ident)
            = |$a:ident, $b:ident| $e:expr; $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare_variants $cb [$($acc)*
            $name { dst: out@p, lhs: inp@q, rhs: slot@rlo } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = s.get(rhs);
                s.output::<bool>(dst, $e);
                Flow::Next
            }
        ] [$($vk $vn)*] ($ty, $a, $b, $e) [$($rest)*] $($more)*);
    };
    (@compare $cb:ident [$($acc:tt)*] [] $($more:tt)*) => {
        $crate::isa::flat_isa!(@load $cb [$($acc)*] $($more)*);
    };
    (@compare_variants $cb:ident [$($acc:tt)*] [imm $vn:ident $($vrest:tt)*]
        ($ty:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare_variants $cb [$($acc)*
            $vn { dst: out@p, lhs: inp@q, imm: u32@r } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = Imm::imm32(imm);
                s.output::<bool>(dst, $e);
                Flow::Next
            }
        ] [$($vrest)*] ($ty, $a, $b, $e) $($more)*);
    };
    (@compare_variants $cb:ident [$($acc:tt)*] [br $vn:ident $($vrest:tt)*]
        ($ty:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare_variants $cb [$($acc)*
            $vn { lhs: inp@p, rhs: slot@q, offset: i32@r } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = s.get(rhs);
                if $e { Flow::Jump(offset) } else { Flow::Next }
            }
        ] [$($vrest)*] ($ty, $a, $b, $e) $($more)*);
    };
    (@compare_variants $cb:ident [$($acc:tt)*] [br_imm $vn:ident $($vrest:tt)*]
        ($ty:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare_variants $cb [$($acc)*
            $vn { lhs: inp@p, imm: i16@q, offset: i32@r } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = Imm::imm16(imm);
                if $e { Flow::Jump(offset) } else { Flow::Next }
            }
        ] [$($vrest)*] ($ty, $a, $b, $e) $($more)*);
    };
    (@compare_variants $cb:ident [$($acc:tt)*] [br_inc $vn:ident $($vrest:tt)*]
        ($ty:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare_variants $cb [$($acc)*
            $vn { counter: slot@p, bound: slot@q, step: slot@rlo, offset: i16@rhi } (s) {
                let $a: $ty = s.get::<$ty>(counter).wrapping_add(s.get(step));
                s.set::<$ty>(counter, $a);
                s.clobber_acc($a);
                let $b: $ty = s.get(bound);
                if $e { Flow::Jump(i32::from(offset)) } else { Flow::Next }
            }
        ] [$($vrest)*] ($ty, $a, $b, $e) $($more)*);
    };
    (@compare_variants $cb:ident [$($acc:tt)*] [br_not $vn:ident $($vrest:tt)*]
        ($ty:ident, $a:ident, $b:ident, $e:expr) $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare_variants $cb [$($acc)*
            $vn { lhs: inp@p, rhs: slot@q, offset: i32@r } (s) {
                let $a: $ty = s.input(lhs);
                let $b: $ty = s.get(rhs);
                if $e { Flow::Next } else { Flow::Jump(offset) }
            }
        ] [$($vrest)*] ($ty, $a, $b, $e) $($more)*);
    };
    (@compare_variants $cb:ident [$($acc:tt)*] [] ($($row:tt)*) $($more:tt)*) => {
        $crate::isa::flat_isa!(@compare $cb [$($acc)*] $($more)*);
    };

    (@load $cb:ident [$($acc:tt)*] [
        $name:ident ($n:literal) [at $at:ident $(, idx $idx:ident)?] -> $out:ident = |$bytes:ident| $e:expr; $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@load $cb [$($acc)*
            $name { dst: out@p, ptr: inp@q, offset: u32@r } (s) {
                match s.load::<$n>(s.input(ptr), offset) {
                    Some($bytes) => {
                        s.output::<$out>(dst, $e);
                        Flow::Next
                    }
                    None => Flow::Trap(TrapCode::MemoryOutOfBounds),
                }
            }
            $at { dst: out@p, ptr: inp@q, add: u32@r } (s) {
                match s.load::<$n>(s.input::<u32>(ptr).wrapping_add(add), 0) {
                    Some($bytes) => {
                        s.output::<$out>(dst, $e);
                        Flow::Next
                    }
                    None => Flow::Trap(TrapCode::MemoryOutOfBounds),
                }
            }
            $($idx { dst: out@p, index: inp@q, add: u32@r } (s) {
                let ptr = (s.input::<u32>(index) << (const { ($n as u32).trailing_zeros() })).wrapping_add(add);
                match s.load::<$n>(ptr, 0) {
                    Some($bytes) => {
                        s.output::<$out>(dst, $e);
                        Flow::Next
                    }
                    None => Flow::Trap(TrapCode::MemoryOutOfBounds),
                }
            })?
        ] [$($rest)*] $($more)*);
    };
    (@load $cb:ident [$($acc:tt)*] [] $($more:tt)*) => {
        $crate::isa::flat_isa!(@store $cb [$($acc)*] $($more)*);
    };

    (@store $cb:ident [$($acc:tt)*] [
        $name:ident ($ty:ident) [imm $imm:ident, at $at:ident, imm_at $imm_at:ident] -> $n:literal = |$v:ident| $e:expr; $($rest:tt)*
    ] $($more:tt)*) => {
        $crate::isa::flat_isa!(@store $cb [$($acc)*
            $name { ptr: slot@p, value: inp@q, offset: u32@r } (s) {
                let $v: $ty = s.input(value);
                s.store::<$n>(s.get(ptr), offset, $e)
            }
            $imm { ptr: slot@p, value: i16@q, offset: u32@r } (s) {
                let $v: $ty = Imm::imm16(value);
                s.store::<$n>(s.get(ptr), offset, $e)
            }
            $at { ptr: slot@p, value: inp@q, add: u32@r } (s) {
                let $v: $ty = s.input(value);
                s.store::<$n>(s.get::<u32>(ptr).wrapping_add(add), 0, $e)
            }
            $imm_at { ptr: slot@p, value: i16@q, add: u32@r } (s) {
                let $v: $ty = Imm::imm16(value);
                s.store::<$n>(s.get::<u32>(ptr).wrapping_add(add), 0, $e)
            }
        ] [$($rest)*] $($more)*);
    };
    (@store $cb:ident [$($acc:tt)*] []) => {
        $cb! { $($acc)* }
    };
}
pub(crate) use flat_isa;
