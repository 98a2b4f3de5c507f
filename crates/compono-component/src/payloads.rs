//! A module's payloads without its function bodies. Every step that reads
//! a module's imports, exports, types or custom sections reads it this
//! way: `Parser::parse_all` yields each body as a payload, and a large
//! library has tens of thousands of them.

use wasmparser::{BinaryReader, BinaryReaderError, Chunk, Parser, Payload};

/// The payloads of `module`, in order: `CodeSectionStart` without the
/// `CodeSectionEntry` payloads after it. Nothing is yielded after an error.
pub fn without_bodies(module: &[u8]) -> WithoutBodies<'_> {
    WithoutBodies {
        parser: Parser::new(0),
        rest: module,
        offset: 0,
        done: false,
    }
}

pub struct WithoutBodies<'a> {
    parser: Parser,
    rest: &'a [u8],
    /// Of `rest` in the module.
    offset: u64,
    done: bool,
}

impl<'a> Iterator for WithoutBodies<'a> {
    type Item = Result<Payload<'a>, BinaryReaderError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let (consumed, payload) = match self.parser.parse(self.rest, true) {
            Ok(Chunk::Parsed { consumed, payload }) => (consumed, payload),
            // With `eof` set the parser reports a truncation as an error
            // rather than asking for more; should it ask, the same error.
            Ok(Chunk::NeedMoreData(_)) => {
                self.done = true;
                return BinaryReader::new(&[], self.offset).read_u8().err().map(Err);
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        self.rest = self.rest.get(consumed..).unwrap_or_default();
        self.offset += consumed as u64;
        match &payload {
            Payload::CodeSectionStart { size, .. } => {
                let size = *size as usize;
                // A section past the end: what `parse_all` reports
                // reading its bodies.
                let mut section = BinaryReader::new(self.rest, self.offset);
                if let Err(e) = section.read_bytes(size) {
                    self.done = true;
                    return Some(Err(e));
                }
                let rest = self.rest.get(size..).unwrap_or_default();
                self.parser.skip_section();
                self.rest = rest;
                self.offset += size as u64;
            }
            Payload::End(_) => self.done = true,
            _ => {}
        }
        Some(Ok(payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_payloads_but_bodies() {
        let module = wat::parse_str(
            r#"(module (import "a" "b" (func)) (func) (func (export "f")) (data "x")
                       (@custom "c" "d"))"#,
        )
        .unwrap();
        let kind = |p: &Payload<'_>| {
            format!("{p:?}")
                .split([' ', '('])
                .next()
                .unwrap()
                .to_string()
        };
        let all: Vec<String> = Parser::new(0)
            .parse_all(&module)
            .map(|p| kind(&p.unwrap()))
            .filter(|k| k != "CodeSectionEntry")
            .collect();
        let ours: Vec<String> = without_bodies(&module).map(|p| kind(&p.unwrap())).collect();
        assert_eq!(ours, all);
        assert!(ours.contains(&"DataSection".to_string()), "{ours:?}");
    }

    #[test]
    fn a_truncated_code_section_is_an_error() {
        let module = wat::parse_str(r#"(module (func) (func))"#).unwrap();
        let truncated = &module[..module.len() - 3];
        let ours = without_bodies(truncated).find_map(|p| p.err()).unwrap();
        let theirs = Parser::new(0)
            .parse_all(truncated)
            .find_map(|p| p.err())
            .unwrap();
        assert_eq!(ours.message(), theirs.message());
    }
}
