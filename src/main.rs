//! The `fidelio` binary: parse arguments, validate them into a config, run one subcommand,
//! map the outcome to a documented exit code. All terminal output lives here and in `cmd/`.

mod args;
mod cmd;
mod exit;
mod omp;
mod progress;

use clap::Parser;

fn main() {
    // Must happen before anything else: Tesseract's OpenMP reads its thread limit when the
    // library loads, so the only fix that works is re-executing with the variable set.
    omp::ensure_single_threaded_openmp();
    let args = args::Cli::parse();
    let code = match cmd::dispatch(args) {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    };
    std::process::exit(code as i32);
}
