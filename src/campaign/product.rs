//! Finding a campaign's products on a receipt.
//!
//! Products are matched on the items the extractor read (description, quantity, amount, line).
//! Item reading is imperfect, so when no item matches we look at the raw OCR lines instead:
//! a product campaign must still work when a price column was misread. The audit says which of
//! the two a match came from, and on which line.

use std::sync::LazyLock;

use globset::{GlobBuilder, GlobMatcher};
use regex::{Regex, RegexBuilder};
use rust_decimal::Decimal;

use super::model::Product;
use super::normalize::{fold, tokens};
use crate::extract::{parse_amount, Item};
use crate::ocr::Line;

/// One word of a `words` entry; `*` at either end is a wildcard.
#[derive(Clone, Debug, PartialEq)]
pub enum WordPattern {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
}

impl WordPattern {
    fn matches(&self, token: &str) -> bool {
        match self {
            WordPattern::Exact(w) => token == w,
            WordPattern::Prefix(w) => token.starts_with(w.as_str()),
            WordPattern::Suffix(w) => token.ends_with(w.as_str()),
            WordPattern::Contains(w) => token.contains(w.as_str()),
        }
    }
}

/// Parse one `words` entry (`"yaourt* bio alpine"`); empty if it has no letters or digits.
pub fn compile_words(entry: &str) -> Vec<WordPattern> {
    entry
        .split_whitespace()
        .flat_map(|piece| {
            let (starts, ends) = (piece.starts_with('*'), piece.ends_with('*'));
            let parts = tokens(piece);
            let last = parts.len().saturating_sub(1);
            parts.into_iter().enumerate().map(move |(i, t)| {
                match (starts && i == 0, ends && i == last) {
                    (true, true) => WordPattern::Contains(t),
                    (false, true) => WordPattern::Prefix(t),
                    (true, false) => WordPattern::Suffix(t),
                    (false, false) => WordPattern::Exact(t),
                }
            })
        })
        .collect()
}

pub fn compile_glob(glob: &str) -> Result<GlobMatcher, globset::Error> {
    GlobBuilder::new(&fold(glob))
        .case_insensitive(true)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
}

pub fn compile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
}

/// A product's patterns, compiled once per campaign.
pub struct ProductMatcher {
    words: Vec<Vec<WordPattern>>,
    globs: Vec<GlobMatcher>,
    regex: Vec<Regex>,
    ean: Vec<String>,
}

impl ProductMatcher {
    /// Patterns that do not compile are left out: [`super::check`] refuses such campaigns
    /// before they get here, so this only matters for campaigns built in code.
    pub fn compile(product: &Product) -> ProductMatcher {
        ProductMatcher {
            words: product
                .words
                .iter()
                .map(|w| compile_words(w))
                .filter(|w| !w.is_empty())
                .collect(),
            globs: product
                .globs
                .iter()
                .filter_map(|g| compile_glob(g).ok())
                .collect(),
            regex: product
                .regex
                .iter()
                .filter_map(|r| compile_regex(r).ok())
                .collect(),
            ean: product.ean.iter().map(|e| e.trim().to_string()).collect(),
        }
    }

    /// Whether a receipt line (or item description) is this product.
    pub fn matches(&self, text: &str) -> bool {
        let words = tokens(text);
        if self
            .words
            .iter()
            .any(|entry| entry.iter().all(|p| words.iter().any(|t| p.matches(t))))
        {
            return true;
        }
        if !self.ean.is_empty() && words.iter().any(|t| self.ean.contains(t)) {
            return true;
        }
        if self.globs.is_empty() && self.regex.is_empty() {
            return false;
        }
        let folded = fold(text);
        self.globs.iter().any(|g| g.is_match(folded.trim()))
            || self.regex.iter().any(|r| r.is_match(&folded))
    }
}

/// Where a product was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Item,
    OcrLine,
}

/// One receipt line that is a campaign product.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub product: usize,
    pub line: usize,
    pub text: String,
    pub units: u32,
    /// What was paid for the line, when known (cashback needs it).
    pub amount: Option<Decimal>,
    pub source: Source,
    /// The line's count was printed but could not be read: `units` is a guess.
    pub count_unread: bool,
}

/// Every product line of the receipt, from the items, or from the OCR lines when no item is a
/// product.
pub fn find(matchers: &[ProductMatcher], items: &[Item], lines: &[Line]) -> Vec<Hit> {
    let from_items = hits_in_items(matchers, items);
    if !from_items.is_empty() {
        return from_items;
    }
    hits_in_lines(matchers, lines)
}

fn hits_in_items(matchers: &[ProductMatcher], items: &[Item]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for item in items
        .iter()
        .filter(|i| i.amount > Decimal::ZERO && !i.deposit)
    {
        if let Some(product) = matchers.iter().position(|m| m.matches(&item.description)) {
            hits.push(Hit {
                product,
                line: item.line,
                text: item.description.clone(),
                units: units_of(item.quantity),
                amount: Some(item.amount),
                source: Source::Item,
                count_unread: item.count_unread,
            });
        }
    }
    hits
}

fn hits_in_lines(matchers: &[ProductMatcher], lines: &[Line]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(product) = matchers.iter().position(|m| m.matches(&line.text)) else {
            continue;
        };
        let amount = line.text.split_whitespace().rev().find_map(parse_amount);
        if amount.is_some_and(|a| a <= Decimal::ZERO) {
            continue; // a discount or a return, not a purchase
        }
        hits.push(Hit {
            product,
            line: index,
            text: line.text.clone(),
            units: line_quantity(&line.text).unwrap_or(1),
            amount,
            source: Source::OcrLine,
            count_unread: false,
        });
    }
    hits
}

/// Whole units bought: a quantity of 2 is two pots; a weight (0.350) or a missing quantity is
/// one unit, and so is a multipack (`4X125G` is one pack).
fn units_of(quantity: Option<Decimal>) -> u32 {
    match quantity {
        Some(q) if q >= Decimal::ONE && q.fract().is_zero() => {
            u32::try_from(q.mantissa() / 10i128.pow(q.scale())).unwrap_or(1)
        }
        _ => 1,
    }
}

static LEADING_QTY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,3})\s*[xX×*]\s+\D").expect("static regex"));
static QTY_TIMES_PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(\d{1,3})\s*[xX×*]\s*\d+[.,]\d{2}(?:\s|$)").expect("static regex")
});

/// `2 x YAOURT …` or `YAOURT … 2 x 1,55 3,10` on a raw line; `4X125G` is a pack size, not a
/// quantity.
fn line_quantity(text: &str) -> Option<u32> {
    let c = LEADING_QTY
        .captures(text)
        .or_else(|| QTY_TIMES_PRICE.captures(text))?;
    c[1].parse().ok().filter(|q| *q >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(words: &[&str]) -> Product {
        Product {
            id: "p".into(),
            name: "p".into(),
            words: words.iter().map(|w| w.to_string()).collect(),
            globs: vec![],
            regex: vec![],
            ean: vec![],
            min_quantity: None,
            points_per_unit: None,
            points: None,
            cashback_rate: None,
            cashback_amount: None,
        }
    }

    #[test]
    fn words_match_in_any_order_with_wildcards_and_without_accents() {
        let m = ProductMatcher::compile(&product(&["yaourt* bio alpine"]));
        assert!(m.matches("YAOURT NATURE BIO ALPINE 4X125G"));
        assert!(m.matches("YAOURTS BIO VANILLE ALPINE"));
        assert!(m.matches("yaourt alpine bio fraise"));
        assert!(!m.matches("YAOURT NATURE ALPINE"));
        let m = ProductMatcher::compile(&product(&["crème fraîche"]));
        assert!(m.matches("CREME FRAICHE EPAISSE"));
    }

    #[test]
    fn globs_regex_and_ean() {
        let mut p = product(&[]);
        p.globs = vec!["*yaourt*bio*".into()];
        p.regex = vec![r"\bSKYR\b".into()];
        p.ean = vec!["3017620422003".into()];
        let m = ProductMatcher::compile(&p);
        assert!(m.matches("Yaourt nature bio"));
        assert!(m.matches("skyr nature"));
        assert!(m.matches("3017620422003 PATE A TARTINER"));
        assert!(!m.matches("SKYRIM"));
    }

    /// `Pfand Mineralwasser 0,25` below the water bought: the deposit is no bottle of water.
    #[test]
    fn a_deposit_is_never_the_product() {
        let item = |description: &str, deposit| Item {
            description: description.into(),
            quantity: None,
            unit: None,
            unit_price: None,
            amount: Decimal::new(25, 2),
            line: 0,
            count_unread: false,
            deposit,
        };
        let m = ProductMatcher::compile(&product(&["mineralwasser"]));
        let items = [
            item("Mineralwasser", false),
            item("Pfand Mineralwasser", true),
        ];
        assert_eq!(find(&[m], &items, &[]).len(), 1);
    }

    #[test]
    fn units_come_from_whole_quantities_only() {
        assert_eq!(units_of(Some(Decimal::new(2, 0))), 2);
        assert_eq!(units_of(Some(Decimal::new(200, 2))), 2);
        assert_eq!(units_of(Some(Decimal::new(350, 3))), 1);
        assert_eq!(units_of(None), 1);
        assert_eq!(line_quantity("2 x YAOURT BIO"), Some(2));
        assert_eq!(line_quantity("YAOURT BIO FRAISE 3 x 1,55 4,65"), Some(3));
        assert_eq!(line_quantity("4X125G YAOURT"), None);
        assert_eq!(line_quantity("YAOURT NATURE BIO ALPINE 4X125G 2,35"), None);
    }
}
