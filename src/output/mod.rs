//! Output: the files users and CRMs rely on.
//!
//! Each output format is an [`Exporter`]; [`write_all`] renders every exporter in memory first
//! and then replaces each file atomically (temp file in the same directory + rename), so a run
//! killed at any moment never leaves a half-written `points.csv` for the CRM to import.

mod atomic;
mod cell;
mod items;
mod ledger_export;
mod points;
mod revocations;
mod summary;

use std::path::Path;

use crate::campaign::ResultRecord;

pub use atomic::write_atomic;
pub use cell::csv_text;
pub use items::{ItemsCsv, ITEMS_HEADER};
pub use ledger_export::{award_lines_csv, EXPORT_HEADER};
pub use points::PointsCsv;
pub use revocations::{PointsWithRevocations, SummaryWithRevocations};
pub use summary::{MerchantFigures, Revoked, Summary, SummaryJson};

/// One output file rendered from the decided results.
pub trait Exporter {
    fn file_name(&self) -> &'static str;
    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>>;
}

/// `results.jsonl`: one object per input file, in sorted input order.
pub struct ResultsJsonl;

impl Exporter for ResultsJsonl {
    fn file_name(&self) -> &'static str {
        "results.jsonl"
    }

    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        crate::jsonl::write(&mut out, results)?;
        Ok(out)
    }
}

/// Render every exporter, then write each file atomically into `dir` (created if missing).
pub fn write_all(
    dir: &Path,
    exporters: &[&dyn Exporter],
    results: &[ResultRecord],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    atomic::remove_stale_temp_files(dir)?;
    let rendered = exporters
        .iter()
        .map(|e| Ok((e.file_name(), e.render(results)?)))
        .collect::<std::io::Result<Vec<_>>>()?;
    for (name, bytes) in rendered {
        write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(())
}
