//! The demo hall's catalogue: departments, their windows and items, and the names people and companies
//! are drawn from.

use super::*;

pub(super) struct ItemSpec {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) legal: u32,
    pub(super) promised: u32,
    pub(super) fee_fen: Fen,
    pub(super) workflow: &'static str,
    pub(super) limits: &'static str,
    /// The special procedure this item sometimes needs.
    pub(super) special: Option<SuspendReason>,
}

pub(super) struct DepartmentSpec {
    pub(super) name: &'static str,
    pub(super) short: &'static str,
    pub(super) head: &'static str,
    pub(super) phone: &'static str,
    pub(super) windows: &'static [&'static str],
    /// Cases per window per working day, as (min, max).
    pub(super) load: (u32, u32),
    pub(super) items: &'static [ItemSpec],
}

pub(super) const fn item(
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

pub(super) const fn special(spec: ItemSpec, reason: SuspendReason) -> ItemSpec {
    ItemSpec { special: Some(reason), ..spec }
}

pub(super) const ARC: &str = "accept|review|approve|complete";

pub(super) const DEPARTMENTS: &[DepartmentSpec] = &[
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

pub(super) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕",
];
pub(super) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "晓东", "海燕", "建华", "春梅", "志刚", "玉兰", "宏伟", "雪", "鹏", "婷婷",
    "浩然", "子涵", "思远",
];
pub(super) const COMPANY_WORDS: &[&str] = &[
    "铁东", "铁西", "英雄", "紫气", "南湖", "北门", "东丰", "梨树", "双辽", "伊通", "红嘴", "金达", "宏达", "鑫源",
    "瑞丰", "恒信", "福润", "佳禾", "兴隆", "长青",
];
pub(super) const COMPANY_KINDS: &[&str] = &[
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
