//! Random WIT from fuzz input: `wit-smith` packages, decoded by the
//! reference decoder.

use arbitrary::{Arbitrary, Unstructured};
use wit_parser::{PackageId, Resolve};

/// A generated package set: the encoding `wit-smith` produced (by
/// `wit-component`), and the reference decoder's reading of it.
pub struct Generated {
    pub wasm: Vec<u8>,
    pub resolve: Resolve,
    pub package: PackageId,
}

/// What the features a `wit-smith` config may switch on are used for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Features {
    /// Everything `wit-smith` can generate, async included.
    All,
    /// Only what compono implements for `new` and bindgen: no async
    /// functions, futures, streams, error contexts or fixed-length lists
    /// (compono refuses those with a clear error, which one input in
    /// eight still checks).
    Implemented,
}

/// A `wit-smith` config from the input, then a package set from the rest;
/// `None` when the input is too short or `wit-smith` declines it.
pub fn package(u: &mut Unstructured<'_>, features: Features) -> Option<Generated> {
    let mut config = wit_smith::Config::arbitrary(u).ok()?;
    let async_too = features == Features::All || u.ratio(1, 8).ok()?;
    if !async_too {
        config.async_ = false;
        config.futures = false;
        config.streams = false;
        config.error_context = false;
        config.fixed_length_lists = false;
    }
    config.world_include = u.arbitrary().ok()?;
    let wasm = smith(&config, u)?;
    let wit_parser::decoding::DecodedWasm::WitPackage(resolve, package) =
        wit_parser::decoding::decode(&wasm).ok()?
    else {
        return None;
    };
    Some(Generated {
        wasm,
        resolve,
        package,
    })
}

/// `wit_smith::smith`, or `None` where it declines the input or panics.
///
/// wit-smith 0.263 sometimes writes WIT its own parser refuses (a `use`
/// naming a renamed import, for one) and then panics ("bad wit parse").
/// That is the generator's bug, not compono's, so such inputs are skipped:
/// a panic hook, set once, lets a panic raised inside wit-smith unwind to
/// here instead of reaching libFuzzer's hook, which would abort; every
/// other panic still goes to the hook that was there before.
fn smith(config: &wit_smith::Config, u: &mut Unstructured<'_>) -> Option<Vec<u8>> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_wit_smith = info
                .location()
                .is_some_and(|l| l.file().contains("wit-smith"));
            if !in_wit_smith {
                previous(info);
            }
        }));
    });
    let generated =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wit_smith::smith(config, u)));
    generated.ok()?.ok()
}

/// The reference printer's text of `package` with every other package
/// nested after it, in topological order.
pub fn reference_text(resolve: &Resolve, package: PackageId) -> Result<String, String> {
    let nested: Vec<PackageId> = resolve
        .topological_packages()
        .into_iter()
        .filter(|&p| p != package)
        .collect();
    let mut printer = wit_component::WitPrinter::default();
    printer
        .print(resolve, package, &nested)
        .map_err(|e| format!("{e:#}"))?;
    Ok(printer.output.to_string())
}

/// compono's text of the same.
pub fn compono_text(resolve: &Resolve, package: PackageId) -> Result<String, String> {
    let nested: Vec<PackageId> = resolve
        .topological_packages()
        .into_iter()
        .filter(|&p| p != package)
        .collect();
    compono_wit::print_with(resolve, package, &nested, Default::default())
        .map_err(|e| e.to_string())
}

/// A line-by-line difference, short enough for a finding.
pub fn diff(expected: &str, actual: &str) -> String {
    let mut out = String::new();
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let from = first.saturating_sub(3);
    out.push_str(&format!("first difference at line {}:\n", first + 1));
    for (i, line) in e.iter().enumerate().skip(from).take(8) {
        out.push_str(&format!("-{:4} {line}\n", i + 1));
    }
    for (i, line) in a.iter().enumerate().skip(from).take(8) {
        out.push_str(&format!("+{:4} {line}\n", i + 1));
    }
    out
}
