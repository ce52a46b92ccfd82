//! `fidelio models`: what the neural reader needs, whether it is there and intact, and the one
//! command that installs what is not. An operator runs it once after installing fidelio, or
//! when a run stops with exit 2 over its models.

use std::io::Write;

use fidelio::ocr::ppocr::models::{check_files, shell_path, FileState, ALL_FILES, INSTALL_COMMAND};

use crate::args::ModelsArgs;
use crate::cmd::shared::models_dir;
use crate::exit::ExitCode;

pub fn run(args: ModelsArgs) -> anyhow::Result<ExitCode> {
    let dir = models_dir(&args.models);
    let checks = check_files(&dir, &ALL_FILES);
    let mut out = std::io::stdout().lock();
    writeln!(out, "models folder: {}", dir.display())?;
    for check in &checks {
        let state = match &check.state {
            FileState::Ok => "ok".to_string(),
            FileState::Missing => "MISSING".to_string(),
            FileState::Mismatch { found } => {
                format!("WRONG FILE (SHA-256 {}…, not the pinned one)", &found[..12])
            }
            FileState::Unreadable(e) => format!("UNREADABLE ({e})"),
        };
        writeln!(
            out,
            "  {:<28} {:<10} {}",
            check.file.name, state, check.file.what
        )?;
    }
    let bad = checks.iter().filter(|c| c.state != FileState::Ok).count();
    if bad == 0 {
        writeln!(out, "all {} files present and verified", checks.len())?;
        return Ok(ExitCode::Success);
    }
    writeln!(
        out,
        "{bad} of {} files missing or wrong; install them with:\n  {INSTALL_COMMAND} {}",
        checks.len(),
        shell_path(&dir)
    )?;
    Ok(ExitCode::Usage)
}
