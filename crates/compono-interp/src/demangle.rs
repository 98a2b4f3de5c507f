//! Rust symbol names, readable: the legacy (`_ZN…E`) and v0 (`_R…`)
//! manglings, printed as wasmtime prints them in a backtrace (hashes and
//! crate disambiguators kept: `std[d123b7a1a2ed1472]::process::abort`,
//! `app::main::h1975e70d26036297`).
//!
//! Names come from untrusted `name` sections, so the parser never panics
//! and is bounded: recursion depth, output length, and back-references
//! that may only point backwards. Anything it does not understand (Rust
//! punycode identifiers, C++ names) gives `None`, and the caller prints
//! the name as stored.

use std::fmt::Write as _;

/// The readable form of `symbol`, if it is a Rust name this understands.
pub(crate) fn demangle(symbol: &str) -> Option<String> {
    // A suffix LLVM adds (`.llvm.1234`) is not part of the name (legacy
    // names have dots of their own, before their closing `E`).
    if let Some(rest) = symbol.strip_prefix("_R") {
        let rest = rest.split_once('.').map_or(rest, |(s, _)| s);
        V0::new(rest).symbol()
    } else {
        let rest = symbol
            .strip_prefix("_ZN")
            .or_else(|| symbol.strip_prefix("__ZN"))?;
        legacy(rest)
    }
}

/// `{len ident}* E`, idents joined by `::`, with the `$..$` escapes.
fn legacy(mut rest: &str) -> Option<String> {
    let mut out = String::new();
    loop {
        if let Some(after) = rest.strip_prefix('E') {
            return (after.is_empty() || after.starts_with('.')).then_some(out);
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let len: usize = rest.get(..digits)?.parse().ok()?;
        let ident = rest.get(digits..digits.checked_add(len)?)?;
        rest = rest.get(digits + len..)?;
        if !out.is_empty() {
            out.push_str("::");
        }
        legacy_ident(ident, &mut out)?;
        if out.len() > MAX_OUTPUT {
            return None;
        }
    }
}

fn legacy_ident(ident: &str, out: &mut String) -> Option<()> {
    let mut rest = ident.strip_prefix("_$").map_or(ident, |r| {
        out.push('$');
        r
    });
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            out.push_str("::");
            rest = after;
        } else if let Some(after) = rest.strip_prefix('$') {
            let (escape, after) = after.split_once('$')?;
            let c = match escape {
                "SP" => '@',
                "BP" => '*',
                "RF" => '&',
                "LT" => '<',
                "GT" => '>',
                "LP" => '(',
                "RP" => ')',
                "C" => ',',
                _ => {
                    let hex = escape.strip_prefix('u')?;
                    char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                }
            };
            out.push(c);
            rest = after;
        } else {
            // Up to the next escape (the first character is never one).
            let first = rest.chars().next().map_or(0, char::len_utf8);
            let end = rest
                .get(first..)?
                .find(['$', '.'])
                .map_or(rest.len(), |i| i + first);
            out.push_str(rest.get(..end)?);
            rest = rest.get(end..)?;
        }
    }
    Some(())
}

fn integer_name(tag: u8) -> Option<&'static str> {
    Some(match tag {
        b'a' => "i8",
        b's' => "i16",
        b'l' => "i32",
        b'x' => "i64",
        b'n' => "i128",
        b'i' => "isize",
        b'h' => "u8",
        b't' => "u16",
        b'm' => "u32",
        b'y' => "u64",
        b'o' => "u128",
        b'j' => "usize",
        _ => return None,
    })
}

const MAX_DEPTH: u32 = 64;
const MAX_OUTPUT: usize = 4096;

/// A v0 name being printed (the grammar of the Rust symbol-mangling RFC
/// 2603, printed the way the rustc-demangle crate prints it by default).
struct V0<'a> {
    /// The symbol after `_R`; back-references are offsets into it.
    input: &'a [u8],
    at: usize,
    depth: u32,
    out: String,
}

impl<'a> V0<'a> {
    fn new(input: &'a str) -> Self {
        V0 {
            input: input.as_bytes(),
            at: 0,
            depth: 0,
            out: String::new(),
        }
    }

    fn symbol(mut self) -> Option<String> {
        // An encoding version, if any, must be absent (version 0).
        if self.peek()?.is_ascii_digit() {
            return None;
        }
        self.path(true)?;
        // The instantiating crate, if any, is not printed.
        Some(self.out)
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.at += 1;
        }
        found
    }

    fn push(&mut self, s: &str) -> Option<()> {
        self.out.push_str(s);
        (self.out.len() <= MAX_OUTPUT).then_some(())
    }

    /// Runs `f` one level deeper, failing past `MAX_DEPTH`.
    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Option<()>) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// `{0-9a-zA-Z} _`: `_` is 0, otherwise the digits plus one.
    fn base62(&mut self) -> Option<u64> {
        if self.eat(b'_') {
            return Some(0);
        }
        let mut value: u64 = 0;
        loop {
            let digit = match self.next()? {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'z' => b - b'a' + 10,
                b @ b'A'..=b'Z' => b - b'A' + 36,
                b'_' => return value.checked_add(1),
                _ => return None,
            };
            value = value.checked_mul(62)?.checked_add(u64::from(digit))?;
        }
    }

    /// `tag base62`, or 0 without the tag.
    fn optional_base62(&mut self, tag: u8) -> Option<u64> {
        if self.eat(tag) {
            self.base62()?.checked_add(1)
        } else {
            Some(0)
        }
    }

    fn decimal(&mut self) -> Option<usize> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(self.input.get(start..self.at)?)
            .ok()?
            .parse()
            .ok()
    }

    /// An identifier's bytes (punycode, `u…`, is not supported).
    fn ident(&mut self) -> Option<&'a str> {
        if self.peek() == Some(b'u') {
            return None;
        }
        let len = self.decimal()?;
        self.eat(b'_');
        let bytes = self.input.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        std::str::from_utf8(bytes).ok()
    }

    /// Runs `f` at the target of a back-reference, then returns here.
    fn backref(&mut self, f: impl FnOnce(&mut Self) -> Option<()>) -> Option<()> {
        let start = self.at - 1;
        let target = usize::try_from(self.base62()?).ok()?;
        if target >= start {
            return None;
        }
        let resume = std::mem::replace(&mut self.at, target);
        let result = self.nested(f);
        self.at = resume;
        result
    }

    /// A path; `in_value` prints generic arguments as `::<…>`.
    fn path(&mut self, in_value: bool) -> Option<()> {
        self.nested(|p| match p.next()? {
            b'C' => {
                let dis = p.optional_base62(b's')?;
                let name = p.ident()?;
                p.push(name)?;
                if dis != 0 {
                    p.push(&format!("[{dis:x}]"))?;
                }
                Some(())
            }
            b'N' => {
                let namespace = p.next()?;
                p.path(in_value)?;
                let dis = p.optional_base62(b's')?;
                let name = p.ident()?;
                if namespace.is_ascii_uppercase() {
                    p.push("::")?;
                    let kind = match namespace {
                        b'C' => "closure".to_string(),
                        b'S' => "shim".to_string(),
                        other => (other as char).to_string(),
                    };
                    let mut text = format!("{{{kind}");
                    if !name.is_empty() {
                        let _ = write!(text, ":{name}");
                    }
                    let _ = write!(text, "#{dis}}}");
                    p.push(&text)
                } else if namespace.is_ascii_lowercase() {
                    if name.is_empty() {
                        return Some(());
                    }
                    p.push("::")?;
                    p.push(name)
                } else {
                    None
                }
            }
            b'M' => {
                p.optional_base62(b's')?;
                p.skip_path()?;
                p.push("<")?;
                p.ty()?;
                p.push(">")
            }
            b'X' => {
                p.optional_base62(b's')?;
                p.skip_path()?;
                p.push("<")?;
                p.ty()?;
                p.push(" as ")?;
                p.path(false)?;
                p.push(">")
            }
            b'Y' => {
                p.push("<")?;
                p.ty()?;
                p.push(" as ")?;
                p.path(false)?;
                p.push(">")
            }
            b'I' => {
                p.path(in_value)?;
                p.push(if in_value { "::<" } else { "<" })?;
                p.generic_args()?;
                p.push(">")
            }
            b'B' => p.backref(|p| p.path(in_value)),
            _ => None,
        })
    }

    /// Parses a path without printing it (an impl's own path).
    fn skip_path(&mut self) -> Option<()> {
        let len = self.out.len();
        self.path(false)?;
        self.out.truncate(len);
        Some(())
    }

    /// `{generic-arg} E`, joined by `, `.
    fn generic_args(&mut self) -> Option<()> {
        let mut first = true;
        while !self.eat(b'E') {
            if !first {
                self.push(", ")?;
            }
            first = false;
            if self.eat(b'L') {
                // Only the erased lifetime; named ones need binders.
                if self.base62()? != 0 {
                    return None;
                }
                self.push("'_")?;
            } else if self.eat(b'K') {
                self.konst()?;
            } else {
                self.ty()?;
            }
        }
        Some(())
    }

    fn ty(&mut self) -> Option<()> {
        let basic = |b: u8| {
            Some(match b {
                b'a' => "i8",
                b'b' => "bool",
                b'c' => "char",
                b'd' => "f64",
                b'e' => "str",
                b'f' => "f32",
                b'h' => "u8",
                b'i' => "isize",
                b'j' => "usize",
                b'l' => "i32",
                b'm' => "u32",
                b'n' => "i128",
                b'o' => "u128",
                b's' => "i16",
                b't' => "u16",
                b'u' => "()",
                b'v' => "...",
                b'x' => "i64",
                b'y' => "u64",
                b'z' => "!",
                b'p' => "_",
                _ => return None,
            })
        };
        self.nested(|p| {
            let tag = p.peek()?;
            if let Some(name) = basic(tag) {
                p.at += 1;
                return p.push(name);
            }
            match tag {
                b'A' | b'S' => {
                    p.at += 1;
                    p.push("[")?;
                    p.ty()?;
                    if tag == b'A' {
                        p.push("; ")?;
                        p.konst()?;
                    }
                    p.push("]")
                }
                b'T' => {
                    p.at += 1;
                    p.push("(")?;
                    let mut count = 0;
                    while !p.eat(b'E') {
                        if count > 0 {
                            p.push(", ")?;
                        }
                        p.ty()?;
                        count += 1;
                    }
                    p.push(if count == 1 { ",)" } else { ")" })
                }
                b'R' | b'Q' => {
                    p.at += 1;
                    p.push(if tag == b'R' { "&" } else { "&mut " })?;
                    if p.eat(b'L') && p.base62()? != 0 {
                        return None;
                    }
                    p.ty()
                }
                b'P' | b'O' => {
                    p.at += 1;
                    p.push(if tag == b'P' { "*const " } else { "*mut " })?;
                    p.ty()
                }
                b'B' => {
                    p.at += 1;
                    p.backref(|p| p.ty())
                }
                // Function pointers and trait objects are rare in symbol
                // names; the name is then printed as stored.
                b'F' | b'D' => None,
                _ => p.path(false),
            }
        })
    }

    /// A const generic argument: a type then its value, `p` (a
    /// placeholder) or a back-reference.
    fn konst(&mut self) -> Option<()> {
        self.nested(|p| {
            if p.eat(b'p') {
                return p.push("_");
            }
            if p.eat(b'B') {
                return p.backref(|p| p.konst());
            }
            let ty = p.next()?;
            let negative = p.eat(b'n');
            let start = p.at;
            while p.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
                p.at += 1;
            }
            let hex = std::str::from_utf8(p.input.get(start..p.at)?).ok()?;
            if !p.eat(b'_') {
                return None;
            }
            let value = u128::from_str_radix(if hex.is_empty() { "0" } else { hex }, 16).ok()?;
            let sign = if negative { "-" } else { "" };
            let text = match ty {
                b'b' if value <= 1 => (if value == 0 { "false" } else { "true" }).to_string(),
                b'c' => format!("{:?}", char::from_u32(u32::try_from(value).ok()?)?),
                // Integers carry their type, as rustc-demangle prints them.
                b'a' | b's' | b'l' | b'x' | b'n' | b'i' => {
                    format!("{sign}{value}{}", integer_name(ty)?)
                }
                b'h' | b't' | b'm' | b'y' | b'o' | b'j' if !negative => {
                    format!("{value}{}", integer_name(ty)?)
                }
                _ => return None,
            };
            p.push(&text)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::demangle;

    #[test]
    fn legacy_names_keep_their_hash() {
        assert_eq!(
            demangle("_ZN10rust_panic4main17h1975e70d26036297E").as_deref(),
            Some("rust_panic::main::h1975e70d26036297")
        );
        assert_eq!(
            demangle("_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE").as_deref(),
            Some("core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>::h0123456789abcdef")
        );
    }

    /// Names from `fixtures/wasi/rust-panic`'s name section and how
    /// wasmtime (rustc-demangle) printed them in its backtrace.
    #[test]
    fn v0_names_print_as_wasmtime_prints_them() {
        for (mangled, expected) in [
            (
                "_RNvNtNtNtNtCshXfaRvt2tfW_3std3sys3pal4wasi7helpers14abort_internal",
                "std[d123b7a1a2ed1472]::sys::pal::wasi::helpers::abort_internal",
            ),
            (
                "_RNvCsfLfy6EI15iL_7___rustc12___rust_abort",
                "__rustc[b7974e8690430dd9]::__rust_abort",
            ),
            (
                "_RNCNvNtCshXfaRvt2tfW_3std9panicking13panic_handler0B5_",
                "std[d123b7a1a2ed1472]::panicking::panic_handler::{closure#0}",
            ),
            (
                "_RINvNtNtCshXfaRvt2tfW_3std3sys9backtrace26___rust_end_short_backtraceNCNvNtB6_9panicking13panic_handler0zEB6_",
                "std[d123b7a1a2ed1472]::sys::backtrace::__rust_end_short_backtrace::<std[d123b7a1a2ed1472]::panicking::panic_handler::{closure#0}, !>",
            ),
            (
                "_RNvNtCs9pv848UzQwQ_4core9panicking18panic_bounds_check",
                "core[6d9e98711c484d2e]::panicking::panic_bounds_check",
            ),
        ] {
            assert_eq!(demangle(mangled).as_deref(), Some(expected), "{mangled}");
        }
    }

    #[test]
    fn what_it_does_not_know_is_left_alone() {
        for name in [
            "main",
            "_Z3foov",
            "_ZN3foo",
            "_RNvC",
            "_RB_",
            "_RNvNtCs_3std",
            "_RIC3fooFEE",
            "_ZN3foo$XX$E",
        ] {
            assert_eq!(demangle(name), None, "{name}");
        }
    }

    #[test]
    fn every_truncation_and_byte_change_is_survived() {
        let names = [
            "_RINvNtNtCshXfaRvt2tfW_3std3sys9backtrace26___rust_end_short_backtraceNCNvNtB6_9panicking13panic_handler0zEB6_",
            "_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE",
            "_RINvCs1_3fooKj2a_KaZnff_KcZ41_KbZ1_ATuE3_SRL_Qf_EB4_",
        ];
        for name in names {
            for end in 0..=name.len() {
                let _ = demangle(&name[..end]);
            }
            for at in 0..name.len() {
                for replacement in ["B", "_", "I", "E", "0", "9", "é", "$", "."] {
                    let mut changed = name.to_string();
                    changed.replace_range(at..at + 1, replacement);
                    let _ = demangle(&changed);
                }
            }
        }
    }

    #[test]
    fn deep_or_looping_names_are_refused_not_followed() {
        let deep = format!("_R{}C3foo{}", "I".repeat(10_000), "E".repeat(10_000));
        assert_eq!(demangle(&deep), None);
        // A back-reference to itself would loop.
        assert_eq!(demangle("_RNvB0_3foo"), None);
    }
}
