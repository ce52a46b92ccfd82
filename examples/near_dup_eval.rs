//! Measures the ledger's perceptual hash on real receipts: how many transformed copies of a
//! receipt it recognises (recall) and how many pairs of *distinct* receipts it confuses (false
//! positives), at each Hamming threshold, then for the ledger's two-threshold policy.
//!
//! Run through `scripts/near-dup-eval`, which makes the transformed copies first:
//!
//! ```text
//! cargo run --example near_dup_eval -- ORIGINALS_DIR TRANSFORMED_DIR
//! ```
//!
//! ORIGINALS_DIR holds `NNN.jpg` with SROIE labels `NNN.json` (company, date, total);
//! TRANSFORMED_DIR holds `NNN__TRANSFORM.jpg`. Distinct pairs are every pair of different
//! originals plus every transformed copy against every *other* original, so a copy that drifts
//! towards another receipt counts as a false positive too. "Same shop" pairs (many receipts of
//! the data set share a shop, and so a layout) are reported apart, because they are the hard
//! case. The policy's field check uses the labels as a perfect extraction: an upper bound.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use fidelio::image::{distance, phash, Phash};
use fidelio::ledger::{fold_merchant, DuplicatePolicy};

const TRANSFORMS: [&str; 8] = [
    "jpeg60", "resize50", "resize70", "rot+2", "rot-2", "crop3", "crop5", "mixed",
];
const THRESHOLDS: [u32; 10] = [0, 1, 2, 3, 4, 6, 8, 10, 12, 14];

struct Receipt {
    name: String,
    shop: String,
    /// Label date and total, compared as extracted fields would be.
    fields: (String, String),
    hash: Phash,
    copies: Vec<Phash>,
}

struct Pair {
    distance: u32,
    same_shop: bool,
    fields_agree: bool,
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [originals, transformed] = args.as_slice() else {
        eprintln!("usage: near_dup_eval ORIGINALS_DIR TRANSFORMED_DIR");
        std::process::exit(2);
    };
    let receipts = load(originals, transformed);
    let hashed = HASHED.load(Ordering::Relaxed).max(1);
    println!(
        "phash: {:.1} ms per image in this build (decoding excluded)",
        HASH_NANOS.load(Ordering::Relaxed) as f64 / hashed as f64 / 1e6
    );
    let distinct = distinct_pairs(&receipts);
    println!(
        "{} receipts x {} transforms = {} copies; {} distinct pairs ({} of the same shop)\n",
        receipts.len(),
        TRANSFORMS.len(),
        receipts.len() * TRANSFORMS.len(),
        distinct.len(),
        distinct.iter().filter(|p| p.same_shop).count()
    );
    print_threshold_table(&receipts, &distinct);
    let default = DuplicatePolicy::default();
    println!(
        "\nledger policy: a match within S bits, or within L bits with agreeing total and date"
    );
    println!(
        "(default S = {}, L = {}; alternatives for comparison)",
        default.image_same, default.image_similar
    );
    for (same, similar) in [
        (default.image_same, default.image_similar),
        (0, 8),
        (2, 12),
        (4, 10),
    ] {
        let policy = DuplicatePolicy {
            image_same: same,
            image_similar: similar,
            ..default
        };
        print_policy(&receipts, &distinct, policy);
    }
}

fn load(originals: &Path, transformed: &Path) -> Vec<Receipt> {
    let mut names: Vec<String> = std::fs::read_dir(originals)
        .unwrap_or_else(|e| panic!("{}: {e}", originals.display()))
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "jpg").then(|| path.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let label: serde_json::Value = serde_json::from_slice(
                &std::fs::read(originals.join(format!("{name}.json"))).unwrap_or_default(),
            )
            .unwrap_or_default();
            let text = |key: &str| label[key].as_str().unwrap_or("").to_string();
            Receipt {
                shop: shop_of(&text("company")),
                fields: (text("date"), text("total")),
                hash: hash_file(&originals.join(format!("{name}.jpg"))),
                copies: TRANSFORMS
                    .iter()
                    .map(|t| hash_file(&transformed.join(format!("{name}__{t}.jpg"))))
                    .collect(),
                name,
            }
        })
        .collect()
}

/// The shop without its branch: `MR. D.I.Y. (KUCHAI) SDN BHD` and `MR. D.I.Y. (M) SDN BHD` are
/// one chain with one receipt layout.
fn shop_of(company: &str) -> String {
    let base = company.split('(').next().unwrap_or(company);
    fold_merchant(base)
}

/// Nanoseconds spent in `phash` itself (decoding excluded), and how many images.
static HASH_NANOS: AtomicU64 = AtomicU64::new(0);
static HASHED: AtomicU64 = AtomicU64::new(0);

fn hash_file(path: &Path) -> Phash {
    let image = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let gray = image.to_luma8();
    let started = Instant::now();
    let print = phash(&gray);
    HASH_NANOS.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    HASHED.fetch_add(1, Ordering::Relaxed);
    print
}

fn distinct_pairs(receipts: &[Receipt]) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (i, a) in receipts.iter().enumerate() {
        for (j, b) in receipts.iter().enumerate() {
            if i == j {
                continue;
            }
            let pair = |distance| Pair {
                distance,
                same_shop: !a.shop.is_empty() && a.shop == b.shop,
                fields_agree: a.fields == b.fields,
            };
            if i < j {
                pairs.push(pair(distance(&a.hash, &b.hash)));
            }
            for copy in &a.copies {
                pairs.push(pair(distance(copy, &b.hash)));
            }
        }
    }
    pairs
}

fn print_threshold_table(receipts: &[Receipt], distinct: &[Pair]) {
    print!("{:>4} {:>7}", "bits", "recall");
    for t in TRANSFORMS {
        print!(" {t:>8}");
    }
    println!(" {:>14} {:>10}", "false pos.", "same shop");
    for threshold in THRESHOLDS {
        let within = |d: u32| d <= threshold;
        let all: Vec<u32> = receipts
            .iter()
            .flat_map(|r| r.copies.iter().map(|c| distance(c, &r.hash)))
            .collect();
        print!(
            "{threshold:>4} {:>7.3}",
            share(all.iter().filter(|&&d| within(d)).count(), all.len())
        );
        for (k, _) in TRANSFORMS.iter().enumerate() {
            let found = receipts
                .iter()
                .filter(|r| within(distance(&r.copies[k], &r.hash)))
                .count();
            print!(" {:>8.3}", share(found, receipts.len()));
        }
        let false_positives = distinct.iter().filter(|p| within(p.distance)).count();
        let same_shop = distinct
            .iter()
            .filter(|p| p.same_shop && within(p.distance))
            .count();
        println!(
            " {false_positives:>5} ({:>6.4}%) {same_shop:>10}",
            100.0 * share(false_positives, distinct.len())
        );
    }
    let closest = distinct.iter().map(|p| p.distance).min().unwrap_or(64);
    println!("\nclosest distinct pair: {closest} bits");
    let blank: BTreeSet<&str> = receipts
        .iter()
        .filter(|r| r.hash.frames[0].count_ones() < 8)
        .map(|r| r.name.as_str())
        .collect();
    if !blank.is_empty() {
        println!("near-blank hashes (under 8 bits set): {blank:?}");
    }
}

/// The ledger's rule: a match within `image_same` bits, or within `image_similar` bits when
/// total and date agree.
fn print_policy(receipts: &[Receipt], distinct: &[Pair], policy: DuplicatePolicy) {
    let matches = |distance: u32, fields_agree: bool| {
        distance <= policy.image_same || (distance <= policy.image_similar && fields_agree)
    };
    let copies: Vec<u32> = receipts
        .iter()
        .flat_map(|r| r.copies.iter().map(|c| distance(c, &r.hash)))
        .collect();
    let found = copies.iter().filter(|&&d| matches(d, true)).count();
    let strict_only = copies.iter().filter(|&&d| d <= policy.image_same).count();
    let false_positives = distinct
        .iter()
        .filter(|p| matches(p.distance, p.fields_agree))
        .count();
    println!(
        "  S={:>2} L={:>2}: recall {:.3} ({found}/{}, {strict_only} on the image alone), \
         false positives {false_positives}/{} ({:.4}%)",
        policy.image_same,
        policy.image_similar,
        share(found, copies.len()),
        copies.len(),
        distinct.len(),
        100.0 * share(false_positives, distinct.len())
    );
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
