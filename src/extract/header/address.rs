//! The address: the run of rows after the merchant that read as a street address (street
//! words, postcodes, house numbers), up to the phone, tax or company ids or receipt details;
//! joined with spaces as SROIE labels it, printed punctuation kept.

use std::sync::LazyLock;

use regex::Regex;

use super::legal::{legal_form_span, word_offsets};
use super::mending::{mend_postcodes, mend_words, BRITISH_POSTCODE_PATTERN};
use crate::extract::classify::RowInfo;
use crate::extract::locale::Pack;
use crate::extract::text::{
    certainty, fold, letter_count, tokens, trim_decoration, trim_keeping_punctuation,
};

const ADDRESS_MAX_ROWS: usize = 6;

/// A word of a street address: a street word, a country or a place name.
fn is_address_word(word: &str) -> bool {
    let every = Pack::every_locale();
    [every.address, every.country, every.places]
        .iter()
        .any(|list| list.contains(&word))
}

/// What a slipped address word may be mended to (see `mending`).
static MENDING_VOCABULARY: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let every = Pack::every_locale();
    [
        every.address,
        every.country,
        every.places,
        every.floor_ordinals,
    ]
    .concat()
});

static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\(?\d[\d ()\-]{6,}\d").unwrap());
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\d\-/])\d{{5}}(?:$|[^\d\-/])|{BRITISH_POSTCODE_PATTERN}\b"
    ))
    .unwrap()
});
/// A row ending with a postcode and its town (`75011 PARIS`, `RN 90 73200 ALBERTVILLE`), or
/// with a British postcode (`London W14 8PB`); not a postcode alone, its town still to come
/// (Malaysian layouts that print the postcode before a line break: `Ara Damansara, 47301` /
/// `Petaling Jaya, Selangor Darul Ehsan.`).
static TOWN_AFTER_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\d\-/])\d{{5}}[ ,]+[A-Z][A-Z .'\-]*[A-Z.]$|{BRITISH_POSTCODE_PATTERN}$"
    ))
    .unwrap()
});
/// See `ends_at_short_postcode`: the whole row is a four-digit postcode, with or without its
/// country letter, and a town.
static SHORT_POSTCODE_TOWN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[A-Z]{1,2}-)?\d{4}[ ]+[A-Z][A-Z .'\-]*[A-Z.]$").unwrap());
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

pub(super) struct Address {
    pub first_row: usize,
    pub text: String,
    pub score: AddressScore,
    pub last_row: usize,
}

/// What the address's confidence is derived from: the signs of how sure the run of rows taken
/// is the address, whole and read right.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AddressScore {
    /// A postcode is in it: addresses end with their postcode and town.
    pub postcode: bool,
    /// Rows it was read from (1 to `ADDRESS_MAX_ROWS`): each more row is one more chance of a
    /// misread word or of a header row that is no part of it.
    pub rows: usize,
    /// OCR certainty (0–1, `text::certainty`) of the least sure word taken.
    pub ocr: f32,
    /// Share of its characters that are letters, digits, spaces or an address's punctuation
    /// (`, . - / # & ' ( )`): junk read from a logo or a stamp lowers it.
    pub clean: f32,
    /// A word was mended to a street word or a postcode's digits (`mending`): a guess.
    pub mended: bool,
}

/// Weights of the address's confidence, a logistic function of its score, fitted on the tune
/// half of the labelled SROIE receipts by `scripts/calibrate` (never on the check half, where
/// the calibration is checked: docs/calibration.md). In order: bias, postcode, rows (per
/// `ADDRESS_MAX_ROWS`), OCR certainty, clean share, mended.
pub const ADDRESS_WEIGHTS: [f32; 6] = [-2.10, 1.32, -1.16, 2.86, 0.21, -1.43];

impl AddressScore {
    /// The score's features, in `ADDRESS_WEIGHTS` order (the bias's is 1).
    pub fn features(&self) -> [f32; 6] {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        [
            1.0,
            flag(self.postcode),
            self.rows as f32 / ADDRESS_MAX_ROWS as f32,
            self.ocr,
            self.clean,
            flag(self.mended),
        ]
    }

    /// How likely an address with this score is to be right (as SROIE labels it, case,
    /// spaces and punctuation aside), within 0.02–0.97.
    pub fn confidence(&self) -> f32 {
        crate::extract::calibrated(&self.features(), &ADDRESS_WEIGHTS).clamp(0.02, 0.97)
    }
}

/// Whether `c` may be part of a printed address.
fn is_address_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || ",.-/#&'()".contains(c)
}

/// The address printed from row `start` on. `merchant`, when read, names the shop: a row
/// before the address that opens with its brand is the store's name, even with a street in it
/// (`7-ELEVEN JALAN TUN RAZAK` above `NO 2, JALAN TUN RAZAK,`).
pub(super) fn read_address(
    rows: &[RowInfo],
    start: usize,
    merchant: Option<&str>,
) -> Option<Address> {
    let brand = merchant.and_then(brand_word);
    let mut parts: Vec<String> = Vec::new();
    // Each row used, with how much of its text went into the address.
    let mut used: Vec<(usize, usize)> = Vec::new();
    let mut skipped = 0;
    // The last row passed over before the address started, when it could be a street name.
    let mut passed_over: Option<usize> = None;
    // The last row taken was a postcode and town the address does not say goes on.
    let mut town_reached = false;
    for (i, row) in rows.iter().enumerate().skip(start) {
        if parts.len() >= ADDRESS_MAX_ROWS || skipped > 4 {
            break;
        }
        let text = row.text();
        let started = !parts.is_empty();
        let stop = stop_position(text);
        // A company's legal name (`Lidl Dienstleistung GmbH & Co. KG`) is no address line,
        // though `KG` is also Malay for a village.
        let company = legal_form_span(text).is_some() && !is_street_row(text);
        // A currency sign is no part of an address, even beside a price misread into no
        // amount (an item row photographed on a table: `MILK SEMI SKIMMED 4PT £1765`, the
        // decimal point lost). Not `$`: OCR reads an `S` as
        // one in Malaysian lot and street numbers (`Lot $319`, `Jalan $821/39`).
        let priced = !row.amounts.is_empty() || text.contains(['€', '£']);
        let blocked = company || !row.dates.is_empty() || priced || row.role.is_summary();
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
        if town_reached && !goes_on_after_town(cleaned) {
            break;
        }
        if !started
            && brand
                .as_deref()
                .is_some_and(|b| names_the_store(cleaned, b))
        {
            skipped += 1;
            passed_over = None;
            continue;
        }
        if is_address_like(cleaned) || (started && continues_address(row, cleaned)) {
            // `AIRE DE MONTELIMAR EST A7` / `26200 MONTELIMAR`: a town line opening the address
            // takes the unrecognised line just above as its street line.
            if let Some(above) =
                passed_over.filter(|a| !started && a + 1 == i && town_only(cleaned))
            {
                parts.push(trim_keeping_punctuation(rows[above].text()).to_string());
                used.push((above, rows[above].text().len()));
            }
            parts.push(cleaned.to_string());
            used.push((i, text.len()));
            town_reached = ends_at_town(cleaned) || (started && ends_at_short_postcode(cleaned));
        } else if started {
            break;
        } else {
            skipped += 1;
            passed_over =
                (letter_count(cleaned) >= 3 && continues_address(row, cleaned)).then_some(i);
        }
    }
    if parts.is_empty() {
        return None;
    }
    let joined = parts.join(" ");
    let text = mend_postcodes(&mend_words(&joined, &MENDING_VOCABULARY));
    let least_sure = used
        .iter()
        .map(|&(i, upto)| rows[i].row.min_conf_of_span(0, upto))
        .fold(100.0_f32, f32::min);
    let chars = text.chars().count().max(1) as f32;
    let score = AddressScore {
        postcode: POSTCODE.is_match(&fold(&text)),
        rows: parts.len(),
        ocr: certainty(least_sure),
        clean: text.chars().filter(|&c| is_address_char(c)).count() as f32 / chars,
        mended: text != joined,
    };
    Some(Address {
        first_row: used[0].0,
        text,
        score,
        last_row: used.last().expect("parts and used grow together").0,
    })
}

pub(super) fn is_registration(word: &str) -> bool {
    let folded = fold(word);
    REGISTRATION.is_match(&folded)
        || (folded.starts_with('(') && folded.chars().any(|c| c.is_ascii_digit()))
}

pub(super) fn has_stop_word(text: &str) -> bool {
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
        let stop = Pack::every_locale().address_stop;
        let hit = stop.contains(&bare)
            || stop.contains(&core.as_str())
            || super::merchant::is_glued_banner(&core)
            || folded.contains("@")
            || folded.contains(".COM")
            || folded.starts_with("HTTP")
            || folded.contains("WWW");
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
    let has_word = row_tokens
        .iter()
        .any(|t| is_street_word(t) && !Pack::every_locale().country.contains(&t.as_str()));
    // A country alone is an address line; closing a company's name it is not
    // (`DISTRIBUTION CASINO FRANCE`, `TOTALENERGIES MARKETING FRANCE`).
    let country_alone = !row_tokens.is_empty()
        && row_tokens
            .iter()
            .all(|t| Pack::every_locale().country.contains(&t.as_str()));
    has_word || country_alone || POSTCODE.is_match(&folded) || NUMBER_SIGN.is_match(&folded)
}

/// Surely a street address and not a shop name: a postcode, a house number, or a street word
/// with a number (`PHARMACIE DU CENTRE` and `GARDEN PLAZA` are names).
pub(super) fn is_street_row(text: &str) -> bool {
    let folded = fold(text);
    let numbered_street = has_street_words(&folded) && folded.chars().any(|c| c.is_ascii_digit());
    numbered_street
        || POSTCODE.is_match(&folded)
        || NUMBER_SIGN.is_match(&folded)
        || HOUSE_NUMBER.is_match(trim_decoration(&folded))
}

/// A street address row: a street word, a postcode, or a house number before a name.
pub(super) fn is_address_like(text: &str) -> bool {
    has_street_signal(text) || HOUSE_NUMBER.is_match(trim_decoration(&fold(text)))
}

/// A postcode and a town, nothing of a street (`26200 MONTELIMAR`, `75002 PARIS`).
fn town_only(text: &str) -> bool {
    let folded = fold(text);
    POSTCODE.is_match(&folded)
        && !has_street_words(&folded)
        && !NUMBER_SIGN.is_match(&folded)
        && !HOUSE_NUMBER.is_match(trim_decoration(&folded))
}

/// The merchant's first word, when it can tell a store's name row: three characters or more,
/// and no street word itself.
fn brand_word(merchant: &str) -> Option<String> {
    let first = fold(merchant.split_whitespace().next()?);
    (first.chars().filter(|c| c.is_alphanumeric()).count() >= 3 && !is_street_word(&first))
        .then_some(first)
}

/// `cleaned` opens with the brand and shows no number after it: a store's name (`7-ELEVEN
/// JALAN TUN RAZAK`, `PAUL Gare de Lyon`), not a street address.
fn names_the_store(cleaned: &str, brand: &str) -> bool {
    let folded = fold(cleaned);
    let mut words = folded.split_whitespace();
    words.next() == Some(brand) && !words.any(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// A postcode and town closing the address (`73200 ALBERTVILLE`, `London W14 8PB`): not left
/// open by a trailing comma or dash, as Malaysian addresses are (`TAMAN BERKELEY 41150 KLANG,`
/// / `SELANGOR`).
fn ends_at_town(cleaned: &str) -> bool {
    TOWN_AFTER_POSTCODE.is_match(&fold(cleaned)) && !cleaned.ends_with([',', '-'])
}

/// A four-digit postcode and a town below the street, closing the address as in Belgium,
/// Switzerland, Austria and Luxembourg (`1050 Ixelles`, `CH-8001 Zürich`, `L-1611
/// Luxembourg`). Only once a street is read: alone, `1060 Wien` could be a house number.
fn ends_at_short_postcode(cleaned: &str) -> bool {
    SHORT_POSTCODE_TOWN.is_match(&fold(cleaned))
}

/// After the town, only a street row or a row of region and country names still belongs to
/// the address (`SELANGOR DARUL EHSAN`, `MALAYSIA`, `FRANCE`); the rows that follow a European
/// town are the till's (`POMMES BIO` weighed below, `Pump 4 Unleaded`,
/// `TOTALENERGIES MARKETING FRANCE`).
fn goes_on_after_town(cleaned: &str) -> bool {
    // Mended first: a state misread a letter off (`Setangor`) is still the state.
    let words = tokens(&mend_words(cleaned, &MENDING_VOCABULARY));
    is_street_row(cleaned)
        || (!words.is_empty()
            && words
                .iter()
                .all(|w| is_address_word(w) || Pack::every_locale().regions.contains(&w.as_str())))
}

/// A row after the address started that still belongs to it (`TAMAN AIR BIRU`, `JOHOR.`):
/// enough letters, read with some confidence, not a lone currency heading (`EUR`).
fn continues_address(row: &RowInfo, cleaned: &str) -> bool {
    let currency_heading = row
        .tokens
        .iter()
        .all(|t| crate::extract::amount::currency_of_marker(t).is_some());
    letter_count(cleaned) >= 2 && row.row.conf() >= 40.0 && !currency_heading
}

/// `(0005583085-K)`, `002043319-W`, `CO-REG:750441-W`: company numbers, not address.
pub(super) fn is_registration_row(text: &str) -> bool {
    let cleaned = trim_decoration(text);
    let folded = fold(cleaned);
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let labelled = Pack::every_locale()
        .company_number_label
        .iter()
        .any(|label| folded.contains(label));
    (words.len() <= 3 && words.iter().any(|w| is_registration(w)) && letter_count(cleaned) <= 8)
        || (labelled && cleaned.chars().filter(|c| c.is_ascii_digit()).count() >= 5)
        || (REGISTRATION_IN_ROW.is_match(&folded) && !has_street_words(&folded))
}

/// Street words proper (not postcodes): `LOT 1851-A` has a number like a company's.
fn has_street_words(folded: &str) -> bool {
    tokens(folded).iter().any(|t| is_street_word(t))
}

/// An address word, or a German compound street name (`HAUPTSTRASSE`, `KURFURSTENDAMM`).
fn is_street_word(token: &str) -> bool {
    is_address_word(token)
        || (token.len() > 6
            && Pack::every_locale()
                .street_suffix
                .iter()
                .any(|s| token.ends_with(s)))
}
