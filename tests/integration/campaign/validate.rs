//! `fidelio validate` end to end: cached OCR records in, decisions out, through the real
//! extractor and the campaign engine, without OCR. Checks the output contract the CRM relies on
//! (points.csv columns, the cashback column only for cashback campaigns) and determinism.

use std::path::{Path, PathBuf};

use fidelio::ingest::ManifestEntry;
use fidelio::ocr::OcrRecord;

use super::support::{entry, good_quality, lines, page};
use crate::util::TestCommand;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn record(name: &str, member: &str, text: &str) -> OcrRecord {
    OcrRecord {
        entry: ManifestEntry {
            submitted_at: Some("2024-06-01T08:00:00Z".into()),
            id: format!("{name:0>64}"),
            ..entry(&format!("inbox/{member}/{name}.jpg"), Some(member))
        },
        ocr: Some(page(lines(text), good_quality())),
    }
}

fn write_records(dir: &Path, records: &[OcrRecord]) -> PathBuf {
    let path = dir.join("ocr.jsonl");
    let mut bytes = Vec::new();
    fidelio::jsonl::write(&mut bytes, records).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn validate(ocr: &Path, campaign: &str, out: &Path) -> i32 {
    TestCommand::new()
        .arg("validate")
        .arg(ocr)
        .arg("--campaign")
        .arg(root().join("campaigns").join(campaign))
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .status
        .code()
        .unwrap()
}

fn results(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn yoghurt_receipts_are_decided_from_cached_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let mut duplicate = record(
        "c",
        "m1",
        "FRESCO MARKET\n12/03/2024\nYAOURT BIO FRAISE ALPINE 1,55\nTOTAL 1,55",
    );
    duplicate.entry.duplicate_of = Some("inbox/m1/a.jpg".into());
    let records = [
        record("a", "m1", "FRESC0 MARKET\n12 rue des Lilas 75011 PARIS\n12/03/2024 10:32\n2 x YAOURT BIO FRAISE ALPINE 3,10\nPAIN 1,90\nTOTAL 5,00 EUR"),
        record("b", "m2", "PHARMACIE DU CENTRE\n12/03/2024\nDOLIPRANE 2,18\nTOTAL 2,18 EUR"),
        duplicate,
    ];
    let ocr = write_records(dir.path(), &records);
    let out = dir.path().join("out");
    assert_eq!(
        validate(&ocr, "demo.toml", &out),
        1,
        "rejections give exit 1"
    );
    let results = results(&out);
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted", "rejected", "duplicate"]);
    assert_eq!(results[0]["points"], "20");
    assert!(results[0].get("cashback").is_none(), "points-only campaign");
    assert_eq!(results[1]["reasons"][0]["code"], "MERCHANT_NOT_ELIGIBLE");
    let message = results[1]["reasons"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("ne participe pas"),
        "French message: {message}"
    );
    let audit = results[0]["audit"].as_array().unwrap();
    assert!(audit
        .iter()
        .any(|a| a["rule"] == "merchants.allow[fresco-market]"));
    let csv = std::fs::read_to_string(out.join("points.csv")).unwrap();
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("member_id,campaign_id,receipt_id,purchase_date,merchant,total,points")
    );
    let row = rows.next().unwrap();
    assert!(row.starts_with("m1,yaourts-bio-printemps-2024,"), "{row}");
    assert!(row.ends_with(",20"), "{row}");
    assert_eq!(rows.next(), None);
}

#[test]
fn cashback_campaigns_get_a_cashback_column() {
    let dir = tempfile::tempdir().unwrap();
    let records = [record(
        "g",
        "m3",
        "EPICERIE BIO\n10/04/2024\nGRANOLA SOLEIL 500G 4,99\nTOTAL 4,99 EUR",
    )];
    let ocr = write_records(dir.path(), &records);
    let out = dir.path().join("out");
    // Submitted 2024-06-01: within the 15 July deadline.
    assert_eq!(validate(&ocr, "cashback-granola.toml", &out), 0);
    let results = results(&out);
    assert_eq!(results[0]["status"], "accepted");
    assert_eq!(results[0]["cashback"], "1.00");
    let csv = std::fs::read_to_string(out.join("points.csv")).unwrap();
    assert!(csv.starts_with(
        "member_id,campaign_id,receipt_id,purchase_date,merchant,total,points,cashback\r\n"
    ));
    assert!(csv.contains(",0,1.00\r\n"), "{csv}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["cashback"], "1.00", "{summary}");
}

#[test]
fn the_same_records_give_byte_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<OcrRecord> = (0..30)
        .map(|i| {
            let text = format!(
                "FRESCO MARKET\n{:02}/03/2024\nYAOURT BIO FRAISE ALPINE 1,55\nTOTAL {},55 EUR",
                i % 28 + 1,
                i + 1
            );
            record(&format!("r{i}"), &format!("m{}", i % 4), &text)
        })
        .collect();
    let ocr = write_records(dir.path(), &records);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    validate(&ocr, "fidelite-fresco.toml", &one);
    validate(&ocr, "fidelite-fresco.toml", &two);
    for file in ["results.jsonl", "points.csv", "summary.json"] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between runs");
    }
}
