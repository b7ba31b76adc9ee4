//! Reporting periods. A period is a calendar month (`2027-03`); it ends at the last second of
//! its last day in WIB (UTC+7, the time of the regions Mufakat ships for), and its report is
//! due a configured number of days later, at the same second.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

/// WIB, UTC+7, in seconds.
const WIB: i32 = 7 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((2000..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(Period { year, month })
    }

    /// The month that holds `d`.
    pub fn of(d: NaiveDate) -> Period {
        Period {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The month that holds instant `t` in WIB.
    pub fn at(t: DateTime<Utc>) -> Period {
        Period::of((t + Duration::seconds(WIB as i64)).date_naive())
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid period")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid date")
    }

    pub fn next(self) -> Period {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The quarter (1 to 4).
    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    /// The last second of the period, 23:59:59 WIB on its last day.
    pub fn end(self) -> DateTime<Utc> {
        let offset = chrono::FixedOffset::east_opt(WIB).expect("valid offset");
        offset
            .from_local_datetime(&self.last_day().and_hms_opt(23, 59, 59).expect("valid time"))
            .single()
            .expect("fixed offsets are unambiguous")
            .with_timezone(&Utc)
    }

    /// When the period's report is due: `days` calendar days after the period's end.
    pub fn due(self, days: u32) -> DateTime<Utc> {
        self.end() + Duration::days(days as i64)
    }

    /// Every period from `from` to `to`, both included (empty when `to` is before `from`).
    pub fn range(from: Period, to: Period) -> Vec<Period> {
        let mut out = vec![];
        let mut p = from;
        while p <= to {
            out.push(p);
            p = p.next();
        }
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = String;

    /// `YYYY-MM`, years 2000 to 2100.
    fn from_str(s: &str) -> Result<Period, String> {
        let bad = || format!("`{s}` is not a month (YYYY-MM)");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        Period::new(y, m).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_print_and_step() {
        let p: Period = "2027-12".parse().unwrap();
        assert_eq!(p.to_string(), "2027-12");
        assert_eq!(p.next().to_string(), "2028-01");
        assert_eq!(p.quarter(), 4);
        assert_eq!(
            "2028-02".parse::<Period>().unwrap().last_day().to_string(),
            "2028-02-29"
        );
        for bad in [
            "2027-13", "2027-00", "27-01", "2027/01", "1999-01", "2027-1",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
        let r = Period::range("2027-11".parse().unwrap(), "2028-02".parse().unwrap());
        assert_eq!(r.len(), 4);
        assert!(Period::range(p.next(), p).is_empty());
    }

    #[test]
    fn a_period_ends_at_midnight_wib_and_is_due_days_later() {
        let p: Period = "2027-01".parse().unwrap();
        assert_eq!(p.end().to_rfc3339(), "2027-01-31T16:59:59+00:00");
        assert_eq!(p.due(10).to_rfc3339(), "2027-02-10T16:59:59+00:00");
        // 20:00 UTC on 31 January is 1 February in WIB.
        let t = DateTime::parse_from_rfc3339("2027-01-31T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(Period::at(t).to_string(), "2027-02");
    }
}
