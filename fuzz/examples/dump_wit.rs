//! `cargo run --example dump_wit TARGET FILE OUT.wasm`: the `wit-smith`
//! package a WIT-generating target's input makes, written as an encoded
//! package (to read with `compono wit` or `wasm-tools component wit`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, input, out] = args.as_slice() else {
        eprintln!("usage: dump_wit TARGET FILE OUT.wasm");
        std::process::exit(2);
    };
    let bytes = std::fs::read(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let mut u = arbitrary::Unstructured::new(&bytes);
    let features = match target.as_str() {
        "wit-roundtrip" | "wit-vs-reference" => compono_fuzz::generate::Features::All,
        "new-vs-reference" | "bindgen-c" => {
            // Their first choice (the embedder, the string encoding).
            let _: bool = u.arbitrary().unwrap_or(false);
            compono_fuzz::generate::Features::Implemented
        }
        _ => {
            eprintln!("`{target}` does not generate WIT");
            std::process::exit(2);
        }
    };
    match compono_fuzz::generate::package(&mut u, features) {
        Some(g) => std::fs::write(out, g.wasm).unwrap_or_else(|e| panic!("{out}: {e}")),
        None => eprintln!("wit-smith makes nothing of this input"),
    }
}
