//! `fidelio report` and `run --report`: the night as one HTML page, and the review loop through
//! it in a real browser.

use std::path::Path;
use std::process::Command;

use crate::util::{Dir, TestCommand};

const CAMPAIGN: &str = r#"
id = "report-2024"
name = "Report campaign"

[period]
start = 2024-01-01
end = 2024-12-31

[points]
per_currency_unit = 1

[review]
total_above = 50
"#;

fn receipt(shop: &str, lines: usize, date: &str, total: &str) -> String {
    let mut text = format!("{shop}\n8 AVENUE FOCH\n75008 PARIS\n{date} 10:05\n");
    for i in 0..lines {
        text.push_str(&format!(
            "ARTICLE {i}{}2,{:02}\n",
            " ".repeat(3 + (i * 5) % 17),
            i
        ));
    }
    text.push_str(&format!("TOTAL TTC     {total}\nCB            {total}\n"));
    text
}

/// Two receipts held for review (high totals) and one paid.
fn night(dir: &Dir) {
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt(
        "inbox/M1/a.jpg",
        &receipt("FRESCO MARKET", 2, "14/03/2024", "80,00"),
    );
    dir.receipt(
        "inbox/M2/b.jpg",
        &receipt("BIOCOOP LES HALLES", 9, "15/03/2024", "95,50"),
    );
    dir.receipt(
        "inbox/M3/c.jpg",
        &receipt("MAXIMARCHE", 16, "16/03/2024", "12,00"),
    );
    dir.run_text("inbox", "out").arg("--report").expect_code(0);
}

#[test]
fn the_report_is_one_page_with_every_receipt_and_no_network() {
    let dir = Dir::new();
    night(&dir);
    let html = dir.read("out/report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("default-src 'none'"),
        "the page may load nothing"
    );
    for load in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(load), "{load}");
    }
    assert_eq!(html.matches("data:image/jpeg;base64,").count(), 3);
    let results = dir.jsonl("out/results.jsonl");
    for r in &results {
        assert!(html.contains(r["id"].as_str().unwrap()));
    }
    // The same page from the ledger, given the night's OCR.
    let stats: serde_json::Value =
        serde_json::from_str(&dir.command(&["ledger", "stats"]).stdout()).unwrap();
    let batch = stats["campaigns"][0]["last_batch"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        batch.starts_with("inbox@"),
        "the default batch is dated: {batch}"
    );
    dir.command(&[
        "report",
        "--batch",
        &batch,
        "--ocr",
        "out/ocr.jsonl",
        "--out",
        "again",
    ])
    .expect_code(0);
    assert_eq!(dir.read("again/report.html"), html);
    let stderr = dir
        .command(&["report", "--batch", "nope", "--out", "x"])
        .stderr_with_code(2);
    assert!(stderr.contains("no batch \"nope\""), "{stderr}");
}

fn browser_ready() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("no Chromium at {chromium}"));
    }
    if !root
        .join("tests/browser/node_modules/playwright-core")
        .is_dir()
    {
        return Err("tests/browser/node_modules is missing".into());
    }
    Ok(())
}

/// The review loop end to end: the page in headless Chromium approves one receipt and corrects
/// the other's total, downloads decisions.csv, and `review apply` pays both; applying it again
/// pays nothing more.
#[test]
fn a_reviewer_decides_in_the_page_and_review_apply_pays() {
    if let Err(missing) = browser_ready() {
        panic!("{missing}: run scripts/install-deps (it installs Chromium and the test driver)");
    }
    let dir = Dir::new();
    night(&dir);
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/review.mjs");
    let out = Command::new("node")
        .arg(&driver)
        .arg(dir.join("out/report.html"))
        .arg(dir.join("decisions.csv"))
        .arg("95,05")
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = dir.read("decisions.csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains(",approve,,,,95,05,") || csv.contains(",approve,,,,\"95,05\","),
        "{csv}"
    );
    dir.command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .expect_code(0);
    let points = dir.read("rev/points.csv");
    let rows: Vec<&str> = points.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{points}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("M1,") && r.ends_with(",80.00,80")),
        "{points}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("M2,") && r.ends_with(",95.05,95")),
        "{points}"
    );
    let history = dir.command(&["ledger", "history", "M2"]).stdout();
    assert!(
        history.contains("\"reviewer\":\"browser-test\""),
        "{history}"
    );
    dir.command(&["review", "apply", "decisions.csv", "--out", "rev2"])
        .expect_code(0);
    let export = dir
        .command(&["ledger", "export", "--campaign", "report-2024"])
        .stdout();
    assert_eq!(
        export.lines().count(),
        4,
        "one paid at night, two in review: {export}"
    );
}

/// The issue's acceptance run, with the real reader on `samples/` (one receipt in review, a
/// high total): decided in the page, paid by `review apply` once; a malformed file changes
/// nothing.
#[test]
fn the_samples_review_receipt_is_decided_in_the_page_and_paid_once() {
    if let Err(missing) = browser_ready() {
        panic!("{missing}: run scripts/install-deps (it installs Chromium and the test driver)");
    }
    let dir = Dir::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fidelio = |args: &[&str]| {
        TestCommand::new()
            .current_dir(repo)
            .args(args)
            .arg("--state")
            .arg(dir.join("state"))
    };
    let run = fidelio(&[
        "run",
        "samples/inbox",
        "--campaign",
        "campaigns/demo.toml",
        "-q",
    ])
    .arg("--out")
    .arg(dir.join("out"))
    .arg("--report")
    .status();
    assert_eq!(run.code(), Some(1), "samples hold rejected receipts");
    let held = dir
        .jsonl("out/results.jsonl")
        .into_iter()
        .filter(|r| r["status"] == "review")
        .count();
    assert_eq!(held, 1);
    let driver = repo.join("tests/browser/review.mjs");
    let out = Command::new("node")
        .arg(&driver)
        .arg(dir.join("out/report.html"))
        .arg(dir.join("decisions.csv"))
        .arg("168,10")
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    dir.create("bad.csv", "receipt_id,decision\nnot-an-id,approve\n");
    let bad = fidelio(&["review", "apply"])
        .arg(dir.join("bad.csv"))
        .arg("--out")
        .arg(dir.join("bad"))
        .output();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.csv:2:1:"));
    assert!(!dir.join("bad").exists());

    for out in ["reviewed", "again"] {
        let apply = fidelio(&["review", "apply"])
            .arg(dir.join("decisions.csv"))
            .arg("--out")
            .arg(dir.join(out))
            .status();
        assert_eq!(apply.code(), Some(0));
    }
    let points = dir.read("reviewed/points.csv");
    let rows: Vec<&str> = points.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{points}");
    assert!(
        rows[0].starts_with("M1006,") && rows[0].contains(",168.10,"),
        "{points}"
    );
    assert_eq!(dir.read("again/points.csv"), points);
    let export = fidelio(&[
        "ledger",
        "export",
        "--campaign",
        "yaourts-bio-printemps-2024",
    ])
    .output();
    let export = String::from_utf8_lossy(&export.stdout);
    assert_eq!(export.matches("M1006").count(), 1, "paid once: {export}");
}
