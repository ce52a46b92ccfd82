//! Locale packs: the words French, English and German receipts use for each role a row can
//! play (total, subtotal, tax, tender, change, …), and detection of the receipt's locale.
//!
//! The words are data, one TOML file a locale beside this module (`fr.toml`, `en.toml`,
//! `de.toml`), built into the binary and read once; a locale is added by adding its file.
//! Keywords are written folded (upper-case ASCII, see `text::fold`), words separated by single
//! spaces, and matched on row tokens. Words shared by several languages (`TOTAL`, `CASH`) live in
//! every pack that prints them; words that mean something else elsewhere (`BAR` is cash in
//! German and a bar in English, `CB` is a card in France) only in their own pack, so they only
//! count on receipts of that locale. Malay words (`TARIKH`, `BAKI`) sit in the English pack:
//! Malaysian receipts mix both.

use std::sync::LazyLock;

use super::text::{has_keyword, tokens};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    Fr,
    En,
    De,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Fr, Locale::En, Locale::De];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
            Locale::De => "de",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        let code = code.trim().to_ascii_lowercase();
        let language = code.split(['-', '_']).next().unwrap_or("");
        Locale::ALL.into_iter().find(|l| l.code() == language)
    }

    /// The words one list (`|pack| pack.savings`) holds in every locale's pack, for rows read
    /// alike whichever language the receipt was taken for.
    pub fn every_pack(
        list: fn(&'static Pack) -> &'static [&'static str],
    ) -> impl Iterator<Item = &'static str> {
        Locale::ALL
            .into_iter()
            .flat_map(move |l| list(l.pack()).iter().copied())
    }

    pub fn pack(self) -> &'static Pack {
        match self {
            Locale::Fr => &FR,
            Locale::En => &EN,
            Locale::De => &DE,
        }
    }

    /// The pack's TOML file, as built into the binary.
    fn source(self) -> &'static str {
        match self {
            Locale::Fr => include_str!("fr.toml"),
            Locale::En => include_str!("en.toml"),
            Locale::De => include_str!("de.toml"),
        }
    }
}

/// One locale's vocabulary. Weighted lists rank how surely a keyword names the amount due.
/// Every list is in its TOML file under the field's name.
pub struct Pack {
    /// Words naming the amount due, with a 1–10 weight (10: only ever the final amount).
    pub total: &'static [(&'static str, f32)],
    /// Rows that look like totals but are not the amount due (subtotals, tax, savings, …).
    pub not_total: &'static [&'static str],
    pub subtotal: &'static [&'static str],
    /// Tax words; a row led by one is a tax line, not a total.
    pub tax: &'static [&'static str],
    /// Totals before tax (`TOTAL HT`, `NETTO`, `EXCLUDING GST`).
    pub before_tax: &'static [&'static str],
    /// Money handed over: cash words.
    pub cash: &'static [&'static str],
    /// Money handed over: card and other exact payments.
    pub card: &'static [&'static str],
    /// Money handed back.
    pub change: &'static [&'static str],
    pub rounding: &'static [&'static str],
    pub discount: &'static [&'static str],
    /// Stems of words that report what the discounts came to (`VOUS AVEZ ECONOMISE`, `YOU
    /// SAVED`, `Sie haben gespart`), printed for information, never an item: matched as the
    /// start of a row's word.
    pub savings: &'static [&'static str],
    /// Words opening a note of what the amount above includes (`dont éco-part. 1,00`, `davon
    /// Pfand 0,25`): never an item of its own.
    pub part_of: &'static [&'static str],
    /// Words near the purchase date.
    pub date: &'static [&'static str],
    /// Words near a date that is not the purchase date (expiry, validity, printing).
    pub other_date: &'static [&'static str],
    /// Words that detect this locale, with their weight.
    pub markers: &'static [(&'static str, f32)],
}

static FR: LazyLock<Pack> = LazyLock::new(|| load(Locale::Fr));
static EN: LazyLock<Pack> = LazyLock::new(|| load(Locale::En));
static DE: LazyLock<Pack> = LazyLock::new(|| load(Locale::De));

/// The pack of `locale`, parsed from its built-in file. Packs live as long as the process, so
/// their words are kept for `'static` (`Box::leak`), once a locale. A file that does not
/// parse, or lacks a list, is a build defect: `tests::every_pack_loads` fails on it.
fn load(locale: Locale) -> Pack {
    let name = locale.code();
    let table: toml::Table = toml::from_str(locale.source())
        .unwrap_or_else(|e| panic!("built-in locale pack {name}.toml: {e}"));
    let list = |key: &str| match table.get(key) {
        Some(toml::Value::Array(values)) => values.clone(),
        _ => panic!("built-in locale pack {name}.toml: no list `{key}`"),
    };
    let word = |value: &toml::Value| -> &'static str {
        let text = value
            .as_str()
            .unwrap_or_else(|| panic!("{name}.toml: {value} is no word"));
        Box::leak(text.to_string().into_boxed_str())
    };
    let words =
        |key: &str| -> &'static [&'static str] { Vec::leak(list(key).iter().map(word).collect()) };
    let weighted = |key: &str| -> &'static [(&'static str, f32)] {
        let pair = |value: &toml::Value| match value.as_array().map(Vec::as_slice) {
            Some([w, toml::Value::Integer(n)]) => (word(w), *n as f32),
            Some([w, toml::Value::Float(x)]) => (word(w), *x as f32),
            _ => panic!("{name}.toml: {value} is no [word, weight] pair"),
        };
        Vec::leak(list(key).iter().map(pair).collect())
    };
    Pack {
        total: weighted("total"),
        not_total: words("not_total"),
        subtotal: words("subtotal"),
        tax: words("tax"),
        before_tax: words("before_tax"),
        cash: words("cash"),
        card: words("card"),
        change: words("change"),
        rounding: words("rounding"),
        discount: words("discount"),
        savings: words("savings"),
        part_of: words("part_of"),
        date: words("date"),
        other_date: words("other_date"),
        markers: weighted("markers"),
    }
}

/// The locale whose marker words weigh most in the text; decimal commas lean European;
/// English when nothing speaks up.
pub fn detect(rows: &[String]) -> Locale {
    let row_tokens: Vec<Vec<String>> = rows.iter().map(|r| tokens(r)).collect();
    let comma_bonus = if decimal_comma_share(rows) > 0.5 {
        2.0
    } else {
        0.0
    };
    let fr = marker_score(&row_tokens, Locale::Fr) + comma_bonus;
    let de = marker_score(&row_tokens, Locale::De) + comma_bonus;
    let en = marker_score(&row_tokens, Locale::En);
    if fr > en && fr >= de {
        Locale::Fr
    } else if de > en && de > fr {
        Locale::De
    } else {
        Locale::En
    }
}

/// Share of amounts written with a decimal comma.
fn decimal_comma_share(rows: &[String]) -> f32 {
    let (mut commas, mut all) = (0, 0);
    for row in rows {
        for amount in super::amount::find_amounts(row) {
            all += 1;
            let printed = &row[amount.start..amount.end];
            if printed
                .trim_end_matches('-')
                .rfind(',')
                .is_some_and(|i| printed.len() - i <= 4)
            {
                commas += 1;
            }
        }
    }
    if all == 0 {
        0.0
    } else {
        commas as f32 / all as f32
    }
}

fn marker_score(rows: &[Vec<String>], locale: Locale) -> f32 {
    locale
        .pack()
        .markers
        .iter()
        .filter(|(word, _)| rows.iter().any(|r| has_keyword(r, word)))
        .map(|(_, weight)| weight)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn detects_french_german_and_english() {
        let fr = rows("CARREFOUR MARKET\nTOTAL TTC 12,50\nTVA 20% 2,08\nESPECES 20,00\nRENDU 7,50");
        assert_eq!(detect(&fr), Locale::Fr);
        let de = rows(
            "REWE Markt GmbH\nSUMME EUR 12,50\nGEGEBEN BAR 20,00\nRUCKGELD 7,50\nMwSt 19% 1,99",
        );
        assert_eq!(detect(&de), Locale::De);
        let en = rows("TESCO\nTOTAL 12.50\nCASH 20.00\nCHANGE 7.50\nVAT 20% 2.08");
        assert_eq!(detect(&en), Locale::En);
        assert_eq!(detect(&[]), Locale::En);
    }

    /// Every pack parses, holds every list (and no list the code does not read), and writes its
    /// words folded: upper-case ASCII, single spaces, as rows are matched.
    #[test]
    fn every_pack_loads() {
        const LISTS: [&str; 15] = [
            "total",
            "not_total",
            "subtotal",
            "tax",
            "before_tax",
            "cash",
            "card",
            "change",
            "rounding",
            "discount",
            "savings",
            "part_of",
            "date",
            "other_date",
            "markers",
        ];
        for locale in Locale::ALL {
            let table: toml::Table = toml::from_str(locale.source()).unwrap();
            for (key, list) in &table {
                assert!(
                    LISTS.contains(&key.as_str()),
                    "{}.toml: `{key}`",
                    locale.code()
                );
                for entry in list.as_array().unwrap() {
                    let word = entry.as_str().or_else(|| entry.get(0)?.as_str()).unwrap();
                    let folded = crate::extract::text::fold(word);
                    assert_eq!(
                        word,
                        folded.split_whitespace().collect::<Vec<_>>().join(" ")
                    );
                }
            }
            assert!(!locale.pack().total.is_empty());
        }
    }

    #[test]
    fn parses_locale_codes() {
        assert_eq!(Locale::parse("fr-FR"), Some(Locale::Fr));
        assert_eq!(Locale::parse("DE"), Some(Locale::De));
        assert_eq!(Locale::parse("it"), None);
    }
}
