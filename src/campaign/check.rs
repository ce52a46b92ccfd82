//! Rule checks: a campaign file can be valid TOML with the right types and still be wrong —
//! a period that ends before it starts, a product no receipt line could ever match, an empty
//! partner list, caps that contradict each other. Each is reported at the key it concerns.

use rust_decimal::Decimal;

use super::check_limits;
use super::load::Problem;
use super::model::Campaign;
use super::normalize::tokens;
use super::product::{compile_glob, compile_regex, compile_words};
use super::span::locate;

/// A problem before it is located: the key path it concerns and what is wrong.
struct Found {
    path: Vec<Key>,
    message: String,
}

#[derive(Clone, Debug)]
pub(crate) enum Key {
    Name(String),
    Index(usize),
}

fn path(spec: &str) -> Vec<Key> {
    spec.split('.')
        .map(|part| match part.parse::<usize>() {
            Ok(i) => Key::Index(i),
            Err(_) => Key::Name(part.to_string()),
        })
        .collect()
}

#[derive(Default)]
pub(super) struct Checker {
    found: Vec<Found>,
}

impl Checker {
    pub(super) fn error(&mut self, at: impl AsRef<str>, message: impl Into<String>) {
        self.found.push(Found {
            path: path(at.as_ref()),
            message: message.into(),
        });
    }
}

/// Every rule problem in `campaign`, located in its source `text`, in file order.
pub fn check(campaign: &Campaign, text: &str) -> Vec<Problem> {
    let mut c = Checker::default();
    identity(campaign, &mut c);
    dates(campaign, &mut c);
    merchants(campaign, &mut c);
    products(campaign, &mut c);
    check_limits::points(campaign, &mut c);
    check_limits::caps(campaign, &mut c);
    review(campaign, &mut c);
    quality(campaign, &mut c);
    let mut problems: Vec<Problem> = c
        .found
        .into_iter()
        .map(|f| Problem::at(text, locate(text, &f.path), f.message))
        .collect();
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

fn identity(campaign: &Campaign, c: &mut Checker) {
    if campaign.id.trim().is_empty() || campaign.id.chars().any(char::is_whitespace) {
        c.error(
            "id",
            "the id must be a non-empty word without spaces (it goes into points.csv)",
        );
    }
    if campaign.name.trim().is_empty() {
        c.error("name", "the name must not be empty");
    }
    if let Some(currency) = &campaign.currency {
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            c.error(
                "currency",
                format!("currency {currency:?} is not an ISO 4217 code like \"EUR\""),
            );
        }
    }
    if let Some(min) = campaign.min_total.filter(|m| *m < Decimal::ZERO) {
        c.error("min_total", format!("min_total {min} is negative"));
    }
}

fn dates(campaign: &Campaign, c: &mut Checker) {
    let period = &campaign.period;
    if period.end < period.start {
        c.error(
            "period.end",
            format!(
                "the period ends ({}) before it starts ({})",
                period.end, period.start
            ),
        );
    }
    if let Some(deadline) = campaign.submission.deadline {
        if deadline < period.end {
            c.error(
                "submission.deadline",
                format!(
                    "the deadline ({deadline}) is before the end of the period ({}): purchases after it could never be submitted in time",
                    period.end
                ),
            );
        }
    }
}

fn merchants(campaign: &Campaign, c: &mut Checker) {
    let m = &campaign.merchants;
    if let Some(allow) = &m.allow {
        if allow.is_empty() {
            c.error(
                "merchants.allow",
                "the allow list is empty, so no receipt could ever be accepted: list the partners, or remove `allow` to accept every merchant",
            );
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, merchant) in allow.iter().enumerate() {
            if !ids.insert(merchant.id.as_str()) {
                c.error(
                    format!("merchants.allow.{i}.id"),
                    format!("merchant id {:?} is used twice", merchant.id),
                );
            }
            for (j, spelling) in merchant.spellings().enumerate() {
                let key = match j {
                    0 => format!("merchants.allow.{i}.name"),
                    _ => format!("merchants.allow.{i}.aliases.{}", j - 1),
                };
                if tokens(spelling).is_empty() {
                    c.error(
                        key,
                        format!(
                            "{spelling:?} has no letters or digits: it can never match a receipt"
                        ),
                    );
                } else if m.deny.iter().any(|d| tokens(d) == tokens(spelling)) {
                    c.error(key, format!("{spelling:?} is both allowed and denied"));
                }
            }
            regexes(
                &merchant.patterns,
                &format!("merchants.allow.{i}.patterns"),
                c,
            );
        }
    }
    for (i, name) in m.deny.iter().enumerate() {
        if tokens(name).is_empty() {
            c.error(
                format!("merchants.deny.{i}"),
                format!("{name:?} has no letters or digits: it can never match a receipt"),
            );
        }
    }
    if let Some(fuzzy) = m.fuzzy.filter(|f| !(0.5..=1.0).contains(f)) {
        c.error(
            "merchants.fuzzy",
            format!("fuzzy must be between 0.5 and 1 (1 turns it off), got {fuzzy}"),
        );
    }
    if m.top_lines == Some(0) {
        c.error("merchants.top_lines", "top_lines must be at least 1");
    }
    if let Some(stores) = &m.stores {
        if stores.postcodes.is_empty() && stores.cities.is_empty() {
            c.error(
                "merchants.stores",
                "the store filter lists no postcode and no city, so every receipt would be refused",
            );
        }
        for (i, p) in stores.postcodes.iter().enumerate() {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                c.error(
                    format!("merchants.stores.postcodes.{i}"),
                    format!("{p:?} is not a postcode prefix (1 to 5 digits)"),
                );
            }
        }
    }
}

fn products(campaign: &Campaign, c: &mut Checker) {
    let mut ids = std::collections::BTreeSet::new();
    for (i, p) in campaign.products.iter().enumerate() {
        let at = |key: &str| format!("products.{i}.{key}");
        if !ids.insert(p.id.as_str()) {
            c.error(at("id"), format!("product id {:?} is used twice", p.id));
        }
        if p.words.is_empty() && p.globs.is_empty() && p.regex.is_empty() && p.ean.is_empty() {
            c.error(
                at("id"),
                format!(
                    "product {:?} can never match: give it words, globs, regex or ean",
                    p.id
                ),
            );
        }
        for (j, entry) in p.words.iter().enumerate() {
            if compile_words(entry).is_empty() {
                c.error(
                    at(&format!("words.{j}")),
                    format!(
                        "{entry:?} has no letters or digits: it can never match a receipt line"
                    ),
                );
            }
        }
        for (j, glob) in p.globs.iter().enumerate() {
            if let Err(e) = compile_glob(glob) {
                c.error(
                    at(&format!("globs.{j}")),
                    format!("invalid glob `{glob}`: {}", e.kind()),
                );
            }
        }
        regexes(&p.regex, &at("regex"), c);
        for (j, ean) in p.ean.iter().enumerate() {
            if let Some(problem) = ean_problem(ean) {
                c.error(at(&format!("ean.{j}")), problem);
            }
        }
        if p.min_quantity == Some(0) {
            c.error(at("min_quantity"), "min_quantity must be at least 1");
        }
        positive(c, &at("points_per_unit"), p.points_per_unit);
        positive(c, &at("points"), p.points);
        positive(c, &at("cashback_amount"), p.cashback_amount);
        if let Some(rate) = p
            .cashback_rate
            .filter(|r| *r <= Decimal::ZERO || *r > Decimal::ONE)
        {
            c.error(
                at("cashback_rate"),
                format!("cashback_rate is a share between 0 and 1 (0.20 = 20 %), got {rate}"),
            );
        }
    }
}

fn regexes(patterns: &[String], key: &str, c: &mut Checker) {
    for (j, pattern) in patterns.iter().enumerate() {
        if let Err(e) = compile_regex(pattern) {
            // The regex crate's message ends with its one-line summary: keep just that.
            let text = e.to_string();
            let last = text.lines().last().unwrap_or_default().trim();
            let first = last.trim_start_matches("error: ");
            c.error(
                format!("{key}.{j}"),
                format!("invalid regular expression `{pattern}`: {first}"),
            );
        } else if pattern
            .chars()
            .any(|ch| ch.is_alphabetic() && !ch.is_ascii())
        {
            c.error(
                format!("{key}.{j}"),
                format!("`{pattern}` can never match: receipt lines are compared without accents, write plain letters (E for É)"),
            );
        }
    }
}

/// GTIN-8/12/13/14 with a valid check digit.
fn ean_problem(ean: &str) -> Option<String> {
    let digits: Vec<u32> = ean.chars().filter_map(|ch| ch.to_digit(10)).collect();
    if digits.len() != ean.len() || ![8, 12, 13, 14].contains(&digits.len()) {
        return Some(format!(
            "{ean:?} is not an EAN/GTIN (8, 12, 13 or 14 digits)"
        ));
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    let expected = (10 - sum % 10) % 10;
    (check[0] != expected).then(|| format!("EAN {ean} has a wrong check digit: expected {expected}, it would never be printed on a receipt"))
}

pub(super) fn positive(c: &mut Checker, key: &str, value: Option<Decimal>) {
    if let Some(v) = value.filter(|v| *v <= Decimal::ZERO) {
        c.error(key, format!("must be more than 0, got {v}"));
    }
}

/// Shares and confidences are fractions: `max_glare = 15` or `clear_reading = 90` (a percent)
/// would silently turn the gate or the clear-reading review off.
fn quality(campaign: &Campaign, c: &mut Checker) {
    let q = &campaign.quality;
    for (key, value) in [
        ("quality.max_glare", q.max_glare),
        ("quality.clear_reading", q.clear_reading),
    ] {
        if !(0.0..=1.0).contains(&value) {
            let name = key.trim_start_matches("quality.");
            c.error(key, format!("{name} is between 0 and 1, got {value}"));
        }
    }
}

fn review(campaign: &Campaign, c: &mut Checker) {
    let r = &campaign.review;
    if r.min_confidence.is_some_and(|m| m.keyed().is_empty()) {
        c.error(
            "review.min_confidence",
            "min_confidence names no field: give merchant, date or total a threshold, or remove it",
        );
    }
    for (key, min) in r.min_confidence.iter().flat_map(|m| m.keyed()) {
        if !(0.0..=1.0).contains(&min) {
            let name = key.trim_start_matches("review.");
            c.error(&key, format!("{name} is between 0 and 1, got {min}"));
        }
    }
    if r.uncertain_quantity && campaign.products.is_empty() {
        c.error(
            "review.uncertain_quantity",
            "uncertain_quantity has no effect without products: no quantity is counted",
        );
    }
    if r.uncertain_merchant && campaign.merchants.allow.is_none() {
        c.error(
            "review.uncertain_merchant",
            "uncertain_merchant has no effect without merchants.allow: any merchant is accepted",
        );
    }
    positive(c, "review.total_above", r.total_above);
    positive(c, "review.points_above", r.points_above);
    if let (Some(above), Some(min)) = (r.total_above, campaign.min_total) {
        if above < min {
            c.error(
                "review.total_above",
                format!("review.total_above ({above}) is below min_total ({min}): every eligible receipt would go to review"),
            );
        }
    }
}
