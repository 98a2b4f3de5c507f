//! A driver for `.wast` spec scripts, with the standard `spectest` module.
//!
//! Every directive counts as one check: module definitions and
//! registrations, invocations and each kind of assertion. A check passes
//! when the interpreter behaves as the script says; a text-format module
//! that the text parser rejects counts as rejected (malformed).
//!
//! Checks that depend on a proposal this interpreter does not implement are
//! counted apart as unsupported, not as passed or failed: a module is
//! unsupported when it is rejected with the configured features but valid
//! with all of them, and so is every check that uses its instance.

use crate::{
    Engine, Error, ExternRef, Func, FuncType, Global, GlobalType, Instance, Limits, Linker, Memory,
    MemoryType, Module, Store, Table, TableType, Trap, TrapCode, Val, ValType,
};
use std::collections::HashMap;
use std::path::Path;
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

/// The outcome of one script.
#[derive(Debug, Default, Clone)]
pub struct WastReport {
    pub passed: u32,
    pub failed: u32,
    /// Checks needing a proposal that is not implemented (see module docs).
    pub unsupported: u32,
    /// One line per failed check: `line:col: what happened`.
    pub failures: Vec<String>,
}

/// Runs a script file. Fails only when the file cannot be read or parsed as a
/// script at all.
pub fn run_file(engine: &Engine, path: &Path) -> Result<WastReport, String> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| format!("failed to read {}: {e}", path.display()))?;
    run_script(engine, &source).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs a script given as text.
pub fn run_script(engine: &Engine, source: &str) -> Result<WastReport, String> {
    // The spec's `names.wast` deliberately uses bidirectional-override characters.
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let mut buffer = ParseBuffer::new_with_lexer(lexer).map_err(|e| e.to_string())?;
    buffer.track_instr_spans(false);
    let script = parser::parse::<Wast>(&buffer).map_err(|mut e| {
        e.set_text(source);
        e.to_string()
    })?;
    let mut runner = Runner::new(engine);
    let mut report = WastReport::default();
    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(source);
        report.record(line, col, runner.run_directive(directive));
    }
    Ok(report)
}

impl WastReport {
    /// Counts one directive's outcome; `line` and `col` are 0-based, as
    /// `wast` spans give them.
    pub fn record(&mut self, line: usize, col: usize, outcome: Result<(), Check>) {
        match outcome {
            Ok(()) => self.passed += 1,
            Err(Check::Unsupported) => self.unsupported += 1,
            Err(Check::Failed(message)) => {
                self.failed += 1;
                self.failures
                    .push(format!("{}:{}: {message}", line + 1, col + 1));
            }
        }
    }
}

/// Why a check did not pass (shared with the component-model driver).
pub enum Check {
    Failed(String),
    Unsupported,
}

impl From<String> for Check {
    fn from(message: String) -> Check {
        Check::Failed(message)
    }
}

impl From<&str> for Check {
    fn from(message: &str) -> Check {
        Check::Failed(message.to_string())
    }
}

struct Runner {
    store: Store<()>,
    linker: Linker<()>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    current: Option<Instance>,
    extern_refs: HashMap<u32, ExternRef>,
    engine: Engine,
    /// Names of instances whose module is unsupported.
    unsupported_instances: std::collections::HashSet<String>,
    /// Import module names registered from unsupported instances.
    unsupported_registrations: std::collections::HashSet<String>,
    current_is_unsupported: bool,
    /// Instances by the name they were registered under.
    registered: HashMap<String, Instance>,
    /// Instances an unsupported module imported from: its instantiation may
    /// have changed them (e.g. written their tables), so later checks on
    /// them cannot be judged.
    tainted: std::collections::HashSet<Instance>,
    /// Names of module definitions that are unsupported.
    unsupported_definitions: std::collections::HashSet<String>,
}

enum Outcome {
    Values(Vec<Val>),
    Trap(Trap),
}

fn spectest(store: &mut Store<()>, linker: &mut Linker<()>) {
    let printer = |params: Vec<ValType>| FuncType::new(params, []);
    for (name, params) in [
        ("print", vec![]),
        ("print_i32", vec![ValType::I32]),
        ("print_i64", vec![ValType::I64]),
        ("print_f32", vec![ValType::F32]),
        ("print_f64", vec![ValType::F64]),
        ("print_i32_f32", vec![ValType::I32, ValType::F32]),
        ("print_f64_f64", vec![ValType::F64, ValType::F64]),
    ] {
        linker.func_new("spectest", name, printer(params), |_, _, _| Ok(()));
    }
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::from(666.6f32)),
        ("global_f64", Val::from(666.6f64)),
    ];
    for (name, value) in globals {
        let ty = GlobalType {
            content: value.ty(),
            mutable: false,
        };
        if let Ok(g) = Global::new(&mut *store, ty, value) {
            linker.define("spectest", name, g);
        }
    }
    let table_ty = TableType {
        element: ValType::FuncRef,
        limits: Limits {
            min: 10,
            max: Some(20),
        },
    };
    if let Ok(t) = Table::new(&mut *store, table_ty, Val::FuncRef(None)) {
        linker.define("spectest", "table", t);
    }
    if let Ok(m) = Memory::new(&mut *store, MemoryType::new(1, Some(2), false)) {
        linker.define("spectest", "memory", m);
    }
}

fn trap_matches(trap: &Trap, expected: &str) -> bool {
    let ours = trap.code().message();
    ours.starts_with(expected) || expected.starts_with(ours)
}

impl Runner {
    fn new(engine: &Engine) -> Runner {
        let mut store = Store::new(engine, ());
        let mut linker = Linker::new();
        spectest(&mut store, &mut linker);
        Runner {
            store,
            linker,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            current: None,
            extern_refs: HashMap::new(),
            engine: engine.clone(),
            unsupported_instances: Default::default(),
            unsupported_registrations: Default::default(),
            registered: HashMap::new(),
            tainted: Default::default(),
            unsupported_definitions: Default::default(),
            current_is_unsupported: false,
        }
    }

    /// Compiles a module the script expects to be valid.
    fn compile(&mut self, module: &mut QuoteWat<'_>) -> Result<Module, Check> {
        let bytes = module
            .encode()
            .map_err(|e| format!("text parse failed: {e}"))?;
        Module::new(&self.engine, &bytes).map_err(|e| {
            let valid_with_all_features =
                wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                    .validate_all(&bytes)
                    .is_ok();
            if valid_with_all_features {
                self.taint_imported_instances(&bytes);
                Check::Unsupported
            } else {
                Check::Failed(e.to_string())
            }
        })
    }

    /// Marks the registered instances an unsupported module imports from.
    fn taint_imported_instances(&mut self, bytes: &[u8]) {
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            let Ok(wasmparser::Payload::ImportSection(reader)) = payload else {
                continue;
            };
            for imports in reader.into_iter().flatten() {
                let module = match imports {
                    wasmparser::Imports::Single(_, import) => import.module,
                    wasmparser::Imports::Compact1 { module, .. }
                    | wasmparser::Imports::Compact2 { module, .. } => module,
                };
                if let Some(instance) = self.registered.get(module) {
                    self.tainted.insert(*instance);
                }
            }
        }
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        self.linker.instantiate(&mut self.store, module)
    }

    /// An instantiation error as a check result.
    fn instantiation_failure(&self, error: Error) -> Check {
        match &error {
            Error::Link { module, .. } if self.unsupported_registrations.contains(module) => {
                Check::Unsupported
            }
            _ => Check::Failed(error.to_string()),
        }
    }

    fn define_module(&mut self, mut module: QuoteWat<'_>) -> Result<(), Check> {
        let name = module.name().map(|id| id.name().to_string());
        let instance = self.compile(&mut module).and_then(|compiled| {
            self.instantiate(&compiled)
                .map_err(|e| self.instantiation_failure(e))
        });
        self.record_instance(
            name,
            instance.as_ref().ok().copied(),
            matches!(instance, Err(Check::Unsupported)),
        );
        instance.map(|_| ())
    }

    fn record_instance(
        &mut self,
        name: Option<String>,
        instance: Option<Instance>,
        unsupported: bool,
    ) {
        self.current = instance;
        self.current_is_unsupported = unsupported;
        if let Some(name) = name {
            if unsupported {
                self.unsupported_instances.insert(name.clone());
            } else {
                self.unsupported_instances.remove(&name);
            }
            match instance {
                Some(instance) => {
                    self.instances.insert(name, instance);
                }
                None => {
                    self.instances.remove(&name);
                }
            }
        }
    }

    fn instance(&self, id: Option<wast::token::Id<'_>>) -> Result<Instance, Check> {
        match id {
            Some(id) if self.unsupported_instances.contains(id.name()) => Err(Check::Unsupported),
            Some(id) => Ok(self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module ${}", id.name()))?),
            None if self.current_is_unsupported => Err(Check::Unsupported),
            None => Ok(self.current.ok_or("no module instantiated")?),
        }
        .and_then(|instance| {
            if self.tainted.contains(&instance) {
                Err(Check::Unsupported)
            } else {
                Ok(instance)
            }
        })
    }

    fn arg(&mut self, arg: &WastArg<'_>) -> Result<Val, Check> {
        let WastArg::Core(arg) = arg else {
            return Err("component values are not supported".into());
        };
        Ok(match arg {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(v.bits),
            WastArgCore::F64(v) => Val::F64(v.bits),
            WastArgCore::RefNull(HeapType::Abstract {
                ty: AbstractHeapType::Func,
                ..
            }) => Val::FuncRef(None),
            WastArgCore::RefNull(HeapType::Abstract {
                ty: AbstractHeapType::Extern,
                ..
            }) => Val::ExternRef(None),
            WastArgCore::RefNull(HeapType::Abstract {
                ty: AbstractHeapType::Exn,
                ..
            }) => Val::ExnRef(None),
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(self.extern_ref(*n))),
            _ => return Err(Check::Unsupported),
        })
    }

    fn extern_ref(&mut self, n: u32) -> ExternRef {
        if let Some(r) = self.extern_refs.get(&n) {
            return *r;
        }
        let r = self.store.new_extern_ref(n);
        self.extern_refs.insert(n, r);
        r
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Outcome, Check> {
        let instance = self.instance(invoke.module)?;
        let func: Func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no exported function `{}`", invoke.name))?;
        let args = invoke
            .args
            .iter()
            .map(|a| self.arg(a))
            .collect::<Result<Vec<_>, _>>()?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(Outcome::Values(results)),
            Err(Error::Trap(trap)) => Ok(Outcome::Trap(trap)),
            Err(e) => Err(e.to_string().into()),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Outcome, Check> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(wat) => {
                let mut module = QuoteWat::Wat(wat);
                let compiled = self.compile(&mut module)?;
                match self.instantiate(&compiled) {
                    Ok(_) => Ok(Outcome::Values(Vec::new())),
                    Err(Error::Trap(trap)) => Ok(Outcome::Trap(trap)),
                    Err(e) => Err(self.instantiation_failure(e)),
                }
            }
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                let g = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| format!("no exported global `{global}`"))?;
                Ok(Outcome::Values(vec![g.get(&self.store)]))
            }
        }
    }

    fn result_matches(&self, expected: &WastRetCore<'_>, actual: &Val) -> bool {
        match (expected, actual) {
            (WastRetCore::I32(e), Val::I32(a)) => e == a,
            (WastRetCore::I64(e), Val::I64(a)) => e == a,
            (WastRetCore::F32(e), Val::F32(a)) => match e {
                NanPattern::CanonicalNan => a & 0x7fff_ffff == 0x7fc0_0000,
                NanPattern::ArithmeticNan => a & 0x7fc0_0000 == 0x7fc0_0000,
                NanPattern::Value(v) => v.bits == *a,
            },
            (WastRetCore::F64(e), Val::F64(a)) => match e {
                NanPattern::CanonicalNan => a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
                NanPattern::ArithmeticNan => a & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
                NanPattern::Value(v) => v.bits == *a,
            },
            (
                WastRetCore::RefNull(_),
                Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None),
            ) => true,
            (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
            (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
            (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => self
                .store
                .extern_ref_data(*r)
                .and_then(|d| d.downcast_ref::<u32>())
                .is_some_and(|v| v == n),
            (WastRetCore::Either(options), a) => options.iter().any(|e| self.result_matches(e, a)),
            _ => false,
        }
    }

    fn run_directive(&mut self, directive: WastDirective<'_>) -> Result<(), Check> {
        match directive {
            WastDirective::Module(module) => self.define_module(module),
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let compiled = self.compile(&mut module).inspect_err(|e| {
                    if let (Check::Unsupported, Some(name)) = (e, &name) {
                        self.unsupported_definitions.insert(name.clone());
                    }
                })?;
                if let Some(name) = name {
                    self.unsupported_definitions.remove(&name);
                    self.definitions.insert(name, compiled);
                }
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let instance_name = instance.map(|id| id.name().to_string());
                if module.is_some_and(|m| self.unsupported_definitions.contains(m.name())) {
                    self.record_instance(instance_name, None, true);
                    return Err(Check::Unsupported);
                }
                let definition = module
                    .and_then(|m| self.definitions.get(m.name()).cloned())
                    .ok_or("unknown module definition")?;
                let created = self
                    .instantiate(&definition)
                    .map_err(|e| self.instantiation_failure(e))?;
                self.record_instance(instance_name, Some(created), false);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module).inspect_err(|e| {
                    if matches!(e, Check::Unsupported) {
                        self.unsupported_registrations.insert(name.to_string());
                    }
                })?;
                self.unsupported_registrations.remove(name);
                self.registered.insert(name.to_string(), instance);
                self.linker.instance(&mut self.store, name, instance);
                Ok(())
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke)? {
                Outcome::Values(_) => Ok(()),
                Outcome::Trap(trap) => Err(format!("unexpected trap: {trap}").into()),
            },
            WastDirective::AssertReturn { exec, results, .. } => match self.execute(exec)? {
                Outcome::Trap(trap) => Err(format!("unexpected trap: {trap}").into()),
                Outcome::Values(values) => {
                    let ok = values.len() == results.len()
                        && results.iter().zip(&values).all(|(e, a)| match e {
                            WastRet::Core(e) => self.result_matches(e, a),
                            _ => false,
                        });
                    if ok {
                        Ok(())
                    } else {
                        Err(format!("expected {results:?}, got {values:?}").into())
                    }
                }
            },
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Outcome::Trap(trap) if trap_matches(&trap, message) => Ok(()),
                Outcome::Trap(trap) => {
                    Err(format!("expected trap `{message}`, got `{trap}`").into())
                }
                Outcome::Values(values) => {
                    Err(format!("expected trap `{message}`, got {values:?}").into())
                }
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Outcome::Trap(trap) if trap.code() == TrapCode::CallStackExhausted => Ok(()),
                Outcome::Trap(trap) => {
                    Err(format!("expected exhaustion `{message}`, got `{trap}`").into())
                }
                Outcome::Values(values) => {
                    Err(format!("expected exhaustion `{message}`, got {values:?}").into())
                }
            },
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => {
                let text = matches!(module, QuoteWat::QuoteModule(..));
                match module.encode() {
                    Err(_) if text => Ok(()),
                    Err(e) => Err(format!("could not encode the test module: {e}").into()),
                    Ok(bytes) => match Module::new(&self.engine, &bytes) {
                        Err(Error::Compile { .. }) => Ok(()),
                        Err(e) => Err(format!("expected malformed `{message}`, got {e}").into()),
                        Ok(_) => {
                            Err(format!("expected malformed `{message}`, module compiled").into())
                        }
                    },
                }
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => {
                let bytes = module
                    .encode()
                    .map_err(|e| format!("could not encode the test module: {e}"))?;
                match Module::new(&self.engine, &bytes) {
                    Err(Error::Compile { .. }) => Ok(()),
                    Err(e) => Err(format!("expected invalid `{message}`, got {e}").into()),
                    Ok(_) => Err(format!("expected invalid `{message}`, module compiled").into()),
                }
            }
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => {
                let mut module = QuoteWat::Wat(module);
                let compiled = self.compile(&mut module)?;
                match self.instantiate(&compiled) {
                    Err(Error::Link { .. }) => Ok(()),
                    Err(e) => Err(format!("expected unlinkable `{message}`, got {e}").into()),
                    Ok(_) => {
                        Err(format!("expected unlinkable `{message}`, module instantiated").into())
                    }
                }
            }
            WastDirective::AssertException { exec, .. } => match self.execute(exec)? {
                Outcome::Trap(trap) if trap.code() == TrapCode::UncaughtException => Ok(()),
                Outcome::Trap(trap) => Err(format!("expected an exception, got `{trap}`").into()),
                Outcome::Values(values) => {
                    Err(format!("expected an exception, got {values:?}").into())
                }
            },
            // Custom-section validation, stack switching and threads are
            // proposals this interpreter does not implement.
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. }
            | WastDirective::AssertSuspension { .. }
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. } => Err(Check::Unsupported),
        }
    }
}
