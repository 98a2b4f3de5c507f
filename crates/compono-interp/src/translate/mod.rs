//! Translation of one validated function body into [`Instr`]s.
//!
//! Validation and translation run in lock step: every operator is first fed
//! to wasmparser's function validator, whose operand and control stacks then
//! tell us the stack heights we need to resolve branches. Code that cannot be
//! reached (after `br`, `return`, `unreachable`, ...) is not emitted.

mod fuse;

use crate::error::{Error, Result};
use crate::ir::{CompiledFunc, Instr, for_each_simple_op};
use crate::module::ModuleInner;
use crate::types::FuncType;
use fuse::{fuse, fuse_br_if, fuse_counter_branch, fuse_if, fuse_local_set, local_written};
use wasmparser::{
    BlockType, FuncValidator, FunctionBody, Operator, OperatorsReader, ValidatorResources,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Function,
    Block,
    Loop,
    If,
    Else,
}

struct ControlFrame {
    kind: FrameKind,
    /// Entered from unreachable code, so nothing inside is ever executed or emitted.
    dead: bool,
    /// Where branches to a loop go.
    loop_head: u32,
    /// Branch instructions whose target is this frame's end.
    end_fixups: Vec<usize>,
    /// The `BrIfEqz` of an `if` that jumps to its `else` (or end).
    else_fixup: Option<usize>,
    params: u32,
    results: u32,
}

struct Translator<'m> {
    module: &'m ModuleInner,
    code: Vec<Instr>,
    frames: Vec<ControlFrame>,
    max_operands: u32,
    /// Position of the most recently bound label; the instruction there is a
    /// branch target and must not be fused with the one before it.
    label_at: usize,
}

const UNRESOLVED: u32 = u32::MAX;

fn unsupported(what: &str, offset: u64) -> Error {
    Error::Compile {
        message: format!("unsupported: {what}"),
        offset: Some(offset as usize),
    }
}

pub(crate) fn translate_function(
    module: &ModuleInner,
    ty: &FuncType,
    body: &FunctionBody<'_>,
    validator: &mut FuncValidator<ValidatorResources>,
    consume_fuel: bool,
) -> Result<CompiledFunc> {
    let mut reader = body.get_binary_reader();
    validator.read_locals(&mut reader).map_err(Error::compile)?;
    reader.set_features(*validator.features());
    let num_locals = validator.len_locals();
    let results = ty.results().len() as u32;
    let mut t = Translator {
        module,
        code: Vec::new(),
        frames: vec![ControlFrame {
            kind: FrameKind::Function,
            dead: false,
            loop_head: 0,
            end_fixups: Vec::new(),
            else_fixup: None,
            params: 0,
            results,
        }],
        max_operands: 0,
        label_at: 0,
    };
    if consume_fuel {
        t.code.push(Instr::ConsumeFuel);
    }
    let mut ops = OperatorsReader::new(reader);
    while !ops.eof() {
        let offset = ops.original_position();
        let op = ops.read().map_err(Error::compile)?;
        let height = validator.operand_stack_height();
        let live = !t.frames.last().is_some_and(|f| f.dead)
            && !validator
                .get_control_frame(0)
                .is_some_and(|f| f.unreachable);
        validator.op(offset, &op).map_err(Error::compile)?;
        t.max_operands = t
            .max_operands
            .max(height)
            .max(validator.operand_stack_height());
        t.translate(op, offset, height, live, validator, consume_fuel)?;
    }
    ops.finish().map_err(Error::compile)?;
    let code = t.code;
    if code.len() > u32::MAX as usize / 2 {
        return Err(unsupported("function too large", 0));
    }
    Ok(CompiledFunc {
        code: code.into(),
        num_params: ty.params().len() as u32,
        num_locals,
        num_results: results,
        // Room for a call's results beyond the operands validation saw.
        max_height: num_locals
            .saturating_add(t.max_operands)
            .saturating_add(results)
            .saturating_add(1),
    })
}

impl Translator<'_> {
    fn block_arity(&self, ty: BlockType) -> (u32, u32) {
        match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => match self.module.types.get(i as usize) {
                Some(f) => (f.params().len() as u32, f.results().len() as u32),
                None => (0, 0),
            },
        }
    }

    fn push_frame(&mut self, kind: FrameKind, dead: bool, ty: BlockType) {
        let (params, results) = self.block_arity(ty);
        self.frames.push(ControlFrame {
            kind,
            dead,
            loop_head: self.code.len() as u32,
            end_fixups: Vec::new(),
            else_fixup: None,
            params,
            results,
        });
    }

    /// The instruction for a branch to the label `depth` levels out, taken
    /// with `height` operands on the stack.
    fn branch(
        &mut self,
        depth: u32,
        height: u32,
        conditional: bool,
        validator: &FuncValidator<ValidatorResources>,
    ) -> (Instr, Option<usize>) {
        let index = self.frames.len() - 1 - depth as usize;
        let frame = &self.frames[index];
        let keep = if frame.kind == FrameKind::Loop {
            frame.params
        } else {
            frame.results
        };
        let label_height = validator
            .get_control_frame(depth as usize)
            .map_or(0, |f| f.height as u32);
        let drop = height.saturating_sub(keep).saturating_sub(label_height);
        let (target, fixup) = if frame.kind == FrameKind::Loop {
            (frame.loop_head, None)
        } else {
            (UNRESOLVED, Some(index))
        };
        let instr = if conditional {
            Instr::BrIf { target, drop, keep }
        } else {
            Instr::Br { target, drop, keep }
        };
        (instr, fixup)
    }

    /// Appends a branch, remembering it for patching if its target is a
    /// block end not yet known.
    fn push_branch(&mut self, instr: Instr, fixup_frame: Option<usize>) {
        if let Some(frame) = fixup_frame {
            self.frames[frame].end_fixups.push(self.code.len());
        }
        self.code.push(instr);
    }

    /// The last instruction, if the next one may be fused with it (no label
    /// is bound between them).
    fn fusable_last(&self) -> Option<Instr> {
        if self.label_at == self.code.len() {
            None
        } else {
            self.code.last().copied()
        }
    }

    fn bind_label(&mut self) {
        self.label_at = self.code.len();
    }

    /// Appends `instr`, fusing it with the previous instruction when a
    /// combined form exists (repeatedly: a fused instruction may fuse again).
    fn emit(&mut self, instr: Instr) {
        if let Instr::LocalCopy { from, to } = instr
            && from == to
        {
            return;
        }
        // `local.get k` before an instruction that only reads locals and
        // writes another one commutes with it; moving the `local.get` after
        // lets it fuse with its consumer (e.g. `local.get k; <add into t>;
        // local.get t; i32.gt_s; br_if` becomes the add and one branch).
        if let Some(Instr::LocalGet(k)) = self.fusable_last()
            && local_written(instr).is_some_and(|dst| dst != k)
        {
            self.code.pop();
            self.emit(instr);
            self.code.push(Instr::LocalGet(k));
            return;
        }
        if let Some(last) = self.fusable_last() {
            let fused = match instr {
                Instr::LocalSet(dst) => fuse_local_set(last, dst),
                Instr::LocalTee(dst) => {
                    // `local.tee` is `local.set` then `local.get`; worth
                    // splitting only when the set fuses.
                    if let Some(set) = fuse_local_set(last, dst) {
                        self.code.pop();
                        self.emit(set);
                        self.code.push(Instr::LocalGet(dst));
                        return;
                    }
                    None
                }
                _ => fuse(last, instr),
            };
            if let Some(fused) = fused {
                self.code.pop();
                self.emit(fused);
                return;
            }
        }
        self.code.push(instr);
    }

    /// `branch`, a conditional branch about to be appended, absorbing the
    /// increment of the local it tests when that is the last instruction.
    fn with_counter(&mut self, branch: Instr) -> Instr {
        match self
            .fusable_last()
            .and_then(|last| fuse_counter_branch(last, branch))
        {
            Some(fused) => {
                self.code.pop();
                fused
            }
            None => branch,
        }
    }

    fn is_function_label(&self, depth: u32) -> bool {
        depth as usize + 1 == self.frames.len()
    }

    fn patch(&mut self, at: usize, target: usize) {
        if let Some(t) = self.code[at].branch_target_mut() {
            *t = target as u32;
        }
    }

    fn translate(
        &mut self,
        op: Operator<'_>,
        offset: u64,
        height: u32,
        live: bool,
        validator: &FuncValidator<ValidatorResources>,
        consume_fuel: bool,
    ) -> Result<()> {
        use Operator as Op;
        match op {
            Op::Block { blockty } => {
                self.push_frame(FrameKind::Block, !live, blockty);
                return Ok(());
            }
            Op::Loop { blockty } => {
                if live {
                    self.bind_label();
                }
                self.push_frame(FrameKind::Loop, !live, blockty);
                if live && consume_fuel {
                    self.code.push(Instr::ConsumeFuel);
                }
                return Ok(());
            }
            Op::If { blockty } => {
                if live {
                    // A comparison right before `if` becomes the inverse
                    // comparison branching to the else arm.
                    let fused = self
                        .fusable_last()
                        .and_then(|last| fuse_if(last, UNRESOLVED));
                    if let Some(fused) = fused {
                        self.code.pop();
                        let fused = self.with_counter(fused);
                        self.code.push(fused);
                    } else {
                        self.code.push(Instr::BrIfEqz { target: UNRESOLVED });
                    }
                }
                let at = self.code.len().wrapping_sub(1);
                self.push_frame(FrameKind::If, !live, blockty);
                if live {
                    self.frames
                        .last_mut()
                        .expect("frame just pushed")
                        .else_fixup = Some(at);
                }
                return Ok(());
            }
            Op::Else => {
                let Some(frame) = self.frames.last() else {
                    return Ok(());
                };
                if frame.dead {
                    if let Some(f) = self.frames.last_mut() {
                        f.kind = FrameKind::Else;
                    }
                    return Ok(());
                }
                if live {
                    let at = self.code.len();
                    self.code.push(Instr::Br {
                        target: UNRESOLVED,
                        drop: 0,
                        keep: 0,
                    });
                    if let Some(f) = self.frames.last_mut() {
                        f.end_fixups.push(at);
                    }
                }
                let else_start = self.code.len();
                self.bind_label();
                if let Some(at) = self.frames.last_mut().and_then(|f| f.else_fixup.take()) {
                    self.patch(at, else_start);
                }
                if let Some(f) = self.frames.last_mut() {
                    f.kind = FrameKind::Else;
                }
                return Ok(());
            }
            Op::End => {
                let Some(frame) = self.frames.pop() else {
                    return Ok(());
                };
                if frame.dead {
                    return Ok(());
                }
                if frame.kind == FrameKind::Function {
                    self.code.push(Instr::Return {
                        keep: frame.results,
                    });
                }
                let end = self.code.len();
                self.bind_label();
                if let Some(at) = frame.else_fixup {
                    self.patch(at, end);
                }
                for at in frame.end_fixups {
                    self.patch(at, end);
                }
                return Ok(());
            }
            _ => {}
        }
        if !live {
            return Ok(());
        }
        let instr = match op {
            Op::Unreachable => Instr::Unreachable,
            // Slots are untyped bits, so reinterpretation changes nothing.
            Op::Nop
            | Op::I32ReinterpretF32
            | Op::I64ReinterpretF64
            | Op::F32ReinterpretI32
            | Op::F64ReinterpretI64 => return Ok(()),
            Op::Br { relative_depth } => {
                if self.is_function_label(relative_depth) {
                    Instr::Return {
                        keep: self.frames[0].results,
                    }
                } else {
                    let (instr, fixup) = self.branch(relative_depth, height, false, validator);
                    self.push_branch(instr, fixup);
                    return Ok(());
                }
            }
            Op::BrIf { relative_depth } => {
                if self.is_function_label(relative_depth) {
                    let skip = self.code.len() as u32 + 2;
                    self.code.push(Instr::BrIfEqz { target: skip });
                    self.code.push(Instr::Return {
                        keep: self.frames[0].results,
                    });
                    self.bind_label();
                    return Ok(());
                }
                let (mut instr, fixup) = self.branch(relative_depth, height - 1, true, validator);
                if let Instr::BrIf {
                    target, drop: 0, ..
                } = instr
                    && let Some(fused) = self
                        .fusable_last()
                        .and_then(|last| fuse_br_if(last, target))
                {
                    self.code.pop();
                    instr = self.with_counter(fused);
                }
                self.push_branch(instr, fixup);
                return Ok(());
            }
            Op::BrTable { targets } => {
                let len = targets.len();
                self.code.push(Instr::BrTable { len });
                let depths = targets
                    .targets()
                    .chain(std::iter::once(Ok(targets.default())))
                    .collect::<Result<Vec<u32>, _>>()
                    .map_err(Error::compile)?;
                for depth in depths {
                    if self.is_function_label(depth) {
                        self.code.push(Instr::Return {
                            keep: self.frames[0].results,
                        });
                    } else {
                        let (entry, fixup) = self.branch(depth, height - 1, false, validator);
                        self.push_branch(entry, fixup);
                    }
                }
                return Ok(());
            }
            Op::Return => Instr::Return {
                keep: self.frames[0].results,
            },
            Op::Call { function_index } => Instr::Call {
                func: function_index,
            },
            Op::CallIndirect {
                type_index,
                table_index,
            } => Instr::CallIndirect {
                ty: type_index,
                table: table_index,
            },
            Op::ReturnCall { function_index } => Instr::ReturnCall {
                func: function_index,
            },
            Op::ReturnCallIndirect {
                type_index,
                table_index,
            } => Instr::ReturnCallIndirect {
                ty: type_index,
                table: table_index,
            },
            Op::Drop => Instr::Drop,
            Op::Select | Op::TypedSelect { .. } => Instr::Select,
            Op::LocalGet { local_index } => Instr::LocalGet(local_index),
            Op::LocalSet { local_index } => Instr::LocalSet(local_index),
            Op::LocalTee { local_index } => Instr::LocalTee(local_index),
            Op::GlobalGet { global_index } => Instr::GlobalGet(global_index),
            Op::GlobalSet { global_index } => Instr::GlobalSet(global_index),
            Op::TableGet { table } => Instr::TableGet(table),
            Op::TableSet { table } => Instr::TableSet(table),
            Op::TableSize { table } => Instr::TableSize(table),
            Op::TableGrow { table } => Instr::TableGrow(table),
            Op::TableFill { table } => Instr::TableFill(table),
            Op::TableCopy {
                dst_table,
                src_table,
            } => Instr::TableCopy {
                dst: dst_table,
                src: src_table,
            },
            Op::TableInit { elem_index, table } => Instr::TableInit {
                table,
                elem: elem_index,
            },
            Op::ElemDrop { elem_index } => Instr::ElemDrop(elem_index),
            Op::MemorySize { .. } => Instr::MemorySize,
            Op::MemoryGrow { .. } => Instr::MemoryGrow,
            Op::MemoryInit { data_index, .. } => Instr::MemoryInit(data_index),
            Op::DataDrop { data_index } => Instr::DataDrop(data_index),
            Op::MemoryCopy { .. } => Instr::MemoryCopy,
            Op::MemoryFill { .. } => Instr::MemoryFill,
            Op::I32Const { value } => Instr::Const32(value as u32),
            Op::I64Const { value } => Instr::Const64(value as u64),
            Op::F32Const { value } => Instr::Const32(value.bits()),
            Op::F64Const { value } => Instr::Const64(value.bits()),
            Op::RefNull { .. } => Instr::Const32(0),
            Op::RefIsNull => Instr::RefIsNull,
            Op::RefFunc { function_index } => Instr::RefFunc(function_index),
            ref op => match memory_instr(op, offset)? {
                Some(instr) => instr,
                None => simple_instr(op).ok_or_else(|| unsupported("operator", offset))?,
            },
        };
        self.emit(instr);
        Ok(())
    }
}

fn memory_instr(op: &Operator<'_>, offset: u64) -> Result<Option<Instr>> {
    use Operator as Op;
    macro_rules! mem {
        ($($name:ident)*) => {
            match op {
                $(Op::$name { memarg } => {
                    let at = u32::try_from(memarg.offset).map_err(|_| unsupported("64-bit offset", offset))?;
                    Ok(Some(Instr::$name(at)))
                })*
                _ => Ok(None),
            }
        };
    }
    mem!(I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U I64Load8S I64Load8U
        I64Load16S I64Load16U I64Load32S I64Load32U I32Store I64Store F32Store F64Store I32Store8
        I32Store16 I64Store8 I64Store16 I64Store32)
}

fn simple_instr(op: &Operator<'_>) -> Option<Instr> {
    macro_rules! simple {
        ($($name:ident)*) => {
            match op {
                $(Operator::$name => Some(Instr::$name),)*
                _ => None,
            }
        };
    }
    for_each_simple_op!(simple)
}
