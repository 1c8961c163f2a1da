//! [`Sql`](crate::exec::Sql) on sqlx connections: the read pools of both backends, and
//! PostgreSQL's write transactions. One macro, since sqlx's types differ per database.

/// Binds each parameter to a sqlx query.
macro_rules! bind {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                $crate::exec::Value::Text(v) => q.bind(*v),
                $crate::exec::Value::Int(v) => q.bind(*v),
                $crate::exec::Value::Bool(v) => q.bind(*v),
                $crate::exec::Value::Blob(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Implements `Sql` for `$ty`, whose statements run on `$conn` (an expression of `self`), for
/// the sqlx database `$db`.
macro_rules! sqlx_sql {
    ($ty:ty, $db:ty, |$s:ident| $conn:expr, dialect: $dialect:expr) => {
        #[async_trait::async_trait]
        impl $crate::exec::Sql for $ty {
            async fn rows(
                &mut self,
                sql: &str,
                params: &[$crate::exec::Value<'_>],
                cols: &[$crate::exec::Col],
            ) -> $crate::Result<Vec<$crate::exec::Row>> {
                use sqlx::Row as _;
                use $crate::exec::{Cell, Col};
                let $s = self;
                let q = $crate::sqlx_exec::bind!(sqlx::query::<$db>(sql), params);
                let rows = q.fetch_all($conn).await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut cells = Vec::with_capacity(cols.len());
                    for (i, col) in cols.iter().enumerate() {
                        cells.push(match col {
                            Col::Text | Col::OptText => Cell::Text(row.try_get::<Option<String>, _>(i)?),
                            Col::Int | Col::OptInt => Cell::Int(row.try_get::<Option<i64>, _>(i)?),
                            Col::Bool => Cell::Bool(row.try_get::<bool, _>(i)?),
                            Col::Blob => Cell::Blob(row.try_get::<Vec<u8>, _>(i)?),
                        });
                    }
                    out.push($crate::exec::Row::new(cells));
                }
                Ok(out)
            }

            fn dialect(&self) -> $crate::exec::Dialect {
                $dialect
            }
        }
    };
}

/// Implements `Tx` for `$ty`, a write transaction whose statements run on `$conn`.
macro_rules! sqlx_tx {
    ($ty:ty, $db:ty, |$s:ident| $conn:expr, lock_counter: $lock_counter:path, lock_rows: $lock:expr, skip_locked: $skip:expr) => {
        #[async_trait::async_trait]
        impl $crate::exec::Tx for $ty {
            async fn execute(&mut self, sql: &str, params: &[$crate::exec::Value<'_>]) -> $crate::Result<u64> {
                let $s = self;
                let q = $crate::sqlx_exec::bind!(sqlx::query::<$db>(sql), params);
                Ok(q.execute($conn).await?.rows_affected())
            }

            async fn lock_counter(&mut self, counter: &str) -> $crate::Result<()> {
                $lock_counter(self, counter).await
            }

            fn lock_rows(&self) -> &'static str {
                $lock
            }

            fn skip_locked(&self) -> &'static str {
                $skip
            }
        }
    };
}

pub(crate) use {bind, sqlx_sql, sqlx_tx};
