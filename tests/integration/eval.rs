//! `fidelio eval` end to end: labels in both shapes, results or images as input, the table,
//! the JSON report and the exit codes a CI pipeline gates on. Images are read with the `text`
//! engine (a transcript beside each image), so no Tesseract is needed.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::util::TestCommand;

fn fidelio() -> TestCommand {
    TestCommand::new()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A small white PNG: enough for the scanner and the image stage, the text engine reads the
/// transcript beside it.
fn write_image(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::GrayImage::from_pixel(64, 64, image::Luma([255u8]))
        .save(path)
        .unwrap();
}

fn result_line(file: &str, merchant: &str, date: &str, total: &str) -> String {
    json!({
        "file": file, "id": "00", "member": null, "status": "accepted", "reasons": [],
        "receipt": {"merchant": merchant, "date": date, "time": null, "total": total,
                    "currency": null, "address": "LOT 3, JALAN PELABUR", "items": [],
                    "confidence": {"merchant": 0.9, "date": 0.9, "total": 0.9, "address": 0.5}},
        "points": "0", "campaign": "c"
    })
    .to_string()
}

/// Two SROIE labels and results reading one of them right and one half right.
fn sroie_fixture(dir: &Path) -> PathBuf {
    let labels = dir.join("labels");
    write(
        &labels.join("005.json"),
        r#"{"company": "MR. D. I. Y. (KUCHAI) SDN BHD", "date": "16-03-18",
            "address": "LOT 3, JALAN PELABUR", "total": "RM 53.30"}"#,
    );
    write(
        &labels.join("014.json"),
        r#"{"company": "BANH MI CAFE SDN BHD", "date": "29/10/2017",
            "address": "LOT 3, JALAN PELABUR", "total": "23.25"}"#,
    );
    let results = dir.join("results.jsonl");
    let lines = [
        result_line(
            "inbox/005.jpg",
            "MR. D.I.Y.(KUCHAI) SDN BHD",
            "2018-03-16",
            "53.30",
        ),
        result_line(
            "inbox/014.jpg",
            "BANH MI CAFE SDN BHD",
            "2017-10-29",
            "23.26",
        ),
    ];
    write(&results, &(lines.join("\n") + "\n"));
    labels
}

#[test]
fn scores_results_against_sroie_labels() {
    let dir = tempfile::tempdir().unwrap();
    let labels = sroie_fixture(dir.path());
    let output = fidelio()
        .arg("eval")
        .arg(dir.path().join("results.jsonl"))
        .arg("--labels")
        .arg(&labels)
        .arg("--verbose")
        .output();
    assert!(output.status.success(), "{output:?}");
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("2 labelled receipts scored"), "{table}");
    let total_row = table.lines().find(|l| l.starts_with("total")).unwrap();
    assert!(total_row.contains("50.0 %"), "{total_row}");
    let date_row = table.lines().find(|l| l.starts_with("date")).unwrap();
    assert!(date_row.contains("100.0 %"), "{date_row}");
    assert!(
        table.contains(r#"inbox/014.jpg  total     expected "23.25"  got "23.26""#),
        "{table}"
    );
    // Each reviewed field at its own review point, written as a campaign would set it; the
    // total, half right, has none.
    assert!(
        table.contains(
            "as campaign thresholds: [review] min_confidence = { merchant = 0.90, date = 0.90 }"
        ),
        "{table}"
    );
}

#[test]
fn thresholds_fail_the_run_and_the_json_report_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let labels = sroie_fixture(dir.path());
    let report = dir.path().join("report.json");
    let run = |min: &str| {
        fidelio()
            .arg("eval")
            .arg(dir.path().join("results.jsonl"))
            .arg("--labels")
            .arg(&labels)
            .args(["--min", min, "--json"])
            .arg(&report)
            .output()
    };
    assert_eq!(run("total=50,date=95").status.code(), Some(0));
    let failed = run("total=90");
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(
        stderr.contains("total 50.0 % is below the required 90 %"),
        "{stderr}"
    );
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["labelled"], 2);
    assert_eq!(json["shortfalls"][0]["field"], "total");
    let total = json["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "total")
        .unwrap();
    assert_eq!(total["normalised"], 1);
    assert_eq!(total["strict"], 0, "RM 53.30 is not strictly 53.30");
    assert_eq!(run("colour=3").status.code(), Some(2));
    assert_eq!(run("total=abc").status.code(), Some(2));
}

#[test]
fn fidelio_labels_score_decisions_and_items() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("samples");
    write(
        &labels.join("alice/r1.json"),
        r#"{"merchant": "CARREFOUR", "date": "2024-03-12", "total": "6.75", "status": "accepted",
            "reasons": [], "points": "6", "items": [{"description": "PAIN", "amount": "6.75"}]}"#,
    );
    let mut line: Value = serde_json::from_str(&result_line(
        "in/alice/r1.jpg",
        "Carrefour",
        "2024-03-12",
        "6.75",
    ))
    .unwrap();
    line["points"] = json!("5");
    line["receipt"]["items"] = json!([{"description": "PAIN", "amount": "6.75", "line": 3}]);
    // It prints its number of articles, which its items add up to.
    line["receipt"]["articles"] = json!(1);
    write(&dir.path().join("results.jsonl"), &format!("{line}\n"));
    let output = fidelio()
        .arg("eval")
        .arg(dir.path().join("results.jsonl"))
        .arg("--labels")
        .arg(&labels)
        .output();
    let table = String::from_utf8(output.stdout).unwrap();
    let row = |field: &str| {
        table
            .lines()
            .find(|l| l.starts_with(field))
            .unwrap()
            .to_string()
    };
    assert!(row("merchant").contains("100.0 %"), "{table}");
    assert!(row("items").contains("100.0 %"), "{table}");
    assert!(row("status").contains("100.0 %"), "{table}");
    assert!(row("points").contains("0.0 %"), "{table}");
    assert!(
        table.contains("items against the printed number of articles: 1/1 receipts agree"),
        "{table}"
    );
}

#[test]
fn reads_images_itself_when_given_no_results() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("receipts");
    write_image(&folder.join("r1.png"));
    write(
        &folder.join("r1.txt"),
        "BOULANGERIE DUPONT SARL\n3 place du Marché\n31000 Toulouse\nle 05/01/2024\n\
         CROISSANT 1,20\nPAIN 2,50\nNET A PAYER 3,70\nESPECES 10,00\nRENDU 6,30\n",
    );
    write(
        &folder.join("r1.json"),
        r#"{"merchant": "BOULANGERIE DUPONT SARL", "date": "2024-01-05", "total": "3.70",
            "address": "3 place du Marché 31000 Toulouse", "currency": "EUR"}"#,
    );
    let output = fidelio()
        .args(["eval", "--engine", "text", "--quiet", "--labels"])
        .arg(&folder)
        .arg("--state")
        .arg(dir.path().join("state"))
        .args([
            "--min",
            "merchant=100,date=100,total=100,address=100,currency=100",
        ])
        .arg("--json")
        .arg(dir.path().join("report.json"))
        .output();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(table.contains("1 labelled receipts scored"), "{table}");
    // From images the OCR text is known: the report says which labels it could read at all.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let merchant = &report["fields"][0];
    assert_eq!(merchant["field"], "merchant");
    assert_eq!(merchant["in_ocr_pct"], 100.0);
}

#[test]
fn a_missing_labels_folder_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("results.jsonl"), "");
    let output = fidelio()
        .arg("eval")
        .arg(dir.path().join("results.jsonl"))
        .arg("--labels")
        .arg(dir.path().join("nope"))
        .output();
    assert_eq!(output.status.code(), Some(2));
}
