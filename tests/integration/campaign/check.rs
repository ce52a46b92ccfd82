//! `fidelio campaign check` and `explain`: the malformed-campaign corpus gets its exact error
//! messages (snapshots), the examples pass, and the commands exit as documented.
//!
//! Snapshots live in `tests/snapshots/`; after an intended wording change, review them with
//! `INSTA_UPDATE=always cargo test --test integration campaign::check` and `git diff`.

use std::path::{Path, PathBuf};

use fidelio::campaign::{explain, Campaign};

use crate::util::TestCommand;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tomls(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// `fidelio campaign SUBCOMMAND FILE`: exit code, stdout, stderr.
fn campaign_cli(subcommand: &str, file: &Path) -> (Option<i32>, String, String) {
    let output = TestCommand::new()
        .args(["campaign", subcommand])
        .arg(file)
        .output();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_malformed_campaign_gets_its_exact_errors() {
    let bad = root().join("tests/data/campaigns/bad");
    let files = tomls(&bad);
    assert!(files.len() >= 20, "the corpus shrank: {}", files.len());
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let shown = format!("bad/{name}.toml");
        let err = match Campaign::parse(&text, &shown) {
            Ok(_) => panic!("{shown} was accepted"),
            Err(err) => err,
        };
        for problem in err.problems() {
            assert!(
                problem.line > 0,
                "{shown}: no line for {:?}",
                problem.message
            );
        }
        insta::assert_snapshot!(name, err.to_string());
    }
}

#[test]
fn every_example_campaign_passes_check() {
    let files = tomls(&root().join("campaigns"));
    assert!(files.len() >= 4);
    for path in files {
        let (code, stdout, stderr) = campaign_cli("check", &path);
        assert_eq!(code, Some(0), "{}: {stderr}", path.display());
        assert!(stdout.contains(": OK: "), "{stdout}");
    }
}

#[test]
fn check_refuses_a_broken_file_with_exit_2_and_the_line() {
    let path = root().join("tests/data/campaigns/bad/unknown-nested-key.toml");
    let (code, stdout, stderr) = campaign_cli("check", &path);
    assert_eq!(code, Some(2));
    assert!(
        stderr
            .contains("unknown-nested-key.toml:9:1: unknown key `pionts`: did you mean `points`?"),
        "{stderr}"
    );
    assert!(stdout.is_empty());
}

#[test]
fn check_counts_several_problems() {
    let path = root().join("tests/data/campaigns/bad/caps-contradict.toml");
    let (code, _, stderr) = campaign_cli("check", &path);
    assert_eq!(code, Some(2));
    assert!(stderr.trim_end().ends_with("problems"), "{stderr}");
}

#[test]
fn missing_file_is_a_usage_error() {
    let (code, _, stderr) = campaign_cli("explain", Path::new("no-such-campaign.toml"));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("cannot read campaign no-such-campaign.toml"),
        "{stderr}"
    );
}

#[test]
fn explain_reads_each_example_in_its_language() {
    for path in tomls(&root().join("campaigns")) {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "demo" {
            continue;
        }
        let campaign = Campaign::load(&path).unwrap();
        let (code, stdout, _) = campaign_cli("explain", &path);
        assert_eq!(code, Some(0));
        let text = explain(&campaign);
        assert_eq!(stdout, text);
        insta::assert_snapshot!(format!("explain-{name}"), text);
    }
}

mod never_panics {
    use fidelio::campaign::Campaign;
    use proptest::prelude::*;

    fn example() -> String {
        let path = super::root().join("tests/data/campaigns/every-key.toml");
        std::fs::read_to_string(path).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// A damaged campaign (bytes cut out, junk spliced in, multi-byte characters included)
        /// is refused with located problems, never a panic.
        #[test]
        fn damaged_campaigns_are_refused_cleanly(
            cut in 0usize..2600,
            len in 0usize..40,
            junk in "[ -~éÉ€\n\\[\\]=\"]{0,12}",
        ) {
            let text = example();
            let mut chars: Vec<char> = text.chars().collect();
            let start = cut.min(chars.len());
            let end = (start + len).min(chars.len());
            chars.splice(start..end, junk.chars());
            let damaged: String = chars.into_iter().collect();
            if let Err(err) = Campaign::parse(&damaged, "damaged.toml") {
                let shown = err.to_string();
                prop_assert!(shown.starts_with("damaged.toml"), "{}", shown);
                prop_assert!(!err.problems().is_empty());
            }
        }
    }
}

/// Issue 20: campaign files in Latin-1 or UTF-16 were refused without saying where or why.
#[test]
fn regression_a_campaign_not_in_utf8_is_refused_with_its_position() {
    let dir = crate::util::Dir::new();
    let latin1 = b"id = \"yaourts\"\nname = \"Yaourts\"\n# caf\xe9\n[period]\nstart = 2024-03-01\nend = 2024-05-31\n";
    dir.create_bytes("latin1.toml", latin1);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("id = \"x\"\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
    dir.create_bytes("utf16.toml", &utf16);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&latin1[..32]); // the valid head, then a period
    bom.extend_from_slice(
        b"[period]\nstart = 2024-03-01\nend = 2024-05-31\n[points]\nper_currency_unit = 1\n",
    );
    dir.create_bytes("bom.toml", &bom);

    let (code, _, stderr) = campaign_cli("check", &dir.join("latin1.toml"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("byte 37 (line 3, column 6) is 0xE9, not UTF-8"),
        "{stderr}"
    );
    let (code, _, stderr) = campaign_cli("check", &dir.join("utf16.toml"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("UTF-16"), "{stderr}");
    // A UTF-8 byte order mark (Windows editors write one) is fine.
    let (code, _, stderr) = campaign_cli("check", &dir.join("bom.toml"));
    assert_eq!(code, Some(0), "{stderr}");
}
