//! Reason messages in the campaign's language.
//!
//! Codes are for machines and never change; these sentences are what a member or an operator
//! reads, so they say what happened with the receipt's own values and, where possible, what
//! to do. One enum holds every message so French and English cannot drift apart.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::model::Language;
use crate::reason::{Code, Reason};

/// The reason a receipt rejected by a person in review gets, in the campaign's language.
pub fn rejected_in_review(lang: Language, note: Option<&str>) -> Reason {
    Msg::RejectedInReview(note.map(str::to_string)).reason(lang)
}

/// The groups a cap counts over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Receipt,
    Member,
    MemberDay,
    MemberWeek,
}

/// What a cap or budget limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Points,
    Cashback,
    Receipts,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    NoOcr,
    Duplicate(String),
    /// The file's first copy in this batch came from this other member.
    SentByOtherMember(String),
    NotAReceipt,
    NoDate,
    OutOfPeriod(NaiveDate, NaiveDate, NaiveDate),
    AfterDeadline(NaiveDate, NaiveDate),
    TooLongAfterPurchase(i64, u32),
    MerchantDenied(String),
    MerchantUnknown(String),
    NoMerchant,
    StoreNotEligible,
    CurrencyMismatch(String, String),
    NoTotal,
    BelowMinTotal(Decimal, Decimal),
    NoEligibleProduct,
    BelowMinQuantity(String, u32, u32),
    NoMember,
    LowConfidence(&'static str, f32, f32),
    HighTotal(Decimal, Decimal),
    HighPoints(Decimal, Decimal),
    UncertainMerchant(String, String, f64),
    UncertainQuantity(String),
    /// A purchase date outside the period (read, period start, end) that may be a misreading,
    /// with the date one slipped year digit would make of it when that is in the period.
    UncertainDate(NaiveDate, Option<NaiveDate>, NaiveDate, NaiveDate),
    Capped(Scope, Measure, Decimal),
    Budget(Measure),
    /// A person rejected the receipt in review, with their note if they left one.
    RejectedInReview(Option<String>),
    /// The file was last written by this image editor.
    EditedImage(String),
    /// Purchase date after the day the receipt was sent.
    DateAfterSubmission(NaiveDate, NaiveDate),
    /// Purchase date after the day the camera took the photo.
    DateAfterPhoto(NaiveDate, NaiveDate),
    /// The picture is a photo of a screen (pattern score).
    ScreenPhoto(f32),
    /// The items (count, sum) do not add up to the total.
    SumMismatch(usize, Decimal, Decimal),
    /// The capture gate measured this flaw (`GLARE`, `BLURRY`, `TOO_DARK`, `TOO_SMALL`), but
    /// the date and total were read clearly: a person looks instead of a refusal.
    PoorCapture(Code),
}

impl Msg {
    pub fn code(&self) -> Code {
        match self {
            Msg::NoOcr => Code::OcrFailed,
            Msg::Duplicate(_) => Code::DuplicateFile,
            Msg::SentByOtherMember(_) => Code::ClaimedByOtherMember,
            Msg::NotAReceipt => Code::NotAReceipt,
            Msg::NoDate => Code::NoDate,
            Msg::OutOfPeriod(..) => Code::OutOfPeriod,
            Msg::AfterDeadline(..) | Msg::TooLongAfterPurchase(..) => Code::SubmittedTooLate,
            Msg::MerchantDenied(_) | Msg::MerchantUnknown(_) => Code::MerchantNotEligible,
            Msg::NoMerchant => Code::NoMerchant,
            Msg::StoreNotEligible => Code::StoreNotEligible,
            Msg::CurrencyMismatch(..) => Code::CurrencyMismatch,
            Msg::NoTotal => Code::NoTotal,
            Msg::BelowMinTotal(..) => Code::BelowMinTotal,
            Msg::NoEligibleProduct | Msg::BelowMinQuantity(..) => Code::NoEligibleProduct,
            Msg::NoMember => Code::NoMember,
            Msg::LowConfidence(..) => Code::LowConfidence,
            Msg::HighTotal(..) => Code::HighTotal,
            Msg::HighPoints(..) => Code::HighPoints,
            Msg::UncertainMerchant(..) => Code::UncertainMerchant,
            Msg::UncertainQuantity(_) => Code::UncertainQuantity,
            Msg::UncertainDate(..) => Code::UncertainDate,
            Msg::Capped(..) => Code::CapReached,
            Msg::Budget(_) => Code::BudgetExhausted,
            Msg::RejectedInReview(_) => Code::RejectedInReview,
            Msg::EditedImage(_) => Code::EditedImage,
            Msg::DateAfterSubmission(..) | Msg::DateAfterPhoto(..) => Code::ImpossibleDate,
            Msg::SumMismatch(..) => Code::SumMismatch,
            Msg::ScreenPhoto(_) => Code::ScreenPhoto,
            Msg::PoorCapture(code) => *code,
        }
    }

    pub fn reason(&self, lang: Language) -> Reason {
        Reason::new(self.code(), self.text(lang))
    }

    pub fn text(&self, lang: Language) -> String {
        let pick = |en: String, fr: String, de: String| match lang {
            Language::En => en,
            Language::Fr => fr,
            Language::De => de,
        };
        match self {
            Msg::NoOcr => pick(
                "no OCR result for this file".into(),
                "aucun résultat de lecture pour ce fichier".into(),
                "kein Leseergebnis für diese Datei".into(),
            ),
            Msg::Duplicate(original) => pick(
                format!("same file as {original}"),
                format!("même fichier que {original}"),
                format!("dieselbe Datei wie {original}"),
            ),
            Msg::SentByOtherMember(member) => pick(
                format!("the same file was already sent by member {member} in this batch"),
                format!("le même fichier a déjà été envoyé par le membre {member} dans ce lot"),
                format!("dieselbe Datei wurde in diesem Lauf bereits von Mitglied {member} eingereicht"),
            ),
            Msg::NotAReceipt => pick(
                "no receipt text found in the photo: send a photo of the whole receipt".into(),
                "aucun texte de ticket trouvé sur la photo : envoyez une photo du ticket entier"
                    .into(),
                "auf dem Foto wurde kein Kassenbon-Text gefunden: bitte ein Foto des ganzen Bons senden"
                    .into(),
            ),
            Msg::NoDate => pick(
                "no purchase date found on the receipt".into(),
                "aucune date d'achat trouvée sur le ticket".into(),
                "kein Kaufdatum auf dem Kassenbon gefunden".into(),
            ),
            Msg::OutOfPeriod(date, start, end) => pick(
                format!("purchase on {date} is outside the campaign period ({start} to {end})"),
                format!("achat du {} hors de la période de l'offre (du {} au {})", fr_date(*date), fr_date(*start), fr_date(*end)),
                format!("Einkauf vom {} liegt außerhalb des Aktionszeitraums ({} bis {})", de_date(*date), de_date(*start), de_date(*end)),
            ),
            Msg::AfterDeadline(submitted, deadline) => pick(
                format!("submitted on {submitted}, after the deadline of {deadline}"),
                format!("envoyé le {}, après la date limite du {}", fr_date(*submitted), fr_date(*deadline)),
                format!("eingereicht am {}, nach dem Einsendeschluss am {}", de_date(*submitted), de_date(*deadline)),
            ),
            Msg::TooLongAfterPurchase(days, max) => pick(
                format!("submitted {days} days after the purchase; at most {max} are allowed"),
                format!("envoyé {days} jours après l'achat ; {max} au plus sont autorisés"),
                format!("{days} Tage nach dem Einkauf eingereicht; höchstens {max} sind erlaubt"),
            ),
            Msg::MerchantDenied(name) => pick(
                format!("{name} is excluded from this campaign"),
                format!("{name} est exclu de cette offre"),
                format!("{name} ist von dieser Aktion ausgeschlossen"),
            ),
            Msg::MerchantUnknown(read) => pick(
                format!("merchant {read:?} is not a partner of this campaign"),
                format!("le magasin « {read} » ne participe pas à cette offre"),
                format!("das Geschäft „{read}“ nimmt an dieser Aktion nicht teil"),
            ),
            Msg::NoMerchant => pick(
                "no merchant name could be read on the receipt".into(),
                "aucun nom de magasin lisible sur le ticket".into(),
                "auf dem Kassenbon ist kein Geschäftsname lesbar".into(),
            ),
            Msg::StoreNotEligible => pick(
                "this store does not take part in the campaign".into(),
                "ce magasin ne participe pas à l'offre".into(),
                "diese Filiale nimmt an der Aktion nicht teil".into(),
            ),
            Msg::CurrencyMismatch(found, expected) => pick(
                format!("receipt in {found}, the campaign pays for purchases in {expected}"),
                format!("ticket en {found}, l'offre porte sur des achats en {expected}"),
                format!("Kassenbon in {found}, die Aktion gilt für Einkäufe in {expected}"),
            ),
            Msg::NoTotal => pick(
                "no total found on the receipt".into(),
                "aucun total trouvé sur le ticket".into(),
                "keine Summe auf dem Kassenbon gefunden".into(),
            ),
            Msg::BelowMinTotal(total, min) => pick(
                format!("total {total} is below the minimum of {min}"),
                format!("total de {} inférieur au minimum de {}", fr_num(*total), fr_num(*min)),
                format!("Summe {} liegt unter dem Mindestbetrag von {}", fr_num(*total), fr_num(*min)),
            ),
            Msg::NoEligibleProduct => pick(
                "no product of the campaign on the receipt".into(),
                "aucun produit de l'offre sur le ticket".into(),
                "kein Aktionsprodukt auf dem Kassenbon".into(),
            ),
            Msg::BelowMinQuantity(product, units, min) => pick(
                format!("{units} × {product} bought, at least {min} needed"),
                format!("{units} × {product} acheté(s), il en faut au moins {min}"),
                format!("{units} × {product} gekauft, mindestens {min} erforderlich"),
            ),
            Msg::RejectedInReview(note) => {
                let note = note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
                pick(
                    format!("rejected by a reviewer{note}"),
                    format!("refusé après vérification{note}"),
                    format!("nach Prüfung abgelehnt{note}"),
                )
            }
            Msg::NoMember => pick(
                "no member attached to this receipt".into(),
                "aucun membre associé à ce ticket".into(),
                "diesem Kassenbon ist kein Mitglied zugeordnet".into(),
            ),
            Msg::LowConfidence(field, conf, min) => pick(
                format!("the {field} was read with confidence {conf:.2}, below {min:.2}: please check it"),
                format!("{} lu(e) avec une confiance de {conf:.2}, sous {min:.2} : à vérifier", fr_field(field)),
                format!("{} mit Sicherheit {} gelesen, unter {}: bitte prüfen", de_field(field), de_conf(*conf), de_conf(*min)),
            ),
            Msg::HighTotal(total, limit) => pick(
                format!("total {total} is above {limit}: to be checked by a person"),
                format!("total de {} supérieur à {} : à vérifier par une personne", fr_num(*total), fr_num(*limit)),
                format!("Summe {} liegt über {}: wird von einer Person geprüft", fr_num(*total), fr_num(*limit)),
            ),
            Msg::HighPoints(points, limit) => pick(
                format!("{points} points is above {limit}: to be checked by a person"),
                format!("{} points, plus que {} : à vérifier par une personne", fr_num(*points), fr_num(*limit)),
                format!("{} Punkte, mehr als {}: wird von einer Person geprüft", fr_num(*points), fr_num(*limit)),
            ),
            Msg::UncertainMerchant(read, id, score) => pick(
                format!("merchant {read:?} looks like partner {id} (similarity {score:.2}): please confirm"),
                format!("le magasin « {read} » ressemble au partenaire {id} (similarité {score:.2}) : à confirmer"),
                format!("das Geschäft „{read}“ ähnelt dem Partner {id} (Ähnlichkeit {}): bitte bestätigen", de_conf(*score as f32)),
            ),
            Msg::UncertainQuantity(line) => pick(
                format!("the count on {line:?} could not be read: please check the quantity"),
                format!("la quantité de « {line} » n'a pas pu être lue : à vérifier"),
                format!("die Menge in „{line}“ war nicht lesbar: bitte prüfen"),
            ),
            Msg::UncertainDate(read, Some(slipped), start, end) => pick(
                format!("the date read, {read}, is outside the campaign period ({start} to {end}), but it may be {slipped} misread: please check it"),
                format!("la date lue, {}, est hors de la période de l'offre (du {} au {}), mais ce peut être le {} mal lu : à vérifier", fr_date(*read), fr_date(*start), fr_date(*end), fr_date(*slipped)),
                format!("das gelesene Datum {} liegt außerhalb des Aktionszeitraums ({} bis {}), kann aber ein falsch gelesener {} sein: bitte prüfen", de_date(*read), de_date(*start), de_date(*end), de_date(*slipped)),
            ),
            Msg::UncertainDate(read, None, start, end) => pick(
                format!("the date read, {read}, is outside the campaign period ({start} to {end}), but it was read with doubt: please check it"),
                format!("la date lue, {}, est hors de la période de l'offre (du {} au {}), mais elle a été lue avec un doute : à vérifier", fr_date(*read), fr_date(*start), fr_date(*end)),
                format!("das gelesene Datum {} liegt außerhalb des Aktionszeitraums ({} bis {}), wurde aber unsicher gelesen: bitte prüfen", de_date(*read), de_date(*start), de_date(*end)),
            ),
            Msg::PoorCapture(code) => {
                let (en, fr, de) = match code {
                    Code::Glare => ("glare on the photo", "reflet sur la photo", "Spiegelung auf dem Foto"),
                    Code::Blurry => ("the photo looks blurry", "la photo semble floue", "das Foto wirkt unscharf"),
                    Code::TooDark => ("the photo looks dark", "la photo semble sombre", "das Foto wirkt dunkel"),
                    _ => ("the photo is small", "la photo est petite", "das Foto ist klein"),
                };
                pick(
                    format!("{en}, but its date and total read clearly: a person checks it"),
                    format!("{fr}, mais sa date et son total se lisent clairement : une personne le vérifie"),
                    format!("{de}, aber Datum und Summe sind klar lesbar: eine Person prüft es"),
                )
            }
            Msg::EditedImage(software) => pick(
                format!("the photo was saved by image-editing software ({software}): it may have been altered"),
                format!("la photo a été enregistrée par un logiciel de retouche ({software}) : elle a pu être modifiée"),
                format!("das Foto wurde mit einer Bildbearbeitung gespeichert ({software}): es kann verändert worden sein"),
            ),
            Msg::DateAfterSubmission(date, sent) => pick(
                format!("purchase date {date} is after the receipt was sent ({sent})"),
                format!("la date d'achat ({}) est postérieure à l'envoi du ticket ({})", fr_date(*date), fr_date(*sent)),
                format!("das Kaufdatum ({}) liegt nach dem Einsenden ({})", de_date(*date), de_date(*sent)),
            ),
            Msg::DateAfterPhoto(date, taken) => pick(
                format!("purchase date {date} is after the photo was taken ({taken}, camera date)"),
                format!("la date d'achat ({}) est postérieure à la prise de la photo ({}, date de l'appareil)", fr_date(*date), fr_date(*taken)),
                format!("das Kaufdatum ({}) liegt nach der Aufnahme des Fotos ({}, Kameradatum)", de_date(*date), de_date(*taken)),
            ),
            Msg::ScreenPhoto(score) => pick(
                format!("the photo shows a screen, not paper (pixel pattern {score:.0}): send a photo of the printed receipt"),
                format!("la photo montre un écran, pas du papier (trame de pixels {score:.0}) : envoyez une photo du ticket imprimé"),
                format!("das Foto zeigt einen Bildschirm, kein Papier (Pixelmuster {score:.0}): bitte den gedruckten Kassenbon fotografieren"),
            ),
            Msg::SumMismatch(count, sum, total) => pick(
                format!("the {count} items add up to {sum}, not to the total {total}"),
                format!("les {count} articles font {}, pas le total de {}", fr_num(*sum), fr_num(*total)),
                format!("die {count} Artikel ergeben {}, nicht die Summe {}", fr_num(*sum), fr_num(*total)),
            ),
            Msg::Capped(scope, measure, limit) => capped(lang, *scope, *measure, *limit),
            Msg::Budget(measure) => match measure {
                Measure::Cashback => pick(
                    "the campaign's cashback budget is used up".into(),
                    "le budget de remboursement de l'offre est épuisé".into(),
                    "das Cashback-Budget der Aktion ist aufgebraucht".into(),
                ),
                _ => pick(
                    "the campaign's points budget is used up".into(),
                    "le budget de points de l'offre est épuisé".into(),
                    "das Punktebudget der Aktion ist aufgebraucht".into(),
                ),
            },
        }
    }
}

fn capped(lang: Language, scope: Scope, measure: Measure, limit: Decimal) -> String {
    let (what_en, what_fr, what_de) = match measure {
        Measure::Points => ("points", "points", "Punkte"),
        Measure::Cashback => ("cashback", "remboursement", "Cashback"),
        Measure::Receipts => ("receipts", "tickets", "Kassenbons"),
    };
    let (scope_en, scope_fr, scope_de) = match scope {
        Scope::Receipt => ("per receipt", "par ticket", "pro Kassenbon"),
        Scope::Member => (
            "per member for the campaign",
            "par membre sur l'offre",
            "pro Mitglied in der Aktion",
        ),
        Scope::MemberDay => (
            "per member per day",
            "par membre et par jour",
            "pro Mitglied und Tag",
        ),
        Scope::MemberWeek => (
            "per member per week",
            "par membre et par semaine",
            "pro Mitglied und Woche",
        ),
    };
    match lang {
        Language::En => format!("cap reached: at most {limit} {what_en} {scope_en}"),
        Language::Fr => format!(
            "plafond atteint : {} {what_fr} au plus {scope_fr}",
            fr_num(limit)
        ),
        Language::De => format!(
            "Obergrenze erreicht: höchstens {} {what_de} {scope_de}",
            fr_num(limit)
        ),
    }
}

/// `31/05/2024`, as French readers write dates.
pub fn fr_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `31.05.2024`, as German readers write dates.
pub fn de_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// `150,00`: a decimal comma (French and German alike).
pub fn fr_num(value: Decimal) -> String {
    value.to_string().replace('.', ",")
}

/// `0,75`: a confidence with two decimals and a decimal comma.
fn de_conf(value: f32) -> String {
    format!("{value:.2}").replace('.', ",")
}

fn fr_field(field: &str) -> &'static str {
    match field {
        "merchant" => "le magasin",
        "date" => "la date",
        _ => "le total",
    }
}

fn de_field(field: &str) -> &'static str {
    match field {
        "merchant" => "Geschäft",
        "date" => "Datum",
        _ => "Summe",
    }
}

/// The capture-quality reasons come from the image module in English; French and German
/// campaigns get them in their language, same code.
pub fn translate_quality(reason: Reason, lang: Language) -> Reason {
    let text = match (lang, reason.code) {
        (Language::En, _) => return reason,
        (Language::Fr, Code::TooSmall) => "la photo est trop petite : prenez-la de plus près, en pleine résolution",
        (Language::Fr, Code::TooDark) => "la photo est trop sombre : prenez-la avec plus de lumière",
        (Language::Fr, Code::Glare) => "un reflet cache le texte : évitez le flash et la lumière directe",
        (Language::Fr, Code::Blurry) => "la photo est floue : tenez le téléphone immobile et faites la mise au point sur le texte",
        (Language::De, Code::TooSmall) => "das Foto ist zu klein: bitte näher und in voller Auflösung aufnehmen",
        (Language::De, Code::TooDark) => "das Foto ist zu dunkel: bitte bei mehr Licht aufnehmen",
        (Language::De, Code::Glare) => "eine Spiegelung verdeckt den Text: bitte ohne Blitz und direktes Licht aufnehmen",
        (Language::De, Code::Blurry) => "das Foto ist unscharf: das Telefon ruhig halten und auf den Text scharfstellen",
        _ => return reason,
    };
    Reason::new(reason.code, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_every_language() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let samples = [
            Msg::OutOfPeriod(d, d, d),
            Msg::UncertainDate(d, Some(d), d, d),
            Msg::UncertainDate(d, None, d, d),
            Msg::BelowMinTotal(Decimal::new(990, 2), Decimal::new(10, 0)),
            Msg::Capped(Scope::MemberWeek, Measure::Points, Decimal::new(100, 0)),
            Msg::Budget(Measure::Cashback),
            Msg::EditedImage("GIMP 2.10".into()),
            Msg::DateAfterSubmission(d, d),
            Msg::DateAfterPhoto(d, d),
            Msg::ScreenPhoto(57.0),
            Msg::SumMismatch(3, Decimal::new(2430, 2), Decimal::new(3430, 2)),
            Msg::PoorCapture(Code::Glare),
            Msg::PoorCapture(Code::Blurry),
            Msg::PoorCapture(Code::TooDark),
            Msg::PoorCapture(Code::TooSmall),
        ];
        for msg in samples {
            let (en, fr, de) = (
                msg.text(Language::En),
                msg.text(Language::Fr),
                msg.text(Language::De),
            );
            assert!(en != fr && en != de && fr != de, "{en} / {fr} / {de}");
            assert!(!en.is_empty() && !fr.is_empty() && !de.is_empty());
        }
        assert_eq!(
            Msg::BelowMinTotal(Decimal::new(990, 2), Decimal::new(10, 0)).text(Language::Fr),
            "total de 9,90 inférieur au minimum de 10"
        );
        assert_eq!(
            Msg::OutOfPeriod(d, d, d).text(Language::De),
            "Einkauf vom 01.03.2024 liegt außerhalb des Aktionszeitraums (01.03.2024 bis 01.03.2024)"
        );
        assert_eq!(
            translate_quality(Reason::new(Code::TooDark, "dark"), Language::De).message,
            "das Foto ist zu dunkel: bitte bei mehr Licht aufnehmen"
        );
    }
}
