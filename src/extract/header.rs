//! The receipt's header: who sold (merchant) and where (address).
//!
//! The merchant is printed first, after decoration, logos read as junk and banners
//! (`TAX INVOICE`, `BIENVENUE`, `WELCOME`). Malaysian and British receipts also print the
//! registered company (`… SDN BHD`, `… LTD`) near the top, and that legal name is what those
//! receipts are known by, so in the English locale a legal-form row before the address wins;
//! French and German receipts lead with the store brand, so there the first name row wins.
//! The address is the run of rows after the merchant up to the phone, tax ids or receipt
//! details, joined with spaces, as SROIE labels it.

use std::sync::LazyLock;

use regex::Regex;

use super::classify::RowInfo;
use super::locale::Locale;
use super::text::{
    certainty, fold, letter_count, tokens, trim_decoration, trim_keeping_punctuation,
};

/// What the header gives: each field with its confidence and the last header row used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    pub merchant: Option<(String, f32)>,
    pub address: Option<(String, f32)>,
    /// Index of the last row the merchant or address was read from.
    pub last_row: Option<usize>,
}

/// Rows scanned for the merchant: a header is never longer, even below a big logo.
const MERCHANT_SCAN: usize = 12;
const ADDRESS_MAX_ROWS: usize = 6;

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

/// Legal forms, folded, punctuation other than `/` and `&` removed.
const LEGAL_FORMS: [&str; 29] = [
    "SDN BHD",
    "SENDIRIAN BERHAD",
    "BHD",
    "BERHAD",
    "S/B",
    "ENTERPRISE",
    "ENTERPRISES",
    "TRADING",
    "LTD",
    "LIMITED",
    "PLC",
    "LLP",
    "LLC",
    "INC",
    "COMPANY",
    "SARL",
    "SAS",
    "SASU",
    "EURL",
    "SNC",
    "SA",
    "GMBH",
    "AG",
    "KG",
    "OHG",
    "UG",
    "EK",
    "GBR",
    "CO",
];

/// Legal forms too short to trust anywhere but at the end of the name.
const LAST_WORD_ONLY: [&str; 9] = ["SA", "AG", "KG", "UG", "EK", "CO", "INC", "COMPANY", "SNC"];

/// Words that end an address or show a row is not one.
const STOP_WORDS: [&str; 46] = [
    "INV",
    "TEL",
    "TELEPHONE",
    "PHONE",
    "TELP",
    "FAX",
    "HP",
    "H/P",
    "MOBILE",
    "WHATSAPP",
    "WHATSAPPS",
    "EMAIL",
    "E-MAIL",
    "WWW",
    "HTTP",
    "HTTPS",
    "GST",
    "REG",
    "REGISTRATION",
    "CO.REG",
    "BRN",
    "SST",
    "VAT",
    "TVA",
    "SIRET",
    "SIREN",
    "RCS",
    "APE",
    "NAF",
    "USTID",
    "UST-ID",
    "STEUERNR",
    "INVOICE",
    "RECEIPT",
    "TICKET",
    "FACTURE",
    "RECHNUNG",
    "CASHIER",
    "CAISSE",
    "KASSE",
    "TABLE",
    "DATE",
    "HOURS",
    "OUTLET",
    "SERVER",
    "DOC",
];

/// Words of a street address in the three locales (and Malaysia's).
const ADDRESS_WORDS: [&str; 83] = [
    "LOT",
    "JALAN",
    "JLN",
    "JL",
    "LORONG",
    "LRG",
    "TAMAN",
    "TMN",
    "BANDAR",
    "SEKSYEN",
    "SECTION",
    "KAWASAN",
    "PERINDUSTRIAN",
    "KAMPUNG",
    "KG",
    "PERSIARAN",
    "LEBUH",
    "LEBUHRAYA",
    "MENARA",
    "WISMA",
    "BANGUNAN",
    "PLAZA",
    "MALL",
    "KOMPLEKS",
    "COMPLEX",
    "CENTRE",
    "CENTER",
    "FLOOR",
    "FLR",
    "LEVEL",
    "TOWER",
    "BLOCK",
    "BLK",
    "UNIT",
    "SUITE",
    "ROAD",
    "RD",
    "STREET",
    "AVENUE",
    "AVE",
    "LANE",
    "DRIVE",
    "SQUARE",
    "HIGHWAY",
    "BUILDING",
    "RUE",
    "AV",
    "BD",
    "BLVD",
    "BOULEVARD",
    "PLACE",
    "CHEMIN",
    "ROUTE",
    "RTE",
    "ALLEE",
    "IMPASSE",
    "QUAI",
    "COURS",
    "CEDEX",
    "ZI",
    "ZA",
    "ZAC",
    "STRASSE",
    "STR",
    "PLATZ",
    "WEG",
    "GASSE",
    "SELANGOR",
    "JOHOR",
    "PENANG",
    "PAHANG",
    "PERAK",
    "KEDAH",
    "MELAKA",
    "SABAH",
    "SARAWAK",
    "KUALA",
    "LUMPUR",
    "PUTRAJAYA",
    "MALAYSIA",
    "FRANCE",
    "DEUTSCHLAND",
    "GERMANY",
];

/// German street names are compounds (`Hauptstraße` → `HAUPTSTRASSE`).
const STREET_SUFFIXES: [&str; 6] = ["STRASSE", "STR", "PLATZ", "WEG", "GASSE", "ALLEE"];

static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\(?\d[\d ()\-]{6,}\d").unwrap());
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d\-/])(\d{5})(?:$|[^\d\-/])|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b").unwrap()
});
/// A house number opening the row: `109, SS21/1A`, `13, JLN …`, `27 rue …`, `12B Hauptstr.`.
static HOUSE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,4}[A-Z]?(?:-\d{1,4})?(?:\s?,\s?\S|\s[A-Z])").unwrap());
/// `NO. 31G`, `No: G3`, `N° 12`: a number sign before a house number.
static NUMBER_SIGN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bNO?\s?[.:,]?\s?[A-Z]?\d").unwrap());
static REGISTRATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(?[A-Z]{0,3}\d{4,}[\- ]?[A-Z]\)?$").unwrap());
/// A company number inside a row: `750441-W`, `(139386 X)`, `0005583085-K`.
static REGISTRATION_IN_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{5,}\s?-?\s?[A-Z]\b").unwrap());

pub fn read(rows: &[RowInfo], locale: Locale) -> Header {
    let Some((merchant_rows, name, confidence)) = read_merchant(rows, locale) else {
        // The name was not read (cut off, logo only): the address may still open the receipt.
        let address = read_address(rows, 0).filter(|a| a.first_row <= 2);
        return Header {
            merchant: None,
            last_row: address.as_ref().map(|a| a.last_row),
            address: address.map(|a| (a.text, a.confidence * 0.8)),
        };
    };
    let after_merchant = merchant_rows.end;
    let address = read_address(rows, after_merchant);
    let last_row = address
        .as_ref()
        .map(|a| a.last_row)
        .unwrap_or(after_merchant - 1);
    Header {
        merchant: Some((name, confidence)),
        address: address.map(|a| (a.text, a.confidence)),
        last_row: Some(last_row),
    }
}

/// The merchant's rows (usually one, two when the legal form wrapped), name and confidence.
fn read_merchant(
    rows: &[RowInfo],
    locale: Locale,
) -> Option<(std::ops::Range<usize>, String, f32)> {
    let mut first: Option<usize> = None;
    let mut legal: Option<(usize, LegalSpan)> = None;
    let mut past_top = false;
    for (i, row) in rows.iter().enumerate().take(MERCHANT_SCAN) {
        // The header ends where the receipt details (date, amounts) start, or at a banner
        // below the address or phone: the name was above, unread.
        if (row.role.is_summary() && !row.amounts.is_empty())
            || !row.dates.is_empty()
            || (past_top && is_banner(&row.tokens))
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
    let name = clean_name(rows[i].text())?;
    // Tills print shop names in capitals or title case; a lower-case line is more likely a
    // handwritten or stamped note.
    let lower_case = !name.chars().any(char::is_uppercase);
    let base = if lower_case { 0.4 } else { 0.75 };
    let confidence = name_confidence(&rows[i], base, rows[i].text().len());
    Some((i..i + 1, name, confidence))
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
    while first > 0 && i - first < 2 && continues_row_above(&name) {
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
    unbalanced || opens_with_form
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
fn is_name_row(row: &RowInfo) -> bool {
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
    if has_stop_word(text)
        && !(legal_form_span(text).is_some()
            && !has_stop_word(&text.replace(".com", "").replace(".COM", "")))
    {
        return false;
    }
    if is_street_row(text) && legal_form_span(text).is_none() {
        return false;
    }
    let first = text.split_whitespace().next().unwrap_or("");
    first.starts_with('#') || first.chars().filter(|c| c.is_ascii_digit()).count() < 6
}

/// Rows that are a banner when they stand alone (`CASH` above the items), not inside a name.
const WHOLE_ROW_BANNERS: [&str; 6] = [
    "CASH",
    "CARD",
    "COUNTER",
    "REPRINT",
    "ORIGINAL",
    "DUPLICATE",
];

/// A banner row, unless a name follows its welcome words (`BIENVENUE CHEZ LECLERC`).
fn is_banner(row_tokens: &[String]) -> bool {
    if row_tokens.len() == 1 && WHOLE_ROW_BANNERS.contains(&row_tokens[0].as_str()) {
        return true;
    }
    let banner = BANNERS
        .iter()
        .any(|b| super::text::has_keyword(row_tokens, b));
    banner
        && !NAME_PREFIXES.iter().any(|p| {
            let words = p.split(' ').count();
            row_tokens.len() > words && super::text::find_keyword(row_tokens, p) == Some(0)
        })
}

fn legal_word(word: &str) -> String {
    fold(word)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '&')
        .collect()
}

/// Short tokens compared glyph by glyph: `SON` and `5DN` are `SDN`, `5/8` is `S/B`.
fn legal_token_matches(token: &str, form: &str) -> bool {
    if token == form {
        return true;
    }
    if token.len() != form.len() || form.len() < 3 {
        return false;
    }
    let pairs: Vec<(char, char)> = token
        .chars()
        .zip(form.chars())
        .filter(|(a, b)| a != b)
        .collect();
    pairs.len() * 3 <= form.len() * 2
        && pairs.iter().all(|(a, b)| {
            ["O0QD", "S5", "B8", "I1L", "G6"]
                .iter()
                .any(|class| class.contains(*a) && class.contains(*b))
        })
}

/// Where a legal form sits in a row: byte range and which form.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LegalSpan {
    start: usize,
    end: usize,
    form: &'static str,
}

/// The legal form of a name row, if it has one (first form of [`LEGAL_FORMS`] that matches).
fn legal_form_span(text: &str) -> Option<LegalSpan> {
    let words: Vec<(usize, &str)> = word_offsets(text);
    let folded: Vec<String> = words.iter().map(|(_, w)| legal_word(w)).collect();
    for form in LEGAL_FORMS {
        let parts: Vec<&str> = form.split(' ').collect();
        for start in 0..folded.len() {
            let end = start + parts.len();
            if end > folded.len() {
                break;
            }
            let matched = parts
                .iter()
                .enumerate()
                .all(|(k, p)| legal_token_matches(&folded[start + k], p));
            // A one-word form opening a longer row is a word of the name (`TRADING HOURS`),
            // except the French forms printed first (`SAS DUPONT`).
            let opens_row = start == 0 && parts.len() == 1 && folded.len() > 1;
            if !matched || (opens_row && form != "SARL" && form != "SAS") {
                continue;
            }
            let last_word = end == folded.len() || followed_only_by_registration(&words[end..]);
            if LAST_WORD_ONLY.contains(&form) && !last_word {
                continue;
            }
            let (last_offset, last) = words[end - 1];
            return Some(LegalSpan {
                start: words[start].0,
                end: last_offset + last.len(),
                form,
            });
        }
    }
    None
}

fn followed_only_by_registration(rest: &[(usize, &str)]) -> bool {
    let joined: String = rest.iter().map(|(_, w)| *w).collect::<Vec<_>>().join(" ");
    joined.chars().any(|c| c.is_ascii_digit())
        && joined.chars().filter(|c| c.is_alphabetic()).count() <= 6
}

fn word_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut offsets = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (start, c.is_whitespace()) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                offsets.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        offsets.push((s, &text[s..]));
    }
    offsets
}

/// A legal form as printed, or written the standard way when OCR misread it
/// (`SON BHD` → `SDN BHD`, `5/8` → `S/B`).
fn canonical_legal(printed: &str, form: &'static str) -> String {
    let printed_words: Vec<&str> = printed.split_whitespace().collect();
    printed_words
        .iter()
        .zip(form.split(' '))
        .map(|(word, part)| {
            if legal_word(word) == part {
                (*word).to_string()
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Remove `Dimiliki:`, `Bienvenue chez` and leading `#0002`-style noise.
fn strip_prefix(text: &str) -> String {
    let mut rest = trim_decoration(text).to_string();
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
        if super::text::find_keyword(&folded_tokens, prefix) == Some(0)
            && folded_tokens.len() > words
        {
            let skip: Vec<(usize, &str)> = word_offsets(&rest);
            if let Some((offset, word)) = skip.get(words - 1) {
                let cut = offset + word.len();
                return trim_decoration(&rest[cut..]).to_string();
            }
        }
    }
    trim_decoration(&rest).to_string()
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

fn is_registration(word: &str) -> bool {
    let folded = fold(word);
    REGISTRATION.is_match(&folded)
        || (folded.starts_with('(') && folded.chars().any(|c| c.is_ascii_digit()))
}

fn has_stop_word(text: &str) -> bool {
    stop_position(text).is_some()
}

/// Byte offset of the first stop word or phone number in `text`.
fn stop_position(text: &str) -> Option<usize> {
    let words = word_offsets(text);
    let by_word = words.iter().find_map(|(offset, word)| {
        let folded = fold(word);
        let bare = folded
            .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '-' && c != '.');
        let bare = bare.trim_end_matches('.');
        let core: String = folded
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let hit = STOP_WORDS.contains(&bare)
            || STOP_WORDS.contains(&core.as_str())
            || folded.contains("@")
            || folded.contains(".COM")
            || folded.starts_with("HTTP")
            || folded.starts_with("WWW");
        hit.then_some(*offset)
    });
    let phone = PHONE
        .find_iter(text)
        .find(|m| m.as_str().chars().filter(|c| c.is_ascii_digit()).count() >= 8)
        .map(|m| m.start());
    match (by_word, phone) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A street word or a postcode: surely part of an address.
fn has_street_signal(text: &str) -> bool {
    let folded = fold(text);
    let row_tokens = tokens(text);
    let has_word = row_tokens.iter().any(|t| {
        ADDRESS_WORDS.contains(&t.as_str())
            || (t.len() > 6 && STREET_SUFFIXES.iter().any(|s| t.ends_with(s)))
    });
    has_word || POSTCODE.is_match(&folded) || NUMBER_SIGN.is_match(&folded)
}

/// Surely a street address and not a shop name: a postcode, a house number, or a street word
/// with a number (`PHARMACIE DU CENTRE` and `GARDEN PLAZA` are names).
fn is_street_row(text: &str) -> bool {
    let folded = fold(text);
    let numbered_street = has_street_words(&folded) && folded.chars().any(|c| c.is_ascii_digit());
    numbered_street
        || POSTCODE.is_match(&folded)
        || NUMBER_SIGN.is_match(&folded)
        || HOUSE_NUMBER.is_match(trim_decoration(&folded))
}

/// A street address row: a street word, a postcode, or a house number before a name.
fn is_address_like(text: &str) -> bool {
    has_street_signal(text) || HOUSE_NUMBER.is_match(trim_decoration(&fold(text)))
}

struct Address {
    first_row: usize,
    text: String,
    confidence: f32,
    last_row: usize,
}

fn read_address(rows: &[RowInfo], start: usize) -> Option<Address> {
    let mut parts: Vec<String> = Vec::new();
    // Each row used, with how much of its text went into the address.
    let mut used: Vec<(usize, usize)> = Vec::new();
    let mut skipped = 0;
    for (i, row) in rows.iter().enumerate().skip(start) {
        if parts.len() >= ADDRESS_MAX_ROWS || skipped > 4 {
            break;
        }
        let text = row.text();
        let started = !parts.is_empty();
        let stop = stop_position(text);
        let blocked = !row.dates.is_empty() || !row.amounts.is_empty() || row.role.is_summary();
        if let Some(at) = stop {
            let before = trim_keeping_punctuation(&text[..at]);
            if is_address_like(before)
                && !is_registration_row(before)
                && letter_count(before) >= 3
                && !blocked
            {
                parts.push(before.to_string());
                used.push((i, at));
                break;
            }
            if started {
                break;
            }
            skipped += 1;
            continue;
        }
        if blocked || is_registration_row(text) {
            if started {
                break;
            }
            skipped += 1;
            continue;
        }
        let cleaned = trim_keeping_punctuation(text);
        if is_address_like(cleaned)
            || (started && letter_count(cleaned) >= 2 && row.row.conf() >= 40.0)
        {
            parts.push(cleaned.to_string());
            used.push((i, text.len()));
        } else if started {
            break;
        } else {
            skipped += 1;
        }
    }
    if parts.is_empty() {
        return None;
    }
    let text = parts.join(" ");
    let least_sure = used
        .iter()
        .map(|&(i, upto)| rows[i].row.min_conf_of_span(0, upto))
        .fold(100.0_f32, f32::min);
    let postcode = POSTCODE.is_match(&fold(&text));
    let base = if postcode { 0.9 } else { 0.7 };
    let length_penalty = if parts.len() >= ADDRESS_MAX_ROWS {
        0.7
    } else {
        1.0
    };
    Some(Address {
        first_row: used[0].0,
        text,
        confidence: (base * certainty(least_sure) * length_penalty).clamp(0.02, 0.95),
        last_row: used.last().expect("parts and used grow together").0,
    })
}

/// `(0005583085-K)`, `002043319-W`, `CO-REG:750441-W`: company numbers, not address.
fn is_registration_row(text: &str) -> bool {
    let cleaned = trim_decoration(text);
    let folded = fold(cleaned);
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let labelled = ["REG", "COMPANY NO", "CO NO", "CO. NO", "ROC", "BRN"]
        .iter()
        .any(|label| folded.contains(label));
    (words.len() <= 3 && words.iter().any(|w| is_registration(w)) && letter_count(cleaned) <= 8)
        || (labelled && cleaned.chars().filter(|c| c.is_ascii_digit()).count() >= 5)
        || (REGISTRATION_IN_ROW.is_match(&folded) && !has_street_words(&folded))
}

/// Street words proper (not postcodes): `LOT 1851-A` has a number like a company's.
fn has_street_words(folded: &str) -> bool {
    tokens(folded)
        .iter()
        .any(|t| ADDRESS_WORDS.contains(&t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::classify::classify;
    use crate::extract::test_lines as text_engine_lines;

    fn header(text: &str, locale: Locale) -> Header {
        let rows = super::super::rows::build_rows(&text_engine_lines(text));
        read(&classify(rows, locale), locale)
    }

    fn merchant(text: &str, locale: Locale) -> Option<String> {
        header(text, locale).merchant.map(|(m, _)| m)
    }

    #[test]
    fn malaysian_header_with_legal_name_and_address() {
        let h = header(
            "MR. D.I.Y. (KUCHAI) SDN BHD\n(CO Reg : 750441-W)\nLOT 1851-A & 1851-B, JALAN KPB 6,\n\
             KAWASAN PERINDUSTRIAN BALAKONG,\n43300 SERI KEMBANGAN, SELANGOR\n(GST ID No :000473792512)\n\
             TAX INVOICE",
            Locale::En,
        );
        assert_eq!(h.merchant.unwrap().0, "MR. D.I.Y. (KUCHAI) SDN BHD");
        assert_eq!(
            h.address.unwrap().0,
            "LOT 1851-A & 1851-B, JALAN KPB 6, KAWASAN PERINDUSTRIAN BALAKONG, 43300 SERI KEMBANGAN, SELANGOR"
        );
    }

    #[test]
    fn the_legal_entity_beats_the_brand_in_english() {
        let text = "CITY MILK\nR&C VENTURE SDN BHD (1191015-W)\nLOT-18A-2, BERJAYA TIMES SQUARE,\nKUALA LUMPUR\n(GST NO: 001557721088)";
        assert_eq!(
            merchant(text, Locale::En).as_deref(),
            Some("R&C VENTURE SDN BHD")
        );
        let owned =
            "Banh Mi Cafe\nDimiliki: banh mi cafe sdn bhd 1110644-W\nNo. 1 Jalan Puteri 7/10";
        assert_eq!(
            merchant(owned, Locale::En).as_deref(),
            Some("banh mi cafe sdn bhd")
        );
    }

    #[test]
    fn a_wrapped_legal_form_joins_the_name_above() {
        let text = "MPH BOOKSTORES\nSDN BHD\nGST No: 000542572544";
        assert_eq!(
            merchant(text, Locale::En).as_deref(),
            Some("MPH BOOKSTORES SDN BHD")
        );
    }

    #[test]
    fn ocr_misread_legal_forms_are_written_properly() {
        assert_eq!(
            merchant("SUN WONG KUT SON BHD\nCompany No: 20965-4", Locale::En).as_deref(),
            Some("SUN WONG KUT SDN BHD")
        );
        assert_eq!(
            merchant(
                "99 SPEED MART 5/8 (519537-X)\nLOT P.T. 2811, JALAN ANGSA,",
                Locale::En
            )
            .as_deref(),
            Some("99 SPEED MART S/B")
        );
    }

    #[test]
    fn junk_and_banners_are_skipped() {
        let text = "Ls ..\n+ 12.2\n*** WELCOME ***\nRESTORAN WAN SHENG\n002043319-W\nNo.2, Jalan Temenggung 19/9,\n\
                    43200 Cheras, Selangor\nGST REG NO: 001335787520";
        let h = header(text, Locale::En);
        assert_eq!(h.merchant.unwrap().0, "RESTORAN WAN SHENG");
        assert_eq!(
            h.address.unwrap().0,
            "No.2, Jalan Temenggung 19/9, 43200 Cheras, Selangor"
        );
    }

    #[test]
    fn french_and_german_headers_lead_with_the_brand() {
        let fr = header(
            "BIENVENUE\nCARREFOUR MARKET\nSAS DISTRIBUTION SUD\n12 RUE DE LA PAIX\n75002 PARIS\nTEL 01 42 00 00 00",
            Locale::Fr,
        );
        assert_eq!(fr.merchant.unwrap().0, "CARREFOUR MARKET");
        let de = header(
            "REWE Markt GmbH\nHauptstraße 12\n10115 Berlin\nUSt-ID DE123456789",
            Locale::De,
        );
        assert_eq!(de.merchant.unwrap().0, "REWE Markt GmbH");
        assert_eq!(de.address.unwrap().0, "Hauptstraße 12 10115 Berlin");
    }

    #[test]
    fn an_address_row_ending_in_a_phone_is_cut_there() {
        let h = header(
            "MOONLIGHT CAKE HOUSE SDN BHD 862725-U\nNo.1, Jalan Permas 10/5, Bandar Baru Permas Jaya\n\
             81750 Johor Bahru, Johor. Tel No.: 07-387 3322\nwww moonlightcake.com",
            Locale::En,
        );
        assert_eq!(h.merchant.unwrap().0, "MOONLIGHT CAKE HOUSE SDN BHD");
        assert_eq!(
            h.address.unwrap().0,
            "No.1, Jalan Permas 10/5, Bandar Baru Permas Jaya 81750 Johor Bahru, Johor."
        );
    }

    #[test]
    fn shop_names_with_street_words_are_still_names() {
        let text = "PHARMACIE DU CENTRE\n12/03/2024\nDOLIPRANE 2,18\nTOTAL 2,18 EUR";
        assert_eq!(
            merchant(text, Locale::Fr).as_deref(),
            Some("PHARMACIE DU CENTRE")
        );
    }

    #[test]
    fn empty_or_junk_text_has_no_header() {
        assert_eq!(header("", Locale::En), Header::default());
        assert_eq!(header("..\n| |\n12,50", Locale::En).merchant, None);
    }
}
