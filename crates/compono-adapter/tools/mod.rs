//! How the adapter is built (see `build.rs`) and finished (`finish.rs`);
//! included by path from `cargo xtask build-adapter` and from the test
//! that the checked-in adapters are current.

pub mod build;
pub mod finish;
