//! Config pieces shared by several subcommands: inputs, OCR engine, outputs.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use fidelio::campaign::Campaign;
use fidelio::campaign::ResultRecord;
use fidelio::config::{OcrChoice, OcrSetup, Reader};
use fidelio::image::DecodeLimits;
use fidelio::ingest::{self, ManifestEntry, MemberManifest, ScanOptions};
use fidelio::ocr::ppocr::models::default_models_dir;
use fidelio::ocr::ModelSize;
use fidelio::output::{self, Exporter, ItemsCsv, PointsCsv, ResultsJsonl, SummaryJson};

use crate::args::{EngineKind, InputArgs, ModelKind, ModelsDirArgs, OcrOptions};
use crate::exit::usage;

/// Validated scan inputs.
pub struct ScanConfig {
    pub inputs: Vec<PathBuf>,
    pub options: ScanOptions,
}

impl ScanConfig {
    pub fn from_args(args: &InputArgs) -> anyhow::Result<ScanConfig> {
        let manifest = match &args.manifest {
            Some(path) => Some(MemberManifest::from_path(path).map_err(|e| usage(e.to_string()))?),
            None => None,
        };
        Ok(ScanConfig {
            inputs: args.inputs.clone(),
            options: ScanOptions {
                manifest,
                follow_links: args.follow_links,
            },
        })
    }

    pub fn scan(&self) -> anyhow::Result<Vec<ManifestEntry>> {
        ingest::scan(&self.inputs, &self.options).map_err(|e| usage(e.to_string()))
    }
}

/// The OCR flags as an [`OcrChoice`], resolved.
pub fn ocr_config(
    args: &OcrOptions,
    state: &Path,
    campaign: Option<&Campaign>,
) -> anyhow::Result<OcrSetup> {
    crate::process::shape_malloc(args.jobs);
    let reader = match args.engine {
        EngineKind::Ppocr => Reader::Neural(match args.model {
            ModelKind::Fast => ModelSize::Fast,
            ModelKind::Tiny => ModelSize::Tiny,
            ModelKind::Small => ModelSize::Small,
        }),
        EngineKind::Tesseract => Reader::Tesseract { psm: args.psm },
        EngineKind::Text => Reader::Text,
    };
    let choice = OcrChoice {
        reader,
        languages: args.lang.clone(),
        models_dir: args.models.dir.clone(),
        jobs: args.jobs,
        second_look: !args.no_second_look,
        cache: !args.no_cache,
        limits: DecodeLimits {
            max_pixels: (args.max_megapixels.max(0.0) * 1e6) as u64,
            max_file_bytes: (args.max_file_mb.max(0.0) * 1e6) as u64,
            ..DecodeLimits::default()
        },
    };
    let languages = campaign.and_then(|c| c.ocr_languages.as_deref());
    Ok(OcrSetup::resolve(&choice, state, languages)?)
}

/// The models folder: `--models`, else `FIDELIO_MODELS` (clap reads both), else the default.
pub fn models_dir(args: &ModelsDirArgs) -> PathBuf {
    args.dir.clone().unwrap_or_else(default_models_dir)
}

pub fn load_campaign(path: &Path) -> anyhow::Result<Campaign> {
    Campaign::load(path).map_err(|e| usage(e.to_string()))
}

/// Read JSONL records from files or stdin (`-`).
pub fn read_jsonl<T: serde::de::DeserializeOwned>(inputs: &[PathBuf]) -> anyhow::Result<Vec<T>> {
    let mut all = Vec::new();
    for input in inputs {
        let mut items = if input.as_os_str() == "-" {
            // Bad lines on stdin are bad input (exit 2), as in a file; a failing read is not.
            fidelio::jsonl::read(std::io::stdin().lock(), "<stdin>").map_err(|e| match e {
                fidelio::jsonl::JsonlError::Parse { .. } => usage(e.to_string()),
                other => other.into(),
            })?
        } else {
            let file = std::fs::File::open(input)
                .with_context(|| format!("cannot open {}", input.display()))?;
            fidelio::jsonl::read(BufReader::new(file), &input.display().to_string())
                .map_err(|e| usage(e.to_string()))?
        };
        all.append(&mut items);
    }
    Ok(all)
}

/// Check, before any work, that `path` can be written (its folder exists and takes a file):
/// an `-o` into a missing folder failed only after the whole night's OCR.
pub fn check_output_file(path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(usage(format!(
            "-o {}: is a folder; give a file name",
            path.display()
        )));
    }
    tempfile::NamedTempFile::new_in(parent)
        .map(drop)
        .map_err(|e| usage(format!("-o {}: cannot write there: {e}", path.display())))
}

/// Check, before any work, that the folder `dir` can be made and written.
pub fn check_output_dir(dir: Option<&Path>) -> anyhow::Result<()> {
    let Some(dir) = dir else { return Ok(()) };
    std::fs::create_dir_all(dir)
        .and_then(|()| tempfile::NamedTempFile::new_in(dir).map(drop))
        .map_err(|e| usage(format!("--out {}: cannot write there: {e}", dir.display())))
}

/// Write JSONL to a file atomically, or to stdout.
pub fn write_jsonl<T: serde::Serialize>(output: Option<&Path>, items: &[T]) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let mut bytes = Vec::new();
            fidelio::jsonl::write(&mut bytes, items)?;
            output::write_atomic(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let stdout = std::io::stdout().lock();
            let mut writer = std::io::BufWriter::new(stdout);
            fidelio::jsonl::write(&mut writer, items)?;
            writer.flush()?;
            Ok(())
        }
    }
}

/// The files every deciding command writes into `--out`.
pub fn write_outputs(dir: &Path, results: &[ResultRecord]) -> anyhow::Result<()> {
    let exporters: [&dyn Exporter; 4] = [&ResultsJsonl, &PointsCsv, &SummaryJson, &ItemsCsv];
    output::write_all(dir, &exporters, results)
        .with_context(|| format!("cannot write outputs to {}", dir.display()))
}
