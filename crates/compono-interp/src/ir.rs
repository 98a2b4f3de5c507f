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
            $($simple,)*
        }
    };
}
for_each_simple_op!(define_instr);

/// A translated function body.
#[derive(Debug)]
pub struct CompiledFunc {
    pub code: Vec<Instr>,
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
