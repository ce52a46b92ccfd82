//! Writes the pixels fidelio hands to Tesseract for each image, as PNG beside the output
//! folder: what the engine saw, for checking a misread by eye or re-reading a word by hand.
//!
//! ```text
//! cargo run --release --example prepared -- OUT_DIR [--smooth SIGMA] IMAGE...
//! ```

use std::path::{Path, PathBuf};

use fidelio::image::{decode, stage, DecodeLimits, PrepareSettings};
use fidelio::ingest::sniff;

fn main() {
    let mut args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut smooth = 0.0f32;
    if let Some(at) = args.iter().position(|a| a == Path::new("--smooth")) {
        smooth = args
            .get(at + 1)
            .and_then(|s| s.to_str()?.parse().ok())
            .unwrap_or_else(|| fail("--smooth needs a number"));
        args.drain(at..at + 2);
    }
    if args.len() < 2 {
        fail("usage: prepared OUT_DIR [--smooth SIGMA] IMAGE...");
    }
    let out = args.remove(0);
    for path in &args {
        match prepared(path, smooth, &out) {
            Ok(written) => println!("{}", written.display()),
            Err(err) => eprintln!("{}: {err}", path.display()),
        }
    }
}

fn prepared(path: &Path, smooth: f32, out: &Path) -> Result<PathBuf, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let kind = sniff(&bytes).ok_or("not a recognised image")?;
    let gray = decode(&bytes, kind, DecodeLimits::default())
        .map_err(|e| e.to_string())?
        .to_luma8();
    let pixels = stage(gray, &PrepareSettings::default()).finish(smooth);
    let name = path.file_stem().ok_or("no file name")?;
    let written = out.join(name).with_extension("png");
    pixels.save(&written).map_err(|e| e.to_string())?;
    Ok(written)
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(2);
}
