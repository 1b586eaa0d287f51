//! The demo company's sales process: customers with their contacts and
//! follow-up notes, orders with lines, credit splits and collections,
//! calls and visits, daily plans with tasks, weekly reports and projects.
//!
//! The records are made so that the actuals computed from them (see
//! [`crate::storage::computed`]) are exactly the demo's designed figures:
//! every salesperson's monthly sales, collections, new customers, calls
//! and visits from 2025 to [`DEMO_NOW`] come out as [`wanted`] says, so
//! the table keeps its mix of green, yellow and red. The rates (share of
//! new customers, repurchase rate, plan completion) follow from the same
//! records. A year of orders before that (2024) gives every salesperson
//! the customers that make "new" and "bought again" meaningful in 2025;
//! it has no targets.
//!
//! Everything is computed from a hash of names and months — no clock, no
//! randomness — and the records are inserted with multi-row statements in
//! one transaction, the calls and visits expanded from one row per person
//! and day by the database (`INSERT … SELECT` joined with a small number
//! table), so that loading stays quick.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Value};
use serde_json::json;

use super::{
    DEMO_NOW, DEMO_TODAY, DemoPerson, PEOPLE, demo_actual, demo_target, first_month, mix, outcome,
    permille, pick,
};
use crate::domain::role::Role;
use crate::domain::split;
use crate::storage::{self, Db, Error, Lane, audit, statement};

/// A month: (year, month).
pub(super) type Ym = (i32, u32);

/// The first month with orders: a year of history before the demo table.
pub const HISTORY_FROM: Ym = (2024, 1);

/// The first month with calls, visits and the demo table's actuals.
pub const RECORDS_FROM: Ym = (2025, 1);

/// Daily plans are kept from this day to [`DEMO_TODAY`].
pub const PLANS_FROM: NaiveDate = super::ymd(2026, 10, 1);

/// The computed metrics whose monthly figures [`wanted`] fixes.
pub const EXACT_METRICS: [&str; 5] = [
    "sales_amount",
    "collection_amount",
    "new_customers",
    "calls",
    "visits",
];

/// What a salesperson's records add up to for one metric and month, from
/// [`RECORDS_FROM`] on: the demo's designed actual against its target.
pub fn wanted(metric: &str, emp: &str, (year, month): Ym) -> i64 {
    let period = format!("{year}-{month:02}");
    let target = demo_target(metric, emp, year, month);
    demo_actual(metric, target, outcome(emp, metric, &period))
}

/// Sales in a month of the history year, without a target: a little
/// below the next year's plan.
fn history_sales(emp: &str, (year, month): Ym) -> i64 {
    let period = format!("{year}-{month:02}");
    let level = demo_target("sales_amount", emp, year + 1, month);
    permille(level, 860 + pick(&["history", emp, &period], 160))
        + pick(&["fen", emp, &period], 100_000)
}

fn next_ym((y, m): Ym) -> Ym {
    if m == 12 { (y + 1, 1) } else { (y, m + 1) }
}

fn prev_ym((y, m): Ym) -> Ym {
    if m == 1 { (y - 1, 12) } else { (y, m - 1) }
}

fn ym_of(d: NaiveDate) -> Ym {
    (d.year(), d.month())
}

fn day_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `d` at `hh:mm` in Beijing time, as UTC.
fn at(d: NaiveDate, hh: u32, mm: u32) -> DateTime<Utc> {
    let local = d.and_hms_opt(hh, mm, 0).unwrap_or_default();
    Utc.from_utc_datetime(&(local - Duration::hours(8)))
}

/// Public holidays (first and last day) of the years with records; the
/// working days are the weekdays outside them.
/// A day as (year, month, day), comparable in that order.
type Ymd = (i32, u32, u32);

const HOLIDAYS: [(Ymd, Ymd); 21] = [
    ((2024, 1, 1), (2024, 1, 1)),
    ((2024, 2, 10), (2024, 2, 17)),
    ((2024, 4, 4), (2024, 4, 6)),
    ((2024, 5, 1), (2024, 5, 5)),
    ((2024, 6, 10), (2024, 6, 10)),
    ((2024, 9, 16), (2024, 9, 17)),
    ((2024, 10, 1), (2024, 10, 7)),
    ((2025, 1, 1), (2025, 1, 1)),
    ((2025, 1, 28), (2025, 2, 4)),
    ((2025, 4, 4), (2025, 4, 6)),
    ((2025, 5, 1), (2025, 5, 5)),
    ((2025, 5, 31), (2025, 6, 2)),
    ((2025, 10, 1), (2025, 10, 8)),
    ((2026, 1, 1), (2026, 1, 3)),
    ((2026, 2, 15), (2026, 2, 23)),
    ((2026, 4, 4), (2026, 4, 6)),
    ((2026, 5, 1), (2026, 5, 5)),
    ((2026, 6, 19), (2026, 6, 21)),
    ((2026, 9, 25), (2026, 9, 27)),
    ((2026, 10, 1), (2026, 10, 7)),
    ((2026, 12, 31), (2026, 12, 31)),
];

fn is_working_day(d: NaiveDate) -> bool {
    if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        return false;
    }
    let key = (d.year(), d.month(), d.day());
    !HOLIDAYS.iter().any(|(from, to)| *from <= key && key <= *to)
}

/// The working days of a month, up to [`DEMO_TODAY`].
pub fn working_days((year, month): Ym) -> Vec<NaiveDate> {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| d.month() == month && *d <= DEMO_TODAY)
        .filter(|d| is_working_day(*d))
        .collect()
}

/// Is `ym` among the first months of someone hired during the demo years,
/// when their collections can only come from what they sold since?
fn is_newcomer(seller: &Seller, ym: Ym) -> bool {
    seller.first >= RECORDS_FROM && ym <= next_ym(next_ym(seller.first))
}

/// A small deterministic generator (splitmix64), seeded from words.
struct Rng(u64);

impl Rng {
    fn new(words: &[&str]) -> Rng {
        Rng(mix(words))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1).max(1) as u64) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A product of the demo company, with its list price in 分.
struct Product {
    name: &'static str,
    category: &'static str,
    price: i64,
}

const fn product(name: &'static str, category: &'static str, price: i64) -> Product {
    Product {
        name,
        category,
        price,
    }
}

const PRODUCTS: [Product; 8] = [
    product("HX-C200 网络摄像机", "视频监控", 128_000),
    product("HX-N16 网络录像机", "视频监控", 680_000),
    product("HX-A10 人脸识别门禁终端", "门禁一卡通", 360_000),
    product("HX-K4 门禁控制器", "门禁一卡通", 195_000),
    product("HX-B300 楼宇控制器", "楼宇自控", 1_850_000),
    product("HX-S5 环境传感器套件", "楼宇自控", 86_000),
    product("HX-P8 停车场道闸", "门禁一卡通", 1_260_000),
    product("年度维保服务", "技术服务", 2_500_000),
];

/// The line that makes an order's total exact: integration work priced
/// per order.
const SERVICE: (&str, &str) = ("系统集成服务", "技术服务");

/// The one refund line of the demo: two cameras returned.
const REFUND: (&str, Ym) = ("E0015", (2026, 9));

/// Where a team sells: city (for customer names), province and districts.
fn territory(unit: &str) -> (&'static str, &'static str, [&'static str; 4]) {
    match unit {
        "HD-SH" => ("上海", "上海市", ["浦东新区", "闵行区", "徐汇区", "嘉定区"]),
        "HD-HZ" => ("杭州", "浙江省", ["西湖区", "滨江区", "余杭区", "萧山区"]),
        "HD-NJ" => ("南京", "江苏省", ["鼓楼区", "江宁区", "建邺区", "栖霞区"]),
        "HN-GZ" => ("广州", "广东省", ["天河区", "番禺区", "黄埔区", "白云区"]),
        "HN-SZ" => ("深圳", "广东省", ["南山区", "福田区", "龙岗区", "宝安区"]),
        "HB-BJ" => ("北京", "北京市", ["朝阳区", "海淀区", "丰台区", "大兴区"]),
        _ => ("天津", "天津市", ["滨海新区", "南开区", "河西区", "西青区"]),
    }
}

const BRANDS: [&str; 40] = [
    "恒通", "华盛", "中科", "金桥", "东方", "新元", "瑞丰", "博远", "鼎信", "联创", "宏图", "正泰",
    "安达", "永信", "天成", "海纳", "明德", "长青", "凯旋", "百盛", "嘉禾", "汇通", "星河", "同舟",
    "润泽", "卓越", "远航", "和信", "德馨", "启明", "恒泰", "万象", "信达", "光华", "弘毅", "泰和",
    "立信", "华瑞", "国润", "锦程",
];

const MIDDLES: [&str; 5] = ["", "新", "联", "鸿", "盛"];

/// Name endings with the industry they stand for.
const KINDS: [(&str, &str); 10] = [
    ("科技有限公司", "信息技术"),
    ("建设工程有限公司", "建筑工程"),
    ("物业服务有限公司", "物业管理"),
    ("置业有限公司", "房地产"),
    ("精密制造有限公司", "制造业"),
    ("酒店管理有限公司", "酒店"),
    ("医疗器械有限公司", "医疗"),
    ("物流有限公司", "物流"),
    ("教育科技有限公司", "教育"),
    ("商业管理有限公司", "商业零售"),
];

const SOURCES: [&str; 6] = [
    "老客户转介绍",
    "展会",
    "电话开发",
    "网络咨询",
    "招投标",
    "合作伙伴推荐",
];

const SURNAMES: [&str; 24] = [
    "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何",
    "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩",
];

const GIVEN: [&str; 20] = [
    "伟", "芳", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "超", "霞", "平", "刚",
    "丽华", "建华", "志强", "海燕",
];

const TITLES: [&str; 8] = [
    "采购经理",
    "工程部经理",
    "总经理",
    "行政总监",
    "项目经理",
    "设备主管",
    "信息中心主任",
    "副总经理",
];

/// A customer's name: unique per city for `j` below 2,000.
fn customer_name(city: &str, j: usize) -> (String, &'static str) {
    let q = j / BRANDS.len();
    let (ending, industry) = KINDS[(q + j) % KINDS.len()];
    let name = format!(
        "{city}{}{}{ending}",
        BRANDS[j % BRANDS.len()],
        MIDDLES[(q / KINDS.len()) % MIDDLES.len()]
    );
    (name, industry)
}

/// An 11-digit mobile number fixed by the words.
fn mobile(words: &[&str]) -> String {
    let prefixes = [
        "139", "138", "137", "136", "135", "158", "159", "186", "189",
    ];
    let h = mix(words);
    format!(
        "{}{:08}",
        prefixes[(h % prefixes.len() as u64) as usize],
        (h >> 8) % 100_000_000
    )
}

/// One salesperson, as the generator sees them.
struct Seller {
    p: &'static DemoPerson,
    person_id: i64,
    first: Ym,
}

/// A customer being generated; `id` is local (1, 2, …).
pub(super) struct Customer {
    pub id: i64,
    pub name: String,
    pub industry: &'static str,
    pub region: &'static str,
    pub address: String,
    pub source: &'static str,
    /// Index into the sellers.
    owner: usize,
    /// Who served the customer before it was handed to `owner`, and from
    /// which month `owner` did.
    before: Option<(usize, Ym)>,
    /// The month of the first order; `None` for a prospect.
    acquired: Option<Ym>,
    created: NaiveDate,
}

impl Customer {
    fn served_by(&self, ym: Ym) -> usize {
        match self.before {
            Some((seller, until)) if ym < until => seller,
            _ => self.owner,
        }
    }
}

pub(super) struct Line {
    pub product: &'static str,
    pub category: &'static str,
    pub quantity: i64,
    pub unit_price: i64,
    pub amount: i64,
}

pub(super) struct Order {
    pub id: i64,
    pub no: String,
    /// Local customer id.
    pub customer: i64,
    pub date: NaiveDate,
    pub cancelled: bool,
    pub lines: Vec<Line>,
    /// (seller index, share in hundredths of a percent, amount).
    pub credits: Vec<(usize, i32, i64)>,
    pub total: i64,
    collected: i64,
    last_collected: Option<NaiveDate>,
    pub status: &'static str,
    pub confirmed_on: Option<NaiveDate>,
    pub shipped_on: Option<NaiveDate>,
    pub invoiced_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub by_seller: bool,
}

pub(super) struct Collection {
    pub id: i64,
    /// Index into the orders.
    pub order: usize,
    pub amount: i64,
    pub date: NaiveDate,
    /// (seller index, amount).
    pub credits: Vec<(usize, i64)>,
}

/// Calls and visits of one salesperson on one day.
pub(super) struct Day {
    seller: usize,
    pub date: NaiveDate,
    pub calls: i64,
    pub visits: i64,
}

/// Everything generated, with local ids from 1.
pub(super) struct Records {
    sellers: Vec<Seller>,
    pub customers: Vec<Customer>,
    pub orders: Vec<Order>,
    pub collections: Vec<Collection>,
    pub days: Vec<Day>,
    /// Collections the generator could not place (a test keeps it at 0).
    pub shortfall: i64,
}

impl Records {
    pub fn person_id(&self, seller: usize) -> i64 {
        self.sellers[seller].person_id
    }

    pub fn employee_no(&self, seller: usize) -> &'static str {
        self.sellers[seller].p.employee_no
    }

    fn seller_by_no(&self, emp: &str) -> Option<usize> {
        self.sellers.iter().position(|s| s.p.employee_no == emp)
    }

    /// The sellers' customers: local ids `lo..lo + n` for each seller
    /// (customers are numbered by owner).
    fn customer_block(&self, seller: usize) -> (i64, i64) {
        let ids: Vec<i64> = self
            .customers
            .iter()
            .filter(|c| c.owner == seller)
            .map(|c| c.id)
            .collect();
        (
            ids.iter().copied().min().unwrap_or(1),
            ids.len().max(1) as i64,
        )
    }
}

/// Splits `whole` by integer weights, exactly (largest remainder, ties to
/// the earlier weight) — for credits the same split as
/// [`crate::storage::orders::split_by_shares`].
fn by_weights(whole: i64, weights: &[i64]) -> Vec<i64> {
    if weights.len() == 1 {
        return vec![whole];
    }
    let w: Vec<Decimal> = weights.iter().map(|w| Decimal::from(*w)).collect();
    match split::by_weights(whole, &w) {
        Ok(s) => s.parts,
        // Unreachable with positive weights; keep the whole on the first.
        Err(_) => {
            let mut parts = vec![0; weights.len()];
            if let Some(p) = parts.first_mut() {
                *p = whole;
            }
            parts
        }
    }
}

/// Product lines worth about `amount`, then the service line that makes
/// the total exact. With `refund`, two cameras are returned on the order.
fn lines_for(amount: i64, rng: &mut Rng, refund: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut left = amount;
    let mut used = [false; PRODUCTS.len()];
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(PRODUCTS.len());
        if used[i] {
            continue;
        }
        used[i] = true;
        let p = &PRODUCTS[i];
        let budget = left * rng.range(35, 75) / 100;
        let quantity = budget / p.price;
        if quantity < 1 {
            continue;
        }
        left -= quantity * p.price;
        lines.push(Line {
            product: p.name,
            category: p.category,
            quantity,
            unit_price: p.price,
            amount: quantity * p.price,
        });
    }
    if refund {
        let p = &PRODUCTS[0];
        left += 2 * p.price;
        lines.push(Line {
            product: p.name,
            category: p.category,
            quantity: -2,
            unit_price: p.price,
            amount: -2 * p.price,
        });
    }
    if left != 0 {
        lines.push(Line {
            product: SERVICE.0,
            category: SERVICE.1,
            quantity: 1,
            unit_price: left,
            amount: left,
        });
    }
    lines
}

/// A working day of the month, or the month's last one.
fn some_day(days: &[NaiveDate], rng: &mut Rng) -> Option<NaiveDate> {
    (!days.is_empty()).then(|| days[rng.below(days.len())])
}

/// Generates the records. `person_ids` maps 工号 to person ids (any
/// distinct numbers in tests).
pub(super) fn generate(person_ids: &HashMap<&str, i64>) -> Records {
    let sellers: Vec<Seller> = PEOPLE
        .iter()
        .filter(|p| p.role == Role::Sales)
        .map(|p| Seller {
            p,
            person_id: person_ids.get(p.employee_no).copied().unwrap_or_default(),
            first: first_month(p).max(HISTORY_FROM),
        })
        .collect();
    let mut g = Gen {
        customers: Vec::new(),
        orders: Vec::new(),
        collections: Vec::new(),
        city_counter: HashMap::new(),
        order_seq: HashMap::new(),
        receivable: vec![Vec::new(); sellers.len()],
        last_bought: Vec::new(),
        shortfall: 0,
    };
    g.base_customers(&sellers);

    let mut ym = HISTORY_FROM;
    let mut splits_of: BTreeMap<Ym, Vec<usize>> = BTreeMap::new();
    while ym <= DEMO_NOW {
        g.month(&sellers, ym, &mut splits_of);
        ym = next_ym(ym);
    }
    g.finish_orders();
    g.prospects(&sellers);

    // Customers are numbered by owner, so each seller's are one block.
    let mut order: Vec<usize> = (0..g.customers.len()).collect();
    order.sort_by_key(|i| (g.customers[*i].owner, *i));
    let mut new_id = vec![0i64; g.customers.len()];
    for (pos, i) in order.iter().enumerate() {
        new_id[*i] = pos as i64 + 1;
    }
    for o in &mut g.orders {
        o.customer = new_id[(o.customer - 1) as usize];
    }
    let mut customers: Vec<Customer> = g.customers;
    for (i, c) in customers.iter_mut().enumerate() {
        c.id = new_id[i];
    }
    customers.sort_by_key(|c| c.id);

    let days = calls_and_visits(&sellers);
    Records {
        sellers,
        customers,
        orders: g.orders,
        collections: g.collections,
        days,
        shortfall: g.shortfall,
    }
}

/// The generator's state while it walks the months.
struct Gen {
    customers: Vec<Customer>,
    orders: Vec<Order>,
    collections: Vec<Collection>,
    /// Customers named so far per city.
    city_counter: HashMap<&'static str, usize>,
    /// Orders numbered so far per month.
    order_seq: HashMap<Ym, usize>,
    /// Per seller: their own orders (one credit), oldest first.
    receivable: Vec<Vec<usize>>,
    /// Per customer: the date of their latest order.
    last_bought: Vec<Option<NaiveDate>>,
    shortfall: i64,
}

impl Gen {
    fn new_customer(
        &mut self,
        sellers: &[Seller],
        owner: usize,
        before: Option<(usize, Ym)>,
        acquired: Option<Ym>,
        rng: &mut Rng,
    ) -> usize {
        let (city, province, districts) = territory(sellers[owner].p.unit);
        let j = self.city_counter.entry(city).or_default();
        let (name, industry) = customer_name(city, *j);
        *j += 1;
        let created = acquired
            .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1))
            .map(|d| d - Duration::days(rng.range(10, 60)))
            .unwrap_or(super::ymd(2026, 9, 1) + Duration::days(rng.range(0, 60)));
        self.last_bought.push(None);
        self.customers.push(Customer {
            id: self.customers.len() as i64 + 1,
            name,
            industry,
            region: province,
            address: format!(
                "{province}{city}{}{}路{}号",
                rng.pick(&districts),
                rng.pick(&BRANDS),
                rng.range(8, 999)
            )
            .replacen("上海市上海", "上海市", 1)
            .replacen("北京市北京", "北京市", 1)
            .replacen("天津市天津", "天津市", 1),
            source: SOURCES[rng.below(SOURCES.len())],
            owner,
            before,
            acquired,
            created,
        });
        self.customers.len() - 1
    }

    /// The customers each seller has before 2025: first bought in the
    /// history year, from them or — for those hired since — from the most
    /// senior colleague of their team, who handed them over.
    fn base_customers(&mut self, sellers: &[Seller]) {
        for (s, seller) in sellers.iter().enumerate() {
            let emp = seller.p.employee_no;
            let mut rng = Rng::new(&["base", emp]);
            let (from, served_by) = if seller.first < RECORDS_FROM {
                (seller.first, s)
            } else {
                let senior = sellers
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.p.unit == seller.p.unit && o.first <= HISTORY_FROM)
                    .min_by_key(|(_, o)| o.p.hire_date)
                    .map_or(s, |(i, _)| i);
                (HISTORY_FROM, senior)
            };
            let months = if from.0 < RECORDS_FROM.0 {
                13 - from.1 as usize
            } else {
                0
            };
            let n = if served_by == s {
                (months * 2 + rng.below(6) + 2).min(30)
            } else {
                10 + rng.below(4)
            };
            for i in 0..n {
                let mut ym = from;
                for _ in 0..(i * months / n.max(1)) {
                    ym = next_ym(ym);
                }
                let before = (served_by != s).then_some((served_by, seller.first));
                self.new_customer(sellers, s, before, Some(ym), &mut rng);
            }
        }
    }

    /// A few prospects per seller: customers with no order yet.
    fn prospects(&mut self, sellers: &[Seller]) {
        for (s, seller) in sellers.iter().enumerate() {
            let mut rng = Rng::new(&["prospects", seller.p.employee_no]);
            for _ in 0..2 + rng.below(2) {
                self.new_customer(sellers, s, None, None, &mut rng);
            }
        }
    }

    fn order_no(&mut self, ym: Ym) -> String {
        let n = self.order_seq.entry(ym).or_default();
        *n += 1;
        format!("SO{}{:02}-{:04}", ym.0, ym.1, n)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_order(
        &mut self,
        ym: Ym,
        customer: usize,
        date: NaiveDate,
        amount: i64,
        credits: Vec<(usize, i32)>,
        cancelled: bool,
        refund: bool,
        rng: &mut Rng,
    ) -> usize {
        let lines = lines_for(amount, rng, refund);
        let total: i64 = lines.iter().map(|l| l.amount).sum();
        let weights: Vec<i64> = credits.iter().map(|c| i64::from(c.1)).collect();
        let parts = by_weights(total, &weights);
        let credits: Vec<(usize, i32, i64)> = credits
            .iter()
            .zip(parts)
            .map(|((s, share), a)| (*s, *share, a))
            .collect();
        let no = self.order_no(ym);
        if !cancelled {
            let last = &mut self.last_bought[customer];
            *last = (*last).max(Some(date));
        }
        let i = self.orders.len();
        self.orders.push(Order {
            id: i as i64 + 1,
            no,
            customer: customer as i64 + 1,
            date,
            cancelled,
            lines,
            by_seller: rng.below(5) == 0,
            credits,
            total,
            collected: 0,
            last_collected: None,
            status: "entered",
            confirmed_on: None,
            shipped_on: None,
            invoiced_on: None,
            paid_on: None,
            cancelled_on: None,
        });
        i
    }

    /// Customers a seller can sell to again in `ym`: bought before, and
    /// served by them then.
    fn pools(&self, sellers: &[Seller], ym: Ym) -> Vec<Vec<usize>> {
        let mut pools = vec![Vec::new(); sellers.len()];
        for (i, c) in self.customers.iter().enumerate() {
            if c.acquired.is_some_and(|a| a < ym) {
                pools[c.served_by(ym)].push(i);
            }
        }
        pools
    }

    fn collect(&mut self, order: usize, amount: i64, date: NaiveDate) {
        let o = &mut self.orders[order];
        o.collected += amount;
        o.last_collected = o.last_collected.max(Some(date));
        let weights: Vec<i64> = o.credits.iter().map(|c| i64::from(c.1)).collect();
        let parts = by_weights(amount, &weights);
        let credits = o.credits.iter().zip(parts).map(|(c, a)| (c.0, a)).collect();
        self.collections.push(Collection {
            id: self.collections.len() as i64 + 1,
            order,
            amount,
            date,
            credits,
        });
    }

    fn month(&mut self, sellers: &[Seller], ym: Ym, splits_of: &mut BTreeMap<Ym, Vec<usize>>) {
        let days = working_days(ym);
        if days.is_empty() {
            return;
        }
        let period = format!("{}-{:02}", ym.0, ym.1);
        let exact = ym >= RECORDS_FROM;
        let active: Vec<usize> = (0..sellers.len())
            .filter(|s| sellers[*s].first <= ym)
            .collect();
        let sales_of = |s: usize| {
            let emp = sellers[s].p.employee_no;
            if exact {
                wanted("sales_amount", emp, ym)
            } else {
                history_sales(emp, ym)
            }
        };
        let pools = self.pools(sellers, ym);
        let mut credited: HashMap<usize, i64> = HashMap::new();

        // One order a month per team shared by two colleagues, 50/50 or
        // 60/40, to a customer of the first.
        let mut teams: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for s in &active {
            teams.entry(sellers[*s].p.unit).or_default().push(*s);
        }
        for (team, members) in &teams {
            if members.len() < 2 {
                continue;
            }
            let mut rng = Rng::new(&["split", team, &period]);
            let a = members[rng.below(members.len())];
            let b = members[(members.iter().position(|m| *m == a).unwrap_or(0)
                + 1
                + rng.below(members.len() - 1))
                % members.len()];
            if pools[a].is_empty() {
                continue;
            }
            let customer = *rng.pick(&pools[a]);
            let shares = if rng.below(2) == 0 {
                (5000, 5000)
            } else {
                (6000, 4000)
            };
            let amount = sales_of(a).min(sales_of(b)) * rng.range(8, 15) / 100;
            let date = some_day(&days, &mut rng).unwrap_or(days[0]);
            let i = self.push_order(
                ym,
                customer,
                date,
                amount,
                // Listed (and split) as the orders code does: the larger
                // share first, then the lower employee number.
                if shares.0 == shares.1 && sellers[b].p.employee_no < sellers[a].p.employee_no {
                    vec![(b, shares.1), (a, shares.0)]
                } else {
                    vec![(a, shares.0), (b, shares.1)]
                },
                false,
                false,
                &mut rng,
            );
            for (s, _, amount) in &self.orders[i].credits {
                *credited.entry(*s).or_default() += amount;
            }
            splits_of.entry(ym).or_default().push(i);
        }

        // Each seller's own orders: first orders of new customers, repeat
        // orders, and now and then one that gets cancelled.
        for &s in &active {
            let emp = sellers[s].p.employee_no;
            let mut rng = Rng::new(&["orders", emp, &period]);
            let rest = sales_of(s) - credited.get(&s).copied().unwrap_or(0);
            let new: Vec<usize> = if exact {
                let n = wanted("new_customers", emp, ym).max(0) as usize;
                (0..n)
                    .map(|_| self.new_customer(sellers, s, None, Some(ym), &mut rng))
                    .collect()
            } else {
                self.customers
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.acquired == Some(ym) && c.served_by(ym) == s)
                    .map(|(i, _)| i)
                    .collect()
            };
            let pool = &pools[s];
            // Customers reorder in turn: the repeat orders go to customers
            // picked among those who have waited longest.
            let want = if pool.is_empty() { 0 } else { 4 + rng.below(4) };
            let mut due: Vec<(Option<NaiveDate>, u64, usize)> = pool
                .iter()
                .map(|c| (self.last_bought[*c], rng.next(), *c))
                .collect();
            due.sort_unstable();
            let window = (want * 3).min(due.len());
            let mut repeat: Vec<usize> = Vec::new();
            for _ in 0..want * 10 {
                if repeat.len() >= want.min(window) {
                    break;
                }
                let c = due[rng.below(window)].2;
                if !repeat.contains(&c) {
                    repeat.push(c);
                }
            }
            let mut weights: Vec<i64> = new.iter().map(|_| rng.range(25, 55)).collect();
            weights.extend(repeat.iter().map(|_| rng.range(70, 130)));
            if weights.is_empty() || rest <= 0 {
                continue;
            }
            let amounts = by_weights(rest, &weights);
            for (k, (customer, amount)) in new.iter().chain(&repeat).zip(amounts).enumerate() {
                let date = some_day(&days, &mut rng).unwrap_or(days[0]);
                let refund = (emp, ym) == REFUND && k == new.len();
                let i = self.push_order(
                    ym,
                    *customer,
                    date,
                    amount,
                    vec![(s, 10_000)],
                    false,
                    refund,
                    &mut rng,
                );
                self.receivable[s].push(i);
            }
            if rng.below(6) == 0 && !pool.is_empty() {
                let customer = *rng.pick(pool);
                let date = some_day(&days, &mut rng).unwrap_or(days[0]);
                let amount = rng.range(30_000, 120_000) * 100;
                self.push_order(
                    ym,
                    customer,
                    date,
                    amount,
                    vec![(s, 10_000)],
                    true,
                    false,
                    &mut rng,
                );
            }
        }

        // Collections: shared orders two months on, when both sides' month
        // has room for them; then each seller's own orders, oldest first.
        let collections_of = |s: usize| {
            let emp = sellers[s].p.employee_no;
            if exact {
                wanted("collection_amount", emp, ym)
            } else if ym == HISTORY_FROM || sellers[s].first == ym {
                0
            } else {
                permille(history_sales(emp, prev_ym(ym)), 900)
            }
        };
        let mut collected: HashMap<usize, i64> = HashMap::new();
        let due: Vec<usize> = splits_of
            .range(..=prev_ym(prev_ym(ym)))
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|i| self.orders[*i].collected < self.orders[*i].total)
            .collect();
        for i in due {
            let mut rng = Rng::new(&["split collection", &self.orders[i].no]);
            let left = self.orders[i].total - self.orders[i].collected;
            let weights: Vec<i64> = self.orders[i]
                .credits
                .iter()
                .map(|c| i64::from(c.1))
                .collect();
            let parts = by_weights(left, &weights);
            let fits = self.orders[i].credits.iter().zip(&parts).all(|(c, a)| {
                collected.get(&c.0).copied().unwrap_or(0) + a <= collections_of(c.0) / 2
            });
            if !fits {
                continue;
            }
            for (c, a) in self.orders[i].credits.iter().zip(&parts) {
                *collected.entry(c.0).or_default() += a;
            }
            let date = some_day(&days, &mut rng).unwrap_or(days[0]);
            self.collect(i, left, date);
        }
        for &s in &active {
            let mut rng = Rng::new(&["collections", sellers[s].p.employee_no, &period]);
            let mut rest = collections_of(s) - collected.get(&s).copied().unwrap_or(0);
            let last_day = days[days.len() - 1];
            for earlier in [true, false] {
                let open: Vec<usize> = self.receivable[s]
                    .iter()
                    .copied()
                    .filter(|i| {
                        let o = &self.orders[*i];
                        o.collected < o.total && (ym_of(o.date) < ym) == earlier
                    })
                    .collect();
                for i in open {
                    if rest <= 0 {
                        break;
                    }
                    let take = rest.min(self.orders[i].total - self.orders[i].collected);
                    let date = if earlier {
                        some_day(&days, &mut rng).unwrap_or(last_day)
                    } else {
                        last_day
                    };
                    self.collect(i, take, date.max(self.orders[i].date));
                    rest -= take;
                }
            }
            // Someone hired during the demo years has nothing to collect
            // but what they sold in their first months.
            if exact && rest > 0 && !is_newcomer(&sellers[s], ym) {
                self.shortfall += rest;
            }
            self.receivable[s].retain(|i| self.orders[*i].collected < self.orders[*i].total);
        }
    }

    /// Each order's steps, by its age on [`DEMO_TODAY`]: confirmed a day or
    /// two after the order, shipped within a week, invoiced a few days
    /// later, paid once collected in full.
    fn finish_orders(&mut self) {
        for o in &mut self.orders {
            let mut rng = Rng::new(&["steps", &o.no]);
            let step = |from: NaiveDate, lo: i64, hi: i64, rng: &mut Rng| {
                Some(from + Duration::days(rng.range(lo, hi))).filter(|d| *d <= DEMO_TODAY)
            };
            if o.cancelled {
                o.confirmed_on = if rng.below(2) == 0 {
                    step(o.date, 1, 2, &mut rng)
                } else {
                    None
                };
                o.cancelled_on = Some(
                    step(o.confirmed_on.unwrap_or(o.date), 1, 6, &mut rng).unwrap_or(DEMO_TODAY),
                );
                o.status = "cancelled";
                continue;
            }
            o.confirmed_on = step(o.date, 1, 2, &mut rng);
            o.shipped_on = o.confirmed_on.and_then(|d| step(d, 2, 8, &mut rng));
            o.invoiced_on = o.shipped_on.and_then(|d| step(d, 1, 6, &mut rng));
            o.status = match (o.confirmed_on, o.shipped_on, o.invoiced_on) {
                (None, _, _) => "entered",
                (Some(_), None, _) => "confirmed",
                (Some(_), Some(_), None) => "shipped",
                (Some(_), Some(_), Some(_)) => "invoiced",
            };
            if o.collected == o.total
                && let Some(invoiced) = o.invoiced_on
            {
                o.status = "paid";
                o.paid_on = o.last_collected.map(|d| d.max(invoiced));
            }
        }
    }
}

/// Every salesperson's calls and visits per working day from
/// [`RECORDS_FROM`]: each month's [`wanted`] count spread over its days.
fn calls_and_visits(sellers: &[Seller]) -> Vec<Day> {
    let mut out = Vec::new();
    for (s, seller) in sellers.iter().enumerate() {
        let emp = seller.p.employee_no;
        let mut ym = seller.first.max(RECORDS_FROM);
        while ym <= DEMO_NOW {
            let days = working_days(ym);
            let n = days.len() as i64;
            if n > 0 {
                let period = format!("{}-{:02}", ym.0, ym.1);
                let spread = |metric: &str| -> Vec<i64> {
                    let total = wanted(metric, emp, ym).max(0);
                    let mut parts = vec![total / n; days.len()];
                    // The remainder goes to days picked by a hash.
                    let mut order: Vec<usize> = (0..days.len()).collect();
                    order.sort_by_cached_key(|i| mix(&[metric, emp, &period, &i.to_string()]));
                    for i in order.into_iter().take((total % n) as usize) {
                        parts[i] += 1;
                    }
                    parts
                };
                let calls = spread("calls");
                let visits = spread("visits");
                for (i, date) in days.iter().enumerate() {
                    out.push(Day {
                        seller: s,
                        date: *date,
                        calls: calls[i],
                        visits: visits[i],
                    });
                }
            }
            ym = next_ym(ym);
        }
    }
    out
}

// ---------------------------------------------------------------- loading

/// The accounts the records name as their authors.
pub(super) struct Users {
    pub admin: i64,
    pub sales: i64,
    pub manager: i64,
    pub sales_admin: i64,
}

/// Inserts rows with multi-row `INSERT`s of up to 1,000 rows.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<u64, DbErr> {
    let per = (30_000 / columns.len().max(1)).clamp(1, 1000);
    let row = format!("({})", vec!["?"; columns.len()].join(","));
    let mut total = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(","),
            vec![row.as_str(); chunk.len()].join(",")
        );
        total += chunk.len() as u64;
        let values = chunk.into_iter().flatten().collect();
        conn.execute_raw(statement(conn.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(total)
}

/// The highest id of a table (0 when empty): explicit ids start above it.
async fn max_id<C: ConnectionTrait>(conn: &C, table: &str) -> Result<i64, DbErr> {
    let row = conn
        .query_one_raw(statement(
            conn.get_database_backend(),
            &format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM {table}"),
            Vec::new(),
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "m")?,
        None => 0,
    })
}

/// After explicit ids, PostgreSQL's sequence must move past them.
async fn resync_sequence<C: ConnectionTrait>(conn: &C, table: &str) -> Result<(), DbErr> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))
        .await?;
    }
    Ok(())
}

fn opt_day(d: Option<NaiveDate>) -> Value {
    d.map(day_str).into()
}

/// Generates the records and inserts them in one figures-lane transaction,
/// with one audit entry that counts them. The computed actuals are left
/// to [`crate::storage::computed::recompute_all`].
pub(super) async fn load(
    db: &Db,
    person_ids: &HashMap<&str, i64>,
    users: &Users,
) -> Result<(), Error> {
    let r = generate(person_ids);
    if r.shortfall > 0 {
        tracing::warn!(
            fen = r.shortfall,
            "demo collections fell short of the design"
        );
    }
    let txn = storage::begin_write(db, Lane::Figures).await?;
    let base = |n: i64, local: i64| n + local;

    // Customers, one contact each, and the key-customer profiles.
    let customer_base = max_id(&txn, "customer").await?;
    let mut last_order: HashMap<i64, NaiveDate> = HashMap::new();
    for o in r.orders.iter().filter(|o| !o.cancelled) {
        let e = last_order.entry(o.customer).or_insert(o.date);
        *e = (*e).max(o.date);
    }
    let customer_rows = r
        .customers
        .iter()
        .map(|c| {
            let status = match last_order.get(&c.id) {
                None => "prospect",
                Some(d) if *d < DEMO_TODAY - Duration::days(365) => "dormant",
                Some(_) => "active",
            };
            let created = at(c.created, 10, 0);
            vec![
                base(customer_base, c.id).into(),
                c.name.clone().into(),
                c.industry.into(),
                c.region.into(),
                c.address.clone().into(),
                c.source.into(),
                r.person_id(c.owner).into(),
                status.into(),
                created.into(),
                created.into(),
            ]
        })
        .collect();
    insert_rows(
        &txn,
        "customer",
        &[
            "id",
            "name",
            "industry",
            "region",
            "address",
            "source",
            "owner_person_id",
            "status",
            "created_at",
            "updated_at",
        ],
        customer_rows,
    )
    .await?;
    resync_sequence(&txn, "customer").await?;
    let contacts = contact_rows(&r, customer_base);
    let n_contacts = contacts.len();
    insert_rows(
        &txn,
        "customer_contact",
        &[
            "customer_id",
            "name",
            "title",
            "phone",
            "email",
            "is_key",
            "birthday",
            "anniversary",
            "anniversary_label",
            "background",
            "education",
            "family",
            "interests",
            "goals",
            "personality",
            "private_notes",
            "created_at",
            "updated_at",
        ],
        contacts,
    )
    .await?;
    let notes = note_rows(&r, customer_base);
    let n_notes = notes.len();
    insert_rows(
        &txn,
        "customer_note",
        &[
            "customer_id",
            "person_id",
            "kind",
            "content",
            "noted_on",
            "created_at",
        ],
        notes,
    )
    .await?;

    // Orders, lines, credits, collections.
    let order_base = max_id(&txn, "sales_order").await?;
    let order_rows = r
        .orders
        .iter()
        .map(|o| {
            let created = at(o.date, 10, 30);
            let author = if o.by_seller && r.employee_no(o.credits[0].0) == "E0015" {
                users.sales
            } else {
                users.sales_admin
            };
            vec![
                base(order_base, o.id).into(),
                o.no.clone().into(),
                base(customer_base, o.customer).into(),
                o.status.into(),
                day_str(o.date).into(),
                opt_day(o.confirmed_on),
                opt_day(o.shipped_on),
                opt_day(o.invoiced_on),
                opt_day(o.paid_on),
                opt_day(o.cancelled_on),
                o.total.into(),
                o.cancelled.then_some("客户预算调整，订单取消").into(),
                author.into(),
                created.into(),
                at(o.cancelled_on.or(o.paid_on).unwrap_or(o.date), 17, 0).into(),
            ]
        })
        .collect();
    insert_rows(
        &txn,
        "sales_order",
        &[
            "id",
            "order_no",
            "customer_id",
            "status",
            "order_date",
            "confirmed_on",
            "shipped_on",
            "invoiced_on",
            "paid_on",
            "cancelled_on",
            "total",
            "note",
            "created_by_user_id",
            "created_at",
            "updated_at",
        ],
        order_rows,
    )
    .await?;
    resync_sequence(&txn, "sales_order").await?;
    let mut line_rows = Vec::new();
    let mut credit_rows = Vec::new();
    for o in &r.orders {
        for (n, l) in o.lines.iter().enumerate() {
            line_rows.push(vec![
                base(order_base, o.id).into(),
                (n as i32 + 1).into(),
                l.product.into(),
                l.category.into(),
                (l.quantity * 1000).into(),
                l.unit_price.into(),
                l.amount.into(),
            ]);
        }
        for (s, share, amount) in &o.credits {
            credit_rows.push(vec![
                base(order_base, o.id).into(),
                r.person_id(*s).into(),
                (*share).into(),
                (*amount).into(),
                day_str(o.date).into(),
                base(customer_base, o.customer).into(),
                o.cancelled.into(),
            ]);
        }
    }
    let n_lines = insert_rows(
        &txn,
        "order_line",
        &[
            "order_id",
            "line_no",
            "product",
            "category",
            "quantity_milli",
            "unit_price",
            "amount",
        ],
        line_rows,
    )
    .await?;
    insert_rows(
        &txn,
        "order_credit",
        &crate::storage::orders::CREDIT_COLUMNS,
        credit_rows,
    )
    .await?;
    let collection_base = max_id(&txn, "collection").await?;
    let mut collection_rows = Vec::new();
    let mut collection_credit_rows = Vec::new();
    for c in &r.collections {
        let o = &r.orders[c.order];
        collection_rows.push(vec![
            base(collection_base, c.id).into(),
            base(order_base, o.id).into(),
            c.amount.into(),
            day_str(c.date).into(),
            users.sales_admin.into(),
            at(c.date, 15, 0).into(),
        ]);
        for (s, amount) in &c.credits {
            collection_credit_rows.push(vec![
                base(collection_base, c.id).into(),
                r.person_id(*s).into(),
                (*amount).into(),
                day_str(c.date).into(),
            ]);
        }
    }
    insert_rows(
        &txn,
        "collection",
        &[
            "id",
            "order_id",
            "amount",
            "collected_on",
            "created_by_user_id",
            "created_at",
        ],
        collection_rows,
    )
    .await?;
    resync_sequence(&txn, "collection").await?;
    insert_rows(
        &txn,
        "collection_credit",
        &["collection_id", "person_id", "amount", "collected_on"],
        collection_credit_rows,
    )
    .await?;

    // Calls and visits: one row per person and day, expanded by the
    // database.
    let n_activities = insert_activities(&txn, &r, customer_base, users).await?;

    // Daily plans, weekly reports, projects.
    let work = work_records(&r, customer_base, order_base, users);
    let plan_base = max_id(&txn, "daily_plan").await?;
    let plan_rows = work
        .plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![base(plan_base, i as i64 + 1).into()];
            row.extend(p.iter().cloned());
            row
        })
        .collect();
    insert_rows(
        &txn,
        "daily_plan",
        &[
            "id",
            "person_id",
            "day",
            "planned_calls",
            "planned_visits",
            "morning_note",
            "evening_log",
            "manager_comment",
            "commented_by_user_id",
            "commented_at",
            "created_at",
            "updated_at",
        ],
        plan_rows,
    )
    .await?;
    resync_sequence(&txn, "daily_plan").await?;
    let task_rows = work
        .tasks
        .into_iter()
        .map(|(plan, mut row)| {
            row.insert(0, base(plan_base, plan).into());
            row
        })
        .collect();
    insert_rows(
        &txn,
        "daily_task",
        &["plan_id", "position", "text", "done"],
        task_rows,
    )
    .await?;
    insert_rows(
        &txn,
        "weekly_report",
        &[
            "person_id",
            "week",
            "summary",
            "next_week_plan",
            "problems",
            "manager_comment",
            "commented_by_user_id",
            "commented_at",
            "submitted_at",
            "created_at",
            "updated_at",
        ],
        work.reports,
    )
    .await?;
    let project_base = max_id(&txn, "project").await?;
    let project_rows = work
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![base(project_base, i as i64 + 1).into()];
            row.extend(p.iter().cloned());
            row
        })
        .collect();
    insert_rows(
        &txn,
        "project",
        &[
            "id",
            "name",
            "customer_id",
            "owner_person_id",
            "stage",
            "amount",
            "probability",
            "bid_on",
            "delivery_on",
            "acceptance_on",
            "status",
            "last_followup_on",
            "note",
            "created_at",
            "updated_at",
        ],
        project_rows,
    )
    .await?;
    resync_sequence(&txn, "project").await?;
    let followup_rows = work
        .followups
        .into_iter()
        .map(|(project, mut row)| {
            row.insert(0, base(project_base, project).into());
            row
        })
        .collect();
    insert_rows(
        &txn,
        "project_followup",
        &[
            "project_id",
            "person_id",
            "followed_on",
            "note",
            "next_step",
            "created_at",
        ],
        followup_rows,
    )
    .await?;
    let project_order_rows = work
        .project_orders
        .iter()
        .map(|(p, o)| vec![base(project_base, *p).into(), (*o).into()])
        .collect();
    insert_rows(
        &txn,
        "project_order",
        &["project_id", "order_id"],
        project_order_rows,
    )
    .await?;

    audit::record(
        &txn,
        None,
        "demo",
        "sales_records",
        "demo",
        None,
        Some(json!({
            "customers": r.customers.len(),
            "contacts": n_contacts,
            "notes": n_notes,
            "orders": r.orders.len(),
            "order_lines": n_lines,
            "collections": r.collections.len(),
            "activities": n_activities,
            "daily_plans": work.plans.len(),
            "weekly_reports": work.n_reports,
            "projects": work.projects.len(),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One contact per customer; the key contacts of 张晓明's three largest
/// customers carry a key-customer profile.
fn contact_rows(r: &Records, customer_base: i64) -> Vec<Vec<Value>> {
    let key_customers = top_customers(r, "E0015", 3);
    let none = || Value::String(None);
    r.customers
        .iter()
        .map(|c| {
            let id = c.id.to_string();
            let mut rng = Rng::new(&["contact", &id]);
            let name = format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
            let created = at(c.created, 11, 0);
            let profile = key_customers
                .iter()
                .position(|k| *k == c.id)
                .map(|i| &PROFILES[i]);
            let mut row: Vec<Value> = vec![
                (customer_base + c.id).into(),
                profile.map_or(name, |p| p.name.to_owned()).into(),
                profile.map_or(*rng.pick(&TITLES), |p| p.title).into(),
                mobile(&["contact", &id]).into(),
                Value::String(None),
                profile.is_some().into(),
            ];
            match profile {
                Some(p) => row.extend([
                    p.birthday.into(),
                    p.anniversary.into(),
                    p.anniversary_label.into(),
                    p.background.into(),
                    p.education.into(),
                    p.family.into(),
                    p.interests.into(),
                    p.goals.into(),
                    p.personality.into(),
                    p.private_notes.into(),
                ]),
                None => row.extend((0..10).map(|_| none())),
            }
            row.push(created.into());
            row.push(created.into());
            row
        })
        .collect()
}

/// A seller's customers with the most sales, largest first (local ids).
fn top_customers(r: &Records, emp: &str, n: usize) -> Vec<i64> {
    let Some(s) = r.seller_by_no(emp) else {
        return Vec::new();
    };
    let mut sums: HashMap<i64, i64> = HashMap::new();
    for o in r.orders.iter().filter(|o| !o.cancelled) {
        if r.customers[(o.customer - 1) as usize].owner == s {
            *sums.entry(o.customer).or_default() += o.total;
        }
    }
    let mut v: Vec<(i64, i64)> = sums.into_iter().collect();
    v.sort_by_key(|(c, total)| (std::cmp::Reverse(*total), *c));
    v.into_iter().take(n).map(|(c, _)| c).collect()
}

/// A key-customer profile (关键客户信息登记表).
struct Profile {
    name: &'static str,
    title: &'static str,
    birthday: &'static str,
    anniversary: &'static str,
    anniversary_label: &'static str,
    background: &'static str,
    education: &'static str,
    family: &'static str,
    interests: &'static str,
    goals: &'static str,
    personality: &'static str,
    private_notes: &'static str,
}

const PROFILES: [Profile; 3] = [
    Profile {
        name: "刘建华",
        title: "副总经理",
        birthday: "1975-12-08",
        anniversary: "--05-18",
        anniversary_label: "结婚纪念日",
        background: "在公司工作十五年，从工程部做起，分管基建、采购和信息化，园区改造项目由他拍板。",
        education: "同济大学土木工程硕士，在读复旦EMBA",
        family: "已婚，妻子是中学教师，女儿读高二，准备出国留学",
        interests: "高尔夫、普洱茶，周末常去滴水湖骑行",
        goals: "两年内把三个园区的安防和楼宇系统统一到一个平台，降低运维人力",
        personality: "务实，重数据和交付周期，不喜欢空谈方案",
        private_notes: "不喜欢饭局，上午约见效果最好；女儿留学的事可以聊",
    },
    Profile {
        name: "陈海燕",
        title: "采购经理",
        birthday: "--03-22",
        anniversary: "2016-09-01",
        anniversary_label: "入职纪念日",
        background: "原在外资物业公司做采购，2016年加入，负责设备和服务类采购，比价严格。",
        education: "上海财经大学物流管理本科",
        family: "已婚，儿子上小学三年级",
        interests: "瑜伽、烘焙",
        goals: "今年把供应商数量压缩三成，框架协议覆盖主要设备",
        personality: "细致，讲规则，所有报价都要书面",
        private_notes: "逢年过节不收礼，送公司定制的茶点可以；季度末工作最忙",
    },
    Profile {
        name: "周志强",
        title: "工程部经理",
        birthday: "1982-07-15",
        anniversary: "--11-30",
        anniversary_label: "公司成立纪念日",
        background: "技术出身，做过十年弱电集成，对摄像机和门禁的参数很熟。",
        education: "东华大学自动化本科",
        family: "已婚，两个孩子",
        interests: "足球（周三晚上踢球）、摄影",
        goals: "明年新建仓储中心的弱电系统一次验收通过",
        personality: "直爽，重技术细节，不喜欢销售话术",
        private_notes: "技术交流请带工程师一起去；对上一家供应商的售后很不满意",
    },
];

/// Follow-up notes (销售过程记录) on a few recent customers of each seller.
fn note_rows(r: &Records, customer_base: i64) -> Vec<Vec<Value>> {
    const NOTES: [(&str, &str); 8] = [
        (
            "question",
            "询问人脸识别门禁能否与现有一卡通系统对接，需要提供接口文档。",
        ),
        (
            "suggestion",
            "建议我们在报价中把三年维保单列，方便他们走预算。",
        ),
        (
            "complaint",
            "上月两台摄像机安装后画面偏色，要求尽快派工程师复查。",
        ),
        ("note", "客户年底有新办公楼装修计划，预计明年一季度招标。"),
        (
            "question",
            "询问停车场道闸是否支持无感支付和新能源车牌识别。",
        ),
        (
            "suggestion",
            "希望培训资料提供中文视频版，方便物业人员学习。",
        ),
        ("complaint", "发票寄送延误一周，影响对方月底付款流程。"),
        ("note", "采购流程改为集团统一招采，需提前入围供应商库。"),
    ];
    let mut rows = Vec::new();
    for s in 0..r.sellers.len() {
        let emp = r.employee_no(s);
        let n = if emp == "E0015" { 8 } else { 3 };
        let mut rng = Rng::new(&["notes", emp]);
        let mine: Vec<&Customer> = r
            .customers
            .iter()
            .filter(|c| c.owner == s && c.acquired.is_some())
            .collect();
        if mine.is_empty() {
            continue;
        }
        for k in 0..n {
            let c = mine[rng.below(mine.len())];
            let (kind, content) = NOTES[(k + rng.below(2)) % NOTES.len()];
            let day = DEMO_TODAY - Duration::days(rng.range(2, 75));
            rows.push(vec![
                (customer_base + c.id).into(),
                r.person_id(s).into(),
                kind.into(),
                content.into(),
                day_str(day).into(),
                at(day, 18, 0).into(),
            ]);
        }
    }
    rows
}

/// Expands the (person, day, calls, visits) rows into one activity each
/// with `INSERT … SELECT` joined to a number table: the call or visit's
/// number that day picks its time, outcome and customer.
async fn insert_activities<C: ConnectionTrait>(
    conn: &C,
    r: &Records,
    customer_base: i64,
    users: &Users,
) -> Result<u64, DbErr> {
    const VISIT_OUTCOMES: [(&str, &str); 6] = [
        ("现场勘查，确认摄像机点位", "出设计方案和报价"),
        ("产品演示，客户技术部认可", "安排样机试用"),
        ("商务谈判，价格基本谈定", "准备合同"),
        ("验收交付，客户签字确认", "开票并跟进回款"),
        ("拜访新客户，介绍公司产品", "发送资料，约技术交流"),
        ("处理售后问题，已现场解决", "一周后电话回访"),
    ];
    let max = r.days.iter().map(|d| d.calls + d.visits).max().unwrap_or(0);
    if max == 0 {
        return Ok(0);
    }
    let numbers: Vec<String> = (0..max)
        .map(|n| {
            let call_time = format!("{:02}:{:02}", 9 + n * 12 / 60 % 9, n * 12 % 60);
            let visit_times = ["10:00", "14:30", "11:00", "16:00", "09:30", "15:30"];
            let (outcome, next) = VISIT_OUTCOMES[(n as usize) % VISIT_OUTCOMES.len()];
            format!(
                "({n},'{call_time}','{}','{outcome}','{next}')",
                visit_times[(n as usize) % visit_times.len()],
            )
        })
        .collect();
    let numbers = numbers.join(",");
    let blocks: HashMap<usize, (i64, i64)> = (0..r.sellers.len())
        .map(|s| (s, r.customer_block(s)))
        .collect();
    let emp_sales = r.seller_by_no("E0015");
    let mut total = 0;
    for chunk in r.days.chunks(1000) {
        let rows = vec!["(?,?,?,?,?,?,?,?,?)"; chunk.len()].join(",");
        // d: 1 person, 2 day, 3 calls, 4 visits, 5 first customer,
        // 6 customers, 7 salt, 8 author, 9 created_at.
        // n: 1 number, 2 call time, 3 visit time, 4 visit outcome,
        // 5 next step. Calls are logged without an outcome, as quick
        // entries mostly are.
        let sql = format!(
            "INSERT INTO activity (person_id, kind, customer_id, occurred_on, occurred_time, \
             outcome, next_step, created_by_user_id, created_at) \
             SELECT d.column1, CASE WHEN n.column1 < d.column3 THEN 'call' ELSE 'visit' END, \
             d.column5 + (n.column1 * 7 + d.column7) % d.column6, d.column2, \
             CASE WHEN n.column1 < d.column3 THEN n.column2 ELSE n.column3 END, \
             CASE WHEN n.column1 < d.column3 THEN NULL ELSE n.column4 END, \
             CASE WHEN n.column1 < d.column3 THEN NULL ELSE n.column5 END, \
             d.column8, d.column9 \
             FROM (VALUES {rows}) AS d JOIN (VALUES {numbers}) AS n \
             ON n.column1 < d.column3 + d.column4"
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
        for d in chunk {
            let (lo, n) = blocks.get(&d.seller).copied().unwrap_or((1, 1));
            values.extend([
                r.person_id(d.seller).into(),
                day_str(d.date).into(),
                d.calls.into(),
                d.visits.into(),
                (customer_base + lo).into(),
                n.into(),
                i64::from(d.date.ordinal()).into(),
                if Some(d.seller) == emp_sales {
                    users.sales
                } else {
                    users.admin
                }
                .into(),
                at(d.date, 18, 0).into(),
            ]);
            total += (d.calls + d.visits) as u64;
        }
        conn.execute_raw(statement(conn.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(total)
}

/// Daily plans, weekly reports and projects, as rows (ids of plans and
/// projects are local; their children name them by local id).
struct Work {
    plans: Vec<Vec<Value>>,
    tasks: Vec<(i64, Vec<Value>)>,
    reports: Vec<Vec<Value>>,
    n_reports: usize,
    projects: Vec<Vec<Value>>,
    followups: Vec<(i64, Vec<Value>)>,
    project_orders: Vec<(i64, i64)>,
}

fn work_records(r: &Records, customer_base: i64, order_base: i64, users: &Users) -> Work {
    const TASKS: [&str; 8] = [
        "回访{c}，确认二期需求",
        "给{c}发正式报价单",
        "跟进{c}本月回款",
        "准备{c}技术交流材料",
        "约{c}工程部现场勘查",
        "整理本周客户拜访记录",
        "提交{c}合同审批",
        "协调工程师处理{c}售后问题",
    ];
    const COMMENTS: [&str; 4] = [
        "拜访量不错，重点客户的回款要盯紧。",
        "报价前先和我过一下价格底线。",
        "电话量偏少，明天补上。",
        "很好，继续保持。",
    ];
    let mut w = Work {
        plans: Vec::new(),
        tasks: Vec::new(),
        reports: Vec::new(),
        n_reports: 0,
        projects: Vec::new(),
        followups: Vec::new(),
        project_orders: Vec::new(),
    };
    let short = |c: &Customer| -> String {
        // "上海恒通科技有限公司" → "恒通".
        c.name.chars().skip(2).take(2).collect()
    };
    let hd = |s: usize| r.sellers[s].p.unit.starts_with("HD-");
    let mut by_owner: Vec<Vec<&Customer>> = vec![Vec::new(); r.sellers.len()];
    for c in &r.customers {
        by_owner[c.owner].push(c);
    }

    // Daily plans: 30 to 37 calls and 4 or 5 visits a day, two or three
    // tasks.
    for d in r.days.iter().filter(|d| d.date >= PLANS_FROM) {
        let emp = r.employee_no(d.seller);
        let day = day_str(d.date);
        let mut rng = Rng::new(&["plan", emp, &day]);
        let mine = &by_owner[d.seller];
        let plan = w.plans.len() as i64 + 1;
        let n_tasks = 2 + rng.below(2);
        let mut done_all = Vec::new();
        for k in 0..n_tasks {
            let c = if mine.is_empty() {
                "客户".to_owned()
            } else {
                short(mine[rng.below(mine.len())])
            };
            let text = TASKS[rng.below(TASKS.len())].replace("{c}", &c);
            let done = rng.below(100) < 85;
            if done {
                done_all.push(text.clone());
            }
            w.tasks
                .push((plan, vec![(k as i32 + 1).into(), text.into(), done.into()]));
        }
        let friday = d.date.weekday() == Weekday::Fri;
        let comment = (hd(d.seller) && friday).then(|| *rng.pick(&COMMENTS));
        w.plans.push(vec![
            r.person_id(d.seller).into(),
            day.clone().into(),
            // At least 30 calls a day and 20 visits a week, as the seed
            // asks; some plan a little more.
            (30 + pick(&["planned calls", emp], 8) as i32).into(),
            (4 + pick(&["planned visits", emp], 2) as i32).into(),
            Some("上午电话回访老客户，下午外出拜访").into(),
            Some(format!(
                "今日电话{}个、拜访{}家。{}",
                d.calls,
                d.visits,
                if done_all.is_empty() {
                    "计划任务未完成，明天继续。".to_owned()
                } else {
                    format!("完成：{}。", done_all.join("；"))
                }
            ))
            .into(),
            comment.into(),
            comment.map(|_| users.manager).into(),
            comment.map(|_| at(d.date, 20, 0)).into(),
            at(d.date, 8, 30).into(),
            at(d.date, 18, 30).into(),
        ]);
    }

    // Weekly reports: the six weeks before the current one; 张晓明 has
    // a draft of the current week too.
    let current = DEMO_TODAY.iso_week();
    let since = DEMO_TODAY - Duration::weeks(8);
    let recent_days: Vec<&Day> = r.days.iter().filter(|d| d.date >= since).collect();
    let recent_orders: Vec<&Order> = r
        .orders
        .iter()
        .filter(|o| !o.cancelled && o.date >= since)
        .collect();
    for s in 0..r.sellers.len() {
        let emp = r.employee_no(s);
        for back in 0..=6i64 {
            let monday = DEMO_TODAY
                - Duration::days(i64::from(DEMO_TODAY.weekday().num_days_from_monday()))
                - Duration::weeks(back);
            let friday = monday + Duration::days(4);
            if back == 0 && emp != "E0015" {
                continue;
            }
            let week = format!(
                "{}-W{:02}",
                monday.iso_week().year(),
                monday.iso_week().week()
            );
            let (calls, visits) = recent_days
                .iter()
                .filter(|d| d.seller == s && d.date >= monday && d.date <= friday)
                .fold((0, 0), |(c, v), d| (c + d.calls, v + d.visits));
            let (orders, amount) = recent_orders
                .iter()
                .filter(|o| {
                    o.date >= monday && o.date <= friday && o.credits.iter().any(|c| c.0 == s)
                })
                .fold((0, 0i64), |(n, a), o| (n + 1, a + o.total));
            let mut rng = Rng::new(&["week", emp, &week]);
            let comment = (hd(s) && back > 0 && rng.below(3) > 0).then(|| *rng.pick(&COMMENTS));
            let draft = monday.iso_week() == current;
            let submitted = (!draft).then(|| at(friday, 17, 30));
            w.reports.push(vec![
                r.person_id(s).into(),
                week.into(),
                format!(
                    "本周电话{calls}个、拜访{visits}家，新签订单{orders}笔，金额{}.{:02}元。",
                    amount / 100,
                    amount % 100
                )
                .into(),
                "继续跟进在谈项目，安排两次技术交流，催收到期回款。".into(),
                (*rng.pick(&[
                    "",
                    "有一家客户要求延长账期，需要经理审批。",
                    "竞争对手报价低15%，需要公司支持特价。",
                    "样机库存不足，演示排不开。",
                ]))
                .into(),
                comment.into(),
                comment.map(|_| users.manager).into(),
                comment.map(|_| at(friday + Duration::days(3), 9, 0)).into(),
                submitted.into(),
                at(friday, 16, 0).into(),
                at(friday, 17, 30).into(),
            ]);
            w.n_reports += 1;
        }
    }

    // Projects: two or three per seller, at every stage, some overdue for
    // their follow-up; won ones link to the order they became.
    const STAGES: [(&str, i64, i32); 6] = [
        ("design", 7, 20),
        ("bid", 14, 40),
        ("detailing", 14, 60),
        ("execution", 14, 80),
        ("acceptance", 14, 90),
        ("collection", 14, 95),
    ];
    const KINDS_OF_PROJECT: [&str; 5] = [
        "办公楼智能化改造项目",
        "园区安防升级项目",
        "数据中心楼宇自控项目",
        "停车场智能化项目",
        "门禁一卡通扩容项目",
    ];
    for s in 0..r.sellers.len() {
        let emp = r.employee_no(s);
        let mut rng = Rng::new(&["projects", emp]);
        let mine: Vec<&Customer> = r
            .customers
            .iter()
            .filter(|c| c.owner == s && c.acquired.is_some())
            .collect();
        if mine.is_empty() {
            continue;
        }
        let n = if emp == "E0015" { 5 } else { 2 + rng.below(2) };
        for k in 0..n {
            let c = mine[rng.below(mine.len())];
            let stage = if emp == "E0015" {
                k % STAGES.len()
            } else {
                rng.below(STAGES.len())
            };
            let (code, cadence, probability) = STAGES[stage];
            // One in four is overdue for its follow-up.
            let overdue = rng.below(4) == 0 || (emp == "E0015" && k == 1);
            let since = if overdue {
                cadence + rng.range(3, 20)
            } else {
                rng.range(1, cadence - 1)
            };
            let last = DEMO_TODAY - Duration::days(since);
            let won_order = (code == "collection")
                .then(|| {
                    r.orders
                        .iter()
                        .filter(|o| !o.cancelled && o.customer == c.id)
                        .max_by_key(|o| (o.total, o.id))
                })
                .flatten();
            let amount = won_order.map_or(rng.range(50, 500) * 1_000_000, |o| o.total);
            let status = if won_order.is_some() { "won" } else { "open" };
            let project = w.projects.len() as i64 + 1;
            let started = last - Duration::days(cadence * 4);
            let bid = (stage >= 1).then(|| last - Duration::days(cadence * 2));
            let delivery = (stage >= 3).then(|| last + Duration::days(30));
            let acceptance = (stage >= 4).then(|| last + Duration::days(60));
            w.projects.push(vec![
                format!(
                    "{}{}",
                    short(c),
                    KINDS_OF_PROJECT[rng.below(KINDS_OF_PROJECT.len())]
                )
                .into(),
                (customer_base + c.id).into(),
                r.person_id(s).into(),
                code.into(),
                amount.into(),
                if won_order.is_some() {
                    100
                } else {
                    probability
                }
                .into(),
                opt_day(bid.or((stage == 0).then(|| DEMO_TODAY + Duration::days(45)))),
                opt_day(delivery),
                opt_day(acceptance),
                status.into(),
                day_str(last).into(),
                Value::String(None),
                at(started, 10, 0).into(),
                at(last, 18, 0).into(),
            ]);
            if let Some(o) = won_order {
                w.project_orders.push((project, order_base + o.id));
            }
            for f in 0..3i64 {
                let day = last - Duration::days(cadence * f);
                w.followups.push((
                    project,
                    vec![
                        r.person_id(s).into(),
                        day_str(day).into(),
                        [
                            "与客户确认需求和预算",
                            "提交方案并答疑",
                            "技术交流，客户倾向我方方案",
                        ][f as usize]
                            .into(),
                        Some("下次跟进确认时间节点").into(),
                        at(day, 17, 0).into(),
                    ],
                ));
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use super::*;

    fn records() -> Records {
        let ids: HashMap<&str, i64> = PEOPLE
            .iter()
            .enumerate()
            .map(|(i, p)| (p.employee_no, i as i64 + 1))
            .collect();
        generate(&ids)
    }

    /// What the computed sources count, redone in memory: per (seller,
    /// month) for each exact metric.
    fn computed(r: &Records) -> HashMap<(&'static str, usize, Ym), i64> {
        let mut out: HashMap<(&'static str, usize, Ym), i64> = HashMap::new();
        let mut first: HashMap<i64, NaiveDate> = HashMap::new();
        for o in r.orders.iter().filter(|o| !o.cancelled) {
            let e = first.entry(o.customer).or_insert(o.date);
            *e = (*e).min(o.date);
        }
        let mut new: HashSet<(usize, Ym, i64)> = HashSet::new();
        for o in r.orders.iter().filter(|o| !o.cancelled) {
            for (s, _, a) in &o.credits {
                *out.entry(("sales_amount", *s, ym_of(o.date))).or_default() += a;
                if first.get(&o.customer) == Some(&o.date) {
                    new.insert((*s, ym_of(o.date), o.customer));
                }
            }
        }
        for (s, ym, _) in new {
            *out.entry(("new_customers", s, ym)).or_default() += 1;
        }
        for c in &r.collections {
            for (s, a) in &c.credits {
                *out.entry(("collection_amount", *s, ym_of(c.date)))
                    .or_default() += a;
            }
        }
        for d in &r.days {
            *out.entry(("calls", d.seller, ym_of(d.date))).or_default() += d.calls;
            *out.entry(("visits", d.seller, ym_of(d.date))).or_default() += d.visits;
        }
        out
    }

    #[test]
    fn records_add_up_to_the_designed_actuals() {
        let r = records();
        assert_eq!(r.shortfall, 0, "every collection found its orders");
        let got = computed(&r);
        let mut checked = 0;
        for (s, seller) in r.sellers.iter().enumerate() {
            let mut ym = seller.first.max(RECORDS_FROM);
            while ym <= DEMO_NOW {
                for metric in EXACT_METRICS {
                    let want = wanted(metric, seller.p.employee_no, ym);
                    let have = got.get(&(metric, s, ym)).copied().unwrap_or(0);
                    if metric == "collection_amount" && is_newcomer(seller, ym) {
                        assert!(have <= want && have > 0, "{} {ym:?}", seller.p.employee_no);
                    } else {
                        assert_eq!(have, want, "{metric} {} {ym:?}", seller.p.employee_no);
                    }
                    checked += 1;
                }
                ym = next_ym(ym);
            }
        }
        assert_eq!(checked, (30 * 23 - 2 - 6) * EXACT_METRICS.len());
    }

    #[test]
    fn records_are_reproducible_and_plausible() {
        let (a, b) = (records(), records());
        let key = |r: &Records| {
            r.orders
                .iter()
                .map(|o| {
                    format!(
                        "{} {} {} {} {:?}",
                        o.no, o.customer, o.date, o.total, o.credits
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&a), key(&b));
        let r = a;
        // Unique names and order numbers; lines add up to each total.
        let names: HashSet<&str> = r.customers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), r.customers.len());
        let nos: HashSet<&str> = r.orders.iter().map(|o| o.no.as_str()).collect();
        assert_eq!(nos.len(), r.orders.len());
        for o in &r.orders {
            assert_eq!(
                o.lines.iter().map(|l| l.amount).sum::<i64>(),
                o.total,
                "{}",
                o.no
            );
            assert!(
                o.lines
                    .iter()
                    .all(|l| l.quantity * l.unit_price == l.amount)
            );
            assert_eq!(
                o.credits.iter().map(|c| c.2).sum::<i64>(),
                o.total,
                "{}",
                o.no
            );
            assert_eq!(o.credits.iter().map(|c| c.1).sum::<i32>(), 10_000);
            let shares: Vec<i32> = o.credits.iter().map(|c| c.1).collect();
            let parts: Vec<i64> = o.credits.iter().map(|c| c.2).collect();
            assert_eq!(
                crate::storage::orders::split_by_shares(o.total, &shares),
                parts
            );
            assert!(o.date <= DEMO_TODAY && is_working_day(o.date));
            assert!(o.collected <= o.total, "{} over-collected", o.no);
            let steps = [o.confirmed_on, o.shipped_on, o.invoiced_on];
            assert!(steps.windows(2).all(|w| w[1].is_none() || w[0] <= w[1]));
            assert!(
                steps
                    .iter()
                    .flatten()
                    .all(|d| *d >= o.date && *d <= DEMO_TODAY)
            );
            assert_eq!(o.status == "paid", o.paid_on.is_some());
            assert_eq!(o.status == "cancelled", o.cancelled);
        }
        for c in &r.collections {
            let o = &r.orders[c.order];
            assert!(c.date >= o.date && c.date <= DEMO_TODAY && !o.cancelled);
            assert_eq!(c.credits.iter().map(|x| x.1).sum::<i64>(), c.amount);
        }
        let statuses: BTreeSet<&str> = r.orders.iter().map(|o| o.status).collect();
        assert_eq!(
            statuses,
            BTreeSet::from([
                "cancelled",
                "confirmed",
                "entered",
                "invoiced",
                "paid",
                "shipped"
            ])
        );
        let refunds = r
            .orders
            .iter()
            .flat_map(|o| &o.lines)
            .filter(|l| l.amount < 0)
            .count();
        assert_eq!(refunds, 1);
        let shared = r.orders.iter().filter(|o| o.credits.len() == 2).count();
        assert!(shared > 200, "{shared} shared orders");
        let cancelled = r.orders.iter().filter(|o| o.cancelled).count();
        assert!((50..300).contains(&cancelled), "{cancelled} cancelled");
        // Most orders of a year go to customers who bought before it.
        let mut first: HashMap<i64, NaiveDate> = HashMap::new();
        for o in r.orders.iter().filter(|o| !o.cancelled) {
            let e = first.entry(o.customer).or_insert(o.date);
            *e = (*e).min(o.date);
        }
        let in_2026: Vec<&Order> = r
            .orders
            .iter()
            .filter(|o| !o.cancelled && o.date.year() == 2026)
            .collect();
        let first_orders = in_2026
            .iter()
            .filter(|o| first.get(&o.customer) == Some(&o.date))
            .count();
        assert!(
            first_orders * 100 / in_2026.len() < 45,
            "{first_orders} of {}",
            in_2026.len()
        );
        let amount = |new: bool| -> i64 {
            in_2026
                .iter()
                .filter(|o| first.get(&o.customer).is_some_and(|d| d.year() == 2026) == new)
                .map(|o| o.total)
                .sum()
        };
        let share = amount(true) * 100 / (amount(true) + amount(false));
        assert!((10..50).contains(&share), "new customers' share {share} %");
        // Calls: about thirty a working day.
        let per_day = r.days.iter().map(|d| d.calls).sum::<i64>() / r.days.len() as i64;
        assert!((22..=36).contains(&per_day), "{per_day} calls a day");
    }
}
