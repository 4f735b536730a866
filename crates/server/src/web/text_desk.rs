//! The strings of the desk's capacity form, the facility page, the public board and the map's
//! legends and zoom, in both languages: one struct per language, like `i18n.rs`, kept apart so
//! the pages of this area add no fields to the shared `Text`.

use super::i18n::Lang;

/// Every fixed string of this area, in one language.
#[derive(Debug)]
pub struct DeskText {
    // The capacity form.
    pub cap_title: &'static str,
    pub cap_intro: &'static str,
    pub cap_for: &'static str,
    pub cap_never: &'static str,
    pub cap_unit_never: &'static str,
    pub cap_submit: &'static str,
    pub cap_saved: &'static str,
    pub cap_saved_history: &'static str,
    pub cap_fix: &'static str,
    pub cap_nothing: &'static str,
    pub cap_number: &'static str,
    pub cap_incomplete: &'static str,
    pub cap_negative: &'static str,
    pub cap_too_big: &'static str,
    pub cap_staffed_over: &'static str,
    pub cap_form_for_others: &'static str,
    pub nav_capacity: &'static str,
    // The facility page.
    pub fac_level: &'static str,
    pub fac_region: &'static str,
    pub fac_address: &'static str,
    pub fac_phone: &'static str,
    pub fac_services: &'static str,
    pub fac_children_only: &'static str,
    pub fac_children_only_yes: &'static str,
    pub fac_takes_new: &'static str,
    pub fac_designation: &'static str,
    pub fac_history_h: &'static str,
    pub fac_history_none: &'static str,
    pub fac_history_signed_in: &'static str,
    pub col_effective: &'static str,
    pub col_order_number: &'static str,
    pub col_reason: &'static str,
    pub fac_capacity_h: &'static str,
    pub fac_capacity_signed_in: &'static str,
    pub fac_capacity_none: &'static str,
    pub fac_report: &'static str,
    pub col_unit_as_of: &'static str,
    pub fac_public_h: &'static str,
    pub fac_public: &'static str,
    // The report time, everywhere it shows.
    pub report_time_help: &'static str,
    // The public board.
    pub pub_title: &'static str,
    pub pub_intro: &'static str,
    pub pub_sign_in: &'static str,
    pub pub_what_h: &'static str,
    pub pub_what: &'static str,
    pub pub_regions_h: &'static str,
    pub col_facilities: &'static str,
    pub col_reporting: &'static str,
    pub col_virus: &'static str,
    pub col_fever: &'static str,
    pub pub_withheld: &'static str,
    pub pub_none_free: &'static str,
    pub pub_virus_h: &'static str,
    pub pub_fever_h: &'static str,
    pub pub_none: &'static str,
    pub pub_more: &'static str,
    // Maps.
    pub legend_stranded_overdue: &'static str,
    pub legend_stranded_escalated: &'static str,
    pub stranded_map_keys: &'static str,
    pub stranded_list: &'static str,
    pub map_list: &'static str,
    pub map_zoom: &'static str,
    pub map_zoom_out: &'static str,
    pub map_keys: &'static str,
    // The directory.
    pub virus_only: &'static str,
    pub not_for_this_service: &'static str,
}

pub static ZH: DeskText = DeskText {
    cap_title: "上报床位",
    cap_intro: "每个科室一行。填写的每一行都按“现在如此”上报；要让某个科室保持原样，把这一行的三个数字都清空即可（只上报部分科室）。",
    cap_for: "上报机构",
    cap_never: "本机构尚未上报过床位。",
    cap_unit_never: "尚未上报",
    cap_submit: "提交上报",
    cap_saved: "已保存上报。看板和机构页面已显示新的数字。",
    cap_saved_history: "已保存，但已有更新的上报在先：这次只作为历史记录。",
    cap_fix: "以下字段需要修改：",
    cap_nothing: "至少填写一个科室的三个数字。",
    cap_number: "请填写不小于 0 的整数",
    cap_incomplete: "三个数字要么都填，要么都不填",
    cap_negative: "不能为负数",
    cap_too_big: "数字过大",
    cap_staffed_over: "有人员的床位不能多于实有床位",
    cap_form_for_others: "只有本机构的值班台和管辖该地区的协调员可以上报这家机构的床位。",
    nav_capacity: "上报床位",
    fac_level: "等级",
    fac_region: "地区",
    fac_address: "地址",
    fac_phone: "电话",
    fac_services: "提供的服务",
    fac_children_only: "儿童医院",
    fac_children_only_yes: "只收治儿童",
    fac_takes_new: "接收新患者",
    fac_designation: "当前定点类型",
    fac_history_h: "定点指令记录",
    fac_history_none: "没有定点指令：本机构按综合医院接收患者。",
    fac_history_signed_in: "指令记录（编号、原因）仅对登录的工作人员显示。",
    col_effective: "生效时间（当地）",
    col_order_number: "文号",
    col_reason: "原因",
    fac_capacity_h: "各科室床位",
    fac_capacity_signed_in: "床位数字仅对本机构和管辖地区的工作人员显示，请登录查看。",
    fac_capacity_none: "本机构尚未上报床位。",
    fac_report: "上报本机构床位",
    col_unit_as_of: "该科室上报时间（当地）",
    fac_public_h: "公开与登录可见",
    fac_public: "名称、等级、地址、电话、服务和当前定点类型是公开的；床位数字和指令记录只对有权限的登录人员显示。",
    report_time_help: "“最近上报”是本机构最新一次上报的时间；只上报部分科室时它会更新。“最旧科室”是最久没有更新的科室的数据年龄，过期判断以它为准。",
    pub_title: "床位概况（公开）",
    pub_intro: "面向公众的地区汇总：哪里有定点医院和发热门诊，各地区大致还有多少空床。",
    pub_sign_in: "登录查看完整床位看板",
    pub_what_h: "本页公开什么",
    pub_what: "只公开地区合计：上报机构数、ICU 和普通病床的空床数（分档显示），以及定点医院和发热门诊的名单（它们本来就在公开目录中）。不公开任何患者信息，也不公开单个机构的占用数字；一个地区上报的机构少于 3 家时不显示空床数，以免推算出某家医院的数字。",
    pub_regions_h: "各地区",
    col_facilities: "机构",
    col_reporting: "已上报",
    col_virus: "新冠定点",
    col_fever: "发热门诊",
    pub_withheld: "不显示（上报机构少于 3 家）",
    pub_none_free: "无空床",
    pub_virus_h: "新冠定点医院",
    pub_fever_h: "发热门诊",
    pub_none: "没有。",
    pub_more: "更多请在机构目录中查找。",
    legend_stranded_overdue: "有患者等待超过最长时限的地区",
    legend_stranded_escalated: "患者已上报协调员、尚未超时的地区",
    stranded_map_keys: "标记位于患者户籍地区的中心（不是患者的位置）。用 Tab 键逐个选中标记，按回车跳到该地区第一位患者。",
    stranded_list: "以列表查看同样的患者",
    map_list: "以列表查看同样的机构",
    map_zoom: "缩放",
    map_zoom_out: "缩小到",
    map_keys: "用 Tab 键可以逐个选中地图上的标记，按回车打开该机构页面。",
    virus_only: "只收新冠患者",
    not_for_this_service: "否（新冠定点，不收非新冠患者）",
};

pub static EN: DeskText = DeskText {
    cap_title: "Report capacity",
    cap_intro: "One line per unit. Every filled line is reported as true now; to leave a unit as it was (a partial report), clear all three numbers of its line.",
    cap_for: "Reporting for",
    cap_never: "This facility has not reported capacity yet.",
    cap_unit_never: "Not reported yet",
    cap_submit: "Send report",
    cap_saved: "Report saved. The board and the facility page show the new numbers.",
    cap_saved_history: "Saved, but a newer report already stood: this one is kept as history only.",
    cap_fix: "Some fields need attention:",
    cap_nothing: "Fill in the three numbers of at least one unit.",
    cap_number: "must be a whole number, 0 or more",
    cap_incomplete: "fill in all three numbers, or leave the line blank",
    cap_negative: "must not be negative",
    cap_too_big: "is too large",
    cap_staffed_over: "staffed beds must not exceed physical beds",
    cap_form_for_others: "Only this facility's desk and the coordinators governing its region may report its capacity.",
    nav_capacity: "Report capacity",
    fac_level: "Level",
    fac_region: "Region",
    fac_address: "Address",
    fac_phone: "Phone",
    fac_services: "Services offered",
    fac_children_only: "Children's hospital",
    fac_children_only_yes: "Takes children only",
    fac_takes_new: "Taking new patients",
    fac_designation: "Current designation",
    fac_history_h: "Designation orders",
    fac_history_none: "No designation orders: the facility takes patients as a general hospital.",
    fac_history_signed_in: "The orders (numbers, reasons) are shown to signed-in staff.",
    col_effective: "Effective (local time)",
    col_order_number: "Order number",
    col_reason: "Reason",
    fac_capacity_h: "Capacity by unit",
    fac_capacity_signed_in: "Capacity numbers are shown to this facility's staff and its region's coordinators: sign in to see them.",
    fac_capacity_none: "This facility has not reported capacity yet.",
    fac_report: "Report this facility's capacity",
    col_unit_as_of: "Unit reported (local time)",
    fac_public_h: "Public and signed-in",
    fac_public: "Name, level, address, phone, services and current designation are public; capacity numbers and the orders are shown only to signed-in staff allowed to see them.",
    report_time_help: "“Newest report” is when the facility last reported anything; a partial report moves it. “Oldest unit” is the age of the unit reported longest ago; staleness follows it.",
    pub_title: "Capacity overview (public)",
    pub_intro: "A public summary by region: where the virus-designated hospitals and fever clinics are, and roughly how many beds are free.",
    pub_sign_in: "Sign in for the full board",
    pub_what_h: "What this page publishes",
    pub_what: "Only totals per region: how many facilities report, free ICU and general-ward beds (in bands), and the lists of virus-designated hospitals and fever clinics (already public in the directory). No patient data and no facility's own occupancy; where fewer than 3 facilities of a region report, the free beds are withheld, so no single hospital's numbers can be worked out.",
    pub_regions_h: "By region",
    col_facilities: "Facilities",
    col_reporting: "Reporting",
    col_virus: "Virus-designated",
    col_fever: "Fever clinics",
    pub_withheld: "withheld (fewer than 3 facilities report)",
    pub_none_free: "none free",
    pub_virus_h: "Virus-designated hospitals",
    pub_fever_h: "Fever clinics",
    pub_none: "None.",
    pub_more: "Find more in the facility directory.",
    legend_stranded_overdue: "A home region where someone has waited past the maximum",
    legend_stranded_escalated: "A home region whose patients are escalated, none past the maximum",
    stranded_map_keys: "Markers sit at the centre of the patients' home region, never at a patient. Tab moves through them; Enter jumps to the region's first patient in the list.",
    stranded_list: "The same patients as a list",
    map_list: "The same facilities as a list",
    map_zoom: "Zoom",
    map_zoom_out: "Zoom out to",
    map_keys: "Tab moves through the map's markers one by one; Enter opens the facility's page.",
    virus_only: "Virus patients only",
    not_for_this_service: "No (virus-designated: no non-virus patients)",
};

/// This area's strings in `lang`.
pub fn text(lang: Lang) -> &'static DeskText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// This area's strings in the language of the shared strings `t` (for callers holding a `Text`).
pub fn for_text(t: &super::i18n::Text) -> &'static DeskText {
    if std::ptr::eq(t, &super::i18n::ZH) {
        &ZH
    } else {
        &EN
    }
}

/// A stranded-map marker's title: the region and count, and how many waited past the maximum.
pub fn stranded_marker(lang: Lang, region_and_count: &str, overdue: usize) -> String {
    match (lang, overdue) {
        (_, 0) => region_and_count.to_string(),
        (Lang::Zh, n) => format!("{region_and_count}，其中 {n} 位超过最长等待"),
        (Lang::En, n) => format!("{region_and_count}, {n} past the maximum wait"),
    }
}

/// "Newest report 2026-12-07 11:27 (UTC+8) · oldest unit 6 h ago".
pub fn report_time(lang: Lang, newest: &str, oldest_age: &str) -> String {
    match lang {
        Lang::Zh => format!("最近上报 {newest} · 最旧科室 {oldest_age}前"),
        Lang::En => format!("Newest report {newest} · oldest unit {oldest_age} ago"),
    }
}

/// "6 h ago" for one unit's age.
pub fn ago(lang: Lang, age: &str) -> String {
    match lang {
        Lang::Zh => format!("{age}前"),
        Lang::En => format!("{age} ago"),
    }
}

/// A public band of free beds: "1–9 free", "50 or more free".
pub fn free_band(lang: Lang, available: i64) -> String {
    let t = text(lang);
    let (low, high) = match available {
        a if a <= 0 => return t.pub_none_free.to_string(),
        1..=9 => (1, Some(9)),
        10..=49 => (10, Some(49)),
        50..=199 => (50, Some(199)),
        _ => (200, None),
    };
    match (lang, high) {
        (Lang::Zh, Some(h)) => format!("{low}–{h} 张空床"),
        (Lang::Zh, None) => format!("{low} 张以上空床"),
        (Lang::En, Some(h)) => format!("{low}–{h} free"),
        (Lang::En, None) => format!("{low} or more free"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_count() {
        assert_eq!(free_band(Lang::En, -3), "none free");
        assert_eq!(free_band(Lang::En, 0), "none free");
        assert_eq!(free_band(Lang::En, 1), "1–9 free");
        assert_eq!(free_band(Lang::En, 49), "10–49 free");
        assert_eq!(free_band(Lang::En, 500), "200 or more free");
        assert_eq!(free_band(Lang::Zh, 12), "10–49 张空床");
    }
}
