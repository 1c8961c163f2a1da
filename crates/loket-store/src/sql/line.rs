// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl LineStore for StoreImpl {
    async fn call_next(&self, counter: &str, service: Option<&str>, now: DateTime<Utc>, by: &str) -> Result<Option<Visit>> {
        self.write_call_next(counter, service, now, by).await
    }

    async fn skip(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Skipped> {
        self.write_skip(id, now, by).await
    }

    async fn queue(&self, service: Option<&str>) -> Result<QueueView> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT status, data FROM visits WHERE office_id = $1 AND status IN ('waiting', 'called') \
             AND ($2 IS NULL OR service = $2) ORDER BY priority_lane DESC, position ASC, id ASC",
        )
        .bind(OFFICE)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        let mut view = QueueView::default();
        for (status, data) in rows {
            let visit: Visit = serde_json::from_str(&data)?;
            if status == "waiting" { view.waiting.push(visit) } else { view.called.push(visit) }
        }
        view.called.sort_by_key(|v| v.queue.called_at);
        Ok(view)
    }

    async fn display(&self, service: Option<&str>) -> Result<DisplayBoard> {
        let mut board = DisplayBoard::default();
        let settings = self.settings().await?;
        for s in settings.services.iter().filter(|s| service.is_none_or(|x| x == s.code)) {
            board.waiting.insert(s.code.clone(), 0);
        }
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT service, COUNT(*) FROM visits WHERE office_id = $1 AND status = 'waiting' AND ($2 IS NULL OR service = $2) \
             GROUP BY service",
        )
        .bind(OFFICE)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        for (s, n) in counts {
            board.waiting.insert(s, n as u64);
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT status, data FROM visits WHERE office_id = $1 AND status IN ('called', 'in_service') \
             AND ($2 IS NULL OR service = $2) ORDER BY updated_at DESC",
        )
        .bind(OFFICE)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        for (status, data) in rows {
            let v: Visit = serde_json::from_str(&data)?;
            let row = Calling {
                number: v.queue.number.unwrap_or_default(),
                counter: v.queue.counter.unwrap_or_default(),
                call_count: v.queue.call_count,
                called_at: v.queue.called_at.unwrap_or(v.updated_at),
            };
            if status == "called" { board.calling.push(row) } else { board.serving.push(row) }
        }
        board.calling.sort_by_key(|c| std::cmp::Reverse(c.called_at));
        Ok(board)
    }

    fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }
}
