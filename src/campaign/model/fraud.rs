//! `[fraud]`: what each fraud signal does to a receipt.

use serde::{Deserialize, Serialize};

use crate::reason::Status;

/// What a fraud signal found on a receipt leads to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Held for a person (`review`), nothing paid until they approve.
    #[default]
    Review,
    /// Refused (`rejected`), with the signal as the reason.
    Reject,
    /// Not checked.
    Off,
}

impl Action {
    /// The status a receipt showing the signal gets, `None` when the signal is off.
    pub fn status(self) -> Option<Status> {
        match self {
            Action::Review => Some(Status::Review),
            Action::Reject => Some(Status::Rejected),
            Action::Off => None,
        }
    }
}

/// One [`Action`] per signal; every signal is checked and sent to review unless the campaign
/// says otherwise. Each signal's reason code is its key in capitals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fraud {
    /// EDITED_IMAGE: the file was written by an image editor (EXIF `Software`, XMP history).
    #[serde(default)]
    pub edited_image: Action,
    /// IMPOSSIBLE_DATE: the purchase date is after the day the receipt was sent, or after the
    /// day the camera took the photo.
    #[serde(default)]
    pub impossible_date: Action,
    /// SCREEN_PHOTO: the picture carries a screen's pixel grid or moiré: a receipt shown on
    /// a monitor or phone and photographed.
    #[serde(default)]
    pub screen_photo: Action,
    /// SUM_MISMATCH: items read completely that do not add up to the total.
    #[serde(default)]
    pub sum_mismatch: Action,
    /// CHANGED_REGION: the picture of a receipt claimed before, with a region changed (a date
    /// or total painted over and retyped). Found by the ledger (`image::grid`).
    #[serde(default)]
    pub changed_region: Action,
}

impl Fraud {
    pub fn is_default(&self) -> bool {
        *self == Fraud::default()
    }
}
