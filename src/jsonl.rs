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
pub fn read<T: DeserializeOwned>(reader: impl BufRead, origin: &str) -> Result<Vec<T>, JsonlError> {
    let mut items = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| JsonlError::Io {
            origin: origin.to_string(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let item = serde_json::from_str(&line).map_err(|e| JsonlError::Parse {
            origin: origin.to_string(),
            line: index + 1,
            message: e.to_string(),
        })?;
        items.push(item);
    }
    Ok(items)
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
}
