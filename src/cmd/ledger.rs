//! `fidelio ledger stats|export|revoke|history|purge`, and the ledger step of the deciding
//! commands: take the run lock, replay a committed batch or settle and commit a new one, then
//! write the outputs.
//!
//! `FIDELIO_PAUSE_AT=<point>` makes a deciding run stop at a named point of the commit sequence
//! until it is killed (`before-commit`, `in-commit`, `after-commit`, `mid-outputs`): the crash
//! tests use it to `kill -9` the binary exactly there. It is inert unless set.

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, Utc};

use fidelio::campaign::Campaign;
use fidelio::campaign::ResultRecord;
use fidelio::image::Phash;
use fidelio::ledger::caps_history;
use fidelio::ledger::{
    fingerprint_inputs, fingerprint_rules, settle, validate_batch_name, BatchCommit, BatchKey,
    BatchStart, DecidedReceipt, DuplicatePolicy, HeldForReview, Ledger, LedgerError, PriorAward,
    Revocation, RunLock,
};
use fidelio::ocr::OcrRecord;
use fidelio::output::{
    csv_text, Exporter, ItemsCsv, PointsWithRevocations, ResultsJsonl, Summary,
    SummaryWithRevocations,
};
use fidelio::reason::Status;
use fidelio::validate::{decide_read, read_receipts};

use crate::args::{LedgerArgs, LedgerCommand};
use crate::cmd::shared::write_jsonl;
use crate::exit::{usage, ExitCode};

/// How a deciding command uses the ledger.
pub struct LedgerStep<'a> {
    pub state: &'a Path,
    pub batch: String,
    pub lock_timeout: Duration,
    /// Who holds the lock, for whoever has to wait (`validate --batch mon`).
    pub holder: String,
    /// How repeats that are not byte-identical are treated (the campaign's choice, once its
    /// file can say so).
    pub policy: DuplicatePolicy,
    pub quiet: bool,
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
        lock_timeout_s: u64,
        quiet: bool,
    ) -> Self {
        LedgerStep {
            state,
            batch: batch.to_string(),
            lock_timeout: Duration::from_secs(lock_timeout_s),
            holder: format!("{command} --batch {batch}"),
            policy: DuplicatePolicy::default(),
            quiet,
            named_by_date: false,
        }
    }

    /// [`Self::apply`] with the campaign decider, seeded with earlier nights' awards.
    pub fn decide(
        &self,
        campaign: &Campaign,
        records: &[OcrRecord],
        out: Option<&Path>,
    ) -> anyhow::Result<Summary> {
        // Read on first use (a replayed batch decides nothing), then shared by every pass.
        let receipts = OnceCell::new();
        self.apply(
            campaign,
            records,
            |prior, uncounted| {
                let receipts = receipts.get_or_init(|| read_receipts(records));
                decide_read(records, receipts, campaign, &caps_history(prior), uncounted)
            },
            out,
        )
    }
    /// Replay `batch` if it is committed, else decide it, settle duplicates over time, commit,
    /// and write the outputs to `out` (or results on stdout). `decide` gets the campaign's
    /// standing awards from earlier batches (read under the lock, for caps and budgets) and the
    /// positions to decide without counting against caps, and returns the results in input
    /// order. Returns the batch's summary.
    pub fn apply(
        &self,
        campaign: &Campaign,
        records: &[OcrRecord],
        decide: impl Fn(&[PriorAward], &BTreeSet<usize>) -> Vec<ResultRecord>,
        out: Option<&Path>,
    ) -> anyhow::Result<Summary> {
        validate_batch_name(&self.batch).map_err(operator_error)?;
        let _lock = RunLock::acquire(self.state, &self.holder, self.lock_timeout)?;
        let mut ledger = Ledger::open(self.state)?;
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
                if earlier != key.batch && !self.quiet {
                    tracing::info!(
                        "these very files were committed as batch {earlier}: this is that \
                         night again"
                    );
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
                other => break other.map_err(operator_error)?,
            }
        };
        if !self.quiet {
            tracing::info!("batch {} of campaign {}", key.batch, key.campaign);
        }
        let outputs = match start {
            BatchStart::Replay(stored) => {
                self.announce_replay(&key, &stored.committed_at, stored.rules_changed);
                stored.outputs
            }
            BatchStart::Fresh => {
                let prior = ledger.prior_awards(&campaign.id)?;
                let phashes: Vec<_> = records
                    .iter()
                    .map(|r| r.ocr.as_ref().and_then(|p| p.phash))
                    .collect();
                let (results, receipts) = self.decide_and_settle(
                    &ledger,
                    &campaign.id,
                    |uncounted| decide(&prior, uncounted),
                    &phashes,
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
                outputs
            }
        };
        write_outputs(out, &outputs)?;
        Ok(summary_of(&outputs))
    }

    /// Decide, then settle repeats against the ledger and the batch. A repeat that would have
    /// been paid used up caps and budget that later submissions needed, so the batch is decided
    /// again without counting it, until every paying repeat is uncounted (each pass uncounts
    /// at least one more, so this ends; in practice a second pass settles it).
    fn decide_and_settle(
        &self,
        ledger: &Ledger,
        campaign: &str,
        decide: impl Fn(&BTreeSet<usize>) -> Vec<ResultRecord>,
        phashes: &[Option<Phash>],
    ) -> anyhow::Result<(Vec<ResultRecord>, Vec<DecidedReceipt>)> {
        let mut uncounted = BTreeSet::new();
        loop {
            let mut results = decide(&uncounted);
            let paying: Vec<bool> = results.iter().map(pays).collect();
            let mut checker = ledger.claim_checker(campaign, &self.batch, self.policy);
            let receipts = settle(&mut checker, &mut results, phashes)?;
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

    fn announce_replay(&self, key: &BatchKey, committed_at: &str, rules_changed: bool) {
        if rules_changed {
            tracing::warn!(
                "campaign {} changed since batch {} was committed; the \
                 committed decisions stand",
                key.campaign,
                key.batch
            );
        }
        if !self.quiet {
            tracing::info!(
                "batch {} was committed at {committed_at}: replaying its outputs \
                 (nothing decided or awarded again)",
                key.batch
            );
        }
    }
}

/// What each receipt decided `review` was decided on, for `fidelio review apply`.
fn held_for_review(
    records: &[OcrRecord],
    results: &[ResultRecord],
) -> anyhow::Result<Vec<HeldForReview>> {
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
fn render(
    results: &[ResultRecord],
    revocations: &[Revocation],
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let summary = SummaryWithRevocations { revocations };
    let points = PointsWithRevocations { revocations };
    let exporters: [&dyn Exporter; 4] = [&ResultsJsonl, &summary, &points, &ItemsCsv];
    exporters
        .iter()
        .map(|e| Ok((e.file_name().to_string(), e.render(results)?)))
        .collect()
}

/// results.jsonl first, points.csv last, so a CRM that picks it up finds the rest beside it.
pub fn write_outputs(out: Option<&Path>, outputs: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let Some(dir) = out else {
        let results = outputs.iter().find(|(name, _)| name == "results.jsonl");
        if let Some((_, bytes)) = results {
            use std::io::Write;
            std::io::stdout().lock().write_all(bytes)?;
        }
        return Ok(());
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut ordered: Vec<&(String, Vec<u8>)> = outputs.iter().collect();
    ordered.sort_by_key(|(name, _)| (name == "points.csv", name != "results.jsonl", name.clone()));
    for (index, (name, bytes)) in ordered.into_iter().enumerate() {
        if index == 1 {
            pause_at("mid-outputs");
        }
        let path = dir.join(name);
        fidelio::output::write_atomic(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn summary_of(outputs: &[(String, Vec<u8>)]) -> Summary {
    outputs
        .iter()
        .find(|(name, _)| name == "summary.json")
        .and_then(|(_, bytes)| serde_json::from_slice(bytes).ok())
        .unwrap_or_default()
}

/// Mistakes the operator can fix (exit 2) apart from faults of the store (exit 3).
pub fn operator_error(err: LedgerError) -> anyhow::Error {
    match err {
        LedgerError::Missing(_)
        | LedgerError::BatchInputsChanged { .. }
        | LedgerError::InvalidBatchName(_)
        | LedgerError::NoBatchName(_)
        | LedgerError::UnknownReceipt(_)
        | LedgerError::AmbiguousReceipt { .. }
        | LedgerError::AlreadyRevoked { .. } => usage(err.to_string()),
        other => other.into(),
    }
}

/// The crash tests' hook: stop here until killed when `FIDELIO_PAUSE_AT` names this point.
fn pause_at(point: &str) {
    if std::env::var("FIDELIO_PAUSE_AT").is_ok_and(|p| p == point) {
        tracing::info!("paused at {point}");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

pub fn run(args: LedgerArgs) -> anyhow::Result<ExitCode> {
    let state = args.state.state;
    match args.command {
        LedgerCommand::Stats { campaign } => {
            let stats = Ledger::open_existing(&state)
                .map_err(operator_error)?
                .stats(campaign.as_deref())?;
            println!("{}", serde_json::to_string_pretty(&stats)?);
        }
        LedgerCommand::Export { campaign, output } => export(&state, &campaign, output)?,
        LedgerCommand::Revoke {
            receipt_id,
            reason,
            campaign,
        } => {
            let mut ledger = Ledger::open_existing(&state).map_err(operator_error)?;
            let revocation = ledger
                .revoke(&receipt_id, campaign.as_deref(), &reason, Utc::now())
                .map_err(operator_error)?;
            tracing::info!(
                "revoked {} points of receipt {} (member {}, campaign {}); the negative \
                 line goes out in the campaign's next points.csv",
                -revocation.points,
                revocation.receipt_id,
                revocation.member.as_deref().unwrap_or("unknown"),
                revocation.campaign
            );
            println!("{}", serde_json::to_string(&revocation)?);
        }
        LedgerCommand::History { member, campaign } => {
            let history = Ledger::open_existing(&state)
                .map_err(operator_error)?
                .member_history(&member, campaign.as_deref())?;
            write_jsonl(None, &history)?;
        }
        LedgerCommand::Purge {
            before,
            campaign,
            lock_timeout,
        } => {
            let before = NaiveDate::parse_from_str(&before, "%Y-%m-%d")
                .map_err(|_| usage(format!("--before {before:?}: expected YYYY-MM-DD")))?;
            let _lock =
                RunLock::acquire(&state, "ledger purge", Duration::from_secs(lock_timeout))?;
            let report = Ledger::open_existing(&state)
                .map_err(operator_error)?
                .purge_before(before, campaign.as_deref())?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(ExitCode::Success)
}

const EXPORT_HEADER: [&str; 13] = [
    "seq",
    "kind",
    "campaign_id",
    "batch",
    "member_id",
    "receipt_id",
    "purchase_date",
    "merchant",
    "total",
    "points",
    "cashback",
    "reason",
    "created_at",
];

fn export(state: &Path, campaign: &str, output: Option<PathBuf>) -> anyhow::Result<()> {
    let lines = Ledger::open_existing(state)
        .map_err(operator_error)?
        .award_lines(campaign)?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(EXPORT_HEADER)?;
    let text = |v: &Option<String>| csv_text(v.as_deref().unwrap_or_default()).into_owned();
    for line in &lines {
        writer.write_record([
            line.seq.to_string(),
            csv_text(&line.kind).into_owned(),
            csv_text(&line.campaign).into_owned(),
            text(&line.batch),
            text(&line.member),
            csv_text(&line.receipt_id).into_owned(),
            line.purchase_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            text(&line.merchant),
            line.total.map(|t| t.to_string()).unwrap_or_default(),
            line.points.to_string(),
            line.cashback.to_string(),
            text(&line.reason),
            line.created_at.clone(),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    match output {
        Some(path) => fidelio::output::write_atomic(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(())
}
