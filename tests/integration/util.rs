//! Test helpers in the style of ripgrep's: `Dir` is a scratch directory with helpers to lay out
//! inputs, `TestCommand` runs the real `fidelio` binary inside it.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary working directory, removed when dropped.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("create temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// Write `bytes` at `rel`, creating parent folders.
    pub fn create_bytes(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn create(&self, rel: &str, text: &str) -> PathBuf {
        self.create_bytes(rel, text.as_bytes())
    }

    /// A receipt "photo" the text engine reads: a clean synthetic image at `rel` (its format
    /// chosen by extension) and the transcript `text` beside it.
    pub fn receipt(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.create_bytes(rel, &receipt_image(rel, text));
        self.create(
            &Path::new(rel).with_extension("txt").to_string_lossy(),
            text,
        );
        path
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Each line of a JSONL file as a JSON value.
    pub fn jsonl(&self, rel: &str) -> Vec<serde_json::Value> {
        self.read(rel)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn json(&self, rel: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(rel)).unwrap()
    }

    /// A `fidelio` command running in this directory, with its state kept inside it.
    /// `fidelio run INPUT --campaign campaign.toml --out OUT --engine text`: the nightly job
    /// on the test double, under the campaign the test wrote as `campaign.toml`.
    pub fn run_text(&self, input: &str, out: &str) -> TestCommand {
        self.command(&[
            "run",
            input,
            "--campaign",
            "campaign.toml",
            "--out",
            out,
            "--engine",
            "text",
        ])
    }

    pub fn command(&self, args: &[&str]) -> TestCommand {
        let mut command = TestCommand::new().args(args);
        command.cmd.current_dir(self.path());
        command
    }
}

/// A clean, sharp, well-lit synthetic receipt: text-like black bars on white, one row per
/// transcript line, so capture-quality checks pass and the text engine supplies the words.
///
/// The text sits a few pixels off the corner by an amount its own content decides, as two
/// paper receipts never lie on the glass alike: two different receipts are two captures, not
/// one picture with a region changed (`CHANGED_REGION`), while the same text gives the same
/// picture.
pub fn receipt_image(rel: &str, text: &str) -> Vec<u8> {
    let rows = text.lines().count().max(8) as u32;
    let (width, height) = (640u32, 60 + rows * 34);
    let mut img = image::GrayImage::from_pixel(width, height, image::Luma([250]));
    let placement = text
        .bytes()
        .fold(17u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let (dx, dy) = (placement % 6 * 4, placement / 6 % 6 * 4);
    for (row, line) in text.lines().enumerate() {
        let y0 = 30 + dy + row as u32 * 34;
        for (col, ch) in line.chars().enumerate().take(48) {
            if ch.is_whitespace() {
                continue;
            }
            let x0 = 20 + dx + col as u32 * 12;
            // Glyph-like strokes: a bar on top and bottom and one vertical stroke per set bit
            // of the character code, so different texts always give different images.
            for y in y0..y0 + 22 {
                for bit in 0..8u32 {
                    let x = x0 + 2 + bit;
                    if (ch as u32 >> bit) & 1 == 1 || y == y0 || y == y0 + 21 {
                        img.put_pixel(x, y, image::Luma([20]));
                    }
                }
            }
        }
    }
    let format = match Path::new(rel).extension().and_then(|e| e.to_str()) {
        Some("jpg") | Some("jpeg") => image::ImageFormat::Jpeg,
        _ => image::ImageFormat::Png,
    };
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

pub struct TestCommand {
    cmd: Command,
}

impl TestCommand {
    /// The `fidelio` binary under test, with no state directory from the environment (tests
    /// that need one give `--state` or `FIDELIO_STATE`).
    pub fn new() -> TestCommand {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fidelio"));
        cmd.env_remove("FIDELIO_STATE")
            .env_remove("FIDELIO_PAUSE_AT");
        TestCommand { cmd }
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> TestCommand {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<std::ffi::OsStr>>(
        mut self,
        args: impl IntoIterator<Item = S>,
    ) -> TestCommand {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> TestCommand {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> TestCommand {
        self.cmd.current_dir(dir);
        self
    }

    /// Run with stdout and stderr inherited; the exit status.
    pub fn status(mut self) -> std::process::ExitStatus {
        self.cmd.status().expect("run fidelio")
    }

    pub fn output(mut self) -> Output {
        self.cmd.output().expect("run fidelio")
    }

    /// Run and require `code`; returns stdout.
    pub fn expect_code(self, code: i32) -> String {
        let shown = format!("{:?}", self.cmd);
        let out = self.output();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{shown}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn stdout(self) -> String {
        self.expect_code(0)
    }

    /// Run, require `code`, return stderr.
    pub fn stderr_with_code(self, code: i32) -> String {
        let shown = format!("{:?}", self.cmd);
        let out = self.output();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(code), "{shown}\nstderr:\n{stderr}");
        stderr
    }

    pub fn into_inner(self) -> Command {
        self.cmd
    }
}

/// A minimal campaign: everything in 2024 accepted at 1 point per euro.
pub const CAMPAIGN: &str = r#"
id = "test-2024"
name = "Test campaign"

[period]
start = 2024-01-01
end = 2024-12-31

[points]
per_currency_unit = 1
"#;

pub fn french_receipt(date: &str, total: &str) -> String {
    format!(
        "FRESCO MARKET\nSAS FRESCO DISTRIBUTION\n12 RUE DE LA REPUBLIQUE\n69002 LYON\n{date} 14:32\nYAOURT NATURE BIO        2,40\nPAIN COMPLET             1,80\nTOTAL TTC               {total}\nCB                      {total}\nMERCI DE VOTRE VISITE\n"
    )
}

/// The reason codes of one result, in order.
pub fn codes(result: &serde_json::Value) -> Vec<String> {
    result["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}
