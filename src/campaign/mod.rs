//! Campaigns: a brand's TOML rules, and the decision they give for each receipt.
//!
//! A campaign file is parsed strictly (unknown keys are errors, with the line) because a typo
//! in a rule silently changes who gets paid, then checked for rules that cannot work (a period
//! ending before it starts, a product no line could match, caps that contradict each other).
//! Decisions are explained: every reason has a stable code and a message in the campaign's
//! language, and every point awarded has an audit entry naming the rule and receipt line.

mod audit;
mod caps;
mod check;
mod check_limits;
mod decide;
mod eligibility;
mod explain;
mod explain_limits;
mod fraud;
mod load;
mod merchant;
mod messages;
mod model;
mod normalize;
mod product;
mod record;
mod score;
mod span;
mod tz;

pub use audit::Audit;
pub use caps::PriorAward;
pub use decide::{Approval, Decider, Decision, ProductLine, Submission};
pub use explain::explain;
pub use load::{CampaignError, Problem};
pub use messages::rejected_in_review;
pub use model::{
    Budget, Campaign, CapSet, Caps, Day, FieldThresholds, Language, Merchant, Merchants,
    MinConfidence, Multiplier, Period, Points, Product, Review, ReviewedField, Rounding, Stores,
    Submission as SubmissionRules, Tier,
};
pub use record::ResultRecord;
pub use tz::Timezone;
