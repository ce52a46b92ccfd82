//! Prints the capture quality fidelio measures on images, without OCR: one JSON line per image
//! with the measures and the reason codes the quality gate gives under a campaign's
//! `[quality]` (or the defaults). For calibrating the gate (`scripts/quality-eval`) and for
//! checking a photo a member disputes.
//!
//! ```text
//! cargo run --release --example quality -- [--campaign CAMPAIGN.toml] IMAGE...
//! ```

use std::path::{Path, PathBuf};

use fidelio::campaign::Campaign;
use fidelio::image::{assess, decode, measure, DecodeLimits, QualityThresholds};
use fidelio::ingest::sniff;
use serde_json::json;

fn main() {
    let mut args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let thresholds = match args.iter().position(|a| a == Path::new("--campaign")) {
        Some(at) if at + 1 < args.len() => {
            let path = args.remove(at + 1);
            args.remove(at);
            match Campaign::load(&path) {
                Ok(campaign) => campaign.quality,
                Err(err) => fail(&format!("{}: {err}", path.display())),
            }
        }
        Some(_) => fail("--campaign needs a file"),
        None => QualityThresholds::default(),
    };
    if args.is_empty() {
        fail("usage: quality [--campaign CAMPAIGN.toml] IMAGE...");
    }
    for path in &args {
        println!("{}", report(path, &thresholds));
    }
}

/// One image's JSON line: its quality and reason codes, or why it could not be measured.
fn report(path: &Path, thresholds: &QualityThresholds) -> serde_json::Value {
    let file = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return json!({ "file": file, "error": err.to_string() }),
    };
    let Some(kind) = sniff(&bytes) else {
        return json!({ "file": file, "error": "not a recognised image" });
    };
    match decode(&bytes, kind, DecodeLimits::default()) {
        Ok(image) => {
            let quality = measure(&image.to_luma8());
            let reasons: Vec<&str> = assess(&quality, thresholds)
                .iter()
                .map(|r| r.code.as_str())
                .collect();
            json!({ "file": file, "quality": quality, "reasons": reasons })
        }
        Err(err) => json!({ "file": file, "error": err.to_string() }),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("quality: {message}");
    std::process::exit(2);
}
