//! Feeds a function body's operators to the validator and the translator
//! in one pass: wasmparser decodes each operator straight into a call of
//! the visitor below, which validates it and hands it to
//! `Emitter::operator`. Reading an `Operator` first and giving it to the
//! validator's `op` decoded it into a value and then matched it once more
//! to find the validator's method; this way each operator is decoded once.

use super::Emitter;
use crate::error::Error;
use wasmparser::{FuncValidator, Operator, ValidatorResources, VisitOperator, VisitSimdOperator};

pub(super) struct Visitor<'t, 'm> {
    pub emitter: &'t mut Emitter<'m>,
    pub validator: &'t mut FuncValidator<ValidatorResources>,
    /// Byte offset of the operator being visited.
    pub offset: u64,
    /// Why the last operator failed to validate or translate. Kept here
    /// rather than returned: the visitor's result passes through
    /// wasmparser's reader on every operator, and a `Result` of our large
    /// error type made that cost more than the check.
    pub error: Option<Error>,
}

/// One method per operator: validate it, then translate it. Arguments
/// are cloned for the validator (all are `Copy` but a `br_table`'s and a
/// `try_table`'s, which are rare).
macro_rules! define_visit {
    (($validator:ident) $(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) {
                let result = match self.validator.$validator(self.offset).$visit($($($arg.clone()),*)?) {
                    Ok(()) => self.emitter.operator(&Operator::$op $({ $($arg),* })?),
                    Err(error) => Err(Error::compile(error)),
                };
                if let Err(error) = result {
                    self.error = Some(error);
                }
            }
        )*
    };
}

macro_rules! define_visit_operator {
    ($($t:tt)*) => { define_visit!((visitor) $($t)*); };
}

macro_rules! define_visit_simd_operator {
    ($($t:tt)*) => { define_visit!((simd_visitor) $($t)*); };
}

impl<'a> VisitOperator<'a> for Visitor<'_, '_> {
    type Output = ();

    // SIMD is never enabled, so the validator rejects these with its own
    // message ("SIMD support is not enabled").
    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = ()>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_visit_operator);
}

impl<'a> VisitSimdOperator<'a> for Visitor<'_, '_> {
    wasmparser::for_each_visit_simd_operator!(define_visit_simd_operator);
}
