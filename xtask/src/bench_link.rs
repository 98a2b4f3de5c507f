//! `cargo xtask bench link`: `compono link` against `wasm-tools component
//! link` on the same inputs in the same run: the six libraries of
//! `fixtures/link/five-libraries`, and a generated pair in which one
//! library holds more than 5 MB of code and exports a few thousand
//! symbols that the other calls, takes the address of, and reads. Best-of-N
//! wall time and peak resident memory, their ratios, and the median ratio
//! of alternating runs.

use crate::bench_new::{bench_wasm_tools, build_compono, compare, report_pair, workspace_root};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;
use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataSection, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction, MemoryType,
    Module, TableType, TypeSection, ValType,
};

/// Filler functions of about 1 KiB of code each in the large library.
const FILLER: u32 = 5_400;
/// How many of them the small library calls, and how many data symbols
/// it reads.
const CALLED: u32 = 2_000;
const DATA: u32 = 500;

fn leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A `dylink.0` section with a memory-info subsection and a needed list.
fn dylink(memory_size: u32, needed: &[&str]) -> CustomSection<'static> {
    let mut data = Vec::new();
    let mut info = Vec::new();
    for v in [memory_size, 2, 0, 0] {
        leb(&mut info, v);
    }
    data.push(1);
    leb(&mut data, info.len() as u32);
    data.extend(info);
    if !needed.is_empty() {
        let mut list = Vec::new();
        leb(&mut list, needed.len() as u32);
        for name in needed {
            leb(&mut list, name.len() as u32);
            list.extend(name.as_bytes());
        }
        data.push(2);
        leb(&mut data, list.len() as u32);
        data.extend(list);
    }
    CustomSection {
        name: "dylink.0".into(),
        data: data.into(),
    }
}

fn env_imports(imports: &mut ImportSection) {
    imports.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }),
    );
    imports.import(
        "env",
        "__indirect_function_table",
        EntityType::Table(TableType {
            element_type: wasm_encoder::RefType::FUNCREF,
            minimum: 0,
            maximum: None,
            table64: false,
            shared: false,
        }),
    );
    imports.import(
        "env",
        "__memory_base",
        EntityType::Global(GlobalType {
            val_type: ValType::I32,
            mutable: false,
            shared: false,
        }),
    );
}

/// `libbig.so`: `FILLER` exported functions `f0`.. of about 1 KiB each,
/// `DATA` exported data symbols `d0`.., and `run`.
fn big_library() -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    let mut imports = ImportSection::new();
    env_imports(&mut imports);
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut filler = Function::new([]);
    for i in 0..256u32 {
        filler.instruction(&Instruction::I32Const((i * 7919 % 100_000) as i32));
        filler.instruction(&Instruction::Drop);
    }
    filler.instruction(&Instruction::LocalGet(0));
    filler.instruction(&Instruction::End);
    for i in 0..FILLER {
        functions.function(0);
        code.function(&filler);
        exports.export(&format!("f{i}"), ExportKind::Func, i);
    }
    let mut globals = GlobalSection::new();
    for i in 0..DATA {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: false,
                shared: false,
            },
            &ConstExpr::i32_const((i * 4) as i32),
        );
        // Global 0 is the imported `__memory_base`.
        exports.export(&format!("d{i}"), ExportKind::Global, i + 1);
    }
    let mut data = DataSection::new();
    data.active(
        0,
        &ConstExpr::global_get(0),
        (0..DATA).flat_map(|i| i.to_le_bytes()).collect::<Vec<u8>>(),
    );
    let mut module = Module::new();
    module.section(&dylink(DATA * 4, &[]));
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&globals);
    module.section(&exports);
    module.section(&code);
    module.section(&data);
    module.finish()
}

/// `libuse.so`: calls `CALLED` of libbig's functions, takes their
/// addresses, reads its data symbols, and exports `run`.
fn user_library() -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    let mut imports = ImportSection::new();
    env_imports(&mut imports);
    for i in 0..CALLED {
        imports.import("env", &format!("f{i}"), EntityType::Function(0));
    }
    let got = |imports: &mut ImportSection, module: &str, name: &str| {
        imports.import(
            module,
            name,
            EntityType::Global(GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            }),
        );
    };
    for i in 0..CALLED / 4 {
        got(&mut imports, "GOT.func", &format!("f{i}"));
    }
    for i in 0..DATA {
        got(&mut imports, "GOT.mem", &format!("d{i}"));
    }
    // run(x): x through every called function, plus every address.
    let mut run = Function::new([]);
    run.instruction(&Instruction::LocalGet(0));
    for i in 0..CALLED {
        run.instruction(&Instruction::Call(i));
    }
    for g in 1..=(CALLED / 4 + DATA) {
        run.instruction(&Instruction::GlobalGet(g));
        run.instruction(&Instruction::I32Add);
    }
    run.instruction(&Instruction::End);
    let mut functions = FunctionSection::new();
    functions.function(0);
    let mut code = CodeSection::new();
    code.function(&run);
    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, CALLED);
    let mut module = Module::new();
    module.section(&dylink(0, &["libbig.so"]));
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&exports);
    module.section(&code);
    module.finish()
}

fn embed(
    compono: &Path,
    wit: &Path,
    world: Option<&str>,
    input: &Path,
    output: &Path,
) -> Result<()> {
    let mut cmd = Command::new(compono);
    cmd.arg("embed").arg(wit).arg(input).arg("-o").arg(output);
    if let Some(world) = world {
        cmd.args(["--world", world]);
    }
    if !cmd.status()?.success() {
        bail!("embedding a world into {} failed", input.display());
    }
    Ok(())
}

pub fn run() -> Result<()> {
    let root = workspace_root();
    let compono = build_compono()?;
    let wasm_tools = bench_wasm_tools()?;
    println!("wasm-tools: {}", wasm_tools.display());
    Command::new(&wasm_tools)
        .arg("--version")
        .output()
        .context("`wasm-tools` must be on PATH to compare against")?;
    // Kept after the run (under target/), for profiling by hand.
    let dir = root.join("target/bench-link");
    std::fs::create_dir_all(&dir)?;

    // The fixture's six libraries.
    let five = root.join("fixtures/link/five-libraries");
    let names = [
        "libapp.so",
        "libstr.so",
        "libmath.so",
        "libeven.so",
        "libodd.so",
        "libmem.so",
    ];
    for name in names {
        std::fs::copy(five.join(name), dir.join(name))?;
    }
    embed(
        &compono,
        &five.join("world.wit"),
        Some("app"),
        &five.join("libapp.so"),
        &dir.join("libapp.so"),
    )?;

    // The generated pair.
    let wit = dir.join("big.wit");
    std::fs::write(
        &wit,
        "package bench:link;\nworld big {\n  export run: func(x: u32) -> u32;\n}\n",
    )?;
    std::fs::write(dir.join("libbig.so"), big_library())?;
    std::fs::write(dir.join("libuse.raw.so"), user_library())?;
    embed(
        &compono,
        &wit,
        None,
        &dir.join("libuse.raw.so"),
        &dir.join("libuse.so"),
    )?;
    println!(
        "inputs: six libraries of {} bytes; a generated library of {:.1} MB and its user",
        names
            .iter()
            .map(|n| std::fs::metadata(dir.join(n)).map(|m| m.len()).unwrap_or(0))
            .sum::<u64>(),
        std::fs::metadata(dir.join("libbig.so"))?.len() as f64 / 1e6
    );

    let six: Vec<&str> = names.to_vec();
    for (label, libraries) in [
        ("six libraries (fixtures/link/five-libraries)", six),
        (
            "generated: 5 MB library + user",
            vec!["libuse.so", "libbig.so"],
        ),
    ] {
        // Each tool replaces its own output, as it would from one build to
        // the next: replacing the other's, just written, would make it wait
        // for the other's writeback.
        let with = |prefix: &[&'static str], out: &'static str| -> Vec<&str> {
            let output = ["-o", out];
            prefix
                .iter()
                .chain(&libraries)
                .chain(&output)
                .copied()
                .collect()
        };
        let ours = with(&["link"], "ours.wasm");
        let theirs = with(&["component", "link"], "theirs.wasm");
        std::env::set_current_dir(&dir)?;
        let compared = compare((&compono, &ours), (&wasm_tools, &theirs));
        std::env::set_current_dir(&root)?;
        report_pair(
            label,
            ("compono link", "wasm-tools component link"),
            &compared?,
        );
    }
    println!("inputs and outputs are in {}", dir.display());
    Ok(())
}
