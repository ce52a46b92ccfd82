//! The rows fidelio builds from each receipt of an `ocr.jsonl` (first reading and, when there
//! is one, the second look), one per line: what extraction reads, for checking a misread by eye.
//!
//! ```text
//! cargo run --release --example rows -- OCR.jsonl [NAME...]
//! ```

use std::io::{BufRead, Write};

use fidelio::extract::build_rows;
use fidelio::ocr::OcrRecord;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        anyhow::bail!("usage: rows OCR.jsonl [NAME...]");
    };
    let names: Vec<String> = args.collect();
    let out = std::io::stdout();
    let mut out = out.lock();
    for line in std::io::BufReader::new(std::fs::File::open(&path)?).lines() {
        let record: OcrRecord = serde_json::from_str(&line?)?;
        if !names.is_empty() && !names.iter().any(|n| record.entry.file.contains(n.as_str())) {
            continue;
        }
        let Some(page) = &record.ocr else { continue };
        writeln!(out, "== {}", record.entry.file)?;
        for row in build_rows(&page.lines) {
            writeln!(out, "{}", row.text)?;
        }
        if let Some(again) = &page.second_look {
            writeln!(out, "== second look")?;
            for row in build_rows(&again.lines) {
                writeln!(out, "{}", row.text)?;
            }
        }
    }
    Ok(())
}
