//! The C API comparison (see the crate docs).

use crate::decls::{self, Api, Baseline};
use crate::generate::{self, Generated, Options, World, all_features};
use crate::{repo, tool};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-api")
}

/// One world to compare: the WIT paths pushed in order (dependencies
/// first), the main package's name (`ns:pkg@version`) and the world's name
/// in it.
struct Case {
    world: World,
    /// The interfaces the world imports or exports by id, as `--rename`
    /// names them.
    interfaces: Vec<String>,
    /// Extra option sets run on this world too.
    all_options: bool,
}

/// Every `.wit` file or package directory under `fixtures/` that is not an
/// error case, each loaded on its own.
fn fixture_inputs() -> Vec<Vec<PathBuf>> {
    let mut inputs = Vec::new();
    let fixtures = repo().join("fixtures");
    let mut dirs = vec![
        fixtures.join("wit/ok"),
        fixtures.join("bindgen/codegen"),
        fixtures.join("guests/c"),
        fixtures.join("guests/rust/wit"),
    ];
    for parent in ["bindgen/runtime", "components"] {
        let mut sub: Vec<PathBuf> = std::fs::read_dir(fixtures.join(parent))
            .unwrap_or_else(|e| panic!("fixtures/{parent}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        sub.sort();
        dirs.extend(sub);
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let top_level = dir.starts_with(fixtures.join("wit/ok"));
        for p in paths {
            let is_wit = p.extension().is_some_and(|e| e == "wit");
            // Packages with `deps/` are directories under wit/ok only.
            if is_wit || (top_level && p.is_dir()) {
                inputs.push(vec![p]);
            }
        }
    }
    inputs
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut seen = BTreeSet::new();
    let mut inputs = fixture_inputs();
    let wasi = repo().join("../shared/wit/wasi-0.2.6");
    let wasi_deps = |names: &[&str]| names.iter().map(|d| wasi.join(d)).collect::<Vec<_>>();
    inputs.push(wasi_deps(&[
        "io",
        "clocks",
        "random",
        "filesystem",
        "sockets",
        "cli",
    ]));
    inputs.push(wasi_deps(&[
        "io",
        "clocks",
        "random",
        "filesystem",
        "sockets",
        "cli",
        "http",
    ]));
    for paths in inputs {
        let loaded = match compono_bindgen::load(&paths, &all_features()) {
            Ok(l) => l,
            // Files that are only part of a package (or a package a
            // fixture means to be invalid for `new`) load elsewhere.
            Err(_) => continue,
        };
        let main = *loaded.packages.last().unwrap();
        let pkg = &loaded.resolve.packages[main];
        let runtime = paths[0].starts_with(repo().join("fixtures/bindgen/runtime"));
        for (name, id) in &pkg.worlds {
            // Fixtures repeat worlds (a component's world.wit and its
            // component.wit); compare each distinct text once.
            let key = (pkg.name.to_string(), name.clone(), paths_text(&paths));
            if !seen.insert(key) {
                continue;
            }
            let w = &loaded.resolve.worlds[*id];
            let interfaces = w
                .imports
                .keys()
                .chain(w.exports.keys())
                .filter(|k| matches!(k, wit_parser::WorldKey::Interface(_)))
                .map(|k| loaded.resolve.name_world_key(k))
                .collect();
            cases.push(Case {
                world: World {
                    paths: paths.clone(),
                    package: pkg.name.to_string(),
                    world: name.clone(),
                },
                interfaces,
                all_options: runtime || paths.len() > 1,
            });
        }
    }
    cases
}

fn paths_text(paths: &[PathBuf]) -> String {
    let mut text = String::new();
    for p in paths {
        let mut files = vec![p.clone()];
        while let Some(f) = files.pop() {
            if f.is_dir() {
                let mut sub: Vec<PathBuf> = std::fs::read_dir(&f)
                    .unwrap()
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .collect();
                sub.sort();
                files.extend(sub);
            } else {
                text.push_str(&std::fs::read_to_string(&f).unwrap_or_default());
            }
        }
    }
    text
}

/// Reads a header's API, once per distinct text: most worlds come out
/// the same under several option sets.
struct ApiCache {
    baseline: Baseline,
    apis: Mutex<HashMap<Vec<u8>, Result<Api, String>>>,
    /// compono's `.c` files compiled so far.
    compiled: Mutex<HashSet<Vec<u8>>>,
    dir: PathBuf,
    next: AtomicUsize,
}

impl ApiCache {
    /// Compiles compono's `.c` with `-Wall -Wextra -Werror` (once per
    /// distinct text): the option sets the C corpus test does not cover
    /// must give bindings that compile too.
    fn compile(&self, files: &Generated) -> Result<(), String> {
        let (c_name, c) = files
            .iter()
            .find(|(n, _)| n.ends_with(".c"))
            .ok_or("no .c generated")?;
        if !self.compiled.lock().unwrap().insert(c.clone()) {
            return Ok(());
        }
        let dir = self
            .dir
            .join(self.next.fetch_add(1, Ordering::Relaxed).to_string());
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
        }
        decls::run(
            tool("clang-19")
                .current_dir(&dir)
                .args(["--target=wasm32-wasi", "-Wall", "-Wextra", "-Werror", "-c"])
                .arg(c_name)
                .args(["-o", "bindings.o"]),
        )
        .map(|_| ())
    }

    /// The generated files' names and the header's API.
    fn read(&self, files: &Generated) -> Result<(Vec<String>, Api), String> {
        let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        let (name, header) = files
            .iter()
            .find(|(n, _)| n.ends_with(".h"))
            .ok_or("no header generated")?;
        if let Some(api) = self.apis.lock().unwrap().get(header) {
            return api.clone().map(|a| (names, a));
        }
        let dir = self
            .dir
            .join(self.next.fetch_add(1, Ordering::Relaxed).to_string());
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(name);
        std::fs::write(&path, header).map_err(|e| e.to_string())?;
        let api = decls::api(&path, &self.baseline);
        self.apis
            .lock()
            .unwrap()
            .insert(header.clone(), api.clone());
        api.map(|a| (names, a))
    }
}

/// A difference between what the two generators make of one world.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Difference {
    OnlyWitBindgen {
        item: String,
        sig: String,
    },
    OnlyCompono {
        item: String,
        sig: String,
    },
    Changed {
        item: String,
        wit_bindgen: String,
        compono: String,
    },
    Files {
        wit_bindgen: Vec<String>,
        compono: Vec<String>,
    },
    /// compono refuses a world wit-bindgen generates.
    ComponoRefuses(String),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::OnlyWitBindgen { item, sig } => {
                write!(f, "missing in compono: {item}: {sig}")
            }
            Difference::OnlyCompono { item, sig } => write!(f, "only in compono: {item}: {sig}"),
            Difference::Changed {
                item,
                wit_bindgen,
                compono,
            } => write!(
                f,
                "{item}:\n      wit-bindgen: {wit_bindgen}\n      compono:     {compono}"
            ),
            Difference::Files {
                wit_bindgen,
                compono,
            } => write!(f, "files: wit-bindgen {wit_bindgen:?}, compono {compono:?}"),
            Difference::ComponoRefuses(e) => write!(f, "compono refuses: {e}"),
        }
    }
}

fn compare(theirs: &Api, ours: &Api) -> Vec<Difference> {
    let mut diffs = Vec::new();
    for (item, sig) in theirs {
        match ours.get(item) {
            None => diffs.push(Difference::OnlyWitBindgen {
                item: item.clone(),
                sig: sig.clone(),
            }),
            Some(s) if s != sig => diffs.push(Difference::Changed {
                item: item.clone(),
                wit_bindgen: sig.clone(),
                compono: s.clone(),
            }),
            Some(_) => {}
        }
    }
    for (item, sig) in ours {
        if !theirs.contains_key(item) {
            diffs.push(Difference::OnlyCompono {
                item: item.clone(),
                sig: sig.clone(),
            });
        }
    }
    diffs
}

/// A difference kept on purpose: which it is, and why (the README says the
/// same).
struct Kept {
    reason: &'static str,
    matches: fn(&Difference) -> bool,
}

/// Differences kept on purpose.
const KEPT: &[Kept] = &[Kept {
    reason: "async functions, futures and streams: compono's C generator refuses them \
             with an error naming the item (as the whole toolchain does for now)",
    matches: |d| matches!(d, Difference::ComponoRefuses(e) if e.contains("async functions")),
}];

/// What happened to one world under one option set.
enum Outcome {
    Same,
    Differs(Vec<Difference>),
    /// wit-bindgen refuses (panics on) the world; compono's answer is not
    /// compared.
    WitBindgenRefuses(String),
}

fn compare_world(case: &Case, options: &Options, cache: &ApiCache) -> Outcome {
    let ours = generate::compono(&case.world, options);
    let theirs = match generate::wit_bindgen(&case.world, options) {
        Ok(t) => t,
        Err(e) => return Outcome::WitBindgenRefuses(e),
    };
    let ours = match ours {
        Ok(o) => o,
        Err(e) => return Outcome::Differs(vec![Difference::ComponoRefuses(e)]),
    };
    let (their_files, their_api) = match cache.read(&theirs) {
        Ok(x) => x,
        Err(e) => return Outcome::WitBindgenRefuses(format!("its header does not parse: {e}")),
    };
    let (our_files, our_api) = match cache.read(&ours) {
        Ok(x) => x,
        Err(e) => {
            return Outcome::Differs(vec![Difference::OnlyCompono {
                item: "header".into(),
                sig: format!("does not parse: {e}"),
            }]);
        }
    };
    let mut diffs = compare(&their_api, &our_api);
    if !matches!(options.name, "default" | "utf16")
        && let Err(e) = cache.compile(&ours)
    {
        diffs.push(Difference::OnlyCompono {
            item: "bindings".into(),
            sig: format!("do not compile: {e}"),
        });
    }
    if their_files != our_files {
        diffs.push(Difference::Files {
            wit_bindgen: their_files,
            compono: our_files,
        });
    }
    if diffs.is_empty() {
        Outcome::Same
    } else {
        Outcome::Differs(diffs)
    }
}

/// Option sets run on every world, and on the runtime worlds and those
/// with dependencies also the rest of wit-bindgen's options.
fn option_sets(case: &Case) -> Vec<Options> {
    let mut sets = vec![
        Options {
            name: "default",
            ..Options::default()
        },
        Options {
            name: "utf16",
            utf16: true,
            ..Options::default()
        },
        Options {
            name: "autodrop",
            autodrop_borrows: true,
            ..Options::default()
        },
    ];
    if case.all_options {
        sets.push(Options {
            name: "no-sig-flattening",
            no_sig_flattening: true,
            ..Options::default()
        });
        sets.push(Options {
            name: "no-helpers",
            no_helpers: true,
            ..Options::default()
        });
        sets.push(Options {
            name: "rename",
            rename: case
                .interfaces
                .iter()
                .enumerate()
                .map(|(i, name)| (name.clone(), format!("renamed{i}")))
                .collect(),
            rename_world: Some("other-world".into()),
            ..Options::default()
        });
    }
    sets
}

/// The results of one world: `(label, outcome)` per option set.
fn run_case(case: &Case, cache: &ApiCache) -> Vec<(String, Outcome)> {
    option_sets(case)
        .iter()
        .map(|options| {
            let label = format!(
                "{}/{} ({}) [{}]",
                case.world.package,
                case.world.world,
                case.world.paths[case.world.paths.len() - 1]
                    .strip_prefix(repo())
                    .unwrap_or(&case.world.paths[0])
                    .display(),
                options.name
            );
            (label, compare_world(case, options, cache))
        })
        .collect()
}

#[test]
fn c_api_matches_wit_bindgen() {
    let only: Option<String> = std::env::var("C_API_ONLY").ok();
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| only.as_deref().is_none_or(|o| c.world.world.contains(o)))
        .collect();
    if only.is_none() {
        assert!(cases.len() > 50, "only {} worlds found", cases.len());
    }
    let _ = std::fs::remove_dir_all(out_dir());
    let cache = ApiCache {
        baseline: Baseline::new(&out_dir().join("baseline"))
            .expect("clang-19 reads the system headers"),
        apis: Mutex::new(HashMap::new()),
        compiled: Mutex::new(HashSet::new()),
        dir: out_dir(),
        next: AtomicUsize::new(0),
    };
    // Two threads: clang dominates, and CI has two cores.
    let results: Vec<(String, Outcome)> = std::thread::scope(|s| {
        let (a, b): (Vec<_>, Vec<_>) = cases.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let handles: Vec<_> = [a, b]
            .into_iter()
            .map(|half| {
                let cache = &cache;
                s.spawn(move || {
                    half.into_iter()
                        .flat_map(|(_, c)| run_case(c, cache))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut report = Vec::new();
    let mut undocumented = 0;
    let mut kept_seen = vec![0usize; KEPT.len()];
    let mut same = 0;
    let mut refused = Vec::new();
    for (label, outcome) in results {
        match outcome {
            Outcome::Same => same += 1,
            Outcome::Differs(diffs) => {
                let mut lines = Vec::new();
                for d in diffs {
                    match KEPT.iter().position(|k| (k.matches)(&d)) {
                        Some(k) => kept_seen[k] += 1,
                        None => {
                            undocumented += 1;
                            lines.push(format!("    {d}"));
                        }
                    }
                }
                if !lines.is_empty() {
                    report.push(format!("{label}:\n{}", lines.join("\n")));
                }
            }
            Outcome::WitBindgenRefuses(e) => refused.push(format!("{label}: {e}")),
        }
    }
    for r in &refused {
        eprintln!("wit-bindgen refuses {r}");
    }
    for (k, n) in KEPT.iter().zip(&kept_seen) {
        eprintln!("kept difference, {n} times: {}", k.reason);
    }
    eprintln!(
        "{} worlds: {same} world/option pairs have the same C API; wit-bindgen refuses {}; {undocumented} undocumented differences",
        cases.len(),
        refused.len()
    );
    assert!(
        report.is_empty(),
        "{undocumented} undocumented differences:\n{}",
        report.join("\n")
    );
    // Every refusal by wit-bindgen is one compono answers on purpose.
    for r in &refused {
        assert!(
            r.contains("Unable to autodrop borrows in `list` values"),
            "wit-bindgen refuses a world for a reason this test does not know: {r}"
        );
    }
    if only.is_none() {
        for (k, n) in KEPT.iter().zip(kept_seen) {
            assert!(
                n > 0,
                "a kept difference no longer occurs; remove it from KEPT and the README: {}",
                k.reason
            );
        }
    }
}
