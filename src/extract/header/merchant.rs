//! The merchant: the first row that can name a shop, skipping logos read as junk, banners
//! (`TAX INVOICE`, `BIENVENUE`, `WELCOME`), ids and phone numbers; in the English locale the
//! registered company (a legal-form row) before the address is preferred, because Malaysian
//! and British receipts are known by it. Names wrapped over two or three rows are joined.

use super::address::{has_stop_word, is_registration, is_registration_row, is_street_row};
use super::legal::{
    canonical_legal, legal_form_span, legal_token_matches, legal_word, word_offsets, LegalSpan,
    LEGAL_FORMS,
};
use crate::extract::classify::RowInfo;
use crate::extract::locale::Locale;
use crate::extract::text::{
    certainty, fold, letter_count, tokens, trim_decoration, trim_keeping_punctuation,
};

/// Rows scanned for the merchant: a header is never longer, even below a big logo.
const MERCHANT_SCAN: usize = 12;
/// Banner rows that are never the merchant.
const BANNERS: [&str; 30] = [
    "GOODS SOLD",
    "RETURNABLE",
    "REFUNDABLE",
    "REFUND",
    "COME AGAIN",
    "EXCHANGE",
    "TAX INVOICE",
    "INVOICE",
    "RECEIPT",
    "TICKET",
    "WELCOME",
    "BIENVENUE",
    "WILLKOMMEN",
    "CASH SALE",
    "CASH SALES",
    "CASH BILL",
    "FACTURE",
    "KASSENBON",
    "QUITTUNG",
    "RECHNUNG",
    "BELEG",
    "DUPLICATA",
    "COPY",
    "GUEST CHECK",
    "SIMPLIFIED",
    "TAX RECEIPT",
    "RECU",
    "CUSTOMER",
    "MERCI",
    "THANK YOU",
];

/// Leading words before the real name (`Dimiliki: X SDN BHD`, `Bienvenue chez X`).
const NAME_PREFIXES: [&str; 10] = [
    "DIMILIKI",
    "OWNED BY",
    "OPERATED BY",
    "EXPLOITE PAR",
    "BIENVENUE CHEZ",
    "BIENVENUE A",
    "BIENVENUE",
    "WELCOME TO",
    "WILLKOMMEN BEI",
    "WILLKOMMEN IM",
];

/// Rows that are a banner when they stand alone (`CASH` above the items), not inside a name.
const WHOLE_ROW_BANNERS: [&str; 6] = [
    "CASH",
    "CARD",
    "COUNTER",
    "REPRINT",
    "ORIGINAL",
    "DUPLICATE",
];

/// The merchant's rows (usually one, two when the legal form wrapped), name and confidence.
pub(super) fn read_merchant(
    rows: &[RowInfo],
    locale: Locale,
) -> Option<(std::ops::Range<usize>, String, f32)> {
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
    // Tills print shop names in capitals or title case; a lower-case line is more likely a
    // handwritten or stamped note.
    let lower_case = !name.chars().any(char::is_uppercase);
    let base = if lower_case { 0.4 } else { 0.75 };
    let confidence = (i..=last)
        .map(|k| name_confidence(&rows[k], base, rows[k].text().len()))
        .fold(1.0_f32, f32::min);
    Some((i..last + 1, name, confidence))
}

/// A legal-form row, joined with the rows above when the name wrapped: a row that starts with
/// its legal form (`MPH BOOKSTORES` / `SDN BHD`) or closes a parenthesis opened above
/// (`AIK HUAT HARDWARE` / `ENTERPRISE (SETIA` / `ALAM) SDN BHD`) continues the row above.
/// A legal form alone with no name row above is no merchant.
fn legal_name(
    rows: &[RowInfo],
    i: usize,
    span: LegalSpan,
) -> Option<(std::ops::Range<usize>, String, f32)> {
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
    let base = if first == i { 0.9 } else { 0.85 };
    let confidence = (first..=i)
        .map(|k| {
            let upto = if k == i {
                span.end
            } else {
                rows[k].text().len()
            };
            name_confidence(&rows[k], base, upto)
        })
        .fold(1.0_f32, f32::min);
    Some((first..i + 1, name, confidence))
}

fn continues_row_above(name: &str) -> bool {
    let unbalanced = name.matches(')').count() > name.matches('(').count();
    let first_word = name
        .split_whitespace()
        .next()
        .map(legal_word)
        .unwrap_or_default();
    let opens_with_form = LEGAL_FORMS
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
    matches!(last, "&" | "+") || ["AND", "ET", "UND", "OF"].contains(&fold(last).as_str())
}

/// OCR word confidence and how clean the text is, around a base for how the row was chosen.
fn name_confidence(row: &RowInfo, base: f32, upto: usize) -> f32 {
    let text = &row.text()[..upto.min(row.text().len())];
    let clean = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .count() as f32
        / text.chars().count().max(1) as f32;
    let short = if letter_count(text) < 6 { 0.6 } else { 1.0 };
    let least_sure = row.row.min_conf_of_span(0, upto);
    (base * certainty(least_sure) * (0.7 + 0.3 * clean) * short).clamp(0.02, 0.97)
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
    if row_tokens.len() == 1 && WHOLE_ROW_BANNERS.contains(&row_tokens[0].as_str()) {
        return true;
    }
    let banner = BANNERS
        .iter()
        .any(|b| crate::extract::text::has_keyword(row_tokens, b));
    banner
        && !NAME_PREFIXES.iter().any(|p| {
            let words = p.split(' ').count();
            row_tokens.len() > words && crate::extract::text::find_keyword(row_tokens, p) == Some(0)
        })
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
    for prefix in NAME_PREFIXES {
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
