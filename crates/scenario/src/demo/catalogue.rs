//! The demo's facilities and orders as data: who stands where, how big, designated by which
//! order, and which load story its capacity history follows.
//!
//! Kept apart from the generator so the world can be read (and corrected) as a table. Names of
//! real hospitals are real; their bed counts are nominal round figures sized from
//! `shared/data/health-system-facts.md`, not official statistics, and the seed varies them a
//! little. Coordinates are given only where known well; the rest are placed near their
//! district's centre. Order numbers follow the authorities' style but are illustrative.

use carebridge_domain::designation::Designation;
use carebridge_domain::facility::FacilityLevel;
use carebridge_domain::service_kind::ServiceKind;

/// What kind of hospital a site is; decides its services and how its beds split into units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// A top-tier general hospital: every service.
    Comprehensive,
    /// A district or county general hospital.
    District,
    /// An infectious-disease hospital (金银潭, 地坛, 公卫中心).
    Infectious,
    /// A hospital built for the epidemic (火神山, 雷神山): isolation wards and ICU only.
    Field,
    /// A converted stadium, exhibition hall or school (方舱医院): isolation beds for mild cases.
    Shelter,
    MaternalChild,
    Children,
    Cardiac,
    Oncology,
    Chest,
    /// Traditional Chinese medicine, or integrated Chinese and Western medicine.
    Tcm,
}

impl Profile {
    pub(crate) fn services(self) -> &'static [ServiceKind] {
        use ServiceKind::*;
        match self {
            Self::Comprehensive => ServiceKind::ALL,
            Self::District => &[
                Emergency,
                Icu,
                FeverClinic,
                Maternity,
                Dialysis,
                GeneralSurgery,
                Cardiology,
                InternalMedicine,
                Pediatrics,
                Respiratory,
                Orthopedics,
            ],
            Self::Infectious => &[Icu, FeverClinic, IsolationWard, InternalMedicine, Respiratory],
            Self::Field => &[Icu, IsolationWard, InternalMedicine, Respiratory],
            Self::Shelter => &[IsolationWard, InternalMedicine, Respiratory],
            Self::MaternalChild => &[Emergency, Icu, FeverClinic, Maternity, Pediatrics],
            Self::Children => {
                &[Emergency, Icu, FeverClinic, Neurosurgery, GeneralSurgery, Cardiology, Pediatrics, Orthopedics]
            }
            Self::Cardiac => &[Emergency, Icu, Cardiology, InternalMedicine],
            Self::Oncology => &[Icu, OncologySurgery, GeneralSurgery, InternalMedicine],
            Self::Chest => &[Icu, OncologySurgery, GeneralSurgery, Cardiology, InternalMedicine, Respiratory],
            Self::Tcm => {
                &[Emergency, Icu, FeverClinic, Dialysis, GeneralSurgery, InternalMedicine, Respiratory, Orthopedics]
            }
        }
    }

    /// Share of the bed total that is ICU.
    pub(crate) fn icu_share(self) -> f64 {
        match self {
            Self::Comprehensive => 0.05,
            Self::Infectious => 0.08,
            Self::Field => 0.06,
            Self::Cardiac => 0.10,
            Self::Children | Self::Chest => 0.06,
            Self::MaternalChild | Self::Oncology => 0.04,
            Self::District | Self::Tcm => 0.03,
            Self::Shelter => 0.0,
        }
    }

    /// Share of the bed total that is isolation before any conversion.
    pub(crate) fn isolation_share(self) -> f64 {
        match self {
            Self::Infectious => 0.6,
            Self::Field | Self::Shelter => 1.0,
            Self::Comprehensive => 0.03,
            _ => 0.015,
        }
    }

    /// Whether the site keeps ordinary ward beds (field and shelter hospitals do not).
    pub(crate) fn has_general_ward(self) -> bool {
        !matches!(self, Self::Field | Self::Shelter)
    }
}

/// Which story a facility's occupancy follows over the 14 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Load {
    /// Wuhan, virus-designated: wards converted, occupancy climbing to and past staffed.
    WuhanVirus,
    /// Wuhan shelter hospital: opens empty, fills within days.
    WuhanShelter,
    /// Wuhan, kept for non-virus patients: everyone displaced arrives here.
    WuhanStrained,
    /// Elsewhere in Hubei, virus-designated.
    HubeiVirus,
    /// Elsewhere in Hubei, not designated: busy.
    HubeiBusy,
    /// Beijing, December 2022: a wave rising through the window while staff fall sick.
    BeijingSurge,
    /// Ordinary occupancy, 60–85 %.
    Normal,
}

/// A designation order, possibly covering many facilities (the authorities designate in
/// batches).
#[derive(Debug)]
pub(crate) struct Order {
    pub designation: Designation,
    /// Effective this many hours before `now`.
    pub hours_before: i64,
    pub number: &'static str,
    pub reason: &'static str,
    pub by: &'static str,
    /// The site opens when the order takes effect (built or converted for it): no history
    /// before.
    pub opens: bool,
}

/// One facility of the demo as data.
#[derive(Debug)]
pub(crate) struct Site {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// GB/T 2260 code of the district (or county) it stands in.
    pub region: &'static str,
    /// Known coordinates (lon, lat); otherwise placed near the district centre.
    pub at: Option<(f64, f64)>,
    /// Street address after the region names; empty when not known.
    pub street: &'static str,
    pub level: FacilityLevel,
    pub profile: Profile,
    /// Nominal general + isolation + ICU beds.
    pub beds: u32,
    pub order: Option<&'static Order>,
    pub load: Load,
}

#[allow(clippy::too_many_arguments)]
const fn site(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    region: &'static str,
    level: FacilityLevel,
    profile: Profile,
    beds: u32,
    order: Option<&'static Order>,
    load: Load,
) -> Site {
    Site { key, zh, en, region, at: None, street: "", level, profile, beds, order, load }
}

impl Site {
    const fn at(mut self, lon: f64, lat: f64) -> Self {
        self.at = Some((lon, lat));
        self
    }
    const fn street(mut self, street: &'static str) -> Self {
        self.street = street;
        self
    }
}

use Designation::{NonVirusCritical, NonVirusEmergency, VirusDesignated};
use FacilityLevel::{Secondary, Temporary, Tertiary};
use Load::*;
use Profile::*;

// ---------------------------------------------------------------------------------------------
// Orders

static WUHAN_VIRUS_1: Order = Order {
    designation: VirusDesignated,
    hours_before: 330,
    number: "武防指〔2020〕12号",
    reason: "集中收治新冠肺炎确诊重症及疑似患者，腾空普通病区改作隔离病区。 / Concentrate confirmed severe and suspected COVID-19 patients; empty general wards and convert them to isolation wards.",
    by: "wuhan",
    opens: false,
};
static WUHAN_VIRUS_2: Order = Order {
    designation: VirusDesignated,
    hours_before: 316,
    number: "武防指〔2020〕17号",
    reason: "第二批定点医院：扩充新冠肺炎收治床位，应收尽收。 / Second batch of designated hospitals: expand COVID-19 beds so every confirmed patient is admitted.",
    by: "wuhan",
    opens: false,
};
static WUHAN_HUOSHENSHAN: Order = Order {
    designation: VirusDesignated,
    hours_before: 336,
    number: "武防指〔2020〕9号",
    reason: "火神山医院交付使用，收治新冠肺炎确诊患者。 / Huoshenshan Hospital handed over: admits confirmed COVID-19 patients.",
    by: "wuhan",
    opens: true,
};
static WUHAN_LEISHENSHAN: Order = Order {
    designation: VirusDesignated,
    hours_before: 190,
    number: "武防指〔2020〕24号",
    reason: "雷神山医院交付使用，收治新冠肺炎确诊患者。 / Leishenshan Hospital handed over: admits confirmed COVID-19 patients.",
    by: "wuhan",
    opens: true,
};
static WUHAN_CRITICAL: Order = Order {
    designation: NonVirusCritical,
    hours_before: 314,
    number: "武防指〔2020〕19号",
    reason: "保障非新冠肺炎危重症患者救治（手术、透析、肿瘤、卒中、心梗、孕产妇）。 / Keep critical care open for non-COVID patients (surgery, dialysis, cancer, stroke, heart attack, childbirth).",
    by: "wuhan",
    opens: false,
};
static WUHAN_EMERGENCY: Order = Order {
    designation: NonVirusEmergency,
    hours_before: 314,
    number: "武防指〔2020〕20号",
    reason: "保障非新冠肺炎急诊患者就医。 / Keep emergency care open for non-COVID patients.",
    by: "wuhan",
    opens: false,
};
static WUHAN_SHELTER_1: Order = Order {
    designation: VirusDesignated,
    hours_before: 250,
    number: "武防指〔2020〕21号",
    reason: "首批方舱医院启用，收治轻症确诊患者。 / First shelter hospitals open: admit mild confirmed cases.",
    by: "wuhan",
    opens: true,
};
static WUHAN_SHELTER_2: Order = Order {
    designation: VirusDesignated,
    hours_before: 180,
    number: "武防指〔2020〕27号",
    reason:
        "第二批方舱医院启用，收治轻症确诊患者。 / Second batch of shelter hospitals open: admit mild confirmed cases.",
    by: "wuhan",
    opens: true,
};
static WUHAN_SHELTER_3: Order = Order {
    designation: VirusDesignated,
    hours_before: 150,
    number: "武防指〔2020〕30号",
    reason: "第三批方舱医院启用（体育馆、学校），收治轻症确诊患者。 / Third batch of shelter hospitals open (gymnasiums, schools): admit mild confirmed cases.",
    by: "wuhan",
    opens: true,
};
static HUBEI_VIRUS: Order = Order {
    designation: VirusDesignated,
    hours_before: 330,
    number: "鄂防指〔2020〕6号",
    reason: "各市州确定新冠肺炎定点救治医院，集中收治确诊患者。 / Each city designates COVID-19 hospitals to concentrate confirmed patients.",
    by: "hubei",
    opens: false,
};
static BEIJING_VIRUS: Order = Order {
    designation: VirusDesignated,
    hours_before: 320,
    number: "京疫防控〔2022〕52号",
    reason:
        "新冠重症患者定点救治，扩充重症床位。 / Designated for severe COVID-19 patients; expand critical-care beds.",
    by: "beijing",
    opens: false,
};
static BEIJING_EMERGENCY: Order = Order {
    designation: NonVirusEmergency,
    hours_before: 318,
    number: "京疫防控〔2022〕53号",
    reason: "保障创伤等非新冠急诊救治。 / Keep trauma and other non-COVID emergency care open.",
    by: "beijing",
    opens: false,
};
static SHANGHAI_VIRUS: Order = Order {
    designation: VirusDesignated,
    hours_before: 330,
    number: "沪卫医〔2022〕31号",
    reason: "市级新冠肺炎定点救治医院。 / The city's designated COVID-19 hospital.",
    by: "shanghai",
    opens: false,
};

const V1: Option<&Order> = Some(&WUHAN_VIRUS_1);
const V2: Option<&Order> = Some(&WUHAN_VIRUS_2);
const CRIT: Option<&Order> = Some(&WUHAN_CRITICAL);
const EMER: Option<&Order> = Some(&WUHAN_EMERGENCY);
const S1: Option<&Order> = Some(&WUHAN_SHELTER_1);
const S2: Option<&Order> = Some(&WUHAN_SHELTER_2);
const S3: Option<&Order> = Some(&WUHAN_SHELTER_3);

// ---------------------------------------------------------------------------------------------
// Wuhan (420100), February 2020

/// The 46 virus-designated hospitals (火神山 and 雷神山 among them).
#[rustfmt::skip]
pub(crate) static WUHAN_VIRUS: &[Site] = &[
    site("wuhan-jinyintan", "武汉市金银潭医院", "Wuhan Jinyintan Hospital", "420112", Tertiary, Infectious, 800, V1, WuhanVirus)
        .at(114.2416, 30.6579)
        .street("银潭路1号"),
    site("wuhan-huoshenshan", "火神山医院", "Huoshenshan Hospital", "420114", Tertiary, Field, 1000, Some(&WUHAN_HUOSHENSHAN), WuhanVirus)
        .at(114.0869, 30.5304)
        .street("知音湖大道"),
    site("wuhan-leishenshan", "雷神山医院", "Leishenshan Hospital", "420115", Tertiary, Field, 1600, Some(&WUHAN_LEISHENSHAN), WuhanVirus)
        .at(114.2617, 30.4283),
    site("wuhan-pulmonary", "武汉市肺科医院", "Wuhan Pulmonary Hospital", "420102", Tertiary, Infectious, 500, V1, WuhanVirus),
    site("wuhan-tongji-sino-french", "华中科技大学同济医学院附属同济医院中法新城院区", "Tongji Hospital, Sino-French New City Campus", "420114", Tertiary, Comprehensive, 1100, V1, WuhanVirus),
    site("wuhan-tongji-optics-valley", "华中科技大学同济医学院附属同济医院光谷院区", "Tongji Hospital, Optics Valley Campus", "420111", Tertiary, Comprehensive, 900, V1, WuhanVirus),
    site("wuhan-union-west", "华中科技大学同济医学院附属协和医院西院", "Wuhan Union Hospital, West Campus", "420114", Tertiary, Comprehensive, 860, V1, WuhanVirus),
    site("wuhan-union-cancer", "华中科技大学同济医学院附属协和医院肿瘤中心", "Wuhan Union Hospital Cancer Center", "420103", Tertiary, Oncology, 540, V2, WuhanVirus),
    site("wuhan-renmin-east", "武汉大学人民医院东院", "Renmin Hospital of Wuhan University, East Campus", "420111", Tertiary, Comprehensive, 800, V1, WuhanVirus),
    site("wuhan-zhongnan", "武汉大学中南医院", "Zhongnan Hospital of Wuhan University", "420106", Tertiary, Comprehensive, 1000, V1, WuhanVirus)
        .at(114.3555, 30.5545)
        .street("东湖路169号"),
    site("wuhan-first", "武汉市第一医院", "Wuhan No. 1 Hospital", "420104", Tertiary, Comprehensive, 700, V1, WuhanVirus)
        .street("中山大道215号"),
    site("wuhan-central-houhu", "武汉市中心医院后湖院区", "Wuhan Central Hospital, Houhu Campus", "420102", Tertiary, Comprehensive, 700, V1, WuhanVirus),
    site("wuhan-third-shouyi", "武汉市第三医院首义院区", "Wuhan Third Hospital, Shouyi Campus", "420106", Tertiary, Comprehensive, 500, V1, WuhanVirus),
    site("wuhan-third-optics-valley", "武汉市第三医院光谷院区", "Wuhan Third Hospital, Optics Valley Campus", "420111", Tertiary, Comprehensive, 500, V2, WuhanVirus),
    site("wuhan-fourth", "武汉市第四医院古田院区", "Wuhan Fourth Hospital, Gutian Campus", "420104", Tertiary, Comprehensive, 400, V1, WuhanVirus),
    site("wuhan-fifth", "武汉市第五医院", "Wuhan Fifth Hospital", "420105", Tertiary, Comprehensive, 500, V1, WuhanVirus),
    site("wuhan-sixth", "武汉市第六医院", "Wuhan Sixth Hospital", "420102", Tertiary, Comprehensive, 500, V1, WuhanVirus),
    site("wuhan-seventh", "武汉市第七医院", "Wuhan Seventh Hospital", "420106", Tertiary, Comprehensive, 400, V1, WuhanVirus),
    site("wuhan-eighth", "武汉市第八医院", "Wuhan Eighth Hospital", "420102", Secondary, District, 300, V2, WuhanVirus),
    site("wuhan-ninth", "武汉市第九医院", "Wuhan Ninth Hospital", "420107", Secondary, District, 400, V1, WuhanVirus),
    site("wuhan-hankou", "武汉市汉口医院", "Wuhan Hankou Hospital", "420102", Secondary, District, 450, V1, WuhanVirus),
    site("wuhan-red-cross", "武汉市红十字会医院", "Wuhan Red Cross Hospital", "420103", Secondary, District, 400, V1, WuhanVirus),
    site("wuhan-wuchang", "武汉市武昌医院", "Wuhan Wuchang Hospital", "420106", Tertiary, Comprehensive, 400, V1, WuhanVirus),
    site("wuhan-hanyang", "武汉市汉阳医院", "Wuhan Hanyang Hospital", "420105", Secondary, District, 350, V2, WuhanVirus),
    site("wuhan-hubei-integrated", "湖北省中西医结合医院", "Hubei Provincial Hospital of Integrated Chinese and Western Medicine", "420104", Tertiary, Tcm, 600, V1, WuhanVirus),
    site("wuhan-hubei-tcm-optics-valley", "湖北省中医院光谷院区", "Hubei Provincial Hospital of Traditional Chinese Medicine, Optics Valley Campus", "420111", Tertiary, Tcm, 500, V2, WuhanVirus),
    site("wuhan-tcm", "武汉市中医医院", "Wuhan Hospital of Traditional Chinese Medicine", "420102", Tertiary, Tcm, 350, V2, WuhanVirus),
    site("wuhan-hubei-third", "湖北省第三人民医院", "Hubei Third People's Hospital", "420106", Tertiary, Comprehensive, 500, V1, WuhanVirus),
    site("wuhan-tianyou", "武汉科技大学附属天佑医院", "Tianyou Hospital of Wuhan University of Science and Technology", "420106", Tertiary, Comprehensive, 600, V1, WuhanVirus),
    site("wuhan-wisco-second", "武钢二医院", "WISCO Second Hospital", "420107", Secondary, District, 350, V2, WuhanVirus),
    site("wuhan-puren", "武汉市普仁医院", "Wuhan Puren Hospital", "420107", Tertiary, Comprehensive, 500, V1, WuhanVirus),
    site("wuhan-liyuan", "华中科技大学同济医学院附属梨园医院", "Liyuan Hospital of Tongji Medical College", "420106", Tertiary, Comprehensive, 400, V2, WuhanVirus),
    site("wuhan-central-theater", "中部战区总医院", "General Hospital of Central Theater Command", "420106", Tertiary, Comprehensive, 800, V1, WuhanVirus),
    site("wuhan-hubei-maternal-optics-valley", "湖北省妇幼保健院光谷院区", "Maternal and Child Health Hospital of Hubei, Optics Valley Campus", "420111", Tertiary, MaternalChild, 300, V2, WuhanVirus),
    site("wuhan-taikang-tongji", "泰康同济（武汉）医院", "Taikang Tongji (Wuhan) Hospital", "420105", Tertiary, Comprehensive, 860, V2, WuhanVirus),
    site("wuhan-672-orthopaedic", "湖北六七二中西医结合骨科医院", "Hubei 672 Orthopaedics Hospital of Integrated Chinese and Western Medicine", "420111", Secondary, Tcm, 300, V2, WuhanVirus),
    site("wuhan-xinzhou", "新洲区人民医院", "Xinzhou District People's Hospital", "420117", Secondary, District, 600, V1, WuhanVirus),
    site("wuhan-huangpi", "黄陂区人民医院", "Huangpi District People's Hospital", "420116", Secondary, District, 700, V1, WuhanVirus),
    site("wuhan-jiangxia-first", "江夏区第一人民医院", "Jiangxia District No. 1 People's Hospital", "420115", Secondary, District, 600, V1, WuhanVirus),
    site("wuhan-caidian", "蔡甸区人民医院", "Caidian District People's Hospital", "420114", Secondary, District, 500, V1, WuhanVirus),
    site("wuhan-hannan", "汉南区人民医院", "Hannan District People's Hospital", "420113", Secondary, District, 250, V2, WuhanVirus),
    site("wuhan-dongxihu", "东西湖区人民医院", "Dongxihu District People's Hospital", "420112", Secondary, District, 400, V1, WuhanVirus),
    site("wuhan-huangpi-tcm", "黄陂区中医医院", "Huangpi District Hospital of Traditional Chinese Medicine", "420116", Secondary, Tcm, 300, V2, WuhanVirus),
    site("wuhan-xinzhou-tcm", "新洲区中医医院", "Xinzhou District Hospital of Traditional Chinese Medicine", "420117", Secondary, Tcm, 250, V2, WuhanVirus),
    site("wuhan-jiangxia-tcm", "江夏区中医医院", "Jiangxia District Hospital of Traditional Chinese Medicine", "420115", Secondary, Tcm, 250, V2, WuhanVirus),
    site("wuhan-caidian-tcm", "蔡甸区中医医院", "Caidian District Hospital of Traditional Chinese Medicine", "420114", Secondary, Tcm, 200, V2, WuhanVirus),
];

/// The 6 hospitals kept for critical non-virus patients.
#[rustfmt::skip]
pub(crate) static WUHAN_CRITICAL_SITES: &[Site] = &[
    site("wuhan-union", "华中科技大学同济医学院附属协和医院", "Wuhan Union Hospital (Union Hospital, Tongji Medical College, HUST)", "420103", Tertiary, Comprehensive, 2000, CRIT, WuhanStrained)
        .at(114.2746, 30.5838)
        .street("解放大道1277号"),
    site("wuhan-tongji", "华中科技大学同济医学院附属同济医院（主院区）", "Tongji Hospital (Main Campus)", "420104", Tertiary, Comprehensive, 2000, CRIT, WuhanStrained)
        .at(114.2614, 30.5822)
        .street("解放大道1095号"),
    site("wuhan-renmin", "湖北省人民医院（武汉大学人民医院）", "Hubei General Hospital (Renmin Hospital of Wuhan University)", "420106", Tertiary, Comprehensive, 1800, CRIT, WuhanStrained)
        .street("解放路238号"),
    site("wuhan-central", "武汉市中心医院（南京路院区）", "Wuhan Central Hospital (Nanjing Road Campus)", "420102", Tertiary, Comprehensive, 1200, CRIT, WuhanStrained)
        .street("南京路26号"),
    site("wuhan-childrens", "武汉儿童医院", "Wuhan Children's Hospital", "420102", Tertiary, Children, 800, CRIT, WuhanStrained),
    site("wuhan-hubei-maternal", "湖北省妇幼保健院", "Maternal and Child Health Hospital of Hubei", "420111", Tertiary, MaternalChild, 700, CRIT, WuhanStrained),
];

/// The 15 hospitals kept for non-virus emergencies.
#[rustfmt::skip]
pub(crate) static WUHAN_EMERGENCY_SITES: &[Site] = &[
    site("wuhan-asia-heart", "武汉亚洲心脏病医院", "Wuhan Asia Heart Hospital", "420103", Tertiary, Cardiac, 500, EMER, WuhanStrained),
    site("wuhan-asia-general", "武汉亚心总医院", "Wuhan Asia General Hospital", "420114", Tertiary, Comprehensive, 600, EMER, WuhanStrained),
    site("wuhan-puai", "武汉市普爱医院", "Wuhan Puai Hospital", "420104", Tertiary, Comprehensive, 600, EMER, WuhanStrained),
    site("wuhan-armed-police", "武警湖北省总队医院", "Hubei Armed Police Corps Hospital", "420106", Secondary, District, 300, EMER, WuhanStrained),
    site("wuhan-jiangan-second", "江岸区第二人民医院", "Jiang'an District No. 2 People's Hospital", "420102", Secondary, District, 200, EMER, WuhanStrained),
    site("wuhan-jianghan-second", "江汉区第二人民医院", "Jianghan District No. 2 People's Hospital", "420103", Secondary, District, 200, EMER, WuhanStrained),
    site("wuhan-qiaokou-second", "硚口区第二人民医院", "Qiaokou District No. 2 People's Hospital", "420104", Secondary, District, 200, EMER, WuhanStrained),
    site("wuhan-hanyang-second", "汉阳区第二人民医院", "Hanyang District No. 2 People's Hospital", "420105", Secondary, District, 200, EMER, WuhanStrained),
    site("wuhan-wuchang-second", "武昌区第二人民医院", "Wuchang District No. 2 People's Hospital", "420106", Secondary, District, 250, EMER, WuhanStrained),
    site("wuhan-qingshan-second", "青山区第二人民医院", "Qingshan District No. 2 People's Hospital", "420107", Secondary, District, 200, EMER, WuhanStrained),
    site("wuhan-hongshan-second", "洪山区第二人民医院", "Hongshan District No. 2 People's Hospital", "420111", Secondary, District, 250, EMER, WuhanStrained),
    site("wuhan-dongxihu-second", "东西湖区第二人民医院", "Dongxihu District No. 2 People's Hospital", "420112", Secondary, District, 200, EMER, WuhanStrained),
    site("wuhan-huangpi-second", "黄陂区第二人民医院", "Huangpi District No. 2 People's Hospital", "420116", Secondary, District, 250, EMER, WuhanStrained),
    site("wuhan-xinzhou-second", "新洲区第二人民医院", "Xinzhou District No. 2 People's Hospital", "420117", Secondary, District, 200, EMER, WuhanStrained),
    site("wuhan-jiangxia-second", "江夏区第二人民医院", "Jiangxia District No. 2 People's Hospital", "420115", Secondary, District, 200, EMER, WuhanStrained),
];

/// Converted stadiums, exhibition halls and schools (方舱医院).
#[rustfmt::skip]
pub(crate) static WUHAN_SHELTERS: &[Site] = &[
    site("wuhan-shelter-jianghan", "江汉方舱医院（武汉国际会展中心）", "Jianghan Shelter Hospital (Wuhan International Conference and Exhibition Center)", "420103", Temporary, Shelter, 1560, S1, WuhanShelter),
    site("wuhan-shelter-wuchang", "武昌方舱医院（洪山体育馆）", "Wuchang Shelter Hospital (Hongshan Gymnasium)", "420106", Temporary, Shelter, 780, S1, WuhanShelter),
    site("wuhan-shelter-wuhan-living-room", "武汉客厅方舱医院", "Wuhan Living Room Shelter Hospital", "420112", Temporary, Shelter, 1460, S1, WuhanShelter),
    site("wuhan-shelter-expo", "武汉国际博览中心方舱医院", "Wuhan International Expo Center Shelter Hospital", "420105", Temporary, Shelter, 2000, S2, WuhanShelter),
    site("wuhan-shelter-sports-center", "武汉体育中心方舱医院", "Wuhan Sports Center Shelter Hospital", "420114", Temporary, Shelter, 1100, S2, WuhanShelter),
    site("wuhan-shelter-qiaokou", "硚口体育馆方舱医院", "Qiaokou Gymnasium Shelter Hospital", "420104", Temporary, Shelter, 500, S2, WuhanShelter),
    site("wuhan-shelter-huangpi", "黄陂体育馆方舱医院", "Huangpi Gymnasium Shelter Hospital", "420116", Temporary, Shelter, 500, S3, WuhanShelter),
    site("wuhan-shelter-shipailing", "石牌岭高级职业中学方舱医院", "Shipailing Vocational High School Shelter Hospital", "420111", Temporary, Shelter, 540, S3, WuhanShelter),
    site("wuhan-shelter-dahuashan", "江夏大花山方舱医院", "Jiangxia Dahuashan Shelter Hospital", "420115", Temporary, Shelter, 1000, S3, WuhanShelter),
    site("wuhan-shelter-wisco", "武钢体育中心方舱医院", "WISCO Sports Center Shelter Hospital", "420107", Temporary, Shelter, 800, S3, WuhanShelter),
];

// ---------------------------------------------------------------------------------------------
// The rest of Hubei (420000)

const HV: Option<&Order> = Some(&HUBEI_VIRUS);

#[rustfmt::skip]
pub(crate) static HUBEI_OTHER: &[Site] = &[
    site("huangshi-central", "黄石市中心医院", "Huangshi Central Hospital", "420202", Tertiary, Comprehensive, 1200, HV, HubeiVirus),
    site("yichang-central", "宜昌市中心人民医院", "Yichang Central People's Hospital", "420502", Tertiary, Comprehensive, 1500, None, HubeiBusy),
    site("xiangyang-central", "襄阳市中心医院", "Xiangyang Central Hospital", "420602", Tertiary, Comprehensive, 1400, HV, HubeiVirus),
    site("jingzhou-central", "荆州市中心医院", "Jingzhou Central Hospital", "421002", Tertiary, Comprehensive, 1300, None, HubeiBusy),
    site("xiaogan-central", "孝感市中心医院", "Xiaogan Central Hospital", "420902", Tertiary, Comprehensive, 1100, HV, HubeiVirus),
    site("huanggang-central", "黄冈市中心医院", "Huanggang Central Hospital", "421102", Tertiary, Comprehensive, 1000, HV, HubeiVirus),
    site("shiyan-taihe", "十堰市太和医院", "Taihe Hospital, Shiyan", "420302", Tertiary, Comprehensive, 1600, None, HubeiBusy),
];

// ---------------------------------------------------------------------------------------------
// Beijing (110000), December 2022

const BV: Option<&Order> = Some(&BEIJING_VIRUS);

#[rustfmt::skip]
pub(crate) static BEIJING: &[Site] = &[
    site("beijing-pumch", "北京协和医院", "Peking Union Medical College Hospital", "110101", Tertiary, Comprehensive, 2000, None, BeijingSurge)
        .at(116.4176, 39.9127)
        .street("帅府园1号"),
    site("beijing-pku-first", "北京大学第一医院", "Peking University First Hospital", "110102", Tertiary, Comprehensive, 1500, None, BeijingSurge),
    site("beijing-pku-peoples", "北京大学人民医院", "Peking University People's Hospital", "110102", Tertiary, Comprehensive, 1700, None, BeijingSurge),
    site("beijing-pku-third", "北京大学第三医院", "Peking University Third Hospital", "110108", Tertiary, Comprehensive, 1900, None, BeijingSurge),
    site("beijing-chaoyang", "首都医科大学附属北京朝阳医院", "Beijing Chao-Yang Hospital", "110105", Tertiary, Comprehensive, 1900, None, BeijingSurge),
    site("beijing-tiantan", "首都医科大学附属北京天坛医院", "Beijing Tiantan Hospital", "110106", Tertiary, Comprehensive, 1650, None, BeijingSurge),
    site("beijing-ditan", "首都医科大学附属北京地坛医院", "Beijing Ditan Hospital", "110105", Tertiary, Infectious, 800, BV, BeijingSurge),
    site("beijing-youan", "首都医科大学附属北京佑安医院", "Beijing Youan Hospital", "110106", Tertiary, Infectious, 800, BV, BeijingSurge),
    site("beijing-xiaotangshan", "北京小汤山医院", "Beijing Xiaotangshan Hospital", "110114", Tertiary, Comprehensive, 600, BV, BeijingSurge),
    site("beijing-tongren", "首都医科大学附属北京同仁医院", "Beijing Tongren Hospital", "110101", Tertiary, Comprehensive, 1400, None, BeijingSurge),
    site("beijing-anzhen", "首都医科大学附属北京安贞医院", "Beijing Anzhen Hospital", "110105", Tertiary, Cardiac, 1500, None, BeijingSurge),
    site("beijing-friendship", "首都医科大学附属北京友谊医院", "Beijing Friendship Hospital", "110102", Tertiary, Comprehensive, 1300, None, BeijingSurge),
    site("beijing-jishuitan", "北京积水潭医院", "Beijing Jishuitan Hospital", "110102", Tertiary, Comprehensive, 1500, Some(&BEIJING_EMERGENCY), BeijingSurge),
    site("beijing-xuanwu", "首都医科大学宣武医院", "Xuanwu Hospital, Capital Medical University", "110102", Tertiary, Comprehensive, 1400, None, BeijingSurge),
    site("beijing-china-japan", "中日友好医院", "China-Japan Friendship Hospital", "110105", Tertiary, Comprehensive, 1600, None, BeijingSurge),
    site("beijing-plagh", "中国人民解放军总医院", "Chinese PLA General Hospital", "110108", Tertiary, Comprehensive, 3000, None, BeijingSurge),
    site("beijing-childrens", "首都医科大学附属北京儿童医院", "Beijing Children's Hospital", "110102", Tertiary, Children, 970, None, BeijingSurge),
    site("beijing-shijitan", "首都医科大学附属北京世纪坛医院", "Beijing Shijitan Hospital", "110108", Tertiary, Comprehensive, 1100, None, BeijingSurge),
    site("beijing-tsinghua-changgung", "北京清华长庚医院", "Beijing Tsinghua Changgung Hospital", "110114", Tertiary, Comprehensive, 1000, None, BeijingSurge),
    site("beijing-tcm", "首都医科大学附属北京中医医院", "Beijing Hospital of Traditional Chinese Medicine", "110101", Tertiary, Tcm, 600, None, BeijingSurge),
    site("beijing-obstetrics", "首都医科大学附属北京妇产医院", "Beijing Obstetrics and Gynecology Hospital", "110105", Tertiary, MaternalChild, 660, None, BeijingSurge),
    site("beijing-pku-international", "北京大学国际医院", "Peking University International Hospital", "110114", Tertiary, Comprehensive, 1200, None, BeijingSurge),
    site("beijing-chuiyangliu", "北京市垂杨柳医院", "Beijing Chuiyangliu Hospital", "110105", Secondary, District, 600, None, BeijingSurge),
    site("beijing-shunyi", "北京市顺义区医院", "Beijing Shunyi District Hospital", "110113", Secondary, District, 800, None, BeijingSurge),
    site("beijing-luhe", "首都医科大学附属北京潞河医院", "Beijing Luhe Hospital", "110112", Tertiary, Comprehensive, 1100, None, BeijingSurge),
    site("beijing-liangxiang", "北京市房山区良乡医院", "Beijing Fangshan District Liangxiang Hospital", "110111", Secondary, District, 600, None, BeijingSurge),
    site("beijing-daxing", "北京市大兴区人民医院", "Beijing Daxing District People's Hospital", "110115", Secondary, District, 800, None, BeijingSurge),
    site("beijing-mentougou", "北京市门头沟区医院", "Beijing Mentougou District Hospital", "110109", Secondary, District, 500, None, BeijingSurge),
];

// ---------------------------------------------------------------------------------------------
// Shanghai (310000): top-tier hospitals

#[rustfmt::skip]
pub(crate) static SHANGHAI: &[Site] = &[
    site("shanghai-ruijin", "上海交通大学医学院附属瑞金医院", "Ruijin Hospital", "310101", Tertiary, Comprehensive, 2100, None, Normal)
        .street("瑞金二路197号"),
    site("shanghai-huashan", "复旦大学附属华山医院", "Huashan Hospital, Fudan University", "310106", Tertiary, Comprehensive, 1400, None, Normal)
        .street("乌鲁木齐中路12号"),
    site("shanghai-zhongshan", "复旦大学附属中山医院", "Zhongshan Hospital, Fudan University", "310104", Tertiary, Comprehensive, 2000, None, Normal)
        .street("枫林路180号"),
    site("shanghai-renji", "上海交通大学医学院附属仁济医院", "Renji Hospital", "310115", Tertiary, Comprehensive, 1900, None, Normal),
    site("shanghai-first", "上海市第一人民医院", "Shanghai General Hospital", "310109", Tertiary, Comprehensive, 1800, None, Normal),
    site("shanghai-sixth", "上海市第六人民医院", "Shanghai Sixth People's Hospital", "310104", Tertiary, Comprehensive, 1800, None, Normal),
    site("shanghai-tenth", "上海市第十人民医院", "Shanghai Tenth People's Hospital", "310106", Tertiary, Comprehensive, 1800, None, Normal),
    site("shanghai-xinhua", "上海交通大学医学院附属新华医院", "Xinhua Hospital", "310110", Tertiary, Comprehensive, 1800, None, Normal),
    site("shanghai-changhai", "海军军医大学第一附属医院（长海医院）", "Changhai Hospital", "310110", Tertiary, Comprehensive, 2000, None, Normal),
    site("shanghai-changzheng", "海军军医大学第二附属医院（长征医院）", "Changzheng Hospital", "310101", Tertiary, Comprehensive, 1200, None, Normal),
    site("shanghai-chest", "上海市胸科医院", "Shanghai Chest Hospital", "310104", Tertiary, Chest, 600, None, Normal),
    site("shanghai-cancer", "复旦大学附属肿瘤医院", "Fudan University Shanghai Cancer Center", "310104", Tertiary, Oncology, 1400, None, Normal),
    site("shanghai-public-health", "上海市公共卫生临床中心", "Shanghai Public Health Clinical Center", "310116", Tertiary, Infectious, 660, Some(&SHANGHAI_VIRUS), Normal),
    site("shanghai-east", "同济大学附属东方医院", "Shanghai East Hospital", "310115", Tertiary, Comprehensive, 1800, None, Normal),
    site("shanghai-ninth", "上海交通大学医学院附属第九人民医院", "Shanghai Ninth People's Hospital", "310101", Tertiary, Comprehensive, 1000, None, Normal),
    site("shanghai-huadong", "复旦大学附属华东医院", "Huadong Hospital, Fudan University", "310106", Tertiary, Comprehensive, 1000, None, Normal),
];

// ---------------------------------------------------------------------------------------------
// The provinces that sent staff: Shandong, Jiangsu, Hunan, Guangdong

#[rustfmt::skip]
pub(crate) static SENDING_PROVINCES: &[Site] = &[
    // Shandong (370000): Jinan and Qingdao
    site("jinan-qilu", "山东大学齐鲁医院", "Qilu Hospital of Shandong University", "370102", Tertiary, Comprehensive, 2000, None, Normal),
    site("jinan-provincial", "山东省立医院", "Shandong Provincial Hospital", "370104", Tertiary, Comprehensive, 1800, None, Normal),
    site("jinan-central", "济南市中心医院", "Jinan Central Hospital", "370102", Tertiary, Comprehensive, 1200, None, Normal),
    site("jinan-qianfoshan", "山东第一医科大学第一附属医院（千佛山医院）", "Shandong Qianfoshan Hospital", "370102", Tertiary, Comprehensive, 1500, None, Normal),
    site("jinan-infectious", "济南市传染病医院", "Jinan Infectious Disease Hospital", "370112", Tertiary, Infectious, 500, None, Normal),
    site("qingdao-university", "青岛大学附属医院", "Affiliated Hospital of Qingdao University", "370202", Tertiary, Comprehensive, 2200, None, Normal),
    site("qingdao-municipal", "青岛市市立医院", "Qingdao Municipal Hospital", "370202", Tertiary, Comprehensive, 1500, None, Normal),
    site("qingdao-central", "青岛市中心医院", "Qingdao Central Hospital", "370203", Tertiary, Comprehensive, 1000, None, Normal),
    site("qingdao-eighth", "青岛市第八人民医院", "Qingdao Eighth People's Hospital", "370213", Secondary, District, 600, None, Normal),
    site("qingdao-jiaozhou-central", "青岛市胶州中心医院", "Qingdao Jiaozhou Central Hospital", "370281", Secondary, District, 700, None, Normal),
    // Jiangsu (320000): Nanjing and Suzhou
    site("nanjing-jiangsu-peoples", "江苏省人民医院", "Jiangsu Province Hospital", "320106", Tertiary, Comprehensive, 3000, None, Normal),
    site("nanjing-drum-tower", "南京鼓楼医院", "Nanjing Drum Tower Hospital", "320106", Tertiary, Comprehensive, 2500, None, Normal),
    site("nanjing-zhongda", "东南大学附属中大医院", "Zhongda Hospital, Southeast University", "320102", Tertiary, Comprehensive, 2000, None, Normal),
    site("nanjing-first", "南京市第一医院", "Nanjing First Hospital", "320104", Tertiary, Comprehensive, 1500, None, Normal),
    site("nanjing-second", "南京市第二医院", "Nanjing Second Hospital", "320106", Tertiary, Infectious, 800, None, Normal),
    site("nanjing-jiangsu-tcm", "江苏省中医院", "Jiangsu Province Hospital of Chinese Medicine", "320104", Tertiary, Tcm, 2000, None, Normal),
    site("suzhou-soochow-first", "苏州大学附属第一医院", "The First Affiliated Hospital of Soochow University", "320508", Tertiary, Comprehensive, 3000, None, Normal),
    site("suzhou-soochow-second", "苏州大学附属第二医院", "The Second Affiliated Hospital of Soochow University", "320508", Tertiary, Comprehensive, 2000, None, Normal),
    site("suzhou-municipal", "苏州市立医院", "Suzhou Municipal Hospital", "320508", Tertiary, Comprehensive, 1800, None, Normal),
    site("suzhou-kunshan-first", "昆山市第一人民医院", "Kunshan First People's Hospital", "320583", Tertiary, Comprehensive, 1200, None, Normal),
    site("suzhou-changshu-first", "常熟市第一人民医院", "Changshu No. 1 People's Hospital", "320581", Secondary, District, 900, None, Normal),
    // Hunan (430000): Changsha, Zhuzhou, Yueyang, Hengyang
    site("changsha-xiangya", "中南大学湘雅医院", "Xiangya Hospital, Central South University", "430105", Tertiary, Comprehensive, 3500, None, Normal),
    site("changsha-xiangya-second", "中南大学湘雅二医院", "The Second Xiangya Hospital", "430102", Tertiary, Comprehensive, 3500, None, Normal),
    site("changsha-xiangya-third", "中南大学湘雅三医院", "The Third Xiangya Hospital", "430104", Tertiary, Comprehensive, 2000, None, Normal),
    site("changsha-hunan-peoples", "湖南省人民医院", "Hunan Provincial People's Hospital", "430102", Tertiary, Comprehensive, 3000, None, Normal),
    site("changsha-first", "长沙市第一医院", "The First Hospital of Changsha", "430105", Tertiary, Comprehensive, 1500, None, Normal),
    site("changsha-central", "长沙市中心医院", "Changsha Central Hospital", "430111", Tertiary, Comprehensive, 1500, None, Normal),
    site("changsha-hunan-cancer", "湖南省肿瘤医院", "Hunan Cancer Hospital", "430104", Tertiary, Oncology, 1700, None, Normal),
    site("changsha-hunan-childrens", "湖南省儿童医院", "Hunan Children's Hospital", "430111", Tertiary, Children, 1500, None, Normal),
    site("zhuzhou-central", "株洲市中心医院", "Zhuzhou Central Hospital", "430211", Tertiary, Comprehensive, 1800, None, Normal),
    site("yueyang-first", "岳阳市一人民医院", "Yueyang First People's Hospital", "430602", Tertiary, Comprehensive, 1600, None, Normal),
    site("hengyang-nanhua-first", "南华大学附属第一医院", "The First Affiliated Hospital of University of South China", "430408", Tertiary, Comprehensive, 2500, None, Normal),
    // Guangdong (440000): Guangzhou and Shenzhen
    site("guangzhou-sysu-first", "中山大学附属第一医院", "The First Affiliated Hospital, Sun Yat-sen University", "440104", Tertiary, Comprehensive, 3000, None, Normal),
    site("guangzhou-gd-provincial", "广东省人民医院", "Guangdong Provincial People's Hospital", "440104", Tertiary, Comprehensive, 3000, None, Normal),
    site("guangzhou-nanfang", "南方医科大学南方医院", "Nanfang Hospital, Southern Medical University", "440111", Tertiary, Comprehensive, 2500, None, Normal),
    site("guangzhou-gmu-first", "广州医科大学附属第一医院", "The First Affiliated Hospital of Guangzhou Medical University", "440104", Tertiary, Comprehensive, 1700, None, Normal),
    site("guangzhou-eighth", "广州市第八人民医院", "Guangzhou Eighth People's Hospital", "440111", Tertiary, Infectious, 1000, None, Normal),
    site("guangzhou-sun-yat-sen-memorial", "中山大学孙逸仙纪念医院", "Sun Yat-sen Memorial Hospital", "440104", Tertiary, Comprehensive, 1900, None, Normal),
    site("guangzhou-sysu-third", "中山大学附属第三医院", "The Third Affiliated Hospital, Sun Yat-sen University", "440106", Tertiary, Comprehensive, 2000, None, Normal),
    site("shenzhen-peoples", "深圳市人民医院", "Shenzhen People's Hospital", "440303", Tertiary, Comprehensive, 2000, None, Normal),
    site("shenzhen-pku", "北京大学深圳医院", "Peking University Shenzhen Hospital", "440304", Tertiary, Comprehensive, 1600, None, Normal),
    site("shenzhen-third", "深圳市第三人民医院", "Shenzhen Third People's Hospital", "440307", Tertiary, Infectious, 1200, None, Normal),
    site("shenzhen-hku", "香港大学深圳医院", "The University of Hong Kong-Shenzhen Hospital", "440304", Tertiary, Comprehensive, 1700, None, Normal),
];

/// Facilities that stop reporting some hours before `now`, so dashboards show them stale.
pub(crate) const STALE_KEYS: &[&str] =
    &["wuhan-qingshan-second", "wuhan-shelter-huangpi", "huanggang-central", "beijing-mentougou"];

/// Approximate centres (lon, lat) of districts the division table publishes none for.
#[rustfmt::skip]
pub(crate) const DISTRICT_CENTRES: &[(&str, f64, f64)] = &[
    // Wuhan
    ("420102", 114.309, 30.600),
    ("420103", 114.270, 30.601),
    ("420104", 114.215, 30.582),
    ("420105", 114.219, 30.554),
    ("420106", 114.316, 30.554),
    ("420107", 114.385, 30.640),
    ("420111", 114.343, 30.500),
    ("420112", 114.137, 30.620),
    ("420113", 114.081, 30.309),
    ("420114", 114.029, 30.582),
    ("420115", 114.321, 30.375),
    ("420116", 114.375, 30.882),
    ("420117", 114.801, 30.841),
    // Other Hubei cities
    ("420202", 115.088, 30.223),
    ("420302", 110.813, 32.596),
    ("420502", 111.290, 30.710),
    ("420602", 112.134, 32.011),
    ("420902", 113.911, 30.917),
    ("421002", 112.256, 30.316),
    ("421102", 114.880, 30.447),
    // Shandong
    ("370102", 117.076, 36.666),
    ("370104", 116.901, 36.651),
    ("370112", 117.065, 36.680),
    ("370202", 120.395, 36.070),
    ("370203", 120.375, 36.088),
    ("370213", 120.433, 36.145),
    ("370281", 120.034, 36.265),
    // Jiangsu
    ("320102", 118.797, 32.049),
    ("320104", 118.794, 32.025),
    ("320106", 118.770, 32.066),
    ("320508", 120.617, 31.311),
    ("320581", 120.752, 31.654),
    ("320583", 120.981, 31.386),
    // Hunan
    ("430102", 113.032, 28.186),
    ("430104", 112.931, 28.235),
    ("430105", 112.986, 28.256),
    ("430111", 113.036, 28.136),
    ("430211", 113.082, 27.831),
    ("430408", 112.571, 26.894),
    ("430602", 113.129, 29.357),
    // Guangdong
    ("440104", 113.267, 23.129),
    ("440106", 113.361, 23.125),
    ("440111", 113.273, 23.158),
    ("440303", 114.131, 22.548),
    ("440304", 114.055, 22.521),
    ("440307", 114.247, 22.720),
];
