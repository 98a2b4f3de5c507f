//! `wasi:clocks`: `monotonic-clock` (with its timer pollables) and
//! `wall-clock`, on the real clocks or, in deterministic mode, on a
//! virtual clock that moves only when the guest sleeps.

use super::host::{Host, define, record, u64_arg};
use super::io::Pollable;
use super::table::Resource;
use super::{VERSION, WasiView};
use crate::error::Result;
use crate::linker::Linker;
use crate::val::Val;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The wall-clock time deterministic mode starts at (seconds since the
/// Unix epoch): 2023-11-14T22:13:20Z.
const VIRTUAL_WALL_START: u64 = 1_700_000_000;

pub(crate) enum Clock {
    Real {
        start: Instant,
    },
    /// Nanoseconds since the start, moved only by sleeps.
    Virtual {
        now: u64,
    },
}

impl Clock {
    pub fn real() -> Clock {
        Clock::Real {
            start: Instant::now(),
        }
    }

    pub fn virtual_start() -> Clock {
        Clock::Virtual { now: 0 }
    }

    /// The monotonic clock, in nanoseconds.
    pub fn now(&self) -> u64 {
        match self {
            Clock::Real { start } => start.elapsed().as_nanos() as u64,
            Clock::Virtual { now } => *now,
        }
    }

    /// The wall clock: seconds and nanoseconds since the Unix epoch.
    pub fn wall(&self) -> (u64, u32) {
        match self {
            Clock::Real { .. } => {
                let since = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                (since.as_secs(), since.subsec_nanos())
            }
            Clock::Virtual { now } => {
                let since = Duration::from_secs(VIRTUAL_WALL_START) + Duration::from_nanos(*now);
                (since.as_secs(), since.subsec_nanos())
            }
        }
    }

    /// The wall clock as a `SystemTime`, for setting file times to "now".
    pub fn wall_time(&self) -> SystemTime {
        let (secs, nanos) = self.wall();
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual { .. })
    }

    /// Waits until the monotonic clock reads at least `deadline`; the
    /// virtual clock jumps there.
    pub fn sleep_until(&mut self, deadline: u64) {
        match self {
            Clock::Real { .. } => {
                let now = self.now();
                if deadline > now {
                    std::thread::sleep(Duration::from_nanos(deadline - now));
                }
            }
            Clock::Virtual { now } => *now = (*now).max(deadline),
        }
    }
}

pub(crate) fn datetime(secs: u64, nanos: u32) -> Val {
    record([
        ("seconds", Val::U64(secs)),
        ("nanoseconds", Val::U32(nanos)),
    ])
}

pub(crate) fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    let mut mono = linker.instance(&format!("wasi:clocks/monotonic-clock@{VERSION}"))?;
    define(&mut mono, "now", |host: &mut Host<'_, T>, _| {
        Ok(Val::U64(host.ctx().clock.now()))
    })?;
    define(&mut mono, "resolution", |_host: &mut Host<'_, T>, _| {
        Ok(Val::U64(1))
    })?;
    define(
        &mut mono,
        "subscribe-instant",
        |host: &mut Host<'_, T>, args| {
            let when = u64_arg(args, 0)?;
            host.new_resource(Resource::Pollable(Pollable::Deadline(when)), None)
        },
    )?;
    define(
        &mut mono,
        "subscribe-duration",
        |host: &mut Host<'_, T>, args| {
            let when = host.ctx().clock.now().saturating_add(u64_arg(args, 0)?);
            host.new_resource(Resource::Pollable(Pollable::Deadline(when)), None)
        },
    )?;
    let mut wall = linker.instance(&format!("wasi:clocks/wall-clock@{VERSION}"))?;
    define(&mut wall, "now", |host: &mut Host<'_, T>, _| {
        let (secs, nanos) = host.ctx().clock.wall();
        Ok(datetime(secs, nanos))
    })?;
    define(&mut wall, "resolution", |_host: &mut Host<'_, T>, _| {
        Ok(datetime(0, 1))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_virtual_clock_moves_only_forward_and_only_by_sleeps() {
        let mut clock = Clock::virtual_start();
        assert_eq!(clock.now(), 0);
        assert_eq!(clock.wall(), (VIRTUAL_WALL_START, 0));
        clock.sleep_until(1_500_000_000);
        assert_eq!(clock.now(), 1_500_000_000);
        assert_eq!(clock.wall(), (VIRTUAL_WALL_START + 1, 500_000_000));
        clock.sleep_until(10);
        assert_eq!(clock.now(), 1_500_000_000);
    }
}
