//! The total's score features for each receipt of an `ocr.jsonl` (first reading), as TSV:
//! `file value support runner_up keyword_rows repaired ocr confidence`. `scripts/calibrate`
//! fits the total's confidence weights on them.

use std::io::{BufRead, Write};

use fidelio::extract::total_score;
use fidelio::ocr::OcrRecord;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: total_features OCR.jsonl"))?;
    let file = std::io::BufReader::new(std::fs::File::open(&path)?);
    let mut out = std::io::stdout().lock();
    for line in file.lines() {
        let record: OcrRecord = serde_json::from_str(&line?)?;
        let Some((value, score)) = record.ocr.as_ref().and_then(|p| total_score(&p.lines)) else {
            continue;
        };
        writeln!(
            out,
            "{}\t{value}\t{}\t{}\t{}\t{}\t{}\t{:.3}",
            record.entry.file,
            score.support,
            score.runner_up,
            score.keyword_rows,
            u8::from(score.repaired),
            score.ocr,
            score.confidence()
        )?;
    }
    Ok(())
}
