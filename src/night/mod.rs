//! A night, end to end: scan the inputs, read them, decide them under the campaign, settle
//! them with the ledger (replay a committed batch, find repeats across nights, commit once),
//! and write the outputs in an order a CRM can rely on.
//!
//! This is the one place that knows the order of the night; `fidelio run` resolves its flags
//! into a [`NightPlan`] and calls [`run`], `fidelio validate --batch` starts from OCR records
//! and calls [`LedgerStep::decide`]. What happens on the way is told to an [`Observer`] (the
//! binary draws progress and logs from it): the library never prints.
//!
//! Fault injection: with the `fault-injection` feature (on in the crate's own tests only, never
//! in a release build), `FIDELIO_PAUSE_AT=<point>` stops a deciding run at a named point of the
//! commit sequence (`before-commit`, `in-commit`, `after-commit`, `mid-outputs`) until it is
//! killed, so the crash tests can `kill -9` it exactly there; `after-read-N` stops the OCR
//! stage once N entries were read.

mod timings;

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::campaign::{Campaign, ResultRecord};
use crate::ingest::{self, ManifestEntry, ScanOptions, WalkError};
use crate::ledger::{
    batch_name_from_inputs, caps_history, fingerprint_inputs, fingerprint_rules, settle,
    validate_batch_name, BatchCommit, BatchKey, BatchStart, DecidedReceipt, DuplicatePolicy,
    HeldForReview, Ledger, LedgerError, Picture, PriorAward, Revocation, RunLock,
};
use crate::ocr::{ocr_all, EngineFactory, OcrCache, OcrError, OcrJob, OcrRecord, RunnerOptions};
use crate::output::{
    write_atomic, Exporter, ItemsCsv, PointsWithRevocations, ResultsJsonl, Summary,
    SummaryWithRevocations,
};
use crate::reason::Status;
use crate::review::{render_report, NightReport};
use crate::validate::{decide_read, read_receipts};

pub use timings::Timings;

/// Why a night stopped. Operator mistakes ([`NightError::Setup`], [`NightError::Scan`], the
/// ledger's own) are told apart from faults by the binary for its exit code.
#[derive(Debug, thiserror::Error)]
pub enum NightError {
    /// The places or names given cannot work (output inside an input folder, …).
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Scan(#[from] WalkError),
    #[error(transparent)]
    Ocr(#[from] OcrError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot render the outputs: {0}")]
    Render(#[from] std::io::Error),
    #[error("cannot serialise a record: {0}")]
    Json(#[from] serde_json::Error),
}

impl NightError {
    /// A mistake the operator can fix, not a fault.
    pub fn is_operator_mistake(&self) -> bool {
        match self {
            NightError::Setup(_) | NightError::Scan(_) => true,
            NightError::Ledger(e) => e.is_operator_mistake(),
            _ => false,
        }
    }

    /// Another run held the ledger for the whole lock timeout.
    pub fn is_ledger_busy(&self) -> bool {
        matches!(self, NightError::Ledger(e) if e.is_busy())
    }
}

/// What the night tells whoever runs it, as it goes.
pub trait Observer: Sync {
    /// The inputs were scanned: `files` entries will be read.
    fn scanned(&self, _files: usize) {}
    /// One entry was read (or found in the cache, or skipped), from any worker thread.
    fn read(&self, _job: &OcrJob<'_>) {}
    /// Every entry was read.
    fn read_all(&self) {}
    /// Something the operator should know about the batch.
    fn note(&self, _note: Note<'_>) {}
}

/// An observer that wants to know nothing.
pub struct Silent;
impl Observer for Silent {}

/// Notes about the batch, in the order they happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note<'a> {
    /// The batch being decided or replayed.
    Batch { campaign: &'a str, batch: &'a str },
    /// The very same files were committed under another default name: this is that night again.
    SameFilesAs { batch: &'a str },
    /// The batch was committed before: its outputs are replayed, nothing is decided again.
    Replaying {
        batch: &'a str,
        committed_at: &'a str,
    },
    /// The campaign's rules changed since the replayed batch was committed (a warning).
    RulesChanged { campaign: &'a str, batch: &'a str },
}

/// Everything a night needs, resolved and checked by the caller.
pub struct NightPlan<'a> {
    pub inputs: &'a [PathBuf],
    pub scan: &'a ScanOptions,
    pub engine: &'a dyn EngineFactory,
    pub cache: Option<&'a OcrCache>,
    pub runner: &'a RunnerOptions,
    pub campaign: &'a Campaign,
    pub ledger: LedgerStep<'a>,
    pub out: &'a Path,
    /// Also write `report.html`.
    pub report: bool,
}

/// What a night did.
pub struct NightDone {
    pub summary: Summary,
    pub timings: Timings,
}

/// The default batch name of a night over `inputs` on `today` (`inbox@2026-12-02`), or the
/// operator's; and whether it is the dated default (which makes a re-run of the same files on
/// another day replay their night).
pub fn batch_name(
    given: Option<&str>,
    inputs: &[PathBuf],
    today: NaiveDate,
) -> Result<(String, bool), LedgerError> {
    let (name, dated) = match given {
        Some(name) => (name.to_string(), false),
        None => (batch_name_from_inputs(inputs, today)?, true),
    };
    validate_batch_name(&name)?;
    Ok((name, dated))
}

/// Check, before any work, that the outputs can be written and that neither `out` nor the
/// state directory lies inside an input folder (a night of OCR must not end on "cannot
/// write", and outputs inside an input would be read as receipts the next night).
pub fn check_places(out: &Path, state: &Path, inputs: &[PathBuf]) -> Result<(), NightError> {
    let existed = out.is_dir();
    std::fs::create_dir_all(out).map_err(|e| {
        NightError::Setup(format!("--out {}: cannot create it: {e}", out.display()))
    })?;
    let probe = out.join(".fidelio-write-check");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| {
            NightError::Setup(format!("--out {}: cannot write there: {e}", out.display()))
        })?;
    if let Err(refused) = check_apart("--out", out, inputs) {
        if !existed {
            let _ = std::fs::remove_dir(out); // leave the input folder as it was
        }
        return Err(refused);
    }
    check_apart("--state", state, inputs)
}

/// Where `dir` is or would be: its deepest existing ancestor resolved (links, `..`), the
/// rest of the path as given. A `--state` not created yet is where the run will create it
/// (was: skipped, so `--state inbox/state` was made there and read as receipts next night).
fn resolve(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    let mut rest = Vec::new();
    let mut base = dir.as_path();
    loop {
        if let Ok(found) = std::fs::canonicalize(base) {
            return Some(rest.iter().rev().fold(found, |path, part| path.join(part)));
        }
        rest.push(base.file_name()?.to_os_string());
        base = base.parent()?;
    }
}

/// `dir` must not lie inside an input folder, unless under a hidden folder (the walk skips
/// those: `inbox/.fidelio` is safe).
fn check_apart(flag: &str, dir: &Path, inputs: &[PathBuf]) -> Result<(), NightError> {
    let Some(dir) = resolve(dir) else {
        return Ok(());
    };
    for input in inputs {
        let Ok(input) = std::fs::canonicalize(input) else {
            continue;
        };
        let Ok(inside) = dir.strip_prefix(&input) else {
            continue;
        };
        let hidden = inside
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if input.is_dir() && !hidden {
            return Err(NightError::Setup(format!(
                "{flag} {} is inside the input folder {}: its files would be read as receipts \
                 the next night; put it beside the inputs",
                dir.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Run a night: scan → read → `ocr.jsonl` → decide and settle through the ledger → outputs
/// (results first, points last) → `report.html` if asked → `timings.json`.
pub fn run(plan: &NightPlan<'_>, observer: &dyn Observer) -> Result<NightDone, NightError> {
    let mut timings = timings::Clock::start();
    let entries: Vec<ManifestEntry> = ingest::scan(plan.inputs, plan.scan)?;
    timings.scanned();
    observer.scanned(entries.len());

    let counts = timings::Counts::default();
    let read = std::sync::atomic::AtomicUsize::new(0);
    let records = ocr_all(&entries, plan.engine, plan.cache, plan.runner, &|job| {
        counts.add(&job);
        observer.read(&job);
        let done = read.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        pause_after_read(done);
    })?;
    observer.read_all();
    timings.read(&counts);

    create_dir(plan.out)?;
    let mut ocr_bytes = Vec::new();
    crate::jsonl::write(&mut ocr_bytes, &records)?;
    write_file(&plan.out.join("ocr.jsonl"), &ocr_bytes)?;
    let summary = plan
        .ledger
        .decide(plan.campaign, &records, plan.out, observer)?;
    if plan.report {
        let results_bytes =
            std::fs::read(plan.out.join("results.jsonl")).map_err(|source| NightError::Write {
                path: plan.out.join("results.jsonl"),
                source,
            })?;
        let results: Vec<ResultRecord> = crate::jsonl::read(results_bytes.as_slice(), "results")
            .map_err(|e| NightError::Render(std::io::Error::other(e.to_string())))?;
        write_report(
            plan.out,
            &plan.campaign.id,
            &plan.ledger.batch,
            &results,
            records,
        )?;
    }
    let timings = timings.decided(entries.len());
    write_file(
        &plan.out.join("timings.json"),
        &serde_json::to_vec_pretty(&timings)?,
    )?;
    Ok(NightDone { summary, timings })
}

/// Render and write `dir/report.html` for `results`, with the pictures `records` read.
pub fn write_report(
    dir: &Path,
    campaign: &str,
    batch: &str,
    results: &[ResultRecord],
    records: Vec<OcrRecord>,
) -> Result<(), NightError> {
    let pages = records
        .into_iter()
        .filter_map(|r| Some((r.entry.id, r.ocr?)))
        .collect();
    let html = render_report(&NightReport {
        campaign,
        batch,
        results,
        pages: &pages,
    });
    create_dir(dir)?;
    write_file(&dir.join("report.html"), html.as_bytes())
}

/// How a deciding command uses the ledger.
pub struct LedgerStep<'a> {
    pub state: &'a Path,
    pub batch: String,
    pub lock_timeout: Duration,
    /// Who holds the lock, for whoever has to wait (`validate --batch mon`).
    pub holder: String,
    /// How repeats that are not byte-identical are treated.
    pub policy: DuplicatePolicy,
    /// The batch name is the default one, dated (`inbox@2026-12-02`): a batch committed with
    /// the very same files under another date is this night re-run, and is replayed.
    pub named_by_date: bool,
}

impl<'a> LedgerStep<'a> {
    /// The ledger step of deciding command `command` (`run`, `validate`) on `batch`.
    pub fn for_command(
        command: &str,
        state: &'a Path,
        batch: &str,
        lock_timeout: Duration,
    ) -> Self {
        LedgerStep {
            state,
            batch: batch.to_string(),
            lock_timeout,
            holder: format!("{command} --batch {batch}"),
            policy: DuplicatePolicy::default(),
            named_by_date: false,
        }
    }

    /// [`Self::apply`] with the campaign decider, seeded with earlier nights' awards; outputs
    /// written to `out`. Returns the batch's summary.
    pub fn decide(
        &self,
        campaign: &Campaign,
        records: &[OcrRecord],
        out: &Path,
        observer: &dyn Observer,
    ) -> Result<Summary, NightError> {
        let outputs = self.outputs(campaign, records, observer)?;
        write_outputs(out, &outputs)?;
        Ok(summary_of(&outputs))
    }

    /// The batch's output files (name, bytes), decided now or replayed.
    pub fn outputs(
        &self,
        campaign: &Campaign,
        records: &[OcrRecord],
        observer: &dyn Observer,
    ) -> Result<Outputs, NightError> {
        // Read on first use (a replayed batch decides nothing), then shared by every pass.
        let receipts = OnceCell::new();
        self.apply(campaign, records, observer, |prior, uncounted| {
            let receipts = receipts.get_or_init(|| read_receipts(records));
            decide_read(records, receipts, campaign, &caps_history(prior), uncounted)
        })
    }

    /// Replay the batch if it is committed, else decide it, settle duplicates over time and
    /// commit. `decide` gets the campaign's standing awards from earlier batches (read under
    /// the lock, for caps and budgets) and the positions to decide without counting against
    /// caps, and returns the results in input order.
    pub fn apply(
        &self,
        campaign: &Campaign,
        records: &[OcrRecord],
        observer: &dyn Observer,
        decide: impl Fn(&[PriorAward], &BTreeSet<usize>) -> Vec<ResultRecord>,
    ) -> Result<Outputs, NightError> {
        validate_batch_name(&self.batch)?;
        let _lock = RunLock::acquire(self.state, &self.holder, self.lock_timeout)?;
        let mut ledger = Ledger::open(self.state)?;
        ledger.set_busy_timeout(self.lock_timeout)?;
        let inputs = fingerprint_inputs(records.iter().map(|r| {
            let e = &r.entry;
            (e.id.as_str(), e.member.as_deref(), e.file.as_str())
        }));
        let mut key = BatchKey {
            campaign: campaign.id.clone(),
            batch: self.batch.clone(),
        };
        if self.named_by_date && !records.is_empty() {
            if let Some(earlier) = ledger.batch_with_inputs(&campaign.id, &inputs)? {
                if earlier != key.batch {
                    observer.note(Note::SameFilesAs { batch: &earlier });
                }
                key.batch = earlier;
            }
        }
        let rules = fingerprint_rules(campaign);
        // A second night of the same folder on the same day is that day's next batch.
        let mut round = 1;
        let start = loop {
            match ledger.begin_batch(&key, &inputs, &rules) {
                Err(LedgerError::BatchInputsChanged { .. }) if self.named_by_date => {
                    round += 1;
                    key.batch = format!("{}.{round}", self.batch);
                }
                other => break other?,
            }
        };
        observer.note(Note::Batch {
            campaign: &key.campaign,
            batch: &key.batch,
        });
        match start {
            BatchStart::Replay(stored) => {
                if stored.rules_changed {
                    observer.note(Note::RulesChanged {
                        campaign: &key.campaign,
                        batch: &key.batch,
                    });
                }
                observer.note(Note::Replaying {
                    batch: &key.batch,
                    committed_at: &stored.committed_at,
                });
                Ok(stored.outputs)
            }
            BatchStart::Fresh => {
                let prior = ledger.prior_awards(&campaign.id)?;
                let pictures: Vec<_> = records
                    .iter()
                    .map(|r| Picture::of_page(r.ocr.as_ref()))
                    .collect();
                let (results, receipts) = self.decide_and_settle(
                    &ledger,
                    campaign,
                    |uncounted| decide(&prior, uncounted),
                    &pictures,
                )?;
                let revocations = ledger.pending_revocations(&campaign.id)?;
                let outputs = render(&results, &revocations)?;
                let commit = BatchCommit {
                    key,
                    inputs,
                    rules,
                    campaign_rules: serde_json::to_string(campaign)?,
                    held: held_for_review(records, &results)?,
                    committed_at: Utc::now(),
                    receipts,
                    revocations: revocations.iter().map(|r| r.seq).collect(),
                    outputs: outputs.clone(),
                };
                pause_at("before-commit");
                let staged = ledger.stage_batch(&commit)?;
                pause_at("in-commit");
                staged.commit()?;
                pause_at("after-commit");
                Ok(outputs)
            }
        }
    }

    /// Decide, then settle repeats against the ledger and the batch. A repeat that would have
    /// been paid used up caps and budget that later submissions needed, so the batch is decided
    /// again without counting it, until every paying repeat is uncounted (each pass uncounts
    /// at least one more, so this ends; in practice a second pass settles it).
    fn decide_and_settle(
        &self,
        ledger: &Ledger,
        campaign: &Campaign,
        decide: impl Fn(&BTreeSet<usize>) -> Vec<ResultRecord>,
        pictures: &[Picture],
    ) -> Result<(Vec<ResultRecord>, Vec<DecidedReceipt>), LedgerError> {
        let mut uncounted = BTreeSet::new();
        loop {
            let mut results = decide(&uncounted);
            let paying: Vec<bool> = results.iter().map(pays).collect();
            let policy = DuplicatePolicy {
                changed_region: campaign.fraud.changed_region.status(),
                ..self.policy
            };
            let mut checker = ledger.claim_checker(&campaign.id, &self.batch, policy);
            let receipts = settle(&mut checker, &mut results, pictures)?;
            let paying_repeats: BTreeSet<usize> = receipts
                .iter()
                .filter(|r| r.finding.is_some() && paying[r.position])
                .map(|r| r.position)
                .collect();
            if paying_repeats.is_subset(&uncounted) {
                return Ok((results, receipts));
            }
            uncounted.extend(paying_repeats);
        }
    }
}

/// A batch's output files, in the ledger's order: name and exact bytes.
pub type Outputs = Vec<(String, Vec<u8>)>;

/// What each receipt decided `review` was decided on, for `fidelio review apply`.
fn held_for_review(
    records: &[OcrRecord],
    results: &[ResultRecord],
) -> Result<Vec<HeldForReview>, serde_json::Error> {
    results
        .iter()
        .zip(records)
        .enumerate()
        .filter(|(_, (result, _))| result.status == Status::Review)
        .map(|(position, (result, record))| {
            Ok(HeldForReview {
                position,
                record: serde_json::to_string(record)?,
                result: serde_json::to_string(result)?,
            })
        })
        .collect()
}

/// Whether a decided result earns points or cashback (and so counts against caps).
fn pays(result: &ResultRecord) -> bool {
    !result.points.is_zero() || result.cashback.is_some_and(|c| !c.is_zero())
}

/// Results, summary and points (both with the pending revocations), rendered once: these exact
/// bytes are committed and written, and replayed later.
fn render(results: &[ResultRecord], revocations: &[Revocation]) -> std::io::Result<Outputs> {
    let summary = SummaryWithRevocations { revocations };
    let points = PointsWithRevocations { revocations };
    let exporters: [&dyn Exporter; 4] = [&ResultsJsonl, &summary, &points, &ItemsCsv];
    exporters
        .iter()
        .map(|e| Ok((e.file_name().to_string(), e.render(results)?)))
        .collect()
}

/// Write a batch's outputs into `dir`: results.jsonl first, points.csv last, so a CRM that
/// picks points.csv up finds the rest beside it. Each file is replaced atomically.
pub fn write_outputs(dir: &Path, outputs: &[(String, Vec<u8>)]) -> Result<(), NightError> {
    create_dir(dir)?;
    let mut ordered: Vec<&(String, Vec<u8>)> = outputs.iter().collect();
    ordered.sort_by_key(|(name, _)| (name == "points.csv", name != "results.jsonl", name.clone()));
    for (index, (name, bytes)) in ordered.into_iter().enumerate() {
        if index == 1 {
            pause_at("mid-outputs");
        }
        write_file(&dir.join(name), bytes)?;
    }
    Ok(())
}

/// The summary among a batch's outputs.
pub fn summary_of(outputs: &[(String, Vec<u8>)]) -> Summary {
    outputs
        .iter()
        .find(|(name, _)| name == "summary.json")
        .and_then(|(_, bytes)| serde_json::from_slice(bytes).ok())
        .unwrap_or_default()
}

fn create_dir(dir: &Path) -> Result<(), NightError> {
    std::fs::create_dir_all(dir).map_err(|source| NightError::Write {
        path: dir.to_path_buf(),
        source,
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), NightError> {
    write_atomic(path, bytes).map_err(|source| NightError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The crash tests' hook: stop here until killed when `FIDELIO_PAUSE_AT` names this point.
#[cfg(feature = "fault-injection")]
fn pause_at(point: &str) {
    if std::env::var("FIDELIO_PAUSE_AT").is_ok_and(|p| p == point) {
        eprintln!("fidelio: paused at {point}");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
fn pause_at(_point: &str) {}

/// The crash tests' hook in the OCR stage: `after-read-N` stops once N entries were read (and
/// cached), however fast the machine.
#[cfg(feature = "fault-injection")]
fn pause_after_read(done: usize) {
    if std::env::var("FIDELIO_PAUSE_AT").is_ok_and(|p| p.starts_with("after-read-")) {
        pause_at(&format!("after-read-{done}"));
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
fn pause_after_read(_done: usize) {}
