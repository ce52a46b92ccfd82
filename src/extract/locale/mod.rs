//! Locale packs: the words French, English, German, Spanish, Italian and Dutch receipts use for
//! each role a row can play (total, subtotal, tax, tender, change, …), and detection of the
//! receipt's locale.
//!
//! The words are data, one TOML file a locale beside this module (`fr.toml`, `en.toml`, …
//! `nl.toml`), built into the binary and read once; a locale is added by adding its file.
//! Keywords are written folded (upper-case ASCII, see `text::fold`), words separated by single
//! spaces, and matched on row tokens. Words shared by several languages (`TOTAL`, `CASH`) live in
//! every pack that prints them; words that mean something else elsewhere (`BAR` is cash in
//! German and a bar in English, `CB` is a card in France) only in their own pack, so they only
//! count on receipts of that locale. Malay words (`TARIKH`, `BAKI`) sit in the English pack:
//! Malaysian receipts mix both. Keywords are matched through one OCR slip (`text::token_matches`:
//! a dropped last letter, a confusable glyph), so a word one letter longer than another pack's
//! (`TOTALE`, `TOTAL`) must not outweigh it: on SROIE, `TOTALE` at 8 outbid every `TOTAL`.

use std::sync::LazyLock;

use super::text::{has_keyword, tokens};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    Fr,
    En,
    De,
    Es,
    It,
    Nl,
}

impl Locale {
    /// Every locale, French, English and German first: lists read in every language keep
    /// their words in this order.
    pub const ALL: [Locale; 6] = [
        Locale::Fr,
        Locale::En,
        Locale::De,
        Locale::Es,
        Locale::It,
        Locale::Nl,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
            Locale::De => "de",
            Locale::Es => "es",
            Locale::It => "it",
            Locale::Nl => "nl",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        let code = code.trim().to_ascii_lowercase();
        let language = code.split(['-', '_']).next().unwrap_or("");
        Locale::ALL.into_iter().find(|l| l.code() == language)
    }

    pub fn pack(self) -> &'static Pack {
        match self {
            Locale::Fr => &FR,
            Locale::En => &EN,
            Locale::De => &DE,
            Locale::Es => &ES,
            Locale::It => &IT,
            Locale::Nl => &NL,
        }
    }

    /// The pack's TOML file, as built into the binary.
    fn source(self) -> &'static str {
        match self {
            Locale::Fr => include_str!("fr.toml"),
            Locale::En => include_str!("en.toml"),
            Locale::De => include_str!("de.toml"),
            Locale::Es => include_str!("es.toml"),
            Locale::It => include_str!("it.toml"),
            Locale::Nl => include_str!("nl.toml"),
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
    /// Banner rows above or below the name that are never the merchant (`TAX INVOICE`,
    /// `BIENVENUE`, `KASSENBON`).
    pub banner: &'static [&'static str],
    /// Banners only when they are the whole row (`CASH` above the items), not inside a name.
    pub lone_banner: &'static [&'static str],
    /// Words before the real name (`Dimiliki: X SDN BHD`, `Bienvenue chez X`), the longer
    /// first: the first that opens the row is cut.
    pub name_prefix: &'static [&'static str],
    /// Legal forms ending a registered company's name (`SDN BHD`, `SARL`, `GMBH`), folded,
    /// punctuation other than `/` and `&` removed.
    pub legal_form: &'static [&'static str],
    /// Legal forms too short to trust anywhere but at the end of the name (`SA`, `KG`, `CO`).
    pub legal_form_at_end: &'static [&'static str],
    /// Legal forms printed before the name (`SAS DUPONT`).
    pub legal_form_first: &'static [&'static str],
    /// Words of a street address (`RUE`, `JALAN`, `STRASSE`).
    pub address: &'static [&'static str],
    /// Countries printed at the end of an address.
    pub country: &'static [&'static str],
    /// Words that end an address or show a row is none (phone, tax ids, receipt details).
    pub address_stop: &'static [&'static str],
    /// Endings of compound street names (`Hauptstrasse`, `Lindenallee`).
    pub street_suffix: &'static [&'static str],
    /// States and cities printed in addresses, address words of their own. The English pack
    /// holds Malaysia's, which also tell a receipt is Malaysian (`extract::read_currency`).
    pub places: &'static [&'static str],
    /// The rest of region names printed after the town (`SELANGOR DARUL EHSAN`): address
    /// words only after a town, never mended to, as several are a letter apart (`AMAN`, `IMAN`).
    pub regions: &'static [&'static str],
    /// Floors as tills print them (`3RD FLR`): address words for mending OCR slips only, since
    /// a bare ordinal says nothing about a row being an address.
    pub floor_ordinals: &'static [&'static str],
    /// Words one OCR slip from an address word that are words of their own (`HALL`, `IST`):
    /// never mended to it.
    pub not_mended: &'static [&'static str],
    /// Words naming the time of day (`HEURE`, `ZEIT`).
    pub time: &'static [&'static str],
    /// Short words before a clock reading (`à 9:05`, `um 9:05`).
    pub clock_word: &'static [&'static str],
    /// Column headings and receipt details: rows naming them are never item descriptions.
    pub not_description: &'static [&'static str],
    /// How tills name the number of articles (`NB ARTICLES`, `ITEM COUNT`).
    pub article_count: &'static [&'static str],
    /// The word after a count of articles alone on a row (`5 ARTICLES`, `3 Artikel`).
    pub article_word: &'static [&'static str],
    /// Receipt-number labels, most specific first.
    pub ticket_label: &'static [&'static str],
    /// Labels before a payment method on rows without an amount (`Payment Type: Cash`).
    pub payment_label: &'static [&'static str],
    /// Words saying money was handed over, even next to `TOTAL`.
    pub handed_over: &'static [&'static str],
    /// Words heading a tax summary table (`TAUX`, `RATE`, `BRUTTO`).
    pub tax_table_header: &'static [&'static str],
    /// Labels of a VAT number (`TVA`, `USt-IdNr`).
    pub vat_id_label: &'static [&'static str],
    /// This pack's words that mean something else in another language, or too little on their
    /// own (`CB`, `BAR`, `DT`): they count only on receipts of this locale.
    pub ambiguous: &'static [&'static str],
    /// Month names and their abbreviations, with the month's number.
    pub months: &'static [(&'static str, u32)],
    /// Words joining two parts of a name (`&`, `ET`, `UND`): a name row ending on one goes on.
    pub joining_word: &'static [&'static str],
    /// Labels of a company number (`CO. NO`, `ROC`): a row with one and digits is no address.
    pub company_number_label: &'static [&'static str],
    /// Words opening a container-deposit row (`PFAND`, `CONSIGNE`, `LEERGUT`).
    pub deposit: &'static [&'static str],
    /// Units a count of pieces is printed with (`2 St`, `3 PCS`, `1 pce`): a number with one is a
    /// count, never a pack size or a weight.
    pub piece_unit: &'static [&'static str],
    /// Labels of a row giving the price of one unit of the item above (`Einzelpreis 3,49`,
    /// `PRIX UNITAIRE 1,20`): a detail of that item, never an item of its own.
    pub unit_price_label: &'static [&'static str],
    /// Labels of the price an item had before its discount (`REGULAR PRICE 9.99`, `statt 2,49`,
    /// `PRIX NORMAL`), printed below it for information: never an item.
    pub reference_price: &'static [&'static str],
    /// Payment words with the method each names (`MASTER` is `MASTERCARD`, `CB` a `CARD`).
    pub payment_method: &'static [(&'static str, &'static str)],
    /// Words showing a receipt's country, with the dollar a bare `$` means there (`TVQ`: CAD).
    pub dollar: &'static [(&'static str, &'static str)],
}

impl Pack {
    /// Every locale's words together, each list in pack order (fr, en, de) without repeats:
    /// for rows read alike whichever language the receipt was taken for.
    pub fn every_locale() -> &'static Pack {
        &EVERY
    }
}

static FR: LazyLock<Pack> = LazyLock::new(|| load(Locale::Fr));
static EN: LazyLock<Pack> = LazyLock::new(|| load(Locale::En));
static DE: LazyLock<Pack> = LazyLock::new(|| load(Locale::De));
static ES: LazyLock<Pack> = LazyLock::new(|| load(Locale::Es));
static IT: LazyLock<Pack> = LazyLock::new(|| load(Locale::It));
static NL: LazyLock<Pack> = LazyLock::new(|| load(Locale::Nl));
static EVERY: LazyLock<Pack> = LazyLock::new(|| {
    let mut every = toml::Table::new();
    for locale in Locale::ALL {
        for (key, list) in parse(locale) {
            let merged = every.entry(key).or_insert(toml::Value::Array(Vec::new()));
            let Some(merged) = merged.as_array_mut() else {
                continue;
            };
            for entry in list.as_array().into_iter().flatten() {
                if !merged.contains(entry) {
                    merged.push(entry.clone());
                }
            }
        }
    }
    from_table(&every, "(merged)")
});

/// The pack of `locale`, parsed from its built-in file. Packs live as long as the process, so
/// their words are kept for `'static` (`Box::leak`), once a locale. A file that does not
/// parse, or lacks a list, is a build defect: `tests::every_pack_loads` fails on it.
fn load(locale: Locale) -> Pack {
    from_table(&parse(locale), &format!("{}.toml", locale.code()))
}

fn parse(locale: Locale) -> toml::Table {
    toml::from_str(locale.source())
        .unwrap_or_else(|e| panic!("built-in locale pack {}.toml: {e}", locale.code()))
}

fn from_table(table: &toml::Table, name: &str) -> Pack {
    let read = std::cell::RefCell::new(Vec::new());
    let list = |key: &str| {
        read.borrow_mut().push(key.to_string());
        match table.get(key) {
            Some(toml::Value::Array(values)) => values.clone(),
            _ => panic!("built-in locale pack {name}: no list `{key}`"),
        }
    };
    let word = |value: &toml::Value| -> &'static str {
        let text = value
            .as_str()
            .unwrap_or_else(|| panic!("locale pack {name}: {value} is no word"));
        Box::leak(text.to_string().into_boxed_str())
    };
    let words =
        |key: &str| -> &'static [&'static str] { Vec::leak(list(key).iter().map(word).collect()) };
    let weighted = |key: &str| -> &'static [(&'static str, f32)] {
        let pair = |value: &toml::Value| match value.as_array().map(Vec::as_slice) {
            Some([w, toml::Value::Integer(n)]) => (word(w), *n as f32),
            Some([w, toml::Value::Float(x)]) => (word(w), *x as f32),
            _ => panic!("locale pack {name}: {value} is no [word, weight] pair"),
        };
        Vec::leak(list(key).iter().map(pair).collect())
    };
    let named = |key: &str| -> &'static [(&'static str, &'static str)] {
        let pair = |value: &toml::Value| match value.as_array().map(Vec::as_slice) {
            Some([w, n]) if n.is_str() => (word(w), word(n)),
            _ => panic!("locale pack {name}: {value} is no [word, name] pair"),
        };
        Vec::leak(list(key).iter().map(pair).collect())
    };
    let pack = Pack {
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
        banner: words("banner"),
        lone_banner: words("lone_banner"),
        name_prefix: words("name_prefix"),
        legal_form: words("legal_form"),
        legal_form_at_end: words("legal_form_at_end"),
        legal_form_first: words("legal_form_first"),
        address: words("address"),
        country: words("country"),
        address_stop: words("address_stop"),
        street_suffix: words("street_suffix"),
        places: words("places"),
        regions: words("regions"),
        floor_ordinals: words("floor_ordinals"),
        not_mended: words("not_mended"),
        time: words("time"),
        clock_word: words("clock_word"),
        not_description: words("not_description"),
        article_count: words("article_count"),
        article_word: words("article_word"),
        ticket_label: words("ticket_label"),
        payment_label: words("payment_label"),
        handed_over: words("handed_over"),
        tax_table_header: words("tax_table_header"),
        vat_id_label: words("vat_id_label"),
        ambiguous: words("ambiguous"),
        months: Vec::leak(
            weighted("months")
                .iter()
                .map(|&(w, n)| (w, n as u32))
                .collect(),
        ),
        joining_word: words("joining_word"),
        company_number_label: words("company_number_label"),
        deposit: words("deposit"),
        piece_unit: words("piece_unit"),
        unit_price_label: words("unit_price_label"),
        reference_price: words("reference_price"),
        payment_method: named("payment_method"),
        dollar: named("dollar"),
    };
    // A list the code does not read is a misspelt name: its words would count for nothing.
    if let Some(unread) = table.keys().find(|key| !read.borrow().contains(key)) {
        panic!("built-in locale pack {name}: unknown list `{unread}`");
    }
    pack
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
    let en = marker_score(&row_tokens, Locale::En);
    // The first European locale of the highest score (French before German on a tie), when
    // it outweighs English.
    let mut best = (Locale::En, en);
    for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
        let score = marker_score(&row_tokens, locale) + comma_bonus;
        if score > best.1 {
            best = (locale, score);
        }
    }
    best.0
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

    /// Every pack parses, holds every list (`from_table` refuses one it does not read), and writes its
    /// words folded: upper-case ASCII, single spaces, as rows are matched.
    #[test]
    fn every_pack_loads() {
        for locale in Locale::ALL {
            let table: toml::Table = toml::from_str(locale.source()).unwrap();
            for list in table.values() {
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
    #[should_panic(expected = "unknown list `adress`")]
    fn a_misspelt_list_is_refused() {
        let mut table = parse(Locale::Fr);
        table.insert("adress".into(), toml::Value::Array(Vec::new()));
        from_table(&table, "fr.toml");
    }

    #[test]
    fn parses_locale_codes() {
        assert_eq!(Locale::parse("fr-FR"), Some(Locale::Fr));
        assert_eq!(Locale::parse("DE"), Some(Locale::De));
        assert_eq!(Locale::parse("it"), Some(Locale::It));
        assert_eq!(Locale::parse("pt"), None);
    }
}
