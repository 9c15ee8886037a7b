"""Chinese first: the language is the one the person chose with the switch (a cookie), else
zh-hans — not whatever the browser's Accept-Language says (many Chinese users run browsers
set to English)."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from kejia.core.text import normalise_querydict


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class NormaliseFormTextMiddleware:
    """Every form post's text normalised (kejia.core.text.normalise_text) before anything reads it.

    The parsing is wrapped, not done here: the form is normalised when it is first read (by
    CsrfViewMiddleware or the view), so a view can still set its own upload handlers first. The
    JSON API normalises in its parser (kejia.core.api_parser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            if hasattr(request, "_post"):
                request._post = normalise_querydict(request._post)
            else:
                load = request._load_post_and_files

                def load_normalised():
                    load()
                    request._post = normalise_querydict(request._post)

                request._load_post_and_files = load_normalised
        return self.get_response(request)
