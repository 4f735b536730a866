//! China's administrative divisions by GB/T 2260 code: province → city → county/district.
//!
//! `RegionCode` checks the shape (six digits); `Regions` knows which codes exist and how they
//! nest, loaded from the committed copy of the division table (see `data/SOURCE.md`). Scope and
//! rollups are defined on subtrees: a facility's region determines its province and city, which
//! are stored beside it so a subtree filter is one indexed equality in SQL.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A six-digit GB/T 2260 code, e.g. `420100` (Wuhan). Its existence is checked by [`Regions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = "^[0-9]{6}$", example = "420100")]
pub struct RegionCode(u32);

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.parse().expect("six ASCII digits fit u32")))
        } else {
            Err(format!("`{s}` is not a six-digit GB/T 2260 region code"))
        }
    }
    pub fn as_u32(self) -> u32 {
        self.0
    }
    /// The province this code lies in, by the code's first two digits.
    pub fn province(self) -> RegionCode {
        RegionCode(self.0 / 10_000 * 10_000)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.to_string()
    }
}
impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// The three tiers of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    /// County-level: districts, counties, county-level cities.
    County,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }
}

/// One division.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
    /// Centre point (lon, lat) where published.
    pub centre: Option<[f64; 2]>,
}

/// The ancestors a facility's region resolves to, stored with the facility for scoped queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionPath {
    pub province: RegionCode,
    /// The prefecture-level city; for a municipality (Beijing, Shanghai, Tianjin, Chongqing),
    /// whose districts hang directly off the province, the province itself.
    pub city: RegionCode,
    pub region: RegionCode,
}

/// The whole table, indexed.
#[derive(Debug, Clone)]
pub struct Regions {
    by_code: HashMap<RegionCode, Region>,
    children: HashMap<RegionCode, Vec<RegionCode>>,
    provinces: Vec<RegionCode>,
}

/// The committed division table (UTF-8 CSV: code,name,level,parent_code,centre_lon,centre_lat).
pub const DIVISIONS_CSV: &str = include_str!("../data/cn-admin-divisions.csv");

impl Regions {
    /// The table shipped with Carebridge.
    pub fn china() -> Self {
        Self::from_csv(DIVISIONS_CSV).expect("the committed division table parses")
    }

    /// Parse the division table. The format is fixed and simple (no quoted fields), so no CSV
    /// crate is needed in the domain.
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut by_code = HashMap::new();
        let mut children: HashMap<RegionCode, Vec<RegionCode>> = HashMap::new();
        let mut provinces = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(',').collect();
            if cols.len() != 6 {
                return Err(format!("line {}: expected 6 columns", i + 1));
            }
            let code = RegionCode::parse(cols[0]).map_err(|e| format!("line {}: {e}", i + 1))?;
            let level = match cols[2] {
                "province" => RegionLevel::Province,
                "city" => RegionLevel::City,
                "district" => RegionLevel::County,
                other => return Err(format!("line {}: unknown level `{other}`", i + 1)),
            };
            let parent = if cols[3].is_empty() {
                None
            } else {
                Some(RegionCode::parse(cols[3]).map_err(|e| format!("line {}: {e}", i + 1))?)
            };
            let centre = match (cols[4].parse::<f64>(), cols[5].parse::<f64>()) {
                (Ok(lon), Ok(lat)) => Some([lon, lat]),
                _ => None,
            };
            if level == RegionLevel::Province {
                provinces.push(code);
            }
            if let Some(p) = parent {
                children.entry(p).or_default().push(code);
            }
            by_code.insert(code, Region { code, name: cols[1].to_string(), level, parent, centre });
        }
        provinces.sort();
        Ok(Self { by_code, children, provinces })
    }

    pub fn get(&self, code: RegionCode) -> Option<&Region> {
        self.by_code.get(&code)
    }

    /// Parse a code and check it exists.
    pub fn lookup(&self, s: &str) -> Result<&Region, String> {
        let code = RegionCode::parse(s)?;
        self.get(code).ok_or_else(|| format!("`{s}` is not a known GB/T 2260 region code"))
    }

    pub fn provinces(&self) -> &[RegionCode] {
        &self.provinces
    }

    pub fn children(&self, code: RegionCode) -> &[RegionCode] {
        self.children.get(&code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every code in the table, in ascending order (for documents that list them, such as the
    /// OpenAPI document's region-code enumeration).
    pub fn codes(&self) -> Vec<RegionCode> {
        let mut codes: Vec<RegionCode> = self.by_code.keys().copied().collect();
        codes.sort();
        codes
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Province, city and the region itself, for a known code.
    pub fn path(&self, code: RegionCode) -> Option<RegionPath> {
        let region = self.get(code)?;
        let mut province = code.province();
        let mut city = province;
        let mut cursor = Some(region);
        while let Some(r) = cursor {
            match r.level {
                RegionLevel::Province => province = r.code,
                RegionLevel::City => city = r.code,
                RegionLevel::County => {}
            }
            cursor = r.parent.and_then(|p| self.get(p));
        }
        if region.level == RegionLevel::Province {
            city = province;
        }
        Some(RegionPath { province, city, region: code })
    }

    /// Whether `inner` lies in the subtree rooted at `outer` (a region contains itself).
    pub fn contains(&self, outer: RegionCode, inner: RegionCode) -> bool {
        let mut cursor = Some(inner);
        while let Some(c) = cursor {
            if c == outer {
                return true;
            }
            cursor = self.get(c).and_then(|r| r.parent);
        }
        false
    }

    /// Every code in the subtree rooted at `root`, root first.
    pub fn subtree(&self, root: RegionCode) -> Vec<RegionCode> {
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            out.extend_from_slice(self.children(out[i]));
            i += 1;
        }
        out
    }

    /// The level a rollup of `root` breaks down into: provinces for the nation, cities for a
    /// province (districts for a municipality), districts for a city.
    pub fn breakdown_level(&self, root: Option<RegionCode>) -> RegionLevel {
        match root.and_then(|c| self.get(c)) {
            None => RegionLevel::Province,
            Some(r) if r.level == RegionLevel::Province => {
                let any_city = self
                    .children(r.code)
                    .iter()
                    .any(|c| self.get(*c).map(|x| x.level == RegionLevel::City).unwrap_or(false));
                if any_city {
                    RegionLevel::City
                } else {
                    RegionLevel::County
                }
            }
            Some(_) => RegionLevel::County,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn the_committed_table_nests_as_gb_t_2260_says() {
        let regions = Regions::china();
        assert_eq!(regions.len(), 3682);
        assert_eq!(regions.provinces().len(), 34);
        let wuhan = regions.get(code("420100")).unwrap();
        assert_eq!(wuhan.name, "武汉市");
        assert_eq!(wuhan.level, RegionLevel::City);
        assert!(regions.contains(code("420000"), code("420106")));
        assert!(!regions.contains(code("420100"), code("420202")));
        let path = regions.path(code("420106")).unwrap();
        assert_eq!((path.province, path.city), (code("420000"), code("420100")));
        // Municipalities: districts hang off the province, which also stands as the city.
        let path = regions.path(code("110105")).unwrap();
        assert_eq!((path.province, path.city), (code("110000"), code("110000")));
        assert_eq!(regions.breakdown_level(Some(code("110000"))), RegionLevel::County);
        assert_eq!(regions.breakdown_level(Some(code("420000"))), RegionLevel::City);
        assert!(regions.subtree(code("420100")).len() > 10);
    }

    #[test]
    fn malformed_and_unknown_codes_are_refused_with_reasons() {
        assert!(RegionCode::parse("42010").is_err());
        assert!(RegionCode::parse("4201OO").is_err());
        let regions = Regions::china();
        assert!(regions.lookup("999999").unwrap_err().contains("not a known"));
    }
}
