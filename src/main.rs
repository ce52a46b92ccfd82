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
    let args = args::Cli::parse();
    log::init(args.log_format, args.verbose);
    // A panic is a bug, never exit 101: say so, and exit 3 (internal error) like any other.
    std::panic::set_hook(Box::new(|info| {
        tracing::error!("internal error (a bug, please report it): {info}");
    }));
    let code = match std::panic::catch_unwind(|| cmd::dispatch(args)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => exit::report(&err),
        Err(_) => exit::ExitCode::Internal,
    };
    std::process::exit(code as i32);
}
