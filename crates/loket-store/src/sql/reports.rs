// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl ReportStore for StoreImpl {
    async fn histories(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(Visit, Vec<Event>)>> {
        let (from, to) = (from.to_string(), to.to_string());
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, data FROM visits WHERE office_id = $1 AND created_day >= $2 AND created_day <= $3 ORDER BY id",
        )
        .bind(OFFICE)
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?;
        let event_rows = sqlx::query(
            "SELECT e.visit_id, e.kind, e.at, e.by_user, e.from_status, e.to_status, e.data FROM visit_events e \
             JOIN visits v ON v.id = e.visit_id \
             WHERE v.office_id = $1 AND v.created_day >= $2 AND v.created_day <= $3 ORDER BY e.visit_id, e.seq",
        )
        .bind(OFFICE)
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?;
        let mut by_visit: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        for r in &event_rows {
            by_visit.entry(r.try_get("visit_id")?).or_default().push(to_event(r)?);
        }
        rows.into_iter()
            .map(|(id, data)| Ok((serde_json::from_str(&data)?, by_visit.remove(&id).unwrap_or_default())))
            .collect()
    }
}
