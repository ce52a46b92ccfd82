//! Messages on stderr through `tracing`: `fidelio: …` lines for people (the default), or one
//! JSON object per line for log collectors (`--log-format json`: Kubernetes, journald), each
//! with a timestamp, level and message. `-v` shows debug events, `-vv` trace; `RUST_LOG`
//! (`RUST_LOG=fidelio=debug`) overrides both. Data never goes here: stdout carries it.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

use crate::args::LogFormat;

/// The format stderr messages take, once `init` ran.
static FORMAT: std::sync::OnceLock<LogFormat> = std::sync::OnceLock::new();

/// Whether messages go out as JSON objects: reports a command writes on stderr in its own
/// layout for people (`campaign check`'s problems) go through `tracing` then.
pub fn is_json() -> bool {
    matches!(FORMAT.get(), Some(LogFormat::Json))
}

/// Install the subscriber for the whole process. `verbose`: how many `-v`.
pub fn init(format: LogFormat, verbose: u8) {
    let _ = FORMAT.set(format);
    let default = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    // A second init (tests calling in twice) keeps the first: ignore the error.
    let _ = match format {
        LogFormat::Text => builder.event_format(Plain).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

/// Arguments clap refused: printed as clap prints them (exit 2; `--help` and `--version` on
/// stdout, exit 0), except that with `--log-format json` (or `FIDELIO_LOG_FORMAT=json`) a
/// refusal is one JSON object like every other message, so a log collector sees it whole.
pub fn refuse_arguments(err: clap::Error) -> ! {
    use clap::error::ErrorKind;
    let shown = matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if shown || !json_requested() {
        err.exit();
    }
    init(LogFormat::Json, 0);
    tracing::error!("{}", err.render().to_string().trim_end());
    std::process::exit(err.exit_code());
}

/// `--log-format json`, `--log-format=json` or `FIDELIO_LOG_FORMAT=json`, read from the raw
/// arguments when clap could not parse them.
fn json_requested() -> bool {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let flag = args.iter().enumerate().any(|(i, a)| {
        a == "--log-format=json"
            || (a == "--log-format" && args.get(i + 1).is_some_and(|v| v == "json"))
    });
    flag || std::env::var("FIDELIO_LOG_FORMAT").is_ok_and(|v| v == "json")
}

/// `fidelio: message`, `fidelio: warning: message`, `fidelio: error: message`: what the
/// binary always printed, so people and scripts reading stderr see no change.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let level = match *event.metadata().level() {
            Level::ERROR => "error: ",
            Level::WARN => "warning: ",
            Level::DEBUG => "debug: ",
            Level::TRACE => "trace: ",
            Level::INFO => "",
        };
        write!(writer, "fidelio: {level}")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
