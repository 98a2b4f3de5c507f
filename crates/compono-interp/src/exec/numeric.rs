//! Numeric semantics that Rust's operators do not give directly.

use crate::trap::{Trap, TrapCode};

pub(super) fn gi32(v: u64) -> i32 {
    v as u32 as i32
}
pub(super) fn gu32(v: u64) -> u32 {
    v as u32
}
pub(super) fn gi64(v: u64) -> i64 {
    v as i64
}
pub(super) fn gu64(v: u64) -> u64 {
    v
}
pub(super) fn gf32(v: u64) -> f32 {
    f32::from_bits(v as u32)
}
pub(super) fn gf64(v: u64) -> f64 {
    f64::from_bits(v)
}
pub(super) fn pi32(v: i32) -> u64 {
    v as u32 as u64
}
pub(super) fn pu32(v: u32) -> u64 {
    v as u64
}
pub(super) fn pi64(v: i64) -> u64 {
    v as u64
}
pub(super) fn pu64(v: u64) -> u64 {
    v
}
pub(super) fn pf32(v: f32) -> u64 {
    v.to_bits() as u64
}
pub(super) fn pf64(v: f64) -> u64 {
    v.to_bits()
}
pub(super) fn pbool(v: bool) -> u64 {
    v as u64
}

macro_rules! int_div {
    ($div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $s:ty, $u:ty) => {
        pub(super) fn $div_s(a: $s, b: $s) -> Result<$s, Trap> {
            if b == 0 {
                return Err(Trap::new(TrapCode::IntegerDivisionByZero));
            }
            a.checked_div(b).ok_or(Trap::new(TrapCode::IntegerOverflow))
        }
        pub(super) fn $div_u(a: $u, b: $u) -> Result<$u, Trap> {
            a.checked_div(b)
                .ok_or(Trap::new(TrapCode::IntegerDivisionByZero))
        }
        pub(super) fn $rem_s(a: $s, b: $s) -> Result<$s, Trap> {
            if b == 0 {
                return Err(Trap::new(TrapCode::IntegerDivisionByZero));
            }
            Ok(a.wrapping_rem(b))
        }
        pub(super) fn $rem_u(a: $u, b: $u) -> Result<$u, Trap> {
            a.checked_rem(b)
                .ok_or(Trap::new(TrapCode::IntegerDivisionByZero))
        }
    };
}
int_div!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
int_div!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

macro_rules! float_ops {
    ($min:ident, $max:ident, $nearest:ident, $f:ty) => {
        /// NaN in, NaN out; -0 is less than +0.
        pub(super) fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$f>::from_bits(a.to_bits() | b.to_bits())
            } else {
                a.min(b)
            }
        }
        pub(super) fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$f>::from_bits(a.to_bits() & b.to_bits())
            } else {
                a.max(b)
            }
        }
        pub(super) fn $nearest(a: $f) -> $f {
            a.round_ties_even()
        }
    };
}
float_ops!(f32_min, f32_max, f32_nearest, f32);
float_ops!(f64_min, f64_max, f64_nearest, f64);

/// Rounding helpers may pass a signalling NaN through unchanged; wasm
/// requires the result of arithmetic to be a quiet NaN.
pub(super) fn quiet_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 0x0040_0000)
    } else {
        x
    }
}
pub(super) fn quiet_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 0x0008_0000_0000_0000)
    } else {
        x
    }
}

pub(super) fn f32_copysign(a: u32, b: u32) -> u32 {
    (a & 0x7fff_ffff) | (b & 0x8000_0000)
}
pub(super) fn f64_copysign(a: u64, b: u64) -> u64 {
    (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000)
}

/// Checks a float (widened to f64, exactly) lies strictly between the
/// exclusive bounds `lo` and `hi` of the target integer range.
fn check_trunc(x: f64, lo: f64, hi: f64) -> Result<(), Trap> {
    if x.is_nan() {
        return Err(Trap::new(TrapCode::BadConversionToInteger));
    }
    if x <= lo || x >= hi {
        return Err(Trap::new(TrapCode::IntegerOverflow));
    }
    Ok(())
}

pub(super) fn i32_trunc_s(x: f64) -> Result<i32, Trap> {
    check_trunc(x, -2147483649.0, 2147483648.0)?;
    Ok(x as i32)
}
pub(super) fn i32_trunc_u(x: f64) -> Result<u32, Trap> {
    check_trunc(x, -1.0, 4294967296.0)?;
    Ok(x as u32)
}
pub(super) fn i64_trunc_s(x: f64) -> Result<i64, Trap> {
    if x.is_nan() {
        return Err(Trap::new(TrapCode::BadConversionToInteger));
    }
    // -2^63 itself is representable and valid.
    if !(-9223372036854775808.0..9223372036854775808.0).contains(&x) {
        return Err(Trap::new(TrapCode::IntegerOverflow));
    }
    Ok(x as i64)
}
pub(super) fn i64_trunc_u(x: f64) -> Result<u64, Trap> {
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
            i32_trunc_s(f64::NAN).unwrap_err().code(),
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
