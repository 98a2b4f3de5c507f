//! Chooses how the executor dispatches instructions (see
//! `src/exec/handlers.rs`): by tail calls where LLVM turns them into jumps
//! (optimised builds without debug assertions, for x86-64 and AArch64), by
//! a loop otherwise. The `dispatch-loop` feature forces the loop (for
//! measuring the two).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(compono_tail_dispatch)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    let optimised = matches!(
        std::env::var("OPT_LEVEL").as_deref(),
        Ok("2" | "3" | "s" | "z")
    );
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let forced_loop = std::env::var_os("CARGO_FEATURE_DISPATCH_LOOP").is_some();
    // Debug assertions add code after calls that can keep them from being
    // tail calls.
    let debug_assertions = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    if optimised
        && !debug_assertions
        && matches!(arch.as_str(), "x86_64" | "aarch64")
        && !forced_loop
    {
        println!("cargo::rustc-cfg=compono_tail_dispatch");
    }
}
