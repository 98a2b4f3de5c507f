mod bench_new;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => bench_new::run(&args[1..]),
        _ => Ok(()),
    }
}
