//! Recognising the merchant a receipt comes from, as the campaign names it.
//!
//! What the extractor calls the merchant is a guess (often just the first line), and OCR damages
//! names (`FRESC0 MARKET`, `MAXIMARCHE` for `MAXIMARCHÉ`). So we compare every spelling the
//! campaign gives (name, aliases, patterns) with the extracted merchant *and* the top lines of
//! the receipt, ignoring accents, case and spaces, and accept a close-enough name when no exact
//! one is found. Denied names win over allowed ones: a pharmacy inside a partner mall is still
//! a pharmacy.

use std::sync::LazyLock;

use regex::Regex;

use super::model::Merchants;
use super::normalize::{compact, fold, tokens};
use super::product::compile_regex;
use crate::extract::Receipt;
use crate::ocr::Line;

/// How the merchant was recognised.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// A partner, with the spelling and line that matched and the similarity (1 = exact).
    Allowed {
        id: String,
        line: Option<usize>,
        text: String,
        score: f64,
    },
    /// A name on the deny list.
    Denied {
        name: String,
        line: Option<usize>,
        text: String,
    },
    /// No partner recognised; `read` is what the extractor took for the merchant.
    Unknown { read: Option<String> },
    /// The campaign has no allow list and nothing denied was found.
    Open,
}

struct Candidate<'a> {
    line: Option<usize>,
    text: &'a str,
    tokens: Vec<String>,
}

struct Partner {
    id: String,
    spellings: Vec<Vec<String>>,
    patterns: Vec<Regex>,
}

/// The campaign's merchant rules, compiled once.
pub struct MerchantResolver {
    partners: Option<Vec<Partner>>,
    deny: Vec<(String, Vec<String>)>,
    fuzzy: f64,
    top_lines: usize,
}

impl MerchantResolver {
    pub fn new(merchants: &Merchants) -> MerchantResolver {
        let partners = merchants.allow.as_ref().map(|allow| {
            allow
                .iter()
                .map(|m| Partner {
                    id: m.id.clone(),
                    spellings: m
                        .spellings()
                        .map(tokens)
                        .filter(|t| !t.is_empty())
                        .collect(),
                    patterns: m
                        .patterns
                        .iter()
                        .filter_map(|p| compile_regex(p).ok())
                        .collect(),
                })
                .collect()
        });
        MerchantResolver {
            partners,
            deny: merchants
                .deny
                .iter()
                .map(|d| (d.clone(), tokens(d)))
                .filter(|(_, t)| !t.is_empty())
                .collect(),
            fuzzy: merchants.fuzzy_threshold(),
            top_lines: merchants.top_lines(),
        }
    }

    pub fn resolve(&self, receipt: &Receipt, lines: &[Line]) -> Resolution {
        let candidates = self.candidates(receipt, lines);
        for (name, spelling) in &self.deny {
            if let Some(c) = candidates
                .iter()
                .find(|c| contains_exact(&c.tokens, spelling))
            {
                return Resolution::Denied {
                    name: name.clone(),
                    line: c.line,
                    text: c.text.to_string(),
                };
            }
        }
        let Some(partners) = &self.partners else {
            return Resolution::Open;
        };
        let mut best: Option<(f64, &Partner, &Candidate)> = None;
        for c in &candidates {
            for partner in partners {
                let score = self.score(partner, c);
                // Strictly better only: the first of equals wins, so ties are deterministic.
                let better = best.as_ref().is_none_or(|(b, _, _)| score > *b);
                if score >= self.fuzzy.min(1.0) && better {
                    best = Some((score, partner, c));
                }
            }
        }
        match best {
            Some((score, partner, c)) => Resolution::Allowed {
                id: partner.id.clone(),
                line: c.line.or_else(|| line_of(lines, c.text, self.top_lines)),
                text: c.text.to_string(),
                score: (score * 100.0).round() / 100.0,
            },
            None => Resolution::Unknown {
                read: receipt.merchant.clone(),
            },
        }
    }

    /// The extracted merchant first, then the top lines in reading order.
    fn candidates<'a>(&self, receipt: &'a Receipt, lines: &'a [Line]) -> Vec<Candidate<'a>> {
        let read = receipt.merchant.as_deref().map(|text| Candidate {
            line: None,
            text,
            tokens: tokens(text),
        });
        let top = lines
            .iter()
            .take(self.top_lines)
            .enumerate()
            .map(|(i, l)| Candidate {
                line: Some(i),
                text: &l.text,
                tokens: tokens(&l.text),
            });
        read.into_iter().chain(top).collect()
    }

    fn score(&self, partner: &Partner, c: &Candidate) -> f64 {
        let mut best = 0.0f64;
        for spelling in &partner.spellings {
            if contains_exact(&c.tokens, spelling) {
                return 1.0;
            }
            if self.fuzzy < 1.0 {
                best = best.max(fuzzy_score(&c.tokens, spelling));
            }
        }
        if !partner.patterns.is_empty() {
            let folded = fold(c.text);
            if partner.patterns.iter().any(|p| p.is_match(&folded)) {
                return 1.0;
            }
        }
        best
    }
}

/// Whether some run of consecutive words of `line` spells `name` (spaces ignored).
fn contains_exact(line: &[String], name: &[String]) -> bool {
    let target = compact(name);
    windows(line, name.len()).any(|w| compact(w) == target)
}

/// The best similarity between `name` and a run of words of `line` of about its length.
fn fuzzy_score(line: &[String], name: &[String]) -> f64 {
    let target = compact(name);
    if target.len() < 4 {
        return 0.0; // too short to guess at: `U` or `ALDI` must be read exactly
    }
    windows(line, name.len())
        .map(|w| strsim::normalized_levenshtein(&compact(w), &target))
        .fold(0.0, f64::max)
}

/// Runs of 1 to `n + 1` consecutive words: OCR splits a word in two (`TAIL ORING`), and it
/// glues a whole name into one word when a narrow font's spaces are lost
/// (`SANYUSTATIONERYSHOP`); spaces are ignored when they are compared.
fn windows(line: &[String], n: usize) -> impl Iterator<Item = &[String]> {
    let sizes = 1..=n + 1;
    sizes.flat_map(move |size| {
        (0..=line.len().saturating_sub(size))
            .filter(move |_| size <= line.len())
            .map(move |start| &line[start..start + size])
    })
}

/// The index of the top line holding `text` (to point the audit at it).
fn line_of(lines: &[Line], text: &str, top: usize) -> Option<usize> {
    let wanted = fold(text.trim());
    lines
        .iter()
        .take(top.max(1))
        .position(|l| fold(&l.text).contains(&wanted))
}

static POSTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d.,])(\d{5})(?:$|[^\d.,])").expect("static regex"));

/// Whether the receipt shows a store in the filter: a five-digit postcode starting with one of
/// `postcodes`, or a word starting with one of `cities`. Returns the line that matched.
pub fn store_line(
    postcodes: &[String],
    cities: &[String],
    receipt: &Receipt,
    lines: &[Line],
) -> Option<(Option<usize>, String)> {
    let address = receipt.address.iter().map(|a| (None, a.as_str()));
    let texts = address.chain(
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (Some(i), l.text.as_str())),
    );
    let cities: Vec<String> = cities.iter().map(|c| fold(c.trim())).collect();
    for (line, text) in texts {
        let postcode_ok = POSTCODE
            .captures_iter(text)
            .any(|c| postcodes.iter().any(|p| c[1].starts_with(p.trim())));
        let folded = fold(text);
        let city_ok = cities.iter().any(|city| starts_a_word(&folded, city));
        if postcode_ok || city_ok {
            return Some((line, text.to_string()));
        }
    }
    None
}

fn starts_a_word(text: &str, prefix: &str) -> bool {
    !prefix.is_empty()
        && text.match_indices(prefix).any(|(i, _)| {
            text[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::model::Merchant;
    use crate::ocr::{BBox, Line};

    fn line(text: &str) -> Line {
        Line::from_text(text, 90.0, BBox::default())
    }

    fn merchants() -> Merchants {
        Merchants {
            allow: Some(vec![
                Merchant {
                    id: "fresco".into(),
                    name: "FRESCO MARKET".into(),
                    aliases: vec!["FRESCO".into(), "FRESCO MKT".into()],
                    patterns: vec![],
                },
                Merchant {
                    id: "maximarche".into(),
                    name: "MAXIMARCHÉ".into(),
                    aliases: vec!["MAXI MARCHE".into()],
                    patterns: vec![],
                },
            ]),
            deny: vec!["PHARMACIE".into()],
            ..Merchants::default()
        }
    }

    fn resolve(merchant: Option<&str>, texts: &[&str]) -> Resolution {
        let receipt = Receipt {
            merchant: merchant.map(String::from),
            ..Receipt::default()
        };
        let lines: Vec<Line> = texts.iter().map(|t| line(t)).collect();
        MerchantResolver::new(&merchants()).resolve(&receipt, &lines)
    }

    fn id(r: &Resolution) -> Option<(&str, f64)> {
        match r {
            Resolution::Allowed { id, score, .. } => Some((id.as_str(), *score)),
            _ => None,
        }
    }

    #[test]
    fn recognises_ocr_damaged_and_accentless_names() {
        assert_eq!(
            id(&resolve(Some("FRESC0 MARKET"), &[])),
            Some(("fresco", 1.0))
        );
        assert_eq!(
            id(&resolve(Some("MAXIMARCHE"), &[])),
            Some(("maximarche", 1.0))
        );
        assert_eq!(
            id(&resolve(Some("Maxi Marché"), &[])),
            Some(("maximarche", 1.0))
        );
        let fuzzy = resolve(Some("FRESKO MARKET"), &[]);
        let (who, score) = id(&fuzzy).unwrap();
        assert_eq!(who, "fresco");
        assert!((0.85..1.0).contains(&score), "{score}");
    }

    #[test]
    fn finds_the_name_below_the_first_line() {
        let r = resolve(
            Some("Bienvenue"),
            &["Bienvenue", "chez", "MAXIMARCHÉ", "12 rue de la Paix"],
        );
        match r {
            Resolution::Allowed { id, line, .. } => {
                assert_eq!(id, "maximarche");
                assert_eq!(line, Some(2));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_and_denied_merchants() {
        assert_eq!(
            resolve(Some("BOULANGERIE DUPONT"), &["BOULANGERIE DUPONT"]),
            Resolution::Unknown {
                read: Some("BOULANGERIE DUPONT".into())
            }
        );
        assert!(matches!(
            resolve(Some("PHARMACIE FRESCO"), &[]),
            Resolution::Denied { .. }
        ));
        // A longer word that merely starts like a partner is not that partner.
        assert!(id(&resolve(Some("FRESCOBALDI"), &[])).is_none());
    }

    /// Regression: a name printed in a narrow font and read without its spaces
    /// (`SANYUSTATIONERYSHOP`, 5 of the 187 SROIE tune-half receipts) was no partner, because
    /// only runs of n - 1 to n + 1 words were compared with an n-word name.
    #[test]
    fn a_name_read_without_its_spaces_is_still_the_partner() {
        assert_eq!(
            id(&resolve(Some("FRESCOMARKET"), &[])),
            Some(("fresco", 1.0))
        );
        assert_eq!(
            id(&resolve(
                Some("Bienvenue"),
                &["TICKET", "FRESCOMARKT 12 RUE X"]
            ))
            .map(|(i, _)| i),
            Some("fresco")
        );
        assert!(id(&resolve(Some("FRESCOMARKETING"), &[])).is_none_or(|(_, s)| s < 1.0));
    }

    #[test]
    fn store_filter_reads_postcodes_and_cities() {
        let receipt = Receipt::default();
        let lines = vec![
            line("FRESCO MARKET"),
            line("12 rue X 75011 PARIS"),
            line("TOTAL 12,50"),
        ];
        assert!(store_line(&["75".into()], &[], &receipt, &lines).is_some());
        assert!(store_line(&["69".into()], &[], &receipt, &lines).is_none());
        assert!(store_line(&[], &["paris".into()], &receipt, &lines).is_some());
        assert!(store_line(&[], &["ARIS".into()], &receipt, &lines).is_none());
    }
}
