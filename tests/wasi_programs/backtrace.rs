//! A trap's backtrace, compared with wasmtime's: the same frames, each
//! `module!function` spelt the same (Rust names demangled as wasmtime
//! demangles them), innermost first.

/// wasmtime's frames (`N: 0xOFFSET - MODULE!FUNCTION`), without offsets.
pub fn wasmtime_frames(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.trim().split_once(": ")?;
            number.parse::<u32>().ok()?;
            let (_, frame) = rest.split_once(" - ")?;
            Some(frame.to_string())
        })
        .collect()
}

/// compono's frames, from its trap report.
pub fn compono_frames(report: &str) -> Vec<String> {
    report
        .lines()
        .skip_while(|l| *l != "wasm backtrace:")
        .skip(1)
        .filter_map(|l| l.trim().split_once(": ").map(|(_, f)| f.to_string()))
        .collect()
}
