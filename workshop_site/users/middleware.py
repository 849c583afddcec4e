from .forms import remember_device


def remember_login_device(get_response):
    """A successful admin login marks this browser as the user's own (`users.forms`), so a
    flood of failed logins for that name elsewhere never locks its owner out here."""

    def middleware(request):
        response = get_response(request)
        remember_device(request, response)
        return response

    return middleware
