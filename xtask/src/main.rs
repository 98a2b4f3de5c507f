mod bench_interp;
mod spec;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = args
        .split_first()
        .map(|(c, r)| (c.as_str(), r.to_vec()))
        .unwrap_or(("", Vec::new()));
    match command {
        "spec" => spec::main(&rest),
        "bench" => bench_interp::main(&rest),
        other => anyhow::bail!("unknown xtask `{other}`"),
    }
}
