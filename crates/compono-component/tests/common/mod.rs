//! What the fixture and runtime runners share: reading a case's options
//! and embedding its world(s) into its module.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use compono_component::{EmbedOptions, NewOptions, StringEncoding};
use libtest_mimic::Failed;
use wit_parser::Resolve;

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/components")
}

/// `CI=true`: missing oracles are failures, not skips.
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

pub struct CaseOptions {
    pub embed: EmbedOptions,
    pub new: NewOptions,
    pub world: Option<String>,
}

pub fn read_options(dir: &Path) -> Result<CaseOptions, Failed> {
    let mut options = CaseOptions {
        embed: EmbedOptions::default(),
        new: NewOptions::default(),
        world: None,
    };
    let Ok(text) = std::fs::read_to_string(dir.join("options.txt")) else {
        return Ok(options);
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "encoding" => {
                options.embed.encoding = value.parse::<StringEncoding>().map_err(Failed::from)?
            }
            "reject-legacy-names" => options.new.reject_legacy_names = true,
            "no-semver-merge" => options.new.merge_imports_based_on_semver = false,
            "debug-names" => options.new.debug_names = true,
            "world" => options.world = Some(value.to_string()),
            "import-name" => {
                let (old, new) = value.split_once('=').ok_or("import-name OLD=NEW")?;
                options.new.import_names.push((old.into(), new.into()));
            }
            other => return Err(format!("unknown option `{other}` in options.txt").into()),
        }
    }
    Ok(options)
}

pub enum EmbedFailure {
    /// `embed` refused: an expected outcome for some cases.
    Embed(String),
    /// The case itself is broken.
    Case(Failed),
}

impl<E: Into<Failed>> From<E> for EmbedFailure {
    fn from(e: E) -> Self {
        EmbedFailure::Case(e.into())
    }
}

/// `wasm-tools component new` with the case's options.
pub fn wasm_tools_new_args(options: &CaseOptions) -> Vec<String> {
    let mut args = vec!["component".to_string(), "new".to_string()];
    if options.new.reject_legacy_names {
        args.push("--reject-legacy-names".into());
    }
    if !options.new.merge_imports_based_on_semver {
        args.push("--merge-imports-based-on-semver=false".into());
    }
    for (old, new) in &options.new.import_names {
        args.push(format!("--import-name={old}={new}"));
    }
    args
}

/// The module with the case's world(s) embedded.
pub fn embedded_module(dir: &Path, options: &CaseOptions) -> Result<Vec<u8>, EmbedFailure> {
    let wat = std::fs::read_to_string(dir.join("module.wat"))?;
    let mut module = wat::parse_str(&wat).map_err(|e| format!("module.wat: {e}"))?;
    for wit in ["world.wit", "world2.wit"] {
        let path = dir.join(wit);
        if !path.exists() {
            continue;
        }
        let mut resolve = Resolve::default();
        let (package, _) = resolve
            .push_path(&path)
            .map_err(|e| format!("{wit}: {e:#}"))?;
        let world = resolve
            .select_world(&[package], options.world.as_deref())
            .map_err(|e| format!("{wit}: {e:#}"))?;
        module = compono_component::embed(&module, resolve, world, &options.embed)
            .map_err(|e| EmbedFailure::Embed(format!("embedding {wit}: {e}")))?;
    }
    Ok(module)
}
