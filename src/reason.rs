//! Statuses and reason codes: the vocabulary every decision is explained in.
//!
//! Codes are stable API (CRMs and analysts branch on them); messages are for humans and may be
//! in the campaign's language. Every code lives in one enum so the full list is documented in
//! one place and a typo cannot invent a new one.

use serde::{Deserialize, Serialize};

/// The outcome of one input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Accepted,
    Rejected,
    Review,
    Duplicate,
    Unreadable,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Accepted,
        Status::Rejected,
        Status::Review,
        Status::Duplicate,
        Status::Unreadable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Review => "review",
            Status::Duplicate => "duplicate",
            Status::Unreadable => "unreadable",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $text:literal,)*) => {
        /// A stable, machine-readable reason code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code {
            $(#[serde(rename = $text)] $variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    // Input problems (status `unreadable`).
    EmptyFile => "EMPTY_FILE",
    NotAnImage => "NOT_AN_IMAGE",
    CorruptImage => "CORRUPT_IMAGE",
    ImageTooLarge => "IMAGE_TOO_LARGE",
    ReadError => "READ_ERROR",
    NotAFile => "NOT_A_FILE",
    LinkOutsideInput => "LINK_OUTSIDE_INPUT",
    FileChanged => "FILE_CHANGED",
    OcrFailed => "OCR_FAILED",
    // In-batch and cross-batch duplicates (status `duplicate`).
    DuplicateFile => "DUPLICATE_FILE",
    DuplicatePurchase => "DUPLICATE_PURCHASE",
    DuplicateImage => "DUPLICATE_IMAGE",
    ClaimedByOtherMember => "CLAIMED_BY_OTHER_MEMBER",
    // Capture quality (status `rejected`): each tells the customer what to do.
    Blurry => "BLURRY",
    Glare => "GLARE",
    TooSmall => "TOO_SMALL",
    TooDark => "TOO_DARK",
    NotAReceipt => "NOT_A_RECEIPT",
    // Campaign rules.
    NoMember => "NO_MEMBER",
    NoDate => "NO_DATE",
    NoTotal => "NO_TOTAL",
    NoMerchant => "NO_MERCHANT",
    OutOfPeriod => "OUT_OF_PERIOD",
    SubmittedTooLate => "SUBMITTED_TOO_LATE",
    MerchantNotEligible => "MERCHANT_NOT_ELIGIBLE",
    StoreNotEligible => "STORE_NOT_ELIGIBLE",
    NoEligibleProduct => "NO_ELIGIBLE_PRODUCT",
    BelowMinTotal => "BELOW_MIN_TOTAL",
    CurrencyMismatch => "CURRENCY_MISMATCH",
    CapReached => "CAP_REACHED",
    BudgetExhausted => "BUDGET_EXHAUSTED",
    LowConfidence => "LOW_CONFIDENCE",
    HighTotal => "HIGH_TOTAL",
    HighPoints => "HIGH_POINTS",
    UncertainMerchant => "UNCERTAIN_MERCHANT",
    UncertainQuantity => "UNCERTAIN_QUANTITY",
    UncertainDate => "UNCERTAIN_DATE",
    Revoked => "REVOKED",
    // Fraud signals (`[fraud]` in the campaign: `review` or `reject`).
    EditedImage => "EDITED_IMAGE",
    ScreenPhoto => "SCREEN_PHOTO",
    ImpossibleDate => "IMPOSSIBLE_DATE",
    SumMismatch => "SUM_MISMATCH",
    ChangedRegion => "CHANGED_REGION",
    // A person's decision (`fidelio review apply`).
    RejectedInReview => "REJECTED_IN_REVIEW",
}

impl Code {
    /// Capture-quality codes: the photo cannot be read and the member is asked for a new one.
    pub const CAPTURE: [Code; 4] = [Code::Blurry, Code::Glare, Code::TooSmall, Code::TooDark];
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file got its status: a stable code plus a human message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: Code,
    pub message: String,
}

impl Reason {
    pub fn new(code: Code, message: impl Into<String>) -> Reason {
        Reason {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_stable_text() {
        for code in Code::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn status_serializes_snake_case() {
        assert_eq!(
            serde_json::to_string(&Status::Unreadable).unwrap(),
            "\"unreadable\""
        );
    }
}
