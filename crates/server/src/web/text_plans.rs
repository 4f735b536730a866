//! The words of the placement-plan and limits pages (`pages/plans.rs`, `pages/limits.rs`), one
//! struct per language as `i18n.rs` keeps them: a missing translation is a compile error. The
//! sentences with numbers in them are methods that match on the language, and every engine key
//! they turn into words (why a patient is left out, a hard constraint, a service's complaint)
//! has a sentence in both languages, never the key itself.

use super::i18n::{Lang, Text};
use carebridge_domain::placement::Exclusion;

/// Every fixed string of the plan and limits pages, in one language.
#[derive(Debug)]
pub struct PlansText {
    pub nav_plans: &'static str,
    pub nav_limits: &'static str,
    pub f_region: &'static str,
    pub banner: &'static str,
    pub default_rule: &'static str,
    pub this_region: &'static str,

    // The plans page.
    pub plans_title: &'static str,
    pub plans_intro: &'static str,
    pub preview_h: &'static str,
    pub preview_button: &'static str,
    pub earlier_h: &'static str,
    pub col_made: &'static str,
    pub col_region: &'static str,
    pub col_status: &'static str,
    pub col_total_cost: &'static str,
    pub col_applied: &'static str,
    pub no_plans: &'static str,
    pub status_preview: &'static str,
    pub status_applied: &'static str,
    pub status_expired: &'static str,
    pub notice_previewed: &'static str,
    pub notice_applied: &'static str,

    // One plan.
    pub plan_title: &'static str,
    pub totals_h: &'static str,
    pub waiting: &'static str,
    pub placed: &'static str,
    pub unplaced: &'static str,
    pub placed_cost: &'static str,
    pub total_cost: &'static str,
    pub total_cost_help: &'static str,
    pub made_at: &'static str,
    pub apply_before: &'static str,
    pub applied_at: &'static str,
    pub solved: &'static str,
    pub placements_h: &'static str,
    pub no_placements: &'static str,
    pub col_patient: &'static str,
    pub col_need: &'static str,
    pub col_urgency: &'static str,
    pub col_facility: &'static str,
    pub col_unit: &'static str,
    pub col_weekdays: &'static str,
    pub col_travel: &'static str,
    pub col_distance: &'static str,
    pub col_cost: &'static str,
    pub cross_province: &'static str,
    pub unplaced_h: &'static str,
    pub no_unplaced: &'static str,
    pub why_no_feasible: &'static str,
    pub why_too_far: &'static str,
    pub why_beds_taken: &'static str,
    pub why_other: &'static str,
    pub apply_h: &'static str,
    pub apply_intro: &'static str,
    pub apply_button: &'static str,
    pub err_confirm: &'static str,
    pub expired: &'static str,
    pub applied_note: &'static str,
    pub preview_again: &'static str,
    pub conflict_applied: &'static str,
    pub conflict_old: &'static str,
    pub conflict_changed: &'static str,
    pub back_to_plans: &'static str,

    // The limits page.
    pub limits_title: &'static str,
    pub limits_intro: &'static str,
    pub show: &'static str,
    pub placement_h: &'static str,
    pub placement_intro: &'static str,
    pub col_max_wait: &'static str,
    pub col_hold: &'static str,
    pub col_one_off: &'static str,
    pub save_placement: &'static str,
    pub follow_above: &'static str,
    pub travel_h: &'static str,
    pub travel_intro: &'static str,
    pub f_session: &'static str,
    pub f_session_help: &'static str,
    pub f_recurring_cross: &'static str,
    pub f_one_off_cross: &'static str,
    pub save_travel: &'static str,
    pub set_by: &'static str,
    pub notice_placement_saved: &'static str,
    pub notice_travel_saved: &'static str,
    pub notice_following: &'static str,
    pub err_whole_minutes: &'static str,
}

pub static ZH: PlansText = PlansText {
    nav_plans: "批量安置",
    nav_limits: "安置与转运上限",
    f_region: "地区",
    banner: "以下字段需要修改：",
    default_rule: "默认值",
    this_region: "本地区",

    plans_title: "批量安置方案",
    plans_intro: "一次安置某地区所有等待中的患者：先预览方案，核对每位患者的去向，再执行。执行之前不会发出任何邀请。",
    preview_h: "预览新方案",
    preview_button: "预览方案",
    earlier_h: "以往方案",
    col_made: "生成时间",
    col_region: "地区",
    col_status: "状态",
    col_total_cost: "总成本",
    col_applied: "执行时间",
    no_plans: "尚无方案。",
    status_preview: "预览（未执行）",
    status_applied: "已执行",
    status_expired: "预览已过期",
    notice_previewed: "方案已生成。执行之前不会发出任何邀请。",
    notice_applied: "方案已执行：床位邀请已全部发出。",

    plan_title: "安置方案",
    totals_h: "合计",
    waiting: "等待中的转诊",
    placed: "已安置",
    unplaced: "未安置",
    placed_cost: "安置成本",
    total_cost: "总成本",
    total_cost_help: "以分钟计：转运时间（定期治疗按每周往返计）、拥挤程度、负荷与定点匹配；未安置的患者按紧急程度计入罚分。此为经证明的最优值。",
    made_at: "生成时间",
    apply_before: "须在此时间前执行",
    applied_at: "执行时间",
    solved: "求解用时",
    placements_h: "患者去向",
    no_placements: "本方案没有可安置的患者。",
    col_patient: "患者",
    col_need: "所需治疗",
    col_urgency: "紧急程度",
    col_facility: "机构",
    col_unit: "床位类型",
    col_weekdays: "治疗日",
    col_travel: "单程转运",
    col_distance: "距离",
    col_cost: "成本（分钟）",
    cross_province: "跨省",
    unplaced_h: "未安置的患者及原因",
    no_unplaced: "所有等待中的患者都已安置。",
    why_no_feasible: "可到达范围内没有能接收该患者的机构",
    why_too_far: "只有超出转运时间上限的机构能接收：患者因距离滞留，绝不会被送往那里",
    why_beds_taken: "可接收的床位已分配给更紧急的患者",
    why_other: "暂无合适的床位",
    apply_h: "执行方案",
    apply_intro: "执行后，上表中的每个邀请将一次性发出并保留床位；如果预览之后情况有变，方案不会执行，请重新预览。",
    apply_button: "执行方案",
    err_confirm: "请勾选此项以确认",
    expired: "此预览已超过 15 分钟，床位数已不可信：请重新预览。",
    applied_note: "此方案已执行，邀请已发出；可在转诊页面跟进。",
    preview_again: "重新预览",
    conflict_applied: "此方案已执行过，不能再次执行。",
    conflict_old: "此预览已超过 15 分钟：请重新预览。",
    conflict_changed: "自预览以来情况已有变化（有转诊不再等待，或床位已被占用），方案未执行，未发出任何邀请。请重新预览。",
    back_to_plans: "返回批量安置",

    limits_title: "安置与转运上限",
    limits_intro: "地区设置的上限同样适用于其下级地区，除非下级地区自行设置；没有任何地区设置时使用默认值。",
    show: "查看",
    placement_h: "各紧急程度的安置上限",
    placement_intro: "保存会为本地区设置全部四个紧急程度；选择“沿用上级地区”则取消本地区的设置。",
    col_max_wait: "上报前最长等待（分钟）",
    col_hold: "邀请保留床位（分钟）",
    col_one_off: "一次性治疗最长单程转运（分钟）",
    save_placement: "保存安置上限",
    follow_above: "沿用上级地区",
    travel_h: "转运上限",
    travel_intro: "定期治疗（血液透析）每周往返多次、持续数年，因此每次单程另有上限；超出上限的患者不会被送往远处，而是作为“距离过远”滞留，由协调员处理。",
    f_session: "定期治疗（透析）每次单程最长转运（分钟）",
    f_session_help: "10 到 240 分钟；默认 60。",
    f_recurring_cross: "定期治疗可安置到外省",
    f_one_off_cross: "一次性治疗可安置到外省",
    save_travel: "保存转运上限",
    set_by: "设置者：",
    notice_placement_saved: "安置上限已保存。",
    notice_travel_saved: "转运上限已保存。",
    notice_following: "本地区现在沿用上级地区的设置。",
    err_whole_minutes: "请输入整数分钟",
};

pub static EN: PlansText = PlansText {
    nav_plans: "Placement plans",
    nav_limits: "Limits",
    f_region: "Region",
    banner: "These fields need attention:",
    default_rule: "Default",
    this_region: "This region",

    plans_title: "Placement plans",
    plans_intro: "Place every waiting patient of a region at once: preview the plan, check who goes where, then apply it. Nothing is offered until you apply.",
    preview_h: "Preview a new plan",
    preview_button: "Preview the plan",
    earlier_h: "Earlier plans",
    col_made: "Made",
    col_region: "Region",
    col_status: "Status",
    col_total_cost: "Total cost",
    col_applied: "Applied",
    no_plans: "No plans yet.",
    status_preview: "Preview (not applied)",
    status_applied: "Applied",
    status_expired: "Preview expired",
    notice_previewed: "The plan is ready. Nothing is offered until you apply it.",
    notice_applied: "The plan is applied: every offer is out.",

    plan_title: "Placement plan",
    totals_h: "Totals",
    waiting: "Waiting referrals",
    placed: "Placed",
    unplaced: "Left unplaced",
    placed_cost: "Cost of the placements",
    total_cost: "Total cost",
    total_cost_help: "In minutes: travel (the week's round trips for recurring care), crowding, load and designation fit, plus an urgency-weighted penalty for each patient left unplaced. It is the proven optimum.",
    made_at: "Made",
    apply_before: "Apply before",
    applied_at: "Applied",
    solved: "Solved in",
    placements_h: "Who goes where",
    no_placements: "The plan places nobody.",
    col_patient: "Patient",
    col_need: "Care needed",
    col_urgency: "Urgency",
    col_facility: "Facility",
    col_unit: "Bed",
    col_weekdays: "Session days",
    col_travel: "Travel, one way",
    col_distance: "Distance",
    col_cost: "Cost (minutes)",
    cross_province: "another province",
    unplaced_h: "Left unplaced, and why",
    no_unplaced: "Every waiting patient is placed.",
    why_no_feasible: "No facility within reach can take the patient",
    why_too_far: "Only facilities beyond the travel limit could take the patient: stranded by distance, and never sent there",
    why_beds_taken: "The beds that fit went to more urgent patients",
    why_other: "No bed fits for now",
    apply_h: "Apply the plan",
    apply_intro: "Applying makes every offer above at once, each holding its bed. If anything changed since the preview, nothing is applied and you preview again.",
    apply_button: "Apply the plan",
    err_confirm: "Tick the box to confirm",
    expired: "This preview is more than 15 minutes old, so its bed counts can no longer be trusted: preview again.",
    applied_note: "This plan is applied and its offers are out; follow them on the referrals page.",
    preview_again: "Preview again",
    conflict_applied: "This plan has been applied already.",
    conflict_old: "This preview is more than 15 minutes old: preview again.",
    conflict_changed: "Something changed since the preview (a referral is no longer waiting, or a bed has gone), so nothing was applied and no offer made. Preview again.",
    back_to_plans: "Back to placement plans",

    limits_title: "Placement and travel limits",
    limits_intro: "A region's limits hold for the regions below it unless they set their own; where no region sets one, the defaults apply.",
    show: "Show",
    placement_h: "Placement limits per urgency",
    placement_intro: "Saving sets all four urgencies for this region; “Follow the region above” drops this region's own setting.",
    col_max_wait: "Longest wait before escalation (minutes)",
    col_hold: "Hold an offered bed (minutes)",
    col_one_off: "Longest one-way trip, one-off care (minutes)",
    save_placement: "Save the placement limits",
    follow_above: "Follow the region above",
    travel_h: "Travel limits",
    travel_intro: "Recurring care (dialysis) means round trips several times a week for years, so each session has its own one-way limit. A patient beyond it is never sent far away: they are left unplaced as too far, for a coordinator.",
    f_session: "Recurring care (dialysis): longest one-way trip per session (minutes)",
    f_session_help: "10 to 240 minutes; the default is 60.",
    f_recurring_cross: "Recurring care may be placed in another province",
    f_one_off_cross: "One-off care may be placed in another province",
    save_travel: "Save the travel limits",
    set_by: "Set by: ",
    notice_placement_saved: "The placement limits are saved.",
    notice_travel_saved: "The travel limits are saved.",
    notice_following: "This region now follows the region above.",
    err_whole_minutes: "Enter a whole number of minutes",
};

/// This language's words.
pub fn of(lang: Lang) -> &'static PlansText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The words of the language whose page text is `t` (for the navigation, which is built from
/// the page text alone).
pub fn for_text(t: &'static Text) -> &'static PlansText {
    if std::ptr::eq(t, Lang::Zh.t()) {
        &ZH
    } else {
        &EN
    }
}

impl PlansText {
    /// Why the plan leaves a patient out, from the engine's key.
    pub fn why(&self, key: &str) -> &'static str {
        match key {
            "no_feasible_facility" => self.why_no_feasible,
            "too_far" => self.why_too_far,
            "beds_taken_by_others" => self.why_beds_taken,
            _ => self.why_other,
        }
    }
}

/// "3 of 5 facilities that offer the care", and the like: one count of a patient's reasons.
pub fn feasible(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{n} 家机构可接收"),
        Lang::En if n == 1 => "1 facility could take the patient".into(),
        Lang::En => format!("{n} facilities could take the patient"),
    }
}

/// Facilities that would take the patient but for the travel rule.
pub fn beyond_limit(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{n} 家机构仅因超出转运上限而不能接收"),
        Lang::En if n == 1 => "1 facility would take the patient but lies beyond the travel limit".into(),
        Lang::En => format!("{n} facilities would take the patient but lie beyond the travel limit"),
    }
}

/// Facilities excluded by one hard constraint (the engine's key).
pub fn excluded(lang: Lang, key: &str, n: usize) -> String {
    let name = match Exclusion::parse(key) {
        Ok(c) => lang.constraint(c),
        Err(_) => match lang {
            Lang::Zh => "其他原因".into(),
            Lang::En => "other reasons".into(),
        },
    };
    match lang {
        Lang::Zh => format!("{n} 家：{name}"),
        Lang::En => format!("{n}: {name}"),
    }
}

/// "Showing the first 200 of 1,250".
pub fn first_of(lang: Lang, shown: usize, total: usize) -> String {
    match lang {
        Lang::Zh => format!("仅显示前 {shown} 条，共 {total} 条"),
        Lang::En => format!("Showing the first {shown} of {total}"),
    }
}

/// The apply confirmation: "I have checked the plan: make these 3 offers".
pub fn confirm(lang: Lang, offers: usize) -> String {
    match lang {
        Lang::Zh => format!("我已核对方案：发出这 {offers} 个床位邀请"),
        Lang::En if offers == 1 => "I have checked the plan: make this offer".into(),
        Lang::En => format!("I have checked the plan: make these {offers} offers"),
    }
}

/// "12 ms".
pub fn millis(lang: Lang, ms: f64) -> String {
    match lang {
        Lang::Zh => format!("{ms:.0} 毫秒"),
        Lang::En => format!("{ms:.0} ms"),
    }
}

/// A limits complaint of the service, in this language (every detail `limits.rs` writes).
pub fn detail(lang: Lang, detail: &str) -> String {
    let zh = match detail {
        "must be 5 minutes to 30 days" => "须为 5 分钟到 30 天（43200 分钟）",
        "must be 5 minutes to a day" => "须为 5 分钟到一天（1440 分钟）",
        "a hold cannot outlast the maximum wait" => "保留时间不能超过最长等待时间",
        "must be 5 minutes to 2 days (2880)" => "须为 5 分钟到两天（2880 分钟）",
        "must be 10 to 240 minutes" => "须为 10 到 240 分钟",
        "set once per urgency" => "每个紧急程度只能设置一次",
        other => return lang.detail(other),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_and_complaint_reads_as_words_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let t = of(lang);
            for key in ["no_feasible_facility", "too_far", "beds_taken_by_others", "something_new"] {
                assert!(!t.why(key).contains('_'), "{lang:?} {key}");
            }
            for e in Exclusion::ALL {
                let line = excluded(lang, e.as_str(), 2);
                assert!(!line.contains(e.as_str()) || !e.as_str().contains('_'), "{lang:?}: {line}");
            }
            assert!(!excluded(lang, "new_constraint", 1).contains("new_constraint"));
        }
        for d in [
            "must be 5 minutes to 30 days",
            "must be 5 minutes to a day",
            "a hold cannot outlast the maximum wait",
            "must be 5 minutes to 2 days (2880)",
            "must be 10 to 240 minutes",
            "set once per urgency",
        ] {
            assert!(!detail(Lang::Zh, d).is_ascii(), "untranslated: {d}");
            assert_eq!(detail(Lang::En, d), d);
        }
        assert!(std::ptr::eq(for_text(Lang::Zh.t()), &ZH) && std::ptr::eq(for_text(Lang::En.t()), &EN));
    }
}
