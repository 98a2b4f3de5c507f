//! A link fixture case (`fixtures/link/NAME/case.txt`) and how its
//! libraries are built. Shared by the link tests and `cargo xtask
//! fixtures`, which rebuilds the checked-in libraries.
//!
//! `case.txt`, one directive a line (`#` starts a comment):
//!
//! - `lib OUT SRC.c... [needs LIB...]`: a shared library, built with
//!   [`SHARED_FLAGS`] against the (already built) libraries it needs.
//! - `pie OUT SRC.c... [needs LIB...]`: a position-independent executable,
//!   built with [`PIE_FLAGS`] (plus `-Wl,--import-memory` unless the line
//!   says `own-memory`).
//! - `plain OUT SRC.c`: a module that is not a shared library.
//! - `world LIB WORLD`: before linking, embed world `WORLD` of
//!   `world.wit` into `LIB`.
//! - `link ARGS...`: the arguments of `compono link` and of
//!   `wasm-tools component link` (`$ADAPTER` is the official preview1
//!   reactor adapter).
//! - `wasm-tools-differs REASON`: wasm-tools is expected to fail where
//!   compono links, to link where compono reports an error, or to link a
//!   component with the same world that runs differently (its transcript
//!   is then in `wasm-tools.txt`).
//! - `wasm-tools-wit-differs REASON`: wasm-tools' component has the same
//!   imports and exports but prints as different WIT (its WIT is then in
//!   `wasm-tools.wit`).
//! - `pending REASON`: compono cannot link this case yet; the test checks
//!   the error says so (and fails once it does link, so the case is
//!   turned on).

#![allow(dead_code)]

use std::path::Path;

/// How a position-independent library is built (DESIGN.md's command).
pub const SHARED_FLAGS: &[&str] = &[
    "--target=wasm32-wasi",
    "-fPIC",
    "-O2",
    "-fvisibility=default",
    "-nodefaultlibs",
    "-shared",
    "-Wl,--experimental-pic",
    "-Wl,--allow-undefined",
];

/// How a position-independent executable is built.
pub const PIE_FLAGS: &[&str] = &[
    "--target=wasm32-wasi",
    "-fPIC",
    "-O2",
    "-fvisibility=default",
    "-nodefaultlibs",
    "-Wl,-pie",
    "-Wl,--experimental-pic",
    "-Wl,--allow-undefined",
];

/// How a plain (not position-independent) module is built.
pub const PLAIN_FLAGS: &[&str] = &[
    "--target=wasm32-wasi",
    "-O2",
    "-nostdlib",
    "-Wl,--no-entry",
    "-Wl,--export-dynamic",
];

pub const CLANG: &str = "clang-19";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Shared,
    Pie { import_memory: bool },
    Plain,
}

pub struct Build {
    pub output: String,
    pub sources: Vec<String>,
    pub needs: Vec<String>,
    pub kind: Kind,
}

#[derive(Default)]
pub struct Case {
    pub builds: Vec<Build>,
    pub worlds: Vec<(String, String)>,
    pub link: Vec<String>,
    pub wasm_tools_differs: Option<String>,
    pub wasm_tools_wit_differs: Option<String>,
    pub pending: Option<String>,
}

pub fn read_case(dir: &Path) -> Result<Case, String> {
    let path = dir.join("case.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut case = Case::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        let Some(directive) = words.next() else {
            continue;
        };
        let rest: Vec<String> = words.map(str::to_string).collect();
        let bad = || format!("{}:{}: malformed `{directive}` line", path.display(), n + 1);
        match directive {
            "lib" | "pie" | "plain" => {
                let (output, rest) = rest.split_first().ok_or_else(bad)?;
                let own_memory = rest.iter().any(|w| w == "own-memory");
                let rest: Vec<String> = rest
                    .iter()
                    .filter(|w| *w != "own-memory")
                    .cloned()
                    .collect();
                let (sources, needs) = match rest.iter().position(|w| w == "needs") {
                    Some(i) => (rest[..i].to_vec(), rest[i + 1..].to_vec()),
                    None => (rest.to_vec(), Vec::new()),
                };
                if sources.is_empty() {
                    return Err(bad());
                }
                let kind = match directive {
                    "lib" => Kind::Shared,
                    "pie" => Kind::Pie {
                        import_memory: !own_memory,
                    },
                    _ => Kind::Plain,
                };
                case.builds.push(Build {
                    output: output.clone(),
                    sources,
                    needs,
                    kind,
                });
            }
            "world" => match rest.as_slice() {
                [lib, world] => case.worlds.push((lib.clone(), world.clone())),
                _ => return Err(bad()),
            },
            "link" => case.link = rest,
            "wasm-tools-differs" => case.wasm_tools_differs = Some(rest.join(" ")),
            "wasm-tools-wit-differs" => case.wasm_tools_wit_differs = Some(rest.join(" ")),
            "pending" => case.pending = Some(rest.join(" ")),
            _ => {
                return Err(format!(
                    "{}:{}: unknown directive `{directive}`",
                    path.display(),
                    n + 1
                ));
            }
        }
    }
    if case.link.is_empty() {
        return Err(format!("{}: no `link` line", path.display()));
    }
    Ok(case)
}

/// Builds every library of `case` from the sources in `src` into `out`
/// (which may be the same directory). Commands run in `out` with relative
/// paths, so the outputs do not depend on where the case lives.
pub fn build(case: &Case, src: &Path, out: &Path) -> Result<(), String> {
    if src != out {
        for build in &case.builds {
            for source in &build.sources {
                std::fs::copy(src.join(source), out.join(source))
                    .map_err(|e| format!("copying {source}: {e}"))?;
            }
        }
    }
    for build in &case.builds {
        let mut flags = match build.kind {
            Kind::Shared => SHARED_FLAGS.to_vec(),
            Kind::Pie { .. } => PIE_FLAGS.to_vec(),
            Kind::Plain => PLAIN_FLAGS.to_vec(),
        };
        if build.kind
            == (Kind::Pie {
                import_memory: true,
            })
        {
            flags.push("-Wl,--import-memory");
        }
        let output = compono_testutil::command(CLANG)
            .current_dir(out)
            .args(flags)
            .arg("-o")
            .arg(&build.output)
            .args(&build.sources)
            .args(&build.needs)
            .output()
            .map_err(|e| format!("running {CLANG}: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "building {}: {}",
                build.output,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    Ok(())
}

pub fn clang_available() -> bool {
    compono_testutil::command(CLANG)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every case directory under `fixtures/link`, sorted.
pub fn case_dirs(root: &Path) -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("fixtures/link"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("case.txt").exists())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}
