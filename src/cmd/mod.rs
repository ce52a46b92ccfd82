//! One file per subcommand: thin glue from validated config to library calls to output.

mod campaign;
mod eval;
mod ledger;
mod models;
mod ocr;
mod report;
mod review;
mod run;
mod scan;
mod shared;
mod validate;

use crate::args::{Cli, Command};
use crate::exit::ExitCode;

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let verbose = cli.verbose > 0;
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Ocr(args) => ocr::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Campaign(command) => campaign::run(command),
        Command::Ledger(args) => ledger::run(args),
        Command::Review(args) => review::run(args),
        Command::Report(args) => report::run(args),
        // Rendered in memory, then written, so a closed pipe is an error the exit code mapping
        // ends quietly (the generators panic on one).
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "fidelio", &mut script);
            print_bytes(&script)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut page)?;
            print_bytes(&page)
        }
        Command::Eval(args) => eval::run(args, verbose),
        Command::Models(args) => models::run(args),
    }
}

fn print_bytes(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()?;
    Ok(ExitCode::Success)
}
