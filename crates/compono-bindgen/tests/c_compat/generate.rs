//! Bindings for one world from both generators, with one set of options
//! spelled for each.

use compono_bindgen::c::{Opts, StringEncoding};
use std::path::PathBuf;

/// A world: the WIT paths pushed in order (dependencies first), the main
/// package's name (`ns:pkg@version`) and the world's name in it.
#[derive(Clone, Debug)]
pub struct World {
    pub paths: Vec<PathBuf>,
    pub package: String,
    pub world: String,
}

/// Generated files: name and contents.
pub type Generated = Vec<(String, Vec<u8>)>;

/// WIT loaded with every `@unstable` feature on, by both generators.
pub fn all_features() -> compono_bindgen::Features {
    compono_bindgen::Features {
        features: vec![],
        all_features: true,
    }
}

/// One set of generator options, spelled for both generators.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub name: &'static str,
    pub utf16: bool,
    pub autodrop_borrows: bool,
    pub no_sig_flattening: bool,
    pub no_helpers: bool,
    pub rename: Vec<(String, String)>,
    pub rename_world: Option<String>,
}

impl Options {
    fn compono(&self) -> Opts {
        Opts {
            string_encoding: if self.utf16 {
                StringEncoding::Utf16
            } else {
                StringEncoding::Utf8
            },
            autodrop_borrows: self.autodrop_borrows,
            no_sig_flattening: self.no_sig_flattening,
            no_helpers: self.no_helpers,
            rename: self.rename.clone(),
            rename_world: self.rename_world.clone(),
            ..Opts::default()
        }
    }

    fn wit_bindgen(&self) -> wit_bindgen_c::Opts {
        use wit_bindgen_c::Enabled;
        use wit_component_for_wit_bindgen::StringEncoding as E;
        wit_bindgen_c::Opts {
            string_encoding: if self.utf16 { E::UTF16 } else { E::UTF8 },
            autodrop_borrows: if self.autodrop_borrows {
                Enabled::Yes
            } else {
                Enabled::No
            },
            no_sig_flattening: self.no_sig_flattening,
            no_helpers: self.no_helpers,
            rename: self.rename.clone(),
            rename_world: self.rename_world.clone(),
            ..wit_bindgen_c::Opts::default()
        }
    }
}

pub fn compono(case: &World, options: &Options) -> Result<Generated, String> {
    let loaded = compono_bindgen::load(&case.paths, &all_features()).map_err(|e| e.to_string())?;
    let main = *loaded.packages.last().unwrap();
    let world = loaded.resolve.packages[main].worlds[&case.world];
    let files = compono_bindgen::c::generate(&loaded.resolve, world, &options.compono())
        .map_err(|e| e.to_string())?;
    Ok(files
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_vec()))
        .collect())
}

pub fn wit_bindgen(case: &World, options: &Options) -> Result<Generated, String> {
    use wit_bindgen_core::wit_parser::Resolve;
    let mut resolve = Resolve {
        all_features: true,
        ..Resolve::default()
    };
    let mut main = None;
    for p in &case.paths {
        main = Some(resolve.push_path(p).map_err(|e| format!("{e:#}"))?.0);
    }
    let main = main.ok_or("no WIT")?;
    if resolve.packages[main].name.to_string() != case.package {
        return Err(format!(
            "wit-bindgen's main package is {}",
            resolve.packages[main].name
        ));
    }
    let world = resolve.packages[main].worlds[&case.world];
    let opts = options.wit_bindgen();
    // wit-bindgen panics on what it does not support (borrows in lists
    // with autodrop, fixed-length lists); that is an answer here, not a test
    // failure, and not worth a backtrace on stderr.
    quiet_wit_bindgen_panics();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut files = wit_bindgen_core::Files::default();
        opts.build()
            .generate(&mut resolve, world, &mut files)
            .map(|()| files)
    }));
    match result {
        Ok(Ok(files)) => Ok(files
            .iter()
            .map(|(n, c)| (n.to_string(), c.to_vec()))
            .collect()),
        Ok(Err(e)) => Err(format!("{e:#}")),
        Err(panic) => Err(format!(
            "wit-bindgen panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

/// Panics raised inside wit-bindgen's crates print nothing; others print
/// as usual.
fn quiet_wit_bindgen_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_wit_bindgen = info
                .location()
                .is_some_and(|l| l.file().contains("/wit-bindgen-"));
            if !in_wit_bindgen {
                default(info);
            }
        }));
    });
}
