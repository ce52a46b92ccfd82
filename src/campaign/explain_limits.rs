//! The amounts part of `campaign explain`: points, multipliers, tiers, caps, budgets and review
//! rules, worded so a campaign manager can check the numbers they meant.

use rust_decimal::Decimal;

use super::explain::Text;
use super::model::{Campaign, CapSet, Day};

impl Text {
    pub(super) fn points(&self, c: &Campaign) -> Vec<String> {
        let p = &c.points;
        let mut out = Vec::new();
        if !p.per_currency_unit.is_zero() {
            let unit = c
                .currency
                .clone()
                .unwrap_or_else(|| self.pick("currency unit", "unité"));
            out.push(if self.fr {
                format!(
                    "- {} {} par {unit} dépensé, arrondi {}.",
                    self.num(p.per_currency_unit),
                    plural(p.per_currency_unit),
                    self.rounding(c)
                )
            } else {
                format!(
                    "- {} {} per {unit} spent, rounded {}.",
                    self.num(p.per_currency_unit),
                    plural(p.per_currency_unit),
                    self.rounding(c)
                )
            });
        }
        for m in &p.multipliers {
            out.push(self.multiplier(m));
        }
        if !p.bonus_per_receipt.is_zero() {
            out.push(if self.fr {
                format!(
                    "- Bonus de {} points par ticket accepté.",
                    self.num(p.bonus_per_receipt)
                )
            } else {
                format!(
                    "- Bonus of {} points per accepted receipt.",
                    self.num(p.bonus_per_receipt)
                )
            });
        }
        for tier in &p.tiers {
            let min = self.money(tier.min_total, &c.currency);
            out.push(if self.fr {
                format!("- Palier : {} points de plus pour un total d'au moins {min} (seul le palier le plus haut compte).", self.num(tier.bonus))
            } else {
                format!("- Tier: {} extra points for a total of at least {min} (only the highest tier counts).", self.num(tier.bonus))
            });
        }
        if c.pays_cashback() {
            out.push(self.pick(
                "- Cashback is computed to the cent, halves rounded up.",
                "- Le remboursement est calculé au centime, les demis arrondis au supérieur.",
            ));
        }
        out
    }

    fn rounding(&self, c: &Campaign) -> String {
        use super::model::Rounding::*;
        let d = c.points.decimals;
        let (en, fr) = match c.points.rounding {
            Down => ("down", "à l'inférieur"),
            Up => ("up", "au supérieur"),
            HalfUp => (
                "to the nearest, halves up",
                "au plus proche, les demis au supérieur",
            ),
            HalfEven => (
                "to the nearest, halves to even",
                "au plus proche, les demis au pair",
            ),
        };
        let text = self.pick(en, fr);
        if d == 0 {
            text
        } else if self.fr {
            format!("{text} à {d} décimale(s)")
        } else {
            format!("{text} to {d} decimal(s)")
        }
    }

    fn multiplier(&self, m: &super::model::Multiplier) -> String {
        let mut when = Vec::new();
        if !m.weekdays.is_empty() {
            let days: Vec<&str> = m.weekdays.iter().map(|d| day_name(*d, self.fr)).collect();
            when.push(days.join(", "));
        }
        match (m.from, m.to) {
            (Some(f), Some(t)) => when.push(if self.fr {
                format!("du {} au {}", self.date(f), self.date(t))
            } else {
                format!("from {} to {}", self.date(f), self.date(t))
            }),
            (Some(f), None) => when.push(if self.fr {
                format!("à partir du {}", self.date(f))
            } else {
                format!("from {}", self.date(f))
            }),
            (None, Some(t)) => when.push(if self.fr {
                format!("jusqu'au {}", self.date(t))
            } else {
                format!("until {}", self.date(t))
            }),
            (None, None) => {}
        }
        let label = m
            .name
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        if self.fr {
            format!("- Points ×{} pour les achats {}{label} ; seul le plus grand multiplicateur s'applique, pas aux bonus.", self.num(m.factor), when.join(", "))
        } else {
            format!("- Points ×{} for purchases on {}{label}; only the largest multiplier applies, not to bonuses.", self.num(m.factor), when.join(", "))
        }
    }

    pub(super) fn caps(&self, c: &Campaign) -> Vec<String> {
        let caps = &c.caps;
        let mut out = Vec::new();
        if let Some(v) = caps.receipt_points {
            out.push(if self.fr {
                format!("- Au plus {} points par ticket.", self.num(v))
            } else {
                format!("- At most {} points per receipt.", self.num(v))
            });
        }
        if let Some(v) = caps.receipt_cashback {
            out.push(if self.fr {
                format!(
                    "- Au plus {} remboursés par ticket.",
                    self.money(v, &c.currency)
                )
            } else {
                format!(
                    "- At most {} refunded per receipt.",
                    self.money(v, &c.currency)
                )
            });
        }
        let scopes = [
            (
                &caps.per_member,
                "per member over the whole campaign",
                "par membre sur toute l'offre",
            ),
            (
                &caps.per_member_day,
                "per member per purchase day",
                "par membre et par jour d'achat",
            ),
            (
                &caps.per_member_week,
                "per member per purchase week (Monday to Sunday)",
                "par membre et par semaine d'achat (du lundi au dimanche)",
            ),
        ];
        for (set, en, fr) in scopes {
            if let Some(line) = self.cap_set(set, &c.currency, self.pick(en, fr)) {
                out.push(line);
            }
        }
        if let Some(v) = c.budget.points {
            out.push(if self.fr {
                format!(
                    "- Budget total : {} points ; ensuite les tickets sont refusés.",
                    self.num(v)
                )
            } else {
                format!(
                    "- Total budget: {} points; after that receipts are refused.",
                    self.num(v)
                )
            });
        }
        if let Some(v) = c.budget.cashback {
            out.push(if self.fr {
                format!(
                    "- Budget total de remboursement : {} ; ensuite les tickets sont refusés.",
                    self.money(v, &c.currency)
                )
            } else {
                format!(
                    "- Total cashback budget: {}; after that receipts are refused.",
                    self.money(v, &c.currency)
                )
            });
        }
        out
    }

    fn cap_set(&self, set: &CapSet, currency: &Option<String>, scope: String) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(n) = set.receipts {
            parts.push(if self.fr {
                format!("{n} ticket(s)")
            } else {
                format!("{n} receipt(s)")
            });
        }
        if let Some(v) = set.points {
            parts.push(format!("{} points", self.num(v)));
        }
        if let Some(v) = set.cashback {
            parts.push(if self.fr {
                format!("{} remboursés", self.money(v, currency))
            } else {
                format!("{} cashback", self.money(v, currency))
            });
        }
        if parts.is_empty() {
            return None;
        }
        let joined = parts.join(if self.fr { " et " } else { " and " });
        Some(if self.fr {
            format!("- Au plus {joined} {scope}.")
        } else {
            format!("- At most {joined} {scope}.")
        })
    }

    pub(super) fn review(&self, c: &Campaign) -> Vec<String> {
        let r = &c.review;
        let mut out = Vec::new();
        if let Some(v) = r.total_above {
            out.push(if self.fr {
                format!("- Les tickets de plus de {} sont vérifiés par une personne avant d'attribuer les points.", self.money(v, &c.currency))
            } else {
                format!("- Receipts above {} are checked by a person before points are given.", self.money(v, &c.currency))
            });
        }
        if let Some(v) = r.points_above {
            out.push(if self.fr {
                format!(
                    "- Un ticket qui rapporterait plus de {} points est vérifié par une personne.",
                    self.num(v)
                )
            } else {
                format!(
                    "- A receipt earning more than {} points is checked by a person.",
                    self.num(v)
                )
            });
        }
        if let Some(v) = r.min_confidence {
            out.push(if self.fr { format!("- Si le magasin, la date ou le total sont mal lus (confiance sous {}), une personne vérifie.", format!("{v:.2}").replace('.', ",")) } else { format!("- If the merchant, date or total are poorly read (confidence below {v:.2}), a person checks.") });
        }
        if r.uncertain_merchant {
            out.push(self.pick(
                "- A merchant recognised only approximately is confirmed by a person.",
                "- Un magasin reconnu seulement approximativement est confirmé par une personne.",
            ));
        }
        if r.uncertain_quantity {
            out.push(self.pick(
                "- A product line whose quantity could not be read is checked by a person.",
                "- Une ligne de produit dont la quantité n'a pas pu être lue est vérifiée par une personne.",
            ));
        }
        out
    }
}

fn plural(points: Decimal) -> &'static str {
    if points <= Decimal::ONE {
        "point"
    } else {
        "points"
    }
}

fn day_name(day: Day, fr: bool) -> &'static str {
    let names = match day {
        Day::Mon => ("Monday", "lundi"),
        Day::Tue => ("Tuesday", "mardi"),
        Day::Wed => ("Wednesday", "mercredi"),
        Day::Thu => ("Thursday", "jeudi"),
        Day::Fri => ("Friday", "vendredi"),
        Day::Sat => ("Saturday", "samedi"),
        Day::Sun => ("Sunday", "dimanche"),
    };
    if fr {
        names.1
    } else {
        names.0
    }
}
