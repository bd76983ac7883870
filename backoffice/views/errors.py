from django.template.response import TemplateResponse


def csrf_failure(request, reason=""):
    return TemplateResponse(request, "403_csrf.html", {"reason": reason}, status=403)
