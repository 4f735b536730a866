//! The words of the online-consultation pages: the patient's (`/consult`) and the clinician's
//! queue (`/clinic/consultations`), one struct per language so a missing translation is a
//! compile error.

use super::i18n::Lang;

pub struct ConsultText {
    pub nav_patient: &'static str,
    pub nav_clinician: &'static str,
    // The patient's page.
    pub title: &'static str,
    pub intro: &'static str,
    pub emergency: &'static str,
    pub facility: &'static str,
    pub no_facility: &'static str,
    pub waiting_n: &'static str,
    pub complaint: &'static str,
    pub complaint_help: &'static str,
    pub age_band: &'static str,
    pub region: &'static str,
    pub region_help: &'static str,
    pub submit: &'static str,
    pub mine_h: &'static str,
    pub none_yet: &'static str,
    pub position: &'static str,
    pub answer_h: &'static str,
    pub medicines_h: &'static str,
    pub referred: &'static str,
    pub booked: &'static str,
    pub withdraw: &'static str,
    pub fix: &'static str,
    // The clinician's queue.
    pub q_title: &'static str,
    pub q_intro: &'static str,
    pub q_waiting: &'static str,
    pub q_take: &'static str,
    pub q_empty: &'static str,
    pub q_mine_h: &'static str,
    pub q_none_taken: &'static str,
    pub q_answer: &'static str,
    pub q_medicines: &'static str,
    pub q_medicines_help: &'static str,
    pub q_send: &'static str,
    pub q_release: &'static str,
    pub q_api_hint: &'static str,
    pub requested: &'static str,
}

pub static ZH: ConsultText = ConsultText {
    nav_patient: "在线问诊",
    nav_clinician: "在线问诊队列",
    title: "在线问诊",
    intro: "向提供在线诊疗的医院描述您的症状，医生会书面回复，必要时为您转诊或预约就诊。",
    emergency: "胸痛、呼吸困难、意识不清等急症请立即拨打120，不要等待在线回复。",
    facility: "医院",
    no_facility: "目前没有医院开放在线问诊。",
    waiting_n: "人排队",
    complaint: "您的症状",
    complaint_help: "症状、开始时间、已用过的药物；请勿填写姓名或身份证号。",
    age_band: "年龄段",
    region: "所在地区代码",
    region_help: "六位行政区划代码，如 420102（武汉市江岸区）。",
    submit: "提交问诊",
    mine_h: "我的问诊",
    none_yet: "您还没有问诊记录。",
    position: "排队位置",
    answer_h: "医生回复",
    medicines_h: "建议用药",
    referred: "医生已为您转诊，医院确认床位后会通知您。",
    booked: "医生已为您预约就诊，请在“我的预约”中查看。",
    withdraw: "撤回",
    fix: "请修改以下内容：",
    q_title: "在线问诊队列",
    q_intro: "按提问先后接诊：书面回复并可建议用药；需要住院或面诊的，可转诊或预约（经 API 一步完成）。",
    q_waiting: "排队中",
    q_take: "接诊下一位",
    q_empty: "目前没有患者排队。",
    q_mine_h: "我正在处理的问诊",
    q_none_taken: "您没有正在处理的问诊。",
    q_answer: "书面回复",
    q_medicines: "建议用药（每行一种：药名 — 用法）",
    q_medicines_help: "例如：对乙酰氨基酚 500 mg — 发热时每6小时一片，每日不超过4片",
    q_send: "发送回复",
    q_release: "退回队列",
    q_api_hint: "转诊：POST /api/v1/consultations/{id}/referral；预约：POST /api/v1/consultations/{id}/booking",
    requested: "提问时间",
};

pub static EN: ConsultText = ConsultText {
    nav_patient: "Ask a doctor",
    nav_clinician: "Online consultations",
    title: "Ask a doctor online",
    intro: "Describe your complaint to a hospital that offers online care. A clinician answers in writing, \
            and refers you or books you a visit when you need one.",
    emergency: "Chest pain, trouble breathing or confusion: call 120 now, do not wait for an answer.",
    facility: "Hospital",
    no_facility: "No hospital offers online care right now.",
    waiting_n: "waiting",
    complaint: "Your complaint",
    complaint_help: "Symptoms, since when, what you have taken; no names or ID numbers.",
    age_band: "Age band",
    region: "Where you are (region code)",
    region_help: "The six-digit GB/T 2260 code, e.g. 420102 (Jiang'an, Wuhan).",
    submit: "Ask",
    mine_h: "My consultations",
    none_yet: "You have not asked anything yet.",
    position: "Place in the queue",
    answer_h: "The clinician's answer",
    medicines_h: "Suggested medicines",
    referred: "The clinician referred you; you will be told when a hospital holds a bed.",
    booked: "The clinician booked you a visit: see your bookings.",
    withdraw: "Withdraw",
    fix: "Please fix:",
    q_title: "Online consultations",
    q_intro: "Take patients in the order they asked; answer in writing with suggested medicines. One that \
              needs a bed or a visit becomes a referral or a booking in one step (through the API).",
    q_waiting: "Waiting",
    q_take: "Take the next",
    q_empty: "Nobody is waiting.",
    q_mine_h: "Consultations I am answering",
    q_none_taken: "You are answering none.",
    q_answer: "Written answer",
    q_medicines: "Suggested medicines (one a line: name — how to take it)",
    q_medicines_help: "e.g. paracetamol 500 mg — one every 6 hours when feverish, at most 4 a day",
    q_send: "Send the answer",
    q_release: "Hand back to the queue",
    q_api_hint: "Refer: POST /api/v1/consultations/{id}/referral; book: POST /api/v1/consultations/{id}/booking",
    requested: "Asked",
};

pub fn text(lang: Lang) -> &'static ConsultText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// This area's strings in the language of the shared strings `t`.
pub fn for_text(t: &super::i18n::Text) -> &'static ConsultText {
    if std::ptr::eq(t, &super::i18n::ZH) {
        &ZH
    } else {
        &EN
    }
}
