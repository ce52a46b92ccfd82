//! `[merchants]`: which shops count.

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::defaults::{MERCHANT_FUZZY as DEFAULT_FUZZY, MERCHANT_TOP_LINES as DEFAULT_TOP_LINES};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merchants {
    /// Partner merchants; absent means every merchant not denied is eligible. Present but
    /// empty is an error (it would refuse everything).
    #[serde(default)]
    pub allow: Option<Vec<Merchant>>,
    /// Names that are never eligible, even if they also look like a partner.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Minimum similarity (0–1) to accept an approximate name; 1 turns fuzzy matching off.
    #[serde(default)]
    pub fuzzy: Option<f64>,
    /// How many lines at the top of the receipt are searched for the name.
    #[serde(default)]
    pub top_lines: Option<usize>,
    /// Only some stores of the partners (postcode or city prefixes).
    #[serde(default)]
    pub stores: Option<Stores>,
}

/// One partner merchant. Written as a table, or as just its name (`allow = ["FRESCO"]`, the
/// first campaign format), in which case the id is the name in lower case with dashes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Merchant {
    /// Stable id recorded in the audit trail.
    pub id: String,
    /// The name as printed on receipts (accents and case do not matter).
    pub name: String,
    /// Other spellings seen on receipts.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Regular expressions on the folded (accent-free, upper-case) header lines.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// Store filter: a receipt passes if any postcode or city printed on it starts with one of these.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stores {
    #[serde(default)]
    pub postcodes: Vec<String>,
    #[serde(default)]
    pub cities: Vec<String>,
}

/// The table form, read strictly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MerchantTable {
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
}

impl<'de> Deserialize<'de> for Merchant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Merchant, D::Error> {
        d.deserialize_any(MerchantVisitor)
    }
}

struct MerchantVisitor;

impl<'de> Visitor<'de> for MerchantVisitor {
    type Value = Merchant;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a merchant table (id, name, aliases, patterns) or a name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Merchant, E> {
        Ok(Merchant {
            id: slug(name),
            name: name.to_string(),
            aliases: Vec::new(),
            patterns: Vec::new(),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Merchant, A::Error> {
        let t = MerchantTable::deserialize(MapAccessDeserializer::new(map))?;
        Ok(Merchant {
            id: t.id,
            name: t.name,
            aliases: t.aliases,
            patterns: t.patterns,
        })
    }
}

/// `Maximarché Nord` → `maximarche-nord`.
fn slug(name: &str) -> String {
    let folded = deunicode::deunicode(name).to_lowercase();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("-")
}

impl Merchants {
    pub fn fuzzy_threshold(&self) -> f64 {
        self.fuzzy.unwrap_or(DEFAULT_FUZZY)
    }

    pub fn top_lines(&self) -> usize {
        self.top_lines.unwrap_or(DEFAULT_TOP_LINES)
    }
}

impl Merchant {
    /// The name followed by its aliases.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        allow: Vec<Merchant>,
    }

    #[test]
    fn names_and_tables_both_describe_a_partner() {
        let doc: Doc = toml::from_str(
            "allow = [\"Maximarché Nord\", { id = \"f\", name = \"FRESCO\", aliases = [\"FRESCO MKT\"] }]",
        )
        .unwrap();
        assert_eq!(doc.allow[0].id, "maximarche-nord");
        assert_eq!(doc.allow[0].name, "Maximarché Nord");
        assert_eq!(doc.allow[1].aliases, ["FRESCO MKT"]);
    }

    #[test]
    fn unknown_keys_in_a_partner_table_are_still_refused() {
        let err = toml::from_str::<Doc>("[[allow]]\nid = \"f\"\nname = \"F\"\nalias = [\"x\"]\n")
            .err()
            .unwrap();
        assert!(err.message().contains("unknown field `alias`"), "{err}");
        assert_eq!(err.span().map(|s| s.start), Some(30), "points at `alias`");
    }
}
