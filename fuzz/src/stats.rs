//! Counters a long run reports: every `REPORT_EVERY` worlds (and at the
//! end of a stable test run) one line on stderr, so a fuzzing log says how
//! many worlds went through and how each ended.

use std::sync::Mutex;

/// How the two tools ended on one world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ending {
    /// Both produced a component: ours valid, the same WIT.
    BothAccept,
    /// Both refused.
    BothRefuse,
    /// One refused, for a reason listed in the README (the `&str`).
    Explained(&'static str),
}

static COUNTS: Mutex<Vec<(Ending, u64)>> = Mutex::new(Vec::new());

const REPORT_EVERY: u64 = 10_000;

/// Counts one world; prints the totals every `REPORT_EVERY` worlds.
pub fn record(ending: Ending) {
    let Ok(mut counts) = COUNTS.lock() else {
        return;
    };
    match counts.iter_mut().find(|(e, _)| *e == ending) {
        Some((_, n)) => *n += 1,
        None => {
            counts.push((ending, 1));
            counts.sort();
        }
    }
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    if total.is_multiple_of(REPORT_EVERY) {
        eprintln!("{}", summary(&counts));
    }
}

/// The totals so far, as one line.
pub fn report() -> String {
    COUNTS.lock().map(|c| summary(&c)).unwrap_or_default()
}

fn summary(counts: &[(Ending, u64)]) -> String {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = counts
        .iter()
        .map(|(e, n)| match e {
            Ending::BothAccept => format!("both accept {n}"),
            Ending::BothRefuse => format!("both refuse {n}"),
            Ending::Explained(why) => format!("explained ({why}) {n}"),
        })
        .collect();
    format!("#worlds {total}: {}", parts.join(", "))
}
