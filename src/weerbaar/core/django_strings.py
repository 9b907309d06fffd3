"""Django 6.1 strings that its own Dutch catalogue does not translate yet.

Declaring them here puts them in our catalogue (LOCALE_PATHS wins over Django's), so Dutch
pages show no English. Remove an entry once Django's catalogue carries it.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    # django.db.models.fields.BLANK_CHOICE_LABEL: the empty choice of a select.
    gettext_noop("- Select an option -"),
)
