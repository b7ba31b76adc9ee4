use chrono::Duration;

/// ISO 8601 durations without months or years (whose length varies): `P10D`, `P2W`,
/// `PT36H`, `P1DT12H30M`, `PT45S`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let err = || {
        format!("`{s}` is not a duration like P10D, PT36H or P1DT12H (months and years are not allowed; use days)")
    };
    let rest = s.strip_prefix('P').ok_or_else(err)?;
    if rest.is_empty() {
        return Err(err());
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err(err()),
        None => (rest, None),
    };
    let mut total = Duration::zero();
    let mut take = |part: &str, units: &[(char, i64)]| -> Result<(), String> {
        let mut num = String::new();
        let mut last_unit = 0usize;
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let idx = units.iter().position(|(u, _)| *u == c).ok_or_else(err)?;
            if num.is_empty() || idx < last_unit {
                return Err(err());
            }
            last_unit = idx;
            let n: i64 = num.parse().map_err(|_| err())?;
            total += Duration::seconds(n.checked_mul(units[idx].1).ok_or_else(err)?);
            num.clear();
        }
        if !num.is_empty() {
            return Err(err());
        }
        Ok(())
    };
    take(date, &[('W', 7 * 86400), ('D', 86400)])?;
    if let Some(t) = time {
        take(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    if total <= Duration::zero() {
        return Err(err());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_weeks_and_times() {
        assert_eq!(parse_duration("P10D").unwrap(), Duration::days(10));
        assert_eq!(parse_duration("P2W").unwrap(), Duration::days(14));
        assert_eq!(parse_duration("PT36H").unwrap(), Duration::hours(36));
        assert_eq!(
            parse_duration("P1DT12H30M").unwrap(),
            Duration::minutes(36 * 60 + 30)
        );
        assert_eq!(parse_duration("PT2S").unwrap(), Duration::seconds(2));
        for bad in ["10D", "P", "P1M", "P1Y", "PT", "P1H", "P0D", "PD"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
