//! Transcripts: what a component is expected to do, as data. The same file
//! is replayed here, on compono's runtime, and by `transcript.py` on
//! wasmtime-py, so both runtimes are held to the same behaviour.
//!
//! ```text
//! # A comment line.
//! call greet("Ann") -> "hello, Ann"
//!   import host:log/sink#log("Ann") -> 3
//! call test:files/fs#open("a.txt") -> ok(f1)
//!   import test:files/fs#[constructor]file("a.txt") -> f1
//! call close(f1)
//!   drop test:files/fs#file f1
//! call boom() -> trap
//! ```
//!
//! A `call` line is a call the host makes: the export (`f`, or
//! `interface#f`; resource functions as the component names them, e.g.
//! `[method]file.read`), its arguments in WAVE, and its result (`-> trap`
//! when it must trap; nothing when it has none). The indented lines under
//! it are what the component does during that call, in order: each
//! `import` is a call of one of its imports, with the arguments it must
//! pass and the result the host gives back; each `drop` is the destructor
//! of an imported resource running. A call that makes an import or drop
//! not listed, or misses one, fails.
//!
//! Resource handles, which WAVE cannot write, are labels (`f1`): a label
//! first seen in a call's result names the guest resource returned; one
//! first seen in an import's result makes a new host resource.

use crate::component::Component;
use crate::error::{Error, Result};
use crate::linker::{ImportCall, Linker};
use crate::store::{Store, StoreContextMut};
use crate::types::Type;
use crate::val::{ResourceAny, Val};
use crate::wave::WaveCall;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// A parsed transcript.
#[derive(Debug, Clone)]
pub struct Transcript {
    calls: Vec<CallStep>,
}

#[derive(Debug, Clone)]
struct CallStep {
    line: usize,
    call: String,
    expect: Expect,
    events: Vec<Event>,
}

#[derive(Debug, Clone)]
enum Expect {
    Nothing,
    Value(String),
    Trap,
}

#[derive(Debug, Clone)]
enum Event {
    Import {
        line: usize,
        call: String,
        result: Option<String>,
    },
    Drop {
        line: usize,
        resource: String,
        label: String,
    },
}

/// Splits `name(args) -> result` after the call's closing parenthesis,
/// skipping parentheses inside WAVE strings and characters.
fn split_call(text: &str) -> Option<(&str, &str)> {
    let (mut depth, mut quote, mut escaped) = (0i32, None::<char>, false);
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some((&text[..=i], text[i + 1..].trim()));
                    }
                }
                _ => {}
            },
        }
    }
    None
}

impl Transcript {
    pub fn parse(text: &str) -> std::result::Result<Transcript, String> {
        let mut calls: Vec<CallStep> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let bad = |what: &str| format!("line {line}: {what}: `{trimmed}`");
            let (keyword, rest) = trimmed
                .split_once(' ')
                .ok_or_else(|| bad("expected `call`, `import` or `drop`"))?;
            let rest = rest.trim();
            match keyword {
                "call" | "import" => {
                    let (call, tail) =
                        split_call(rest).ok_or_else(|| bad("expected `name(args)`"))?;
                    let result = match tail {
                        "" => None,
                        _ => Some(
                            tail.strip_prefix("->")
                                .ok_or_else(|| bad("expected `-> result` after the call"))?
                                .trim()
                                .to_string(),
                        ),
                    };
                    if keyword == "call" {
                        let expect = match result.as_deref() {
                            None => Expect::Nothing,
                            Some("trap") => Expect::Trap,
                            Some(value) => Expect::Value(value.to_string()),
                        };
                        calls.push(CallStep {
                            line,
                            call: call.to_string(),
                            expect,
                            events: Vec::new(),
                        });
                    } else {
                        let step = calls
                            .last_mut()
                            .ok_or_else(|| bad("an `import` must follow a `call`"))?;
                        step.events.push(Event::Import {
                            line,
                            call: call.to_string(),
                            result,
                        });
                    }
                }
                "drop" => {
                    let (resource, label) = rest
                        .rsplit_once(' ')
                        .ok_or_else(|| bad("expected `drop RESOURCE LABEL`"))?;
                    let step = calls
                        .last_mut()
                        .ok_or_else(|| bad("a `drop` must follow a `call`"))?;
                    step.events.push(Event::Drop {
                        line,
                        resource: resource.trim().to_string(),
                        label: label.trim().to_string(),
                    });
                }
                _ => return Err(bad("expected `call`, `import` or `drop`")),
            }
        }
        Ok(Transcript { calls })
    }

    /// How many checks the transcript makes: each call, import and drop.
    pub fn checks(&self) -> usize {
        self.calls.iter().map(|c| 1 + c.events.len()).sum()
    }

    /// Replays the transcript against a fresh instance of `component`.
    /// Every import is served from the transcript; resource types it
    /// imports are fresh host types.
    pub fn replay(&self, component: &Component) -> std::result::Result<(), String> {
        let engine = component.engine().clone();
        let mut store = Store::new(&engine, Replay::default());
        let mut linker = Linker::<Replay>::new(&engine);
        linker
            .define_unknown_imports(
                component,
                Arc::new(serve_import),
                Arc::new(|resource, mut store, rep| {
                    let replay = store.data_mut();
                    match replay.pending.pop_front() {
                        Some(Event::Drop {
                            resource: r,
                            label,
                            line,
                        }) if r == resource && replay.host_labels.get(&label) == Some(&rep) => {
                            let _ = line;
                            Ok(())
                        }
                        other => {
                            Err(replay.unexpected(format!("drop {resource} (rep {rep})"), other))
                        }
                    }
                }),
            )
            .map_err(|e| e.to_string())?;
        let instance = linker
            .instantiate(&mut store, component)
            .map_err(|e| format!("instantiation failed: {e}"))?;
        for step in &self.calls {
            let at = |what: String| format!("line {}: {}: {what}", step.line, step.call);
            let call = WaveCall::parse(&step.call).map_err(|e| at(e.to_string()))?;
            let func = instance
                .get_func(&store, call.name())
                .ok_or_else(|| at(format!("no exported function `{}`", call.name())))?;
            let types: Vec<Type> = func.params(&store).into_iter().map(|(_, t)| t).collect();
            let args = {
                let replay = store.data();
                call.args(&types, &mut |label, _| replay.guest_resource(label))
            }
            .map_err(|e| at(e.to_string()))?;
            store.data_mut().pending = step.events.iter().cloned().collect();
            store.data_mut().failure = None;
            let result_ty = func.result(&store);
            let mut results = vec![Val::Bool(false); usize::from(result_ty.is_some())];
            let outcome = func.call(&mut store, &args, &mut results);
            if let Some(failure) = store.data_mut().failure.take() {
                return Err(at(failure));
            }
            match (&step.expect, outcome) {
                (Expect::Trap, Err(Error::Trap(_))) => {}
                (Expect::Trap, Ok(())) => {
                    return Err(at("expected a trap, the call returned".into()));
                }
                (_, Err(e)) => return Err(at(format!("the call failed: {e}"))),
                (Expect::Nothing, Ok(())) if result_ty.is_none() => {}
                (Expect::Nothing, Ok(())) => {
                    return Err(at(format!(
                        "the call returned {}, the transcript gives no result",
                        results[0].to_wave()
                    )));
                }
                (Expect::Value(expected), Ok(())) => {
                    let (Some(ty), Some(actual)) = (&result_ty, results.first()) else {
                        return Err(at("the function has no result".into()));
                    };
                    let replay = store.data_mut();
                    let expected = parse_labelled(ty, expected).map_err(|e| at(e.to_string()))?;
                    if !replay.same(ty, &expected, actual) {
                        return Err(at(format!(
                            "expected {}, got {}",
                            expected.to_wave(),
                            actual.to_wave()
                        )));
                    }
                }
            }
            if let Some(missed) = store.data_mut().pending.pop_front() {
                return Err(at(format!(
                    "the call returned before {}",
                    describe(&missed)
                )));
            }
        }
        Ok(())
    }
}

/// The replay's state, kept in the store.
#[derive(Default)]
struct Replay {
    /// The events still expected during the call in progress.
    pending: VecDeque<Event>,
    /// The first mismatch inside the call, reported after it.
    failure: Option<String>,
    /// Host resources: label to representation.
    host_labels: HashMap<String, u32>,
    /// Guest resources the host was given, by label.
    guest_labels: HashMap<String, ResourceAny>,
}

fn describe(event: &Event) -> String {
    match event {
        Event::Import { line, call, .. } => format!("line {line}'s `import {call}`"),
        Event::Drop {
            line,
            resource,
            label,
        } => format!("line {line}'s `drop {resource} {label}`"),
    }
}

impl Replay {
    fn unexpected(&mut self, what: String, instead_of: Option<Event>) -> Error {
        let message = match instead_of {
            Some(event) => format!(
                "the component did `{what}` where the transcript has {}",
                describe(&event)
            ),
            None => format!("the component did `{what}`, which the transcript does not list"),
        };
        self.failure.get_or_insert(message.clone());
        Error::Trap(crate::error::Trap::host(message))
    }

    fn guest_resource(&self, label: &str) -> Result<Val> {
        self.guest_labels
            .get(label)
            .map(|r| Val::Resource(*r))
            .ok_or_else(|| {
                Error::usage(format!(
                    "no resource labelled `{label}` was returned earlier"
                ))
            })
    }

    /// Whether `actual` is `expected`, where resources in `expected` are
    /// labels (`Val::Enum`): a known label must be the same handle, an
    /// unknown one names the handle it meets.
    fn same(&mut self, ty: &Type, expected: &Val, actual: &Val) -> bool {
        match (ty, expected, actual) {
            (Type::Own(_) | Type::Borrow(_), Val::Enum(label), Val::Resource(r)) => {
                if let Some(known) = self.guest_labels.get(label) {
                    return known == r;
                }
                self.guest_labels.insert(label.clone(), *r);
                true
            }
            (Type::List(l), Val::List(e), Val::List(a)) => {
                e.len() == a.len() && e.iter().zip(a).all(|(e, a)| self.same(&l.element, e, a))
            }
            (Type::List(_), e, a) => same_bytes(e, a),
            (Type::Record(r), Val::Record(e), Val::Record(a)) => {
                e.len() == a.len()
                    && r.fields
                        .iter()
                        .zip(e.iter().zip(a))
                        .all(|(f, ((ne, ve), (na, va)))| ne == na && self.same(&f.ty, ve, va))
            }
            (Type::Tuple(t), Val::Tuple(e), Val::Tuple(a)) => {
                e.len() == a.len()
                    && t.types
                        .iter()
                        .zip(e.iter().zip(a))
                        .all(|(t, (e, a))| self.same(t, e, a))
            }
            (Type::Variant(v), Val::Variant(ne, pe), Val::Variant(na, pa)) => {
                ne == na
                    && match (
                        v.cases
                            .iter()
                            .find(|c| &c.name == ne)
                            .and_then(|c| c.ty.as_ref()),
                        pe,
                        pa,
                    ) {
                        (Some(t), Some(e), Some(a)) => self.same(t, e, a),
                        (_, None, None) => true,
                        _ => false,
                    }
            }
            (Type::Option(o), Val::Option(e), Val::Option(a)) => match (e, a) {
                (Some(e), Some(a)) => self.same(&o.some, e, a),
                (None, None) => true,
                _ => false,
            },
            (Type::Result(r), Val::Result(e), Val::Result(a)) => match (e, a) {
                (Ok(e), Ok(a)) => self.same_payload(r.ok.as_ref(), e, a),
                (Err(e), Err(a)) => self.same_payload(r.err.as_ref(), e, a),
                _ => false,
            },
            (Type::Flags(_), Val::Flags(e), Val::Flags(a)) => {
                e.len() == a.len() && e.iter().all(|f| a.contains(f))
            }
            (Type::F32, Val::Float32(e), Val::Float32(a)) => {
                (e.is_nan() && a.is_nan()) || e.to_bits() == a.to_bits()
            }
            (Type::F64, Val::Float64(e), Val::Float64(a)) => {
                (e.is_nan() && a.is_nan()) || e.to_bits() == a.to_bits()
            }
            (_, e, a) => e == a,
        }
    }

    fn same_payload(
        &mut self,
        ty: Option<&Type>,
        e: &Option<Box<Val>>,
        a: &Option<Box<Val>>,
    ) -> bool {
        match (ty, e, a) {
            (Some(t), Some(e), Some(a)) => self.same(t, e, a),
            (_, None, None) => true,
            _ => false,
        }
    }
}

/// `list<u8>` values, as bytes or as a list of `u8`s.
fn same_bytes(e: &Val, a: &Val) -> bool {
    let bytes = |v: &Val| -> Option<Vec<u8>> {
        match v {
            Val::Bytes(b) => Some(b.clone()),
            Val::List(items) => items
                .iter()
                .map(|i| match i {
                    Val::U8(b) => Some(*b),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    };
    bytes(e).is_some_and(|e| Some(e) == bytes(a))
}

/// Parses an expected value, resources left as labels (`Val::Enum`).
fn parse_labelled(ty: &Type, text: &str) -> Result<Val> {
    Val::from_wave_with(ty, text, &mut |label, _| Ok(Val::Enum(label.to_string())))
}

/// An import call: checks it against the next expected event and returns
/// the result the transcript gives.
fn serve_import(
    call: &ImportCall<'_>,
    mut store: StoreContextMut<'_, Replay>,
    args: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let shown: Vec<String> = args.iter().map(Val::to_wave).collect();
    let what = format!("import {}({})", call.path, shown.join(", "));
    let next = store.data_mut().pending.pop_front();
    let Some(Event::Import {
        call: expected,
        result,
        ..
    }) = next
    else {
        return Err(store.data_mut().unexpected(what, next));
    };
    let parsed = WaveCall::parse(&expected)?;
    if parsed.name() != call.path {
        let event = Event::Import {
            line: 0,
            call: expected,
            result,
        };
        return Err(store.data_mut().unexpected(what, Some(event)));
    }
    let types: Vec<Type> = call.ty.params.iter().map(|(_, t)| t.clone()).collect();
    let expected_args = parsed.args(&types, &mut |label, _| Ok(Val::Enum(label.to_string())))?;
    let matches = {
        let store = &mut store;
        types
            .iter()
            .zip(expected_args.iter().zip(args))
            .all(|(ty, (e, a))| same_import_arg(store, ty, e, a))
    };
    if !matches {
        let message = format!("the component did `{what}`, the transcript expects `{expected}`");
        let replay = store.data_mut();
        replay.failure.get_or_insert(message.clone());
        return Err(Error::Trap(crate::error::Trap::host(message)));
    }
    if let (Some(slot), Some(ty), Some(text)) = (results.first_mut(), &call.ty.result, result) {
        *slot = Val::from_wave_with(ty, &text, &mut |label, ty| {
            host_resource(call, &mut store, label, ty)
        })?;
    }
    Ok(())
}

/// An import argument against its expectation: host resources the guest
/// passes are compared by their label.
fn same_import_arg(
    store: &mut StoreContextMut<'_, Replay>,
    ty: &Type,
    expected: &Val,
    actual: &Val,
) -> bool {
    match (ty, expected, actual) {
        (Type::Own(_) | Type::Borrow(_), Val::Enum(label), Val::Resource(r)) => {
            let rep = r.rep(&*store).ok();
            rep.is_some() && store.data().host_labels.get(label).copied() == rep
        }
        _ => store.data_mut().same(ty, expected, actual),
    }
}

/// The host resource labelled `label`, made on first sight.
fn host_resource(
    call: &ImportCall<'_>,
    store: &mut StoreContextMut<'_, Replay>,
    label: &str,
    ty: &Type,
) -> Result<Val> {
    let resource_type = call
        .resource_type(ty)
        .ok_or_else(|| Error::usage(format!("`{label}` is not a resource of this import")))?;
    let next = store.data().host_labels.len() as u32 + 1;
    let rep = *store
        .data_mut()
        .host_labels
        .entry(label.to_string())
        .or_insert(next);
    Ok(Val::Resource(ResourceAny::new_own(
        &mut *store,
        resource_type,
        rep,
    )?))
}
