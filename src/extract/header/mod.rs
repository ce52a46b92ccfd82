//! The receipt's header: who sold (merchant) and where (address).
//!
//! The merchant is printed first, after decoration, logos read as junk and banners
//! (`TAX INVOICE`, `BIENVENUE`, `WELCOME`). Malaysian and British receipts also print the
//! registered company (`… SDN BHD`, `… LTD`) near the top, and that legal name is what those
//! receipts are known by, so in the English locale a legal-form row before the address wins;
//! French and German receipts lead with the store brand, so there the first name row wins.
//! The address is the run of rows after the merchant up to the phone, tax ids or receipt
//! details, joined with spaces, as SROIE labels it.

mod address;
mod legal;
mod mending;
mod merchant;

use address::read_address;
pub use address::{AddressScore, ADDRESS_WEIGHTS};
use merchant::read_merchant;
pub use merchant::{MerchantScore, MERCHANT_WEIGHTS};

use super::classify::RowInfo;
use super::locale::Locale;

/// What the header gives: each field with its confidence and the last header row used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    pub merchant: Option<(String, f32)>,
    /// The score the merchant's confidence comes from.
    pub merchant_score: Option<MerchantScore>,
    pub address: Option<(String, f32)>,
    /// The score the address's confidence comes from.
    pub address_score: Option<AddressScore>,
    /// Index of the last row the merchant or address was read from.
    pub last_row: Option<usize>,
}

pub fn read(rows: &[RowInfo], locale: Locale) -> Header {
    let Some((merchant_rows, name, score)) = read_merchant(rows, locale) else {
        // The name was not read (cut off, logo only): the address may still open the receipt.
        let address = read_address(rows, 0, None).filter(|a| a.first_row <= 2);
        return Header {
            merchant: None,
            merchant_score: None,
            last_row: address.as_ref().map(|a| a.last_row),
            address_score: address.as_ref().map(|a| a.score),
            address: address.map(|a| (a.text, a.score.confidence())),
        };
    };
    let after_merchant = merchant_rows.end;
    let address = read_address(rows, after_merchant, Some(&name));
    let last_row = address
        .as_ref()
        .map(|a| a.last_row)
        .unwrap_or(after_merchant - 1);
    Header {
        merchant: Some((name, score.confidence())),
        merchant_score: Some(score),
        address_score: address.as_ref().map(|a| a.score),
        address: address.map(|a| (a.text, a.score.confidence())),
        last_row: Some(last_row),
    }
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

    fn address(text: &str, locale: Locale) -> Option<String> {
        header(text, locale).address.map(|(a, _)| a)
    }

    /// The Co-op on a gray table: the first item's price misread into no amount (`£1765`).
    #[test]
    fn regression_a_row_with_a_currency_sign_ends_the_address() {
        let coop = address(
            "Co-op\nCentral England Co-operative\n14 High Street\nLichfield WS13 6AB\n\
             MILK SEMI SKIMMED 4PT £1765\nTOTAL £4.80",
            Locale::En,
        );
        assert_eq!(coop.unwrap(), "14 High Street Lichfield WS13 6AB");
    }

    /// Rows after a European town that are no address: an item weighed below the header
    /// (`POMMES BIO`), a fuel pump (`Pump 4 Unleaded`), a tax number, a legal name closing with
    /// a country (`FRANCE`).
    #[test]
    fn regression_the_address_ends_at_the_postcode_and_town() {
        let cases = [
            ("BIOCOOP\nBIOCOOP LE GRAND MARCHE\n8 RUE DES LILAS\n35000 RENNES\n\nPOMMES BIO\n\
              1,245 kg x 3,20 EUR/kg 3,98", Locale::Fr, "8 RUE DES LILAS 35000 RENNES"),
            ("Shell\nShell Kingston\nRichmond Road\nKingston upon Thames KT2 5EH\n\nPump 4 Unleaded",
             Locale::En, "Richmond Road Kingston upon Thames KT2 5EH"),
            ("Bäckerei Schneider GmbH\nMarktplatz 3\n72070 Tübingen\nSt.-Nr. 86001/12345\n\
              2 x Brezel 0,85 1,70", Locale::De, "Marktplatz 3 72070 Tübingen"),
            ("TotalEnergies\nRN 90 73200 ALBERTVILLE\nTOTALENERGIES MARKETING FRANCE\nPOMPE 05 GAZOLE",
             Locale::Fr, "RN 90 73200 ALBERTVILLE"),
            // A company's name closing with its country (French groups) opens no address.
            ("CASINO SHOP\nDISTRIBUTION CASINO FRANCE\nSAS au capital de 16 000 000 EUR\n\
              3 RUE DE LA REPUBLIQUE\n13001 MARSEILLE\nSIRET 428 268 023 00011",
             Locale::Fr, "3 RUE DE LA REPUBLIQUE 13001 MARSEILLE"),
            // An order number after the town is no street, whatever its words (`Sur place`).
            ("McDonald's\nSARL MCDO GARE DE LYON\nPLACE LOUIS ARMAND\n75012 PARIS\n\n\
              Commande 125   Sur place", Locale::Fr, "PLACE LOUIS ARMAND 75012 PARIS"),
            // The country alone on the row after the town is still the address.
            ("CAFE\n12 RUE DE LA PAIX\n75002 PARIS\nFRANCE\nTABLE 4", Locale::Fr,
             "12 RUE DE LA PAIX 75002 PARIS FRANCE"),
        ];
        for (text, locale, expected) in cases {
            assert_eq!(address(text, locale).as_deref(), Some(expected), "{text}");
        }
    }

    /// Headers as printed, each row a class of receipts: (text, locale, merchant, address);
    /// `None` leaves that field unchecked.
    #[test]
    fn headers_read_as_printed() {
        let cases: &[(&str, Locale, Option<&str>, Option<&str>)] = &[
            // Malaysian addresses go on after the town: left open by a comma, with the state and
            // its title on the next row, or the town itself still to come after the postcode.
            ("99 SPEED MART S/B\nLOT P.T. 2811, JALAN ANGSA,\nTAMAN BERKELEY 41150 KLANG,\nSELANGOR\n\
              1249-TMN PANDAN CAHAYA\nGST ID : 000181747712", Locale::En, None,
             Some("LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG, SELANGOR 1249-TMN PANDAN CAHAYA")),
            ("KEDAI MAJU\nNO. 3, JALAN SS2/4\n47300 PETALING JAYA\nSELANGOR DARUL EHSAN\nTEL 03-7876 1234",
             Locale::En, None, Some("NO. 3, JALAN SS2/4 47300 PETALING JAYA SELANGOR DARUL EHSAN")),
            // Ending the address: a banner read as one word (a narrow font), a misread web address.
            ("KEDAI MAJU\nNO. 3, JALAN SS2/4\n47300 PETALING JAYA rttp:/iwww.kedaimaju.my", Locale::En, None, Some("NO. 3, JALAN SS2/4 47300 PETALING JAYA")),
            ("TAXINVOICE\nKEDAI MAJU SDN BHD\nNO. 3, JALAN SS2/4,\n47300 PETALING JAYA, SELANGOR\nCASHSALE\nNo: 123",
             Locale::En, Some("KEDAI MAJU SDN BHD"), Some("NO. 3, JALAN SS2/4, 47300 PETALING JAYA, SELANGOR")),
            ("ARA CAFE\nNo: G3, Blk G, Jln PJU 1A/3, Ara Damansara, 47301\nPetaling Jaya, Selangor\n\
              TEL 03-1234 5678", Locale::En, None,
             Some("No: G3, Blk G, Jln PJU 1A/3, Ara Damansara, 47301 Petaling Jaya, Selangor")),
            ("MR. D.I.Y. (KUCHAI) SDN BHD\n(CO Reg : 750441-W)\nLOT 1851-A & 1851-B, JALAN KPB 6,\n\
              KAWASAN PERINDUSTRIAN BALAKONG,\n43300 SERI KEMBANGAN, SELANGOR\n(GST ID No :000473792512)\n\
              TAX INVOICE", Locale::En, Some("MR. D.I.Y. (KUCHAI) SDN BHD"),
             Some("LOT 1851-A & 1851-B, JALAN KPB 6, KAWASAN PERINDUSTRIAN BALAKONG, 43300 SERI KEMBANGAN, SELANGOR")),
            // Fuel stations: the station's name first, then the company over two rows.
            ("PETRON JALAN IPOH\nPETRON MALAYSIA REFINING &\nMARKETING BHD (3927-V)\nLOT 12345, JALAN IPOH,\n\
              51200 KUALA LUMPUR", Locale::En, Some("PETRON MALAYSIA REFINING & MARKETING BHD"), None),
            // Chain stores named after their street: the store's name row holds a street word;
            // a brand that is a street word names no store.
            ("7-ELEVEN MALAYSIA SDN BHD\n(183902-M)\n7-ELEVEN JALAN TUN RAZAK\nNO 2, JALAN TUN RAZAK,\n\
              50400 KUALA LUMPUR", Locale::En, None, Some("NO 2, JALAN TUN RAZAK, 50400 KUALA LUMPUR")),
            ("JALAN JAYA ENTERPRISE\nJALAN SULTAN ISMAIL,\n50250 KUALA LUMPUR", Locale::En, None,
             Some("JALAN SULTAN ISMAIL, 50250 KUALA LUMPUR")),
            // `KG` is a Malay village (`Kampung`) in an address, and a German legal form.
            ("LIDL\nLidl Dienstleistung GmbH & Co. KG\nBahnhofstr. 5\n80335 München\nBrot 1,49 A",
             Locale::De, None, Some("Bahnhofstr. 5 80335 München")),
            ("KEDAI RUNCIT AH SENG\nKG BARU SUNGAI BULOH\n47000 SELANGOR", Locale::En, None,
             Some("KG BARU SUNGAI BULOH 47000 SELANGOR")),
            // The legal entity beats the brand in English, also after `Dimiliki:` (owned by).
            ("CITY MILK\nR&C VENTURE SDN BHD (1191015-W)\nLOT-18A-2, BERJAYA TIMES SQUARE,\nKUALA LUMPUR\n\
              (GST NO: 001557721088)", Locale::En, Some("R&C VENTURE SDN BHD"), None),
            ("Banh Mi Cafe\nDimiliki: banh mi cafe sdn bhd 1110644-W\nNo. 1 Jalan Puteri 7/10", Locale::En,
             Some("banh mi cafe sdn bhd"), None),
            // A name ending on a joining sign goes on below; a legal row opening with the company
            // word, or a legal form alone, joins the name above.
            ("HOME MASTER HARDWARE &\nELECTRICAL\n27, JALAN MENTERI 2,\n81100 JOHOR BAHRU", Locale::En,
             Some("HOME MASTER HARDWARE & ELECTRICAL"), None),
            ("POPULAR BOOK\nCO. (M) SDN BHD\nNO 8, JALAN 7/118B,\n56000 KUALA LUMPUR", Locale::En,
             Some("POPULAR BOOK CO. (M) SDN BHD"), None),
            ("MPH BOOKSTORES\nSDN BHD\nGST No: 000542572544", Locale::En, Some("MPH BOOKSTORES SDN BHD"), None),
            // Misread legal forms are written properly.
            ("SUN WONG KUT SON BHD\nCompany No: 20965-4", Locale::En, Some("SUN WONG KUT SDN BHD"), None),
            ("99 SPEED MART 5/8 (519537-X)\nLOT P.T. 2811, JALAN ANGSA,", Locale::En, Some("99 SPEED MART S/B"), None),
            // Junk and banners are skipped.
            ("Ls ..\n+ 12.2\n*** WELCOME ***\nRESTORAN WAN SHENG\n002043319-W\nNo.2, Jalan Temenggung 19/9,\n\
              43200 Cheras, Selangor\nGST REG NO: 001335787520", Locale::En, Some("RESTORAN WAN SHENG"),
             Some("No.2, Jalan Temenggung 19/9, 43200 Cheras, Selangor")),
            // French and German headers lead with the brand.
            ("BIENVENUE\nCARREFOUR MARKET\nSAS DISTRIBUTION SUD\n12 RUE DE LA PAIX\n75002 PARIS\n\
              TEL 01 42 00 00 00", Locale::Fr, Some("CARREFOUR MARKET"), None),
            ("REWE Markt GmbH\nHauptstraße 12\n10115 Berlin\nUSt-ID DE123456789", Locale::De,
             Some("REWE Markt GmbH"), Some("Hauptstraße 12 10115 Berlin")),
            // Without the town row closing it, a four-digit postcode row took the first item.
            ("BILLA\nBILLA AG Filiale 1234\nMariahilfer Straße 77\n1060 Wien\nVollmilch 3,5% 11",
             Locale::De, None, Some("Mariahilfer Straße 77 1060 Wien")),
            ("MIGROS\nBahnhofplatz 15\nCH-8001 Zürich\nBio Vollmilch 1l", Locale::De, None,
             Some("Bahnhofplatz 15 CH-8001 Zürich")),
            // An address row ending in a phone is cut there.
            ("MOONLIGHT CAKE HOUSE SDN BHD 862725-U\nNo.1, Jalan Permas 10/5, Bandar Baru Permas Jaya\n\
              81750 Johor Bahru, Johor. Tel No.: 07-387 3322\nwww moonlightcake.com", Locale::En,
             Some("MOONLIGHT CAKE HOUSE SDN BHD"),
             Some("No.1, Jalan Permas 10/5, Bandar Baru Permas Jaya 81750 Johor Bahru, Johor.")),
            // Belgian street kinds (`Chaussée`): without them the address was only its town.
            ("DELHAIZE\nAD Delhaize Ixelles\nChaussée de Boondael 385\n1050 Ixelles\nTVA BE 0402.206.045",
             Locale::Fr, None, Some("Chaussée de Boondael 385 1050 Ixelles")),
            // Shop names with street words are still names.
            ("PHARMACIE DU CENTRE\n12/03/2024\nDOLIPRANE 2,18\nTOTAL 2,18 EUR", Locale::Fr,
             Some("PHARMACIE DU CENTRE"), None),
            // Regression: a code above the name taken for a postcode (`A04080`), then a banner:
            // the header was taken to have ended before any name, and the merchant was empty.
            ("A04080\nTAX INVOICE\nDOMINO'S PIZZA\nGST REF NO : 001694261248\n\
              No.12, Jalan Permas Jaya 10,\nBandar Baru Permas Jaya, 81750 Masai", Locale::En,
             Some("DOMINO'S PIZZA"), None),
        ];
        for &(text, locale, merchant, address) in cases {
            let h = header(text, locale);
            if let Some(expected) = merchant {
                assert_eq!(h.merchant.map(|m| m.0).as_deref(), Some(expected), "{text}");
            }
            if let Some(expected) = address {
                assert_eq!(h.address.map(|a| a.0).as_deref(), Some(expected), "{text}");
            }
        }
    }

    #[test]
    fn belgian_swiss_and_british_street_kinds_open_an_address() {
        for (street, kind) in [
            ("Drève de Lorraine 12", "drève"),
            ("14 Rue du Faubourg Saint-Denis", "faubourg"),
            ("3 Esplanade Nathalie Sarraute", "esplanade"),
            ("Promenade des Anglais 101", "promenade"),
            ("Kurfürstendamm 21", "-damm compound"),
            ("Frankfurter Chaussee 5", "chaussee"),
            ("22 Royal Crescent", "crescent"),
            ("5 Albion Terrace", "terrace"),
            ("8 Victoria Parade", "parade"),
        ] {
            assert!(address::is_street_row(street), "{kind}: {street}");
        }
    }

    #[test]
    fn empty_or_junk_text_has_no_header() {
        assert_eq!(header("", Locale::En), Header::default());
        assert_eq!(header("..\n| |\n12,50", Locale::En).merchant, None);
    }

    /// The address's confidence is one logistic function of its score (`AddressScore`): a
    /// short address closing with its postcode, surely read, is trusted more than a long run of
    /// rows without one, or one whose street word had to be mended.
    #[test]
    fn address_confidence_follows_its_score() {
        let read = |text: &str| {
            let h = header(text, Locale::En);
            (h.address.unwrap(), h.address_score.unwrap())
        };
        let ((_, sure), score) =
            read("POPULAR BOOK CO. (M) SDN BHD\nNo 8, Jalan 7/118B,\n56000 Kuala Lumpur");
        assert!(
            score.postcode && !score.mended && score.rows == 2,
            "{score:?}"
        );
        assert_eq!(score.confidence(), sure, "the confidence is the score's");
        let ((_, long), score) = read(
            "POPULAR BOOK CO. (M) SDN BHD\nLot 8, Jalan 7/118B,\nTaman Desa,\nBandar Tun Razak,\nCheras,\nSelangor Darul Ehsan",
        );
        assert!(!score.postcode && score.rows >= 4, "{score:?}");
        assert!(long + 0.2 < sure, "{long} vs {sure}");
        let ((text, mended), score) = read(
            "POPULAR BOOK CO. (M) SDN BHD\nNo 8, Jalan 7/118B,\nHenara Dion, 56000 Kuala Lumpur",
        );
        assert!(score.mended, "{text}: {score:?}");
        assert!(mended < sure, "{mended} vs {sure}");
    }

    /// The merchant's confidence is one logistic function of its score (`MerchantScore`):
    /// a clean legal-form row is trusted, a lower-case note or a short fragment is not.
    #[test]
    fn merchant_confidence_follows_its_score() {
        let confidence = |text: &str| header(text, Locale::En).merchant.map(|m| m.1).unwrap();
        let score = |text: &str| header(text, Locale::En).merchant_score.unwrap();
        let legal = "POPULAR BOOK CO. (M) SDN BHD\nNo 8, Jalan 7/118B, Desa Tun Razak";
        assert!(score(legal).legal);
        assert!(confidence(legal) >= 0.8, "{:?}", score(legal));
        let note = "staff lunch\nNo 8, Jalan 7/118B, Desa Tun Razak";
        assert!(score(note).lower_case);
        let printed = "STAFF LUNCH\nNo 8, Jalan 7/118B, Desa Tun Razak";
        assert!(
            confidence(note) + 0.3 < confidence(printed),
            "{} vs {}",
            confidence(note),
            confidence(printed)
        );
        let fragment = "ABC\nNo 8, Jalan 7/118B, Desa Tun Razak";
        assert!(score(fragment).short);
        assert!(confidence(fragment) < confidence(legal));
        assert_eq!(
            score(legal).confidence(),
            confidence(legal),
            "the confidence is the score's"
        );
    }
}
