//! `decisions.csv`: what reviewers decided, one line per receipt.
//!
//! Reviewers fill it in the HTML report (which downloads it) or in a spreadsheet (from
//! `fidelio review export`), so it is read the way spreadsheets write it: a byte-order mark,
//! `;` as the separator (French and German Excel), CRLF, and `12,50` for an amount are all
//! accepted. Dates are ISO (`2024-03-05`) or day first (`05/03/2024`, `05.03.2024`), the
//! European order a spreadsheet in these locales turns an ISO date into.
//!
//! Columns: `receipt_id,decision,merchant,date,time,total,reviewer,note` (any order; only
//! `receipt_id` and `decision` are required). `decision` is `approve`, `reject` or empty (not
//! decided yet: the line is skipped); a field cell left empty keeps what was read. Every
//! problem is reported with its line and column before anything is applied.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub const DECISIONS_HEADER: [&str; 8] = [
    "receipt_id",
    "decision",
    "merchant",
    "date",
    "time",
    "total",
    "reviewer",
    "note",
];

/// Optional column: item quantities corrected, `LINE=QUANTITY` pairs separated by spaces
/// (`12=2 15=0,5`), LINE being the item's OCR line (`items[].line` in results.jsonl) — what a
/// reviewer sets when a product's count could not be read (`UNCERTAIN_QUANTITY`).
pub const QUANTITIES_COLUMN: &str = "quantities";

/// Columns `fidelio review export` adds so a reviewer in a spreadsheet knows which file to
/// open and why it is in review. `campaign`, when filled, tells apart a file held in two
/// campaigns; the others are read and ignored.
pub const CONTEXT_COLUMNS: [&str; 5] = ["campaign", "batch", "member", "file", "reasons"];

/// The largest total a reviewer may type (as in campaign files).
const MAX_TOTAL: i64 = 1_000_000_000;
/// Free text is kept in the ledger and in outputs: keep it bounded.
const MAX_TEXT: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Approve,
    Reject,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }
}

/// The fields a reviewer typed; `None` keeps what was read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corrections {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Decimal>,
    /// Item quantities by OCR line.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quantities: BTreeMap<usize, Decimal>,
}

/// One line of a decisions file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionLine {
    /// 1-based line in the file.
    pub line: usize,
    pub receipt_id: String,
    /// `None`: not decided yet.
    pub verdict: Option<Verdict>,
    pub corrections: Corrections,
    pub reviewer: Option<String>,
    pub note: Option<String>,
    /// The campaign the line names, if the file has that column.
    pub campaign: Option<String>,
    /// 1-based columns of `receipt_id`, `decision` and `quantities` (0 when absent), for
    /// problems found when applying.
    pub id_column: usize,
    pub decision_column: usize,
    pub quantities_column: usize,
}

/// A problem in a decisions file, where a person can find it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (field number); 0 for the whole line.
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl LineError {
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> LineError {
        LineError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// Read a decisions file: its good lines, and every problem found in the others (when the
/// header itself is wrong, no lines).
pub fn read_decisions(bytes: &[u8]) -> (Vec<DecisionLine>, Vec<LineError>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        let error = LineError::new(0, 0, "not UTF-8 text: save the file as CSV UTF-8");
        return (Vec::new(), vec![error]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(bytes))
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => return (Vec::new(), vec![LineError::new(1, 0, e.to_string())]),
    };
    let columns = match columns(&header) {
        Ok(columns) => columns,
        Err(problems) => return (Vec::new(), problems),
    };
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(bytes, p.byte()));
                errors.push(LineError::new(line, 0, e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(bytes, p.byte()));
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if record.len() > header.len() {
            errors.push(LineError::new(
                line,
                header.len() + 1,
                format!(
                    "{} cells where the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let mut problem = |column: usize, message: String| {
            errors.push(LineError::new(line, column + 1, message));
        };
        let cell = |name: &str| -> (usize, &str) {
            match columns.get(name) {
                Some(&index) => (index, record.get(index).unwrap_or("").trim()),
                None => (usize::MAX, ""),
            }
        };
        let (id_column, id) = cell("receipt_id");
        let receipt_id = id.to_ascii_lowercase();
        if receipt_id.len() != 64 || !receipt_id.chars().all(|c| c.is_ascii_hexdigit()) {
            problem(
                id_column,
                format!("receipt_id {id:?} is not a receipt id (64 hex digits)"),
            );
            continue;
        }
        if let Some(first) = seen.insert(receipt_id.clone(), line) {
            problem(
                id_column,
                format!("receipt {receipt_id} is already decided on line {first}"),
            );
            continue;
        }
        let (column, decision) = cell("decision");
        let verdict = match decision.to_ascii_lowercase().as_str() {
            "" => None,
            "approve" => Some(Verdict::Approve),
            "reject" => Some(Verdict::Reject),
            other => {
                problem(
                    column,
                    format!("decision {other:?}: write approve, reject, or leave it empty"),
                );
                continue;
            }
        };
        let mut corrections = Corrections::default();
        let (column, merchant) = cell("merchant");
        if merchant.chars().count() > MAX_TEXT {
            problem(
                column,
                format!("merchant longer than {MAX_TEXT} characters"),
            );
        } else if !merchant.is_empty() {
            corrections.merchant = Some(unquote_formula(merchant).to_string());
        }
        let (column, date) = cell("date");
        if !date.is_empty() {
            match parse_date(date) {
                Some(d) => corrections.date = Some(d),
                None => problem(
                    column,
                    format!("date {date:?}: write YYYY-MM-DD (or DD/MM/YYYY)"),
                ),
            }
        }
        let (column, time) = cell("time");
        if !time.is_empty() {
            match parse_time(time) {
                Some(t) => corrections.time = Some(t),
                None => problem(column, format!("time {time:?}: write HH:MM (24 h)")),
            }
        }
        let (column, total) = cell("total");
        if !total.is_empty() {
            match parse_total(total) {
                Some(t) => corrections.total = Some(t),
                None => problem(
                    column,
                    format!("total {total:?}: write an amount such as 12.50 or 12,50"),
                ),
            }
        }
        let (column, quantities) = cell(QUANTITIES_COLUMN);
        if !quantities.is_empty() {
            match parse_quantities(quantities) {
                Some(q) => corrections.quantities = q,
                None => problem(
                    column,
                    format!("quantities {quantities:?}: write LINE=QUANTITY pairs, e.g. 12=2 15=1"),
                ),
            }
        }
        let mut text = |name: &str| -> Option<String> {
            let (column, value) = cell(name);
            if value.chars().count() > MAX_TEXT {
                errors.push(LineError::new(
                    line,
                    column + 1,
                    format!("{name} longer than {MAX_TEXT} characters"),
                ));
                return None;
            }
            (!value.is_empty()).then(|| unquote_formula(value).to_string())
        };
        let reviewer = text("reviewer");
        let note = text("note");
        let campaign = text("campaign");
        lines.push(DecisionLine {
            line,
            receipt_id,
            verdict,
            corrections,
            reviewer,
            note,
            campaign,
            id_column: id_column + 1,
            decision_column: columns["decision"] + 1,
            quantities_column: columns.get(QUANTITIES_COLUMN).map_or(0, |c| c + 1),
        });
    }
    errors.sort_by_key(|e| (e.line, e.column));
    (lines, errors)
}

/// [`read_decisions`], all or nothing: the lines, or every problem.
pub fn parse_decisions(bytes: &[u8]) -> Result<Vec<DecisionLine>, Vec<LineError>> {
    match read_decisions(bytes) {
        (lines, errors) if errors.is_empty() => Ok(lines),
        (_, errors) => Err(errors),
    }
}

/// The 1-based line of a record starting at byte `offset`. The csv reader's own count is one
/// short in CR LF files, where it places a record on the LF ending the line before.
fn line_at(bytes: &[u8], offset: u64) -> usize {
    let end = (offset as usize).min(bytes.len());
    let on_newline = usize::from(bytes.get(end) == Some(&b'\n'));
    1 + on_newline + bytes[..end].iter().filter(|&&b| b == b'\n').count()
}

/// `;` or tab when the header line uses it and no comma (spreadsheets in locales whose decimal
/// separator is the comma write `;`).
fn separator(bytes: &[u8]) -> u8 {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |sep: u8| first.iter().filter(|&&b| b == sep).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&sep| (count(sep), sep == b','))
        .unwrap_or(b',')
}

/// Column index by name; unknown or repeated names and missing required ones are errors.
fn columns(header: &csv::StringRecord) -> Result<HashMap<String, usize>, Vec<LineError>> {
    let mut columns = HashMap::new();
    let mut errors = Vec::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        let known = DECISIONS_HEADER.contains(&name.as_str()) || name == QUANTITIES_COLUMN;
        if !known && !CONTEXT_COLUMNS.contains(&name.as_str()) {
            errors.push(LineError::new(
                1,
                index + 1,
                format!(
                    "unknown column {name:?} (expected {})",
                    DECISIONS_HEADER.join(",")
                ),
            ));
        } else if columns.insert(name.clone(), index).is_some() {
            errors.push(LineError::new(
                1,
                index + 1,
                format!("column {name:?} twice"),
            ));
        }
    }
    for required in ["receipt_id", "decision"] {
        if !columns.contains_key(required) {
            errors.push(LineError::new(1, 0, format!("no {required:?} column")));
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

/// A text cell written formula-safe (`'=…`, see `output::csv_text`) as typed.
fn unquote_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

/// `HH:MM` (or `HH:MM:SS`, which spreadsheets write), as `HH:MM`.
fn parse_time(text: &str) -> Option<String> {
    ["%H:%M", "%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(text, format).ok())
        .map(|t| t.format("%H:%M").to_string())
}

/// `12=2 15=0,5`: positive quantities (at most three decimals, weighed goods) by line.
fn parse_quantities(text: &str) -> Option<BTreeMap<usize, Decimal>> {
    let mut quantities = BTreeMap::new();
    for pair in text.split_whitespace() {
        let (line, quantity) = pair.split_once('=')?;
        let line: usize = line.parse().ok()?;
        let quantity: Decimal = quantity.replace(',', ".").parse().ok()?;
        let sane = quantity > Decimal::ZERO
            && quantity <= Decimal::from(10_000)
            && quantity.normalize().scale() <= 3;
        if !sane || quantities.insert(line, quantity).is_some() {
            return None;
        }
    }
    Some(quantities)
}

/// A non-negative amount with at most two decimals, `.` or `,` as the decimal separator.
fn parse_total(text: &str) -> Option<Decimal> {
    let normal = text.replace(',', ".");
    let (units, cents) = normal.split_once('.').unwrap_or((&normal, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if units.is_empty() || !digits(units) || !digits(cents) || cents.len() > 2 {
        return None;
    }
    let value: Decimal = normal.parse().ok()?;
    (value <= Decimal::from(MAX_TOTAL)).then(|| value.round_dp(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "a3f5c2e1d4b6a7980112233445566778899aabbccddeeff00112233445566778";

    fn parse(text: &str) -> Result<Vec<DecisionLine>, Vec<LineError>> {
        parse_decisions(text.as_bytes())
    }

    #[test]
    fn reads_the_report_s_file_with_corrections() {
        let text = format!(
            "receipt_id,decision,merchant,date,time,total,reviewer,note\r\n\
             {ID},approve,Carrefour Market,2024-03-05,09:41,12.50,ana,checked the total\r\n"
        );
        let lines = parse(&text).unwrap();
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.line, 2);
        assert_eq!(line.verdict, Some(Verdict::Approve));
        assert_eq!(
            line.corrections,
            Corrections {
                merchant: Some("Carrefour Market".into()),
                date: NaiveDate::from_ymd_opt(2024, 3, 5),
                time: Some("09:41".into()),
                total: Some(Decimal::new(1250, 2)),
                quantities: BTreeMap::new(),
            }
        );
        assert_eq!(line.reviewer.as_deref(), Some("ana"));
        assert_eq!(line.note.as_deref(), Some("checked the total"));
    }

    #[test]
    fn reads_what_a_french_spreadsheet_saves() {
        let text = format!(
            "\u{feff}receipt_id;decision;date;total\r\n{};Approve;05/03/2024;12,5\r\n",
            ID.to_uppercase()
        );
        let lines = parse(&text).unwrap();
        assert_eq!(lines[0].receipt_id, ID);
        assert_eq!(
            lines[0].corrections.date,
            NaiveDate::from_ymd_opt(2024, 3, 5)
        );
        assert_eq!(lines[0].corrections.total, Some(Decimal::new(125, 1)));
    }

    #[test]
    fn empty_cells_keep_what_was_read_and_an_empty_decision_is_not_decided() {
        let text = format!("receipt_id,decision,merchant,total\n{ID},,,\n");
        let lines = parse(&text).unwrap();
        assert_eq!(lines[0].verdict, None);
        assert_eq!(lines[0].corrections, Corrections::default());
    }

    #[test]
    fn every_problem_is_reported_with_line_and_column() {
        let other = ID.replace('a', "b");
        let text = format!(
            "receipt_id,decision,date,time,total\n\
             {ID},maybe,2024-02-30,25:00,-3\n\
             nothing,approve,,,\n\
             {other},approve,2024-03-01,09:00,1.234\n\
             {other},reject,,,\n"
        );
        let errors = parse(&text).unwrap_err();
        let at: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(at, vec![(2, 2), (3, 1), (4, 5), (5, 1)], "{errors:?}");
        assert!(errors[0].message.contains("maybe"), "{}", errors[0]);
        assert_eq!(
            errors[3].to_string(),
            format!("5:1: receipt {other} is already decided on line 4")
        );
    }

    #[test]
    fn bad_dates_times_and_totals_are_each_named() {
        let text =
            format!("receipt_id,decision,date,time,total\n{ID},approve,2024-02-30,25:00,-3\n");
        let errors = parse(&text).unwrap_err();
        let at: Vec<usize> = errors.iter().map(|e| e.column).collect();
        assert_eq!(at, vec![3, 4, 5], "{errors:?}");
    }

    #[test]
    fn the_header_must_name_known_columns() {
        let errors = parse("receipt,decision,amount\n").unwrap_err();
        let at: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(at, vec![(1, 1), (1, 3), (1, 0)], "{errors:?}");
    }

    #[test]
    fn not_utf8_is_refused_plainly() {
        let errors = parse_decisions(b"receipt_id,decision\n\xff\xfe,approve\n").unwrap_err();
        assert!(errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn quantities_are_pairs_of_line_and_count() {
        let q = parse_quantities("12=2  15=0,186").unwrap();
        assert_eq!(q[&12], Decimal::from(2));
        assert_eq!(q[&15], Decimal::new(186, 3));
        for bad in ["12", "x=2", "12=0", "12=-1", "12=2 12=3", "12=1.23456"] {
            assert_eq!(parse_quantities(bad), None, "{bad}");
        }
        let text = format!("receipt_id,decision,quantities\n{ID},approve,3=2\n");
        assert_eq!(
            parse(&text).unwrap()[0].corrections.quantities[&3],
            Decimal::from(2)
        );
    }

    #[test]
    fn formula_safe_text_reads_back_as_typed() {
        assert_eq!(unquote_formula("'+COOP"), "+COOP");
        assert_eq!(unquote_formula("'quoted'"), "'quoted'");
    }

    #[test]
    fn amounts_and_times_in_spreadsheet_forms() {
        assert_eq!(parse_total("12"), Some(Decimal::new(12, 0)));
        assert_eq!(parse_total("0,99"), Some(Decimal::new(99, 2)));
        assert_eq!(parse_total("1 234,00"), None);
        assert_eq!(parse_total("1.234,00"), None);
        assert_eq!(parse_total("9999999999"), None);
        assert_eq!(parse_time("9:05:00").as_deref(), Some("09:05"));
        assert_eq!(
            parse_date("31.12.2024"),
            NaiveDate::from_ymd_opt(2024, 12, 31)
        );
    }
}
