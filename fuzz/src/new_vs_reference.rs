//! `new-vs-reference`: for every world of a `wit-smith` package, a
//! placeholder core module (both manglings) is wrapped by `compono new`
//! and by `wit-component`'s encoder. compono's component must validate and
//! its WIT must equal the reference's; when one side refuses, the other
//! must too, unless the README lists why not (see `explain`).

use arbitrary::Unstructured;
use compono_component::{DummyNames, EmbedOptions, NewOptions};
use wit_parser::{Resolve, WorldId};

use crate::generate::{self, Features};
use crate::stats::{self, Ending};
use crate::{Finding, no_panic, validate};

/// How many worlds the input exercised.
pub struct Outcome {
    pub worlds: usize,
}

/// Who made the placeholder module and its `component-type` section.
#[derive(Debug, Clone, Copy)]
enum Embedder {
    Compono,
    Reference,
}

pub fn run(data: &[u8]) -> Result<Outcome, Finding> {
    let mut u = Unstructured::new(data);
    let embedder = if u.arbitrary().unwrap_or(false) {
        Embedder::Reference
    } else {
        Embedder::Compono
    };
    let Some(generated) = generate::package(&mut u, Features::Implemented) else {
        return Ok(Outcome { worlds: 0 });
    };
    let resolve = &generated.resolve;
    let mut worlds = 0;
    for (_, &world) in resolve.packages[generated.package].worlds.iter() {
        for names in [DummyNames::Legacy, DummyNames::Standard32] {
            check_world(resolve, world, names, embedder).map_err(|f| {
                Finding(format!(
                    "world `{}` ({names:?} names, module by {embedder:?}): {f}\n\nWIT:\n{}",
                    resolve.worlds[world].name,
                    generate::reference_text(resolve, generated.package).unwrap_or_default()
                ))
            })?;
            worlds += 1;
        }
    }
    Ok(Outcome { worlds })
}

/// What `module` made.
enum Placeholder {
    Made(Vec<u8>),
    /// Neither tool can embed the world.
    BothRefuse,
    /// compono refuses, for a reason `explain_refusal` gives.
    Explained(&'static str),
}

/// The module both tools wrap: a placeholder for `world` with the world
/// embedded, by compono or by the reference.
fn module(
    resolve: &Resolve,
    world: WorldId,
    names: DummyNames,
    embedder: Embedder,
) -> Result<Placeholder, Finding> {
    match embedder {
        Embedder::Compono => {
            let dummy = no_panic("compono dummy_module", || {
                compono_component::dummy_module(resolve, world, names)
            })?;
            let dummy = match dummy {
                Ok(dummy) => dummy,
                Err(e) => match explain_refusal(&e) {
                    Some(why) => return Ok(Placeholder::Explained(why)),
                    None => {
                        return Err(Finding(format!(
                            "compono cannot make the placeholder module: {e}"
                        )));
                    }
                },
            };
            let embedded = no_panic("compono embed", || {
                compono_component::embed(&dummy, resolve.clone(), world, &EmbedOptions::default())
            })?;
            match embedded {
                Ok(m) => Ok(Placeholder::Made(m)),
                Err(e) => {
                    // The reference must refuse to encode the world too.
                    let theirs = wit_component::metadata::encode(
                        resolve,
                        world,
                        wit_component::StringEncoding::UTF8,
                        None,
                        false,
                    );
                    match theirs {
                        Ok(_) => Err(Finding(format!(
                            "compono embed refuses a world the reference encodes: {e}"
                        ))),
                        Err(_) => Ok(Placeholder::BothRefuse),
                    }
                }
            }
        }
        Embedder::Reference => {
            let mangling = match names {
                DummyNames::Legacy => {
                    wit_parser::ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync)
                }
                DummyNames::Standard32 => wit_parser::ManglingAndAbi::Standard32,
            };
            let mut module = wit_component::dummy_module(resolve, world, mangling);
            wit_component::embed_component_metadata(
                &mut module,
                resolve,
                world,
                wit_component::StringEncoding::UTF8,
                false,
            )
            .map_err(|e| Finding(format!("reference embed failed: {e:#}")))?;
            Ok(Placeholder::Made(module))
        }
    }
}

fn check_world(
    resolve: &Resolve,
    world: WorldId,
    names: DummyNames,
    embedder: Embedder,
) -> Result<(), Finding> {
    let module = match module(resolve, world, names, embedder)? {
        Placeholder::Made(module) => module,
        Placeholder::BothRefuse => {
            stats::record(Ending::BothRefuse);
            return Ok(());
        }
        Placeholder::Explained(why) => {
            stats::record(Ending::Explained(why));
            return Ok(());
        }
    };
    let ours = no_panic("compono new", || {
        compono_component::new(&module, &NewOptions::default())
    })?;
    let theirs = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .and_then(|e| e.encode());
    let ending = match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => {
            validate(&ours).map_err(|e| format!("compono's component does not validate: {e}"))?;
            let ours_wit = component_wit(&ours).map_err(|e| format!("ours: {e}"))?;
            let theirs_wit = component_wit(&theirs).map_err(|e| format!("reference: {e}"))?;
            if ours_wit != theirs_wit {
                return Err(Finding(format!(
                    "the components' WIT differs (- reference, + compono):\n{}",
                    generate::diff(&theirs_wit, &ours_wit)
                )));
            }
            Ending::BothAccept
        }
        (Err(_), Err(_)) => Ending::BothRefuse,
        (Err(ours), Ok(_)) => match explain_refusal(&ours) {
            Some(why) => Ending::Explained(why),
            None => {
                return Err(Finding(format!(
                    "compono refuses what the reference accepts: {ours}"
                )));
            }
        },
        (Ok(_), Err(theirs)) => {
            return Err(Finding(format!(
                "compono accepts what the reference refuses: {theirs:#}"
            )));
        }
    };
    stats::record(ending);
    Ok(())
}

/// Why compono may refuse what the reference accepts: only what the README
/// lists under "Differences from wasm-tools".
fn explain_refusal(error: &compono_component::Error) -> Option<&'static str> {
    use compono_component::Unimplemented;
    match error {
        compono_component::Error::Unsupported {
            feature: Unimplemented::AsyncFunction | Unimplemented::AsyncTypes,
            ..
        } => Some("async functions and async types are not implemented"),
        _ => None,
    }
}

/// The world of a component, printed by the reference printer.
fn component_wit(component: &[u8]) -> Result<String, String> {
    match wit_parser::decoding::decode(component).map_err(|e| format!("{e:#}"))? {
        wit_parser::decoding::DecodedWasm::Component(resolve, world) => {
            let package = resolve.worlds[world]
                .package
                .ok_or("the world has no package")?;
            generate::reference_text(&resolve, package)
        }
        _ => Err("decodes as a WIT package, not a component".into()),
    }
}
