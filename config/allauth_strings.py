"""django-allauth's messages whose Thai does not suit this site, repeated for makemessages.

allauth ships a Thai catalogue, but it addresses the reader as คุณ where this site writes ท่าน, and
some of its translations are wrong ("Mark selected email addresses as verified" is translated as
"your primary e-mail address must be verified", the subject "Password Changed" as "password
(again)"), garbled, left half in English or spelt otherwise than the rest of the site (ลงชื่อเข้าใช้
and ลงทะเบียน where the site's own pages say เข้าสู่ระบบ and สมัครสมาชิก). This module repeats those
msgids, letter for letter (with msgid_plural and msgctxt where allauth has them), so that
`makemessages` copies them into locale/th/LC_MESSAGES/django.po, where they are translated. The
catalogue in LOCALE_PATHS takes precedence over allauth's, so the Thai given there is what people
see.

It lists every allauth message whose Thai contains คุณ (also in features this project does not
switch on, at the end), and the messages with wrong or poor Thai among those residents and staff
meet with the settings in config/settings.py: e-mail and password sign-in, sign-up with mandatory
e-mail confirmation by link, password reset and change, the e-mail addresses page, LINE Login and
the admin pages of allauth's models.

It has no effect at run time beyond being importable: the calls below only mark strings
(gettext_noop) or build lazy objects that are never evaluated. Nothing imports it.

To refresh after an allauth upgrade, list the messages of
.venv/lib/python3.11/site-packages/allauth/locale/th/LC_MESSAGES/django.po whose msgstr contains
คุณ, e.g. with polib:
    [e for e in polib.pofile(path) if not e.obsolete and ("คุณ" in e.msgstr
     or any("คุณ" in s for s in e.msgstr_plural.values()))]
and compare them, and the msgids below, with that catalogue: a msgid allauth changed or dropped is
gone from it (makemessages then leaves its Thai in our catalogue as obsolete, #~), a new one must be
added here. Read again the Thai of new messages on the pages listed above, and check the settings
(ACCOUNT_LOGIN_METHODS, ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED, ACCOUNT_LOGIN_BY_CODE_ENABLED,
ACCOUNT_EMAIL_NOTIFICATIONS, installed allauth apps) when deciding what residents meet.
"""

# ruff: noqa: E501  (msgids must stay letter for letter as allauth writes them)

from django.utils.translation import gettext_noop, ngettext_lazy

# The number given to ngettext_lazy is never used: these lazy proxies are never evaluated.

# allauth/account/adapter.py, forms.py, fields.py: errors and labels of the sign-in, sign-up,
# password and e-mail forms.
ACCOUNT_FORMS = (
    gettext_noop("You cannot remove your primary email address."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("You cannot add more than %d email addresses."),
    gettext_noop("Your primary email address must be verified."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Forgot your password?"),
)

# allauth/account/admin.py: what staff meet on the e-mail addresses page of the admin.
ACCOUNT_ADMIN = (gettext_noop("Mark selected email addresses as verified"),)

# allauth/templates/account/*.html: the sign-in, sign-up, sign-out, password reset and change,
# e-mail confirmation and e-mail address pages.
ACCOUNT_PAGES = (
    gettext_noop("Account Inactive"),
    gettext_noop("This account is inactive."),
    gettext_noop("Sign In"),
    gettext_noop("Password Reset"),
    gettext_noop("The following email addresses are associated with your account:"),
    gettext_noop("Make Primary"),
    gettext_noop("Do you really want to remove the selected email address?"),
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ),
    gettext_noop("Reset My Password"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Bad Token"),
    gettext_noop(
        'The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("Your password is now changed."),
    gettext_noop("Signup"),
    gettext_noop("Sign Up"),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("You are already logged in as %(user_display)s."),
    gettext_noop(
        "You currently do not have any email address set up. You should really add an email address so you can receive notifications, reset your password, etc."
    ),
    gettext_noop("Verify Your Email Address"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes."
    ),
    gettext_noop(
        "This part of the site requires us to verify that\nyou are who you claim to be. For this purpose, we require that you\nverify ownership of your email address. "
    ),
    gettext_noop(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes."
    ),
    gettext_noop(
        '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.'
    ),
)

# allauth/templates/account/messages/*.txt: the messages shown at the top of the next page.
ACCOUNT_MESSAGES = (
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
)

# allauth/templates/account/email/*.txt: the e-mails sent on sign-up, e-mail confirmation and
# password reset (and when someone signs up or resets a password with an unknown address).
ACCOUNT_EMAILS = (
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\naccount using email address:\n\n%(email)s\n\nHowever, an account using that email address already exists.  In case you have\nforgotten about this, please use the password forgotten procedure to recover\nyour account:\n\n%(password_reset_url)s"
    ),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given your email address to register an account on %(site_domain)s."
    ),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("This mail can be safely ignored if you did not initiate this action."),
    gettext_noop(
        "You're receiving this email because you or someone else has requested a password reset for your user account.\nIt can be safely ignored if you did not request a password reset. Click the link below to reset your password."
    ),
    gettext_noop("Password Reset Email"),
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to access an account with email %(email)s. However, we do not have any record of such an account in our database."
    ),
    gettext_noop("If it was you, you can sign up for an account using the link below."),
    gettext_noop("Unknown Account"),
)

# allauth/socialaccount: LINE Login (switched on when LINE_CHANNEL_ID and LINE_CHANNEL_SECRET are
# set), its pages and messages, and the social application and account models staff see in the admin.
LINE_LOGIN = (
    gettext_noop(
        "An account already exists with this email address. Please sign in to that account first, then connect your %s account."
    ),
    gettext_noop("Your account has no password set up."),
    gettext_noop("Your account has no verified email address."),
    gettext_noop("You cannot disconnect your last remaining third-party account."),
    gettext_noop("The third-party account is already connected to a different account."),
    gettext_noop("provider ID"),
    gettext_noop("client id"),
    gettext_noop("social application"),
    gettext_noop("social applications"),
    gettext_noop("token"),
    gettext_noop("Third-Party Login Failure"),
    gettext_noop("An error occurred while attempting to login via your third-party account."),
    gettext_noop(
        "You can sign in to your account using any of the following third-party accounts:"
    ),
    gettext_noop("You currently have no third-party accounts connected to this account."),
    gettext_noop("You are about to connect a new third-party account from %(provider)s."),
    gettext_noop("Sign In Via %(provider)s"),
    gettext_noop("You are about to sign in using a third-party account from %(provider)s."),
    gettext_noop("Login Cancelled"),
    gettext_noop(
        'You decided to cancel logging in to our site using one of your existing accounts. If this was a mistake, please proceed to <a href="%(login_url)s">sign in</a>.'
    ),
    gettext_noop("The third-party account has been connected."),
    gettext_noop("The third-party account has been disconnected."),
    gettext_noop(
        "You are about to use your %(provider_name)s account to login to\n%(site_name)s. As a final step, please complete the following form:"
    ),
    gettext_noop("Or use a third-party"),
)

# allauth/templates/account/email and socialaccount/email: the security notices sent after a change
# to an account. allauth sends them only with ACCOUNT_EMAIL_NOTIFICATIONS = True, which is off now;
# their Thai uses คุณ or is wrong, so they are ready if it is switched on.
ACCOUNT_NOTIFICATIONS = (
    gettext_noop(
        "You are receiving this mail because the following change was made to your account:"
    ),
    gettext_noop(
        "If you do not recognize this change then please take proper security precautions immediately. The change to your account originates from:\n\n- IP address: %(ip)s\n- Browser: %(user_agent)s\n- Date: %(timestamp)s"
    ),
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    gettext_noop("Your email has been confirmed."),
    gettext_noop("Email Confirmation"),
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    gettext_noop("Email Removed"),
    gettext_noop("Your password has been changed."),
    gettext_noop("Password Changed"),
    gettext_noop("Your password has been reset."),
    gettext_noop("Your password has been set."),
    gettext_noop("Password Set"),
    gettext_noop("A third-party account from %(provider)s has been connected to your account."),
    gettext_noop("Third-Party Account Connected"),
    gettext_noop(
        "A third-party account from %(provider)s has been disconnected from your account."
    ),
    gettext_noop("Third-Party Account Disconnected"),
)

# Features this project does not switch on (sign-in and verification by code, phone numbers,
# usernames, reauthentication, allauth.mfa, allauth.idp). Repeated only because allauth's Thai for
# them addresses the reader as คุณ, so that nothing reads คุณ if one of them is switched on later.
NOT_SWITCHED_ON = (
    gettext_noop("Use your password"),
    gettext_noop("You must type the same email each time."),
    gettext_noop("View your user ID"),
    gettext_noop("View your email address"),
    gettext_noop("View your basic profile information"),
    gettext_noop(
        "You cannot add an email address to an account protected by two-factor authentication."
    ),
    gettext_noop("You cannot deactivate two-factor authentication."),
    gettext_noop(
        "You cannot generate recovery codes without having two-factor authentication enabled."
    ),
    gettext_noop(
        "You cannot activate two-factor authentication until you have verified your email address."
    ),
    gettext_noop(
        "Enabling passwordless operation allows you to sign in using just this key, but imposes additional requirements such as biometrics or PIN protection."
    ),
    gettext_noop("Please reauthenticate to safeguard your account."),
    gettext_noop(
        "Your email verification code is listed below. Please enter it in your open browser window."
    ),
    gettext_noop("Your sign-in code is listed below. Please enter it in your open browser window."),
    gettext_noop(
        "Your password reset code is listed below. Please enter it in your open browser window."
    ),
    gettext_noop("In case you forgot, your username is %(username)s."),
    gettext_noop("Your email address is still pending verification."),
    gettext_noop("You have verified phone number %(phone)s."),
    gettext_noop("Your phone number is still pending verification."),
    gettext_noop("You will receive a special code for a password-free sign-in."),
    gettext_noop("%(client_name)s wants to access your %(site_name)s account."),
    gettext_noop("Enter the code displayed on your device."),
    gettext_noop("Please confirm the code shown on your %(client_name)s to authorize this device."),
    gettext_noop("You successfully authorized your %(client_name)s device."),
    gettext_noop("Authorization for your %(client_name)s device has been denied."),
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an authenticator code:"
    ),
    gettext_noop("A security key has been removed."),
    ngettext_lazy(
        "You have added %(count)s security key.",
        "You have added %(count)s security keys.",
        "count",
    ),
    gettext_noop("You are about to generate a new set of recovery codes for your account."),
    gettext_noop("This action will invalidate your existing codes."),
    gettext_noop("Are you sure?"),
    gettext_noop(
        "To protect your account with two-factor authentication, scan the QR code below with your authenticator app. Then, input the verification code generated by the app below."
    ),
    gettext_noop(
        "You can store this secret and use it to reinstall your authenticator app at a later time."
    ),
    gettext_noop(
        "You are about to deactivate authenticator app based authentication. Are you sure?"
    ),
    gettext_noop(
        "If you choose to trust this browser, you will not be asked for a verification code the next time you sign in."
    ),
    gettext_noop("Are you sure you want to remove this security key?"),
    gettext_noop(
        "You are about to create a passkey for your account. As you can add additional keys later on, you can use a descriptive name to tell the keys apart."
    ),
)
