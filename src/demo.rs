//! The demo service hall: 四平市政务服务中心 with its departments, windows, staff, catalogue, 90 days of
//! cases, attendance punches, evaluations and complaints.
//!
//! Generation is pure and deterministic for a seed and a `now`; the result is written as the interchange
//! files a real hall would hand over (`DIR/import/`), and those files are imported through the same
//! parser and `Store::import` path as any real data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _, Utc, Weekday};
use rand::seq::SliceRandom as _;
use rand::{Rng as _, RngCore as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, FixedClock};
use crate::domain::access::Role;
use crate::domain::alerts::Rule;
use crate::domain::alerts::RuleBook;
use crate::domain::calendar::Calendar;
use crate::domain::model::{
    CaseEvent, CatalogueItem, ComplaintChannel, Department, Document, Evaluation, Fen, Hall, Leave, LeaveKind, Staff,
    Step, SuspendReason, Window,
};
use crate::domain::time;
use crate::interchange::{self, ImportKind, PunchRecord, write};
use crate::store::sqlite::{SqliteStore, salt_from_bytes};
use crate::store::{HallSetup, ImportReport, NewCamera, NewComplaint, NewNotice, NewUser, Store as _, StoreError};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "jiancha-demo";
pub const DEFAULT_SEED: u64 = 201_237;
pub const HALL_CODE: &str = "SP-CITY";
/// Days of history before today.
pub const HISTORY_DAYS: i64 = 90;
/// Where the simulated cameras are served (`jiancha cameras sim`).
pub const SIM_RTSP_PORT: u16 = 8554;

/// (user name, display name, role)
pub const DEMO_USERS: [(&str, &str, Role); 5] = [
    ("supervisor1", "张明", Role::Supervisor),
    ("supervisor2", "李娜", Role::Supervisor),
    ("chief1", "王建国", Role::Chief),
    ("auditor1", "赵敏", Role::Auditor),
    ("admin1", "刘洋", Role::Admin),
];

struct ItemSpec {
    code: &'static str,
    name: &'static str,
    legal: u32,
    promised: u32,
    fee_fen: Fen,
    workflow: &'static str,
    limits: &'static str,
    /// The special procedure this item sometimes needs.
    special: Option<SuspendReason>,
}

struct DepartmentSpec {
    name: &'static str,
    short: &'static str,
    head: &'static str,
    phone: &'static str,
    windows: &'static [&'static str],
    /// Cases per window per working day, as (min, max).
    load: (u32, u32),
    items: &'static [ItemSpec],
}

const fn item(
    code: &'static str,
    name: &'static str,
    legal: u32,
    promised: u32,
    fee_fen: Fen,
    workflow: &'static str,
    limits: &'static str,
) -> ItemSpec {
    ItemSpec { code, name, legal, promised, fee_fen, workflow, limits, special: None }
}

const fn special(spec: ItemSpec, reason: SuspendReason) -> ItemSpec {
    ItemSpec { special: Some(reason), ..spec }
}

const ARC: &str = "accept|review|approve|complete";

const DEPARTMENTS: &[DepartmentSpec] = &[
    DepartmentSpec {
        name: "市市场监督管理局",
        short: "市场监管",
        head: "孙立军",
        phone: "0434-3261101",
        windows: &["A01", "A02", "A03"],
        load: (2, 4),
        items: &[
            item("SCJG-001", "企业设立登记", 15, 3, 0, "accept|review|complete", "1|2|1"),
            item("SCJG-002", "企业变更登记", 15, 3, 0, "accept|review|complete", "1|2|1"),
            item("SCJG-003", "个体工商户设立登记", 15, 0, 0, "accept|complete", ""),
            item("SCJG-004", "食品经营许可", 20, 10, 0, ARC, "1|5|2|2"),
            item("SCJG-005", "药品零售企业经营许可", 30, 15, 0, ARC, "1|8|3|3"),
            special(
                item("SCJG-006", "特种设备使用登记", 15, 5, 0, "accept|review|complete", "1|3|1"),
                SuspendReason::Inspection,
            ),
        ],
    },
    DepartmentSpec {
        name: "市公安局出入境管理支队",
        short: "出入境",
        head: "周海涛",
        phone: "0434-3262210",
        windows: &["A04", "A05"],
        load: (3, 5),
        items: &[
            item("CRJ-001", "普通护照签发", 15, 7, 12000, ARC, "1|3|2|1"),
            item("CRJ-002", "往来港澳通行证签发", 15, 7, 6000, ARC, "1|3|2|1"),
            item("CRJ-003", "往来台湾通行证签发", 15, 7, 6000, ARC, "1|3|2|1"),
            item("CRJ-004", "出入境证件签注", 15, 5, 1500, "accept|review|complete", "1|3|1"),
        ],
    },
    DepartmentSpec {
        name: "市不动产登记中心",
        short: "不动产",
        head: "吴国庆",
        phone: "0434-3263302",
        windows: &["B01", "B02", "B03"],
        load: (2, 5),
        items: &[
            item("BDC-001", "国有建设用地使用权及房屋所有权首次登记", 30, 10, 8000, ARC, "1|5|2|2"),
            item("BDC-002", "房屋所有权转移登记", 30, 5, 8000, ARC, "1|2|1|1"),
            item("BDC-003", "不动产抵押权登记", 30, 3, 8000, "accept|review|complete", "1|1|1"),
            item("BDC-004", "不动产登记资料查询", 1, 0, 0, "accept|complete", ""),
            item("BDC-005", "不动产更正登记", 30, 10, 0, ARC, "1|5|2|2"),
        ],
    },
    DepartmentSpec {
        name: "市住房公积金管理中心",
        short: "公积金",
        head: "郑丽华",
        phone: "0434-3264415",
        windows: &["B04", "B05"],
        load: (2, 4),
        items: &[
            item("GJJ-001", "住房公积金提取", 3, 1, 0, "accept|review|complete", "1|1|1"),
            item("GJJ-002", "住房公积金个人住房贷款", 15, 10, 0, ARC, "1|5|2|2"),
            item("GJJ-003", "住房公积金缴存登记", 5, 0, 0, "accept|complete", ""),
        ],
    },
    DepartmentSpec {
        name: "市税务局",
        short: "税务",
        head: "冯志强",
        phone: "0434-3265520",
        windows: &["B06", "B07", "B08"],
        load: (2, 5),
        items: &[
            item("SW-001", "发票领用", 1, 0, 0, "accept|complete", ""),
            item("SW-002", "税务登记信息变更", 5, 1, 0, "accept|complete", "1|1"),
            item("SW-003", "个人所得税纳税记录开具", 1, 0, 0, "accept|complete", ""),
            item("SW-004", "契税申报", 15, 3, 0, "accept|review|complete", "1|2|1"),
        ],
    },
    DepartmentSpec {
        name: "市人力资源和社会保障局",
        short: "人社",
        head: "陈静",
        phone: "0434-3266631",
        windows: &["C01", "C02"],
        load: (1, 4),
        items: &[
            item("RS-001", "社会保障卡申领", 20, 10, 0, "accept|review|complete", "1|8|2"),
            item("RS-002", "失业保险金申领", 20, 10, 0, ARC, "1|5|2|2"),
            item("RS-003", "职业资格证书补办", 20, 15, 0, ARC, "1|8|3|3"),
        ],
    },
    DepartmentSpec {
        name: "市医疗保障局",
        short: "医保",
        head: "褚卫东",
        phone: "0434-3267740",
        windows: &["C03", "C04"],
        load: (2, 4),
        items: &[
            item("YB-001", "异地就医备案", 1, 0, 0, "accept|complete", ""),
            item("YB-002", "医保关系转移接续", 15, 10, 0, "accept|review|complete", "1|8|2"),
            item("YB-003", "门诊慢特病待遇认定", 20, 15, 0, ARC, "1|10|2|2"),
        ],
    },
    DepartmentSpec {
        name: "市交通运输局",
        short: "交通",
        head: "卫建华",
        phone: "0434-3268851",
        windows: &["C05"],
        load: (0, 2),
        items: &[
            item("JT-001", "道路货物运输经营许可", 20, 10, 0, ARC, "1|5|2|2"),
            item("JT-002", "出租汽车驾驶员从业资格证核发", 20, 10, 0, ARC, "1|5|2|2"),
        ],
    },
    DepartmentSpec {
        name: "市住房和城乡建设局",
        short: "住建",
        head: "蒋文斌",
        phone: "0434-3269962",
        windows: &["C06", "C07"],
        load: (0, 2),
        items: &[
            item("ZJ-001", "建筑工程施工许可证核发", 15, 5, 0, ARC, "1|2|1|1"),
            item("ZJ-002", "商品房预售许可", 20, 10, 0, ARC, "1|5|2|2"),
            special(item("ZJ-003", "建设工程消防验收", 15, 10, 0, ARC, "1|5|2|2"), SuspendReason::Inspection),
        ],
    },
    DepartmentSpec {
        name: "市自然资源局",
        short: "自然资源",
        head: "沈玉兰",
        phone: "0434-3270073",
        windows: &["D01"],
        load: (0, 2),
        items: &[
            item("ZR-001", "建设用地规划许可证核发", 20, 10, 0, ARC, "1|5|2|2"),
            special(item("ZR-002", "建设工程规划许可证核发", 20, 10, 0, ARC, "1|5|2|2"), SuspendReason::Hearing),
        ],
    },
    DepartmentSpec {
        name: "市卫生健康委员会",
        short: "卫健",
        head: "韩光明",
        phone: "0434-3271184",
        windows: &["D02"],
        load: (0, 2),
        items: &[
            special(item("WJ-001", "医疗机构执业登记", 45, 20, 0, ARC, "1|12|4|3"), SuspendReason::Inspection),
            special(item("WJ-002", "公共场所卫生许可", 20, 10, 0, ARC, "1|5|2|2"), SuspendReason::Inspection),
        ],
    },
    DepartmentSpec {
        name: "市生态环境局",
        short: "生态环境",
        head: "杨帆",
        phone: "0434-3272295",
        windows: &["D03"],
        load: (0, 1),
        items: &[
            special(
                item("HB-001", "建设项目环境影响报告表审批", 30, 15, 0, ARC, "1|8|3|3"),
                SuspendReason::ExpertReview,
            ),
            special(item("HB-002", "排污许可证核发", 30, 20, 0, ARC, "1|12|4|3"), SuspendReason::ExpertReview),
        ],
    },
    DepartmentSpec {
        name: "市民政局",
        short: "民政",
        head: "朱红梅",
        phone: "0434-3273306",
        windows: &["D04"],
        load: (1, 3),
        items: &[
            item("MZ-001", "婚姻登记", 0, 0, 0, "accept|complete", ""),
            item("MZ-002", "社会团体成立登记", 60, 30, 0, ARC, "1|20|5|4"),
        ],
    },
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "晓东", "海燕", "建华", "春梅", "志刚", "玉兰", "宏伟", "雪", "鹏", "婷婷",
    "浩然", "子涵", "思远",
];
const COMPANY_WORDS: &[&str] = &[
    "铁东", "铁西", "英雄", "紫气", "南湖", "北门", "东丰", "梨树", "双辽", "伊通", "红嘴", "金达", "宏达", "鑫源",
    "瑞丰", "恒信", "福润", "佳禾", "兴隆", "长青",
];
const COMPANY_KINDS: &[&str] = &[
    "商贸有限公司",
    "餐饮有限公司",
    "建筑工程有限公司",
    "农业发展有限公司",
    "物流有限公司",
    "科技有限公司",
    "房地产开发有限公司",
    "药房",
    "超市",
    "汽车运输有限公司",
];

/// Anomalies planted in the demo, counted per alert rule (RULES.md "Alerts"), for the closing note and
/// for tests of the alert engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planted {
    pub completed_late: u32,
    pub left_open_overdue: u32,
    pub step_overdue: u32,
    pub repeated_supplement: u32,
    pub missing_document: u32,
    pub fee_mismatch: u32,
    pub late_entry: u32,
    pub extra_step: u32,
    pub out_of_order: u32,
    pub not_evaluated: u32,
    pub special_procedures: u32,
    pub supplements: u32,
    pub evaluator_bursts: u32,
}

/// Everything the demo consists of.
#[derive(Debug, Clone)]
pub struct DemoData {
    pub now: DateTime<Utc>,
    pub setup: HallSetup,
    pub items: Vec<CatalogueItem>,
    pub staff: Vec<Staff>,
    pub events: Vec<CaseEvent>,
    pub punches: Vec<PunchRecord>,
    pub leave: Vec<Leave>,
    pub evaluations: Vec<Evaluation>,
    pub complaints: Vec<NewComplaint>,
    pub planted: Planted,
    pub cases: u32,
    /// Seeded salts for the demo users' password hashes, so that the whole database is reproducible.
    salts: Vec<[u8; 16]>,
}

fn local_at(date: NaiveDate, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), second.min(59)).unwrap_or(NaiveTime::MIN);
    time::from_local(date.and_time(t))
}

/// A random instant in the hall's opening hours (08:30–11:30, 13:00–17:00) on `date`.
fn office_time(rng: &mut ChaCha8Rng, date: NaiveDate) -> DateTime<Utc> {
    let minutes = rng.gen_range(0..(180 + 240));
    let start = if minutes < 180 { 8 * 60 + 30 + minutes } else { 13 * 60 + (minutes - 180) };
    local_at(date, start / 60, start % 60, rng.gen_range(0..60))
}

fn person_name(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"王"), GIVEN.choose(rng).unwrap_or(&"伟"))
}

fn applicant(rng: &mut ChaCha8Rng, department: &str) -> String {
    let company_share = match department {
        "市市场监督管理局" | "市住房和城乡建设局" | "市自然资源局" | "市生态环境局" | "市交通运输局" => {
            0.8
        }
        "市税务局" | "市卫生健康委员会" => 0.5,
        _ => 0.1,
    };
    if rng.gen_bool(company_share) {
        format!(
            "四平市{}{}",
            COMPANY_WORDS.choose(rng).unwrap_or(&"铁东"),
            COMPANY_KINDS.choose(rng).unwrap_or(&"商贸有限公司")
        )
    } else {
        person_name(rng)
    }
}

fn parse_item(department: &str, spec: &ItemSpec) -> CatalogueItem {
    let workflow: Vec<Step> = spec.workflow.split('|').filter_map(|s| s.parse().ok()).collect();
    let step_limits = if spec.limits.is_empty() {
        vec![None; workflow.len()]
    } else {
        spec.limits.split('|').map(|l| l.parse().ok()).collect()
    };
    CatalogueItem {
        code: spec.code.into(),
        name: spec.name.into(),
        department: department.into(),
        legal_days: spec.legal,
        promised_days: spec.promised,
        fee_fen: spec.fee_fen,
        workflow,
        step_limits,
    }
}

struct Generator<'a> {
    rng: ChaCha8Rng,
    calendar: &'a Calendar,
    now: DateTime<Utc>,
    events: Vec<CaseEvent>,
    planted: Planted,
}

/// One case being planned.
struct CasePlan<'a> {
    case_no: String,
    item: &'a CatalogueItem,
    special: Option<SuspendReason>,
    window: &'a str,
    staff: [&'a str; 2],
    applicant: String,
}

impl Generator<'_> {
    fn working_day_after(&self, date: NaiveDate, n: u32) -> NaiveDate {
        self.calendar.add_working_days(date, n).map_or(date, |r| r.value)
    }

    fn push(
        &mut self,
        plan: &CasePlan<'_>,
        step: Step,
        at: DateTime<Utc>,
        at_window: bool,
        staff: Option<&str>,
    ) -> usize {
        let lag = Duration::seconds(self.rng.gen_range(3..150));
        self.events.push(CaseEvent {
            case_no: plan.case_no.clone(),
            item_code: plan.item.code.clone(),
            hall: Some(HALL_CODE.into()),
            window: at_window.then(|| plan.window.to_owned()),
            staff_no: if at_window { staff.or(Some(plan.staff[0])).map(str::to_owned) } else { None },
            step,
            occurred_at: at,
            // Entered within seconds, but never after the demo's "now".
            recorded_at: (at + lag).min(self.now).max(at),
            documents: Vec::new(),
            applicant: (step == Step::Accept || step == Step::Submit).then(|| plan.applicant.clone()),
            amount_fen: None,
            rating: None,
            reason: None,
            promised_days: None,
        });
        self.events.len() - 1
    }

    /// A document the step must issue, left out now and then (missing_document).
    fn document(&mut self, index: usize, document: Document, miss_chance: f64) {
        if self.rng.gen_bool(miss_chance) {
            self.planted.missing_document += 1;
        } else if let Some(e) = self.events.get_mut(index) {
            e.documents.push(document);
        }
    }

    /// Plans one case accepted on `day`, pushing its events up to `now`.
    fn case(&mut self, plan: &CasePlan<'_>, day: NaiveDate) {
        let first = self.events.len();
        let on_duty = plan.staff[usize::from(self.rng.gen_bool(0.4))];
        let accept_at = office_time(&mut self.rng, day);
        if accept_at > self.now {
            return;
        }
        if self.rng.gen_bool(0.3) {
            // Applied online beforehand.
            let back = Duration::minutes(self.rng.gen_range(30..3 * 24 * 60));
            self.push(plan, Step::Submit, accept_at - back, false, None);
        }
        let item = plan.item;
        // 2%: not accepted at all.
        if self.rng.gen_bool(0.02) {
            let i = self.push(plan, Step::Reject, accept_at, true, Some(on_duty));
            self.events[i].applicant = Some(plan.applicant.clone());
            self.document(i, Document::NonAcceptanceNotice, 0.1);
            return;
        }
        let accept = self.push(plan, Step::Accept, accept_at, true, Some(on_duty));
        self.document(accept, Document::AcceptanceSlip, 0.01);

        if item.fee_fen > 0 {
            let at = accept_at + Duration::minutes(self.rng.gen_range(2..12));
            let fee = self.push(plan, Step::Fee, at, true, Some(on_duty));
            let amount = if self.rng.gen_bool(0.015) {
                self.planted.fee_mismatch += 1;
                if self.rng.gen_bool(0.5) { item.fee_fen + 2000 } else { item.fee_fen / 2 }
            } else {
                item.fee_fen
            };
            self.events[fee].amount_fen = Some(amount);
        }

        // Working-day offsets from acceptance for each later workflow step.
        let mut offset: u32 = 0;
        let mut cursor = day;
        let mut step_overdue = false;
        let mut intermediate: Vec<(Step, NaiveDate)> = Vec::new();
        let steps: Vec<(Step, Option<u32>)> =
            item.workflow.iter().copied().zip(item.step_limits.iter().copied()).skip(1).collect();
        let budget = item.promised_days;
        let mut supplement_done = item.promised_days == 0;
        let mut special_done = plan.special.is_none();
        for (index, (step, limit)) in steps.iter().enumerate() {
            let is_last = index + 1 == steps.len();
            let remaining_steps = (steps.len() - index - 1) as u32;
            let room = budget.saturating_sub(offset).saturating_sub(remaining_steps.min(1));
            let mut gap = match limit {
                Some(l) => self.rng.gen_range(0..=(*l).min(room)),
                None => 0,
            };
            if is_last && item.promised_days > 0 && offset + gap == 0 {
                gap = u32::from(budget > 0);
            }
            if let Some(l) = limit.filter(|l| *l > 0)
                && !step_overdue
                && self.rng.gen_bool(0.02)
            {
                gap = l + self.rng.gen_range(1..=3);
                step_overdue = true;
                self.planted.step_overdue += 1;
            }
            // The clock stops for material or a special procedure before review.
            if !supplement_done && *step == Step::Review {
                supplement_done = true;
                if self.rng.gen_bool(0.08) {
                    cursor = self.supplement(plan, cursor, on_duty);
                }
            }
            if !special_done && matches!(step, Step::Review | Step::Approve) {
                special_done = true;
                if self.rng.gen_bool(0.4) {
                    cursor = self.special_procedure(plan, cursor);
                }
            }
            offset += gap;
            cursor = self.working_day_after(cursor, gap);
            intermediate.push((*step, cursor));
        }

        // 3%: completion slips past the deadline; 1.2% of older cases are left open and overdue.
        let late = self.rng.gen_bool(0.03);
        let left_open = self.rng.gen_bool(0.012);
        let mut handled_last = false;
        let mut complete_index = None;
        let out_of_order = item.workflow.contains(&Step::Approve) && self.rng.gen_bool(0.004);
        let mut last_at = self
            .events
            .iter()
            .rev()
            .take_while(|e| e.case_no == plan.case_no)
            .map(|e| e.occurred_at)
            .max()
            .unwrap_or(accept_at);
        let deny = item.workflow.contains(&Step::Approve) && self.rng.gen_bool(0.02);
        for (n, (step, mut date)) in intermediate.clone().into_iter().enumerate() {
            let is_last = n + 1 == intermediate.len();
            if is_last && late {
                let extra = item.promised_days.max(1) / 2 + self.rng.gen_range(2..5);
                date = self.working_day_after(date, extra);
            }
            let at_window = step == Step::Complete;
            let mut at = office_time(&mut self.rng, date);
            // Steps on the same day follow each other.
            if at <= last_at {
                at = last_at + Duration::minutes(self.rng.gen_range(5..40));
            }
            last_at = at;
            if at > self.now {
                return self.finish(first);
            }
            if is_last && left_open && date + chrono::Days::new(10) < time::local_date(self.now) {
                self.planted.left_open_overdue += 1;
                return self.finish(first);
            }
            match step {
                Step::Approve if deny => {
                    let i = self.push(plan, Step::Deny, at, false, None);
                    self.document(i, Document::DenialDecision, 0.1);
                    return self.finish(first);
                }
                Step::Approve if out_of_order => continue,
                _ => {}
            }
            let staff = at_window.then_some(plan.staff[usize::from(self.rng.gen_bool(0.3))]);
            let i = self.push(plan, step, at, at_window, staff);
            if step == Step::Complete {
                complete_index = Some(i);
                handled_last = true;
                if out_of_order {
                    // The approval is entered after the case was already completed.
                    let later = at + Duration::minutes(self.rng.gen_range(20..200));
                    self.push(plan, Step::Approve, later, false, None);
                    self.planted.out_of_order += 1;
                }
            }
        }
        if late && handled_last {
            self.planted.completed_late += 1;
        }
        // 0.5%: a step the workflow does not list (an item without review gets one).
        if !item.workflow.contains(&Step::Review) && self.rng.gen_bool(0.01) {
            let at = accept_at + Duration::minutes(self.rng.gen_range(10..60));
            if at < self.now {
                self.push(plan, Step::Review, at, false, None);
                self.planted.extra_step += 1;
            }
        }
        if let Some(ci) = complete_index {
            let done_at = self.events[ci].occurred_at;
            let staff = self.events[ci].staff_no.clone();
            if self.rng.gen_bool(0.93) {
                let at = done_at + Duration::seconds(self.rng.gen_range(20..300));
                if at < self.now {
                    let i = self.push(plan, Step::Evaluate, at, true, staff.as_deref());
                    let roll = self.rng.gen_range(0..100);
                    self.events[i].rating = Some(match roll {
                        0..75 => 5,
                        75..90 => 4,
                        90..95 => 3,
                        95..98 => 2,
                        _ => 1,
                    });
                }
            } else {
                self.planted.not_evaluated += 1;
            }
        }
        self.finish(first);
    }

    /// Supplementary material: request at the window, received some working days later, now and then
    /// a second time (repeated_supplement). Returns the day handling resumes.
    fn supplement(&mut self, plan: &CasePlan<'_>, from: NaiveDate, staff: &str) -> NaiveDate {
        self.planted.supplements += 1;
        let rounds = if self.rng.gen_bool(0.2) { 2 } else { 1 };
        let wait = self.rng.gen_range(0..=1);
        let mut day = self.working_day_after(from, wait);
        for round in 0..rounds {
            let at = office_time(&mut self.rng, day);
            if at > self.now {
                return day;
            }
            let i = self.push(plan, Step::SupplementRequest, at, true, Some(staff));
            self.document(i, Document::MissingDocsNotice, 0.06);
            if round == 1 {
                self.planted.repeated_supplement += 1;
            }
            let wait = self.rng.gen_range(1..=4);
            day = self.working_day_after(day, wait);
            let at = office_time(&mut self.rng, day);
            if at > self.now {
                return day;
            }
            self.push(plan, Step::SupplementReceived, at, false, None);
        }
        day
    }

    /// A special procedure (hearing, inspection, expert review): suspend, resume some days later.
    fn special_procedure(&mut self, plan: &CasePlan<'_>, from: NaiveDate) -> NaiveDate {
        let Some(reason) = plan.special else {
            return from;
        };
        self.planted.special_procedures += 1;
        let wait = self.rng.gen_range(1..=2);
        let day = self.working_day_after(from, wait);
        let at = office_time(&mut self.rng, day);
        if at > self.now {
            return day;
        }
        let i = self.push(plan, Step::Suspend, at, false, None);
        self.events[i].reason = Some(reason);
        let duration = self.rng.gen_range(2..=7);
        let resume = self.working_day_after(day, duration);
        let at = office_time(&mut self.rng, resume);
        if at <= self.now {
            self.push(plan, Step::Resume, at, false, None);
        }
        resume
    }

    /// Marks one event of the case as entered late (late_entry), 1% of cases.
    fn finish(&mut self, first: usize) {
        if self.events.len() > first && self.rng.gen_bool(0.01) {
            let index = self.rng.gen_range(first..self.events.len());
            let e = &mut self.events[index];
            let lag = Duration::hours(self.rng.gen_range(26..80));
            if e.occurred_at + lag <= self.now {
                e.recorded_at = e.occurred_at + lag;
                self.planted.late_entry += 1;
            }
        }
    }
}

/// Generates the demo for `seed` with history up to `now`.
pub fn generate(seed: u64, now: DateTime<Utc>, rules: &RuleBook) -> DemoData {
    let calendar = &rules.calendar;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let today = time::local_date(now);
    let start = today - Duration::days(HISTORY_DAYS);

    // The hall, its departments, windows and cameras.
    let hall = Hall {
        code: HALL_CODE.into(),
        name: "四平市政务服务中心".into(),
        address: "吉林省四平市铁西区英雄大街1999号".into(),
    };
    let mut departments = Vec::new();
    let mut windows = Vec::new();
    let mut cameras = Vec::new();
    let mut items = Vec::new();
    let mut staff = Vec::new();
    let mut window_staff: BTreeMap<&str, [String; 2]> = BTreeMap::new();
    let mut camera_no = 0;
    for d in DEPARTMENTS {
        departments.push(Department {
            name: d.name.into(),
            short_name: d.short.into(),
            head: d.head.into(),
            phone: d.phone.into(),
        });
        for w in d.windows {
            windows.push(Window {
                hall_code: HALL_CODE.into(),
                code: (*w).into(),
                name: format!("{w} {}窗口", d.short),
                department: Some(d.name.into()),
            });
            camera_no += 1;
            cameras.push(NewCamera {
                name: format!("{w} {}", d.short),
                window_code: Some((*w).into()),
                main_url: format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}"),
                sub_url: Some(format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}/sub")),
            });
            let mut pair: [String; 2] = Default::default();
            for slot in &mut pair {
                let n = staff.len() + 1;
                let staff_no = format!("S{n:04}");
                staff.push(Staff {
                    staff_no: staff_no.clone(),
                    name: person_name(&mut rng),
                    department: Some(d.name.into()),
                    window: Some((*w).into()),
                    device_user_id: Some(format!("{}", 100 + n)),
                });
                *slot = staff_no;
            }
            window_staff.insert(w, pair);
        }
        for spec in d.items {
            items.push(parse_item(d.name, spec));
        }
    }
    // A lobby camera not tied to a window.
    camera_no += 1;
    cameras.push(NewCamera {
        name: "大厅全景".into(),
        window_code: None,
        main_url: format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}"),
        sub_url: Some(format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}/sub")),
    });
    let setup = HallSetup { hall, departments, windows, cameras };

    // Cases.
    let mut generator = Generator {
        rng: ChaCha8Rng::seed_from_u64(rng.next_u64()),
        calendar,
        now,
        events: Vec::new(),
        planted: Planted::default(),
    };
    let mut cases = 0u32;
    let mut day = start;
    while day <= today {
        if calendar.is_working_day(day) {
            let mut seq = 0;
            for d in DEPARTMENTS {
                let d_items: Vec<&CatalogueItem> = items.iter().filter(|i| i.department == d.name).collect();
                for w in d.windows {
                    let n = generator.rng.gen_range(d.load.0..=d.load.1);
                    for _ in 0..n {
                        seq += 1;
                        let Some(item) = d_items.choose(&mut generator.rng).copied() else {
                            continue;
                        };
                        let special = d.items.iter().find(|s| s.code == item.code).and_then(|s| s.special);
                        let pair = &window_staff[w];
                        let plan = CasePlan {
                            case_no: format!("SP{}{seq:03}", day.format("%Y%m%d")),
                            item,
                            special,
                            window: w,
                            staff: [pair[0].as_str(), pair[1].as_str()],
                            applicant: applicant(&mut generator.rng, d.name),
                        };
                        let before = generator.events.len();
                        generator.case(&plan, day);
                        if generator.events.len() > before {
                            cases += 1;
                        }
                    }
                }
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    let Generator { events, mut planted, .. } = generator;

    // Attendance: four punches a working day, a few habitual late-comers, leave now and then.
    let mut punches = Vec::new();
    let mut leave = Vec::new();
    let mut habitual: Vec<usize> = (0..staff.len()).collect();
    habitual.shuffle(&mut rng);
    habitual.truncate(4);
    let mut day = start;
    while day <= today {
        if calendar.is_working_day(day) {
            for (index, person) in staff.iter().enumerate() {
                let device_id = person.device_user_id.clone().unwrap_or_default();
                // Punches and leave follow the hall's working hours of the day (the summer hours too).
                let hours = rules.attendance.schedule(Some(HALL_CODE), day);
                let (m, a) = (hours.morning, hours.afternoon);
                if rng.gen_bool(0.02) {
                    let kind = if rng.gen_bool(0.6) { LeaveKind::Leave } else { LeaveKind::Business };
                    let whole_day = rng.gen_bool(0.5);
                    let from = if whole_day { m.start } else { a.start };
                    leave.push(Leave {
                        staff_no: person.staff_no.clone(),
                        start: day.and_time(from),
                        end: day.and_time(a.end),
                        kind,
                    });
                    if whole_day {
                        continue;
                    }
                }
                let late_chance = if habitual.contains(&index) { 0.2 } else { 0.02 };
                let mut times: Vec<NaiveDateTime> = Vec::new();
                let at = |t: chrono::NaiveTime| day.and_time(t);
                let secs = |n: i64| Duration::seconds(n);
                let morning_in = if rng.gen_bool(late_chance) {
                    let minutes = if rng.gen_bool(0.1) { rng.gen_range(30..50) } else { rng.gen_range(1..25) };
                    at(m.start) + Duration::minutes(minutes) + secs(rng.gen_range(0..60))
                } else {
                    at(m.start) - Duration::minutes(25) + secs(rng.gen_range(0..25 * 60))
                };
                times.push(morning_in);
                times.push(at(m.end) + secs(rng.gen_range(0..15 * 60)));
                let afternoon_in = if rng.gen_bool(late_chance / 2.0) {
                    at(a.start) + Duration::minutes(rng.gen_range(1..20))
                } else {
                    at(a.start) - Duration::minutes(25) + secs(rng.gen_range(0..25 * 60))
                };
                times.push(afternoon_in);
                let afternoon_out = if rng.gen_bool(0.01) {
                    at(a.end) - Duration::minutes(30) + secs(rng.gen_range(0..29 * 60))
                } else {
                    at(a.end) + secs(rng.gen_range(0..20 * 60))
                };
                times.push(afternoon_out);
                if rng.gen_bool(0.008) {
                    let drop = rng.gen_range(0..times.len());
                    times.remove(drop);
                }
                if rng.gen_bool(0.01) {
                    // Pressed twice.
                    times.push(times[0] + Duration::seconds(rng.gen_range(2..9)));
                }
                for t in times {
                    if time::from_local(t) <= now {
                        punches.push(PunchRecord {
                            person: device_id.clone(),
                            by_device_user: true,
                            time: t,
                            device: None,
                        });
                    }
                }
            }
            // The cleaner and a visitor are enrolled on the machine too; the import skips them.
            for unknown in ["901", "902"] {
                let t = day.and_hms_opt(7, rng.gen_range(30..59), rng.gen_range(0..59)).unwrap_or_default();
                if time::from_local(t) <= now {
                    punches.push(PunchRecord { person: unknown.into(), by_device_user: true, time: t, device: None });
                }
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    punches.sort_by(|a, b| a.time.cmp(&b.time).then(a.person.cmp(&b.person)));

    // Standalone evaluator records: two suspicious bursts at A05 on the last working day before today.
    let mut evaluations = Vec::new();
    let burst_day = calendar.previous_working_day(today).map_or(today, |r| r.value);
    for (h, m, s) in [(10, 12, 5), (10, 12, 21), (10, 12, 40), (15, 41, 2), (15, 41, 19), (15, 41, 33), (15, 41, 50)] {
        evaluations.push(Evaluation {
            window: "A05".into(),
            time: burst_day.and_hms_opt(h, m, s).unwrap_or_default(),
            rating: 5,
            case_no: None,
        });
    }
    planted.evaluator_bursts = 2;

    // Complaints: phoned in, online and in person.
    let complaints = demo_complaints(&events, today, calendar);

    let mut salts = Vec::new();
    for _ in DEMO_USERS {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        salts.push(salt);
    }

    DemoData { now, setup, items, staff, events, punches, leave, evaluations, complaints, planted, cases, salts }
}

fn demo_complaints(events: &[CaseEvent], today: NaiveDate, calendar: &Calendar) -> Vec<NewComplaint> {
    // The most recent Tuesday before today that was a working day.
    let mut tuesday = today - Duration::days(1);
    for _ in 0..21 {
        if tuesday.weekday() == Weekday::Tue && calendar.is_working_day(tuesday) {
            break;
        }
        tuesday -= Duration::days(1);
    }
    let case_at = |window: &str, date: NaiveDate| {
        events
            .iter()
            .filter(|e| {
                e.step == Step::Accept && e.window.as_deref() == Some(window) && time::local_date(e.occurred_at) == date
            })
            .min_by_key(|e| {
                (time::local_datetime(e.occurred_at).time()
                    - NaiveTime::from_hms_opt(10, 40, 0).unwrap_or(NaiveTime::MIN))
                .num_seconds()
                .abs()
            })
            .map(|e| (e.case_no.clone(), e.staff_no.clone()))
    };
    let (b07_case, b07_staff) = case_at("B07", tuesday).map_or((None, None), |(c, s)| (Some(c), s));
    let older = today - Duration::days(12);
    let b02 = events
        .iter()
        .rfind(|e| {
            e.step == Step::SupplementRequest
                && e.window.as_deref() == Some("B02")
                && time::local_date(e.occurred_at) <= older
        })
        .map(|e| e.case_no.clone());
    let mut list = vec![
        NewComplaint {
            received_at: time::from_local(tuesday.and_hms_opt(15, 20, 0).unwrap_or_default()),
            channel: ComplaintChannel::Phone,
            complainant: "刘女士".into(),
            contact: "139****2716".into(),
            content: "上午10点40分左右在B07窗口办理契税申报，工作人员态度生硬、不耐烦，问两句就让去旁边看公示。".into(),
            case_no: b07_case,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("B07".into()),
            staff_no: b07_staff,
            department: None,
        },
        NewComplaint {
            received_at: time::from_local((today - Duration::days(9)).and_hms_opt(9, 5, 0).unwrap_or_default()),
            channel: ComplaintChannel::Online,
            complainant: "王先生".into(),
            contact: "wang***@163.com".into(),
            content: "办理房屋转移登记，B02窗口两次让补材料，每次只说一部分，来回跑了三趟。".into(),
            case_no: b02,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("B02".into()),
            staff_no: None,
            department: None,
        },
        NewComplaint {
            received_at: time::from_local((today - Duration::days(20)).and_hms_opt(14, 30, 0).unwrap_or_default()),
            channel: ComplaintChannel::InPerson,
            complainant: "赵先生".into(),
            contact: "138****0455".into(),
            content: "出入境窗口只开一个，排队等候一个半小时。".into(),
            case_no: None,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("A04".into()),
            staff_no: None,
            department: None,
        },
        NewComplaint {
            received_at: time::from_local((today - Duration::days(3)).and_hms_opt(16, 10, 0).unwrap_or_default()),
            channel: ComplaintChannel::Online,
            complainant: "匿名".into(),
            contact: String::new(),
            content: "A05窗口工作人员在申请人离开后自己按评价器“非常满意”。".into(),
            case_no: None,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("A05".into()),
            staff_no: None,
            department: None,
        },
    ];
    list.sort_by_key(|c| c.received_at);
    list
}

/// What `write_demo` produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoReport {
    pub database: PathBuf,
    pub import_dir: PathBuf,
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub cases: u32,
    pub events: usize,
    pub punches: usize,
    pub imports: Vec<ImportReport>,
    pub planted: Planted,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Database(#[from] crate::store::sqlite::SqliteError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Input(#[from] interchange::InputErrors),
    #[error("recording the demo footage: {0}")]
    Footage(String),
}

fn write_file(path: &Path, content: &str) -> Result<(), DemoError> {
    std::fs::write(path, content).map_err(|source| DemoError::Io { path: path.to_owned(), source })
}

/// Writes the demo into `dir`: `dir/import/*` (the interchange files) and `dir/jiancha.db`, replacing
/// an existing demo database. The database is built under a temporary name and renamed at the end, so
/// an interrupted run leaves no half-built database behind.
pub fn write_demo(dir: &Path, seed: u64, clock: Arc<dyn Clock>, rules: &RuleBook) -> Result<DemoReport, DemoError> {
    let now = clock.now();
    let data = generate(seed, now, rules);
    let import_dir = dir.join("import");
    std::fs::create_dir_all(&import_dir).map_err(|source| DemoError::Io { path: import_dir.clone(), source })?;
    let files: [(ImportKind, &str, String); 6] = [
        (ImportKind::Items, "items.csv", write::items_csv(&data.items)),
        (ImportKind::Staff, "staff.csv", write::staff_csv(&data.staff)),
        (ImportKind::Events, "events.jsonl", write::events_jsonl(&data.events)),
        (ImportKind::Punches, "attlog.dat", write::attlog(&data.punches)),
        (ImportKind::Leave, "leave.csv", write::leave_csv(&data.leave)),
        (ImportKind::Evaluations, "evaluations.csv", write::evaluations_csv(&data.evaluations)),
    ];
    for (_, name, content) in &files {
        write_file(&import_dir.join(name), content)?;
    }

    let final_path = dir.join(crate::store::sqlite::DB_FILE);
    let temp_path = dir.join(format!("{}.building", crate::store::sqlite::DB_FILE));
    remove_database(&temp_path)?;
    // The reports of an earlier demo would not match the new one.
    let reports = dir.join("reports").join("daily");
    if reports.exists() {
        std::fs::remove_dir_all(&reports).map_err(|source| DemoError::Io { path: reports.clone(), source })?;
    }
    let imports = {
        let clock = Arc::new(FixedClock::new(now));
        let store = SqliteStore::open(&temp_path, clock.clone())?;
        store.set_rules(rules.clone());
        replay(&store, &clock, dir, &data, rules, now)?
    };
    remove_database(&final_path)?;
    std::fs::rename(&temp_path, &final_path).map_err(|source| DemoError::Io { path: final_path.clone(), source })?;
    Ok(DemoReport {
        database: final_path,
        import_dir,
        seed,
        now,
        cases: data.cases,
        events: data.events.len(),
        punches: data.punches.len(),
        imports,
        planted: data.planted,
    })
}

/// Canned reasons supervisors give when closing a violation alert after looking into it.
fn close_reason(rule: Rule, n: usize) -> &'static str {
    let options: &[&str] = match rule {
        Rule::CompletedLate => {
            &["已约谈窗口负责人，超时原因为材料审核复杂，已要求整改", "已核实：申请人要求延期领取，部门已说明情况"]
        }
        Rule::StepOverdue => &["已核实：审核人员外出培训，已提醒部门合理安排", "部门已说明原因并整改"],
        Rule::MissingDocument => &["已核实，窗口已补发文书", "已提醒窗口规范出具文书"],
        Rule::LateEntry => &["已核实：系统故障期间线下受理，已补录", "已提醒窗口及时录入，纳入周提示单"],
        Rule::FeeMismatch => &["已责令窗口退还多收费用", "已核实减免依据（困难群众减免）"],
        Rule::RepeatedSupplement => &["已核实补正内容，已提醒一次性告知", "已约谈窗口工作人员"],
        Rule::ExtraStep | Rule::OutOfOrder => &["已核实：系统操作失误，已更正", "已要求部门按事项流程办理"],
        _ => &["已核实"],
    };
    options[n % options.len()]
}

/// Builds the database as the hall would have lived through the 90 days: data arrives day by day,
/// supervisors log in each working morning, run the daily check, close violation alerts they looked
/// into, issue supervision notices for seriously overdue cases, and departments reply (most in time,
/// some late, a few never). The clock moves with it, so the audit log reads like a real one.
fn replay(
    store: &SqliteStore,
    clock: &FixedClock,
    dir: &Path,
    data: &DemoData,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<Vec<ImportReport>, DemoError> {
    let calendar = &rules.calendar;
    let today = time::local_date(now);
    let first = today - Duration::days(HISTORY_DAYS);
    let at = |date: NaiveDate, h: u32, m: u32| local_at(date, h, m, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(data.salts.first().map_or(7, |s| u64::from(s[0])));
    let mut imports: BTreeMap<ImportKind, ImportReport> = BTreeMap::new();
    let mut record = |report: ImportReport| {
        let kind = report.kind.unwrap_or(ImportKind::Events);
        let total = imports.entry(kind).or_insert_with(|| ImportReport {
            source: format!("import/{}", kind.as_str()),
            kind: Some(kind),
            ..ImportReport::default()
        });
        total.records += report.records;
        total.inserted += report.inserted;
        total.updated += report.updated;
        total.unchanged += report.unchanged;
        total.skipped_unknown_people += report.skipped_unknown_people;
        total.alerts_changed += report.alerts_changed;
    };

    // A week before the period (online applications start early): the hall, the accounts, the
    // catalogue, staff and approved leave.
    clock.set(at(first - Duration::days(7), 17, 0));
    let system = store.system_session();
    store.configure_hall(&system, &data.setup)?;
    for ((username, display_name, role), salt) in DEMO_USERS.iter().zip(&data.salts) {
        let user = NewUser {
            username: (*username).into(),
            display_name: (*display_name).into(),
            role: *role,
            password: DEMO_PASSWORD.into(),
        };
        store.create_user_with_salt(&system, &user, &salt_from_bytes(salt)?)?;
    }
    let parse_import = |kind: ImportKind, name: &str, content: &str| -> Result<ImportReport, DemoError> {
        let batch = interchange::parse(kind, name, content)?;
        Ok(store.import(&system, &batch)?)
    };
    record(parse_import(ImportKind::Items, "import/items.csv", &write::items_csv(&data.items))?);
    record(parse_import(ImportKind::Staff, "import/staff.csv", &write::staff_csv(&data.staff))?);
    record(parse_import(ImportKind::Leave, "import/leave.csv", &write::leave_csv(&data.leave))?);

    // Data per local day of entry.
    let mut events_by_day: BTreeMap<NaiveDate, Vec<CaseEvent>> = BTreeMap::new();
    for e in &data.events {
        events_by_day.entry(time::local_date(e.recorded_at)).or_default().push(e.clone());
    }
    let mut punches_by_day: BTreeMap<NaiveDate, Vec<PunchRecord>> = BTreeMap::new();
    for p in &data.punches {
        punches_by_day.entry(p.time.date()).or_default().push(p.clone());
    }
    let mut evaluations_by_day: BTreeMap<NaiveDate, Vec<Evaluation>> = BTreeMap::new();
    for e in &data.evaluations {
        evaluations_by_day.entry(e.time.date()).or_default().push(e.clone());
    }

    let mut replies: Vec<(NaiveDate, i64, usize)> = Vec::new();
    let mut handled: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let mut noticed: std::collections::HashSet<i64> = std::collections::HashSet::new();
    // Online applications submitted a few days before the period are delivered from their own day on.
    let mut day = events_by_day.keys().next().copied().map_or(first, |d| d.min(first));
    let mut working_day_index = 0usize;
    while day <= today {
        let working = calendar.is_working_day(day);
        if working && at(day, 8, 35) <= now {
            // Morning: a supervisor logs in, checks yesterday's and last night's data, handles alerts.
            working_day_index += 1;
            let user = if working_day_index.is_multiple_of(3) { "supervisor2" } else { "supervisor1" };
            clock.set(at(day, 8, 31 + (working_day_index % 5) as u32));
            let session = store.login(user, DEMO_PASSWORD)?;
            clock.set(at(day, 8, 40));
            crate::report::daily::run(store, &session, dir, day).map_err(|e| match e {
                crate::report::daily::DailyCheckError::Store(s) => DemoError::Store(s),
                crate::report::daily::DailyCheckError::Io { path, source } => DemoError::Io { path, source },
            })?;
            let open = store.alerts(&session, &crate::store::AlertQuery::default())?;
            let cutoff = calendar
                .add_working_days_fast(day, 0)
                .and_then(|d| calendar.previous_working_day(d).ok())
                .map_or(day, |r| r.value);
            let mut minute = 0i64;
            for a in &open {
                if a.rule.needs_closing() && !handled.contains(&a.id) && time::local_date(a.since) < cutoff {
                    handled.insert(a.id);
                    // Some stay open while the supervisor waits for the department's explanation.
                    if rng.gen_bool(0.12) {
                        continue;
                    }
                    minute += 1;
                    clock.set(at(day, 9, 0) + Duration::minutes(minute.min(170)));
                    store.close_alert(&session, a.id, close_reason(a.rule, a.id as usize))?;
                }
                if a.rule == Rule::OverdueSerious && !noticed.contains(&a.id) {
                    noticed.insert(a.id);
                    minute += 1;
                    clock.set(at(day, 9, 0) + Duration::minutes(minute.min(170)));
                    let notice = store.issue_notice(
                        &session,
                        &NewNotice { alert_id: a.id, text: crate::ui::alerts::notice_draft(a) },
                    )?;
                    // Most departments answer within the due date; some late; a few never.
                    let roll = rng.gen_range(0..100);
                    if roll < 90 {
                        let in_days = if roll < 75 { rng.gen_range(1..=4) } else { rng.gen_range(6..=8) };
                        let reply_day = calendar.add_working_days_fast(day, in_days).unwrap_or(day);
                        replies.push((reply_day, notice.id, replies.len()));
                    }
                }
            }
            // The biweekly ranking: on the second working day of a period, the people on the last
            // period's interview list are talked to (the newest period's list is left half done).
            let period = rules.attendance.period_start(day);
            let days_into = calendar.working_day_count(period, day);
            if days_into == 2 {
                let previous = period - Duration::days(i64::from(rules.attendance.period_days.max(1)));
                let newest = rules.attendance.period_start(today) - (period - previous) == previous;
                let ranking = store.attendance(&session, previous)?;
                let due: Vec<_> = ranking.ranking.staff.iter().filter(|s| s.interview).collect();
                let take = if newest { due.len().min(2) } else { due.len() };
                for (i, person) in due.iter().take(take).enumerate() {
                    let held = at(day, 10, 0) + Duration::minutes(i as i64 * 25);
                    if held > now {
                        break;
                    }
                    clock.set(held + Duration::minutes(20));
                    let interview = crate::store::NewInterview {
                        period_start: previous,
                        staff_no: person.staff_no.clone(),
                        held_at: held,
                        participants: format!(
                            "{}、{}、{}部门负责人",
                            person.name,
                            if user == "supervisor1" { "张明" } else { "李华" },
                            person.department
                        ),
                        note: [
                            "指出本周期迟到早退情况，本人说明原因并承诺改正，下周期继续关注。",
                            "通报考勤排名，要求严格遵守作息时间，部门负责人督促落实。",
                            "本人承认迟到属实，已写出书面说明，部门将纳入月度考核。",
                        ][i % 3]
                            .into(),
                    };
                    store.record_interview(&session, &interview)?;
                }
            }
            // Poor ratings: return visits the next working day, rectification within the fortnight; a
            // few slip, to show how an overdue follow-up looks.
            minute = 0;
            for p in store.poor_ratings(&session, day - Duration::days(30), day)? {
                let roll = p.key.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 10;
                if roll == 0 {
                    continue;
                }
                minute += 1;
                clock.set(at(day, 11, 0) + Duration::minutes(minute.min(55)));
                if clock.now() > now {
                    break;
                }
                if p.visit.is_none() && p.visit_due <= day {
                    let note = [
                        "电话回访办事人，已说明情况并致歉，办事人表示理解。",
                        "回访办事人，问题已当场解决，办事人表示认可。",
                    ];
                    store.record_follow_up(
                        &session,
                        &p.key,
                        crate::store::FollowUpStep::ReturnVisit,
                        note[roll as usize % 2],
                    )?;
                } else if p.visit.is_some()
                    && p.fix.is_none()
                    && roll > 1
                    && day >= p.fix_due - Duration::days(i64::from(roll))
                {
                    let note = ["窗口已组织业务培训，规范一次性告知。", "已调整窗口人员，增加高峰时段导办。"];
                    store.record_follow_up(
                        &session,
                        &p.key,
                        crate::store::FollowUpStep::Rectification,
                        note[roll as usize % 2],
                    )?;
                }
            }
            // Replies that arrive today.
            let (due, later): (Vec<_>, Vec<_>) = replies.iter().partition(|(d, _, _)| *d == day);
            replies = later;
            for (i, (_, notice_id, n)) in due.into_iter().enumerate() {
                clock.set(at(day, 14, 0) + Duration::minutes(i as i64 * 7));
                if clock.now() <= now {
                    let text = [
                        "已核查，该件因现场勘验排期延误，已于本周办结并向申请人致歉。",
                        "已责成窗口负责人整改，建立超期件每日通报制度。",
                        "经核查系系统数据未同步，已补录办结信息。",
                    ][n % 3];
                    store.record_notice_reply(&session, notice_id, text)?;
                }
            }
            store.logout(&session)?;
        }
        // Complaints phoned in or sent that day, registered a quarter of an hour later.
        for c in data.complaints.iter().filter(|c| time::local_date(c.received_at) == day) {
            clock.set(c.received_at + Duration::minutes(15));
            if clock.now() <= now {
                let session = store.login("supervisor1", DEMO_PASSWORD)?;
                store.register_complaint(&session, c)?;
                store.logout(&session)?;
            }
        }
        // The supervision office's own work of the day: discipline, slips, complaints, accountability.
        discipline_day(store, clock, data, calendar, day, now)?;
        // Night: the approval system, the fingerprint machine and the evaluators deliver the day's data.
        let evening = local_at(day, 23, 59, 59).min(now);
        clock.set(evening);
        let stamp = day.format("%Y%m%d");
        if let Some(events) = events_by_day.get(&day) {
            let known: Vec<CaseEvent> = events.iter().filter(|e| e.recorded_at <= evening).cloned().collect();
            if !known.is_empty() {
                record(parse_import(
                    ImportKind::Events,
                    &format!("import/events-{stamp}.jsonl"),
                    &write::events_jsonl(&known),
                )?);
            }
        }
        if let Some(punches) = punches_by_day.get(&day) {
            record(parse_import(ImportKind::Punches, &format!("import/attlog-{stamp}.dat"), &write::attlog(punches))?);
        }
        if let Some(evaluations) = evaluations_by_day.get(&day) {
            record(parse_import(
                ImportKind::Evaluations,
                &format!("import/evaluations-{stamp}.csv"),
                &write::evaluations_csv(evaluations),
            )?);
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    clock.set(now);
    store.refresh_alerts(&system)?;
    Ok(imports.into_values().collect())
}

/// Discipline categories as the demo sees them, most frequent first.
const DEMO_CATEGORIES: [(&str, u32); 8] = [
    ("离岗", 6),
    ("玩手机/做与工作无关的事", 5),
    ("串岗", 3),
    ("着装不规范/未佩戴工牌", 3),
    ("吃东西", 2),
    ("大声喧哗", 1),
    ("服务态度生硬", 1),
    ("他人顶岗", 1),
];

const DEMO_NOTES: [&str; 4] = ["", "约 10 分钟未在岗", "经提醒后改正", "与邻座聊天"];

/// One day of the supervision office's own records in the demo: discipline observations on the wall
/// over the last seven weeks, Monday's slips for the week before last and earlier (last week's are left
/// for the supervisor), receipts coming back, complaints moving through their workflow, and violations
/// with decisions — the tax bureau (B06–B08) has one warning this year, so a second raises Art 12(6).
fn discipline_day(
    store: &SqliteStore,
    clock: &FixedClock,
    data: &DemoData,
    calendar: &Calendar,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DemoError> {
    use crate::domain::accountability::{Measure, Subject, ViolationSource};
    use crate::domain::discipline::{ObservationSource, SlipStatus, Week};
    use crate::store::{ComplaintStep, NewObservation, NewViolation};
    let today = time::local_date(now);
    if !calendar.is_working_day(day) || local_at(day, 17, 30, 0) > now {
        return Ok(());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(day.num_days_from_ce() as u64 * 7919);
    let session = |user: &str| store.login(user, DEMO_PASSWORD);
    let at_time = |h: u32, m: u32| local_at(day, h, m, 0);
    let days_ago = (today - day).num_days();

    // Observations: seven weeks back, 0–3 a day, at windows with their usual staff.
    if days_ago <= 49 {
        let posted: Vec<&Staff> = data.staff.iter().filter(|s| s.window.is_some()).collect();
        let total: u32 = DEMO_CATEGORIES.iter().map(|(_, w)| w).sum();
        let count = [0, 1, 2, 2, 3, 4][rng.gen_range(0..6)];
        for i in 0..count {
            let Some(person) = posted.get(rng.gen_range(0..posted.len().max(1))) else { break };
            let mut pick = rng.gen_range(0..total);
            let category = DEMO_CATEGORIES
                .iter()
                .find(|(_, w)| {
                    if pick < *w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .map_or("其他", |c| c.0);
            let seen = at_time(9 + rng.gen_range(0..7), rng.gen_range(0..60));
            clock.set(seen + Duration::minutes(3 + i64::from(i)));
            let s = session(if i % 2 == 0 { "supervisor1" } else { "supervisor2" })?;
            store.add_observation(
                &s,
                &NewObservation {
                    observed_at: seen,
                    category: category.into(),
                    source: ObservationSource::Wall,
                    camera_id: None,
                    window_code: person.window.clone(),
                    staff_no: Some(person.staff_no.clone()),
                    department: None,
                    evidence_id: None,
                    clip: None,
                    note: DEMO_NOTES[rng.gen_range(0..DEMO_NOTES.len())].into(),
                },
            )?;
            store.logout(&s)?;
        }
    }
    // The rude moment of the B07 complaint, found in playback the day after (the recorded footage).
    if let Some(c) = data.complaints.iter().find(|c| c.window_code.as_deref() == Some("B07"))
        && calendar.next_working_day(time::local_date(c.received_at)).is_ok_and(|n| n.value == day)
    {
        let complained = time::local_date(c.received_at);
        let seen = local_at(complained, 10, 41, 20);
        clock.set(at_time(9, 20));
        let s = session("supervisor1")?;
        store.add_observation(
            &s,
            &NewObservation {
                observed_at: seen,
                category: "服务态度生硬".into(),
                source: ObservationSource::Playback,
                camera_id: None,
                window_code: Some("B07".into()),
                staff_no: c.staff_no.clone(),
                department: None,
                evidence_id: None,
                clip: Some(crate::domain::footage::Span::new(
                    seen - Duration::seconds(40),
                    seen + Duration::seconds(100),
                )),
                note: "回放核实投诉".into(),
            },
        )?;
        store.logout(&s)?;
    }
    // Monday: the slips of the week before, except last week's (left for the supervisor to issue).
    if day.weekday() == Weekday::Mon && days_ago > 7 && days_ago <= 49 {
        clock.set(at_time(9, 5));
        let s = session("supervisor1")?;
        store.issue_slips(&s, Week::of(day).previous())?;
        store.logout(&s)?;
    }
    // Receipts come back two or three working days later.
    if days_ago > 0 {
        clock.set(at_time(15, 30));
        let s = session("supervisor2")?;
        for slip in store.slips(&s, None)?.into_iter().filter(|x| x.status == SlipStatus::Issued) {
            let issued = time::local_date(slip.issued_at);
            let back = calendar.add_working_days_fast(issued, 2 + (slip.number % 2)).unwrap_or(issued);
            if back == day {
                let signer = ["王科长", "李主任", "张副局长", "赵科长"][slip.number as usize % 4];
                store.record_slip_receipt(&s, slip.id, signer)?;
            }
        }
        store.logout(&s)?;
    }
    // Complaints: accepted the next working day; older ones investigated and concluded.
    for c in &data.complaints {
        let received = time::local_date(c.received_at);
        let Ok(next) = calendar.next_working_day(received) else { continue };
        let accept_day = next.value;
        let investigate_day = calendar.add_working_days_fast(received, 2).unwrap_or(received);
        let conclude_day = calendar.add_working_days_fast(received, 7).unwrap_or(received);
        let no = store
            .complaints(&store.system_session())?
            .into_iter()
            .find(|x| x.received_at == time::from_local(time::local_datetime(c.received_at)) && x.content == c.content)
            .map(|x| x.complaint_no);
        let Some(no) = no else { continue };
        let step = if day == accept_day {
            Some(ComplaintStep::Accept { note: "属监察室受理范围".into() })
        } else if day == investigate_day {
            Some(ComplaintStep::Investigate)
        } else if day == conclude_day && (today - received).num_days() > 10 {
            Some(ComplaintStep::Conclude {
                conclusion: "经调取录像、询问当事人，投诉情况基本属实，已责成所在部门批评教育。".into(),
                reply: "您反映的问题已核实，相关人员已受到批评教育，感谢您的监督。".into(),
            })
        } else {
            None
        };
        if let Some(step) = step {
            clock.set(at_time(10, 15));
            let s = session("supervisor1")?;
            store.advance_complaint(&s, &no, &step)?;
            store.logout(&s)?;
        }
    }
    // Violations and decisions from earlier in the year.
    let staff_at =
        |window: &str| data.staff.iter().find(|s| s.window.as_deref() == Some(window)).map(|s| s.staff_no.clone());
    let plan: [(i64, &str, &str, Option<String>, ViolationSource, &str, &[Measure]); 3] = [
        (
            83,
            "11(6)",
            "B06",
            staff_at("B06"),
            ViolationSource::Video,
            "接待申请人时态度生硬，视频核实",
            &[Measure::Admonition],
        ),
        (
            61,
            "11(9)",
            "A04",
            staff_at("A04"),
            ViolationSource::Rule,
            "申请人离开后自行按评价器",
            &[Measure::WrittenSelfCriticism],
        ),
        (
            40,
            "12(3)",
            "C03",
            None,
            ViolationSource::Rule,
            "多件审批超过承诺时限未反馈原因",
            &[Measure::CircularCriticism],
        ),
    ];
    for (ago, item, window, staff, source, description, measures) in plan {
        // The first working day on or after `ago` days back.
        let target = calendar.next_working_day(today - Duration::days(ago + 1)).map_or(today, |r| r.value);
        if day != target {
            continue;
        }
        let department = data.setup.windows.iter().find(|w| w.code == window).and_then(|w| w.department.clone());
        clock.set(at_time(11, 0));
        let s = session("supervisor1")?;
        let v = store.record_violation(
            &s,
            &NewViolation {
                item: item.into(),
                subject: if staff.is_some() { Subject::Staff } else { Subject::Department },
                staff_no: staff,
                department,
                source,
                occurred_at: at_time(10, 20),
                description: description.into(),
                case_no: None,
                alert_id: None,
                observation_id: None,
                complaint_no: None,
                evidence_id: None,
            },
        )?;
        store.logout(&s)?;
        clock.set(at_time(16, 0));
        let chief = session("chief1")?;
        store.decide_violation(&chief, v.id, measures, "经监察室负责人审定")?;
        store.logout(&chief)?;
    }
    Ok(())
}

/// Removes a database file with its WAL and shared-memory files.
fn remove_database(path: &Path) -> Result<(), DemoError> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(DemoError::Io { path: p, source }),
        }
    }
    Ok(())
}

/// The footage the demo records: (window, local date, from, to) of what a supervisor will look up —
/// the B07 complaint on the last working Tuesday, the two evaluator bursts at A05 yesterday, the
/// queue at the entry-exit windows three weeks ago.
pub fn footage_plan(now: DateTime<Utc>, calendar: &Calendar) -> Vec<(&'static str, NaiveDate, NaiveTime, NaiveTime)> {
    let today = time::local_date(now);
    let mut tuesday = today - Duration::days(1);
    for _ in 0..21 {
        if tuesday.weekday() == Weekday::Tue && calendar.is_working_day(tuesday) {
            break;
        }
        tuesday -= Duration::days(1);
    }
    let burst_day = calendar.previous_working_day(today).map_or(today, |r| r.value);
    let mut queue_day = today - Duration::days(20);
    while !calendar.is_working_day(queue_day) {
        queue_day -= Duration::days(1);
    }
    let hm = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
    vec![
        ("B07", tuesday, hm(10, 30), hm(10, 50)),
        ("A05", burst_day, hm(10, 5), hm(10, 20)),
        ("A05", burst_day, hm(15, 35), hm(15, 50)),
        ("A04", queue_day, hm(14, 0), hm(14, 15)),
    ]
}

/// Records the demo's footage (640×360, 10 fps test pattern with the window and the time burned in)
/// into `dir/footage`, indexed in the demo database, as fast as the machine allows. Returns the
/// number of segments.
pub fn record_footage(dir: &Path, clock: Arc<dyn Clock>, rules: &RuleBook) -> Result<usize, DemoError> {
    let store = SqliteStore::open_existing_dir(dir, clock.clone())?;
    let system = store.system_session();
    let directory = store.directory(&system)?;
    let root = crate::video::recorder::footage_root(dir);
    // The complained-about case's events at B07 that day are covered too, ten minutes either side, so
    // "查看录像" on any of them finds footage.
    let mut plan = footage_plan(clock.now(), &rules.calendar);
    let b07_events: Vec<NaiveDateTime> = store
        .complaints(&system)?
        .iter()
        .filter(|c| c.window_code.as_deref() == Some("B07"))
        .filter_map(|c| c.case_no.as_deref())
        .filter_map(|no| store.case_detail(&system, no).ok())
        .flat_map(|d| d.events)
        .filter(|e| e.window.as_deref() == Some("B07"))
        .map(|e| time::local_datetime(e.occurred_at))
        .collect();
    for entry in plan.iter_mut().filter(|p| p.0 == "B07") {
        for at in b07_events.iter().filter(|at| at.date() == entry.1) {
            let (from, to) = (at.time() - Duration::minutes(10), at.time() + Duration::minutes(10));
            if from < entry.2 && from > entry.2 - Duration::hours(1) {
                entry.2 = from.with_second(0).unwrap_or(from);
            }
            if to > entry.3 && to < entry.3 + Duration::hours(1) {
                entry.3 = (to + Duration::seconds(59)).with_second(0).unwrap_or(to);
            }
        }
    }
    let mut count = 0;
    for (window, date, from, to) in plan {
        let Some(camera) = directory.cameras.iter().find(|c| c.window_code.as_deref() == Some(window)) else {
            continue;
        };
        let start = time::from_local(date.and_time(from));
        let length = (to - from).to_std().unwrap_or_default();
        let segments = crate::video::recorder::record_synthetic(
            &store,
            &system,
            &root,
            camera.id,
            &camera.name,
            start,
            length,
            (640, 360, 10),
            rules.footage.segment_seconds,
        )
        .map_err(|e| DemoError::Footage(e.to_string()))?;
        count += segments.len();
    }
    Ok(count)
}
