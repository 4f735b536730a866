//! Form errors shown all at once: every complaint beside its field and every one listed in
//! the banner above the form, each entry a link to its field (`#<field id>`), in the form's
//! own field order — not only the first kind of error, and not a banner that lists nothing.
//!
//! A page collects its own parse errors and the service's `ValidationErrors` (mapped from JSON
//! pointers to field names) into one [`FieldErrors`], and its template renders the banner with
//! `{% include "form_errors.html" %}` (it reads `errors` and `t.err_form`) and, beside each
//! field, `errors.get("name")`. Complaints that name no field of the form are listed in the
//! banner only.

/// One field's complaint, as the banner lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerItem {
    /// The field's `id` (the banner links to it); empty for a complaint that names no field.
    pub field: &'static str,
    /// The field's label in the page's language.
    pub label: String,
    pub message: String,
}

/// Every complaint about a submitted form.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    /// The form's fields, in page order (the banner's order).
    order: &'static [&'static str],
    /// (field, label, message), in the order pushed.
    by_field: Vec<(&'static str, String, String)>,
    general: Vec<String>,
}

impl FieldErrors {
    /// No complaints yet, for a form of these fields (in page order).
    pub fn new(order: &'static [&'static str]) -> Self {
        Self { order, by_field: Vec::new(), general: Vec::new() }
    }

    /// A complaint about `field` (labelled `label` on the page). A second, different complaint
    /// about the same field is kept too; the same one twice is kept once.
    pub fn push(&mut self, field: &'static str, label: &str, message: impl Into<String>) {
        let message = message.into();
        if !self.by_field.iter().any(|(f, _, m)| *f == field && *m == message) {
            self.by_field.push((field, label.to_string(), message));
        }
    }

    /// A complaint that names no field of the form.
    pub fn push_general(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.general.contains(&message) {
            self.general.push(message);
        }
    }

    /// Whether `field` has a complaint already.
    pub fn has(&self, field: &str) -> bool {
        self.by_field.iter().any(|(f, _, _)| *f == field)
    }

    /// The complaint(s) beside `field`, joined, if any.
    pub fn get(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> =
            self.by_field.iter().filter(|(f, _, _)| *f == field).map(|(_, _, m)| m.as_str()).collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }

    /// The banner's list: field complaints in the form's field order (fields not in the order
    /// last, as pushed), then the general ones.
    pub fn banner(&self) -> Vec<BannerItem> {
        let rank = |f: &str| self.order.iter().position(|o| *o == f).unwrap_or(usize::MAX);
        let mut items: Vec<(usize, usize, BannerItem)> = self
            .by_field
            .iter()
            .enumerate()
            .map(|(i, (field, label, message))| {
                (rank(field), i, BannerItem { field, label: label.clone(), message: message.clone() })
            })
            .collect();
        items.sort_by_key(|(r, i, _)| (*r, *i));
        let mut out: Vec<BannerItem> = items.into_iter().map(|(_, _, b)| b).collect();
        out.extend(self.general.iter().map(|m| BannerItem { field: "", label: String::new(), message: m.clone() }));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: &[&str] = &["name", "lon", "lat", "note"];

    #[test]
    fn every_complaint_is_listed_in_field_order_and_beside_its_field() {
        let mut e = FieldErrors::new(ORDER);
        assert!(e.is_empty() && e.banner().is_empty());
        e.push("note", "Note", "too long");
        e.push("lon", "Longitude", "required");
        e.push("lon", "Longitude", "required");
        e.push("lon", "Longitude", "outside the region");
        e.push("name", "Name", "required");
        e.push_general("the referral was filed meanwhile");
        assert!(e.has("lon") && !e.has("lat"));
        assert_eq!(e.get("lon").as_deref(), Some("required outside the region"));
        assert_eq!(e.get("lat"), None);
        let banner = e.banner();
        let fields: Vec<&str> = banner.iter().map(|b| b.field).collect();
        assert_eq!(fields, ["name", "lon", "lon", "note", ""]);
        assert_eq!(banner[4].message, "the referral was filed meanwhile");
    }
}
