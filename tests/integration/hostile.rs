//! The hostile corpus: broken and crafted files a member's upload or a shared folder can hold
//! (`tests/data/hostile`, written by `scripts/hostile_corpus.py`, each with the line it must
//! get in `expected.toml`: a receipt scanned in two TIFF pages is read whole), plus what git
//! cannot hold, made here: a 3 GB file, a named pipe, a link out of the input, names that are
//! not UTF-8. One `fidelio run` over all of them: every
//! file gets its own line with its own reason, the receipts among them are paid, nothing
//! panics. (`scripts/hostile` measures the peak memory of the same run with the real reader.)

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::util::Dir;

const CAMPAIGN: &str = include_str!("../../campaigns/demo.toml");

#[derive(serde::Deserialize)]
struct Expected {
    file: Vec<ExpectedFile>,
}

#[derive(serde::Deserialize)]
struct ExpectedFile {
    name: String,
    status: String,
    code: Option<String>,
    /// What the receipt says, where the case is about reading it (a PDF, a HEIC photo).
    #[serde(flatten)]
    fields: BTreeMap<String, String>,
}

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hostile"))
}

type Case = (String, Option<String>, BTreeMap<String, String>);

/// `name` → (status, first reason code, fields read) of every committed case.
fn expected() -> BTreeMap<String, Case> {
    let text = std::fs::read_to_string(corpus().join("expected.toml")).unwrap();
    let expected: Expected = toml::from_str(&text).unwrap();
    expected
        .file
        .into_iter()
        .map(|f| {
            let mut fields = f.fields;
            fields.remove("why");
            (f.name, (f.status, f.code, fields))
        })
        .collect()
}

#[test]
fn every_hostile_file_gets_its_own_line_and_the_receipts_among_them_are_paid() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    let inbox = dir.join("inbox/M1");
    std::fs::create_dir_all(&inbox).unwrap();
    let mut expected = expected();
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name != "expected.toml" {
            std::fs::copy(&path, inbox.join(&name)).unwrap();
        }
    }
    assert!(expected.len() >= 25, "{}", expected.len());

    // A 3 GB file that starts like a JPEG (sparse: no disk used). It was read whole, 3.1 GB
    // of memory, before being refused.
    std::fs::write(inbox.join("huge.jpg"), [0xFF, 0xD8, 0xFF, 0xE0]).unwrap();
    let huge = std::fs::OpenOptions::new()
        .write(true)
        .open(inbox.join("huge.jpg"))
        .unwrap();
    huge.set_len(3 << 30).unwrap();
    expected.insert(
        "huge.jpg".into(),
        (
            "unreadable".into(),
            Some("IMAGE_TOO_LARGE".into()),
            BTreeMap::new(),
        ),
    );

    // A named pipe: opening it would block the night forever.
    let pipe = std::ffi::CString::new(inbox.join("pipe.jpg").as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(pipe.as_ptr(), 0o644) }, 0);
    expected.insert(
        "pipe.jpg".into(),
        (
            "unreadable".into(),
            Some("NOT_A_FILE".into()),
            BTreeMap::new(),
        ),
    );

    // A link out of the input folder, to a receipt that is not the member's to send.
    let outside = dir.join("elsewhere/receipt.jpg");
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    std::fs::copy(corpus().join("baseline.jpg"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, inbox.join("link.jpg")).unwrap();
    expected.insert(
        "link.jpg".into(),
        (
            "unreadable".into(),
            Some("LINK_OUTSIDE_INPUT".into()),
            BTreeMap::new(),
        ),
    );

    // Two names that are not UTF-8 or show alike: `caf\xe9.jpg` (Latin-1) and `caf\u{fffd}.jpg`
    // (what the first looks like shown). Each is read from its own bytes.
    let latin1 = inbox.join(std::ffi::OsStr::from_bytes(b"caf\xe9.jpg"));
    std::fs::write(&latin1, b"").unwrap();
    std::fs::write(inbox.join("caf\u{fffd}.jpg"), b"not a picture either").unwrap();

    let output = dir.run_text("inbox", "out").output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0) | Some(1)),
        "exit {:?}: {stderr}",
        output.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let results = dir.jsonl("out/results.jsonl");
    let mut seen = BTreeMap::new();
    for result in &results {
        let file = result["file"].as_str().unwrap();
        let name = file.rsplit('/').next().unwrap().to_string();
        if name.starts_with("caf") {
            continue; // two files shown alike, below
        }
        let status = result["status"].as_str().unwrap().to_string();
        let code = result["reasons"][0]["code"].as_str().map(str::to_string);
        assert!(
            seen.insert(name.clone(), (status, code, result.clone()))
                .is_none(),
            "{name} has two lines"
        );
    }
    for (name, (status, code, fields)) in &expected {
        let (got_status, got_code, result) = seen
            .get(name)
            .unwrap_or_else(|| panic!("{name} has no results line: {seen:?}"));
        assert_eq!(got_status, status, "{name}: {result}");
        if code.is_some() {
            assert_eq!(got_code, code, "{name}: {result}");
        }
        if status == "accepted" {
            assert!(
                result["points"].as_str().unwrap() != "0",
                "{name}: {result}"
            );
        }
        for (field, value) in fields {
            assert_eq!(
                result["receipt"][field].as_str(),
                Some(value.as_str()),
                "{name}: {field} in {result}"
            );
        }
    }

    // The two look-alike names: each its own bytes, its own reason.
    let lines: Vec<_> = results
        .iter()
        .filter(|r| r["file"].as_str().unwrap().ends_with("caf\u{fffd}.jpg"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let codes: Vec<_> = lines
        .iter()
        .map(|r| r["reasons"][0]["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"EMPTY_FILE") && codes.contains(&"NOT_AN_IMAGE"),
        "{codes:?}"
    );
    assert_ne!(lines[0]["id"], lines[1]["id"]);
    // The Latin-1 one carries its exact bytes (`path_bytes`, hex); the other needs none.
    let exact: Vec<_> = lines.iter().map(|r| r["path_bytes"].as_str()).collect();
    assert!(
        exact.contains(&None)
            && exact
                .iter()
                .flatten()
                .any(|hex| hex.ends_with("636166e92e6a7067")),
        "{exact:?}"
    );

    // Every input got its line: the committed cases, the five made here.
    assert_eq!(results.len(), expected.len() + 2, "{seen:?}");
}
