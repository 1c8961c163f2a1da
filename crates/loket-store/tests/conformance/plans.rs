//! The queries that read the running steps use the partial index `visit_steps_running`, which
//! holds only them: an office's 20,000 ended steps are never read to find its 50 running ones.
//! SQLite's plan is asserted (it depends on the schema, and on the statistics only once `ANALYZE`
//! ran, which is asserted too); PostgreSQL's depends on its statistics and is printed for
//! `docs/benchmarks.md` (`cargo test -p loket-store --test conformance plans -- --nocapture`).

use sqlx::Row;

use crate::support::TestDb;

/// Ended steps and running ones, as an office has them after some months.
const VISITS_ENDED: usize = 4_000;
const VISITS_OPEN: usize = 10;
/// Steps 8 to 12 of each visit: 20,000 ended, 50 running.
const STEPS_PER_VISIT: usize = 5;

/// The office day of visit `i`: 20 visits a day from 2026-01-01.
fn day(i: usize) -> String {
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    (first + chrono::Days::new((i / 20) as u64)).format("%Y-%m-%d").to_string()
}

const START_MS: i64 = 1_767_225_600_000;

/// The statements that fill the tables, 500 rows each.
fn filling() -> Vec<String> {
    let mut visits = Vec::new();
    let mut steps = Vec::new();
    for i in 0..VISITS_ENDED + VISITS_OPEN {
        let (running, at) = (i >= VISITS_ENDED, START_MS + i as i64 * 600_000);
        let status = if running { "in_service" } else { "archived" };
        visits.push(format!(
            "('v{i:05}', 'default', 'R{i:05}', 'konsultasi', '{status}', '{}', {at}, {at}, '{{}}')",
            day(i)
        ));
        for seq in 0..STEPS_PER_VISIT {
            let (ended, duration) =
                if running { ("NULL".to_owned(), "NULL") } else { ((at + 300_000).to_string(), "300000") };
            steps.push(format!(
                "('v{i:05}', {seq}, 'default', '{}', {}, {at}, {ended}, {duration}, {duration}, 15, FALSE, 'hd', FALSE)",
                day(i),
                8 + seq
            ));
        }
    }
    let mut out = Vec::new();
    for chunk in visits.chunks(500) {
        out.push(format!(
            "INSERT INTO visits (id, office_id, reference, service, status, created_day, created_at, updated_at, \
             data) VALUES {}",
            chunk.join(", ")
        ));
    }
    for chunk in steps.chunks(500) {
        out.push(format!(
            "INSERT INTO visit_steps (visit_id, seq, office_id, day, step, started_at, ended_at, duration_ms, \
             working_ms, standard_minutes, instant, by_user, cancelled) VALUES {}",
            chunk.join(", ")
        ));
    }
    out
}

/// The parameters the store binds: the office, the month of the running visits, step 12, and a
/// `now` past every standard.
fn bind<'q, DB: sqlx::Database>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    sql: &str,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q = q.bind("default");
    if sql.contains("$2") {
        q = q.bind(day(VISITS_ENDED).get(..8).unwrap_or_default().to_owned() + "01");
        q = q.bind(day(VISITS_ENDED).get(..8).unwrap_or_default().to_owned() + "31");
        q = q.bind(12_i64);
        q = q.bind(START_MS + 365 * 86_400_000);
    }
    q
}

/// Each running-steps query with its SQLite plan (the `detail` of each line).
async fn sqlite_plans(pool: &sqlx::SqlitePool) -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    for (name, sql) in loket_store::testing::running_step_queries() {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let rows = bind(sqlx::query(&explain), &sql).fetch_all(pool).await.expect("explain");
        out.push((name, rows.iter().map(|r| r.get::<String, _>("detail")).collect()));
    }
    out
}

fn assert_uses_the_index(plans: &[(&str, Vec<String>)], when: &str) {
    for (name, plan) in plans {
        assert!(
            plan.iter().any(|l| l.contains("USING COVERING INDEX visit_steps_running")),
            "{name} ({when}) reads the index alone: {plan:?}"
        );
        // `SCAN s` alone would read every step; the index may be scanned whole (it holds only the
        // running ones), or searched.
        assert!(
            plan.iter().all(|l| !l.starts_with("SCAN s") || l.contains("visit_steps_running")),
            "{name} ({when}) reads no other step rows: {plan:?}"
        );
        // A visit is found by its id, never by reading the office's visits.
        assert!(
            plan.iter().filter(|l| l.starts_with("SEARCH v") || l.starts_with("SCAN v")).all(|l| l.contains("(id=?)")),
            "{name} ({when}) reads only the visits of the running steps: {plan:?}"
        );
    }
}

pub async fn the_running_steps_are_read_through_their_index_on_sqlite(db: TestDb) {
    let pool = sqlx::SqlitePool::connect(&db.url).await.expect("sqlite");
    for statement in filling() {
        sqlx::query(&statement).execute(&pool).await.expect("fill");
    }
    let before = sqlite_plans(&pool).await;
    // `optimize_on_close` may run ANALYZE on a live office's database: the plans must hold then.
    sqlx::query("ANALYZE").execute(&pool).await.expect("analyze");
    let after = sqlite_plans(&pool).await;
    for (plans, when) in [(&before, "without statistics"), (&after, "after ANALYZE")] {
        for (name, plan) in plans {
            eprintln!("SQLite, {when}, {name}:\n  {}", plan.join("\n  "));
        }
    }
    assert_uses_the_index(&before, "without statistics");
    assert_uses_the_index(&after, "after ANALYZE");
}

/// PostgreSQL's plans, after `ANALYZE`, printed: they depend on the statistics, so they are
/// documented in `docs/benchmarks.md` rather than asserted.
pub async fn the_running_steps_plans_on_postgres(db: TestDb) {
    let pool = sqlx::PgPool::connect(&db.url).await.expect("postgres");
    for statement in filling() {
        sqlx::query(&statement).execute(&pool).await.expect("fill");
    }
    sqlx::query("ANALYZE visits").execute(&pool).await.expect("analyze");
    sqlx::query("ANALYZE visit_steps").execute(&pool).await.expect("analyze");
    for (name, sql) in loket_store::testing::running_step_queries() {
        let explain = format!("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY OFF) {sql}");
        let rows = bind(sqlx::query(&explain), &sql).fetch_all(&pool).await.expect("explain");
        let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
        eprintln!("PostgreSQL, {name}:\n  {}", plan.join("\n  "));
    }
}
