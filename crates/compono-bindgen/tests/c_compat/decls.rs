//! The C API a header declares, as a map from `kind name` to its
//! signature, read with clang-19: functions, typedefs (with the fields of
//! the structs and unions they name), variables and enum constants from
//! `-Xclang -ast-dump=json`, and macros from `-E -dM` with integer values
//! evaluated the way C does (so `(1 << 3)` and `((uint8_t) 1 << 3)` are the
//! same, and `(1 << 40)` on a 32-bit `int` is not a value at all).
//!
//! What the system headers the generated ones include declare is left out
//! by subtracting a baseline translation unit that includes only them.

use crate::tool;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

/// `kind name` -> signature.
pub type Api = BTreeMap<String, String>;

/// The system headers either generator's header includes; the baseline.
const SYSTEM_HEADERS: &[&str] = &["stdint.h", "stdbool.h", "stddef.h", "uchar.h"];

pub fn run(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("failed to run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .take(30)
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    Ok(out.stdout)
}

fn base_args(cmd: &mut Command) -> &mut Command {
    cmd.args(["--target=wasm32-wasi", "-x", "c", "-std=gnu17"])
}

/// The declarations and macros of the baseline (system headers only).
pub struct Baseline {
    decls: Api,
    macros: BTreeMap<String, String>,
}

impl Baseline {
    pub fn new(dir: &Path) -> Result<Baseline, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let header = dir.join("baseline.h");
        let text: String = SYSTEM_HEADERS
            .iter()
            .map(|h| format!("#include <{h}>\n"))
            .collect();
        std::fs::write(&header, text).map_err(|e| e.to_string())?;
        let decls = ast_decls(&header)?;
        let macros = macro_defs(&header)?;
        Ok(Baseline { decls, macros })
    }
}

/// Everything `header` declares beyond the baseline.
pub fn api(header: &Path, baseline: &Baseline) -> Result<Api, String> {
    let mut api: Api = ast_decls(header)?
        .into_iter()
        .filter(|(k, v)| baseline.decls.get(k) != Some(v))
        .collect();
    for (name, body) in macro_defs(header)? {
        if baseline.macros.get(&name) == Some(&body) {
            continue;
        }
        api.insert(format!("macro {name}"), macro_value(&body));
    }
    Ok(api)
}

fn ast_decls(header: &Path) -> Result<Api, String> {
    let json = run(base_args(&mut tool("clang-19"))
        .args(["-fsyntax-only", "-Xclang", "-ast-dump=json"])
        .arg(header))?;
    let root: Value = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
    let inner = root["inner"].as_array().cloned().unwrap_or_default();
    let mut records: HashMap<String, Value> = HashMap::new();
    collect_records(&inner, &mut records);
    let mut api = Api::new();
    for node in &inner {
        if node["isImplicit"].as_bool() == Some(true) {
            continue;
        }
        let name = node["name"].as_str().unwrap_or("");
        match node["kind"].as_str().unwrap_or("") {
            "FunctionDecl" => {
                api.insert(format!("function {name}"), qual_type(node));
            }
            "VarDecl" => {
                api.insert(format!("variable {name}"), qual_type(node));
            }
            "TypedefDecl" => {
                let sig = match owned_tag(node).and_then(|id| records.get(&id)) {
                    Some(record) => describe_record(record),
                    None => qual_type(node),
                };
                api.insert(format!("typedef {name}"), sig);
            }
            "RecordDecl" if !name.is_empty() => {
                // A tagged struct is API too (`struct x_t` in user code).
                let sig = describe_record(node);
                let key = format!("{} {name}", node["tagUsed"].as_str().unwrap_or("struct"));
                // A forward declaration and a definition of one tag.
                if !api.contains_key(&key) || node["completeDefinition"].as_bool() == Some(true) {
                    api.insert(key, sig);
                }
            }
            "EnumDecl" => {
                for c in node["inner"].as_array().into_iter().flatten() {
                    if c["kind"] == "EnumConstantDecl" {
                        let n = c["name"].as_str().unwrap_or("");
                        api.insert(format!("enum-constant {n}"), qual_type(c));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(api)
}

fn collect_records(nodes: &[Value], out: &mut HashMap<String, Value>) {
    for n in nodes {
        if n["kind"] == "RecordDecl"
            && let Some(id) = n["id"].as_str()
        {
            // Keep the definition over a forward declaration.
            if !out.contains_key(id) || n["completeDefinition"].as_bool() == Some(true) {
                out.insert(id.to_string(), n.clone());
            }
        }
        if let Some(inner) = n["inner"].as_array() {
            collect_records(inner, out);
        }
    }
}

fn qual_type(node: &Value) -> String {
    node["type"]["qualType"].as_str().unwrap_or("?").to_string()
}

/// The record a typedef defines in place (`typedef struct [tag] {...} n;`).
fn owned_tag(node: &Value) -> Option<String> {
    let mut stack: Vec<&Value> = node["inner"].as_array()?.iter().collect();
    while let Some(n) = stack.pop() {
        if let Some(id) = n["ownedTagDecl"]["id"].as_str() {
            return Some(id.to_string());
        }
        // Only look through sugar, not into pointee types.
        if n["kind"] == "ElaboratedType" {
            stack.extend(n["inner"].as_array().into_iter().flatten());
        }
    }
    None
}

/// `struct tag { type name; ... }`, anonymous members spelled out in place.
fn describe_record(node: &Value) -> String {
    let kind = node["tagUsed"].as_str().unwrap_or("struct");
    let tag = node["name"].as_str().unwrap_or("");
    if node["completeDefinition"].as_bool() != Some(true) {
        return format!("{kind} {tag} (opaque)");
    }
    let mut fields = Vec::new();
    let mut pending: Option<&Value> = None;
    for f in node["inner"].as_array().into_iter().flatten() {
        match f["kind"].as_str() {
            Some("RecordDecl") => pending = Some(f),
            Some("FieldDecl") => {
                let ty = qual_type(f);
                let ty = match pending.take() {
                    Some(r) if ty.contains("(unnamed") || ty.contains("(anonymous") => {
                        describe_record(r)
                    }
                    _ => ty,
                };
                fields.push(format!("{ty} {}", f["name"].as_str().unwrap_or("")));
            }
            _ => {}
        }
    }
    if tag.is_empty() {
        format!("{kind} {{ {} }}", fields.join("; "))
    } else {
        format!("{kind} {tag} {{ {} }}", fields.join("; "))
    }
}

/// `NAME` -> body of every macro defined after preprocessing `header`.
fn macro_defs(header: &Path) -> Result<BTreeMap<String, String>, String> {
    let out = run(base_args(&mut tool("clang-19"))
        .args(["-E", "-dM"])
        .arg(header))?;
    let mut macros = BTreeMap::new();
    for line in String::from_utf8_lossy(&out).lines() {
        let Some(rest) = line.strip_prefix("#define ") else {
            continue;
        };
        let (name, body) = match rest.find([' ', '(']) {
            // A function-like macro keeps its parameter list in the body.
            Some(i) if rest.as_bytes()[i] == b'(' => {
                let close = rest.find(')').map(|c| c + 1).unwrap_or(rest.len());
                (&rest[..close], rest[close..].trim())
            }
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        macros.insert(
            name.to_string(),
            body.split_whitespace().collect::<Vec<_>>().join(" "),
        );
    }
    Ok(macros)
}

/// An integer constant body as `value: type`, anything else as its text.
fn macro_value(body: &str) -> String {
    let tokens = tokenize(body);
    let mut p = Parser {
        tokens: &tokens,
        at: 0,
    };
    match p.shift() {
        Some(v) if p.at == tokens.len() => match v {
            IntValue::Defined {
                value,
                bits,
                signed,
            } => {
                format!("= {value} ({}{bits})", if signed { "i" } else { "u" })
            }
            IntValue::Undefined => "= <undefined behaviour>".into(),
        },
        _ => format!("text {body}"),
    }
}

#[derive(Clone, Copy)]
enum IntValue {
    Defined {
        value: i128,
        bits: u32,
        signed: bool,
    },
    /// A shift past the width of its type.
    Undefined,
}

fn tokenize(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < b.len() && ((b[i] as char).is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(s[start..i].to_string());
        } else if s[i..].starts_with("<<") || s[i..].starts_with(">>") {
            out.push(s[i..i + 2].to_string());
            i += 2;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

struct Parser<'a> {
    tokens: &'a [String],
    at: usize,
}

fn int_type(name: &str) -> Option<(u32, bool)> {
    Some(match name {
        "uint8_t" => (8, false),
        "int8_t" => (8, true),
        "uint16_t" => (16, false),
        "int16_t" => (16, true),
        "uint32_t" => (32, false),
        "int32_t" | "int" => (32, true),
        "uint64_t" => (64, false),
        "int64_t" => (64, true),
        _ => return None,
    })
}

fn wrap(value: i128, bits: u32, signed: bool) -> IntValue {
    let m = value & ((1i128 << bits) - 1);
    let value = if signed && m >= 1i128 << (bits - 1) {
        m - (1i128 << bits)
    } else {
        m
    };
    IntValue::Defined {
        value,
        bits,
        signed,
    }
}

/// Integer promotion: narrower than `int` becomes `int`.
fn promote(v: IntValue) -> IntValue {
    match v {
        IntValue::Defined { value, bits, .. } if bits < 32 => IntValue::Defined {
            value,
            bits: 32,
            signed: true,
        },
        v => v,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    /// `unary (<< unary)*`, and `|` between shifts.
    fn shift(&mut self) -> Option<IntValue> {
        let mut left = self.unary()?;
        loop {
            match self.peek() {
                Some("<<") => {
                    self.at += 1;
                    let right = self.unary()?;
                    left = match (promote(left), right) {
                        (
                            IntValue::Defined {
                                value,
                                bits,
                                signed,
                            },
                            IntValue::Defined { value: n, .. },
                        ) => {
                            if n < 0 || n >= i128::from(bits) {
                                IntValue::Undefined
                            } else {
                                wrap(value << n, bits, signed)
                            }
                        }
                        _ => IntValue::Undefined,
                    };
                }
                Some("|") => {
                    self.at += 1;
                    let right = self.shift()?;
                    left = match (promote(left), promote(right)) {
                        (
                            IntValue::Defined {
                                value: a,
                                bits: ba,
                                signed: sa,
                            },
                            IntValue::Defined {
                                value: b, bits: bb, ..
                            },
                        ) => wrap(a | b, ba.max(bb), sa),
                        _ => IntValue::Undefined,
                    };
                }
                _ => return Some(left),
            }
        }
    }

    fn unary(&mut self) -> Option<IntValue> {
        let tok = self.peek()?.to_string();
        self.at += 1;
        if tok == "(" {
            // A cast `(type) unary` or a parenthesised expression.
            if let Some((bits, signed)) = self.peek().and_then(int_type)
                && self.tokens.get(self.at + 1).map(String::as_str) == Some(")")
            {
                self.at += 2;
                return match self.unary()? {
                    IntValue::Defined { value, .. } => Some(wrap(value, bits, signed)),
                    IntValue::Undefined => Some(IntValue::Undefined),
                };
            }
            let v = self.shift()?;
            if self.peek() != Some(")") {
                return None;
            }
            self.at += 1;
            return Some(v);
        }
        if tok == "-" {
            return match self.unary()? {
                IntValue::Defined {
                    value,
                    bits,
                    signed,
                } => Some(wrap(-value, bits, signed)),
                u => Some(u),
            };
        }
        literal(&tok)
    }
}

fn literal(tok: &str) -> Option<IntValue> {
    let digits_end = tok
        .find(|c: char| !c.is_ascii_hexdigit() && c != 'x' && c != 'X')
        .unwrap_or(tok.len());
    let (digits, suffix) = tok.split_at(digits_end);
    let value = if let Some(hex) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        i128::from_str_radix(hex, 16).ok()?
    } else {
        digits.parse::<i128>().ok()?
    };
    let suffix = suffix.to_ascii_lowercase();
    let (bits, signed) = match suffix.as_str() {
        "" => (32, true),
        "u" => (32, false),
        "l" | "ll" => (64, true),
        "ul" | "ull" | "lu" | "llu" => (64, false),
        _ => return None,
    };
    // A decimal literal too big for `int` is `long` in C.
    let bits = if value >= 1i128 << (bits - u32::from(signed)) {
        64
    } else {
        bits
    };
    Some(IntValue::Defined {
        value,
        bits,
        signed,
    })
}

#[cfg(test)]
mod tests {
    use super::macro_value;

    #[test]
    fn macro_values_follow_c() {
        assert_eq!(macro_value("(1 << 3)"), macro_value("((uint8_t) 1 << 3)"));
        assert_eq!(macro_value("3"), "= 3 (i32)");
        assert_eq!(macro_value("(1 << 40)"), "= <undefined behaviour>");
        assert_eq!(macro_value("((uint64_t) 1 << 40)"), "= 1099511627776 (u64)");
        assert_eq!(macro_value("(1ULL << 40)"), "= 1099511627776 (u64)");
        assert!(macro_value("foo(x)").starts_with("text"));
    }
}
