//! Transcripts: what a component is expected to do, as data. The same file
//! is replayed here, on compono's runtime, and by `tests/transcript.py` on
//! wasmtime-py, so both runtimes are held to the same behaviour. This is
//! the one description of the format; the Python driver follows it.
//!
//! ```text
//! # A comment line.
//! call greet("Ann") -> "hello, Ann"
//!   import host:log/sink#log("Ann") -> 3
//! call test:files/fs#open("a.txt") -> ok(f1)
//!   import test:files/fs#[constructor]file("a.txt") -> f1
//! call close(f1)
//!   drop test:files/fs#file f1
//! call test:res/api#[constructor]stack("a") -> s1
//! drop s1
//! call boom() -> trap
//! ```
//!
//! Unindented lines are the steps the host takes, in order:
//!
//! - `call f(args) -> result`: a call of the export `f` (or
//!   `interface#f`; resource functions as the component names them, e.g.
//!   `[method]file.read`) with its arguments in WAVE, and its result
//!   (`-> trap` when it must trap; nothing when it has none). Trailing
//!   `option` arguments may be left out.
//! - `drop LABEL`: the host drops the handle it holds (a guest resource a
//!   call returned); the guest's destructor runs.
//!
//! The indented lines under a step are what the component does during it,
//! in order: each `import iface#f(args) -> result` is a call of one of its
//! imports (`f(...)` for a function the world imports itself), with the
//! arguments it must pass and the result the host gives back; each
//! `drop iface#res LABEL` is the destructor of an imported (host) resource
//! running. A step that makes an import or drop not listed, or misses one,
//! fails; so does an import of anything the transcript never lists.
//!
//! Resource handles, which WAVE cannot write, are labels (`f1`), anywhere in
//! a value (a list of handles, a record field, a variant payload). A label
//! names one resource for the whole transcript:
//!
//! - a host resource (of a resource type the component imports) is made
//!   where its label is first seen in an import's result or in a call's
//!   argument; where the component hands it back (an import argument, a
//!   call result) its label says which one it must be;
//! - a guest resource (one the component defines) is named where its label
//!   is first seen in a call's result (or an import argument); the host
//!   holds the handle, passes it by that label in later calls, and may
//!   `drop` it.
//!
//! Floats compare bit for bit, except that any NaN matches any NaN.

use crate::component::Component;
use crate::error::{Error, Result, Trap};
use crate::func::Func;
use crate::linker::{ImportCall, Linker};
use crate::store::{AsContext, Store, StoreContextMut};
use crate::types::Type;
use crate::val::{ResourceAny, Val};
use crate::wave::WaveCall;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// A parsed transcript.
#[derive(Debug, Clone)]
pub struct Transcript {
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
struct Step {
    line: usize,
    action: Action,
    events: Vec<Event>,
}

#[derive(Debug, Clone)]
enum Action {
    Call { call: String, expect: Expect },
    Drop { label: String },
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
        let mut steps: Vec<Step> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indented = raw.starts_with(char::is_whitespace);
            let bad = |what: &str| format!("line {line}: {what}: `{trimmed}`");
            let (keyword, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
            let rest = rest.trim();
            let call_and_result = || -> std::result::Result<(String, Option<String>), String> {
                let (call, tail) = split_call(rest).ok_or_else(|| bad("expected `name(args)`"))?;
                let result = match tail {
                    "" => None,
                    _ => Some(
                        tail.strip_prefix("->")
                            .ok_or_else(|| bad("expected `-> result` after the call"))?
                            .trim()
                            .to_string(),
                    ),
                };
                Ok((call.to_string(), result))
            };
            if !indented {
                let action = match keyword {
                    "call" => {
                        let (call, result) = call_and_result()?;
                        let expect = match result.as_deref() {
                            None => Expect::Nothing,
                            Some("trap") => Expect::Trap,
                            Some(value) => Expect::Value(value.to_string()),
                        };
                        Action::Call { call, expect }
                    }
                    "drop" if !rest.is_empty() && !rest.contains(char::is_whitespace) => {
                        Action::Drop {
                            label: rest.to_string(),
                        }
                    }
                    _ => return Err(bad("expected `call f(args)` or `drop LABEL`")),
                };
                steps.push(Step {
                    line,
                    action,
                    events: Vec::new(),
                });
                continue;
            }
            let event = match keyword {
                "import" => {
                    let (call, result) = call_and_result()?;
                    Event::Import { line, call, result }
                }
                "drop" => {
                    let (resource, label) = rest
                        .rsplit_once(' ')
                        .ok_or_else(|| bad("expected `drop RESOURCE LABEL`"))?;
                    Event::Drop {
                        line,
                        resource: resource.trim().to_string(),
                        label: label.trim().to_string(),
                    }
                }
                _ => return Err(bad("expected `import f(args)` or `drop RESOURCE LABEL`")),
            };
            steps
                .last_mut()
                .ok_or_else(|| bad("an indented line must follow a step"))?
                .events
                .push(event);
        }
        Ok(Transcript { steps })
    }

    /// How many checks the transcript makes: each step, import and drop.
    pub fn checks(&self) -> usize {
        self.steps.iter().map(|s| 1 + s.events.len()).sum()
    }

    /// Replays the transcript against a fresh instance of `component`.
    /// Every import is served from the transcript; resource types it
    /// imports are fresh host types.
    pub fn replay(&self, component: &Component) -> std::result::Result<(), String> {
        let engine = component.engine().clone();
        let mut store = Store::new(&engine, Replay::default());
        let mut linker = Linker::<Replay>::new(&engine);
        linker
            .define_unknown_imports(component, Arc::new(serve_import), Arc::new(serve_drop))
            .map_err(|e| e.to_string())?;
        let instance = linker
            .instantiate(&mut store, component)
            .map_err(|e| format!("instantiation failed: {e}"))?;
        for step in &self.steps {
            let what = match &step.action {
                Action::Call { call, .. } => call.clone(),
                Action::Drop { label } => format!("drop {label}"),
            };
            let at = |e: String| format!("line {}: {what}: {e}", step.line);
            store.data_mut().pending = step.events.iter().cloned().collect();
            store.data_mut().failure = None;
            let outcome = match &step.action {
                Action::Call { call, expect } => call_step(&mut store, &instance, call, expect),
                Action::Drop { label } => drop_step(&mut store, label),
            };
            if let Some(failure) = store.data_mut().failure.take() {
                return Err(at(failure));
            }
            outcome.map_err(at)?;
            if let Some(missed) = store.data_mut().pending.pop_front() {
                return Err(at(format!("it returned before {}", describe(&missed))));
            }
        }
        Ok(())
    }
}

fn call_step(
    store: &mut Store<Replay>,
    instance: &crate::instance::Instance,
    text: &str,
    expect: &Expect,
) -> std::result::Result<(), String> {
    let call = WaveCall::parse(text).map_err(|e| e.to_string())?;
    let func = instance
        .get_func(&*store, call.name())
        .ok_or_else(|| format!("no exported function `{}`", call.name()))?;
    let types: Vec<Type> = func.params(&*store).into_iter().map(|(_, t)| t).collect();
    let args = call
        .args(&types, &mut |label, ty| call_arg(store, func, label, ty))
        .map_err(|e| e.to_string())?;
    let result_ty = func.result(&*store);
    let mut results = vec![Val::Bool(false); usize::from(result_ty.is_some())];
    let outcome = func.call(&mut *store, &args, &mut results);
    match (expect, outcome) {
        (Expect::Trap, Err(Error::Trap(_))) => Ok(()),
        (Expect::Trap, Ok(())) => Err("expected a trap, the call returned".into()),
        (_, Err(e)) => Err(format!("the call failed: {e}")),
        (Expect::Nothing, Ok(())) if result_ty.is_none() => Ok(()),
        (Expect::Nothing, Ok(())) => Err(format!(
            "the call returned {}, the transcript gives no result",
            results[0].to_wave()
        )),
        (Expect::Value(expected), Ok(())) => {
            let (Some(ty), Some(actual)) = (&result_ty, results.first()) else {
                return Err("the function has no result".into());
            };
            let expected = parse_labelled(ty, expected).map_err(|e| e.to_string())?;
            let reps = host_reps(&*store, actual);
            if store.data_mut().same(ty, &expected, actual, &reps) {
                Ok(())
            } else {
                let replay = store.data();
                Err(format!(
                    "expected {}, got {}",
                    expected.to_wave(),
                    replay.show(actual, &reps)
                ))
            }
        }
    }
}

/// The host drops the handle labelled `label`.
fn drop_step(store: &mut Store<Replay>, label: &str) -> std::result::Result<(), String> {
    let handle = store
        .data_mut()
        .guest_labels
        .remove(label)
        .ok_or_else(|| format!("the host holds no handle labelled `{label}`"))?;
    handle
        .resource_drop(&mut *store)
        .map_err(|e| format!("the drop failed: {e}"))
}

/// A call's argument for a resource label: the guest resource the host
/// holds by that name, or a new handle to the host resource it names
/// (made on first sight).
fn call_arg(store: &mut Store<Replay>, func: Func, label: &str, ty: &Type) -> Result<Val> {
    if let Some(r) = store.data().guest_labels.get(label) {
        return Ok(Val::Resource(*r));
    }
    let resource_type = func
        .resource_type(&*store, ty)
        .filter(|t| t.is_host())
        .ok_or_else(|| {
            Error::usage(format!(
                "no resource labelled `{label}` was returned earlier"
            ))
        })?;
    let rep = store.data_mut().host_rep(label);
    Ok(Val::Resource(ResourceAny::new_own(
        &mut *store,
        resource_type,
        rep,
    )?))
}

/// The representations of the host resources in `v`.
fn host_reps<T>(store: impl AsContext<Data = T>, v: &Val) -> HashMap<ResourceAny, u32> {
    fn walk<T>(store: &impl AsContext<Data = T>, v: &Val, out: &mut HashMap<ResourceAny, u32>) {
        match v {
            Val::Resource(r) if r.ty().is_host() => {
                if let Ok(rep) = r.rep(store) {
                    out.insert(*r, rep);
                }
            }
            Val::List(items) | Val::Tuple(items) => items.iter().for_each(|i| walk(store, i, out)),
            Val::Record(fields) => fields.iter().for_each(|(_, f)| walk(store, f, out)),
            Val::Map(entries) => entries.iter().for_each(|(k, v)| {
                walk(store, k, out);
                walk(store, v, out);
            }),
            Val::Variant(_, Some(p))
            | Val::Option(Some(p))
            | Val::Result(Ok(Some(p)) | Err(Some(p))) => walk(store, p, out),
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(&store, v, &mut out);
    out
}

/// The replay's state, kept in the store.
#[derive(Default)]
struct Replay {
    /// The events still expected during the step in progress.
    pending: VecDeque<Event>,
    /// The first mismatch inside the step, reported after it.
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
        self.fail(message)
    }

    fn fail(&mut self, message: String) -> Error {
        self.failure.get_or_insert(message.clone());
        Error::Trap(Trap::host(message))
    }

    /// The representation of the host resource labelled `label`, given
    /// on first sight (numbered from 1, one numbering for every type).
    fn host_rep(&mut self, label: &str) -> u32 {
        let next = self.host_labels.len() as u32 + 1;
        *self.host_labels.entry(label.to_string()).or_insert(next)
    }

    /// `v` in WAVE with its resources as their labels (`?` for one not
    /// labelled yet).
    fn show(&self, v: &Val, reps: &HashMap<ResourceAny, u32>) -> String {
        v.to_wave_with(&mut |r| {
            let label = match reps.get(r) {
                Some(rep) => self
                    .host_labels
                    .iter()
                    .find(|(_, v)| *v == rep)
                    .map(|(l, _)| l),
                None => self
                    .guest_labels
                    .iter()
                    .find(|(_, v)| *v == r)
                    .map(|(l, _)| l),
            };
            label.map_or("?".to_string(), String::clone)
        })
    }

    /// Whether `actual` is `expected`, where resources in `expected` are
    /// labels (`Val::Enum`): a host resource (its representation in
    /// `reps`) must be the one its label names; a guest resource must be
    /// the handle its label names, or names it if the label is new.
    fn same(
        &mut self,
        ty: &Type,
        expected: &Val,
        actual: &Val,
        reps: &HashMap<ResourceAny, u32>,
    ) -> bool {
        match (ty, expected, actual) {
            (Type::Own(_) | Type::Borrow(_), Val::Enum(label), Val::Resource(r)) => {
                if let Some(rep) = reps.get(r) {
                    return self.host_labels.get(label) == Some(rep);
                }
                if self.host_labels.contains_key(label) {
                    return false;
                }
                if let Some(known) = self.guest_labels.get(label) {
                    return known == r;
                }
                self.guest_labels.insert(label.clone(), *r);
                true
            }
            (Type::List(l), Val::List(e), Val::List(a)) => {
                e.len() == a.len()
                    && e.iter()
                        .zip(a)
                        .all(|(e, a)| self.same(&l.element, e, a, reps))
            }
            (Type::List(_), e, a) => same_bytes(e, a),
            (Type::Map(m), Val::Map(e), Val::Map(a)) => {
                e.len() == a.len()
                    && e.iter().zip(a).all(|((ek, ev), (ak, av))| {
                        self.same(&m.key, ek, ak, reps) && self.same(&m.value, ev, av, reps)
                    })
            }
            (Type::Record(r), Val::Record(e), Val::Record(a)) => {
                e.len() == a.len()
                    && r.fields
                        .iter()
                        .zip(e.iter().zip(a))
                        .all(|(f, ((ne, ve), (na, va)))| ne == na && self.same(&f.ty, ve, va, reps))
            }
            (Type::Tuple(t), Val::Tuple(e), Val::Tuple(a)) => {
                e.len() == a.len()
                    && t.types
                        .iter()
                        .zip(e.iter().zip(a))
                        .all(|(t, (e, a))| self.same(t, e, a, reps))
            }
            (Type::Variant(v), Val::Variant(ne, pe), Val::Variant(na, pa)) => {
                let case_ty = v
                    .cases
                    .iter()
                    .find(|c| &c.name == ne)
                    .and_then(|c| c.ty.as_ref());
                ne == na && self.same_payload(case_ty, pe, pa, reps)
            }
            (Type::Option(o), Val::Option(e), Val::Option(a)) => match (e, a) {
                (Some(e), Some(a)) => self.same(&o.some, e, a, reps),
                (None, None) => true,
                _ => false,
            },
            (Type::Result(r), Val::Result(e), Val::Result(a)) => match (e, a) {
                (Ok(e), Ok(a)) => self.same_payload(r.ok.as_ref(), e, a, reps),
                (Err(e), Err(a)) => self.same_payload(r.err.as_ref(), e, a, reps),
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
        reps: &HashMap<ResourceAny, u32>,
    ) -> bool {
        match (ty, e, a) {
            (Some(t), Some(e), Some(a)) => self.same(t, e, a, reps),
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
    let reps: HashMap<ResourceAny, u32> = args.iter().flat_map(|a| host_reps(&store, a)).collect();
    let shown: Vec<String> = args.iter().map(|a| store.data().show(a, &reps)).collect();
    let what = format!("import {}({})", call.path, shown.join(", "));
    let next = store.data_mut().pending.pop_front();
    let Some(Event::Import {
        line,
        call: expected,
        result,
    }) = next
    else {
        return Err(store.data_mut().unexpected(what, next));
    };
    let parsed = WaveCall::parse(&expected)?;
    if parsed.name() != call.path {
        let event = Event::Import {
            line,
            call: expected,
            result,
        };
        return Err(store.data_mut().unexpected(what, Some(event)));
    }
    let types: Vec<Type> = call.ty.params.iter().map(|(_, t)| t.clone()).collect();
    let expected_args = parsed.args(&types, &mut |label, _| Ok(Val::Enum(label.to_string())))?;
    let replay = store.data_mut();
    let matches = types
        .iter()
        .zip(expected_args.iter().zip(args))
        .all(|(ty, (e, a))| replay.same(ty, e, a, &reps));
    if !matches {
        return Err(replay.fail(format!(
            "the component did `{what}`, line {line} expects `import {expected}`"
        )));
    }
    if let (Some(slot), Some(ty), Some(text)) = (results.first_mut(), &call.ty.result, result) {
        *slot = Val::from_wave_with(ty, &text, &mut |label, ty| {
            host_resource(call, &mut store, label, ty)
        })?;
    }
    Ok(())
}

/// The destructor of an imported resource: checks it against the next
/// expected event.
fn serve_drop(resource: &str, mut store: StoreContextMut<'_, Replay>, rep: u32) -> Result<()> {
    let replay = store.data_mut();
    match replay.pending.pop_front() {
        Some(Event::Drop {
            resource: r, label, ..
        }) if r == resource && replay.host_labels.get(&label) == Some(&rep) => Ok(()),
        other => {
            let label = replay
                .host_labels
                .iter()
                .find(|(_, v)| **v == rep)
                .map_or("?", |(l, _)| l.as_str());
            Err(replay.unexpected(format!("drop {resource} {label}"), other))
        }
    }
}

/// The host resource labelled `label` that an import returns, made on
/// first sight.
fn host_resource(
    call: &ImportCall<'_>,
    store: &mut StoreContextMut<'_, Replay>,
    label: &str,
    ty: &Type,
) -> Result<Val> {
    let resource_type = call
        .resource_type(ty)
        .ok_or_else(|| Error::usage(format!("`{label}` is not a resource of this import")))?;
    let rep = store.data_mut().host_rep(label);
    Ok(Val::Resource(ResourceAny::new_own(
        &mut *store,
        resource_type,
        rep,
    )?))
}
