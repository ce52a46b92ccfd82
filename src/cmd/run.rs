//! `fidelio run`: the nightly job. Flags are resolved and checked here; the night itself
//! (scan → OCR → decide through the ledger → outputs) is `fidelio::night::run`.

use std::time::{Duration, Instant};

use fidelio::night::{self, LedgerStep, NightPlan};

use crate::args::RunArgs;
use crate::cmd::shared::{load_campaign, ocr_config, ScanConfig};
use crate::exit::ExitCode;
use crate::progress::{print_summary, NightLog};

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let campaign = load_campaign(&args.campaign)?;
    let scan = ScanConfig::from_args(&args.input)?;
    let ocr = ocr_config(&args.ocr, &args.state.state, Some(&campaign))?;
    let today = chrono::Local::now().date_naive();
    let (batch, named_by_date) =
        night::batch_name(args.batch.batch.as_deref(), &args.input.inputs, today)?;
    night::check_places(&args.out, &args.state.state, &args.input.inputs)?;
    let mut ledger = LedgerStep::for_command(
        "run",
        &args.state.state,
        &batch,
        Duration::from_secs(args.batch.lock_timeout),
    );
    ledger.named_by_date = named_by_date;

    let started = Instant::now();
    let plan = NightPlan {
        inputs: &scan.inputs,
        scan: &scan.options,
        engine: ocr.factory.as_ref(),
        cache: ocr.cache.as_ref(),
        runner: &ocr.runner,
        campaign: &campaign,
        ledger,
        out: &args.out,
        report: args.report,
    };
    let log = NightLog::new(args.quiet);
    let done = night::run(&plan, &log)?;
    if !args.quiet {
        print_summary(
            &done.summary,
            started.elapsed(),
            Some(&args.out),
            log.replayed(),
        );
    }
    Ok(ExitCode::for_summary(&done.summary))
}
