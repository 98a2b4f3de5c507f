//! Numeric semantics that Rust's operators do not give directly.

use crate::trap::TrapCode;

/// A wasm value as it lives in a 64-bit slot: integers zero-extended,
/// floats as their bits. Only the low bits are ever read back, and an i32
/// slot may hold any upper bits: `i32.wrap_i64` is no instruction, its
/// operand's slot being read as the i32.
pub(crate) trait SlotValue: Copy {
    fn from_slot(slot: u64) -> Self;
    fn to_slot(self) -> u64;
}

macro_rules! slot_value {
    ($($ty:ty: |$v:ident| $from:expr, |$x:ident| $to:expr;)*) => {
        $(impl SlotValue for $ty {
            #[inline(always)]
            fn from_slot($v: u64) -> Self {
                $from
            }
            #[inline(always)]
            fn to_slot(self) -> u64 {
                let $x = self;
                $to
            }
        })*
    };
}
slot_value! {
    u32: |v| v as u32, |x| u64::from(x);
    i32: |v| v as u32 as i32, |x| u64::from(x as u32);
    u64: |v| v, |x| x;
    i64: |v| v as i64, |x| x as u64;
    f32: |v| f32::from_bits(v as u32), |x| u64::from(x.to_bits());
    f64: |v| f64::from_bits(v), |x| x.to_bits();
    bool: |v| v != 0, |x| u64::from(x);
}

/// How an integer type reads the immediates of `binary`, `compare` and
/// branch instructions: 32-bit immediates are the value itself for 32-bit
/// types and sign-extended for 64-bit ones; 16-bit ones are sign-extended.
pub(crate) trait Imm {
    fn imm32(bits: u32) -> Self;
    fn imm16(bits: i16) -> Self;
}

macro_rules! imm {
    ($($ty:ty),*) => {
        $(impl Imm for $ty {
            #[inline(always)]
            fn imm32(bits: u32) -> Self {
                bits as i32 as $ty
            }
            #[inline(always)]
            fn imm16(bits: i16) -> Self {
                bits as $ty
            }
        })*
    };
}
imm!(u32, i32, u64, i64);

// Floats have no immediates; these exist so every row of the table
// compiles the same way and are never used.
impl Imm for f32 {
    fn imm32(bits: u32) -> Self {
        f32::from_bits(bits)
    }
    fn imm16(bits: i16) -> Self {
        f32::from(bits)
    }
}
impl Imm for f64 {
    fn imm32(bits: u32) -> Self {
        f64::from(f32::from_bits(bits))
    }
    fn imm16(bits: i16) -> Self {
        f64::from(bits)
    }
}

/// The 32-bit immediate standing for `value` (a slot's bits) of a 32-bit
/// (`wide == false`) or 64-bit type, if there is one.
pub(crate) fn fits_imm32(value: u64, wide: bool) -> Option<u32> {
    if !wide || value as i64 == i64::from(value as i32) {
        Some(value as u32)
    } else {
        None
    }
}

/// The 16-bit immediate standing for `value`, if there is one.
pub(crate) fn fits_imm16(value: u64, wide: bool) -> Option<i16> {
    let signed = if wide {
        value as i64
    } else {
        i64::from(value as u32 as i32)
    };
    i16::try_from(signed).ok()
}

macro_rules! int_div {
    ($div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $s:ty, $u:ty) => {
        pub(crate) fn $div_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                return Err(TrapCode::IntegerDivisionByZero);
            }
            a.checked_div(b).ok_or(TrapCode::IntegerOverflow)
        }
        pub(crate) fn $div_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_div(b).ok_or(TrapCode::IntegerDivisionByZero)
        }
        pub(crate) fn $rem_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                return Err(TrapCode::IntegerDivisionByZero);
            }
            Ok(a.wrapping_rem(b))
        }
        pub(crate) fn $rem_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_rem(b).ok_or(TrapCode::IntegerDivisionByZero)
        }
    };
}
int_div!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
int_div!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

macro_rules! float_ops {
    ($min:ident, $max:ident, $f:ty) => {
        /// NaN in, NaN out; -0 is less than +0.
        pub(crate) fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$f>::from_bits(a.to_bits() | b.to_bits())
            } else {
                a.min(b)
            }
        }
        pub(crate) fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$f>::from_bits(a.to_bits() & b.to_bits())
            } else {
                a.max(b)
            }
        }
    };
}
float_ops!(f32_min, f32_max, f32);
float_ops!(f64_min, f64_max, f64);

/// Rounding helpers may pass a signalling NaN through unchanged; wasm
/// requires the result of arithmetic to be a quiet NaN.
pub(crate) fn quiet_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 0x0040_0000)
    } else {
        x
    }
}
pub(crate) fn quiet_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 0x0008_0000_0000_0000)
    } else {
        x
    }
}

/// Checks a float (widened to f64, exactly) lies strictly between the
/// exclusive bounds `lo` and `hi` of the target integer range.
fn check_trunc(x: f64, lo: f64, hi: f64) -> Result<(), TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::BadConversionToInteger);
    }
    if x <= lo || x >= hi {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(())
}

pub(crate) fn i32_trunc_s(x: f64) -> Result<i32, TrapCode> {
    check_trunc(x, -2147483649.0, 2147483648.0)?;
    Ok(x as i32)
}
pub(crate) fn i32_trunc_u(x: f64) -> Result<u32, TrapCode> {
    check_trunc(x, -1.0, 4294967296.0)?;
    Ok(x as u32)
}
pub(crate) fn i64_trunc_s(x: f64) -> Result<i64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::BadConversionToInteger);
    }
    // -2^63 itself is representable and valid.
    if !(-9223372036854775808.0..9223372036854775808.0).contains(&x) {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(x as i64)
}
pub(crate) fn i64_trunc_u(x: f64) -> Result<u64, TrapCode> {
    check_trunc(x, -1.0, 18446744073709551616.0)?;
    Ok(x as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_bounds() {
        assert_eq!(i32_trunc_s(-2147483648.9), Ok(i32::MIN));
        assert!(i32_trunc_s(2147483648.0).is_err());
        assert_eq!(i32_trunc_u(-0.9), Ok(0));
        assert!(i64_trunc_s(9223372036854775808.0).is_err());
        assert_eq!(i64_trunc_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(
            i32_trunc_s(f64::NAN).unwrap_err(),
            TrapCode::BadConversionToInteger
        );
    }

    #[test]
    fn min_max_signed_zero() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
    }
}
