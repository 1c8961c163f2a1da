//! HTTP integration tests: the real app on a random port with a fresh database, on SQLite and
//! on PostgreSQL, for every endpoint and every error code of API.md.

mod archive;
mod auditor;
mod auth;
mod calendar;
mod change_record;
mod connections;
mod counters;
mod display;
mod errors;
mod front_office;
mod helpdesk;
mod imap;
mod logo;
mod mail;
mod mail_log;
mod pages;
mod public;
mod reports;
mod returning;
mod setting_pages;
mod settings;
mod smtp;
mod standards;
mod strict;
mod support;
mod survey;
mod transfer;
mod unmatched_mail;

/// Each case runs twice: on a fresh SQLite file and on a fresh PostgreSQL schema.
macro_rules! on_both_backends {
    (apps: [$($app_module:ident :: $app_case:ident),* $(,)?], backends: [$($module:ident :: $case:ident),* $(,)?] $(,)?) => {
        mod sqlite {
            use crate::support::{Backend, spawn_app};
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $app_case() {
                    let app = spawn_app(Backend::Sqlite).await.expect("sqlite app");
                    crate::$app_module::$app_case(app).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::$module::$case(Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            use crate::support::{Backend, spawn_app};
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $app_case() {
                    let Some(app) = spawn_app(Backend::Postgres).await else { return };
                    crate::$app_module::$app_case(app).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::$module::$case(Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    apps: [
        helpdesk::only_who_serves_a_visit_or_a_supervisor_acts_on_it,
        pages::every_page_follows_the_role_matrix,
        auditor::an_auditor_reads_every_visit_and_setting_and_changes_nothing,
        auditor::an_auditors_pages_read_and_offer_no_change,
        change_record::each_change_is_listed_with_who_and_before_and_after,
        change_record::the_change_record_is_read_by_supervisors_admins_and_auditors_only,
        change_record::the_change_record_page_lists_and_filters,
        change_record::the_logo_changes_are_listed_by_type_size_and_hash,
        front_office::each_step_names_who_performed_it,
        front_office::after_closing_time_the_check_gives_no_number,
        front_office::a_correction_keeps_what_was_written_before,
        mail::moving_the_mail_server_needs_its_password_again,
        mail::a_servers_own_text_never_reaches_staff,
        mail::a_form_archived_before_its_escalation_left_gets_a_version_saying_it_left,
        mail::the_printed_and_the_mailed_copy_are_the_archived_document_byte_for_byte,
        mail::without_a_mail_server_the_counter_and_the_overview_say_mail_waits,
        archive::the_archive_is_searched_by_words_and_filters,
        archive::a_bad_search_is_refused_and_named,
        archive::every_archived_version_is_listed_and_served,
        archive::the_agent_sees_answers_of_similar_archived_visits,
        auth::login_gives_a_token_and_the_user,
        auth::wrong_credentials_are_refused,
        auth::a_missing_or_bad_token_is_unauthorized,
        auth::logout_ends_the_token,
        auth::a_role_that_does_not_allow_the_call_is_forbidden,
        auth::disabled_users_lose_their_sessions,
        auth::login_is_throttled_per_address_and_user_name,
        auth::concurrent_guesses_cannot_pass_the_limit,
        auth::every_endpoint_follows_the_role_matrix,
        counters::call_next_calls_the_first_in_line_and_204_when_nobody_waits,
        counters::a_busy_counter_gets_counter_busy,
        transfer::a_called_visit_is_transferred_keeping_its_place_and_timers,
        transfer::an_in_service_visit_is_transferred_and_refusals_are_named,
        transfer::the_counter_page_transfers_the_visit_with_a_reason,
        transfer::a_refusal_on_a_page_is_explained_not_an_internal_error,
        counters::an_unknown_counter_is_not_found,
        counters::three_calls_then_call_limit_reached,
        counters::calls_of_one_number_are_spaced,
        counters::skip_after_the_third_call_calls_the_next_and_requeues_behind_it,
        counters::a_number_skipped_again_is_a_no_show,
        display::the_board_shows_numbers_and_counters_and_waiting_counts,
        display::a_form_handed_in_at_the_kiosk_is_told_to_staff_only,
        display::live_events_announce_calls_and_queue_counts,
        display::the_board_and_the_stream_carry_no_personal_data,
        public::the_status_link_shows_the_visitors_place_and_nothing_else,
        public::a_printer_address_on_the_server_itself_or_another_port_is_refused,
        errors::malformed_json_is_a_bad_request,
        errors::an_unknown_field_is_a_validation_error_naming_it,
        errors::an_oversize_body_is_payload_too_large,
        errors::an_unknown_address_is_not_found,
        errors::a_query_that_does_not_parse_is_a_bad_request,
        errors::health_answers,
        errors::the_openapi_document_lists_every_route,
        errors::the_openapi_document_tells_every_status_and_constraint,
        front_office::a_visit_opens_with_steps_one_and_two,
        front_office::only_the_visitor_name_is_needed_to_open,
        front_office::bad_formats_are_refused_at_once_and_nothing_is_applied,
        front_office::the_check_names_every_missing_field_and_keeps_what_was_entered,
        front_office::priority_lane_visits_are_called_first,
        front_office::the_kiosk_returns_nothing_about_other_visits,
        front_office::categories_are_public_without_priorities,
        front_office::visits_are_listed_by_status_and_date,
        front_office::cancel_before_the_call_or_in_service,
        front_office::an_unknown_visit_is_not_found,
        helpdesk::a_visit_is_answered_and_archived,
        helpdesk::a_tts_escalation_needs_the_ticket_number,
        helpdesk::an_email_escalation_waits_in_the_outbox,
        helpdesk::lkpp_answers_after_the_archive_as_a_new_version,
        helpdesk::a_step_out_of_order_is_an_invalid_transition,
        helpdesk::the_visitors_copy_is_an_event_and_the_archive_waits_for_it,
        helpdesk::a_copy_by_email_needs_the_visitors_address,
        helpdesk::the_form_pdf_reads_back_and_the_archived_one_never_changes,
        mail::an_escalation_mail_reaches_the_smtp_server_with_the_form_attached,
        mail::a_mail_the_server_refuses_waits_with_its_error_and_goes_later,
        calendar::days_off_are_kept_per_date_and_listed_by_year,
        calendar::a_csv_with_bad_lines_names_each_and_imports_nothing,
        calendar::opening_hours_and_the_measure_are_a_setting,
        calendar::in_working_time_a_step_over_a_closed_evening_is_within_its_standard,
        mail::a_failing_mail_is_shown_at_the_counter_and_to_the_supervisor,
        mail::mail_goes_over_starttls_to_a_server_whose_ca_the_office_trusts,
        imap::a_reply_in_the_mailbox_becomes_lkpps_answer_on_the_visit,
        imap::a_wrong_imap_password_is_an_error_and_records_nothing,
        unmatched_mail::a_strangers_reply_naming_the_reference_is_not_recorded_nor_mailed_and_waits_unmatched,
        unmatched_mail::lkpps_reply_without_the_thread_headers_waits_until_a_supervisor_confirms_it,
        unmatched_mail::a_dismissed_unmatched_mail_stays_listed_as_dismissed,
        unmatched_mail::only_a_supervisor_reads_and_decides_unmatched_mail,
        unmatched_mail::the_supervisor_sees_the_authentication_results_escaped_and_confirms_on_the_page,
        mail_log::a_mail_subject_cannot_forge_a_log_line,
        settings::the_priority_table_ships_as_an_example_and_can_be_replaced,
        settings::time_standards_are_settings,
        settings::a_finished_steps_verdict_survives_a_change_of_opening_hours,
        settings::counters_are_settings_of_the_office,
        settings::the_office_settings_can_be_changed,
        logo::the_office_logo_is_uploaded_read_back_drawn_and_removed,
        logo::a_bad_logo_is_refused_naming_why,
        logo::an_archived_form_keeps_the_logo_it_was_made_with,
        settings::settings_that_would_strand_a_visit_are_refused,
        settings::the_time_standards_report_reads_the_histories,
        reports::the_recap_counts_the_visits_by_role_category_outcome_and_agent,
        reports::waiting_and_service_times_are_those_of_the_steps,
        reports::time_standards_and_overruns_are_those_of_the_steps,
        reports::escalations_are_listed_with_their_age,
        reports::the_recap_page_shows_the_chart_and_downloads_csv_xlsx_and_pdf,
        standards::running_steps_show_their_overrun,
        standards::a_step_still_running_past_its_standard_counts_in_the_reports,
        standards::the_reports_page_writes_compliance_with_a_decimal_comma,
        standards::the_watch_tells_of_running_steps_of_visits_opened_days_ago,
        standards::a_visit_cancelled_in_service_is_its_own_outcome,
        standards::step_eleven_runs_until_the_escalation_has_left,
        standards::steps_keep_the_standard_in_force_when_they_started,
        standards::the_handover_names_who_gave_and_who_received_the_form,
        standards::staff_are_told_when_a_running_step_warns_and_overruns,
        standards::the_staff_stream_ends_when_its_sign_in_ends,
        standards::a_visit_left_in_line_at_the_end_of_its_day_is_reported_not_served,
        strict::json_bodies_must_be_declared_as_json,
        strict::nothing_may_follow_the_json_value,
        strict::text_shows_what_it_holds,
        strict::each_error_names_the_field_as_sent,
        strict::the_bearer_scheme_is_case_insensitive,
        strict::an_object_given_as_an_array_is_refused,
        survey::a_served_visit_is_surveyed_once_and_opening_the_link_records_nothing,
        survey::the_visitors_copy_carries_the_visits_survey_link,
        survey::the_survey_page_keeps_every_choice_when_one_is_missing,
        survey::the_ikm_report_equals_the_hand_computation,
        pages::a_stranger_is_sent_to_the_sign_in_page,
        pages::sign_in_lands_on_the_roles_home,
        pages::behind_https_the_cookie_is_secure,
        pages::a_wrong_password_is_told_in_indonesian,
        pages::a_form_without_its_csrf_token_is_refused,
        pages::a_role_that_may_not_see_a_page_gets_403,
        pages::a_visitors_markup_is_shown_as_text,
        pages::the_counter_calls_recalls_skips_and_the_skipped_number_returns,
        pages::the_staff_stream_takes_the_page_cookie,
        pages::the_front_office_check_keeps_every_character_and_gives_a_number,
        pages::english_is_one_click_away,
        pages::the_counter_escalates_to_lkpp_and_names_what_is_missing,
        pages::the_agent_types_in_lkpps_answer_and_sees_it,
        pages::the_admin_creates_resets_disables_and_enables_users,
        pages::the_front_office_cancels_a_visit_with_a_reason,
        pages::the_report_shows_a_changed_time_standard_and_draws_its_chart,
        pages::a_bad_time_standard_keeps_the_form_and_saves_nothing,
        setting_pages::a_bad_service_keeps_the_form_and_saves_nothing,
        returning::the_front_office_takes_over_a_returning_visitors_data,
        pages::the_admin_changes_roles_and_the_last_admin_keeps_the_role,
        pages::a_users_language_is_stored_with_the_user_and_wins_over_the_cookie,
        returning::the_lookup_endpoint_needs_the_front_office,
        returning::api_answers_are_neither_sniffed_nor_stored,
        setting_pages::a_service_with_visits_in_line_cannot_be_removed,
        setting_pages::the_office_page_saves_all_or_nothing,
        setting_pages::the_office_page_uploads_shows_and_removes_the_logo,
        setting_pages::the_priority_table_and_the_required_fields_have_pages,
        setting_pages::the_mail_page_never_shows_a_password_and_an_empty_one_keeps_it,
    ],
    backends: [
        public::the_ticket_reaches_the_desk_printer_with_its_number_and_qr_code,
        public::a_ticket_without_a_public_address_has_no_qr_code_and_says_so,
        public::a_printer_that_does_not_answer_is_named_and_the_number_stays,
        returning::the_lookup_is_rate_limited_per_staff_member,
        public::the_kiosk_page_takes_a_form_and_shares_the_rate_limit,
        pages::too_many_attempts_say_how_long_to_wait,
        transfer::an_open_escalation_stays_on_the_counter_after_600_newer_archived_visits,
        auth::login_is_throttled_per_address,
        connections::slow_and_idle_connections_are_closed_in_time,
        connections::open_connections_are_bounded,
        connections::public_streams_are_bounded_per_address_and_in_all,
        connections::one_address_cannot_take_every_connection,
        connections::slow_form_bodies_are_cut_like_json_ones,
        strict::every_429_says_when_to_retry,
        front_office::the_kiosk_is_rate_limited,
    ],
);

mod without_database {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pages_500_logs_its_cause_chain_with_the_request_id() {
        crate::mail_log::a_pages_500_logs_its_cause_chain_with_the_request_id().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_in_a_handler_is_a_500_in_the_api_format() {
        crate::errors::a_panic_in_a_handler_is_a_500_in_the_api_format().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_smtp_sink_keeps_a_message_as_it_was_meant() {
        crate::smtp::the_smtp_sink_keeps_a_message_as_it_was_meant().await;
    }
}

mod postgres_only {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_on_one_instance_reaches_the_other_within_a_second() {
        crate::display::a_call_on_one_instance_reaches_the_other_within_a_second().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_logo_changed_on_one_instance_is_the_logo_of_the_other() {
        crate::logo::a_logo_changed_on_one_instance_is_the_logo_of_the_other().await;
    }
}
