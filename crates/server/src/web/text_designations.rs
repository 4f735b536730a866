//! The words of the designation pages (`/designations`) and the displacement preview
//! (`/placement/displacements/{id}`), in one struct per language as `i18n.rs` keeps the rest:
//! a missing translation is a compile error. The vocabularies these pages show by their wire
//! spelling elsewhere (why a patient is displaced, why the re-placement leaves one out, a
//! preview's status) are matched here to words; an unknown spelling reads as a sentence, never
//! as the key.

use super::i18n::Lang;
use carebridge_domain::placement::Exclusion;

/// The designation pages' fixed strings in one language.
#[derive(Debug)]
pub struct TextDesignations {
    pub title: &'static str,
    pub intro: &'static str,
    pub order_h: &'static str,
    pub order_intro: &'static str,
    pub f_search: &'static str,
    pub search_button: &'static str,
    pub search_clear: &'static str,
    pub f_facility: &'static str,
    pub f_designation: &'static str,
    pub f_effective: &'static str,
    pub f_effective_help: &'static str,
    pub f_order_number: &'static str,
    pub f_order_number_help: &'static str,
    pub f_reason: &'static str,
    pub order_button: &'static str,
    pub history_h: &'static str,
    pub all_orders: &'static str,
    pub no_orders: &'static str,
    pub older: &'static str,
    pub col_effective: &'static str,
    pub col_ordered: &'static str,
    pub col_by: &'static str,
    pub col_number: &'static str,
    pub col_reason: &'static str,
    pub now_in_force: &'static str,
    pub pending_effect: &'static str,
    pub another_coordinator: &'static str,
    pub no_facilities: &'static str,
    pub notice_ordered: &'static str,
    pub notice_applied: &'static str,
    pub err_banner: &'static str,
    /// Between a field's label and its complaint in the banner.
    pub colon: &'static str,
    pub err_required: &'static str,
    pub err_choose: &'static str,
    pub err_time: &'static str,
    pub err_one_line: &'static str,
    pub err_control: &'static str,
    pub err_unknown_facility: &'static str,
    // The displacement preview and its record.
    pub displacement_title: &'static str,
    pub preview_intro: &'static str,
    pub applied_intro: &'static str,
    pub status_preview: &'static str,
    pub status_applied: &'static str,
    pub f_change: &'static str,
    pub f_status: &'static str,
    pub f_apply_before: &'static str,
    pub f_previewed_by: &'static str,
    pub f_applied: &'static str,
    pub displaced_h: &'static str,
    pub no_displaced: &'static str,
    pub col_need: &'static str,
    pub col_why: &'static str,
    pub col_travel: &'static str,
    pub f_weekdays: &'static str,
    pub f_next_session: &'static str,
    pub f_gap: &'static str,
    pub outcome_placed: &'static str,
    pub outcome_unplaced: &'static str,
    pub same_province: &'static str,
    pub cross_province: &'static str,
    pub excluded_h: &'static str,
    pub apply_h: &'static str,
    pub apply_intro: &'static str,
    pub ack_legend: &'static str,
    pub confirm: &'static str,
    pub apply_button: &'static str,
    pub err_ack: &'static str,
    pub err_confirm: &'static str,
    pub expired: &'static str,
    pub preview_again: &'static str,
    pub err_conflict: &'static str,
    pub result_h: &'static str,
    pub to_stranded: &'static str,
    pub back_to_orders: &'static str,
}

pub static ZH: TextDesignations = TextDesignations {
    title: "定点指定令",
    intro: "您管辖范围内机构的定点指定令及其历史，最新的在前。下达指定令前先预览会被转出的患者。",
    order_h: "下达指定令",
    order_intro: "若指定令会使已安置的患者必须转出，将先显示转出预览：每位患者的新去处与单程转运时间，确认后才执行。",
    f_search: "按名称查找机构",
    search_button: "查找",
    search_clear: "显示全部机构",
    f_facility: "机构",
    f_designation: "指定为",
    f_effective: "生效时间（北京时间）",
    f_effective_help: "留空则立即生效。",
    f_order_number: "文号",
    f_order_number_help: "例如 武防指〔2020〕40号",
    f_reason: "原因",
    order_button: "预览并下达",
    history_h: "指定令历史",
    all_orders: "全部指定令",
    no_orders: "暂无指定令。",
    older: "更早的指定令",
    col_effective: "生效",
    col_ordered: "下达时间",
    col_by: "下达人",
    col_number: "文号",
    col_reason: "原因",
    now_in_force: "现行",
    pending_effect: "尚未生效",
    another_coordinator: "另一位协调员",
    no_facilities: "没有符合条件的机构。",
    notice_ordered: "指定令已下达，没有患者需要转出。",
    notice_applied: "已执行：指定令已下达，转出患者已重新安置或上报协调员。",
    err_banner: "以下字段需要修改：",
    colon: "：",
    err_required: "必填",
    err_choose: "请从列表中选择",
    err_time: "请按 年-月-日 时:分 填写时间",
    err_one_line: "只能是一行，不能含控制字符",
    err_control: "不能含制表符和换行以外的控制字符",
    err_unknown_facility: "您管辖的地区内没有这家机构",
    displacement_title: "转出预览",
    preview_intro: "执行前请查看：每位将被转出的患者、其新去处与单程转运时间，或无法安置的原因。",
    applied_intro: "此变更已执行。以下为每位患者的结果。",
    status_preview: "预览，尚未执行",
    status_applied: "已执行",
    f_change: "变更",
    f_status: "状态",
    f_apply_before: "须在此时间前执行",
    f_previewed_by: "预览人",
    f_applied: "执行",
    displaced_h: "将被转出的患者",
    no_displaced: "没有患者需要转出。",
    col_need: "需要",
    col_why: "转出原因",
    col_travel: "单程转运",
    f_weekdays: "透析日",
    f_next_session: "下次治疗",
    f_gap: "距上次治疗",
    outcome_placed: "重新安置到",
    outcome_unplaced: "无法安置",
    same_province: "本省",
    cross_province: "跨省",
    excluded_h: "被排除的机构",
    apply_h: "执行",
    apply_intro: "执行后，指定令写入，转出患者回到等待并告知原因，计划中的床位邀约发出，无法安置的患者上报协调员（滞留患者看板）。",
    ack_legend: "无法安置的患者：请逐一确认",
    confirm: "我已查看此预览，确认执行此变更及重新安置",
    apply_button: "执行",
    err_ack: "请确认每一位将无法安置的患者",
    err_confirm: "请勾选确认",
    expired: "此预览已超过 15 分钟，请重新预览后再执行。",
    preview_again: "重新预览",
    err_conflict: "自预览以来情况已有变化（预览过期或患者状态改变）。请重新预览。",
    result_h: "执行结果",
    to_stranded: "查看滞留患者看板",
    back_to_orders: "返回定点指定令",
};

pub static EN: TextDesignations = TextDesignations {
    title: "Designation orders",
    intro: "The designation orders of the facilities you govern and their history, newest first. An order that would move placed patients is previewed first.",
    order_h: "Order a designation",
    order_intro: "If the order displaces placed patients, you first see the preview: where each would go instead and the one-way travel, or why no place is found. Nothing changes until you apply it.",
    f_search: "Find a facility by name",
    search_button: "Find",
    search_clear: "Show every facility",
    f_facility: "Facility",
    f_designation: "Designate as",
    f_effective: "Takes effect (China time)",
    f_effective_help: "Leave empty for now.",
    f_order_number: "Document number",
    f_order_number_help: "For example 武防指〔2020〕40号",
    f_reason: "Reason",
    order_button: "Preview and order",
    history_h: "Order history",
    all_orders: "All orders",
    no_orders: "No designation orders yet.",
    older: "Older orders",
    col_effective: "Takes effect",
    col_ordered: "Ordered",
    col_by: "Ordered by",
    col_number: "Document number",
    col_reason: "Reason",
    now_in_force: "In force",
    pending_effect: "Not yet in effect",
    another_coordinator: "Another coordinator",
    no_facilities: "No facility matches.",
    notice_ordered: "Order recorded. No patient had to move.",
    notice_applied: "Applied: the order is recorded and the displaced patients are re-placed or escalated to the coordinators.",
    err_banner: "These fields need attention:",
    colon: ": ",
    err_required: "Required",
    err_choose: "Choose one from the list",
    err_time: "Enter the time as year-month-day hour:minute",
    err_one_line: "Must be one line without control characters",
    err_control: "Must not contain control characters other than tabs and line breaks",
    err_unknown_facility: "No such facility in the region you govern",
    displacement_title: "Displacement preview",
    preview_intro: "Check before applying: every patient this change displaces, where each would go instead and the one-way travel, or why no place is found.",
    applied_intro: "This change has been applied. The outcome for each patient:",
    status_preview: "Preview, not applied",
    status_applied: "Applied",
    f_change: "Change",
    f_status: "Status",
    f_apply_before: "Apply before",
    f_previewed_by: "Previewed by",
    f_applied: "Applied",
    displaced_h: "Patients displaced",
    no_displaced: "No patient is displaced.",
    col_need: "Needs",
    col_why: "Why they move",
    col_travel: "One-way travel",
    f_weekdays: "Session days",
    f_next_session: "Next session",
    f_gap: "Since the last session",
    outcome_placed: "Re-placed at",
    outcome_unplaced: "Unplaced",
    same_province: "same province",
    cross_province: "in another province",
    excluded_h: "Facilities excluded",
    apply_h: "Apply",
    apply_intro: "Applying records the order, sends every displaced patient back to waiting with the reason on their timeline, makes the planned offers, and escalates those left without a place to the coordinators (the stranded patients board).",
    ack_legend: "Patients left without a place: acknowledge each",
    confirm: "I have read this preview and apply the change with its re-placement",
    apply_button: "Apply",
    err_ack: "Acknowledge every patient who will have no place",
    err_confirm: "Tick to confirm",
    expired: "This preview is more than 15 minutes old: preview again before applying.",
    preview_again: "Preview again",
    err_conflict: "Things changed since the preview (it is out of date, or a patient's status moved on). Preview again.",
    result_h: "Outcome",
    to_stranded: "Open the stranded patients board",
    back_to_orders: "Back to designation orders",
};

impl TextDesignations {
    pub fn of(lang: Lang) -> &'static TextDesignations {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// Words that take numbers or names, and the vocabularies matched to words.
impl Lang {
    /// Why a patient must move (`DisplacedPatient::why`).
    pub fn displaced_why(self, why: &str) -> &'static str {
        let zh = self == Lang::Zh;
        match why {
            "unit_commandeered" if zh => "所在病区被征用",
            "unit_commandeered" => "Their unit is taken for other use",
            "not_infected_in_virus_designated" if zh => "未确认感染，不能留在新冠定点医院",
            "not_infected_in_virus_designated" => {
                "Not known to be infected: cannot stay in a virus-designated hospital"
            }
            "infected_after_virus_designation" if zh => "感染患者，该院不再是新冠定点医院",
            "infected_after_virus_designation" => "Infected: the hospital is no longer virus-designated",
            "closed_to_new" if zh => "机构暂停接收，待答复的邀约撤回",
            "closed_to_new" => "The facility closes to new patients: the waiting offer is withdrawn",
            _ if zh => "因机构变更需转出",
            _ => "Moved by the change to the facility",
        }
    }

    /// Why the re-placement leaves a patient out (`PlannedUnplaced::why`).
    pub fn unplaced_why(self, why: &str, travel_limit_note: usize) -> String {
        match (self, why) {
            (Lang::Zh, "too_far") => {
                format!("太远：有 {travel_limit_note} 家机构可接收，但都超出转运时间上限，不会安置到那里")
            }
            (Lang::En, "too_far") => format!(
                "Too far: {travel_limit_note} facilities could take the patient, all beyond the travel limit; never placed there"
            ),
            (Lang::Zh, "no_feasible_facility") => "没有符合硬性约束的机构".to_string(),
            (Lang::En, "no_feasible_facility") => "No facility meets the hard constraints".to_string(),
            (Lang::Zh, "beds_taken_by_others") => "可用床位已分给更紧急的患者".to_string(),
            (Lang::En, "beds_taken_by_others") => "The beds that fit went to more urgent patients".to_string(),
            (Lang::Zh, _) => "未找到去处".to_string(),
            (Lang::En, _) => "No place found".to_string(),
        }
    }

    /// "3 facilities: beyond the travel limit", from an exclusion count keyed by wire name.
    pub fn excluded_count(self, constraint: &str, n: usize) -> String {
        let name = match Exclusion::parse(constraint) {
            Ok(c) => self.constraint(c),
            Err(_) => match self {
                Lang::Zh => "其他原因".to_string(),
                Lang::En => "other reasons".to_string(),
            },
        };
        match self {
            Lang::Zh => format!("{n} 家：{name}"),
            Lang::En => format!("{n}: {name}"),
        }
    }

    /// "Union Hospital → Virus-designated" for a designation order, from → to.
    pub fn change_of(self, from: &str, to: &str) -> String {
        format!("{from} → {to}")
    }

    /// A unit taken for other use (the commandeering change, previewed through the API).
    pub fn commandeer(self, unit: &str) -> String {
        match self {
            Lang::Zh => format!("征用病区：{unit}"),
            Lang::En => format!("Unit taken for other use: {unit}"),
        }
    }

    /// "8 days".
    pub fn gap_days(self, days: i64) -> String {
        match self {
            Lang::Zh => format!("{days} 天"),
            Lang::En if days == 1 => "1 day".to_string(),
            Lang::En => format!("{days} days"),
        }
    }

    /// "I have seen that p-17 will have no place".
    pub fn acknowledge(self, pseudonym: &str) -> String {
        match self {
            Lang::Zh => format!("我已知悉 {pseudonym} 将无处安置，并上报协调员"),
            Lang::En => format!("I have seen that {pseudonym} will have no place and is escalated to the coordinators"),
        }
    }

    /// The preview's one-line count.
    pub fn displacement_summary(self, displaced: usize, placed: usize, unplaced: usize) -> String {
        match self {
            Lang::Zh => format!("转出 {displaced} 人：重新安置 {placed} 人，无法安置 {unplaced} 人。"),
            Lang::En => format!("{displaced} displaced: {placed} re-placed, {unplaced} without a place."),
        }
    }

    /// What the apply did.
    pub fn applied_summary(self, offers: usize, escalated: usize) -> String {
        match self {
            Lang::Zh => {
                format!("已发出 {offers} 个床位邀约；{escalated} 位患者无处安置，已上报协调员，列在滞留患者看板上。")
            }
            Lang::En => {
                let offers = if offers == 1 { "1 offer made".to_string() } else { format!("{offers} offers made") };
                let escalated = if escalated == 1 {
                    "1 patient without a place is escalated".to_string()
                } else {
                    format!("{escalated} patients without a place are escalated")
                };
                format!("{offers}; {escalated} to the coordinators and listed on the stranded patients board.")
            }
        }
    }

    /// "at most 100 characters".
    pub fn at_most_chars(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("最多 {n} 个字符"),
            Lang::En => format!("At most {n} characters"),
        }
    }

    /// The history heading for one facility.
    pub fn history_of(self, facility: &str) -> String {
        match self {
            Lang::Zh => format!("{facility} 的指定令历史"),
            Lang::En => format!("Order history of {facility}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An identifier-like word (`too_far`, `closed_to_new`): what a page must never show.
    fn raw_key(s: &str) -> Option<&str> {
        s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).find(|w| w.contains('_'))
    }

    #[test]
    fn every_vocabulary_value_reads_as_words_in_both_languages() {
        let displaced = [
            "unit_commandeered",
            "not_infected_in_virus_designated",
            "infected_after_virus_designation",
            "closed_to_new",
        ];
        let unplaced = ["too_far", "no_feasible_facility", "beds_taken_by_others"];
        for lang in [Lang::Zh, Lang::En] {
            let mut seen = std::collections::HashSet::new();
            for why in displaced {
                let words = lang.displaced_why(why);
                assert!(raw_key(words).is_none(), "{lang:?} {why}: {words}");
                assert!(seen.insert(words), "{lang:?}: {why} reads like another reason");
            }
            for why in unplaced {
                let words = lang.unplaced_why(why, 3);
                assert!(raw_key(&words).is_none(), "{lang:?} {why}: {words}");
            }
            assert_ne!(lang.unplaced_why("too_far", 3), lang.unplaced_why("something_new", 3));
            assert!(raw_key(&lang.unplaced_why("something_new", 0)).is_none());
            assert!(raw_key(lang.displaced_why("something_new")).is_none());
            for c in Exclusion::ALL {
                let words = lang.excluded_count(c.as_str(), 2);
                assert!(raw_key(&words).is_none(), "{lang:?} {c:?}: {words}");
            }
            assert!(raw_key(&lang.excluded_count("not_a_constraint", 2)).is_none());
        }
        assert!(Lang::En.unplaced_why("too_far", 4).contains("beyond the travel limit"));
        assert!(Lang::Zh.unplaced_why("too_far", 4).contains("超出转运时间上限"));
    }
}
