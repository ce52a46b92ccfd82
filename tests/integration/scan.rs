use crate::util::Dir;

#[test]
fn scan_lists_sorted_files_with_members_hashes_and_duplicates() {
    let dir = Dir::new();
    dir.create_bytes("inbox/m2/b.jpg", &crate::util::receipt_image("b.jpg", "B"));
    dir.create_bytes("inbox/m1/a.png", &crate::util::receipt_image("a.png", "A"));
    std::fs::copy(dir.join("inbox/m1/a.png"), dir.join("inbox/m2/copy.png")).unwrap();
    dir.create("inbox/m1/notes.doc", "{\\rtf1 not a picture}");
    dir.create("inbox/m1/empty.jpg", "");
    let out = dir.command(&["scan", "inbox"]).stdout();
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "inbox/m1/a.png",
            "inbox/m1/empty.jpg",
            "inbox/m1/notes.doc",
            "inbox/m2/b.jpg",
            "inbox/m2/copy.png"
        ]
    );
    assert_eq!(rows[0]["member"], "m1");
    assert_eq!(rows[0]["format"], "png");
    assert_eq!(rows[0]["id"].as_str().unwrap().len(), 64);
    assert_eq!(rows[1]["error"]["code"], "EMPTY_FILE");
    assert_eq!(rows[2]["error"]["code"], "NOT_AN_IMAGE");
    assert_eq!(rows[3]["format"], "jpeg");
    assert_eq!(rows[4]["duplicate_of"], "inbox/m1/a.png");
    assert_eq!(rows[4]["id"], rows[0]["id"]);
}

#[test]
fn format_comes_from_bytes_not_extension() {
    let dir = Dir::new();
    dir.create_bytes("in/m/photo.png", &crate::util::receipt_image("x.jpg", "X"));
    let out = dir.command(&["scan", "in"]).stdout();
    assert!(out.contains("\"format\":\"jpeg\""), "{out}");
}

#[test]
fn member_manifest_overrides_folder_layout() {
    let dir = Dir::new();
    dir.create_bytes("in/a.jpg", &crate::util::receipt_image("a.jpg", "A"));
    dir.create(
        "members.csv",
        "file,member,submitted_at,channel\na.jpg,M77,2024-03-02T09:00:00Z,app\n",
    );
    let out = dir
        .command(&["scan", "in", "--manifest", "members.csv"])
        .stdout();
    let row: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(row["member"], "M77");
    assert_eq!(row["submitted_at"], "2024-03-02T09:00:00Z");
    assert_eq!(row["channel"], "app");
}

#[test]
fn missing_input_is_a_usage_error() {
    let dir = Dir::new();
    let stderr = dir.command(&["scan", "nope"]).stderr_with_code(2);
    assert!(stderr.contains("does not exist"), "{stderr}");
}

#[test]
fn writes_manifest_to_a_file() {
    let dir = Dir::new();
    dir.create_bytes("in/m/a.jpg", &crate::util::receipt_image("a.jpg", "A"));
    dir.command(&["scan", "in", "-o", "manifest.jsonl"])
        .stdout();
    assert_eq!(dir.jsonl("manifest.jsonl").len(), 1);
}

/// Regression: `fidelio scan | head -1` must stop quietly, not print an error or panic when
/// the reader goes away.
#[test]
fn closed_stdout_exits_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = Dir::new();
    for i in 0..600 {
        dir.create(&format!("in/member-with-a-long-name/file-{i:04}.bin"), "x");
    }
    let mut cmd = dir.command(&["scan", "in"]).into_inner();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: the pipe is closed while fidelio is still writing.
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A file whose name is not UTF-8 (a Latin-1 `café.jpg` from an old camera) was `READ_ERROR`:
/// its name was turned into text and the text opened nothing. It is read, by `run` and through
/// the stages' JSONL (`path_bytes`).
#[cfg(unix)]
#[test]
fn regression_a_file_named_in_latin_1_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = Dir::new();
    dir.create("campaign.toml", crate::util::CAMPAIGN);
    let text = crate::util::french_receipt("14/03/2024", "4,20");
    let image = crate::util::receipt_image("a.jpg", &text);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let folder = dir.join("inbox/M1");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(name).with_extension("jpg"), &image).unwrap();
    std::fs::write(folder.join(name).with_extension("txt"), &text).unwrap();
    dir.run_text("inbox", "out").expect_code(0);
    let result = &dir.jsonl("out/results.jsonl")[0];
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["file"], "inbox/M1/caf\u{fffd}.jpg");

    let manifest = dir.command(&["scan", "inbox"]).stdout();
    assert!(manifest.contains("\"path_bytes\""), "{manifest}");
    dir.create("manifest.jsonl", &manifest);
    let ocr = dir
        .command(&["ocr", "manifest.jsonl", "--engine", "text", "-q"])
        .stdout();
    assert!(!ocr.contains("READ_ERROR"), "{ocr}");
}
