//! Command-line arguments. Clap types stop here: each subcommand turns its args into a
//! validated config before any work starts, and the library never sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "fidelio",
    version,
    about = "Offline receipt OCR and loyalty-campaign decisions",
    long_about = "Turns folders of receipt photos into loyalty-campaign decisions: hashes and \
deduplicates, OCRs in parallel with Tesseract, reads merchant, date, total and items, applies \
the campaign's TOML rules and writes JSON results plus a CSV points file.\n\n\
Exit codes: 0 success; 1 completed with rejected or unreadable receipts; 2 usage or \
configuration error; 3 internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan, OCR and validate in one go: the nightly job.
    Run(RunArgs),
    /// Walk inputs, recognise images, hash, attribute members, mark duplicates (manifest JSONL).
    Scan(ScanArgs),
    /// OCR images from a manifest (or inputs) into OCR JSONL, using the cache.
    Ocr(OcrArgs),
    /// Decide OCR JSONL under a campaign, without OCRing again.
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Image files or folders (`inbox/<member>/IMG_1.jpg`: the first folder is the member).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// CSV attributing files to members: `file,member[,submitted_at,channel]`.
    #[arg(long, value_name = "CSV")]
    pub manifest: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum EngineKind {
    /// Tesseract through leptess.
    #[default]
    Tesseract,
    /// Read `NAME.txt` beside each image instead of OCR (hand-corrected text, tests).
    Text,
}

#[derive(Debug, Args)]
pub struct OcrOptions {
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Tesseract languages, `+`-joined (default: the campaign's, else fra+eng).
    #[arg(long, value_name = "LANGS")]
    pub lang: Option<String>,
    /// Tesseract page segmentation mode (6: one uniform block of text, which a prepared
    /// receipt is once cropped and straightened).
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub psm: u8,
    /// OCR engine.
    #[arg(long, value_enum, default_value_t = EngineKind::Tesseract)]
    pub engine: EngineKind,
    /// Do not read or write the OCR cache.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct StateArgs {
    /// State directory (OCR cache, ledger).
    #[arg(
        long,
        env = "FIDELIO_STATE",
        default_value = ".fidelio",
        value_name = "DIR"
    )]
    pub state: PathBuf,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Campaign rules (TOML).
    #[arg(long, value_name = "FILE")]
    pub campaign: PathBuf,
    /// Output directory for results.jsonl, points.csv, summary.json.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub ocr: OcrOptions,
    #[command(flatten)]
    pub state: StateArgs,
    /// No progress and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the manifest here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OcrArgs {
    /// A manifest from `fidelio scan` (`-` for stdin), or image files and folders.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Member CSV, when INPUT are images.
    #[arg(long, value_name = "CSV")]
    pub manifest: Option<PathBuf>,
    /// Write OCR JSONL here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub ocr: OcrOptions,
    #[command(flatten)]
    pub state: StateArgs,
    /// No progress on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// OCR JSONL files from `fidelio ocr` (`-` for stdin); several are merged in file order.
    #[arg(required = true, value_name = "OCR_JSONL")]
    pub inputs: Vec<PathBuf>,
    /// Campaign rules (TOML).
    #[arg(long, value_name = "FILE")]
    pub campaign: PathBuf,
    /// Output directory for results.jsonl, points.csv, summary.json (default: results on stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}
