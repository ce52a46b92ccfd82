//! CLI conventions: `--version` names what reads the receipts, shell completions and a man page.

use crate::util::Dir;

#[test]
fn version_names_the_readers_and_the_ledger_schema() {
    let dir = Dir::new();
    let long = dir.command(&["--version"]).stdout();
    assert!(
        long.starts_with(&format!("fidelio {}", env!("CARGO_PKG_VERSION"))),
        "{long}"
    );
    assert!(long.contains("ONNX Runtime 1."), "{long}");
    assert!(long.contains("tesseract: "), "{long}");
    assert!(long.contains("ledger schema: "), "{long}");
    let short = dir.command(&["-V"]).stdout();
    assert_eq!(
        short.trim(),
        format!("fidelio {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_cover_every_subcommand_in_each_shell() {
    let dir = Dir::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = dir.command(&["completions", shell]).stdout();
        for sub in ["run", "review", "report", "ledger", "eval"] {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let bash = dir.command(&["completions", "bash"]).stdout();
    assert!(bash.contains("complete -F _fidelio"), "{bash}");
    dir.command(&["completions", "tcsh"]).expect_code(2);
}

#[test]
fn the_man_page_is_roff_with_every_subcommand() {
    let dir = Dir::new();
    let page = dir.command(&["man"]).stdout();
    assert!(page.contains(".TH fidelio 1"), "{page}");
    for sub in ["run", "review", "report", "completions"] {
        assert!(
            page.contains(&format!("fidelio\\-{sub}")),
            "man page lacks {sub}"
        );
    }
}

/// For log collectors: every stderr line of a nightly run is one JSON object with a timestamp,
/// a level and a message; the default stays `fidelio: …` lines for people.
#[test]
fn log_format_json_gives_one_object_per_line() {
    let dir = Dir::new();
    crate::run::batch(&dir);
    let out = dir
        .run_text("inbox", "out")
        .args(["--log-format", "json"])
        .output();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() >= 4, "{stderr}");
    for line in &lines {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(event["timestamp"].is_string(), "{line}");
        assert!(event["level"].is_string(), "{line}");
        assert!(event["message"].is_string(), "{line}");
    }
    assert!(stderr.contains("points awarded"), "{stderr}");

    let text = dir.run_text("inbox", "again").output();
    let stderr = String::from_utf8(text.stderr).unwrap();
    assert!(
        stderr.lines().all(|l| l.starts_with("fidelio: ")),
        "{stderr}"
    );
    // Off a terminal, progress is a plain line with the date, time and offset, from the first
    // file on (cron mails and `kubectl logs` keep no time of their own).
    let stamped = regex::Regex::new(
        r"(?m)^fidelio: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2} OCR 1/\d+ files",
    )
    .unwrap();
    assert!(stamped.is_match(&stderr), "{stderr}");

    // Arguments clap refuses are one JSON object too, exit 2.
    let refused = dir
        .run_text("inbox", "out3")
        .args(["--psm", "99", "--log-format", "json"])
        .output();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let event: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(event["level"], "ERROR");
    assert!(
        event["message"].as_str().unwrap().contains("--psm"),
        "{stderr}"
    );

    // A campaign's problems too: one object, the whole report in its message.
    dir.create(
        "bad.toml",
        "id = \"x\"\nname = \"x\"\n[period]\nstart = 2024-05-01\n",
    );
    let checked = dir
        .command(&["campaign", "check", "bad.toml", "--log-format", "json"])
        .output();
    assert_eq!(checked.status.code(), Some(2));
    let stderr = String::from_utf8(checked.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let event: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap();
    assert!(
        event["message"].as_str().unwrap().contains("bad.toml"),
        "{stderr}"
    );

    let error = dir
        .command(&[
            "report",
            "--batch",
            "nope",
            "--out",
            "x",
            "--log-format",
            "json",
        ])
        .output();
    assert_eq!(error.status.code(), Some(2));
    let event: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&error.stderr).trim()).unwrap();
    assert_eq!(event["level"], "ERROR");
}

/// Options are checked before any work: a night of OCR must not end on a bad flag.
#[test]
fn bad_options_stop_before_any_work() {
    let dir = Dir::new();
    crate::run::batch(&dir);
    let psm = dir
        .run_text("inbox", "out")
        .args(["--psm", "99"])
        .stderr_with_code(2);
    assert!(psm.contains("0..=13"), "{psm}");

    // Outputs inside the input folder would be read as receipts the next night.
    let inside = dir.run_text("inbox", "inbox/out").stderr_with_code(2);
    assert!(inside.contains("inside the input folder"), "{inside}");
    // Regression: the refused folder was created inside the input and stayed there.
    assert!(!dir.join("inbox/out").exists());
    // A hidden folder is skipped by the walk: allowed.
    dir.run_text("inbox", "inbox/.out").expect_code(1);
    // Regression: a `--state` not created yet was not checked, made inside the input, and
    // its ledger and cache read as member `state`'s receipts the next night.
    let state = dir
        .run_text("inbox", "out3")
        .args(["--state", "inbox/state"])
        .stderr_with_code(2);
    assert!(state.contains("--state"), "{state}");
    assert!(state.contains("inside the input folder"), "{state}");
    assert!(!dir.join("inbox/state").exists());

    dir.create("not-a-dir", "x");
    let out = dir.run_text("inbox", "not-a-dir/out").stderr_with_code(2);
    assert!(out.contains("--out"), "{out}");
    let batch = dir
        .run_text("inbox", "out2")
        .args(["--batch", "a/b"])
        .stderr_with_code(2);
    assert!(batch.contains("invalid batch name"), "{batch}");
    assert!(!dir.join("out2/results.jsonl").exists());
}

/// The README is a reference a user reads through: under 500 lines, with the sections an
/// operator looks for (measurement history lives in CHANGELOG.md and docs/).
#[test]
fn readme_is_a_short_reference_with_its_sections() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let lines = readme.lines().count();
    assert!(lines < 500, "README.md has {lines} lines");
    for section in [
        "## Quick start",
        "## Install",
        "## The nightly job",
        "### Inputs",
        "### Outputs",
        "### Exit codes",
        "## Campaigns",
        "## Review",
        "## Scale-out",
        "## Deployment",
        "## Troubleshooting",
    ] {
        assert!(
            readme.lines().any(|l| l == section),
            "README.md lacks {section}"
        );
    }
    // The quick start is exactly two commands.
    let quick = readme.split("## Quick start").nth(1).unwrap();
    let block = quick
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    assert_eq!(block.lines().count(), 2, "{block}");
}

/// A panic is a bug, never exit 101: it is reported as an internal error, exit 3, even when
/// it happens in a worker thread.
#[test]
fn a_panic_in_a_worker_exits_3_with_a_message() {
    let dir = Dir::new();
    let output = dir
        .command(&["models"])
        .env("FIDELIO_DEBUG_PANIC", "1")
        .output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("internal error (a bug"), "{stderr}");
    assert!(stderr.contains("FIDELIO_DEBUG_PANIC"), "{stderr}");
}
