//! Which declared locals a function may read before it writes them: only
//! those need its `Enter` to zero them (a frame's slots hold whatever the
//! frame there before it left).
//!
//! A forward analysis that runs as translation goes, over wasm's
//! structured control flow. [`Written`] is the set of declared locals
//! written on every path to the operator being translated:
//!
//! - a branch to a block's end meets the set at that end with it;
//! - a loop's head has the set its entry has (a branch back to it comes
//!   with at least that set: sets only grow along a path);
//! - an `if` without `else` reaches its end with its entry's set too;
//! - code after an unconditional branch is not translated, so it reads
//!   nothing.
//!
//! Only the first 64 declared locals are tracked: a read of any other
//! counts as a read before a write.

/// Bit `i`: declared local `params + i` is written on every path here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Written(u64);

impl Written {
    /// At a function's entry.
    pub(super) const NONE: Written = Written(0);
    /// At a label no path has reached yet (what `meet` starts from).
    pub(super) const ALL: Written = Written(u64::MAX);

    /// The locals written on both paths.
    pub(super) fn meet(self, other: Written) -> Written {
        Written(self.0 & other.0)
    }

    fn bit(local: u16, params: u16) -> Option<u64> {
        let i = local.checked_sub(params)?;
        (i < 64).then(|| 1 << i)
    }

    pub(super) fn write(&mut self, local: u16, params: u16) {
        if let Some(bit) = Self::bit(local, params) {
            self.0 |= bit;
        }
    }

    /// Whether `local` surely holds a value the function gave it (a
    /// parameter always does).
    pub(super) fn has(self, local: u16, params: u16) -> bool {
        local < params || Self::bit(local, params).is_some_and(|bit| self.0 & bit != 0)
    }
}
