#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = compono_fuzz::malformed::run(data) {
        panic!("{finding}");
    }
});
