//! A driver for component-model `.wast` scripts (`compono wast`, the
//! conformance tests).
//!
//! Every directive counts as one check. Components that use what this
//! runtime does not run (async, maps, core features the interpreter lacks)
//! are counted as unsupported, as is every check that uses them.

use crate::component::Component;
use crate::error::{Error, TrapCode};
use crate::instance::Instance;
use crate::linker::Linker;
use crate::store::{Engine, Store};
use crate::types::Type;
use crate::val::Val;
use compono_interp::wast::{Check, WastReport};
use std::collections::HashMap;
use std::path::Path;
use wast::component::WastVal;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// Whether a script holds component directives (else it is a core script,
/// for the interpreter's driver).
pub fn is_component_script(source: &str) -> bool {
    let Ok(buffer) = ParseBuffer::new(source) else {
        return false;
    };
    let Ok(script) = parser::parse::<Wast>(&buffer) else {
        // Let the component driver report the parse error if the text
        // mentions components at all.
        return source.contains("(component");
    };
    script.directives.iter().any(|d| match d {
        WastDirective::Module(m)
        | WastDirective::ModuleDefinition(m)
        | WastDirective::AssertMalformed { module: m, .. }
        | WastDirective::AssertInvalid { module: m, .. } => {
            matches!(
                m,
                QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
            )
        }
        WastDirective::AssertUnlinkable { module, .. } => matches!(module, Wat::Component(_)),
        _ => false,
    })
}

/// Runs a script file.
pub fn run_file(engine: &Engine, path: &Path) -> Result<WastReport, String> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| format!("failed to read {}: {e}", path.display()))?;
    run_script(engine, &source).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs a script given as text.
pub fn run_script(engine: &Engine, source: &str) -> Result<WastReport, String> {
    let buffer = ParseBuffer::new(source).map_err(|e| e.to_string())?;
    let script = parser::parse::<Wast>(&buffer).map_err(|mut e| {
        e.set_text(source);
        e.to_string()
    })?;
    let mut runner = Runner {
        engine: engine.clone(),
        store: Store::new(engine, ()),
        definitions: HashMap::new(),
        instances: HashMap::new(),
        current: None,
    };
    let mut report = WastReport::default();
    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(source);
        report.record(line, col, runner.directive(directive));
    }
    Ok(report)
}

/// A component that compiled, or one this runtime does not support.
#[derive(Clone)]
enum Compiled {
    Ok(Component),
    Unsupported,
}

#[derive(Clone)]
enum Current {
    Ok(Instance),
    Unsupported,
}

struct Runner {
    engine: Engine,
    store: Store<()>,
    definitions: HashMap<String, Compiled>,
    instances: HashMap<String, Current>,
    current: Option<Current>,
}

fn is_unsupported(e: &Error) -> bool {
    matches!(e, Error::Compile { message, .. }
        if message.starts_with("not supported") || message.contains("unsupported"))
}

enum Outcome {
    Values(Vec<Val>),
    Trap(Error),
}

impl Runner {
    fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Compiled, Check> {
        if matches!(
            module,
            QuoteWat::Wat(Wat::Module(_)) | QuoteWat::QuoteModule(..)
        ) {
            // Core modules at the top of a component script.
            return Ok(Compiled::Unsupported);
        }
        let bytes = module
            .encode()
            .map_err(|e| format!("could not encode the test component: {e}"))?;
        match Component::new(&self.engine, &bytes) {
            Ok(c) => Ok(Compiled::Ok(c)),
            Err(e) if is_unsupported(&e) => Ok(Compiled::Unsupported),
            Err(e) => Err(format!("component failed to compile: {e}").into()),
        }
    }

    fn instantiate(&mut self, compiled: &Compiled) -> Result<Current, Check> {
        match compiled {
            Compiled::Unsupported => Ok(Current::Unsupported),
            Compiled::Ok(component) => Linker::new(&self.engine)
                .instantiate(&mut self.store, component)
                .map(Current::Ok)
                .map_err(|e| format!("instantiation failed: {e}").into()),
        }
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> Result<(), Check> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let compiled = self.compile(&mut module)?;
                let instance = self.instantiate(&compiled)?;
                if let Some(name) = name {
                    self.instances.insert(name, instance.clone());
                }
                self.current = Some(instance.clone());
                match instance {
                    Current::Ok(_) => Ok(()),
                    Current::Unsupported => Err(Check::Unsupported),
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let compiled = self.compile(&mut module)?;
                if let Some(name) = name {
                    self.definitions.insert(name, compiled.clone());
                }
                match compiled {
                    Compiled::Ok(_) => Ok(()),
                    Compiled::Unsupported => Err(Check::Unsupported),
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let definition = module
                    .and_then(|m| self.definitions.get(m.name()).cloned())
                    .ok_or_else(|| Check::Failed("unknown component definition".into()))?;
                let current = self.instantiate(&definition)?;
                if let Some(name) = instance {
                    self.instances
                        .insert(name.name().to_string(), current.clone());
                }
                self.current = Some(current.clone());
                match current {
                    Current::Ok(_) => Ok(()),
                    Current::Unsupported => Err(Check::Unsupported),
                }
            }
            WastDirective::AssertMalformed { mut module, .. }
            | WastDirective::AssertInvalid { mut module, .. } => {
                if matches!(
                    module,
                    QuoteWat::Wat(Wat::Module(_)) | QuoteWat::QuoteModule(..)
                ) {
                    return Err(Check::Unsupported);
                }
                let bytes = match module.encode() {
                    Ok(bytes) => bytes,
                    // The text itself is malformed.
                    Err(_) => return Ok(()),
                };
                match Component::new(&self.engine, &bytes) {
                    Err(Error::Compile { .. }) => Ok(()),
                    Err(e) => Err(format!("expected a compile error, got {e}").into()),
                    Ok(_) => Err("expected the component to be rejected, it compiled"
                        .to_string()
                        .into()),
                }
            }
            WastDirective::AssertUnlinkable { module, .. } => {
                let mut module = QuoteWat::Wat(module);
                match self.compile(&mut module)? {
                    Compiled::Unsupported => Err(Check::Unsupported),
                    Compiled::Ok(component) => {
                        match Linker::new(&self.engine).instantiate(&mut self.store, &component) {
                            Err(Error::Link { .. }) => Ok(()),
                            Err(e) => Err(format!("expected a link error, got {e}").into()),
                            Ok(_) => {
                                Err("expected a link error, it instantiated".to_string().into())
                            }
                        }
                    }
                }
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke)? {
                Outcome::Values(_) => Ok(()),
                Outcome::Trap(e) => Err(format!("unexpected trap: {e}").into()),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let WastExecute::Invoke(invoke) = exec else {
                    return Err(Check::Unsupported);
                };
                match self.invoke(&invoke)? {
                    Outcome::Values(values) => check_results(&values, &results),
                    Outcome::Trap(e) => Err(format!("unexpected trap: {e}").into()),
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let WastExecute::Invoke(invoke) = exec else {
                    return Err(Check::Unsupported);
                };
                match self.invoke(&invoke)? {
                    Outcome::Trap(e) if trap_matches(&e, message) => Ok(()),
                    Outcome::Trap(e) => Err(format!("expected trap `{message}`, got `{e}`").into()),
                    Outcome::Values(v) => {
                        Err(format!("expected trap `{message}`, got {v:?}").into())
                    }
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Outcome::Trap(e) if trap_matches(&e, message) => Ok(()),
                Outcome::Trap(e) => {
                    Err(format!("expected exhaustion `{message}`, got `{e}`").into())
                }
                Outcome::Values(v) => Err(format!("expected exhaustion, got {v:?}").into()),
            },
            _ => Err(Check::Unsupported),
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Outcome, Check> {
        let target = match invoke.module {
            Some(id) => self.instances.get(id.name()).cloned(),
            None => self.current.clone(),
        };
        let instance = match target {
            Some(Current::Ok(instance)) => instance,
            Some(Current::Unsupported) => return Err(Check::Unsupported),
            None => return Err("no component instance to invoke".to_string().into()),
        };
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no exported function `{}`", invoke.name))?;
        let params = func.params(&self.store);
        if params.len() != invoke.args.len() {
            return Err(format!("`{}` takes {} arguments", invoke.name, params.len()).into());
        }
        let mut args = Vec::new();
        for ((_, ty), arg) in params.iter().zip(&invoke.args) {
            let WastArg::Component(value) = arg else {
                return Err("core value passed to a component function"
                    .to_string()
                    .into());
            };
            args.push(to_val(ty, value)?);
        }
        let mut results = vec![Val::Bool(false); usize::from(func.result(&self.store).is_some())];
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(Outcome::Values(results)),
            Err(e @ Error::Trap(_)) => Ok(Outcome::Trap(e)),
            Err(e) => Err(format!("call failed: {e}").into()),
        }
    }
}

/// Converts a script value to a [`Val`] of type `ty`.
fn to_val(ty: &Type, value: &WastVal<'_>) -> Result<Val, Check> {
    let mismatch = || Check::Failed(format!("argument {value:?} does not fit {ty}"));
    Ok(match (ty, value) {
        (Type::Bool, WastVal::Bool(b)) => Val::Bool(*b),
        (Type::S8, WastVal::S8(i)) => Val::S8(*i),
        (Type::U8, WastVal::U8(i)) => Val::U8(*i),
        (Type::S16, WastVal::S16(i)) => Val::S16(*i),
        (Type::U16, WastVal::U16(i)) => Val::U16(*i),
        (Type::S32, WastVal::S32(i)) => Val::S32(*i),
        (Type::U32, WastVal::U32(i)) => Val::U32(*i),
        (Type::S64, WastVal::S64(i)) => Val::S64(*i),
        (Type::U64, WastVal::U64(i)) => Val::U64(*i),
        (Type::F32, WastVal::F32(f)) => Val::Float32(f32::from_bits(f.bits)),
        (Type::F64, WastVal::F64(f)) => Val::Float64(f64::from_bits(f.bits)),
        (Type::Char, WastVal::Char(c)) => Val::Char(*c),
        (Type::String, WastVal::String(s)) => Val::String(s.to_string()),
        (Type::List(l), WastVal::List(items)) => Val::List(
            items
                .iter()
                .map(|v| to_val(&l.element, v))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Map(m), WastVal::Map(entries)) => Val::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((to_val(&m.key, k)?, to_val(&m.value, v)?)))
                .collect::<Result<_, Check>>()?,
        ),
        (Type::Record(r), WastVal::Record(fields)) => {
            let mut out = Vec::new();
            for field in r.fields.iter() {
                let (_, v) = fields
                    .iter()
                    .find(|(n, _)| *n == field.name)
                    .ok_or_else(mismatch)?;
                out.push((field.name.clone(), to_val(&field.ty, v)?));
            }
            Val::Record(out)
        }
        (Type::Tuple(t), WastVal::Tuple(items)) if items.len() == t.types.len() => Val::Tuple(
            t.types
                .iter()
                .zip(items)
                .map(|(t, v)| to_val(t, v))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Variant(v), WastVal::Variant(name, payload)) => {
            let case = v
                .cases
                .iter()
                .find(|c| c.name == *name)
                .ok_or_else(mismatch)?;
            let payload = match (&case.ty, payload) {
                (Some(t), Some(p)) => Some(Box::new(to_val(t, p)?)),
                (None, None) => None,
                _ => return Err(mismatch()),
            };
            Val::Variant(name.to_string(), payload)
        }
        (Type::Enum(_), WastVal::Enum(name)) => Val::Enum(name.to_string()),
        (Type::Option(o), WastVal::Option(v)) => Val::Option(match v {
            Some(v) => Some(Box::new(to_val(&o.some, v)?)),
            None => None,
        }),
        (Type::Result(r), WastVal::Result(v)) => {
            let payload = |t: &Option<Type>,
                           v: &Option<Box<WastVal<'_>>>|
             -> Result<Option<Box<Val>>, Check> {
                match (t, v) {
                    (Some(t), Some(v)) => Ok(Some(Box::new(to_val(t, v)?))),
                    (None, None) => Ok(None),
                    _ => Err(mismatch()),
                }
            };
            Val::Result(match v {
                Ok(v) => Ok(payload(&r.ok, v)?),
                Err(v) => Err(payload(&r.err, v)?),
            })
        }
        (Type::Flags(_), WastVal::Flags(names)) => {
            Val::Flags(names.iter().map(|n| n.to_string()).collect())
        }
        _ => return Err(mismatch()),
    })
}

fn check_results(values: &[Val], expected: &[WastRet<'_>]) -> Result<(), Check> {
    if values.len() != expected.len() {
        return Err(format!("expected {} results, got {values:?}", expected.len()).into());
    }
    for (value, expected) in values.iter().zip(expected) {
        let WastRet::Component(expected) = expected else {
            return Err("core result expected from a component function"
                .to_string()
                .into());
        };
        if !val_matches(value, expected) {
            return Err(format!("expected {expected:?}, got {}", value.to_wave()).into());
        }
    }
    Ok(())
}

fn val_matches(value: &Val, expected: &WastVal<'_>) -> bool {
    let opt = |v: &Option<Box<Val>>, e: &Option<Box<WastVal<'_>>>| match (v, e) {
        (Some(v), Some(e)) => val_matches(v, e),
        (None, None) => true,
        _ => false,
    };
    match (value, expected) {
        (Val::Bool(a), WastVal::Bool(b)) => a == b,
        (Val::S8(a), WastVal::S8(b)) => a == b,
        (Val::U8(a), WastVal::U8(b)) => a == b,
        (Val::S16(a), WastVal::S16(b)) => a == b,
        (Val::U16(a), WastVal::U16(b)) => a == b,
        (Val::S32(a), WastVal::S32(b)) => a == b,
        (Val::U32(a), WastVal::U32(b)) => a == b,
        (Val::S64(a), WastVal::S64(b)) => a == b,
        (Val::U64(a), WastVal::U64(b)) => a == b,
        (Val::Float32(a), WastVal::F32(b)) => {
            let b = f32::from_bits(b.bits);
            (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
        }
        (Val::Float64(a), WastVal::F64(b)) => {
            let b = f64::from_bits(b.bits);
            (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
        }
        (Val::Char(a), WastVal::Char(b)) => a == b,
        (Val::String(a), WastVal::String(b)) => a == b,
        (Val::Bytes(a), WastVal::List(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(a, b)| matches!(b, WastVal::U8(b) if a == b))
        }
        (Val::List(a), WastVal::List(b)) | (Val::Tuple(a), WastVal::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| val_matches(a, b))
        }
        (Val::Map(a), WastVal::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| val_matches(ka, kb) && val_matches(va, vb))
        }
        (Val::Record(a), WastVal::Record(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((na, va), (nb, vb))| na == nb && val_matches(va, vb))
        }
        (Val::Variant(na, va), WastVal::Variant(nb, vb)) => na == nb && opt(va, vb),
        (Val::Enum(a), WastVal::Enum(b)) => a == b,
        (Val::Option(a), WastVal::Option(b)) => opt(a, b),
        (Val::Result(Ok(a)), WastVal::Result(Ok(b)))
        | (Val::Result(Err(a)), WastVal::Result(Err(b))) => opt(a, b),
        (Val::Flags(a), WastVal::Flags(b)) => {
            a.len() == b.len() && b.iter().all(|n| a.iter().any(|m| m == n))
        }
        _ => false,
    }
}

/// Trap codes that the messages of another runtime (wasmtime, whose
/// wording the suite uses) stand for, where the wording differs from ours
/// for the same rule of the canonical ABI: wasmtime words some checks
/// differently in its host path and in its compiled adapters.
const TRAP_ALIASES: &[(&str, &[TrapCode])] = &[
    (
        "unaligned pointer",
        &[TrapCode::UnalignedPointer, TrapCode::ReallocUnaligned],
    ),
    (
        "realloc return: result not aligned",
        &[TrapCode::ReallocUnaligned],
    ),
    (
        "realloc return: beyond end of memory",
        &[TrapCode::ReallocOutOfBounds],
    ),
    (
        "string content out-of-bounds",
        &[TrapCode::StringOutOfBounds, TrapCode::ReallocOutOfBounds],
    ),
    (
        "string pointer/length out of bounds of memory",
        &[TrapCode::StringOutOfBounds],
    ),
    (
        "list content out-of-bounds",
        &[TrapCode::ListOutOfBounds, TrapCode::ReallocOutOfBounds],
    ),
    ("pointer out of bounds of memory", &[TrapCode::OutOfBounds]),
];

fn trap_matches(error: &Error, expected: &str) -> bool {
    let Error::Trap(trap) = error else {
        return false;
    };
    let expected = expected.strip_prefix("wasm trap: ").unwrap_or(expected);
    let ours = trap.to_string();
    if ours.contains(expected) {
        return true;
    }
    TRAP_ALIASES
        .iter()
        .any(|(message, codes)| expected == *message && codes.contains(&trap.code()))
}
