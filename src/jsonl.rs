//! JSON Lines in and out: how stages hand work to each other, across pipes and machines.

use std::io::{BufRead, Write};

use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum JsonlError {
    #[error("{origin}:{line}: {message}")]
    Parse {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("{origin}: {source}")]
    Io {
        origin: String,
        source: std::io::Error,
    },
}

/// Read every non-blank line of `reader` as a `T`; the first bad line is an error naming it.
/// Bytes that are not UTF-8 text are a `Parse` error too (the input is not JSON Lines: an
/// image piped where a manifest was expected, say), not an I/O failure.
pub fn read<T: DeserializeOwned>(
    mut reader: impl BufRead,
    origin: &str,
) -> Result<Vec<T>, JsonlError> {
    let mut items = Vec::new();
    let mut bytes = Vec::new();
    let mut index = 0;
    loop {
        bytes.clear();
        let n = reader
            .read_until(b'\n', &mut bytes)
            .map_err(|source| JsonlError::Io {
                origin: origin.to_string(),
                source,
            })?;
        if n == 0 {
            break;
        }
        index += 1;
        let line = std::str::from_utf8(&bytes).map_err(|_| JsonlError::Parse {
            origin: origin.to_string(),
            line: index,
            message: not_text(index, &bytes),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let item = serde_json::from_str(line).map_err(|e| JsonlError::Parse {
            origin: origin.to_string(),
            line: index,
            message: e.to_string(),
        })?;
        items.push(item);
    }
    Ok(items)
}

/// Why a line that is not UTF-8 is not JSON Lines, naming a picture or PDF by its first bytes.
fn not_text(index: usize, bytes: &[u8]) -> String {
    let kind = [
        (&b"\xFF\xD8\xFF"[..], "a JPEG image"),
        (&b"\x89PNG"[..], "a PNG image"),
        (&b"%PDF"[..], "a PDF"),
        (&b"II*\0"[..], "a TIFF image"),
        (&b"MM\0*"[..], "a TIFF image"),
        (&b"RIFF"[..], "a WebP image"),
    ]
    .iter()
    .find(|(magic, _)| index == 1 && bytes.starts_with(magic))
    .map(|(_, kind)| *kind);
    match kind {
        Some(kind) => format!(
            "this is {kind}, not JSON Lines: give a picture by its path (`fidelio ocr FILE`)"
        ),
        None => "not UTF-8 text, so not JSON Lines".to_string(),
    }
}

/// Write one compact JSON object per line.
pub fn write<T: Serialize>(mut writer: impl Write, items: &[T]) -> std::io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut writer, item)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors_name_the_line() {
        let mut out = Vec::new();
        write(&mut out, &[1, 2, 3]).unwrap();
        assert_eq!(out, b"1\n2\n3\n");
        let back: Vec<i32> = read(&out[..], "x").unwrap();
        assert_eq!(back, [1, 2, 3]);
        let err = read::<i32>(&b"1\n\nnope\n"[..], "in.jsonl").unwrap_err();
        assert!(err.to_string().starts_with("in.jsonl:3:"), "{err}");
    }

    /// Regression: `fidelio ocr -` fed a JPEG on stdin failed as an I/O error (exit 3, "stream
    /// did not contain valid UTF-8"); bytes that are not text are a bad input, named.
    #[test]
    fn bytes_that_are_not_text_are_a_parse_error_naming_a_picture() {
        let err = read::<i32>(&b"\xFF\xD8\xFF\xE0\x00\x10JFIF\n\xFF"[..], "<stdin>").unwrap_err();
        assert!(matches!(err, JsonlError::Parse { line: 1, .. }), "{err}");
        assert!(err.to_string().contains("a JPEG image"), "{err}");
        let err = read::<i32>(&b"1\n\xC3\x28\n"[..], "x").unwrap_err();
        assert_eq!(err.to_string(), "x:2: not UTF-8 text, so not JSON Lines");
    }
}
