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
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Ocr(args) => ocr::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Campaign(command) => campaign::run(command),
        Command::Ledger(args) => ledger::run(args),
        Command::Review(args) => review::run(args),
        Command::Report(args) => report::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Models(args) => models::run(args),
    }
}
