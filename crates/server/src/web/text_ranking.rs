//! The words of the engine's ranking on the referral page, of the directed-placement page
//! (`/placement/referrals/{id}`) with its override, and of the timeline's step kinds,
//! escalation causes and displacement causes: one struct per language, so a missing
//! translation is a compile error. The lists of keys at the bottom ([`EVENT_KINDS`],
//! [`ESCALATION_CAUSES`], [`DISPLACEMENT_CAUSES`]) are what the service writes; the words test
//! (`web::words`) checks the service's sources against them, so a new key without words
//! fails it.

use super::i18n::Lang;

pub struct RankingText {
    pub ranking_h: &'static str,
    pub ranking_intro: &'static str,
    pub col_rank: &'static str,
    pub col_free: &'static str,
    pub col_travel: &'static str,
    pub col_cross: &'static str,
    pub col_cost: &'static str,
    pub other_province: &'static str,
    pub same_province: &'static str,
    pub no_ranked: &'static str,
    pub excluded_h: &'static str,
    pub not_listed: &'static str,
    pub not_reported: &'static str,
    pub direct_title: &'static str,
    pub direct_intro: &'static str,
    pub direct_link: &'static str,
    pub f_designation: &'static str,
    pub passes_all: &'static str,
    pub breaks: &'static str,
    pub declined_before: &'static str,
    pub refused_h: &'static str,
    pub override_legend: &'static str,
    pub override_reason: &'static str,
    pub override_button: &'static str,
    pub override_pick: &'static str,
    pub notice_overridden: &'static str,
    pub nearly_full: &'static str,
    pub step_other: &'static str,
    pub cause_other: &'static str,
    pub displaced_why: &'static str,
    pub part_travel: &'static str,
    pub part_travel_week: &'static str,
    pub part_crowding: &'static str,
    pub part_load: &'static str,
    pub part_misfit: &'static str,
}

pub static ZH: RankingText = RankingText {
    ranking_h: "系统当前排序",
    ranking_intro: "系统此刻会按以下顺序为该患者发出床位邀请；被排除的机构按其违反的第一条硬性约束分组。",
    col_rank: "名次",
    col_free: "空床",
    col_travel: "单程转运",
    col_cross: "省份",
    col_cost: "综合代价（分钟）",
    other_province: "外省",
    same_province: "本省",
    no_ranked: "没有机构满足全部硬性约束。",
    excluded_h: "被排除的机构",
    not_listed: "（不提供所需诊疗服务的机构不逐一列出）",
    not_reported: "未上报",
    direct_title: "指派转诊",
    direct_intro:
        "为每家可选机构列出定点类型、所需科室空床、转运时间、距离、是否跨省、此前的拒绝，以及它违反的硬性约束。",
    direct_link: "指派至某机构…",
    f_designation: "定点类型",
    passes_all: "满足全部硬性约束",
    breaks: "违反硬性约束",
    declined_before: "此前拒绝过此转诊",
    refused_h: "未能指派：该机构违反硬性约束",
    override_legend: "明确越过这些硬性约束",
    override_reason: "越过约束的理由（必填，将记入审计，并显示给接收机构）",
    override_button: "越过约束并指派",
    override_pick: "请逐项勾选要越过的约束",
    notice_overridden: "已越过硬性约束指派：该机构值班台必须接收，越过的约束和理由已记入时间线并显示在邀请上。",
    nearly_full: "接近满员",
    step_other: "转诊有新进展",
    cause_other: "未找到安置",
    displaced_why: "原因",
    part_travel: "转运",
    part_travel_week: "每周转运",
    part_crowding: "拥挤等待",
    part_load: "负荷",
    part_misfit: "定点类型不符",
};

pub static EN: RankingText = RankingText {
    ranking_h: "The engine's ranking now",
    ranking_intro: "Carebridge would offer a bed in this order now; the facilities left out are grouped by the first hard constraint each breaks.",
    col_rank: "Rank",
    col_free: "Free beds",
    col_travel: "Travel one way",
    col_cross: "Province",
    col_cost: "Cost (minutes)",
    other_province: "Other province",
    same_province: "Same province",
    no_ranked: "No facility passes every hard constraint.",
    excluded_h: "Left out",
    not_listed: "(facilities that do not offer the care are not listed by name)",
    not_reported: "not reported",
    direct_title: "Direct a placement",
    direct_intro: "Each facility you may choose, with its designation, free beds of the unit needed, travel time, distance, whether it is in another province, earlier declines, and the hard constraints it breaks.",
    direct_link: "Direct to a facility…",
    f_designation: "Designation",
    passes_all: "Passes every hard constraint",
    breaks: "Breaks",
    declined_before: "Declined this referral before",
    refused_h: "Not directed: the facility breaks hard constraints",
    override_legend: "Override these hard constraints explicitly",
    override_reason: "Why you override them (required; audited and shown to the receiving desk)",
    override_button: "Override and direct",
    override_pick: "tick each constraint you override",
    notice_overridden: "Directed, overriding hard constraints: the facility's desk must accept; the constraints overridden and your reason are on the timeline and on the offer.",
    nearly_full: "Nearly full",
    step_other: "A step of the referral",
    cause_other: "no place found",
    displaced_why: "Why",
    part_travel: "travel",
    part_travel_week: "travel a week",
    part_crowding: "crowding wait",
    part_load: "load",
    part_misfit: "designation misfit",
};

pub fn text(lang: Lang) -> &'static RankingText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The timeline's step kinds, as the service writes them (`ReferralEvent::kind`).
#[cfg(test)]
pub const EVENT_KINDS: &[&str] = &[
    "filed",
    "offered",
    "accepted",
    "declined",
    "expired",
    "escalated",
    "directed",
    "constraints_overridden",
    "admitted",
    "cancelled",
    "unplaced",
    "displaced",
];

/// Why a referral escalated (`why` of an `escalated` step).
#[cfg(test)]
pub const ESCALATION_CAUSES: &[&str] = &["max_wait_passed", "offers_failed", "too_far", "displaced_unplaced"];

/// Why a displacement moved a patient (`why` of a `displaced` step).
#[cfg(test)]
pub const DISPLACEMENT_CAUSES: &[&str] =
    &["unit_commandeered", "not_infected_in_virus_designated", "closed_to_new", "infected_after_virus_designation"];

impl Lang {
    /// Why a displacement moved the patient, in words (`why` of a `displaced` step).
    pub fn displacement_cause(self, why: &str) -> String {
        match (self, why) {
            (Lang::Zh, "unit_commandeered") => "所在科室被征用".into(),
            (Lang::En, "unit_commandeered") => "the patient's unit was commandeered".into(),
            (Lang::Zh, "not_infected_in_virus_designated") => "该院改为新冠定点医院，患者未感染".into(),
            (Lang::En, "not_infected_in_virus_designated") => {
                "the hospital became virus-designated and the patient is not infected".into()
            }
            (Lang::Zh, "closed_to_new") => "该院暂停接收新患者".into(),
            (Lang::En, "closed_to_new") => "the hospital closed to new patients".into(),
            (Lang::Zh, "infected_after_virus_designation") => "患者已感染，该院不再是新冠定点医院".into(),
            (Lang::En, "infected_after_virus_designation") => {
                "the patient is infected and the hospital is no longer virus-designated".into()
            }
            (lang, _) => text(lang).cause_other.into(),
        }
    }

    /// "Free beds of Intensive care: 3" on the direct form.
    pub fn free_of_unit(self, unit: &str, free: Option<i64>) -> String {
        match (self, free) {
            (Lang::Zh, Some(n)) => format!("{unit}空床 {n} 张"),
            (Lang::En, Some(n)) => format!("{unit}: {n} free"),
            (Lang::Zh, None) => format!("{unit}空床：未上报"),
            (Lang::En, None) => format!("{unit}: beds not reported"),
        }
    }

    /// The terms of a cost: "travel 34 + crowding wait 0 + load 8" (a misfit only when there
    /// is one).
    pub fn cost_parts(self, p: carebridge_service::ranking::CostParts, weekly: bool) -> String {
        let t = text(self);
        let mut out = vec![
            format!("{} {}", if weekly { t.part_travel_week } else { t.part_travel }, p.travel),
            format!("{} {}", t.part_crowding, p.crowding),
            format!("{} {}", t.part_load, p.load),
        ];
        if p.designation_misfit > 0 {
            out.push(format!("{} {}", t.part_misfit, p.designation_misfit));
        }
        out.join(" + ")
    }

    /// A recurring patient's week of travel: "336 min a week".
    pub fn per_week(self, minutes: i64) -> String {
        match self {
            Lang::Zh => format!("每周共 {minutes} 分钟"),
            Lang::En => format!("{minutes} min a week"),
        }
    }

    /// The count of one group of left-out facilities: "3 facilities".
    pub fn facilities_n(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("{n} 家"),
            Lang::En if n == 1 => "1 facility".into(),
            Lang::En => format!("{n} facilities"),
        }
    }

    /// After a bounded list of names: "and 12 more".
    pub fn and_more(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("等，另有 {n} 家"),
            Lang::En => format!("and {n} more"),
        }
    }

    /// The refusal of a directed placement, naming each constraint.
    pub fn refused_for(self, facility: &str, names: &str) -> String {
        match self {
            Lang::Zh => format!("{facility}不符合此患者的硬性约束：{names}。请另选机构，或在下方逐项勾选并说明理由后越过这些约束。"),
            Lang::En => format!(
                "{facility} breaks hard constraints for this patient: {names}. Choose another facility, or tick each constraint below and say why to override them."
            ),
        }
    }
}

/// The words of the language whose main text is `t` (for helpers handed only the `Text`).
pub fn text_of(t: &'static super::i18n::Text) -> &'static RankingText {
    if std::ptr::eq(t, Lang::Zh.t()) {
        &ZH
    } else {
        &EN
    }
}
