// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl ReportStore for StoreImpl {
    async fn visits_opened(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Visit>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM visits WHERE office_id = $1 AND created_day >= $2 AND created_day <= $3 ORDER BY created_at, id",
        )
        .bind(OFFICE)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        parse_visits(rows)
    }
}
