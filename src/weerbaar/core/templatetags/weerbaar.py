from django import template
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def theme_href(path: str) -> str:
    """A theme stylesheet may be a static path or an absolute URL (municipality's own CSS)."""
    if path.startswith(("http://", "https://", "/")):
        return path
    return static(path)


@register.filter
def field_type(bound_field: object) -> str:
    widget = getattr(getattr(bound_field, "field", None), "widget", None)
    return type(widget).__name__ if widget is not None else ""
