//! Progress and the end-of-run summary, on stderr only (stdout carries data).
//!
//! On a terminal: an indicatif bar with rate and ETA. Otherwise (cron, k8s logs): one plain
//! line every few seconds, so logs show the job is alive without a line per receipt.
//! `--quiet`: nothing.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use fidelio::night::{Note, Observer};
use fidelio::ocr::{OcrJob, OcrOutcome};
use fidelio::output::Summary;
use fidelio::Status;

const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub enum Progress {
    Hidden,
    Bar(ProgressBar),
    Plain {
        total: u64,
        /// Files done, and when the last line was written (none yet: the first file's).
        state: Mutex<(u64, Option<Instant>)>,
        started: Instant,
    },
}

impl Progress {
    pub fn new(total: u64, quiet: bool) -> Progress {
        if quiet {
            Progress::Hidden
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} OCR [{bar:30}] {pos}/{len} {per_sec} ETA {eta} {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            Progress::Bar(bar)
        } else {
            let now = Instant::now();
            Progress::Plain {
                total,
                state: Mutex::new((0, None)),
                started: now,
            }
        }
    }

    pub fn done(&self, _outcome: OcrOutcome) {
        match self {
            Progress::Hidden => {}
            Progress::Bar(bar) => bar.inc(1),
            Progress::Plain {
                total,
                state,
                started,
            } => {
                let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
                state.0 += 1;
                if state.1.is_none_or(|last| last.elapsed() >= PLAIN_EVERY) {
                    state.1 = Some(Instant::now());
                    let rate = state.0 as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    tracing::info!(
                        "{} OCR {}/{} files, {:.1} files/s",
                        chrono::Local::now().format("%Y-%m-%d %H:%M:%S%:z"),
                        state.0,
                        total,
                        rate
                    );
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// The human summary: counts by status, top reasons, elapsed and throughput. `replayed`: the
/// batch was committed before and its outputs written again, so its points were paid then.
pub fn print_summary(summary: &Summary, elapsed: Duration, out: Option<&Path>, replayed: bool) {
    let secs = elapsed.as_secs_f64();
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|s| format!("{} {}", summary.count(*s), s.as_str()))
        .collect();
    tracing::info!("{} files: {}", summary.files, counts.join(", "));
    let mut reasons: Vec<(&String, &usize)> = summary.by_reason.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if !reasons.is_empty() {
        let top: Vec<String> = reasons
            .iter()
            .take(5)
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        tracing::info!("top reasons: {}", top.join(", "));
    }
    if replayed {
        tracing::info!(
            "{} points awarded by that night, none now (a CRM that imports this points.csv again \
             must skip receipt ids it has)",
            summary.points
        );
    } else {
        tracing::info!("{} points awarded", summary.points);
    }
    tracing::info!(
        "{:.1}s elapsed, {:.2} files/s",
        secs,
        summary.files as f64 / secs.max(1e-9)
    );
    if let Some(dir) = out {
        tracing::info!("results in {}", dir.display());
    }
}

/// What the operator sees of a night: the progress of reading, and notes about the batch
/// (`--quiet` keeps only warnings).
pub struct NightLog {
    quiet: bool,
    progress: std::sync::OnceLock<Progress>,
    replayed: std::sync::atomic::AtomicBool,
}

impl NightLog {
    pub fn new(quiet: bool) -> NightLog {
        NightLog {
            quiet,
            progress: std::sync::OnceLock::new(),
            replayed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether the batch was a committed one, replayed.
    pub fn replayed(&self) -> bool {
        self.replayed.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Observer for NightLog {
    fn scanned(&self, files: usize) {
        let _ = self.progress.set(Progress::new(files as u64, self.quiet));
    }

    fn read(&self, job: &OcrJob<'_>) {
        if let Some(progress) = self.progress.get() {
            progress.done(job.outcome);
        }
    }

    fn read_all(&self) {
        if let Some(progress) = self.progress.get() {
            progress.finish();
        }
    }

    fn note(&self, note: Note<'_>) {
        if let Note::Replaying { .. } = note {
            self.replayed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        match note {
            Note::RulesChanged { campaign, batch } => tracing::warn!(
                "campaign {campaign} changed since batch {batch} was committed; the committed \
                 decisions stand"
            ),
            _ if self.quiet => {}
            Note::Batch { campaign, batch } => {
                tracing::info!("batch {batch} of campaign {campaign}")
            }
            Note::SameFilesAs { batch } => tracing::info!(
                "these very files were committed as batch {batch}: this is that night again \
                 (move a night's files out of the drop folder once it is done)"
            ),
            Note::Replaying {
                batch,
                committed_at,
            } => tracing::info!(
                "batch {batch} was committed at {committed_at}: replaying its outputs \
                 (nothing decided or awarded again)"
            ),
        }
    }
}
