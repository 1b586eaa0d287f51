//! The demo company: 华信智能科技有限公司, three sales regions with their
//! teams, a sales office and HR, about forty people and six accounts, one
//! per role, all with the password [`DEMO_PASSWORD`].
//!
//! The data is kept in `const` arrays so that its consistency (unique codes,
//! every unit and head known, …) is checked by unit tests without a
//! database; [`load`] only turns it into rows.
//!
//! On top of the org, two years of monthly targets for every salesperson
//! ([`demo_figures`]), year targets for every sales unit set a little above
//! what their children add up to, and one locked month. The actuals of the
//! typed metrics (satisfaction, complaints) are entered; those of the
//! computed ones (sales, collections, new customers, calls, visits, …)
//! come from the sales process in [`records`] — customers, orders,
//! collections, calls and visits, daily plans, weekly reports, projects —
//! made so that they add up to the designed figures. Everything is
//! computed from a hash of employee number, metric and month — no
//! randomness, no clock — so every load gives the same company.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ActiveModelTrait, DbErr, IntoActiveModel, Set};
use serde_json::{Value, json};

use crate::domain::access::Actor;
use crate::domain::computed::DEFAULT_SOURCES;
use crate::domain::metric::{Kind, format_value};
use crate::domain::period::FiscalYear;
use crate::domain::role::Role;
// Short names keep the rows of `PEOPLE` on one line each.
use crate::domain::role::Role::{Gm, Hr, Manager, Sales, SalesAdmin};
use crate::storage::entity::unit;
use crate::storage::figures::{self, FigureInput, Measure};
use crate::storage::org::UnitView;
use crate::storage::{Db, Error, accounts, audit, computed, org};

pub mod records;

/// The password of every demo account. Shorter than the policy of
/// [`accounts::MIN_PASSWORD_LEN`] on purpose, so it is easy to type in a
/// demo; it is set through [`accounts::create_user_with_hash`], which does
/// not check the policy.
pub const DEMO_PASSWORD: &str = "demo";

/// Domain of the demo e-mail addresses: a subdomain of ours, so that no
/// mail can reach a real company.
pub const EMAIL_DOMAIN: &str = "demo.mubiao.cn";

/// One demo account, as the login page lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: &'static str,
    pub role: Role,
    /// Who one plays when signing in, e.g. "华东大区总监 王建国".
    pub who: &'static str,
    /// 工号 of the person behind the account; `None` for `admin`, who is
    /// nobody in the company.
    pub employee_no: Option<&'static str>,
}

/// The six demo accounts, one per role.
pub const DEMO_LOGINS: [DemoLogin; 6] = [
    DemoLogin {
        username: "admin",
        role: Role::Admin,
        who: "系统管理员",
        employee_no: None,
    },
    DemoLogin {
        username: "gm",
        role: Role::Gm,
        who: "总经理 陈志远",
        employee_no: Some("E0001"),
    },
    DemoLogin {
        username: "manager",
        role: Role::Manager,
        who: "华东大区总监 王建国",
        employee_no: Some("E0002"),
    },
    DemoLogin {
        username: "sales",
        role: Role::Sales,
        who: "上海一组销售代表 张晓明",
        employee_no: Some("E0015"),
    },
    DemoLogin {
        username: "sales_admin",
        role: Role::SalesAdmin,
        who: "销售内勤主管 孙丽娟",
        employee_no: Some("E0005"),
    },
    DemoLogin {
        username: "hr",
        role: Role::Hr,
        who: "人事经理 吴静",
        employee_no: Some("E0007"),
    },
];

/// One org unit of the demo company.
#[derive(Debug, Clone, Copy)]
pub struct DemoUnit {
    pub code: &'static str,
    pub name: &'static str,
    /// Parent unit code; it comes earlier in [`UNITS`].
    pub parent: Option<&'static str>,
    /// 工号 of the unit's head (负责人).
    pub head: &'static str,
}

const fn unit(
    code: &'static str,
    name: &'static str,
    parent: Option<&'static str>,
    head: &'static str,
) -> DemoUnit {
    DemoUnit {
        code,
        name,
        parent,
        head,
    }
}

/// The org tree, parents before children so it can be inserted in order.
pub const UNITS: [DemoUnit; 13] = [
    unit("HQ", "华信智能科技有限公司", None, "E0001"),
    unit("HQ-SO", "销售管理部", Some("HQ"), "E0005"),
    unit("HQ-HR", "人力资源部", Some("HQ"), "E0007"),
    unit("HD", "华东大区", Some("HQ"), "E0002"),
    unit("HD-SH", "上海一组", Some("HD"), "E0008"),
    unit("HD-HZ", "杭州组", Some("HD"), "E0009"),
    unit("HD-NJ", "南京组", Some("HD"), "E0010"),
    unit("HN", "华南大区", Some("HQ"), "E0003"),
    unit("HN-GZ", "广州组", Some("HN"), "E0011"),
    unit("HN-SZ", "深圳组", Some("HN"), "E0012"),
    unit("HB", "华北大区", Some("HQ"), "E0004"),
    unit("HB-BJ", "北京组", Some("HB"), "E0013"),
    unit("HB-TJ", "天津组", Some("HB"), "E0014"),
];

/// One person of the demo company.
#[derive(Debug, Clone, Copy)]
pub struct DemoPerson {
    pub employee_no: &'static str,
    pub name: &'static str,
    /// The name in pinyin: the local part of the e-mail address.
    pub pinyin: &'static str,
    pub unit: &'static str,
    pub role: Role,
    pub hire_date: NaiveDate,
    pub phone: &'static str,
}

impl DemoPerson {
    pub fn email(&self) -> String {
        format!("{}@{EMAIL_DOMAIN}", self.pinyin)
    }
}

/// A date known at compile time; an impossible one fails the build.
const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("impossible demo date"),
    }
}

const fn person(
    employee_no: &'static str,
    name: &'static str,
    pinyin: &'static str,
    unit: &'static str,
    role: Role,
    hire_date: NaiveDate,
    phone: &'static str,
) -> DemoPerson {
    DemoPerson {
        employee_no,
        name,
        pinyin,
        unit,
        role,
        hire_date,
        phone,
    }
}

/// Everyone: the GM, heads of regions and teams, sales admins, HR and 30
/// salespeople. Every surname differs, so names are easy to tell apart in
/// a demo.
#[rustfmt::skip] // a table: one person per line
pub const PEOPLE: [DemoPerson; 44] = [
    // Headquarters.
    person("E0001", "陈志远", "chenzhiyuan", "HQ", Gm, ymd(2015, 3, 2), "13801012368"),
    person("E0005", "孙丽娟", "sunlijuan", "HQ-SO", SalesAdmin, ymd(2017, 4, 10), "13916204735"),
    person("E0006", "周晓燕", "zhouxiaoyan", "HQ-SO", SalesAdmin, ymd(2021, 7, 5), "15021387642"),
    person("E0007", "吴静", "wujing", "HQ-HR", Hr, ymd(2018, 3, 19), "13761529804"),
    // Heads of the regions.
    person("E0002", "王建国", "wangjianguo", "HD", Manager, ymd(2015, 6, 15), "13817726051"),
    person("E0003", "黄振华", "huangzhenhua", "HN", Manager, ymd(2016, 2, 22), "13902468173"),
    person("E0004", "赵立新", "zhaolixin", "HB", Manager, ymd(2015, 9, 7), "13601185429"),
    // Heads of the teams.
    person("E0008", "徐海涛", "xuhaitao", "HD-SH", Manager, ymd(2016, 8, 1), "13585460327"),
    person("E0009", "马俊杰", "majunjie", "HD-HZ", Manager, ymd(2017, 2, 13), "13735719086"),
    person("E0010", "朱建平", "zhujianping", "HD-NJ", Manager, ymd(2016, 11, 21), "13951827364"),
    person("E0011", "林国栋", "linguodong", "HN-GZ", Manager, ymd(2017, 5, 8), "13926035817"),
    person("E0012", "郭晓峰", "guoxiaofeng", "HN-SZ", Manager, ymd(2018, 1, 15), "13823916540"),
    person("E0013", "何宇航", "heyuhang", "HB-BJ", Manager, ymd(2016, 4, 18), "13910257386"),
    person("E0014", "高文博", "gaowenbo", "HB-TJ", Manager, ymd(2019, 3, 4), "13602034817"),
    // 华东大区 · 上海一组.
    person("E0015", "张晓明", "zhangxiaoming", "HD-SH", Sales, ymd(2019, 7, 1), "13816637492"),
    person("E0016", "罗佳怡", "luojiayi", "HD-SH", Sales, ymd(2022, 3, 14), "15900871235"),
    person("E0017", "梁子豪", "liangzihao", "HD-SH", Sales, ymd(2020, 9, 7), "18616094528"),
    person("E0018", "宋雨婷", "songyuting", "HD-SH", Sales, ymd(2023, 2, 20), "17717325609"),
    person("E0019", "郑浩然", "zhenghaoran", "HD-SH", Sales, ymd(2024, 8, 12), "13564982170"),
    // 华东大区 · 杭州组.
    person("E0020", "谢晨曦", "xiechenxi", "HD-HZ", Sales, ymd(2018, 10, 8), "13858106274"),
    person("E0021", "韩冬", "handong", "HD-HZ", Sales, ymd(2021, 4, 6), "15968173402"),
    person("E0022", "唐诗雨", "tangshiyu", "HD-HZ", Sales, ymd(2023, 7, 17), "18758230916"),
    person("E0023", "冯国强", "fengguoqiang", "HD-HZ", Sales, ymd(2015, 11, 9), "13906527148"),
    // 华东大区 · 南京组.
    person("E0024", "于海洋", "yuhaiyang", "HD-NJ", Sales, ymd(2019, 5, 20), "13851736029"),
    person("E0025", "董欣然", "dongxinran", "HD-NJ", Sales, ymd(2022, 11, 1), "15850617384"),
    person("E0026", "萧磊", "xiaolei", "HD-NJ", Sales, ymd(2020, 6, 15), "18951074263"),
    person("E0027", "程雪", "chengxue", "HD-NJ", Sales, ymd(2025, 3, 3), "17351926480"),
    // 华南大区 · 广州组.
    person("E0028", "曹俊", "caojun", "HN-GZ", Sales, ymd(2017, 8, 21), "13922470563"),
    person("E0029", "袁梦琪", "yuanmengqi", "HN-GZ", Sales, ymd(2021, 9, 13), "13662581904"),
    person("E0030", "邓嘉诚", "dengjiacheng", "HN-GZ", Sales, ymd(2019, 2, 25), "18620347716"),
    person("E0031", "许晓婷", "xuxiaoting", "HN-GZ", Sales, ymd(2024, 4, 8), "15918762035"),
    person("E0032", "傅振宇", "fuzhenyu", "HN-GZ", Sales, ymd(2016, 6, 27), "13802915648"),
    // 华南大区 · 深圳组.
    person("E0033", "沈一凡", "shenyifan", "HN-SZ", Sales, ymd(2020, 3, 16), "13510648273"),
    person("E0034", "曾思远", "zengsiyuan", "HN-SZ", Sales, ymd(2022, 6, 6), "18938260517"),
    person("E0035", "彭丽华", "penglihua", "HN-SZ", Sales, ymd(2018, 5, 14), "13728394051"),
    person("E0036", "吕子健", "lvzijian", "HN-SZ", Sales, ymd(2023, 10, 9), "15817204693"),
    // 华北大区 · 北京组.
    person("E0037", "苏明轩", "sumingxuan", "HB-BJ", Sales, ymd(2019, 11, 18), "13811472605"),
    person("E0038", "卢静怡", "lujingyi", "HB-BJ", Sales, ymd(2021, 1, 11), "13701263948"),
    person("E0039", "蒋涛", "jiangtao", "HB-BJ", Sales, ymd(2017, 12, 4), "18601358274"),
    person("E0040", "蔡欣怡", "caixinyi", "HB-BJ", Sales, ymd(2024, 2, 26), "15210937461"),
    person("E0041", "贾鹏飞", "jiapengfei", "HB-BJ", Sales, ymd(2020, 8, 3), "13520746189"),
    // 华北大区 · 天津组.
    person("E0042", "丁志刚", "dingzhigang", "HB-TJ", Sales, ymd(2018, 7, 23), "13820174596"),
    person("E0043", "魏晓东", "weixiaodong", "HB-TJ", Sales, ymd(2022, 9, 19), "15122863047"),
    person("E0044", "薛琳", "xuelin", "HB-TJ", Sales, ymd(2025, 6, 16), "18622405931"),
];

/// The demo data contradicts itself; the tests below rule this out.
fn inconsistent(what: String) -> Error {
    Error::Db(DbErr::Custom(format!("demo data is inconsistent: {what}")))
}

/// Loads the demo company into an empty database and returns `true`; does
/// nothing and returns `false` when there are units already, so that it is
/// safe to call on every start.
///
/// The org goes in one transaction: a failure there leaves the database
/// empty, and the next start tries again. The audit log gets one `demo`
/// entry per unit and per person (actor `system`), and one `create` entry
/// per account from [`accounts::create_user_with_hash`].
///
/// The figures follow, written as the `admin` account through
/// [`figures::write`] — one batch of targets, one of the typed actuals,
/// each its own transaction that also keeps the units' rollups. Then the
/// sales records go in, in one transaction with one `demo` audit entry
/// that counts them, every computed actual is recomputed from them
/// ([`computed::recompute_all`]), and [`DEMO_LOCKED`] is locked. Each
/// typed figure is audited like any other write. These steps open their
/// own transactions, so a failure there returns the error with the org
/// already loaded (and a later `load` skips it).
pub async fn load(db: &Db) -> Result<bool, Error> {
    if org::count_units(db).await? > 0 {
        return Ok(false);
    }
    // Argon2 is slow on purpose: hash once, and before the transaction so
    // that no write lock is held meanwhile.
    let hash = accounts::hash_blocking(DEMO_PASSWORD).await?;
    let txn = crate::storage::begin_write(db, crate::storage::Lane::Org).await?;

    // Units first, without heads: the heads do not exist yet.
    let mut units: Vec<unit::Model> = Vec::with_capacity(UNITS.len());
    for u in &UNITS {
        let parent_id = match u.parent {
            Some(p) => Some(
                units
                    .iter()
                    .find(|m| m.code == p)
                    .ok_or_else(|| inconsistent(format!("unit {} before its parent {p}", u.code)))?
                    .id,
            ),
            None => None,
        };
        let m = org::insert_unit(&txn, u.code, u.name, parent_id).await?;
        units.push(m);
    }
    let unit_ids: HashMap<&str, i64> = units.iter().map(|m| (m.code.as_str(), m.id)).collect();

    let mut person_ids: HashMap<&str, i64> = HashMap::with_capacity(PEOPLE.len());
    for p in &PEOPLE {
        let unit_id = *unit_ids
            .get(p.unit)
            .ok_or_else(|| inconsistent(format!("{} in unknown unit {}", p.employee_no, p.unit)))?;
        let email = p.email();
        let m = org::insert_person(
            &txn,
            org::CheckedPerson {
                employee_no: p.employee_no.to_owned(),
                name: p.name.to_owned(),
                unit_id,
                role: p.role,
                // Managers default to the unit's head.
                manager_id: None,
                hire_date: Some(p.hire_date),
                phone: Some(p.phone.to_owned()),
                email: Some(email.clone()),
            },
        )
        .await?;
        person_ids.insert(p.employee_no, m.id);
        audit::record(
            &txn,
            None,
            "demo",
            "person",
            p.employee_no,
            None,
            Some(json!({
                "employee_no": p.employee_no,
                "name": p.name,
                "unit": p.unit,
                "role": p.role,
                "hire_date": p.hire_date,
                "phone": p.phone,
                "email": email,
                "active": true,
            })),
        )
        .await?;
    }

    // Now the heads exist; the unit's audit entry shows it complete.
    for (u, m) in UNITS.iter().zip(units) {
        let head_id = *person_ids
            .get(u.head)
            .ok_or_else(|| inconsistent(format!("head {} of {} is unknown", u.head, u.code)))?;
        let mut am = m.into_active_model();
        am.head_person_id = Set(Some(head_id));
        am.update(&txn).await?;
        let head_name = PEOPLE
            .iter()
            .find(|p| p.employee_no == u.head)
            .map(|p| p.name.to_owned());
        let view = UnitView {
            code: u.code.to_owned(),
            name: u.name.to_owned(),
            parent: u.parent.map(str::to_owned),
            head: Some(u.head.to_owned()),
            head_name,
            active: true,
        };
        audit::record(&txn, None, "demo", "unit", u.code, None, Some(json!(view))).await?;
    }

    let mut admin = None;
    let mut user_ids: HashMap<&str, i64> = HashMap::new();
    for l in &DEMO_LOGINS {
        let person_id = match l.employee_no {
            Some(no) => Some(*person_ids.get(no).ok_or_else(|| {
                inconsistent(format!("login {} names unknown person {no}", l.username))
            })?),
            None => None,
        };
        let user =
            accounts::create_user_with_hash(&txn, None, l.username, &hash, l.role, person_id)
                .await?;
        user_ids.insert(l.username, user.id);
        if l.role == Role::Admin {
            admin = Some(Actor {
                user_id: user.id,
                username: user.username,
                role: Role::Admin,
                person_id: None,
                unit_id: None,
            });
        }
    }
    txn.commit().await?;

    let admin = admin.ok_or_else(|| inconsistent("no admin login".into()))?;
    let user = |name: &str| {
        user_ids
            .get(name)
            .copied()
            .ok_or_else(|| inconsistent(format!("no {name} login")))
    };
    let users = records::Users {
        admin: admin.user_id,
        sales: user("sales")?,
        manager: user("manager")?,
        sales_admin: user("sales_admin")?,
    };
    load_figures(db, &admin).await?;
    records::load(db, &person_ids, &users).await?;
    computed::recompute_all(db).await?;
    figures::lock_period(db, &admin, DEMO_LOCKED.0, Some(DEMO_LOCKED.1)).await?;
    Ok(true)
}

// ---------------------------------------------------------------- figures

/// The demo's "now": actuals run up to and including this month, so the
/// demo looks the same whenever it is loaded.
pub const DEMO_NOW: (i32, u32) = (2026, 11);

/// The demo's "today", in [`DEMO_NOW`]: the last day with records (a
/// Friday); orders, calls and visits stop here and order steps are
/// advanced as far as their age on this day allows.
pub const DEMO_TODAY: NaiveDate = ymd(2026, 11, 27);

/// The years with figures: last year and the current one. Targets cover
/// the whole of each year (the plan is set in advance); actuals stop at
/// [`DEMO_NOW`].
pub const DEMO_YEARS: [i32; 2] = [2025, 2026];

/// The closed month, and why.
pub const DEMO_LOCKED: (&str, &str) = ("2026-10", "10月已结账");

/// The metrics with demo figures.
pub const DEMO_METRICS: [&str; 7] = [
    "sales_amount",
    "collection_amount",
    "new_customers",
    "calls",
    "visits",
    "satisfaction",
    "complaints",
];

/// Person-months whose typed actuals were never entered: the current
/// month's late submitters and a few gaps. They show as "no data", never
/// red. Computed actuals have no gaps: they come from the records.
pub const MISSING_ACTUALS: [(&str, &str); 12] = [
    ("E0017", "2025-08"),
    ("E0025", "2025-04"),
    ("E0034", "2025-11"),
    ("E0041", "2025-12"),
    ("E0029", "2026-02"),
    ("E0038", "2026-06"),
    ("E0026", "2026-07"),
    ("E0019", "2026-11"),
    ("E0022", "2026-11"),
    ("E0031", "2026-11"),
    ("E0040", "2026-11"),
    ("E0043", "2026-11"),
];

/// Is the metric computed from the records in the default metric set?
pub fn is_computed(metric: &str) -> bool {
    DEFAULT_SOURCES.iter().any(|(code, _)| *code == metric)
}

/// Writes the targets of [`demo_figures`] and its actuals of the typed
/// metrics; the computed ones come from [`records`].
async fn load_figures(db: &Db, admin: &Actor) -> Result<(), Error> {
    let f = demo_figures();
    figures::write(
        db,
        admin,
        FiscalYear::default(),
        Measure::Target,
        &f.targets,
    )
    .await?;
    let typed: Vec<FigureInput> = f
        .actuals
        .into_iter()
        .filter(|i| !is_computed(&i.metric))
        .collect();
    figures::write(db, admin, FiscalYear::default(), Measure::Actual, &typed).await?;
    Ok(())
}

/// The demo's targets and designed actuals, as batches for
/// [`figures::write`]. The actuals of computed metrics are what the
/// records add up to (see [`records::wanted`]), not written as such.
pub struct DemoFigures {
    pub targets: Vec<FigureInput>,
    pub actuals: Vec<FigureInput>,
}

/// A stable 64-bit hash of some words: FNV-1a, then the splitmix64
/// finaliser so that neighbouring keys land far apart.
fn mix(words: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A number in `0..n` fixed by the words.
fn pick(words: &[&str], n: u64) -> i64 {
    (mix(words) % n) as i64
}

/// `v` × `permille` / 1000, truncated.
fn permille(v: i64, permille: i64) -> i64 {
    v * permille / 1000
}

/// `v` rounded to the nearest multiple of `step`.
fn round_to(v: i64, step: i64) -> i64 {
    (v + step / 2) / step * step
}

/// 1,000 yuan and 10,000 yuan (万), in 分.
const QIAN: i64 = 100_000;
const WAN: i64 = 1_000_000;

/// Sales by month, in permille of a person's level: slow around the Spring
/// Festival, a push before the half year and a strong year end.
const SEASON: [i64; 12] = [
    850, 800, 950, 1000, 1000, 1100, 950, 950, 1050, 1000, 1100, 1250,
];

/// How a person-month turned out for one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Better than the target (green).
    Above,
    /// Exactly the target (yellow).
    Level,
    /// Worse than the target (red).
    Below,
}

/// Mostly met, some level, some missed; better sellers miss less, and a
/// few months are hard for everyone.
fn outcome(emp: &str, metric: &str, period: &str) -> (Outcome, i64) {
    let skill = pick(&["skill", emp], 21) - 10;
    let mood = match period {
        "2025-02" | "2026-02" => 25,
        "2025-07" | "2026-05" => 20,
        "2025-12" | "2026-06" | "2026-09" => -10,
        _ => 0,
    };
    let below = (22 - skill + mood).clamp(5, 70);
    let r = pick(&["outcome", emp, metric, period], 100);
    let size = pick(&["size", emp, metric, period], 1000);
    let o = if r < below {
        Outcome::Below
    } else if r < below + 15 {
        Outcome::Level
    } else {
        Outcome::Above
    };
    (o, size)
}

/// A salesperson's target for one metric and month, in minor units.
fn demo_target(metric: &str, emp: &str, year: i32, month: u32) -> i64 {
    let m = month as usize - 1;
    let growth = if year >= 2026 { 1080 } else { 1000 };
    match metric {
        // 30–80 万 a month: a level per person, shaped by the season.
        "sales_amount" => {
            let level = 360 + pick(&["level", emp], 230);
            (level * SEASON[m] * growth / 1_000_000).clamp(300, 800) * QIAN
        }
        "collection_amount" => round_to(
            permille(demo_target("sales_amount", emp, year, month), 900),
            QIAN,
        ),
        "new_customers" => {
            let t = 2 + pick(&["new_customers", emp], 4);
            if month == 2 { (t - 1).max(1) } else { t }
        }
        "calls" => {
            let t = 550 + pick(&["calls", emp], 11) * 10;
            if month == 2 {
                round_to(permille(t, 800), 10)
            } else {
                t
            }
        }
        "visits" => {
            let t = 70 + pick(&["visits", emp], 21);
            if month == 2 { permille(t, 800) } else { t }
        }
        // 85–95 %, one point more in the second year.
        "satisfaction" => {
            let t = 85 + pick(&["satisfaction", emp], 10) + i64::from(year >= 2026);
            t * 100
        }
        // Valid complaints: 1–3 allowed a month.
        _ => 1 + pick(&["complaints", emp], 3),
    }
}

/// The actual that matches an outcome against a target.
fn demo_actual(metric: &str, target: i64, (o, size): (Outcome, i64)) -> i64 {
    match (metric, o) {
        (_, Outcome::Level) => target,
        ("sales_amount" | "collection_amount", Outcome::Above) => {
            permille(target, 1010 + size % 240) + size * 37 % 10_000
        }
        ("sales_amount" | "collection_amount", Outcome::Below) => {
            permille(target, 700 + size % 280) - size * 37 % 10_000
        }
        ("new_customers", Outcome::Above) => target + 1 + size % 3,
        ("new_customers", Outcome::Below) => (target - 1 - size % target.max(1)).max(0),
        ("calls" | "visits", Outcome::Above) => permille(target, 1010 + size % 150).max(target + 1),
        ("calls" | "visits", Outcome::Below) => permille(target, 750 + size % 230).min(target - 1),
        ("satisfaction", Outcome::Above) => (target + 10 * (1 + size % 60)).min(10_000),
        ("satisfaction", Outcome::Below) => target - 10 * (5 + size % 75),
        // Complaints: lower is better.
        (_, Outcome::Above) => size % target.max(1),
        (_, Outcome::Below) => target + 1 + size % 2,
    }
}

fn kind_of(metric: &str) -> Kind {
    match metric {
        "sales_amount" | "collection_amount" => Kind::Amount,
        "satisfaction" => Kind::Percent,
        _ => Kind::Count,
    }
}

fn item(metric: &str, subject: String, period: String, value: i64) -> FigureInput {
    FigureInput {
        metric: metric.to_owned(),
        subject,
        period,
        value: Value::String(format_value(kind_of(metric), value)),
        floor: None,
        stretch: None,
    }
}

/// The first month a person has figures for: the month of hire when they
/// joined in its first half, else the next one.
fn first_month(p: &DemoPerson) -> (i32, u32) {
    let (y, m) = (p.hire_date.year(), p.hire_date.month());
    if p.hire_date.day() <= 15 {
        (y, m)
    } else if m == 12 {
        (y + 1, 1)
    } else {
        (y, m + 1)
    }
}

/// Every demo target and actual. Salespeople get monthly targets for all
/// [`DEMO_METRICS`] (sales ones with 保底/挑战 tiers) and a year target for
/// sales that is exactly their months' sum; each sales unit gets a year
/// sales target 2–6 % above what its children add up to, so that the
/// decomposition gap shows. Actuals run to [`DEMO_NOW`], less
/// [`MISSING_ACTUALS`].
pub fn demo_figures() -> DemoFigures {
    let mut targets = Vec::new();
    let mut actuals = Vec::new();
    // (unit code, year) → the sales year targets of its direct children.
    let mut children_sum: HashMap<(&str, i32), i64> = HashMap::new();
    for p in PEOPLE.iter().filter(|p| p.role == Role::Sales) {
        let subject = format!("person:{}", p.employee_no);
        let start = first_month(p);
        for year in DEMO_YEARS {
            let mut year_sales = 0;
            for month in 1..=12u32 {
                if (year, month) < start {
                    continue;
                }
                let period = format!("{year}-{month:02}");
                let has_actual = (year, month) <= DEMO_NOW
                    && !MISSING_ACTUALS.contains(&(p.employee_no, period.as_str()));
                for metric in DEMO_METRICS {
                    let target = demo_target(metric, p.employee_no, year, month);
                    let mut t = item(metric, subject.clone(), period.clone(), target);
                    if metric == "sales_amount" {
                        year_sales += target;
                        let tier = |pm| {
                            Value::String(format_value(
                                Kind::Amount,
                                round_to(permille(target, pm), QIAN),
                            ))
                        };
                        t.floor = Some(tier(850));
                        t.stretch = Some(tier(1200));
                    }
                    targets.push(t);
                    if has_actual {
                        let o = outcome(p.employee_no, metric, &period);
                        let actual = demo_actual(metric, target, o);
                        actuals.push(item(metric, subject.clone(), period.clone(), actual));
                    }
                }
            }
            targets.push(item(
                "sales_amount",
                subject.clone(),
                year.to_string(),
                year_sales,
            ));
            *children_sum.entry((p.unit, year)).or_default() += year_sales;
        }
    }
    // Children come after their parents in UNITS: walk it backwards.
    for u in UNITS.iter().rev() {
        for year in DEMO_YEARS {
            let Some(sum) = children_sum.get(&(u.code, year)).copied() else {
                continue;
            };
            let target = round_to(permille(sum, 1020 + pick(&["gap", u.code], 40)), WAN);
            targets.push(item(
                "sales_amount",
                format!("unit:{}", u.code),
                year.to_string(),
                target,
            ));
            if let Some(parent) = u.parent {
                *children_sum.entry((parent, year)).or_default() += target;
            }
        }
    }
    DemoFigures { targets, actuals }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::org::{validate_name, validate_unit_code};
    use crate::domain::person::{validate_email, validate_employee_no, validate_phone};

    fn person_by_no(no: &str) -> Option<&'static DemoPerson> {
        PEOPLE.iter().find(|p| p.employee_no == no)
    }

    fn unit_by_code(code: &str) -> Option<&'static DemoUnit> {
        UNITS.iter().find(|u| u.code == code)
    }

    #[test]
    fn keys_are_unique_and_valid() {
        let mut codes = HashSet::new();
        for u in &UNITS {
            assert_eq!(validate_unit_code(u.code), Ok(u.code));
            assert_eq!(validate_name(u.name), Ok(u.name));
            assert!(codes.insert(u.code), "unit code {} twice", u.code);
        }
        let (mut nos, mut names, mut phones, mut emails) = (
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
        );
        for p in &PEOPLE {
            assert_eq!(validate_employee_no(p.employee_no), Ok(p.employee_no));
            assert_eq!(validate_name(p.name), Ok(p.name));
            assert_eq!(validate_phone(p.phone), Ok(p.phone));
            assert!(
                p.phone.len() == 11 && p.phone.starts_with('1'),
                "{}",
                p.phone
            );
            let email = p.email();
            assert_eq!(validate_email(&email), Ok(email.as_str()));
            assert!(
                nos.insert(p.employee_no),
                "employee no {} twice",
                p.employee_no
            );
            assert!(names.insert(p.name), "name {} twice", p.name);
            assert!(phones.insert(p.phone), "phone {} twice", p.phone);
            assert!(emails.insert(email), "e-mail of {} twice", p.name);
        }
    }

    #[test]
    fn employee_numbers_are_a_run_from_e0001() {
        let mut nos: Vec<&str> = PEOPLE.iter().map(|p| p.employee_no).collect();
        nos.sort_unstable();
        let expected: Vec<String> = (1..=PEOPLE.len()).map(|i| format!("E{i:04}")).collect();
        assert_eq!(nos, expected);
    }

    #[test]
    fn surnames_differ_and_hire_dates_spread() {
        let surnames: HashSet<char> = PEOPLE
            .iter()
            .filter_map(|p| p.name.chars().next())
            .collect();
        assert_eq!(surnames.len(), PEOPLE.len());
        let years: HashSet<i32> = PEOPLE
            .iter()
            .map(|p| chrono::Datelike::year(&p.hire_date))
            .collect();
        assert!(years.iter().all(|y| (2015..=2025).contains(y)));
        assert_eq!(years.len(), 11, "every year 2015–2025 has a hire");
    }

    #[test]
    fn tree_is_well_formed() {
        for (i, u) in UNITS.iter().enumerate() {
            match u.parent {
                // Parents come first, so `load` can insert in order.
                Some(p) => assert!(
                    UNITS[..i].iter().any(|earlier| earlier.code == p),
                    "parent {p} of {} missing or later",
                    u.code
                ),
                None => assert_eq!(u.code, "HQ", "only the company is a root"),
            }
        }
        for p in &PEOPLE {
            assert!(
                unit_by_code(p.unit).is_some(),
                "{} in unknown unit {}",
                p.employee_no,
                p.unit
            );
        }
    }

    #[test]
    fn heads_belong_to_their_unit_and_lead_sales_units_as_managers() {
        let hq = unit_by_code("HQ").expect("HQ");
        assert_eq!(person_by_no(hq.head).map(|p| p.role), Some(Role::Gm));
        for u in &UNITS {
            let head = person_by_no(u.head).unwrap_or_else(|| panic!("head of {}", u.code));
            assert_eq!(head.unit, u.code, "head of {} sits elsewhere", u.code);
        }
        for region in ["HD", "HN", "HB"] {
            let r = unit_by_code(region).expect("region");
            assert_eq!(r.parent, Some("HQ"));
            let teams: Vec<&DemoUnit> = UNITS.iter().filter(|t| t.parent == Some(region)).collect();
            assert!(
                (2..=3).contains(&teams.len()),
                "{region} has {} teams",
                teams.len()
            );
            for u in std::iter::once(r).chain(teams.iter().copied()) {
                assert_eq!(
                    person_by_no(u.head).map(|p| p.role),
                    Some(Role::Manager),
                    "{}",
                    u.code
                );
            }
            for t in &teams {
                let sellers = PEOPLE
                    .iter()
                    .filter(|p| p.unit == t.code && p.role == Role::Sales);
                assert!(sellers.count() >= 3, "team {} is too small", t.code);
            }
        }
    }

    #[test]
    fn headcount_by_role() {
        let count = |r: Role| PEOPLE.iter().filter(|p| p.role == r).count();
        assert_eq!(count(Role::Sales), 30);
        assert_eq!(count(Role::Manager), 3 + 7);
        assert_eq!(count(Role::Gm), 1);
        assert_eq!(count(Role::SalesAdmin), 2);
        assert_eq!(count(Role::Hr), 1);
        assert_eq!(count(Role::Admin), 0);
        // Salespeople sit in teams only.
        for p in PEOPLE.iter().filter(|p| p.role == Role::Sales) {
            let parent = unit_by_code(p.unit).and_then(|u| u.parent);
            assert!(
                matches!(parent, Some("HD" | "HN" | "HB")),
                "{} not in a team",
                p.name
            );
        }
    }

    #[test]
    fn logins_cover_every_role_and_point_at_the_right_people() {
        let roles: HashSet<Role> = DEMO_LOGINS.iter().map(|l| l.role).collect();
        assert_eq!(roles.len(), Role::ALL.len());
        let usernames: HashSet<&str> = DEMO_LOGINS.iter().map(|l| l.username).collect();
        assert_eq!(usernames.len(), DEMO_LOGINS.len());
        for l in &DEMO_LOGINS {
            assert!(
                accounts::check_username(l.username).is_ok(),
                "{}",
                l.username
            );
            assert_eq!(l.username, l.role.code(), "usernames are the role codes");
            match l.employee_no {
                None => assert_eq!(l.role, Role::Admin),
                Some(no) => {
                    let p = person_by_no(no).unwrap_or_else(|| panic!("{no} of {}", l.username));
                    assert_eq!(p.role, l.role, "{}", l.username);
                    assert!(l.who.ends_with(p.name), "{} is not {}", l.who, p.name);
                }
            }
        }
        let find = |u: &str| {
            DEMO_LOGINS
                .iter()
                .find(|l| l.username == u)
                .and_then(|l| l.employee_no)
        };
        let unit_of = |u: &str| find(u).and_then(person_by_no).map(|p| p.unit);
        assert_eq!(find("manager"), unit_by_code("HD").map(|u| u.head));
        assert_eq!(
            unit_of("sales")
                .and_then(unit_by_code)
                .and_then(|u| u.parent),
            Some("HD")
        );
    }

    #[test]
    fn figures_are_reproducible_and_complete() {
        let a = demo_figures();
        let b = demo_figures();
        let key = |i: &FigureInput| {
            format!(
                "{} {} {} {} {:?} {:?}",
                i.metric, i.subject, i.period, i.value, i.floor, i.stretch
            )
        };
        assert_eq!(
            a.targets.iter().map(key).collect::<Vec<_>>(),
            b.targets.iter().map(key).collect::<Vec<_>>()
        );
        assert_eq!(
            a.actuals.iter().map(key).collect::<Vec<_>>(),
            b.actuals.iter().map(key).collect::<Vec<_>>()
        );
        // 30 sellers × 24 months, less the months before two of them were
        // hired (E0027 from 2025-03, E0044 from 2025-07).
        let person_months = 30 * 24 - 2 - 6;
        let sales_units = UNITS
            .iter()
            .filter(|u| !matches!(u.code, "HQ-SO" | "HQ-HR"))
            .count();
        assert_eq!(
            a.targets.len(),
            person_months * DEMO_METRICS.len() + 2 * (30 + sales_units)
        );
        // Actuals stop at November 2026; a dozen person-months are missing.
        assert_eq!(
            a.actuals.len(),
            (person_months - 30 - MISSING_ACTUALS.len()) * DEMO_METRICS.len()
        );
        assert!(a.actuals.iter().all(|i| i.period.as_str() <= "2026-11"));
        for (no, period) in MISSING_ACTUALS {
            assert!(person_by_no(no).is_some_and(|p| p.role == Role::Sales));
            assert_ne!(period, DEMO_LOCKED.0);
            let subject = format!("person:{no}");
            assert!(
                !a.actuals
                    .iter()
                    .any(|i| i.subject == subject && i.period == period)
            );
        }
    }

    #[test]
    fn targets_are_in_range_and_mostly_met() {
        let f = demo_figures();
        let value = |i: &FigureInput| -> f64 {
            i.value
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let targets: HashMap<(String, String, String), f64> = f
            .targets
            .iter()
            .map(|i| {
                (
                    (i.metric.clone(), i.subject.clone(), i.period.clone()),
                    value(i),
                )
            })
            .collect();
        let mut tally: HashMap<&str, usize> = HashMap::new();
        for i in &f.targets {
            let v = value(i);
            match (i.metric.as_str(), i.period.len()) {
                ("sales_amount", 7) => assert!((300_000.0..=800_000.0).contains(&v), "{v}"),
                ("calls", 7) => assert!((400.0..=650.0).contains(&v), "{v}"),
                ("visits", 7) => assert!((56.0..=90.0).contains(&v), "{v}"),
                ("satisfaction", _) => assert!((85.0..=95.0).contains(&v), "{v}"),
                ("complaints", _) => assert!((0.0..=3.0).contains(&v), "{v}"),
                _ => {}
            }
        }
        for a in &f.actuals {
            let t = targets[&(a.metric.clone(), a.subject.clone(), a.period.clone())];
            let v = value(a);
            let better = if a.metric == "complaints" {
                v < t
            } else {
                v > t
            };
            let colour = if v == t {
                "yellow"
            } else if better {
                "green"
            } else {
                "red"
            };
            *tally.entry(colour).or_default() += 1;
        }
        let (g, y, r) = (tally["green"], tally["yellow"], tally["red"]);
        assert!(g > y && y > 0 && r > 0, "{tally:?}");
        assert!(g + y > 2 * r, "mostly met: {tally:?}");
        // Each sales unit's year target is above what its children add up to.
        for year in DEMO_YEARS {
            for u in UNITS
                .iter()
                .filter(|u| !matches!(u.code, "HQ-SO" | "HQ-HR"))
            {
                let own = targets[&(
                    "sales_amount".to_owned(),
                    format!("unit:{}", u.code),
                    year.to_string(),
                )];
                let children: f64 = targets
                    .iter()
                    .filter(|((m, s, p), _)| {
                        m == "sales_amount"
                            && *p == year.to_string()
                            && (UNITS.iter().any(|c| {
                                c.parent == Some(u.code) && *s == format!("unit:{}", c.code)
                            }) || PEOPLE.iter().any(|pp| {
                                pp.unit == u.code && *s == format!("person:{}", pp.employee_no)
                            }))
                    })
                    .map(|(_, v)| v)
                    .sum();
                assert!(
                    own > children * 1.01 && own < children * 1.07,
                    "{} {year}: {own} vs {children}",
                    u.code
                );
            }
        }
    }

    #[tokio::test]
    async fn loads_once_into_an_empty_database() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("demo.db");
        let db = crate::storage::connect(&format!("sqlite://{}", path.display())).await?;
        assert!(load(&db).await?);
        assert_eq!(org::count_units(&db).await?, UNITS.len() as u64);
        assert_eq!(org::count_people(&db).await?, PEOPLE.len() as u64);
        let f = demo_figures();
        // The org, every typed actual written, the targets as one published
        // plan version per fiscal year, one entry for the sales records,
        // and the lock.
        let target_years: HashSet<&str> = f.targets.iter().map(|t| &t.period[..4]).collect();
        let typed = f.actuals.iter().filter(|i| !is_computed(&i.metric)).count();
        let audited =
            (UNITS.len() + PEOPLE.len() + DEMO_LOGINS.len() + target_years.len() + typed + 1 + 1)
                as u64;
        assert_eq!(audit::count(&db).await?, audited);
        assert_eq!(
            figures::locked_periods(&db).await?,
            HashSet::from([DEMO_LOCKED.0.to_owned()])
        );
        for l in &DEMO_LOGINS {
            let u = accounts::find_user(&db, l.username)
                .await?
                .ok_or("no account")?;
            assert_eq!(u.role, l.role.code());
        }
        let signed_in = accounts::login(&db, "manager", DEMO_PASSWORD).await?;
        assert!(signed_in.signed_in.actor.unit_id.is_some());

        assert!(!load(&db).await?, "a second load does nothing");
        assert_eq!(org::count_people(&db).await?, PEOPLE.len() as u64);
        assert_eq!(audit::count(&db).await?, audited);
        Ok(())
    }
}
