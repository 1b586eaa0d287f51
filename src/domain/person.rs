//! Validation of a person's fields, shared by forms, the API and imports.

use super::Expected;
use chrono::NaiveDate;

/// 工号: 1–32 letters, digits, `-` or `_`; not `new` or `import`.
pub fn validate_employee_no(no: &str) -> Result<&str, Expected> {
    let no = no.trim();
    if no.is_empty() || no.len() > 32 {
        return Err(Expected::new("1 to 32 characters", "1 到 32 个字符"));
    }
    if !no
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Expected::new(
            "letters, digits, '-' or '_' only",
            "只能包含字母、数字、'-' 或 '_'",
        ));
    }
    if RESERVED_EMPLOYEE_NOS
        .iter()
        .any(|r| no.eq_ignore_ascii_case(r))
    {
        return Err(Expected::new(
            "a reserved word (new, import), not usable as an employee number",
            "保留字，不能作为工号",
        ));
    }
    Ok(no)
}

/// Words that are pages under `/people/` (`/people/new`, `/people/import`):
/// a person with such a 工号 could not be reached at `/people/{工号}`.
const RESERVED_EMPLOYEE_NOS: [&str; 2] = ["new", "import"];

/// 手机: digits with an optional leading `+`, spaces and dashes allowed.
pub fn validate_phone(phone: &str) -> Result<&str, Expected> {
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (i == 0 && c == '+'));
    if !allowed || !(5..=20).contains(&digits) {
        return Err(Expected::new(
            "a phone number of 5 to 20 digits",
            "应为 5 到 20 位数字的电话号码",
        ));
    }
    Ok(phone)
}

/// 邮箱: something@domain.tld, no spaces.
pub fn validate_email(email: &str) -> Result<&str, Expected> {
    let email = email.trim();
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if !ok || email.len() > 254 {
        return Err(Expected::new(
            "an e-mail address such as name@example.com",
            "应为邮箱地址，例如 name@example.com",
        ));
    }
    Ok(email)
}

/// 入职日期: `2024-03-01`, `2024/3/1` or `2024.3.1`.
pub fn parse_date(text: &str) -> Result<NaiveDate, Expected> {
    let text = text.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .ok_or(Expected::new(
            "a date such as 2024-03-01",
            "应为日期，例如 2024-03-01",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_people_type() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(parse_date("2024-03-01"), Ok(d));
        assert_eq!(parse_date("2024/3/1"), Ok(d));
        assert_eq!(parse_date("2024.3.1"), Ok(d));
        assert!(parse_date("2024-02-30").is_err());
        assert!(parse_date("三月一日").is_err());
    }

    #[test]
    fn phones_and_emails() {
        assert!(validate_phone("13800138000").is_ok());
        assert!(validate_phone("+86 138-0013-8000").is_ok());
        assert!(validate_phone("1380013800a").is_err());
        assert!(validate_email("li.na@example.com").is_ok());
        assert!(validate_email("li.na@example").is_err());
        assert!(validate_email("li na@example.com").is_err());
    }

    #[test]
    fn employee_numbers() {
        assert_eq!(validate_employee_no(" E0007 "), Ok("E0007"));
        assert!(validate_employee_no("E 7").is_err());
        assert!(validate_employee_no("").is_err());
    }

    #[test]
    fn page_names_are_no_employee_numbers() {
        for no in ["new", "import", "NEW", "Import", " new "] {
            let e = validate_employee_no(no).expect_err(no);
            assert!(e.en.contains("reserved word"), "{no}: {}", e.en);
            assert_eq!(e.zh, "保留字，不能作为工号");
        }
        assert_eq!(validate_employee_no("new1"), Ok("new1"));
        assert_eq!(validate_employee_no("importer"), Ok("importer"));
    }
}
