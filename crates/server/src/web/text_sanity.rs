//! Words of the input sanity checks (issue 20, point 3): the service's complaints that carry
//! numbers — a capacity line beyond the surge factor, a patient's location outside the region
//! it names — read back from the service's English detail and said in the page's language.
//! One struct per language, as `i18n.rs` does: a missing translation is a compile error.
//! [`Lang::detail`](super::i18n::Lang::detail) falls back to [`translate`] for details it does
//! not know word for word.

use super::i18n::Lang;

/// The sentences, with their numbers and names put in.
pub struct SanityText {
    /// `(occupied, factor, physical, at_most)`.
    pub beyond_surge: fn(&str, &str, &str, &str) -> String,
    /// `(km, place)`.
    pub location_outside: fn(&str, &str) -> String,
    /// A region's own boundary: `(name, code)`.
    pub place_own: fn(&str, &str) -> String,
    /// An ancestor's boundary stands in: `(name, code, named name, named code)`.
    pub place_ancestor: fn(&str, &str, &str, &str) -> String,
}

pub const ZH: SanityText = SanityText {
    beyond_surge: |o, f, p, c| format!("在院 {o} 人，超过实有床位 {p} 张的 {f} 倍（最多 {c} 人）：请核对数字"),
    location_outside: |km, place| format!("位置在{place}边界外 {km} 公里：请核对经纬度和地区代码"),
    place_own: |name, code| format!("{name}（{code}）"),
    place_ancestor: |name, code, named, named_code| {
        format!("{name}（{code}；{named} {named_code} 无单独边界，按上级核对）")
    },
};

/// As the service words them (the English page shows the service's detail as it is).
pub const EN: SanityText = SanityText {
    beyond_surge: |o, f, p, c| {
        format!("{o} occupied is more than {f} times the {p} physical beds (at most {c}): check the numbers")
    },
    location_outside: |km, place| {
        format!("the location is {km} km outside {place}: check the coordinates and the region code")
    },
    place_own: |name, code| format!("{name} ({code})"),
    place_ancestor: |name, code, named, named_code| {
        format!("{name} ({code}; {named} {named_code} has no boundary of its own)")
    },
};

impl Lang {
    fn sanity(self) -> &'static SanityText {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// The detail in `lang`, if it is one of these checks' (as `EN` words them).
pub fn translate(lang: Lang, detail: &str) -> Option<String> {
    let t = lang.sanity();
    if let Some(rest) = detail.strip_suffix(": check the numbers") {
        let (o, rest) = rest.split_once(" occupied is more than ")?;
        let (f, rest) = rest.split_once(" times the ")?;
        let (p, rest) = rest.split_once(" physical beds (at most ")?;
        let c = rest.strip_suffix(')')?;
        return Some((t.beyond_surge)(o, f, p, c));
    }
    let rest = detail.strip_prefix("the location is ")?.strip_suffix(": check the coordinates and the region code")?;
    let (km, place) = rest.split_once(" km outside ")?;
    let (name, inner) = place.strip_suffix(')')?.split_once(" (")?;
    let place = match inner.strip_suffix(" has no boundary of its own") {
        Some(inner) => {
            let (code, named) = inner.split_once("; ")?;
            let (named_name, named_code) = named.rsplit_once(' ')?;
            (t.place_ancestor)(name, code, named_name, named_code)
        }
        None => (t.place_own)(name, inner),
    };
    Some((t.location_outside)(km, &place))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_details_read_back_in_both_languages() {
        let surge = (EN.beyond_surge)("100", "1.5", "20", "30");
        assert_eq!(translate(Lang::En, &surge).as_deref(), Some(surge.as_str()));
        assert_eq!(
            translate(Lang::Zh, &surge).as_deref(),
            Some("在院 100 人，超过实有床位 20 张的 1.5 倍（最多 30 人）：请核对数字")
        );
        let own = (EN.location_outside)("312", &(EN.place_own)("武汉市", "420100"));
        assert_eq!(translate(Lang::En, &own).as_deref(), Some(own.as_str()));
        assert_eq!(
            translate(Lang::Zh, &own).as_deref(),
            Some("位置在武汉市（420100）边界外 312 公里：请核对经纬度和地区代码")
        );
        let up = (EN.location_outside)("11940", &(EN.place_ancestor)("武汉市", "420100", "武昌区", "420106"));
        assert_eq!(
            translate(Lang::Zh, &up).as_deref(),
            Some(
                "位置在武汉市（420100；武昌区 420106 无单独边界，按上级核对）边界外 11940 公里：请核对经纬度和地区代码"
            )
        );
        assert_eq!(translate(Lang::Zh, "must not be empty"), None);
    }
}
