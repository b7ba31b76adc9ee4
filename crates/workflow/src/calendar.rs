//! Working days (hari kerja): the working week, national holidays and cuti bersama per year,
//! regional additions, working hours and the region's time zone, read from
//! `workflows/config/calendar.toml` and checked at start like the workflows.
//!
//! A deadline of N working days from a moment (`P10WD`) is the close of working hours on the
//! Nth working day **after** the day of that moment, in the region's time: the day something
//! arrives does not count, whatever the hour (UU 14/2008 and most service standards count "sejak
//! diterima"), so a request received on Friday evening, on Saturday or before the office opens
//! on Monday morning all count from the next working day. A period "ending on a working day"
//! (`P5D:working`) that ends on a day off, or outside working hours, ends instead at the close
//! of the next working day (or of the same day, before it closes).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use serde::Deserialize;

/// A span of time in a workflow file: a fixed duration (`P14D`, `PT36H`), a number of working
/// days (`P10WD`), or a fixed duration that ends on a working day (`P5D:working`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Fixed(Duration),
    WorkingDays(u32),
    FixedEndingOnWorkingDay(Duration),
}

impl Span {
    pub fn parse(s: &str) -> Result<Span, String> {
        let s = s.trim();
        if let Some(fixed) = s.strip_suffix(":working") {
            return crate::parse_duration(fixed).map(Span::FixedEndingOnWorkingDay);
        }
        if let Some(n) = s.strip_prefix('P').and_then(|r| r.strip_suffix("WD")) {
            return match n.parse::<u32>() {
                Ok(n) if (1..=3650).contains(&n) => Ok(Span::WorkingDays(n)),
                _ => Err(format!(
                    "`{s}` is not a number of working days like P10WD (1 to 3650)"
                )),
            };
        }
        crate::parse_duration(s).map(Span::Fixed)
    }

    /// When the span that begins at `t` ends, for a case in `region` (its region's codes, from
    /// the top: regional holidays of any of them count).
    pub fn after(&self, t: DateTime<Utc>, cal: &Calendar, region: &[String]) -> DateTime<Utc> {
        match self {
            Span::Fixed(d) => t + *d,
            Span::WorkingDays(n) => cal.add_working_days(t, *n, region),
            Span::FixedEndingOnWorkingDay(d) => cal.within_working_hours(t + *d, region),
        }
    }
}

/// The working calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    offset: FixedOffset,
    week: [bool; 7],
    open: NaiveTime,
    close: NaiveTime,
    /// National holidays and cuti bersama.
    days_off: BTreeMap<NaiveDate, String>,
    regional: Vec<Regional>,
    /// The years whose days off the file lists.
    years: BTreeSet<i32>,
}

#[derive(Debug, Clone, PartialEq)]
struct Regional {
    region: String,
    offset: Option<FixedOffset>,
    days_off: BTreeMap<NaiveDate, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    timezone: String,
    working_days: Vec<String>,
    opens: String,
    closes: String,
    #[serde(default)]
    year: Vec<YearFile>,
    #[serde(default)]
    regional: Vec<RegionalFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    #[serde(default)]
    holidays: Vec<DayFile>,
    #[serde(default)]
    cuti_bersama: Vec<DayFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DayFile {
    date: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionalFile {
    region: String,
    timezone: Option<String>,
    #[serde(default)]
    days_off: Vec<DayFile>,
}

fn offset(s: &str) -> Result<FixedOffset, String> {
    let named = match s {
        "WIB" => Some(7),
        "WITA" => Some(8),
        "WIT" => Some(9),
        _ => None,
    };
    if let Some(h) = named {
        return Ok(FixedOffset::east_opt(h * 3600).expect("offset"));
    }
    let err = || format!("timezone `{s}` is not WIB, WITA, WIT or an offset like +07:00");
    let (sign, rest) = match s.chars().next() {
        Some('+') => (1, &s[1..]),
        Some('-') => (-1, &s[1..]),
        _ => return Err(err()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(err)?;
    let secs =
        h.parse::<i32>().map_err(|_| err())? * 3600 + m.parse::<i32>().map_err(|_| err())? * 60;
    FixedOffset::east_opt(sign * secs).ok_or_else(err)
}

fn weekday(s: &str) -> Result<usize, String> {
    Ok(match s {
        "mon" => 0,
        "tue" => 1,
        "wed" => 2,
        "thu" => 3,
        "fri" => 4,
        "sat" => 5,
        "sun" => 6,
        other => {
            return Err(format!(
                "`{other}` is not a day (mon, tue, wed, thu, fri, sat, sun)"
            ))
        }
    })
}

fn days(
    list: &[DayFile],
    into: &mut BTreeMap<NaiveDate, String>,
    year: Option<i32>,
) -> Result<(), String> {
    for d in list {
        let date = NaiveDate::parse_from_str(&d.date, "%Y-%m-%d")
            .map_err(|_| format!("`{}` is not a date YYYY-MM-DD", d.date))?;
        if let Some(y) = year.filter(|y| *y != date.year()) {
            return Err(format!("{} is listed under the year {y}", d.date));
        }
        if into.insert(date, d.name.clone()).is_some() {
            return Err(format!("{} is listed twice", d.date));
        }
    }
    Ok(())
}

impl Calendar {
    /// Monday to Friday, 08.00 to 16.00 WIB, no holidays: for tests and for a deployment
    /// without a calendar file.
    pub fn plain() -> Calendar {
        Calendar {
            offset: FixedOffset::east_opt(7 * 3600).expect("offset"),
            week: [true, true, true, true, true, false, false],
            open: NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
            close: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
            days_off: BTreeMap::new(),
            regional: vec![],
            years: BTreeSet::new(),
        }
    }

    pub fn from_toml(text: &str) -> Result<Calendar, String> {
        let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut week = [false; 7];
        for d in &f.working_days {
            week[weekday(d)?] = true;
        }
        if !week.iter().any(|w| *w) {
            return Err("`working_days` names no day".into());
        }
        let time = |s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| format!("`{s}` is not a time HH:MM"))
        };
        let (open, close) = (time(&f.opens)?, time(&f.closes)?);
        if open >= close {
            return Err("`opens` must be before `closes`".into());
        }
        let mut days_off = BTreeMap::new();
        let mut years = BTreeSet::new();
        for y in &f.year {
            if !years.insert(y.year) {
                return Err(format!("the year {} is listed twice", y.year));
            }
            days(&y.holidays, &mut days_off, Some(y.year))?;
            days(&y.cuti_bersama, &mut days_off, Some(y.year))?;
        }
        let mut regional = vec![];
        for r in &f.regional {
            let mut d = BTreeMap::new();
            days(&r.days_off, &mut d, None)?;
            regional.push(Regional {
                region: r.region.clone(),
                offset: r.timezone.as_deref().map(offset).transpose()?,
                days_off: d,
            });
        }
        Ok(Calendar {
            offset: offset(&f.timezone)?,
            week,
            open,
            close,
            days_off,
            regional,
            years,
        })
    }

    /// The years the file lists days off for (a deadline in another year counts only weekends).
    pub fn years(&self) -> &BTreeSet<i32> {
        &self.years
    }

    /// The time zone of a region (its codes, from the top), or the calendar's own.
    pub fn offset_for(&self, region: &[String]) -> FixedOffset {
        self.regional
            .iter()
            .rev()
            .find(|r| r.offset.is_some() && region.contains(&r.region))
            .and_then(|r| r.offset)
            .unwrap_or(self.offset)
    }

    /// Why `d` is not a working day in `region`, if it is not.
    pub fn day_off(&self, d: NaiveDate, region: &[String]) -> Option<String> {
        if !self.week[d.weekday().num_days_from_monday() as usize] {
            return Some(match d.weekday() {
                Weekday::Sat => "Sabtu".into(),
                Weekday::Sun => "Minggu".into(),
                _ => "hari libur mingguan".into(),
            });
        }
        if let Some(n) = self.days_off.get(&d) {
            return Some(n.clone());
        }
        self.regional
            .iter()
            .filter(|r| region.contains(&r.region))
            .find_map(|r| r.days_off.get(&d).cloned())
    }

    pub fn is_working_day(&self, d: NaiveDate, region: &[String]) -> bool {
        self.day_off(d, region).is_none()
    }

    fn close_of(&self, d: NaiveDate, tz: FixedOffset) -> DateTime<Utc> {
        tz.from_local_datetime(&d.and_time(self.close))
            .single()
            .expect("a fixed offset has one local time")
            .with_timezone(&Utc)
    }

    fn next_working_day(&self, mut d: NaiveDate, region: &[String]) -> NaiveDate {
        // A calendar with at least one working day a week finds one within 8 days of days
        // off in a row, holidays aside; 400 bounds any file.
        for _ in 0..400 {
            d = d.succ_opt().expect("date in range");
            if self.is_working_day(d, region) {
                return d;
            }
        }
        d
    }

    /// The close of the `n`th working day after the (local) day of `from`.
    pub fn add_working_days(
        &self,
        from: DateTime<Utc>,
        n: u32,
        region: &[String],
    ) -> DateTime<Utc> {
        let tz = self.offset_for(region);
        let mut d = from.with_timezone(&tz).date_naive();
        for _ in 0..n {
            d = self.next_working_day(d, region);
        }
        self.close_of(d, tz)
    }

    /// `t` when it falls within working hours of a working day; otherwise the next close of a
    /// working day (the same day's close when `t` is before it opens).
    pub fn within_working_hours(&self, t: DateTime<Utc>, region: &[String]) -> DateTime<Utc> {
        let tz = self.offset_for(region);
        let local = t.with_timezone(&tz);
        let d = local.date_naive();
        if self.is_working_day(d, region) {
            if local.time() >= self.open && local.time() <= self.close {
                return t;
            }
            if local.time() < self.open {
                return self.close_of(d, tz);
            }
        }
        self.close_of(self.next_working_day(d, region), tz)
    }

    /// Working days from `from` to `to` (the days after `from`'s day up to and including
    /// `to`'s), for service-level reports.
    pub fn working_days_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        region: &[String],
    ) -> i64 {
        let tz = self.offset_for(region);
        let (mut d, end) = (
            from.with_timezone(&tz).date_naive(),
            to.with_timezone(&tz).date_naive(),
        );
        let mut n = 0;
        while d < end {
            d = d.succ_opt().expect("date in range");
            if self.is_working_day(d, region) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
timezone = "WIB"
working_days = ["mon", "tue", "wed", "thu", "fri"]
opens = "08:00"
closes = "16:00"

[[year]]
year = 2026
holidays = [
  { date = "2026-03-19", name = "Nyepi" },
  { date = "2026-03-21", name = "Idul Fitri" },
  { date = "2026-03-22", name = "Idul Fitri" },
  { date = "2026-12-25", name = "Natal" },
]
cuti_bersama = [
  { date = "2026-03-18", name = "Cuti bersama Nyepi" },
  { date = "2026-03-20", name = "Cuti bersama Idul Fitri" },
  { date = "2026-03-23", name = "Cuti bersama Idul Fitri" },
  { date = "2026-03-24", name = "Cuti bersama Idul Fitri" },
  { date = "2026-12-24", name = "Cuti bersama Natal" },
]

[[year]]
year = 2027
holidays = [{ date = "2027-01-01", name = "Tahun Baru" }]

[[regional]]
region = "51"
timezone = "WITA"
days_off = [{ date = "2026-12-02", name = "Hari raya daerah" }]
"#;

    fn cal() -> Calendar {
        Calendar::from_toml(FILE).unwrap()
    }
    /// A local time in WIB.
    fn wib(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{s}+07:00"))
            .unwrap()
            .with_timezone(&Utc)
    }
    fn wita(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{s}+08:00"))
            .unwrap()
            .with_timezone(&Utc)
    }
    const JAVA: &[String] = &[];

    #[test]
    fn the_day_of_arrival_does_not_count_whatever_the_hour() {
        let c = cal();
        // Monday 1 Dec 2026: before opening, during, after closing — all count from Tuesday.
        for t in [
            "2026-11-30T06:00:00",
            "2026-11-30T10:00:00",
            "2026-11-30T23:59:59",
        ] {
            assert_eq!(
                c.add_working_days(wib(t), 1, JAVA),
                wib("2026-12-01T16:00:00"),
                "{t}"
            );
        }
        assert_eq!(
            c.add_working_days(wib("2026-11-30T10:00:00"), 5, JAVA),
            wib("2026-12-07T16:00:00")
        );
    }

    #[test]
    fn weekends_are_skipped_from_a_friday_a_saturday_and_a_sunday() {
        let c = cal();
        for t in [
            "2026-12-04T15:00:00",
            "2026-12-04T17:00:00",
            "2026-12-05T09:00:00",
            "2026-12-06T23:00:00",
        ] {
            assert_eq!(
                c.add_working_days(wib(t), 1, JAVA),
                wib("2026-12-07T16:00:00"),
                "{t}"
            );
        }
        // Ten working days are two weeks, whichever weekday it starts on.
        assert_eq!(
            c.add_working_days(wib("2026-11-02T09:00:00"), 10, JAVA),
            wib("2026-11-16T16:00:00")
        );
        assert_eq!(
            c.add_working_days(wib("2026-11-07T09:00:00"), 10, JAVA),
            wib("2026-11-20T16:00:00")
        );
    }

    #[test]
    fn holidays_and_cuti_bersama_are_skipped() {
        let c = cal();
        // Tue 17 Mar 2026: then 18 (cuti), 19 (Nyepi), 20 (cuti), 21–22 (weekend, Idul Fitri),
        // 23–24 (cuti): the next working day is Wed 25 Mar.
        assert_eq!(
            c.add_working_days(wib("2026-03-17T09:00:00"), 1, JAVA),
            wib("2026-03-25T16:00:00")
        );
        assert_eq!(
            c.add_working_days(wib("2026-03-17T09:00:00"), 3, JAVA),
            wib("2026-03-27T16:00:00")
        );
        assert_eq!(
            c.day_off(NaiveDate::from_ymd_opt(2026, 3, 19).unwrap(), JAVA)
                .as_deref(),
            Some("Nyepi")
        );
        assert_eq!(
            c.day_off(NaiveDate::from_ymd_opt(2026, 3, 21).unwrap(), JAVA)
                .as_deref(),
            Some("Sabtu")
        );
        assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 3, 25).unwrap(), JAVA));
    }

    #[test]
    fn across_the_year_end() {
        let c = cal();
        // Wed 23 Dec 2026: 24 (cuti), 25 (Natal), 26–27 weekend, Mon 28 …, 1 Jan 2027 (Tahun
        // Baru, in next year's list), 2–3 weekend, Mon 4 Jan.
        assert_eq!(
            c.add_working_days(wib("2026-12-23T09:00:00"), 1, JAVA),
            wib("2026-12-28T16:00:00")
        );
        assert_eq!(
            c.add_working_days(wib("2026-12-23T09:00:00"), 4, JAVA),
            wib("2026-12-31T16:00:00")
        );
        assert_eq!(
            c.add_working_days(wib("2026-12-23T09:00:00"), 5, JAVA),
            wib("2027-01-04T16:00:00")
        );
        // The UTC date is the day before the local one: the local day decides.
        assert_eq!(
            c.add_working_days(wib("2026-12-31T06:00:00"), 1, JAVA),
            wib("2027-01-04T16:00:00")
        );
    }

    #[test]
    fn regions_add_their_days_off_and_their_time_zone() {
        let c = cal();
        let bali: Vec<String> = vec!["51".into(), "51.71".into()];
        // Tue 1 Dec 2026 in Bali: Wed 2 is a regional day off; Thu 3 closes at 16.00 WITA.
        assert_eq!(
            c.add_working_days(wita("2026-12-01T09:00:00"), 1, &bali),
            wita("2026-12-03T16:00:00")
        );
        assert_eq!(
            c.add_working_days(wib("2026-12-01T09:00:00"), 1, JAVA),
            wib("2026-12-02T16:00:00")
        );
        // 23.30 WIB on Monday is already Tuesday in Bali.
        assert_eq!(
            c.add_working_days(wib("2026-11-30T23:30:00"), 1, &bali),
            wita("2026-12-03T16:00:00")
        );
    }

    #[test]
    fn a_period_ending_on_a_working_day_moves_to_its_close() {
        let c = cal();
        let p = Span::parse("P5D:working").unwrap();
        // Announced Mon 30 Nov 10.00: five days later is Sat 5 Dec → Mon 7 Dec 16.00.
        assert_eq!(
            p.after(wib("2026-11-30T10:00:00"), &c, JAVA),
            wib("2026-12-07T16:00:00")
        );
        // Announced Wed 2 Dec 10.00 → Mon 7 Dec 10.00: within hours, kept.
        assert_eq!(
            p.after(wib("2026-12-02T10:00:00"), &c, JAVA),
            wib("2026-12-07T10:00:00")
        );
        // Ending at 19.00 on a working day → the next working day's close; at 06.00 → that day's.
        assert_eq!(
            c.within_working_hours(wib("2026-12-07T19:00:00"), JAVA),
            wib("2026-12-08T16:00:00")
        );
        assert_eq!(
            c.within_working_hours(wib("2026-12-07T06:00:00"), JAVA),
            wib("2026-12-07T16:00:00")
        );
        // Ending on Christmas Eve (cuti bersama) → Mon 28 Dec.
        assert_eq!(
            c.within_working_hours(wib("2026-12-24T10:00:00"), JAVA),
            wib("2026-12-28T16:00:00")
        );
    }

    #[test]
    fn spans_parse_and_refuse_what_is_not_one() {
        assert_eq!(Span::parse("P10WD").unwrap(), Span::WorkingDays(10));
        assert_eq!(
            Span::parse("P14D").unwrap(),
            Span::Fixed(Duration::days(14))
        );
        assert_eq!(
            Span::parse("P5D:working").unwrap(),
            Span::FixedEndingOnWorkingDay(Duration::days(5))
        );
        for bad in [
            "P0WD", "PWD", "P-1WD", "P1.5WD", "10WD", "P1WDT2H", "P10wd", ":working",
        ] {
            assert!(Span::parse(bad).is_err(), "{bad}");
        }
        let c = Calendar::plain();
        assert_eq!(
            Span::parse("PT36H")
                .unwrap()
                .after(wib("2026-12-05T00:00:00"), &c, JAVA),
            wib("2026-12-06T12:00:00")
        );
    }

    #[test]
    fn counting_back_agrees_with_counting_forward() {
        let c = cal();
        let mut t = wib("2026-01-01T09:00:00");
        while t < wib("2027-01-10T00:00:00") {
            for n in [1u32, 3, 10, 30] {
                let end = c.add_working_days(t, n, JAVA);
                assert_eq!(c.working_days_between(t, end, JAVA), n as i64, "{t} + {n}");
                assert!(c.is_working_day(end.with_timezone(&c.offset).date_naive(), JAVA));
            }
            t += Duration::hours(13);
        }
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let with = |a: &str, b: &str| Calendar::from_toml(&FILE.replace(a, b)).unwrap_err();
        assert!(with("\"WIB\"", "\"Mars\"").contains("timezone"));
        assert!(with("opens = \"08:00\"", "opens = \"17:00\"").contains("before"));
        assert!(with("2026-12-25", "2027-12-25").contains("under the year 2026"));
        assert!(with("2026-03-20", "2026-03-19").contains("twice"));
        assert!(with("\"mon\",", "\"monday\",").contains("not a day"));
        assert!(Calendar::from_toml("timezone = \"WIB\"").is_err());
    }
}
