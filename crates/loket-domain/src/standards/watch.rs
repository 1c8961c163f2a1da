//! Overruns visible while they happen: staff are told when a running step reaches 80% of its
//! standard (a warning) and when it passes it (an overrun), once each.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::StepRecord;
use crate::calendar::Measure;
use crate::visit::Visit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// 80% of the standard has passed.
    Warning,
    /// The standard has passed.
    Overrun,
}

/// Where a step stands against its standard at `now`: nothing while it is finished, instant,
/// without a standard or under 80% of it.
pub fn alert_level(record: &StepRecord, now: DateTime<Utc>) -> Option<AlertLevel> {
    alert_level_measured(record, now, &Measure::Clock)
}

/// [`alert_level`], the time since the step started measured by `measure` (clock or working
/// time, as the office chose).
pub fn alert_level_measured(record: &StepRecord, now: DateTime<Utc>, measure: &Measure<'_>) -> Option<AlertLevel> {
    if record.finished_at.is_some() || record.instant {
        return None;
    }
    let limit_ms = i64::from(record.standard_minutes?) * 60_000;
    let elapsed_ms = measure.between(record.started_at, now).num_milliseconds();
    if elapsed_ms > limit_ms {
        Some(AlertLevel::Overrun)
    } else if elapsed_ms * 5 >= limit_ms * 4 {
        Some(AlertLevel::Warning)
    } else {
        None
    }
}

/// What staff are told about one visit's running step. Staff only: it names the visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StepAlert {
    #[serde(skip)]
    pub level: AlertLevel,
    pub visit_id: String,
    pub reference: String,
    /// The queue number, once given (step 5).
    pub number: Option<String>,
    pub step: u8,
    pub standard_minutes: u32,
    #[serde(with = "crate::timestamp")]
    pub started_at: DateTime<Utc>,
    /// The counter serving the visit, when one is.
    pub counter: Option<String>,
}

/// Remembers what was told about each running step, so that each warns once and overruns once.
/// A step done again (step 3 after an incomplete check) is a new step.
#[derive(Debug, Default)]
pub struct Watch {
    told: HashMap<(String, u8, DateTime<Utc>), AlertLevel>,
}

impl Watch {
    /// The alerts due at `now` for the running steps of `visits` (each with its step records).
    /// A step first seen past its standard only overruns: its warning would come too late.
    /// Steps no longer running, or of visits no longer given, are forgotten.
    pub fn tick<'a>(
        &mut self,
        visits: impl IntoIterator<Item = (&'a Visit, &'a [StepRecord])>,
        now: DateTime<Utc>,
    ) -> Vec<StepAlert> {
        self.tick_measured(visits, now, &Measure::Clock)
    }

    /// [`Watch::tick`], the running steps' time measured by `measure`.
    pub fn tick_measured<'a>(
        &mut self,
        visits: impl IntoIterator<Item = (&'a Visit, &'a [StepRecord])>,
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) -> Vec<StepAlert> {
        let mut still = HashMap::new();
        let mut due = Vec::new();
        for (visit, steps) in visits {
            for r in steps {
                let (Some(level), Some(standard_minutes)) = (alert_level_measured(r, now, measure), r.standard_minutes)
                else {
                    continue;
                };
                let key = (visit.id.clone(), r.step, r.started_at);
                let told = self.told.get(&key).copied();
                if told.is_none_or(|t| t < level) {
                    due.push(StepAlert {
                        level,
                        visit_id: visit.id.clone(),
                        reference: visit.reference.clone(),
                        number: visit.queue.number.clone(),
                        step: r.step,
                        standard_minutes,
                        started_at: r.started_at,
                        counter: visit.queue.counter.clone(),
                    });
                }
                still.insert(key, told.map_or(level, |t| t.max(level)));
            }
        }
        self.told = still;
        due
    }
}
