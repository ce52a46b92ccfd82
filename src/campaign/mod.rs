//! Campaigns: a brand's TOML rules, and the decision they give for each receipt.
//!
//! A campaign file is parsed strictly (unknown keys are errors, with the line) because a typo
//! in a rule silently changes who gets paid. Decisions are explained: every reason has a stable
//! code and a message in the campaign's language, and every point awarded has an audit line.

mod decide;
mod model;

pub use decide::{Audit, Decider, Decision, Submission};
pub use model::{Campaign, CampaignError, Language};
