//! Guest bindings from WIT: one module per language (`rust`, `c`,
//! `markdown`), sharing the naming and canonical-ABI helpers.
//!
//! Every generator takes a `Resolve` and a world and returns `Files`;
//! nothing here touches the file system except `load`, which reads WIT and
//! reports which files it read (for rebuild tracking in the macro).

pub mod abi;
pub mod c;
pub mod markdown;
mod naming;
pub mod rust;
mod source;

use std::path::{Path, PathBuf};
use wit_parser::{PackageId, Resolve, WorldId};

/// What can go wrong generating bindings.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or resolving WIT; the message carries wit-parser's rendering
    /// with file, line and a caret under the span.
    #[error("{0}")]
    Wit(String),
    /// A world or `with`/`skip` entry that names nothing.
    #[error("{0}")]
    Selection(String),
    /// The world uses something this generator cannot express, naming the
    /// item.
    #[error("{item}: {reason}")]
    Unsupported { item: String, reason: String },
    #[error(transparent)]
    Metadata(#[from] compono_wit::Error),
    #[error("failed to write the object file: {0}")]
    Object(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Generated files, in a deterministic order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Files {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Files {
    pub fn push(&mut self, name: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.push((name.into(), contents.into()));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(n, c)| (n.as_str(), c.as_slice()))
    }
}

/// WIT loaded from disk: the resolve, its main packages and every file read.
pub struct Loaded {
    pub resolve: Resolve,
    pub packages: Vec<PackageId>,
    pub files: Vec<PathBuf>,
}

/// Which `@unstable` features are on.
#[derive(Debug, Default, Clone)]
pub struct Features {
    pub features: Vec<String>,
    pub all_features: bool,
}

/// Loads each path (a `.wit` file, a directory with `deps/`, or an encoded
/// package) into one resolve.
pub fn load(paths: &[PathBuf], features: &Features) -> Result<Loaded> {
    let mut resolve = Resolve {
        all_features: features.all_features,
        ..Resolve::default()
    };
    for f in &features.features {
        for f in f.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            resolve.features.insert(f.to_string());
        }
    }
    let mut packages = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        let (pkg, sources) = match resolve.push_path(path) {
            Ok(pushed) => pushed,
            // Rendered against the resolve's source map: file:line:col and
            // the offending line with a caret.
            Err(e) => return Err(Error::Wit(resolve.render_error(&e))),
        };
        packages.push(pkg);
        files.extend(sources.paths().map(Path::to_path_buf));
    }
    Ok(Loaded {
        resolve,
        packages,
        files,
    })
}

/// Picks `world` (a name or `pkg:name/world` id), or the only world.
pub fn select_world(
    resolve: &Resolve,
    packages: &[PackageId],
    world: Option<&str>,
) -> Result<WorldId> {
    resolve
        .select_world(packages, world)
        .map_err(|e| Error::Selection(format!("{e:#}")))
}
