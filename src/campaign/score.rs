//! How many points and how much cashback an eligible receipt earns, before caps.
//!
//! Everything is exact decimal arithmetic; rounding happens once, at the end, with the
//! campaign's mode, and shows in the audit as its own entry so the entries always add up to the
//! result. Multipliers scale what the purchase itself earns (spend and product points), never
//! the fixed bonuses, and only the largest applicable factor counts: stacking "double on
//! weekends" with "triple this week" into ×6 is rarely what a brand means.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::audit::Audit;
use super::model::{Campaign, Multiplier};
use super::product::{Hit, Source};

/// Cashback is money: always to the cent, halves away from zero.
const CASHBACK_DECIMALS: u32 = 2;

/// What a receipt earns before caps, with the entries explaining it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Earned {
    pub points: Decimal,
    pub cashback: Decimal,
    pub audit: Vec<Audit>,
}

/// `hits` are the product lines of products that reached their minimum quantity.
pub fn score(
    campaign: &Campaign,
    date: Option<NaiveDate>,
    total: Option<Decimal>,
    hits: &[Hit],
) -> Earned {
    let mut earned = Earned::default();
    let spend = spend_points(campaign, total, &mut earned.audit);
    let products = product_rewards(campaign, hits, &mut earned);
    let base = spend.saturating_add(products);
    let extra = multiplier_extra(campaign, date, base, &mut earned.audit);
    let bonus = bonuses(campaign, total, &mut earned.audit);
    let exact = base.saturating_add(extra).saturating_add(bonus);
    earned.points = round_points(campaign, exact, &mut earned.audit);
    earned.cashback = round_cashback(earned.cashback, &mut earned.audit);
    earned
}

fn spend_points(campaign: &Campaign, total: Option<Decimal>, audit: &mut Vec<Audit>) -> Decimal {
    let rate = campaign.points.per_currency_unit;
    match total {
        Some(total) if !rate.is_zero() && total > Decimal::ZERO => {
            let points = total.saturating_mul(rate);
            audit.push(
                Audit::rule("points.per_currency_unit")
                    .points(points)
                    .note(format!("{total} × {rate}")),
            );
            points
        }
        _ => Decimal::ZERO,
    }
}

/// Adds product cashback to `earned` and returns product points.
fn product_rewards(campaign: &Campaign, hits: &[Hit], earned: &mut Earned) -> Decimal {
    let mut points = Decimal::ZERO;
    for hit in hits {
        let product = &campaign.products[hit.product];
        let from = match hit.source {
            Source::Item => "",
            Source::OcrLine => " (OCR line, items not read)",
        };
        if let Some(per_unit) = product.points_per_unit {
            let p = per_unit.saturating_mul(Decimal::from(hit.units));
            points = points.saturating_add(p);
            earned.audit.push(
                Audit::rule(format!("products[{}].points_per_unit", product.id))
                    .at(Some(hit.line), &hit.text)
                    .points(p)
                    .note(format!("{} × {per_unit}{from}", hit.units)),
            );
        }
        if let Some(rate) = product.cashback_rate {
            let entry = Audit::rule(format!("products[{}].cashback_rate", product.id))
                .at(Some(hit.line), &hit.text);
            earned.audit.push(match hit.amount {
                Some(amount) => {
                    let c = amount.saturating_mul(rate);
                    earned.cashback = earned.cashback.saturating_add(c);
                    entry.cashback(c).note(format!("{amount} × {rate}{from}"))
                }
                None => entry
                    .cashback(Decimal::ZERO)
                    .note("price not read on this line: no cashback"),
            });
        }
    }
    for (index, product) in campaign.products.iter().enumerate() {
        let Some(first) = hits.iter().find(|h| h.product == index) else {
            continue;
        };
        if let Some(fixed) = product.points {
            points = points.saturating_add(fixed);
            earned.audit.push(
                Audit::rule(format!("products[{}].points", product.id))
                    .at(Some(first.line), &first.text)
                    .points(fixed),
            );
        }
        if let Some(amount) = product.cashback_amount {
            earned.cashback = earned.cashback.saturating_add(amount);
            earned.audit.push(
                Audit::rule(format!("products[{}].cashback_amount", product.id))
                    .at(Some(first.line), &first.text)
                    .cashback(amount),
            );
        }
    }
    points
}

fn multiplier_extra(
    campaign: &Campaign,
    date: Option<NaiveDate>,
    base: Decimal,
    audit: &mut Vec<Audit>,
) -> Decimal {
    let Some(date) = date else {
        return Decimal::ZERO;
    };
    let best: Option<(usize, &Multiplier)> = campaign
        .points
        .multipliers
        .iter()
        .enumerate()
        .filter(|(_, m)| m.applies_on(date))
        .fold(None, |best, (i, m)| match best {
            Some((_, b)) if b.factor >= m.factor => best,
            _ => Some((i, m)),
        });
    let Some((index, multiplier)) = best else {
        return Decimal::ZERO;
    };
    if base.is_zero() || multiplier.factor == Decimal::ONE {
        return Decimal::ZERO;
    }
    let extra = base.saturating_mul(multiplier.factor - Decimal::ONE);
    let label = multiplier.name.clone().unwrap_or_else(|| date.to_string());
    audit.push(
        Audit::rule(format!("points.multipliers[{index}]"))
            .points(extra)
            .note(format!("×{} {label}", multiplier.factor)),
    );
    extra
}

fn bonuses(campaign: &Campaign, total: Option<Decimal>, audit: &mut Vec<Audit>) -> Decimal {
    let mut bonus = Decimal::ZERO;
    let per_receipt = campaign.points.bonus_per_receipt;
    if !per_receipt.is_zero() {
        bonus = bonus.saturating_add(per_receipt);
        audit.push(Audit::rule("points.bonus_per_receipt").points(per_receipt));
    }
    if let Some(total) = total {
        let tier = campaign
            .points
            .tiers
            .iter()
            .enumerate()
            .filter(|(_, t)| total >= t.min_total)
            .max_by_key(|(_, t)| t.min_total);
        if let Some((index, tier)) = tier {
            bonus = bonus.saturating_add(tier.bonus);
            audit.push(
                Audit::rule(format!("points.tiers[{index}]"))
                    .points(tier.bonus)
                    .note(format!("total {total} ≥ {}", tier.min_total)),
            );
        }
    }
    bonus
}

fn round_points(campaign: &Campaign, exact: Decimal, audit: &mut Vec<Audit>) -> Decimal {
    let p = &campaign.points;
    let rounded = p.rounding.round(exact, p.decimals).normalize();
    let entry = Audit::rule("points.rounding").points(rounded - exact);
    note_rounding(exact, rounded, entry, audit)
}

fn round_cashback(exact: Decimal, audit: &mut Vec<Audit>) -> Decimal {
    let rounded =
        exact.round_dp_with_strategy(CASHBACK_DECIMALS, RoundingStrategy::MidpointAwayFromZero);
    let entry = Audit::rule("cashback.rounding").cashback(rounded - exact);
    note_rounding(exact, rounded, entry, audit)
}

/// Rounding that changed the amount is an audit entry of its own, so entries add up.
fn note_rounding(
    exact: Decimal,
    rounded: Decimal,
    entry: Audit,
    audit: &mut Vec<Audit>,
) -> Decimal {
    if rounded != exact {
        audit.push(entry.note(format!("{exact} → {rounded}")));
    }
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::model::Rounding;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn campaign(points: &str) -> Campaign {
        let text = format!(
            "id = \"t\"\nname = \"t\"\n[period]\nstart = 2024-03-01\nend = 2024-03-31\n{points}"
        );
        Campaign::parse(&text, "t").unwrap()
    }

    #[test]
    fn rounding_modes() {
        let cases = [
            (Rounding::Down, "12.9", "12"),
            (Rounding::Up, "12.1", "13"),
            (Rounding::HalfUp, "12.5", "13"),
            (Rounding::HalfEven, "12.5", "12"),
            (Rounding::HalfEven, "13.5", "14"),
        ];
        for (mode, value, expected) in cases {
            assert_eq!(mode.round(d(value), 0), d(expected), "{mode:?} {value}");
        }
        assert_eq!(Rounding::Down.round(d("1.239"), 2), d("1.23"));
    }

    #[test]
    fn multipliers_scale_the_purchase_not_the_bonuses_and_entries_add_up() {
        let c = campaign(
            "[points]\nper_currency_unit = 1\nbonus_per_receipt = 5\n\
             [[points.multipliers]]\nweekdays = [\"sat\"]\nfactor = 2\n\
             [[points.tiers]]\nmin_total = 10\nbonus = 3\n",
        );
        let saturday = NaiveDate::from_ymd_opt(2024, 3, 16);
        let earned = score(&c, saturday, Some(d("10.60")), &[]);
        // 10.60 × 2 = 21.20, + 5 + 3 = 29.20, rounded down to 29.
        assert_eq!(earned.points, d("29"));
        let sum: Decimal = earned.audit.iter().map(|a| a.points).sum();
        assert_eq!(sum, earned.points, "{:#?}", earned.audit);
    }

    #[test]
    fn negative_totals_earn_no_spend_points() {
        let c = campaign("[points]\nper_currency_unit = 1\n");
        let earned = score(&c, None, Some(d("-4.00")), &[]);
        assert_eq!(earned.points, Decimal::ZERO);
        assert!(earned.audit.is_empty());
    }
}
