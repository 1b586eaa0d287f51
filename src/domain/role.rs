//! The six roles of PRODUCT.md.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user does in the company; decides what they may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: users, org tree, set-up; may correct any record.
    Admin,
    /// 总经理: reads everything, top of the approval chain.
    Gm,
    /// 销售经理/主管/总监: their unit's subtree.
    Manager,
    /// 销售代表: their own records.
    Sales,
    /// 销售内勤: enters orders, compiles monthly data; reads the whole company.
    SalesAdmin,
    /// 人事/培训: manages people data.
    Hr,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Gm,
        Role::Manager,
        Role::Sales,
        Role::SalesAdmin,
        Role::Hr,
    ];

    /// The code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Gm => "gm",
            Role::Manager => "manager",
            Role::Sales => "sales",
            Role::SalesAdmin => "sales_admin",
            Role::Hr => "hr",
        }
    }

    /// The Chinese name shown in the UI and accepted by imports.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Gm => "总经理",
            Role::Manager => "销售经理",
            Role::Sales => "销售代表",
            Role::SalesAdmin => "销售内勤",
            Role::Hr => "人事",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Gm => "General manager",
            Role::Manager => "Sales manager",
            Role::Sales => "Salesperson",
            Role::SalesAdmin => "Sales admin",
            Role::Hr => "HR",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was neither a role code nor a role's Chinese name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;

    /// Accepts the code (`sales`) or the Chinese name (`销售代表`), so that
    /// imports written by hand in Chinese work.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(s) || r.name_zh() == s)
            .ok_or(UnknownRole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_chinese_names() {
        assert_eq!("sales_admin".parse(), Ok(Role::SalesAdmin));
        assert_eq!("销售代表".parse(), Ok(Role::Sales));
        assert_eq!(" GM ".parse(), Ok(Role::Gm));
        assert_eq!("boss".parse::<Role>(), Err(UnknownRole));
    }

    #[test]
    fn code_round_trips() {
        for r in Role::ALL {
            assert_eq!(r.code().parse(), Ok(r));
            assert_eq!(r.name_zh().parse(), Ok(r));
        }
    }
}
