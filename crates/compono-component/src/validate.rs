//! Validating a component together with the core modules it is made of
//! (`new`'s module, `link`'s libraries). An invalid input is reported as
//! such, before any other error, and not as a bug of compono's. Large
//! inputs are validated on another thread while the component is made,
//! and the component's validation then skips the function bodies it
//! embeds from them unchanged; small ones are validated as part of the
//! component, and apart only when making it fails or leaves them out.
//!
//! The component can also be written out while it is validated (`Sink`):
//! writing several megabytes takes about as long as the component's own
//! validation.

use crate::Error;
use wasmparser::BinaryReaderError;

/// From this many bytes of inputs on, they are validated alongside the
/// making of the component; below it, a thread costs more than it saves,
/// and so does validating an input apart from the component.
pub(crate) const ALONGSIDE_FROM_BYTES: usize = 1 << 20;

/// Where a component is written as it is validated: a file that the
/// caller keeps only if making and validating the component succeed
/// (a temporary file, renamed over the output afterwards).
pub type Sink<'a> = &'a mut (dyn std::io::Write + Send);

/// A component, not validated yet, and which of its inputs it includes.
pub(crate) struct Made {
    pub component: Vec<u8>,
    pub included: Vec<bool>,
}

/// A component made without validation (`--skip-validation`), written to
/// `sink` if there is one.
pub(crate) fn unvalidated_to(made: Made, sink: Option<Sink<'_>>) -> Result<Vec<u8>, Error> {
    if let Some(sink) = sink {
        sink.write_all(&made.component).map_err(Error::Write)?;
    }
    Ok(made.component)
}

/// The component `make` makes of `inputs`, validated, and written to
/// `sink` if there is one; `invalid` names input `i`'s error.
pub(crate) fn make_valid(
    inputs: &[&[u8]],
    make: impl FnOnce() -> Result<Made, Error>,
    invalid: impl Fn(usize, BinaryReaderError) -> Error + Sync,
    sink: Option<Sink<'_>>,
) -> Result<Vec<u8>, Error> {
    let check = |which: &mut dyn Iterator<Item = usize>| -> Result<(), Error> {
        for i in which {
            if let Some(bytes) = inputs.get(i) {
                compono_wit::validate_binary(bytes).map_err(|e| invalid(i, e))?;
            }
        }
        Ok(())
    };
    let size: usize = inputs.iter().map(|b| b.len()).sum();
    if size < ALONGSIDE_FROM_BYTES {
        let made = match make() {
            Ok(made) => made,
            Err(e) => {
                check(&mut (0..inputs.len()))?;
                return Err(e);
            }
        };
        if let Err(e) = compono_wit::validate(&made.component, "component") {
            check(&mut (0..inputs.len()))?;
            return Err(Error::InvalidOutput(e));
        }
        let mut left_out = (0..inputs.len()).filter(|&i| made.included.get(i) != Some(&true));
        check(&mut left_out)?;
        if let Some(sink) = sink {
            sink.write_all(&made.component).map_err(Error::Write)?;
        }
        return Ok(made.component);
    }
    std::thread::scope(|scope| {
        let checked = scope.spawn(|| check(&mut (0..inputs.len())));
        let made = make().and_then(|made| {
            let component = &made.component;
            std::thread::scope(|scope| {
                let written = sink.map(|sink| scope.spawn(move || sink.write_all(component)));
                compono_wit::validate_embedding(component, "component", inputs)
                    .map_err(Error::InvalidOutput)?;
                match written.map(|w| w.join()) {
                    Some(Ok(written)) => written.map_err(Error::Write),
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    None => Ok(()),
                }
            })?;
            Ok(made.component)
        });
        match checked.join() {
            Ok(checked) => checked.and(made),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
