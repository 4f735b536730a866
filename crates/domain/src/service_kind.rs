//! The controlled vocabulary of services a facility offers.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal, $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire and storage spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The Chinese label shown on pages.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            pub fn parse(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "`{s}` is not one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// A kind of care a facility can give.
    ServiceKind {
        Emergency = "emergency", "急诊",
        Icu = "icu", "重症监护",
        FeverClinic = "fever_clinic", "发热门诊",
        Maternity = "maternity", "产科",
        Dialysis = "dialysis", "血液透析",
        Neurosurgery = "neurosurgery", "神经外科",
        OncologySurgery = "oncology_surgery", "肿瘤外科",
        GeneralSurgery = "general_surgery", "普通外科",
        Cardiology = "cardiology", "心内科",
        InternalMedicine = "internal_medicine", "内科",
        IsolationWard = "isolation_ward", "隔离病房",
        Pediatrics = "pediatrics", "儿科",
        Respiratory = "respiratory", "呼吸科",
        Orthopedics = "orthopedics", "骨科",
    }
);

impl ServiceKind {
    /// Whether this is care a virus-designated hospital gives new patients: it takes only
    /// patients needing isolation for the virus, who come through its fever clinic or isolation
    /// ward. A search for any other service is a search for non-virus patients' care, which a
    /// virus-designated hospital does not take.
    pub fn is_virus_care(self) -> bool {
        matches!(self, Self::FeverClinic | Self::IsolationWard)
    }

    /// English label for pages.
    pub fn label_en(self) -> String {
        let s = self.as_str().replace('_', " ");
        match self {
            Self::Icu => "ICU".into(),
            _ => {
                let mut c = s.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            }
        }
    }
}
