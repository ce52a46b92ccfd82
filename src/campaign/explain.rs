//! `fidelio campaign explain`: the rules in plain French or English, as the campaign manager
//! would describe them to a colleague, so they can confirm the file says what they meant
//! before it pays anyone.

use rust_decimal::Decimal;

use super::messages::{fr_date, fr_num};
use super::model::{Campaign, Language, Product};

/// The campaign's rules as a short text in its own language.
pub fn explain(campaign: &Campaign) -> String {
    let t = Text {
        fr: campaign.language == Language::Fr,
    };
    let mut out = Vec::new();
    out.push(format!("{} ({})", campaign.name, campaign.id));
    out.push(String::new());
    out.push(t.period(campaign));
    out.extend(t.submission(campaign));
    out.extend(t.merchants(campaign));
    out.extend(t.products(campaign));
    out.extend(t.money_rules(campaign));
    out.extend(t.points(campaign));
    out.extend(t.caps(campaign));
    out.extend(t.review(campaign));
    out.push(t.pick(
        "- Blurry, dark, glaring or too small photos are refused, telling the member how to retake them.",
        "- Les photos floues, sombres, avec reflets ou trop petites sont refusées, en expliquant au membre comment la reprendre.",
    ));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

pub(super) struct Text {
    pub(super) fr: bool,
}

impl Text {
    pub(super) fn pick(&self, en: &str, fr: &str) -> String {
        if self.fr { fr } else { en }.to_string()
    }

    pub(super) fn date(&self, d: chrono::NaiveDate) -> String {
        if self.fr {
            fr_date(d)
        } else {
            d.to_string()
        }
    }

    pub(super) fn num(&self, v: Decimal) -> String {
        if self.fr {
            fr_num(v.normalize())
        } else {
            v.normalize().to_string()
        }
    }

    pub(super) fn money(&self, v: Decimal, currency: &Option<String>) -> String {
        let unit = currency.clone().unwrap_or_default();
        format!("{} {unit}", self.num(v)).trim_end().to_string()
    }

    fn period(&self, c: &Campaign) -> String {
        let (s, e) = (self.date(c.period.start), self.date(c.period.end));
        if self.fr {
            format!("- Achats du {s} au {e} inclus.")
        } else {
            format!("- Purchases from {s} to {e}, both included.")
        }
    }

    fn submission(&self, c: &Campaign) -> Vec<String> {
        let mut out = Vec::new();
        let tz = c.timezone.name();
        if let Some(d) = c.submission.deadline {
            out.push(if self.fr {
                format!(
                    "- Tickets à envoyer au plus tard le {} (heure {tz}).",
                    self.date(d)
                )
            } else {
                format!("- Receipts must be sent by {} ({tz} time).", self.date(d))
            });
        }
        if let Some(n) = c.submission.max_days_after_purchase {
            out.push(if self.fr {
                format!("- Chaque ticket doit être envoyé dans les {n} jours suivant l'achat.")
            } else {
                format!("- Each receipt must be sent within {n} days of the purchase.")
            });
        }
        out
    }

    fn merchants(&self, c: &Campaign) -> Vec<String> {
        let m = &c.merchants;
        let mut out = Vec::new();
        match &m.allow {
            None => out.push(self.pick("- Any merchant.", "- Tous les magasins.")),
            Some(allow) => {
                let names: Vec<String> = allow
                    .iter()
                    .map(|p| {
                        if p.aliases.is_empty() {
                            p.name.clone()
                        } else {
                            format!("{} ({})", p.name, p.aliases.join(", "))
                        }
                    })
                    .collect();
                out.push(if self.fr {
                    format!("- Magasins partenaires uniquement : {}.", names.join(" ; "))
                } else {
                    format!("- Partner merchants only: {}.", names.join("; "))
                });
            }
        }
        if !m.deny.is_empty() {
            out.push(if self.fr {
                format!("- Exclus : {}.", m.deny.join(", "))
            } else {
                format!("- Excluded: {}.", m.deny.join(", "))
            });
        }
        if let Some(stores) = &m.stores {
            let list: Vec<String> = stores
                .postcodes
                .iter()
                .chain(&stores.cities)
                .cloned()
                .collect();
            out.push(if self.fr {
                format!(
                    "- Seulement les magasins dont le code postal ou la ville commence par : {}.",
                    list.join(", ")
                )
            } else {
                format!(
                    "- Only stores whose postcode or city starts with: {}.",
                    list.join(", ")
                )
            });
        }
        out
    }

    fn products(&self, c: &Campaign) -> Vec<String> {
        if c.products.is_empty() {
            return Vec::new();
        }
        let mut out = vec![self.pick(
            "- The receipt must show at least one of these products:",
            "- Le ticket doit comporter au moins un de ces produits :",
        )];
        for p in &c.products {
            out.push(format!(
                "  - {}{}",
                p.name,
                self.product_rewards(p, &c.currency)
            ));
        }
        out
    }

    fn product_rewards(&self, p: &Product, currency: &Option<String>) -> String {
        let mut parts = Vec::new();
        if p.min_units() > 1 {
            parts.push(if self.fr {
                format!("au moins {} unités", p.min_units())
            } else {
                format!("at least {} units", p.min_units())
            });
        }
        if let Some(v) = p.points_per_unit {
            parts.push(if self.fr {
                format!(
                    "{} points par unité achetée (un lot compte pour une unité)",
                    self.num(v)
                )
            } else {
                format!(
                    "{} points per unit bought (a multipack counts as one)",
                    self.num(v)
                )
            });
        }
        if let Some(v) = p.points {
            parts.push(if self.fr {
                format!("{} points par ticket", self.num(v))
            } else {
                format!("{} points per receipt", self.num(v))
            });
        }
        if let Some(r) = p.cashback_rate {
            let pct = self.num(r * Decimal::ONE_HUNDRED);
            parts.push(if self.fr {
                format!("{pct} % du prix remboursé")
            } else {
                format!("{pct} % of the price refunded")
            });
        }
        if let Some(a) = p.cashback_amount {
            parts.push(if self.fr {
                format!("{} remboursés par ticket", self.money(a, currency))
            } else {
                format!("{} refunded per receipt", self.money(a, currency))
            });
        }
        if parts.is_empty() {
            String::new()
        } else {
            let colon = if self.fr { " : " } else { ": " };
            format!("{colon}{}", parts.join(", "))
        }
    }

    fn money_rules(&self, c: &Campaign) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(cur) = &c.currency {
            out.push(if self.fr {
                format!("- Achats en {cur} uniquement.")
            } else {
                format!("- Purchases in {cur} only.")
            });
        }
        if let Some(min) = c.min_total {
            out.push(if self.fr {
                format!(
                    "- Total minimum du ticket : {}.",
                    self.money(min, &c.currency)
                )
            } else {
                format!("- Minimum receipt total: {}.", self.money(min, &c.currency))
            });
        }
        out
    }
}
