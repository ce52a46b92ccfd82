//! The amounts part of `campaign explain`: points, multipliers, tiers, caps, budgets and review
//! rules, worded so a campaign manager can check the numbers they meant.

use rust_decimal::Decimal;

use super::explain::Text;
use super::model::{Campaign, CapSet, Day, Language, MinConfidence, ReviewedField};

impl Text {
    pub(super) fn points(&self, c: &Campaign) -> Vec<String> {
        let p = &c.points;
        let mut out = Vec::new();
        if !p.per_currency_unit.is_zero() {
            let unit = c
                .currency
                .clone()
                .unwrap_or_else(|| self.pick("currency unit", "unité", "Währungseinheit"));
            let (n, word, rounding) = (
                self.num(p.per_currency_unit),
                plural(p.per_currency_unit, self.lang),
                self.rounding(c),
            );
            out.push(self.pick(
                format!("- {n} {word} per {unit} spent, rounded {rounding}."),
                format!("- {n} {word} par {unit} dépensé, arrondi {rounding}."),
                format!("- {n} {word} pro ausgegebenem {unit}, {rounding} gerundet."),
            ));
        }
        for m in &p.multipliers {
            out.push(self.multiplier(m));
        }
        if !p.bonus_per_receipt.is_zero() {
            let n = self.num(p.bonus_per_receipt);
            out.push(self.pick(
                format!("- Bonus of {n} points per accepted receipt."),
                format!("- Bonus de {n} points par ticket accepté."),
                format!("- Bonus von {n} Punkten pro angenommenem Kassenbon."),
            ));
        }
        for tier in &p.tiers {
            let min = self.money(tier.min_total, &c.currency);
            let bonus = self.num(tier.bonus);
            out.push(self.pick(
                format!("- Tier: {bonus} extra points for a total of at least {min} (only the highest tier counts)."),
                format!("- Palier : {bonus} points de plus pour un total d'au moins {min} (seul le palier le plus haut compte)."),
                format!("- Stufe: {bonus} Extrapunkte ab einer Summe von {min} (nur die höchste Stufe zählt)."),
            ));
        }
        if c.pays_cashback() {
            out.push(self.pick(
                "- Cashback is computed to the cent, halves rounded up.",
                "- Le remboursement est calculé au centime, les demis arrondis au supérieur.",
                "- Das Cashback wird auf den Cent berechnet, halbe Cent aufgerundet.",
            ));
        }
        out
    }

    fn rounding(&self, c: &Campaign) -> String {
        use super::model::Rounding::*;
        let d = c.points.decimals;
        let text = match c.points.rounding {
            Down => self.pick("down", "à l'inférieur", "ab"),
            Up => self.pick("up", "au supérieur", "auf"),
            HalfUp => self.pick(
                "to the nearest, halves up",
                "au plus proche, les demis au supérieur",
                "kaufmännisch (Hälften auf)",
            ),
            HalfEven => self.pick(
                "to the nearest, halves to even",
                "au plus proche, les demis au pair",
                "zur nächsten geraden Zahl (Hälften zur geraden)",
            ),
        };
        if d == 0 {
            text
        } else {
            self.pick(
                format!("{text} to {d} decimal(s)"),
                format!("{text} à {d} décimale(s)"),
                format!("{text} auf {d} Nachkommastelle(n)"),
            )
        }
    }

    fn multiplier(&self, m: &super::model::Multiplier) -> String {
        let mut when = Vec::new();
        if !m.weekdays.is_empty() {
            let days: Vec<&str> = m.weekdays.iter().map(|d| day_name(*d, self.lang)).collect();
            when.push(days.join(", "));
        }
        match (m.from.map(|d| self.date(d)), m.to.map(|d| self.date(d))) {
            (Some(f), Some(t)) => when.push(self.pick(
                format!("from {f} to {t}"),
                format!("du {f} au {t}"),
                format!("vom {f} bis {t}"),
            )),
            (Some(f), None) => when.push(self.pick(
                format!("from {f}"),
                format!("à partir du {f}"),
                format!("ab {f}"),
            )),
            (None, Some(t)) => when.push(self.pick(
                format!("until {t}"),
                format!("jusqu'au {t}"),
                format!("bis {t}"),
            )),
            (None, None) => {}
        }
        let label = m
            .name
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let (factor, when) = (self.num(m.factor), when.join(", "));
        self.pick(
            format!("- Points ×{factor} for purchases on {when}{label}; only the largest multiplier applies, not to bonuses."),
            format!("- Points ×{factor} pour les achats {when}{label} ; seul le plus grand multiplicateur s'applique, pas aux bonus."),
            format!("- Punkte ×{factor} für Einkäufe {when}{label}; nur der größte Multiplikator gilt, nicht für Boni."),
        )
    }

    pub(super) fn caps(&self, c: &Campaign) -> Vec<String> {
        let caps = &c.caps;
        let mut out = Vec::new();
        if let Some(v) = caps.receipt_points {
            let v = self.num(v);
            out.push(self.pick(
                format!("- At most {v} points per receipt."),
                format!("- Au plus {v} points par ticket."),
                format!("- Höchstens {v} Punkte pro Kassenbon."),
            ));
        }
        if let Some(v) = caps.receipt_cashback {
            let v = self.money(v, &c.currency);
            out.push(self.pick(
                format!("- At most {v} refunded per receipt."),
                format!("- Au plus {v} remboursés par ticket."),
                format!("- Höchstens {v} Erstattung pro Kassenbon."),
            ));
        }
        let scopes = [
            (
                &caps.per_member,
                self.pick(
                    "per member over the whole campaign",
                    "par membre sur toute l'offre",
                    "pro Mitglied über die ganze Aktion",
                ),
            ),
            (
                &caps.per_member_day,
                self.pick(
                    "per member per purchase day",
                    "par membre et par jour d'achat",
                    "pro Mitglied und Einkaufstag",
                ),
            ),
            (
                &caps.per_member_week,
                self.pick(
                    "per member per purchase week (Monday to Sunday)",
                    "par membre et par semaine d'achat (du lundi au dimanche)",
                    "pro Mitglied und Einkaufswoche (Montag bis Sonntag)",
                ),
            ),
        ];
        for (set, scope) in scopes {
            if let Some(line) = self.cap_set(set, &c.currency, scope) {
                out.push(line);
            }
        }
        if let Some(v) = c.budget.points {
            let v = self.num(v);
            out.push(self.pick(
                format!("- Total budget: {v} points; after that receipts are refused."),
                format!("- Budget total : {v} points ; ensuite les tickets sont refusés."),
                format!("- Gesamtbudget: {v} Punkte; danach werden Kassenbons abgelehnt."),
            ));
        }
        if let Some(v) = c.budget.cashback {
            let v = self.money(v, &c.currency);
            out.push(self.pick(
                format!("- Total cashback budget: {v}; after that receipts are refused."),
                format!(
                    "- Budget total de remboursement : {v} ; ensuite les tickets sont refusés."
                ),
                format!("- Cashback-Gesamtbudget: {v}; danach werden Kassenbons abgelehnt."),
            ));
        }
        out
    }

    fn cap_set(&self, set: &CapSet, currency: &Option<String>, scope: String) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(n) = set.receipts {
            parts.push(self.pick(
                format!("{n} receipt(s)"),
                format!("{n} ticket(s)"),
                format!("{n} Kassenbon(s)"),
            ));
        }
        if let Some(v) = set.points {
            let v = self.num(v);
            parts.push(self.pick(
                format!("{v} points"),
                format!("{v} points"),
                format!("{v} Punkte"),
            ));
        }
        if let Some(v) = set.cashback {
            let v = self.money(v, currency);
            parts.push(self.pick(
                format!("{v} cashback"),
                format!("{v} remboursés"),
                format!("{v} Cashback"),
            ));
        }
        if parts.is_empty() {
            return None;
        }
        let joined = parts.join(&self.pick(" and ", " et ", " und "));
        Some(self.pick(
            format!("- At most {joined} {scope}."),
            format!("- Au plus {joined} {scope}."),
            format!("- Höchstens {joined} {scope}."),
        ))
    }

    pub(super) fn review(&self, c: &Campaign) -> Vec<String> {
        let r = &c.review;
        let mut out = Vec::new();
        if let Some(v) = r.total_above {
            let v = self.money(v, &c.currency);
            out.push(self.pick(
                format!("- Receipts above {v} are checked by a person before points are given."),
                format!("- Les tickets de plus de {v} sont vérifiés par une personne avant d'attribuer les points."),
                format!("- Kassenbons über {v} werden von einer Person geprüft, bevor Punkte vergeben werden."),
            ));
        }
        if let Some(v) = r.points_above {
            let v = self.num(v);
            out.push(self.pick(
                format!("- A receipt earning more than {v} points is checked by a person."),
                format!(
                    "- Un ticket qui rapporterait plus de {v} points est vérifié par une personne."
                ),
                format!("- Ein Kassenbon mit mehr als {v} Punkten wird von einer Person geprüft."),
            ));
        }
        match r.min_confidence {
            Some(MinConfidence::All(v)) => {
                let comma = format!("{v:.2}").replace('.', ",");
                out.push(self.pick(
                    format!("- If the merchant, date or total are poorly read (confidence below {v:.2}), a person checks."),
                    format!("- Si le magasin, la date ou le total sont mal lus (confiance sous {comma}), une personne vérifie."),
                    format!("- Sind Geschäft, Datum oder Summe unsicher gelesen (Sicherheit unter {comma}), prüft eine Person."),
                ));
            }
            Some(thresholds @ MinConfidence::Fields(_)) => {
                for field in ReviewedField::ALL {
                    let Some(v) = thresholds.of(field) else {
                        continue;
                    };
                    let comma = format!("{v:.2}").replace('.', ",");
                    let (en, fr, de) = match field {
                        ReviewedField::Merchant => {
                            ("merchant is", "le magasin est mal lu", "das Geschäft")
                        }
                        ReviewedField::Date => ("date is", "la date est mal lue", "das Datum"),
                        ReviewedField::Total => ("total is", "le total est mal lu", "die Summe"),
                    };
                    out.push(self.pick(
                        format!("- If the {en} poorly read (confidence below {v:.2}), a person checks."),
                        format!("- Si {fr} (confiance sous {comma}), une personne vérifie."),
                        format!("- Ist {de} unsicher gelesen (Sicherheit unter {comma}), prüft eine Person."),
                    ));
                }
            }
            None => {}
        }
        if r.uncertain_merchant {
            out.push(self.pick(
                "- A merchant recognised only approximately is confirmed by a person.",
                "- Un magasin reconnu seulement approximativement est confirmé par une personne.",
                "- Ein nur ungefähr erkanntes Geschäft wird von einer Person bestätigt.",
            ));
        }
        if r.uncertain_date {
            out.push(self.pick(
                "- A purchase date outside the period that may be misread (read with doubt, or one year digit away from the period) is checked by a person instead of refused.",
                "- Une date d'achat hors période peut-être mal lue (lue avec un doute, ou à un chiffre de l'année près dans la période) est vérifiée par une personne au lieu d'être refusée.",
                "- Ein Kaufdatum außerhalb des Zeitraums, das falsch gelesen sein kann (unsicher gelesen, oder eine Ziffer des Jahres vom Zeitraum entfernt), prüft eine Person, statt es abzulehnen.",
            ));
        }
        if r.uncertain_quantity {
            out.push(self.pick(
                "- A product line whose quantity could not be read is checked by a person.",
                "- Une ligne de produit dont la quantité n'a pas pu être lue est vérifiée par une personne.",
                "- Eine Produktzeile mit unlesbarer Menge wird von einer Person geprüft.",
            ));
        }
        out
    }
}

fn plural(points: Decimal, lang: Language) -> &'static str {
    match (lang, points <= Decimal::ONE) {
        (Language::De, true) => "Punkt",
        (Language::De, false) => "Punkte",
        (_, true) => "point",
        (_, false) => "points",
    }
}

fn day_name(day: Day, lang: Language) -> &'static str {
    let names = match day {
        Day::Mon => ("Monday", "lundi", "Montag"),
        Day::Tue => ("Tuesday", "mardi", "Dienstag"),
        Day::Wed => ("Wednesday", "mercredi", "Mittwoch"),
        Day::Thu => ("Thursday", "jeudi", "Donnerstag"),
        Day::Fri => ("Friday", "vendredi", "Freitag"),
        Day::Sat => ("Saturday", "samedi", "Samstag"),
        Day::Sun => ("Sunday", "dimanche", "Sonntag"),
    };
    match lang {
        Language::En => names.0,
        Language::Fr => names.1,
        Language::De => names.2,
    }
}
