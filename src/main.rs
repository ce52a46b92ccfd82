//! The `fidelio` binary: parse arguments, validate them into a config, run one subcommand,
//! map the outcome to a documented exit code. All terminal output lives here and in `cmd/`.

mod args;
mod cmd;
mod exit;
mod log;
mod process;
mod progress;

use clap::Parser;

fn main() {
    // Must happen before anything else: Tesseract's OpenMP reads its thread limit when the
    // library loads, so the only fix that works is re-executing with the variable set.
    process::ensure_single_threaded_openmp();
    let args = match args::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => log::refuse_arguments(err),
    };
    log::init(args.log_format, args.verbose);
    // A panic is a bug, never exit 101: say so, and exit 3 (internal error) like any other.
    std::panic::set_hook(Box::new(|info| {
        tracing::error!("internal error (a bug, please report it): {info}");
    }));
    let code = match std::panic::catch_unwind(|| {
        debug_panic();
        cmd::dispatch(args)
    }) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => exit::report(&err),
        Err(_) => exit::ExitCode::Internal,
    };
    std::process::exit(code as i32);
}

/// Test builds only: `FIDELIO_DEBUG_PANIC=1` panics in a worker thread, as a bug in a reader
/// would, so a test can check that a panic still exits 3 with a message.
fn debug_panic() {
    #[cfg(debug_assertions)]
    if std::env::var_os("FIDELIO_DEBUG_PANIC").is_some() {
        use rayon::prelude::*;
        (0..4).into_par_iter().for_each(|i| {
            if i == 3 {
                panic!("FIDELIO_DEBUG_PANIC is set");
            }
        });
    }
}
