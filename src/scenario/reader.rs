//! Reading TOML tables field by field, keeping every position, and collecting every problem
//! instead of stopping at the first.
//!
//! We walk `toml_edit`'s spanned document rather than deriving serde structs because serde stops
//! at the first error, and a teacher who edits a scenario deserves the whole list at once.

use std::ops::Range;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::error::Problem;

/// Turns byte offsets into line and column and collects problems.
pub(super) struct Reader<'a> {
    text: &'a str,
    pub problems: Vec<Problem>,
}

/// A value with the byte range it came from.
#[derive(Debug, Clone)]
pub(super) struct At<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// Whether a key must be there: a missing required key is a problem, a missing optional one is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}

/// Where a value is read: the offset its problems point at (when the key is missing), the thing
/// it belongs to (named in messages), and whether it must be there.
#[derive(Debug, Clone, Copy)]
struct Spot<'w> {
    at: usize,
    what: &'w str,
    need: Need,
}

const TEXT: &str = "text in quotes";
const INT: &str = "a whole number";
const BOOL: &str = "true or false";
const STRINGS: &str = "a list of names in quotes, like [\"a\", \"b\"]";
const INTS: &str = "a list of whole numbers, like [1, 2]";

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str) -> Reader<'a> {
        Reader { text, problems: Vec::new() }
    }

    /// The file's text in a byte range (empty when the range is not in the text).
    pub(super) fn source(&self, span: Range<usize>) -> &str {
        self.text.get(span).unwrap_or("")
    }

    /// The text as a TOML document, or `None` with the parser's complaint recorded as a problem
    /// at its place.
    pub(super) fn document<'t>(&mut self, text: &'t str) -> Option<ImDocument<&'t str>> {
        match ImDocument::parse(text) {
            Ok(doc) => Some(doc),
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                let message = e.message().trim().replace('\n', " ");
                self.problem(offset, format!("this is not valid TOML: {message}"));
                None
            }
        }
    }

    /// Records a problem at a byte offset.
    pub(super) fn problem(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = line_column(self.text, offset);
        self.problems.push(Problem { line, column, message: message.into() });
    }

    /// Reports keys that are not in `allowed` (a misspelt key must never be silently ignored).
    pub(super) fn only_keys(&mut self, table: &dyn TableLike, allowed: &[&str], what: &str) {
        for (key, _) in table.iter() {
            if !allowed.contains(&key) {
                let offset = table.key(key).and_then(|k| k.span()).map_or(0, |s| s.start);
                let hint = closest(key, allowed).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default();
                self.problem(
                    offset,
                    format!("unknown key `{key}` in {what}{hint}; allowed keys: {}", allowed.join(", ")),
                );
            }
        }
    }

    /// The span of a value (or of its key, for tables).
    pub(super) fn span_of(table: &dyn TableLike, key: &str) -> Range<usize> {
        let item = table.get(key);
        item.and_then(Item::span).or_else(|| table.key(key).and_then(|k| k.span())).unwrap_or(0..0)
    }

    /// The value at `key`, reporting it missing (when required) or a table.
    fn value<'t>(&mut self, table: &'t dyn TableLike, key: &str, spot: Spot<'_>) -> Option<&'t Value> {
        let Spot { at, what, need } = spot;
        match table.get(key) {
            None => {
                if need == Need::Required {
                    self.problem(at, format!("{what} is missing the key `{key}`"));
                }
                None
            }
            Some(item) => match item.as_value() {
                Some(v) => Some(v),
                None => {
                    let offset = Self::span_of(table, key).start;
                    self.problem(offset, format!("`{key}` in {what} must be a value, not a table"));
                    None
                }
            },
        }
    }

    fn wrong_type(&mut self, value: &Value, key: &str, what: &str, expected: &str) {
        let offset = value.span().map_or(0, |s| s.start);
        self.problem(offset, format!("`{key}` in {what} must be {expected}, not {}", describe(value)));
    }

    /// A text that must be there.
    pub(super) fn string(&mut self, table: &dyn TableLike, key: &str, at: usize, what: &str) -> Option<At<String>> {
        self.scalar(table, key, Spot { at, what, need: Need::Required }, TEXT, |v| v.as_str().map(str::to_string))
    }

    /// A text that may be left out.
    pub(super) fn optional_string(
        &mut self,
        table: &dyn TableLike,
        key: &str,
        at: usize,
        what: &str,
    ) -> Option<At<String>> {
        self.scalar(table, key, Spot { at, what, need: Need::Optional }, TEXT, |v| v.as_str().map(str::to_string))
    }

    /// A whole number that must be there.
    pub(super) fn int(&mut self, table: &dyn TableLike, key: &str, at: usize, what: &str) -> Option<At<i64>> {
        self.scalar(table, key, Spot { at, what, need: Need::Required }, INT, Value::as_integer)
    }

    /// A whole number that may be left out.
    pub(super) fn optional_int(&mut self, table: &dyn TableLike, key: &str, at: usize, what: &str) -> Option<At<i64>> {
        self.scalar(table, key, Spot { at, what, need: Need::Optional }, INT, Value::as_integer)
    }

    /// True or false, when given.
    pub(super) fn optional_bool(&mut self, table: &dyn TableLike, key: &str, at: usize, what: &str) -> Option<bool> {
        self.scalar(table, key, Spot { at, what, need: Need::Optional }, BOOL, Value::as_bool).map(|b| b.value)
    }

    /// One value that `read` reads, reported as not `expected` when it cannot.
    fn scalar<T>(
        &mut self,
        table: &dyn TableLike,
        key: &str,
        spot: Spot<'_>,
        expected: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Option<At<T>> {
        let value = self.value(table, key, spot)?;
        match read(value) {
            Some(v) => Some(At { value: v, span: value.span().unwrap_or(0..0) }),
            None => {
                self.wrong_type(value, key, spot.what, expected);
                None
            }
        }
    }

    /// A list of strings that must be there (it may be empty).
    pub(super) fn strings(&mut self, table: &dyn TableLike, key: &str, at: usize, what: &str) -> Vec<At<String>> {
        self.list(table, key, Spot { at, what, need: Need::Required }, STRINGS, |v| v.as_str().map(str::to_string))
    }

    /// A list of strings, empty when left out.
    pub(super) fn optional_strings(
        &mut self,
        table: &dyn TableLike,
        key: &str,
        at: usize,
        what: &str,
    ) -> Vec<At<String>> {
        self.list(table, key, Spot { at, what, need: Need::Optional }, STRINGS, |v| v.as_str().map(str::to_string))
    }

    /// A list of whole numbers that must be there (it may be empty).
    pub(super) fn ints(&mut self, table: &dyn TableLike, key: &str, at: usize, what: &str) -> Vec<At<i64>> {
        self.list(table, key, Spot { at, what, need: Need::Required }, INTS, Value::as_integer)
    }

    /// A list of whole numbers, empty when left out.
    pub(super) fn optional_ints(&mut self, table: &dyn TableLike, key: &str, at: usize, what: &str) -> Vec<At<i64>> {
        self.list(table, key, Spot { at, what, need: Need::Optional }, INTS, Value::as_integer)
    }

    /// A list whose items `item` reads, reporting each item it cannot read as not `expected`.
    fn list<T>(
        &mut self,
        table: &dyn TableLike,
        key: &str,
        spot: Spot<'_>,
        expected: &str,
        item: impl Fn(&Value) -> Option<T>,
    ) -> Vec<At<T>> {
        let Some(value) = self.value(table, key, spot) else { return Vec::new() };
        let Some(array) = value.as_array() else {
            self.wrong_type(value, key, spot.what, expected);
            return Vec::new();
        };
        let mut out = Vec::new();
        for element in array.iter() {
            match item(element) {
                Some(v) => out.push(At { value: v, span: element.span().unwrap_or(0..0) }),
                None => self.wrong_type(element, key, spot.what, expected),
            }
        }
        out
    }

    /// A sub-table, inline `{ … }` or standard `[…]` (absent: None).
    pub(super) fn table<'t>(&mut self, table: &'t dyn TableLike, key: &str, what: &str) -> Option<&'t dyn TableLike> {
        let item = table.get(key)?;
        match item.as_table_like() {
            Some(t) => Some(t),
            None => {
                let offset = Self::span_of(table, key).start;
                self.problem(offset, format!("`{key}` in {what} must be a table, like {{ key = value }}"));
                None
            }
        }
    }

    /// The entries of a list of tables: `[[name]]` blocks or an inline list of `{ … }`.
    pub(super) fn tables<'t>(&mut self, table: &'t dyn TableLike, key: &str) -> Vec<(&'t dyn TableLike, usize)> {
        let Some(item) = table.get(key) else {
            return Vec::new();
        };
        if let Some(array) = item.as_array_of_tables() {
            return array.iter().map(|t| (t as &dyn TableLike, t.span().map_or(0, |s| s.start))).collect();
        }
        if let Some(array) = item.as_array() {
            let mut out = Vec::new();
            for value in array.iter() {
                match value.as_inline_table() {
                    Some(t) => out.push((t as &dyn TableLike, value.span().map_or(0, |s| s.start))),
                    None => {
                        let offset = value.span().map_or(0, |s| s.start);
                        self.problem(offset, format!("each entry of `{key}` must be a table {{ … }}"));
                    }
                }
            }
            return out;
        }
        let offset = Self::span_of(table, key).start;
        self.problem(offset, format!("`{key}` must be a list of tables, written as [[{key}]] blocks"));
        Vec::new()
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "text",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a decimal number",
        Value::Boolean(_) => "true/false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::InlineTable(_) => "a table",
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The allowed word closest to a misspelt one, if it is close enough to be a likely typo.
pub(super) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 10), (2, 4));
    }

    #[test]
    fn typos_find_their_key() {
        assert_eq!(closest("efects", &["effects", "essay"]), Some("effects"));
        assert_eq!(closest("zzz", &["effects", "essay"]), None);
    }
}
