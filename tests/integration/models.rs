//! The neural reader's files: `fidelio models`, a run without them, and the real reader on
//! pages turned a quarter and upside down.

use std::path::PathBuf;

use crate::util::{Dir, CAMPAIGN};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn an_empty_models_folder_is_listed_missing_with_the_install_command() {
    let dir = Dir::new();
    dir.create("models/.keep", "");
    let stdout = dir
        .command(&["models", "--models", "models"])
        .expect_code(2);
    assert!(stdout.contains("ppocrv6-tiny-det.onnx"), "{stdout}");
    assert!(stdout.contains("MISSING"), "{stdout}");
    assert!(
        stdout.contains("scripts/install-deps --models models"),
        "{stdout}"
    );
}

#[test]
fn a_model_file_with_other_bytes_is_reported_wrong() {
    let dir = Dir::new();
    dir.create("models/ppocrv6-tiny-rec.onnx", "not the model");
    let stdout = dir
        .command(&["models"])
        .env("FIDELIO_MODELS", "models")
        .expect_code(2);
    assert!(stdout.contains("WRONG FILE"), "{stdout}");
}

#[test]
fn a_run_without_its_models_stops_before_any_work_with_exit_2() {
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
            "--models",
            "nowhere",
        ])
        .stderr_with_code(2);
    assert!(stderr.contains("scripts/install-deps --models"), "{stderr}");
    assert!(stderr.contains("is missing"), "{stderr}");
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn the_installed_models_verify() {
    let stdout = Dir::new().command(&["models"]).expect_code(0);
    assert!(stdout.contains("present and verified"), "{stdout}");
}

/// The sample's labelled date and total, as `fidelio run` reads them from `image`.
/// Each turn in its own inbox and state, so no page is taken for a re-shot of another.
fn date_and_total(dir: &Dir, name: &str, image: &image::GrayImage) -> (String, String) {
    std::fs::create_dir_all(dir.join(&format!("{name}/M1"))).unwrap();
    image
        .save(dir.join(&format!("{name}/M1/turned.png")))
        .unwrap();
    let out = format!("{name}-out");
    let state = format!("{name}-state");
    let _ = dir
        .command(&[
            "run",
            name,
            "--campaign",
            "campaign.toml",
            "--out",
            &out,
            "--state",
            &state,
            "-q",
        ])
        .output();
    let result = &dir.jsonl(&format!("{out}/results.jsonl"))[0];
    (
        result["receipt"]["date"].as_str().unwrap_or("").to_string(),
        result["receipt"]["total"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

#[test]
fn pages_turned_a_quarter_or_upside_down_read_as_upright() {
    let sample = repo().join("samples/inbox/M1001");
    let mut images: Vec<PathBuf> = std::fs::read_dir(&sample)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg" || e == "png"))
        .collect();
    images.sort();
    let path = &images[0];
    let label: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path.with_extension("json")).unwrap())
            .unwrap();
    let upright = image::open(path).unwrap().to_luma8();
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    let expected = (
        label["date"].as_str().unwrap().to_string(),
        label["total"].as_str().unwrap().to_string(),
    );
    for (turn, image) in [
        ("upright", upright.clone()),
        ("cw", image::imageops::rotate90(&upright)),
        ("flipped", image::imageops::rotate180(&upright)),
        ("ccw", image::imageops::rotate270(&upright)),
    ] {
        assert_eq!(
            date_and_total(&dir, turn, &image),
            expected,
            "{} turned {turn}",
            path.display()
        );
    }
}
