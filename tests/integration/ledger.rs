//! The ledger through the real binary: sharded OCR + validate, replayed batches, duplicates
//! across nights and members, revocations, kill -9 at every commit point, concurrent runs, and
//! the `fidelio ledger` commands.
//!
//! Receipts are generated PNGs with a transcript beside them (`--engine text`), under a campaign
//! with relaxed capture-quality thresholds, so every test is about the ledger and nothing else.
//! The deciding command is `validate --batch` (the ledger step `run` will share once wired).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use fidelio::ledger::Ledger;

use crate::util::{codes, Dir};

const CAMPAIGN: &str = r#"
id = "spring"
name = "Spring"
period = { start = 2024-03-01, end = 2024-03-31 }
[points]
per_currency_unit = 1
[quality]
min_sharpness = 0.0
min_width = 1
min_height = 1
"#;

const OUTPUTS: [&str; 3] = ["results.jsonl", "points.csv", "summary.json"];

/// A [`Dir`] with receipts, a campaign and a state directory, and the steps of a night.
struct Scratch {
    dir: Dir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = Dir::new();
        dir.create("campaign.toml", CAMPAIGN);
        Scratch { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    /// `night/member/name.png` with a transcript; `seed` makes the pixels (and so the content
    /// hash) unique.
    fn receipt(&self, night: &str, member: &str, name: &str, seed: u32, text: &str) {
        let folder = self.path(&format!("{night}/{member}"));
        std::fs::create_dir_all(&folder).unwrap();
        let image = image::GrayImage::from_fn(64, 64, |x, y| {
            image::Luma([((x * 7 + y * 13 + seed * 31) % 251) as u8])
        });
        image.save(folder.join(format!("{name}.png"))).unwrap();
        std::fs::write(folder.join(format!("{name}.txt")), text).unwrap();
    }

    /// `file` (`night/member/name`) as a receipt of `shop` on `date` at `time` for `total`.
    fn purchase(&self, file: &str, seed: u32, [shop, date, time, total]: [&str; 4]) {
        let [night, member, name] = file.splitn(3, '/').collect::<Vec<_>>()[..] else {
            panic!("{file}: expected night/member/name");
        };
        self.receipt(
            night,
            member,
            name,
            seed,
            &transcript(shop, date, time, total),
        );
    }

    /// Another copy of an existing file's bytes (a resubmission or a forwarded photo).
    fn copy(&self, from: &str, to: &str) {
        std::fs::create_dir_all(self.path(to).parent().unwrap()).unwrap();
        std::fs::copy(self.path(from), self.path(to)).unwrap();
        let text = Path::new(from).with_extension("txt");
        let to_text = Path::new(to).with_extension("txt");
        std::fs::copy(
            self.path(text.to_str().unwrap()),
            self.path(to_text.to_str().unwrap()),
        )
        .unwrap();
    }

    /// `fidelio ARGS` in the scratch directory with its state directory, as a std `Command`
    /// (the crash tests spawn and kill it).
    fn fidelio(&self, args: &[&str]) -> Command {
        let state = self.path("state");
        self.dir
            .command(args)
            .env("FIDELIO_STATE", state.to_str().unwrap())
            .into_inner()
    }

    fn run(&self, args: &[&str]) -> Output {
        let output = self.fidelio(args).output().unwrap();
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "fidelio {args:?} exited {code:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// OCR a night into one JSONL (all shards at once).
    fn ocr(&self, night: &str, output: &str) {
        self.run(&["ocr", night, "--engine", "text", "-q", "-o", output]);
    }

    fn validate(&self, ocr: &str, batch: &str, out: &str) -> Output {
        self.run(&[
            "validate",
            ocr,
            "--campaign",
            "campaign.toml",
            "--batch",
            batch,
            "--out",
            out,
            "-q",
        ])
    }

    /// OCR `night` into `night.jsonl` and decide it as batch `night` into `out`: one night's job.
    fn decide_night(&self, night: &str, out: &str) -> Vec<serde_json::Value> {
        let ocr = format!("{night}.jsonl");
        self.ocr(night, &ocr);
        self.validate(&ocr, night, out);
        self.results(out)
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    fn outputs(&self, out: &str) -> Vec<(String, String)> {
        OUTPUTS
            .iter()
            .map(|name| (name.to_string(), self.read(&format!("{out}/{name}"))))
            .collect()
    }

    fn results(&self, out: &str) -> Vec<serde_json::Value> {
        self.read(&format!("{out}/results.jsonl"))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn ledger(&self) -> Ledger {
        Ledger::open_existing(&self.path("state")).unwrap()
    }
}

fn transcript(shop: &str, date: &str, time: &str, total: &str) -> String {
    format!("{shop}\n{date} {time}\nYAOURT BIO 2,40\nTOTAL {total}\n")
}

/// A night of ten submissions: three members, an in-batch copy, an unreadable file.
fn busy_night(scratch: &Scratch, night: &str) {
    let shops = ["CARREFOUR MARKET", "MONOPRIX", "FRANPRIX"];
    for i in 0..9u32 {
        let member = format!("m{}", i % 3);
        let text = transcript(
            shops[i as usize % 3],
            &format!("{:02}/03/2024", 2 + i),
            &format!("1{}:0{}", i % 10, i % 7),
            &format!("{}.{:02}", 10 + i * 3, i * 11 % 100),
        );
        scratch.receipt(
            night,
            &member,
            &format!("r{i}"),
            i + 100 * night.len() as u32,
            &text,
        );
    }
    scratch.copy(
        &format!("{night}/m0/r0.png"),
        &format!("{night}/m1/again.png"),
    );
    std::fs::write(
        scratch.path(&format!("{night}/m2/broken.jpg")),
        b"\xff\xd8 not a jpeg",
    )
    .unwrap();
}

fn statuses(results: &[serde_json::Value]) -> Vec<(String, String)> {
    results
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Award rows of a points.csv (header left out).
fn award_rows(csv: &str) -> Vec<String> {
    csv.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn shards_then_validate_give_the_single_run_outputs_byte_for_byte() {
    let scratch = Scratch::new();
    busy_night(&scratch, "night");
    scratch.run(&[
        "run",
        "night",
        "--batch",
        "night",
        "--campaign",
        "campaign.toml",
        "--out",
        "single",
        "--engine",
        "text",
        "-q",
    ]);
    for k in 1..=3 {
        scratch.run(&[
            "ocr",
            "night",
            "--engine",
            "text",
            "-q",
            "--shard",
            &format!("{k}/3"),
            "-o",
            &format!("shard-{k}.jsonl"),
        ]);
    }
    let sizes: Vec<usize> = (1..=3)
        .map(|k| scratch.read(&format!("shard-{k}.jsonl")).lines().count())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 11, "{sizes:?}");
    assert!(sizes.iter().filter(|&&n| n > 0).count() >= 2, "{sizes:?}");
    // Slices given in any order come back in input order.
    let slices = ["shard-3.jsonl", "shard-1.jsonl", "shard-2.jsonl"];
    let mut args = vec!["validate"];
    args.extend(slices);
    args.extend(["--campaign", "campaign.toml", "--out", "merged", "-q"]);
    scratch.run(&args);
    // Without the ledger, merged slices decide exactly as the unsharded OCR does.
    scratch.ocr("night", "all.jsonl");
    scratch.run(&[
        "validate",
        "all.jsonl",
        "--campaign",
        "campaign.toml",
        "--out",
        "whole",
        "-q",
    ]);
    assert_eq!(scratch.outputs("merged"), scratch.outputs("whole"));

    // Through the ledger: sharded and unsharded validation of the batch agree too.
    let mut args = vec!["validate"];
    args.extend(slices);
    args.extend([
        "--campaign",
        "campaign.toml",
        "--batch",
        "night",
        "--out",
        "sharded-ledger",
    ]);
    args.push("-q");
    scratch.run(&args);
    let other_state = scratch.path("other-state");
    let output = scratch
        .fidelio(&[
            "validate",
            "all.jsonl",
            "--campaign",
            "campaign.toml",
            "--batch",
            "night",
            "--out",
            "whole-ledger",
            "-q",
        ])
        .env("FIDELIO_STATE", &other_state)
        .output()
        .unwrap();
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert_eq!(
        scratch.outputs("sharded-ledger"),
        scratch.outputs("whole-ledger")
    );
    // And both equal the single `run` of the night, decided through its own ledger.
    assert_eq!(scratch.outputs("whole-ledger"), scratch.outputs("single"));
}

#[test]
fn a_missing_or_repeated_shard_is_an_error_not_a_smaller_batch() {
    let scratch = Scratch::new();
    busy_night(&scratch, "night");
    scratch.run(&["scan", "night", "-o", "manifest.jsonl"]);
    for k in 1..=3 {
        scratch.run(&[
            "ocr",
            "manifest.jsonl",
            "--engine",
            "text",
            "-q",
            "--shard",
            &format!("{k}/3"),
            "-o",
            &format!("shard-{k}.jsonl"),
        ]);
    }
    let missing = scratch
        .fidelio(&[
            "validate",
            "shard-1.jsonl",
            "shard-2.jsonl",
            "--from-scan",
            "manifest.jsonl",
            "--campaign",
            "campaign.toml",
            "--out",
            "o",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is a shard missing?"));
    let twice = scratch
        .fidelio(&[
            "validate",
            "shard-1.jsonl",
            "shard-2.jsonl",
            "shard-3.jsonl",
            "shard-2.jsonl",
            "--campaign",
            "campaign.toml",
            "--out",
            "o",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("passed twice"));
    let bad = scratch
        .fidelio(&["ocr", "night", "--engine", "text", "--shard", "4/3"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_replayed_batch_is_identical_and_awards_nothing_twice() {
    let scratch = Scratch::new();
    busy_night(&scratch, "mon");
    scratch.decide_night("mon", "first");
    let accepted = award_rows(&scratch.read("first/points.csv")).len();
    assert!(accepted >= 6, "{accepted} awards");
    let replay = scratch.validate("mon.jsonl", "mon", "second");
    assert_eq!(scratch.outputs("second"), scratch.outputs("first"));
    let stats = scratch.ledger().stats(None).unwrap();
    assert_eq!(stats.campaigns[0].batches, 1);
    assert_eq!(stats.campaigns[0].awards, accepted);

    // A replay says so (when not quiet), and changed inputs under the same name are refused.
    let loud = scratch
        .fidelio(&[
            "validate",
            "mon.jsonl",
            "--campaign",
            "campaign.toml",
            "--batch",
            "mon",
            "--out",
            "third",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&loud.stderr).contains("replaying"));
    assert!(replay.stderr.is_empty(), "quiet replay printed something");
    scratch.purchase(
        "mon/m9/late",
        999,
        ["MONOPRIX", "04/03/2024", "09:00", "5.00"],
    );
    scratch.ocr("mon", "mon-late.jsonl");
    let changed = scratch
        .fidelio(&[
            "validate",
            "mon-late.jsonl",
            "--campaign",
            "campaign.toml",
            "--batch",
            "mon",
            "--out",
            "o",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(changed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&changed.stderr).contains("own --batch name"));
}

#[test]
fn resubmissions_across_nights_and_members_are_duplicates_of_the_original() {
    let scratch = Scratch::new();
    let text = transcript("CARREFOUR MARKET", "02/03/2024", "10:15", "25.40");
    scratch.receipt("mon", "alice", "ticket", 1, &text);
    scratch.purchase(
        "mon/alice/other",
        2,
        ["MONOPRIX", "02/03/2024", "11:00", "8.00"],
    );
    scratch.decide_night("mon", "out-mon");
    assert_eq!(award_rows(&scratch.read("out-mon/points.csv")).len(), 2);

    // Tuesday: Alice resends the file, Bob forwards the same file, Carol photographs the
    // same receipt again (new bytes, same purchase), Dave has a genuinely new receipt.
    scratch.copy("mon/alice/ticket.png", "tue/alice/ticket-again.png");
    scratch.copy("mon/alice/ticket.png", "tue/bob/from-alice.png");
    scratch.receipt("tue", "carol", "retake", 3, &text);
    scratch.purchase(
        "tue/dave/new",
        4,
        ["FRANPRIX", "03/03/2024", "12:00", "9.90"],
    );
    let results = scratch.decide_night("tue", "out-tue");
    assert_eq!(
        statuses(&results),
        [
            ("tue/alice/ticket-again.png".into(), "duplicate".into()),
            ("tue/bob/from-alice.png".into(), "duplicate".into()),
            ("tue/carol/retake.png".into(), "duplicate".into()),
            ("tue/dave/new.png".into(), "accepted".into()),
        ]
    );
    assert_eq!(codes(&results[0]), ["DUPLICATE_FILE"]);
    assert_eq!(
        codes(&results[1]),
        ["DUPLICATE_FILE", "CLAIMED_BY_OTHER_MEMBER"]
    );
    assert_eq!(
        codes(&results[2]),
        ["DUPLICATE_PURCHASE", "CLAIMED_BY_OTHER_MEMBER"]
    );
    let message = results[1]["reasons"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("mon/alice/ticket.png")
            && message.contains("batch mon")
            && message.contains("member alice")
            && message.contains("2024-03-02"),
        "{message}"
    );
    assert!(results[..3].iter().all(|r| r["points"] == "0"));
    let rows = award_rows(&scratch.read("out-tue/points.csv"));
    assert_eq!(rows.len(), 1);
    assert!(rows[0].starts_with("dave,"), "{rows:?}");
    let stats = scratch.ledger().stats(None).unwrap();
    assert_eq!(stats.campaigns[0].claimed_by_two_members, 2);
    assert_eq!(stats.campaigns[0].awards, 3);
}

#[test]
fn a_revocation_reaches_the_crm_once_in_the_next_points_csv() {
    let scratch = Scratch::new();
    scratch.purchase(
        "mon/alice/fraud",
        1,
        ["MONOPRIX", "02/03/2024", "10:00", "40.00"],
    );
    scratch.decide_night("mon", "out-mon");
    let id = scratch.results("out-mon")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoke = scratch.run(&["ledger", "revoke", &id[..10], "--reason", "forged total"]);
    assert!(String::from_utf8_lossy(&revoke.stderr).contains("revoked 40 points"));
    let again = scratch
        .fidelio(&["ledger", "revoke", &id, "--reason", "twice"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));

    scratch.purchase(
        "tue/bob/fine",
        2,
        ["FRANPRIX", "03/03/2024", "10:00", "5.00"],
    );
    scratch.decide_night("tue", "out-tue");
    let rows = award_rows(&scratch.read("out-tue/points.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[1].starts_with(&format!("alice,spring,{id},2024-03-02,MONOPRIX,40.00,-40")));
    // summary.json reconciles with the CSV: Bob's 5 points awarded, Alice's 40 taken back.
    let summary: serde_json::Value =
        serde_json::from_str(&scratch.read("out-tue/summary.json")).unwrap();
    assert_eq!(summary["points"], "5");
    assert_eq!(summary["revoked"]["awards"], 1);
    assert_eq!(summary["revoked"]["points"], "-40");
    // Replaying Tuesday carries it again (same file); Wednesday does not.
    scratch.validate("tue.jsonl", "tue", "out-tue-again");
    assert_eq!(scratch.outputs("out-tue-again"), scratch.outputs("out-tue"));
    scratch.purchase(
        "wed/bob/more",
        3,
        ["FRANPRIX", "04/03/2024", "10:00", "6.00"],
    );
    scratch.decide_night("wed", "out-wed");
    assert_eq!(award_rows(&scratch.read("out-wed/points.csv")).len(), 1);
    assert!(!scratch.read("out-wed/summary.json").contains("revoked"));

    let export = String::from_utf8(
        scratch
            .run(&["ledger", "export", "--campaign", "spring"])
            .stdout,
    )
    .unwrap();
    let lines: Vec<&str> = export.lines().collect();
    assert!(lines[0].starts_with("seq,kind,campaign_id,batch,member_id,receipt_id"));
    assert_eq!(lines.len(), 1 + 3 + 1, "{export}");
    assert!(lines
        .iter()
        .any(|l| l.contains(",revocation,spring,tue,alice,") && l.contains("forged total")));
    let history = String::from_utf8(scratch.run(&["ledger", "history", "alice"]).stdout).unwrap();
    let entry: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(entry["revoked"], true);
    assert_eq!(entry["batch"], "mon");
}

/// Spawn a deciding run that stops at `point`, wait until it is there, and `kill -9` it.
fn kill_at(scratch: &Scratch, point: &str, out: &str) {
    let mut child = scratch
        .fidelio(&[
            "validate",
            "night.jsonl",
            "--campaign",
            "campaign.toml",
            "--batch",
            "night",
            "--out",
            out,
        ])
        .env("FIDELIO_PAUSE_AT", point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_pause(&mut child, point);
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, no rollback code runs
    child.wait().unwrap();
}

fn wait_for_pause(child: &mut Child, point: &str) {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let expected = format!("paused at {point}");
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains(&expected) => return,
            Some(Ok(_)) => continue,
            _ => panic!("the run ended before pausing at {point}"),
        }
    }
}

#[test]
fn kill_9_at_any_commit_point_then_rerun_pays_once_with_complete_outputs() {
    let reference = Scratch::new();
    busy_night(&reference, "night");
    reference.ocr("night", "night.jsonl");
    reference.validate("night.jsonl", "night", "out");
    let expected = reference.outputs("out");
    let awards = award_rows(&expected[1].1).len();

    for (point, committed) in [
        ("before-commit", false),
        ("in-commit", false),
        ("after-commit", true),
        ("mid-outputs", true),
    ] {
        let scratch = Scratch::new();
        busy_night(&scratch, "night");
        scratch.ocr("night", "night.jsonl");
        kill_at(&scratch, point, "out");
        let ledger = scratch.ledger();
        assert_eq!(ledger.integrity_check().unwrap(), "ok", "{point}");
        let batches = ledger.stats(None).unwrap().campaigns.len();
        assert_eq!(batches, usize::from(committed), "{point}: batch recorded?");
        if point == "mid-outputs" {
            assert!(scratch.path("out/results.jsonl").exists());
            assert!(
                !scratch.path("out/points.csv").exists(),
                "points.csv is written last"
            );
        }
        drop(ledger);

        scratch.validate("night.jsonl", "night", "out");
        assert_eq!(
            scratch.outputs("out"),
            expected,
            "{point}: outputs after the re-run"
        );
        let stats = scratch.ledger().stats(None).unwrap();
        assert_eq!(stats.campaigns[0].batches, 1, "{point}");
        assert_eq!(stats.campaigns[0].awards, awards, "{point}: paid once");
        assert_eq!(stats.campaigns[0].receipts, 11, "{point}");
    }
}

#[test]
fn a_second_run_waits_for_the_first_or_says_who_holds_the_ledger() {
    let scratch = Scratch::new();
    busy_night(&scratch, "night");
    scratch.ocr("night", "night.jsonl");
    let mut first = scratch
        .fidelio(&[
            "validate",
            "night.jsonl",
            "--campaign",
            "campaign.toml",
            "--batch",
            "night",
            "--out",
            "a",
        ])
        .env("FIDELIO_PAUSE_AT", "in-commit")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_pause(&mut first, "in-commit");
    let second = scratch
        .fidelio(&[
            "validate",
            "night.jsonl",
            "--campaign",
            "campaign.toml",
            "--batch",
            "night",
            "--out",
            "b",
            "--lock-timeout",
            "1",
        ])
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(4), "{message}");
    assert!(
        message.contains(&format!("pid {}", first.id())),
        "{message}"
    );
    assert!(message.contains("validate --batch night"), "{message}");
    assert!(message.contains("--lock-timeout"), "{message}");
    // Stats may be read while a run holds the lock.
    scratch.run(&["ledger", "stats"]);
    first.kill().unwrap();
    first.wait().unwrap();

    // Two runs at once, neither paused: one decides, the other waits and replays.
    let spawn = |out: &str| {
        scratch
            .fidelio(&[
                "validate",
                "night.jsonl",
                "--campaign",
                "campaign.toml",
                "--batch",
                "night",
                "--out",
                out,
                "-q",
            ])
            .spawn()
            .unwrap()
    };
    let (mut x, mut y) = (spawn("x"), spawn("y"));
    assert!(matches!(x.wait().unwrap().code(), Some(0 | 1)));
    assert!(matches!(y.wait().unwrap().code(), Some(0 | 1)));
    assert_eq!(scratch.outputs("x"), scratch.outputs("y"));
    let stats = scratch.ledger().stats(None).unwrap();
    assert_eq!(stats.campaigns[0].batches, 1);
    assert_eq!(
        stats.campaigns[0].awards,
        award_rows(&scratch.read("x/points.csv")).len()
    );
    assert_eq!(scratch.ledger().integrity_check().unwrap(), "ok");
}

#[test]
fn ledger_commands_report_and_purge() {
    let scratch = Scratch::new();
    let none = scratch.fidelio(&["ledger", "stats"]).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no ledger"));

    busy_night(&scratch, "mon");
    scratch.decide_night("mon", "out");
    let stats: serde_json::Value =
        serde_json::from_slice(&scratch.run(&["ledger", "stats"]).stdout).unwrap();
    assert_eq!(stats["campaigns"][0]["campaign"], "spring");
    assert_eq!(stats["campaigns"][0]["receipts"], 11);
    assert_eq!(stats["campaigns"][0]["members"], 3);

    let history = String::from_utf8(scratch.run(&["ledger", "history", "m0"]).stdout).unwrap();
    assert_eq!(history.lines().count(), 3);

    let kept = scratch.run(&["ledger", "purge", "--before", "2000-01-01"]);
    let kept: serde_json::Value = serde_json::from_slice(&kept.stdout).unwrap();
    assert_eq!(kept["batches"], 0);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let purged = scratch.run(&["ledger", "purge", "--before", &tomorrow]);
    let purged: serde_json::Value = serde_json::from_slice(&purged.stdout).unwrap();
    assert_eq!(purged["batches"], 1);
    assert_eq!(purged["receipts"], 11);
    assert!(scratch.ledger().stats(None).unwrap().campaigns.is_empty());
    let bad = scratch
        .fidelio(&["ledger", "purge", "--before", "soon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // After purging, the same night is new again: retention means forgetting.
    scratch.validate("mon.jsonl", "mon", "out-again");
    assert_eq!(scratch.outputs("out-again"), scratch.outputs("out"));
}

#[test]
fn an_unknown_pause_point_never_stops_a_run() {
    let scratch = Scratch::new();
    scratch.purchase("n/m/r", 1, ["MONOPRIX", "02/03/2024", "10:00", "1.00"]);
    scratch.ocr("n", "night.jsonl");
    let started = std::time::Instant::now();
    let mut child = scratch
        .fidelio(&[
            "validate",
            "night.jsonl",
            "--campaign",
            "campaign.toml",
            "--batch",
            "n",
            "--out",
            "o",
        ])
        .env("FIDELIO_PAUSE_AT", "never-reached")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(matches!(status.code(), Some(0 | 1)));
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// Cache entries (`.json`, not the temp files of a write in progress) under `state/ocr-cache`.
fn cached_pages(scratch: &Scratch) -> usize {
    let root = scratch.path("state/ocr-cache");
    let Ok(shards) = std::fs::read_dir(root) else {
        return 0;
    };
    shards
        .flatten()
        .filter_map(|d| std::fs::read_dir(d.path()).ok())
        .flat_map(|files| files.flatten())
        .filter(|f| f.path().extension().is_some_and(|e| e == "json"))
        .count()
}

/// The OCR stage is stopped by `FIDELIO_PAUSE_AT=after-read-5` after exactly five pages
/// were read and cached, then killed: the test no longer depends on the machine being slow
/// enough to catch a run mid-way (it failed on fast machines when the run finished first).
#[test]
fn kill_9_during_ocr_loses_no_recognised_page() {
    let scratch = Scratch::new();
    for i in 0..20u32 {
        let total = format!("{}.00", 10 + i);
        scratch.purchase(
            &format!("night/m{}/r{i:03}", i % 3),
            i,
            ["MONOPRIX", "02/03/2024", "10:00", &total],
        );
    }
    let run = |out: &str| {
        scratch.fidelio(&[
            "run",
            "night",
            "--campaign",
            "campaign.toml",
            "--out",
            out,
            "--engine",
            "text",
            "-j",
            "1",
            "-q",
        ])
    };
    let mut child = run("killed")
        .env("FIDELIO_PAUSE_AT", "after-read-5")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_pause(&mut child, "after-read-5");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(cached_pages(&scratch), 5);
    assert!(!scratch.path("killed/results.jsonl").exists());

    let output = run("rerun").output().unwrap();
    assert!(matches!(output.status.code(), Some(0 | 1)));
    let timings: serde_json::Value =
        serde_json::from_str(&scratch.read("rerun/timings.json")).unwrap();
    assert_eq!(timings["cached"], 5, "{timings}");
    assert_eq!(timings["recognized"], 15, "{timings}");
    assert_eq!(scratch.results("rerun").len(), 20);
    assert_eq!(cached_pages(&scratch), 20);
}

/// Bug: a retake of a receipt sent the same night was counted against the member's cap before
/// the ledger found it was a repeat, so the member's next genuine receipt was refused
/// CAP_REACHED although only one receipt was ever paid.
#[test]
fn a_repeat_in_the_same_night_does_not_use_up_the_members_cap() {
    let scratch = Scratch::new();
    let capped = format!("{CAMPAIGN}\n[caps.per_member]\nreceipts = 2\n");
    std::fs::write(scratch.path("campaign.toml"), capped).unwrap();
    let first = transcript("CARREFOUR MARKET", "02/03/2024", "10:15", "25.40");
    scratch.receipt("mon", "alice", "a-ticket", 1, &first);
    scratch.receipt("mon", "alice", "b-retake", 2, &first);
    scratch.purchase(
        "mon/alice/c-other",
        3,
        ["MONOPRIX", "04/03/2024", "11:00", "8.00"],
    );
    scratch.purchase(
        "mon/alice/d-third",
        4,
        ["FRANPRIX", "05/03/2024", "12:00", "9.90"],
    );
    let results = scratch.decide_night("mon", "out");
    assert_eq!(
        statuses(&results),
        [
            ("mon/alice/a-ticket.png".into(), "accepted".into()),
            ("mon/alice/b-retake.png".into(), "duplicate".into()),
            ("mon/alice/c-other.png".into(), "accepted".into()),
            ("mon/alice/d-third.png".into(), "rejected".into()),
        ]
    );
    assert_eq!(codes(&results[1]), ["DUPLICATE_PURCHASE"]);
    assert_eq!(codes(&results[3]), ["CAP_REACHED"]);
    assert_eq!(award_rows(&scratch.read("out/points.csv")).len(), 2);
}

/// Hostile-input audit: a member folder `=1+2` reached `points.csv` as `=1+2`, and a revocation
/// reason `=HYPERLINK(…)` the ledger export, as formulas a spreadsheet runs. Every text cell
/// from outside goes out with a leading `'` (OWASP), in every CSV.
#[test]
fn regression_formulas_from_member_ids_and_reasons_reach_no_csv_as_formulas() {
    let scratch = Scratch::new();
    scratch.purchase(
        "mon/=1+2/fraud",
        1,
        ["MONOPRIX", "02/03/2024", "10:00", "40.00"],
    );
    scratch.decide_night("mon", "out-mon");
    let rows = award_rows(&scratch.read("out-mon/points.csv"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].starts_with("'=1+2,spring,"), "{rows:?}");
    let id = scratch.results("out-mon")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    scratch.run(&[
        "ledger",
        "revoke",
        &id,
        "--reason",
        "=HYPERLINK(\"http://x\",\"y\")",
    ]);
    scratch.purchase(
        "tue/bob/fine",
        2,
        ["FRANPRIX", "03/03/2024", "10:00", "5.00"],
    );
    scratch.decide_night("tue", "out-tue");
    let rows = award_rows(&scratch.read("out-tue/points.csv"));
    assert!(
        rows[1].starts_with(&format!("'=1+2,spring,{id},")),
        "{rows:?}"
    );
    let export = String::from_utf8(
        scratch
            .run(&["ledger", "export", "--campaign", "spring"])
            .stdout,
    )
    .unwrap();
    assert!(export.contains(",'=1+2,"), "{export}");
    assert!(
        export.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{export}"
    );
    assert!(!export.contains(",=") && !export.contains(",@"), "{export}");
}

/// Issue 20: a ledger database kept busy by another connection past the wait made a command
/// exit 3 ("internal error"), not the documented 4 ("busy: retry later"); the wait is the
/// command's `--lock-timeout`, not a fixed 30 s.
#[test]
fn regression_a_busy_ledger_database_exits_4_after_the_lock_timeout() {
    let scratch = Scratch::new();
    scratch.purchase(
        "mon/alice/a",
        1,
        ["MONOPRIX", "02/03/2024", "10:00", "5.00"],
    );
    scratch.decide_night("mon", "out");
    let holder = rusqlite::Connection::open(scratch.path("state/ledger.sqlite")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let output = scratch
        .fidelio(&[
            "ledger",
            "purge",
            "--before",
            "2030-01-01",
            "--lock-timeout",
            "1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("retry later"), "{stderr}");
    // It names who holds the database (was: only `ledger revoke` did).
    assert!(stderr.contains("another program is writing"), "{stderr}");
    // It waited for the other writer (a deferred transaction failed at once, exit 3).
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(started.elapsed() < Duration::from_secs(20));
    holder.execute_batch("ROLLBACK").unwrap();
    // Free again: the same command goes through.
    let output = scratch
        .fidelio(&[
            "ledger",
            "purge",
            "--before",
            "2000-01-01",
            "--lock-timeout",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Issue 20: a revocation waiting on a busy ledger waited a fixed 30 s and then said only
/// "database is locked"; it now waits `--lock-timeout`, exits 4, and names who holds the
/// ledger: the fidelio run holding the run lock at that moment, or no fidelio run at all (the
/// lock file keeps the line of a run that ended: naming it would send the operator after a
/// process that is gone).
#[test]
fn regression_a_busy_ledger_names_its_real_holder() {
    let scratch = Scratch::new();
    scratch.purchase(
        "mon/alice/a",
        1,
        ["MONOPRIX", "02/03/2024", "10:00", "5.00"],
    );
    scratch.decide_night("mon", "out");
    let id = scratch.results("out")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoke = || {
        scratch
            .fidelio(&[
                "ledger",
                "revoke",
                &id,
                "--reason",
                "test",
                "--lock-timeout",
                "1",
            ])
            .output()
            .unwrap()
    };
    let writer = rusqlite::Connection::open(scratch.path("state/ledger.sqlite")).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();

    // The lock file still names the night that ran above, which has ended.
    let output = revoke();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("no fidelio run holds it"), "{stderr}");
    assert!(!stderr.contains("--batch mon"), "{stderr}");

    // A run holding the lock now is named.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(scratch.path("state/ledger.lock"))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(
        scratch.path("state/ledger.lock"),
        "pid 4242 (run --batch tue) since 2024-03-05T01:00:00Z\n",
    )
    .unwrap();
    let output = revoke();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("pid 4242 (run --batch tue)"), "{stderr}");
    drop(lock);

    writer.execute_batch("ROLLBACK").unwrap();
    let output = revoke();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
