//! The store conformance suite: every case runs against SQLite and against PostgreSQL.
//! A behaviour that differs between them is a bug in one of them.

mod calendar_cases;
mod cases;
mod change_record_cases;
mod copy_cases;
mod logo_cases;
mod migration_cases;
mod model;
mod plans;
mod screen_cases;
mod search;
mod support;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let db = crate::support::sqlite().await;
                    crate::cases::$case(db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let Some(db) = crate::support::postgres().await else { return };
                    crate::cases::$case(db).await;
                }
            )*
        }
    };
}

conformance!(
    a_visit_goes_through_all_twelve_steps,
    numbers_count_per_service_and_reset_at_local_midnight,
    an_incomplete_form_keeps_what_was_entered,
    nobody_waiting_gives_no_visit,
    a_counter_serving_a_visit_cannot_call_another,
    skipped_visit_is_called_right_after_the_next_one,
    calls_of_one_number_are_spaced_and_a_skip_too_soon_calls_nobody,
    skipped_visit_with_nobody_else_waiting_is_first_in_line,
    a_number_skipped_after_its_recall_is_a_no_show,
    priority_lane_is_called_first_in_its_own_order,
    a_counter_with_several_services_calls_the_earliest_first,
    eight_counters_calling_at_once_call_every_visit_exactly_once,
    lkpp_answer_after_archive_adds_an_archive_version,
    archive_numbers_count_per_month_and_are_never_shared,
    history_and_archived_documents_cannot_be_changed,
    email_escalation_waits_in_the_outbox,
    sessions_expire_and_end,
    settings_replace_the_defaults,
    calls_and_queue_changes_are_announced_after_commit,
    a_failed_change_writes_nothing,
    a_refused_change_leaves_the_visit_free_for_the_next_caller,
    a_visit_still_in_line_when_its_office_day_ends_is_not_served,
    the_office_day_ends_at_its_closing_time,
    no_number_is_given_after_closing_time,
    a_skipped_visit_goes_back_among_its_own_service,
    a_called_visit_cannot_be_cancelled,
    settings_that_would_strand_a_visit_are_refused,
    a_skipped_number_returns_at_least_once,
    a_returning_visitor_is_found_by_phone_or_email,
    the_office_keeps_an_enabled_admin,
    a_survey_is_answered_once_and_opening_it_records_nothing,
    report_facts_are_written_with_each_visit_and_filled_in_at_start,
    reports_in_working_time_add_up_the_working_durations_kept_with_each_visit,
    escalations_of_a_long_period_are_all_counted_and_listed,
    step_rows_kept_across_writes_are_those_a_fresh_write_makes,
    running_steps_past_their_standard_count_when_the_report_is_read,
    a_visit_not_yet_served_cannot_be_surveyed,
    an_archive_whose_document_failed_keeps_its_number_for_the_next_try,
    a_visit_changed_while_its_document_is_made_is_archived_as_it_is,
    a_date_has_one_day_off_and_a_second_replaces_it,
    an_import_with_a_bad_entry_imports_nothing,
    the_settings_carry_the_calendar_and_see_its_changes,
    a_reply_from_the_mailbox_is_taken_once_and_answers_its_escalation,
    an_unmatched_mail_is_kept_and_decided_once_by_a_supervisor,
    the_archive_search_finds_a_visit_by_every_kind_of_text_field,
    a_query_is_never_read_as_the_index_syntax,
    the_archive_search_filters_by_day_category_role_and_outcome,
    the_most_relevant_visit_comes_first,
    past_the_count_the_newest_matches_come_first_and_more_is_said,
    a_new_version_replaces_the_search_entry_and_every_version_is_listed,
    similar_answered_visits_leave_out_the_visit_itself_and_unanswered_ones,
    the_office_logo_is_kept_replaced_and_removed,
    archived_documents_are_made_with_the_logo_in_force,
    the_logo_changes_are_on_the_change_record,
    a_transfer_moves_the_visit_to_a_free_counter_and_keeps_its_place,
    the_counter_queries_read_the_visits_at_a_counter_and_the_open_escalations,
    every_change_writes_its_record_with_its_change,
    the_copy_given_is_the_archived_document_byte_for_byte,
    a_visit_changed_after_its_copy_archives_a_new_version_and_keeps_the_copy,
    a_declined_copy_fixes_no_document_and_the_archive_makes_one,
    a_copy_for_a_visit_another_agent_serves_fixes_nothing,
    the_recap_counts_the_copies_not_given,
);

/// The queries of the running steps read them through their partial index.
mod query_plans {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_running_steps_are_read_through_their_index_on_sqlite() {
        crate::plans::the_running_steps_are_read_through_their_index_on_sqlite(crate::support::sqlite().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_running_steps_plans_on_postgres() {
        let Some(db) = crate::support::postgres().await else { return };
        crate::plans::the_running_steps_plans_on_postgres(db).await;
    }
}

/// Migrations that rewrite the rows written before them, from the migration before.
mod migrations {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn old_rows_are_rewritten_as_the_domain_writes_them_now_on_sqlite() {
        crate::migration_cases::sqlite().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn old_rows_are_rewritten_as_the_domain_writes_them_now_on_postgres() {
        crate::migration_cases::postgres().await;
    }
}

mod property {
    /// Random sequences of visit actions over one to four counters agree with the reference
    /// model of SOP step 8 (see `model.rs`).
    #[test]
    fn random_sequences_follow_the_reference_model_on_sqlite() {
        crate::model::check(crate::model::Backend::Sqlite, 48);
    }

    #[test]
    fn random_sequences_follow_the_reference_model_on_postgres() {
        if crate::support::postgres_url().is_some() {
            crate::model::check(crate::model::Backend::Postgres, 16);
        }
    }
}

/// The SQLite writer thread runs every write; it must outlive a use case that fails badly.
mod sqlite_writer {
    use loket_store::{OpenVisit, StoreError};

    use crate::cases::{at, visitor};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_write_is_rolled_back_and_reported_and_the_writer_goes_on() {
        let db = crate::support::sqlite().await;
        let store = db.store;
        let open = OpenVisit { visitor: visitor("Budi"), ..Default::default() };
        let visit = store.open_visit(open.clone(), at(0), "fo").await.expect("open");
        let result = store
            .change_visit(
                &visit.id,
                at(1),
                Box::new(|v, _| {
                    v.status = loket_domain::Status::Archived;
                    panic!("a bug in a use case")
                }),
            )
            .await;
        match result {
            Err(StoreError::Writer(message)) => assert!(message.contains("a bug in a use case"), "{message}"),
            other => panic!("expected a writer error, got {other:?}"),
        }
        let unchanged = store.visit(&visit.id).await.expect("read").expect("visit");
        assert_eq!(unchanged.status, visit.status, "the panicked change was rolled back");
        let next = store.open_visit(open, at(2), "fo").await.expect("the writer still writes");
        assert_ne!(next.id, visit.id);
    }
}
