//! Reading a campaign file and reporting what is wrong with it where the author can find it.
//!
//! A campaign manager edits the TOML by hand, so every error names the file, line and column,
//! quotes the line, and for a misspelt key suggests the closest allowed one. Syntax and type
//! errors come from the TOML reader (one at a time, it cannot go on); rule errors
//! ([`super::check`]) are all reported together.

use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::check;
use super::model::Campaign;

/// One thing wrong in a campaign file, located in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// The offending source line, and how many characters to underline from `column`.
    pub excerpt: Option<(String, usize)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("cannot read campaign {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The file is not UTF-8 text: where the first bad byte is, and what to do.
    #[error("campaign {path}: {message}")]
    Encoding { path: String, message: String },
    #[error("{}", render(path, problems))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

impl CampaignError {
    pub fn problems(&self) -> &[Problem] {
        match self {
            CampaignError::Read { .. } | CampaignError::Encoding { .. } => &[],
            CampaignError::Invalid { problems, .. } => problems,
        }
    }
}

/// The campaign file as UTF-8 text, its byte order mark dropped; or where it is not UTF-8
/// (byte offset, line, column), so a file saved as Latin-1 or UTF-16 by a spreadsheet or an
/// editor is fixed in a minute.
fn utf8_text(bytes: &[u8]) -> Result<&str, String> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(
            "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as \
                    UTF-8"
                .into(),
        );
    }
    let (skipped, body) = match bytes.strip_prefix(BOM) {
        Some(body) => (BOM.len(), body),
        None => (0, bytes),
    };
    if let Some(at) = body.iter().take(4096).position(|&b| b == 0) {
        return Err(format!(
            "byte {} is NUL: the file looks like UTF-16 or binary; save it as UTF-8 text",
            skipped + at
        ));
    }
    std::str::from_utf8(body).map_err(|e| {
        let at = e.valid_up_to();
        let before = &body[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        format!(
            "byte {} (line {line}, column {column}) is 0x{:02X}, not UTF-8: the file is probably \
             Latin-1 or Windows-1252; save it as UTF-8",
            skipped + at,
            body[at]
        )
    })
}

impl Campaign {
    pub fn load(path: &Path) -> Result<Campaign, CampaignError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| CampaignError::Read {
            path: shown.clone(),
            source,
        })?;
        let text = utf8_text(&bytes).map_err(|message| CampaignError::Encoding {
            path: shown.clone(),
            message,
        })?;
        Campaign::parse(text, &shown)
    }

    /// Parse and check a campaign: syntax, types, unknown keys, then the rules themselves.
    pub fn parse(text: &str, origin: &str) -> Result<Campaign, CampaignError> {
        let invalid = |problems| CampaignError::Invalid {
            path: origin.to_string(),
            problems,
        };
        let campaign: Campaign = toml::from_str(text).map_err(|e| {
            let message = explain_toml_message(e.message());
            invalid(vec![Problem::at(text, e.span(), message)])
        })?;
        let problems = check::check(&campaign, text);
        if problems.is_empty() {
            Ok(campaign)
        } else {
            Err(invalid(problems))
        }
    }
}

impl Problem {
    /// A problem at byte `span` of `text` (the whole file when there is no span).
    pub fn at(text: &str, span: Option<Range<usize>>, message: String) -> Problem {
        let Some(span) = span.filter(|s| s.start <= text.len()) else {
            return Problem {
                line: 0,
                column: 0,
                message,
                excerpt: None,
            };
        };
        let start = floor_char_boundary(text, span.start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let source_line = text[line_start..line_end].trim_end_matches('\r');
        let column = text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(text, span.end.clamp(start, line_end));
        let width = text[start..end].chars().count().max(1);
        Problem {
            line: text[..line_start].matches('\n').count() + 1,
            column,
            message,
            excerpt: Some((source_line.to_string(), width)),
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn render(path: &str, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if p.line == 0 {
            out.push_str(&format!("{path}: {}", p.message));
            continue;
        }
        out.push_str(&format!("{path}:{}:{}: {}", p.line, p.column, p.message));
        if let Some((source, width)) = &p.excerpt {
            let gutter = p.line.to_string().len();
            out.push_str(&format!(
                "\n{:gutter$} |\n{} | {source}\n{:gutter$} | {}{}",
                "",
                p.line,
                "",
                " ".repeat(p.column - 1),
                "^".repeat(*width),
            ));
        }
    }
    out
}

static UNKNOWN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^unknown (field|variant) `([^`]*)`, (?:expected (?:one of )?(.*)|there are no (?:fields|variants))$")
        .expect("static regex")
});
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]*)`").expect("static regex"));
static MISSING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^missing field `([^`]*)`$").expect("static regex"));

/// Serde's messages, in a campaign manager's words, with a "did you mean" for typos.
pub fn explain_toml_message(message: &str) -> String {
    let message = message.trim();
    if let Some(c) = MISSING.captures(message) {
        return format!("missing required key `{}`", &c[1]);
    }
    let Some(c) = UNKNOWN.captures(message) else {
        return message.to_string();
    };
    let what = if &c[1] == "field" { "key" } else { "value" };
    let given = &c[2];
    // Serde lists them as "`a`", "`a` or `b`", "one of `a`, `b`, `c`": take what is quoted.
    let allowed: Vec<&str> = c
        .get(3)
        .map(|m| {
            QUOTED
                .captures_iter(m.as_str())
                .map(|q| q.get(1).map_or("", |g| g.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match closest(given, &allowed) {
        Some(best) => format!("unknown {what} `{given}`: did you mean `{best}`? (allowed: {list})"),
        None if allowed.is_empty() => format!("unknown {what} `{given}`: nothing is allowed here"),
        None => format!("unknown {what} `{given}` (allowed: {list})"),
    }
}

/// The allowed spelling closest to `given`, if it is close enough to be a typo.
pub fn closest<'a>(given: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let given = given.to_lowercase();
    allowed
        .iter()
        .map(|a| (strsim::jaro_winkler(&given, &a.to_lowercase()), *a))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_key() {
        let m = explain_toml_message(
            "unknown field `pionts`, expected one of `points`, `cashback`, `receipts`",
        );
        assert_eq!(
            m,
            "unknown key `pionts`: did you mean `points`? (allowed: `points`, `cashback`, `receipts`)"
        );
        let m = explain_toml_message(
            "unknown variant `half-up`, expected one of `down`, `up`, `half_up`, `half_even`",
        );
        assert!(m.contains("did you mean `half_up`?"), "{m}");
        let m = explain_toml_message("unknown field `pionts`, expected `points` or `cashback`");
        assert!(
            m.contains("did you mean `points`? (allowed: `points`, `cashback`)"),
            "{m}"
        );
        let m = explain_toml_message("unknown field `zzz`, expected `id`");
        assert_eq!(m, "unknown key `zzz` (allowed: `id`)");
    }

    #[test]
    fn locates_line_and_column() {
        let text = "id = \"x\"\nname = 12\n";
        let p = Problem::at(text, Some(16..18), "bad".into());
        assert_eq!((p.line, p.column), (2, 8));
        assert_eq!(p.excerpt, Some(("name = 12".into(), 2)));
        let p = Problem::at(text, None, "whole".into());
        assert_eq!(p.line, 0);
    }
}
