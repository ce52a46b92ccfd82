//! The audit trail: one entry per rule that looked at a receipt, saying which line it read and
//! what it added. Points entries add up exactly to the points awarded (rounding and caps are
//! entries too), so a member's question "why 30 points?" is answered by reading the list.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// The campaign key that fired, e.g. `products[yaourt-bio].points_per_unit`.
    pub rule: String,
    /// Index of the OCR line it read, when it read one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Points this rule added (negative for caps and rounding down).
    pub points: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback: Option<Decimal>,
    /// How the rule applied, in a few words (`2 × 10`, `fuzzy 0.92`, `×2 Saturday`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Audit {
    pub fn rule(rule: impl Into<String>) -> Audit {
        Audit {
            rule: rule.into(),
            line: None,
            text: None,
            points: Decimal::ZERO,
            cashback: None,
            note: None,
        }
    }

    pub fn at(mut self, line: Option<usize>, text: impl Into<String>) -> Audit {
        self.line = line;
        self.text = Some(text.into());
        self
    }

    pub fn points(mut self, points: Decimal) -> Audit {
        self.points = points;
        self
    }

    pub fn cashback(mut self, cashback: Decimal) -> Audit {
        self.cashback = Some(cashback);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Audit {
        self.note = Some(note.into());
        self
    }
}
