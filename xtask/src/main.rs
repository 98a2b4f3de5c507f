mod bench_bindgen;

fn main() -> anyhow::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("bench") => bench_bindgen::main(),
        _ => anyhow::bail!("usage: cargo xtask bench"),
    }
}
