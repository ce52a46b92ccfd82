//! Integration tests: the real `fidelio` binary in a temp dir, one module per subcommand
//! (mirroring `src/cmd/`). Most use `--engine text`; `samples` and `models` run the real neural
//! reader (its models installed by `scripts/install-deps`).

mod util;

mod architecture;
mod conventions;
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
