//! `cargo run --example replay TARGET FILE...`: runs a target on inputs
//! (a finding, a crash libFuzzer saved) and prints what it says.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((target, files)) = args.split_first() else {
        eprintln!("usage: replay TARGET FILE...");
        std::process::exit(2);
    };
    let Some(run) = compono_fuzz::target(target) else {
        eprintln!(
            "unknown target `{target}`; one of {:?}",
            compono_fuzz::TARGETS
        );
        std::process::exit(2);
    };
    let mut failed = false;
    for file in files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        // `COMPONO_FUZZ_COMPILE_C=DIR` with `bindgen-c`: also compile the C.
        if let (true, Some(dir)) = (
            target == "bindgen-c",
            std::env::var_os("COMPONO_FUZZ_COMPILE_C"),
        ) {
            match compono_fuzz::bindgen_c::compile(
                std::slice::from_ref(&bytes),
                std::path::Path::new(&dir),
            ) {
                Ok((_, failures)) if failures.is_empty() => {}
                Ok((_, failures)) => {
                    failed = true;
                    println!("{file}: {}", failures.join("\n\n"));
                }
                Err(e) => {
                    failed = true;
                    println!("{file}: {e}");
                }
            }
        }
        match run(&bytes) {
            Ok(()) => println!("{file}: ok"),
            Err(f) => {
                failed = true;
                println!("{file}: {f}");
            }
        }
    }
    std::process::exit(i32::from(failed));
}
