//! When the purchase happened: choosing the purchase date and time among every date on the
//! receipt.
//!
//! Receipts print several dates: the purchase, a print or reprint time, an expiry for a
//! voucher, a loyalty statement. A date next to `DATE`/`DATUM`/`TARIKH`/`le` is preferred, one
//! with a time beside it too, one printed twice more so; dates next to `EXPIRY`, `VALABLE`,
//! `GÜLTIG BIS` or `PRINTED` are pushed down; readings that needed repair or US month-first
//! order count less.

use std::sync::LazyLock;

use chrono::NaiveDate;

use super::classify::{words, RowInfo};
use super::date::DateMatch;
use super::locale::{Locale, Pack};
use super::text::{find_keyword, has_any};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct When {
    pub date: Option<(NaiveDate, f32)>,
    pub time: Option<(String, f32)>,
    /// The score the date won with (default when there is no date).
    pub score: DateScore,
    /// The score the time's confidence comes from.
    pub time_score: Option<TimeScore>,
}

struct Candidate<'a> {
    row: usize,
    found: &'a DateMatch,
    score: f32,
}

/// What the chosen date's confidence is derived from: the one scoring scheme of the date.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DateScore {
    /// The date's score in the contest between the receipt's dates: 1, +3 beside a date
    /// keyword, +1 with a time on its row, −1.5 beside another kind of date (expiry, print),
    /// −1.5 read month first, −1 repaired, +1 per further row printing it (at most 2).
    pub support: f32,
    /// The best other date's score (0 when none).
    pub runner_up: f32,
    /// Printed on another row too.
    pub repeated: bool,
    /// OCR confidence (0–100) of the date's least sure word.
    pub ocr: f32,
}

/// Weights of the date's confidence, a logistic function of its score, fitted on the tune half
/// of the labelled SROIE receipts by `scripts/calibrate` (docs/calibration.md). In order:
/// bias, lead over the runner-up (per 5 points, capped at 5), repeated, OCR confidence (0–1).
/// The keyword, time, repair and month-order signs choose the date but, fitted, told nothing
/// more about whether it is right, so they are left out of the confidence.
pub const DATE_WEIGHTS: [f32; 4] = [1.10, -0.09, 1.62, 3.04];

impl DateScore {
    /// The score's features, in `DATE_WEIGHTS` order (the bias's is 1).
    pub fn features(&self) -> [f32; 4] {
        [
            1.0,
            (self.support - self.runner_up).clamp(0.0, 5.0) / 5.0,
            if self.repeated { 1.0 } else { 0.0 },
            self.ocr / 100.0,
        ]
    }

    /// How likely a date with this score is to be right, within 0.02–0.98.
    pub fn confidence(&self) -> f32 {
        crate::extract::calibrated(&self.features(), &DATE_WEIGHTS).clamp(0.02, 0.98)
    }
}

pub fn read_when(rows: &[RowInfo], locale: Locale) -> When {
    // A row naming a date but showing none, or showing one the engine doubted, is read
    // again alone (`RowInfo::alone`): where that reading shows a date, it is the row's
    // reading. A date the page read with confidence is never replaced: on SROIE, re-read
    // dates the page had read were as often wrong as right.
    let rows: Vec<&RowInfo> = rows
        .iter()
        .map(|row| {
            row.alone
                .as_deref()
                .filter(|alone| {
                    (row.dates.is_empty() || has_doubtful_date(row)) && !alone.dates.is_empty()
                })
                .unwrap_or(row)
        })
        .collect();
    let date_words = words(locale, |p: &'static Pack| p.date);
    let other_words = words(locale, |p: &'static Pack| p.other_date);
    let mut candidates: Vec<Candidate> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        for found in &row.dates {
            let keyword = keyword_before(row, found, &date_words)
                || (i > 0
                    && rows[i - 1].dates.is_empty()
                    && ends_with_keyword(rows[i - 1], &date_words));
            let mut score = 1.0;
            if keyword {
                score += 3.0;
            }
            if has_any(&row.tokens, &other_words) {
                score -= 1.5;
            }
            if !row.times.is_empty() {
                score += 1.0;
            }
            if found.month_first {
                score -= 1.5;
            }
            if found.repaired {
                score -= 1.0;
            }
            candidates.push(Candidate {
                row: i,
                found,
                score,
            });
        }
    }
    let agreement =
        |date: NaiveDate| candidates.iter().filter(|c| c.found.date == date).count() - 1;
    let best = candidates
        .iter()
        .map(|c| (c.score + agreement(c.found.date).min(2) as f32, c))
        .fold(None::<(f32, &Candidate)>, |best, (score, c)| match best {
            Some((s, _)) if s >= score => best,
            _ => Some((score, c)),
        });
    let Some((best_score, chosen)) = best else {
        let time = read_time(&rows, None);
        return When {
            date: None,
            time: time.clone().map(|(t, s)| (t, s.confidence())),
            score: DateScore::default(),
            time_score: time.map(|(_, s)| s),
        };
    };
    let runner_up = candidates
        .iter()
        .filter(|c| c.found.date != chosen.found.date)
        .map(|c| c.score + agreement(c.found.date).min(2) as f32)
        .fold(f32::MIN, f32::max);
    let found = chosen.found;
    let row = rows[chosen.row];
    let score = DateScore {
        support: best_score,
        runner_up: if runner_up == f32::MIN {
            0.0
        } else {
            runner_up
        },
        repeated: agreement(found.date) > 0,
        ocr: row.row.min_conf_of_span(found.start, found.end),
    };
    let confidence = score.confidence();
    let time = read_time(&rows, Some(chosen.row));
    When {
        date: Some((chosen.found.date, confidence)),
        time: time.clone().map(|(t, s)| (t, s.confidence())),
        score,
        time_score: time.map(|(_, s)| s),
    }
}

/// Below this engine confidence (0–100) in its weakest word, a date is doubtful: a page read
/// `11/02/16` as `11/09/16` at 57, and the row read alone got it right.
const DOUBTFUL_DATE_WORD: f32 = 60.0;

/// A row showing a date the engine was unsure of, worth reading again alone.
pub fn has_doubtful_date(row: &RowInfo) -> bool {
    row.dates
        .iter()
        .any(|d| row.row.min_conf_of_span(d.start, d.end) < DOUBTFUL_DATE_WORD)
}

/// Words that name a date in any locale: the packs' date words but their ambiguous ones
/// (`le`, `du`, `am` are common words too).
static DATE_NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let every = Pack::every_locale();
    let named = every.date.iter().filter(|w| !every.ambiguous.contains(w));
    named.copied().collect()
});

/// A row naming a date (`Date :`, `Tarikh`, `Datum`), whatever follows.
pub fn names_a_date(row: &RowInfo) -> bool {
    has_any(&row.tokens, &DATE_NAMES)
}

/// A date keyword before the date on its row (`Date : 29-10-2017`, `le 12 mars`).
fn keyword_before(row: &RowInfo, found: &DateMatch, keywords: &[&str]) -> bool {
    let folded_prefix = super::text::fold(row.text());
    let prefix = folded_prefix.get(..found.start).unwrap_or("");
    let prefix_tokens = super::text::tokens(prefix);
    keywords
        .iter()
        .any(|k| find_keyword(&prefix_tokens, k).is_some())
}

/// A row ending with a date keyword, its date printed on the row below.
fn ends_with_keyword(row: &RowInfo, keywords: &[&str]) -> bool {
    row.tokens.last().is_some_and(|last| {
        keywords
            .iter()
            .any(|k| !k.contains(' ') && super::text::token_matches(last, k))
    })
}

/// Where the purchase time was found: the sign its confidence is derived from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeSource {
    /// On the purchase date's row, or on another row printing the same date.
    #[default]
    WithTheDate,
    /// After a time keyword (`Heure`, `Uhrzeit`, `Time`).
    Keyword,
    /// Alone, on a row without a date.
    Alone,
}

/// What the time's confidence is derived from: the one scoring scheme of the time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TimeScore {
    pub source: TimeSource,
    /// OCR confidence (0–100) of the time's least sure word.
    pub ocr: f32,
}

/// Weights of the time's confidence, a logistic function of its score, fitted on the tune half
/// of the labelled SROIE receipts by `scripts/calibrate`, against the one time their
/// transcribed lines print (docs/calibration.md). In order: bias, found after a keyword, found
/// alone, OCR confidence (0–1). A time found is right about 97 % of the time wherever it was
/// found (4 wrong of 137 on the tune half, mostly a `PM` read `PH` or lost), so the confidence is
/// high and moves with the reader's certainty; it replaced hand-set factors (0.85 beside the
/// date, 0.75 after a keyword, 0.45 alone) that said 0.45 of times that were always right.
pub const TIME_WEIGHTS: [f32; 4] = [1.98, 1.36, 0.72, 1.55];

impl TimeScore {
    /// The score's features, in `TIME_WEIGHTS` order (the bias's is 1).
    pub fn features(&self) -> [f32; 4] {
        [
            1.0,
            if self.source == TimeSource::Keyword {
                1.0
            } else {
                0.0
            },
            if self.source == TimeSource::Alone {
                1.0
            } else {
                0.0
            },
            self.ocr / 100.0,
        ]
    }

    /// How likely a time with this score is to be right, within 0.02–0.98.
    pub fn confidence(&self) -> f32 {
        crate::extract::calibrated(&self.features(), &TIME_WEIGHTS).clamp(0.02, 0.98)
    }
}

/// The time on the purchase date's row, else on another row printing the same date (a header
/// `Date: 18/09/2017` and a footer `18/09/2017 12:33`, or a `PRINTED` stamp), else after a time
/// keyword, else the first time printed on its own (not inside a date row that lost the
/// contest).
fn read_time(rows: &[&RowInfo], date_row: Option<usize>) -> Option<(String, TimeScore)> {
    let scored = |row: &RowInfo, source: TimeSource| -> Option<(String, TimeScore)> {
        let found = row.times.first()?;
        let ocr = row.row.min_conf_of_span(found.start, found.end);
        Some((found.time.clone(), TimeScore { source, ocr }))
    };
    let date = date_row.and_then(|i| rows[i].dates.first()).map(|d| d.date);
    let with_the_date = date_row
        .filter(|&i| !rows[i].times.is_empty())
        .map(|i| rows[i])
        .or_else(|| {
            let date = date?;
            rows.iter()
                .find(|r| !r.times.is_empty() && r.dates.iter().any(|d| d.date == date))
                .copied()
        });
    if let Some(row) = with_the_date {
        return scored(row, TimeSource::WithTheDate);
    }
    if let Some(row) = rows
        .iter()
        .find(|r| !r.times.is_empty() && has_any(&r.tokens, Pack::every_locale().time))
    {
        return scored(row, TimeSource::Keyword);
    }
    let row = rows
        .iter()
        .find(|r| !r.times.is_empty() && r.dates.is_empty())?;
    scored(row, TimeSource::Alone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::rows::build_rows;
    use crate::extract::test_lines;

    fn when(text: &str, locale: Locale) -> When {
        read_when(&classify(build_rows(&test_lines(text)), locale), locale)
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_labelled_date_beats_printing_and_expiry_dates() {
        let w = when(
            "Date : 13/04/2018 2:26 PM\nPRN ON 14/04/2018 2:53 PM\nBon valable jusqu'au 30/04/2018",
            Locale::En,
        );
        assert_eq!(w.date.unwrap().0, ymd(2018, 4, 13));
        assert_eq!(w.time.unwrap().0, "14:26");
    }

    #[test]
    fn french_date_in_words_with_time() {
        let w = when(
            "CARREFOUR\nle 12 mars 2024 à 14h32\nTOTAL 12,50",
            Locale::Fr,
        );
        assert_eq!(w.date.as_ref().unwrap().0, ymd(2024, 3, 12));
        assert!(w.date.unwrap().1 >= 0.8);
        assert_eq!(w.time.unwrap().0, "14:32");
    }

    /// German tills print the purchase time after `Uhrzeit` and the fiscal unit's start and
    /// stop times below (`TSE-Start`): the labelled one is the purchase's.
    #[test]
    fn german_uhrzeit_names_the_purchase_time() {
        let w = when(
            "TSE-Start 09:14\nDatum: 12.03.2024\nUhrzeit: 09:15\nTSE-Stop 09:16",
            Locale::De,
        );
        assert_eq!(w.date.unwrap().0, ymd(2024, 3, 12));
        assert_eq!(w.time.unwrap().0, "09:15");
    }

    #[test]
    fn german_datum_on_the_row_above() {
        let w = when("Datum\n12.03.2024 09:15\nBeleg 1234", Locale::De);
        assert_eq!(w.date.unwrap().0, ymd(2024, 3, 12));
        assert_eq!(w.time.unwrap().0, "09:15");
    }

    /// The confidence is calibrated (`DATE_WEIGHTS`): on SROIE a date read surely is nearly
    /// always right, keyword or not; what lowers it is a doubted word, what raises it a second
    /// row printing the same date.
    #[test]
    fn doubted_digits_lower_the_confidence_and_a_repeat_raises_it() {
        let sure = when("Date: 16-03-18 13:49", Locale::En).date.unwrap().1;
        let repeated = when("Date: 16-03-18 13:49\nPRINTED 16/03/2018", Locale::En);
        let mut lines = test_lines("16-03-18 13:49");
        lines[0].words[0].conf = 55.0;
        let rows = classify(build_rows(&lines), Locale::En);
        let doubted = read_when(&rows, Locale::En).date.unwrap().1;
        assert!(sure >= 0.97, "{sure}");
        assert!(doubted < sure - 0.02, "{doubted} {sure}");
        assert!(repeated.date.unwrap().1 >= sure, "{repeated:?}");
    }

    /// Bug: a delivery note printing `Date: 18/09/2017` in its header and `DD: 18/09/2017
    /// 12:33` further down had no time: the time was looked for on the chosen date's row, after
    /// a keyword, or alone on a row without a date.
    #[test]
    fn the_time_beside_a_repeat_of_the_purchase_date() {
        let w = when(
            "GARDENIA BAKERIES (KL) SDN BHD\nDate: 18/09/2017\nMAKASSAR FRESH MARKET\nDD: 18/09/2017 12:33\nO.C. WHITE 2.13",
            Locale::En,
        );
        assert_eq!(w.date.map(|d| d.0), Some(ymd(2017, 9, 18)));
        assert_eq!(w.time.map(|t| t.0).as_deref(), Some("12:33"));
        // A time beside another date is not the purchase's.
        let other = when(
            "Date: 18/09/2017\nBest before 25/09/2017 08:00\nTOTAL 2.13",
            Locale::En,
        );
        assert_eq!(other.time, None);
    }

    /// The confidence is calibrated (`TIME_WEIGHTS`): a time the reader was sure of comes out
    /// high wherever it was found, a doubtful one lower.
    #[test]
    fn the_time_confidence_follows_its_score() {
        let sure = TimeScore {
            source: TimeSource::WithTheDate,
            ocr: 99.0,
        };
        let doubtful = TimeScore { ocr: 20.0, ..sure };
        assert!(sure.confidence() >= 0.95, "{}", sure.confidence());
        assert!(doubtful.confidence() < sure.confidence());
        let w = when("Date: 18/09/2017 12:33\nTOTAL 2.13", Locale::En);
        assert_eq!(
            w.time_score.map(|s| s.source),
            Some(TimeSource::WithTheDate)
        );
        assert_eq!(w.time.map(|t| t.1), w.time_score.map(|s| s.confidence()));
    }

    #[test]
    fn no_date_no_time() {
        assert_eq!(when("TOTAL 12,50", Locale::Fr), When::default());
    }
}
