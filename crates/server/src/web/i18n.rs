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
    col_as_of: "上报时间（当地）",
    col_age: "距今",
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
    col_as_of: "Reported (local time)",
    col_age: "Age",
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
