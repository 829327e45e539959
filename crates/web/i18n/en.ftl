# The portal's and the refusals' words in English, by message ID (Project Fluent).
# Every ID here must be in every other language's file too (a test checks).

## Portal

nav_profile = Profile
nav_sessions = Sessions
nav_apps = Connected apps
nav_change_password = Change password
nav_logout = Sign out
nav_login = Sign in
nav_register = Register
field_email = E-mail address
field_username = Username
hint_username = (5 to 31 letters, digits, - _ @ .)
field_login_id = E-mail address or username
field_first_name = First name
field_last_name = Last name
field_company = Company
field_password = Password
hint_password = (at least { $n } characters; a few unusual words work well)
field_language = Language
field_current_password = Current password
field_new_password = New password
field_new_password_confirm = New password again
field_phone = Phone
field_mobile = Mobile
field_country = Country
field_region = Region
field_street = Street
field_postcode = Postcode
field_city = City
field_url = Website
field_avatar_url = Avatar picture address
register_title = Create your account
register_submit = Register
register_have_account = I have an account: sign in
register_closed = This portal does not take registrations. Ask us for an account.
check_mail_heading = Check your mail
check_mail_text = If the address can be used, we have sent a message to it. Follow the link in it to go on.
login_title = Sign in
login_submit = Sign in
login_forgot = Forgot password?
login_register = Create an account
login_resend = Send the activation mail again
error_invalid_credentials = The login ID or password is not right.
error_unverified = Your e-mail address is not confirmed yet. Follow the link in the activation mail, or have it sent again.
error_pending = Your registration is waiting for approval. We will write to you when it is done.
error_locked = Your account is locked after too many failed attempts. Try again later, or reset your password.
error_blocked = Your account is blocked. Please contact us.
error_deactivated = Your account is deactivated. Please contact us.
error_csrf = The form had expired. Please send it again.
error_passwords_differ = The two new passwords are not the same.
error_rate_limited = Too many attempts. Please wait a moment and try again.
error_fix_fields = Please correct the marked fields.
error_generic = Something went wrong. Please try again.
activated_heading = Your e-mail address is confirmed
activated_active = Your account is active. You can sign in now.
activated_pending = Your registration now waits for approval. We will write to you when it is done.
activation_used_heading = This link was used already
activation_used_active = Your account is activated. You can sign in.
activation_used_pending = Your address is confirmed. Your registration is waiting for approval; you will get an e-mail once it is approved.
link_invalid_heading = This link does not work any more
link_invalid_text = It was used already or it expired. You can ask for a new one.
resend_heading = Send the activation mail again
resend_intro = Enter the address you registered with. Earlier activation links stop working.
resend_submit = Send
forgot_heading = Forgot your password?
forgot_intro = Enter the address of your account and we will send you a link to choose a new password.
forgot_submit = Send link
forgot_disabled = This portal does not offer password resets. Please contact us.
reset_heading = Choose a new password
reset_done = Your password was changed. Sign in with the new one.
change_heading = Change your password
change_forced = Your password has expired. Choose a new one to go on.
change_done = Your password was changed. Your other sessions were signed out.
password_submit = Save password
profile_title = Your profile
profile_submit = Save
profile_saved = Your profile was saved.
sessions_title = Your sessions
sessions_signed_in = Signed in
sessions_last_seen = Last active
sessions_device = Device
sessions_this = this one
sessions_unknown_device = An unknown browser
sessions_sign_out_others = Sign out all other sessions
sessions_signed_out_others = Your other sessions were signed out.
signed_out = You are signed out.
session_ended = Your session ended. Sign in again to go on.
session_ended_form_kept = Your session ended before the form was sent. Sign in again: what you typed is kept, and nothing has been saved yet.
resume_form = You are signed in again. This is what you typed before the session ended; nothing has been sent yet. Check it and send it.
resume_profile = You are signed in again. This is what you typed before the session ended; nothing has been saved yet. Check it and save.
go_to_login = Sign in
impersonation_banner = Staff view: you are seeing this portal as { $login }. Password, e-mail and login ID cannot be changed here.
impersonation_end = End impersonation

error_internal = Something went wrong on our side; it has been logged.
error_unavailable = The portal cannot answer right now; please try again in a moment.

## Refusals: what a use case says of a wrong field (the API's English
## `message` says the same)

field-required = is required
field-too-long = must be at most { $max } characters
field-control-characters = must not contain control characters
field-not-text = must be text
field-not-web-address = must be an http:// or https:// address
field-address-taken = is the address of the site { $site } already; each site needs its own (it is the site's OpenID issuer)
totp-not-started = open the set-up page again to get a code to scan
totp-wrong-code = that is not the code your app shows for this QR code now; enter the current six digits (they change every 30 seconds)
two-step-wrong-code = that code is not right: enter the six digits your authenticator app shows now, or one of your recovery codes
app-name-length = a name must be 1 to 100 characters
app-too-many-addresses = at most { $max } addresses
app-address-twice = an address is listed twice
app-public-needs-redirect = a public app needs at least one redirect address
app-backchannel-https = the back-channel logout address must be an https address
app-unknown-scope = '{ $scope }' is not a scope Gatehouse offers ({ $known })
app-no-grant-type = an app needs at least one grant type
app-machine-needs-secret = client_credentials needs a secret: only a confidential app may use it
uri-not-absolute = '{ $address }' is not an absolute address (it must start with https://)
uri-fragment = '{ $address }' has a #fragment, which a registered address may not have
uri-plain-http = '{ $address }' uses http towards another machine; use https (http is allowed only for 127.0.0.1, [::1] and localhost)
uri-scheme = '{ $address }' uses a scheme an app cannot receive (use https, or a private-use scheme like com.example.app:/callback)
uri-credentials = '{ $address }' carries a user name or password, which a registered address may not have
field-not-language = must be en or de
field-not-editable = cannot be changed here
email-invalid = '{ $typed }' is not a valid e-mail address
username-invalid = a username must be 5 to 31 characters of letters, digits, '-', '_', '@' and '.'
username-taken = this username is taken; choose another
password-too-short = the password must be at least { $min } characters long
password-too-long = the password must be at most { $max } characters long
password-too-weak = the password is too easy to guess{ $hint }
site-key-invalid = '{ $typed }' is not a valid site key: use 1 to 32 lowercase letters, digits and '-', starting with a letter or digit
password-current-wrong = the current password is not right
password-must-differ = the new password must differ from the current one
field-not-group = is not a group ID
field-not-boolean = must be true or false
field-not-setting = is not a site setting
field-item-twice = names an item twice
field-between = must be between { $min } and { $max }, not { $value }
field-idle-over-absolute = must not be longer than the longest session
field-not-colour = “{ $value }” is not a colour like #1a2b3c
field-length = must be { $min } to { $max } characters
field-not-whole-number = must be a whole number
field-not-list = must be a list
field-not-choice = is not one of the choices
field-not-country = is not a country: give its code (DE) or its name (Germany)
field-unknown = is not a customer field

## Console

c-nav-registrations = Registrations
c-nav-customers = Customers
c-nav-groups = Groups
c-nav-report = Report
c-nav-outbox = Outbox
c-nav-audit = Audit log
c-nav-templates = E-mail templates
c-nav-staff = Staff
c-nav-tokens = API tokens
c-nav-settings = Settings
c-nav-security = Security
c-console-name = Gatehouse console
c-sign-out = Sign out
c-sign-in = Sign in
c-sign-in-heading = Sign in to the console
c-email-address = E-mail address
c-password = Password
c-login-code = Code from your authenticator app
c-login-code-hint = (if you set one up)
c-console = Console
c-accounts-per-status = Accounts per status
c-site = Site
c-all = all
c-all-sites = All sites
c-show = Show
c-per-day-site = Registrations per day, last { $days } days on { $site }
c-per-day-all = Registrations per day, last { $days } days, all sites
c-registrations-in-days = { $count ->
        [one] { $count } registration
       *[other] { $count } registrations
    } in { $days } days.
c-home-registrations = the queue by status, with bulk actions
c-home-report = per site, with CSV
c-home-outbox = what mail went out, what waits, what failed
c-home-templates = of the site "main"
c-status-unverified = unverified
c-status-pending = pending
c-status-active = active
c-status-locked = locked
c-status-blocked = blocked
c-status-deleted = deleted
c-status-waiting = waiting for approval
c-all-messages = All
c-queued = Queued
c-to = To
c-message = Message
c-status = Status
c-attempts = Attempts
c-last-error = Last error
c-send-again = Send again
c-no-messages = No messages.
c-mail-pending = pending
c-mail-sent = sent
c-mail-failed = failed
c-message-queued = The message is queued again.
c-templates-of = E-mail templates of "{ $site }"
c-language = Language
c-subject = Subject
c-edit-changed = Edit (changed)
c-edit = Edit
c-template-heading = E-mail "{ $key }" in { $language }
c-template-variables = Variables:
c-template-layout = The HTML part goes inside the shipped layout; every message ends with the no-reply notice.
c-template-changed = This message is changed from the shipped default.
c-template-default = This is the shipped default.
c-plain-text = Plain text
c-preview = Preview
c-save = Save
c-back-to-default = Back to the default
c-preview-heading = Preview with sample data
c-html-preview = HTML preview
c-saved = Saved.
c-default-applies = The shipped default applies again.
c-filters = Filters
c-search = Search
c-search-accounts-hint = login ID, e-mail, name, company
c-login-id = Login ID
c-name = Name
c-company = Company
c-registered = Registered
c-verified = Verified
c-email-validated = E-mail validated
c-customer = Customer
c-select = select { $what }
c-yes = yes
c-no = no
c-assigned = assigned
c-waiting-assignment = waiting for assignment
c-no-accounts = No accounts here.
c-accounts-total = { $count ->
        [one] { $count } account
       *[other] { $count } accounts
    } in all
c-page-of = page { $page } of { $pages }
c-previous = previous
c-next = next
c-act-on-accounts = Act on the selected accounts
c-action = Action
c-reason-audited = Reason (kept in the audit trail)
c-notify = Tell the customer (disapprove: "declined" mail)
c-apply-selected = Apply to selected
c-apply-shown = Apply to all shown
c-action-approve = approve
c-action-disapprove = disapprove
c-action-delete = delete
c-action-undelete = undelete
c-action-block = block
c-action-unblock = unblock
c-action-unlock = unlock
c-action-resend_activation = resend activation
c-action-send_password_reset = send password reset
c-add-customer = Add a customer
c-search-customers-hint = name, e-mail, company
c-any = any
c-group = Group
c-download-csv = Download CSV
c-customers-total = { $count ->
        [one] { $count } customer
       *[other] { $count } customers
    }
c-customers-more = More than { $count } customers
c-narrow = Narrow the search to see how many exactly, or download the CSV to get all of them.
c-no-customers = No customers match.
c-act-on-customers = Act on the selected customers
c-put-in-group = put in group
c-delete-customers = delete (customers without accounts)
c-no-group = no group
c-page = page { $page }
c-customer-added = Customer added.
c-customer-deleted = Customer deleted.
c-all-customers = All customers
c-nothing-saved = Nothing was saved: please correct the fields marked below.
c-notifications = Sends notifications
c-portal-account = Portal account (optional)
c-no-account = no account
c-login-id-default = Login ID (default: the e-mail address)
c-send-welcome = Send a welcome mail with a link to choose a password
c-add-customer-button = Add customer
c-portal-accounts = Portal accounts
c-role = Role
c-no-portal-accounts = No portal accounts.
c-delete-customer = Delete this customer
c-role-customer = customer
c-role-customer_manager = customer manager
customer-field-first_name = First name
customer-field-last_name = Last name
customer-field-email = E-mail address
customer-field-company = Company
customer-field-url = Web address
customer-field-phone = Phone
customer-field-mobile = Mobile
customer-field-country = Country
customer-field-region = Region
customer-field-street = Street
customer-field-postcode = Postcode
customer-field-city = City
customer-field-external_id = External ID
customer-field-group_id = Group
customer-field-avatar_url = Avatar address
customer-field-notifications = Notifications
customer-field-notes = Notes
customer-field-language = Language (en or de)
customer-field-created_at = Added
c-groups-heading = Customer groups
c-groups-intro = Inactive groups are kept but not offered when a customer is put in a group.
c-description = Description
c-active = Active
c-active-lower = active
c-name-of = name of { $what }
c-description-of = description of { $what }
c-delete = Delete
c-no-groups = No groups yet.
c-add-group = Add a group
c-add-group-button = Add group
c-group-added = Group added.
c-group-saved = Group saved.
c-group-deleted = Group deleted.
c-temporary-shown = Temporary password, shown only now:
c-temporary-until = it must be changed after { $at }.
c-email = E-mail
c-validated = validated
c-not-validated = not validated
c-account-dates = Registered · verified · approved · last sign-in
c-access = Access
c-on = on
c-off = off
c-until = until { $at }
c-password-expires = Password expires
c-never = never
c-failed-attempts = Failed attempts
c-none-yet = none yet
c-lifecycle = Lifecycle
c-reason = Reason
c-assign-heading = Assign to a customer
c-assign = Assign
c-no-duplicates = No likely duplicates.
c-find-customer = Find a customer
c-find-customer-hint = name, e-mail, company, phone
c-create-from-registration = Create a customer from this registration
c-account-settings = Account settings
c-access-granted = Access granted
c-access-expires = Access expires on (empty: never)
c-temporary-password = Temporary password
c-temporary-expires = Must be changed after (empty: at the first sign-in)
c-generate-temporary = Generate a temporary password
c-impersonate-heading = Open the portal as this customer
c-impersonate-reason = Reason (required, audited)
c-minutes = Minutes
c-impersonate = Impersonate
c-sessions = Sessions
c-signed-in = Signed in
c-last-active = Last active
c-device = Device
c-impersonation = impersonation
c-no-sessions = No live sessions.
c-audit-trail = Audit trail
c-when = When
c-who = Who
c-what = What
c-details = Details
c-assigned-done = Assigned.
c-session-signed-out = The session was signed out.
c-sign-out-everywhere = Sign out everywhere
c-sign-out-everywhere-hint = Ends every portal session and signs the customer out of every app (their apps are told at once).
c-signed-out-everywhere = The account was signed out everywhere: every session ended and every app was told.
c-reason-same-e-mail-address = same e-mail address
c-reason-same-name = same name
c-reason-same-last-name = same last name
c-reason-same-company = same company
c-reason-found-by-search = found by search
c-action-starts = Action starts with
c-from = From
c-target = Target
c-account = account
c-nothing-recorded = Nothing recorded yet.
c-second-factor = Second factor
c-totp-on = Your sign-in asks for a code from your authenticator app.
c-totp-forced = Admins of this installation must use a second factor. Set it up to go on.
c-totp-intro = Scan the QR code with an authenticator app, then enter the code it shows.
c-code = Code
c-turn-on = Turn on
c-installation-settings = Installation settings
c-require-totp = Admins must sign in with a code from an authenticator app
c-support-impersonate = Support staff may open the portal as a customer
c-invitation-link = Hand this single-use link (valid 24 hours) to { $email }:
c-password-heading = Password
c-current-password = Current password
c-new-password = New password
c-new-password-again = New password again
c-password-change-hint = Every console session of yours ends, this one too: you sign in again with the new password.
c-password-change = Change password
c-password-changed = Your password is changed. Sign in with the new one.
c-passwords-differ = the two new passwords are not the same
staff-current-password-wrong = the current password is not right
c-forgot-link = Forgot your password?
c-forgot-heading = Forgot your console password
c-forgot-intro = Give the e-mail address you sign in with. If it belongs to a staff user, a link to choose a new password is mailed to it (valid 24 hours, works once). Lost your phone as well? Ask an admin, or whoever runs the server.
c-forgot-send = Send the link
c-forgot-sent = If the address belongs to a staff user, a link to choose a new password is on its way to it (valid 24 hours, works once). Nothing has changed yet: your password stays until you set a new one.
c-recovery-codes-new = Your recovery codes
c-recovery-codes-keep = Keep them somewhere safe, away from your phone: each signs you in once without it (type one where the code is asked for). They are shown only now.
c-recovery-codes-left = { $count ->
    [one] 1 recovery code left.
   *[other] { $count } recovery codes left.
}
c-recovery-codes-heading = Recovery codes
c-recovery-codes-make = Make new recovery codes
c-code-or-recovery = Code from your authenticator app, or a recovery code
c-totp-off-heading = Turn the authenticator app off
c-totp-off-hint = To move to a new phone, turn it off here, then set it up again on this page. Your recovery codes stop working.
c-totp-off = Turn off
c-reset = New password link
c-reset-of = New password link for { $what }
c-reset-also-phone = and turn the authenticator app off (a lost phone)
c-reset-link = Hand this single-use link to { $email } (valid 24 hours; shown only now): they choose a new password with it, and their older links stop working.
c-reset-second-factor-off = Their authenticator app is off and their sessions have ended; they set it up again after signing in.
c-last-sign-in = Last sign-in
c-role-of = role of { $what }
c-invite-staff = Invite a staff user
c-invite = Invite
c-token-shown = The token "{ $name }", shown only now:
c-staff-user = Staff user
c-scopes = Scopes
c-made = Made
c-expires = Expires
c-last-used = Last used
c-revoked = revoked { $at }
c-revoke = Revoke
c-no-tokens = No tokens yet.
c-new-token = New token
c-token-name-hint = ERP sync
c-acts-as = Acts as
c-scopes-hint = Scopes (none ticked: all the staff user's role allows)
c-expires-on = Expires on (empty: never)
c-create = Create
c-report-title = Registrations report
c-report-heading = Registrations report: { $site }
c-report-count = { $count ->
        [one] { $count } registration
       *[other] { $count } registrations
    }, newest first.
c-approved = Approved
c-last-connection = Last connection
c-account-expires = Account expires
c-no-registrations = No registrations on this site.
c-bad-address = This address cannot be opened: { $detail }. Check the link, or go back and try again.
c-choose-action = Choose an action…
c-form-expired = the form had expired; try again
c-login-expired = The form had expired. Please sign in again.
c-login-wrong = The e-mail address, password or code is not right.
c-tab-unverified = Unverified
c-tab-pending = Pending
c-tab-locked = Locked
c-tab-blocked = Blocked
c-tab-deleted = Deleted
c-tab-active = Active
c-chart-title = Registrations per day, { $from } to { $to }

## Signing in to the business's apps (OpenID Connect)
oauth_refused_title = This sign-in cannot go on
oauth_refused_lead = The app that sent you here asked for something this portal cannot do, so you were not sent back to it. Please tell the app's makers what the portal said:
oauth_continue_title = Signed in
oauth_continue_lead = You are signed in. Taking you back to the app…
oauth_continue_link = Continue to the app
oauth_logout_title = Signing out
oauth_logout_done = You are signed out of the portal.
oauth_logout_not_done = The app did not say who is signing out, so nothing was changed. You can sign out on the portal itself.
oauth_logout_link = Go to the portal
oauth_logout_confirm = The app did not say who is signing out, so nothing has changed yet. Do you want to sign out of the portal?
oauth_logout_stay = Stay signed in
consent_title = Allow { $app }?
consent_lead = { $app } is not run by { $site }. It asks to sign you in with your account here and to see:
consent_only_sign_in = Only that you are signed in, and an ID for you that means nothing elsewhere.
consent_remembered = Your answer is remembered. You can withdraw it at any time under "Connected apps".
consent_allow = Allow
consent_deny = Do not allow
consent_scope_profile = your name and language
consent_scope_email = your e-mail address and whether it is confirmed
consent_scope_offline_access = staying signed in while you are away
consent_scope_gatehouse = your customer number, company, role and groups
apps_title = Connected apps
apps_lead = Apps you signed in to with your account here. Disconnecting an app signs you out of it and withdraws what you allowed it to see.
apps_none = No app is connected to your account.
apps_app = App
apps_may_see = May see
apps_since = Allowed on
apps_signed_in = Signed in on
apps_own = run by { $site }
apps_disconnect = Disconnect
apps_disconnected = The app was disconnected: you are signed out of it, and it will ask again before it sees anything.
c-nav-apps = Apps
c-apps-heading = Apps of site { $site }
c-apps-intro = The business's own web apps, shops and mobile apps that sign customers in through this site (OpenID Connect). Point the app's OpenID Connect library at the issuer below with its client_id and secret.
c-apps-issuer = Issuer:
c-no-apps = No app is registered yet.
c-app-name = Name (customers see it)
c-app-type = Kind
c-app-confidential = confidential: a server-side app that keeps a secret
c-app-public = public: a browser or mobile app without a secret (PKCE)
c-app-first-party = One of the business's own apps (customers are not asked for consent)
c-app-first-party-short = Own app
c-app-redirect-uris = Redirect URIs
c-app-redirect-uris-hint = One per line, compared exactly. https, or http only for 127.0.0.1, [::1] or localhost.
c-app-post-logout-uris = Addresses after signing out (one per line)
c-app-backchannel = Back-channel logout URI
c-app-backchannel-hint = Where Gatehouse posts a logout token when a customer is blocked, deleted or signed out everywhere. Empty: none.
c-app-scopes = What the app may ask for
c-app-register = Register an app
c-app-register-button = Register
c-app-registered = { $name } is registered
c-app-secret-once = Copy the secret now: it is shown only this once and stored hashed.
c-app-saved = The app was saved.
c-app-deleted = The app was deleted; every sign-in it held has ended.
c-app-new-secret = The new secret
c-app-secret-heading = Secret
c-app-secret-hint = A new secret replaces the old one at once: the app must be given it before it signs anyone in again.
c-app-secret-button = Make a new secret
c-app-delete-hint = Deleting the app ends every sign-in it holds; customers can no longer sign in to it.
c-app-delete-button = Delete { $name }
c-app-backchannel-sid = The app needs the session (sid) in its logout tokens (Gatehouse always sends it)
c-app-signing-alg = Token signature
c-app-signing-alg-hint = ES256 is smaller and faster; choose RS256 for a library that knows only RS256 (mod_auth_openidc before 2.4, older Java and .NET libraries).
c-app-machine = Machine access (client_credentials): the app may get tokens for itself, with no customer present
c-app-machine-hint = Only for a server that calls an API as itself. Off unless chosen; a public app cannot have it.
c-app-resources = APIs the app may ask tokens for (one address per line)
c-app-resources-hint = An access token asked for one of these (the token request's resource parameter, RFC 8707) names it as its audience and is good only there. Empty: tokens are for the app itself.
c-copy = Copy
c-copied = Copied
c-apps-connect = Connecting an app: discovery, endpoints and recipes
c-apps-discovery = Discovery document
c-apps-recipes = Most OpenID Connect libraries need only the discovery address (or the issuer), the client_id and the secret. Recipes that are tested against Gatehouse (docs/oidc.md has each in full):
landing-title = Gatehouse
landing-lead = The account desk of this business's customer portals.
landing-portals = Customer portals
landing-no-sites = No portal is set up yet.
landing-staff = Staff
landing-console = The console (sign in as staff)
landing-api = The API and its documentation
not-found-title = Nothing here
not-found-text = There is no page at this address. Check the link, or start from the home page (/).
device-on = { $browser } on { $system }
c-cancel = Cancel
c-delete-customer-ask = Delete { $name }?
c-delete-customer-lasting = The customer record is removed for good. Its deleted portal accounts stay, assigned to nobody.
c-delete-customer-yes = Delete { $name }
nav_home = Home
home_title = Welcome, { $name }
home_account = You are signed in as { $login } ({ $email }).
home_profile = Your details
home_profile_lead = Your name, company and address, as this portal knows them.
home_password = Change your password
home_sessions = Where you are signed in
home_sessions_count = { $count ->
    [one] One session: this one.
   *[other] { $count } sessions.
}
home_apps = Your apps
home_apps_none = You have not signed in to an app with this account yet.
home_apps_some = You signed in to: { $apps }.
c-message-text = Plain text
c-message-html = HTML (as sent, shown as source)
c-back-to-outbox = Back to the outbox

# Site settings (console Sites page)
site-setting-self_registration = Customers may register themselves
site-setting-self_registration-help = Shows “Register” on the portal. Off: only staff create accounts.
site-setting-approval_required = Registrations need approval
site-setting-approval_required-help = A verified registration waits in “Awaiting approval” until staff approve it.
site-setting-manager_invites_need_approval = A customer manager’s invitations need approval
site-setting-manager_invites_need_approval-help = A colleague invited by a customer manager waits in “Awaiting approval”; the invitation mail goes out once staff approve it. Off (the default): it goes out at once.
site-setting-create_customer_on_registration = Create the customer record at registration
site-setting-create_customer_on_registration-help = Off: a new account waits until staff assign it to a customer.
site-setting-login_id_mode = Login ID
site-setting-login_id_mode-help = What customers sign in with: their e-mail address or a username they choose (5–31 letters, digits, - _ @ .).
site-setting-max_failed_attempts = Failed sign-ins before the account locks
site-setting-max_failed_attempts-help = 1 to 100. Default 5.
site-setting-lock_mode = Kind of lock
site-setting-lock_mode-help = Temporary: lifted by itself after the lock duration. Permanent: only staff unlock.
site-setting-lock_duration_seconds = Length of a temporary lock (seconds)
site-setting-lock_duration_seconds-help = Default 900 (15 minutes); at most one year.
site-setting-forgot_password_enabled = Offer “Forgot password”
site-setting-forgot_password_enabled-help = Customers may ask for a reset link by e-mail.
site-setting-password_min_length = Shortest password (characters)
site-setting-password_min_length-help = 8 to 128. Default 8.
site-setting-two_step = Two-step sign-in
site-setting-two_step-help = A code from an authenticator app after the password. Offered (the default): customers may turn it on in their profile. Customer managers must, or everyone must: they set it up at their next sign-in. Customers who turned it on keep it whatever this says.
site-setting-session_idle_seconds = Sign out after this long without activity (seconds)
site-setting-session_idle_seconds-help = Default 1800 (30 minutes); not longer than the longest session.
site-setting-session_absolute_seconds = Longest session (seconds)
site-setting-session_absolute_seconds-help = A session ends this long after sign-in, whatever happens. Default 43200 (12 hours).
site-setting-activation_link_ttl_seconds = Activation links last (seconds)
site-setting-activation_link_ttl_seconds-help = Default 86400 (one day); at most 30 days.
site-setting-reset_link_ttl_seconds = Password-reset links last (seconds)
site-setting-reset_link_ttl_seconds-help = Default 3600 (one hour); at most 7 days.
site-setting-invitation_link_ttl_seconds = Invitation links last (seconds)
site-setting-invitation_link_ttl_seconds-help = Links that let a customer set a first password. Default 604800 (7 days); at most 90 days.
site-setting-editable_fields = Fields customers may change themselves
site-setting-editable_fields-help = Group, role, company, external ID and notes are always staff-only (the company, when listed, is shown read-only).
site-setting-lock_names_once_set = First and last name are fixed once set
site-setting-lock_names_once_set-help = After that only staff change them.
site-setting-default_language = Default language
site-setting-default_language-help = Of the portal and of mail for customers who chose none.
site-setting-base_url = Public address of the portal
site-setting-base_url-help = Used in mail links and as the OpenID Connect issuer, e.g. https://portal.example.com/s/main. Empty: this server's address.
site-setting-brand_name = Name shown to customers
site-setting-brand_name-help = On pages and in mail. Empty: the site's name.
site-setting-brand_colour = Accent colour
site-setting-brand_colour-help = Like #1a2b3c. Empty: the default colour.
site-setting-logo_url = Logo address
site-setting-logo_url-help = An http:// or https:// address of a picture. Empty: no logo.
site-setting-support_email = Support e-mail address
site-setting-support_email-help = Customers are told to write here; mail is sent from an address that takes no replies.
site-setting-deleted_retention_days = Keep deleted accounts (days)
site-setting-deleted_retention_days-help = How long a deleted account is kept before it is erased, 1 to 3650, default 90. The retention purge then erases the account, and its customer if it has no other account.

# Sites page
c-nav-sites = Sites
c-sites-intro = Each site is a customer portal with its own accounts, settings, e-mail templates and apps.
c-site-key = Key
c-site-key-hint = 1 to 32 of a–z, 0–9 and -, not starting with -. The portal's address is /s/key/ and cannot change later.
c-site-portal = Portal
c-site-more = Set up
c-site-settings = Settings
c-add-site = Add a site
c-add-site-button = Add site
c-site-added = The site was added with the default settings.
c-site-key-taken = A site with the key “{ $key }” exists already.
c-site-heading = Site { $site }
c-site-name-is = Name: { $name }
c-site-read-only = Only admins change a site's settings.
c-save-settings = Save settings
site-section-registration = Registration
site-section-sign-in = Sign-in and locks
site-section-sessions = Sessions and links
site-section-profile = Profile
site-section-branding = Addresses and branding
site-section-retention = Retention
site-choice-login_id_mode-email = E-mail address
site-choice-login_id_mode-username = Username
site-choice-lock_mode-temporary = Temporary
site-choice-lock_mode-permanent = Permanent (staff unlock)
site-choice-two_step-off = Not offered
site-choice-two_step-offered = Offered to everyone
site-choice-two_step-managers = Required of customer managers
site-choice-two_step-everyone = Required of everyone
site-choice-default_language-en = English
site-choice-default_language-de = German

# Bulk confirmation in the registrations queue
c-select-all-shown = select every account shown
c-bulk-reason = Reason (kept in the audit log): { $reason }
c-bulk-notify = The customers are told by e-mail where the action sends one.
c-bulk-ask-approve = { $count ->
    [one] Approve one account?
   *[other] Approve { $count } accounts?
}
c-bulk-yes-approve = { $count ->
    [one] Approve it
   *[other] Approve { $count } accounts
}
c-bulk-ask-delete = { $count ->
    [one] Delete one account?
   *[other] Delete { $count } accounts?
}
c-bulk-yes-delete = { $count ->
    [one] Delete it
   *[other] Delete { $count } accounts
}
c-bulk-ask-disapprove = { $count ->
    [one] Disapprove one registration?
   *[other] Disapprove { $count } registrations?
}
c-bulk-yes-disapprove = { $count ->
    [one] Disapprove it
   *[other] Disapprove { $count } registrations
}
c-bulk-ask-undelete = { $count ->
    [one] Undelete one account?
   *[other] Undelete { $count } accounts?
}
c-bulk-yes-undelete = { $count ->
    [one] Undelete it
   *[other] Undelete { $count } accounts
}
c-bulk-ask-block = { $count ->
    [one] Block one account?
   *[other] Block { $count } accounts?
}
c-bulk-yes-block = { $count ->
    [one] Block it
   *[other] Block { $count } accounts
}
c-bulk-ask-unblock = { $count ->
    [one] Unblock one account?
   *[other] Unblock { $count } accounts?
}
c-bulk-yes-unblock = { $count ->
    [one] Unblock it
   *[other] Unblock { $count } accounts
}
c-bulk-ask-unlock = { $count ->
    [one] Unlock one account?
   *[other] Unlock { $count } accounts?
}
c-bulk-yes-unlock = { $count ->
    [one] Unlock it
   *[other] Unlock { $count } accounts
}
c-bulk-ask-resend_activation = { $count ->
    [one] Send the activation link again to one account?
   *[other] Send the activation link again to { $count } accounts?
}
c-bulk-yes-resend_activation = { $count ->
    [one] Send it
   *[other] Send { $count } links
}
c-bulk-ask-send_password_reset = { $count ->
    [one] Send a password-reset link to one account?
   *[other] Send a password-reset link to { $count } accounts?
}
c-bulk-yes-send_password_reset = { $count ->
    [one] Send it
   *[other] Send { $count } links
}

# The set-password page of a setup or invitation link
setup-title-invited = Choose your console password
setup-intro-invited = You were invited to the Gatehouse console. Choose the password you will sign in with. This link works once.
setup-title-first = Create the first admin
setup-intro-first = This installation has no staff user yet. The admin you create here can manage sites, settings, staff and every customer account. This link works once.
setup-email = E-mail address
setup-password = Password
setup-password-hint = (at least 12 characters; a few unusual words work well)
setup-password-again = Password again
setup-button-invited = Set my password
setup-button-first = Create admin
setup-mismatch = The two passwords are not the same.
setup-gone-title = This setup link does not work any more
setup-gone-why = It was used already, it expired, or an admin exists already.
setup-gone-then = Restart the server for a new link while no staff user exists, or run `gatehouse staff add` on the server.
setup-done-invited = Your password is set
setup-done-first = The first admin exists
setup-title-reset = Choose a new console password
setup-intro-reset = A new password was asked for your console account on the server. Choose it here; your old password stops working and your open sessions end. This link works once.
setup-button-reset = Set my new password
setup-done-reset = Your new password is set
setup-done-who = { $email } can sign in to the console now, as { $role }.
setup-done-next = This link no longer works. Sign in at /admin/login.
no-portal-title = There is no portal here
no-portal-text = Check the address.

# Headings of columns without a visible heading
th-actions = Actions
th-select = Select

# Audit details and targets
c-field = Field
c-before = Before
c-after = After
c-open = open
c-kind-account = Account
c-kind-customer = Customer
c-kind-site = Site
c-kind-group = Group
c-kind-staff = Staff user
c-kind-client = App
c-kind-api_token = API token
c-kind-outbox = Message

# TOTP set-up
c-totp-qr = QR code to scan with an authenticator app
c-totp-or-type = Or type this key into the app:
c-totp-address = The address inside the QR code

# A form posted after the session ended
c-session-ended = Your session had ended. Sign in again: what you filled in is kept, and you can send it after signing in.
c-resume-heading = Send your form?
c-resume-text = You are signed in again. This is what you filled in before the session ended; nothing has been saved yet.
c-resume-send = Send it now
c-resume-drop = Discard it
c-bulk-ask-delete-customers = { $count ->
    [one] Delete one customer?
   *[other] Delete { $count } customers?
}
c-bulk-yes-delete-customers = { $count ->
    [one] Delete it
   *[other] Delete { $count } customers
}
c-name-at-registration = Name at registration
c-staff-role-admin = admin
c-staff-role-support = support

# Companies
c-nav-companies = Companies
c-companies-intro = The client companies your customers work for. A customer belongs to at most one; a customer manager looks after the people of their own company.
c-search-companies-hint = name or external ID
c-companies-total = { $count ->
        [one] { $count } company
       *[other] { $count } companies
    }
c-no-companies = No companies yet.
c-add-company = Add a company
c-all-companies = All companies
c-company-name = Name
c-company-external_id = External ID (the ERP's key)
c-company-address = Address
c-company-notes = Notes
c-company-data = The company
c-company-added = The company was added.
c-company-deleted = The company was deleted.
c-delete-company = Delete this company
c-company-has-customers = Customers still belong to this company: move them to another company first. Nothing was deleted.
c-company-open-existing = Open “{ $name }” instead
c-company-people = { $count ->
        [one] { $count } customer
       *[other] { $count } customers
    }
c-company-all-customers = Show all { $count } in the customer list
c-company-no-customers = No customer belongs to this company yet.
c-company-help = Pick a company from the list, or type a new name to add a company with it.
c-only-company = only “{ $name }”
c-kind-company = Company
company-name-needed = give the company's name
company-name-taken = a company named “{ $name }” exists already; choose it instead
company-name-just-taken = a company with this name was added a moment ago; choose it instead
company-external-id-taken = another company has this external ID
field-not-company = is not a company ID
field-no-such-company = there is no such company
customer-field-company_id = Company

# The customer manager's team page
nav_team = Team
team_title = Your team
team_intro = The people of your company who use this portal. You can invite a colleague, send an invitation again, and switch a colleague's access off and on.
team_name = Name
team_status = Status
team_last_sign_in = Last sign-in
team_actions = Actions
team_you = you
team_manager = manager
team_never = never
team_access_is_off = access switched off
team_invited_not_yet = invited, not signed up yet
team_status_unverified = address not confirmed
team_status_pending = waiting for approval
team_status_active = active
team_status_locked = locked
team_status_blocked = blocked
team_status_deleted = deleted
team_switch_off = Switch off { $name }
team_switch_on = Switch on { $name }
team_resend = Send { $name } the link again
team_invite_title = Invite a colleague
team_invite_intro = Your colleague gets an e-mail with a link to choose a password. The link works once.
team_invite_submit = Send the invitation
team_invited = The invitation was sent.
team_invited_pending = Your colleague was added. The invitation goes out once the business approves it.
team_access_on = The access was switched on.
team_access_off = The access was switched off: your colleague was signed out everywhere.
team_resent = A new link was sent. Older links no longer work.
team_back = Back to your team
team_refused_not_a_manager = Only a customer manager looks after a team.
team_refused_no_company = Your account belongs to no company yet. Ask the business to add it to yours.
team_refused_not_found = There is no such account in your team.
team_refused_yourself = You cannot change your own account here.
team_refused_another_manager = Another customer manager's account is changed by the business's staff.
team_refused_nothing_to_resend = This colleague has signed up already: there is no link to send.
team_refused_waits_for_approval = This invitation waits for the business's approval. It is sent once approved.
team-address-taken = this address has an account on this site already
c-actor-staff = staff user
c-actor-api = API token
c-actor-customer = customer
c-actor-system = system
c-actor-setup_link = set-up link

c-personal-data = Personal data
c-download-personal-data = Download personal data (JSON)
c-erasure-reason = Reason for erasure (kept in the audit trail; no personal data)
c-erase-customer = Erase personal data…
c-erasure-reason-needed = Give the reason for the erasure.
c-erase-customer-ask = Erase { $name } for good?
c-erase-customer-lasting = The customer, every portal account of theirs (with sessions and app sign-ins), every mail to their addresses and the personal data in audit events about them are removed for good. This cannot be undone. Only the fact of the erasure and its reason are kept.
c-erase-customer-yes = Erase { $name }
c-customer-erased = Customer erased. Only the audit trail's record of the erasure remains.

profile_your_data = Your data
profile_your_data_lead = Everything we hold about you (your details, accounts, sessions, the apps you allowed, the history of your account and the mail we sent you), as one file.
profile_download_data = Download my data (JSON)

c-nav-import = Import
c-import-heading = Import customers
c-import-intro = A CSV file (UTF-8, a header line first) of customers and their portal accounts, with password hashes from the old system if you have them. The whole file is one transaction: a dry run checks every row and writes nothing; an import writes every row or none, or only the good rows, as you choose. Every bad row is reported with its line.
c-import-file = CSV file (up to 64 MiB)
c-import-mapping = Column mapping (optional)
c-import-mapping-help = One per line: the file's header, "=", and the Gatehouse column it fills, e.g. Vorname=first_name. Header= leaves a column out. Headers not mapped must be Gatehouse column names (below).
c-import-mode = Bad rows
c-import-all-or-nothing = All or nothing: any bad row, and nothing is imported
c-import-skip-bad-rows = Import the good rows, report the bad ones
c-import-dry-run = Dry run: check and report, write nothing
c-import-send-invitations = Mail each new account without a password an invitation to choose one
c-import-start = Upload and start
c-import-columns = Columns Gatehouse reads
c-import-no-file = Choose a CSV file to import.
c-import-bad-mapping = The mapping line "{ $line }" has no "=": write header=column.
c-import-unreadable = The upload could not be read: { $why }
c-import-run-heading = Import of { $file }
c-import-run-dry = Dry run: nothing is written.
c-import-progress = Reading: { $rows } rows so far
c-import-refused = Nothing was imported:
c-import-bad-rows = Bad rows ({ $count })
c-import-bad-rows-first = The first { $shown } are listed; the command line's `gatehouse import --dry-run` lists them all.
c-import-line = Line
c-import-problems = What is wrong
c-import-again = Import another file
c-import-not-kept = There is no such import. Imports are kept a week (and one whose report names a person goes when that person is erased); whatever an import wrote is in the audit log (customers.import).
c-import-stopped = the server running it stopped before it ended, and its database transaction with it: nothing of this file was written. Upload it again.

# Two-step sign-in (portal)
nav_two_step = Two-step sign-in
two_step_title = Two-step sign-in
two_step_code_lead = Signing in as { $who }: enter the code your authenticator app shows now.
two_step_required_lead = This portal asks for a second step after the password. Set it up now with an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator, 2FAS or FreeOTP); it takes a minute.
two_step_setup_scan = Scan the QR code with the app (or type the key below into it).
two_step_setup_enter = Enter the six digits the app then shows.
two_step_qr = QR code to scan with your authenticator app
two_step_or_type = Or type this key into the app:
two_step_address = The address in the QR code
two_step_code = Six-digit code
two_step_code_or_recovery = Code from your app, or a recovery code
two_step_code_hint = The code changes every 30 seconds; enter the one shown now.
two_step_recovery_hint = Lost your phone? Enter one of the recovery codes you were given when you set this up; each works once.
two_step_submit = Continue
two_step_submit_setup = Turn on and continue
two_step_other_account = Sign in with another account
two_step_start_over = That sign-in took too long or was finished already. Sign in again.
two_step_on_now = Two-step sign-in is on: from now on, signing in asks for your password and a code from your app.
two_step_codes_title = Your recovery codes
two_step_codes_keep = Keep these codes somewhere safe, away from your phone (print them, or store them in a password manager). Each one signs you in once if you lose your phone. They are shown only now.
two_step_codes_continue = I have kept them: continue
two_step_is_on = Two-step sign-in is on: signing in asks for your password and a code from your authenticator app.
two_step_last_used = Last used { $when }.
two_step_codes_left = { $count ->
    [one] You have one unused recovery code.
   *[other] You have { $count } unused recovery codes.
}
two_step_renew_heading = New recovery codes
two_step_renew = Make new recovery codes
two_step_off_heading = Turn off, or move to a new phone
two_step_off_hint = Turning it off makes your recovery codes stop working. To move to a new phone, turn it off here, then set it up again with the new phone.
two_step_off_required = This portal requires two-step sign-in: after turning it off, you set it up again (with a new phone, if you like) at your next sign-in. Your recovery codes stop working.
two_step_off = Turn off two-step sign-in
two_step_turned_off = Two-step sign-in is off. We sent you an e-mail about it.
two_step_is_off = Two-step sign-in is off.
two_step_intro = Turn it on to ask for a code from an authenticator app on your phone after your password: someone who learns your password still cannot sign in.
two_step_turn_on = Turn on two-step sign-in
two_step_not_offered = This portal does not offer two-step sign-in.

# Two-step sign-in (console account page)
c-two-step = Two-step sign-in
c-two-step-on = On: signing in asks for a code from the customer’s authenticator app.
c-two-step-off = Off: signing in asks for the password only.
c-two-step-since = Turned on
c-two-step-last-used = Last used
c-two-step-codes-left = Recovery codes left
c-two-step-remove = Remove two-step sign-in
c-two-step-remove-hint = For a customer who lost their phone and their recovery codes: make sure it is them first. They are mailed, and sign in with the password alone (or set up a new phone at their next sign-in, where the site requires it).
c-two-step-removed = Two-step sign-in was removed; the customer was mailed.
c-passkeys = Passkeys
c-passkey-name = Name
c-passkey-added = Added
c-passkey-remove = Remove
c-no-passkeys = No passkeys.
c-passkey-removed = The passkey was removed; the customer was mailed.

# Passkeys (portal)
nav_passkeys = Passkeys
passkey_sign_in = Sign in with a passkey
passkey_sign_in_failed = That passkey did not sign you in. Try again, or sign in with your password.
passkeys_title = Passkeys
passkeys_lead = A passkey signs you in without a password or a code: your phone or computer keeps it and unlocks it with your fingerprint, face or screen lock. It counts as both steps of a sign-in.
passkeys_name = Name
passkeys_added = Added
passkeys_last_used = Last used
passkeys_actions = Actions
passkeys_never = never
passkeys_rename = Rename
passkeys_remove = Remove
passkeys_remove_named = Remove the passkey { $name }
passkeys_none = You have no passkey yet.
passkeys_unavailable = Passkeys are not available on this portal yet: it must be reached at a host name. Please tell us.
passkeys_add_heading = Add a passkey
passkeys_need_script = Adding a passkey needs JavaScript in your browser.
passkeys_new_name = Name it (so you know which device it is on)
passkeys_default_name = My passkey
passkeys_add = Add a passkey
passkeys_add_failed = The passkey was not added: your device refused, or it took too long. Try again.
passkeys_gone = That passkey is not there any more.
passkey_added = The passkey was added. Next time, sign in with it.
passkey_renamed = The passkey was renamed.
passkey_removed = The passkey was removed: it signs you in no more.
passkey-try-again = that took too long or was answered already; try again
passkey-unreadable = the browser's answer cannot be read
passkey-refused = the passkey was not added
passkey-name = a passkey's name is 1 to { $max } characters
two_step_lost = Lost your phone and your recovery codes?
two_step_lost_hint = We can mail you a link that turns two-step sign-in off, so that you can sign in with your password and set it up again on a new phone.
two_step_lost_sent = We sent a link to the e-mail address of this account. Follow it to turn two-step sign-in off, then sign in again.
two_step_reset_title = Turn two-step sign-in off
two_step_reset_lead = Your phone and your recovery codes are lost: turning two-step sign-in off lets you sign in with your password alone. Set it up again on your new phone afterwards (this portal may ask you to at once).
two_step_reset_submit = Turn two-step sign-in off
two_step_reset_done = Two-step sign-in is off, and your recovery codes no longer work. Sign in with your password.
c-app-two-steps = Customers sign in with two steps (the authenticator app's code, or a passkey) before this app gets in
c-sign-in-factor = Signs in with
c-sign-in-factor-two_step = Two-step sign-in
c-sign-in-factor-passkey = A passkey
