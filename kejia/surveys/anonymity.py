"""The receipt of an anonymous answer: a keyed hash of (survey, user), so that a person answers
once without any row joining them to their answers. The key derives from SECRET_KEY with a salt
of its own; without it the receipts name nobody, with it one can tell *whether* a user answered
(which the one-answer rule needs), never *what*."""

from django.utils.crypto import salted_hmac

SALT = "kejia.surveys.receipt"


def receipt_digest(survey_id: int, user_id: int) -> str:
    return salted_hmac(SALT, f"{survey_id}:{user_id}", algorithm="sha256").hexdigest()
