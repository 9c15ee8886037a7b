"""The API's request parser: every string of a JSON body, a form body and a query string goes
through kejia.core.text.normalise_data before any schema sees it (control characters removed,
NFC), so no endpoint can store text that later breaks a page or a spreadsheet."""

from ninja.parser import Parser

from kejia.core.text import normalise_data


class NormalisingParser(Parser):
    def parse_body(self, request):
        return normalise_data(super().parse_body(request))

    def parse_querydict(self, data, list_fields, request):
        return normalise_data(super().parse_querydict(data, list_fields, request))
