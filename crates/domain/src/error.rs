//! Validation errors that name the offending field, so every edge (HTTP, CSV, CLI) can point at it.

use serde::Serialize;

/// One invalid field: a JSON pointer (RFC 6901) relative to the input and a human reason; for a
/// refused placement, also the hard constraint the field's value breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub pointer: String,
    pub detail: String,
    /// The hard constraint (`carebridge_domain::placement::Exclusion` key) the value breaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), detail: detail.into(), constraint: None }
    }

    /// The value at `pointer` breaks the hard constraint `constraint`.
    pub fn constraint(pointer: impl Into<String>, constraint: crate::placement::Exclusion) -> Self {
        Self {
            pointer: pointer.into(),
            detail: format!("{}: {}", constraint.as_str(), constraint.explain_en()),
            constraint: Some(constraint.as_str().to_string()),
        }
    }
}

/// Every invalid field of one input, collected so the caller can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{} {}", e.pointer, e.detail)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn single(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self(vec![FieldError::new(pointer, detail)])
    }

    pub fn push(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.0.push(FieldError::new(pointer, detail));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was pushed, so builders can end with `errors.finish(value)`.
    pub fn finish<T>(self, value: T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Prefix every pointer, e.g. to place a unit's errors under `/units/2`.
    pub fn nested(self, prefix: &str) -> Self {
        Self(self.0.into_iter().map(|e| FieldError::new(format!("{prefix}{}", e.pointer), e.detail)).collect())
    }
}
