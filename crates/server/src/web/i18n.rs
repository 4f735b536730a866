//! The pages' two languages. Every visible string lives here, once per language, in one struct
//! per language: a missing translation is a compile error, not a blank on screen. Domain
//! vocabularies (services, designations, units) carry their own labels; this module only picks
//! the language.
//!
//! The language is chosen by `?lang=zh|en` (remembered in the `cb_lang` cookie), else the
//! cookie, else `Accept-Language` (any `zh*` first → Chinese), else English.

use carebridge_domain::capacity::Unit;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::FacilityLevel;
use carebridge_domain::placement::Exclusion;
use carebridge_domain::referral::{
    AgeBand, DeclineReason, InfectionStatus, OfferStatus, ReferralStatus, Urgency, WeekdayPattern,
};
use carebridge_domain::service_kind::ServiceKind;

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// Parse the `lang` query value or cookie: `zh`/`en` (and `zh-CN`, `en-GB`, …).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The best of our two languages for an `Accept-Language` header: the highest-weighted
    /// range that is Chinese or English wins; anything else (or nothing) means English.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else { return Lang::En };
        let mut best: Option<(f32, usize, Lang)> = None;
        for (i, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag.starts_with("zh") {
                Lang::Zh
            } else if tag.starts_with("en") {
                Lang::En
            } else {
                continue;
            };
            if q <= 0.0 {
                continue;
            }
            // Higher q wins; on a tie, the earlier range.
            let better = match best {
                None => true,
                Some((bq, _, _)) => q > bq,
            };
            if better {
                best = Some((q, i, lang));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Lang::En)
    }

    /// The short code used in `?lang=` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// This language's strings.
    pub fn t(self) -> &'static Text {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn service(self, s: ServiceKind) -> String {
        match self {
            Lang::Zh => s.label_zh().to_string(),
            Lang::En => s.label_en(),
        }
    }

    pub fn designation(self, d: Designation) -> &'static str {
        match self {
            Lang::Zh => d.label_zh(),
            Lang::En => d.label_en(),
        }
    }

    pub fn unit(self, u: Unit) -> &'static str {
        match self {
            Lang::Zh => u.label_zh(),
            Lang::En => u.label_en(),
        }
    }

    pub fn level(self, l: FacilityLevel) -> &'static str {
        match self {
            Lang::Zh => l.label_zh(),
            Lang::En => match l {
                FacilityLevel::Tertiary => "Tertiary",
                FacilityLevel::Secondary => "Secondary",
                FacilityLevel::Primary => "Primary",
                FacilityLevel::Temporary => "Temporary site",
            },
        }
    }

    /// "12 facilities on this page".
    pub fn facilities_on_page(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("本页 {n} 家机构"),
            Lang::En if n == 1 => "1 facility on this page".to_string(),
            Lang::En => format!("{n} facilities on this page"),
        }
    }

    /// "3 of 40 facilities stale".
    pub fn stale_of(self, stale: usize, total: usize) -> String {
        match self {
            Lang::Zh => format!("{total} 家机构中 {stale} 家数据过期"),
            Lang::En => format!("{stale} of {total} facilities stale"),
        }
    }

    /// An age such as "2 d 5 h" or "40 min".
    pub fn age(self, seconds: i64) -> String {
        let minutes = seconds.max(0) / 60;
        let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
        match self {
            Lang::Zh if d > 0 => format!("{d}天{h}小时"),
            Lang::Zh if h > 0 => format!("{h}小时{m}分"),
            Lang::Zh => format!("{m}分钟"),
            Lang::En if d > 0 => format!("{d} d {h} h"),
            Lang::En if h > 0 => format!("{h} h {m} min"),
            Lang::En => format!("{m} min"),
        }
    }

    /// Legend line for a traffic-light band: "1–4 available".
    pub fn band(self, low: i64, high: i64) -> String {
        match self {
            Lang::Zh => format!("空余 {low}–{high} 张"),
            Lang::En => format!("{low}–{high} available"),
        }
    }

    /// Legend line for the top band: "≥ 5 available".
    pub fn band_at_least(self, n: i64) -> String {
        match self {
            Lang::Zh => format!("空余 ≥ {n} 张"),
            Lang::En => format!("≥ {n} available"),
        }
    }

    /// "Map of the facilities in 湖北省".
    pub fn map_label(self, place: &str, mode: &str) -> String {
        match self {
            Lang::Zh => format!("{place}医疗机构分布图，按{mode}着色"),
            Lang::En => format!("Map of the facilities in {place}, coloured by {mode}"),
        }
    }

    /// A note when a list was cut at `shown` of at least `total` rows.
    pub fn truncated(self, shown: usize, total: usize) -> String {
        match self {
            Lang::Zh => format!("共 {total} 家，仅显示最紧张的 {shown} 家；选择更小的地区可查看全部。"),
            Lang::En => {
                format!("Showing the {shown} most constrained of {total}; choose a smaller region to see them all.")
            }
        }
    }

    /// A note when the map drew only the first `n` facilities.
    pub fn map_truncated(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("地图仅绘制前 {n} 家机构。"),
            Lang::En => format!("The map draws the first {n} facilities only."),
        }
    }

    /// "Latest: ICU 93 %, General ward 81 %" for the chart's accessible label.
    pub fn chart_label(self, latest: &[(&str, f64)]) -> String {
        let parts: Vec<String> = latest.iter().map(|(u, v)| format!("{u} {v:.0}%")).collect();
        match self {
            Lang::Zh => format!("近14天床位占用率折线图。最新：{}", parts.join("，")),
            Lang::En => format!("Line chart of bed occupancy over the last 14 days. Latest: {}", parts.join(", ")),
        }
    }
}

/// Referral vocabularies and sentences: the domain carries the Chinese labels; the English
/// ones it lacks live here.
impl Lang {
    /// A name kept in both languages (facilities), in this one.
    pub fn pick(self, zh: String, en: String) -> String {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn urgency(self, u: Urgency) -> &'static str {
        match self {
            Lang::Zh => u.label_zh(),
            Lang::En => u.label_en(),
        }
    }

    pub fn referral_status(self, s: ReferralStatus) -> &'static str {
        match self {
            Lang::Zh => s.label_zh(),
            Lang::En => s.label_en(),
        }
    }

    pub fn infection(self, i: InfectionStatus) -> &'static str {
        match self {
            Lang::Zh => i.label_zh(),
            Lang::En => match i {
                InfectionStatus::Confirmed => "Confirmed infection",
                InfectionStatus::Suspected => "Suspected infection",
                InfectionStatus::Negative => "Tested negative",
                InfectionStatus::Unknown => "Not known",
            },
        }
    }

    /// "18–39" with the language's unit.
    pub fn age_band(self, a: AgeBand) -> String {
        match self {
            Lang::Zh => a.label_zh().to_string(),
            Lang::En => format!("aged {}", a.years()),
        }
    }

    pub fn decline_reason(self, r: DeclineReason) -> &'static str {
        match self {
            Lang::Zh => r.label_zh(),
            Lang::En => match r {
                DeclineReason::NoBed => "No bed free",
                DeclineReason::NoStaff => "Not enough staff",
                DeclineReason::NoSpecialist => "No specialist available",
                DeclineReason::EquipmentUnavailable => "Equipment unavailable",
                DeclineReason::InfectionControl => "Infection control",
                DeclineReason::PatientTooSevere => "Beyond this hospital's capability",
                DeclineReason::Other => "Other",
            },
        }
    }

    pub fn offer_status(self, s: OfferStatus) -> &'static str {
        match self {
            Lang::Zh => s.label_zh(),
            Lang::En => match s {
                OfferStatus::Holding => "Holding",
                OfferStatus::Accepted => "Accepted",
                OfferStatus::Declined => "Declined",
                OfferStatus::Expired => "Expired",
                OfferStatus::Withdrawn => "Withdrawn",
            },
        }
    }

    /// The weekdays of a recurring patient's sessions.
    pub fn weekdays(self, p: WeekdayPattern) -> &'static str {
        match self {
            Lang::Zh => p.label_zh(),
            Lang::En => match p {
                WeekdayPattern::MonThu => "Mon and Thu",
                WeekdayPattern::TueFri => "Tue and Fri",
                WeekdayPattern::WedSat => "Wed and Sat",
                WeekdayPattern::MonWedFri => "Mon, Wed and Fri",
                WeekdayPattern::TueThuSat => "Tue, Thu and Sat",
            },
        }
    }

    /// "3 sessions a week".
    pub fn sessions(self, n: u8) -> String {
        match self {
            Lang::Zh => format!("每周 {n} 次"),
            Lang::En => format!("{n} sessions a week"),
        }
    }

    /// "45 min" of travel.
    pub fn minutes(self, minutes: i64) -> String {
        match self {
            Lang::Zh => format!("{minutes} 分钟"),
            Lang::En => format!("{minutes} min"),
        }
    }

    /// A hard constraint by name, for lists ("virus-designated").
    pub fn constraint(self, e: Exclusion) -> String {
        match self {
            Lang::Zh => e.label_zh().to_string(),
            Lang::En => match e {
                Exclusion::ServiceNotOffered => "does not offer the care needed",
                Exclusion::ChildrenOnly => "a children's hospital (children only)",
                Exclusion::NoPaediatricCare => "no paediatric care for a child",
                Exclusion::AlreadyDeclined => "declined this referral before",
                Exclusion::TooFar => "beyond the travel limit",
                Exclusion::CrossProvince => "in another province (not allowed here)",
                Exclusion::NotTakingNewPatients => "not taking new patients",
                Exclusion::VirusDesignated => "virus-designated (the patient is not known to be infected)",
                Exclusion::NoIsolation => "no isolation bed free",
                Exclusion::NoStaffedBedFree => "no staffed bed free",
            }
            .to_string(),
        }
    }

    /// A directed placement refused for the hard constraints the facility breaks.
    pub fn constraints_broken(self, names: &str) -> String {
        match self {
            Lang::Zh => format!("该机构不符合此患者的硬性约束：{names}。请选择其他机构，或在指派页面逐项明确越过这些约束并说明理由。"),
            Lang::En => format!(
                "This facility breaks hard constraints for the patient: {names}. Choose another, or override them explicitly, each by name and with a reason, on the directed-placement page."
            ),
        }
    }

    /// "12.5 km".
    pub fn km(self, km: f64) -> String {
        match self {
            Lang::Zh => format!("{km:.1} 公里"),
            Lang::En => format!("{km:.1} km"),
        }
    }

    /// "2 h 5 min of 24 h 0 min".
    pub fn waited(self, waited_seconds: i64, max_seconds: i64) -> String {
        match self {
            Lang::Zh => format!("已等 {} / 最长 {}", self.age(waited_seconds), self.age(max_seconds)),
            Lang::En => format!("{} of {}", self.age(waited_seconds), self.age(max_seconds)),
        }
    }

    /// Where a referral stands, in plain words; `facility` is the held, accepting or admitting
    /// facility's name and `until` the hold's end, where they apply.
    pub fn status_sentence(self, s: ReferralStatus, facility: Option<&str>, until: Option<&str>) -> String {
        let f = facility.unwrap_or("—");
        let until = until.unwrap_or("—");
        match (self, s) {
            (Lang::Zh, ReferralStatus::Pending) => "正在等待床位：系统持续寻找，一旦有合适的床位会立即发出邀请。".into(),
            (Lang::En, ReferralStatus::Pending) => {
                "Waiting for a bed: Carebridge keeps looking and offers one as soon as one fits.".into()
            }
            (Lang::Zh, ReferralStatus::Offered) => format!("{f}为患者保留了一张床位，保留至 {until}，正在等待该院答复。"),
            (Lang::En, ReferralStatus::Offered) => {
                format!("A bed is held at {f} until {until}; the hospital's desk is deciding.")
            }
            (Lang::Zh, ReferralStatus::Accepted) => format!("{f}已同意接收患者，下一步：入院。"),
            (Lang::En, ReferralStatus::Accepted) => format!("{f} has accepted the patient. Next: admission."),
            (Lang::Zh, ReferralStatus::Admitted) => format!("患者已在{f}入院。"),
            (Lang::En, ReferralStatus::Admitted) => format!("The patient has been admitted at {f}."),
            (Lang::Zh, ReferralStatus::Escalated) => {
                "已上报地区协调员：还没有医院接收患者。系统同时继续寻找床位。".into()
            }
            (Lang::En, ReferralStatus::Escalated) => {
                "Escalated to the region's coordinators: no hospital has taken the patient yet. Carebridge keeps looking meanwhile.".into()
            }
            (Lang::Zh, ReferralStatus::Cancelled) => "此转诊已取消。".into(),
            (Lang::En, ReferralStatus::Cancelled) => "This referral was cancelled.".into(),
        }
    }

    /// One timeline step, in a sentence. `facility` is the step's facility by name; `reason`
    /// the decline reason, cancel reason or escalation cause already in this language.
    pub fn event_sentence(self, kind: &str, facility: &str, reason: &str) -> String {
        match (self, kind) {
            (Lang::Zh, "filed") => "提交转诊".into(),
            (Lang::En, "filed") => "Filed".into(),
            (Lang::Zh, "offered") => format!("向{facility}发出床位邀请"),
            (Lang::En, "offered") => format!("Offered a bed at {facility}"),
            (Lang::Zh, "accepted") => format!("{facility}接收了患者"),
            (Lang::En, "accepted") => format!("Accepted by {facility}"),
            (Lang::Zh, "declined") => format!("{facility}拒绝：{reason}"),
            (Lang::En, "declined") => format!("Declined by {facility}: {reason}"),
            (Lang::Zh, "expired") => format!("{facility}未在保留时间内答复，邀请过期"),
            (Lang::En, "expired") => format!("The hold at {facility} expired unanswered"),
            (Lang::Zh, "escalated") => format!("上报协调员：{reason}"),
            (Lang::En, "escalated") => format!("Escalated to the coordinators: {reason}"),
            (Lang::Zh, "directed") => format!("协调员指派至{facility}"),
            (Lang::En, "directed") => format!("A coordinator directed the patient to {facility}"),
            (Lang::Zh, "admitted") => format!("已在{facility}入院"),
            (Lang::En, "admitted") => format!("Admitted at {facility}"),
            (Lang::Zh, "cancelled") => format!("已取消：{reason}"),
            (Lang::En, "cancelled") => format!("Cancelled: {reason}"),
            (Lang::Zh, "unplaced") => "暂无合适的床位".into(),
            (Lang::En, "unplaced") => "No bed fits for now".into(),
            (Lang::Zh, "constraints_overridden") => format!("协调员越过硬性约束指派至{facility}：{reason}"),
            (Lang::En, "constraints_overridden") => {
                format!("The coordinator overrode hard constraints to direct the patient to {facility}: {reason}")
            }
            (Lang::Zh, "displaced") => format!("因{facility}的调整需转院"),
            (Lang::En, "displaced") => format!("Displaced from {facility} by a change there"),
            // A step kind without words yet: never its key (the words test lists every kind).
            (lang, _) => super::text_ranking::text(lang).step_other.to_string(),
        }
    }

    /// Why a referral escalated (`why` from the timeline).
    pub fn escalation_cause(self, why: &str, failed: i64) -> String {
        match (self, why) {
            (Lang::Zh, "max_wait_passed") => "已超过最长等待时间".into(),
            (Lang::En, "max_wait_passed") => "the maximum wait has passed".into(),
            (Lang::Zh, "offers_failed") => format!("{failed} 次邀请均未成功"),
            (Lang::En, "offers_failed") => format!("{failed} offers failed"),
            (Lang::Zh, "too_far") => "转运时间上限内没有可接收的机构（更远处有）".into(),
            (Lang::En, "too_far") => {
                "no facility within the travel limit can take the patient (farther ones could)".into()
            }
            (Lang::Zh, "displaced_unplaced") => "转院后无处安置".into(),
            (Lang::En, "displaced_unplaced") => "displaced, and no place found".into(),
            (lang, _) => super::text_ranking::text(lang).cause_other.to_string(),
        }
    }

    /// The headline when no facility fits: "No facility within 300 minutes has a staffed
    /// neurosurgery bed free for this patient."
    pub fn nothing_fits(self, need: &str, minutes: i64) -> String {
        match self {
            Lang::Zh => format!("{minutes} 分钟转运范围内没有可为该患者提供{need}开放空床的机构。"),
            Lang::En => {
                format!(
                    "No facility within {minutes} minutes of travel has a staffed {need} bed free for this patient."
                )
            }
        }
    }

    /// "Of 48 facilities looked at:".
    pub fn of_considered(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("共考察 {n} 家机构："),
            Lang::En => format!("Of {n} facilities looked at:"),
        }
    }

    /// When no facility at all lies within the travel limit.
    pub fn none_within(self, minutes: i64) -> String {
        match self {
            Lang::Zh => format!("患者 {minutes} 分钟转运范围内没有任何机构。"),
            Lang::En => format!("No facility at all lies within {minutes} minutes of travel of the patient."),
        }
    }

    /// "55 free beds".
    pub fn free_beds(self, n: i64) -> String {
        match self {
            Lang::Zh => format!("空余 {n} 张"),
            Lang::En if n == 1 => "1 free bed".to_string(),
            Lang::En => format!("{n} free beds"),
        }
    }

    /// How many facilities one constraint left out, by the engine's constraint name.
    pub fn exclusion(self, constraint: &str, n: usize, need: &str, minutes: i64) -> String {
        match (self, constraint) {
            (Lang::Zh, "service_not_offered") => format!("{n} 家不提供{need}"),
            (Lang::En, "service_not_offered") => format!("{n} do not offer {need}"),
            (Lang::Zh, "children_only") => format!("{n} 家为儿童医院（只收治儿童）"),
            (Lang::En, "children_only") => format!("{n} are children's hospitals (children only)"),
            (Lang::Zh, "no_paediatric_care") => format!("{n} 家没有儿科，不收治儿童"),
            (Lang::En, "no_paediatric_care") => format!("{n} offer no paediatric care for a child"),
            (Lang::Zh, "cross_province") => format!("{n} 家在外省（本地区不允许跨省安置）"),
            (Lang::En, "cross_province") => format!("{n} are in another province, which this region does not allow"),
            (Lang::Zh, "already_declined") => format!("{n} 家此前已拒绝或未答复此转诊"),
            (Lang::En, "already_declined") => format!("{n} already declined or let this referral's offer lapse"),
            (Lang::Zh, "too_far") => format!("{n} 家单程转运超过 {minutes} 分钟"),
            (Lang::En, "too_far") => format!("{n} are more than {minutes} minutes of travel away"),
            (Lang::Zh, "not_taking_new_patients") => format!("{n} 家暂停接收新患者"),
            (Lang::En, "not_taking_new_patients") => format!("{n} are not taking new patients"),
            (Lang::Zh, "virus_designated") => format!("{n} 家为新冠定点医院（未感染患者不送往定点医院）"),
            (Lang::En, "virus_designated") => {
                format!("{n} are virus-designated (a patient not known to be infected is never sent there)")
            }
            (Lang::Zh, "no_isolation") => format!("{n} 家没有空余隔离床位"),
            (Lang::En, "no_isolation") => format!("{n} have no isolation bed free"),
            (Lang::Zh, "no_staffed_bed_free") => format!("{n} 家没有开放的{need}空床"),
            (Lang::En, "no_staffed_bed_free") => format!("{n} have no staffed {need} bed free"),
            (lang, other) => {
                let words = Exclusion::parse(other)
                    .map(|e| lang.constraint(e))
                    .unwrap_or_else(|_| super::text_ranking::text(lang).cause_other.to_string());
                match lang {
                    Lang::Zh => format!("{n} 家：{words}"),
                    Lang::En => format!("{n}: {words}"),
                }
            }
        }
    }

    /// A ranked facility in the direct-placement choice: "Name · 3 free · 12.0 km".
    pub fn ranked_choice(self, name: &str, free: i64, km: f64) -> String {
        match self {
            Lang::Zh => format!("{name} · 空余 {free} 张 · {km:.1} 公里"),
            Lang::En => format!("{name} · {free} free · {km:.1} km"),
        }
    }

    /// A marker's title on the stranded-patients map.
    pub fn stranded_in(self, region: &str, n: usize) -> String {
        match self {
            Lang::Zh => format!("{region}：{n} 名滞留患者"),
            Lang::En if n == 1 => format!("{region}: 1 stranded patient"),
            Lang::En => format!("{region}: {n} stranded patients"),
        }
    }

    /// The stranded-patients map's text alternative.
    pub fn stranded_map_label(self, place: &str, regions: usize, patients: usize) -> String {
        match self {
            Lang::Zh => format!("{place}地图，标出 {regions} 个地区的 {patients} 名滞留患者"),
            Lang::En => format!("Map of {place} marking {patients} stranded patients in {regions} regions"),
        }
    }

    /// A service error's detail in this language, where we know it; else as the service wrote it.
    pub fn detail(self, detail: &str) -> String {
        if self == Lang::En {
            return detail.to_string();
        }
        let zh = match detail {
            "must not be empty" => "不能为空",
            "must be at most 64 characters" => "最多 64 个字符",
            "must be at most 2000 characters" => "最多 2000 个字符",
            "no such region" => "没有这个地区代码",
            "outside your facility's province: ask a coordinator to refer across provinces" => {
                "不在本院所在省份：跨省转诊请联系协调员"
            }
            "outside the region you govern" => "不在您管辖的地区内",
            "dialysis is 2 or 3 sessions a week" => "血液透析为每周 2 或 3 次",
            "only dialysis referrals carry a recurring schedule" => "只有血液透析转诊才有定期安排",
            "must be a longitude between -180 and 180" => "经度必须在 -180 到 180 之间",
            "must be a latitude between -90 and 90" => "纬度必须在 -90 到 90 之间",
            "must not be empty: say why" => "不能为空：请说明原因",
            "must not be empty: say why this facility" => "不能为空：请说明为何指派到此机构",
            "no such facility in the region you govern" => "您管辖的地区内没有这家机构",
            _ => return super::text_sanity::translate(self, detail).unwrap_or_else(|| detail.to_string()),
        };
        zh.to_string()
    }
}

/// Every fixed string the pages show, in one language.
#[derive(Debug)]
pub struct Text {
    pub app_name: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_directory: &'static str,
    pub nav_board: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    /// The name of the *other* language, shown on the switch link.
    pub other_lang_name: &'static str,
    pub switch_lang: &'static str,
    pub footer: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub any: &'static str,

    pub dir_title: &'static str,
    pub dir_intro: &'static str,
    pub search_legend: &'static str,
    pub f_text: &'static str,
    pub f_region: &'static str,
    pub f_service: &'static str,
    pub f_designation: &'static str,
    pub f_level: &'static str,
    pub f_takes_new: &'static str,
    pub search_button: &'static str,
    pub clear_filters: &'static str,
    pub results: &'static str,
    pub col_name: &'static str,
    pub col_region: &'static str,
    pub col_level: &'static str,
    pub col_services: &'static str,
    pub col_designation: &'static str,
    pub col_takes_new: &'static str,
    pub col_phone: &'static str,
    pub no_results: &'static str,
    pub next_page: &'static str,
    pub first_page: &'static str,
    pub pagination: &'static str,
    pub err_filters: &'static str,
    pub err_not_a_choice: &'static str,
    pub err_region_shape: &'static str,
    pub err_region_unknown: &'static str,
    pub err_cursor: &'static str,
    pub err_text_long: &'static str,

    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub login_missing: &'static str,

    pub err_title_bad_request: &'static str,
    pub err_title_forbidden: &'static str,
    pub err_title_not_found: &'static str,
    pub err_title_unavailable: &'static str,
    pub err_title_internal: &'static str,
    pub err_csrf: &'static str,
    pub err_forbidden_capacity: &'static str,
    pub err_not_found: &'static str,
    pub err_unavailable: &'static str,
    pub err_internal: &'static str,
    pub back_to_directory: &'static str,
    pub request_id: &'static str,

    pub board_title: &'static str,
    pub nation: &'static str,
    pub up_to: &'static str,
    pub summary: &'static str,
    pub physical: &'static str,
    pub staffed: &'static str,
    pub occupied: &'static str,
    pub available: &'static str,
    pub facilities_reporting: &'static str,
    pub stale_help: &'static str,
    pub overloaded: &'static str,
    pub map_title: &'static str,
    pub color_by: &'static str,
    pub color_icu: &'static str,
    pub color_general: &'static str,
    pub color_designation: &'static str,
    pub legend: &'static str,
    pub legend_none: &'static str,
    pub legend_full: &'static str,
    pub legend_virus_ring: &'static str,
    pub legend_stale: &'static str,
    pub no_map: &'static str,
    pub table_title: &'static str,
    pub col_as_of: &'static str,
    pub col_age: &'static str,
    pub col_status: &'static str,
    pub stale: &'static str,
    pub current: &'static str,
    pub no_report: &'static str,
    pub no_facilities: &'static str,
    pub chart_title: &'static str,
    pub chart_caption: &'static str,
    pub no_data: &'static str,
    pub subregions_title: &'static str,
    pub col_facilities: &'static str,
    pub col_stale: &'static str,
    pub own_facility_note: &'static str,

    // Referrals and placement.
    pub nav_referrals: &'static str,
    pub nav_desk: &'static str,
    pub nav_stranded: &'static str,
    pub nav_my_referrals: &'static str,
    pub notice_label: &'static str,
    pub choose: &'static str,
    pub err_form: &'static str,
    pub err_required: &'static str,
    pub err_number: &'static str,
    pub err_bad_id: &'static str,
    pub err_forbidden_page: &'static str,
    pub err_conflict: &'static str,
    pub new_title: &'static str,
    pub new_intro: &'static str,
    pub patient_legend: &'static str,
    pub f_pseudonym: &'static str,
    pub f_pseudonym_help: &'static str,
    pub f_age_band: &'static str,
    pub f_region_code: &'static str,
    pub f_region_code_help: &'static str,
    pub f_lon: &'static str,
    pub f_lat: &'static str,
    pub f_location_help: &'static str,
    pub f_infection: &'static str,
    pub need_legend: &'static str,
    pub f_urgency: &'static str,
    pub f_ambulance: &'static str,
    pub f_sessions: &'static str,
    pub sessions_none: &'static str,
    pub f_note: &'static str,
    pub f_note_help: &'static str,
    pub submit_referral: &'static str,
    pub referrals_title: &'static str,
    pub referrals_intro: &'static str,
    pub new_referral_link: &'static str,
    pub col_patient: &'static str,
    pub col_need: &'static str,
    pub col_urgency: &'static str,
    pub col_offer: &'static str,
    pub col_waiting: &'static str,
    pub col_filed: &'static str,
    pub no_referrals: &'static str,
    pub overdue: &'static str,
    pub none_now: &'static str,
    pub more_referrals: &'static str,
    pub referral_title: &'static str,
    pub status_h: &'static str,
    pub patient_h: &'static str,
    pub timeline_h: &'static str,
    pub offers_h: &'static str,
    pub col_facility: &'static str,
    pub col_offered: &'static str,
    pub col_expires: &'static str,
    pub col_answer: &'static str,
    pub col_distance: &'static str,
    pub why_h: &'static str,
    pub cancel_h: &'static str,
    pub f_cancel_reason: &'static str,
    pub cancel_button: &'static str,
    pub notice_filed: &'static str,
    pub notice_cancelled: &'static str,
    pub ambulance: &'static str,
    pub schedule: &'static str,
    pub note: &'static str,
    pub filed_at: &'static str,
    pub deadline: &'static str,
    pub failed_offers: &'static str,
    pub directed: &'static str,
    pub considered: &'static str,
    pub live_ranking: &'static str,
    pub desk_title: &'static str,
    pub desk_intro: &'static str,
    pub no_offers: &'static str,
    pub hold_expires: &'static str,
    pub time_left: &'static str,
    pub expired_text: &'static str,
    pub accept_button: &'static str,
    pub decline_button: &'static str,
    pub f_decline_reason: &'static str,
    pub f_decline_note: &'static str,
    pub directed_badge: &'static str,
    pub notice_accepted: &'static str,
    pub notice_declined: &'static str,
    pub notice_gone: &'static str,
    pub offer_for: &'static str,
    pub stranded_title: &'static str,
    pub stranded_intro: &'static str,
    pub no_stranded: &'static str,
    pub col_reasons: &'static str,
    pub direct_h: &'static str,
    pub f_facility: &'static str,
    pub f_unit: &'static str,
    pub f_direct_note: &'static str,
    pub direct_button: &'static str,
    pub notice_directed: &'static str,
    pub stranded_map_h: &'static str,
    pub protected_h: &'static str,
    pub protected_intro: &'static str,
    pub col_group: &'static str,
    pub col_open: &'static str,
    pub col_unplaced: &'static str,
    pub col_past_limit: &'static str,
    pub col_critical_care: &'static str,
    pub col_beds_free: &'static str,
    pub col_load: &'static str,
    pub absorbs: &'static str,
    pub overwhelmed: &'static str,
    pub no_critical_care: &'static str,
    pub group_dialysis: &'static str,
    pub group_cancer_surgery: &'static str,
    pub group_maternity: &'static str,
    pub group_emergency_surgery: &'static str,
    pub escalated_since: &'static str,
    pub no_facility_choice: &'static str,
    pub notice_reason: &'static str,
    pub admit_h: &'static str,
    pub admit_button: &'static str,
    pub notice_admitted: &'static str,
    pub f_weekdays: &'static str,
    /// The one-way trip an offer implies (per session for recurring care).
    pub f_travel: &'static str,
    /// An offer in another province than the patient's.
    pub f_cross_province: &'static str,
    /// The hard constraints a coordinator overrode on a directed placement.
    pub f_override: &'static str,
    pub my_title: &'static str,
    pub my_intro: &'static str,
    pub no_my: &'static str,
    pub details: &'static str,
    /// The coordinators' designation orders (issue 20).
    pub nav_designations: &'static str,
}

pub static ZH: Text = Text {
    app_name: "Carebridge 医疗协同",
    skip_to_content: "跳到正文",
    nav_label: "主导航",
    nav_directory: "机构目录",
    nav_board: "床位看板",
    sign_in: "登录",
    sign_out: "退出登录",
    signed_in_as: "当前用户",
    other_lang_name: "English",
    switch_lang: "切换语言",
    footer: "时间按机构所在地时区（UTC+8）显示。地图边界仅供展示。",
    yes: "是",
    no: "否",
    any: "不限",

    dir_title: "医疗机构目录",
    dir_intro: "按名称、地区、服务和定点类别查找医院、诊所和临时医疗点。",
    search_legend: "筛选条件",
    f_text: "名称或地址",
    f_region: "省份",
    f_service: "服务",
    f_designation: "定点类别",
    f_level: "等级",
    f_takes_new: "仅显示接收新患者的机构",
    search_button: "搜索",
    clear_filters: "清除筛选",
    results: "搜索结果",
    col_name: "名称",
    col_region: "地区",
    col_level: "等级",
    col_services: "服务",
    col_designation: "定点类别",
    col_takes_new: "接收新患者",
    col_phone: "电话",
    no_results: "没有符合条件的机构。",
    next_page: "下一页",
    first_page: "回到第一页",
    pagination: "分页",
    err_filters: "部分筛选条件无效：",
    err_not_a_choice: "不是可选的值",
    err_region_shape: "不是六位地区代码",
    err_region_unknown: "不是已知的地区代码",
    err_cursor: "分页链接无效，请回到第一页。",
    err_text_long: "最多 200 个字符",

    login_title: "登录",
    login_intro: "供协调员、医院值班台、临床医生和审计员使用。",
    username: "用户名",
    password: "密码",
    login_failed: "用户名或密码错误。",
    login_missing: "请填写用户名和密码。",

    err_title_bad_request: "输入有误",
    err_title_forbidden: "无权访问",
    err_title_not_found: "未找到",
    err_title_unavailable: "服务暂不可用",
    err_title_internal: "服务器错误",
    err_csrf: "表单已过期，或来自其他网站。请刷新页面后重试。",
    err_forbidden_capacity: "您的角色无权查看床位数据。",
    err_not_found: "未找到，或不在您可查看的范围内。",
    err_unavailable: "数据库暂时无法连接，请稍后再试。",
    err_internal: "服务器出错，已记录在案。报告问题时请提供请求编号。",
    back_to_directory: "返回机构目录",
    request_id: "请求编号",

    board_title: "床位看板",
    nation: "全国",
    up_to: "返回上级：",
    summary: "概况",
    physical: "实有",
    staffed: "开放",
    occupied: "占用",
    available: "空余",
    facilities_reporting: "家机构上报",
    stale_help: "超过地区设定时限（默认 12 小时）未上报的机构，其数字仍计入合计，但可能已过时。",
    overloaded: "超负荷",
    map_title: "地图",
    color_by: "着色依据",
    color_icu: "ICU 空余床位",
    color_general: "普通病床空余",
    color_designation: "定点类别",
    legend: "图例",
    legend_none: "无上报或无此类床位",
    legend_full: "空余 ≤ 0（满员或超负荷）",
    legend_virus_ring: "紫色粗边框：新冠定点医院",
    legend_stale: "斜线填充、虚线边框：数据过期",
    no_map: "此地区没有可绘制的边界或机构。",
    table_title: "机构床位",
    col_as_of: "最近上报（当地）",
    col_age: "最旧科室距今",
    col_status: "状态",
    stale: "过期",
    current: "最新",
    no_report: "未上报",
    no_facilities: "此范围内没有上报床位的机构。",
    chart_title: "近 14 天床位占用率",
    chart_caption: "占用床位占开放床位的比例，每 6 小时一个点；超过 100% 即超负荷。",
    no_data: "此期间无数据",
    subregions_title: "下级地区",
    col_facilities: "机构数",
    col_stale: "过期",
    own_facility_note: "您的角色只能查看本机构的床位。",

    nav_referrals: "转诊",
    nav_desk: "床位邀请",
    nav_stranded: "滞留患者",
    nav_my_referrals: "我的转诊",
    notice_label: "提示",
    choose: "请选择…",
    err_form: "以下字段需要修改：",
    err_required: "必须填写或选择",
    err_number: "必须是数字",
    err_bad_id: "链接中的编号无效。",
    err_forbidden_page: "您的角色无权打开此页面。",
    err_conflict: "此操作已无法进行：",
    new_title: "新建转诊",
    new_intro: "患者以化名记录，不含任何可识别身份的信息。提交后系统会立即寻找合适的床位并发出邀请。",
    patient_legend: "患者",
    f_pseudonym: "化名编号",
    f_pseudonym_help: "您自己保存的编号；不要填写姓名或证件号。",
    f_age_band: "年龄段",
    f_region_code: "所在地区代码（GB/T 2260）",
    f_region_code_help: "六位数字，如江汉区为 420103。",
    f_lon: "经度",
    f_lat: "纬度",
    f_location_help: "患者现在所在的位置（家中或当前医院），十进制度数。",
    f_infection: "感染状况",
    need_legend: "所需诊疗",
    f_urgency: "紧急程度",
    f_ambulance: "需要救护车转运",
    f_sessions: "每周透析次数（仅血液透析）",
    sessions_none: "非定期",
    f_note: "给接收医院的说明",
    f_note_help: "只写临床信息，不写姓名。",
    submit_referral: "提交转诊",
    referrals_title: "转诊",
    referrals_intro: "您可以跟进的转诊，最新的在前。",
    new_referral_link: "新建转诊",
    col_patient: "患者",
    col_need: "所需诊疗",
    col_urgency: "紧急程度",
    col_offer: "当前邀请",
    col_waiting: "已等待 / 最长等待",
    col_filed: "提交时间",
    no_referrals: "暂无转诊。",
    overdue: "已超过最长等待时间",
    none_now: "暂无",
    more_referrals: "更早的转诊",
    referral_title: "转诊",
    status_h: "当前状态",
    patient_h: "患者与需求",
    timeline_h: "时间线",
    offers_h: "床位邀请",
    col_facility: "机构",
    col_offered: "发出时间",
    col_expires: "保留至",
    col_answer: "结果",
    col_distance: "距离",
    why_h: "为何尚未安排床位",
    cancel_h: "取消转诊",
    f_cancel_reason: "取消原因",
    cancel_button: "取消此转诊",
    notice_filed: "转诊已提交。",
    notice_cancelled: "转诊已取消，保留的床位已释放。",
    ambulance: "救护车转运",
    schedule: "定期诊疗",
    note: "说明",
    filed_at: "提交时间",
    deadline: "最长等待至",
    failed_offers: "未成功的邀请",
    directed: "协调员指派",
    considered: "考察的机构",
    live_ranking: "引擎当前的判断",
    desk_title: "发给本院的床位邀请",
    desk_intro: "每个邀请为患者保留一张床位，直到所示时间。请接收，或选择原因拒绝：系统会立即把患者转给下一家医院。",
    no_offers: "目前没有等待答复的邀请。",
    hold_expires: "保留至",
    time_left: "剩余时间",
    expired_text: "已过期",
    accept_button: "接收患者",
    decline_button: "拒绝",
    f_decline_reason: "拒绝原因",
    f_decline_note: "补充说明（可选）",
    directed_badge: "协调员指派：必须接收",
    notice_accepted: "已接收。转诊医生现在可以看到。",
    notice_declined: "已拒绝。系统正在为患者寻找下一家医院。",
    notice_gone: "该邀请已无法答复：已过期或已撤回。",
    offer_for: "邀请",
    stranded_title: "滞留患者",
    stranded_intro: "您所辖地区内已上报协调员或超过最长等待时间、仍未安排的转诊。",
    no_stranded: "您所辖地区内没有滞留患者。",
    col_reasons: "原因",
    direct_h: "指派床位",
    f_facility: "机构",
    f_unit: "床位类型",
    f_direct_note: "指派理由",
    direct_button: "指派到此机构",
    notice_directed: "已指派：该机构值班台必须接收。",
    stranded_map_h: "患者所在地区",
    protected_h: "受保护人群",
    protected_intro: "疫情高峰期间必须保障的诊疗：每类人群的未结转诊、无床位、超过最长等待的人数，以及本地区非新冠重症定点医院能否收治。",
    col_group: "人群",
    col_open: "未结转诊",
    col_unplaced: "尚无床位",
    col_past_limit: "超过最长等待",
    col_critical_care: "非新冠重症定点医院",
    col_beds_free: "空床 / 开放床位",
    col_load: "负荷",
    absorbs: "可以收治",
    overwhelmed: "不堪重负",
    no_critical_care: "无定点医院提供此项",
    group_dialysis: "透析",
    group_cancer_surgery: "肿瘤手术",
    group_maternity: "孕产妇",
    group_emergency_surgery: "急诊手术",
    escalated_since: "上报时间",
    no_facility_choice: "此地区没有提供该服务的机构。",
    notice_reason: "拒绝时请选择原因。",
    admit_h: "已接收，待入院",
    admit_button: "标记为已入院",
    notice_admitted: "已标记为入院。",
    f_weekdays: "透析日",
    f_travel: "单程转运时间",
    f_cross_province: "跨省安置",
    f_override: "协调员越过的硬性约束",
    my_title: "我的转诊",
    my_intro: "您的每一个转诊目前的进展。",
    no_my: "您还没有转诊。",
    details: "详情",
    nav_designations: "定点指定",
};

pub static EN: Text = Text {
    app_name: "Carebridge",
    skip_to_content: "Skip to content",
    nav_label: "Main",
    nav_directory: "Directory",
    nav_board: "Capacity board",
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    other_lang_name: "中文",
    switch_lang: "Switch language",
    footer: "Times are shown in the facility's local zone (UTC+8). Map boundaries are for display only.",
    yes: "Yes",
    no: "No",
    any: "Any",

    dir_title: "Facility directory",
    dir_intro: "Find hospitals, clinics and temporary sites by name, region, service and designation.",
    search_legend: "Filters",
    f_text: "Name or address",
    f_region: "Province",
    f_service: "Service",
    f_designation: "Designation",
    f_level: "Level",
    f_takes_new: "Only facilities taking new patients",
    search_button: "Search",
    clear_filters: "Clear filters",
    results: "Results",
    col_name: "Name",
    col_region: "Region",
    col_level: "Level",
    col_services: "Services",
    col_designation: "Designation",
    col_takes_new: "Takes new patients",
    col_phone: "Phone",
    no_results: "No facility matches these filters.",
    next_page: "Next page",
    first_page: "Back to the first page",
    pagination: "Pagination",
    err_filters: "Some filters are not valid:",
    err_not_a_choice: "is not one of the offered choices",
    err_region_shape: "is not a six-digit region code",
    err_region_unknown: "is not a known region code",
    err_cursor: "This page link is not valid; go back to the first page.",
    err_text_long: "must be at most 200 characters",

    login_title: "Sign in",
    login_intro: "For coordinators, facility desks, clinicians and auditors.",
    username: "Username",
    password: "Password",
    login_failed: "Unknown username or wrong password.",
    login_missing: "Enter your username and password.",

    err_title_bad_request: "Invalid input",
    err_title_forbidden: "Not allowed",
    err_title_not_found: "Not found",
    err_title_unavailable: "Temporarily unavailable",
    err_title_internal: "Server error",
    err_csrf: "This form has expired or was sent from another site. Reload the page and try again.",
    err_forbidden_capacity: "Your role does not see capacity numbers.",
    err_not_found: "Not found, or outside the regions you may see.",
    err_unavailable: "The database is unreachable; try again shortly.",
    err_internal: "Something went wrong on our side; it has been logged. Quote the request id when reporting it.",
    back_to_directory: "Back to the directory",
    request_id: "Request id",

    board_title: "Capacity board",
    nation: "Nation",
    up_to: "Up to:",
    summary: "Summary",
    physical: "Physical",
    staffed: "Staffed",
    occupied: "Occupied",
    available: "Available",
    facilities_reporting: "facilities reporting",
    stale_help: "A facility is stale when it has not reported for longer than its region's threshold (12 h by default); its numbers are still in the sums but may be out of date.",
    overloaded: "overloaded",
    map_title: "Map",
    color_by: "Colour by",
    color_icu: "available ICU beds",
    color_general: "available general-ward beds",
    color_designation: "designation",
    legend: "Legend",
    legend_none: "No report, or no such unit",
    legend_full: "≤ 0 available (full or overloaded)",
    legend_virus_ring: "Thick purple ring: virus-designated",
    legend_stale: "Hatched, dashed outline: stale report",
    no_map: "Nothing to draw for this region.",
    table_title: "Facilities",
    col_as_of: "Newest report (local time)",
    col_age: "Oldest unit's age",
    col_status: "Status",
    stale: "Stale",
    current: "Current",
    no_report: "No report",
    no_facilities: "No facility in this scope has reported capacity.",
    chart_title: "Occupancy, last 14 days",
    chart_caption: "Occupied beds as a share of staffed beds, in 6-hour steps; above 100% means overload.",
    no_data: "No data for this period",
    subregions_title: "Sub-regions",
    col_facilities: "Facilities",
    col_stale: "Stale",
    own_facility_note: "Your role sees its own facility's capacity only.",

    nav_referrals: "Referrals",
    nav_desk: "Offers inbox",
    nav_stranded: "Stranded patients",
    nav_my_referrals: "My referrals",
    notice_label: "Notice",
    choose: "Choose…",
    err_form: "Some fields need attention:",
    err_required: "must be filled in or chosen",
    err_number: "must be a number",
    err_bad_id: "The number in this link is not valid.",
    err_forbidden_page: "Your role may not open this page.",
    err_conflict: "This can no longer be done:",
    new_title: "New referral",
    new_intro: "The patient is recorded under a pseudonym, with nothing that identifies them. Once filed, Carebridge looks for a fitting bed at once and sends the first offer.",
    patient_legend: "Patient",
    f_pseudonym: "Pseudonym",
    f_pseudonym_help: "Your own reference: never a name or ID number.",
    f_age_band: "Age band",
    f_region_code: "Region code (GB/T 2260)",
    f_region_code_help: "Six digits, e.g. 420103 for Jianghan district.",
    f_lon: "Longitude",
    f_lat: "Latitude",
    f_location_help: "Where the patient is now (home or current hospital), in decimal degrees.",
    f_infection: "Infection status",
    need_legend: "Care needed",
    f_urgency: "Urgency",
    f_ambulance: "Needs an ambulance",
    f_sessions: "Dialysis sessions a week (dialysis only)",
    sessions_none: "Not recurring",
    f_note: "Note for the receiving desk",
    f_note_help: "Clinical facts only; no names.",
    submit_referral: "File the referral",
    referrals_title: "Referrals",
    referrals_intro: "The referrals you may follow, newest first.",
    new_referral_link: "New referral",
    col_patient: "Patient",
    col_need: "Care needed",
    col_urgency: "Urgency",
    col_offer: "Current offer",
    col_waiting: "Waiting / maximum wait",
    col_filed: "Filed",
    no_referrals: "No referrals yet.",
    overdue: "past its maximum wait",
    none_now: "None now",
    more_referrals: "Older referrals",
    referral_title: "Referral",
    status_h: "Where it stands",
    patient_h: "Patient and need",
    timeline_h: "Timeline",
    offers_h: "Offers",
    col_facility: "Facility",
    col_offered: "Offered",
    col_expires: "Held until",
    col_answer: "Outcome",
    col_distance: "Distance",
    why_h: "Why there is no place yet",
    cancel_h: "Cancel the referral",
    f_cancel_reason: "Reason for cancelling",
    cancel_button: "Cancel this referral",
    notice_filed: "The referral is filed.",
    notice_cancelled: "The referral is cancelled; any held bed is released.",
    ambulance: "Ambulance",
    schedule: "Recurring care",
    note: "Note",
    filed_at: "Filed",
    deadline: "Maximum wait until",
    failed_offers: "Failed offers",
    directed: "directed",
    considered: "facilities looked at",
    live_ranking: "The engine's answer now",
    desk_title: "Offers to your facility",
    desk_intro: "Each offer holds a bed for the patient until the time shown. Accept it, or decline with a reason: the patient is offered elsewhere at once.",
    no_offers: "No offer is waiting for an answer.",
    hold_expires: "Held until",
    time_left: "Time left",
    expired_text: "Expired",
    accept_button: "Accept",
    decline_button: "Decline",
    f_decline_reason: "Reason",
    f_decline_note: "Note (optional)",
    directed_badge: "Directed by a coordinator: must be accepted",
    notice_accepted: "Accepted. The referring clinician sees it now.",
    notice_declined: "Declined. The patient is being offered elsewhere.",
    notice_gone: "That offer can no longer be answered: it expired or was withdrawn.",
    offer_for: "Offer",
    stranded_title: "Stranded patients",
    stranded_intro: "Open referrals in your regions that have escalated to coordinators or passed their maximum wait.",
    no_stranded: "No stranded patient in your regions.",
    col_reasons: "Reasons",
    direct_h: "Direct a placement",
    f_facility: "Facility",
    f_unit: "Unit",
    f_direct_note: "Why this facility",
    direct_button: "Direct here",
    notice_directed: "Directed: the facility's desk must accept.",
    stranded_map_h: "Where the patients are",
    protected_h: "Protected groups",
    protected_intro: "Care that must go on in the surge: per group, the open referrals, those without a bed and those past their maximum wait, and whether the region's non-virus critical-care hospitals can absorb them.",
    col_group: "Group",
    col_open: "Open",
    col_unplaced: "Without a bed",
    col_past_limit: "Past maximum wait",
    col_critical_care: "Non-virus critical-care hospitals",
    col_beds_free: "Free / staffed beds",
    col_load: "Load",
    absorbs: "Can absorb",
    overwhelmed: "Overwhelmed",
    no_critical_care: "None offers this",
    group_dialysis: "Dialysis",
    group_cancer_surgery: "Cancer surgery",
    group_maternity: "Maternity",
    group_emergency_surgery: "Emergency surgery",
    escalated_since: "Escalated",
    no_facility_choice: "No facility in this region offers this service.",
    notice_reason: "Choose a reason to decline.",
    admit_h: "Accepted, awaiting admission",
    admit_button: "Mark admitted",
    notice_admitted: "Marked admitted.",
    f_weekdays: "Session days",
    f_travel: "Travel, one way",
    f_cross_province: "In another province",
    f_override: "Constraints the coordinator overrode",
    my_title: "My referrals",
    my_intro: "Where each of your referrals stands, in plain words.",
    no_my: "You have no referrals.",
    details: "Details",
    nav_designations: "Designations",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_highest_weighted_of_ours() {
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9,zh-CN;q=0.8")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr-FR, zh-TW;q=0.5")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("de, fr")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en;q=0.2, zh;q=0.7")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("zh;q=0")), Lang::En);
    }

    #[test]
    fn lang_values_parse_and_ages_read_naturally() {
        assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::En.age(2 * 86_400 + 5 * 3600 + 59), "2 d 5 h");
        assert_eq!(Lang::Zh.age(3 * 3600 + 20 * 60), "3小时20分");
        assert_eq!(Lang::En.age(-5), "0 min");
    }
}
