//! Free text in inputs (names, document numbers, pseudonyms, notes, reasons): one rule per
//! field, stated once and read two ways — as the check the server runs, and as the JSON Schema
//! the OpenAPI document publishes — so a client generated from the document sends exactly what
//! the server accepts, and a request the document calls invalid is refused.
//!
//! The rules: a *line* holds no control characters (Unicode `Cc`: a NUL, for one, cannot be
//! stored in PostgreSQL text); a *text* may also hold tabs and line breaks. A required field must
//! hold something other than white space (Unicode `White_Space`, what `str::trim` strips).
//! Lengths count characters (code points), as JSON Schema's `maxLength` does, and are measured
//! before trimming, so the published bound is the checked one.

use crate::error::ValidationErrors;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};

/// Control characters (`Cc`: U+0000–U+001F, U+007F–U+009F), as a regex class body.
const CONTROLS: &str = "\\x00-\\x1f\\x7f-\\x9f";
/// Controls other than tab, line feed and carriage return.
const CONTROLS_BUT_BREAKS: &str = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f";
/// `White_Space` characters that are not controls (the controls are excluded anyway). Written
/// as the characters themselves: every regex engine that reads the document agrees on them.
const SPACES: &str = " \u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// Single line, or free text with line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Text,
}

/// The rule for one text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub kind: Kind,
    /// Must hold more than white space.
    pub required: bool,
    /// At most this many characters.
    pub max: usize,
}

impl TextRule {
    /// A required single line of at most `max` characters.
    pub const fn line(max: usize) -> Self {
        Self { kind: Kind::Line, required: true, max }
    }
    /// A single line that may be empty.
    pub const fn optional_line(max: usize) -> Self {
        Self { kind: Kind::Line, required: false, max }
    }
    /// Required free text (line breaks allowed).
    pub const fn text(max: usize) -> Self {
        Self { kind: Kind::Text, required: true, max }
    }
    /// Free text that may be empty.
    pub const fn optional_text(max: usize) -> Self {
        Self { kind: Kind::Text, required: false, max }
    }

    fn allowed(&self, c: char) -> bool {
        !c.is_control() || (self.kind == Kind::Text && matches!(c, '\t' | '\n' | '\r'))
    }

    /// The reason `value` breaks the rule, if it does.
    pub fn problem(&self, value: &str) -> Option<String> {
        if value.chars().count() > self.max {
            Some(format!("must be at most {} characters", self.max))
        } else if !value.chars().all(|c| self.allowed(c)) {
            Some(match self.kind {
                Kind::Line => "must be one line without control characters".to_string(),
                Kind::Text => "must not contain control characters other than tabs and line breaks".to_string(),
            })
        } else if self.required && value.trim().is_empty() {
            Some("must not be empty".to_string())
        } else {
            None
        }
    }

    /// Check `value`, recording a problem under `pointer`.
    pub fn check(&self, errors: &mut ValidationErrors, pointer: &str, value: &str) {
        if let Some(p) = self.problem(value) {
            errors.push(pointer, p);
        }
    }

    /// The JSON Schema regex of the rule (ECMA-262; also read alike by Python's `re`).
    pub fn pattern(&self) -> String {
        let forbidden = match self.kind {
            Kind::Line => CONTROLS,
            Kind::Text => CONTROLS_BUT_BREAKS,
        };
        if self.required {
            // Something allowed that is neither a control nor white space, anywhere.
            format!("^[^{forbidden}]*[^{CONTROLS}{SPACES}][^{forbidden}]*$")
        } else {
            format!("^[^{forbidden}]*$")
        }
    }

    /// The rule as an OpenAPI schema of a string or `null` (an `Option<String>` field).
    pub fn nullable_schema(&self) -> ObjectBuilder {
        self.schema().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
    }

    /// The rule as an OpenAPI string schema.
    pub fn schema(&self) -> ObjectBuilder {
        let b = ObjectBuilder::new().schema_type(Type::String).max_length(Some(self.max)).pattern(Some(self.pattern()));
        if self.required {
            b.min_length(Some(1))
        } else {
            b
        }
    }
}

/// The text fields of the API, each with its rule; `schema_with` functions for utoipa below.
pub mod rules {
    use super::TextRule;

    pub const FACILITY_NAME: TextRule = TextRule::line(200);
    pub const ADDRESS: TextRule = TextRule::optional_text(500);
    pub const PHONE: TextRule = TextRule::optional_line(50);
    pub const PSEUDONYM: TextRule = TextRule::line(64);
    pub const ORDER_NUMBER: TextRule = TextRule::line(100);
    pub const OPTIONAL_ORDER_NUMBER: TextRule = TextRule::optional_line(100);
    pub const REASON: TextRule = TextRule::text(2000);
    pub const NOTE: TextRule = TextRule::optional_text(2000);
    pub const DISPLAY_NAME: TextRule = TextRule::optional_line(200);
    /// A schedule's clinician or room label.
    pub const CLINICIAN: TextRule = TextRule::optional_line(64);
    /// What a patient writes when asking for an online consultation.
    pub const COMPLAINT: TextRule = TextRule::text(2000);
    /// A clinician's written answer to a consultation.
    pub const ANSWER: TextRule = TextRule::text(4000);
    /// A suggested medicine's name (generic name and strength).
    pub const MEDICINE: TextRule = TextRule::line(100);
    /// How to take a suggested medicine.
    pub const INSTRUCTIONS: TextRule = TextRule::optional_text(500);
}

/// `#[schema(schema_with = …)]` functions, one per rule.
pub mod schemas {
    use super::rules;
    use utoipa::openapi::schema::Object;

    pub fn facility_name() -> Object {
        rules::FACILITY_NAME.schema().build()
    }
    pub fn address() -> Object {
        rules::ADDRESS.schema().build()
    }
    pub fn phone() -> Object {
        rules::PHONE.schema().build()
    }
    pub fn pseudonym() -> Object {
        rules::PSEUDONYM.schema().build()
    }
    pub fn order_number() -> Object {
        rules::ORDER_NUMBER.schema().build()
    }
    pub fn optional_order_number_or_null() -> Object {
        rules::OPTIONAL_ORDER_NUMBER.nullable_schema().build()
    }
    pub fn reason() -> Object {
        rules::REASON.schema().build()
    }
    pub fn note() -> Object {
        rules::NOTE.schema().build()
    }
    pub fn display_name_or_null() -> Object {
        rules::DISPLAY_NAME.nullable_schema().build()
    }
    pub fn note_or_null() -> Object {
        rules::NOTE.nullable_schema().build()
    }
    pub fn clinician_or_null() -> Object {
        rules::CLINICIAN.nullable_schema().build()
    }
    pub fn pseudonym_or_null() -> Object {
        rules::PSEUDONYM.nullable_schema().build()
    }
    pub fn complaint() -> Object {
        rules::COMPLAINT.schema().build()
    }
    pub fn answer() -> Object {
        rules::ANSWER.schema().build()
    }
    pub fn medicine() -> Object {
        rules::MEDICINE.schema().build()
    }
    pub fn instructions() -> Object {
        rules::INSTRUCTIONS.schema().build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_refuse_controls_blank_and_length() {
        let r = TextRule::line(5);
        assert_eq!(r.problem("武汉协和"), None);
        assert!(r.problem("").is_some());
        assert!(r.problem(" \u{3000}\u{a0}").is_some(), "white space only");
        assert!(r.problem("a\u{0}b").is_some());
        assert!(r.problem("a\nb").is_some());
        assert!(r.problem("abcdef").is_some());
        assert_eq!(r.problem(" a  "), None, "length counts the untrimmed value; 4 ≤ 5");
        assert_eq!(TextRule::optional_line(5).problem(""), None);
    }

    #[test]
    fn texts_allow_breaks_but_not_other_controls() {
        let r = TextRule::text(100);
        assert_eq!(r.problem("line one\r\nline two\t."), None);
        assert!(r.problem("\n\t ").is_some(), "breaks alone are blank");
        assert!(r.problem("bell\u{7}").is_some());
        assert!(r.problem("nel\u{85}").is_some());
    }

    #[test]
    fn patterns_name_the_same_classes() {
        // The whitespace class lists exactly the non-control White_Space characters.
        let spaces: Vec<char> =
            (0..=0x10ffff_u32).filter_map(char::from_u32).filter(|c| c.is_whitespace() && !c.is_control()).collect();
        let listed: Vec<char> = " \u{a0}\u{1680}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}"
            .chars()
            .chain((0x2000..=0x200a).filter_map(char::from_u32))
            .collect();
        let mut a = spaces.clone();
        a.sort();
        let mut b = listed;
        b.sort();
        assert_eq!(a, b);
        assert!(TextRule::line(10).pattern().starts_with("^[^\\x00-\\x1f\\x7f-\\x9f]*"));
    }
}
