//! `generate!`: expands to what `compono bindgen rust` writes for the same
//! WIT and options, plus `include_bytes!` of every WIT file read so rustc
//! rebuilds when one changes.
//!
//! ```ignore
//! compono_guest::generate!({
//!     path: "wit",
//!     world: "my-world",
//!     additional_derives: [PartialEq],
//!     with: { "wasi:io/streams": generate },
//! });
//! ```

use compono_bindgen::rust::{Opts, Ownership};
use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use std::path::PathBuf;

#[proc_macro]
pub fn generate(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err((span, message)) => compile_error(span, &message),
    }
}

type Failure = (Span, String);

struct Config {
    paths: Vec<String>,
    inline: Option<String>,
    world: Option<String>,
    features: Vec<String>,
    all_features: bool,
    opts: Opts,
}

fn expand(input: TokenStream) -> Result<TokenStream, Failure> {
    let call_site = Span::call_site();
    let config = parse_input(input)?;
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let features = compono_bindgen::Features {
        features: config.features.clone(),
        all_features: config.all_features,
    };
    let paths: Vec<PathBuf> = if config.paths.is_empty() && config.inline.is_none() {
        vec![root.join("wit")]
    } else {
        config.paths.iter().map(|p| root.join(p)).collect()
    };
    let mut loaded = compono_bindgen::load(&paths, &features)
        .map_err(|e| (call_site, format!("failed to parse WIT: {e}")))?;
    if let Some(inline) = &config.inline {
        let pkg = loaded
            .resolve
            .push_str("<inline>.wit", inline)
            .map_err(|e| {
                let rendered = loaded.resolve.render_error(&e);
                (call_site, format!("failed to parse inline WIT: {rendered}"))
            })?;
        loaded.packages.push(pkg);
    }
    let world =
        compono_bindgen::select_world(&loaded.resolve, &loaded.packages, config.world.as_deref())
            .map_err(|e| (call_site, e.to_string()))?;
    let code = compono_bindgen::rust::generate_string(&loaded.resolve, world, &config.opts)
        .map_err(|e| (call_site, e.to_string()))?;
    let mut tracking = String::new();
    for file in &loaded.files {
        if let Some(path) = file.to_str() {
            tracking.push_str(&format!("const _: &[u8] = include_bytes!({path:?});\n"));
        }
    }
    let text = format!("{tracking}{code}");
    text.parse::<TokenStream>().map_err(|e| {
        (
            call_site,
            format!("generated bindings did not tokenize: {e}"),
        )
    })
}

fn compile_error(span: Span, message: &str) -> TokenStream {
    let mut lit = Literal::string(message);
    lit.set_span(span);
    let mut group = Group::new(Delimiter::Parenthesis, TokenTree::Literal(lit).into());
    group.set_span(span);
    let mut ident = Ident::new("compile_error", span);
    ident.set_span(span);
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    let mut semi = Punct::new(';', Spacing::Alone);
    semi.set_span(span);
    [
        TokenTree::Ident(ident),
        TokenTree::Punct(bang),
        TokenTree::Group(group),
        TokenTree::Punct(semi),
    ]
    .into_iter()
    .collect()
}

fn parse_input(input: TokenStream) -> Result<Config, Failure> {
    let mut config = Config {
        paths: Vec::new(),
        inline: None,
        world: None,
        features: Vec::new(),
        all_features: false,
        opts: Opts::default(),
    };
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    match tokens.as_slice() {
        [] => return Ok(config),
        // `generate!("world")`
        [TokenTree::Literal(lit)] => {
            config.world = Some(string_literal(lit)?);
            return Ok(config);
        }
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Brace => {
            for (key, value) in split_fields(g.stream())? {
                apply_field(&mut config, &key, &value)?;
            }
        }
        [first, ..] => {
            return Err((
                first.span(),
                "expected `{ path: \"...\", world: \"...\", ... }` or a world name".into(),
            ));
        }
    }
    Ok(config)
}

/// `key: value, ...` with values up to the next top-level comma.
fn split_fields(stream: TokenStream) -> Result<Vec<(Ident, Vec<TokenTree>)>, Failure> {
    let mut fields = Vec::new();
    let mut iter = stream.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let TokenTree::Ident(key) = tt else {
            return Err((tt.span(), "expected an option name".into()));
        };
        match iter.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == ':' => {}
            // A bare flag (`generate_all,`, `stubs,`) means `true`.
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {
                fields.push((key, Vec::new()));
                continue;
            }
            None => {
                fields.push((key, Vec::new()));
                break;
            }
            Some(other) => return Err((other.span(), format!("expected `:` after `{key}`"))),
        }
        let mut value = Vec::new();
        while let Some(tt) = iter.peek() {
            if matches!(tt, TokenTree::Punct(p) if p.as_char() == ',') {
                iter.next();
                break;
            }
            value.push(iter.next().expect("peeked"));
        }
        if value.is_empty() {
            return Err((key.span(), format!("`{key}` needs a value")));
        }
        fields.push((key, value));
    }
    Ok(fields)
}

fn string_literal(lit: &Literal) -> Result<String, Failure> {
    let text = lit.to_string();
    if let Some(raw) = text.strip_prefix("r") {
        let hashes = raw.chars().take_while(|c| *c == '#').count();
        let inner = &raw[hashes..];
        if let Some(inner) = inner
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix(&format!("\"{}", "#".repeat(hashes))))
        {
            return Ok(inner.to_string());
        }
    }
    let Some(inner) = text.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return Err((lit.span(), "expected a string literal".into()));
    };
    unescape(inner).ok_or_else(|| (lit.span(), "unsupported escape in string literal".into()))
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            '\n' => {
                while chars.clone().next().is_some_and(char::is_whitespace) {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn one_string(key: &Ident, value: &[TokenTree]) -> Result<String, Failure> {
    match value {
        [TokenTree::Literal(lit)] => string_literal(lit),
        _ => Err((key.span(), format!("`{key}` expects a string"))),
    }
}

fn strings(key: &Ident, value: &[TokenTree]) -> Result<Vec<String>, Failure> {
    match value {
        [TokenTree::Literal(lit)] => Ok(vec![string_literal(lit)?]),
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Bracket => {
            let mut out = Vec::new();
            for tt in g.stream() {
                match tt {
                    TokenTree::Literal(lit) => out.push(string_literal(&lit)?),
                    TokenTree::Punct(p) if p.as_char() == ',' => {}
                    other => return Err((other.span(), format!("`{key}` expects strings"))),
                }
            }
            Ok(out)
        }
        _ => Err((
            key.span(),
            format!("`{key}` expects a string or a list of strings"),
        )),
    }
}

fn boolean(key: &Ident, value: &[TokenTree]) -> Result<bool, Failure> {
    match value {
        [] => Ok(true),
        [TokenTree::Ident(i)] if i.to_string() == "true" => Ok(true),
        [TokenTree::Ident(i)] if i.to_string() == "false" => Ok(false),
        _ => Err((key.span(), format!("`{key}` expects `true` or `false`"))),
    }
}

/// Tokens as Rust source text, for paths and derive names.
fn tokens_text(tokens: &[TokenTree]) -> String {
    tokens
        .iter()
        .cloned()
        .collect::<TokenStream>()
        .to_string()
        .replace(' ', "")
}

fn apply_field(config: &mut Config, key: &Ident, value: &[TokenTree]) -> Result<(), Failure> {
    match key.to_string().as_str() {
        "path" => config.paths = strings(key, value)?,
        "inline" => config.inline = Some(one_string(key, value)?),
        "world" => config.world = Some(one_string(key, value)?),
        "features" => config.features = strings(key, value)?,
        "all_features" => config.all_features = boolean(key, value)?,
        "generate_all" => config.opts.generate_all = boolean(key, value)?,
        "stubs" => config.opts.stubs = boolean(key, value)?,
        "skip" => config.opts.skip = strings(key, value)?,
        "type_section_suffix" => config.opts.type_section_suffix = Some(one_string(key, value)?),
        "runtime_path" => config.opts.runtime_path = Some(one_string(key, value)?),
        "additional_derives" => {
            let [TokenTree::Group(g)] = value else {
                return Err((
                    key.span(),
                    "`additional_derives` expects `[Trait, path::Trait]`".into(),
                ));
            };
            let mut current = Vec::new();
            for tt in g.stream() {
                if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                    if !current.is_empty() {
                        config.opts.additional_derives.push(tokens_text(&current));
                    }
                    current.clear();
                } else {
                    current.push(tt);
                }
            }
            if !current.is_empty() {
                config.opts.additional_derives.push(tokens_text(&current));
            }
        }
        "ownership" => {
            let text = tokens_text(value);
            config.opts.ownership = match text.as_str() {
                "Owning" => Ownership::Owning,
                "Borrowing{duplicate_if_necessary:true}" => Ownership::Borrowing {
                    duplicate_if_necessary: true,
                },
                "Borrowing{duplicate_if_necessary:false}" | "Borrowing" => Ownership::Borrowing {
                    duplicate_if_necessary: false,
                },
                _ => {
                    return Err((
                        key.span(),
                        "`ownership` expects `Owning` or `Borrowing { duplicate_if_necessary: true|false }`".into(),
                    ));
                }
            };
        }
        "with" => {
            let [TokenTree::Group(g)] = value else {
                return Err((
                    key.span(),
                    "`with` expects `{ \"ns:pkg/iface\": path::to::module, ... }`".into(),
                ));
            };
            let mut iter = g.stream().into_iter().peekable();
            while let Some(tt) = iter.next() {
                let TokenTree::Literal(lit) = &tt else {
                    return Err((tt.span(), "expected an interface name string".into()));
                };
                let name = string_literal(lit)?;
                match iter.next() {
                    Some(TokenTree::Punct(p)) if p.as_char() == ':' => {}
                    _ => return Err((lit.span(), format!("expected `:` after `{name:?}`"))),
                }
                let mut target = Vec::new();
                while let Some(tt) = iter.peek() {
                    if matches!(tt, TokenTree::Punct(p) if p.as_char() == ',') {
                        iter.next();
                        break;
                    }
                    target.push(iter.next().expect("peeked"));
                }
                let target = tokens_text(&target);
                config.opts.with.push((name, target));
            }
        }
        other => return Err((key.span(), format!("unknown option `{other}`"))),
    }
    Ok(())
}
