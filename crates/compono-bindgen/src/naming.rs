//! Rust names: cases via `heck`, and keywords escaped the way wit-bindgen
//! users expect (a trailing underscore). C names are in `c::names`.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "try",
    "type", "typeof", "unsafe", "use", "where", "while", "yield", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "unsized", "virtual",
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
