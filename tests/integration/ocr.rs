use crate::util::{french_receipt, Dir};

#[test]
fn ocr_writes_lines_with_word_boxes_and_engine_settings() {
    let dir = Dir::new();
    dir.receipt("in/M1/a.png", &french_receipt("14/03/2024", "4,20"));
    let out = dir
        .command(&["ocr", "in", "--engine", "text", "-q"])
        .stdout();
    let record: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(record["file"], "in/M1/a.png");
    assert_eq!(record["member"], "M1");
    let page = &record["ocr"];
    assert_eq!(page["lines"][0]["text"], "FRESCO MARKET");
    assert_eq!(page["lines"][0]["words"][1]["text"], "MARKET");
    assert_eq!(
        page["lines"][0]["words"][1]["bbox"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(page["engine"]["name"], "text");
    assert!(page["quality"]["width"].as_u64().unwrap() > 0);
    assert!(page["elapsed_ms"].is_u64());
}

#[test]
fn ocr_reads_a_manifest_from_stdin() {
    let dir = Dir::new();
    dir.receipt("in/M1/a.png", &french_receipt("14/03/2024", "4,20"));
    let manifest = dir.command(&["scan", "in"]).stdout();
    dir.create("manifest.jsonl", &manifest);
    let from_file = dir
        .command(&["ocr", "manifest.jsonl", "--engine", "text", "-q"])
        .stdout();
    let mut cmd = dir
        .command(&["ocr", "-", "--engine", "text", "-q"])
        .into_inner();
    let from_stdin = pipe_into(&mut cmd, manifest.as_bytes());
    assert_eq!(from_file, from_stdin);
}

#[test]
fn ocr_cache_lives_in_the_state_dir() {
    let dir = Dir::new();
    dir.receipt("in/M1/a.png", "HELLO");
    dir.command(&["ocr", "in", "--engine", "text", "-q", "--state", "st"])
        .stdout();
    assert!(dir.join("st/ocr-cache").is_dir());
    dir.command(&["ocr", "in", "--engine", "text", "-q"])
        .env("FIDELIO_STATE", "st2")
        .stdout();
    assert!(dir.join("st2/ocr-cache").is_dir());
}

#[test]
fn zero_jobs_is_a_usage_error() {
    let dir = Dir::new();
    dir.receipt("in/M1/a.png", "HELLO");
    let stderr = dir
        .command(&["ocr", "in", "--engine", "text", "-j", "0"])
        .stderr_with_code(2);
    assert!(stderr.contains("--jobs"), "{stderr}");
}

pub fn pipe_into(cmd: &mut std::process::Command, input: &[u8]) -> String {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_uncertain_receipt_gets_a_second_look_and_a_clear_one_does_not() {
    let dir = Dir::new();
    dir.receipt("in/M1/clear.png", &french_receipt("14/03/2024", "4,20"));
    dir.receipt("in/M1/unsure.png", "FRESCO MARKET\nT0TAL\nMERCI\n");
    let pages = |extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["ocr", "in", "--engine", "text", "-q", "--no-cache"];
        args.extend_from_slice(extra);
        let out = dir.command(&args).stdout();
        out.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["ocr"].clone())
            .collect()
    };
    let with_look = pages(&[]);
    assert!(
        with_look[0].get("second_look").is_none(),
        "{}",
        with_look[0]
    );
    let second = &with_look[1]["second_look"];
    assert_eq!(second["lines"][0]["text"], "FRESCO MARKET");
    assert!(
        second["prepare"].as_str().unwrap().contains("-s1.1"),
        "{second}"
    );
    let without = pages(&["--no-second-look"]);
    assert!(without[1].get("second_look").is_none(), "{}", without[1]);
    assert_ne!(
        with_look[1]["engine"]["prepare"],
        without[1]["engine"]["prepare"]
    );
}

/// Issue 20: `ocr` trusted a scan manifest's receipt ids: a hand-edited manifest (or a file
/// replaced since the scan) got a receipt decided, and paid, on another file's reading, fresh
/// or from the cache. The bytes are checked against the id before anything is read.
#[test]
fn regression_a_manifest_id_that_is_not_the_files_bytes_is_file_changed() {
    let dir = Dir::new();
    dir.receipt("in/M1/a.png", &french_receipt("14/03/2024", "4,20"));
    dir.receipt("in/M1/b.png", &french_receipt("15/03/2024", "99,00"));
    let manifest = dir.command(&["scan", "in"]).stdout();
    dir.create("manifest.jsonl", &manifest);
    // Warm the cache with both files' true readings.
    dir.command(&["ocr", "manifest.jsonl", "--engine", "text", "-q"])
        .stdout();
    let entries: Vec<serde_json::Value> = manifest
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (a, b) = (entries[0]["id"].clone(), entries[1]["id"].clone());
    let swapped: String = entries
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e["id"] = if e["id"] == a { b.clone() } else { a.clone() };
            format!("{e}\n")
        })
        .collect();
    dir.create("edited.jsonl", &swapped);
    let out = dir
        .command(&["ocr", "edited.jsonl", "--engine", "text", "-q"])
        .stdout();
    for line in out.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(record["ocr"].is_null(), "{record}");
        assert_eq!(record["error"]["code"], "FILE_CHANGED", "{record}");
    }
    // The true manifest still reads (from the cache).
    let again = dir
        .command(&["ocr", "manifest.jsonl", "--engine", "text", "-q"])
        .stdout();
    assert!(again.lines().all(|l| l.contains("\"ocr\":{")), "{again}");
}

/// Regression: a JPEG piped to `ocr -` exited 3, "stream did not contain valid UTF-8"; it is
/// bad input (exit 2), named. And `-o` into a missing folder failed only after all the OCR.
#[test]
fn bad_stdin_and_an_unwritable_output_stop_before_any_work() {
    use std::process::Stdio;
    let dir = Dir::new();
    dir.receipt("in/M1/a.png", "HELLO");
    let jpeg = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\xFF\xD9";
    let mut cmd = dir
        .command(&["ocr", "-", "--engine", "text", "-q"])
        .into_inner();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), jpeg).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a JPEG image"), "{stderr}");

    let stderr = dir
        .command(&[
            "ocr",
            "in",
            "--engine",
            "text",
            "-q",
            "-o",
            "missing/ocr.jsonl",
        ])
        .stderr_with_code(2);
    assert!(stderr.contains("missing/ocr.jsonl"), "{stderr}");
    // Nothing was read: the cache is still empty.
    assert!(
        !dir.join(".fidelio/ocr-cache").exists() || {
            std::fs::read_dir(dir.join(".fidelio/ocr-cache"))
                .unwrap()
                .next()
                .is_none()
        }
    );
}
