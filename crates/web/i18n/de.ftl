# The portal's and the refusals' words in German, by message ID (Project Fluent).
# Every ID here must be in every other language's file too (a test checks).

## Portal

nav_profile = Profil
nav_sessions = Sitzungen
nav_apps = Verbundene Apps
nav_change_password = Passwort ändern
nav_logout = Abmelden
nav_login = Anmelden
nav_register = Registrieren
field_email = E-Mail-Adresse
field_username = Benutzername
hint_username = (5 bis 31 Buchstaben, Ziffern, - _ @ .)
field_login_id = E-Mail-Adresse oder Benutzername
field_first_name = Vorname
field_last_name = Nachname
field_company = Firma
field_password = Passwort
hint_password = (mindestens { $n } Zeichen; einige ungewöhnliche Wörter eignen sich gut)
field_language = Sprache
field_current_password = Aktuelles Passwort
field_new_password = Neues Passwort
field_new_password_confirm = Neues Passwort wiederholen
field_phone = Telefon
field_mobile = Mobil
field_country = Land
field_region = Region
field_street = Straße
field_postcode = Postleitzahl
field_city = Ort
field_url = Webseite
field_avatar_url = Adresse des Profilbilds
register_title = Konto anlegen
register_submit = Registrieren
register_have_account = Ich habe ein Konto: anmelden
register_closed = Dieses Portal nimmt keine Registrierungen an. Fragen Sie uns nach einem Konto.
check_mail_heading = Bitte prüfen Sie Ihre E-Mails
check_mail_text = Wenn die Adresse verwendet werden kann, haben wir eine Nachricht an sie geschickt. Folgen Sie dem Link darin, um fortzufahren.
login_title = Anmelden
login_submit = Anmelden
login_forgot = Passwort vergessen?
login_register = Konto anlegen
login_resend = Aktivierungs-E-Mail erneut senden
error_invalid_credentials = Anmelde-ID oder Passwort stimmen nicht.
error_unverified = Ihre E-Mail-Adresse ist noch nicht bestätigt. Folgen Sie dem Link in der Aktivierungs-E-Mail, oder lassen Sie sie erneut senden.
error_pending = Ihre Registrierung wartet auf Freigabe. Wir schreiben Ihnen, sobald sie erfolgt ist.
error_locked = Ihr Konto ist nach zu vielen Fehlversuchen gesperrt. Versuchen Sie es später erneut, oder setzen Sie Ihr Passwort zurück.
error_blocked = Ihr Konto ist blockiert. Bitte wenden Sie sich an uns.
error_deactivated = Ihr Konto ist deaktiviert. Bitte wenden Sie sich an uns.
error_csrf = Das Formular war abgelaufen. Bitte senden Sie es erneut.
error_passwords_differ = Die beiden neuen Passwörter stimmen nicht überein.
error_rate_limited = Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es erneut.
error_fix_fields = Bitte korrigieren Sie die markierten Felder.
error_generic = Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.
activated_heading = Ihre E-Mail-Adresse ist bestätigt
activated_active = Ihr Konto ist aktiv. Sie können sich jetzt anmelden.
activated_pending = Ihre Registrierung wartet jetzt auf Freigabe. Wir schreiben Ihnen, sobald sie erfolgt ist.
activation_used_heading = Dieser Link wurde schon verwendet
activation_used_active = Ihr Konto ist aktiviert. Sie können sich anmelden.
activation_used_pending = Ihre Adresse ist bestätigt. Ihre Registrierung wartet auf Freigabe; Sie erhalten eine E-Mail, sobald sie freigegeben ist.
link_invalid_heading = Dieser Link funktioniert nicht mehr
link_invalid_text = Er wurde bereits verwendet oder ist abgelaufen. Sie können einen neuen anfordern.
resend_heading = Aktivierungs-E-Mail erneut senden
resend_intro = Geben Sie die Adresse ein, mit der Sie sich registriert haben. Frühere Aktivierungslinks verlieren ihre Gültigkeit.
resend_submit = Senden
forgot_heading = Passwort vergessen?
forgot_intro = Geben Sie die Adresse Ihres Kontos ein, und wir senden Ihnen einen Link, um ein neues Passwort zu wählen.
forgot_submit = Link senden
forgot_disabled = Dieses Portal bietet kein Zurücksetzen von Passwörtern an. Bitte wenden Sie sich an uns.
reset_heading = Neues Passwort wählen
reset_done = Ihr Passwort wurde geändert. Melden Sie sich mit dem neuen an.
change_heading = Passwort ändern
change_forced = Ihr Passwort ist abgelaufen. Wählen Sie ein neues, um fortzufahren.
change_done = Ihr Passwort wurde geändert. Ihre anderen Sitzungen wurden abgemeldet.
password_submit = Passwort speichern
profile_title = Ihr Profil
profile_submit = Speichern
profile_saved = Ihr Profil wurde gespeichert.
sessions_title = Ihre Sitzungen
sessions_signed_in = Angemeldet
sessions_last_seen = Zuletzt aktiv
sessions_device = Gerät
sessions_unknown_device = Ein unbekannter Browser
sessions_this = diese
sessions_sign_out_others = Alle anderen Sitzungen abmelden
sessions_signed_out_others = Ihre anderen Sitzungen wurden abgemeldet.
signed_out = Sie sind abgemeldet.
session_ended = Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an, um fortzufahren.
session_ended_form_kept = Ihre Sitzung ist abgelaufen, bevor das Formular gesendet wurde. Melden Sie sich erneut an: Ihre Eingaben bleiben erhalten, gespeichert wurde noch nichts.
resume_form = Sie sind wieder angemeldet. Das haben Sie vor dem Ende der Sitzung eingegeben; gesendet wurde noch nichts. Prüfen Sie es und senden Sie es ab.
resume_profile = Sie sind wieder angemeldet. Das haben Sie vor dem Ende der Sitzung eingegeben; gespeichert wurde noch nichts. Prüfen Sie es und speichern Sie.
go_to_login = Anmelden
impersonation_banner = Mitarbeiteransicht: Sie sehen dieses Portal als { $login }. Passwort, E-Mail und Anmelde-ID können hier nicht geändert werden.
impersonation_end = Ansicht beenden

error_internal = Bei uns ist etwas schiefgegangen; der Fehler wurde protokolliert.
error_unavailable = Das Portal kann gerade nicht antworten; bitte versuchen Sie es gleich noch einmal.

## Refusals: what a use case says of a wrong field (the API's English
## `message` says the same)

field-required = ist erforderlich
field-too-long = darf höchstens { $max } Zeichen lang sein
field-control-characters = darf keine Steuerzeichen enthalten
field-not-text = muss Text sein
field-not-web-address = muss eine http://- oder https://-Adresse sein
field-address-taken = ist schon die Adresse der Site { $site }; jede Site braucht ihre eigene (sie ist der OpenID-Aussteller der Site)
totp-not-started = öffnen Sie die Einrichtungsseite erneut, um einen Code zum Scannen zu erhalten
totp-wrong-code = das ist nicht der Code, den Ihre App jetzt für diesen QR-Code zeigt; geben Sie die aktuellen sechs Ziffern ein (sie wechseln alle 30 Sekunden)
two-step-wrong-code = dieser Code stimmt nicht: Geben Sie die sechs Ziffern ein, die Ihre Authenticator-App jetzt zeigt, oder einen Ihrer Wiederherstellungscodes
app-name-length = ein Name muss 1 bis 100 Zeichen lang sein
app-too-many-addresses = höchstens { $max } Adressen
app-address-twice = eine Adresse steht zweimal in der Liste
app-public-needs-redirect = eine öffentliche App braucht mindestens eine Weiterleitungsadresse
app-backchannel-https = die Back-Channel-Logout-Adresse muss eine https-Adresse sein
app-unknown-scope = '{ $scope }' ist kein Scope, den Gatehouse anbietet ({ $known })
app-no-grant-type = eine App braucht mindestens einen Grant-Typ
app-machine-needs-secret = client_credentials braucht ein Secret: nur eine vertrauliche App darf es verwenden
uri-not-absolute = '{ $address }' ist keine absolute Adresse (sie muss mit https:// beginnen)
uri-fragment = '{ $address }' hat ein #Fragment, das eine eingetragene Adresse nicht haben darf
uri-plain-http = '{ $address }' verwendet http zu einem anderen Rechner; verwenden Sie https (http nur für 127.0.0.1, [::1] und localhost)
uri-scheme = '{ $address }' verwendet ein Schema, das eine App nicht empfangen kann (https oder ein eigenes Schema wie com.example.app:/callback)
uri-credentials = '{ $address }' enthält einen Benutzernamen oder ein Passwort, was eine eingetragene Adresse nicht darf
field-not-language = muss en oder de sein
field-not-editable = kann hier nicht geändert werden
email-invalid = Das ist keine gültige E-Mail-Adresse
username-invalid = Ein Benutzername besteht aus 5 bis 31 Buchstaben, Ziffern, - _ @ .
username-taken = Dieser Benutzername ist vergeben; wählen Sie einen anderen
password-too-short = Das Passwort ist zu kurz: es braucht mindestens { $min } Zeichen
password-too-long = Das Passwort ist zu lang: höchstens { $max } Zeichen
password-too-weak = Das Passwort ist zu leicht zu erraten; verwenden Sie einige ungewöhnliche Wörter
site-key-invalid = „{ $typed }“ ist kein gültiger Seitenschlüssel: 1 bis 32 Kleinbuchstaben, Ziffern und „-“, beginnend mit einem Buchstaben oder einer Ziffer
password-current-wrong = Das aktuelle Passwort stimmt nicht
password-must-differ = Das neue Passwort muss sich vom aktuellen unterscheiden
field-not-group = ist keine Gruppen-ID
field-not-boolean = muss true oder false sein
field-not-setting = ist keine Einstellung einer Site
field-item-twice = nennt einen Eintrag zweimal
field-between = muss zwischen { $min } und { $max } liegen, nicht { $value }
field-idle-over-absolute = darf nicht länger sein als die längste Sitzung
field-not-colour = „{ $value }“ ist keine Farbe wie #1a2b3c
field-length = muss { $min } bis { $max } Zeichen lang sein
field-not-whole-number = muss eine ganze Zahl sein
field-not-list = muss eine Liste sein
field-not-choice = ist keine der Möglichkeiten
field-not-country = ist kein Land: geben Sie das Kürzel (DE) oder den Namen (Deutschland) an
field-unknown = ist kein Feld eines Kunden

## Console

c-nav-registrations = Registrierungen
c-nav-customers = Kunden
c-nav-groups = Gruppen
c-nav-report = Bericht
c-nav-outbox = Postausgang
c-nav-audit = Protokoll
c-nav-templates = E-Mail-Vorlagen
c-nav-staff = Mitarbeiter
c-nav-tokens = API-Schlüssel
c-nav-settings = Einstellungen
c-nav-security = Sicherheit
c-console-name = Gatehouse-Konsole
c-sign-out = Abmelden
c-sign-in = Anmelden
c-sign-in-heading = An der Konsole anmelden
c-email-address = E-Mail-Adresse
c-password = Passwort
c-login-code = Code aus Ihrer Authenticator-App
c-login-code-hint = (falls eingerichtet)
c-console = Konsole
c-accounts-per-status = Konten nach Status
c-site = Website
c-all = alle
c-all-sites = Alle Websites
c-show = Anzeigen
c-per-day-site = Registrierungen pro Tag, letzte { $days } Tage auf { $site }
c-per-day-all = Registrierungen pro Tag, letzte { $days } Tage, alle Websites
c-registrations-in-days = { $count ->
        [one] { $count } Registrierung
       *[other] { $count } Registrierungen
    } in { $days } Tagen.
c-home-registrations = die Warteschlange nach Status, mit Sammelaktionen
c-home-report = pro Website, mit CSV
c-home-outbox = welche E-Mails verschickt wurden, welche warten, welche fehlschlugen
c-home-templates = der Website „main“
c-status-unverified = unbestätigt
c-status-pending = wartend
c-status-active = aktiv
c-status-locked = gesperrt
c-status-blocked = blockiert
c-status-deleted = gelöscht
c-status-waiting = wartet auf Freigabe
c-all-messages = Alle
c-queued = Eingereiht
c-to = An
c-message = Nachricht
c-status = Status
c-attempts = Versuche
c-last-error = Letzter Fehler
c-send-again = Erneut senden
c-no-messages = Keine Nachrichten.
c-mail-pending = wartend
c-mail-sent = versendet
c-mail-failed = fehlgeschlagen
c-message-queued = Die Nachricht ist erneut eingereiht.
c-templates-of = E-Mail-Vorlagen von „{ $site }“
c-language = Sprache
c-subject = Betreff
c-edit-changed = Bearbeiten (geändert)
c-edit = Bearbeiten
c-template-heading = E-Mail „{ $key }“ auf { $language }
c-template-variables = Variablen:
c-template-layout = Der HTML-Teil steht im mitgelieferten Layout; jede Nachricht endet mit dem Hinweis, dass Antworten nicht gelesen werden.
c-template-changed = Diese Nachricht weicht von der mitgelieferten Vorlage ab.
c-template-default = Dies ist die mitgelieferte Vorlage.
c-plain-text = Reiner Text
c-preview = Vorschau
c-save = Speichern
c-back-to-default = Zurück zur Vorlage
c-preview-heading = Vorschau mit Beispieldaten
c-html-preview = HTML-Vorschau
c-saved = Gespeichert.
c-default-applies = Die mitgelieferte Vorlage gilt wieder.
c-filters = Filter
c-search = Suche
c-search-accounts-hint = Anmelde-ID, E-Mail, Name, Firma
c-login-id = Anmelde-ID
c-name = Name
c-company = Firma
c-registered = Registriert
c-verified = Bestätigt
c-email-validated = E-Mail bestätigt
c-customer = Kunde
c-select = { $what } auswählen
c-yes = ja
c-no = nein
c-assigned = zugeordnet
c-waiting-assignment = wartet auf Zuordnung
c-no-accounts = Hier sind keine Konten.
c-accounts-total = { $count ->
        [one] { $count } Konto
       *[other] { $count } Konten
    } insgesamt
c-page-of = Seite { $page } von { $pages }
c-previous = zurück
c-next = weiter
c-act-on-accounts = Ausgewählte Konten bearbeiten
c-action = Aktion
c-reason-audited = Grund (wird protokolliert)
c-notify = Kunden benachrichtigen (Ablehnen: Ablehnungs-E-Mail)
c-apply-selected = Auf Ausgewählte anwenden
c-apply-shown = Auf alle Angezeigten anwenden
c-action-approve = freigeben
c-action-disapprove = ablehnen
c-action-delete = löschen
c-action-undelete = wiederherstellen
c-action-block = blockieren
c-action-unblock = entblocken
c-action-unlock = entsperren
c-action-resend_activation = Aktivierung erneut senden
c-action-send_password_reset = Passwort-Link senden
c-add-customer = Kunden anlegen
c-search-customers-hint = Name, E-Mail, Firma
c-any = alle
c-group = Gruppe
c-download-csv = CSV herunterladen
c-customers-total = { $count ->
        [one] { $count } Kunde
       *[other] { $count } Kunden
    }
c-customers-more = Mehr als { $count } Kunden
c-narrow = Schränken Sie die Suche ein, um die genaue Zahl zu sehen, oder laden Sie die CSV-Datei mit allen herunter.
c-no-customers = Keine passenden Kunden.
c-act-on-customers = Ausgewählte Kunden bearbeiten
c-put-in-group = in Gruppe aufnehmen
c-delete-customers = löschen (Kunden ohne Konten)
c-no-group = keine Gruppe
c-page = Seite { $page }
c-customer-added = Kunde angelegt.
c-customer-deleted = Kunde gelöscht.
c-all-customers = Alle Kunden
c-nothing-saved = Nichts wurde gespeichert: bitte korrigieren Sie die markierten Felder.
c-notifications = Erhält Benachrichtigungen
c-portal-account = Portalkonto (optional)
c-no-account = kein Konto
c-login-id-default = Anmelde-ID (Standard: die E-Mail-Adresse)
c-send-welcome = Willkommens-E-Mail mit einem Link zum Festlegen des Passworts senden
c-add-customer-button = Kunden anlegen
c-portal-accounts = Portalkonten
c-role = Rolle
c-no-portal-accounts = Keine Portalkonten.
c-delete-customer = Diesen Kunden löschen
c-role-customer = Kunde
c-role-customer_manager = Kundenverwalter
customer-field-first_name = Vorname
customer-field-last_name = Nachname
customer-field-email = E-Mail-Adresse
customer-field-company = Firma
customer-field-url = Webadresse
customer-field-phone = Telefon
customer-field-mobile = Mobiltelefon
customer-field-country = Land
customer-field-region = Region
customer-field-street = Straße
customer-field-postcode = Postleitzahl
customer-field-city = Ort
customer-field-external_id = Externe ID
customer-field-group_id = Gruppe
customer-field-avatar_url = Avatar-Adresse
customer-field-notifications = Benachrichtigungen
customer-field-notes = Notizen
customer-field-language = Sprache (en oder de)
customer-field-created_at = Angelegt
c-groups-heading = Kundengruppen
c-groups-intro = Inaktive Gruppen bleiben erhalten, werden aber nicht mehr zur Auswahl angeboten.
c-description = Beschreibung
c-active = Aktiv
c-active-lower = aktiv
c-name-of = Name von { $what }
c-description-of = Beschreibung von { $what }
c-delete = Löschen
c-no-groups = Noch keine Gruppen.
c-add-group = Gruppe anlegen
c-add-group-button = Gruppe anlegen
c-group-added = Gruppe angelegt.
c-group-saved = Gruppe gespeichert.
c-group-deleted = Gruppe gelöscht.
c-temporary-shown = Vorläufiges Passwort, nur jetzt sichtbar:
c-temporary-until = es muss nach { $at } geändert werden.
c-email = E-Mail
c-validated = bestätigt
c-not-validated = nicht bestätigt
c-account-dates = Registriert · bestätigt · freigegeben · letzte Anmeldung
c-access = Zugang
c-on = an
c-off = aus
c-until = bis { $at }
c-password-expires = Passwort läuft ab
c-never = nie
c-failed-attempts = Fehlversuche
c-none-yet = noch keiner
c-lifecycle = Lebenszyklus
c-reason = Grund
c-assign-heading = Einem Kunden zuordnen
c-assign = Zuordnen
c-no-duplicates = Keine wahrscheinlichen Dubletten.
c-find-customer = Kunden suchen
c-find-customer-hint = Name, E-Mail, Firma, Telefon
c-create-from-registration = Kunden aus dieser Registrierung anlegen
c-account-settings = Kontoeinstellungen
c-access-granted = Zugang gewährt
c-access-expires = Zugang endet am (leer: nie)
c-temporary-password = Vorläufiges Passwort
c-temporary-expires = Muss geändert werden nach (leer: bei der ersten Anmeldung)
c-generate-temporary = Vorläufiges Passwort erzeugen
c-impersonate-heading = Das Portal als dieser Kunde öffnen
c-impersonate-reason = Grund (erforderlich, wird protokolliert)
c-minutes = Minuten
c-impersonate = Als Kunde öffnen
c-sessions = Sitzungen
c-signed-in = Angemeldet
c-last-active = Zuletzt aktiv
c-device = Gerät
c-impersonation = Mitarbeiteransicht
c-no-sessions = Keine laufenden Sitzungen.
c-audit-trail = Protokoll
c-when = Wann
c-who = Wer
c-what = Was
c-details = Details
c-assigned-done = Zugeordnet.
c-session-signed-out = Die Sitzung wurde beendet.
c-sign-out-everywhere = Überall abmelden
c-sign-out-everywhere-hint = Beendet jede Portal-Sitzung und meldet den Kunden bei jeder App ab (die Apps erfahren es sofort).
c-signed-out-everywhere = Das Konto wurde überall abgemeldet: Jede Sitzung ist beendet, jede App wurde benachrichtigt.
c-reason-same-e-mail-address = gleiche E-Mail-Adresse
c-reason-same-name = gleicher Name
c-reason-same-last-name = gleicher Nachname
c-reason-same-company = gleiche Firma
c-reason-found-by-search = durch Suche gefunden
c-action-starts = Aktion beginnt mit
c-from = Von
c-target = Ziel
c-account = Konto
c-nothing-recorded = Noch nichts protokolliert.
c-second-factor = Zweiter Faktor
c-totp-on = Ihre Anmeldung verlangt einen Code aus Ihrer Authenticator-App.
c-totp-forced = Administratoren dieser Installation müssen einen zweiten Faktor verwenden. Richten Sie ihn ein, um fortzufahren.
c-totp-intro = Scannen Sie den QR-Code mit einer Authenticator-App und geben Sie dann den angezeigten Code ein.
c-code = Code
c-turn-on = Einschalten
c-installation-settings = Einstellungen der Installation
c-require-totp = Administratoren müssen sich mit einem Code aus einer Authenticator-App anmelden
c-support-impersonate = Support-Mitarbeiter dürfen das Portal als Kunde öffnen
c-invitation-link = Geben Sie diesen einmal gültigen Link (24 Stunden) an { $email }:
c-password-heading = Passwort
c-current-password = Aktuelles Passwort
c-new-password = Neues Passwort
c-new-password-again = Neues Passwort wiederholen
c-password-change-hint = Alle Ihre Konsolensitzungen enden, auch diese: Sie melden sich mit dem neuen Passwort wieder an.
c-password-change = Passwort ändern
c-password-changed = Ihr Passwort ist geändert. Melden Sie sich mit dem neuen an.
c-passwords-differ = die beiden neuen Passwörter sind nicht gleich
staff-current-password-wrong = das aktuelle Passwort ist nicht richtig
c-forgot-link = Passwort vergessen?
c-forgot-heading = Konsolen-Passwort vergessen
c-forgot-intro = Geben Sie die E-Mail-Adresse an, mit der Sie sich anmelden. Gehört sie zu einem Mitarbeiterkonto, erhält sie einen Link, mit dem Sie ein neues Passwort wählen (24 Stunden gültig, einmal verwendbar). Auch das Telefon verloren? Fragen Sie einen Admin oder den Betreiber des Servers.
c-forgot-send = Link senden
c-forgot-sent = Gehört die Adresse zu einem Mitarbeiterkonto, ist ein Link zum Wählen eines neuen Passworts dorthin unterwegs (24 Stunden gültig, einmal verwendbar). Noch hat sich nichts geändert: Ihr Passwort gilt, bis Sie ein neues setzen.
c-recovery-codes-new = Ihre Wiederherstellungscodes
c-recovery-codes-keep = Bewahren Sie sie sicher und getrennt vom Telefon auf: jeder meldet Sie einmal ohne es an (dort eingeben, wo der Code gefragt wird). Sie werden nur jetzt angezeigt.
c-recovery-codes-left = { $count ->
    [one] Noch 1 Wiederherstellungscode.
   *[other] Noch { $count } Wiederherstellungscodes.
}
c-recovery-codes-heading = Wiederherstellungscodes
c-recovery-codes-make = Neue Wiederherstellungscodes erzeugen
c-code-or-recovery = Code aus Ihrer Authenticator-App oder ein Wiederherstellungscode
c-totp-off-heading = Authenticator-App ausschalten
c-totp-off-hint = Für ein neues Telefon schalten Sie sie hier aus und richten sie dann auf dieser Seite neu ein. Ihre Wiederherstellungscodes gelten dann nicht mehr.
c-totp-off = Ausschalten
c-reset = Link für neues Passwort
c-reset-of = Link für neues Passwort für { $what }
c-reset-also-phone = und die Authenticator-App ausschalten (verlorenes Telefon)
c-reset-link = Geben Sie diesen einmaligen Link an { $email } weiter (24 Stunden gültig; nur jetzt angezeigt): damit wird ein neues Passwort gewählt, und ältere Links gelten nicht mehr.
c-reset-second-factor-off = Die Authenticator-App ist ausgeschaltet und die Sitzungen sind beendet; sie wird nach der Anmeldung neu eingerichtet.
c-last-sign-in = Letzte Anmeldung
c-role-of = Rolle von { $what }
c-invite-staff = Mitarbeiter einladen
c-invite = Einladen
c-token-shown = Der Schlüssel „{ $name }“, nur jetzt sichtbar:
c-staff-user = Mitarbeiter
c-scopes = Rechte
c-made = Erstellt
c-expires = Läuft ab
c-last-used = Zuletzt benutzt
c-revoked = widerrufen { $at }
c-revoke = Widerrufen
c-no-tokens = Noch keine Schlüssel.
c-new-token = Neuer Schlüssel
c-token-name-hint = ERP-Abgleich
c-acts-as = Handelt als
c-scopes-hint = Rechte (keines angekreuzt: alles, was die Rolle des Mitarbeiters erlaubt)
c-expires-on = Läuft ab am (leer: nie)
c-create = Erstellen
c-report-title = Registrierungsbericht
c-report-heading = Registrierungsbericht: { $site }
c-report-count = { $count ->
        [one] { $count } Registrierung
       *[other] { $count } Registrierungen
    }, die neuesten zuerst.
c-approved = Freigegeben
c-last-connection = Letzte Verbindung
c-account-expires = Konto läuft ab
c-no-registrations = Keine Registrierungen auf dieser Website.
c-bad-address = Diese Adresse lässt sich nicht öffnen: { $detail }. Prüfen Sie den Link oder gehen Sie zurück und versuchen Sie es erneut.
c-choose-action = Aktion wählen …
c-form-expired = Das Formular war abgelaufen; bitte versuchen Sie es erneut
c-login-expired = Das Formular war abgelaufen. Bitte melden Sie sich erneut an.
c-login-wrong = E-Mail-Adresse, Passwort oder Code stimmen nicht.
c-tab-unverified = Unbestätigt
c-tab-pending = Wartend
c-tab-locked = Gesperrt
c-tab-blocked = Blockiert
c-tab-deleted = Gelöscht
c-tab-active = Aktiv
c-chart-title = Registrierungen pro Tag, { $from } bis { $to }

## Anmelden bei den Apps des Unternehmens (OpenID Connect)
oauth_refused_title = Diese Anmeldung kann nicht fortgesetzt werden
oauth_refused_lead = Die App, die Sie hierher geschickt hat, hat etwas verlangt, das dieses Portal nicht kann; deshalb wurden Sie nicht zu ihr zurückgeschickt. Bitte teilen Sie den Entwicklern der App mit, was das Portal gemeldet hat:
oauth_continue_title = Angemeldet
oauth_continue_lead = Sie sind angemeldet. Sie werden zur App zurückgebracht …
oauth_continue_link = Weiter zur App
oauth_logout_title = Abmelden
oauth_logout_done = Sie sind vom Portal abgemeldet.
oauth_logout_not_done = Die App hat nicht angegeben, wer sich abmeldet; deshalb wurde nichts geändert. Sie können sich im Portal selbst abmelden.
oauth_logout_link = Zum Portal
oauth_logout_confirm = Die App hat nicht angegeben, wer sich abmeldet; deshalb hat sich noch nichts geändert. Möchten Sie sich vom Portal abmelden?
oauth_logout_stay = Angemeldet bleiben
consent_title = { $app } erlauben?
consent_lead = { $app } wird nicht von { $site } betrieben. Die App möchte Sie mit Ihrem Konto hier anmelden und Folgendes sehen:
consent_only_sign_in = Nur, dass Sie angemeldet sind, und eine Kennung, die anderswo nichts bedeutet.
consent_remembered = Ihre Antwort wird gespeichert. Sie können sie jederzeit unter „Verbundene Apps“ zurückziehen.
consent_allow = Erlauben
consent_deny = Nicht erlauben
consent_scope_profile = Ihren Namen und Ihre Sprache
consent_scope_email = Ihre E-Mail-Adresse und ob sie bestätigt ist
consent_scope_offline_access = angemeldet zu bleiben, während Sie nicht da sind
consent_scope_gatehouse = Ihre Kundennummer, Firma, Rolle und Gruppen
apps_title = Verbundene Apps
apps_lead = Apps, bei denen Sie sich mit Ihrem Konto hier angemeldet haben. Wenn Sie eine App trennen, werden Sie dort abgemeldet und die Freigabe wird zurückgezogen.
apps_none = Mit Ihrem Konto ist keine App verbunden.
apps_app = App
apps_may_see = Darf sehen
apps_since = Erlaubt am
apps_signed_in = Angemeldet am
apps_own = betrieben von { $site }
apps_disconnect = Trennen
apps_disconnected = Die App wurde getrennt: Sie sind dort abgemeldet, und sie fragt erneut, bevor sie etwas sieht.
c-nav-apps = Apps
c-apps-heading = Apps der Site { $site }
c-apps-intro = Die eigenen Web-Apps, Shops und mobilen Apps des Unternehmens, bei denen sich Kunden über diese Site anmelden (OpenID Connect). Die OpenID-Connect-Bibliothek der App braucht den Aussteller unten, die client_id und das Geheimnis.
c-apps-issuer = Aussteller (Issuer):
c-no-apps = Noch ist keine App registriert.
c-app-name = Name (für Kunden sichtbar)
c-app-type = Art
c-app-confidential = vertraulich: eine serverseitige App, die ein Geheimnis bewahrt
c-app-public = öffentlich: eine Browser- oder mobile App ohne Geheimnis (PKCE)
c-app-first-party = Eine eigene App des Unternehmens (Kunden werden nicht um Zustimmung gebeten)
c-app-first-party-short = Eigene App
c-app-redirect-uris = Weiterleitungsadressen
c-app-redirect-uris-hint = Eine pro Zeile, exakt verglichen. https, oder http nur für 127.0.0.1, [::1] oder localhost.
c-app-post-logout-uris = Adressen nach dem Abmelden (eine pro Zeile)
c-app-backchannel = Back-Channel-Logout-Adresse
c-app-backchannel-hint = Dorthin sendet Gatehouse ein Logout-Token, wenn ein Kunde gesperrt, gelöscht oder überall abgemeldet wird. Leer: keine.
c-app-scopes = Was die App erfragen darf
c-app-register = App registrieren
c-app-register-button = Registrieren
c-app-registered = { $name } ist registriert
c-app-secret-once = Kopieren Sie das Geheimnis jetzt: Es wird nur dieses eine Mal gezeigt und gehasht gespeichert.
c-app-saved = Die App wurde gespeichert.
c-app-deleted = Die App wurde gelöscht; jede ihrer Anmeldungen ist beendet.
c-app-new-secret = Das neue Geheimnis
c-app-secret-heading = Geheimnis
c-app-secret-hint = Ein neues Geheimnis ersetzt das alte sofort: Die App braucht es, bevor sie wieder jemanden anmeldet.
c-app-secret-button = Neues Geheimnis erzeugen
c-app-delete-hint = Das Löschen beendet jede Anmeldung der App; Kunden können sich dort nicht mehr anmelden.
c-app-delete-button = { $name } löschen
c-app-backchannel-sid = Die App braucht die Sitzung (sid) in ihren Logout-Tokens (Gatehouse sendet sie immer)
c-app-signing-alg = Token-Signatur
c-app-signing-alg-hint = ES256 ist kleiner und schneller; RS256 für Bibliotheken, die nur RS256 kennen (mod_auth_openidc vor 2.4, ältere Java- und .NET-Bibliotheken).
c-app-machine = Maschinenzugriff (client_credentials): die App darf Tokens für sich selbst erhalten, ohne dass ein Kunde dabei ist
c-app-machine-hint = Nur für einen Server, der als er selbst eine API aufruft. Aus, solange nicht gewählt; eine öffentliche App kann ihn nicht haben.
c-app-resources = APIs, für die die App Tokens anfordern darf (eine Adresse pro Zeile)
c-app-resources-hint = Ein für eine dieser Adressen angefordertes Access-Token (Parameter resource der Token-Anfrage, RFC 8707) nennt sie als Zielgruppe und gilt nur dort. Leer: Tokens gelten für die App selbst.
c-copy = Kopieren
c-copied = Kopiert
c-apps-connect = Eine App anbinden: Discovery, Endpunkte und Rezepte
c-apps-discovery = Discovery-Dokument
c-apps-recipes = Die meisten OpenID-Connect-Bibliotheken brauchen nur die Discovery-Adresse (oder den Issuer), die client_id und das Secret. Gegen Gatehouse getestete Rezepte (vollständig in docs/oidc.md):
landing-title = Gatehouse
landing-lead = Die Kontenverwaltung der Kundenportale dieses Unternehmens.
landing-portals = Kundenportale
landing-no-sites = Noch ist kein Portal eingerichtet.
landing-staff = Mitarbeitende
landing-console = Die Konsole (Anmeldung für Mitarbeitende)
landing-api = Die API und ihre Dokumentation
not-found-title = Hier ist nichts
not-found-text = Unter dieser Adresse gibt es keine Seite. Prüfen Sie den Link oder beginnen Sie auf der Startseite (/).
device-on = { $browser } unter { $system }
c-cancel = Abbrechen
c-delete-customer-ask = { $name } löschen?
c-delete-customer-lasting = Der Kundendatensatz wird endgültig entfernt. Seine gelöschten Portalkonten bleiben, ohne Zuordnung.
c-delete-customer-yes = { $name } löschen
nav_home = Start
home_title = Willkommen, { $name }
home_account = Sie sind angemeldet als { $login } ({ $email }).
home_profile = Ihre Angaben
home_profile_lead = Ihr Name, Ihre Firma und Ihre Adresse, wie dieses Portal sie kennt.
home_password = Passwort ändern
home_sessions = Wo Sie angemeldet sind
home_sessions_count = { $count ->
    [one] Eine Sitzung: diese.
   *[other] { $count } Sitzungen.
}
home_apps = Ihre Apps
home_apps_none = Sie haben sich mit diesem Konto noch bei keiner App angemeldet.
home_apps_some = Sie haben sich angemeldet bei: { $apps }.
c-message-text = Reiner Text
c-message-html = HTML (wie gesendet, als Quelltext)
c-back-to-outbox = Zurück zum Postausgang

# Site settings (console Sites page)
site-setting-self_registration = Kunden dürfen sich selbst registrieren
site-setting-self_registration-help = Zeigt „Registrieren“ im Portal. Aus: nur Mitarbeiter legen Konten an.
site-setting-approval_required = Registrierungen brauchen eine Freigabe
site-setting-approval_required-help = Eine bestätigte Registrierung wartet unter „Wartet auf Freigabe“, bis Mitarbeiter sie freigeben.
site-setting-manager_invites_need_approval = Einladungen von Kundenmanagern brauchen eine Freigabe
site-setting-manager_invites_need_approval-help = Ein von einem Kundenmanager eingeladener Kollege wartet unter „Wartet auf Freigabe“; die Einladung geht erst nach der Freigabe durch Mitarbeiter hinaus. Aus (Standard): sie geht sofort hinaus.
site-setting-create_customer_on_registration = Kundendatensatz bei der Registrierung anlegen
site-setting-create_customer_on_registration-help = Aus: ein neues Konto wartet, bis Mitarbeiter es einem Kunden zuordnen.
site-setting-login_id_mode = Login-ID
site-setting-login_id_mode-help = Womit sich Kunden anmelden: ihre E-Mail-Adresse oder ein selbst gewählter Benutzername (5–31 Buchstaben, Ziffern, - _ @ .).
site-setting-max_failed_attempts = Fehlgeschlagene Anmeldungen bis zur Sperre
site-setting-max_failed_attempts-help = 1 bis 100. Standard 5.
site-setting-lock_mode = Art der Sperre
site-setting-lock_mode-help = Vorübergehend: endet nach der Sperrdauer von selbst. Dauerhaft: nur Mitarbeiter entsperren.
site-setting-lock_duration_seconds = Dauer einer vorübergehenden Sperre (Sekunden)
site-setting-lock_duration_seconds-help = Standard 900 (15 Minuten); höchstens ein Jahr.
site-setting-forgot_password_enabled = „Passwort vergessen“ anbieten
site-setting-forgot_password_enabled-help = Kunden können einen Link zum Zurücksetzen per E-Mail anfordern.
site-setting-password_min_length = Kürzestes Passwort (Zeichen)
site-setting-password_min_length-help = 8 bis 128. Standard 8.
site-setting-two_step = Anmeldung in zwei Schritten
site-setting-two_step-help = Nach dem Passwort ein Code aus einer Authenticator-App. Angeboten (Standard): Kunden können sie in ihrem Profil einschalten. Für Kundenverwalter oder für alle verlangt: sie richten sie bei der nächsten Anmeldung ein. Wer sie eingeschaltet hat, behält sie, was hier auch steht.
site-setting-session_idle_seconds = Abmelden nach so langer Untätigkeit (Sekunden)
site-setting-session_idle_seconds-help = Standard 1800 (30 Minuten); nicht länger als die längste Sitzung.
site-setting-session_absolute_seconds = Längste Sitzung (Sekunden)
site-setting-session_absolute_seconds-help = Eine Sitzung endet so lange nach der Anmeldung, was auch geschieht. Standard 43200 (12 Stunden).
site-setting-activation_link_ttl_seconds = Aktivierungslinks gelten (Sekunden)
site-setting-activation_link_ttl_seconds-help = Standard 86400 (ein Tag); höchstens 30 Tage.
site-setting-reset_link_ttl_seconds = Links zum Zurücksetzen gelten (Sekunden)
site-setting-reset_link_ttl_seconds-help = Standard 3600 (eine Stunde); höchstens 7 Tage.
site-setting-invitation_link_ttl_seconds = Einladungslinks gelten (Sekunden)
site-setting-invitation_link_ttl_seconds-help = Links, mit denen ein Kunde ein erstes Passwort setzt. Standard 604800 (7 Tage); höchstens 90 Tage.
site-setting-editable_fields = Felder, die Kunden selbst ändern dürfen
site-setting-editable_fields-help = Gruppe, Rolle, Firma, externe ID und Notizen ändern immer nur Mitarbeiter (die Firma wird, wenn aufgeführt, nur angezeigt).
site-setting-lock_names_once_set = Vor- und Nachname sind nach dem ersten Setzen fest
site-setting-lock_names_once_set-help = Danach ändern sie nur Mitarbeiter.
site-setting-default_language = Standardsprache
site-setting-default_language-help = Des Portals und der E-Mails für Kunden, die keine gewählt haben.
site-setting-base_url = Öffentliche Adresse des Portals
site-setting-base_url-help = Für Links in E-Mails und als OpenID-Connect-Issuer, z. B. https://portal.example.com/s/main. Leer: die Adresse dieses Servers.
site-setting-brand_name = Name für Kunden
site-setting-brand_name-help = Auf den Seiten und in E-Mails. Leer: der Name der Site.
site-setting-brand_colour = Akzentfarbe
site-setting-brand_colour-help = Wie #1a2b3c. Leer: die Standardfarbe.
site-setting-logo_url = Adresse des Logos
site-setting-logo_url-help = Eine http://- oder https://-Adresse eines Bildes. Leer: kein Logo.
site-setting-support_email = E-Mail-Adresse des Supports
site-setting-support_email-help = Kunden werden gebeten, hierhin zu schreiben; E-Mails kommen von einer Adresse, die keine Antworten annimmt.
site-setting-deleted_retention_days = Gelöschte Konten aufbewahren (Tage)
site-setting-deleted_retention_days-help = Wie lange ein gelöschtes Konto aufbewahrt wird, 1 bis 3650, Standard 90. Danach löscht die Aufbewahrungsbereinigung das Konto endgültig, und seinen Kunden, wenn er kein anderes Konto hat.

# Sites page
c-nav-sites = Sites
c-sites-intro = Jede Site ist ein Kundenportal mit eigenen Konten, Einstellungen, E-Mail-Vorlagen und Apps.
c-site-key = Kürzel
c-site-key-hint = 1 bis 32 Zeichen aus a–z, 0–9 und -, nicht mit - am Anfang. Die Adresse des Portals ist /s/kürzel/ und lässt sich später nicht ändern.
c-site-portal = Portal
c-site-more = Einrichten
c-site-settings = Einstellungen
c-add-site = Site hinzufügen
c-add-site-button = Site hinzufügen
c-site-added = Die Site wurde mit den Standardeinstellungen angelegt.
c-site-key-taken = Eine Site mit dem Kürzel „{ $key }“ gibt es schon.
c-site-heading = Site { $site }
c-site-name-is = Name: { $name }
c-site-read-only = Nur Admins ändern die Einstellungen einer Site.
c-save-settings = Einstellungen speichern
site-section-registration = Registrierung
site-section-sign-in = Anmeldung und Sperren
site-section-sessions = Sitzungen und Links
site-section-profile = Profil
site-section-branding = Adressen und Erscheinungsbild
site-section-retention = Aufbewahrung
site-choice-login_id_mode-email = E-Mail-Adresse
site-choice-login_id_mode-username = Benutzername
site-choice-lock_mode-temporary = Vorübergehend
site-choice-lock_mode-permanent = Dauerhaft (Mitarbeiter entsperren)
site-choice-two_step-off = Nicht angeboten
site-choice-two_step-offered = Allen angeboten
site-choice-two_step-managers = Für Kundenverwalter verlangt
site-choice-two_step-everyone = Für alle verlangt
site-choice-default_language-en = Englisch
site-choice-default_language-de = Deutsch

# Bulk confirmation in the registrations queue
c-select-all-shown = alle angezeigten Konten auswählen
c-bulk-reason = Grund (steht im Audit-Log): { $reason }
c-bulk-notify = Die Kunden werden per E-Mail benachrichtigt, wo die Aktion eine sendet.
c-bulk-ask-approve = { $count ->
    [one] Ein Konto freigeben?
   *[other] { $count } Konten freigeben?
}
c-bulk-yes-approve = { $count ->
    [one] Freigeben
   *[other] { $count } Konten freigeben
}
c-bulk-ask-delete = { $count ->
    [one] Ein Konto löschen?
   *[other] { $count } Konten löschen?
}
c-bulk-yes-delete = { $count ->
    [one] Löschen
   *[other] { $count } Konten löschen
}
c-bulk-ask-disapprove = { $count ->
    [one] Eine Registrierung ablehnen?
   *[other] { $count } Registrierungen ablehnen?
}
c-bulk-yes-disapprove = { $count ->
    [one] Ablehnen
   *[other] { $count } Registrierungen ablehnen
}
c-bulk-ask-undelete = { $count ->
    [one] Ein Konto wiederherstellen?
   *[other] { $count } Konten wiederherstellen?
}
c-bulk-yes-undelete = { $count ->
    [one] Wiederherstellen
   *[other] { $count } Konten wiederherstellen
}
c-bulk-ask-block = { $count ->
    [one] Ein Konto blockieren?
   *[other] { $count } Konten blockieren?
}
c-bulk-yes-block = { $count ->
    [one] Blockieren
   *[other] { $count } Konten blockieren
}
c-bulk-ask-unblock = { $count ->
    [one] Ein Konto entblocken?
   *[other] { $count } Konten entblocken?
}
c-bulk-yes-unblock = { $count ->
    [one] Entblocken
   *[other] { $count } Konten entblocken
}
c-bulk-ask-unlock = { $count ->
    [one] Ein Konto entsperren?
   *[other] { $count } Konten entsperren?
}
c-bulk-yes-unlock = { $count ->
    [one] Entsperren
   *[other] { $count } Konten entsperren
}
c-bulk-ask-resend_activation = { $count ->
    [one] Den Aktivierungslink erneut an ein Konto senden?
   *[other] Den Aktivierungslink erneut an { $count } Konten senden?
}
c-bulk-yes-resend_activation = { $count ->
    [one] Senden
   *[other] { $count } Links senden
}
c-bulk-ask-send_password_reset = { $count ->
    [one] Einen Link zum Zurücksetzen des Passworts an ein Konto senden?
   *[other] Einen Link zum Zurücksetzen des Passworts an { $count } Konten senden?
}
c-bulk-yes-send_password_reset = { $count ->
    [one] Senden
   *[other] { $count } Links senden
}

# The set-password page of a setup or invitation link
setup-title-invited = Wählen Sie Ihr Konsolen-Passwort
setup-intro-invited = Sie wurden in die Gatehouse-Konsole eingeladen. Wählen Sie das Passwort, mit dem Sie sich anmelden. Dieser Link funktioniert einmal.
setup-title-first = Den ersten Admin anlegen
setup-intro-first = Diese Installation hat noch keine Mitarbeiter. Der Admin, den Sie hier anlegen, verwaltet Sites, Einstellungen, Mitarbeiter und alle Kundenkonten. Dieser Link funktioniert einmal.
setup-email = E-Mail-Adresse
setup-password = Passwort
setup-password-hint = (mindestens 12 Zeichen; einige ungewöhnliche Wörter eignen sich gut)
setup-password-again = Passwort wiederholen
setup-button-invited = Passwort festlegen
setup-button-first = Admin anlegen
setup-mismatch = Die beiden Passwörter stimmen nicht überein.
setup-gone-title = Dieser Einrichtungslink funktioniert nicht mehr
setup-gone-why = Er wurde schon benutzt, ist abgelaufen, oder es gibt schon einen Admin.
setup-gone-then = Starten Sie den Server neu, um einen neuen Link zu erhalten, solange es keine Mitarbeiter gibt, oder führen Sie `gatehouse staff add` auf dem Server aus.
setup-done-invited = Ihr Passwort ist festgelegt
setup-done-first = Der erste Admin ist angelegt
setup-title-reset = Neues Konsolen-Passwort wählen
setup-intro-reset = Auf dem Server wurde ein neues Passwort für Ihr Konsolenkonto angefordert. Wählen Sie es hier; Ihr altes Passwort gilt dann nicht mehr und Ihre offenen Sitzungen enden. Dieser Link funktioniert einmal.
setup-button-reset = Mein neues Passwort setzen
setup-done-reset = Ihr neues Passwort ist gesetzt
setup-done-who = { $email } kann sich jetzt als { $role } in der Konsole anmelden.
setup-done-next = Dieser Link funktioniert nicht mehr. Melden Sie sich unter /admin/login an.
no-portal-title = Hier gibt es kein Portal
no-portal-text = Prüfen Sie die Adresse.

# Headings of columns without a visible heading
th-actions = Aktionen
th-select = Auswahl

# Audit details and targets
c-field = Feld
c-before = Vorher
c-after = Nachher
c-open = öffnen
c-kind-account = Konto
c-kind-customer = Kunde
c-kind-site = Site
c-kind-group = Gruppe
c-kind-staff = Mitarbeiter
c-kind-client = App
c-kind-api_token = API-Schlüssel
c-kind-outbox = Nachricht

# TOTP set-up
c-totp-qr = QR-Code zum Scannen mit einer Authenticator-App
c-totp-or-type = Oder tippen Sie diesen Schlüssel in die App ein:
c-totp-address = Die Adresse im QR-Code

# A form posted after the session ended
c-session-ended = Ihre Sitzung war abgelaufen. Melden Sie sich erneut an: Ihre Eingaben bleiben erhalten, und Sie können sie danach absenden.
c-resume-heading = Formular absenden?
c-resume-text = Sie sind wieder angemeldet. Das haben Sie eingegeben, bevor die Sitzung ablief; noch ist nichts gespeichert.
c-resume-send = Jetzt absenden
c-resume-drop = Verwerfen
c-bulk-ask-delete-customers = { $count ->
    [one] Einen Kunden löschen?
   *[other] { $count } Kunden löschen?
}
c-bulk-yes-delete-customers = { $count ->
    [one] Löschen
   *[other] { $count } Kunden löschen
}
c-name-at-registration = Name bei der Registrierung
c-staff-role-admin = Admin
c-staff-role-support = Support

# Companies
c-nav-companies = Firmen
c-companies-intro = Die Firmen, für die Ihre Kunden arbeiten. Ein Kunde gehört zu höchstens einer Firma; ein Kundenmanager betreut die Leute seiner eigenen Firma.
c-search-companies-hint = Name oder externe ID
c-companies-total = { $count ->
        [one] { $count } Firma
       *[other] { $count } Firmen
    }
c-no-companies = Noch keine Firmen.
c-add-company = Firma hinzufügen
c-all-companies = Alle Firmen
c-company-name = Name
c-company-external_id = Externe ID (Schlüssel im ERP)
c-company-address = Anschrift
c-company-notes = Notizen
c-company-data = Die Firma
c-company-added = Die Firma wurde hinzugefügt.
c-company-deleted = Die Firma wurde gelöscht.
c-delete-company = Diese Firma löschen
c-company-has-customers = Zu dieser Firma gehören noch Kunden: Ordnen Sie sie zuerst einer anderen Firma zu. Es wurde nichts gelöscht.
c-company-open-existing = Stattdessen „{ $name }“ öffnen
c-company-people = { $count ->
        [one] { $count } Kunde
       *[other] { $count } Kunden
    }
c-company-all-customers = Alle { $count } in der Kundenliste zeigen
c-company-no-customers = Zu dieser Firma gehört noch kein Kunde.
c-company-help = Wählen Sie eine Firma aus der Liste oder geben Sie einen neuen Namen ein, um eine Firma damit anzulegen.
c-only-company = nur „{ $name }“
c-kind-company = Firma
company-name-needed = geben Sie den Namen der Firma an
company-name-taken = eine Firma namens „{ $name }“ gibt es schon; wählen Sie diese
company-name-just-taken = eine Firma mit diesem Namen wurde eben angelegt; wählen Sie diese
company-external-id-taken = eine andere Firma hat diese externe ID
field-not-company = ist keine Firmen-ID
field-no-such-company = diese Firma gibt es nicht
customer-field-company_id = Firma

# The customer manager's team page
nav_team = Team
team_title = Ihr Team
team_intro = Die Leute Ihrer Firma, die dieses Portal nutzen. Sie können Kollegen einladen, eine Einladung erneut senden und den Zugang eines Kollegen aus- und einschalten.
team_name = Name
team_status = Status
team_last_sign_in = Letzte Anmeldung
team_actions = Aktionen
team_you = Sie
team_manager = Manager
team_never = nie
team_access_is_off = Zugang ausgeschaltet
team_invited_not_yet = eingeladen, noch nicht angemeldet
team_status_unverified = Adresse nicht bestätigt
team_status_pending = wartet auf Freigabe
team_status_active = aktiv
team_status_locked = gesperrt
team_status_blocked = blockiert
team_status_deleted = gelöscht
team_switch_off = { $name } ausschalten
team_switch_on = { $name } einschalten
team_resend = { $name } den Link erneut senden
team_invite_title = Kollegen einladen
team_invite_intro = Ihr Kollege erhält eine E-Mail mit einem Link, um ein Passwort zu wählen. Der Link funktioniert einmal.
team_invite_submit = Einladung senden
team_invited = Die Einladung wurde gesendet.
team_invited_pending = Ihr Kollege wurde hinzugefügt. Die Einladung geht hinaus, sobald das Unternehmen sie freigibt.
team_access_on = Der Zugang wurde eingeschaltet.
team_access_off = Der Zugang wurde ausgeschaltet: Ihr Kollege wurde überall abgemeldet.
team_resent = Ein neuer Link wurde gesendet. Ältere Links funktionieren nicht mehr.
team_back = Zurück zu Ihrem Team
team_refused_not_a_manager = Nur ein Kundenmanager betreut ein Team.
team_refused_no_company = Ihr Konto gehört noch zu keiner Firma. Bitten Sie das Unternehmen, es Ihrer Firma zuzuordnen.
team_refused_not_found = Dieses Konto gibt es in Ihrem Team nicht.
team_refused_yourself = Ihr eigenes Konto können Sie hier nicht ändern.
team_refused_another_manager = Das Konto eines anderen Kundenmanagers ändern die Mitarbeiter des Unternehmens.
team_refused_nothing_to_resend = Dieser Kollege hat sich schon angemeldet: Es gibt keinen Link zu senden.
team_refused_waits_for_approval = Diese Einladung wartet auf die Freigabe durch das Unternehmen. Sie wird nach der Freigabe gesendet.
team-address-taken = diese Adresse hat auf dieser Website schon ein Konto
c-actor-staff = Mitarbeiter
c-actor-api = API-Token
c-actor-customer = Kunde
c-actor-system = System
c-actor-setup_link = Einrichtungslink

c-personal-data = Personenbezogene Daten
c-download-personal-data = Personenbezogene Daten herunterladen (JSON)
c-erasure-reason = Grund der Löschung (bleibt im Prüfprotokoll; keine personenbezogenen Daten)
c-erase-customer = Personenbezogene Daten löschen…
c-erasure-reason-needed = Geben Sie den Grund der Löschung an.
c-erase-customer-ask = { $name } endgültig löschen?
c-erase-customer-lasting = Der Kunde, alle seine Portalkonten (mit Sitzungen und App-Anmeldungen), alle E-Mails an seine Adressen und die personenbezogenen Daten in Prüfereignissen über ihn werden endgültig entfernt. Das lässt sich nicht rückgängig machen. Nur die Tatsache der Löschung und ihr Grund bleiben.
c-erase-customer-yes = { $name } löschen
c-customer-erased = Kunde gelöscht. Nur der Eintrag der Löschung im Prüfprotokoll bleibt.

profile_your_data = Ihre Daten
profile_your_data_lead = Alles, was wir über Sie speichern (Ihre Angaben, Konten, Sitzungen, die erlaubten Apps, den Verlauf Ihres Kontos und die E-Mails an Sie), als eine Datei.
profile_download_data = Meine Daten herunterladen (JSON)

c-nav-import = Import
c-import-heading = Kunden importieren
c-import-intro = Eine CSV-Datei (UTF-8, zuerst eine Kopfzeile) mit Kunden und ihren Portalkonten, mit Passwort-Hashes aus dem alten System, falls vorhanden. Die ganze Datei ist eine Transaktion: ein Probelauf prüft jede Zeile und schreibt nichts; ein Import schreibt alle Zeilen oder keine, oder nur die guten, wie Sie wählen. Jede fehlerhafte Zeile wird mit ihrer Zeilennummer gemeldet.
c-import-file = CSV-Datei (bis 64 MiB)
c-import-mapping = Spaltenzuordnung (optional)
c-import-mapping-help = Eine pro Zeile: die Kopfzeile der Datei, „=“, und die Gatehouse-Spalte, die sie füllt, z. B. Vorname=first_name. Kopf= lässt eine Spalte weg. Nicht zugeordnete Köpfe müssen Gatehouse-Spaltennamen sein (unten).
c-import-mode = Fehlerhafte Zeilen
c-import-all-or-nothing = Alles oder nichts: bei einer fehlerhaften Zeile wird nichts importiert
c-import-skip-bad-rows = Die guten Zeilen importieren, die fehlerhaften melden
c-import-dry-run = Probelauf: prüfen und melden, nichts schreiben
c-import-send-invitations = Jedem neuen Konto ohne Passwort eine Einladung senden, eines zu wählen
c-import-start = Hochladen und starten
c-import-columns = Spalten, die Gatehouse liest
c-import-no-file = Wählen Sie eine CSV-Datei zum Importieren.
c-import-bad-mapping = Die Zuordnungszeile „{ $line }“ hat kein „=“: schreiben Sie Kopf=Spalte.
c-import-unreadable = Der Upload konnte nicht gelesen werden: { $why }
c-import-run-heading = Import von { $file }
c-import-run-dry = Probelauf: es wird nichts geschrieben.
c-import-progress = Lese: bisher { $rows } Zeilen
c-import-refused = Es wurde nichts importiert:
c-import-bad-rows = Fehlerhafte Zeilen ({ $count })
c-import-bad-rows-first = Die ersten { $shown } sind aufgeführt; `gatehouse import --dry-run` auf der Kommandozeile listet alle.
c-import-line = Zeile
c-import-problems = Was falsch ist
c-import-again = Eine weitere Datei importieren
c-import-not-kept = Diesen Import gibt es nicht. Importe werden eine Woche aufbewahrt (und einer, dessen Bericht eine Person nennt, wird mit deren Löschung entfernt); was ein Import geschrieben hat, steht im Audit-Log (customers.import).
c-import-stopped = der Server, der ihn ausführte, hat vor dem Ende angehalten, und mit ihm seine Datenbanktransaktion: nichts aus dieser Datei wurde geschrieben. Laden Sie sie erneut hoch.

# Two-step sign-in (portal)
nav_two_step = Anmeldung in zwei Schritten
two_step_title = Anmeldung in zwei Schritten
two_step_code_lead = Anmeldung als { $who }: Geben Sie den Code ein, den Ihre Authenticator-App jetzt zeigt.
two_step_required_lead = Dieses Portal verlangt nach dem Passwort einen zweiten Schritt. Richten Sie ihn jetzt mit einer Authenticator-App auf Ihrem Telefon ein (zum Beispiel Google Authenticator, Microsoft Authenticator, 2FAS oder FreeOTP); es dauert eine Minute.
two_step_setup_scan = Scannen Sie den QR-Code mit der App (oder tippen Sie den Schlüssel unten ein).
two_step_setup_enter = Geben Sie die sechs Ziffern ein, die die App dann zeigt.
two_step_qr = QR-Code zum Scannen mit Ihrer Authenticator-App
two_step_or_type = Oder tippen Sie diesen Schlüssel in die App:
two_step_address = Die Adresse im QR-Code
two_step_code = Sechsstelliger Code
two_step_code_or_recovery = Code aus Ihrer App oder ein Wiederherstellungscode
two_step_code_hint = Der Code wechselt alle 30 Sekunden; geben Sie den jetzt angezeigten ein.
two_step_recovery_hint = Telefon verloren? Geben Sie einen der Wiederherstellungscodes ein, die Sie bei der Einrichtung erhalten haben; jeder gilt einmal.
two_step_submit = Weiter
two_step_submit_setup = Einschalten und weiter
two_step_other_account = Mit einem anderen Konto anmelden
two_step_start_over = Diese Anmeldung hat zu lange gedauert oder wurde schon abgeschlossen. Melden Sie sich erneut an.
two_step_on_now = Die Anmeldung in zwei Schritten ist eingeschaltet: Ab jetzt fragt die Anmeldung nach Ihrem Passwort und einem Code aus Ihrer App.
two_step_codes_title = Ihre Wiederherstellungscodes
two_step_codes_keep = Bewahren Sie diese Codes sicher und getrennt von Ihrem Telefon auf (drucken Sie sie aus oder speichern Sie sie in einem Passwortmanager). Jeder meldet Sie einmal an, falls Sie Ihr Telefon verlieren. Sie werden nur jetzt angezeigt.
two_step_codes_continue = Ich habe sie aufbewahrt: weiter
two_step_is_on = Die Anmeldung in zwei Schritten ist eingeschaltet: Die Anmeldung fragt nach Ihrem Passwort und einem Code aus Ihrer Authenticator-App.
two_step_last_used = Zuletzt benutzt { $when }.
two_step_codes_left = { $count ->
    [one] Sie haben einen unbenutzten Wiederherstellungscode.
   *[other] Sie haben { $count } unbenutzte Wiederherstellungscodes.
}
two_step_renew_heading = Neue Wiederherstellungscodes
two_step_renew = Neue Wiederherstellungscodes erzeugen
two_step_off_heading = Ausschalten oder auf ein neues Telefon umziehen
two_step_off_hint = Beim Ausschalten verlieren Ihre Wiederherstellungscodes ihre Gültigkeit. Um auf ein neues Telefon umzuziehen, schalten Sie sie hier aus und richten sie mit dem neuen Telefon wieder ein.
two_step_off_required = Dieses Portal verlangt die Anmeldung in zwei Schritten: Nach dem Ausschalten richten Sie sie bei der nächsten Anmeldung wieder ein (gern mit einem neuen Telefon). Ihre Wiederherstellungscodes verlieren ihre Gültigkeit.
two_step_off = Anmeldung in zwei Schritten ausschalten
two_step_turned_off = Die Anmeldung in zwei Schritten ist ausgeschaltet. Wir haben Ihnen dazu eine E-Mail geschickt.
two_step_is_off = Die Anmeldung in zwei Schritten ist ausgeschaltet.
two_step_intro = Schalten Sie sie ein, damit nach Ihrem Passwort ein Code aus einer Authenticator-App auf Ihrem Telefon verlangt wird: Wer Ihr Passwort erfährt, kann sich trotzdem nicht anmelden.
two_step_turn_on = Anmeldung in zwei Schritten einschalten
two_step_not_offered = Dieses Portal bietet die Anmeldung in zwei Schritten nicht an.

# Two-step sign-in (console account page)
c-two-step = Anmeldung in zwei Schritten
c-two-step-on = Ein: Die Anmeldung fragt nach einem Code aus der Authenticator-App des Kunden.
c-two-step-off = Aus: Die Anmeldung fragt nur nach dem Passwort.
c-two-step-since = Eingeschaltet
c-two-step-last-used = Zuletzt benutzt
c-two-step-codes-left = Verbleibende Wiederherstellungscodes
c-two-step-remove = Anmeldung in zwei Schritten entfernen
c-two-step-remove-hint = Für Kunden, die ihr Telefon und ihre Wiederherstellungscodes verloren haben: Vergewissern Sie sich zuerst, dass es wirklich der Kunde ist. Er erhält eine E-Mail und meldet sich nur mit dem Passwort an (oder richtet bei der nächsten Anmeldung ein neues Telefon ein, wo die Site es verlangt).
c-two-step-removed = Die Anmeldung in zwei Schritten wurde entfernt; der Kunde hat eine E-Mail erhalten.
c-passkeys = Passkeys
c-passkey-name = Name
c-passkey-added = Hinzugefügt
c-passkey-remove = Entfernen
c-no-passkeys = Keine Passkeys.
c-passkey-removed = Der Passkey wurde entfernt; der Kunde hat eine E-Mail erhalten.

# Passkeys (portal)
nav_passkeys = Passkeys
passkey_sign_in = Mit einem Passkey anmelden
passkey_sign_in_failed = Dieser Passkey hat Sie nicht angemeldet. Versuchen Sie es erneut, oder melden Sie sich mit Ihrem Passwort an.
passkeys_title = Passkeys
passkeys_lead = Ein Passkey meldet Sie ohne Passwort und ohne Code an: Ihr Telefon oder Computer bewahrt ihn auf und entsperrt ihn mit Fingerabdruck, Gesicht oder Bildschirmsperre. Er zählt als beide Schritte einer Anmeldung.
passkeys_name = Name
passkeys_added = Hinzugefügt
passkeys_last_used = Zuletzt benutzt
passkeys_actions = Aktionen
passkeys_never = nie
passkeys_rename = Umbenennen
passkeys_remove = Entfernen
passkeys_remove_named = Den Passkey { $name } entfernen
passkeys_none = Sie haben noch keinen Passkey.
passkeys_unavailable = Passkeys sind in diesem Portal noch nicht verfügbar: Es muss unter einem Hostnamen erreichbar sein. Bitte sagen Sie es uns.
passkeys_add_heading = Einen Passkey hinzufügen
passkeys_need_script = Zum Hinzufügen eines Passkeys braucht Ihr Browser JavaScript.
passkeys_new_name = Name (damit Sie wissen, auf welchem Gerät er ist)
passkeys_default_name = Mein Passkey
passkeys_add = Passkey hinzufügen
passkeys_add_failed = Der Passkey wurde nicht hinzugefügt: Ihr Gerät hat abgelehnt, oder es hat zu lange gedauert. Versuchen Sie es erneut.
passkeys_gone = Diesen Passkey gibt es nicht mehr.
passkey_added = Der Passkey wurde hinzugefügt. Melden Sie sich das nächste Mal damit an.
passkey_renamed = Der Passkey wurde umbenannt.
passkey_removed = Der Passkey wurde entfernt: Er meldet Sie nicht mehr an.
passkey-try-again = das hat zu lange gedauert oder wurde schon beantwortet; versuchen Sie es erneut
passkey-unreadable = die Antwort des Browsers ist nicht lesbar
passkey-refused = der Passkey wurde nicht hinzugefügt
passkey-name = der Name eines Passkeys hat 1 bis { $max } Zeichen
two_step_lost = Telefon und Wiederherstellungscodes verloren?
two_step_lost_hint = Wir können Ihnen einen Link schicken, der die Anmeldung in zwei Schritten ausschaltet, damit Sie sich mit Ihrem Passwort anmelden und sie auf einem neuen Telefon wieder einrichten können.
two_step_lost_sent = Wir haben einen Link an die E-Mail-Adresse dieses Kontos geschickt. Folgen Sie ihm, um die Anmeldung in zwei Schritten auszuschalten, und melden Sie sich dann erneut an.
two_step_reset_title = Anmeldung in zwei Schritten ausschalten
two_step_reset_lead = Ihr Telefon und Ihre Wiederherstellungscodes sind verloren: Wenn Sie die Anmeldung in zwei Schritten ausschalten, melden Sie sich nur mit Ihrem Passwort an. Richten Sie sie danach auf Ihrem neuen Telefon wieder ein (dieses Portal fragt Sie vielleicht sofort danach).
two_step_reset_submit = Anmeldung in zwei Schritten ausschalten
two_step_reset_done = Die Anmeldung in zwei Schritten ist ausgeschaltet, und Ihre Wiederherstellungscodes gelten nicht mehr. Melden Sie sich mit Ihrem Passwort an.
c-app-two-steps = Kunden melden sich in zwei Schritten an (Code der Authenticator-App oder Passkey), bevor diese App Zugang erhält
c-sign-in-factor = Meldet sich an mit
c-sign-in-factor-two_step = Anmeldung in zwei Schritten
c-sign-in-factor-passkey = Einem Passkey
