//! Command-line arguments. Clap types stop here: each subcommand turns its args into a
//! validated config before any work starts, and the library never sees clap.

use std::path::PathBuf;

use std::sync::LazyLock;

use clap::{Args, Parser, Subcommand, ValueEnum};

use fidelio::defaults;

/// `fidelio --version`: what produced a night's outputs, for bug reports and audits — the
/// readers' versions and the ledger schema beside fidelio's own.
static LONG_VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}\nneural reader: PP-OCRv6 tiny (second look: small), ONNX Runtime {}, models checked \
         by SHA-256 (`fidelio models`)\ntesseract: {} (`--engine tesseract`)\nledger schema: {}",
        env!("CARGO_PKG_VERSION"),
        fidelio::ocr::ppocr::models::RUNTIME_VERSION,
        fidelio::ocr::tesseract_version(),
        fidelio::ledger::SCHEMA_VERSION,
    )
});

#[derive(Debug, Parser)]
#[command(
    name = "fidelio",
    version,
    long_version = LONG_VERSION.as_str(),
    about = "Offline receipt OCR and loyalty-campaign decisions",
    long_about = "Turns folders of receipt photos into loyalty-campaign decisions: hashes and \
deduplicates, OCRs in parallel with a neural reader (PP-OCR, offline), reads merchant, date, total and items, applies \
the campaign's TOML rules and writes JSON results plus a CSV points file.\n\n\
Exit codes: 0 success; 1 completed with rejected or unreadable receipts; 2 usage or \
configuration error; 3 internal error; 4 ledger busy (another run holds it: retry later); \
130 interrupted (Ctrl-C), 143 stopped (SIGTERM): a night stopped before its commit left no \
trace, one stopped after it is replayed: re-run it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How messages on stderr are written: `text` (`fidelio: …` lines) or `json` (one object
    /// per line with timestamp, level and message, for log collectors).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = LogFormat::Text,
        env = "FIDELIO_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub log_format: LogFormat,
    /// More detail on stderr (-v debug, -vv trace; `eval -v` lists every mismatch); RUST_LOG
    /// overrides the log level.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
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
    /// Check a campaign file, or explain its rules in plain words.
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Inspect and maintain the ledger (state across nights): stats, export, revoke, history, purge.
    Ledger(LedgerArgs),
    /// Decide the receipts held for review: export them to a decisions file, apply one.
    Review(ReviewArgs),
    /// Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; `fidelio man > fidelio.1`).
    Man,
    /// Write a night's report.html: counts, charts, every receipt with its picture, OCR boxes,
    /// fields and decision; review receipts can be approved or rejected in it, which downloads
    /// decisions.csv for `fidelio review apply`. One file, no network.
    Report(ReportArgs),
    /// Measure extraction against labelled receipts: per-field accuracy, CI thresholds.
    Eval(EvalArgs),
    /// List the neural reader's files, verify them, and print the command that installs what
    /// is missing (exit 2 when something is).
    Models(ModelsArgs),
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(flatten)]
    pub models: ModelsDirArgs,
}

#[derive(Debug, Args)]
pub struct ModelsDirArgs {
    /// Folder of the neural reader's models and runtime (default: $XDG_DATA_HOME/fidelio/models).
    #[arg(long = "models", env = "FIDELIO_MODELS", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Refuse a broken campaign file with errors pointing at the line (exit 2), else say OK.
    Check(CampaignFileArgs),
    /// Print the campaign's rules in plain French or English (its `language`).
    Explain(CampaignFileArgs),
}

#[derive(Debug, Args)]
pub struct CampaignFileArgs {
    /// Campaign rules (TOML).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Image files or folders (`inbox/<member>/IMG_1.jpg`: the first folder is the member).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// CSV attributing files to members: `file,member[,submitted_at,channel]`.
    #[arg(long, value_name = "CSV")]
    pub manifest: Option<PathBuf>,
    /// Read files that symbolic links inside the input folder point to outside it (by default
    /// they are LINK_OUTSIDE_INPUT, unread).
    #[arg(long)]
    pub follow_links: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum EngineKind {
    /// The neural reader: PP-OCR detection and recognition through ONNX Runtime.
    #[default]
    Ppocr,
    /// Tesseract through leptess (needs Tesseract installed).
    Tesseract,
    /// Read `NAME.txt` beside each image instead of OCR (hand-corrected text, tests).
    Text,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ModelKind {
    /// Tiny detection and recognition: a quarter faster than `tiny`, fewer fields right.
    Fast,
    #[default]
    Tiny,
    Small,
}

#[derive(Debug, Args)]
pub struct OcrOptions {
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Tesseract languages, `+`-joined (default: the campaign's, else fra+eng).
    #[arg(long, value_name = "LANGS")]
    pub lang: Option<String>,
    /// Tesseract page segmentation mode (0–13; 4 is a single column of variable sizes).
    #[arg(long, default_value_t = defaults::TESSERACT_PSM, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=13))]
    pub psm: u8,
    /// OCR engine.
    #[arg(long, value_enum, default_value_t = EngineKind::Ppocr)]
    pub engine: EngineKind,
    /// The neural reader's models: `tiny` (small detection, tiny recognition), `fast` (tiny
    /// both: about a quarter less time, fewer fields right) or `small` (small both: about three
    /// times slower, reads more shop names and addresses).
    #[arg(long, value_enum, default_value_t = ModelKind::Tiny)]
    pub model: ModelKind,
    #[command(flatten)]
    pub models: ModelsDirArgs,
    /// Do not read or write the OCR cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Pictures whose header declares more megapixels are IMAGE_TOO_LARGE, refused before
    /// decoding.
    #[arg(long, value_name = "MP", default_value_t = defaults::DECODE_MAX_PIXELS as f64 / 1e6)]
    pub max_megapixels: f64,
    /// Files larger than this many megabytes are IMAGE_TOO_LARGE, refused unread.
    #[arg(long, value_name = "MB", default_value_t = defaults::DECODE_MAX_FILE_BYTES as f64 / 1e6)]
    pub max_file_mb: f64,
    /// No second reader. By default `--model tiny` has the small model's recogniser read the
    /// header (shop name, address) of every receipt again, and the lines that matter of a
    /// receipt whose total is uncertain; other engines read such a receipt again from
    /// smoothed pixels. The more confident reading of each field is kept (slower, more
    /// accurate). Doubtful prices and date rows are still read again alone.
    #[arg(long)]
    pub no_second_look: bool,
}

#[derive(Debug, Args)]
pub struct StateArgs {
    /// State directory (OCR cache, ledger).
    #[arg(
        long,
        global = true,
        env = "FIDELIO_STATE",
        default_value = defaults::STATE_DIR,
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
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Also write OUT/report.html: the night in one page to review it in (see `fidelio report`).
    #[arg(long)]
    pub report: bool,
    /// No progress and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The batch to show (as committed in the ledger).
    #[arg(long, value_name = "NAME")]
    pub batch: String,
    /// The campaign, when several committed a batch of that name.
    #[arg(long, value_name = "ID")]
    pub campaign: Option<String>,
    /// The night's ocr.jsonl (`run` writes it to its --out), for every receipt's OCR boxes;
    /// without it only the receipts held for review show theirs.
    #[arg(long, value_name = "FILE")]
    pub ocr: Option<PathBuf>,
    /// Output directory for report.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub state: StateArgs,
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
    /// Read files that symbolic links inside the input folder point to outside it.
    #[arg(long)]
    pub follow_links: bool,
    /// Write OCR JSONL here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// OCR only slice K of N (by content hash), e.g. `--shard 2/3`, for several machines.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// The campaign the receipts are for: its `ocr_languages` (Tesseract), as `run` uses them,
    /// so `ocr` then `validate` gives what `run` gives.
    #[arg(long, value_name = "FILE")]
    pub campaign: Option<PathBuf>,
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
    /// OCR JSONL files from `fidelio ocr` (`-` for stdin); several are slices of one batch
    /// (`ocr --shard K/N`), merged back into input order.
    #[arg(required = true, value_name = "OCR_JSONL")]
    pub inputs: Vec<PathBuf>,
    /// Campaign rules (TOML).
    #[arg(long, value_name = "FILE")]
    pub campaign: PathBuf,
    /// Output directory for results.jsonl, points.csv, summary.json (default: results on stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The `fidelio scan` manifest the OCR slices were cut from: every file must be in exactly
    /// one slice, and results follow its order.
    #[arg(long, value_name = "MANIFEST_JSONL")]
    pub from_scan: Option<PathBuf>,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub state: StateArgs,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Record the decisions in the ledger as this batch (a night); re-running a committed batch
    /// replays its outputs. `run` defaults to FOLDER@DATE (the input folder and today's local
    /// date; the day's next drop is FOLDER@DATE.2; the same files again replay their night).
    /// Without it, `validate` decides without the ledger (what-if).
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
    /// Seconds to wait for another run holding the ledger before giving up.
    #[arg(long, default_value_t = defaults::LOCK_TIMEOUT_S, value_name = "SECONDS")]
    pub lock_timeout: u64,
}

#[derive(Debug, Args)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub command: LedgerCommand,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: ReviewCommand,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Every receipt waiting for review as a decisions file (CSV) to fill in a spreadsheet:
    /// what was read, plus the campaign, batch, member, file and why it is held.
    Export {
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        #[arg(long, value_name = "NAME")]
        batch: Option<String>,
        /// Write here instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Apply a decisions file (receipt_id,decision,merchant,date,time,total,reviewer,note):
    /// checks every line first (a problem refuses the whole file, exit 2), decides the approved
    /// receipts again with their corrections under their campaign, records who decided, and
    /// writes points.csv, results.jsonl and summary.json for the receipts it decided. The same
    /// file applied again replays those outputs and awards nothing twice.
    Apply {
        /// The decisions file (CSV; `,` or `;`).
        decisions: PathBuf,
        /// Output directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The campaign, when a receipt is held in several and the file has no campaign column.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// Seconds to wait for a run holding the ledger.
        #[arg(long, default_value_t = defaults::LOCK_TIMEOUT_S, value_name = "SECONDS")]
        lock_timeout: u64,
        /// No summary on stderr.
        #[arg(short, long)]
        quiet: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Counts and totals per campaign (JSON).
    Stats {
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
    },
    /// Every award and revocation line of a campaign (CSV).
    Export {
        #[arg(long, value_name = "ID")]
        campaign: String,
        /// Write here instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Take back the points of a receipt (fraud found later): a negative line goes out in the
    /// campaign's next points.csv.
    Revoke {
        /// The receipt's id (blake3 content hash, or at least its first 8 characters).
        receipt_id: String,
        /// Why, for the audit trail.
        #[arg(long)]
        reason: String,
        /// The campaign, when the receipt was awarded in several.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// Seconds to wait for a run writing to the ledger.
        #[arg(long, default_value_t = defaults::LOCK_TIMEOUT_S, value_name = "SECONDS")]
        lock_timeout: u64,
    },
    /// Every receipt a member submitted (JSON Lines).
    History {
        member: String,
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
    },
    /// Delete batches committed before DATE (retention), with their receipts and awards.
    Purge {
        #[arg(long, value_name = "YYYY-MM-DD")]
        before: String,
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// Seconds to wait for a run holding the ledger.
        #[arg(long, default_value_t = defaults::LOCK_TIMEOUT_S, value_name = "SECONDS")]
        lock_timeout: u64,
    },
}

#[derive(Debug, Args)]
#[command(
    after_help = "Columns: normalised = match after folding case, accents, spacing and \
punctuation, dates compared as dates (labels read day first), totals as numbers; strict = the \
label string exactly (fidelio's date printed in the label's format, its two-decimal total); \
in OCR = labels whose value can be found in the OCR text at all, the ceiling of extraction \
(images and OCR JSONL inputs only); similar = mean closeness of the text; conf columns = how many answers in each confidence band \
were right.\n\nLabels: NAME.json beside or matching each NAME.jpg, SROIE style {company, date, \
address, total} or fidelio style {merchant, date, time, total, currency, address, items, \
status, reasons, points}.\n\nExit codes: 0 every --min threshold met; 1 a threshold not met; \
2 usage error (bad threshold, unreadable labels folder)."
)]
pub struct EvalArgs {
    /// `results.jsonl` or `ocr.jsonl` files, or images and folders to OCR and extract
    /// (default: the images in the labels folder).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Folder of labels, `NAME.json` per receipt, matched to inputs by file stem.
    #[arg(long, value_name = "DIR")]
    pub labels: PathBuf,
    /// Minimum normalised match rate, e.g. `--min total=90,date=95` (repeatable).
    #[arg(long = "min", value_name = "FIELD=PCT", value_delimiter = ',')]
    pub min: Vec<String>,
    /// Also decide under this campaign (scores status, reasons, points) when the inputs are
    /// images or OCR JSONL.
    #[arg(long, value_name = "FILE")]
    pub campaign: Option<PathBuf>,
    /// Write the full report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub ocr: OcrOptions,
    #[command(flatten)]
    pub state: StateArgs,
    /// No progress on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}
