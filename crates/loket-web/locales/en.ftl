# Loket: the staff pages in English.

app-name = Loket
skip-to-content = Skip to content
nav-label = Main menu
nav-front-office = Front office
nav-counter = Helpdesk counter
nav-supervisor = Supervisor
nav-admin = Admin
nav-password = Change password
switch-language = Bahasa Indonesia
logout = Sign out
problem-back = Back to the start page
choose = — choose —
cancel = Cancel
required-hint = Fields marked * are needed for a complete form.
minutes = { $n } min

login-title = Sign in
login-username = User name
login-password = Password
login-submit = Sign in
login-invalid = Wrong user name or password
login-throttled = Too many attempts, try again in { $minutes } minutes

password-title = Change password
password-done = Your password has been changed.
password-current = Current password
password-new = New password (at least 8 characters)
password-repeat = Repeat the new password
password-submit = Save password
password-wrong-current = The current password is wrong
password-too-short = The new password needs at least 8 characters
password-mismatch = The two new passwords differ

forbidden-title = Access denied
forbidden-text = Your role does not allow this page.
csrf-title = Form refused
csrf-text = This form has expired or did not come from Loket. Reload the page and try again.
bad-form-title = Form not readable
bad-form-text = The form could not be read. Reload the page and try again.
not-found-title = Not found
not-found-text = This page or visit does not exist.
internal-title = Something went wrong
internal-text = The server ran into an error. The details are in the server log.

error-invalid-transition = This step is not possible in the visit's current status.
error-call-limit = This number has been called three times.
error-calls-remaining = Skip is possible only after the third call.
error-counter-busy = This counter is still serving another number.
error-form-incomplete = The form is not complete. Correct the marked fields.
error-validation = Some fields are not valid. Correct the marked fields.
error-in-use = This change is still used by a visit in progress.
error-not-found = This visit does not exist.

field-missing = Required
field-too-long = Too long
field-invalid = Not valid

field-visitor-name = Name
field-visitor-organization = Organization
field-visitor-role = Role in procurement
field-visitor-phone = Phone number
field-visitor-email = E-mail
field-form-category = Problem category
field-form-subject = Subject
field-form-description = Description of the problem
field-form-spse-user-id = SPSE user ID
field-form-tender-code = Tender code

visitor-role-penyedia = Supplier (penyedia)
visitor-role-pa_kpa = PA/KPA
visitor-role-ppk = PPK
visitor-role-pokja_pemilihan = Selection working group (pokja)
visitor-role-pejabat_pengadaan = Procurement officer
visitor-role-pphp = PPHP
visitor-role-auditor = Auditor
visitor-role-public = Member of the public
visitor-role-other = Other

role-front-office = Front office
role-helpdesk = Helpdesk
role-supervisor = Supervisor
role-admin = Admin

status-form-issued = Form issued
status-form-submitted = Form submitted
status-form-incomplete = Form incomplete
status-waiting = Waiting
status-called = Called
status-in-service = In service
status-answered = Answered
status-escalated = Escalated
status-archived = Archived
status-no-show = No-show
status-not-served = Not served
status-cancelled = Cancelled

counter-title = Helpdesk counter
counter-choose = Counter
counter-choose-submit = Choose counter
counter-line = Waiting line
counter-line-empty = Nobody is waiting.
counter-number = Number
counter-waiting-minutes = Waiting
counter-priority-lane = priority
counter-current = Visit at this counter
counter-no-visit = No number called yet.
counter-call-next = Call next
counter-calls = Call { $made }/{ $max }
counter-recall = Call again { $made }/{ $max }
counter-start = Start service
counter-skip = Skip
counter-skip-after-third = Skip is possible after the third call.
counter-skip-confirm = Skip number { $number }? It goes back into the line right after the number called next.
counter-skip-yes = Yes, skip
counter-timer = { $elapsed } of { $standard } standard minutes
counter-timer-free = { $elapsed } minutes
counter-since = since { $time }
counter-analysis = Analysis of the problem
counter-answer = Answer
counter-answer-submit = Answer
counter-to-archive = Waiting for the archive
counter-copy-given = The copy of the form is printed/handed over
counter-archive = Archive
counter-nobody-waits = Nobody is waiting.
counter-copy-first = Hand over the copy of the form first, then tick it before archiving.

front-office-title = Front office
front-office-new = New guest
front-office-open = Enter in the guest book
front-office-guest-book = Today's guest book
front-office-search = Search name, phone or reference
front-office-search-submit = Search
front-office-none = No guests yet.
front-office-time = Time
front-office-reference = Reference
front-office-kiosk = From the kiosk, waiting for the check
front-office-kiosk-none = No forms from the kiosk.

visit-form-title = Consultation form
visit-form-number = Queue number
visit-form-back = Back to the guest book
visit-form-priority-lane = Priority lane (visitors with special needs)
visit-form-check = Save and check completeness

supervisor-title = Supervisor
supervisor-counters = Counters
supervisor-counter = Counter
supervisor-number = Number
supervisor-status = Status
supervisor-by = Staff
supervisor-since = Since
supervisor-overrun = over the standard
supervisor-line = Line per service
supervisor-service = Service
supervisor-waiting = Waiting
supervisor-counter-free = Free

admin-title = Admin
admin-users = Users
admin-username = User name
admin-full-name = Full name
admin-roles = Roles
admin-state = State
admin-disabled = Disabled
admin-active = Active
admin-cli-hint = Users are created, changed and disabled with the `loket user` command.
