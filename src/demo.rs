//! The demo company: 华信智能科技有限公司, three sales regions with their
//! teams, a sales office and HR, about forty people and six accounts, one
//! per role, all with the password [`DEMO_PASSWORD`].
//!
//! The data is kept in `const` arrays so that its consistency (unique codes,
//! every unit and head known, …) is checked by unit tests without a
//! database; [`load`] only turns it into rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, DbErr, IntoActiveModel, Set};
use serde_json::json;

use crate::domain::role::Role;
// Short names keep the rows of `PEOPLE` on one line each.
use crate::domain::role::Role::{Gm, Hr, Manager, Sales, SalesAdmin};
use crate::storage::entity::unit;
use crate::storage::org::UnitView;
use crate::storage::{Db, Error, accounts, audit, org};

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
/// Everything goes in one transaction: a failure leaves the database empty,
/// and the next start tries again. The audit log gets one `demo` entry per
/// unit and per person (actor `system`), and one `create` entry per account
/// from [`accounts::create_user_with_hash`].
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

    for l in &DEMO_LOGINS {
        let person_id = match l.employee_no {
            Some(no) => Some(*person_ids.get(no).ok_or_else(|| {
                inconsistent(format!("login {} names unknown person {no}", l.username))
            })?),
            None => None,
        };
        accounts::create_user_with_hash(&txn, None, l.username, &hash, l.role, person_id).await?;
    }

    txn.commit().await?;
    Ok(true)
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

    #[tokio::test]
    async fn loads_once_into_an_empty_database() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("demo.db");
        let db = crate::storage::connect(&format!("sqlite://{}", path.display())).await?;
        assert!(load(&db).await?);
        assert_eq!(org::count_units(&db).await?, UNITS.len() as u64);
        assert_eq!(org::count_people(&db).await?, PEOPLE.len() as u64);
        let audited = (UNITS.len() + PEOPLE.len() + DEMO_LOGINS.len()) as u64;
        assert_eq!(audit::count(&db).await?, audited);
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
