//! The score features behind a field's confidence for each receipt of an `ocr.jsonl` (first
//! reading), as TSV: `file value feature… confidence`, features in the order of the field's
//! weights (`TOTAL_WEIGHTS`, `DATE_WEIGHTS`, `MERCHANT_WEIGHTS`,
//! `ADDRESS_WEIGHTS`, `TIME_WEIGHTS`). `scripts/calibrate` fits those weights on them.

use std::io::{BufRead, Write};

use fidelio::extract::{header_scores, total_score, when_scores};
use fidelio::ocr::{Line, OcrRecord};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(field), Some(path)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: score_features total|date|merchant|address|time OCR.jsonl");
    };
    let score = |lines: &[Line]| -> Option<(String, Vec<f32>, f32)> {
        match field.as_str() {
            "total" => total_score(lines)
                .map(|(v, s)| (v.to_string(), s.features().to_vec(), s.confidence())),
            "merchant" => header_scores(lines)
                .0
                .map(|(m, s)| (m, s.features().to_vec(), s.confidence())),
            "address" => header_scores(lines)
                .1
                .map(|(a, s)| (a, s.features().to_vec(), s.confidence())),
            "time" => when_scores(lines)
                .1
                .map(|(t, s)| (t, s.features().to_vec(), s.confidence())),
            _ => when_scores(lines)
                .0
                .map(|(d, s)| (d.to_string(), s.features().to_vec(), s.confidence())),
        }
    };
    let file = std::io::BufReader::new(std::fs::File::open(&path)?);
    let mut out = std::io::stdout().lock();
    for line in file.lines() {
        let record: OcrRecord = serde_json::from_str(&line?)?;
        let Some((value, features, confidence)) = record.ocr.as_ref().and_then(|p| score(&p.lines))
        else {
            continue;
        };
        let features: Vec<String> = features.iter().map(|f| format!("{f:.4}")).collect();
        writeln!(
            out,
            "{}\t{value}\t{}\t{confidence:.3}",
            record.entry.file,
            features.join("\t")
        )?;
    }
    Ok(())
}
