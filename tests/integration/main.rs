//! The integration tests, in one binary with one harness (`util`: `Dir`, `TestCommand`): the
//! real `fidelio` binary in a temp dir, one module per subcommand (mirroring `src/cmd/`), the
//! campaign engine through the library, and the source's own shape (`architecture`). Most use
//! `--engine text`; `samples` and `models` run the real neural reader (its models installed by
//! `scripts/install-deps`).

mod util;

mod architecture;
mod campaign;
mod conventions;
mod eval;
mod fraud;
mod hostile;
mod ledger;
mod models;
mod ocr;
mod report;
mod review;
mod run;
mod samples;
mod scan;
mod schemas;
mod transcripts;
mod validate;
