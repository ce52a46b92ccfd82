//! Locale packs: the words French, English and German receipts use for each role a row can
//! play (total, subtotal, tax, tender, change, …), and detection of the receipt's locale.
//!
//! Keywords are written folded (upper-case ASCII, see `text::fold`), words separated by single
//! spaces, and matched on row tokens. Words shared by several languages (`TOTAL`, `CASH`) live in
//! every pack that prints them; words that mean something else elsewhere (`BAR` is cash in
//! German and a bar in English, `CB` is a card in France) only in their own pack, so they only
//! count on receipts of that locale. Malay words (`TARIKH`, `BAKI`) sit in the English pack:
//! Malaysian receipts mix both.

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
}

/// One locale's vocabulary. Weighted lists rank how surely a keyword names the amount due.
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

pub static FR: Pack = Pack {
    total: &[
        ("NET A PAYER", 10.0),
        ("TOTAL A PAYER", 10.0),
        ("MONTANT A PAYER", 10.0),
        ("RESTE A PAYER", 9.0),
        ("A PAYER", 9.0),
        ("TOTAL TTC", 10.0),
        ("MONTANT TTC", 9.0),
        ("TOTAL EUR", 8.0),
        ("TOTAL", 6.0),
        ("MONTANT", 5.0),
        ("TTC", 4.0),
    ],
    not_total: &[
        "SOUS TOTAL",
        "TOTAL HT",
        "MONTANT HT",
        "TOTAL TVA",
        "DONT TVA",
        "TOTAL REMISE",
        "TOTAL REMISES",
        "ECONOMIE",
        "ECONOMIES",
        "VOUS AVEZ ECONOMISE",
        "TOTAL ARTICLES",
        "NOMBRE D ARTICLES",
        "NB ARTICLES",
        "POINTS",
        "CAGNOTTE",
    ],
    subtotal: &["SOUS TOTAL", "S TOTAL", "STOTAL"],
    tax: &["TVA", "TAXE", "TAXES"],
    before_tax: &["HT", "HORS TAXE", "HORS TAXES"],
    cash: &["ESPECES", "ESP", "ESPECE", "CASH", "REMIS", "RECU"],
    card: &[
        "CB",
        "CARTE",
        "CARTE BANCAIRE",
        "CARTE BLEUE",
        "VISA",
        "MASTERCARD",
        "MAESTRO",
        "AMEX",
        "CHEQUE",
        "PAIEMENT",
        "REGLEMENT",
        "SANS CONTACT",
        "TICKET RESTAURANT",
    ],
    change: &[
        "RENDU",
        "A RENDRE",
        "MONNAIE RENDUE",
        "RENDU MONNAIE",
        "MONNAIE",
    ],
    rounding: &["ARRONDI"],
    discount: &[
        "REMISE",
        "REDUCTION",
        "PROMO",
        "PROMOTION",
        "BON DE REDUCTION",
        "COUPON",
        "AVANTAGE",
    ],
    savings: &["ECONOMIS", "ECONOMIE"],
    part_of: &["DONT"],
    date: &["DATE", "LE", "DU"],
    other_date: &[
        "VALABLE",
        "EXPIRE",
        "EXPIRATION",
        "JUSQU",
        "ECHEANCE",
        "VALIDITE",
        "DLC",
    ],
    markers: &[
        ("TVA", 3.0),
        ("TTC", 3.0),
        ("HT", 1.0),
        ("ESPECES", 3.0),
        ("CB", 1.0),
        ("RENDU", 3.0),
        ("MONNAIE", 2.0),
        ("MERCI", 2.0),
        ("A PAYER", 3.0),
        ("MONTANT", 2.0),
        ("ARTICLES", 1.0),
        ("SIRET", 3.0),
        ("CARTE", 2.0),
        ("BIENVENUE", 2.0),
        ("TICKET", 1.0),
        ("CAISSE", 2.0),
        ("PRIX", 1.0),
        ("SOUS TOTAL", 3.0),
        ("REMISE", 2.0),
    ],
};

pub static EN: Pack = Pack {
    total: &[
        ("GRAND TOTAL", 10.0),
        ("NETT TOTAL", 10.0),
        ("NET TOTAL", 10.0),
        ("TOTAL ROUNDED", 10.0),
        ("ROUNDED TOTAL", 10.0),
        ("TOTAL AFTER ADJ", 10.0),
        ("TOTAL AFTER ROUNDING", 10.0),
        ("FINAL TOTAL", 10.0),
        ("TOTAL PAYABLE", 10.0),
        ("AMOUNT PAYABLE", 10.0),
        ("AMT PAYABLE", 10.0),
        ("TOTAL DUE", 10.0),
        ("AMOUNT DUE", 10.0),
        ("BALANCE DUE", 9.0),
        ("TOTAL TO PAY", 10.0),
        ("TOTAL AMOUNT", 9.0),
        ("TOTAL INCL", 9.0),
        ("TOTAL INC", 9.0),
        ("TOTAL INCLUSIVE", 9.0),
        ("TOTAL SALES INCL", 9.0),
        ("TOTAL SALES INCLUSIVE", 9.0),
        ("TOTAL GST INCL", 9.0),
        ("AMOUNT INCL", 8.0),
        ("TOTAL SALES", 7.0),
        ("TOTAL", 6.0),
        ("TTL", 5.0),
        ("AMOUNT", 3.0),
        ("JUMLAH", 6.0),
    ],
    not_total: &[
        "SUBTOTAL",
        "SUB TOTAL",
        "TOTAL QTY",
        "TOTAL QUANTITY",
        "TOTAL ITEMS",
        "TOTAL ITEM",
        "TOTAL SAVING",
        "TOTAL SAVINGS",
        "YOU SAVED",
        "YOUR SAVINGS",
        "TOTAL DISCOUNT",
        "TOTAL TAX",
        "TOTAL GST",
        "TOTAL VAT",
        "TOTAL SST",
        "INCLUDES",
        "INCLUDED",
        "INCLUDING GST",
        "TOTAL EXCL",
        "TOTAL EXCLUDING",
        "POINTS",
        "MTD",
    ],
    subtotal: &["SUBTOTAL", "SUB TOTAL", "SUB TTL", "SUBTTL"],
    tax: &[
        "GST",
        "VAT",
        "TAX",
        "SST",
        "SALES TAX",
        "SERVICE TAX",
        "CUKAI",
    ],
    before_tax: &[
        "EXCL",
        "EXCLUDING",
        "EXCLUSIVE",
        "EXCLUDED",
        "BEFORE TAX",
        "NET OF",
    ],
    cash: &[
        "CASH",
        "TENDERED",
        "CASH TENDERED",
        "RECEIVED",
        "TENDER",
        "PAID",
        "PAID AMOUNT",
        "TUNAI",
    ],
    card: &[
        "VISA",
        "MASTERCARD",
        "MASTER",
        "MAESTRO",
        "AMEX",
        "CARD",
        "CREDIT CARD",
        "DEBIT CARD",
        "DEBIT",
        "CREDIT",
        "EDC",
        "CONTACTLESS",
        "CHEQUE",
        "PAYMENT",
    ],
    change: &[
        "CHANGE",
        "CHANGE DUE",
        "CHANGE AMT",
        "BAKI",
        "KEMBALI",
        "BALANCE",
    ],
    rounding: &[
        "ROUNDING",
        "ROUND ADJ",
        "ROUNDING ADJ",
        "ROUNDING ADJUSTMENT",
        "ROUND",
        "PEMBULATAN",
        "ADJ",
    ],
    discount: &[
        "DISCOUNT",
        "DISC",
        "PROMO",
        "PROMOTION",
        "ITEM PROMO",
        "OFFER",
        "SAVING",
        "COUPON",
        "VOUCHER",
        "PRICE OVERIDE",
        "PRICE OVERRIDE",
        "LESS",
    ],
    savings: &["SAVED", "SAVINGS"],
    part_of: &["OF WHICH"],
    date: &["DATE", "TARIKH", "DATED", "DT", "BIZDATE", "DATE TIME"],
    other_date: &[
        "EXPIRY",
        "EXPIRES",
        "EXP",
        "VALID",
        "UNTIL",
        "BEST BEFORE",
        "PRINTED",
        "PRINT",
        "PRN",
        "REPRINT",
    ],
    markers: &[
        ("TOTAL", 1.0),
        ("CHANGE", 2.0),
        ("CASH", 2.0),
        ("GST", 3.0),
        ("VAT", 2.0),
        ("SUBTOTAL", 2.0),
        ("THANK YOU", 2.0),
        ("RECEIPT", 2.0),
        ("INVOICE", 2.0),
        ("TAX", 1.0),
        ("AMOUNT", 1.0),
        ("QTY", 1.0),
        ("SDN BHD", 3.0),
        ("PLEASE", 1.0),
        ("ITEM", 1.0),
        ("CASHIER", 2.0),
    ],
};

pub static DE: Pack = Pack {
    total: &[
        ("ZU ZAHLEN", 10.0),
        ("GESAMTBETRAG", 10.0),
        ("GESAMTSUMME", 10.0),
        ("ENDBETRAG", 10.0),
        ("ENDSUMME", 10.0),
        ("SUMME EUR", 9.0),
        ("SUMME", 9.0),
        ("GESAMT", 8.0),
        ("TOTAL", 6.0),
        ("BETRAG", 5.0),
    ],
    not_total: &[
        "ZWISCHENSUMME",
        "NETTO",
        "NETTOSUMME",
        "MWST SUMME",
        "SUMME MWST",
        "ENTHALTENE",
        "ENTH",
        "ERSPARNIS",
        "GESPART",
        "SIE SPAREN",
        "PUNKTE",
    ],
    subtotal: &["ZWISCHENSUMME", "ZW SUMME", "ZWISCHENSUMME EUR"],
    tax: &["MWST", "UST", "MEHRWERTSTEUER", "STEUER", "UMSATZSTEUER"],
    before_tax: &["NETTO", "NETTOBETRAG"],
    cash: &["BAR", "BARGELD", "GEGEBEN", "BAR GEGEBEN", "GEG", "CASH"],
    card: &[
        "EC",
        "EC KARTE",
        "KARTE",
        "KARTENZAHLUNG",
        "GIROCARD",
        "VISA",
        "MASTERCARD",
        "MAESTRO",
        "AMEX",
        "KREDITKARTE",
        "GIROCARD KONTAKTLOS",
    ],
    change: &["RUCKGELD", "RUECKGELD", "WECHSELGELD", "ZURUCK", "ZURUECK"],
    rounding: &["RUNDUNG"],
    discount: &[
        "RABATT",
        "NACHLASS",
        "PREISVORTEIL",
        "AKTION",
        "GUTSCHEIN",
        "COUPON",
    ],
    savings: &["SPAREN", "ERSPARNIS", "GESPART", "EINGESPART"],
    part_of: &["DAVON"],
    date: &["DATUM", "DATE", "AM"],
    other_date: &["GULTIG", "GUELTIG", "BIS", "ABLAUF", "MHD"],
    markers: &[
        ("MWST", 3.0),
        ("UST", 2.0),
        ("SUMME", 3.0),
        ("BAR", 1.0),
        ("RUCKGELD", 3.0),
        ("RUECKGELD", 3.0),
        ("ZU ZAHLEN", 3.0),
        ("GESAMT", 2.0),
        ("DANKE", 2.0),
        ("NETTO", 2.0),
        ("BRUTTO", 2.0),
        ("KARTE", 1.0),
        ("BELEG", 2.0),
        ("KASSE", 2.0),
        ("STEUER", 2.0),
        ("EINKAUF", 2.0),
        ("GEGEBEN", 3.0),
        ("DATUM", 2.0),
    ],
};

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

    #[test]
    fn parses_locale_codes() {
        assert_eq!(Locale::parse("fr-FR"), Some(Locale::Fr));
        assert_eq!(Locale::parse("DE"), Some(Locale::De));
        assert_eq!(Locale::parse("it"), None);
    }
}
