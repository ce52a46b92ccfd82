//! Finding where a key is written in the campaign file, to point rule errors at their line.
//!
//! The typed model forgets positions; the TOML reader's span-keeping tree remembers them, so
//! rule checks name a key path (`products.1.regex.0`) and we look its value up there.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::check::Key;

/// The byte range of the value at `path` in `text`, or of its closest written parent.
pub(crate) fn locate(text: &str, path: &[Key]) -> Option<Range<usize>> {
    let root = DeTable::parse(text).ok()?;
    let mut best: Option<Range<usize>> = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&Spanned<DeValue>> = None;
    for key in path {
        let next = match (key, table, value) {
            (Key::Name(name), Some(t), _) => entry(t, name),
            (Key::Index(i), _, Some(v)) => match v.get_ref() {
                DeValue::Array(items) => items.get(*i),
                _ => None,
            },
            _ => None,
        };
        let Some(next) = next else { break };
        best = Some(next.span());
        table = match next.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
        value = Some(next);
    }
    best
}

fn entry<'a, 'i>(table: &'a DeTable<'i>, name: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(spec: &str) -> Vec<Key> {
        spec.split('.')
            .map(|p| {
                p.parse()
                    .map(Key::Index)
                    .unwrap_or_else(|_| Key::Name(p.into()))
            })
            .collect()
    }

    #[test]
    fn finds_values_in_tables_and_arrays_of_tables() {
        let text = "id = \"x\"\n[period]\nend = 2024-01-01\n[[products]]\nid = \"a\"\n[[products]]\nid = \"b\"\nregex = [\"(\"]\n";
        let span = locate(text, &key("period.end")).unwrap();
        assert_eq!(&text[span], "2024-01-01");
        let span = locate(text, &key("products.1.regex.0")).unwrap();
        assert_eq!(&text[span], "\"(\"");
        let span = locate(text, &key("products.1.missing")).unwrap();
        // A key that is not written points at its table's header, the second one here.
        assert_eq!(&text[span.clone()], "[[products]]");
        assert_eq!(span.start, text.rfind("[[products]]").unwrap());
    }
}
