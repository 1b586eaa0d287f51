//! UI texts in Chinese (first) and English.
//!
//! Every text has a key; templates call `t.t("key")`. A missing key shows
//! the key itself, and a unit test checks that every key used in the
//! templates is present here.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    Zh,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::Zh => "zh",
            Locale::En => "en",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "zh" | "zh-CN" => Some(Locale::Zh),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The first language of an Accept-Language header that we speak.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut langs: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.trim().split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        langs.sort_by(|a, b| b.0.total_cmp(&a.0));
        langs
            .iter()
            .find_map(|(_, tag)| {
                let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
                match primary.as_str() {
                    "zh" => Some(Locale::Zh),
                    "en" => Some(Locale::En),
                    _ => None,
                }
            })
            .unwrap_or(Locale::Zh)
    }
}

/// Translator handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Locale);

impl T {
    pub fn t(&self, key: &str) -> &'static str {
        match TEXTS.get(key) {
            Some((zh, en)) => match self.0 {
                Locale::Zh => zh,
                Locale::En => en,
            },
            None => {
                tracing::warn!(key, "missing UI text");
                "?"
            }
        }
    }

    pub fn is_zh(&self) -> bool {
        self.0 == Locale::Zh
    }

    /// Picks between a Chinese and an English text held in data.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.0 {
            Locale::Zh => zh,
            Locale::En => en,
        }
    }

    pub fn role(&self, role: &crate::domain::role::Role) -> &'static str {
        match self.0 {
            Locale::Zh => role.name_zh(),
            Locale::En => role.name_en(),
        }
    }
}

static TEXTS: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    TEXT_TABLE
        .iter()
        .map(|(k, zh, en)| (*k, (*zh, *en)))
        .collect()
});

/// (key, Chinese, English).
pub const TEXT_TABLE: &[(&str, &str, &str)] = &[
    ("app.name", "目标", "Mubiao"),
    ("app.tagline", "销售目标管理系统", "Sales target management"),
    ("nav.home", "首页", "Home"),
    ("nav.table", "目标管理表", "Target table"),
    ("table.title", "年度目标管理表", "target table"),
    ("table.metric", "指标", "Metric"),
    ("table.total", "平均/合计", "Avg/Total"),
    ("table.year_target", "年度目标", "Year target"),
    ("table.target", "目标", "Target"),
    ("table.target_short", "目标", "T"),
    (
        "sources.title",
        "查看这个数字来自哪些记录",
        "The records behind this figure",
    ),
    ("sources.computed", "自动", "auto"),
    (
        "sources.computed_hint",
        "由订单、回款、拜访等业务记录自动计算，点击数字查看来源记录",
        "Computed from orders, collections, visits and other records; click a figure to see them",
    ),
    ("sources.heading", "来源记录", "Records behind the figure"),
    ("sources.from", "计算来源", "Computed from"),
    ("sources.value", "表中数值", "Figure in the table"),
    ("sources.count", "条记录", "records"),
    (
        "sources.truncated",
        "仅列出前 500 条",
        "Only the first 500 are listed",
    ),
    (
        "sources.none",
        "这个月没有相关记录",
        "No records in this month",
    ),
    ("sources.reference", "单号/名称", "Reference"),
    ("sources.date", "日期", "Date"),
    ("sources.customer", "客户", "Customer"),
    ("sources.person", "销售人员", "Salesperson"),
    ("sources.amount", "计入", "Counts"),
    ("sources.detail", "说明", "Detail"),
    ("sources.back", "返回目标管理表", "Back to the table"),
    ("table.actual", "实际", "Actual"),
    ("table.rate", "完成率", "Completion"),
    ("table.gap", "差异", "Gap"),
    (
        "table.gap_hint",
        "本级目标与下级目标合计之差（分解差异）",
        "This level's target minus the sum of its children's (decomposition gap)",
    ),
    ("table.unit_yuan", "元", "¥"),
    ("table.unit_count", "个", "count"),
    ("table.lower_better", "越低越好", "lower is better"),
    ("table.colouring", "着色", "Colours"),
    ("table.by_target", "按目标", "By target"),
    ("table.by_pace", "按时间进度", "By time elapsed"),
    (
        "table.pace_note",
        "当前期间按完成率与时间进度比较着色。",
        "The running period is coloured by completion against time elapsed.",
    ),
    ("table.locked", "已锁定", "Locked"),
    ("table.enter_actuals", "录入实际", "Enter actuals"),
    ("table.enter_targets", "录入目标", "Enter targets"),
    ("table.export_xlsx", "导出 Excel", "Export to Excel"),
    ("table.legend_green", "达到且超过目标", "met and exceeded"),
    ("table.legend_yellow", "与目标持平", "level with target"),
    ("table.legend_red", "未达到目标", "not met"),
    ("table.legend_none", "无数据", "no data"),
    (
        "table.seed_rule",
        "绿色表示达到且超过目标，黄色表示与目标持平，红色表示未达到目标，无数据时无意义；平均/合计列为自动计算得出。",
        "Green: met and exceeded; yellow: level with target; red: not met; no colour without data. The Avg/Total column is computed.",
    ),
    (
        "table.compiled_by",
        "本表由以下单位根据各部门每月提交的数据填报后提交总经理：",
        "Compiled for the general manager from the units' monthly submissions by: ",
    ),
    (
        "table.chart_title",
        "月度目标与实际，累计完成与按时间分摊的目标",
        "monthly target vs actual, cumulative actual vs pro-rata target",
    ),
    ("table.show", "显示", "Show"),
    ("table.key_target", "月度目标", "Monthly target"),
    ("table.key_actual", "月度实际", "Monthly actual"),
    ("table.key_cumulative", "累计实际", "Cumulative actual"),
    (
        "table.key_pro_rata",
        "按时间分摊的年度目标",
        "Pro-rata year target",
    ),
    ("table.drill_down", "下钻", "Drill down"),
    (
        "table.grid_help",
        "每个单元格修改后自动保存（需启用 JavaScript），也可以填完后点“保存”。清空单元格即删除该值。",
        "Each cell saves on its own when changed (with JavaScript); or fill in and press Save. Emptying a cell removes its value.",
    ),
    ("table.saved_cell", "已保存", "Saved"),
    ("submission.title", "本月填报", "Monthly submission"),
    ("submission.month", "填报月份", "Month"),
    ("submission.draft", "未提交", "Not submitted"),
    ("submission.submitted", "已提交", "Submitted"),
    ("submission.returned", "已退回", "Returned"),
    ("submission.accepted", "已接受", "Accepted"),
    ("submission.submit", "提交", "Submit"),
    ("submission.return", "退回", "Return"),
    ("submission.accept", "接受", "Accept"),
    ("submission.comment", "备注", "Comment"),
    (
        "submission.return_reason",
        "退回原因（必填）",
        "What to correct (required)",
    ),
    (
        "submission.hint",
        "部门负责人录入本月实际后提交；汇总部门审核后接受或退回。已提交或已接受的月份，退回前不能再修改实际。",
        "The unit's head enters the month's actuals and submits; the compiling office accepts or returns them. A submitted or accepted month's actuals cannot change until it is returned.",
    ),
    ("nav.org", "组织架构", "Organisation"),
    ("nav.people", "人员", "People"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.account", "我的账号", "My account"),
    ("nav.users", "账号管理", "Accounts"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.menu", "菜单", "Menu"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.failed",
        "用户名或密码错误",
        "Wrong username or password",
    ),
    (
        "login.throttled",
        "登录失败次数过多，请稍后再试",
        "Too many failed sign-ins; try again later",
    ),
    (
        "login.demo",
        "演示账号（密码均为 demo）",
        "Demo accounts (password: demo)",
    ),
    ("home.welcome", "欢迎", "Welcome"),
    ("home.reach", "您可以查看的范围", "What you can see"),
    ("home.units", "部门", "Units"),
    ("home.people", "人员", "People"),
    ("common.save", "保存", "Save"),
    ("common.add", "添加", "Add"),
    ("common.cancel", "取消", "Cancel"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.active", "启用", "Active"),
    ("common.inactive", "已停用", "Inactive"),
    ("common.status", "状态", "Status"),
    ("common.actions", "操作", "Actions"),
    ("common.none", "无", "None"),
    ("common.search", "搜索", "Search"),
    (
        "common.errors",
        "请更正以下问题：",
        "Please correct the following:",
    ),
    ("common.saved", "已保存", "Saved"),
    ("table.phone_showing", "当前显示", "Showing"),
    ("table.basis", "口径", "Basis"),
    ("table.basis_all", "全部数据", "All figures"),
    ("table.basis_accepted", "仅已验收", "Accepted only"),
    (
        "table.basis_accepted_hint",
        "只显示各部门填报均已被汇总部门验收的月份的实际数",
        "Actuals only for months whose submissions are accepted in every unit",
    ),
    ("table.not_accepted", "待验收", "Not accepted"),
    ("table.phone_full", "显示全年 12 个月", "Show all 12 months"),
    ("table.phone_focus", "只看当月", "This month only"),
    (
        "common.sent_for_approval",
        "已加入目标方案草稿，提交并审批发布后生效",
        "Added to the plan draft; it takes effect once submitted, approved and published",
    ),
    (
        "common.forbidden",
        "您无权执行此操作",
        "You are not allowed to do this",
    ),
    (
        "common.not_found",
        "未找到，或不在您的权限范围内",
        "Not found, or outside what you may see",
    ),
    (
        "common.method_not_allowed",
        "此页面不接受这种请求方式",
        "This page does not accept this kind of request",
    ),
    ("common.back", "返回", "Back"),
    (
        "common.csrf",
        "页面已过期，请刷新后重试",
        "This page has expired; reload it and try again",
    ),
    ("common.all", "全部", "All"),
    ("common.filter", "筛选", "Filter"),
    ("common.reset", "清除筛选", "Clear filters"),
    ("common.optional", "选填", "optional"),
    ("common.total", "共", "Total"),
    ("common.error", "操作未能完成", "Something went wrong"),
    ("unit.code", "部门编码", "Unit code"),
    ("unit.name", "名称", "Name"),
    ("unit.parent", "上级部门", "Parent unit"),
    ("unit.head", "负责人", "Head"),
    ("unit.children", "下级部门", "Sub-units"),
    ("unit.people", "本部门人员", "People of this unit"),
    ("unit.add_child", "添加下级部门", "Add a sub-unit"),
    ("unit.edit", "修改部门", "Edit unit"),
    ("unit.deactivate", "停用部门", "Deactivate unit"),
    ("unit.activate", "重新启用", "Reactivate"),
    ("unit.top", "（顶级）", "(top level)"),
    ("unit.tree", "组织架构", "Organisation chart"),
    ("unit.head_none", "未指定", "Not set"),
    ("unit.add", "添加部门", "Add a unit"),
    ("unit.created", "部门已创建", "Unit created"),
    ("unit.details", "部门信息", "Unit details"),
    ("unit.rename", "重命名", "Rename"),
    ("unit.move", "调整上级", "Move"),
    ("unit.set_head", "设为负责人", "Set head"),
    ("unit.count", "个部门", "units"),
    ("unit.people_direct", "直属人数", "People"),
    (
        "unit.people_active",
        "在职人员（含下级）",
        "Active people (incl. sub-units)",
    ),
    ("unit.people_direct_of", "其中直属", "directly here"),
    ("unit.people_total", "含下级", "Incl. sub-units"),
    ("unit.add_person", "在本部门新增人员", "Add a person here"),
    (
        "unit.all_people",
        "查看全部人员（含下级）",
        "All people, sub-units included",
    ),
    ("unit.no_children", "没有下级部门", "No sub-units"),
    (
        "unit.no_people",
        "本部门暂无在职人员",
        "No active people in this unit",
    ),
    (
        "unit.code_hint",
        "字母、数字、- 或 _，最多 32 位，创建后不能修改",
        "Letters, digits, - or _, up to 32; cannot be changed later",
    ),
    (
        "unit.deactivate_confirm",
        "确定停用该部门吗？",
        "Deactivate this unit?",
    ),
    (
        "unit.deactivate_hint",
        "停用前请先调走或停用其在职人员和下级部门。",
        "Move or deactivate its active people and sub-units first.",
    ),
    ("person.employee_no", "工号", "Employee no"),
    ("person.name", "姓名", "Name"),
    ("person.unit", "部门", "Unit"),
    ("person.role", "角色", "Role"),
    ("person.manager", "直接上级", "Manager"),
    (
        "person.manager_default",
        "默认为部门负责人",
        "defaults to the unit's head",
    ),
    ("person.hire_date", "入职日期", "Hire date"),
    ("person.phone", "手机", "Phone"),
    ("person.email", "邮箱", "E-mail"),
    ("person.username", "登录账号", "Login"),
    ("person.password", "初始密码", "Initial password"),
    (
        "person.account_hint",
        "填写用户名和初始密码即可同时创建登录账号",
        "Give a username and an initial password to create a login as well",
    ),
    ("person.new", "新增人员", "Add a person"),
    ("person.edit", "修改人员信息", "Edit person"),
    ("person.deactivate", "设为离职", "Deactivate"),
    ("person.activate", "恢复在职", "Reactivate"),
    ("person.show_inactive", "包括已停用", "Include inactive"),
    ("person.count", "人", "people"),
    ("person.created", "人员已添加", "Person added"),
    ("person.details", "人员信息", "Details"),
    ("person.active", "在职", "Active"),
    ("person.inactive", "离职", "Left"),
    ("person.reports", "直接下属", "Direct reports"),
    (
        "person.filter_unit",
        "部门（含下级）",
        "Unit (with sub-units)",
    ),
    ("person.search_hint", "姓名或工号", "Name or employee no"),
    (
        "person.no_results",
        "没有符合条件的人员",
        "Nobody matches these filters",
    ),
    ("person.manager_explicit", "（指定）", "(set explicitly)"),
    (
        "person.manager_from_unit",
        "（部门负责人）",
        "(head of the unit)",
    ),
    (
        "person.password_hint",
        "至少 8 个字符",
        "At least 8 characters",
    ),
    (
        "person.deactivate_confirm",
        "确定将此人设为离职吗？其登录账号将同时停用。",
        "Mark this person as left? Their login will be closed as well.",
    ),
    (
        "person.deactivate_hint",
        "离职人员的记录和历史数据会保留，登录账号随之停用。",
        "Their records and history are kept; their login is closed.",
    ),
    ("import.title", "导入人员", "Import people"),
    (
        "import.file",
        "文件（.xlsx 或 .csv）",
        "File (.xlsx or .csv)",
    ),
    ("import.submit", "导入", "Import"),
    (
        "import.help",
        "第一行为表头：工号、姓名、部门编码、角色为必填，上级工号、入职日期、手机、邮箱可选；也可使用英文列名 employee_no, name, unit, role, manager, hire_date, phone, email。导入要么全部成功，要么不做任何修改。",
        "The first row holds the headers: 工号, 姓名, 部门编码, 角色 are required; 上级工号, 入职日期, 手机, 邮箱 are optional; the English codes employee_no, name, unit, role, manager, hire_date, phone, email work too. An import either succeeds completely or changes nothing.",
    ),
    ("import.done", "导入完成", "Import finished"),
    ("import.created", "新增", "created"),
    ("import.updated", "更新", "updated"),
    (
        "import.failed",
        "文件有错误，未导入任何数据",
        "The file has errors; nothing was imported",
    ),
    ("import.cell", "位置", "Cell"),
    ("import.problem", "问题", "Problem"),
    ("import.help_title", "文件格式", "File layout"),
    (
        "import.example",
        "示例（第一行为表头）：",
        "Example (the first row holds the headers):",
    ),
    ("import.again", "继续导入", "Import another file"),
    ("import.problem_count", "处问题", "problem(s)"),
    (
        "import.no_file",
        "请选择要导入的文件",
        "Choose a file to import",
    ),
    (
        "import.too_large",
        "文件太大，超过了允许的上限",
        "The file is larger than allowed",
    ),
    (
        "import.bad_upload",
        "上传未成功，请重新选择文件后再试",
        "The upload failed; choose the file again and retry",
    ),
    ("account.title", "我的账号", "My account"),
    ("account.password", "修改密码", "Change password"),
    ("account.old_password", "当前密码", "Current password"),
    ("account.new_password", "新密码", "New password"),
    ("account.language", "界面语言", "Language"),
    ("account.language_auto", "跟随浏览器", "Follow the browser"),
    ("account.tokens", "API 令牌", "API tokens"),
    (
        "account.tokens_help",
        "供脚本调用 API 使用：请求头 Authorization: Bearer 令牌。令牌只显示一次。",
        "For scripts calling the API: header Authorization: Bearer TOKEN. A token is shown only once.",
    ),
    ("account.token_name", "用途", "Purpose"),
    ("account.token_new", "生成令牌", "Create token"),
    (
        "account.token_created",
        "新令牌（请立即复制，之后不再显示）：",
        "New token (copy it now; it will not be shown again):",
    ),
    ("account.token_prefix", "开头", "Starts with"),
    ("account.token_created_at", "创建时间", "Created"),
    ("account.token_last_used", "最近使用", "Last used"),
    ("account.token_revoke", "吊销", "Revoke"),
    ("account.token_revoked", "已吊销", "Revoked"),
    ("account.password_changed", "密码已修改", "Password changed"),
    ("account.info", "基本信息", "Profile"),
    (
        "account.no_person",
        "此账号未关联人员",
        "This account is not linked to a person",
    ),
    (
        "account.confirm_password",
        "确认新密码",
        "Confirm new password",
    ),
    ("account.language_saved", "界面语言已更新", "Language saved"),
    ("account.no_tokens", "尚未创建令牌", "No tokens yet"),
    (
        "account.token_name_hint",
        "例如：月度数据同步脚本",
        "e.g. monthly data sync script",
    ),
    ("account.token_never", "从未使用", "Never"),
    (
        "account.token_revoke_confirm",
        "吊销后，使用此令牌的脚本将无法再访问。确定吗？",
        "Scripts using this token will lose access. Revoke it?",
    ),
    ("account.copy", "复制", "Copy"),
    ("account.copied", "已复制", "Copied"),
    ("users.title", "账号管理", "Accounts"),
    ("users.reset", "重置密码", "Reset password"),
    (
        "users.reset_done",
        "密码已重置，该用户的会话已全部退出",
        "Password reset; the user's sessions were ended",
    ),
    ("users.count", "个账号", "accounts"),
    ("users.person", "对应人员", "Person"),
    (
        "users.own",
        "在“我的账号”中修改",
        "Change it under My account",
    ),
    (
        "users.reset_hint",
        "重置密码后，该用户的所有会话立即失效，需用新密码重新登录。",
        "A reset ends all of the user's sessions; they sign in again with the new password.",
    ),
    (
        "users.reset_confirm",
        "确定重置该用户的密码吗？",
        "Reset this user's password?",
    ),
    ("audit.title", "审计日志", "Audit log"),
    ("audit.at", "时间", "When"),
    ("audit.actor", "操作人", "Who"),
    ("audit.action", "操作", "Action"),
    ("audit.entity", "对象类型", "Record type"),
    ("audit.record", "对象", "Record"),
    ("audit.before", "修改前", "Before"),
    ("audit.after", "修改后", "After"),
    ("audit.next", "下一页", "Next page"),
    ("audit.prev", "上一页", "Previous page"),
    (
        "audit.readonly",
        "审计日志只能查看，不能修改或删除。",
        "The audit log can be read, never changed or deleted.",
    ),
    ("audit.tz", "时区：", "Time zone:"),
    (
        "audit.record_hint",
        "如部门编码、工号",
        "e.g. a unit code or employee no",
    ),
    ("audit.only_this", "只看此对象的记录", "Only this record"),
    ("audit.details", "完整记录", "Full record"),
    ("audit.empty", "没有符合条件的记录", "No entries match"),
    ("audit.ent.unit", "部门", "Unit"),
    ("audit.ent.person", "人员", "Person"),
    ("audit.ent.user", "账号", "Account"),
    ("audit.ent.api_token", "API 令牌", "API token"),
    ("audit.act.create", "新建", "Created"),
    ("audit.act.update", "修改", "Changed"),
    ("audit.act.import_create", "导入新建", "Imported (new)"),
    ("audit.act.import_update", "导入更新", "Imported (update)"),
    ("audit.act.password_change", "修改密码", "Password changed"),
    ("audit.act.password_reset", "重置密码", "Password reset"),
    ("audit.act.revoke", "吊销", "Revoked"),
    ("audit.act.demo", "演示数据", "Demo data"),
    ("audit.ent.figure", "目标/实际数据", "Figure"),
    ("audit.ent.metric", "指标", "Metric"),
    ("audit.ent.period", "结账月份", "Period"),
    ("audit.ent.submission", "月度填报", "Monthly submission"),
    ("audit.act.target", "设置目标", "Target set"),
    ("audit.act.actual", "录入实际", "Actual entered"),
    ("audit.act.lock", "锁定", "Locked"),
    ("audit.act.reopen", "重新开放", "Reopened"),
    ("audit.act.submit", "提交", "Submitted"),
    ("audit.act.return", "退回", "Returned"),
    ("audit.act.accept", "接受", "Accepted"),
    // ---- 客户档案 (customers), 关键客户信息 (key-customer profile), 活动 (activities)
    ("nav.customers", "客户", "Customers"),
    ("nav.activities", "拜访/电话", "Activities"),
    ("cust.new", "新增客户", "New customer"),
    ("cust.edit", "修改客户", "Edit customer"),
    ("cust.details", "客户档案", "Customer file"),
    ("cust.name", "客户名称", "Name"),
    ("cust.industry", "行业", "Industry"),
    ("cust.region", "地区", "Region"),
    ("cust.address", "地址", "Address"),
    ("cust.source", "来源", "Source"),
    ("cust.owner", "负责人", "Owner"),
    ("cust.no_owner", "无负责人", "no owner"),
    ("cust.status", "状态", "Status"),
    ("cust.first_purchase", "首次购买", "First purchase"),
    ("cust.notes", "备注", "Notes"),
    ("cust.count", "个客户", "customers"),
    (
        "cust.no_results",
        "没有符合条件的客户",
        "No customers match",
    ),
    ("cust.search_hint", "客户名称的一部分", "Part of the name"),
    ("contact.title_plural", "联系人", "Contacts"),
    ("contact.new", "新增联系人", "Add contact"),
    ("contact.edit", "修改", "Edit"),
    ("contact.delete", "删除联系人", "Delete contact"),
    ("contact.none", "还没有联系人", "No contacts yet"),
    ("contact.name", "姓名", "Name"),
    ("contact.title", "职务", "Title"),
    ("contact.phone", "电话", "Phone"),
    ("contact.email", "邮箱", "Email"),
    ("contact.is_key", "关键联系人", "Key contact"),
    (
        "profile.title",
        "关键客户信息（保密）",
        "Key-customer profile (private)",
    ),
    (
        "profile.hint",
        "仅负责人及其上级可见；每次查看都会记入审计日志",
        "Seen only by the owner and their managers; every read is written to the audit log",
    ),
    (
        "profile.audited",
        "关键客户信息保密：本次查看已记入审计日志",
        "The key-customer profile is private: this read was written to the audit log",
    ),
    (
        "profile.hidden",
        "关键客户信息仅负责人及其上级可见",
        "The key-customer profile is seen only by the owner and their managers",
    ),
    ("profile.birthday", "生日", "Birthday"),
    ("profile.anniversary", "纪念日", "Anniversary"),
    (
        "profile.anniversary_label",
        "纪念日名称",
        "What the anniversary is",
    ),
    ("profile.background", "背景", "Background"),
    ("profile.education", "教育", "Education"),
    ("profile.family", "家庭", "Family"),
    ("profile.interests", "兴趣爱好", "Interests"),
    ("profile.goals", "事业目标", "Business goals"),
    ("profile.personality", "性格特点", "Personality"),
    ("profile.private_notes", "备注", "Notes"),
    ("note.title", "销售过程记录", "Follow-up records"),
    ("note.kind", "类型", "Kind"),
    ("note.content", "内容", "Content"),
    ("note.noted_on", "日期", "Date"),
    ("note.add", "添加记录", "Add record"),
    ("note.none", "还没有记录", "No records yet"),
    (
        "reminder.title",
        "近期生日与纪念日（14 天内）",
        "Birthdays and anniversaries (next 14 days)",
    ),
    (
        "reminder.none",
        "14 天内没有生日或纪念日",
        "None in the next 14 days",
    ),
    ("reminder.today", "今天", "today"),
    ("reminder.days_left", "天后", "days"),
    ("reminder.years", "周年", "years"),
    ("reminder.days", "天数", "Days"),
    ("reminder.from", "起始日期", "From"),
    ("act.title", "拜访与电话", "Calls, visits and meetings"),
    ("act.quick", "记一笔", "Log activity"),
    ("act.log", "记录拜访/电话", "Log a call or visit"),
    ("act.edit", "修改", "Edit"),
    ("act.delete", "删除这条记录", "Delete this activity"),
    ("act.kind", "类型", "Kind"),
    ("act.person", "人员", "Person"),
    ("act.customer", "客户", "Customer"),
    ("act.no_customer", "不选客户", "no customer"),
    ("act.contact", "联系人", "Contact"),
    ("act.day", "日期", "Day"),
    ("act.time", "时间", "Time"),
    ("act.outcome", "结果", "Outcome"),
    ("act.next_step", "下一步", "Next step"),
    ("act.from", "从", "From"),
    ("act.to", "到", "To"),
    ("act.none", "没有记录", "No activities"),
    ("act.mine", "查看我的记录", "See my activities"),
    ("act.tap_hint", "点一下类型即保存", "Tap the kind to save"),
    // ---- 订单 (orders) and 回款 (collections)
    ("nav.orders", "订单", "Orders"),
    ("orders.title", "订单", "Orders"),
    ("orders.order", "订单", "Order"),
    ("orders.new", "新建订单", "New order"),
    ("orders.import", "导入订单", "Import orders"),
    ("orders.imported_orders", "新增订单", "Orders created"),
    ("orders.imported_rows", "明细行", "Lines"),
    ("orders.customers_created", "新建客户", "Customers created"),
    (
        "orders.search_hint",
        "订单号或客户名称",
        "Order no or customer",
    ),
    ("orders.salesperson", "销售", "Salesperson"),
    ("orders.from", "下单日期从", "Ordered from"),
    ("orders.to", "至", "to"),
    ("orders.count", "个订单", "orders"),
    (
        "orders.sum",
        "金额合计（不含已取消）",
        "Total (without cancelled)",
    ),
    ("orders.order_no", "订单号", "Order no"),
    ("orders.order_date", "下单日期", "Order date"),
    ("orders.customer", "客户", "Customer"),
    ("orders.total", "订单金额", "Total"),
    ("orders.collected", "已回款", "Collected"),
    ("orders.outstanding", "未回款", "Outstanding"),
    ("orders.refund", "退货", "Refund"),
    ("orders.none", "没有符合条件的订单", "No orders found"),
    (
        "orders.customer_hint",
        "输入已有客户名称；新名称会建立新客户",
        "An existing customer's name; a new name creates the customer",
    ),
    (
        "orders.order_no_hint",
        "留空自动编号",
        "Left empty: numbered automatically",
    ),
    ("orders.lines", "订单明细", "Lines"),
    ("orders.line", "明细", "Line"),
    (
        "orders.lines_hint",
        "金额可留空（= 数量 × 单价）；退货请填负数量",
        "Amount may be left empty (= quantity × unit price); a return has a negative quantity",
    ),
    ("orders.product", "产品", "Product"),
    ("orders.category", "类别", "Category"),
    ("orders.quantity", "数量", "Quantity"),
    ("orders.unit_price", "单价", "Unit price"),
    ("orders.amount", "金额", "Amount"),
    ("orders.credits", "业绩分成", "Credit split"),
    (
        "orders.credits_hint",
        "一位销售时比例为 100；多位销售的比例（最多两位小数）合计须恰好为 100",
        "One salesperson takes 100; several shares (up to two decimals) must total exactly 100",
    ),
    ("orders.employee_no_hint", "工号", "Employee no"),
    ("orders.share", "比例", "Share"),
    ("orders.note", "备注", "Note"),
    (
        "orders.import_help",
        "上传 .xlsx 或 CSV（UTF-8）文件，第一行为列标题：订单号、客户、销售工号、下单日期、产品、类别、数量、单价、金额，可选 第二销售工号 与 分成比例（第一销售的百分比，其余归第二销售）。同一订单号的多行是同一订单的明细。全部正确才会导入；未知客户会自动建立；已存在的订单号会报错。",
        "Upload an .xlsx or CSV (UTF-8) file whose first row holds the headers 订单号, 客户, 销售工号, 下单日期, 产品, 类别, 数量, 单价, 金额 (or order_no, customer, employee_no, order_date, product, category, quantity, unit_price, amount), optionally 第二销售工号 and 分成比例 (the first salesperson's percent; the second gets the rest). Rows with the same order number are the lines of one order. Nothing is imported unless every row is right; unknown customers are created; an existing order number is an error.",
    ),
    ("orders.cancelled_on", "取消日期", "Cancelled on"),
    ("orders.steps", "订单进度", "Status steps"),
    ("orders.next_step", "推进到", "Move to"),
    ("orders.step", "更新状态", "Update status"),
    ("orders.date", "日期", "Date"),
    ("orders.split", "分成", "Split"),
    ("orders.collections", "回款记录", "Collections"),
    (
        "orders.no_collections",
        "还没有回款",
        "Nothing collected yet",
    ),
    ("orders.collect_amount", "回款金额", "Amount received"),
    ("orders.collect", "登记回款", "Record collection"),
    ("orders.delete", "删除", "Delete"),
    (
        "orders.delete_collection_confirm",
        "删除这笔回款？",
        "Delete this collection?",
    ),
    ("orders.cancel", "取消订单", "Cancel order"),
    ("orders.edit", "修改订单", "Edit order"),
    (
        "orders.edit_hint",
        "明细与销售人员整体替换；金额按数量 × 单价计算。",
        "Lines and salespeople are replaced as a whole; amounts are quantity × unit price.",
    ),
    (
        "orders.cancel_confirm",
        "确定取消这个订单？取消后不能再修改。",
        "Cancel this order? It cannot be changed afterwards.",
    ),
    ("orders.reason", "取消原因", "Reason"),
    (
        "orders.not_yours",
        "只能录入业绩归属包含自己的订单",
        "You can only enter orders credited (at least in part) to yourself",
    ),
    // ---- 目标分解 (decomposition) and plans
    ("nav.decompose", "目标分解", "Decomposition"),
    ("decompose.title", "目标分解", "Target decomposition"),
    ("decompose.link", "分解目标", "Decompose"),
    ("decompose.subject", "对象", "Subject"),
    ("decompose.year", "年度", "Year"),
    ("decompose.person", "个人", "person"),
    (
        "decompose.mode_direct",
        "您的修改将立即发布为公司目标方案的新版本，并在目标管理表中生效。",
        "Your changes are published at once as a new version of the company plan and take effect in the target table.",
    ),
    (
        "decompose.mode_draft",
        "您的修改先保存在本部门方案草稿中（标记 ✎），提交并经上级批准、发布后才在目标管理表中生效。",
        "Your changes go into your unit's plan draft (marked ✎); they take effect in the target table once submitted, approved and published.",
    ),
    ("decompose.grid_title", "分解表", "Decomposition grid"),
    ("decompose.mismatches", "分解差异", "Mismatches"),
    ("decompose.mismatch", "不一致", "mismatch"),
    ("decompose.consistent", "上下一致", "Consistent"),
    ("decompose.year_target", "年度目标", "Year target"),
    ("decompose.months_sum", "月度合计", "Months sum"),
    ("decompose.top_down", "下达", "top-down"),
    ("decompose.bottom_up", "汇总", "bottom-up"),
    ("decompose.children_sum", "下级合计", "Children's sum"),
    ("decompose.gap_row", "分解差异", "Gap (分解差异)"),
    ("decompose.gap_short", "差", "gap"),
    (
        "decompose.gap_hint",
        "分解差异：上级目标减下级合计（或年度减月度合计），不为零即标出",
        "Gap: the target minus its parts' sum, flagged when not zero",
    ),
    (
        "decompose.no_gap",
        "与下级合计一致",
        "Equals the children's sum",
    ),
    (
        "decompose.rolled",
        "未单独设置，为下级汇总值",
        "Not set here: the children's sum",
    ),
    ("decompose.from_months", "由月度汇总", "From the months"),
    (
        "decompose.drafted",
        "草稿（待审批，尚未生效）",
        "Draft (awaiting approval)",
    ),
    (
        "decompose.previewed",
        "预览值（未保存）",
        "Preview (not saved)",
    ),
    (
        "decompose.took_remainder",
        "含尾差",
        "Took the rounding remainder",
    ),
    ("decompose.locked", "锁定值", "Locked"),
    (
        "decompose.not_additive",
        "此指标不可相加（如比率、平均值）：分解时每个下级沿用整体的值，因此不计算下级合计与分解差异。",
        "This metric does not add up (a rate or an average): every part copies the whole, so no sums or gaps are shown.",
    ),
    (
        "decompose.not_additive_time",
        "此指标按月不可相加：各月沿用年度值，不计算月度合计。",
        "This metric does not add up over months: each month copies the year, so no months sum is shown.",
    ),
    (
        "decompose.not_additive_short",
        "不可相加",
        "Does not add up",
    ),
    ("decompose.preview", "预览", "Preview"),
    ("decompose.apply", "应用", "Apply"),
    (
        "decompose.apply_direct",
        "应用后立即发布",
        "Applying publishes at once",
    ),
    (
        "decompose.apply_draft",
        "应用后保存到方案草稿，需提交审批",
        "Applying saves to the plan draft for approval",
    ),
    (
        "decompose.preview_hint",
        "预览不会保存任何数据。确认无误后，在下方表单中点击“应用”。",
        "A preview saves nothing. When it looks right, press Apply in the form below.",
    ),
    ("decompose.whole", "整体目标值", "Whole"),
    (
        "decompose.whole_hint",
        "留空则按当前年度目标分解",
        "leave empty to split the current year target",
    ),
    ("decompose.remainder", "尾差", "Remainder"),
    (
        "decompose.copied",
        "此指标不可相加：每个部分沿用整体的值。",
        "This metric does not add up: every part copies the whole.",
    ),
    ("decompose.part", "部分", "Part"),
    ("decompose.period", "期间", "Period"),
    ("decompose.value", "分解值", "Value"),
    ("decompose.note", "说明", "Note"),
    (
        "decompose.skipped",
        "去年无实际数据，未设置：",
        "No actuals last year, left out:",
    ),
    ("decompose.split_title", "分解目标", "Split the target"),
    ("decompose.to", "分解到", "Split to"),
    (
        "decompose.to_children",
        "下级（部门与人员）",
        "Children (units and people)",
    ),
    ("decompose.to_months", "12个月", "Twelve months"),
    ("decompose.to_quarters", "4个季度", "Four quarters"),
    ("decompose.method", "方法", "Method"),
    ("decompose.m_equal", "平均分配", "Equal"),
    ("decompose.m_weights", "按权重", "By weights"),
    (
        "decompose.m_last_year",
        "按去年实际占比",
        "By last year's actuals",
    ),
    (
        "decompose.m_headcount",
        "按人数（仅下级）",
        "By headcount (children)",
    ),
    (
        "decompose.m_distribution",
        "按月度分配（仅时间）",
        "By distribution (time)",
    ),
    ("decompose.distribution", "月度分配", "Distribution"),
    ("decompose.reason", "调整原因", "Reason"),
    (
        "decompose.reason_hint",
        "随版本保存，便于日后对比",
        "kept with the version",
    ),
    ("decompose.parts_legend", "权重与锁定", "weights and locks"),
    (
        "decompose.parts_hint",
        "权重仅在“按权重”时使用（可填百分比）；填写锁定值的部分固定为该值，其余部分分摊剩余。",
        "Weights are used with “By weights” (percentages welcome); a locked part keeps its value and the rest is spread over the others.",
    ),
    ("decompose.current", "当前", "Current"),
    ("decompose.weight", "权重", "Weight"),
    ("decompose.lock", "锁定值", "Lock"),
    (
        "decompose.each_child_title",
        "各下级年度目标分解到月",
        "Each child's year to months",
    ),
    (
        "decompose.each_child_hint",
        "对每个已有年度目标的下级，一次性把年度目标分解到12个月。",
        "Splits the year target of every child that has one into its twelve months, in one go.",
    ),
    (
        "decompose.each_child_button",
        "全部分解到月",
        "Split all to months",
    ),
    (
        "decompose.no_child_targets",
        "没有下级设置了年度目标，请先分解到下级。",
        "No child has a year target yet; split to the children first.",
    ),
    (
        "decompose.growth_title",
        "按增长率设定",
        "Growth on last year",
    ),
    (
        "decompose.growth_hint",
        "年度目标 = 去年实际 × (1 + 增长率)。",
        "Year target = last year's actual × (1 + growth).",
    ),
    ("decompose.growth", "增长率 %", "Growth %"),
    (
        "decompose.include_children",
        "同时设置各下级",
        "Include the children",
    ),
    (
        "decompose.notice_published",
        "已发布为新的方案版本，目标管理表已更新",
        "Published as a new plan version; the target table is updated",
    ),
    (
        "decompose.notice_drafted",
        "已保存到方案草稿；提交并经批准、发布后生效",
        "Saved to the plan draft; it takes effect once approved and published",
    ),
    (
        "decompose.notice_unchanged",
        "目标没有变化",
        "No target changed",
    ),
    ("plans.title", "方案与审批", "Plans and approval"),
    ("plans.plan", "方案", "Plan"),
    ("plans.panel_title", "目标方案", "Target plan"),
    (
        "plans.panel_direct",
        "总经理和管理员的修改直接发布；每次修改都保留为一个版本。",
        "The GM's and admin's changes are published at once; every change is kept as a version.",
    ),
    (
        "plans.panel_draft",
        "草稿 → 提交 → 上级批准 → 发布；被退回的版本可修改后重新提交。",
        "Draft → submitted → approved by the next manager up → published; a returned version can be edited and submitted again.",
    ),
    ("plans.no_versions", "尚无版本", "No versions yet"),
    ("plans.version", "版本", "Version"),
    ("plans.author", "修改人", "Author"),
    ("plans.at", "时间", "When"),
    ("plans.reason", "原因", "Reason"),
    ("plans.decided_by", "审批人", "Decided by"),
    ("plans.comment", "审批意见", "Comment"),
    ("plans.items", "条目", "Items"),
    ("plans.what_changed", "查看变化", "What changed"),
    ("plans.draft", "草稿", "Draft"),
    ("plans.submitted", "已提交", "Submitted"),
    ("plans.returned", "已退回", "Returned"),
    ("plans.approved", "已批准", "Approved"),
    ("plans.published", "已发布", "Published"),
    ("plans.submit", "提交审批", "Submit for approval"),
    ("plans.approve", "批准", "Approve"),
    ("plans.return", "退回", "Return"),
    (
        "plans.return_reason",
        "退回原因（必填）",
        "Reason for returning (required)",
    ),
    ("plans.publish", "发布", "Publish"),
    (
        "plans.publish_hint",
        "发布后，本版本的目标写入目标管理表。",
        "Publishing writes this version's targets into the target table.",
    ),
    ("plans.awaiting", "待审批", "Awaiting"),
    ("plans.awaiting_you", "待您审批", "Awaiting your approval"),
    (
        "plans.list_hint",
        "您可查看的各部门年度目标方案及其最新状态；待您审批的排在最前。",
        "The plans you may read, with their latest status; those awaiting your approval first.",
    ),
    (
        "plans.none_this_year",
        "本年度还没有方案",
        "No plans this year",
    ),
    ("plans.all_versions", "全部版本", "All versions"),
    ("plans.versions_count", "版本数", "Versions"),
    ("plans.compare", "版本对比", "Compare versions"),
    ("plans.from_version", "从版本", "From version"),
    ("plans.to_version", "到版本", "To version"),
    ("plans.before_plan", "v0 · 方案之前", "v0 · before the plan"),
    ("plans.changes", "变化", "Changes"),
    (
        "plans.no_changes",
        "两个版本之间没有目标变化",
        "No target changed between these versions",
    ),
    ("plans.delta", "增减", "Change"),
    (
        "plans.versions_between",
        "期间的版本（谁、何时、为何）",
        "The versions in between (who, when, why)",
    ),
    (
        "plans.notice_submitted",
        "已提交审批",
        "Submitted for approval",
    ),
    ("plans.notice_approved", "已批准", "Approved"),
    ("plans.notice_returned", "已退回", "Returned"),
    (
        "plans.notice_published",
        "已发布，目标管理表已更新",
        "Published; the target table is updated",
    ),
    // ---- projects, daily plans and weekly reports (sales process)
    ("nav.projects", "项目", "Projects"),
    ("nav.work", "工作计划", "Daily plan"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(Locale::from_accept_language(""), Locale::Zh);
        assert_eq!(Locale::from_accept_language("fr-FR,fr;q=0.9"), Locale::Zh);
        assert_eq!(
            Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Locale::Zh
        );
    }

    #[test]
    fn english_browsers_get_english() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9"), Locale::En);
        assert_eq!(
            Locale::from_accept_language("de;q=0.9,en;q=0.8"),
            Locale::En
        );
        assert_eq!(
            Locale::from_accept_language("zh;q=0.5,en;q=0.8"),
            Locale::En
        );
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = TEXT_TABLE.iter().map(|(k, _, _)| *k).collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    /// Every `t.t("…")` in the templates has a text.
    #[test]
    fn every_template_key_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates dir") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for part in text.split("t.t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if !TEXTS.contains_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:?}");
    }
}
