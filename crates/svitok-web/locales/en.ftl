# Svitok's web interface in English (on request). Same keys as ru.ftl.

## Frame and navigation
app-name = Svitok
skip-to-content = Skip to content
nav-sections = Sections
nav-inbox = Inbox
nav-unread = Unread
nav-mine = My documents
nav-all = All documents
nav-new = Create
nav-groups = Groups
nav-users = Users
nav-stats = Statistics
nav-audit = Audit log
nav-trash = Trash
logout = Sign out
other-language = Русский
other-language-code = ru

## Common words
find = Search
search = Search
cancel = Cancel
back = Go back
to-inbox = To the inbox
save = Save
none = none
status-any = any
code-field = Code
email = Email
password = Password
last-name = Last name
first-name = First name
middle-name = Patronymic
login-name = Login
position = Position
birth-date = Date of birth
resend-code = Send a new code
resend-wait = (in { $seconds } s)
date-time = { $year }-{ $month }-{ $day } { $hour }:{ $minute } UTC

## Signing in, registration, password reset
login-title = Sign in
login-break-glass = Emergency sign-in with a password
login-heading = Sign in
login-field = Login or email
continue = Continue
forgot-password = Forgot your password?
register-link = Register
notice-registered = Your address is confirmed. Please sign in.
notice-reset = Your password has been changed. Sign in with the new one.
code-title = Sign-in code
code-totp = Enter the six-digit code from your authenticator app.
code-mailed = We have emailed you a six-digit code. It is valid for ten minutes.
sign-in = Sign in
register-title = Registration
password-hint = At least 10 characters; avoid your name, login and common passwords.
register-submit = Register
have-account = I already have an account
confirm-title = Confirm your email
confirm-text = We have sent a six-digit code to { $email }. Enter it to complete the registration.
confirm-submit = Confirm
reset-title = Password reset
reset-text = Enter your account's email address: we will send a code for a new password to it.
reset-submit = Get a code
to-login = Back to sign in
new-password-title = New password
reset-code-sent = If { $email } belongs to an account, a six-digit code has been sent to it.
reset-code-any = Enter your email, the code from the letter (invitation or password reset) and a new password.
new-password = New password
save-password = Save the password

## First start
setup-title = Svitok: the first administrator
setup-text = This link works once. The administrator gets all seven rights.
setup-submit = Create the administrator
setup-done = The administrator has been created
setup-done-text = Sign in as { $login }: the sign-in code will come to { $email }.
setup-gone = This link no longer works
setup-gone-text = The first administrator already exists. Sign in, or ask them.

## Document statuses
status-draft = Draft
status-in_review = In review
status-signing = Awaiting signatures
status-signed = Signed
status-in_progress = In progress
status-done = Done
status-rejected = Rejected
status-archived = Archived

## Inbox and lists
inbox-summary = Total: { $total }. Unread: { $unread }.
col-document = Document
col-status = Status
col-from = From
col-received = Received
col-kind = Kind
col-changed = Changed
tag-sign = to sign
inbox-empty = Your inbox is empty.
heading-all = All documents
heading-mine = My documents
heading-trash = Trash
search-placeholder = Title, description, number
create-document = Create a document
trash-note = Documents in the trash are deleted for good when the retention period ends.
next-page = Next
trash-empty = The trash is empty.
nothing-found = Nothing found.

sort = Order
sort--updated_at = recently changed first
sort-updated_at = least recently changed first
sort--created_at = newest first
sort-created_at = oldest first
sort-title = by title, A→Z
sort--title = by title, Z→A
sort-due_date = by due date, soonest first
sort--due_date = by due date, latest first
documents-found = Found: { $count ->
    [one] { $count } document
   *[other] { $count } documents
}.

more-filters = More conditions
created-from = Created from
created-to = Created to
due-before = Due before

## New document
new-title = New document
from-file = From a file
file = File
drop-hint = You can drop a file here.
title-field = Title
title-default = The file name by default
kind-field = Kind
upload = Upload
upload-offline = The file was not sent: the server cannot be reached.
empty-card = Empty card
kind-placeholder = Order, contract, memo…
description = Description
create-card = Create the card
no-create-rights = You have no right to create documents. Ask an administrator.

## Document card
in-trash = in the trash
owner = Owner
responsible = Responsible
change = change
due = Due
take = Take it
send = Send
request-signatures = Request signatures
to-trash = Move to trash
restore = Restore
move-to = Move to:
versions = Versions
col-number = No.
col-file = File
col-size = Size
col-signatures = Signatures
col-uploaded = Uploaded
no-files = No files: this is a card.
new-version = New version
attach-file = Attach a file
sign-version = Sign version { $n }
signatures = Signatures
every-member = (every member)
signed = signed
awaiting-signature = signature awaited
col-version = Version
col-signer = Signer
col-signed-at = Signed
col-check = Check
col-signature-file = Signature file
check = check
no-signatures = No signatures.
history = History
system = system
check-valid = valid
check-revoked = valid at signing time; the certificate was revoked later
check-invalid = invalid: { $why }
responsible-group = group “{ $name }”
history-created = document created
history-version_added = version added
history-updated = card edited
history-status_changed = status changed
history-responsible_changed = responsible party changed
history-sent = document sent
history-forwarded = document forwarded
history-downloaded = file downloaded
history-deleted = moved to the trash
history-restored = restored from the trash
history-signed = version signed
history-signatures_requested = signatures requested
history-other = action

edit-card = Edit the card
reg-number = Registration number
failed-edit = The card was not changed

verify-outside = A signature can be checked without the system too (OpenSSL):
ca-certificate = the certification authority's certificate
crl = the certificate revocation list

## Choosing people and groups
pick-send-heading = Send the document
pick-responsible-heading = Change the responsible party
pick-signers-heading = Request signatures
pick-send-button = Send
pick-responsible-button = Assign
pick-signers-button = Request
document-label = Document
pick-search = Find a person or a group
pick-placeholder = Last name, position, group name
pick-legend-single = Who becomes responsible
pick-legend-signers = Who signs
pick-legend-send = Recipients
pick-keeps = What is ticked stays ticked when you search again.
nobody-found = Nobody found. Change the search.
comment = Comment
hand-over = Hand over responsibility (to a single recipient)
every-member-option = Every member of a group signs (otherwise any one member)
group-label = Group “{ $name }”
members-count = { $count ->
    [one] { $count } member
   *[other] { $count } members
}

## Signing
sign-title = Signing
sign-document = Document “{ $title }”, version { $version }.
sign-totp = Confirm the signature with a code from your authenticator app.
sign = Sign

## Errors
error-404-heading = Not found
error-404-text = There is no such page or document, or you have no access to it.
error-403-heading = Access denied
error-403-text = You have no right to do this.
error-429-heading = Too many attempts
error-429-text = Please wait a little and try again.
error-heading = Error
error-text = Something went wrong. Try again or ask an administrator.
error-internal = Internal error. Try again or ask an administrator.
failed-status = The status was not changed
failed-sign = The document was not signed
failed-upload = The document was not uploaded
failed-version = The version was not added
failed-take = The document was not taken
failed-delete = The document was not deleted
failed-restore = The document was not restored
failed-action = The action was not done
failed-profile = The profile was not saved
failed-user-status = The user's status was not changed
failed-rights = The rights were not changed
failed-group-create = The group was not created
failed-members = The group's members were not changed
failed-group-delete = The group was not deleted
failed-revoke = Access was not revoked
failed-language = The language was not changed

## What went wrong, in general (English pages put it before the system's own words)
retry-after = You can try again in { $wait }.
wait-seconds = { $n } s
wait-minutes = { $n } min

## Users and rights
users-title = Users
users-placeholder = Name, login, email, position
user-status-active = active
user-status-pending = awaiting confirmation
user-status-blocked = blocked
create-user = Create a user
users-found = Found: { $count ->
    [one] { $count } user
   *[other] { $count } users
}.
col-employee = Person
col-login = Login
col-email = Email
col-rights = Rights
new-user-title = New user
new-user-text = The person receives an invitation by email with a code to set a password.
rights = Rights
rights-default = Default rights; someone with the right to grant rights can change them.
create-invite = Create and invite
right-manage_own_documents = Own documents
right-manage_own_documents-hint = Upload files and new versions, download files, delete own documents
right-send_documents = Sending
right-send_documents-hint = Send and forward documents to users and groups
right-create_documents = Cards
right-create_documents-hint = Create document cards without a file
right-sign_documents = Signing
right-sign_documents-hint = Sign document versions with an electronic signature
right-view_statistics = Statistics
right-view_statistics-hint = See statistics for the whole organisation
right-manage_users = Users
right-manage_users-hint = Create, edit, block users; manage groups; read the audit log
right-grant_rights = Granting rights
right-grant_rights-hint = Turn other users' rights on and off
right-not-yours = You cannot grant a right you do not hold
last-login = Last sign-in
groups = Groups
unblock = Unblock
block = Block
user-rights-legend = The user's rights
save-rights = Save the rights
profile = Profile
save-profile = Save the profile

## Groups
groups-placeholder = Group name
col-group = Group
col-members = Members
no-groups = No groups.
new-group = New group
name = Name
create-group = Create the group
group-heading = Group “{ $name }”
members = Members
members-hidden = A group's members are visible to its members and administrators.
exclude = Remove
group-empty = Nobody is in the group yet.
add-employee = Add a person
employee-placeholder = Last name, position
add = Add
group-documents = The group's documents
no-documents = No documents.
delete-group = Delete the group

## Profile
profile-title = Profile
rights-list = rights: { $list }
new-token-heading = New API token
new-token-text = Copy it now: it will not be shown again.
identity-by-administrators = Your name, position and birth date are changed by an administrator: they go into your signing certificate.
my-data = Personal data
current-password = Current password
change-password = Change the password
totp-heading = App codes (TOTP)
totp-scan = Scan the code with your authenticator app or type the key in, then enter the six-digit code from the app.
totp-qr-alt = QR code for the authenticator app
totp-key = Key:
totp-code = Code from the app
enable = Turn on
totp-on = On: signing in asks for a code from the app.
disable = Turn off
totp-off = Off: sign-in codes come by email.
totp-connect = Connect an app
sessions = Sessions
col-browser = Browser
col-address = Address
col-started = Started
col-activity = Last activity
col-action = Action
this-session = this session
end-session = End
tokens = API tokens
col-name = Name
col-created = Created
col-valid-until = Valid until
revoke = Revoke
no-tokens = No tokens.
token-name-placeholder = Accounting integration
token-days = Valid for, days
issue-token = Issue a token
language = Interface language
language-ru = Русский
language-en = English
notice-saved = The profile has been saved.
notice-password = The password has been changed. Other sessions have ended.
notice-totp = Signing in with app codes is on.
notice-totp-off = Signing in with app codes is off: codes come by email again.
notice-revoked = Access revoked.
notice-language = The interface language has been changed.

email-code-sent = We have sent a code to { $email }. Enter it to change your address.
new-email = New address
change-email = Change the address
notice-email = Your email address has been changed.
edit-group = Edit the group
failed-group-edit = The group was not changed

## Statistics
stats-title = Statistics
stats-documents = Documents
stats-overdue = Overdue
stats-to-done = Mean time to “Done”
stats-to-signed = Mean time to “Signed”
hours = { $n } h
by-status = By status
per-week = Created and done per week
by-group = By responsible group
senders = Top senders
col-documents = Documents
no-data = No data.
week-from = Week of
created = Created
completed = Done

## Audit log
audit-title = Audit log
audit-heading = Audit log
action = Action
action-placeholder = login, document.signed…
object = Object
object-placeholder = Identifier
outcome = Outcome
outcome-success = success
outcome-failure = refused
from = From
to = To
show = Show
col-seq = No.
col-time = Time
col-who = Who
col-details = Details
earlier = Earlier
no-events = No events found.
identities = Sign-in through the organisation's services
col-provider = Sign-in service
col-linked = Linked
unlink = Unlink
notice-unlinked = The sign-in service account is unlinked
col-subject = Subject
