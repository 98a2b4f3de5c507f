//! Names in the target languages: cases via `heck`, and keywords escaped
//! the way wit-bindgen users expect (a trailing underscore).

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "try",
    "type", "typeof", "unsafe", "use", "where", "while", "yield", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "unsized", "virtual",
];

const C_KEYWORDS: &[&str] = &[
    "alignas",
    "alignof",
    "auto",
    "bool",
    "break",
    "case",
    "char",
    "const",
    "constexpr",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "false",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "nullptr",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "struct",
    "switch",
    "thread_local",
    "true",
    "typedef",
    "typeof",
    "typeof_unqual",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_BitInt",
    "_Bool",
    "_Complex",
    "_Decimal128",
    "_Decimal32",
    "_Decimal64",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    "errno",
    "assert",
    "NULL",
];

fn escape_rust(name: String) -> String {
    if RUST_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// `snake_case`, keyword-safe: functions, fields, modules, parameters.
pub fn rust_snake(name: &str) -> String {
    escape_rust(name.to_snake_case())
}

/// `UpperCamelCase`, keyword-safe: types, cases.
pub fn rust_camel(name: &str) -> String {
    escape_rust(name.to_upper_camel_case())
}

/// `SHOUTY_SNAKE_CASE`: flag constants.
pub fn rust_shouty(name: &str) -> String {
    escape_rust(name.to_shouty_snake_case())
}

/// `snake_case` for C, keyword-safe.
pub fn c_snake(name: &str) -> String {
    let s = name.to_snake_case();
    if C_KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}
