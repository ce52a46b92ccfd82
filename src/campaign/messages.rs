//! Reason messages in the campaign's language.
//!
//! Codes are for machines and never change; these sentences are what a member or an operator
//! reads, so they say what happened with the receipt's own values and, where possible, what
//! to do. One enum holds every message so French and English cannot drift apart.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::model::Language;
use crate::reason::{Code, Reason};

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
    Capped(Scope, Measure, Decimal),
    Budget(Measure),
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
            Msg::Capped(..) => Code::CapReached,
            Msg::Budget(_) => Code::BudgetExhausted,
        }
    }

    pub fn reason(&self, lang: Language) -> Reason {
        Reason::new(self.code(), self.text(lang))
    }

    pub fn text(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        let pick = |en: String, french: String| if fr { french } else { en };
        match self {
            Msg::NoOcr => pick(
                "no OCR result for this file".into(),
                "aucun résultat de lecture pour ce fichier".into(),
            ),
            Msg::Duplicate(original) => pick(
                format!("same file as {original}"),
                format!("même fichier que {original}"),
            ),
            Msg::SentByOtherMember(member) => pick(
                format!("the same file was already sent by member {member} in this batch"),
                format!("le même fichier a déjà été envoyé par le membre {member} dans ce lot"),
            ),
            Msg::NotAReceipt => pick(
                "no receipt text found in the photo: send a photo of the whole receipt".into(),
                "aucun texte de ticket trouvé sur la photo : envoyez une photo du ticket entier"
                    .into(),
            ),
            Msg::NoDate => pick(
                "no purchase date found on the receipt".into(),
                "aucune date d'achat trouvée sur le ticket".into(),
            ),
            Msg::OutOfPeriod(date, start, end) => pick(
                format!("purchase on {date} is outside the campaign period ({start} to {end})"),
                format!("achat du {} hors de la période de l'offre (du {} au {})", fr_date(*date), fr_date(*start), fr_date(*end)),
            ),
            Msg::AfterDeadline(submitted, deadline) => pick(
                format!("submitted on {submitted}, after the deadline of {deadline}"),
                format!("envoyé le {}, après la date limite du {}", fr_date(*submitted), fr_date(*deadline)),
            ),
            Msg::TooLongAfterPurchase(days, max) => pick(
                format!("submitted {days} days after the purchase; at most {max} are allowed"),
                format!("envoyé {days} jours après l'achat ; {max} au plus sont autorisés"),
            ),
            Msg::MerchantDenied(name) => pick(
                format!("{name} is excluded from this campaign"),
                format!("{name} est exclu de cette offre"),
            ),
            Msg::MerchantUnknown(read) => pick(
                format!("merchant {read:?} is not a partner of this campaign"),
                format!("le magasin « {read} » ne participe pas à cette offre"),
            ),
            Msg::NoMerchant => pick(
                "no merchant name could be read on the receipt".into(),
                "aucun nom de magasin lisible sur le ticket".into(),
            ),
            Msg::StoreNotEligible => pick(
                "this store does not take part in the campaign".into(),
                "ce magasin ne participe pas à l'offre".into(),
            ),
            Msg::CurrencyMismatch(found, expected) => pick(
                format!("receipt in {found}, the campaign pays for purchases in {expected}"),
                format!("ticket en {found}, l'offre porte sur des achats en {expected}"),
            ),
            Msg::NoTotal => pick(
                "no total found on the receipt".into(),
                "aucun total trouvé sur le ticket".into(),
            ),
            Msg::BelowMinTotal(total, min) => pick(
                format!("total {total} is below the minimum of {min}"),
                format!("total de {} inférieur au minimum de {}", fr_num(*total), fr_num(*min)),
            ),
            Msg::NoEligibleProduct => pick(
                "no product of the campaign on the receipt".into(),
                "aucun produit de l'offre sur le ticket".into(),
            ),
            Msg::BelowMinQuantity(product, units, min) => pick(
                format!("{units} × {product} bought, at least {min} needed"),
                format!("{units} × {product} acheté(s), il en faut au moins {min}"),
            ),
            Msg::NoMember => pick(
                "no member attached to this receipt".into(),
                "aucun membre associé à ce ticket".into(),
            ),
            Msg::LowConfidence(field, conf, min) => pick(
                format!("the {field} was read with confidence {conf:.2}, below {min:.2}: please check it"),
                format!("{} lu(e) avec une confiance de {conf:.2}, sous {min:.2} : à vérifier", fr_field(field)),
            ),
            Msg::HighTotal(total, limit) => pick(
                format!("total {total} is above {limit}: to be checked by a person"),
                format!("total de {} supérieur à {} : à vérifier par une personne", fr_num(*total), fr_num(*limit)),
            ),
            Msg::HighPoints(points, limit) => pick(
                format!("{points} points is above {limit}: to be checked by a person"),
                format!("{} points, plus que {} : à vérifier par une personne", fr_num(*points), fr_num(*limit)),
            ),
            Msg::UncertainMerchant(read, id, score) => pick(
                format!("merchant {read:?} looks like partner {id} (similarity {score:.2}): please confirm"),
                format!("le magasin « {read} » ressemble au partenaire {id} (similarité {score:.2}) : à confirmer"),
            ),
            Msg::UncertainQuantity(line) => pick(
                format!("the count on {line:?} could not be read: please check the quantity"),
                format!("la quantité de « {line} » n'a pas pu être lue : à vérifier"),
            ),
            Msg::Capped(scope, measure, limit) => capped(fr, *scope, *measure, *limit),
            Msg::Budget(measure) => match measure {
                Measure::Cashback => pick(
                    "the campaign's cashback budget is used up".into(),
                    "le budget de remboursement de l'offre est épuisé".into(),
                ),
                _ => pick(
                    "the campaign's points budget is used up".into(),
                    "le budget de points de l'offre est épuisé".into(),
                ),
            },
        }
    }
}

fn capped(fr: bool, scope: Scope, measure: Measure, limit: Decimal) -> String {
    let (what_en, what_fr) = match measure {
        Measure::Points => ("points", "points"),
        Measure::Cashback => ("cashback", "remboursement"),
        Measure::Receipts => ("receipts", "tickets"),
    };
    let (scope_en, scope_fr) = match scope {
        Scope::Receipt => ("per receipt", "par ticket"),
        Scope::Member => ("per member for the campaign", "par membre sur l'offre"),
        Scope::MemberDay => ("per member per day", "par membre et par jour"),
        Scope::MemberWeek => ("per member per week", "par membre et par semaine"),
    };
    if fr {
        format!(
            "plafond atteint : {} {what_fr} au plus {scope_fr}",
            fr_num(limit)
        )
    } else {
        format!("cap reached: at most {limit} {what_en} {scope_en}")
    }
}

/// `31/05/2024`, as French readers write dates.
pub fn fr_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `150,00`: a decimal comma.
pub fn fr_num(value: Decimal) -> String {
    value.to_string().replace('.', ",")
}

fn fr_field(field: &str) -> &'static str {
    match field {
        "merchant" => "le magasin",
        "date" => "la date",
        _ => "le total",
    }
}

/// The capture-quality reasons come from the image module in English; French campaigns get
/// them in French, same code.
pub fn translate_quality(reason: Reason, lang: Language) -> Reason {
    if lang != Language::Fr {
        return reason;
    }
    let text = match reason.code {
        Code::TooSmall => "la photo est trop petite : prenez-la de plus près, en pleine résolution",
        Code::TooDark => "la photo est trop sombre : prenez-la avec plus de lumière",
        Code::Glare => "un reflet cache le texte : évitez le flash et la lumière directe",
        Code::Blurry => "la photo est floue : tenez le téléphone immobile et faites la mise au point sur le texte",
        _ => return reason,
    };
    Reason::new(reason.code, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let samples = [
            Msg::OutOfPeriod(d, d, d),
            Msg::BelowMinTotal(Decimal::new(990, 2), Decimal::new(10, 0)),
            Msg::Capped(Scope::MemberWeek, Measure::Points, Decimal::new(100, 0)),
            Msg::Budget(Measure::Cashback),
        ];
        for msg in samples {
            let (en, fr) = (msg.text(Language::En), msg.text(Language::Fr));
            assert_ne!(en, fr);
            assert!(!en.is_empty() && !fr.is_empty());
        }
        assert_eq!(
            Msg::BelowMinTotal(Decimal::new(990, 2), Decimal::new(10, 0)).text(Language::Fr),
            "total de 9,90 inférieur au minimum de 10"
        );
    }
}
