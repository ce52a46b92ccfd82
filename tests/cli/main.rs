//! Integration tests: the real `fidelio` binary in a temp dir, one module per subcommand
//! (mirroring `src/cmd/`). Most use `--engine text`; `samples` runs real Tesseract.

mod util;

mod ocr;
mod run;
mod samples;
mod scan;
mod transcripts;
mod validate;
