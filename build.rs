//! Derives the OCR code fingerprint: a hash of every source file that shapes an OCR record
//! (image preparation, the readers, and extraction, which decides what is read again). It is
//! part of the OCR cache key (`fidelio::config`), so a build that would read a page
//! differently never reuses a page an older build read, and no one has to remember to bump a
//! version by hand.

use std::path::{Path, PathBuf};

const OCR_CODE: &[&str] = &["src/image", "src/ocr", "src/extract"];

fn main() {
    let mut files = Vec::new();
    for dir in OCR_CODE {
        println!("cargo:rerun-if-changed={dir}");
        collect(Path::new(dir), &mut files);
    }
    files.sort();
    // FNV-1a, 64 bits: stable across toolchains, no build dependency.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for file in &files {
        eat(file.to_string_lossy().replace('\\', "/").as_bytes());
        eat(&[0]);
        eat(&std::fs::read(file).expect("read a source file"));
        eat(&[0]);
    }
    println!("cargo:rustc-env=FIDELIO_OCR_CODE={hash:016x}");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path
            .extension()
            .is_some_and(|e| e == "rs" || e == "txt" || e == "toml")
        {
            files.push(path);
        }
    }
}
