//! Prints the translated IR of a module: `cargo run --example dump_ir FILE.wasm`.

fn main() {
    let path = std::env::args().nth(1).expect("usage: dump_ir FILE.wasm");
    let bytes = std::fs::read(&path).expect("reading the module");
    let engine = compono_interp::Engine::default();
    let module = compono_interp::Module::new(&engine, &bytes).expect("a valid module");
    print!("{}", module.dump_ir());
}
