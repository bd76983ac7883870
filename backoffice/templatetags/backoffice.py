"""Template filters and tags available in every template (registered as builtins)."""

from django import template
from django.utils.html import format_html

from backoffice.money import format_money

register = template.Library()


@register.filter
def money(amount, currency=None):
    """``{{ amount|money:currency }}``: the one way money is rendered."""
    return format_money(amount, currency)


@register.simple_tag(takes_context=True)
def url_replace(context, **kwargs):
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()


@register.filter
def badge(value, label=None):
    return format_html('<span class="badge badge-{}">{}</span>', value, label or value)


@register.filter
def field_type(bound_field):
    return bound_field.field.widget.__class__.__name__.lower()


@register.simple_tag
def icon(name):
    return format_html('<svg class="icon" aria-hidden="true"><use href="/static/img/icons.svg#{}"></use></svg>', name)
