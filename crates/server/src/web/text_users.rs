//! The words of the user-management page (`/users`), one struct per language so a missing
//! translation is a compile error.

use super::i18n::Lang;
use carebridge_domain::user::Role;

pub struct UsersText {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub list_h: &'static str,
    pub col_username: &'static str,
    pub col_name: &'static str,
    pub col_role: &'static str,
    pub col_scope: &'static str,
    pub col_state: &'static str,
    pub active: &'static str,
    pub disabled: &'static str,
    pub none: &'static str,
    pub create_h: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub facility: &'static str,
    pub facility_pick: &'static str,
    pub no_facilities: &'static str,
    pub role: &'static str,
    pub username: &'static str,
    pub username_help: &'static str,
    pub display_name: &'static str,
    pub password: &'static str,
    pub password_help: &'static str,
    pub submit: &'static str,
    pub created: &'static str,
    pub fix: &'static str,
    pub required: &'static str,
    pub not_listed: &'static str,
    pub nation: &'static str,
    pub own: &'static str,
}

pub static ZH: UsersText = UsersText {
    nav: "账号",
    title: "账号管理",
    intro: "您管辖范围内的账号。可以为范围内的机构开设床位上报台或临床医生账号。",
    list_h: "账号列表",
    col_username: "用户名",
    col_name: "显示名称",
    col_role: "角色",
    col_scope: "范围",
    col_state: "状态",
    active: "可用",
    disabled: "已停用",
    none: "范围内还没有账号。",
    create_h: "开设账号",
    search_label: "按名称查找机构",
    search_button: "查找",
    facility: "机构",
    facility_pick: "请选择机构",
    no_facilities: "没有符合的机构。",
    role: "角色",
    username: "用户名",
    username_help: "3–64 个字符：小写字母、数字、点、下划线或连字符，以字母或数字开头。",
    display_name: "显示名称（可不填）",
    password: "初始密码",
    password_help: "至少 12 个字符。请当面或电话告知本人。",
    submit: "开设账号",
    created: "已开设账号",
    fix: "请修改以下内容：",
    required: "必填",
    not_listed: "请从列表中选择您管辖范围内的机构",
    nation: "全国",
    own: "本人",
};

pub static EN: UsersText = UsersText {
    nav: "Accounts",
    title: "Accounts",
    intro: "The accounts in your scope. You can open a capacity-desk or clinician account for a facility in it.",
    list_h: "Accounts",
    col_username: "Username",
    col_name: "Display name",
    col_role: "Role",
    col_scope: "Scope",
    col_state: "State",
    active: "Active",
    disabled: "Disabled",
    none: "No accounts in your scope yet.",
    create_h: "Open an account",
    search_label: "Find a facility by name",
    search_button: "Find",
    facility: "Facility",
    facility_pick: "Choose a facility",
    no_facilities: "No facility matches.",
    role: "Role",
    username: "Username",
    username_help:
        "3–64 characters: lower-case letters, digits, dot, underscore or hyphen, starting with a letter or digit.",
    display_name: "Display name (optional)",
    password: "Initial password",
    password_help: "At least 12 characters. Tell it to the person in person or by phone.",
    submit: "Open the account",
    created: "Account opened",
    fix: "Please correct the following:",
    required: "required",
    not_listed: "choose a facility in your scope from the list",
    nation: "Nation",
    own: "Own",
};

pub fn text(lang: Lang) -> &'static UsersText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// This area's strings in the language of the shared strings `t` (for callers holding a `Text`).
pub fn for_text(t: &super::i18n::Text) -> &'static UsersText {
    if std::ptr::eq(t, &super::i18n::ZH) {
        &ZH
    } else {
        &EN
    }
}

/// A role's name on the page.
pub fn role(lang: Lang, r: Role) -> &'static str {
    let (zh, en) = match r {
        Role::NationalCoordinator => ("国家协调员", "National coordinator"),
        Role::ProvincialCoordinator => ("省级协调员", "Provincial coordinator"),
        Role::CityCoordinator => ("市级协调员", "City coordinator"),
        Role::FacilityDesk => ("床位上报台", "Capacity desk"),
        Role::Clinician => ("临床医生", "Clinician"),
        Role::Auditor => ("审计员", "Auditor"),
        Role::Patient => ("患者", "Patient"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The roles a coordinator opens from this page: the accounts that sit at a facility.
pub const FACILITY_ROLES: [Role; 2] = [Role::FacilityDesk, Role::Clinician];
