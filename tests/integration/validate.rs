use crate::util::{french_receipt, Dir, CAMPAIGN};

#[test]
fn stages_piped_together_give_what_run_gives() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/a.png", &french_receipt("14/03/2024", "4,20"));
    dir.receipt("inbox/M2/b.png", &french_receipt("14/03/2023", "5,00"));
    dir.run_text("inbox", "run").arg("-q").expect_code(1);
    let manifest = dir.command(&["scan", "inbox"]).stdout();
    dir.create("manifest.jsonl", &manifest);
    let ocr = dir
        .command(&["ocr", "manifest.jsonl", "--engine", "text", "-q"])
        .stdout();
    dir.create("ocr.jsonl", &ocr);
    let with_campaign = dir
        .command(&[
            "ocr",
            "manifest.jsonl",
            "--campaign",
            "campaign.toml",
            "--engine",
            "text",
            "-q",
        ])
        .stdout();
    assert_eq!(
        with_campaign, ocr,
        "the text engine has no languages to take"
    );
    dir.command(&[
        "validate",
        "ocr.jsonl",
        "--campaign",
        "campaign.toml",
        "--out",
        "val",
        "-q",
    ])
    .expect_code(1);
    for file in ["results.jsonl", "points.csv", "summary.json"] {
        assert_eq!(
            dir.read(&format!("run/{file}")),
            dir.read(&format!("val/{file}")),
            "{file}"
        );
    }
    let stdout = dir
        .command(&["validate", "ocr.jsonl", "--campaign", "campaign.toml", "-q"])
        .expect_code(1);
    assert_eq!(
        stdout,
        dir.read("run/results.jsonl"),
        "without --out, results go to stdout"
    );
}

#[test]
fn revalidating_the_runs_ocr_jsonl_needs_no_images() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/a.png", &french_receipt("14/03/2024", "4,20"));
    dir.run_text("inbox", "run").arg("-q").stdout();
    std::fs::remove_dir_all(dir.join("inbox")).unwrap();
    dir.command(&[
        "validate",
        "run/ocr.jsonl",
        "--campaign",
        "campaign.toml",
        "--out",
        "again",
        "-q",
    ])
    .stdout();
    assert_eq!(
        dir.read("run/results.jsonl"),
        dir.read("again/results.jsonl")
    );
}

#[test]
fn malformed_jsonl_names_the_line() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.create("ocr.jsonl", "{\"file\": \"a\"}\n");
    let stderr = dir
        .command(&["validate", "ocr.jsonl", "--campaign", "campaign.toml"])
        .stderr_with_code(2);
    assert!(stderr.contains("ocr.jsonl:1"), "{stderr}");

    // `--out` where no folder can be made is a usage error before anything is decided.
    dir.create("not-a-dir", "x");
    let stderr = dir
        .command(&[
            "validate",
            "ocr.jsonl",
            "--campaign",
            "campaign.toml",
            "--out",
            "not-a-dir/out",
        ])
        .stderr_with_code(2);
    assert!(stderr.contains("--out not-a-dir/out"), "{stderr}");
}

/// Regression: OCR JSONL made before capture quality moved to per-tile measures carried
/// sharpness on the old scale (~200 for sharp photos), which today's thresholds would reject
/// as BLURRY. `validate` must refuse it with a clear message instead.
#[test]
fn ocr_from_an_older_quality_scale_is_refused_not_rejected_as_blurry() {
    let dir = Dir::new();
    dir.receipt("in/M1/a.png", &french_receipt("14/03/2024", "4,20"));
    let ocr = dir
        .command(&["ocr", "in", "--engine", "text", "-q", "--no-cache"])
        .stdout();
    let current = format!("\"prepare\":\"v{}-", fidelio::image::PREPARE_VERSION);
    let old = ocr.replace(&current, "\"prepare\":\"v1-");
    assert_ne!(
        old, ocr,
        "the fingerprint starts with the preparation version"
    );
    dir.create("old.jsonl", &old);
    dir.create("campaign.toml", CAMPAIGN);
    let stderr = dir
        .command(&["validate", "old.jsonl", "--campaign", "campaign.toml"])
        .stderr_with_code(2);
    assert!(stderr.contains("run `fidelio ocr` again"), "{stderr}");
}

/// `ocr --campaign` takes the campaign's OCR languages, as `run` does (`--help` promised it
/// when `ocr` took no campaign); `--lang` still wins.
#[test]
fn ocr_takes_the_campaigns_languages_and_lang_overrides_them() {
    let dir = Dir::new();
    let campaign = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/campaigns/bio-joghurt-fruehling.toml"
    ))
    .unwrap();
    dir.create("german.toml", &campaign);
    dir.receipt("in/M1/a.png", "SUMME 4,20");
    let languages = |extra: &[&str]| {
        let mut args = vec!["ocr", "in", "--engine", "tesseract", "-q"];
        args.extend_from_slice(extra);
        let out = dir.command(&args).stdout();
        let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        line["ocr"]["engine"]["languages"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(languages(&[]), "fra+eng");
    assert_eq!(languages(&["--campaign", "german.toml"]), "deu+eng");
    assert_eq!(
        languages(&["--campaign", "german.toml", "--lang", "fra"]),
        "fra"
    );
}
