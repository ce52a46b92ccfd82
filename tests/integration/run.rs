use crate::util::{french_receipt, Dir, CAMPAIGN};

/// A batch exercising every status the pipeline can give without campaign subtleties.
pub fn batch(dir: &Dir) {
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/ok.jpg", &french_receipt("14/03/2024", "4,20"));
    dir.receipt("inbox/M2/old.png", &french_receipt("14/03/2023", "9,99"));
    std::fs::copy(dir.join("inbox/M1/ok.jpg"), dir.join("inbox/M2/resent.jpg")).unwrap();
    let jpeg = dir.read_bytes("inbox/M1/ok.jpg");
    dir.create_bytes("inbox/M3/truncated.jpg", &jpeg[..jpeg.len() / 3]);
    dir.create("inbox/M3/empty.jpg", "");
    dir.create(
        "inbox/M3/letter.jpg",
        "Dear support, my receipt is attached.",
    );
}

fn run(dir: &Dir, out: &str, extra: &[&str]) -> std::process::Output {
    dir.run_text("inbox", out).arg("-q").args(extra).output()
}

#[test]
fn run_decides_every_file_and_writes_the_three_outputs() {
    let dir = Dir::new();
    batch(&dir);
    let out = run(&dir, "out", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "rejected/unreadable files give exit 1: {out:?}"
    );
    let results = dir.jsonl("out/results.jsonl");
    let by_file = |f: &str| {
        results
            .iter()
            .find(|r| r["file"] == f)
            .unwrap_or_else(|| panic!("{f}"))
    };
    assert_eq!(results.len(), 6);

    let ok = by_file("inbox/M1/ok.jpg");
    assert_eq!(ok["status"], "accepted");
    assert_eq!(ok["member"], "M1");
    assert_eq!(ok["id"].as_str().unwrap().len(), 64);
    assert_eq!(ok["receipt"]["date"], "2024-03-14");
    assert_eq!(ok["receipt"]["total"], "4.20");
    assert_eq!(ok["points"], "4");
    assert_eq!(ok["campaign"], "test-2024");

    assert_eq!(by_file("inbox/M2/old.png")["status"], "rejected");
    assert_eq!(
        by_file("inbox/M2/old.png")["reasons"][0]["code"],
        "OUT_OF_PERIOD"
    );
    assert_eq!(by_file("inbox/M2/resent.jpg")["status"], "duplicate");
    assert_eq!(
        by_file("inbox/M2/resent.jpg")["duplicate_of"],
        "inbox/M1/ok.jpg"
    );
    for (file, code) in [
        ("inbox/M3/truncated.jpg", "CORRUPT_IMAGE"),
        ("inbox/M3/empty.jpg", "EMPTY_FILE"),
        ("inbox/M3/letter.jpg", "NOT_AN_IMAGE"),
    ] {
        assert_eq!(by_file(file)["status"], "unreadable", "{file}");
        assert_eq!(by_file(file)["reasons"][0]["code"], code, "{file}");
    }

    let points = dir.read("out/points.csv");
    let mut lines = points.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("member_id,campaign_id,receipt_id,purchase_date,merchant,total,points")
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with("M1,test-2024,"), "{row}");
    assert!(row.ends_with(",2024-03-14,FRESCO MARKET,4.20,4"), "{row}");
    assert_eq!(
        lines.next(),
        Some(""),
        "exactly one awarded row, CRLF-terminated"
    );

    let summary = dir.json("out/summary.json");
    assert_eq!(summary["files"], 6);
    assert_eq!(summary["by_status"]["accepted"], 1);
    assert_eq!(summary["by_status"]["unreadable"], 3);
    assert_eq!(summary["by_reason"]["DUPLICATE_FILE"], 1);
    assert!(dir.join("out/timings.json").exists());
    assert_eq!(
        dir.jsonl("out/ocr.jsonl").len(),
        6,
        "OCR text stays beside the results"
    );
}

#[test]
fn outputs_are_byte_identical_across_thread_counts_and_cache_state() {
    let dir = Dir::new();
    batch(&dir);
    for i in 0..12 {
        let date = format!("{:02}/04/2024", i + 1);
        dir.receipt(
            &format!("inbox/M4/extra-{i:02}.png"),
            &french_receipt(&date, &format!("{i},50")),
        );
    }
    // Separate state dirs: each run decides afresh (a shared ledger would replay the batch).
    run(&dir, "one", &["-j1", "--no-cache", "--state", "s1"]);
    run(&dir, "two", &["-j2", "--state", "s2"]);
    copy_dir(&dir.join("s2/ocr-cache"), &dir.join("s3/ocr-cache"));
    run(&dir, "warm", &["-j2", "--state", "s3"]);
    for file in ["results.jsonl", "points.csv", "summary.json"] {
        let one = dir.read_bytes(&format!("one/{file}"));
        assert_eq!(
            one,
            dir.read_bytes(&format!("two/{file}")),
            "{file} differs between -j1 and -j2"
        );
        assert_eq!(
            one,
            dir.read_bytes(&format!("warm/{file}")),
            "{file} differs on a cached re-run"
        );
    }
    let warm = dir.json("warm/timings.json");
    assert_eq!(warm["recognized"], 0, "nothing is OCRed twice: {warm}");
    assert_eq!(warm["cached"], 14, "ok, old and 12 extras");
}

#[test]
fn all_accepted_exits_zero_and_summary_goes_to_stderr() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/a.png", &french_receipt("01/02/2024", "10,00"));
    let out = dir.run_text("inbox", "out").output();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "data never goes to stdout in run");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("1 files: 1 accepted"), "{stderr}");
    assert!(stderr.contains("files/s"), "{stderr}");
}

#[test]
fn bad_campaign_is_a_usage_error_and_writes_nothing() {
    let dir = Dir::new();
    dir.create(
        "campaign.toml",
        "id = \"x\"\nname = \"y\"\n[period]\nstart = 2024-01-01\nend = 2024-13-01\n",
    );
    dir.receipt("inbox/M1/a.png", "X");
    let stderr = dir.run_text("inbox", "out").stderr_with_code(2);
    assert!(stderr.contains("campaign.toml"), "{stderr}");
    assert!(!dir.join("out").exists());
}

#[test]
fn missing_tesseract_language_fails_once_with_a_clear_message() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/a.png", "X");
    let stderr = dir
        .command(&[
            "run",
            "inbox",
            "--campaign",
            "campaign.toml",
            "--out",
            "out",
            "--engine",
            "tesseract",
            "--lang",
            "klingon",
        ])
        .stderr_with_code(2);
    assert!(stderr.contains("klingon"), "{stderr}");
}

/// Issue 20: a JPEG cut at half with an end-of-image marker appended passed the truncation
/// check and was decided on its top half (another total, another date).
#[test]
fn regression_half_a_jpeg_with_an_end_marker_appended_is_corrupt_not_paid() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/whole.jpg", &french_receipt("14/03/2024", "4,20"));
    let jpeg = dir.read_bytes("inbox/M1/whole.jpg");
    let mut cut = jpeg[..jpeg.len() / 2].to_vec();
    cut.extend_from_slice(&[0xFF, 0xD9]);
    dir.create_bytes("inbox/M2/cut.jpg", &cut);
    dir.create("inbox/M2/cut.txt", &french_receipt("14/03/2024", "4,20"));
    run(&dir, "out", &[]);
    let results = dir.jsonl("out/results.jsonl");
    let status = |file: &str| {
        let r = results.iter().find(|r| r["file"] == file).unwrap();
        (r["status"].clone(), r["reasons"][0]["code"].clone())
    };
    assert_eq!(status("inbox/M1/whole.jpg").0, "accepted");
    assert_eq!(
        status("inbox/M2/cut.jpg"),
        ("unreadable".into(), "CORRUPT_IMAGE".into())
    );
}

/// Issue 20: a 3 GB file starting like a JPEG was read whole into memory before it was
/// refused; a picture declaring more pixels than the budget is refused from its header, and
/// the budget is a setting.
#[test]
fn regression_files_and_pictures_over_the_budget_are_refused_before_reading() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/good.png", &french_receipt("14/03/2024", "4,20"));
    let big = dir.create_bytes("inbox/M2/big.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]);
    // Sparse: 200 MB on paper, nothing on disk (the issue had 3 GB: the same path).
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(200_000_000)
        .unwrap();
    run(&dir, "out", &[]);
    let results = dir.jsonl("out/results.jsonl");
    let big = results
        .iter()
        .find(|r| r["file"] == "inbox/M2/big.jpg")
        .unwrap();
    assert_eq!(big["reasons"][0]["code"], "IMAGE_TOO_LARGE", "{big}");
    let message = big["reasons"][0]["message"].as_str().unwrap();
    assert!(message.contains("200.0 MB"), "{message}");

    // The same receipt under a budget of 0.01 MP (a night of its own: the first one would be
    // replayed): refused from its header.
    run(
        &dir,
        "small",
        &["--max-megapixels", "0.01", "--state", "small-state"],
    );
    let good = &dir.jsonl("small/results.jsonl")[0];
    assert_eq!(good["reasons"][0]["code"], "IMAGE_TOO_LARGE", "{good}");
    assert!(
        good["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("megapixels"),
        "{good}"
    );
    let refused = dir
        .run_text("inbox", "x")
        .args(["--max-file-mb", "0"])
        .stderr_with_code(2);
    assert!(refused.contains("--max-file-mb"), "{refused}");
}

/// Issue 20: a symbolic link in a member's folder to a file outside the input folder was
/// followed, read and paid: any readable file on the machine could be submitted. Links that
/// stay inside the input are followed; `--follow-links` follows the others too.
#[cfg(unix)]
#[test]
fn regression_a_link_out_of_the_input_folder_is_not_followed() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt(
        "elsewhere/secret.png",
        &french_receipt("14/03/2024", "9,90"),
    );
    dir.receipt(
        "elsewhere/folder/other.png",
        &french_receipt("15/03/2024", "8,80"),
    );
    dir.receipt("inbox/M1/own.png", &french_receipt("14/03/2024", "4,20"));
    let link = |target: &str, at: &str| {
        std::fs::create_dir_all(dir.join(at).parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(dir.join(target), dir.join(at)).unwrap();
    };
    link("elsewhere/secret.png", "inbox/M2/secret.png");
    link("elsewhere/secret.txt", "inbox/M2/secret.txt");
    link("elsewhere/folder", "inbox/M3");
    // A link within the input is fine.
    link("inbox/M1/own.png", "inbox/M4/again.png");
    run(&dir, "out", &[]);
    let results = dir.jsonl("out/results.jsonl");
    let code = |file: &str| {
        let r = results
            .iter()
            .find(|r| r["file"] == file)
            .unwrap_or_else(|| panic!("{file}: {results:?}"));
        (r["status"].clone(), r["reasons"][0]["code"].clone())
    };
    let outside = ("unreadable".into(), "LINK_OUTSIDE_INPUT".into());
    assert_eq!(code("inbox/M2/secret.png"), outside);
    assert_eq!(code("inbox/M3"), outside);
    assert_eq!(code("inbox/M1/own.png").0, "accepted");
    assert_eq!(code("inbox/M4/again.png").0, "duplicate");
    assert_eq!(results.len(), 4, "{results:?}");

    run(
        &dir,
        "followed",
        &["--follow-links", "--state", "followed-state"],
    );
    let followed = dir.jsonl("followed/results.jsonl");
    let secret = followed
        .iter()
        .find(|r| r["file"] == "inbox/M2/secret.png")
        .unwrap();
    // Read and decided (the synthetic pictures look alike, so it may be a repeat).
    assert_eq!(secret["receipt"]["total"], "9.90", "{secret}");
    assert!(followed.iter().any(|r| r["file"] == "inbox/M3/other.png"));
}

/// Bad input corpus: every kind of broken file is a per-file `unreadable` reason and the
/// batch goes on.
#[test]
fn bad_inputs_never_stop_the_batch() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/good.png", &french_receipt("14/03/2024", "4,20"));
    let png = dir.read_bytes("inbox/M1/good.png");
    dir.create_bytes("inbox/M2/half.png", &png[..png.len() / 2]);
    dir.create_bytes("inbox/M2/header-only.png", &png[..20]);
    dir.create_bytes("inbox/M2/huge.png", &huge_png_header());
    dir.create_bytes(
        "inbox/M2/garbage.jpg",
        &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    dir.create_bytes("inbox/M2/fake.webp", b"RIFF\x10\0\0\0WEBPVP8 \0\0\0\0");
    dir.create_bytes(
        "inbox/M2/fake.bmp",
        b"BM\x36\0\x0c\0\0\0\0\0\x36\0\0\0garbage",
    );
    dir.create_bytes("inbox/M2/fake.tif", b"II*\0\x08\0\0\0\xff\xff");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("inbox"), dir.join("inbox/M2/loop")).unwrap();
    let out = run(&dir, "out", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = dir.jsonl("out/results.jsonl");
    let good = results
        .iter()
        .find(|r| r["file"] == "inbox/M1/good.png")
        .unwrap();
    assert_eq!(good["status"], "accepted");
    let huge = results
        .iter()
        .find(|r| r["file"] == "inbox/M2/huge.png")
        .unwrap();
    assert_eq!(huge["reasons"][0]["code"], "IMAGE_TOO_LARGE", "{huge}");
    for r in results.iter().filter(|r| r["member"] == "M2") {
        assert_eq!(r["status"], "unreadable", "{r}");
        assert!(!r["reasons"][0]["message"].as_str().unwrap().is_empty());
    }
}

/// A PNG whose header claims 100 000 × 100 000 pixels: must be refused before allocating.
fn huge_png_header() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(b"IHDR");
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let crc = crc32(&ihdr);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Outputs are replaced atomically: killing a run at any moment leaves the previous complete
/// points.csv or the new complete one, never a partial file, and no temp files are left
/// where the CRM looks.
#[test]
fn killed_runs_never_leave_half_written_outputs() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    for i in 0..150 {
        dir.receipt(
            &format!("inbox/M{i:03}/r.png"),
            &french_receipt("14/03/2024", &format!("{},00", i + 1)),
        );
    }
    assert_eq!(run(&dir, "out", &["--no-cache"]).status.code(), Some(0));
    let complete = dir.read_bytes("out/points.csv");
    for delay_ms in [5u64, 40, 120, 300] {
        let mut cmd = dir
            .run_text("inbox", "out")
            .args(["-q", "--no-cache", "-j1"])
            .into_inner();
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(
            dir.read_bytes("out/points.csv"),
            complete,
            "killed after {delay_ms} ms"
        );
        let results = dir.read("out/results.jsonl");
        assert_eq!(results.lines().count(), 150);
        assert!(results.ends_with('\n'));
    }
    assert_eq!(run(&dir, "out", &[]).status.code(), Some(0));
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "stale temp files are cleaned by the next run: {leftovers:?}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Caps and budgets hold across nights: the ledger hands earlier batches' awards to the
/// campaign, so a member capped on Monday stays capped on Tuesday.
#[test]
fn per_member_cap_and_budget_hold_across_batches() {
    let dir = Dir::new();
    dir.create(
        "campaign.toml",
        &format!("{CAMPAIGN}\n[caps.per_member]\npoints = 15\n\n[budget]\npoints = 40\n"),
    );
    // Distinct layouts (item counts), so no receipt looks like another to the perceptual check.
    let receipt = |date: &str, total: &str, items: usize| {
        let extra: String = (0..items)
            .map(|i| format!("ARTICLE {i:02} {}\n", "#".repeat(4 + 7 * i % 30)))
            .collect();
        french_receipt(date, total).replace("PAIN COMPLET", &format!("{extra}PAIN COMPLET"))
    };
    dir.receipt("mon/M1/a.png", &receipt("04/03/2024", "10,00", 0));
    dir.receipt("mon/M2/a.png", &receipt("04/03/2024", "12,00", 6));
    dir.receipt("tue/M1/b.png", &receipt("05/03/2024", "10,00", 12));
    dir.receipt("tue/M3/b.png", &receipt("05/03/2024", "30,00", 18));
    let night = |input: &str| {
        dir.run_text(input, &format!("out-{input}"))
            .arg("-q")
            .output();
        dir.jsonl(&format!("out-{input}/results.jsonl"))
    };
    let monday = night("mon");
    assert_eq!(monday[0]["points"], "10");
    assert_eq!(monday[1]["points"], "12", "{}", monday[1]);
    let tuesday = night("tue");
    let m1 = tuesday.iter().find(|r| r["member"] == "M1").unwrap();
    assert_eq!(m1["points"], "5", "M1 had 10 of 15 on Monday: {m1}");
    assert_eq!(m1["reasons"][0]["code"], "CAP_REACHED");
    let m3 = tuesday.iter().find(|r| r["member"] == "M3").unwrap();
    assert_eq!(
        m3["points"], "13",
        "budget 40 - 22 (Monday) - 5 (M1) = 13: {m3}"
    );
    let codes: Vec<&str> = m3["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"BUDGET_EXHAUSTED"), "{m3}");
}

/// Regression: a blank page was rejected as BLURRY ("hold the phone still"), which no retake
/// can fix. Nothing on the picture is no receipt.
#[test]
fn a_blank_page_is_not_a_receipt_not_blurry() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("in/M1/blank.png", "");
    dir.run_text("in", "out").arg("-q").expect_code(1);
    let results = dir.jsonl("out/results.jsonl");
    assert_eq!(results[0]["status"], "rejected");
    assert_eq!(
        results[0]["reasons"][0]["code"], "NOT_A_RECEIPT",
        "{}",
        results[0]
    );
    assert_eq!(results[0]["reasons"].as_array().unwrap().len(), 1);
}

/// A German receipt as a REWE till prints it, buying `pots` of the German example campaign's
/// yoghurt on `date` (`DD.MM.YYYY`).
pub fn german_receipt(date: &str, pots: u32) -> String {
    let amount = format!("{},{:02}", pots * 99 / 100, pots * 99 % 100);
    let total = 249 + pots * 99;
    format!(
        "REWE\nREWE Markt GmbH\nHauptstr. 112\n50667 Köln\n\n\
         ALPENHOF BIO JOGHURT NATUR   {amount} B\n  {pots} Stk x 0,99\n\
         VOLLKORNBROT                  2,49 B\n\
         --------------------------------------\n\
         SUMME                 EUR     {},{:02}\n\
         Geg. EC-Karte         EUR     {},{:02}\n\n\
         {date}  18:21   Bon-Nr.:4521\n",
        total / 100,
        total % 100,
        total / 100,
        total % 100
    )
}

#[test]
fn the_german_example_campaign_pays_pots_and_answers_in_german() {
    let dir = Dir::new();
    let campaign = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("campaigns/bio-joghurt-fruehling.toml"),
    )
    .unwrap();
    dir.create("campaign.toml", &campaign);
    dir.receipt("inbox/anna/april.png", &german_receipt("09.04.2024", 2));
    dir.receipt("inbox/anna/juni.png", &german_receipt("12.06.2024", 3));
    let out = dir.run_text("inbox", "out").output();
    assert_eq!(
        out.status.code(),
        Some(1),
        "one receipt is out of the period"
    );
    let results = dir.jsonl("out/results.jsonl");
    let april = results
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("april.png"))
        .unwrap();
    assert_eq!(april["status"], "accepted", "{april}");
    assert_eq!(april["points"], "20", "two pots at 10 points: {april}");
    assert_eq!(april["receipt"]["total"], "4.47");
    assert_eq!(april["receipt"]["date"], "2024-04-09");
    let june = results
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("juni.png"))
        .unwrap();
    assert_eq!(june["status"], "rejected", "{june}");
    assert_eq!(june["reasons"][0]["code"], "OUT_OF_PERIOD");
    assert_eq!(
        june["reasons"][0]["message"],
        "Einkauf vom 12.06.2024 liegt außerhalb des Aktionszeitraums (01.03.2024 bis 31.05.2024)"
    );
    let explain = dir
        .command(&["campaign", "explain", "campaign.toml"])
        .output();
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(
        text.contains("- Einkäufe vom 01.03.2024 bis einschließlich 31.05.2024."),
        "{text}"
    );
    assert!(text.contains("10 Punkte pro gekauftem Stück"), "{text}");
}

/// Hostile-input audit: campaigns `check` accepted (numbers near `i64::MAX`) made `run` panic,
/// exit 101, multiplying them by a total. Numbers are now bounded at check time; a campaign
/// at the bounds, on a receipt with an absurd total, is decided like any other.
#[test]
fn regression_a_campaign_at_its_number_bounds_never_panics() {
    let dir = Dir::new();
    dir.create(
        "campaign.toml",
        "id = \"big\"\nname = \"Big\"\n[period]\nstart = 2024-01-01\nend = 2024-12-31\n\
         [points]\nper_currency_unit = 1000000000\nbonus_per_receipt = 1000000000\n\
         [[points.multipliers]]\nweekdays = [\"thu\"]\nfactor = 1000000000\n\
         [[points.tiers]]\nmin_total = 1\nbonus = 1000000000\n",
    );
    dir.receipt(
        "inbox/M1/big.png",
        "FRESCO MARKET\n14/03/2024 14:32\nTOTAL TTC 99.999.999.999,99\nCB 99.999.999.999,99\n",
    );
    let out = dir.run_text("inbox", "out").output();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let results = dir.jsonl("out/results.jsonl");
    assert_eq!(
        results[0]["receipt"]["total"], "99999999999.99",
        "{}",
        results[0]
    );
    assert_eq!(results[0]["status"], "accepted", "{}", results[0]);
    dir.create("huge.toml", "id = \"x\"\nname = \"x\"\n[period]\nstart = 2024-01-01\nend = 2024-12-31\n[points]\nper_currency_unit = 9223372036854775807\n");
    let check = dir.command(&["campaign", "check", "huge.toml"]).output();
    assert_eq!(check.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("huge.toml:7:21"),
        "{check:?}"
    );
}

/// Points awarded to receipts without a member: a file directly in the input folder was
/// accepted and its row went to the CRM with an empty `member_id`. It goes to review
/// (`NO_MEMBER`) and is never paid.
#[test]
fn regression_a_receipt_without_a_member_is_never_paid() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/loose.jpg", &french_receipt("14/03/2024", "4,20"));
    dir.receipt("inbox/M1/ok.jpg", &german_receipt("09.04.2024", 2));
    dir.run_text("inbox", "out").output();
    let results = dir.jsonl("out/results.jsonl");
    let loose = results
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("loose.jpg"))
        .unwrap();
    assert_eq!(loose["status"], "review", "{loose}");
    assert_eq!(loose["reasons"][0]["code"], "NO_MEMBER");
    assert_eq!(loose["points"], "0");
    let csv = dir.read("out/points.csv");
    assert_eq!(csv.lines().count(), 2, "only M1's receipt is paid: {csv}");
    assert!(csv.lines().nth(1).unwrap().starts_with("M1,"), "{csv}");
}

/// The README's nightly command on two nights: the same drop folder with new files is a new
/// batch (named by the folder and the day), not a refused re-run; the same files run again
/// are that night again, replayed, even under another day's name.
#[test]
fn the_same_folder_makes_a_new_night_and_the_same_files_replay() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/a.jpg", &french_receipt("14/03/2024", "4,20"));
    let first = dir.run_text("inbox", "out1").output();
    assert_eq!(first.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains("fidelio: batch inbox@"), "{stderr}");

    // The next drop: the files before were moved away, new ones arrived (the same day here,
    // so it is the day's second batch; on another day it would be that day's first).
    std::fs::remove_dir_all(dir.join("inbox/M1")).unwrap();
    dir.receipt("inbox/M2/b.jpg", &german_receipt("09.04.2024", 2));
    let second = dir.run_text("inbox", "out2").output();
    assert_eq!(second.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains(".2 of campaign"), "{stderr}");
    assert_eq!(dir.jsonl("out2/results.jsonl")[0]["status"], "accepted");

    // Re-run: replayed byte for byte, nothing paid again.
    // The summary says the points were paid by that night, not now (a folder left full was
    // read as a night paying its points again).
    let again = dir.run_text("inbox", "out3").output();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("replaying"), "{stderr}");
    assert!(
        stderr.contains("points awarded by that night, none now"),
        "{stderr}"
    );
    assert_eq!(dir.read("out3/points.csv"), dir.read("out2/points.csv"));

    // The same files under another day's default name (a night re-run after midnight): the
    // ledger finds the night by its files and replays it.
    let other = Dir::new();
    other.create("campaign.toml", CAMPAIGN);
    other.receipt("inbox/M1/a.jpg", &french_receipt("14/03/2024", "4,20"));
    other
        .run_text("inbox", "night")
        .args(["--batch", "inbox@2020-01-01"])
        .expect_code(0);
    let rerun = other.run_text("inbox", "rerun").output();
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(
        stderr.contains("committed as batch inbox@2020-01-01"),
        "{stderr}"
    );
    assert!(stderr.contains("replaying"), "{stderr}");
    assert_eq!(
        other.read("rerun/points.csv"),
        other.read("night/points.csv")
    );
}

/// Analysts' exports: the partner id and the product lines in results, every item in
/// `items.csv` with its product, and per-merchant figures in `summary.json`.
#[test]
fn items_csv_and_per_merchant_figures_name_partners_and_products() {
    let dir = Dir::new();
    dir.create(
        "campaign.toml",
        r#"
id = "yaourts"
name = "Yaourts"

[period]
start = 2024-01-01
end = 2024-12-31

[[merchants.allow]]
id = "fresco"
name = "FRESCO MARKET"

[[products]]
id = "yaourt-bio"
name = "Yaourt bio"
words = ["yaourt* bio"]
points_per_unit = 10
"#,
    );
    dir.receipt("inbox/M1/a.jpg", &french_receipt("14/03/2024", "4,20"));
    dir.run_text("inbox", "out").expect_code(0);
    let result = &dir.jsonl("out/results.jsonl")[0];
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["merchant_id"], "fresco");
    let line = result["products"][0]["line"].as_u64().unwrap();
    assert_eq!(result["products"][0]["product"], "yaourt-bio");

    let items = dir.read("out/items.csv");
    let rows: Vec<&str> = items.lines().collect();
    assert!(rows[0].starts_with("receipt_id,member_id,campaign_id,status,merchant,merchant_id,"));
    assert_eq!(rows.len(), 3, "two items: {items}");
    let yaourt = rows.iter().find(|r| r.contains("YAOURT")).unwrap();
    assert!(
        yaourt.contains(&format!(",{line},YAOURT NATURE BIO,")),
        "{yaourt}"
    );
    assert!(yaourt.contains(",2.40,yaourt-bio,"), "{yaourt}");
    let pain = rows.iter().find(|r| r.contains("PAIN")).unwrap();
    assert!(pain.contains(",1.80,,inbox/M1/a.jpg"), "{pain}");

    let summary = dir.json("out/summary.json");
    let fresco = &summary["by_merchant"]["fresco"];
    assert_eq!(fresco["receipts"], 1);
    assert_eq!(fresco["accepted"], 1);
    assert_eq!(fresco["accepted_total"], "4.20");
    assert_eq!(fresco["points"], "10");
}

/// A screenshot of an e-receipt in dark mode (light print on near-black) was `TOO_DARK`, the
/// member told to find better light; it is read as the receipt it is.
#[test]
fn regression_a_dark_mode_screenshot_is_read_not_too_dark() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    let text = french_receipt("14/03/2024", "4,20");
    let light = crate::util::receipt_image("screenshot.png", &text);
    let mut gray = image::load_from_memory(&light).unwrap().to_luma8();
    image::imageops::invert(&mut gray);
    let mut dark = Vec::new();
    gray.write_to(
        &mut std::io::Cursor::new(&mut dark),
        image::ImageFormat::Png,
    )
    .unwrap();
    dir.create_bytes("inbox/M1/screenshot.png", &dark);
    dir.create("inbox/M1/screenshot.txt", &text);
    dir.run_text("inbox", "out").expect_code(0);
    let result = &dir.jsonl("out/results.jsonl")[0];
    assert_eq!(result["status"], "accepted", "{result}");
}
