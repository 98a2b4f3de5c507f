//! The instruction set functions are translated into.
//!
//! A stack machine over untyped 64-bit slots. Locals live in the value stack
//! at the frame base; branch targets are instruction indices and the stack
//! adjustment a branch makes (`drop` slots below the `keep` top slots) is
//! computed at translation time, so execution never decodes or searches.

macro_rules! for_each_simple_op {
    ($m:ident) => {
        $m! {
            I32Eqz I32Eq I32Ne I32LtS I32LtU I32GtS I32GtU I32LeS I32LeU I32GeS I32GeU
            I64Eqz I64Eq I64Ne I64LtS I64LtU I64GtS I64GtU I64LeS I64LeU I64GeS I64GeU
            F32Eq F32Ne F32Lt F32Gt F32Le F32Ge F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
            I32Clz I32Ctz I32Popcnt I32Add I32Sub I32Mul I32DivS I32DivU I32RemS I32RemU
            I32And I32Or I32Xor I32Shl I32ShrS I32ShrU I32Rotl I32Rotr
            I64Clz I64Ctz I64Popcnt I64Add I64Sub I64Mul I64DivS I64DivU I64RemS I64RemU
            I64And I64Or I64Xor I64Shl I64ShrS I64ShrU I64Rotl I64Rotr
            F32Abs F32Neg F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt F32Add F32Sub F32Mul
            F32Div F32Min F32Max F32Copysign
            F64Abs F64Neg F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt F64Add F64Sub F64Mul
            F64Div F64Min F64Max F64Copysign
            I32WrapI64 I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U I64ExtendI32S
            I64ExtendI32U I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U F32ConvertI32S
            F32ConvertI32U F32ConvertI64S F32ConvertI64U F32DemoteF64 F64ConvertI32S
            F64ConvertI32U F64ConvertI64S F64ConvertI64U F64PromoteF32
            I32Extend8S I32Extend16S I64Extend8S I64Extend16S I64Extend32S
            I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
            I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U
        }
    };
}
pub(crate) use for_each_simple_op;

macro_rules! define_instr {
    ($($simple:ident)*) => {
        /// One instruction. Kept at 16 bytes so the code of a function is a
        /// dense array.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Instr {
            Unreachable,
            /// Charges one unit of fuel; placed at function entry and loop heads.
            ConsumeFuel,
            /// Keeps the top `keep` slots, removes the `drop` slots below them
            /// and continues at `target`.
            Br { target: u32, drop: u32, keep: u32 },
            /// Pops an i32 and branches like `Br` when it is non-zero.
            BrIf { target: u32, drop: u32, keep: u32 },
            /// Pops an i32 and jumps to `target` when it is zero (`if`).
            BrIfEqz { target: u32 },
            /// Pops an index `i`; the `len + 1` instructions that follow are the
            /// targets (`Br` or `Return`), the last being the default.
            BrTable { len: u32 },
            /// Moves the top `keep` slots to the frame base and returns.
            Return { keep: u32 },
            Call { func: u32 },
            CallIndirect { ty: u32, table: u32 },
            ReturnCall { func: u32 },
            ReturnCallIndirect { ty: u32, table: u32 },
            Drop,
            Select,
            LocalGet(u32),
            LocalSet(u32),
            LocalTee(u32),
            GlobalGet(u32),
            GlobalSet(u32),
            TableGet(u32),
            TableSet(u32),
            TableSize(u32),
            TableGrow(u32),
            TableFill(u32),
            TableCopy { dst: u32, src: u32 },
            TableInit { table: u32, elem: u32 },
            ElemDrop(u32),
            I32Load(u32),
            I64Load(u32),
            F32Load(u32),
            F64Load(u32),
            I32Load8S(u32),
            I32Load8U(u32),
            I32Load16S(u32),
            I32Load16U(u32),
            I64Load8S(u32),
            I64Load8U(u32),
            I64Load16S(u32),
            I64Load16U(u32),
            I64Load32S(u32),
            I64Load32U(u32),
            I32Store(u32),
            I64Store(u32),
            F32Store(u32),
            F64Store(u32),
            I32Store8(u32),
            I32Store16(u32),
            I64Store8(u32),
            I64Store16(u32),
            I64Store32(u32),
            MemorySize,
            MemoryGrow,
            MemoryInit(u32),
            DataDrop(u32),
            MemoryCopy,
            MemoryFill,
            Const32(u32),
            Const64(u64),
            RefIsNull,
            RefFunc(u32),
            // Fused forms made by the translator's peephole pass: `...L(l)`
            // takes its right operand from local `l`, `...I(c)` from an
            // immediate; `BrIf<cmp>` compares and branches (without stack
            // adjustment) in one step.
            BrIfI64Eqz { target: u32 },
            BrIfI64Nez { target: u32 },
        I32AddL(u32),
            I32AddI(u32),
            I32SubL(u32),
            I32SubI(u32),
            I32MulL(u32),
            I32MulI(u32),
            I32AndL(u32),
            I32AndI(u32),
            I32OrL(u32),
            I32OrI(u32),
            I32XorL(u32),
            I32XorI(u32),
            I32ShlL(u32),
            I32ShlI(u32),
            I32ShrSL(u32),
            I32ShrSI(u32),
            I32ShrUL(u32),
            I32ShrUI(u32),
            I32EqL(u32),
            I32EqI(u32),
            BrIfI32Eq { target: u32 },
            BrIfI32EqI { target: u32, imm: u32 },
            I32NeL(u32),
            I32NeI(u32),
            BrIfI32Ne { target: u32 },
            BrIfI32NeI { target: u32, imm: u32 },
            I32LtSL(u32),
            I32LtSI(u32),
            BrIfI32LtS { target: u32 },
            BrIfI32LtSI { target: u32, imm: u32 },
            I32LtUL(u32),
            I32LtUI(u32),
            BrIfI32LtU { target: u32 },
            BrIfI32LtUI { target: u32, imm: u32 },
            I32GtSL(u32),
            I32GtSI(u32),
            BrIfI32GtS { target: u32 },
            BrIfI32GtSI { target: u32, imm: u32 },
            I32GtUL(u32),
            I32GtUI(u32),
            BrIfI32GtU { target: u32 },
            BrIfI32GtUI { target: u32, imm: u32 },
            I32LeSL(u32),
            I32LeSI(u32),
            BrIfI32LeS { target: u32 },
            BrIfI32LeSI { target: u32, imm: u32 },
            I32LeUL(u32),
            I32LeUI(u32),
            BrIfI32LeU { target: u32 },
            BrIfI32LeUI { target: u32, imm: u32 },
            I32GeSL(u32),
            I32GeSI(u32),
            BrIfI32GeS { target: u32 },
            BrIfI32GeSI { target: u32, imm: u32 },
            I32GeUL(u32),
            I32GeUI(u32),
            BrIfI32GeU { target: u32 },
            BrIfI32GeUI { target: u32, imm: u32 },
            I64AddL(u32),
            I64AddI(u64),
            I64SubL(u32),
            I64SubI(u64),
            I64MulL(u32),
            I64MulI(u64),
            I64AndL(u32),
            I64AndI(u64),
            I64OrL(u32),
            I64OrI(u64),
            I64XorL(u32),
            I64XorI(u64),
            I64ShlL(u32),
            I64ShlI(u64),
            I64ShrSL(u32),
            I64ShrSI(u64),
            I64ShrUL(u32),
            I64ShrUI(u64),
            I64EqL(u32),
            I64EqI(u64),
            BrIfI64Eq { target: u32 },
            BrIfI64EqI { target: u32, imm: u64 },
            I64NeL(u32),
            I64NeI(u64),
            BrIfI64Ne { target: u32 },
            BrIfI64NeI { target: u32, imm: u64 },
            I64LtSL(u32),
            I64LtSI(u64),
            BrIfI64LtS { target: u32 },
            BrIfI64LtSI { target: u32, imm: u64 },
            I64LtUL(u32),
            I64LtUI(u64),
            BrIfI64LtU { target: u32 },
            BrIfI64LtUI { target: u32, imm: u64 },
            I64GtSL(u32),
            I64GtSI(u64),
            BrIfI64GtS { target: u32 },
            BrIfI64GtSI { target: u32, imm: u64 },
            I64GtUL(u32),
            I64GtUI(u64),
            BrIfI64GtU { target: u32 },
            BrIfI64GtUI { target: u32, imm: u64 },
            I64LeSL(u32),
            I64LeSI(u64),
            BrIfI64LeS { target: u32 },
            BrIfI64LeSI { target: u32, imm: u64 },
            I64LeUL(u32),
            I64LeUI(u64),
            BrIfI64LeU { target: u32 },
            BrIfI64LeUI { target: u32, imm: u64 },
            I64GeSL(u32),
            I64GeSI(u64),
            BrIfI64GeS { target: u32 },
            BrIfI64GeSI { target: u32, imm: u64 },
            I64GeUL(u32),
            I64GeUI(u64),
            BrIfI64GeU { target: u32 },
            BrIfI64GeUI { target: u32, imm: u64 },
            $($simple,)*
        }
    };
}
for_each_simple_op!(define_instr);

impl Instr {
    /// The jump target of a branch instruction, for patching forward branches.
    pub(crate) fn branch_target_mut(&mut self) -> Option<&mut u32> {
        match self {
            Instr::Br { target, .. }
            | Instr::BrIf { target, .. }
            | Instr::BrIfEqz { target }
            | Instr::BrIfI64Eqz { target }
            | Instr::BrIfI64Nez { target }
            | Instr::BrIfI32Eq { target } | Instr::BrIfI32EqI { target, .. }
            |            Instr::BrIfI32Ne { target } | Instr::BrIfI32NeI { target, .. }
            |            Instr::BrIfI32LtS { target } | Instr::BrIfI32LtSI { target, .. }
            |            Instr::BrIfI32LtU { target } | Instr::BrIfI32LtUI { target, .. }
            |            Instr::BrIfI32GtS { target } | Instr::BrIfI32GtSI { target, .. }
            |            Instr::BrIfI32GtU { target } | Instr::BrIfI32GtUI { target, .. }
            |            Instr::BrIfI32LeS { target } | Instr::BrIfI32LeSI { target, .. }
            |            Instr::BrIfI32LeU { target } | Instr::BrIfI32LeUI { target, .. }
            |            Instr::BrIfI32GeS { target } | Instr::BrIfI32GeSI { target, .. }
            |            Instr::BrIfI32GeU { target } | Instr::BrIfI32GeUI { target, .. }
            |            Instr::BrIfI64Eq { target } | Instr::BrIfI64EqI { target, .. }
            |            Instr::BrIfI64Ne { target } | Instr::BrIfI64NeI { target, .. }
            |            Instr::BrIfI64LtS { target } | Instr::BrIfI64LtSI { target, .. }
            |            Instr::BrIfI64LtU { target } | Instr::BrIfI64LtUI { target, .. }
            |            Instr::BrIfI64GtS { target } | Instr::BrIfI64GtSI { target, .. }
            |            Instr::BrIfI64GtU { target } | Instr::BrIfI64GtUI { target, .. }
            |            Instr::BrIfI64LeS { target } | Instr::BrIfI64LeSI { target, .. }
            |            Instr::BrIfI64LeU { target } | Instr::BrIfI64LeUI { target, .. }
            |            Instr::BrIfI64GeS { target } | Instr::BrIfI64GeSI { target, .. }
            |            Instr::BrIfI64GeU { target } | Instr::BrIfI64GeUI { target, .. } => Some(target),
            _ => None,
        }
    }
}

/// A translated function body.
#[derive(Debug)]
pub struct CompiledFunc {
    pub code: std::sync::Arc<[Instr]>,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    pub num_results: u32,
    /// The most slots the body needs above its frame base (locals and operands).
    pub max_height: u32,
}

#[cfg(test)]
mod tests {
    #[test]
    fn instructions_stay_compact() {
        assert!(std::mem::size_of::<super::Instr>() <= 16);
    }
}
