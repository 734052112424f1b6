from django.conf import settings


class UserLanguageMiddleware:
    """Keeps the language cookie on the signed-in person's chosen language.

    URLs carry the language, so this only decides where an unprefixed address such as `/` leads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != user.language:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        return response
