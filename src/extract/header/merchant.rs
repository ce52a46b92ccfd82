//! The merchant: the first row that can name a shop, skipping logos read as junk, banners
//! (`TAX INVOICE`, `BIENVENUE`, `WELCOME`), ids and phone numbers; in the English locale the
//! registered company (a legal-form row) before the address is preferred, because Malaysian
//! and British receipts are known by it. Names wrapped over two or three rows are joined.

use super::address::{has_stop_word, is_registration, is_registration_row, is_street_row};
use super::legal::{
    canonical_legal, legal_form_span, legal_token_matches, legal_word, word_offsets, LegalSpan,
};
use crate::extract::classify::RowInfo;
use crate::extract::locale::{Locale, Pack};
use crate::extract::text::{
    certainty, fold, letter_count, tokens, trim_decoration, trim_keeping_punctuation,
};

/// Rows scanned for the merchant: a header is never longer, even below a big logo.
const MERCHANT_SCAN: usize = 12;

/// The merchant's rows (usually one, two when the legal form wrapped), name and score.
pub(super) fn read_merchant(
    rows: &[RowInfo],
    locale: Locale,
) -> Option<(std::ops::Range<usize>, String, MerchantScore)> {
    let mut first: Option<usize> = None;
    let mut legal: Option<(usize, LegalSpan)> = None;
    let mut past_top = false;
    for (i, row) in rows.iter().enumerate().take(MERCHANT_SCAN) {
        // The header ends where the receipt details (date, amounts) start, or at a banner
        // below the address or phone once a name row was seen. Before any name, a banner is
        // passed over: what looked like an address was a code (`A04080` for a postcode).
        if (row.role.is_summary() && !row.amounts.is_empty())
            || !row.dates.is_empty()
            || (past_top && first.is_some() && is_banner(&row.tokens))
        {
            break;
        }
        past_top |= is_street_row(row.text()) || has_stop_word(row.text());
        if first.is_some() && is_street_row(row.text()) && legal_form_span(row.text()).is_none() {
            break;
        }
        if !is_name_row(row) {
            continue;
        }
        if let Some(span) = legal_form_span(row.text()) {
            legal = Some((i, span));
            if first.is_none() {
                first = Some(i);
            }
            break;
        }
        if first.is_none() {
            first = Some(i);
        }
    }
    let legal_row = legal.map(|(i, _)| i);
    let prefer_legal = locale == Locale::En || first == legal_row;
    if let Some((i, span)) = legal.filter(|_| prefer_legal) {
        if let Some(found) = legal_name(rows, i, span) {
            return Some(found);
        }
    }
    let i = first.filter(|i| Some(*i) != legal_row)?;
    let mut name = clean_name(rows[i].text())?;
    // A name that stops on a joining sign or word goes on in the next row
    // (`HOME MASTER HARDWARE &` / `ELECTRICAL`).
    let mut last = i;
    if ends_mid_name(&name) {
        if let Some(next) = rows
            .get(i + 1)
            .filter(|r| is_name_row(r) && r.dates.is_empty())
        {
            if let Some(rest) = clean_name(next.text()) {
                name = format!("{name} {rest}");
                last = i + 1;
            }
        }
    }
    let spans: Vec<(usize, usize)> = (i..=last).map(|k| (k, rows[k].text().len())).collect();
    let score = MerchantScore::of(rows, &spans, &name, false);
    Some((i..last + 1, name, score))
}

/// A legal-form row, joined with the rows above when the name wrapped: a row that starts with
/// its legal form (`MPH BOOKSTORES` / `SDN BHD`) or closes a parenthesis opened above
/// (`AIK HUAT HARDWARE` / `ENTERPRISE (SETIA` / `ALAM) SDN BHD`) continues the row above.
/// A legal form alone with no name row above is no merchant.
fn legal_name(
    rows: &[RowInfo],
    i: usize,
    span: LegalSpan,
) -> Option<(std::ops::Range<usize>, String, MerchantScore)> {
    let text = rows[i].text();
    let before = strip_prefix(&text[..span.start]);
    let form = canonical_legal(&text[span.start..span.end], span.form);
    let mut name = format!("{before} {form}").trim().to_string();
    let mut first = i;
    while first > 0
        && i - first < 2
        && (continues_row_above(&name) || ends_mid_name(rows[first - 1].text()))
    {
        let above = first - 1;
        if !is_name_row(&rows[above]) {
            break;
        }
        name = format!("{} {}", strip_prefix(rows[above].text()), name);
        first = above;
    }
    if letter_count(&name) == letter_count(&form) {
        return None;
    }
    let spans: Vec<(usize, usize)> = (first..=i)
        .map(|k| {
            (
                k,
                if k == i {
                    span.end
                } else {
                    rows[k].text().len()
                },
            )
        })
        .collect();
    let score = MerchantScore::of(rows, &spans, &name, true);
    Some((first..i + 1, name, score))
}

fn continues_row_above(name: &str) -> bool {
    let unbalanced = name.matches(')').count() > name.matches('(').count();
    let first_word = name
        .split_whitespace()
        .next()
        .map(legal_word)
        .unwrap_or_default();
    let opens_with_form = Pack::every_locale()
        .legal_form
        .iter()
        .flat_map(|f| f.split(' '))
        .any(|part| part.len() >= 3 && legal_token_matches(&first_word, part));
    // `POPULAR BOOK` / `CO. (M) SDN BHD`: a row that opens with the company word is the end
    // of a name begun above.
    let opens_with_company = matches!(first_word.as_str(), "CO" | "COMPANY");
    unbalanced || opens_with_form || opens_with_company
}

/// A name row that stops on a joining sign or word (`PETRON MALAYSIA REFINING &` /
/// `MARKETING BHD`, company names wrapped over two header rows): the name goes on below it.
fn ends_mid_name(text: &str) -> bool {
    let last = text.split_whitespace().last().unwrap_or_default();
    matches!(last, "&" | "+")
        || Pack::every_locale()
            .joining_word
            .contains(&fold(last).as_str())
}

/// What the merchant's confidence is derived from: the one scoring scheme of the merchant.
/// The name itself is chosen by position and kind of row (the first name row, or the
/// legal-form row in the English locale); these are the signs of how sure that choice is.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MerchantScore {
    /// Read from a row with a legal form (`SDN BHD`, `GmbH`, `SARL`): a registered name.
    pub legal: bool,
    /// Joined from two or three rows.
    pub wrapped: bool,
    /// No capital letter: tills print names in capitals or title case, a lower-case row is
    /// more likely a note written or stamped above the header.
    pub lower_case: bool,
    /// OCR certainty (0–1, `text::certainty`) of the least sure word of the name's rows.
    pub ocr: f32,
    /// Share of the name rows' characters that are letters, digits or spaces (0–1).
    pub clean: f32,
    /// Fewer than six letters: initials and fragments more than names.
    pub short: bool,
}

/// Weights of the merchant's confidence, a logistic function of its score, fitted on the tune
/// half of the labelled SROIE receipts by `scripts/calibrate` (never on the check half, where
/// the calibration is checked: docs/calibration.md). In order: bias, legal-form row, wrapped,
/// lower case, OCR certainty, clean share, short. (The bias was fitted at -3.14, a literal
/// clippy takes for pi: -3.13 moves no confidence by more than 0.003.)
pub const MERCHANT_WEIGHTS: [f32; 7] = [-3.13, 0.82, -0.50, -2.00, 4.03, 1.12, -2.80];

impl MerchantScore {
    /// The score of a name read from `spans` (row index, bytes of the row used).
    fn of(rows: &[RowInfo], spans: &[(usize, usize)], name: &str, legal: bool) -> Self {
        let mut ocr = 1.0_f32;
        let mut clean = 1.0_f32;
        for &(k, upto) in spans {
            let text = &rows[k].text()[..upto.min(rows[k].text().len())];
            let plain = text
                .chars()
                .filter(|c| c.is_alphanumeric() || c.is_whitespace())
                .count() as f32;
            clean = clean.min(plain / text.chars().count().max(1) as f32);
            ocr = ocr.min(certainty(rows[k].row.min_conf_of_span(0, upto)));
        }
        MerchantScore {
            legal,
            wrapped: spans.len() > 1,
            lower_case: !name.chars().any(char::is_uppercase),
            ocr,
            clean,
            short: letter_count(name) < 6,
        }
    }

    /// The score's features, in `MERCHANT_WEIGHTS` order (the bias's is 1).
    pub fn features(&self) -> [f32; 7] {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        [
            1.0,
            flag(self.legal),
            flag(self.wrapped),
            flag(self.lower_case),
            self.ocr,
            self.clean,
            flag(self.short),
        ]
    }

    /// How likely a merchant with this score is to be right, within 0.02–0.97.
    pub fn confidence(&self) -> f32 {
        crate::extract::calibrated(&self.features(), &MERCHANT_WEIGHTS).clamp(0.02, 0.97)
    }
}

/// A row that can name a shop: enough letters, not a banner, id, phone, date or amount.
pub(super) fn is_name_row(row: &RowInfo) -> bool {
    let text = row.text();
    let letters = letter_count(text);
    if letters < 3 || (row.row.conf() < 45.0 && letters < 8) {
        return false;
    }
    let alnum = text.chars().filter(|c| c.is_alphanumeric()).count();
    if alnum * 10 < text.chars().filter(|c| !c.is_whitespace()).count() * 6 {
        return false;
    }
    let longest_word = text
        .split(|c: char| !c.is_alphabetic())
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    if longest_word < 3 {
        return false;
    }
    if !row.dates.is_empty() || !row.times.is_empty() || !row.amounts.is_empty() {
        return false;
    }
    if is_banner(&row.tokens) || (is_registration_row(text) && legal_form_span(text).is_none()) {
        return false;
    }
    // `eCosway.com SDN BHD`: a web address can be the name of a company.
    let web_name = legal_form_span(text).is_some()
        && !has_stop_word(&text.replace(".com", "").replace(".COM", ""));
    if has_stop_word(text) && !web_name {
        return false;
    }
    if is_street_row(text) && legal_form_span(text).is_none() {
        return false;
    }
    let first = text.split_whitespace().next().unwrap_or("");
    first.starts_with('#') || first.chars().filter(|c| c.is_ascii_digit()).count() < 6
}

/// A banner row, unless a name follows its welcome words (`BIENVENUE CHEZ LECLERC`).
pub(super) fn is_banner(row_tokens: &[String]) -> bool {
    use crate::extract::text::{find_keyword, has_keyword};
    let pack = Pack::every_locale();
    let lone = row_tokens.len() == 1 && pack.lone_banner.contains(&row_tokens[0].as_str());
    if lone || row_tokens.iter().any(|t| is_glued_banner(t)) {
        return true;
    }
    pack.banner.iter().any(|b| has_keyword(row_tokens, b))
        && !pack.name_prefix.iter().any(|p| {
            row_tokens.len() > p.split(' ').count() && find_keyword(row_tokens, p) == Some(0)
        })
}

/// A banner of several words read as one (`TAXINVOICE`: a narrow font, its spaces lost).
pub(super) fn is_glued_banner(token: &str) -> bool {
    let banners = Pack::every_locale().banner.iter();
    banners
        .filter(|b| b.contains(' '))
        .any(|b| b.replace(' ', "") == token)
}

/// Remove `Dimiliki:`, `Bienvenue chez` and leading `#0002`-style noise.
fn strip_prefix(text: &str) -> String {
    let mut rest = trim_keeping_punctuation(text).to_string();
    loop {
        let first = rest.split_whitespace().next().unwrap_or("");
        // Store codes (`#000002`, `000002`) and stray marks before the name.
        let store_code = first.chars().filter(|c| c.is_ascii_digit()).count() >= 5
            && first.chars().all(|c| c.is_ascii_digit() || c == '#');
        if first.starts_with('#')
            || store_code
            || (first.chars().all(|c| !c.is_alphanumeric()) && !first.is_empty())
        {
            rest = rest[first.len()..].trim_start().to_string();
            continue;
        }
        break;
    }
    let folded_tokens = tokens(&rest);
    for prefix in Pack::every_locale().name_prefix {
        let words = prefix.split(' ').count();
        if crate::extract::text::find_keyword(&folded_tokens, prefix) == Some(0)
            && folded_tokens.len() > words
        {
            let skip: Vec<(usize, &str)> = word_offsets(&rest);
            if let Some((offset, word)) = skip.get(words - 1) {
                let cut = offset + word.len();
                return trim_decoration(&rest[cut..]).to_string();
            }
        }
    }
    trim_keeping_punctuation(&rest).to_string()
}

/// The printed name without prefixes and trailing registration numbers.
fn clean_name(text: &str) -> Option<String> {
    let name = strip_prefix(text);
    let mut words: Vec<&str> = name.split_whitespace().collect();
    while words.len() > 1 && is_registration(words[words.len() - 1]) {
        words.pop();
    }
    let name = trim_decoration(&words.join(" ")).to_string();
    (letter_count(&name) >= 3).then_some(name)
}
