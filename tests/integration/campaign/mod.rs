//! The campaign engine: the decision table, caps under random orders, the file format and its
//! schema, `campaign check|explain` and `validate` on cached OCR.

mod caps_prop;
mod check;
mod decisions;
mod schema;
mod support;
mod validate;
