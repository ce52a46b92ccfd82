//! Extraction: OCR lines → receipt fields (merchant, date, total, items, …).
//!
//! Pure functions over text and boxes, no OCR needed, so every rule is unit-tested on text
//! snippets. Each field carries a confidence so the campaign can send a guess to a human
//! reviewer instead of deciding on it.
//!
//! The reading goes: OCR lines → visual rows (`rows`, fragments at the same height merged) →
//! locale (`locale`, from the options or the text) → each row's amounts, dates and role
//! (`classify`) → header (merchant, address), items, VAT, total (cross-checked against
//! payments, items and VAT), date and time, ids, payment and currency.

mod amount;
mod articles;
mod classify;
mod columns;
mod date;
mod header;
mod ids;
mod items;
mod locale;
#[cfg(test)]
mod locale_tests;
mod misreads;
mod receipt;
mod reconcile;
#[cfg(test)]
mod robustness_tests;
mod rows;
mod second_look;
mod text;
mod total;
mod vat;
mod when;

pub use amount::{find_amounts, parse_amount, Amount};
pub use articles::article_units;
pub use date::{find_dates, find_times, parse_date, parse_time, DateMatch, TimeMatch};
pub use header::{AddressScore, MerchantScore, ADDRESS_WEIGHTS, MERCHANT_WEIGHTS};
pub use locale::Locale;
pub use receipt::{Confidence, Item, Receipt, SecondaryConfidence, VatLine};
pub use rows::{build_rows, Row};
pub use second_look::{doubts, fuse, read_page, SECOND_LOOK_BELOW};
pub use total::{TotalScore, TOTAL_WEIGHTS};
pub use when::{DateScore, TimeScore, TimeSource, DATE_WEIGHTS, TIME_WEIGHTS};

use crate::ocr::{BBox, Line};
use classify::{classify, RowInfo};
use reconcile::Outcome;

/// Read the receipt fields from OCR lines; the locale pack is the one the text reads in.
pub fn extract(lines: &[Line]) -> Receipt {
    let (rows, locale) = read_rows(lines, None);
    extract_rows(&rows, locale)
}

/// [`extract`] with the locale pack given (`fr`, `en`, `de`, `es`, `it`, `nl`; detected when
/// unknown), for tests
/// of one pack's words.
#[cfg(test)]
pub(crate) fn extract_in(lines: &[Line], locale: Option<&str>) -> Receipt {
    let (rows, locale) = read_rows(lines, locale.and_then(Locale::parse));
    extract_rows(&rows, locale)
}

/// OCR lines as classified rows, with the locale they were read in (`given`, else detected).
fn read_rows(lines: &[Line], given: Option<Locale>) -> (Vec<RowInfo>, Locale) {
    let mut rows = build_rows(lines);
    let locale = given.unwrap_or_else(|| {
        let texts: Vec<String> = rows.iter().map(|r| r.text.clone()).collect();
        locale::detect(&texts)
    });
    rows.iter_mut().for_each(misreads::mend_zero_letters);
    rows.iter_mut().for_each(misreads::mend_colon_price);
    let mut rows = classify(rows, locale);
    attach_rereads(&mut rows, lines, locale);
    (rows, locale)
}

/// Each row whose lines were read again alone (`Line::reread`) gets that reading, classified
/// as a row of its own (`RowInfo::alone`), spread over the row's box.
fn attach_rereads(rows: &mut [RowInfo], lines: &[Line], locale: Locale) {
    for info in rows.iter_mut() {
        let rereads: Vec<&str> = info
            .row
            .lines
            .iter()
            .filter_map(|&i| lines.get(i)?.reread.as_deref())
            .collect();
        if rereads.is_empty() {
            continue;
        }
        let line = Line::from_text(&rereads.join(" "), info.row.conf(), info.row.bbox);
        info.alone = classify(build_rows(&[line]), locale).pop().map(Box::new);
    }
}

/// The receipt fields of classified rows.
fn extract_rows(rows: &[RowInfo], locale: Locale) -> Receipt {
    read_fields(rows, locale).0
}

/// What one reading of the rows could not settle and the OCR stage can read again (see
/// `second_look::doubts`).
struct Unsettled {
    /// Doubtful prices that could each explain why the items miss the total.
    prices: Vec<BBox>,
    /// A total, subtotal or change row shows no amount (`columns::amount_lacking`).
    amount_lacking: bool,
}

/// The total read from OCR lines with the score its confidence comes from: what
/// `scripts/calibrate` fits the confidence's weights on.
pub fn total_score(lines: &[Line]) -> Option<(rust_decimal::Decimal, TotalScore)> {
    let (rows, locale) = read_rows(lines, None);
    let header = header::read(&rows, locale);
    let items = items::read_items(&rows, header.last_row);
    let vat = vat::read_vat(&rows);
    total::read_total(&rows, &items, &vat).map(|t| (t.value, t.score))
}

/// A value read, with the score its confidence comes from.
type Scored<T, S> = Option<(T, S)>;
type Day = chrono::NaiveDate;

/// The merchant and the address read from OCR lines, each with the score its confidence
/// comes from, for `scripts/calibrate`.
pub fn header_scores(
    lines: &[Line],
) -> (Scored<String, MerchantScore>, Scored<String, AddressScore>) {
    let (rows, locale) = read_rows(lines, None);
    let h = header::read(&rows, locale);
    let merchant = h.merchant.map(|m| m.0).zip(h.merchant_score);
    (merchant, h.address.map(|a| a.0).zip(h.address_score))
}

/// The purchase date and time read from OCR lines, each with the score its confidence comes
/// from, for `scripts/calibrate`.
pub fn when_scores(lines: &[Line]) -> (Scored<Day, DateScore>, Scored<String, TimeScore>) {
    let (rows, locale) = read_rows(lines, None);
    let w = when::read_when(&rows, locale);
    let time = w.time.map(|t| t.0).zip(w.time_score);
    (w.date.map(|d| (d.0, w.score)), time)
}

/// The receipt fields of classified rows, and what they leave unsettled.
fn read_fields(rows: &[RowInfo], locale: Locale) -> (Receipt, Unsettled) {
    let header = header::read(rows, locale);
    let amount_lacking = columns::amount_lacking(rows, header.last_row);
    let mut items = items::read_items(rows, header.last_row);
    let vat = vat::read_vat(rows);
    let total = total::read_total(rows, &items, &vat);
    let when = when::read_when(rows, locale);
    let currency = read_currency(rows, total.as_ref(), locale);
    let mut undecided = Vec::new();
    let items_confidence = match &total {
        _ if items.is_empty() => 0.0,
        Some(total) => {
            match reconcile::reconcile(
                &mut items,
                rows,
                header.last_row,
                total.value,
                total.confidence,
            ) {
                Outcome::Agree => 0.9,
                Outcome::Mended => 0.7,
                Outcome::Apart => 0.35,
                Outcome::Undecided(boxes) => {
                    undecided = boxes;
                    0.35
                }
            }
        }
        None => 0.35,
    };
    // After the amounts are reconciled: a mended amount is what the count must divide.
    articles::settle_counts(&mut items, rows);
    let receipt = Receipt {
        confidence: Confidence {
            merchant: round2(header.merchant.as_ref().map_or(0.0, |m| m.1)),
            date: round2(when.date.map_or(0.0, |d| d.1)),
            total: round2(total.as_ref().map_or(0.0, |t| t.confidence)),
            address: round2(header.address.as_ref().map_or(0.0, |a| a.1)),
        },
        secondary_confidence: SecondaryConfidence {
            time: round2(when.time.as_ref().map_or(0.0, |t| t.1)),
            currency: round2(currency.as_ref().map_or(0.0, |c| c.1)),
            items: round2(items_confidence),
        },
        merchant: header.merchant.map(|m| m.0),
        date: when.date.map(|d| d.0),
        time: when.time.map(|t| t.0),
        total: total.map(|t| t.value),
        currency: currency.map(|c| c.0),
        address: header.address.map(|a| a.0),
        items,
        vat,
        ticket: ids::read_ticket(rows, locale),
        articles: articles::printed_article_count(rows),
        payment: ids::read_payment(rows),
        tax_ids: ids::read_tax_ids(rows),
        locale: Some(locale.code().to_string()),
    };
    let unsettled = Unsettled {
        prices: undecided,
        amount_lacking,
    };
    (receipt, unsettled)
}

/// A field's confidence from its score: the logistic function of the features weighed by
/// weights fitted on the tune half (docs/calibration.md, `scripts/calibrate`).
fn calibrated(features: &[f32], weights: &[f32]) -> f32 {
    let z: f32 = features.iter().zip(weights).map(|(x, w)| x * w).sum();
    1.0 / (1.0 + (-z).exp())
}

fn round2(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

/// The currency printed with the total, else the one most printed on the receipt, else the
/// euro on French and German receipts and the ringgit on receipts
/// that show they are Malaysian (their tills often print bare amounts). A bare `$` is read
/// with less certainty than a code or a sign only one currency uses ([`dollar_of`]).
fn read_currency(
    rows: &[RowInfo],
    total: Option<&total::TotalReading>,
    locale: Locale,
) -> Option<(String, f32)> {
    if let Some(code) = total.and_then(|t| t.currency) {
        return Some(match code {
            amount::DOLLAR => (dollar_of(rows).to_string(), 0.75),
            code => (code.to_string(), 0.9),
        });
    }
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for row in rows {
        let attached = row.amounts.iter().filter_map(|a| a.currency);
        let standalone = row.row.words.iter().filter_map(|w| {
            amount::currency_of_marker(w.text.trim_matches(|c: char| c == ':' || c == '.'))
        });
        // A bare `$` names no country: it decides nothing away from the total.
        for code in attached.chain(standalone).filter(|c| *c != amount::DOLLAR) {
            match counts.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => counts.push((code, 1)),
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    if let Some((code, _)) = counts.first() {
        return Some((code.to_string(), 0.75));
    }
    if locale != Locale::En {
        return Some(("EUR".to_string(), 0.5));
    }
    printed_in_malaysia(rows).then(|| ("MYR".to_string(), 0.5))
}

/// The dollar a bare `$` means: the ringgit on a Malaysian receipt, else the one of the
/// country the receipt's taxes name (`TVQ`, `ABN`), else the US dollar.
fn dollar_of(rows: &[RowInfo]) -> &'static str {
    let shows = |word: &str| rows.iter().any(|r| text::has_keyword(&r.tokens, word));
    let dollars = locale::Pack::every_locale().dollar;
    let named = dollars.iter().find(|(w, _)| shows(w));
    let malaysian = printed_in_malaysia(rows).then_some("MYR");
    malaysian.or(named.map(|(_, code)| *code)).unwrap_or("USD")
}

/// A Malaysian company form (`SDN BHD`, `S/B`, `BERHAD`) or state, or the country, printed
/// anywhere on the receipt.
fn printed_in_malaysia(rows: &[RowInfo]) -> bool {
    rows.iter().any(|row| {
        let folded = text::fold(row.text());
        row.tokens.iter().any(|t| {
            matches!(t.as_str(), "MALAYSIA" | "BHD" | "BERHAD")
                || Locale::En.pack().places.contains(&t.as_str())
        }) || folded.contains(" S/B")
            || folded.starts_with("S/B")
    })
}

/// OCR lines for a text snippet, on the same monospace grid as the `text` test engine.
#[cfg(test)]
pub(crate) fn test_lines(text: &str) -> Vec<Line> {
    use crate::ocr::{BBox, Word};
    text.lines()
        .enumerate()
        .filter_map(|(row, line)| {
            let mut words = Vec::new();
            let mut start = None;
            let chars: Vec<char> = line.chars().collect();
            for i in 0..=chars.len() {
                let space = i == chars.len() || chars[i].is_whitespace();
                match (start, space) {
                    (None, false) => start = Some(i),
                    (Some(s), true) => {
                        words.push(Word {
                            text: chars[s..i].iter().collect(),
                            conf: 92.0,
                            bbox: BBox([s as i32 * 12, row as i32 * 30, (i - s) as i32 * 12, 22]),
                            reread: None,
                        });
                        start = None;
                    }
                    _ => {}
                }
            }
            (!words.is_empty()).then(|| Line::from_words(words))
        })
        .collect()
}
